//! The TUI's state: [`App`], and which screen, dialog or overlay is up.
//! Records are kept as loaded; what the table shows is a view index
//! (positions into `records`), sorted and filtered without cloning or
//! allocating per record. Each dialog's state, the log screen, the clean-up
//! screen and the table's order live in files of their own beside this one,
//! as their drawing does in `view/` and their keys in `update/`; the types
//! are re-exported here, so `app::CreateDialog` names them wherever used.

mod actions_menu;
mod cleanup;
mod create_dialog;
mod delete_dialog;
mod disable_dialog;
mod expiry_dialog;
mod log_screen;
mod order;
mod policy_dialog;
mod rename_dialog;
mod rotate_dialog;
mod secret_dialog;
mod tokens;

use std::collections::HashMap;

use time::{OffsetDateTime, UtcOffset};

use crate::display::columns::Flag;
use crate::domain::{KeyId, KeyRecord, KeyUsage, SecretKey, UsageQuery};

use super::input::TextInput;
use super::keymap::Screen;

pub use actions_menu::{ActionsMenu, MenuItem};
pub use cleanup::{CLEANUP_DAYS, CLEANUP_DEFAULT, CleanupConfirm, CleanupScreen, NEVER_USED_AFTER};
pub use create_dialog::{CreateDialog, CreateFocus};
pub use delete_dialog::{DeleteDialog, DeleteFocus};
pub use disable_dialog::{ASK_IF_USED_WITHIN, DisableDialog};
pub use expiry_dialog::{ExpiryDialog, ExpiryFocus};
pub use log_screen::LogScreen;
pub use order::SortColumn;
pub use policy_dialog::{PolicyDialog, PolicyFocus};
pub use rename_dialog::RenameDialog;
pub use rotate_dialog::RotateDialog;
pub use secret_dialog::SecretDialog;
pub use tokens::{BudgetGauge, Spend, budget_gauges};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Success,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub kind: StatusKind,
    /// Ticks (≈ seconds) left before it fades.
    pub ttl: u8,
}

#[derive(Debug)]
pub enum Dialog {
    Actions(ActionsMenu),
    Create(CreateDialog),
    Secret(SecretDialog),
    Rename(RenameDialog),
    Delete(DeleteDialog),
    Rotate(RotateDialog),
    Expiry(ExpiryDialog),
    Disable(DisableDialog),
    Policy(PolicyDialog),
}

/// Full-screen-ish views drawn on top of everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    /// Help for the screen it was opened from.
    Help {
        screen: Screen,
        scroll: u16,
    },
    Agreement {
        scroll: u16,
    },
}

#[derive(Debug)]
pub struct App {
    pub records: Vec<KeyRecord>,
    /// `None` until the first load.
    pub change_counter: Option<u64>,
    /// All record positions in sort order.
    sorted: Vec<usize>,
    /// The sorted positions that pass the filter: the table's rows.
    view: Vec<usize>,
    /// Selected row (index into the view).
    pub selected: usize,
    /// First row shown (index into the view).
    pub scroll: usize,
    /// Columns and rows of the terminal.
    pub terminal_size: (u16, u16),
    /// A key was pressed while the terminal was too small to show anything
    /// (and so was ignored): the too-small screen says so.
    pub ignored_keys: bool,
    pub sort: SortColumn,
    pub descending: bool,
    pub filter: TextInput,
    /// The filter, lowercased once per edit for case-insensitive matching.
    filter_folded: String,
    /// Whether keys go to the filter input.
    pub filtering: bool,
    pub dialog: Option<Dialog>,
    pub overlay: Option<Overlay>,
    /// The audit log screen, while it is open.
    pub log: Option<LogScreen>,
    /// The clean-up view, while it is open.
    pub cleanup: Option<CleanupScreen>,
    /// Usage counts by key, for the window in `usage_query`.
    pub usage: HashMap<KeyId, KeyUsage>,
    /// The window `usage` was read for; `None` until it first was.
    pub usage_query: Option<UsageQuery>,
    /// Accepted uses in the usage window, per position in `records`.
    uses: Vec<u64>,
    /// Input and output tokens in the usage window, per position in
    /// `records` (the Tokens sort).
    tokens: Vec<u64>,
    /// The config file's `[prices]`, if any: costs and spend limits.
    pub prices: Option<crate::domain::prices::PriceList>,
    /// Whether to show the details pane, as `i` last chose; `None` until
    /// then (shown when it fits beside the table). One preference whatever
    /// the size: a resize moves the pane, it does not undo the choice.
    pub show_details: Option<bool>,
    pub status: Option<Status>,
    /// A standing note (e.g. "local offset unknown, showing UTC"), shown when
    /// there is no status message.
    pub note: Option<String>,
    pub utc_offset: UtcOffset,
    pub now: OffsetDateTime,
    pub unused_count: usize,
    pub idle_count: usize,
    /// How many keys have policy rules (the list marks them).
    pub with_rules: usize,
    /// Select this key when it shows up (after creating it).
    pub pending_select: Option<KeyId>,
    /// A storage operation has been running for a moment (the database is
    /// busy): the status bar says so. Set by the event loop.
    pub working: bool,
    /// The keys could not be read (a PostgreSQL server away, a damaged
    /// file): the list is the last one read, and changes are refused until a
    /// read works again.
    pub unreachable: bool,
    /// Seconds until a copied key is cleared from the clipboard, while a
    /// clear is pending. Set by the event loop.
    pub clipboard_clears_in: Option<u64>,
    /// Whether the mouse is in use: the table then has a `⋯` column.
    pub mouse: bool,
    /// The open database's name, for the header.
    pub database: Option<String>,
}

impl App {
    pub fn new(utc_offset: UtcOffset, now: OffsetDateTime) -> Self {
        App {
            records: Vec::new(),
            change_counter: None,
            sorted: Vec::new(),
            view: Vec::new(),
            selected: 0,
            scroll: 0,
            terminal_size: (80, 24),
            ignored_keys: false,
            sort: SortColumn::Created,
            descending: true,
            filter: TextInput::default(),
            filter_folded: String::new(),
            filtering: false,
            dialog: None,
            overlay: None,
            log: None,
            cleanup: None,
            usage: HashMap::new(),
            usage_query: None,
            uses: Vec::new(),
            tokens: Vec::new(),
            prices: None,
            show_details: None,
            status: None,
            note: None,
            utc_offset,
            now,
            unused_count: 0,
            idle_count: 0,
            with_rules: 0,
            pending_select: None,
            working: false,
            unreachable: false,
            clipboard_clears_in: None,
            mouse: false,
            database: None,
        }
    }

    /// Which key table applies now.
    pub fn screen(&self) -> Screen {
        match (&self.overlay, &self.dialog) {
            (Some(Overlay::Help { .. }), _) => Screen::Help,
            (Some(Overlay::Agreement { .. }), _) => Screen::Agreement,
            (None, Some(Dialog::Actions(_))) => Screen::Actions,
            (None, Some(Dialog::Create(_))) => Screen::Create,
            (None, Some(Dialog::Secret(s))) if s.confirm_close => Screen::SecretConfirm,
            (None, Some(Dialog::Secret(_))) => Screen::Secret,
            (None, Some(Dialog::Rename(_))) => Screen::Rename,
            (None, Some(Dialog::Delete(_))) => Screen::Delete,
            (None, Some(Dialog::Rotate(d))) if d.confirm => Screen::RotateConfirm,
            (None, Some(Dialog::Rotate(_))) => Screen::Rotate,
            (None, Some(Dialog::Expiry(_))) => Screen::Expiry,
            (None, Some(Dialog::Disable(_))) => Screen::DisableConfirm,
            (None, Some(Dialog::Policy(_))) => Screen::Policy,
            (None, None) if self.cleanup.is_some() => match self.cleanup.as_ref().and_then(|c| c.confirm.as_ref()) {
                Some(CleanupConfirm::Disable) => Screen::CleanupDisable,
                Some(CleanupConfirm::Delete { .. }) => Screen::CleanupDelete,
                None => Screen::Cleanup,
            },
            (None, None) if self.log.as_ref().is_some_and(|l| l.opened) => Screen::LogEntry,
            (None, None) if self.log.as_ref().is_some_and(|l| l.filtering) => Screen::LogFilter,
            (None, None) if self.log.is_some() => Screen::Log,
            (None, None) if self.filtering => Screen::Filter,
            (None, None) => Screen::Main,
        }
    }

    /// Whether the key the current screen acts on (the actions menu's, or
    /// the selected one) allows `action` in its state now: what the hint
    /// bar offers. Always true where no key is concerned.
    pub fn allows(&self, action: super::keymap::Action) -> bool {
        let record = match &self.dialog {
            Some(Dialog::Actions(menu)) => Some(&menu.record),
            Some(Dialog::Delete(d)) if action == super::keymap::Action::DisableInstead => {
                return d.buttons().contains(&DeleteFocus::Disable);
            }
            Some(_) => None,
            None => self.selected_record(),
        };
        record.is_none_or(|r| super::keymap::allowed(action, r.status(self.now)))
    }

    /// The table's rows, as positions into `records`.
    pub fn view(&self) -> &[usize] {
        &self.view
    }

    pub fn visible_record(&self, row: usize) -> Option<&KeyRecord> {
        self.view.get(row).map(|&i| &self.records[i])
    }

    /// What the screen shows now, for the hints that apply only to some of
    /// it (a key, a log entry selected).
    pub fn shown(&self) -> super::keymap::Shown {
        super::keymap::Shown {
            key_selected: self.selected_record().is_some(),
            log_entry_selected: self.log.as_ref().is_some_and(|log| log.entry(log.selected).is_some()),
            unused_keys_shown: self.cleanup.as_ref().is_some_and(|c| !c.by_spend),
        }
    }

    pub fn selected_record(&self) -> Option<&KeyRecord> {
        self.visible_record(self.selected)
    }

    pub fn has_filter(&self) -> bool {
        !self.filter.is_empty()
    }

    /// The secret on screen, for the event loop to copy.
    pub fn secret(&self) -> Option<&SecretKey> {
        match &self.dialog {
            Some(Dialog::Secret(s)) => Some(&s.secret),
            _ => None,
        }
    }

    pub fn set_status(&mut self, kind: StatusKind, text: impl Into<String>) {
        let ttl = match kind {
            StatusKind::Error => 15,
            StatusKind::Info | StatusKind::Success => 8,
        };
        self.status = Some(Status {
            text: text.into(),
            kind,
            ttl,
        });
    }

    /// Replaces the records, keeping the selection on the same key.
    pub fn set_records(&mut self, change_counter: u64, records: Vec<KeyRecord>) {
        let keep = self
            .pending_select
            .take()
            .or_else(|| self.selected_record().map(|r| r.id.clone()));
        self.records = records;
        self.with_rules = self.records.iter().filter(|r| !r.policy.is_empty()).count();
        self.change_counter = Some(change_counter);
        self.recount_flags();
        self.recount_uses();
        self.resort();
        self.select_id_or_clamp(keep.as_ref());
        self.refresh_cleanup();
    }

    /// Replaces the usage counts (read for `query`).
    pub fn set_usage(&mut self, query: UsageQuery, usage: Vec<(KeyId, KeyUsage)>) {
        self.usage = usage.into_iter().collect();
        self.usage_query = Some(query);
        self.recount_uses();
        if matches!(self.sort, SortColumn::Uses | SortColumn::Tokens) {
            let keep = self.selected_record().map(|r| r.id.clone());
            self.resort();
            self.select_id_or_clamp(keep.as_ref());
        }
        // Spend moves with the usage: the clean-up view's "by spend" order too.
        self.refresh_cleanup();
    }

    /// Accepted uses of `record` in the usage window (0 before it is read).
    pub fn uses_of(&self, id: &KeyId) -> u64 {
        self.usage.get(id).map_or(0, |u| u64::from(u.total().accepted))
    }

    fn recount_uses(&mut self) {
        self.uses = self.records.iter().map(|r| self.uses_of(&r.id)).collect();
        self.tokens = self.records.iter().map(|r| self.tokens_of(&r.id)).collect();
    }

    /// The record with `id`, if it is loaded.
    pub fn record(&self, id: &KeyId) -> Option<&KeyRecord> {
        self.records.iter().find(|r| &r.id == id)
    }

    /// Called every tick (≈ 1 s). The clean-up flags change on a scale of
    /// days, so the count over all records is redone only when the minute
    /// changes, not on every tick (it is O(keys)).
    pub fn set_now(&mut self, now: OffsetDateTime) {
        let same_minute = now.unix_timestamp().div_euclid(60) == self.now.unix_timestamp().div_euclid(60);
        self.now = now;
        if !same_minute {
            self.recount_flags();
        }
    }

    fn recount_flags(&mut self) {
        let (mut unused, mut idle) = (0, 0);
        for r in &self.records {
            match Flag::of(r, self.now) {
                Some(Flag::Unused) => unused += 1,
                Some(Flag::Idle) => idle += 1,
                None => {}
            }
        }
        self.unused_count = unused;
        self.idle_count = idle;
    }

    fn select_id_or_clamp(&mut self, id: Option<&KeyId>) {
        if let Some(id) = id
            && let Some(row) = self.view.iter().position(|&i| &self.records[i].id == id)
        {
            self.selected = row;
            self.scroll_to_selection();
            return;
        }
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
        self.scroll_to_selection();
    }

    /// Moves the selection by `delta` rows, clamped to the list.
    pub fn move_selection(&mut self, delta: isize) {
        if self.view.is_empty() {
            return;
        }
        let last = self.view.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.scroll_to_selection();
    }

    pub fn select_row(&mut self, row: usize) {
        self.selected = row.min(self.view.len().saturating_sub(1));
        self.scroll_to_selection();
    }

    /// How many rows the table shows at the current terminal size.
    pub fn page_rows(&self) -> usize {
        super::layout::table_rows_with_details(self.terminal_size, self.show_details).max(1)
    }

    pub fn set_terminal_size(&mut self, width: u16, height: u16) {
        self.terminal_size = (width, height);
        if !super::layout::too_small(self.terminal_size) {
            self.ignored_keys = false;
        }
        self.scroll_to_selection();
    }

    /// Keeps the selected row inside the window of shown rows, and the window
    /// as full as the list allows.
    pub fn scroll_to_selection(&mut self) {
        let rows = self.page_rows();
        if self.selected < self.scroll {
            self.scroll = self.selected;
        } else if self.selected >= self.scroll + rows {
            self.scroll = self.selected + 1 - rows;
        }
        self.scroll = self.scroll.min(self.view.len().saturating_sub(rows));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::columns::UNUSED_AFTER;
    use time::Duration;

    #[test]
    fn the_clean_up_count_follows_the_clock_minute_by_minute() {
        use crate::tui::testing::{NOW, OFFSET, record};
        let created = NOW - UNUSED_AFTER + Duration::seconds(30);
        let mut app = App::new(OFFSET, NOW);
        app.set_records(1, vec![record(1, "fresh", created, None)]);
        assert_eq!(app.unused_count, 0);
        app.set_now(NOW + Duration::seconds(59));
        assert_eq!(
            app.unused_count, 0,
            "due since +30 s, but the count waits for the minute to change"
        );
        app.set_now(NOW + Duration::minutes(1));
        assert_eq!(
            app.unused_count, 1,
            "a minute later the key is over 7 days old and unused"
        );
    }
}
