//! Store errors, worded for the person at the terminal: each says what went
//! wrong, with which file, and what to do. None carries a secret.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::redb_file::DecodeError;

/// Each message is in the current language (see [`keydesk_i18n`]); the
/// variables (paths, versions, the OS's or the server's own words) are shown
/// as they are. The reasons and details held as text were worded when the
/// error was made, in the language of that moment.
#[allow(missing_docs)] // documented by the error-types rewrite (branch core-errors)
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

    /// The audit log is sealed with a key (entry `seq`, its last, is keyed)
    /// and this store was given none. Nothing was written: an unkeyed entry
    /// after a keyed one is what a forger would write.
    #[error("{}", tr!("error-audit-key-missing", location = .location.as_str(), seq = *.seq))]
    AuditKeyMissing { location: String, seq: u64 },

    /// The audit log's last entry, `seq`, is keyed, but not with this
    /// store's key (another key, or the entry was changed). Nothing was
    /// written.
    #[error("{}", tr!("error-audit-key-mismatch", location = .location.as_str(), seq = *.seq))]
    AuditKeyMismatch { location: String, seq: u64 },
}

/// A path as messages show it (through [`super::designation`], so that
/// a URL taken for a path never shows its password).
fn shown(path: &Path) -> String {
    super::designation::shown(&path.display().to_string())
}

/// What [`StoreError::NotAFile`]'s `kind` is called in the current language.
fn file_kind_label(kind: &str) -> String {
    super::redb_file::file_kind_label(kind)
}

impl StoreError {
    #[doc(hidden)]
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
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

    /// Why a store may not write to a keyed audit log.
    #[doc(hidden)]
    pub fn audit_key(location: String, problem: super::chain::KeyProblem) -> Self {
        use super::chain::KeyProblem;
        match problem {
            KeyProblem::Missing(seq) => StoreError::AuditKeyMissing { location, seq },
            KeyProblem::Mismatch(seq) => StoreError::AuditKeyMismatch { location, seq },
        }
    }

    pub(crate) fn decode(path: impl Into<PathBuf>, error: DecodeError) -> Self {
        StoreError::Corrupt {
            path: path.into(),
            detail: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keydesk_i18n::{Lang, with_lang};

    fn path() -> PathBuf {
        PathBuf::from("/srv/密钥/keys.redb")
    }

    fn denied() -> io::Error {
        io::Error::new(io::ErrorKind::PermissionDenied, "Permission denied (os error 13)")
    }

    /// Each variant once, as it would be made.
    fn samples() -> Vec<StoreError> {
        let location = || "postgres://keydesk@db.example.com:5432/keys".to_owned();
        vec![
            StoreError::Busy {
                path: path(),
                waited: Duration::from_millis(2049),
            },
            StoreError::NotADatabase { path: path() },
            StoreError::ForeignDatabase { path: path() },
            StoreError::NewerSchema {
                path: path(),
                found: 99,
                supported: 5,
            },
            StoreError::NeedsUpgrade {
                path: path(),
                found: 3,
                current: 5,
            },
            StoreError::Missing { path: path() },
            StoreError::NotAFile {
                path: path(),
                kind: "a directory",
            },
            StoreError::EmptyFile { path: path() },
            StoreError::NotFound {
                id: "ak-0123456789abcdef".to_owned(),
            },
            StoreError::io(path(), denied()),
            StoreError::Unreachable {
                location: location(),
                detail: "connection refused".to_owned(),
            },
            StoreError::NotInitialised { location: location() },
            StoreError::NewerServerSchema {
                location: location(),
                found: 7,
                supported: 2,
            },
            StoreError::NoDataDir,
        ]
    }

    #[test]
    fn store_errors_read_in_english_as_they_always_have() {
        let english: Vec<String> = samples().iter().map(ToString::to_string).collect();
        let path = "/srv/密钥/keys.redb";
        let pg = "postgres://keydesk@db.example.com:5432/keys";
        assert_eq!(
            english,
            [
                format!("the database {path} is busy: another keydesk process held it for over 2.0 s; try again"),
                format!("{path} is not a keydesk database (not a redb file); it was left untouched"),
                format!("{path} is a redb database of another program, not keydesk; it was left untouched"),
                format!(
                    "{path} was written by a newer keydesk (schema 99; this build reads up to 5); upgrade keydesk \
                     — the file was left untouched"
                ),
                format!(
                    "the database {path} needs an upgrade (schema 3 to 5): run keydesk once with write access to \
                     it; nothing was changed"
                ),
                format!(
                    "no database at {path}: check the path (keydesk creates one only when you create a key or \
                     start the TUI)"
                ),
                format!("{path} is a directory, not a database file: choose a regular file with --db or KEYDESK_DB"),
                format!(
                    "{path} is an empty file, not a keydesk database (keydesk never leaves one empty); it was left \
                     untouched: remove it, or choose another path"
                ),
                "no key with ID ak-0123456789abcdef".to_owned(),
                format!("cannot use {path}: {}", denied()),
                format!("cannot reach the PostgreSQL server {pg}: connection refused"),
                format!(
                    "the PostgreSQL database {pg} has no keydesk tables: create a key there first (`keydesk \
                     create`, as a role that may create tables), or check --db"
                ),
                format!(
                    "the PostgreSQL database {pg} was set up by a newer keydesk (schema 7; this build knows up to \
                     2); upgrade keydesk — nothing was changed"
                ),
                "cannot find a home directory to keep the database in; pass --db PATH or set KEYDESK_DB".to_owned(),
            ]
        );
    }

    #[test]
    fn store_errors_read_in_chinese_with_their_paths_and_versions() {
        let chinese: Vec<String> = with_lang(Lang::ZhCn, || samples().iter().map(ToString::to_string).collect());
        let path = "/srv/密钥/keys.redb";
        let pg = "postgres://keydesk@db.example.com:5432/keys";
        assert_eq!(
            chinese,
            [
                format!("数据库 {path} 忙：另一个 keydesk 进程已占用它超过 2.0 秒，请稍后重试"),
                format!("{path} 不是 keydesk 数据库（不是 redb 文件），未做任何改动"),
                format!("{path} 是其他程序的 redb 数据库，不属于 keydesk，未做任何改动"),
                format!(
                    "{path} 由更新版本的 keydesk 写入（数据库结构版本 99，当前版本最高只能读取 5）；请升级 keydesk，\
                     文件未做任何改动"
                ),
                format!(
                    "数据库 {path} 需要升级（数据库结构版本 3 升级到 5）：请以可写权限运行一次 keydesk；未做任何改动"
                ),
                format!("{path} 处没有数据库：请检查路径（keydesk 只在创建密钥或启动 TUI 时才会新建数据库）"),
                format!("{path} 是目录，不是数据库文件：请用 --db 或 KEYDESK_DB 指定一个普通文件"),
                format!(
                    "{path} 是空文件，不是 keydesk 数据库（keydesk 从不留下空的数据库），未做任何改动：\
                     请删除它，或换一个路径"
                ),
                "没有 ID 为 ak-0123456789abcdef 的密钥".to_owned(),
                // The OS's own words are kept as they are.
                format!("无法使用 {path}：{}", denied()),
                format!("无法连接 PostgreSQL 服务器 {pg}：connection refused"),
                format!(
                    "PostgreSQL 数据库 {pg} 中没有 keydesk 的表：请先在其中创建一个密钥（`keydesk create`，\
                     使用有建表权限的角色），或检查 --db"
                ),
                format!(
                    "PostgreSQL 数据库 {pg} 由更新版本的 keydesk 建立（数据库结构版本 7，当前版本最高只认识 2）；\
                     请升级 keydesk，未做任何改动"
                ),
                "找不到用来存放数据库的主目录；请使用 --db PATH 或设置 KEYDESK_DB".to_owned(),
            ]
        );
    }

    #[test]
    fn every_kind_of_non_file_has_a_chinese_name() {
        for kind in [
            "a character device",
            "a block device",
            "a named pipe (FIFO)",
            "a socket",
            "a directory",
            "not a regular file",
        ] {
            let error = StoreError::NotAFile { path: path(), kind };
            assert!(error.to_string().contains(&format!(" is {kind}, ")), "{error}");
            let chinese = with_lang(Lang::ZhCn, || error.to_string());
            assert!(!chinese.contains(kind), "{chinese}");
            // The Debug form keeps the stable English kind.
            assert!(format!("{error:?}").contains(kind));
        }
    }

    #[test]
    fn a_failed_earlier_write_is_explained_in_the_language_of_the_moment() {
        let english = StoreError::from_redb(path(), redb::Error::PreviousIo);
        assert!(
            english
                .to_string()
                .ends_with("an earlier write failed (disk full or I/O error); nothing further was written")
        );
        let chinese = with_lang(Lang::ZhCn, || {
            StoreError::from_redb(path(), redb::Error::PreviousIo).to_string()
        });
        assert_eq!(
            chinese,
            "无法使用 /srv/密钥/keys.redb：之前的一次写入失败（磁盘已满或 I/O 错误），之后没有再写入任何内容"
        );
    }
}
