//! Per-key policies every backend must keep: written with the key (or with
//! one audit entry per change, showing before and after), read back exactly,
//! across reopening; the same policy again writes nothing.

use keydesk_core::domain::{AuditEntry, AuditEvent, AuditQuery, Policy};
use keydesk_core::{KeyId, KeyStore, StoreError};
use time::OffsetDateTime;
use time::macros::datetime;

use super::Backend;
use crate::common::{manual_clock, name};

const T0: OffsetDateTime = datetime!(2026-05-01 10:00:00 UTC);

/// Expands to one `#[test]` per policy check, run against `$backend`.
#[macro_export]
macro_rules! policy_suite {
    ($backend:expr) => {
        #[test]
        fn a_key_created_with_a_policy_keeps_it_and_its_audit_entry_records_it() {
            conformance::a_key_created_with_a_policy_keeps_it_and_its_audit_entry_records_it(&$backend);
        }
        #[test]
        fn a_policy_is_set_changed_and_cleared_with_one_entry_each_showing_before_and_after() {
            conformance::a_policy_is_set_changed_and_cleared_with_one_entry_each_showing_before_and_after(&$backend);
        }
        #[test]
        fn setting_the_policy_a_key_has_writes_nothing() {
            conformance::setting_the_policy_a_key_has_writes_nothing(&$backend);
        }
        #[test]
        fn the_policy_of_a_missing_key_is_not_found_and_of_an_expired_or_disabled_one_may_change() {
            conformance::the_policy_of_a_missing_key_is_not_found_and_of_an_expired_or_disabled_one_may_change(
                &$backend,
            );
        }
    };
}

fn policy(text: &str) -> Policy {
    Policy::parse(text).unwrap()
}

fn entries(store: &dyn KeyStore) -> Vec<AuditEntry> {
    store.audit_entries(&AuditQuery::default()).unwrap()
}

pub fn a_key_created_with_a_policy_keeps_it_and_its_audit_entry_records_it(backend: &dyn Backend) {
    let (clock, _) = manual_clock(T0);
    let opened = backend.open(clock);
    let store = &*opened.store;
    let rules = policy("rpm=60 max-parallel=4 methods=GET,POST paths=/v1/* models=gpt-4o* ips=10.0.0.0/8");
    let expiry = T0 + time::Duration::days(30);
    let (secret, record) = store
        .create_with_policy(&name("limited"), Some(expiry), &rules)
        .unwrap();
    assert_eq!(record.policy, rules);
    assert_eq!(store.get(&record.id).unwrap().unwrap().policy, rules);
    let (_, plain) = store.create(&name("plain")).unwrap();
    assert_eq!(store.get(&plain.id).unwrap().unwrap().policy, Policy::default());
    // The key verifies as any other: a policy is for gateways.
    assert_eq!(store.verify(secret.expose()).unwrap(), Some(record.id.clone()));

    let log = entries(store);
    let created = log.iter().rev().find(|e| e.key.as_ref() == Some(&record.id)).unwrap();
    assert_eq!(
        created.event,
        AuditEvent::Created {
            expires_at: Some(expiry),
            policy: rules.to_string(),
        }
    );
    let reopened = (opened.reopen)();
    let listed = reopened.list().unwrap();
    let found = |id: &KeyId| listed.iter().find(|r| &r.id == id).unwrap().policy.clone();
    assert_eq!(found(&record.id), rules, "the policy survives reopening");
    assert_eq!(found(&plain.id), Policy::default());
    assert_eq!(entries(&*reopened), log, "and so does its audit entry");
    assert_eq!(reopened.check_audit_chain().unwrap(), None);
}

pub fn a_policy_is_set_changed_and_cleared_with_one_entry_each_showing_before_and_after(backend: &dyn Backend) {
    let (clock, now) = manual_clock(T0);
    let opened = backend.open(clock);
    let store = &*opened.store;
    let (_, record) = store.create(&name("gateway")).unwrap();
    let id = record.id.clone();
    let steps = [
        ("", "rpm=60"),
        ("rpm=60", "rps=5 rpm=60 methods=GET"),
        ("rps=5 rpm=60 methods=GET", ""),
    ];
    for (n, (from, to)) in steps.into_iter().enumerate() {
        *now.lock().unwrap() = T0 + time::Duration::minutes(n as i64 + 1);
        let (counter, before) = (store.change_counter().unwrap(), entries(store).len());
        let changed = store.set_policy(&id, &policy(to)).unwrap();
        assert_eq!(changed.policy, policy(to));
        assert_eq!(store.get(&id).unwrap().unwrap(), changed);
        assert_ne!(
            store.change_counter().unwrap(),
            counter,
            "running gateways must see the change"
        );
        let log = entries(store);
        assert_eq!(log.len(), before + 1, "one entry per change");
        assert_eq!(
            log[0].event,
            AuditEvent::PolicyChanged {
                from: from.into(),
                to: to.into()
            }
        );
        assert_eq!(log[0].event.action(), "policy");
        assert_eq!(log[0].key.as_ref(), Some(&id));
        assert_eq!(log[0].at, T0 + time::Duration::minutes(n as i64 + 1));
    }
    store.set_policy(&id, &policy("rpd=1000 models=llama3*")).unwrap();
    let reopened = (opened.reopen)();
    assert_eq!(
        reopened.get(&id).unwrap().unwrap().policy,
        policy("rpd=1000 models=llama3*")
    );
    assert_eq!(
        reopened.check_audit_chain().unwrap(),
        None,
        "policy entries are sealed in the chain"
    );
}

pub fn setting_the_policy_a_key_has_writes_nothing(backend: &dyn Backend) {
    let opened = backend.open(super::system_clock());
    let store = &*opened.store;
    let (_, plain) = store.create(&name("plain")).unwrap();
    let (_, limited) = store
        .create_with_policy(&name("limited"), None, &policy("rph=100"))
        .unwrap();
    let (counter, log) = (store.change_counter().unwrap(), entries(store));
    assert_eq!(store.set_policy(&plain.id, &Policy::default()).unwrap(), plain);
    // The same rules given another way are the same policy.
    let same = store.set_policy(&limited.id, &policy("  rph=100 ")).unwrap();
    assert_eq!(same, limited);
    assert_eq!(
        store.change_counter().unwrap(),
        counter,
        "no write, not even the counter"
    );
    assert_eq!(entries(store), log, "no audit entry");
}

pub fn the_policy_of_a_missing_key_is_not_found_and_of_an_expired_or_disabled_one_may_change(backend: &dyn Backend) {
    let (clock, now) = manual_clock(T0);
    let opened = backend.open(clock);
    let store = &*opened.store;
    let (_, gone) = store.create(&name("gone")).unwrap();
    store.delete(&gone.id).unwrap();
    let log = entries(store);
    let unknown = KeyId::parse("ak-0000000000000000").unwrap();
    for id in [&gone.id, &unknown] {
        assert!(matches!(
            store.set_policy(id, &policy("rpm=1")),
            Err(StoreError::NotFound { .. })
        ));
    }
    assert_eq!(entries(store), log, "a refused change writes no entry");

    let (_, short) = store
        .create_expiring(&name("short"), Some(T0 + time::Duration::HOUR))
        .unwrap();
    let (_, off) = store.create(&name("off")).unwrap();
    store.disable(&off.id).unwrap();
    *now.lock().unwrap() = T0 + time::Duration::DAY;
    for id in [&short.id, &off.id] {
        assert_eq!(
            store.set_policy(id, &policy("methods=GET")).unwrap().policy,
            policy("methods=GET")
        );
    }
}
