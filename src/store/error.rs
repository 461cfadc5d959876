//! Store errors, worded for the person at the terminal: each says what went
//! wrong, with which file, and what to do. None carries a secret.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::redb_file::DecodeError;

/// Each message is in the current language (see [`crate::i18n`]); the
/// variables (paths, versions, the OS's or the server's own words) are shown
/// as they are. The reasons and details held as text were worded when the
/// error was made, in the language of that moment.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}", tr!("error-store-busy", path = shown(.path), seconds = format!("{:.1}", .waited.as_secs_f32())))]
    Busy { path: PathBuf, waited: Duration },

    #[error("{}", tr!("error-store-not-a-database", path = shown(.path)))]
    NotADatabase { path: PathBuf },

    #[error("{}", tr!("error-store-foreign-database", path = shown(.path)))]
    ForeignDatabase { path: PathBuf },

    #[error("{}", tr!("error-store-newer-schema", path = shown(.path), found = *.found, supported = *.supported))]
    NewerSchema { path: PathBuf, found: u64, supported: u64 },

    #[error("{}", tr!("error-store-needs-upgrade", path = shown(.path), found = *.found, current = *.current))]
    NeedsUpgrade { path: PathBuf, found: u64, current: u64 },

    #[error("{}", tr!("error-store-missing", path = shown(.path)))]
    Missing { path: PathBuf },

    /// `kind` is what the path is instead, in English ("a directory"); the
    /// message says it in the current language.
    #[error("{}", tr!("error-store-not-a-file", path = shown(.path), kind = file_kind_label(.kind)))]
    NotAFile { path: PathBuf, kind: &'static str },

    #[error("{}", tr!("error-store-empty-file", path = shown(.path)))]
    EmptyFile { path: PathBuf },

    #[error("{}", tr!("error-store-insecure", path = shown(.path), reason = .reason.as_str()))]
    Insecure { path: PathBuf, reason: String },

    #[error("{}", tr!("error-store-not-found", id = .id.as_str()))]
    NotFound { id: String },

    /// A lifecycle change the key's state does not allow (enabling or
    /// rotating an expired key, an expiry in the past). Nothing was written.
    #[error("{reason}")]
    Refused { reason: String },

    #[error("{}", tr!("error-store-corrupt", path = shown(.path), detail = .detail.as_str()))]
    Corrupt { path: PathBuf, detail: String },

    #[error("{}", tr!("error-store-io", path = shown(.path), reason = .source.to_string()))]
    Io { path: PathBuf, source: io::Error },

    #[error("{}", tr!("error-store-database", path = shown(.path), reason = .source.to_string()))]
    Database { path: PathBuf, source: Box<redb::Error> },

    /// A PostgreSQL server that cannot be reached now (down, the network,
    /// connection refused or timed out): worth trying again later.
    #[error("{}", tr!("error-pg-unreachable", location = .location.as_str(), detail = .detail.as_str()))]
    Unreachable { location: String, detail: String },

    /// An error the PostgreSQL server reported (permissions, constraints).
    #[error("{}", tr!("error-pg-server", location = .location.as_str(), detail = .detail.as_str()))]
    Server { location: String, detail: String },

    /// A PostgreSQL database without keydesk's tables, opened by something
    /// that must not create them.
    #[error("{}", tr!("error-pg-not-initialised", location = .location.as_str()))]
    NotInitialised { location: String },

    #[error("{}", tr!(
        "error-pg-newer-schema",
        location = .location.as_str(),
        found = *.found,
        supported = *.supported,
    ))]
    NewerServerSchema {
        location: String,
        found: u64,
        supported: u64,
    },

    #[error("{}", tr!("error-store-no-data-dir"))]
    NoDataDir,
}

/// A path as messages show it.
fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// What [`StoreError::NotAFile`]'s `kind` is called in the current language.
fn file_kind_label(kind: &str) -> String {
    super::redb_file::file_kind_label(kind)
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
                source: std::io::Error::other(tr!("error-store-previous-io")),
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
