//! The audit log screen's state: the rows found so far, and the paging of
//! its search through the storage worker (which search is current, where it
//! goes on, whether a page is on its way). The worker's side of the exchange
//! is in [`crate::tui::log_search`].

use crate::domain::{AuditEntry, KeyId};
use crate::tui::input::TextInput;
use crate::tui::log_search::{LogPage, LogRequest, entry_matches};

/// The audit log screen. Its rows come from the storage worker a page at a
/// time, newest first, asked for as the selection nears the end of what is
/// loaded, so a log of any length opens at once and is paged through to its
/// first entry. The filter is applied by the worker to the whole log: it
/// scans page after page for matches and streams them in; a changed filter
/// starts a new search (and the answer to the old one is dropped).
#[derive(Debug, Clone, Default)]
pub struct LogScreen {
    /// Only this key's entries ("History"), and its name for the title.
    pub key: Option<(KeyId, String)>,
    /// The entries found so far that pass the filter, newest first.
    rows: Vec<AuditEntry>,
    /// The search goes on with the entries older than this (`None`: from
    /// the newest).
    next_before: Option<u64>,
    /// The search reached the oldest entry: every match is in `rows`.
    pub complete: bool,
    /// The search whose rows these are; a page of another is dropped.
    search: u64,
    /// The filter `rows` were searched with, lowercased.
    searched: String,
    /// The search asked the worker for a page that has not come yet.
    pub loading: bool,
    pub error: Option<String>,
    pub filter: TextInput,
    /// Whether keys go to the filter input.
    pub filtering: bool,
    /// Selected row (index into the rows).
    pub selected: usize,
    /// The selected entry is shown whole, every field wrapped, over the
    /// list (whose lines are cut to the width).
    pub opened: bool,
}

/// Searches are numbered across screens, so that a page for a log screen
/// already closed never lands in the next one.
static SEARCHES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_search() -> u64 {
    SEARCHES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl LogScreen {
    pub fn new(key: Option<(KeyId, String)>) -> Self {
        LogScreen {
            key,
            search: next_search(),
            ..LogScreen::default()
        }
    }

    pub fn rows(&self) -> &[AuditEntry] {
        &self.rows
    }

    pub fn entry(&self, row: usize) -> Option<&AuditEntry> {
        self.rows.get(row)
    }

    /// Whether the first page of the current search has come.
    pub fn started(&self) -> bool {
        !self.rows.is_empty() || self.complete || self.next_before.is_some()
    }

    /// The entries older than this are still to be searched.
    pub fn searched_down_to(&self) -> Option<u64> {
        self.next_before.filter(|_| !self.complete)
    }

    /// After the filter text changed. A longer filter only narrows what was
    /// found, so the rows are filtered here and the search goes on where it
    /// was; any other change searches again from the newest entry.
    pub fn filter_changed(&mut self) {
        let needle = self.filter.text().to_lowercase();
        if needle == self.searched {
            return;
        }
        if needle.contains(&self.searched) {
            self.rows.retain(|e| entry_matches(e, &needle));
        } else {
            self.rows.clear();
            self.next_before = None;
            self.complete = false;
        }
        self.searched = needle;
        self.search = next_search();
        self.loading = false;
        self.error = None;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    /// The next page to ask for, if the rows do not reach `ahead` rows past
    /// the selection and the search has more to look at.
    pub fn wanted(&mut self, ahead: usize) -> Option<LogRequest> {
        let enough = self.rows.len() > self.selected + ahead;
        if self.loading || self.complete || self.error.is_some() || enough {
            return None;
        }
        self.loading = true;
        Some(LogRequest {
            key: self.key.as_ref().map(|(id, _)| id.clone()),
            before_seq: self.next_before,
            needle: self.searched.clone(),
            search: self.search,
        })
    }

    /// A page from the worker; dropped if it is for an earlier search.
    pub fn on_page(&mut self, search: u64, page: Result<LogPage, String>) {
        if search != self.search {
            return;
        }
        self.loading = false;
        match page {
            Ok(page) => {
                self.rows.extend(page.matches);
                self.complete = page.next_before.is_none();
                self.next_before = page.next_before;
            }
            Err(error) => self.error = Some(error),
        }
    }

    /// Moves the selection by `delta` rows, clamped to the rows loaded.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.rows.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }
}
