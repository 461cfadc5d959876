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

use crate::common;

use common::{BIN, run_with_stdin, stderr};

fn keydesk(db: &Path, args: &[&str]) -> Output {
    common::keydesk(db).args(args).stdin(Stdio::null()).output().unwrap()
}

fn create(db: &Path, name: &str) -> Output {
    keydesk(db, &["create", "--name", name, "--accept-terms"])
}

#[allow(unsafe_code)]
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
            common::skip("mounting a tmpfs needs root");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            common::skip("cannot mount a tmpfs here");
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
        .args(["create", "--name", "fresh", "--accept-terms"])
        .env("KEYDESK_DB", &db)
        .env("XDG_CONFIG_HOME", common::NO_CONFIG_HOME)
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
    #[allow(unsafe_code)]
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
        common::skip("changing a file's owner needs root");
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
    let out = create(&new_db, "cannot-be");
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

/// Runs keydesk, failing the test instead of hanging if it does not finish:
/// a FIFO opened for reading would wait for a writer forever.
fn keydesk_within_deadline(db: &Path, args: &[&str]) -> Output {
    let mut child = common::keydesk(db)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("keydesk {args:?} on {} did not finish", db.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn read_only_commands_on_a_missing_database_say_so_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("some/typo/path.redb");
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["verify"],
        &["delete", "ak-0123456789abcdef", "--yes"],
    ] {
        let out = keydesk(&typo, args);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("no database at"), "{args:?}: {}", stderr(&out));
    }
    assert!(!dir.path().join("some").exists(), "a directory was created for a read");
    assert!(matches!(
        keydesk::Verifier::open(&typo),
        Err(keydesk::StoreError::Missing { .. })
    ));
    assert!(!dir.path().join("some").exists());
    // `create` is the command that makes one.
    assert_eq!(create(&typo, "first").status.code(), Some(0));
    assert!(typo.exists());
}

#[test]
fn devices_fifos_and_directories_are_refused_without_harmful_advice() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.redb");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    for (path, kind) in [
        (Path::new("/dev/null").to_owned(), "character device"),
        (fifo.clone(), "named pipe"),
        (dir.path().to_owned(), "directory"),
    ] {
        for args in [&["list"][..], &["create", "--name", "x1", "--accept-terms"]] {
            let out = keydesk_within_deadline(&path, args);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(3), "{} {args:?}: {err}", path.display());
            assert!(err.contains(kind), "{} {args:?}: {err}", path.display());
            assert!(!err.contains("chmod"), "advice that would damage the system: {err}");
        }
    }
}

#[test]
fn an_empty_file_is_not_silently_made_into_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    fs::write(&db, b"").unwrap();
    fs::set_permissions(&db, fs::Permissions::from_mode(0o600)).unwrap();
    for args in [&["list"][..], &["create", "--name", "x1", "--accept-terms"]] {
        let out = keydesk(&db, args);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("empty file"), "{}", stderr(&out));
    }
    assert_eq!(fs::metadata(&db).unwrap().len(), 0, "left untouched");
}

#[test]
fn a_database_reached_through_a_symlink_is_checked_as_the_file_it_points_to() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.redb");
    let link = dir.path().join("link.redb");
    assert_eq!(create(&target, "linked").status.code(), Some(0));
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert_eq!(keydesk(&link, &["list"]).status.code(), Some(0));

    fs::set_permissions(&target, fs::Permissions::from_mode(0o666)).unwrap();
    for path in [&target, &link] {
        let out = keydesk(path, &["list"]);
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert!(stderr(&out).contains("writable by other users"), "{}", stderr(&out));
    }
}
