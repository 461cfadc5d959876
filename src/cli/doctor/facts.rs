//! What doctor found out, as plain data: gathered in `gather` (the only
//! part that touches files, servers, tmux and the environment) and judged
//! by the `judge_*` modules, which are pure functions of these values and so
//! are tested without any of those.

use std::path::PathBuf;
use std::time::Duration;

use crate::StoreError;
use crate::clipboard::{ClipboardMode, Environment};
use crate::config::{ConfigError, Setting, UnknownKey};
use crate::domain::{ChainBreak, ChainReport};
use crate::hardening::Untrusted;
use crate::store::SchemaPeek;

pub struct Facts {
    pub config: ConfigFacts,
    pub database: DatabaseFacts,
    pub audit: AuditFacts,
    pub surroundings: Surroundings,
}

/// A file as `stat` sees it (a symlink followed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    /// What it is when not a regular file, in words (`a directory`).
    pub not_a_file: Option<String>,
    pub len: u64,
    /// Permission bits.
    pub mode: u32,
    /// Why keydesk would not trust it (another owner, others may write).
    pub untrusted: Option<Untrusted>,
}

pub struct ConfigFacts {
    pub path: PathBuf,
    /// Named by `--config` or `KEYDESK_CONFIG` (so it must exist).
    pub explicit: bool,
    /// `None`: nothing there. `Err`: `stat` failed, in words.
    pub file: Result<Option<FileMeta>, String>,
    /// What reading and parsing it as keydesk does found wrong.
    pub problem: Option<ConfigError>,
    /// Every key keydesk does not know (parsing names only the first).
    pub unknown_keys: Vec<UnknownKey>,
}

pub enum DatabaseFacts {
    File(FileFacts),
    #[cfg(feature = "postgres")]
    Postgres(PgFacts),
    /// The settings name no database keydesk can use (a libpq string, a URL
    /// without PostgreSQL support, no data folder), in words.
    Unusable(String),
}

pub struct FileFacts {
    pub path: PathBuf,
    /// Where the path came from (`KEYDESK_DB`, the config file, the default).
    pub named: bool,
    /// `None`: nothing there. `Err`: `stat` failed, in words.
    pub file: Result<Option<FileMeta>, String>,
    /// Bytes free to this user on the file system holding it (or holding
    /// the folder it would be made in).
    pub free_bytes: Option<u64>,
    /// The schema, read without changing the file; `None` when not looked
    /// at (no regular file there).
    pub schema: Option<Result<SchemaPeek, StoreError>>,
    /// How long commands wait for a held file (the peek waited as long).
    pub busy_timeout: Duration,
}

#[cfg(feature = "postgres")]
pub struct PgFacts {
    pub location: String,
    pub inspected: Result<keydesk_postgres::Inspection, PgProblem>,
}

#[cfg(feature = "postgres")]
pub enum PgProblem {
    /// Before connecting: the password file, a password on the command line.
    Setup(String),
    Store(StoreError),
}

pub enum AuditFacts {
    /// The chain was walked, seals checked with the key file when present.
    Checked(ChainWalk),
    /// The audit key file is there but cannot be used, in words.
    KeyFileUnusable(String),
    /// Opening or walking failed, in words.
    Failed(String),
    NotChecked(Unchecked),
}

/// What walking the chain found (a store's [`ChainReport`], which only
/// stores make, as doctor needs it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainWalk {
    pub entries: u64,
    pub broken: Option<ChainBreak>,
    /// The first entry sealed with the audit key.
    pub keyed_from: Option<u64>,
    pub seals_checked: bool,
    /// The key file the seals were checked with (or would have been).
    pub key_file: PathBuf,
}

impl ChainWalk {
    pub fn new(report: ChainReport, key_file: PathBuf) -> ChainWalk {
        ChainWalk {
            entries: report.entries,
            broken: report.broken,
            keyed_from: report.keyed_from,
            seals_checked: report.seals_checked,
            key_file,
        }
    }
}

/// Why the audit chain was not walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unchecked {
    /// There is no database (yet), or none keydesk can open.
    NoDatabase,
    /// The database findings say why it could not be opened as it is.
    DatabaseUnready,
    /// A verifier's login may not read the log.
    NotPermitted,
}

/// The place keydesk runs in.
pub struct Surroundings {
    pub clipboard: Setting<ClipboardMode>,
    pub environment: Environment,
    /// tmux's own options, asked of tmux when inside it: `set-clipboard`
    /// and `mouse`; `Err` in words when tmux did not answer.
    pub tmux: Option<Result<TmuxOptions, String>>,
    pub stdin_terminal: bool,
    /// Standard output or standard error is a terminal (the TUI draws on
    /// the one doctor's piped output leaves).
    pub stdout_terminal: bool,
    /// The locale variable that decides the character set, its value, and
    /// whether that is UTF-8.
    pub locale: Option<Locale>,
    pub colorterm: Option<String>,
    pub color: Setting<bool>,
    pub mouse: Setting<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TmuxOptions {
    pub set_clipboard: String,
    pub mouse: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locale {
    pub variable: &'static str,
    pub value: String,
    pub utf8: bool,
}
