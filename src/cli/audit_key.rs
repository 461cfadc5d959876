//! The audit key file: the key that seals the audit log, kept outside the
//! database so that write access to the database is not enough to rewrite
//! the log's history. The library is handed the key; this is where the CLI
//! and the TUI keep it.
//!
//! The file is 64 hex digits and a newline, `0600`, made on first use by a
//! command that changes keys (or the TUI) with the operating system's random
//! source. The hosts that write one database share one file (copy it, or
//! name it with `audit_key_file`). A file others may read or write is
//! refused: whoever can read it can forge entries, and whoever can replace
//! it can make keydesk seal with their key. Its path is never written into
//! the database, and the key is never printed.

use std::io::Write;
use std::path::Path;

use zeroize::Zeroizing;

use super::exit::{Exit, Failure};
use crate::domain::AuditKey;
use crate::hardening::{Owners, Privacy, read_trusted};

/// What a command does when the key file is not there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFile {
    /// Makes it: the command may write audit entries.
    Create,
    /// Goes without: the command only reads (`log --check` then says it
    /// could not check the seals).
    IfPresent,
    /// Does not read it: the command writes no audit entry and checks none.
    Unused,
}

/// The key at `path` as `use` says: `None` when it is not there and not to
/// be made (or not needed).
pub fn load(path: &Path, use_: KeyFile) -> Result<Option<AuditKey>, Failure> {
    match use_ {
        KeyFile::Unused => Ok(None),
        KeyFile::IfPresent => read(path),
        KeyFile::Create => match read(path)? {
            Some(key) => Ok(Some(key)),
            None => create(path).map(Some),
        },
    }
}

/// Reads the key file; `None` when there is none. Read by the rule of
/// every file keydesk trusts ([`read_trusted`]), and private besides.
fn read(path: &Path) -> Result<Option<AuditKey>, Failure> {
    let bytes = match read_trusted(path, MAX_BYTES, Owners::MeOrRoot, Privacy::Private) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(None),
        Err(refusal) => return Err(unusable(path, crate::i18n::words::Worded::worded(&refusal))),
    };
    std::str::from_utf8(&bytes)
        .ok()
        .and_then(|text| parse(text.trim()))
        .map(Some)
        .ok_or_else(|| unusable(path, tr!("cli-audit-key-malformed")))
}

/// The most a key file may hold: 64 hex digits and a line ending, with room
/// for a stray space; anything larger is not a key file.
const MAX_BYTES: u64 = 256;

/// 64 hex digits.
fn parse(hex: &str) -> Option<AuditKey> {
    if hex.len() != 2 * AuditKey::LEN {
        return None;
    }
    let mut bytes = Zeroizing::new([0u8; AuditKey::LEN]);
    for (byte, pair) in bytes.iter_mut().zip(hex.as_bytes().chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(AuditKey::from_bytes(&bytes))
}

/// Makes a new key file (its folder `0700` if it has to be made); if another
/// process made one meanwhile, that one is the key. The key is written to a
/// file of its own first and then linked into place, so that no process ever
/// reads a half-written key, and none replaces another's.
fn create(path: &Path) -> Result<AuditKey, Failure> {
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(folder).map_err(|e| cannot_create(path, e))?;
    }
    let key = AuditKey::generate();
    let draft = path.with_extension(format!("new-{}", std::process::id()));
    let written = write_new(&draft, &key).and_then(|()| std::fs::hard_link(&draft, path));
    let _ = std::fs::remove_file(&draft);
    match written {
        Ok(()) => Ok(key),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read(path)?.ok_or_else(|| cannot_create(path, e)),
        Err(e) => Err(cannot_create(path, e)),
    }
}

/// Writes `key` as hex to a new `0600` file at `path`.
fn write_new(path: &Path, key: &AuditKey) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    let hex: Zeroizing<String> = Zeroizing::new(key.expose().iter().map(|b| format!("{b:02x}")).collect());
    file.write_all(hex.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

fn unusable(path: &Path, reason: String) -> Failure {
    Failure {
        exit: Exit::Database,
        message: tr!(
            "cli-audit-key-unusable",
            path = path.display().to_string(),
            reason = reason
        ),
    }
}

fn cannot_create(path: &Path, error: std::io::Error) -> Failure {
    Failure {
        exit: Exit::Database,
        message: tr!(
            "cli-audit-key-cannot-create",
            path = path.display().to_string(),
            error = error.to_string()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_file_is_private_and_read_back_as_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config").join("keydesk").join("audit.key");
        assert!(
            load(&path, KeyFile::IfPresent).unwrap().is_none(),
            "not made by a reader"
        );
        assert!(!path.exists());
        let made = load(&path, KeyFile::Create).unwrap().unwrap();
        let again = load(&path, KeyFile::IfPresent).unwrap().unwrap();
        assert_eq!(made.expose(), again.expose());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.len(), 65);
        assert_ne!(made.expose(), AuditKey::generate().expose());
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_others_may_read_or_that_is_malformed_is_refused_by_its_path() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.key");
        load(&path, KeyFile::Create).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let refused = load(&path, KeyFile::Create).unwrap_err();
        assert_eq!(refused.exit, Exit::Database);
        assert!(
            refused.message.contains(&path.display().to_string()),
            "{}",
            refused.message
        );
        assert!(refused.message.contains("644"), "{}", refused.message);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(&path, "not hex\n").unwrap();
        let malformed = load(&path, KeyFile::IfPresent).unwrap_err();
        assert!(malformed.message.contains("64 hex digits"), "{}", malformed.message);
    }
}
