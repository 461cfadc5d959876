//! Where the database lives and how it is opened: owner-only permissions, a
//! format check before redb sees the file, and bounded retry on the lock.
//!
//! redb lets one process at a time hold a database open. keydesk's TUI, CLI and
//! services all share one file, so nobody keeps it open: each operation opens,
//! runs one transaction and closes, and an open that finds the file locked
//! retries with backoff for a bounded time before reporting "busy".

use crate::hardening::file_kind;
use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::RngExt;
use redb::backends::FileBackend;
use redb::{Database, DatabaseError, ReadOnlyDatabase};

use crate::store::StoreError;

/// The first bytes of every redb file.
const REDB_MAGIC: [u8; 9] = [b'r', b'e', b'd', b'b', 0x1A, 0x0A, 0xA9, 0x0D, 0x0A];
/// redb's page cache is an upper bound; one transaction on keydesk's small
/// records never needs more than this.
const CACHE_BYTES: usize = 16 * 1024 * 1024;

/// How long to keep trying when another process holds the database.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// How long to keep trying before reporting [`StoreError::Busy`].
    pub window: Duration,
    /// The wait before the first retry; each later one doubles, up to
    /// `max_delay`, with random jitter so waiting processes spread out.
    pub first_delay: Duration,
    /// The longest single wait between tries.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            window: Duration::from_secs(2),
            first_delay: Duration::from_micros(500),
            max_delay: Duration::from_millis(25),
        }
    }
}

/// `~/.local/share/keydesk/keydesk.redb` on Linux; the platform's data
/// directory elsewhere.
pub fn default_path() -> Result<PathBuf, StoreError> {
    let dirs = directories::ProjectDirs::from("", "", "keydesk").ok_or(StoreError::NoDataDir)?;
    Ok(dirs.data_dir().join("keydesk.redb"))
}

/// Whether something is at `path` (a dangling symlink counts: it is not
/// "nothing", and creating through it would write somewhere unexpected).
pub fn exists(path: &Path) -> Result<bool, StoreError> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(StoreError::io(path, e)),
    }
}

/// The checks made before a database file is opened: it exists, it is a
/// regular file (a device or a FIFO would hang or be damaged by redb), it is
/// not empty (keydesk never leaves a 0-byte database behind, so one is
/// something else's), and it is private. A symlink is followed: the file it
/// points to is what is checked.
pub fn check_existing(path: &Path) -> Result<(), StoreError> {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::Missing { path: path.to_owned() });
        }
        Err(e) => return Err(StoreError::io(path, e)),
    };
    if !meta.is_file() {
        return Err(StoreError::NotAFile {
            path: path.to_owned(),
            kind: file_kind(&meta.file_type()),
        });
    }
    if meta.len() == 0 {
        return Err(StoreError::EmptyFile { path: path.to_owned() });
    }
    check_ownership_and_mode(path, &meta)
}

/// Creates a new database at `path`, whole: the file is made and given its
/// schema under a temporary name beside it, then linked into place. So no
/// other process ever sees a half-made (or 0-byte) database at `path`, and if
/// two create at once, one wins and the other opens the winner's.
pub fn create_database(
    path: &Path,
    initialise: impl FnOnce(&Database) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    ensure_parent_dir(path)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.new-{:016x}", rand::rng().random::<u64>()));
    let made = (|| {
        let mut options = OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        // Reported as the database path: the temporary name means nothing to anyone.
        let file = options.open(&temp).map_err(|e| StoreError::io(path, e))?;
        let backend = FileBackend::new(file).map_err(|e| StoreError::from_redb(&temp, e))?;
        let db = builder()
            .create_with_backend(backend)
            .map_err(|e| StoreError::from_redb(&temp, e))?;
        initialise(&db)?;
        db.close().map_err(|e| StoreError::from_redb(&temp, e))?;
        match fs::hard_link(&temp, path) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(StoreError::io(path, e)),
            _ => Ok(()),
        }
    })();
    let _ = fs::remove_file(&temp);
    made
}

/// Creates the database's directory (owner-only) if it is missing.
pub fn ensure_parent_dir(path: &Path) -> Result<(), StoreError> {
    let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    if parent.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(parent).map_err(|e| StoreError::io(parent, e))
}

/// Refuses a file another user could write to or that belongs to someone else:
/// whoever controls the file controls which keys verify.
fn check_ownership_and_mode(path: &Path, meta: &fs::Metadata) -> Result<(), StoreError> {
    match crate::hardening::untrusted(path, meta, crate::hardening::Owners::Me) {
        Some(reason) => Err(StoreError::Insecure {
            path: path.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// Opens an existing database for writing, retrying while another process
/// holds it.
pub fn open_writable(path: &Path, retry: &RetryPolicy) -> Result<Database, StoreError> {
    with_retry(path, retry, || {
        let file = open_file(path, true)?;
        let backend = FileBackend::new(file).map_err(|e| StoreError::from_redb(path, e))?;
        Ok(builder().create_with_backend(backend))
    })
}

/// Opens an existing database read-only: no byte of the file changes, and
/// readers share the lock with each other. `None` when the file is missing or
/// empty, or needs crash recovery: a writable open then reports the missing
/// file, initialises the empty one, or repairs.
pub fn open_read_only(path: &Path, retry: &RetryPolicy) -> Result<Option<ReadOnlyDatabase>, StoreError> {
    Ok(open_read_only_with_file(path, retry)?.map(|(db, _)| db))
}

/// [`open_read_only`], also handing back a second handle on the very file
/// the database holds (not the path again, which may have been replaced
/// since), so its bytes can be copied while the read-only handle keeps
/// writers out.
pub fn open_read_only_with_file(
    path: &Path,
    retry: &RetryPolicy,
) -> Result<Option<(ReadOnlyDatabase, File)>, StoreError> {
    if !path.exists() {
        return Ok(None);
    }
    with_retry(path, retry, || {
        let file = open_file(path, false)?;
        if file.metadata().map_err(|e| StoreError::io(path, e))?.len() == 0 {
            return Ok(Ok(None));
        }
        let copy = file.try_clone().map_err(|e| StoreError::io(path, e))?;
        let backend = FileBackend::new(file).map_err(|e| StoreError::from_redb(path, e))?;
        // A file that needs repair: no read-only view of it.
        Ok(match builder().open_read_only_with_backend(backend) {
            Err(DatabaseError::RepairAborted) => Ok(None),
            opened => opened.map(|db| Some((db, copy))),
        })
    })
}

fn builder() -> redb::Builder {
    let mut builder = redb::Builder::new();
    builder.set_cache_size(CACHE_BYTES);
    builder
}

/// Runs `attempt` until it gets past the file lock or the window closes.
fn with_retry<T>(
    path: &Path,
    retry: &RetryPolicy,
    mut attempt: impl FnMut() -> Result<Result<T, DatabaseError>, StoreError>,
) -> Result<T, StoreError> {
    let started = Instant::now();
    let mut delay = retry.first_delay;
    loop {
        match attempt()? {
            Ok(db) => return Ok(db),
            Err(DatabaseError::DatabaseAlreadyOpen) => {
                let waited = started.elapsed();
                if waited >= retry.window {
                    return Err(StoreError::Busy {
                        path: path.to_owned(),
                        waited,
                    });
                }
                // Jitter keeps several waiting processes from retrying in lockstep.
                let jittered = delay.mul_f64(rand::rng().random_range(0.5..1.5));
                std::thread::sleep(jittered.min(retry.window.saturating_sub(waited)));
                delay = (delay * 2).min(retry.max_delay);
            }
            Err(e) => return Err(StoreError::from_redb(path, e)),
        }
    }
}

pub(super) fn open_file(path: &Path, writable: bool) -> Result<File, StoreError> {
    let mut options = OpenOptions::new();
    options.read(true).write(writable);
    // Opening a FIFO would wait for a writer forever; a regular file ignores
    // the flag (redb does positioned reads and writes).
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let mut file = options.open(path).map_err(|e| StoreError::io(path, e))?;
    let meta = file.metadata().map_err(|e| StoreError::io(path, e))?;
    if !meta.is_file() {
        // Swapped for something else since it was checked.
        return Err(StoreError::NotAFile {
            path: path.to_owned(),
            kind: file_kind(&meta.file_type()),
        });
    }
    // Look at the header ourselves before redb does: redb would try to
    // initialise or repair a file it does not recognise, and a file that is not
    // ours must never be written to.
    let mut head = [0u8; REDB_MAGIC.len()];
    let read = read_up_to(&mut file, &mut head).map_err(|e| StoreError::io(path, e))?;
    if read > 0 && (read < head.len() || head != REDB_MAGIC) {
        return Err(StoreError::NotADatabase { path: path.to_owned() });
    }
    Ok(file)
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    // redb reads by offset, so the cursor position does not matter afterwards.
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_that_is_not_a_file_says_what_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("目录");
        fs::create_dir(&path).unwrap();
        let error = check_existing(&path).unwrap_err();
        assert!(
            matches!(&error, StoreError::NotAFile { path: p, kind: crate::store::FileKind::Directory } if *p == path),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!(
                "{} is a directory, not a database file: choose a regular file with --db or KEYDESK_DB",
                path.display()
            )
        );
        let missing = dir.path().join("none.redb");
        assert!(matches!(check_existing(&missing), Err(StoreError::Missing { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_may_write_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.redb");
        fs::write(&path, REDB_MAGIC).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).unwrap();
        let error = check_existing(&path).unwrap_err();
        assert!(
            matches!(
                &error,
                StoreError::Insecure {
                    reason: crate::hardening::Untrusted::Writable { mode: 0o666, .. },
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!(
                "refusing to use {0}: it is writable by other users (mode 666); run: chmod 600 {0}",
                path.display()
            )
        );
    }
}
