//! Hostile file-system conditions: each gives a clear error and a non-zero
//! exit, never a panic, and leaves what was stored intact.
//!
//! Tests that need to mount a tmpfs (full disk, read-only file system) or
//! change a file's owner need root; without it they say so and skip.

use keydesk::KeyStore;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;

use common::{BIN, run_with_stdin, stderr};

fn keydesk(db: &Path, args: &[&str]) -> Output {
    common::keydesk(db).args(args).stdin(Stdio::null()).output().unwrap()
}

fn create(db: &Path, name: &str) -> Output {
    keydesk(db, &["create", "--name", name, "--accept-terms"])
}

fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        if !is_root() {
            eprintln!("SKIPPED: mounting a tmpfs needs root");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("SKIPPED: cannot mount a tmpfs here");
            return None;
        }
        Some(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(self.path())
            .status();
        assert!(status.unwrap().success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn owner_only_permissions_even_under_a_permissive_umask() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fresh/sub/keys.redb");
    let out = Command::new(BIN)
        .args(["list"])
        .env("KEYDESK_DB", &db)
        // SAFETY: umask is async-signal-safe and touches only this child.
        .pre_exec_umask(0)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(db.parent().unwrap()), 0o700);
    assert_eq!(mode(db.parent().unwrap().parent().unwrap()), 0o700);
}

trait PreExecUmask {
    fn pre_exec_umask(&mut self, mask: libc::mode_t) -> &mut Self;
}

impl PreExecUmask for Command {
    fn pre_exec_umask(&mut self, mask: libc::mode_t) -> &mut Self {
        // SAFETY: umask is async-signal-safe.
        unsafe {
            self.pre_exec(move || {
                libc::umask(mask);
                Ok(())
            })
        }
    }
}

#[test]
fn a_world_writable_or_foreign_owned_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    assert!(create(&db, "mine").status.success());
    fs::set_permissions(&db, fs::Permissions::from_mode(0o646)).unwrap();
    let out = keydesk(&db, &["list"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("writable by other users"), "{}", stderr(&out));
    fs::set_permissions(&db, fs::Permissions::from_mode(0o600)).unwrap();

    if !is_root() {
        eprintln!("SKIPPED: changing a file's owner needs root");
        return;
    }
    std::os::unix::fs::chown(&db, Some(65534), None).unwrap();
    let out = keydesk(&db, &["list"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("owned by user 65534"), "{}", stderr(&out));
}

#[test]
fn a_read_only_file_system_gives_a_clear_error_and_keeps_the_data() {
    let Some(fs_) = Tmpfs::mount("4m") else {
        return;
    };
    let db = fs_.path().join("keys.redb");
    let created = create(&db, "before-ro");
    assert!(created.status.success(), "{}", stderr(&created));
    let secret = String::from_utf8(created.stdout).unwrap();
    fs_.remount("ro");

    let out = create(&db, "after-ro");
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("Read-only file system"), "{}", stderr(&out));

    let listed = keydesk(&db, &["list", "--json"]);
    assert_eq!(
        listed.status.code(),
        Some(0),
        "reading still works: {}",
        stderr(&listed)
    );
    assert!(String::from_utf8_lossy(&listed.stdout).contains("before-ro"));
    let verified = run_with_stdin(common::keydesk(&db).arg("verify"), &secret);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "a stored key still verifies (Last Used just is not recorded)"
    );

    let new_db = fs_.path().join("new.redb");
    let out = keydesk(&new_db, &["list"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("cannot use"), "{}", stderr(&out));
}

#[test]
fn a_full_disk_gives_a_clear_error_and_loses_nothing_committed() {
    let Some(fs_) = Tmpfs::mount("256k") else {
        return;
    };
    let db: PathBuf = fs_.path().join("keys.redb");
    let mut created = 0;
    let failure = loop {
        let out = create(&db, &format!("fill-{created}"));
        if !out.status.success() {
            break out;
        }
        created += 1;
        assert!(created < 10_000, "the disk never filled up");
    };
    assert_eq!(failure.status.code(), Some(3), "{}", stderr(&failure));
    let message = stderr(&failure);
    assert!(message.contains("No space left on device"), "{message}");
    assert!(!message.contains("panicked"), "{message}");

    // Room again: everything committed before the failure is there and sound.
    fs_.remount("size=8m");
    let store = keydesk::Store::open(&db).unwrap();
    assert!(store.check_integrity().unwrap());
    let names: Vec<String> = store.list().unwrap().into_iter().map(|r| r.name).collect();
    for i in 0..created {
        assert!(names.contains(&format!("fill-{i}")), "fill-{i} was lost");
    }
    eprintln!("disk full after {created} keys: {}", message.trim());
}

fn sample_database(dir: &Path) -> PathBuf {
    let db = dir.join("keys.redb");
    let store = keydesk::Store::open(&db).unwrap();
    for i in 0..40 {
        store
            .create(&keydesk::KeyName::parse(&format!("key-{i}")).unwrap())
            .unwrap();
    }
    db
}

#[test]
fn a_truncated_file_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_database(dir.path());
    let full = fs::read(&db).unwrap();
    for cut in [full.len() / 2, full.len() - 1, 4096, 100] {
        fs::write(&db, &full[..cut]).unwrap();
        for args in [vec!["list"], vec!["create", "--name", "more", "--accept-terms"]] {
            let out = keydesk(&db, &args);
            assert_eq!(out.status.code(), Some(3), "cut at {cut}, {args:?}: {}", stderr(&out));
            assert!(stderr(&out).starts_with("keydesk: "), "{}", stderr(&out));
            assert!(
                fs::read(&db).unwrap() == full[..cut],
                "cut at {cut}: file modified by {args:?}"
            );
        }
    }
}

#[test]
fn a_corrupted_file_never_panics_and_reads_never_modify_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_database(dir.path());
    let pristine = fs::read(&db).unwrap();
    let mut damaged_reports = 0;
    for offset in (0..pristine.len()).step_by(1024).chain([9, 10, 64, 200]) {
        let mut bytes = pristine.clone();
        for b in bytes.iter_mut().skip(offset).take(8) {
            *b ^= 0xA5;
        }
        fs::write(&db, &bytes).unwrap();
        let out = keydesk(&db, &["list"]);
        let code = out.status.code();
        assert!(
            code == Some(0) || code == Some(3),
            "offset {offset}: exit {code:?}: {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "offset {offset}: {}", stderr(&out));
        if code == Some(3) {
            damaged_reports += 1;
            assert!(stderr(&out).starts_with("keydesk: "), "{}", stderr(&out));
        }
        assert!(
            fs::read(&db).unwrap() == bytes,
            "offset {offset}: list modified the file"
        );
    }
    eprintln!("{damaged_reports} of the corrupted copies were reported as damaged or not a database");
    assert!(damaged_reports > 0);
}
