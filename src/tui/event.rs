//! What flows through the TUI: [`Event`]s in (keys, pastes, ticks, results of
//! side effects) and [`Command`]s out (side effects for the event loop to run).
//! Both are plain data so the update function can be tested without a terminal.

use std::borrow::Cow;

use time::OffsetDateTime;

use crate::domain::{KeyId, KeyName, KeyRecord, KeyUsage, SecretKey, UsageQuery};

use super::copy::CopyResult;
use super::log_search::{LogPage, LogRequest};

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
}

#[derive(Debug)]
pub enum Event {
    Key(Key),
    /// Bracketed paste: the whole pasted text at once.
    Paste(String),
    /// A click or the wheel, over what the last frame drew there.
    Mouse(super::mouse::Mouse),
    Resize {
        width: u16,
        height: u16,
    },
    /// About once a second, with the current time (for clean-up marks and
    /// status expiry).
    Tick {
        now: OffsetDateTime,
    },
    /// The store's contents, read afresh.
    Loaded {
        change_counter: u64,
        records: Vec<KeyRecord>,
    },
    LoadFailed(String),
    Created(Result<(SecretKey, KeyRecord), String>),
    Renamed(Result<KeyRecord, String>),
    Deleted(Result<KeyRecord, String>),
    /// A lifecycle change (disable, enable, expiry) was made, or failed.
    Changed(Change, Result<KeyRecord, String>),
    Rotated(Result<(SecretKey, KeyRecord), String>),
    Copied {
        secret: bool,
        result: CopyResult,
    },
    /// Something to tell the user that no command asked for (e.g. the copy
    /// handler cleared the clipboard).
    Notice(String),
    /// A page of the audit log the log screen asked for, for its search
    /// numbered `search`.
    LogPage {
        search: u64,
        page: Result<LogPage, String>,
    },
    /// Usage counts of every key in the query's window, read after records.
    UsageLoaded(UsageQuery, Result<Vec<(KeyId, KeyUsage)>, String>),
    /// A clean-up's bulk change (one transaction), or why it failed.
    Bulk(Bulk, Result<Vec<KeyRecord>, String>),
}

/// The clean-up view's bulk changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bulk {
    Disable,
    Delete,
}

/// The lifecycle changes that answer with the changed record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Disabled,
    Enabled,
    ExpirySet,
}

/// A side effect requested by the update function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    CreateKey {
        name: KeyName,
        expires_at: Option<OffsetDateTime>,
    },
    Disable {
        id: KeyId,
    },
    Enable {
        id: KeyId,
    },
    Rotate {
        id: KeyId,
        grace: time::Duration,
    },
    SetExpiry {
        id: KeyId,
        expires_at: Option<OffsetDateTime>,
    },
    Rename {
        id: KeyId,
        name: KeyName,
    },
    Delete {
        id: KeyId,
    },
    /// Disable or delete many keys in one transaction (the clean-up view).
    Bulk {
        bulk: Bulk,
        ids: Vec<KeyId>,
    },
    /// Read the store again (after a change made here).
    Reload,
    /// Read a page of the audit log for the log screen.
    LoadLog(LogRequest),
    /// Copy the secret shown in the secret dialog.
    CopySecret,
    /// Copy a non-secret text, e.g. a key ID.
    CopyText(String),
    /// Clear the screen and redraw from scratch, so no copy of a closed
    /// secret stays in the terminal's or the renderer's buffers.
    ClearScreen,
    /// Hand the terminal back and stop the process (Ctrl-Z), until continued.
    Suspend,
    Quit,
}
