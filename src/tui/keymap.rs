//! Every key binding, as data: one table per screen. Dispatch, the status-bar
//! hints and the help overlay are all generated from these tables, so what the
//! app does, what the bar says and what `?` shows can never drift apart.

use std::borrow::Cow;

use super::event::Key;

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
    /// Choosing when a key expires.
    Expiry,
    /// The audit log.
    Log,
    /// The audit log while its filter is being typed.
    LogFilter,
    /// The clean-up view: unused keys, to mark and disable or delete.
    Cleanup,
    /// The clean-up view asking before it disables the marked keys.
    CleanupDisable,
    /// The clean-up view asking for the number of keys before deleting them.
    CleanupDelete,
    Help,
}

impl Screen {
    pub fn title(self) -> &'static str {
        match self {
            Screen::Main => "Key list",
            Screen::Filter => "Filter",
            Screen::Actions => "Actions menu",
            Screen::Create => "Create key",
            Screen::Agreement => "Agreement",
            Screen::Secret => "New key",
            Screen::SecretConfirm => "Close without copying?",
            Screen::Rename => "Edit name",
            Screen::Delete => "Delete key",
            Screen::Rotate => "Rotate key",
            Screen::RotateConfirm => "End the running grace?",
            Screen::Expiry => "Set expiry",
            Screen::Log => "Audit log",
            Screen::LogFilter => "Audit log filter",
            Screen::Cleanup => "Clean up",
            Screen::CleanupDisable => "Disable the marked keys?",
            Screen::CleanupDelete => "Delete the marked keys?",
            Screen::Help => "Help",
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
            Screen::Expiry => EXPIRY,
            Screen::Log => LOG,
            Screen::LogFilter => LOG_FILTER,
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
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub hint: Option<&'static str>,
    pub help: &'static str,
}

const fn bind(keys: &'static [Key], action: Action, hint: Option<&'static str>, help: &'static str) -> Binding {
    Binding {
        keys,
        action,
        hint,
        help,
    }
}

use Action as A;
use Key as K;

/// Bindings that work on every screen. Checked first.
pub const GLOBAL: &[Binding] = &[
    bind(&[K::Ctrl('c')], A::Quit, None, "quit keydesk (from anywhere)"),
    bind(&[K::F(1)], A::Help, None, "help for the current screen"),
    bind(
        &[K::Ctrl('z')],
        A::Suspend,
        None,
        "suspend keydesk (back to the shell; fg resumes)",
    ),
];

const MAIN: &[Binding] = &[
    bind(&[K::Up, K::Char('k')], A::MoveUp, None, "move up"),
    bind(&[K::Down, K::Char('j')], A::MoveDown, None, "move down"),
    bind(&[K::PageUp], A::PageUp, None, "one page up"),
    bind(&[K::PageDown], A::PageDown, None, "one page down"),
    bind(&[K::Home, K::Char('g')], A::Top, None, "first key"),
    bind(&[K::End, K::Char('G')], A::Bottom, None, "last key"),
    bind(&[K::Char('n')], A::NewKey, Some("new"), "create a new key"),
    bind(
        &[K::Enter, K::Char('.')],
        A::OpenActions,
        Some("actions"),
        "actions for the selected key (those below, and copy ID)",
    ),
    bind(
        &[K::Char('e')],
        A::EditName,
        Some("edit"),
        "edit the selected key's name",
    ),
    bind(
        &[K::Char('d'), K::Delete],
        A::DeleteKey,
        Some("delete"),
        "delete the selected key",
    ),
    bind(
        &[K::Char('t')],
        A::ToggleDisabled,
        None,
        "disable the selected key, or enable it again",
    ),
    bind(
        &[K::Char('r')],
        A::Rotate,
        None,
        "rotate: a new secret; the old one works for a grace period",
    ),
    bind(&[K::Char('x')], A::SetExpiry, None, "set when the selected key expires"),
    bind(
        &[K::Char('/')],
        A::StartFilter,
        Some("filter"),
        "filter by name or ID as you type",
    ),
    bind(&[K::Esc], A::ClearFilter, None, "clear the filter"),
    bind(&[K::Char('s')], A::SortNext, Some("sort"), "sort by the next column"),
    bind(&[K::Char('S')], A::SortReverse, None, "reverse the sort order"),
    bind(
        &[K::Char('L')],
        A::OpenLog,
        None,
        "the audit log: who changed which key, when, from where",
    ),
    bind(
        &[K::Char('i')],
        A::ToggleDetails,
        None,
        "show or hide the selected key's details and usage",
    ),
    bind(
        &[K::Char('C')],
        A::OpenCleanup,
        None,
        "clean up: unused keys, to disable or delete together",
    ),
    bind(&[K::Char('?')], A::Help, Some("help"), "show this help"),
    bind(&[K::Char('q')], A::Quit, Some("quit"), "quit"),
];

/// Line editing, shared by every screen with a text input (see
/// [`Screen::bindings`]).
const TEXT_EDITING: [Binding; 7] = [
    bind(&[K::Left], A::CursorLeft, None, "move the cursor left"),
    bind(&[K::Right], A::CursorRight, None, "move the cursor right"),
    bind(&[K::Home], A::CursorHome, None, "cursor to the start"),
    bind(&[K::End], A::CursorEnd, None, "cursor to the end"),
    bind(
        &[K::Backspace],
        A::DeleteBack,
        None,
        "delete the character before the cursor",
    ),
    bind(
        &[K::Delete],
        A::DeleteForward,
        None,
        "delete the character under the cursor",
    ),
    bind(
        &[K::Ctrl('u')],
        A::ClearToStart,
        None,
        "delete everything before the cursor",
    ),
];

const FILTER: &[Binding] = &[
    bind(
        &[K::Enter],
        A::ApplyFilter,
        Some("done"),
        "keep the filter and go back to the list",
    ),
    bind(&[K::Esc], A::ClearFilter, Some("clear"), "clear the filter"),
    bind(&[K::Up], A::MoveUp, Some("move"), "move up in the matches"),
    bind(&[K::Down], A::MoveDown, None, "move down in the matches"),
    bind(&[K::PageUp], A::PageUp, None, "one page up"),
    bind(&[K::PageDown], A::PageDown, None, "one page down"),
];

const ACTIONS: &[Binding] = &[
    bind(&[K::Up, K::Char('k')], A::MoveUp, None, "previous action"),
    bind(&[K::Down, K::Char('j')], A::MoveDown, None, "next action"),
    bind(&[K::Enter], A::Activate, Some("run"), "run the chosen action"),
    bind(&[K::Char('e')], A::EditName, Some("edit"), "edit name"),
    bind(&[K::Char('t')], A::ToggleDisabled, None, "disable or enable"),
    bind(&[K::Char('r')], A::Rotate, None, "rotate (a new secret)"),
    bind(&[K::Char('x')], A::SetExpiry, None, "set expiry"),
    bind(&[K::Char('d'), K::Delete], A::DeleteKey, Some("delete"), "delete"),
    bind(&[K::Char('c')], A::CopyId, Some("copy ID"), "copy the key's ID"),
    bind(&[K::Char('h')], A::History, None, "the key's history in the audit log"),
    bind(&[K::Esc, K::Char('q')], A::Cancel, Some("close"), "close the menu"),
    bind(&[K::Char('?')], A::Help, Some("help"), "show this help"),
];

const CREATE: &[Binding] = &[
    bind(&[K::Tab], A::FocusNext, Some("next"), "next field or button"),
    bind(&[K::BackTab], A::FocusPrev, None, "previous field or button"),
    bind(
        &[K::Char(' ')],
        A::Toggle,
        Some("tick"),
        "tick or untick the agreement box (when focused)",
    ),
    bind(
        &[K::Enter],
        A::Activate,
        Some("OK"),
        "create the key (like OK); on a button, press it",
    ),
    bind(&[K::Esc], A::Cancel, Some("cancel"), "cancel"),
    bind(
        &[K::Ctrl('o')],
        A::ReadAgreement,
        Some("agreement"),
        "read the agreement",
    ),
    bind(
        &[K::Char('?')],
        A::Help,
        None,
        "show this help (when the name field is not focused)",
    ),
];

const AGREEMENT: &[Binding] = &[
    bind(&[K::Up, K::Char('k')], A::MoveUp, Some("scroll"), "scroll up"),
    bind(&[K::Down, K::Char('j')], A::MoveDown, None, "scroll down"),
    bind(&[K::PageUp], A::PageUp, None, "one page up"),
    bind(&[K::PageDown, K::Char(' ')], A::PageDown, None, "one page down"),
    bind(&[K::Home, K::Char('g')], A::Top, None, "top"),
    bind(&[K::End, K::Char('G')], A::Bottom, None, "bottom"),
    bind(
        &[K::Esc, K::Enter, K::Char('q')],
        A::Close,
        Some("back"),
        "back to the create dialog",
    ),
    bind(&[K::Char('?')], A::Help, None, "show this help"),
];

const SECRET: &[Binding] = &[
    bind(&[K::Char('c')], A::Copy, Some("copy"), "copy the key"),
    bind(
        &[K::Enter, K::Esc],
        A::Close,
        Some("close"),
        "close (asks first if the key was not copied)",
    ),
    bind(&[K::Char('?')], A::Help, None, "show this help"),
];

const SECRET_CONFIRM: &[Binding] = &[
    bind(
        &[K::Char('y')],
        A::Yes,
        Some("close without copying"),
        "close; the key cannot be shown again",
    ),
    bind(&[K::Char('n'), K::Esc], A::No, Some("go back"), "go back to the key"),
    bind(&[K::Char('c')], A::Copy, Some("copy"), "copy the key"),
];

const RENAME: &[Binding] = &[
    bind(&[K::Enter], A::Activate, Some("save"), "save the new name"),
    bind(&[K::Esc], A::Cancel, Some("cancel"), "cancel"),
];

const DELETE: &[Binding] = &[
    bind(&[K::Char('y')], A::Yes, Some("delete"), "delete the key"),
    bind(&[K::Char('n'), K::Esc], A::No, Some("keep"), "keep the key (cancel)"),
    bind(
        &[K::Char('i')],
        A::DisableInstead,
        Some("disable instead"),
        "disable the key instead: it stops verifying, and can be enabled again",
    ),
    bind(&[K::Tab, K::Right], A::FocusNext, Some("switch"), "next button"),
    bind(&[K::BackTab, K::Left], A::FocusPrev, None, "previous button"),
    bind(
        &[K::Enter],
        A::Activate,
        Some("press"),
        "press the focused button (Cancel unless you moved)",
    ),
    bind(&[K::Char('?')], A::Help, None, "show this help"),
];

const ROTATE: &[Binding] = &[
    bind(
        &[K::Left],
        A::ChoosePrev,
        Some("shorter"),
        "a shorter grace period for the old secret",
    ),
    bind(&[K::Right], A::ChooseNext, Some("longer"), "a longer grace period"),
    bind(&[K::Enter], A::Activate, Some("rotate"), "rotate: make the new secret"),
    bind(&[K::Esc], A::Cancel, Some("cancel"), "cancel"),
    bind(&[K::Char('?')], A::Help, None, "show this help"),
];

const ROTATE_CONFIRM: &[Binding] = &[
    bind(
        &[K::Char('y')],
        A::Yes,
        Some("rotate anyway"),
        "rotate; the older previous secret stops working now",
    ),
    bind(&[K::Char('n'), K::Esc], A::No, Some("go back"), "go back (nothing changes)"),
];

const EXPIRY: &[Binding] = &[
    bind(&[K::Tab], A::FocusNext, Some("next"), "to the date field and back"),
    bind(&[K::BackTab], A::FocusPrev, None, "to the date field and back"),
    bind(&[K::Enter], A::Activate, Some("save"), "save the expiry"),
    bind(&[K::Esc], A::Cancel, Some("cancel"), "cancel"),
    bind(
        &[K::Char('?')],
        A::Help,
        None,
        "show this help (when the date field is not focused)",
    ),
];

const LOG: &[Binding] = &[
    bind(&[K::Up, K::Char('k')], A::MoveUp, Some("move"), "previous entry (newer)"),
    bind(&[K::Down, K::Char('j')], A::MoveDown, None, "next entry (older)"),
    bind(&[K::PageUp], A::PageUp, None, "one page up"),
    bind(&[K::PageDown], A::PageDown, None, "one page down"),
    bind(&[K::Home, K::Char('g')], A::Top, None, "newest entry"),
    bind(&[K::End, K::Char('G')], A::Bottom, None, "oldest entry loaded (again: the next page)"),
    bind(
        &[K::Char('/')],
        A::StartFilter,
        Some("filter"),
        "filter by name, ID, action or who, as you type",
    ),
    bind(&[K::Esc, K::Char('q')], A::Close, Some("back"), "back to the key list"),
    bind(&[K::Char('?')], A::Help, Some("help"), "show this help"),
];

const LOG_FILTER: &[Binding] = &[
    bind(&[K::Enter], A::ApplyFilter, Some("done"), "keep the filter"),
    bind(&[K::Esc], A::ClearFilter, Some("clear"), "clear the filter"),
    bind(&[K::Up], A::MoveUp, Some("move"), "move up in the matches"),
    bind(&[K::Down], A::MoveDown, None, "move down in the matches"),
    bind(&[K::PageUp], A::PageUp, None, "one page up"),
    bind(&[K::PageDown], A::PageDown, None, "one page down"),
];

const CLEANUP: &[Binding] = &[
    bind(&[K::Up, K::Char('k')], A::MoveUp, None, "move up"),
    bind(&[K::Down, K::Char('j')], A::MoveDown, None, "move down"),
    bind(&[K::PageUp], A::PageUp, None, "one page up"),
    bind(&[K::PageDown], A::PageDown, None, "one page down"),
    bind(&[K::Home, K::Char('g')], A::Top, None, "first key"),
    bind(&[K::End, K::Char('G')], A::Bottom, None, "last key"),
    bind(&[K::Char(' ')], A::Toggle, Some("mark"), "mark or unmark the selected key"),
    bind(&[K::Char('a')], A::MarkAll, Some("all"), "mark every key shown, or unmark all"),
    bind(
        &[K::Left],
        A::ChoosePrev,
        Some("days"),
        "unused for fewer days (30, 90, 180)",
    ),
    bind(&[K::Right], A::ChooseNext, None, "unused for more days (30, 90, 180)"),
    bind(
        &[K::Enter, K::Char('t')],
        A::Activate,
        Some("disable"),
        "disable the marked keys (reversible), after asking",
    ),
    bind(
        &[K::Char('d'), K::Delete],
        A::DeleteKey,
        Some("delete"),
        "delete the marked keys, after you type how many",
    ),
    bind(&[K::Esc, K::Char('q')], A::Close, Some("back"), "back to the key list"),
    bind(&[K::Char('?')], A::Help, Some("help"), "show this help"),
];

const CLEANUP_DISABLE: &[Binding] = &[
    bind(&[K::Char('y'), K::Enter], A::Yes, Some("disable"), "disable the marked keys"),
    bind(&[K::Char('n'), K::Esc], A::No, Some("go back"), "go back (nothing changes)"),
];

const CLEANUP_DELETE: &[Binding] = &[
    bind(
        &[K::Enter],
        A::Activate,
        Some("delete"),
        "delete the marked keys, if the number typed is how many are marked",
    ),
    bind(&[K::Esc], A::Cancel, Some("go back"), "go back (nothing changes)"),
];

const HELP: &[Binding] = &[
    bind(&[K::Up, K::Char('k')], A::MoveUp, Some("scroll"), "scroll up"),
    bind(&[K::Down, K::Char('j')], A::MoveDown, None, "scroll down"),
    bind(&[K::PageUp], A::PageUp, None, "one page up"),
    bind(&[K::PageDown], A::PageDown, None, "one page down"),
    bind(
        &[K::Esc, K::Char('?'), K::Char('q'), K::Enter],
        A::Close,
        Some("close"),
        "close the help",
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
/// bar shows the first, a dialog may show all), the hint text, and the action.
pub struct Hint {
    pub keys: &'static [Key],
    pub text: &'static str,
    pub action: Action,
}

impl Hint {
    /// The first key's label: what the status bar shows.
    pub fn key(&self) -> Cow<'static, str> {
        self.keys[0].label()
    }

    /// Every key's label, `Enter/Esc`.
    pub fn all_keys(&self) -> String {
        join_labels(self.keys, "/")
    }
}

/// The hints of `screen`, in table order.
pub fn hints(screen: Screen) -> impl Iterator<Item = Hint> {
    screen.bindings().filter_map(|b| {
        b.hint.map(|text| Hint {
            keys: b.keys,
            text,
            action: b.action,
        })
    })
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
        text: "help",
        action: Action::Help,
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
    (Screen::Actions, Action::History),
    // The expiry choice's "←/→ change", in the create and expiry dialogs.
    (Screen::Create, Action::CursorLeft),
    (Screen::Create, Action::CursorRight),
    (Screen::Expiry, Action::CursorLeft),
    (Screen::Expiry, Action::CursorRight),
    // The rotate dialog's question "Rotate anyway? (y/n)".
    (Screen::RotateConfirm, Action::Yes),
    (Screen::RotateConfirm, Action::No),
    // A disabled key's status: "t enables it again".
    (Screen::Main, Action::ToggleDisabled),
];

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
pub fn help_lines(screen: Screen) -> impl Iterator<Item = (String, &'static str)> {
    screen
        .bindings()
        .chain(GLOBAL)
        .map(|b| (join_labels(b.keys, " "), b.help))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Screen; 18] = [
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
        Screen::Expiry,
        Screen::Log,
        Screen::LogFilter,
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
        for action in [A::ToggleDisabled, A::Rotate, A::SetExpiry] {
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
        let main: Vec<_> = hints(Screen::Main).map(|h| format!("{} {}", h.key(), h.text)).collect();
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
            named.push((hint.key().into_owned(), hint.action, "status-bar hint"));
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
