//! Copies of the database that hold while other processes use it (`keydesk
//! backup`), and putting one back (`keydesk restore`).
//!
//! **How the copy is consistent.** keydesk opens redb in its default
//! `ExclusiveWriter` mode, where a read-only handle holds the file's lock
//! *shared*: readers share it, and no writer can open the file while it is
//! held (a writer's open retries for its busy timeout, as it does behind any
//! other keydesk process). A read-only handle is also only granted on a file
//! its last writer closed cleanly (one that needs recovery is first opened
//! writable, which recovers it). So while the handle is held, with one read
//! transaction open on it, the file's bytes are exactly one committed state
//! and cannot change: they are copied as they are, through a second handle on
//! the same open file (not the path again, which someone may have replaced).
//!
//! **Why the bytes rather than the tables.** The other way — a read
//! transaction copying every table into a fresh database — holds the lock for
//! as long as every row takes to be inserted into new B-trees, and must name
//! every table: one added by a later schema and forgotten here would be
//! silently missing from every backup. A byte copy holds the lock only for a
//! sequential copy (`copy_file_range` on Linux), and copies whatever the file
//! holds. What the table copy would prove — every row readable — is proved on
//! the copy instead, after the lock is released: redb's integrity check of
//! every page, the schema, every key record decoded, and the audit chain
//! walked. So a backup that reports success is known to open and check.
//!
//! **Staging.** A copy is made under a temporary name beside where it goes
//! (same directory, so same file system: the final rename is atomic), mode
//! `0600`, fsynced, checked, and only then linked or renamed into place, and
//! the directory fsynced. A crash leaves the old file or the new one, never
//! half of one; a [`StagedCopy`] dropped before it is kept removes its file.
//!
//! **Restoring over a database in use.** The database being replaced is
//! held by a writable open (so no keydesk process is in the middle of a
//! change) while it is hard-linked to its keeping name and the checked copy
//! is renamed over it: there is no moment at which the path is missing (a
//! `create` then would make a new, empty database). Verifiers notice the
//! new file by its change counter, which the restored copy is given above
//! the replaced file's. A process that opened the old file before the swap
//! and was waiting for its lock writes to the kept file: stop the writers
//! first when that matters.

use std::fs::{self, File, OpenOptions};
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

use rand::RngExt;
use redb::{ReadableDatabase, ReadableTable};

use super::{CHANGE_COUNTER_KEY, META, SCHEMA_VERSION, Store, StoreBuilder, file, found_schema, guard_panics};
use crate::domain::ChainReport;
use crate::store::{KeyStore, StoreError};

/// What a copy holds, as checked on the copy itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CopyReport {
    /// The schema the copy was made at (a restore upgrades an older one).
    pub schema_found: u64,
    /// The schema it is at now: always [`SCHEMA_VERSION`].
    pub schema_version: u64,
    /// How many keys it holds; every record decoded.
    pub keys: usize,
    /// Its audit log, walked (with the audit key when the store has one).
    pub audit: ChainReport,
    /// Whether redb's integrity check found the copy whole without repair
    /// (`false`: a crash had left it needing recovery, which it got).
    pub was_consistent: bool,
}

/// A checked copy under a temporary name, not yet in place. Dropping it
/// removes the file.
#[derive(Debug)]
pub struct StagedCopy {
    /// The copy, opened with the settings of the store it came from (or, for
    /// a restore, of the store it replaces).
    copy: Store,
    /// Where it goes.
    dest: PathBuf,
    report: CopyReport,
    /// Removes the copy unless it was kept.
    temp: Removing,
}

/// A file removed when this is dropped, unless disarmed.
#[derive(Debug)]
struct Removing(Option<PathBuf>);

impl Removing {
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for Removing {
    fn drop(&mut self) {
        if let Some(path) = &self.0 {
            let _ = fs::remove_file(path);
        }
    }
}

impl Store {
    /// Copies this database to a temporary file beside `dest` while other
    /// processes use it (see the module's documentation), then checks the
    /// copy. Nothing is at `dest` until [`StagedCopy::keep`].
    pub fn backup_to(&self, dest: &Path) -> Result<StagedCopy, StoreError> {
        let (temp, mut out) = temp_beside(dest, "backup")?;
        let removing = Removing(Some(temp.clone()));
        guard_panics(&self.path, || self.copy_locked(&mut out, Recovery::Allowed))?;
        out.sync_all().map_err(|e| StoreError::io(&temp, e))?;
        drop(out);
        StagedCopy::checked(self.beside(temp), dest, removing)
    }

    /// This store's settings on the file at `path`.
    fn beside(&self, path: PathBuf) -> Store {
        Store {
            path,
            audit_key: None,
            ..self.clone()
        }
        .with_key(self.audit_key.clone())
    }

    fn with_key(self, audit_key: Option<crate::domain::AuditKey>) -> Store {
        Store { audit_key, ..self }
    }

    /// Copies the file's bytes to `out` under a read-only handle with one
    /// read transaction open. A file needing recovery gets it first when
    /// `recovery` allows (a live database); otherwise (a backup, which is
    /// never written to) its bytes are copied as they are and the copy is
    /// recovered.
    fn copy_locked(&self, out: &mut File, recovery: Recovery) -> Result<(), StoreError> {
        let mut opened = file::open_read_only_with_file(&self.path, &self.retry)?;
        if opened.is_none() && recovery == Recovery::Allowed {
            file::check_existing(&self.path)?;
            self.with_db(|_| Ok(()))?;
            opened = file::open_read_only_with_file(&self.path, &self.retry)?;
        }
        let Some((db, mut source)) = opened else {
            let mut source = file::open_file(&self.path, false)?;
            return copy_bytes(&mut source, out, &self.path);
        };
        let txn = db.begin_read().map_err(|e| StoreError::from_redb(&self.path, e))?;
        let copied = copy_bytes(&mut source, out, &self.path);
        drop(txn);
        let closed = db.close().map_err(|e| StoreError::from_redb(&self.path, e));
        copied.and(closed)
    }

    /// The change counter, raised above `floor`, in one write.
    fn raise_counter_above(&self, floor: u64) -> Result<u64, StoreError> {
        self.write(|txn| {
            let mut meta = txn.open_table(META)?;
            let counter = meta.get(CHANGE_COUNTER_KEY)?.map_or(0, |v| v.value());
            let raised = counter.max(floor.wrapping_add(1));
            meta.insert(CHANGE_COUNTER_KEY, raised)?;
            Ok(raised)
        })
    }

    /// This database's change counter, read under a writable open that is
    /// then held while `body` runs: no keydesk process changes the file
    /// meanwhile. `None` for the counter when the file cannot be read (it
    /// may be the damage a restore repairs); an error only when another
    /// process holds the file past the wait.
    fn while_held<T>(&self, body: impl FnOnce(Option<u64>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let opened = guard_panics(&self.path, || file::open_writable(&self.path, &self.retry));
        let db = match opened {
            Ok(db) => Some(db),
            Err(busy @ StoreError::Busy { .. }) => return Err(busy),
            Err(_) => None,
        };
        let counter = db.as_ref().and_then(|db| {
            guard_panics(&self.path, || {
                let txn = db.begin_read().map_err(|e| StoreError::from_redb(&self.path, e))?;
                let counter = super::read_counter(&txn).map_err(|fail| fail.into_store_error(&self.path))?;
                Ok(counter)
            })
            .ok()
        });
        let result = body(counter);
        if let Some(db) = db {
            let _ = db.close();
        }
        result
    }
}

/// Whether a copy's source may be recovered (written) before it is copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recovery {
    Allowed,
    Forbidden,
}

impl StoreBuilder {
    /// Copies the backup at `backup` (only read, under a shared lock) to a
    /// temporary file beside the database these settings name, and checks
    /// the copy (schema, upgrading an older one; redb's integrity check;
    /// every record; the audit chain, with the audit key when given). The
    /// database is not touched until [`StagedCopy::replace`] or
    /// [`StagedCopy::keep`].
    pub fn stage_restore(self, backup: &Path) -> Result<StagedCopy, StoreError> {
        let target = self.unopened();
        file::check_existing(backup)?;
        file::ensure_parent_dir(&target.path)?;
        let (temp, mut out) = temp_beside(&target.path, "restore")?;
        let removing = Removing(Some(temp.clone()));
        let source = target.beside(backup.to_owned());
        guard_panics(backup, || source.copy_locked(&mut out, Recovery::Forbidden))?;
        out.sync_all().map_err(|e| StoreError::io(&temp, e))?;
        drop(out);
        StagedCopy::checked(target.beside(temp), &target.path, removing)
    }
}

impl StagedCopy {
    /// Checks the copy at `copy`'s path and reports what it holds; the
    /// copy is removed (by `temp`) when a check fails.
    fn checked(copy: Store, dest: &Path, temp: Removing) -> Result<StagedCopy, StoreError> {
        file::check_existing(&copy.path)?;
        let found = copy.read(found_schema)?;
        // An upgrade is sealed like one done while opening: unkeyed.
        copy.clone().with_key(None).initialise()?;
        let was_consistent = copy.check_integrity()?;
        let keys = copy.load()?.records.len();
        let audit = copy.check_audit(None)?;
        let report = CopyReport {
            schema_found: found.unwrap_or(SCHEMA_VERSION),
            schema_version: SCHEMA_VERSION,
            keys,
            audit,
            was_consistent,
        };
        Ok(StagedCopy {
            copy,
            dest: dest.to_owned(),
            report,
            temp,
        })
    }

    /// What the copy holds.
    pub fn report(&self) -> &CopyReport {
        &self.report
    }

    /// Puts the copy at its destination: over whatever is there when
    /// `replace`, otherwise only if nothing is (an error naming the
    /// destination if something appeared since it was looked at).
    pub fn keep(mut self, replace: bool) -> Result<(), StoreError> {
        let (temp, dest) = (self.copy.path.clone(), self.dest.clone());
        if replace {
            fs::rename(&temp, &dest).map_err(|e| StoreError::io(&dest, e))?;
        } else {
            fs::hard_link(&temp, &dest).map_err(|e| StoreError::io(&dest, e))?;
            let _ = fs::remove_file(&temp);
        }
        self.temp.disarm();
        sync_dir(&dest)
    }

    /// Puts the copy in place of the database at its destination, which is
    /// kept as `keep_as` (which must not exist), while holding it (see the
    /// module's documentation). The copy's change counter is raised above
    /// the replaced file's, so verifiers reload.
    pub fn replace(mut self, keep_as: &Path) -> Result<(), StoreError> {
        let target = self.copy.beside(self.dest.clone());
        let (temp, dest) = (self.copy.path.clone(), self.dest.clone());
        target.while_held(|counter| {
            self.copy.raise_counter_above(counter.unwrap_or(0))?;
            File::open(&temp)
                .and_then(|f| f.sync_all())
                .map_err(|e| StoreError::io(&temp, e))?;
            fs::hard_link(&dest, keep_as).map_err(|e| StoreError::io(keep_as, e))?;
            fs::rename(&temp, &dest).map_err(|e| StoreError::io(&dest, e))?;
            self.temp.disarm();
            sync_dir(&dest)
        })
    }
}

/// A new, empty, owner-only file with a random name beside `dest`.
fn temp_beside(dest: &Path, purpose: &str) -> Result<(PathBuf, File), StoreError> {
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{purpose}-{:016x}", rand::rng().random::<u64>()));
    let mut options = OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let out = options.open(&temp).map_err(|e| StoreError::io(dest, e))?;
    Ok((temp, out))
}

/// All of `source`, from its start, to `out`.
fn copy_bytes(source: &mut File, out: &mut File, path: &Path) -> Result<(), StoreError> {
    source.seek(SeekFrom::Start(0)).map_err(|e| StoreError::io(path, e))?;
    std::io::copy(source, out).map_err(|e| StoreError::io(path, e))?;
    Ok(())
}

/// Makes a rename or link into `path`'s directory durable.
fn sync_dir(path: &Path) -> Result<(), StoreError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io(dir, e))?;
    Ok(())
}
