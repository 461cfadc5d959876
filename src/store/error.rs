//! Store errors, worded for the person at the terminal: each says what went
//! wrong, with which file, and what to do. None carries a secret.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use super::redb_file::DecodeError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database {} is busy: another keydesk process held it for over {:.1} s; try again", path.display(), waited.as_secs_f32())]
    Busy { path: PathBuf, waited: Duration },

    #[error("{} is not a keydesk database (not a redb file); it was left untouched", path.display())]
    NotADatabase { path: PathBuf },

    #[error("{} is a redb database of another program, not keydesk; it was left untouched", path.display())]
    ForeignDatabase { path: PathBuf },

    #[error("{} was written by a newer keydesk (schema {found}; this build reads up to {supported}); upgrade keydesk — the file was left untouched", path.display())]
    NewerSchema { path: PathBuf, found: u64, supported: u64 },

    #[error("the database {} needs an upgrade (schema {found} to {current}): run keydesk once with write access to it; nothing was changed", path.display())]
    NeedsUpgrade { path: PathBuf, found: u64, current: u64 },

    #[error("no database at {}: check the path (keydesk creates one only when you create a key or start the TUI)", path.display())]
    Missing { path: PathBuf },

    #[error("{} is {kind}, not a database file: choose a regular file with --db or KEYDESK_DB", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },

    #[error("{} is an empty file, not a keydesk database (keydesk never leaves one empty); it was left untouched: remove it, or choose another path", path.display())]
    EmptyFile { path: PathBuf },

    #[error("refusing to use {}: {reason}", path.display())]
    Insecure { path: PathBuf, reason: String },

    #[error("no key with ID {id}")]
    NotFound { id: String },

    /// A lifecycle change the key's state does not allow (enabling or
    /// rotating an expired key, an expiry in the past). Nothing was written.
    #[error("{reason}")]
    Refused { reason: String },

    #[error("the database {} is damaged: {detail}", path.display())]
    Corrupt { path: PathBuf, detail: String },

    #[error("cannot use {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },

    #[error("database error on {}: {source}", path.display())]
    Database { path: PathBuf, source: Box<redb::Error> },

    /// A PostgreSQL server that cannot be reached now (down, the network,
    /// connection refused or timed out): worth trying again later.
    #[error("cannot reach the PostgreSQL server {location}: {detail}")]
    Unreachable { location: String, detail: String },

    /// An error the PostgreSQL server reported (permissions, constraints).
    #[error("PostgreSQL error on {location}: {detail}")]
    Server { location: String, detail: String },

    /// A PostgreSQL database without keydesk's tables, opened by something
    /// that must not create them.
    #[error(
        "the PostgreSQL database {location} has no keydesk tables: create a key there first (`keydesk create`, as a role that may create tables), or check --db"
    )]
    NotInitialised { location: String },

    #[error(
        "the PostgreSQL database {location} was set up by a newer keydesk (schema {found}; this build knows up to {supported}); upgrade keydesk — nothing was changed"
    )]
    NewerServerSchema {
        location: String,
        found: u64,
        supported: u64,
    },

    #[error("cannot find a home directory to keep the database in; pass --db PATH or set KEYDESK_DB")]
    NoDataDir,
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }

    /// Classifies any redb error: corruption and I/O get their own variants so
    /// callers (and exit codes) can tell a damaged file from a full disk.
    pub(crate) fn from_redb(path: impl Into<PathBuf>, error: impl Into<redb::Error>) -> Self {
        let path = path.into();
        match error.into() {
            redb::Error::Corrupted(detail) => StoreError::Corrupt { path, detail },
            redb::Error::Io(source) => StoreError::Io { path, source },
            redb::Error::PreviousIo => StoreError::Io {
                path,
                source: std::io::Error::other(
                    "an earlier write failed (disk full or I/O error); nothing further was written",
                ),
            },
            other => StoreError::Database {
                path,
                source: Box::new(other),
            },
        }
    }

    pub(crate) fn decode(path: impl Into<PathBuf>, error: DecodeError) -> Self {
        StoreError::Corrupt {
            path: path.into(),
            detail: error.to_string(),
        }
    }
}
