//! What every storage backend must do, as tests written against the
//! [`KeyStore`] trait alone. A backend's test file implements [`Backend`] and
//! calls [`conformance_suite!`]; the suite runs unchanged for each.

#![allow(dead_code)] // each backend's test file uses the whole suite; other files none

use std::sync::Arc;
use std::time::Duration;

use keydesk_core::domain::SecretSlot;
use keydesk_core::store::{Clock, SecretUse};
use keydesk_core::{KeyId, KeyStore, StoreError};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::common::{manual_clock, name};

mod audit;
mod forgery;
mod lifecycle;
mod policy;
mod tokens;
mod usage;
pub use audit::*;
pub use forgery::*;
pub use lifecycle::*;
pub use policy::*;
pub use tokens::*;
pub use usage::*;

/// A store opened for one test.
pub struct Opened {
    pub store: Arc<dyn KeyStore>,
    /// The same keys opened anew, as another process would.
    pub reopen: Box<dyn Fn() -> Arc<dyn KeyStore>>,
    /// Whatever must outlive the test (a temporary directory, a server).
    pub _guard: Box<dyn std::any::Any>,
}

/// How a backend makes a new, empty store for a test.
pub trait Backend {
    /// A new, empty store reading the time from `clock`. It must wait out
    /// contention patiently enough for a loaded machine (tests check that it
    /// is waited out, not how fast).
    fn open(&self, clock: Clock) -> Opened;

    /// [`Backend::open`] with the store's changes recorded as `actor`'s.
    fn open_as(&self, clock: Clock, actor: keydesk_core::domain::Actor) -> Opened;

    /// A new, empty store sealing its audit log with `key`, with the stored
    /// log open to a forger's edits.
    fn open_sealed(&self, key: keydesk_core::domain::AuditKey) -> Sealed;
}

pub fn system_clock() -> Clock {
    Arc::new(OffsetDateTime::now_utc)
}

/// Expands to one `#[test]` per conformance check, run against `$backend`.
#[macro_export]
macro_rules! conformance_suite {
    ($backend:expr) => {
        #[test]
        fn create_list_get_rename_delete_round_trip() {
            conformance::create_list_get_rename_delete_round_trip(&$backend);
        }
        #[test]
        fn state_survives_reopening() {
            conformance::state_survives_reopening(&$backend);
        }
        #[test]
        fn verify_accepts_live_keys_and_refuses_everything_else() {
            conformance::verify_accepts_live_keys_and_refuses_everything_else(&$backend);
        }
        #[test]
        fn last_used_is_recorded_coalesced_per_minute_and_only_moves_forward() {
            conformance::last_used_is_recorded_coalesced_per_minute_and_only_moves_forward(&$backend);
        }
        #[test]
        fn change_counter_moves_on_every_write_and_only_then() {
            conformance::change_counter_moves_on_every_write_and_only_then(&$backend);
        }
        #[test]
        fn unknown_ids_are_not_found_and_change_nothing() {
            conformance::unknown_ids_are_not_found_and_change_nothing(&$backend);
        }
        #[test]
        fn concurrent_writers_all_succeed() {
            conformance::concurrent_writers_all_succeed(&$backend);
        }
        #[test]
        fn the_hash_index_matches_the_records() {
            conformance::the_hash_index_matches_the_records(&$backend);
        }
        #[test]
        fn batched_uses_only_move_forward_and_skip_deleted_keys() {
            conformance::batched_uses_only_move_forward_and_skip_deleted_keys(&$backend);
        }
        $crate::lifecycle_suite!($backend);
        $crate::audit_suite!($backend);
        $crate::forgery_suite!($backend);
        $crate::usage_suite!($backend);
        $crate::policy_suite!($backend);
        $crate::tokens_suite!($backend);
    };
}

pub fn create_list_get_rename_delete_round_trip(backend: &dyn Backend) {
    let opened = backend.open(system_clock());
    let store = &opened.store;
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

pub fn state_survives_reopening(backend: &dyn Backend) {
    let opened = backend.open(system_clock());
    let (secret, record) = opened.store.create(&name("persisted")).unwrap();
    let reopened = (opened.reopen)();
    assert_eq!(reopened.list().unwrap(), vec![record.clone()]);
    assert_eq!(reopened.verify(secret.expose()).unwrap(), Some(record.id));
}

pub fn verify_accepts_live_keys_and_refuses_everything_else(backend: &dyn Backend) {
    let opened = backend.open(system_clock());
    let store = &opened.store;
    let (secret, record) = store.create(&name("svc")).unwrap();
    let (other, _) = store.create(&name("other")).unwrap();
    assert_eq!(store.verify(secret.expose()).unwrap(), Some(record.id.clone()));

    // Well-formed but unknown: a freshly generated key never stored.
    let stranger = keydesk_core::SecretKey::generate();
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

pub fn last_used_is_recorded_coalesced_per_minute_and_only_moves_forward(backend: &dyn Backend) {
    let t0 = datetime!(2026-05-01 10:00:00 UTC);
    let (clock_fn, clock) = manual_clock(t0);
    let opened = backend.open(clock_fn);
    let store = &opened.store;
    let (secret, record) = store.create(&name("svc")).unwrap();
    let last_used = || store.get(&record.id).unwrap().unwrap().last_used;
    assert_eq!(last_used(), None);

    store.verify(secret.expose()).unwrap();
    assert_eq!(last_used(), Some(t0));

    // (Each verification is counted, so it writes; Last Used stays.)
    *clock.lock().unwrap() = t0 + Duration::from_secs(30);
    store.verify(secret.expose()).unwrap();
    assert_eq!(last_used(), Some(t0), "within the minute: Last Used stays");

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

pub fn change_counter_moves_on_every_write_and_only_then(backend: &dyn Backend) {
    let opened = backend.open(system_clock());
    let store = &opened.store;
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

pub fn unknown_ids_are_not_found_and_change_nothing(backend: &dyn Backend) {
    let opened = backend.open(system_clock());
    let store = &opened.store;
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

pub fn concurrent_writers_all_succeed(backend: &dyn Backend) {
    // What is tested is that contention is waited out, not how fast: each
    // backend's `open` must wait patiently enough for a loaded machine.
    let opened = backend.open(system_clock());
    let store = &opened.store;
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
}

pub fn the_hash_index_matches_the_records(backend: &dyn Backend) {
    let opened = backend.open(system_clock());
    let store = &opened.store;
    let mut expected = Vec::new();
    for i in 0..20 {
        let (secret, record) = store.create(&name(&format!("k{i}"))).unwrap();
        expected.push((secret.hash(), record.id));
    }
    store.delete(&expected.pop().unwrap().1).unwrap();
    let (counter, index) = store.load_hash_index().unwrap();
    assert_eq!(counter, store.change_counter().unwrap());
    assert!(
        index
            .iter()
            .all(|e| e.slot == SecretSlot::Current && e.not_after.is_none() && !e.disabled)
    );
    let mut index: Vec<_> = index.into_iter().map(|e| (e.hash, e.id)).collect();
    index.sort();
    expected.sort();
    assert_eq!(index, expected);
}

pub fn batched_uses_only_move_forward_and_skip_deleted_keys(backend: &dyn Backend) {
    let opened = backend.open(system_clock());
    let store = &opened.store;
    let t0 = datetime!(2026-05-01 10:00:00 UTC);
    let (a, b, gone) = (
        store.create(&name("aa")).unwrap().1,
        store.create(&name("bb")).unwrap().1,
        store.create(&name("cc")).unwrap().1,
    );
    store.delete(&gone.id).unwrap();
    let at = |r: &keydesk_core::KeyRecord, at| SecretUse {
        id: r.id.clone(),
        hash: r.hash,
        at,
    };
    let uses = [at(&a, t0), at(&b, t0), at(&gone, t0)];
    assert_eq!(store.record_uses(&uses).unwrap(), 2);
    assert_eq!(store.get(&a.id).unwrap().unwrap().last_used, Some(t0));
    assert_eq!(store.get(&gone.id).unwrap(), None, "a deleted key is not resurrected");

    let counter = store.change_counter().unwrap();
    let stale = [
        at(&a, t0 + Duration::from_secs(10)),
        at(&b, t0 - Duration::from_secs(600)),
    ];
    assert_eq!(store.record_uses(&stale).unwrap(), 0);
    assert_eq!(store.change_counter().unwrap(), counter, "nothing due: no write at all");
    assert_eq!(store.get(&b.id).unwrap().unwrap().last_used, Some(t0));
}
