//! The audit log every backend must keep: one entry per change, written with
//! the change and never without it, carrying the actor the store was given.

use keydesk_core::domain::{Actor, AuditEntry, AuditEvent, AuditQuery, Interface, SshClient};
use keydesk_core::{KeyId, KeyStore, StoreError};
use time::OffsetDateTime;
use time::macros::datetime;

use super::Backend;
use crate::common::{manual_clock, name};

const T0: OffsetDateTime = datetime!(2026-05-01 10:00:00 UTC);

/// Expands to one `#[test]` per audit check, run against `$backend`.
#[macro_export]
macro_rules! audit_suite {
    ($backend:expr) => {
        #[test]
        fn every_change_writes_exactly_one_audit_entry_with_its_fields_and_actor() {
            conformance::every_change_writes_exactly_one_audit_entry_with_its_fields_and_actor(&$backend);
        }
        #[test]
        fn refused_and_failed_changes_write_no_audit_entry() {
            conformance::refused_and_failed_changes_write_no_audit_entry(&$backend);
        }
        #[test]
        fn audit_entries_survive_deleting_the_key_and_filter_by_key_and_time() {
            conformance::audit_entries_survive_deleting_the_key_and_filter_by_key_and_time(&$backend);
        }
        #[test]
        fn one_key_s_history_pages_newest_first_by_before_seq_and_limit() {
            conformance::one_key_s_history_pages_newest_first_by_before_seq_and_limit(&$backend);
        }
        #[test]
        fn an_untouched_audit_chain_checks_intact() {
            conformance::an_untouched_audit_chain_checks_intact(&$backend);
        }
    };
}

fn someone() -> Actor {
    Actor {
        user: Some("alice".to_owned()),
        uid: Some(1001),
        sudo_user: Some("bob".to_owned()),
        ssh_client: Some(SshClient {
            address: "203.0.113.7".to_owned(),
            port: 52114,
        }),
        interface: Interface::Cli,
        version: "9.9.9-test".to_owned(),
    }
}

fn all(store: &dyn KeyStore) -> Vec<AuditEntry> {
    store.audit_entries(&AuditQuery::default()).unwrap()
}

/// Asserts that exactly one entry was added since `before` entries, and returns it.
fn one_new(store: &dyn KeyStore, before: usize) -> AuditEntry {
    let entries = all(store);
    assert_eq!(entries.len(), before + 1, "exactly one entry per change: {entries:#?}");
    entries.into_iter().next().unwrap()
}

pub fn every_change_writes_exactly_one_audit_entry_with_its_fields_and_actor(backend: &dyn Backend) {
    let (clock, now) = manual_clock(T0);
    let opened = backend.open_as(clock, someone());
    let store = &*opened.store;
    assert!(all(store).is_empty(), "a new store has an empty log");
    let expiry = T0 + time::Duration::days(30);
    let (_, record) = store.create_expiring(&name("billing"), Some(expiry)).unwrap();
    let id = record.id.clone();
    let check = |n: usize, event: AuditEvent, name: &str| {
        let entry = one_new(store, n);
        assert_eq!(entry.seq, n as u64 + 1);
        assert_eq!(entry.event, event);
        assert_eq!(entry.key.as_ref(), Some(&id));
        assert_eq!(entry.name.as_deref(), Some(name));
        assert_eq!(entry.actor, someone());
        entry
    };
    let first = check(
        0,
        AuditEvent::Created {
            expires_at: Some(expiry),
            policy: String::new(),
        },
        "billing",
    );
    assert_eq!(first.at, T0);
    assert_eq!(first.masked.as_deref(), Some(record.masked.as_str()));
    assert_eq!(first.previous_hash, [0; 32], "the chain is anchored at the first entry");

    *now.lock().unwrap() = T0 + time::Duration::minutes(1);
    store.rename(&id, &name("billing-prod")).unwrap();
    let renamed = check(1, AuditEvent::Renamed { from: "billing".into() }, "billing-prod");
    assert_eq!(renamed.at, T0 + time::Duration::minutes(1));
    assert_ne!(renamed.previous_hash, [0; 32]);
    store.disable(&id).unwrap();
    check(2, AuditEvent::Disabled, "billing-prod");
    store.enable(&id).unwrap();
    check(3, AuditEvent::Enabled, "billing-prod");
    let (_, rotated) = store.rotate(&id, time::Duration::HOUR).unwrap();
    let grace_until = T0 + time::Duration::minutes(1) + time::Duration::HOUR;
    let entry = check(4, AuditEvent::Rotated { grace_until }, "billing-prod");
    assert_eq!(entry.masked.as_deref(), Some(rotated.masked.as_str()), "the new hint");
    store.set_expiry(&id, None).unwrap();
    check(5, AuditEvent::ExpiryChanged { expires_at: None }, "billing-prod");
    store.delete(&id).unwrap();
    check(6, AuditEvent::Deleted, "billing-prod");
}

pub fn refused_and_failed_changes_write_no_audit_entry(backend: &dyn Backend) {
    let (clock, now) = manual_clock(T0);
    let opened = backend.open_as(clock, someone());
    let store = &*opened.store;
    let (_, record) = store
        .create_expiring(&name("short"), Some(T0 + time::Duration::HOUR))
        .unwrap();
    let before = all(store);
    let unknown = KeyId::parse("ak-0000000000000000").unwrap();
    assert!(matches!(
        store.rename(&unknown, &name("x1")),
        Err(StoreError::NotFound { .. })
    ));
    assert!(store.delete(&unknown).is_err());
    assert!(store.disable(&unknown).is_err());
    assert!(store.rotate(&unknown, time::Duration::HOUR).is_err());
    assert!(
        store
            .create_expiring(&name("past"), Some(T0 - time::Duration::HOUR))
            .is_err()
    );
    *now.lock().unwrap() = T0 + time::Duration::HOUR;
    assert!(matches!(store.enable(&record.id), Err(StoreError::Refused { .. })));
    assert!(matches!(
        store.rotate(&record.id, time::Duration::HOUR),
        Err(StoreError::Refused { .. })
    ));
    assert!(store.set_expiry(&record.id, None).is_err());
    assert_eq!(all(store), before, "a refused change writes no entry");
    // A change that changes nothing is no event either.
    store.disable(&record.id).unwrap();
    let after_disable = all(store).len();
    store.disable(&record.id).unwrap();
    assert_eq!(
        all(store).len(),
        after_disable,
        "disabling a disabled key is not recorded again"
    );
}

pub fn audit_entries_survive_deleting_the_key_and_filter_by_key_and_time(backend: &dyn Backend) {
    let (clock, now) = manual_clock(T0);
    let opened = backend.open_as(clock, someone());
    let store = &*opened.store;
    let (_, a) = store.create(&name("alpha")).unwrap();
    *now.lock().unwrap() = T0 + time::Duration::days(2);
    let (_, b) = store.create(&name("beta")).unwrap();
    store.delete(&a.id).unwrap();
    let reopened = (opened.reopen)();
    let entries = all(&*reopened);
    let seqs: Vec<u64> = entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [3, 2, 1], "newest first, nothing dropped with the key");
    let of_a = |q: AuditQuery| reopened.audit_entries(&q).unwrap();
    let only_a = of_a(AuditQuery {
        key: Some(a.id.clone()),
        ..AuditQuery::default()
    });
    assert_eq!(
        only_a.iter().map(|e| e.event.action()).collect::<Vec<_>>(),
        ["delete", "create"]
    );
    let recent = of_a(AuditQuery {
        since: Some(T0 + time::Duration::days(1)),
        ..AuditQuery::default()
    });
    assert_eq!(recent.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 2]);
    let page = of_a(AuditQuery {
        before_seq: Some(3),
        limit: Some(1),
        ..AuditQuery::default()
    });
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [2]);
    assert_eq!(page[0].key.as_ref(), Some(&b.id));
}

pub fn an_untouched_audit_chain_checks_intact(backend: &dyn Backend) {
    let opened = backend.open_as(super::system_clock(), someone());
    let store = &*opened.store;
    assert_eq!(store.check_audit_chain().unwrap(), None, "an empty log is intact");
    for i in 0..5 {
        let (_, r) = store.create(&name(&format!("k-{i}"))).unwrap();
        store.rename(&r.id, &name(&format!("r-{i}"))).unwrap();
    }
    assert_eq!(store.check_audit_chain().unwrap(), None);
}

/// One key's history (what `log --key` and the TUI's History read, through
/// an index where the backend has one) is the same as filtering the whole
/// log: newest first, paged by `before_seq` and `limit`, with `since`.
pub fn one_key_s_history_pages_newest_first_by_before_seq_and_limit(backend: &dyn Backend) {
    let (clock, now) = manual_clock(T0);
    let opened = backend.open_as(clock, someone());
    let store = &*opened.store;
    let (_, a) = store.create(&name("alpha")).unwrap();
    let (_, b) = store.create(&name("beta")).unwrap();
    for i in 0..5 {
        *now.lock().unwrap() = T0 + time::Duration::hours(i + 1);
        store.rename(&a.id, &name(&format!("alpha-{i}"))).unwrap();
        store.rename(&b.id, &name(&format!("beta-{i}"))).unwrap();
    }
    store.delete(&b.id).unwrap();
    let query = |key: &KeyId, before_seq, limit, since| AuditQuery {
        key: Some(key.clone()),
        before_seq,
        limit,
        since,
    };
    let seqs = |q: AuditQuery| -> Vec<u64> { store.audit_entries(&q).unwrap().iter().map(|e| e.seq).collect() };
    // a: 1 (create), then 3, 5, 7, 9, 11; b: 2, then 4, 6, 8, 10, 12, and 13 (delete).
    assert_eq!(seqs(query(&a.id, None, None, None)), [11, 9, 7, 5, 3, 1]);
    assert_eq!(
        seqs(query(&b.id, None, None, None)),
        [13, 12, 10, 8, 6, 4, 2],
        "kept after the delete"
    );
    assert_eq!(seqs(query(&a.id, None, Some(2), None)), [11, 9]);
    assert_eq!(seqs(query(&a.id, Some(9), Some(2), None)), [7, 5]);
    assert_eq!(seqs(query(&a.id, Some(3), Some(2), None)), [1]);
    assert_eq!(seqs(query(&a.id, Some(1), None, None)), Vec::<u64>::new());
    assert_eq!(seqs(query(&a.id, None, Some(0), None)), Vec::<u64>::new());
    let since = Some(T0 + time::Duration::hours(4));
    assert_eq!(seqs(query(&a.id, None, None, since)), [11, 9]);
    let unknown = KeyId::parse("ak-0000000000000000").unwrap();
    assert!(seqs(query(&unknown, None, None, None)).is_empty());
    for entry in store.audit_entries(&query(&a.id, None, None, None)).unwrap() {
        assert_eq!(entry.key.as_ref(), Some(&a.id));
    }
}
