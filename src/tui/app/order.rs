//! The key table's order and filter: the sort columns, and the comparisons
//! and the search that keep the view index in step with the records. Kept
//! apart from the rest of the state because it is the one part that runs
//! over every record on each change, and is written to allocate nothing per
//! record.

use std::cmp::Ordering;

use crate::display::columns::Column;

use super::App;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortColumn {
    Name,
    Id,
    Created,
    LastUsed,
    /// Accepted uses in the last 30 days.
    Uses,
    /// Input and output tokens in the last 30 days.
    Tokens,
}

impl SortColumn {
    pub fn next(self) -> Self {
        match self {
            SortColumn::Created => SortColumn::LastUsed,
            SortColumn::LastUsed => SortColumn::Uses,
            SortColumn::Uses => SortColumn::Tokens,
            SortColumn::Tokens => SortColumn::Name,
            SortColumn::Name => SortColumn::Id,
            SortColumn::Id => SortColumn::Created,
        }
    }

    /// The direction a column is first sorted in: names A→Z, times newest first.
    pub fn natural_descending(self) -> bool {
        matches!(
            self,
            SortColumn::Created | SortColumn::LastUsed | SortColumn::Uses | SortColumn::Tokens
        )
    }

    /// The table column it sorts: a shared key column; uses and tokens are
    /// the TUI's own columns, shown while sorting by them.
    pub fn column(self) -> Option<Column> {
        match self {
            SortColumn::Name => Some(Column::Name),
            SortColumn::Id => Some(Column::Id),
            SortColumn::Created => Some(Column::CreatedAt),
            SortColumn::LastUsed => Some(Column::LastUsed),
            SortColumn::Uses | SortColumn::Tokens => None,
        }
    }

    pub fn label(self) -> String {
        match self {
            SortColumn::Uses => tr!("tui-sort-uses"),
            SortColumn::Tokens => tr!("tui-sort-tokens"),
            _ => self.column().map_or_else(String::new, Column::title),
        }
    }

    /// The sort a table column's header stands for, if it can be sorted by.
    pub fn sorting(column: Column) -> Option<SortColumn> {
        [
            SortColumn::Name,
            SortColumn::Id,
            SortColumn::Created,
            SortColumn::LastUsed,
        ]
        .into_iter()
        .find(|sort| sort.column() == Some(column))
    }
}

impl App {
    pub fn set_sort(&mut self, column: SortColumn, descending: bool) {
        let keep = self.selected_record().map(|r| r.id.clone());
        self.sort = column;
        self.descending = descending;
        self.resort();
        self.select_id_or_clamp(keep.as_ref());
    }

    /// Call after editing `filter`.
    pub fn filter_changed(&mut self) {
        let keep = self.selected_record().map(|r| r.id.clone());
        self.filter_folded.clear();
        self.filter_folded
            .extend(self.filter.text().chars().map(|c| c.to_ascii_lowercase()));
        self.refilter();
        self.select_id_or_clamp(keep.as_ref());
    }

    pub(super) fn resort(&mut self) {
        let (records, uses, tokens) = (&self.records, &self.uses, &self.tokens);
        self.sorted.clear();
        self.sorted.extend(0..records.len());
        let (column, descending) = (self.sort, self.descending);
        self.sorted.sort_unstable_by(|&a, &b| {
            let (ra, rb) = (&records[a], &records[b]);
            let primary = match column {
                SortColumn::Name => cmp_names(&ra.name, &rb.name),
                SortColumn::Id => ra.id.cmp(&rb.id),
                SortColumn::Created => ra.created_at.cmp(&rb.created_at),
                // Either secret's use: a key just rotated is still busy.
                SortColumn::LastUsed => ra.last_used_any().cmp(&rb.last_used_any()),
                SortColumn::Uses => uses.get(a).cmp(&uses.get(b)),
                SortColumn::Tokens => tokens.get(a).cmp(&tokens.get(b)),
            };
            let primary = if descending { primary.reverse() } else { primary };
            // Ties (e.g. every never-used key under Last Used) list the
            // newest key first, then by ID so the order is total.
            primary
                .then_with(|| rb.created_at.cmp(&ra.created_at))
                .then_with(|| ra.id.cmp(&rb.id))
        });
        self.refilter();
    }

    fn refilter(&mut self) {
        self.view.clear();
        if self.filter_folded.is_empty() {
            self.view.extend_from_slice(&self.sorted);
            return;
        }
        let needle = self.filter_folded.as_bytes();
        let records = &self.records;
        self.view.extend(self.sorted.iter().copied().filter(|&i| {
            let r = &records[i];
            contains_folded(r.name.as_bytes(), needle) || contains_folded(r.id.as_str().as_bytes(), needle)
        }));
    }
}

/// Case-insensitive (ASCII) substring test on UTF-8 bytes; `needle` is
/// already lowercase. Non-ASCII bytes compare exactly, so `生产` matches
/// itself, and matches always fall on character boundaries.
fn contains_folded(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|w| w.iter().zip(needle).all(|(a, b)| a.to_ascii_lowercase() == *b))
}

/// Case-insensitive (ASCII) name order. Compares bytes: UTF-8 byte order is
/// code point order, and ASCII folding never touches multi-byte sequences.
fn cmp_names(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
        .then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_search() {
        assert!(contains_folded(b"Prod-Gateway", b"gate"));
        assert!(contains_folded("生产-gateway".as_bytes(), "产-g".as_bytes()));
        assert!(!contains_folded(b"abc", b"abcd"));
        assert!(contains_folded(b"abc", b""));
    }

    #[test]
    fn names_sort_case_insensitively() {
        assert_eq!(cmp_names("alpha", "Beta"), Ordering::Less);
        assert_eq!(cmp_names("B", "b"), Ordering::Less);
        assert_eq!(cmp_names("zeta", "生产"), Ordering::Less);
        assert_eq!(cmp_names("生产", "生活"), "生产".cmp("生活"));
    }
}
