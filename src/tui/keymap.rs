//! Every key binding, as data: one table per screen. Dispatch, the status-bar
//! hints and the help overlay are all generated from these tables, so what the
//! app does, what the bar says and what `?` shows can never drift apart.

use std::borrow::Cow;

use super::key::Key;
use crate::domain::KeyStatus;
use crate::i18n::Msg;

/// Where keyboard input goes, i.e. which table applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    Main,
    /// Main view while the filter is being typed.
    Filter,
    Actions,
    Create,
    Agreement,
    Secret,
    /// Secret dialog asking "Close without copying? (y/n)".
    SecretConfirm,
    Rename,
    Delete,
    /// Choosing the grace period of a rotation.
    Rotate,
    /// Rotate dialog asking before it ends a grace already running.
    RotateConfirm,
    /// Asking before disabling a key used in the last few days.
    DisableConfirm,
    /// Choosing when a key expires.
    Expiry,
    /// Viewing and editing a key's policy.
    Policy,
    /// The audit log.
    Log,
    /// The audit log while its filter is being typed.
    LogFilter,
    /// One audit log entry shown whole.
    LogEntry,
    /// The clean-up view: unused keys, to mark and disable or delete.
    Cleanup,
    /// The clean-up view asking before it disables the marked keys.
    CleanupDisable,
    /// The clean-up view asking for the number of keys before deleting them.
    CleanupDelete,
    Help,
}

impl Screen {
    /// The screen's name in the current language, for the help overlay.
    pub fn title(self) -> String {
        match self {
            Screen::Main => tr!("tui-screen-key-list"),
            Screen::Filter => tr!("tui-screen-filter"),
            Screen::Actions => tr!("tui-screen-actions"),
            Screen::Create => tr!("tui-screen-create"),
            Screen::Agreement => tr!("tui-screen-agreement"),
            Screen::Secret => tr!("tui-screen-secret"),
            Screen::SecretConfirm => tr!("tui-screen-secret-confirm"),
            Screen::Rename => tr!("tui-screen-rename"),
            Screen::Delete => tr!("tui-screen-delete"),
            Screen::Rotate => tr!("tui-screen-rotate"),
            Screen::RotateConfirm => tr!("tui-screen-rotate-confirm"),
            Screen::DisableConfirm => tr!("tui-screen-disable-confirm"),
            Screen::Expiry => tr!("tui-screen-expiry"),
            Screen::Policy => tr!("tui-screen-policy"),
            Screen::Log => tr!("tui-screen-log"),
            Screen::LogFilter => tr!("tui-screen-log-filter"),
            Screen::LogEntry => tr!("tui-screen-log-entry"),
            Screen::Cleanup => tr!("tui-screen-cleanup"),
            Screen::CleanupDisable => tr!("tui-screen-cleanup-disable"),
            Screen::CleanupDelete => tr!("tui-screen-cleanup-delete"),
            Screen::Help => tr!("tui-screen-help"),
        }
    }

    /// Whether printable characters go into a text input on this screen (when
    /// that input has focus) before the table is consulted.
    pub fn has_text_input(self) -> bool {
        matches!(
            self,
            Screen::Filter
                | Screen::Create
                | Screen::Rename
                | Screen::Expiry
                | Screen::Policy
                | Screen::LogFilter
                | Screen::CleanupDelete
        )
    }

    /// Every binding of this screen: its own table, then, on a screen with a
    /// text input, the shared text-editing keys.
    pub fn bindings(self) -> impl Iterator<Item = &'static Binding> {
        let editing: &[Binding] = if self.has_text_input() { &TEXT_EDITING } else { &[] };
        self.own_bindings().iter().chain(editing)
    }

    fn own_bindings(self) -> &'static [Binding] {
        match self {
            Screen::Main => MAIN,
            Screen::Filter => FILTER,
            Screen::Actions => ACTIONS,
            Screen::Create => CREATE,
            Screen::Agreement => AGREEMENT,
            Screen::Secret => SECRET,
            Screen::SecretConfirm => SECRET_CONFIRM,
            Screen::Rename => RENAME,
            Screen::Delete => DELETE,
            Screen::Rotate => ROTATE,
            Screen::RotateConfirm => ROTATE_CONFIRM,
            Screen::DisableConfirm => DISABLE_CONFIRM,
            Screen::Expiry => EXPIRY,
            Screen::Policy => POLICY,
            Screen::Log => LOG,
            Screen::LogFilter => LOG_FILTER,
            Screen::LogEntry => LOG_ENTRY,
            Screen::Cleanup => CLEANUP,
            Screen::CleanupDisable => CLEANUP_DISABLE,
            Screen::CleanupDelete => CLEANUP_DELETE,
            Screen::Help => HELP,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Suspend,
    Help,
    // Lists and scrolling views.
    MoveUp,
    MoveDown,
    PageUp,
    PageDown,
    Top,
    Bottom,
    // Main view.
    NewKey,
    OpenActions,
    EditName,
    DeleteKey,
    CopyId,
    /// Disable the key, or enable a disabled one.
    ToggleDisabled,
    Rotate,
    SetExpiry,
    /// View and edit the key's policy.
    EditPolicy,
    StartFilter,
    ClearFilter,
    ApplyFilter,
    SortNext,
    SortReverse,
    /// The audit log, of every key.
    OpenLog,
    /// The audit log of the selected key.
    History,
    /// Show or hide the selected key's details and usage.
    ToggleDetails,
    /// The clean-up view.
    OpenCleanup,
    /// Mark or unmark every key shown (clean-up view).
    MarkAll,
    /// The clean-up view by 30-day spend, or back to the unused keys.
    BySpend,
    // Dialogs.
    FocusNext,
    FocusPrev,
    Toggle,
    Activate,
    Cancel,
    Close,
    ReadAgreement,
    Copy,
    Yes,
    No,
    DisableInstead,
    ChoosePrev,
    ChooseNext,
    // Text editing.
    CursorLeft,
    CursorRight,
    CursorHome,
    CursorEnd,
    DeleteBack,
    DeleteForward,
    ClearToStart,
}

/// One row of a table: the keys, what they do, a short hint for the status
/// bar (if the binding is worth one) and the line shown in the help overlay.
/// A hint marked [`Binding::extra`] is shown only where the bar has room
/// after every other hint; [`Binding::when`] says when its hint applies.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub hint: Option<Msg>,
    pub help: Msg,
    /// Whether the hint comes after the others (a wide bar's extras).
    pub extra: bool,
    /// When the hint applies to what the app shows now (a key selected,
    /// …); the help overlay lists the binding whatever this says.
    pub applies: Applies,
}

/// When a binding's hint applies: data, so the key tables need not know
/// the app's state (the app says what it shows, in a [`Shown`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    Always,
    /// A key is selected: what acts on one can.
    KeySelected,
    /// An audit log entry is selected: it can be opened.
    LogEntrySelected,
    /// The clean-up view lists unused keys (not keys by spend): the days
    /// can be chosen.
    UnusedKeysShown,
}

/// What the screen shows now, as far as the hints care (made by
/// `App::shown`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shown {
    pub key_selected: bool,
    pub log_entry_selected: bool,
    pub unused_keys_shown: bool,
}

impl Applies {
    fn holds(self, shown: Shown) -> bool {
        match self {
            Applies::Always => true,
            Applies::KeySelected => shown.key_selected,
            Applies::LogEntrySelected => shown.log_entry_selected,
            Applies::UnusedKeysShown => shown.unused_keys_shown,
        }
    }
}

const fn bind(keys: &'static [Key], action: Action, hint: Option<Msg>, help: Msg) -> Binding {
    Binding {
        keys,
        action,
        hint,
        help,
        extra: false,
        applies: Applies::Always,
    }
}

impl Binding {
    /// The hint is shown only when the bar has room after the others.
    const fn extra(mut self) -> Binding {
        self.extra = true;
        self
    }

    /// The hint is shown only while `applies` holds.
    const fn when(mut self, applies: Applies) -> Binding {
        self.applies = applies;
        self
    }
}

use Action as A;
use Key as K;

/// Bindings that work on every screen. Checked first.
pub const GLOBAL: &[Binding] = &[
    bind(&[K::Ctrl('c')], A::Quit, None, Msg("tui-help-quit-anywhere")),
    bind(&[K::F(1)], A::Help, None, Msg("tui-help-help-screen")),
    bind(&[K::Ctrl('z')], A::Suspend, None, Msg("tui-help-suspend")),
];

const MAIN: &[Binding] = &[
    bind(&[K::Up, K::Char('k')], A::MoveUp, None, Msg("tui-help-move-up")),
    bind(&[K::Down, K::Char('j')], A::MoveDown, None, Msg("tui-help-move-down")),
    bind(&[K::PageUp], A::PageUp, None, Msg("tui-help-page-up")),
    bind(&[K::PageDown], A::PageDown, None, Msg("tui-help-page-down")),
    bind(&[K::Home, K::Char('g')], A::Top, None, Msg("tui-help-first-key")),
    bind(&[K::End, K::Char('G')], A::Bottom, None, Msg("tui-help-last-key")),
    bind(
        &[K::Char('n')],
        A::NewKey,
        Some(Msg("tui-hint-new")),
        Msg("tui-help-new-key"),
    ),
    bind(
        &[K::Enter, K::Char('.')],
        A::OpenActions,
        Some(Msg("tui-hint-actions")),
        Msg("tui-help-open-actions"),
    )
    .when(Applies::KeySelected),
    bind(
        &[K::Char('e')],
        A::EditName,
        Some(Msg("tui-hint-edit")),
        Msg("tui-help-edit-selected"),
    )
    .when(Applies::KeySelected),
    bind(
        &[K::Char('d'), K::Delete],
        A::DeleteKey,
        Some(Msg("tui-hint-delete")),
        Msg("tui-help-delete-selected"),
    )
    .when(Applies::KeySelected),
    bind(
        &[K::Char('t')],
        A::ToggleDisabled,
        Some(Msg("tui-hint-toggle")),
        Msg("tui-help-toggle-selected"),
    )
    .extra()
    .when(Applies::KeySelected),
    bind(
        &[K::Char('r')],
        A::Rotate,
        Some(Msg("tui-hint-rotate")),
        Msg("tui-help-rotate-selected"),
    )
    .extra()
    .when(Applies::KeySelected),
    bind(
        &[K::Char('x')],
        A::SetExpiry,
        Some(Msg("tui-hint-expiry")),
        Msg("tui-help-expiry-selected"),
    )
    .extra()
    .when(Applies::KeySelected),
    bind(
        &[K::Char('c')],
        A::CopyId,
        Some(Msg("tui-hint-copy-id")),
        Msg("tui-help-copy-id"),
    )
    .extra()
    .when(Applies::KeySelected),
    bind(
        &[K::Char('/')],
        A::StartFilter,
        Some(Msg("tui-hint-filter")),
        Msg("tui-help-filter-list"),
    ),
    bind(&[K::Esc], A::ClearFilter, None, Msg("tui-help-clear-filter")),
    bind(
        &[K::Char('s')],
        A::SortNext,
        Some(Msg("tui-hint-sort")),
        Msg("tui-help-sort-next"),
    ),
    bind(&[K::Char('S')], A::SortReverse, None, Msg("tui-help-sort-reverse")),
    bind(
        &[K::Char('L')],
        A::OpenLog,
        Some(Msg("tui-hint-log")),
        Msg("tui-help-open-log"),
    )
    .extra(),
    bind(
        &[K::Char('i')],
        A::ToggleDetails,
        Some(Msg("tui-hint-details")),
        Msg("tui-help-toggle-details"),
    )
    .extra()
    .when(Applies::KeySelected),
    bind(
        &[K::Char('C')],
        A::OpenCleanup,
        Some(Msg("tui-hint-cleanup")),
        Msg("tui-help-open-cleanup"),
    )
    .extra(),
    bind(
        &[K::Char('p')],
        A::EditPolicy,
        Some(Msg("tui-hint-policy")),
        Msg("tui-help-policy-selected"),
    )
    .extra()
    .when(Applies::KeySelected),
    bind(
        &[K::Char('?')],
        A::Help,
        Some(Msg("tui-hint-help")),
        Msg("tui-help-show-help"),
    ),
    bind(
        &[K::Char('q')],
        A::Quit,
        Some(Msg("tui-hint-quit")),
        Msg("tui-help-quit"),
    ),
];

/// Line editing, shared by every screen with a text input (see
/// [`Screen::bindings`]).
const TEXT_EDITING: [Binding; 7] = [
    bind(&[K::Left], A::CursorLeft, None, Msg("tui-help-cursor-left")),
    bind(&[K::Right], A::CursorRight, None, Msg("tui-help-cursor-right")),
    bind(&[K::Home], A::CursorHome, None, Msg("tui-help-cursor-home")),
    bind(&[K::End], A::CursorEnd, None, Msg("tui-help-cursor-end")),
    bind(&[K::Backspace], A::DeleteBack, None, Msg("tui-help-delete-back")),
    bind(&[K::Delete], A::DeleteForward, None, Msg("tui-help-delete-forward")),
    bind(&[K::Ctrl('u')], A::ClearToStart, None, Msg("tui-help-clear-to-start")),
];

const FILTER: &[Binding] = &[
    bind(
        &[K::Enter],
        A::ApplyFilter,
        Some(Msg("tui-hint-done")),
        Msg("tui-help-apply-filter"),
    ),
    bind(
        &[K::Esc],
        A::ClearFilter,
        Some(Msg("tui-hint-clear")),
        Msg("tui-help-clear-filter"),
    ),
    bind(
        &[K::Up],
        A::MoveUp,
        Some(Msg("tui-hint-move")),
        Msg("tui-help-match-up"),
    ),
    bind(&[K::Down], A::MoveDown, None, Msg("tui-help-match-down")),
    bind(&[K::PageUp], A::PageUp, None, Msg("tui-help-page-up")),
    bind(&[K::PageDown], A::PageDown, None, Msg("tui-help-page-down")),
];

const ACTIONS: &[Binding] = &[
    bind(&[K::Up, K::Char('k')], A::MoveUp, None, Msg("tui-help-previous-action")),
    bind(&[K::Down, K::Char('j')], A::MoveDown, None, Msg("tui-help-next-action")),
    bind(
        &[K::Enter],
        A::Activate,
        Some(Msg("tui-hint-run")),
        Msg("tui-help-run-action"),
    ),
    bind(
        &[K::Char('e')],
        A::EditName,
        Some(Msg("tui-hint-edit")),
        Msg("tui-help-edit-name"),
    ),
    bind(&[K::Char('t')], A::ToggleDisabled, None, Msg("tui-help-toggle")),
    bind(&[K::Char('r')], A::Rotate, None, Msg("tui-help-rotate")),
    bind(&[K::Char('x')], A::SetExpiry, None, Msg("tui-help-set-expiry")),
    bind(&[K::Char('p')], A::EditPolicy, None, Msg("tui-help-edit-policy")),
    bind(
        &[K::Char('d'), K::Delete],
        A::DeleteKey,
        Some(Msg("tui-hint-delete")),
        Msg("tui-help-delete"),
    ),
    bind(
        &[K::Char('c')],
        A::CopyId,
        Some(Msg("tui-hint-copy-id")),
        Msg("tui-help-copy-id"),
    ),
    bind(&[K::Char('h')], A::History, None, Msg("tui-help-history")),
    bind(
        &[K::Esc, K::Char('q')],
        A::Cancel,
        Some(Msg("tui-hint-close")),
        Msg("tui-help-close-menu"),
    ),
    bind(
        &[K::Char('?')],
        A::Help,
        Some(Msg("tui-hint-help")),
        Msg("tui-help-show-help"),
    ),
];

const CREATE: &[Binding] = &[
    bind(
        &[K::Tab],
        A::FocusNext,
        Some(Msg("tui-hint-next")),
        Msg("tui-help-next-field"),
    ),
    bind(&[K::BackTab], A::FocusPrev, None, Msg("tui-help-previous-field")),
    // Extra: the box says what Space does when it refuses; how to read the
    // agreement is kept on a narrow bar instead.
    bind(
        &[K::Char(' ')],
        A::Toggle,
        Some(Msg("tui-hint-tick")),
        Msg("tui-help-tick-agreement"),
    )
    .extra(),
    bind(
        &[K::Enter],
        A::Activate,
        Some(Msg("tui-hint-ok")),
        Msg("tui-help-create-key"),
    ),
    bind(
        &[K::Esc],
        A::Cancel,
        Some(Msg("tui-hint-cancel")),
        Msg("tui-help-cancel"),
    ),
    bind(
        &[K::Ctrl('o')],
        A::ReadAgreement,
        Some(Msg("tui-hint-agreement")),
        Msg("tui-help-read-agreement"),
    ),
    bind(&[K::Char('?')], A::Help, None, Msg("tui-help-show-help-name-field")),
];

const AGREEMENT: &[Binding] = &[
    bind(
        &[K::Up, K::Char('k')],
        A::MoveUp,
        Some(Msg("tui-hint-scroll")),
        Msg("tui-help-scroll-up"),
    ),
    bind(&[K::Down, K::Char('j')], A::MoveDown, None, Msg("tui-help-scroll-down")),
    bind(&[K::PageUp], A::PageUp, None, Msg("tui-help-page-up")),
    bind(
        &[K::PageDown, K::Char(' ')],
        A::PageDown,
        None,
        Msg("tui-help-page-down"),
    ),
    bind(&[K::Home, K::Char('g')], A::Top, None, Msg("tui-help-top")),
    bind(&[K::End, K::Char('G')], A::Bottom, None, Msg("tui-help-bottom")),
    bind(
        &[K::Esc, K::Enter, K::Char('q')],
        A::Close,
        Some(Msg("tui-hint-back")),
        Msg("tui-help-back-to-create"),
    ),
    bind(&[K::Char('?')], A::Help, None, Msg("tui-help-show-help")),
];

const SECRET: &[Binding] = &[
    bind(
        &[K::Char('c')],
        A::Copy,
        Some(Msg("tui-hint-copy")),
        Msg("tui-help-copy-key"),
    ),
    bind(
        &[K::Enter, K::Esc],
        A::Close,
        Some(Msg("tui-hint-close")),
        Msg("tui-help-close-secret"),
    ),
    bind(&[K::Char('?')], A::Help, None, Msg("tui-help-show-help")),
];

const SECRET_CONFIRM: &[Binding] = &[
    bind(
        &[K::Char('y')],
        A::Yes,
        Some(Msg("tui-hint-close-without-copying")),
        Msg("tui-help-close-without-copying"),
    ),
    bind(
        &[K::Char('n'), K::Esc],
        A::No,
        Some(Msg("tui-hint-go-back")),
        Msg("tui-help-back-to-key"),
    ),
    bind(
        &[K::Char('c')],
        A::Copy,
        Some(Msg("tui-hint-copy")),
        Msg("tui-help-copy-key"),
    ),
];

const RENAME: &[Binding] = &[
    bind(
        &[K::Enter],
        A::Activate,
        Some(Msg("tui-hint-save")),
        Msg("tui-help-save-name"),
    ),
    bind(
        &[K::Esc],
        A::Cancel,
        Some(Msg("tui-hint-cancel")),
        Msg("tui-help-cancel"),
    ),
];

const DELETE: &[Binding] = &[
    bind(
        &[K::Char('y')],
        A::Yes,
        Some(Msg("tui-hint-delete")),
        Msg("tui-help-delete-key"),
    ),
    bind(
        &[K::Char('n'), K::Esc],
        A::No,
        Some(Msg("tui-hint-keep")),
        Msg("tui-help-keep-key"),
    ),
    bind(
        &[K::Char('i')],
        A::DisableInstead,
        Some(Msg("tui-hint-disable-instead")),
        Msg("tui-help-disable-instead"),
    ),
    bind(
        &[K::Tab, K::Right],
        A::FocusNext,
        Some(Msg("tui-hint-switch")),
        Msg("tui-help-next-button"),
    ),
    bind(
        &[K::BackTab, K::Left],
        A::FocusPrev,
        None,
        Msg("tui-help-previous-button"),
    ),
    bind(
        &[K::Enter],
        A::Activate,
        Some(Msg("tui-hint-press")),
        Msg("tui-help-press-button"),
    ),
    bind(&[K::Char('?')], A::Help, None, Msg("tui-help-show-help")),
];

const ROTATE: &[Binding] = &[
    bind(
        &[K::Left],
        A::ChoosePrev,
        Some(Msg("tui-hint-shorter")),
        Msg("tui-help-shorter-grace"),
    ),
    bind(
        &[K::Right],
        A::ChooseNext,
        Some(Msg("tui-hint-longer")),
        Msg("tui-help-longer-grace"),
    ),
    bind(
        &[K::Enter],
        A::Activate,
        Some(Msg("tui-hint-rotate")),
        Msg("tui-help-rotate-now"),
    ),
    bind(
        &[K::Esc],
        A::Cancel,
        Some(Msg("tui-hint-cancel")),
        Msg("tui-help-cancel"),
    ),
    bind(&[K::Char('?')], A::Help, None, Msg("tui-help-show-help")),
];

const ROTATE_CONFIRM: &[Binding] = &[
    bind(
        &[K::Char('y')],
        A::Yes,
        Some(Msg("tui-hint-rotate-anyway")),
        Msg("tui-help-rotate-anyway"),
    ),
    bind(
        &[K::Char('n'), K::Esc],
        A::No,
        Some(Msg("tui-hint-go-back")),
        Msg("tui-help-go-back"),
    ),
];

const EXPIRY: &[Binding] = &[
    bind(
        &[K::Tab],
        A::FocusNext,
        Some(Msg("tui-hint-next")),
        Msg("tui-help-date-field"),
    ),
    bind(&[K::BackTab], A::FocusPrev, None, Msg("tui-help-date-field")),
    bind(
        &[K::Enter],
        A::Activate,
        Some(Msg("tui-hint-save")),
        Msg("tui-help-save-expiry"),
    ),
    bind(
        &[K::Esc],
        A::Cancel,
        Some(Msg("tui-hint-cancel")),
        Msg("tui-help-cancel"),
    ),
    bind(&[K::Char('?')], A::Help, None, Msg("tui-help-show-help-date-field")),
];

const POLICY: &[Binding] = &[
    bind(
        &[K::Tab, K::Down],
        A::FocusNext,
        Some(Msg("tui-hint-next")),
        Msg("tui-help-next-rule"),
    ),
    bind(&[K::BackTab, K::Up], A::FocusPrev, None, Msg("tui-help-previous-rule")),
    bind(
        &[K::Enter],
        A::Activate,
        Some(Msg("tui-hint-save")),
        Msg("tui-help-save-policy"),
    ),
    bind(
        &[K::Esc],
        A::Cancel,
        Some(Msg("tui-hint-cancel")),
        Msg("tui-help-cancel"),
    ),
];

const LOG: &[Binding] = &[
    bind(
        &[K::Up, K::Char('k')],
        A::MoveUp,
        Some(Msg("tui-hint-move")),
        Msg("tui-help-previous-entry"),
    ),
    bind(&[K::Down, K::Char('j')], A::MoveDown, None, Msg("tui-help-next-entry")),
    bind(&[K::PageUp], A::PageUp, None, Msg("tui-help-page-up")),
    bind(&[K::PageDown], A::PageDown, None, Msg("tui-help-page-down")),
    bind(&[K::Home, K::Char('g')], A::Top, None, Msg("tui-help-newest-entry")),
    bind(&[K::End, K::Char('G')], A::Bottom, None, Msg("tui-help-oldest-entry")),
    bind(
        &[K::Enter, K::Right],
        A::Activate,
        Some(Msg("tui-hint-open")),
        Msg("tui-help-open-entry"),
    )
    .when(Applies::LogEntrySelected),
    bind(
        &[K::Char('/')],
        A::StartFilter,
        Some(Msg("tui-hint-filter")),
        Msg("tui-help-filter-log"),
    ),
    bind(
        &[K::Esc, K::Char('q')],
        A::Close,
        Some(Msg("tui-hint-back")),
        Msg("tui-help-back-to-list"),
    ),
    bind(
        &[K::Char('?')],
        A::Help,
        Some(Msg("tui-hint-help")),
        Msg("tui-help-show-help"),
    ),
];

const LOG_ENTRY: &[Binding] = &[
    bind(
        &[K::Esc, K::Enter, K::Left, K::Char('q')],
        A::Close,
        Some(Msg("tui-hint-close")),
        Msg("tui-help-close-entry"),
    ),
    bind(
        &[K::Char('?')],
        A::Help,
        Some(Msg("tui-hint-help")),
        Msg("tui-help-show-help"),
    ),
];

const LOG_FILTER: &[Binding] = &[
    bind(
        &[K::Enter],
        A::ApplyFilter,
        Some(Msg("tui-hint-done")),
        Msg("tui-help-keep-filter"),
    ),
    bind(
        &[K::Esc],
        A::ClearFilter,
        Some(Msg("tui-hint-clear")),
        Msg("tui-help-clear-filter"),
    ),
    bind(
        &[K::Up],
        A::MoveUp,
        Some(Msg("tui-hint-move")),
        Msg("tui-help-match-up"),
    ),
    bind(&[K::Down], A::MoveDown, None, Msg("tui-help-match-down")),
    bind(&[K::PageUp], A::PageUp, None, Msg("tui-help-page-up")),
    bind(&[K::PageDown], A::PageDown, None, Msg("tui-help-page-down")),
];

/// `n` is the default: Enter, like Esc, keeps the key working.
const DISABLE_CONFIRM: &[Binding] = &[
    bind(
        &[K::Char('y')],
        A::Yes,
        Some(Msg("tui-hint-disable")),
        Msg("tui-help-disable-used-key"),
    ),
    bind(
        &[K::Char('n'), K::Esc, K::Enter],
        A::No,
        Some(Msg("tui-hint-keep")),
        Msg("tui-help-keep-enabled"),
    ),
    bind(&[K::Char('?')], A::Help, None, Msg("tui-help-show-help")),
];

const CLEANUP: &[Binding] = &[
    bind(&[K::Up, K::Char('k')], A::MoveUp, None, Msg("tui-help-move-up")),
    bind(&[K::Down, K::Char('j')], A::MoveDown, None, Msg("tui-help-move-down")),
    bind(&[K::PageUp], A::PageUp, None, Msg("tui-help-page-up")),
    bind(&[K::PageDown], A::PageDown, None, Msg("tui-help-page-down")),
    bind(&[K::Home, K::Char('g')], A::Top, None, Msg("tui-help-first-key")),
    bind(&[K::End, K::Char('G')], A::Bottom, None, Msg("tui-help-last-key")),
    bind(
        &[K::Char(' ')],
        A::Toggle,
        Some(Msg("tui-hint-mark")),
        Msg("tui-help-mark"),
    ),
    bind(
        &[K::Char('a')],
        A::MarkAll,
        Some(Msg("tui-hint-all")),
        Msg("tui-help-mark-all"),
    ),
    bind(
        &[K::Left],
        A::ChoosePrev,
        Some(Msg("tui-hint-days")),
        Msg("tui-help-fewer-days"),
    )
    .when(Applies::UnusedKeysShown),
    bind(&[K::Right], A::ChooseNext, None, Msg("tui-help-more-days")),
    bind(
        &[K::Char('s')],
        A::BySpend,
        Some(Msg("tui-hint-spend")),
        Msg("tui-help-cleanup-spend"),
    ),
    bind(
        &[K::Enter, K::Char('t')],
        A::Activate,
        Some(Msg("tui-hint-disable")),
        Msg("tui-help-disable-marked-ask"),
    ),
    bind(
        &[K::Char('d'), K::Delete],
        A::DeleteKey,
        Some(Msg("tui-hint-delete")),
        Msg("tui-help-delete-marked-ask"),
    ),
    bind(
        &[K::Esc, K::Char('q')],
        A::Close,
        Some(Msg("tui-hint-back")),
        Msg("tui-help-back-to-list"),
    ),
    bind(
        &[K::Char('?')],
        A::Help,
        Some(Msg("tui-hint-help")),
        Msg("tui-help-show-help"),
    ),
];

const CLEANUP_DISABLE: &[Binding] = &[
    bind(
        &[K::Char('y'), K::Enter],
        A::Yes,
        Some(Msg("tui-hint-disable")),
        Msg("tui-help-disable-marked"),
    ),
    bind(
        &[K::Char('n'), K::Esc],
        A::No,
        Some(Msg("tui-hint-go-back")),
        Msg("tui-help-go-back"),
    ),
];

const CLEANUP_DELETE: &[Binding] = &[
    bind(
        &[K::Enter],
        A::Activate,
        Some(Msg("tui-hint-delete")),
        Msg("tui-help-delete-marked"),
    ),
    bind(
        &[K::Esc],
        A::Cancel,
        Some(Msg("tui-hint-go-back")),
        Msg("tui-help-go-back"),
    ),
];

const HELP: &[Binding] = &[
    bind(
        &[K::Up, K::Char('k')],
        A::MoveUp,
        Some(Msg("tui-hint-scroll")),
        Msg("tui-help-scroll-up"),
    ),
    bind(&[K::Down, K::Char('j')], A::MoveDown, None, Msg("tui-help-scroll-down")),
    bind(&[K::PageUp], A::PageUp, None, Msg("tui-help-page-up")),
    bind(&[K::PageDown], A::PageDown, None, Msg("tui-help-page-down")),
    bind(&[K::Home, K::Char('g')], A::Top, None, Msg("tui-help-top")),
    bind(&[K::End, K::Char('G')], A::Bottom, None, Msg("tui-help-bottom")),
    bind(
        &[K::Esc, K::Char('?'), K::Char('q'), K::Enter],
        A::Close,
        Some(Msg("tui-hint-close")),
        Msg("tui-help-close-help"),
    ),
];

/// The action bound to `key` on `screen`, global bindings first.
pub fn action_for(screen: Screen, key: Key) -> Option<Action> {
    GLOBAL
        .iter()
        .chain(screen.bindings())
        .find(|b| b.keys.contains(&key))
        .map(|b| b.action)
}

/// A hint, for the status bar or a dialog's own line of keys: the keys (the
/// bar shows the first, a dialog may show all), the hint text in the current
/// language, and the action.
pub struct Hint {
    pub keys: &'static [Key],
    pub text: String,
    pub action: Action,
    /// Shown only where room is left after the other hints.
    pub extra: bool,
    /// The first key of the opposite action (`↓` to `↑`), when that has no
    /// hint of its own: the bar shows the pair, `↑↓ move`.
    pub pair: Option<Key>,
}

impl Hint {
    /// The first key's label, with its pair's if it has one: what the status
    /// bar shows.
    pub fn key(&self) -> Cow<'static, str> {
        match self.pair {
            Some(pair) => Cow::Owned(self.keys[0].pair_label(pair)),
            None => self.keys[0].label(),
        }
    }

    /// Every key's label, `Enter/Esc`.
    pub fn all_keys(&self) -> String {
        join_labels(self.keys, "/")
    }
}

/// The hints of `screen`, in table order.
pub fn hints(screen: Screen) -> impl Iterator<Item = Hint> {
    hinted(screen).map(move |b| hint_of(screen, b))
}

/// The hints of `screen` that apply to what is `shown` now, in table order:
/// the status bar's candidates.
pub fn hints_now(screen: Screen, shown: Shown) -> impl Iterator<Item = Hint> {
    hinted(screen)
        .filter(move |b| b.applies.holds(shown))
        .map(move |b| hint_of(screen, b))
}

fn hint_of(screen: Screen, binding: &Binding) -> Hint {
    Hint {
        keys: binding.keys,
        text: binding.hint.map(|msg| msg.text()).unwrap_or_default(),
        action: binding.action,
        extra: binding.extra,
        pair: pair_key(screen, binding.action),
    }
}

/// The first key of the action opposite `action` on `screen`, if that
/// binding has no hint of its own (so one hint stands for both).
fn pair_key(screen: Screen, action: Action) -> Option<Key> {
    let opposite = match action {
        Action::MoveUp => Action::MoveDown,
        Action::ChoosePrev => Action::ChooseNext,
        Action::CursorLeft => Action::CursorRight,
        _ => return None,
    };
    screen
        .bindings()
        .find(|b| b.action == opposite && b.hint.is_none())
        .map(|b| b.keys[0])
}

/// What each hint of `screen` does, in the order of [`hints`], without
/// making their texts (for placing clicks on hints already drawn).
pub fn hint_actions(screen: Screen) -> impl Iterator<Item = Action> {
    hinted(screen).map(|b| b.action)
}

fn hinted(screen: Screen) -> impl Iterator<Item = &'static Binding> {
    screen.bindings().filter(|b| b.hint.is_some())
}

/// The status bar's hint for help on a screen whose table has none (screens
/// with a text input, where `?` is text): the global help key.
pub fn global_help_hint() -> Hint {
    let binding = GLOBAL
        .iter()
        .find(|b| b.action == Action::Help)
        .expect("help is bound globally");
    Hint {
        keys: binding.keys,
        text: Msg("tui-hint-help").text(),
        action: Action::Help,
        extra: false,
        pair: None,
    }
}

/// The keys that `action` is bound to on `screen`: the screen's own table
/// first, then the global one.
pub fn keys_for(screen: Screen, action: Action) -> Option<&'static [Key]> {
    screen
        .bindings()
        .chain(GLOBAL)
        .find(|b| b.action == action)
        .map(|b| b.keys)
}

/// Every place that names a key in its text (rather than in the generated
/// hints and help), as `(screen the text is shown on, action)`. The names come
/// from [`key_name`]; the tests check that each is bound on its screen, and
/// `key_name` checks (in debug builds) that it is asked only for these.
pub const MENTIONS: &[(Screen, Action)] = &[
    // The empty list: "press n to create one".
    (Screen::Main, Action::NewKey),
    // No match: "press Esc to clear the filter", typing or not.
    (Screen::Main, Action::ClearFilter),
    (Screen::Filter, Action::ClearFilter),
    // The create dialog's "Ctrl-O read the agreement" and its refusal
    // "Tick the agreement box first (Space toggles it)".
    (Screen::Create, Action::ReadAgreement),
    (Screen::Create, Action::Toggle),
    // "Close without copying? (y/n)".
    (Screen::SecretConfirm, Action::Yes),
    (Screen::SecretConfirm, Action::No),
    // The actions menu's shortcut column.
    (Screen::Actions, Action::EditName),
    (Screen::Actions, Action::DeleteKey),
    (Screen::Actions, Action::CopyId),
    (Screen::Actions, Action::ToggleDisabled),
    (Screen::Actions, Action::Rotate),
    (Screen::Actions, Action::SetExpiry),
    (Screen::Actions, Action::EditPolicy),
    (Screen::Actions, Action::History),
    // The expiry choice's "←/→ change", in the create and expiry dialogs.
    (Screen::Create, Action::CursorLeft),
    (Screen::Create, Action::CursorRight),
    (Screen::Expiry, Action::CursorLeft),
    (Screen::Expiry, Action::CursorRight),
    // A duplicate name's "press Enter again to create (rename) it anyway".
    (Screen::Create, Action::Activate),
    (Screen::Rename, Action::Activate),
    // The rotate dialog's question "Rotate anyway? (y/n)".
    (Screen::RotateConfirm, Action::Yes),
    (Screen::RotateConfirm, Action::No),
    // A disabled key's status: "t enables it again".
    (Screen::Main, Action::ToggleDisabled),
    // "prod-gateway was used 2m ago — disable it? (y/n)".
    (Screen::DisableConfirm, Action::Yes),
    (Screen::DisableConfirm, Action::No),
];

/// Whether a key in `status` allows `action`: the one place the actions
/// menu, the hint bar and the keys ask, so none offers what would fail. An
/// expired key is refused for good (it is never enabled again), so
/// disabling, enabling, rotating, a new expiry and new rules all mean
/// nothing for it (its rules still show in the details pane).
pub fn allowed(action: Action, status: KeyStatus) -> bool {
    let needs_live_key = matches!(
        action,
        Action::ToggleDisabled | Action::Rotate | Action::SetExpiry | Action::EditPolicy
    );
    !(needs_live_key && status == KeyStatus::Expired)
}

/// The label of the first key bound to `action` on `screen`, for text that
/// tells the user what to press there. The pair must be in [`MENTIONS`].
pub fn key_name(screen: Screen, action: Action) -> Cow<'static, str> {
    debug_assert!(
        MENTIONS.contains(&(screen, action)),
        "({screen:?}, {action:?}) is named in text but missing from keymap::MENTIONS"
    );
    match keys_for(screen, action) {
        Some(keys) => keys[0].label(),
        None => {
            debug_assert!(false, "{action:?} is named on {screen:?} but not bound there");
            Cow::Borrowed("?")
        }
    }
}

/// The label of the first global key for `action`, for text shown whatever
/// the screen (e.g. "terminal too small … Ctrl-C to quit").
pub fn global_key_name(action: Action) -> Cow<'static, str> {
    GLOBAL
        .iter()
        .find(|b| b.action == action)
        .map_or(Cow::Borrowed("?"), |b| b.keys[0].label())
}

/// The action of a global binding, if `key` is one: the only keys that work
/// when no screen is shown.
pub fn global_action(key: Key) -> Option<Action> {
    GLOBAL.iter().find(|b| b.keys.contains(&key)).map(|b| b.action)
}

fn join_labels(keys: &[Key], separator: &str) -> String {
    let labels: Vec<_> = keys.iter().map(|k| k.label()).collect();
    labels.join(separator)
}

/// The help overlay's lines for `screen`: (all key labels, help text), the
/// screen's own bindings first, then the global ones.
pub fn help_lines(screen: Screen) -> impl Iterator<Item = (String, String)> {
    screen
        .bindings()
        .chain(GLOBAL)
        .map(|b| (join_labels(b.keys, " "), b.help.text()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Screen; 21] = [
        Screen::Main,
        Screen::Filter,
        Screen::Actions,
        Screen::Create,
        Screen::Agreement,
        Screen::Secret,
        Screen::SecretConfirm,
        Screen::Rename,
        Screen::Delete,
        Screen::Rotate,
        Screen::RotateConfirm,
        Screen::DisableConfirm,
        Screen::Expiry,
        Screen::Policy,
        Screen::Log,
        Screen::LogFilter,
        Screen::LogEntry,
        Screen::Cleanup,
        Screen::CleanupDisable,
        Screen::CleanupDelete,
        Screen::Help,
    ];

    #[test]
    fn no_key_is_bound_twice_on_a_screen() {
        for screen in ALL {
            let mut seen = std::collections::HashSet::new();
            for b in GLOBAL.iter().chain(screen.bindings()) {
                for key in b.keys {
                    assert!(seen.insert(*key), "{key:?} bound twice on {screen:?}");
                }
            }
        }
    }

    #[test]
    fn the_issue_s_main_keys_are_bound() {
        let main = |k| action_for(Screen::Main, k);
        assert_eq!(main(K::Up), Some(A::MoveUp));
        assert_eq!(main(K::Char('k')), Some(A::MoveUp));
        assert_eq!(main(K::Char('j')), Some(A::MoveDown));
        assert_eq!(main(K::Char('g')), Some(A::Top));
        assert_eq!(main(K::Char('G')), Some(A::Bottom));
        assert_eq!(main(K::Enter), Some(A::OpenActions));
        assert_eq!(main(K::Char('.')), Some(A::OpenActions));
        assert_eq!(main(K::Delete), Some(A::DeleteKey));
        assert_eq!(main(K::Char('S')), Some(A::SortReverse));
        assert_eq!(main(K::Char('t')), Some(A::ToggleDisabled));
        assert_eq!(main(K::Char('r')), Some(A::Rotate));
        assert_eq!(main(K::Char('x')), Some(A::SetExpiry));
        assert_eq!(main(K::Char('p')), Some(A::EditPolicy));
        for action in [A::ToggleDisabled, A::Rotate, A::SetExpiry, A::EditPolicy] {
            assert!(keys_for(Screen::Actions, action).is_some(), "{action:?} in the menu");
        }
        for screen in ALL {
            assert_eq!(action_for(screen, K::Ctrl('c')), Some(A::Quit));
            assert!(help_lines(screen).any(|(keys, _)| keys == "Ctrl-C"));
        }
    }

    #[test]
    fn every_screen_has_hints_and_help() {
        for screen in ALL {
            assert!(hints(screen).next().is_some(), "{screen:?}");
            assert!(help_lines(screen).count() >= 2, "{screen:?}");
        }
        // The bar's first choice; the extras follow where room is left.
        let main: Vec<_> = (hints(Screen::Main).filter(|h| !h.extra))
            .map(|h| format!("{} {}", h.key(), h.text))
            .collect();
        assert_eq!(
            main,
            [
                "n new",
                "Enter actions",
                "e edit",
                "d delete",
                "/ filter",
                "s sort",
                "? help",
                "q quit"
            ]
        );
        let extras: Vec<_> = hints(Screen::Main).filter(|h| h.extra).map(|h| h.key()).collect();
        assert_eq!(extras, ["t", "r", "x", "c", "L", "i", "C", "p"]);
    }

    #[test]
    fn hints_and_help_come_in_the_language_of_the_thread_asking() {
        use crate::i18n::{Lang, with_lang};
        let texts = || {
            (hints(Screen::Main).filter(|h| !h.extra))
                .map(|h| h.text)
                .collect::<Vec<_>>()
        };
        let chinese = with_lang(Lang::ZhCn, texts);
        assert_eq!(
            chinese,
            ["创建", "操作", "编辑", "删除", "筛选", "排序", "帮助", "退出"]
        );
        // Kept per language: English after Chinese is English again.
        assert_eq!(texts()[0], "new");
        assert_eq!(with_lang(Lang::ZhCn, || global_help_hint().text), "帮助");
        assert_eq!(with_lang(Lang::ZhCn, || Screen::Log.title()), "审计日志");
        let help: Vec<_> = with_lang(Lang::ZhCn, || help_lines(Screen::Help).collect());
        assert_eq!(help[0], ("↑ k".to_owned(), "向上滚动".to_owned()));
    }

    /// The key a label names, among every key bound anywhere.
    fn key_labelled(label: &str) -> Key {
        ALL.iter()
            .flat_map(|s| s.bindings())
            .chain(GLOBAL)
            .flat_map(|b| b.keys.iter().copied())
            .find(|k| k.label() == label)
            .unwrap_or_else(|| panic!("no key is labelled {label:?}"))
    }

    /// Every key label `screen` shows, with the action the text around it
    /// promises: status-bar hints (including the added help hint), help
    /// lines, the actions menu's shortcut column and the keys named in
    /// dialog and status text (MENTIONS).
    fn named_keys(screen: Screen) -> Vec<(String, Action, &'static str)> {
        let mut named = Vec::new();
        for hint in hints(screen) {
            named.push((hint.keys[0].label().into_owned(), hint.action, "status-bar hint"));
            if let Some(pair) = hint.pair {
                let opposite = action_for(screen, pair).expect("a pair is bound");
                named.push((pair.label().into_owned(), opposite, "status-bar hint's pair"));
            }
            // A dialog's own line shows every key of the hint.
            for key in hint.keys {
                named.push((key.label().into_owned(), hint.action, "dialog hint"));
            }
        }
        if screen != Screen::Help && !hints(screen).any(|h| h.action == A::Help) {
            named.push((global_help_hint().key().into_owned(), A::Help, "status-bar help hint"));
        }
        for b in screen.bindings().chain(GLOBAL) {
            for key in b.keys {
                named.push((key.label().into_owned(), b.action, "help line"));
            }
        }
        if screen == Screen::Actions {
            for item in crate::tui::app::MenuItem::ALL {
                assert!(
                    MENTIONS.contains(&(screen, item.action())),
                    "{item:?}'s shortcut is not in MENTIONS"
                );
            }
        }
        for &(s, action) in MENTIONS.iter().filter(|(s, _)| *s == screen) {
            named.push((key_name(s, action).into_owned(), action, "dialog or status text"));
        }
        named
    }

    #[test]
    fn every_key_named_on_a_screen_is_bound_there_to_what_the_text_says() {
        for screen in ALL {
            for (label, action, place) in named_keys(screen) {
                assert_eq!(
                    action_for(screen, key_labelled(&label)),
                    Some(action),
                    "{place} on {screen:?} names {label} for {action:?}"
                );
            }
        }
    }

    #[test]
    fn arrow_pairs_keep_both_arrows_in_the_hint_bar() {
        let key_of = |screen, action| {
            hints(screen)
                .find(|h| h.action == action)
                .map(|h| h.key().into_owned())
                .unwrap_or_else(|| panic!("no hint for {action:?} on {screen:?}"))
        };
        for screen in [
            Screen::Help,
            Screen::Filter,
            Screen::Log,
            Screen::LogFilter,
            Screen::Agreement,
        ] {
            assert_eq!(key_of(screen, A::MoveUp), "↑↓", "{screen:?}");
        }
        assert_eq!(key_of(Screen::Cleanup, A::ChoosePrev), "←→");
        // Where the other arrow has a hint of its own, each keeps its own.
        assert_eq!(key_of(Screen::Rotate, A::ChoosePrev), "←");
        crate::i18n::with_ascii(true, || {
            assert_eq!(key_of(Screen::Help, A::MoveUp), "Up/Down");
            assert_eq!(key_of(Screen::Cleanup, A::ChoosePrev), "Left/Right");
        });
    }

    #[test]
    fn every_mention_is_bound_on_its_screen() {
        for &(screen, action) in MENTIONS {
            assert!(
                keys_for(screen, action).is_some(),
                "{action:?} is named on {screen:?} but not bound there"
            );
        }
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "missing from keymap::MENTIONS")]
    fn naming_a_key_that_is_not_registered_fails_in_tests() {
        key_name(Screen::Main, A::Quit);
    }
}
