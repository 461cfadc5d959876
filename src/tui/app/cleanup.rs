//! The clean-up screen's state (`C`): which keys count as unused for the
//! chosen time, or (`s`) which keys spent the most in 30 days; the marks,
//! and the confirmation before the bulk change; and how its rows follow the
//! records and their usage as they are loaded.

use std::collections::HashSet;

use time::OffsetDateTime;

use crate::domain::usage::{is_unused, last_activity, never_used};
use crate::domain::{KeyId, KeyRecord};
use crate::tui::input::TextInput;

use super::App;

/// The clean-up view's choices of "unused for", in days.
pub const CLEANUP_DAYS: [u32; 3] = [30, 90, 180];
/// The default choice: 90 days.
pub const CLEANUP_DEFAULT: usize = 1;
/// A key never used since it was created this long ago is a candidate too.
pub const NEVER_USED_AFTER: time::Duration = time::Duration::days(7);

/// The clean-up view (`C`): keys unused for a while, to disable or delete
/// together.
#[derive(Debug, Clone)]
pub struct CleanupScreen {
    /// Index into [`CLEANUP_DAYS`].
    pub days: usize,
    /// Keys by their 30-day spend (by tokens without prices), highest
    /// first, in place of the unused ones.
    pub by_spend: bool,
    /// The candidates: least recently active first, or by spend the
    /// highest first.
    pub rows: Vec<KeyId>,
    pub selected: usize,
    pub marked: HashSet<KeyId>,
    pub confirm: Option<CleanupConfirm>,
}

/// What the clean-up view is asking before its bulk change.
#[derive(Debug, Clone)]
pub enum CleanupConfirm {
    Disable,
    /// Deleting asks for the number of keys to be typed.
    Delete {
        typed: TextInput,
    },
}

impl CleanupScreen {
    pub fn new() -> Self {
        CleanupScreen {
            days: CLEANUP_DEFAULT,
            by_spend: false,
            rows: Vec::new(),
            selected: 0,
            marked: HashSet::new(),
            confirm: None,
        }
    }

    pub fn idle(&self) -> time::Duration {
        time::Duration::days(i64::from(CLEANUP_DAYS[self.days]))
    }

    /// Whether `record` belongs in the view at `now`.
    pub fn wants(&self, record: &KeyRecord, now: OffsetDateTime) -> bool {
        is_unused(record, now, self.idle()) || (never_used(record) && now - record.created_at >= NEVER_USED_AFTER)
    }

    /// The marked keys, in the order shown.
    pub fn marked_ids(&self) -> Vec<KeyId> {
        self.rows
            .iter()
            .filter(|id| self.marked.contains(*id))
            .cloned()
            .collect()
    }

    /// Moves the selection by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.rows.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }
}

impl Default for CleanupScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl App {
    /// The keys unused for the chosen time, least recently active first.
    fn unused(&self) -> Vec<KeyId> {
        let Some(cleanup) = &self.cleanup else {
            return Vec::new();
        };
        let mut found: Vec<&KeyRecord> = self.records.iter().filter(|r| cleanup.wants(r, self.now)).collect();
        found.sort_by(|a, b| last_activity(a).cmp(&last_activity(b)).then_with(|| a.id.cmp(&b.id)));
        found.into_iter().map(|r| r.id.clone()).collect()
    }

    /// The keys with tokens in the usage window, the highest spend first
    /// (tokens break ties, and order keys no price applies to), then by ID.
    pub fn by_spend(&self) -> Vec<KeyId> {
        let mut found: Vec<((u64, u64), &KeyId)> = self
            .records
            .iter()
            .map(|r| (self.spend_of(&r.id).rank(), &r.id))
            .filter(|((_, tokens), _)| *tokens > 0)
            .collect();
        found.sort_by(|(a, ida), (b, idb)| b.cmp(a).then_with(|| ida.cmp(idb)));
        found.into_iter().map(|(_, id)| id.clone()).collect()
    }

    /// Recomputes the clean-up view's rows (after new records or usage, or
    /// another choice), keeping the selection and the marks on keys still
    /// shown.
    pub fn refresh_cleanup(&mut self) {
        let Some(by_spend) = self.cleanup.as_ref().map(|c| c.by_spend) else {
            return;
        };
        let rows = if by_spend { self.by_spend() } else { self.unused() };
        let Some(cleanup) = &mut self.cleanup else {
            return;
        };
        let keep = cleanup.rows.get(cleanup.selected).cloned();
        cleanup.rows = rows;
        let rows: HashSet<&KeyId> = cleanup.rows.iter().collect();
        cleanup.marked.retain(|id| rows.contains(id));
        cleanup.selected = keep
            .and_then(|id| cleanup.rows.iter().position(|r| *r == id))
            .unwrap_or(cleanup.selected)
            .min(cleanup.rows.len().saturating_sub(1));
    }
}
