//! Store errors as data: each says what went wrong, with which file or
//! server, in fields a caller can match on. None carries a secret.
//!
//! Their `Display` is plain English for library users and logs. keydesk's
//! front-ends word them in the reader's language instead (keydesk-i18n's
//! `words`), so core depends on no translation machinery.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use time::OffsetDateTime;

pub use crate::hardening::FileKind;
use crate::hardening::Untrusted;

/// Why a store could not do what it was asked.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError {
    /// Another process held the database's lock the whole time this one
    /// kept trying (`waited`); worth trying again.
    Busy {
        /// The database file.
        path: PathBuf,
        /// How long this process kept trying: at least its
        /// [`RetryPolicy`](crate::store::RetryPolicy)'s window.
        waited: Duration,
    },
    /// The file does not start like a redb file; it was left untouched.
    NotADatabase {
        /// The file.
        path: PathBuf,
    },
    /// A redb file that is not keydesk's (another program's tables); it was
    /// left untouched.
    ForeignDatabase {
        /// The file.
        path: PathBuf,
    },
    /// Written by a newer keydesk; left untouched.
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// The file's schema version.
        found: u64,
        /// The newest schema version this build reads.
        supported: u64,
    },
    /// An older schema that this store could not upgrade (it may not write
    /// the file); nothing was changed.
    NeedsUpgrade {
        /// The database file.
        path: PathBuf,
        /// The file's schema version.
        found: u64,
        /// The schema version this build writes.
        current: u64,
    },
    /// No database at the path, and this store may not create one.
    Missing {
        /// Where the database was looked for.
        path: PathBuf,
    },
    /// The path is something other than a regular file.
    NotAFile {
        /// The path (a symlink's target is what was checked).
        path: PathBuf,
        /// What is there instead.
        kind: FileKind,
    },
    /// A 0-byte file, which keydesk never leaves behind.
    EmptyFile {
        /// The file; it was left untouched.
        path: PathBuf,
    },
    /// Another user owns the file, or others may write it.
    Insecure {
        /// The database file.
        path: PathBuf,
        /// Which of the two, with the owner or the permission bits.
        reason: Untrusted,
    },
    /// No key has the ID the call named; nothing was written.
    NotFound {
        /// The ID asked for.
        id: String,
    },
    /// A change the key's state (or the store's) does not allow. Nothing
    /// was written.
    Refused {
        /// What was refused, and why.
        reason: Refused,
    },
    /// The database is damaged.
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What is damaged.
        detail: Damage,
    },
    /// The operating system's error using the file.
    Io {
        /// The file, or the directory being made for it.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// An earlier write to the file failed (disk full, I/O error); the
    /// database engine refuses further writes.
    EarlierWriteFailed {
        /// The database file.
        path: PathBuf,
    },
    /// Any other error of the database engine, in its own words.
    Database {
        /// The database file.
        path: PathBuf,
        /// The engine's message.
        detail: String,
    },
    /// The CA certificates file for PostgreSQL TLS cannot be used.
    RootCertificates {
        /// The file `PGSSLROOTCERT` names.
        path: PathBuf,
        /// Why it cannot be used.
        problem: CertificateProblem,
    },
    /// A PostgreSQL server that cannot be reached now (down, the network,
    /// connection refused or timed out): worth trying again later.
    Unreachable {
        /// The server's URL as [`designation::shown`](crate::store::designation::shown)
        /// shows it: never with its password.
        location: String,
        /// Why it was not reached.
        detail: Unreached,
    },
    /// An error the PostgreSQL server reported (permissions, constraints),
    /// or a PostgreSQL URL or record that cannot be used.
    Server {
        /// The server's URL as [`designation::shown`](crate::store::designation::shown)
        /// shows it: never with its password.
        location: String,
        /// What went wrong.
        detail: ServerProblem,
    },
    /// A PostgreSQL database without keydesk's tables, opened by something
    /// that must not create them.
    NotInitialised {
        /// The database's URL, shown without its password.
        location: String,
    },
    /// A PostgreSQL database whose tables a newer keydesk set up; nothing
    /// was changed.
    NewerServerSchema {
        /// The database's URL, shown without its password.
        location: String,
        /// The database's schema version.
        found: u64,
        /// The newest schema version this build knows.
        supported: u64,
    },
    /// There is no home directory to keep the default database in.
    NoDataDir,
    /// The audit log is sealed with a key (entry `seq`, its last, is keyed)
    /// and this store was given none. Nothing was written: an unkeyed entry
    /// after a keyed one is what a forger would write.
    AuditKeyMissing {
        /// The database: a file's path, or a PostgreSQL URL shown without
        /// its password.
        location: String,
        /// The number of the log's last entry, which is keyed.
        seq: u64,
    },
    /// The audit log's last entry, `seq`, is keyed, but not with this
    /// store's key (another key, or the entry was changed). Nothing was
    /// written.
    AuditKeyMismatch {
        /// The database: a file's path, or a PostgreSQL URL shown without
        /// its password.
        location: String,
        /// The number of the log's last entry, which this key does not verify.
        seq: u64,
    },
}

/// A lifecycle change refused, and why. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refused {
    /// Key `id` expired at `at`; expiry is final.
    Expired {
        /// The key's ID.
        id: String,
        /// When it expired.
        at: OffsetDateTime,
        /// The change that was refused.
        change: Change,
    },
    /// An expiry `at` that is not after `now`; `id` is `None` for a key
    /// being created.
    PastExpiry {
        /// The key's ID; `None` for a key being created.
        id: Option<String>,
        /// The expiry asked for.
        at: OffsetDateTime,
        /// The store's clock when it refused.
        now: OffsetDateTime,
    },
    /// A rotation asked to keep the old secret for a negative grace period.
    NegativeGrace,
    /// A rotation's grace period whose end is past the latest date a time
    /// can represent.
    GraceTooLong,
    /// An import into a PostgreSQL database whose audit log (of `count`
    /// entries) is not the beginning of the file's.
    ForeignAuditLog {
        /// How many entries the PostgreSQL database's audit log holds.
        count: u64,
    },
}

/// What an expired key cannot have done to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// Setting or removing its expiry.
    NewExpiry,
    /// Enabling it again.
    Enable,
    /// Rotating its secret.
    Rotate,
}

/// What is damaged in a database.
#[derive(Debug)]
#[non_exhaustive]
pub enum Damage {
    /// What the database engine found, in its own words.
    Engine(String),
    /// A record or audit entry that does not decode.
    Record(DecodeError),
    /// The engine failed on the file's structure (`reason`: its words, when
    /// it gave any); only a backup helps.
    Structure {
        /// The engine's words, when it gave any.
        reason: Option<String>,
    },
}

/// A stored record or audit entry that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// A key record with no bytes at all, not even its format version.
    Empty {
        /// The key's ID.
        id: String,
    },
    /// A key record in a format version this build does not know.
    UnknownVersion {
        /// The key's ID.
        id: String,
        /// The format version found.
        version: u8,
    },
    /// A key record or audit entry whose contents do not decode.
    Malformed {
        /// Which item.
        record: StoredItem,
        /// What is wrong with it.
        reason: Malformation,
    },
}

/// Which stored item: a key's record, or an audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoredItem {
    /// The record of the key with this ID.
    Key(String),
    /// The audit entry with this number (`seq`).
    AuditEntry(u64),
}

/// What is wrong with a stored item.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformation {
    /// The decoder's own words.
    Encoding(String),
    /// A time that cannot be one (the time library's words).
    Timestamp(String),
    /// An audit entry that does not decode: it changed since it was written.
    Changed,
    /// The key index of the audit log disagrees with the log.
    IndexDisagrees,
    /// A key's stored policy does not parse (what is wrong with it).
    Policy(crate::domain::PolicyError),
}

/// Why a PostgreSQL server cannot be reached.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unreached {
    /// The client's own words (refused, no route, a TLS failure).
    Client(String),
    /// Connecting (TCP, TLS and login) did not finish within this: the
    /// URL's `connect_timeout`, or the default.
    ConnectTimedOut(Duration),
    /// A call got no answer within this long; the connection was closed,
    /// and the next call makes a new one.
    CallTimedOut(Duration),
    /// The connection was closed (by the server, or after a call timed out).
    Closed,
}

/// A PostgreSQL error that is not about reaching the server.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerProblem {
    /// What the server said, and its SQLSTATE code.
    Said {
        /// The server's message.
        message: String,
        /// Its SQLSTATE code (`42501`: the role lacks a privilege).
        code: String,
    },
    /// The URL cannot be used.
    InvalidUrl(UrlProblem),
    /// A stored key record that cannot be read.
    RecordDamaged {
        /// The key's ID.
        id: String,
        /// What is wrong with the record.
        problem: RecordProblem,
    },
    /// An audit entry that does not decode: it changed since it was written.
    AuditEntryChanged {
        /// The entry's number.
        seq: u64,
    },
}

/// Why a PostgreSQL URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlProblem {
    /// Its parts cannot be told apart (an unencoded `@` in the password).
    Ambiguous,
    /// The client's parser's words (which name the part, never the value).
    Parser(String),
}

/// What is wrong with a PostgreSQL key record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordProblem {
    /// A stored time (seconds since 1970) that no date can have.
    TimeOutOfRange,
    /// A stored hash that is not 32 bytes long.
    BadHash,
    /// A stored policy that does not parse (what is wrong with it).
    BadPolicy(crate::domain::PolicyError),
}

/// Why the CA certificates file (`PGSSLROOTCERT`) cannot be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum CertificateProblem {
    /// The file cannot be read (the operating system's error).
    Unreadable(io::Error),
    /// The file is not valid PEM.
    NotPem,
    /// The file holds no PEM certificate (`-----BEGIN CERTIFICATE-----`).
    NoCertificate,
    /// rustls's words about the certificate.
    Unusable(String),
}

impl StoreError {
    /// The operating system's `source` error using `path`, as [`StoreError::Io`].
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
            redb::Error::Corrupted(detail) => StoreError::Corrupt {
                path,
                detail: Damage::Engine(detail),
            },
            redb::Error::Io(source) => StoreError::Io { path, source },
            redb::Error::PreviousIo => StoreError::EarlierWriteFailed { path },
            other => StoreError::Database {
                path,
                detail: other.to_string(),
            },
        }
    }

    /// Why a store may not write to a keyed audit log.
    pub(crate) fn audit_key(location: String, problem: super::chain::KeyProblem) -> Self {
        use super::chain::KeyProblem;
        match problem {
            KeyProblem::Missing(seq) => StoreError::AuditKeyMissing { location, seq },
            KeyProblem::Mismatch(seq) => StoreError::AuditKeyMismatch { location, seq },
        }
    }

    /// A record or audit entry of the file at `path` that does not decode.
    pub(crate) fn decode(path: impl Into<PathBuf>, error: DecodeError) -> Self {
        StoreError::Corrupt {
            path: path.into(),
            detail: Damage::Record(error),
        }
    }
}

/// A path as messages show it (through [`super::designation`], so that
/// a URL taken for a path never shows its password).
fn shown(path: &Path) -> String {
    super::designation::shown(&path.display().to_string())
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use StoreError as E;
        match self {
            E::Busy { path, waited } => write!(
                f,
                "the database {} is busy: another keydesk process held it for over {:.1} s; try again",
                shown(path),
                waited.as_secs_f32()
            ),
            E::NotADatabase { path } => write!(
                f,
                "{} is not a keydesk database (not a redb file); it was left untouched",
                shown(path)
            ),
            E::ForeignDatabase { path } => write!(
                f,
                "{} is a redb database of another program, not keydesk; it was left untouched",
                shown(path)
            ),
            E::NewerSchema { path, found, supported } => write!(
                f,
                "{} was written by a newer keydesk (schema {found}; this build reads up to {supported}); \
                 upgrade keydesk — the file was left untouched",
                shown(path)
            ),
            E::NeedsUpgrade { path, found, current } => write!(
                f,
                "the database {} needs an upgrade (schema {found} to {current}): run keydesk once with write \
                 access to it; nothing was changed",
                shown(path)
            ),
            E::Missing { path } => write!(
                f,
                "no database at {}: check the path (keydesk creates one only when you create a key or start the TUI)",
                shown(path)
            ),
            E::NotAFile { path, kind } => write!(
                f,
                "{} is {kind}, not a database file: choose a regular file with --db or KEYDESK_DB",
                shown(path)
            ),
            E::EmptyFile { path } => write!(
                f,
                "{} is an empty file, not a keydesk database (keydesk never leaves one empty); it was left \
                 untouched: remove it, or choose another path",
                shown(path)
            ),
            E::Insecure { path, reason } => write!(f, "refusing to use {}: {reason}", shown(path)),
            E::NotFound { id } => write!(f, "no key with ID {id}"),
            E::Refused { reason } => write!(f, "{reason}"),
            E::Corrupt { path, detail } => write!(f, "the database {} is damaged: {detail}", shown(path)),
            E::Io { path, source } => write!(f, "cannot use {}: {source}", shown(path)),
            E::EarlierWriteFailed { path } => write!(
                f,
                "cannot use {}: an earlier write failed (disk full or I/O error); nothing further was written",
                shown(path)
            ),
            E::Database { path, detail } => write!(f, "database error on {}: {detail}", shown(path)),
            E::RootCertificates { path, problem } => write!(
                f,
                "cannot use {}: PGSSLROOTCERT (the CA certificates for PostgreSQL TLS): {problem}",
                shown(path)
            ),
            E::Unreachable { location, detail } => {
                write!(f, "cannot reach the PostgreSQL server {location}: {detail}")
            }
            E::Server { location, detail } => write!(f, "PostgreSQL error on {location}: {detail}"),
            E::NotInitialised { location } => write!(
                f,
                "the PostgreSQL database {location} has no keydesk tables: create a key there first (`keydesk \
                 create`, as a role that may create tables), or check --db"
            ),
            E::NewerServerSchema {
                location,
                found,
                supported,
            } => write!(
                f,
                "the PostgreSQL database {location} was set up by a newer keydesk (schema {found}; this build \
                 knows up to {supported}); upgrade keydesk — nothing was changed"
            ),
            E::NoDataDir => {
                f.write_str("cannot find a home directory to keep the database in; pass --db PATH or set KEYDESK_DB")
            }
            E::AuditKeyMissing { location, seq } => write!(
                f,
                "the audit log of {location} is sealed with an audit key (entry {seq} is), and this program has \
                 none, so nothing was written: every program that changes this database needs the same key file \
                 (keydesk: `audit_key_file` in `keydesk config show`)"
            ),
            E::AuditKeyMismatch { location, seq } => write!(
                f,
                "entry {seq} of the audit log of {location} is not sealed with this program's audit key, so \
                 nothing was written: the hosts that change this database must share one key file (keydesk: \
                 `audit_key_file` in `keydesk config show`), or the entry was changed (run `keydesk log --check`)"
            ),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A time as refusals show it: RFC 3339.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::Expired { id, at, change } => {
                let at = rfc3339(*at);
                match change {
                    Change::NewExpiry => write!(
                        f,
                        "key {id} expired at {at} and cannot be given a new expiry: delete it, or create a new key"
                    ),
                    Change::Enable => write!(
                        f,
                        "key {id} expired at {at} and cannot be enabled again: delete it, or create a new key"
                    ),
                    Change::Rotate => write!(f, "key {id} expired at {at} and cannot be rotated: create a new key"),
                }
            }
            Refused::PastExpiry { id, at, now } => {
                let (at, now) = (rfc3339(*at), rfc3339(*now));
                match id {
                    Some(id) => write!(
                        f,
                        "the expiry of key {id} must be in the future: {at} is not after {now}"
                    ),
                    None => write!(
                        f,
                        "the expiry of a new key must be in the future: {at} is not after {now}"
                    ),
                }
            }
            Refused::NegativeGrace => f.write_str("a grace period cannot be negative"),
            Refused::GraceTooLong => f.write_str("the grace period is too long"),
            Refused::ForeignAuditLog { count } => write!(
                f,
                "the PostgreSQL database already has an audit log of its own ({count} {}) that does not begin \
                 with the file's: import into a database without one",
                if *count == 1 { "entry" } else { "entries" }
            ),
        }
    }
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Damage::Engine(detail) => f.write_str(detail),
            Damage::Record(error) => write!(f, "{error}"),
            Damage::Structure { reason } => write!(
                f,
                "{}; restore it from a backup",
                reason.as_deref().unwrap_or("unreadable structure")
            ),
        }
    }
}

impl fmt::Display for StoredItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoredItem::Key(id) => f.write_str(id),
            StoredItem::AuditEntry(seq) => write!(f, "audit entry {seq}"),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Empty { id } => write!(f, "record {id} is empty"),
            DecodeError::UnknownVersion { id, version } => {
                write!(f, "record {id} has unknown format version {version}")
            }
            DecodeError::Malformed { record, reason } => write!(f, "record {record} cannot be decoded: {reason}"),
        }
    }
}

impl std::error::Error for DecodeError {}

impl fmt::Display for Malformation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformation::Encoding(words) => f.write_str(words),
            Malformation::Timestamp(words) => write!(f, "bad timestamp: {words}"),
            Malformation::Changed => f.write_str("it was changed; run `keydesk log --check`"),
            Malformation::IndexDisagrees => {
                f.write_str("the key index does not match the log; run `keydesk log --check`")
            }
            Malformation::Policy(error) => write!(f, "its policy cannot be read: {error}"),
        }
    }
}

/// Seconds as the PostgreSQL deadlines are given (`connect_timeout` is
/// whole seconds).
pub fn deadline_seconds(limit: Duration) -> String {
    let secs = limit.as_secs_f64();
    if secs.fract() == 0.0 {
        format!("{secs:.0}")
    } else {
        format!("{secs:.1}")
    }
}

impl fmt::Display for Unreached {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unreached::Client(words) => f.write_str(words),
            Unreached::ConnectTimedOut(limit) => write!(
                f,
                "connecting (TCP, TLS and login) did not finish within {} s (connect_timeout)",
                deadline_seconds(*limit)
            ),
            Unreached::CallTimedOut(limit) => write!(
                f,
                "the server did not answer within {} s; the connection was closed and will be made again",
                deadline_seconds(*limit)
            ),
            Unreached::Closed => f.write_str("the connection to the server was closed"),
        }
    }
}

impl fmt::Display for ServerProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerProblem::Said { message, code } => write!(f, "{message} ({code})"),
            ServerProblem::InvalidUrl(problem) => write!(f, "not a valid PostgreSQL URL: {problem}"),
            ServerProblem::RecordDamaged { id, problem } => write!(f, "record {id} is damaged: {problem}"),
            ServerProblem::AuditEntryChanged { seq } => {
                write!(f, "audit entry {seq} was changed; run `keydesk log --check`")
            }
        }
    }
}

impl fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlProblem::Ambiguous => f.write_str(
                "its parts cannot be told apart: percent-encode any @ : / ? in the user name or password \
                 (%40 %3A %2F %3F)",
            ),
            UrlProblem::Parser(words) => f.write_str(words),
        }
    }
}

impl fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordProblem::TimeOutOfRange => f.write_str("a time out of range"),
            RecordProblem::BadHash => f.write_str("a hash that is not 32 bytes"),
            RecordProblem::BadPolicy(error) => write!(f, "its policy cannot be read: {error}"),
        }
    }
}

impl fmt::Display for CertificateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertificateProblem::Unreadable(error) => write!(f, "{error}"),
            CertificateProblem::NotPem => f.write_str("not a valid PEM certificate file"),
            CertificateProblem::NoCertificate => {
                f.write_str("no PEM certificate (-----BEGIN CERTIFICATE-----) in the file")
            }
            CertificateProblem::Unusable(words) => write!(f, "a certificate cannot be used as a CA: {words}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_earlier_write_is_its_own_error_and_says_so() {
        let error = StoreError::from_redb("/srv/keys.redb", redb::Error::PreviousIo);
        assert!(matches!(error, StoreError::EarlierWriteFailed { .. }), "{error:?}");
        assert_eq!(
            error.to_string(),
            "cannot use /srv/keys.redb: an earlier write failed (disk full or I/O error); nothing further was written"
        );
    }

    #[test]
    fn a_refusal_says_why_in_its_fields() {
        let at = time::macros::datetime!(2026-01-02 03:04:05 UTC);
        let refused = Refused::Expired {
            id: "ak-0123456789abcdef".to_owned(),
            at,
            change: Change::Rotate,
        };
        assert_eq!(
            refused.to_string(),
            "key ak-0123456789abcdef expired at 2026-01-02T03:04:05Z and cannot be rotated: create a new key"
        );
        assert_eq!(
            Refused::ForeignAuditLog { count: 1 }.to_string(),
            "the PostgreSQL database already has an audit log of its own (1 entry) that does not begin with the \
             file's: import into a database without one"
        );
    }
}
