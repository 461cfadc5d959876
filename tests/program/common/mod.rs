//! Helpers shared by the program's tests: running the real binary, and
//! (from keydesk-core's tests, included here) stores, names, clocks and
//! waiting on a condition.

#![allow(dead_code)] // each test module uses a different subset

pub mod cli_env;
pub mod postgres;
pub mod programs;
pub mod pty;
pub mod session;
pub mod terminal;

// keydesk-core's test helpers, one copy for both crates' tests.
#[path = "../../../crates/keydesk-core/tests/api/common/mod.rs"]
mod core_tests;
pub use core_tests::*;

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use keydesk::Store;

pub const BIN: &str = env!("CARGO_BIN_EXE_keydesk");

/// `keydesk` on the database at `db` (a file, or a PostgreSQL URL), with
/// UTC as the local zone so times printed in the local offset are
/// predictable, in English whatever the developer's locale, and without the
/// developer's own config file.
pub fn keydesk(db: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(BIN);
    command.env("KEYDESK_DB", db).env("TZ", "UTC");
    command
        .env("XDG_CONFIG_HOME", NO_CONFIG_HOME)
        .env_remove("KEYDESK_CONFIG")
        .env("KEYDESK_LANG", "en");
    command
}

/// `keydesk` for commands that use no database (`gateway`, `config`), set
/// up as [`keydesk`] does otherwise.
pub fn keydesk_without_db() -> Command {
    let mut command = Command::new(BIN);
    command
        .env_remove("KEYDESK_DB")
        .env("XDG_CONFIG_HOME", NO_CONFIG_HOME)
        .env_remove("KEYDESK_CONFIG")
        .env("KEYDESK_LANG", "en");
    command
}

/// A new database in a temporary folder holding a key of each name.
pub fn database_with_keys(names: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let store = Store::open(&db).unwrap();
    for key in names {
        keydesk::KeyStore::create(&store, &name(key)).unwrap();
    }
    (dir, db)
}

/// A config folder without a config file: keydesk then finds none, whatever
/// the person running the tests keeps in theirs. Writable, and shared by the
/// tests: commands that change keys make the audit key file there.
pub const NO_CONFIG_HOME: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/keydesk-tests/config");

/// The audit key that `keydesk` commands run by [`keydesk`] seal with (its
/// file made on first use under [`NO_CONFIG_HOME`]): a store that writes to
/// a database beside them needs it too, since a keyed log refuses entries
/// without it.
pub fn cli_audit_key() -> keydesk::domain::AuditKey {
    use keydesk::cli::audit_key::{KeyFile, load};
    let path = Path::new(NO_CONFIG_HOME).join("keydesk").join("audit.key");
    load(&path, KeyFile::Create).unwrap().expect("made if missing")
}

/// Runs `command` with `stdin` as its input and collects its output.
pub fn run_with_stdin(command: &mut Command, stdin: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the keydesk binary starts");
    // A child may exit without reading its input (e.g. when the database
    // cannot be opened); a broken pipe here is not the test's concern.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The first well-formed key (valid checksum) in text read off a screen.
pub fn find_secret(screen: &str) -> Option<String> {
    screen
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find_map(|word| {
            (word.len() == 41 && word.starts_with("sk-") && keydesk::domain::secret::check_format(word).is_ok())
                .then(|| word.to_owned())
        })
}

/// A key held in an upgrade fixture (`tests/fixtures/schema-vN.json`).
#[derive(serde::Deserialize, Debug, Clone)]
pub struct FixtureKey {
    pub id: String,
    pub name: String,
    pub secret: String,
    pub masked_key: String,
    pub created_at: String,
    pub last_used: Option<String>,
}

/// A private copy of the database fixture of schema `version` (so upgrading
/// it leaves the committed file alone), and the keys it holds.
pub fn fixture_copy(version: u64) -> (tempfile::TempDir, std::path::PathBuf, Vec<FixtureKey>) {
    #[derive(serde::Deserialize)]
    struct Fixture {
        keys: Vec<FixtureKey>,
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let json = std::fs::read_to_string(fixtures.join(format!("schema-v{version}.json"))).unwrap();
    let fixture: Fixture = serde_json::from_str(&json).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    std::fs::copy(fixtures.join(format!("schema-v{version}.redb")), &db).unwrap();
    #[cfg(unix)]
    std::fs::set_permissions(&db, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    (dir, db, fixture.keys)
}

/// Says that a test is skipped because something it needs is missing here.
/// Under CI (`CI` is set, as where `.ci/run` runs) a skip is a failure: CI
/// installs what the tests need and runs as root, so every test must run.
pub fn skip(reason: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "this test must run under CI, but: {reason}"
    );
    eprintln!("SKIPPED: {reason}");
}

/// How long a keydesk command that must stop by itself may run before the
/// test calls it hung: far above its real time, even on a loaded machine.
pub const RUN_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs `command` (no input) like `Command::output`, but kills it and fails
/// the test if it has not exited within [`RUN_LIMIT`]: for inputs that could
/// make keydesk block (a FIFO) or read without end (`/dev/zero`).
pub fn output_within_limit(command: &mut Command) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the keydesk binary starts");
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not exit within {RUN_LIMIT:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}
