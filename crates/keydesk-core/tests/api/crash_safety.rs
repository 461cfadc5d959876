//! Kill a process mid-write, many times, and check that nothing it reported
//! is lost and nothing half-written remains.
//!
//! The test re-runs its own binary as the victim (selected by an environment
//! variable), so the victim is an ordinary program using the library.

use std::collections::{BTreeSet, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common;
use keydesk_core::{KeyName, KeyStore, Store};
use rand::RngExt;

const VICTIM_ENV: &str = "KEYDESK_CRASH_VICTIM_DB";
const KILLS: usize = 25;

/// The victim: an endless stream of writes, each reported on stdout only
/// after it returned (that is, after its commit).
#[test]
#[ignore = "the victim process of the crash test: started only by it"]
fn victim_stream() {
    let db = std::env::var(VICTIM_ENV).expect("run by the crash test, which sets the database path");
    let store = Store::open(db).unwrap();
    let mut live: Vec<(String, keydesk_core::KeyId)> = Vec::new();
    for i in 0u64.. {
        let name = KeyName::parse(&format!("crash-{}-{i}", std::process::id())).unwrap();
        let (secret, record) = store.create(&name).unwrap();
        println!("created {} {}", secret.expose(), record.id);
        assert!(store.verify(secret.expose()).unwrap().is_some());
        store
            .rename(&record.id, &KeyName::parse(&format!("renamed-{i}")).unwrap())
            .unwrap();
        live.push((secret.expose().to_owned(), record.id));
        if i % 3 == 2 {
            let (_, id) = live.remove(0);
            // "deleting" first: a kill between the commit and "deleted" leaves
            // the key legitimately gone though never reported deleted.
            println!("deleting {id}");
            store.delete(&id).unwrap();
            println!("deleted {id}");
        }
    }
}

/// Every key the store holds has a newest audit entry that is not a delete
/// and names it as it is now (name and masked hint); every key the log says
/// exists but the store lacks was deleted by a logged delete. A change
/// without its entry, or an entry without its change, breaks one of these.
fn changes_and_audit_entries_agree(store: &Store, round: usize) {
    use keydesk_core::domain::{AuditEvent, AuditQuery};
    use std::collections::HashMap;
    assert_eq!(
        store.check_audit_chain().unwrap(),
        None,
        "round {round}: audit chain broken"
    );
    let mut newest = HashMap::new();
    for entry in store.audit_entries(&AuditQuery::default()).unwrap() {
        if let Some(key) = entry.key.clone() {
            newest.entry(key).or_insert(entry);
        }
    }
    let records = store.list().unwrap();
    for record in &records {
        let entry = newest.get(&record.id);
        let entry = entry.unwrap_or_else(|| panic!("round {round}: {} has no audit entry", record.id));
        assert_ne!(
            entry.event,
            AuditEvent::Deleted,
            "round {round}: {} logged deleted",
            record.id
        );
        assert_eq!(entry.name.as_ref(), Some(&record.name), "round {round}: {}", record.id);
        assert_eq!(
            entry.masked.as_ref(),
            Some(&record.masked),
            "round {round}: {}",
            record.id
        );
    }
    for (id, entry) in &newest {
        if !records.iter().any(|r| &r.id == id) {
            assert_eq!(
                entry.event,
                AuditEvent::Deleted,
                "round {round}: {id} gone without a delete entry"
            );
        }
    }
}

fn run_victim_and_kill(db: &Path, after: Duration) -> (Vec<(String, String)>, HashSet<String>) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(common::only(module_path!(), "victim_stream"))
        .arg("--ignored")
        .env(VICTIM_ENV, db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    child.kill().unwrap(); // SIGKILL on Unix: no destructors, no flush.
    child.wait().unwrap();
    let mut created = Vec::new();
    let mut maybe_deleted = HashSet::new();
    for line in BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["created", secret, id] => created.push((secret.to_string(), id.to_string())),
            ["deleting", id] | ["deleted", id] => {
                maybe_deleted.insert(id.to_string());
            }
            _ => {}
        }
    }
    (created, maybe_deleted)
}

#[test]
fn sigkill_at_random_points_loses_nothing_reported_and_leaves_no_half_records() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let mut rng = rand::rng();
    let mut total_created = 0;
    for round in 0..KILLS {
        let after = Duration::from_millis(rng.random_range(20..400));
        let (created, maybe_deleted) = run_victim_and_kill(&db, after);
        total_created += created.len();

        let store = Store::open(&db).unwrap_or_else(|e| panic!("round {round}: cannot open after kill: {e}"));
        assert!(
            store.check_integrity().unwrap(),
            "round {round}: integrity check failed"
        );
        for (secret, id) in &created {
            if !maybe_deleted.contains(id) {
                let verified = store.verify(secret).unwrap().map(|i| i.to_string());
                assert_eq!(verified.as_ref(), Some(id), "round {round}: a reported key was lost");
            }
        }
        // Records and the by_hash index always agree, in both directions.
        let records: BTreeSet<_> = store.list().unwrap().into_iter().map(|r| (r.hash, r.id)).collect();
        let (_, index) = store.load_hash_index().unwrap();
        let index: BTreeSet<_> = index.into_iter().map(|e| (e.hash, e.id)).collect();
        assert_eq!(records, index, "round {round}: records and index disagree");
        changes_and_audit_entries_agree(&store, round);
    }
    eprintln!("{KILLS} kills, {total_created} keys reported created, all accounted for");
    assert!(total_created > 0, "the victim never got to create a key");
}
