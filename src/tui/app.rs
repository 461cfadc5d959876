//! The TUI's state. Records are kept as loaded; what the table shows is a
//! view index (positions into `records`), sorted and filtered without cloning
//! or allocating per record.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use time::{OffsetDateTime, UtcOffset};

use crate::display::columns::{Column, Flag};
use crate::domain::usage::{is_unused, last_activity, never_used};
use crate::domain::{AuditEntry, KeyId, KeyName, KeyRecord, KeyUsage, NameError, SecretKey, UsageQuery};

use super::copy::CopyResult;
use super::input::TextInput;
use super::keymap::{Action, Screen};
use super::lifecycle_fields::{DEFAULT_GRACE, ExpiryField};
use super::log_search::{LogPage, LogRequest, entry_matches};
use super::name_field::NameField;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortColumn {
    Name,
    Id,
    Created,
    LastUsed,
    /// Accepted uses in the last 30 days.
    Uses,
}

impl SortColumn {
    pub fn next(self) -> Self {
        match self {
            SortColumn::Created => SortColumn::LastUsed,
            SortColumn::LastUsed => SortColumn::Uses,
            SortColumn::Uses => SortColumn::Name,
            SortColumn::Name => SortColumn::Id,
            SortColumn::Id => SortColumn::Created,
        }
    }

    /// The direction a column is first sorted in: names A→Z, times newest first.
    pub fn natural_descending(self) -> bool {
        matches!(self, SortColumn::Created | SortColumn::LastUsed | SortColumn::Uses)
    }

    /// The table column it sorts (uses are in the details pane, not a column).
    pub fn column(self) -> Option<Column> {
        match self {
            SortColumn::Name => Some(Column::Name),
            SortColumn::Id => Some(Column::Id),
            SortColumn::Created => Some(Column::CreatedAt),
            SortColumn::LastUsed => Some(Column::LastUsed),
            SortColumn::Uses => None,
        }
    }

    pub fn label(self) -> String {
        self.column().map_or_else(|| tr!("tui-sort-uses"), Column::title)
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuItem {
    EditName,
    ToggleDisabled,
    Rotate,
    SetExpiry,
    Delete,
    CopyId,
    History,
}

impl MenuItem {
    pub const ALL: [MenuItem; 7] = [
        MenuItem::EditName,
        MenuItem::ToggleDisabled,
        MenuItem::Rotate,
        MenuItem::SetExpiry,
        MenuItem::Delete,
        MenuItem::CopyId,
        MenuItem::History,
    ];

    /// The item's label for `record` ("Disable" or "Enable" as it stands).
    pub fn label(self, record: &KeyRecord) -> String {
        match self {
            MenuItem::EditName => tr!("dialog-actions-edit-name"),
            MenuItem::ToggleDisabled if record.disabled_at.is_some() => tr!("dialog-actions-enable"),
            MenuItem::ToggleDisabled => tr!("dialog-actions-disable"),
            MenuItem::Rotate => tr!("dialog-actions-rotate"),
            MenuItem::SetExpiry => tr!("dialog-actions-set-expiry"),
            MenuItem::Delete => tr!("dialog-actions-delete"),
            MenuItem::CopyId => tr!("dialog-actions-copy-id"),
            MenuItem::History => tr!("dialog-actions-history"),
        }
    }

    /// The action that runs the item directly; its key, shown beside the
    /// item, comes from the actions menu's key table.
    pub fn action(self) -> Action {
        match self {
            MenuItem::EditName => Action::EditName,
            MenuItem::ToggleDisabled => Action::ToggleDisabled,
            MenuItem::Rotate => Action::Rotate,
            MenuItem::SetExpiry => Action::SetExpiry,
            MenuItem::Delete => Action::DeleteKey,
            MenuItem::CopyId => Action::CopyId,
            MenuItem::History => Action::History,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ActionsMenu {
    pub record: KeyRecord,
    pub selected: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateFocus {
    Name,
    Agreement,
    /// The expiry choice (←/→).
    Expiry,
    /// The expiry's date input, when "On a date" is chosen.
    Date,
    Ok,
    Cancel,
}

impl CreateFocus {
    /// The expiry comes after the agreement, so "name, Tab, Space, Enter"
    /// still makes a key (that never expires), as before there was a choice.
    const ORDER: [CreateFocus; 6] = [
        CreateFocus::Name,
        CreateFocus::Agreement,
        CreateFocus::Expiry,
        CreateFocus::Date,
        CreateFocus::Ok,
        CreateFocus::Cancel,
    ];

    /// The next stop; the date input is one only when `date` is in use.
    pub fn next(self, date: bool) -> Self {
        self.step(1, date)
    }

    pub fn prev(self, date: bool) -> Self {
        self.step(Self::ORDER.len() - 1, date)
    }

    fn step(self, by: usize, date: bool) -> Self {
        let i = Self::ORDER.iter().position(|&f| f == self).unwrap_or(0);
        let next = Self::ORDER[(i + by) % Self::ORDER.len()];
        if next == CreateFocus::Date && !date {
            next.step(by, date)
        } else {
            next
        }
    }
}

#[derive(Debug, Clone)]
pub struct CreateDialog {
    pub name: NameField,
    pub expiry: ExpiryField,
    pub agreed: bool,
    pub focus: CreateFocus,
    /// Why the last OK was refused, or why creating failed.
    pub error: Option<String>,
}

impl Default for CreateDialog {
    fn default() -> Self {
        CreateDialog {
            name: NameField::new(),
            expiry: ExpiryField::default(),
            agreed: false,
            focus: CreateFocus::Name,
            error: None,
        }
    }
}

impl CreateDialog {
    pub fn validation(&self) -> Result<KeyName, NameError> {
        self.name.validation()
    }
}

#[derive(Debug)]
pub struct SecretDialog {
    /// Zeroised when the dialog is dropped.
    pub secret: SecretKey,
    pub record: KeyRecord,
    /// A rotation's new secret, rather than a new key's.
    pub rotated: bool,
    /// What the last copy attempt reported, shown in full in the dialog: a
    /// copy through the terminal cannot be confirmed, so its caveat must be
    /// readable where the user is looking.
    pub copy_result: Option<CopyResult>,
    pub confirm_close: bool,
}

impl SecretDialog {
    pub fn new(secret: SecretKey, record: KeyRecord) -> Self {
        SecretDialog {
            secret,
            record,
            rotated: false,
            copy_result: None,
            confirm_close: false,
        }
    }

    /// The new secret of a rotated key.
    pub fn rotated(secret: SecretKey, record: KeyRecord) -> Self {
        SecretDialog {
            rotated: true,
            ..SecretDialog::new(secret, record)
        }
    }

    /// Whether a copy went out; closing asks first when it did not.
    pub fn copied(&self) -> bool {
        self.copy_result.as_ref().is_some_and(CopyResult::is_copied)
    }
}

#[derive(Debug, Clone)]
pub struct RenameDialog {
    pub record: KeyRecord,
    pub name: NameField,
    pub error: Option<String>,
}

impl RenameDialog {
    pub fn new(record: KeyRecord) -> Self {
        RenameDialog {
            name: NameField::renaming(&record.name),
            record,
            error: None,
        }
    }

    pub fn validation(&self) -> Result<KeyName, NameError> {
        self.name.validation()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteFocus {
    Cancel,
    /// "Disable instead", offered while the key is enabled.
    Disable,
    Delete,
}

#[derive(Debug, Clone)]
pub struct DeleteDialog {
    pub record: KeyRecord,
    pub focus: DeleteFocus,
}

impl DeleteDialog {
    /// The buttons, left to right: "Disable instead" only for an enabled key.
    pub fn buttons(&self) -> &'static [DeleteFocus] {
        if self.record.disabled_at.is_some() {
            &[DeleteFocus::Cancel, DeleteFocus::Delete]
        } else {
            &[DeleteFocus::Cancel, DeleteFocus::Disable, DeleteFocus::Delete]
        }
    }

    /// Moves the focus by `delta` buttons, wrapping.
    pub fn step(&mut self, delta: isize) {
        let buttons = self.buttons();
        let i = buttons.iter().position(|&b| b == self.focus).unwrap_or(0);
        let next = (i as isize + delta).rem_euclid(buttons.len() as isize) as usize;
        self.focus = buttons[next];
    }
}

/// Rotating a key: the grace period for its old secret, and whether the
/// dialog is asking before it ends a grace already running.
#[derive(Debug, Clone)]
pub struct RotateDialog {
    pub record: KeyRecord,
    /// Index into [`super::lifecycle_fields::GRACES`].
    pub grace: usize,
    pub confirm: bool,
}

impl RotateDialog {
    pub fn new(record: KeyRecord) -> Self {
        RotateDialog {
            record,
            grace: DEFAULT_GRACE,
            confirm: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryFocus {
    Choice,
    Date,
}

/// Setting a key's expiry.
#[derive(Debug, Clone)]
pub struct ExpiryDialog {
    pub record: KeyRecord,
    pub field: ExpiryField,
    pub focus: ExpiryFocus,
    pub error: Option<String>,
}

impl ExpiryDialog {
    pub fn new(record: KeyRecord) -> Self {
        ExpiryDialog {
            record,
            field: ExpiryField::default(),
            focus: ExpiryFocus::Choice,
            error: None,
        }
    }
}

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
    /// The candidates, least recently active first.
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
    /// `i` flips the details pane: shown beside the table on a wide terminal
    /// unless flipped, shown below it on a small one only when flipped.
    pub details_flipped: bool,
    pub status: Option<Status>,
    /// A standing note (e.g. "local offset unknown, showing UTC"), shown when
    /// there is no status message.
    pub note: Option<String>,
    pub utc_offset: UtcOffset,
    pub now: OffsetDateTime,
    pub unused_count: usize,
    pub idle_count: usize,
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
            details_flipped: false,
            status: None,
            note: None,
            utc_offset,
            now,
            unused_count: 0,
            idle_count: 0,
            pending_select: None,
            working: false,
            unreachable: false,
            clipboard_clears_in: None,
            mouse: false,
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
            (None, None) if self.cleanup.is_some() => match self.cleanup.as_ref().and_then(|c| c.confirm.as_ref()) {
                Some(CleanupConfirm::Disable) => Screen::CleanupDisable,
                Some(CleanupConfirm::Delete { .. }) => Screen::CleanupDelete,
                None => Screen::Cleanup,
            },
            (None, None) if self.log.as_ref().is_some_and(|l| l.filtering) => Screen::LogFilter,
            (None, None) if self.log.is_some() => Screen::Log,
            (None, None) if self.filtering => Screen::Filter,
            (None, None) => Screen::Main,
        }
    }

    /// The table's rows, as positions into `records`.
    pub fn view(&self) -> &[usize] {
        &self.view
    }

    pub fn visible_record(&self, row: usize) -> Option<&KeyRecord> {
        self.view.get(row).map(|&i| &self.records[i])
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
        if self.sort == SortColumn::Uses {
            let keep = self.selected_record().map(|r| r.id.clone());
            self.resort();
            self.select_id_or_clamp(keep.as_ref());
        }
    }

    /// Accepted uses of `record` in the usage window (0 before it is read).
    pub fn uses_of(&self, id: &KeyId) -> u64 {
        self.usage.get(id).map_or(0, |u| u64::from(u.total().accepted))
    }

    fn recount_uses(&mut self) {
        self.uses = self.records.iter().map(|r| self.uses_of(&r.id)).collect();
    }

    /// Recomputes the clean-up view's rows (after new records, or another
    /// "unused for"), keeping the selection and the marks on keys still shown.
    pub fn refresh_cleanup(&mut self) {
        let Some(cleanup) = &mut self.cleanup else {
            return;
        };
        let keep = cleanup.rows.get(cleanup.selected).cloned();
        let mut found: Vec<&KeyRecord> = self.records.iter().filter(|r| cleanup.wants(r, self.now)).collect();
        found.sort_by(|a, b| last_activity(a).cmp(&last_activity(b)).then_with(|| a.id.cmp(&b.id)));
        cleanup.rows = found.into_iter().map(|r| r.id.clone()).collect();
        let rows: HashSet<&KeyId> = cleanup.rows.iter().collect();
        cleanup.marked.retain(|id| rows.contains(id));
        cleanup.selected = keep
            .and_then(|id| cleanup.rows.iter().position(|r| *r == id))
            .unwrap_or(cleanup.selected)
            .min(cleanup.rows.len().saturating_sub(1));
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

    fn resort(&mut self) {
        let (records, uses) = (&self.records, &self.uses);
        self.sorted.clear();
        self.sorted.extend(0..records.len());
        let (column, descending) = (self.sort, self.descending);
        self.sorted.sort_unstable_by(|&a, &b| {
            let (ra, rb) = (&records[a], &records[b]);
            let primary = match column {
                SortColumn::Name => cmp_names(&ra.name, &rb.name),
                SortColumn::Id => ra.id.cmp(&rb.id),
                SortColumn::Created => ra.created_at.cmp(&rb.created_at),
                SortColumn::LastUsed => ra.last_used.cmp(&rb.last_used),
                SortColumn::Uses => uses.get(a).cmp(&uses.get(b)),
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
        super::layout::table_rows_with_details(self.terminal_size, self.details_flipped).max(1)
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
