//! The store's promises, checked against real database files.

mod common;

use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{manual_clock, name, temp_store};
use keydesk::store::RetryPolicy;
use keydesk::{KeyId, KeyName, KeyRecord, KeyStore, Store, StoreError};
use time::macros::datetime;

#[test]
fn create_list_get_rename_delete_round_trip() {
    let (_dir, store) = temp_store();
    let (secret, created) = store.create(&name("生产-gateway_01")).unwrap();
    assert_eq!(created.name, "生产-gateway_01");
    assert_eq!(created.masked, secret.masked());
    assert_eq!(created.last_used, None);
    assert!(created.id.as_str().starts_with("ak-"));

    let listed = store.list().unwrap();
    assert_eq!(listed, vec![created.clone()]);
    assert_eq!(store.get(&created.id).unwrap(), Some(created.clone()));

    let renamed = store.rename(&created.id, &name("billing")).unwrap();
    assert_eq!(renamed.name, "billing");
    assert_eq!(renamed.hash, created.hash);
    assert_eq!(store.get(&created.id).unwrap().unwrap().name, "billing");

    let deleted = store.delete(&created.id).unwrap();
    assert_eq!(deleted.id, created.id);
    assert!(store.list().unwrap().is_empty());
    assert_eq!(store.get(&created.id).unwrap(), None);
}

#[test]
fn state_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    let (secret, record) = Store::open(&path).unwrap().create(&name("persisted")).unwrap();
    let reopened = Store::open(&path).unwrap();
    assert_eq!(reopened.list().unwrap(), vec![record.clone()]);
    assert_eq!(reopened.verify(secret.expose()).unwrap(), Some(record.id));
}

#[test]
fn verify_accepts_live_keys_and_refuses_everything_else() {
    let (_dir, store) = temp_store();
    let (secret, record) = store.create(&name("svc")).unwrap();
    let (other, _) = store.create(&name("other")).unwrap();
    assert_eq!(store.verify(secret.expose()).unwrap(), Some(record.id.clone()));

    // Well-formed but unknown: a freshly generated key never stored.
    let stranger = keydesk::SecretKey::generate();
    assert_eq!(store.verify(stranger.expose()).unwrap(), None);
    for malformed in [
        "",
        "sk-",
        "not a key",
        &secret.expose()[..40],
        &format!("{}x", secret.expose()),
    ] {
        assert_eq!(store.verify(malformed).unwrap(), None, "{malformed:?}");
    }

    store.delete(&record.id).unwrap();
    assert_eq!(
        store.verify(secret.expose()).unwrap(),
        None,
        "deleted keys never verify"
    );
    assert!(store.verify(other.expose()).unwrap().is_some(), "other keys unaffected");
}

#[test]
fn last_used_is_recorded_coalesced_per_minute_and_only_moves_forward() {
    let (_dir, store) = temp_store();
    let t0 = datetime!(2026-05-01 10:00:00 UTC);
    let (clock_fn, clock) = manual_clock(t0);
    let store = store.with_clock(clock_fn);
    let (secret, record) = store.create(&name("svc")).unwrap();
    let last_used = || store.get(&record.id).unwrap().unwrap().last_used;
    assert_eq!(last_used(), None);

    store.verify(secret.expose()).unwrap();
    assert_eq!(last_used(), Some(t0));
    let counter = store.change_counter().unwrap();

    *clock.lock().unwrap() = t0 + Duration::from_secs(30);
    store.verify(secret.expose()).unwrap();
    assert_eq!(last_used(), Some(t0), "within the minute: no write");
    assert_eq!(store.change_counter().unwrap(), counter, "no write means no change");

    *clock.lock().unwrap() = t0 + Duration::from_secs(61);
    store.verify(secret.expose()).unwrap();
    assert_eq!(last_used(), Some(t0 + Duration::from_secs(61)));

    *clock.lock().unwrap() = t0 - Duration::from_secs(3600);
    store.verify(secret.expose()).unwrap();
    assert_eq!(
        last_used(),
        Some(t0 + Duration::from_secs(61)),
        "a clock going back never rewinds it"
    );
}

#[test]
fn change_counter_moves_on_every_write_and_only_then() {
    let (_dir, store) = temp_store();
    let c0 = store.change_counter().unwrap();
    let (_, record) = store.create(&name("a1")).unwrap();
    let c1 = store.change_counter().unwrap();
    assert!(c1 > c0);
    store.list().unwrap();
    store.get(&record.id).unwrap();
    assert_eq!(store.change_counter().unwrap(), c1);
    store.rename(&record.id, &name("a2")).unwrap();
    let c2 = store.change_counter().unwrap();
    assert!(c2 > c1);
    store.delete(&record.id).unwrap();
    assert!(store.change_counter().unwrap() > c2);
    assert_eq!(store.load().unwrap().change_counter, store.change_counter().unwrap());
}

#[test]
fn unknown_ids_are_not_found_and_change_nothing() {
    let (_dir, store) = temp_store();
    store.create(&name("keep")).unwrap();
    let before = store.load().unwrap();
    let ghost = KeyId::generate();
    assert!(matches!(
        store.rename(&ghost, &name("x1")),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(store.delete(&ghost), Err(StoreError::NotFound { .. })));
    assert_eq!(
        store.load().unwrap(),
        before,
        "a failed write is rolled back, counter included"
    );
    let message = store.delete(&ghost).unwrap_err().to_string();
    assert_eq!(message, format!("no key with ID {ghost}"));
}

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
fn contending_threads_both_succeed_through_the_retry() {
    let (dir, _) = temp_store();
    // What is tested is that contention is waited out, not how fast: on a
    // loaded machine four writers can queue for longer than the default 2 s.
    let patient = RetryPolicy {
        window: Duration::from_secs(120),
        ..RetryPolicy::default()
    };
    let store = Store::open_with(dir.path().join("keys.redb"), patient).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    let (secret, record) = store.create(&name(&format!("t{t}-{i}"))).unwrap();
                    assert_eq!(store.verify(secret.expose()).unwrap(), Some(record.id));
                    store.list().unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(store.list().unwrap().len(), 100);
    assert!(store.check_integrity().unwrap());
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
    let store = Store::open_with(&path, retry).unwrap();
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
fn the_hash_index_matches_the_records() {
    let (_dir, store) = temp_store();
    let mut expected = Vec::new();
    for i in 0..20 {
        let (secret, record) = store.create(&name(&format!("k{i}"))).unwrap();
        expected.push((secret.hash(), record.id));
    }
    store.delete(&expected.pop().unwrap().1).unwrap();
    let (counter, mut index) = store.load_hash_index().unwrap();
    assert_eq!(counter, store.change_counter().unwrap());
    index.sort();
    expected.sort();
    assert_eq!(index, expected);
}

#[test]
fn batched_uses_only_move_forward_and_skip_deleted_keys() {
    let (_dir, store) = temp_store();
    let t0 = datetime!(2026-05-01 10:00:00 UTC);
    let (a, b, gone) = (
        store.create(&name("aa")).unwrap().1,
        store.create(&name("bb")).unwrap().1,
        store.create(&name("cc")).unwrap().1,
    );
    store.delete(&gone.id).unwrap();
    let uses = [(a.id.clone(), t0), (b.id.clone(), t0), (gone.id.clone(), t0)];
    assert_eq!(store.record_uses(&uses).unwrap(), 2);
    assert_eq!(store.get(&a.id).unwrap().unwrap().last_used, Some(t0));
    assert_eq!(store.get(&gone.id).unwrap(), None, "a deleted key is not resurrected");

    let counter = store.change_counter().unwrap();
    let stale = [
        (a.id.clone(), t0 + Duration::from_secs(10)),
        (b.id.clone(), t0 - Duration::from_secs(600)),
    ];
    assert_eq!(store.record_uses(&stale).unwrap(), 0);
    assert_eq!(store.change_counter().unwrap(), counter, "nothing due: no write at all");
    assert_eq!(store.get(&b.id).unwrap().unwrap().last_used, Some(t0));
}

#[test]
fn create_many_writes_every_key_in_one_transaction() {
    let (_dir, store) = temp_store();
    let t0 = datetime!(2026-06-01 09:00:00 UTC);
    let calls = Arc::new(Mutex::new(0i64));
    let counted = calls.clone();
    // A clock that moves a minute per reading: each key gets its own time.
    let store = store.with_clock(Arc::new(move || {
        let mut n = counted.lock().unwrap();
        *n += 1;
        t0 + time::Duration::minutes(*n - 1)
    }));
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
        store.verify(keydesk::SecretKey::generate().expose()).ok().flatten(),
        None
    );
    assert!(!path.exists(), "no empty database was created in its place");
}
