//! A key press as the app sees it, and how it is written on screen. Apart
//! from the [events](super::event) that carry it, because the key tables
//! ([`super::keymap`]) bind keys without needing the rest of what flows
//! through the TUI, some of which is the app's own state.

use std::borrow::Cow;

/// A key press, already stripped of what the app does not distinguish.
/// Shifted letters arrive as their uppercase character (`S`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    /// A letter with Ctrl held, always lowercase: `Ctrl('c')`.
    Ctrl(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

impl Key {
    /// How the key is written in hints and in the help overlay.
    pub fn label(self) -> Cow<'static, str> {
        // Arrows are words of the screen like the messages, and ASCII with
        // them where the terminal shows nothing else.
        let ascii = crate::i18n::ascii();
        Cow::Borrowed(match self {
            Key::Char(' ') => "Space",
            Key::Char(c) => return Cow::Owned(c.to_string()),
            Key::Ctrl(c) => return Cow::Owned(format!("Ctrl-{}", c.to_ascii_uppercase())),
            Key::F(n) => return Cow::Owned(format!("F{n}")),
            Key::Enter => "Enter",
            Key::Esc => "Esc",
            Key::Tab => "Tab",
            Key::BackTab => "Shift-Tab",
            Key::Backspace => "Backspace",
            Key::Delete => "Delete",
            Key::Up if ascii => "Up",
            Key::Down if ascii => "Down",
            Key::Left if ascii => "Left",
            Key::Right if ascii => "Right",
            Key::Up => "↑",
            Key::Down => "↓",
            Key::Left => "←",
            Key::Right => "→",
            Key::Home => "Home",
            Key::End => "End",
            Key::PageUp => "PgUp",
            Key::PageDown => "PgDn",
        })
    }

    /// Two keys that do opposite things, as one label: `↑↓`, or `Up/Down`
    /// where the arrows are words.
    pub fn pair_label(self, other: Key) -> String {
        let (a, b) = (self.label(), other.label());
        let arrows = a.chars().count() == 1 && b.chars().count() == 1;
        if arrows { format!("{a}{b}") } else { format!("{a}/{b}") }
    }
}
