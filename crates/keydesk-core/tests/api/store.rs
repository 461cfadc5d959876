//! The redb store: the conformance suite every backend passes, then what is
//! particular to an embedded file (permissions, foreign files, the lock).

use crate::common;
use crate::conformance;

use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{name, temp_store};
use keydesk_core::store::{Clock, RetryPolicy};
use keydesk_core::{KeyName, KeyRecord, KeyStore, Store, StoreError};
use time::macros::datetime;

/// A new database file in a temporary directory per test.
struct Redb;

impl conformance::Backend for Redb {
    fn open(&self, clock: Clock) -> conformance::Opened {
        self.open_as(
            clock,
            keydesk_core::domain::Actor::from_process(keydesk_core::domain::Interface::Library),
        )
    }

    fn open_as(&self, clock: Clock, actor: keydesk_core::domain::Actor) -> conformance::Opened {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.redb");
        // Tests check that contention is waited out, not how fast: four
        // writers on a loaded machine can queue past the default 2 s.
        let patient = RetryPolicy {
            window: Duration::from_secs(120),
            ..RetryPolicy::default()
        };
        let open = move || {
            Store::builder(&path)
                .retry(patient)
                .clock(clock.clone())
                .actor(actor.clone())
                .open()
                .unwrap()
        };
        conformance::Opened {
            store: Arc::new(open()),
            reopen: Box::new(move || Arc::new(open())),
            _guard: Box::new(dir),
        }
    }

    fn open_sealed(&self, key: keydesk_core::domain::AuditKey) -> conformance::Sealed {
        open_sealed_redb(key)
    }
}

fn open_sealed_redb(key: keydesk_core::domain::AuditKey) -> conformance::Sealed {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    let open = {
        let path = path.clone();
        move |key: Option<keydesk_core::domain::AuditKey>| -> Arc<dyn KeyStore> {
            Arc::new(Store::builder(&path).audit_key(key).open().unwrap())
        }
    };
    conformance::Sealed {
        store: open(Some(key)),
        with_key: Box::new(open),
        raw: Box::new(common::forgery::RedbLog(path)),
        _guard: Box::new(dir),
    }
}

conformance_suite!(Redb);

#[test]
fn the_database_file_never_contains_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    let store = Store::open(&path).unwrap();
    let mut secrets = Vec::new();
    for i in 0..50 {
        let (secret, record) = store.create(&name(&format!("key-{i}"))).unwrap();
        store.verify(secret.expose()).unwrap();
        if i % 2 == 0 {
            store.rename(&record.id, &name(&format!("renamed-{i}"))).unwrap();
        }
        secrets.push(secret.expose().to_owned());
    }
    let bytes = fs::read(&path).unwrap();
    for secret in &secrets {
        // The random middle alone: no 16-byte stretch of any secret may appear.
        let middle = &secret.as_bytes()[7..23];
        assert!(
            !bytes.windows(middle.len()).any(|w| w == middle),
            "secret material found in the file"
        );
    }
    // Sanity check that the scan can find things: names are stored in clear.
    assert!(bytes.windows(9).any(|w| w == b"renamed-0"));
}

#[cfg(unix)]
#[test]
fn files_and_directories_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/keys.redb");
    Store::open(&path).unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert_eq!(mode(path.parent().unwrap().parent().unwrap()), 0o700);
}

#[cfg(unix)]
#[test]
fn a_world_writable_database_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    Store::open(&path).unwrap().create(&name("x1")).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Insecure { .. }), "{err}");
    assert!(err.to_string().contains("chmod 600"), "{err}");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    for (i, content) in [&b"hello, this is my diary"[..], b"r", &[0u8; 8192], b"redb\x1a\x0a"]
        .iter()
        .enumerate()
    {
        let path = dir.path().join(format!("garbage-{i}"));
        fs::write(&path, content).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::NotADatabase { .. }), "{err}");
        assert!(err.to_string().contains("not a keydesk database"), "{err}");
        assert!(fs::read(&path).unwrap() == *content, "file {i} was modified");
    }
}

#[test]
fn a_foreign_redb_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.redb");
    {
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(redb::TableDefinition::<u64, u64>::new("orders"))
            .unwrap()
            .insert(1, 2)
            .unwrap();
        txn.commit().unwrap();
    }
    let before = fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::ForeignDatabase { .. }), "{err}");
    assert!(fs::read(&path).unwrap() == before, "file was modified");
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    Store::open(&path).unwrap().create(&name("from-the-future")).unwrap();
    {
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(redb::TableDefinition::<&str, u64>::new("keydesk_meta"))
            .unwrap()
            .insert("schema_version", 99)
            .unwrap();
        txn.commit().unwrap();
    }
    let before = fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NewerSchema { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("newer keydesk"), "{err}");
    assert!(fs::read(&path).unwrap() == before, "file changed");
}

#[test]
fn a_database_held_beyond_the_retry_window_reports_busy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    Store::open(&path).unwrap();
    let retry = RetryPolicy {
        window: Duration::from_millis(200),
        ..RetryPolicy::default()
    };
    let store = Store::builder(&path).retry(retry).open().unwrap();
    let held = redb::Database::open(&path).unwrap();
    let err = store.list().unwrap_err();
    assert!(matches!(err, StoreError::Busy { .. }), "{err}");
    assert!(err.to_string().contains("is busy"), "{err}");
    drop(held);
    assert!(store.list().unwrap().is_empty(), "usable again once released");
}

#[test]
fn a_briefly_held_database_is_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    let store = Store::open(&path).unwrap();
    let held = redb::Database::open(&path).unwrap();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(held);
    });
    store.create(&name("waited")).unwrap();
    releaser.join().unwrap();
}

#[test]
fn create_many_writes_every_key_in_one_transaction() {
    let (_dir, store) = temp_store();
    let t0 = datetime!(2026-06-01 09:00:00 UTC);
    let calls = Arc::new(Mutex::new(0i64));
    let counted = calls.clone();
    // A clock that moves a minute per reading: each key gets its own time.
    let store = Store::builder(store.path())
        .clock(Arc::new(move || {
            let mut n = counted.lock().unwrap();
            *n += 1;
            t0 + time::Duration::minutes(*n - 1)
        }))
        .open()
        .unwrap();
    let counter = store.change_counter().unwrap();
    assert!(store.create_many(&[]).unwrap().is_empty());
    assert_eq!(store.change_counter().unwrap(), counter, "nothing to create: no write");

    let names: Vec<KeyName> = (0..50).map(|i| name(&format!("bulk-{i:03}"))).collect();
    let created = store.create_many(&names).unwrap();
    assert_eq!(store.change_counter().unwrap(), counter + 1, "one transaction");
    assert_eq!(created.len(), 50);
    for (i, (secret, record)) in created.iter().enumerate() {
        assert_eq!(record.name, format!("bulk-{i:03}"));
        assert_eq!(record.created_at, t0 + time::Duration::minutes(i as i64));
        assert_eq!(record.masked, secret.masked());
        assert_eq!(store.verify(secret.expose()).unwrap(), Some(record.id.clone()));
    }
    let mut listed = store.list().unwrap();
    for record in &mut listed {
        record.last_used = None;
    }
    let mut expected: Vec<KeyRecord> = created.into_iter().map(|(_, r)| r).collect();
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(listed, expected);
    assert!(store.check_integrity().unwrap());
}

#[test]
fn a_database_deleted_while_in_use_is_reported_not_recreated() {
    let (dir, store) = temp_store();
    store.create(&name("gone-soon")).unwrap();
    let path = dir.path().join("keys.redb");
    fs::remove_file(&path).unwrap();
    for result in [store.list().map(|_| ()), store.create(&name("after")).map(|_| ())] {
        let err = result.unwrap_err();
        assert!(
            matches!(&err, StoreError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound),
            "{err}"
        );
    }
    assert_eq!(
        store
            .verify(keydesk_core::SecretKey::generate().expose())
            .ok()
            .flatten(),
        None
    );
    assert!(!path.exists(), "no empty database was created in its place");
}

/// `keydesk log --check`'s verdict on `store`: the chain breaks first at entry
/// `seq`, in the way `kind` says.
fn assert_chain_breaks_at(store: &Store, seq: u64, kind: keydesk_core::domain::BreakKind) {
    let expected = keydesk_core::domain::ChainBreak { seq, kind };
    assert_eq!(store.check_audit_chain().unwrap(), Some(expected));
}

/// The audit log of a fresh store after `changes` renames of one key
/// (`changes + 1` entries), and its path.
fn store_with_audit_entries(changes: usize) -> (tempfile::TempDir, std::path::PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    let store = Store::open(&path).unwrap();
    let (_, record) = store.create(&name("tamper-0")).unwrap();
    for i in 1..=changes {
        store.rename(&record.id, &name(&format!("tamper-{i}"))).unwrap();
    }
    (dir, path, store)
}

const AUDIT: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("audit");

/// Changes the audit table directly in the file, as someone with write access could.
fn tamper(path: &Path, change: impl FnOnce(&mut redb::Table<u64, &[u8]>)) {
    let db = redb::Database::open(path).unwrap();
    let txn = db.begin_write().unwrap();
    change(&mut txn.open_table(AUDIT).unwrap());
    txn.commit().unwrap();
}

fn entry_bytes(table: &redb::Table<u64, &[u8]>, seq: u64) -> Vec<u8> {
    use redb::ReadableTable;
    table.get(seq).unwrap().unwrap().value().to_vec()
}

#[test]
fn the_audit_check_names_an_entry_whose_bytes_were_edited() {
    use keydesk_core::domain::BreakKind;
    let (_dir, path, store) = store_with_audit_entries(6);
    assert_eq!(store.check_audit_chain().unwrap(), None);
    tamper(&path, |table| {
        let mut bytes = entry_bytes(table, 4);
        // The name "tamper-3" becomes "tamper-9": still decodes, reads plausibly.
        let at = bytes.windows(8).position(|w| w == b"tamper-3").unwrap();
        bytes[at + 7] = b'9';
        table.insert(4, bytes.as_slice()).unwrap();
    });
    assert_chain_breaks_at(&store, 4, BreakKind::Changed);
}

#[test]
fn the_audit_check_names_an_entry_that_was_removed_from_the_middle_or_the_end() {
    use keydesk_core::domain::BreakKind;
    let (_dir, path, store) = store_with_audit_entries(6);
    tamper(&path, |table| {
        table.remove(3).unwrap();
    });
    assert_chain_breaks_at(&store, 3, BreakKind::Removed);

    // Closing the gap by moving the later entries down does not hide it.
    let (_dir, path, store) = store_with_audit_entries(6);
    tamper(&path, |table| {
        for seq in 3..7 {
            let next = entry_bytes(table, seq + 1);
            table.insert(seq, next.as_slice()).unwrap();
        }
        table.remove(7).unwrap();
    });
    assert_chain_breaks_at(&store, 3, BreakKind::Removed);

    // Nor does cutting the newest entry off the end.
    let (_dir, path, store) = store_with_audit_entries(6);
    tamper(&path, |table| {
        table.remove(7).unwrap();
    });
    assert_chain_breaks_at(&store, 7, BreakKind::Removed);
}

#[test]
fn the_audit_check_names_an_entry_that_was_inserted() {
    use keydesk_core::domain::BreakKind;
    let (_dir, path, store) = store_with_audit_entries(6);
    // A genuine-looking entry (a copy of entry 2) slipped in as entry 3, the
    // later ones moved up to make room.
    tamper(&path, |table| {
        for seq in (3..=7).rev() {
            let bytes = entry_bytes(table, seq);
            table.insert(seq + 1, bytes.as_slice()).unwrap();
        }
        let copy = entry_bytes(table, 2);
        table.insert(3, copy.as_slice()).unwrap();
    });
    assert_chain_breaks_at(&store, 3, BreakKind::Inserted);

    // Appended after the newest entry.
    let (_dir, path, store) = store_with_audit_entries(6);
    tamper(&path, |table| {
        let copy = entry_bytes(table, 7);
        table.insert(8, copy.as_slice()).unwrap();
    });
    assert_chain_breaks_at(&store, 8, BreakKind::Inserted);
}

const AUDIT_BY_KEY: redb::TableDefinition<(&str, u64), ()> = redb::TableDefinition::new("audit_by_key");

/// Changes the audit log's key index directly in the file.
fn tamper_index(path: &Path, change: impl FnOnce(&mut redb::Table<(&str, u64), ()>)) {
    let db = redb::Database::open(path).unwrap();
    let txn = db.begin_write().unwrap();
    change(&mut txn.open_table(AUDIT_BY_KEY).unwrap());
    txn.commit().unwrap();
}

#[test]
fn every_entry_about_a_key_is_in_the_key_index_written_with_it() {
    use redb::{ReadableDatabase, ReadableTable};
    let (_dir, path, store) = store_with_audit_entries(3);
    let (_, other) = store.create(&name("other")).unwrap();
    let id = store.list().unwrap().into_iter().find(|r| r.id != other.id).unwrap().id;
    let db = redb::Database::open(&path).unwrap();
    let txn = db.begin_read().unwrap();
    let rows: Vec<(String, u64)> = txn
        .open_table(AUDIT_BY_KEY)
        .unwrap()
        .iter()
        .unwrap()
        .map(|row| {
            let row = row.unwrap();
            let (key, seq) = row.0.value();
            (key.to_owned(), seq)
        })
        .collect();
    let mut expected: Vec<(String, u64)> = (1..=4).map(|seq| (id.to_string(), seq)).collect();
    expected.push((other.id.to_string(), 5));
    expected.sort();
    assert_eq!(rows, expected);
}

#[test]
fn the_audit_check_names_an_entry_missing_from_the_key_index_or_wrongly_in_it() {
    use keydesk_core::domain::{AuditQuery, BreakKind};
    let (_dir, path, store) = store_with_audit_entries(4);
    let id = store.list().unwrap()[0].id.clone();
    // A row removed: entry 3 would vanish from the key's history, though the
    // chain itself is untouched.
    tamper_index(&path, |index| {
        index.remove((id.as_str(), 3)).unwrap();
    });
    assert_chain_breaks_at(&store, 3, BreakKind::Unindexed);
    let history = store
        .audit_entries(&AuditQuery {
            key: Some(id.clone()),
            ..AuditQuery::default()
        })
        .unwrap();
    assert_eq!(history.len(), 4, "the index is read for history, the chain is checked");

    // A row naming another key's entry: refused on reading, named by the check.
    let (_dir, path, store) = store_with_audit_entries(2);
    let (_, other) = store.create(&name("other")).unwrap();
    tamper_index(&path, |index| {
        index.insert((other.id.as_str(), 2), ()).unwrap();
    });
    assert_chain_breaks_at(&store, 2, BreakKind::Unindexed);
    let query = AuditQuery {
        key: Some(other.id.clone()),
        ..AuditQuery::default()
    };
    let err = store.audit_entries(&query).unwrap_err();
    assert!(err.to_string().contains("log --check"), "{err}");
}

#[test]
fn a_chain_break_is_reported_before_any_index_disagreement() {
    use keydesk_core::domain::BreakKind;
    let (_dir, path, store) = store_with_audit_entries(4);
    let id = store.list().unwrap()[0].id.clone();
    tamper_index(&path, |index| {
        index.remove((id.as_str(), 2)).unwrap();
    });
    tamper(&path, |table| {
        table.remove(4).unwrap();
    });
    assert_chain_breaks_at(&store, 4, BreakKind::Removed);
}

// The code `examples/populate.rs` and the benchmarks build databases with.
#[allow(dead_code)] // the usage counts part is not used here
#[path = "../../../../benches/support/populate.rs"]
mod populate;

/// The bound on a database's size per key, with each key's create entry and
/// its key-index row. The file's size is deterministic for a given build of
/// keys, so it is asserted, not measured.
const MAX_BYTES_PER_KEY: u64 = 400;

#[test]
fn a_database_of_ten_thousand_keys_built_like_populate_stays_within_the_size_bound() {
    let (dir, store) = temp_store();
    populate::populate(&store, 10_000).unwrap();
    let size = fs::metadata(dir.path().join("keys.redb")).unwrap().len();
    assert!(
        size <= 10_000 * MAX_BYTES_PER_KEY,
        "{size} bytes = {} bytes per key (bound: {MAX_BYTES_PER_KEY})",
        size / 10_000
    );
    assert_eq!(store.check_audit_chain().unwrap(), None);
}

#[test]
fn keys_added_in_bulk_to_a_filled_database_are_whole_and_indexed() {
    let (_dir, store) = temp_store();
    let (_, single) = store.create(&name("single")).unwrap();
    let first = populate::populate(&store, 1_500).unwrap();
    store.rename(&single.id, &name("single-renamed")).unwrap();
    let second = populate::populate(&store, 1_500).unwrap();
    // Keys of both batches (a sample: each check opens the file), whatever
    // the order their IDs fall in; the chain check below reads every row.
    for secret in first.iter().chain(&second).step_by(50) {
        let id = store
            .verify(secret.expose())
            .unwrap()
            .expect("a bulk-added key verifies");
        let history = store
            .audit_entries(&keydesk_core::domain::AuditQuery {
                key: Some(id.clone()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(history.len(), 1, "{id}: its create entry, found through the index");
    }
    assert_eq!(store.list().unwrap().len(), 3_001);
    assert_eq!(
        store.check_audit_chain().unwrap(),
        None,
        "the chain holds and the index agrees"
    );
    assert!(store.check_integrity().unwrap());
}

#[test]
fn peeking_at_the_schema_reads_the_version_and_reports_a_held_or_foreign_file_without_writing() {
    use keydesk_core::store::{SCHEMA_VERSION, SchemaPeek};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    Store::open(&path).unwrap();
    let quick = RetryPolicy {
        window: Duration::from_millis(200),
        ..RetryPolicy::default()
    };
    assert_eq!(
        Store::peek_schema(&path, &quick).unwrap(),
        SchemaPeek::Version(SCHEMA_VERSION)
    );

    let held = redb::Database::open(&path).unwrap();
    let error = Store::peek_schema(&path, &quick).unwrap_err();
    assert!(matches!(error, StoreError::Busy { .. }), "{error:?}");
    drop(held);

    let foreign = dir.path().join("other.redb");
    let db = redb::Database::create(&foreign).unwrap();
    let txn = db.begin_write().unwrap();
    txn.open_table(redb::TableDefinition::<&str, u64>::new("theirs"))
        .unwrap()
        .insert("x", 1)
        .unwrap();
    txn.commit().unwrap();
    drop(db);
    let before = fs::read(&foreign).unwrap();
    let error = Store::peek_schema(&foreign, &quick).unwrap_err();
    assert!(matches!(error, StoreError::ForeignDatabase { .. }), "{error:?}");
    assert_eq!(fs::read(&foreign).unwrap(), before);
}
