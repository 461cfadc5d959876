//! What flows through the TUI: [`Event`]s in (keys, pastes, ticks, results of
//! side effects), brought to the event loop as [`Wake`]-ups, and [`Command`]s
//! out (side effects for the event loop to run). All plain data, so the
//! update function can be tested without a terminal, and the threads that
//! send wake-ups (input, storage, signals) need nothing of the loop itself.

use time::OffsetDateTime;

use crate::domain::{KeyId, KeyName, KeyRecord, KeyUsage, SecretKey, UsageQuery};

use super::copy::CopyResult;
pub use super::key::Key;
use super::log_search::{LogPage, LogRequest};

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

/// What wakes the event loop. Every source (the input reader thread, the
/// storage worker, the signal thread) sends to one channel, so the loop
/// sleeps in a single receive until one of them, or its own timer, is due.
pub enum Wake {
    /// Input from the terminal.
    Input(Event),
    /// Reading the terminal failed; it is gone.
    InputFailed(std::io::Error),
    /// The mouse, placed on the last frame by the event loop.
    Mouse(super::mouse::RawMouse),
    /// A storage job finished, with what it has to report.
    Stored(Vec<Event>),
    /// Usage counts the storage worker read after a job, sent on their own
    /// (they are not a job's outcome).
    Usage(Event),
    /// A signal from outside.
    Signal(i32),
}

/// One storage operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Send the records if they changed since they were last sent (checked
    /// on the cheap change counter; the first refresh always sends them).
    /// The app's records only ever come from here, in order, so "last sent"
    /// is what the app shows: polling and reloading are the same job.
    Refresh,
    Create {
        name: KeyName,
        expires_at: Option<OffsetDateTime>,
    },
    Rename {
        id: KeyId,
        name: KeyName,
    },
    Delete(KeyId),
    Disable(KeyId),
    Enable(KeyId),
    Rotate {
        id: KeyId,
        grace: time::Duration,
    },
    SetExpiry {
        id: KeyId,
        expires_at: Option<OffsetDateTime>,
    },
    /// Replace the key's policy (one audit entry, before → after).
    SetPolicy {
        id: KeyId,
        policy: crate::domain::policy::Policy,
    },
    /// Read the next page of a log search: the entries older than its
    /// `before_seq` (of one key: through the store's key index) that match
    /// its filter.
    LogPage(LogRequest),
    /// Disable or delete many keys in one transaction.
    Bulk {
        bulk: Bulk,
        ids: Vec<KeyId>,
    },
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
    PolicySet,
}

/// A side effect requested by the update function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A store operation, for the storage worker: a change, a reload after
    /// one made here, or a page of the audit log for the log screen.
    Store(Job),
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
