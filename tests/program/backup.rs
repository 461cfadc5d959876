//! `keydesk backup` and `keydesk restore` on a redb file: a backup taken
//! while eight processes write is whole (it opens, its log checks, every key
//! that existed when it began verifies) and costs the writers nothing; a
//! restore checks before it touches anything and keeps what it replaces.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{keydesk, run_with_stdin};
use keydesk::KeyStore;
use redb::ReadableTable;

const WRITERS: usize = 8;
/// Keys made before the writers start.
const SEED_KEYS: usize = 12;
/// How many keys each writer makes before the backup, and after it.
const ROUNDS_AROUND_BACKUP: usize = 3;
/// The longest any wait on the writers may take, on a loaded machine.
const DEADLINE: Duration = Duration::from_secs(240);

/// Each process waits out the others patiently (see `cli_concurrency`).
fn run(db: &Path, args: &[&str], stdin: &str) -> Output {
    run_with_stdin(keydesk(db).env("KEYDESK_BUSY_TIMEOUT", "120s").args(args), stdin)
}

fn expect_ok(out: &Output, what: &str) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A key a writer made: its secret, its ID, its name after the rename, and
/// when its `create` returned.
#[derive(Clone)]
struct Made {
    secret: String,
    id: String,
    name: String,
    done: Instant,
}

fn create(db: &Path, name: &str) -> Made {
    let secret = expect_ok(&run(db, &["create", "--name", name, "--accept-terms"], ""), "create");
    let secret = secret.trim().to_owned();
    let done = Instant::now();
    let id = expect_ok(&run(db, &["verify"], &secret), "verify");
    let id = id.trim().to_owned();
    Made {
        secret,
        id,
        name: name.to_owned(),
        done,
    }
}

/// Eight threads, each running `keydesk create` then `keydesk rename` in a
/// loop until told to stop: at any moment up to eight writer processes.
struct Writers {
    stop: Arc<AtomicBool>,
    made: Arc<Mutex<Vec<Made>>>,
    rounds: Arc<Vec<AtomicUsize>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Writers {
    fn start(db: &Path) -> Writers {
        let stop = Arc::new(AtomicBool::new(false));
        let made = Arc::new(Mutex::new(Vec::new()));
        let rounds: Arc<Vec<AtomicUsize>> = Arc::new((0..WRITERS).map(|_| AtomicUsize::new(0)).collect());
        let threads = (0..WRITERS)
            .map(|w| {
                let (db, stop, made, rounds) = (db.to_owned(), stop.clone(), made.clone(), rounds.clone());
                std::thread::spawn(move || {
                    let mut i = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let mut key = create(&db, &format!("w{w}-{i}"));
                        let renamed = format!("w{w}-{i}-renamed");
                        expect_ok(&run(&db, &["rename", &key.id, &renamed], ""), "rename");
                        key.name = renamed;
                        made.lock().unwrap().push(key);
                        rounds[w].fetch_add(1, Ordering::Relaxed);
                        i += 1;
                    }
                })
            })
            .collect();
        Writers {
            stop,
            made,
            rounds,
            threads,
        }
    }

    /// Waits until every writer has finished `n` more rounds than `from`.
    fn wait_for_rounds(&self, from: &[usize], n: usize) {
        let started = Instant::now();
        while self.rounds().iter().zip(from).any(|(now, then)| now - then < n) {
            assert!(started.elapsed() < DEADLINE, "writers stuck at {:?}", self.rounds());
            assert!(self.threads.iter().all(|t| !t.is_finished()), "a writer failed");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn rounds(&self) -> Vec<usize> {
        self.rounds.iter().map(|r| r.load(Ordering::Relaxed)).collect()
    }

    fn stop(self) -> Vec<Made> {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads {
            thread.join().expect("a writer failed");
        }
        Arc::try_unwrap(self.made).ok().unwrap().into_inner().unwrap()
    }
}

#[test]
fn a_backup_taken_while_eight_processes_write_opens_checks_and_verifies_every_key_it_began_with() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let seeds: Vec<Made> = (0..SEED_KEYS).map(|i| create(&db, &format!("seed-{i}"))).collect();
    let writers = Writers::start(&db);
    writers.wait_for_rounds(&[0; WRITERS], ROUNDS_AROUND_BACKUP);

    let backup = dir.path().join("backup.redb");
    let began = Instant::now();
    let out = run(&db, &["backup", backup.to_str().unwrap()], "");
    let ended = Instant::now();
    let printed = expect_ok(&out, "backup");
    let after_backup = writers.rounds();
    writers.wait_for_rounds(&after_backup, ROUNDS_AROUND_BACKUP);
    let made = writers.stop();
    eprintln!(
        "{} keys made by {WRITERS} writers; the backup took {:.2} s and printed: {printed}",
        made.len(),
        (ended - began).as_secs_f32()
    );

    check_backup(&backup, &printed, &seeds, &made, (began, ended));
    check_live_file(&db, &seeds, &made);
}

/// The backup is private, opens, its log checks, it holds every key that
/// existed when it began (verifying) and none made after it ended, and it
/// says how many.
fn check_backup(backup: &Path, printed: &str, seeds: &[Made], made: &[Made], (began, ended): (Instant, Instant)) {
    let mode = std::fs::metadata(backup).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the backup is owner-only");
    let check = run(backup, &["log", "--check"], "");
    assert_eq!(
        check.status.code(),
        Some(0),
        "log --check on the backup: {}",
        stderr(&check)
    );
    let store = keydesk::Store::builder(backup).create_if_missing(false).open().unwrap();
    assert!(store.check_integrity().unwrap(), "redb's integrity check of the backup");
    let records = store.list().unwrap();
    let existed: Vec<&Made> = seeds.iter().chain(made.iter().filter(|m| m.done < began)).collect();
    for key in &existed {
        assert_eq!(
            store.verify(&key.secret).unwrap().map(|id| id.to_string()),
            Some(key.id.clone()),
            "{} existed when the backup began",
            key.name
        );
    }
    let made_after: Vec<&Made> = made.iter().filter(|m| m.done > ended).collect();
    assert!(!made_after.is_empty(), "the writers went on after the backup");
    for key in made_after {
        assert!(
            records.iter().all(|r| r.id.as_str() != key.id),
            "{} is from after the backup",
            key.name
        );
    }
    assert!(records.len() >= existed.len(), "{} < {}", records.len(), existed.len());
    let keys_line = format!("backed up {} keys and ", records.len());
    assert!(printed.starts_with(&keys_line), "{printed}");
    let schema = format!("(schema version {})", keydesk::store::SCHEMA_VERSION);
    assert!(printed.contains(&schema), "{printed}");
    assert!(printed.contains("audit chain intact; head "), "{printed}");
}

/// In the live file every writer's key is there once, under its new name,
/// and verifies; the log checks.
fn check_live_file(db: &Path, seeds: &[Made], made: &[Made]) {
    let check = run(db, &["log", "--check"], "");
    assert_eq!(check.status.code(), Some(0), "log --check: {}", stderr(&check));
    let store = keydesk::Store::builder(db).create_if_missing(false).open().unwrap();
    assert!(
        store.check_integrity().unwrap(),
        "redb's integrity check of the live file"
    );
    let records = store.list().unwrap();
    assert_eq!(
        records.len(),
        seeds.len() + made.len(),
        "every key is there exactly once"
    );
    for key in seeds.iter().chain(made) {
        let record = records.iter().find(|r| r.id.as_str() == key.id).unwrap();
        assert_eq!(record.name, key.name);
        assert_eq!(
            store.verify(&key.secret).unwrap().map(|id| id.to_string()),
            Some(key.id.clone())
        );
    }
}

/// A database holding a key of each name, and the keys.
fn database(dir: &Path, names: &[&str]) -> (PathBuf, Vec<Made>) {
    let db = dir.join("keys.redb");
    let keys = names.iter().map(|name| create(&db, name)).collect();
    (db, keys)
}

fn verifies(db: &Path, key: &Made) -> bool {
    run(db, &["verify"], &key.secret).status.code() == Some(0)
}

#[test]
fn backup_refuses_to_replace_a_file_without_force_and_replaces_it_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let (db, keys) = database(dir.path(), &["first-key"]);
    let backup = dir.path().join("backup.redb");
    std::fs::write(&backup, "not to be lost").unwrap();
    let refused = run(&db, &["backup", backup.to_str().unwrap()], "");
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("already exists"), "{}", stderr(&refused));
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), "not to be lost");

    let forced = run(&db, &["backup", "--force", backup.to_str().unwrap()], "");
    expect_ok(&forced, "backup --force");
    assert!(verifies(&backup, &keys[0]));
    // Nothing is left beside it: the temporary file was renamed.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    let onto_itself = run(&db, &["backup", "--force", db.to_str().unwrap()], "");
    assert_eq!(onto_itself.status.code(), Some(2));
    assert!(stderr(&onto_itself).contains("is the database itself"));
}

#[test]
fn restore_replaces_the_database_only_with_force_and_keeps_the_one_it_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (db, keys) = database(dir.path(), &["kept-key"]);
    let backup = dir.path().join("backup.redb");
    expect_ok(&run(&db, &["backup", backup.to_str().unwrap()], ""), "backup");
    let later = create(&db, "made-after-the-backup");

    let refused = run(&db, &["restore", backup.to_str().unwrap()], "");
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("add --force"), "{}", stderr(&refused));
    assert!(verifies(&db, &later), "a refused restore touches nothing");

    let out = run(&db, &["restore", "--force", backup.to_str().unwrap()], "");
    let printed = expect_ok(&out, "restore --force");
    assert!(printed.starts_with("restored 1 key and "), "{printed}");
    assert!(printed.contains("kept as"), "{printed}");
    assert!(verifies(&db, &keys[0]));
    assert!(!verifies(&db, &later), "the database is the backup's again");
    let kept = dir.path().join("keys.redb.before-restore");
    assert!(verifies(&kept, &later), "the replaced database is kept whole");
    expect_ok(&run(&db, &["log", "--check"], ""), "log --check after the restore");
    let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // A second restore would lose the kept file: refused until it is moved.
    let again = run(&db, &["restore", "--force", backup.to_str().unwrap()], "");
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("move it away first"), "{}", stderr(&again));
}

#[test]
fn restore_into_a_missing_database_creates_it_from_the_backup() {
    let dir = tempfile::tempdir().unwrap();
    let (db, keys) = database(dir.path(), &["moved-key"]);
    let backup = dir.path().join("backup.redb");
    expect_ok(&run(&db, &["backup", backup.to_str().unwrap()], ""), "backup");
    let elsewhere = dir.path().join("new-host").join("keys.redb");
    expect_ok(&run(&elsewhere, &["restore", backup.to_str().unwrap()], ""), "restore");
    assert!(verifies(&elsewhere, &keys[0]));
    assert!(!dir.path().join("new-host/keys.redb.before-restore").exists());
}

#[test]
fn a_backup_whose_audit_chain_is_broken_is_refused_and_the_database_is_not_touched() {
    let dir = tempfile::tempdir().unwrap();
    let (db, keys) = database(dir.path(), &["chain-key"]);
    let id = keys[0].id.clone();
    expect_ok(&run(&db, &["rename", &id, "renamed-once"], ""), "rename");
    let backup = dir.path().join("backup.redb");
    expect_ok(&run(&db, &["backup", backup.to_str().unwrap()], ""), "backup");
    // Someone edits entry 2's name in the backup.
    {
        let audit: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("audit");
        let file = redb::Database::open(&backup).unwrap();
        let txn = file.begin_write().unwrap();
        {
            let mut table = txn.open_table(audit).unwrap();
            let mut bytes = table.get(2).unwrap().unwrap().value().to_vec();
            let at = bytes.windows(12).position(|w| w == b"renamed-once").unwrap();
            bytes[at] = b'R';
            table.insert(2, bytes.as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let later = create(&db, "still-here");
    let before = std::fs::read(&db).unwrap();
    let out = run(&db, &["restore", "--force", backup.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("entry 2 was changed"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the database was not touched"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert!(verifies(&db, &later));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no copy or kept file is left: {names:?}");
}

#[test]
fn restore_refuses_a_file_that_is_not_a_keydesk_database() {
    let dir = tempfile::tempdir().unwrap();
    let (db, keys) = database(dir.path(), &["real-key"]);
    let junk = dir.path().join("junk.redb");
    std::fs::write(&junk, "hello").unwrap();
    std::fs::set_permissions(&junk, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = run(&db, &["restore", "--force", junk.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(verifies(&db, &keys[0]));
    assert!(!dir.path().join("keys.redb.before-restore").exists());
}

#[test]
fn backup_and_restore_of_a_postgres_database_point_at_pg_dump_and_pg_restore() {
    let url = "postgres://keydesk@db.example/keys";
    let backup = run(Path::new(url), &["backup", "/nonexistent/x"], "");
    assert_eq!(backup.status.code(), Some(2));
    assert!(
        stderr(&backup).contains("back it up with pg_dump"),
        "{}",
        stderr(&backup)
    );
    let restore = run(Path::new(url), &["restore", "/nonexistent/x"], "");
    assert_eq!(restore.status.code(), Some(2));
    assert!(stderr(&restore).contains("pg_restore"), "{}", stderr(&restore));
}

#[test]
fn backup_speaks_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = database(dir.path(), &["zh-key", "zh-key-2"]);
    let backup = dir.path().join("backup.redb");
    let out = run_with_stdin(
        keydesk(&db)
            .env("KEYDESK_LANG", "zh-CN")
            .args(["backup", backup.to_str().unwrap()]),
        "",
    );
    let printed = expect_ok(&out, "backup");
    assert!(printed.starts_with("已把 2 个密钥和"), "{printed}");
    assert!(printed.contains("审计链完整"), "{printed}");
}

#[test]
fn restoring_a_backup_of_an_older_schema_upgrades_the_restored_copy_and_leaves_the_backup_alone() {
    let (dir, backup, keys) = common::fixture_copy(5);
    let before = std::fs::read(&backup).unwrap();
    let db = dir.path().join("restored").join("keys.redb");
    let out = run(&db, &["restore", backup.to_str().unwrap()], "");
    let printed = expect_ok(&out, "restore");
    assert!(printed.contains("(schema version 5)"), "{printed}");
    let upgraded = format!("upgraded from version 5 to {}", keydesk::store::SCHEMA_VERSION);
    assert!(printed.contains(&upgraded), "{printed}");
    assert_eq!(std::fs::read(&backup).unwrap(), before, "the backup is only read");
    for key in &keys {
        let found = expect_ok(&run(&db, &["verify"], &key.secret), "verify");
        assert_eq!(found.trim(), key.id);
    }
    expect_ok(&run(&db, &["log", "--check"], ""), "log --check");
}
