//! The key lifecycle every backend must implement: expiry, disable/enable and
//! rotation with a grace period, judged against a clock the tests move.

use std::time::Duration;

use keydesk_core::domain::{KeyStatus, SecretSlot, Verdict};
use keydesk_core::store::{Change, Refused, SecretUse};
use keydesk_core::{KeyId, KeyStore, StoreError};
use time::OffsetDateTime;
use time::macros::datetime;

use super::{Backend, Opened};
use crate::common::{manual_clock, name};

const T0: OffsetDateTime = datetime!(2026-05-01 10:00:00 UTC);
const SECOND: Duration = Duration::from_secs(1);
const HOUR: time::Duration = time::Duration::HOUR;

/// Expands to one `#[test]` per lifecycle check, run against `$backend`.
#[macro_export]
macro_rules! lifecycle_suite {
    ($backend:expr) => {
        #[test]
        fn a_key_verifies_until_one_second_before_its_expiry_and_is_refused_at_it() {
            conformance::a_key_verifies_until_one_second_before_its_expiry_and_is_refused_at_it(&$backend);
        }
        #[test]
        fn an_expiry_can_be_set_moved_and_removed_before_it_is_reached() {
            conformance::an_expiry_can_be_set_moved_and_removed_before_it_is_reached(&$backend);
        }
        #[test]
        fn a_disabled_key_is_refused_until_it_is_enabled_again() {
            conformance::a_disabled_key_is_refused_until_it_is_enabled_again(&$backend);
        }
        #[test]
        fn rotation_keeps_the_key_and_both_secrets_verify_until_the_grace_ends() {
            conformance::rotation_keeps_the_key_and_both_secrets_verify_until_the_grace_ends(&$backend);
        }
        #[test]
        fn the_previous_secret_keeps_its_own_last_used() {
            conformance::the_previous_secret_keeps_its_own_last_used(&$backend);
        }
        #[test]
        fn a_second_rotation_during_a_grace_ends_the_older_grace_at_once() {
            conformance::a_second_rotation_during_a_grace_ends_the_older_grace_at_once(&$backend);
        }
        #[test]
        fn lifecycle_changes_that_are_not_allowed_are_refused_and_write_nothing() {
            conformance::lifecycle_changes_that_are_not_allowed_are_refused_and_write_nothing(&$backend);
        }
        #[test]
        fn the_hash_index_holds_each_verifiable_secret_with_its_end() {
            conformance::the_hash_index_holds_each_verifiable_secret_with_its_end(&$backend);
        }
        #[test]
        fn deleting_a_rotating_key_ends_both_secrets() {
            conformance::deleting_a_rotating_key_ends_both_secrets(&$backend);
        }
    };
}

/// A store on a manual clock at [`T0`], and the handle that moves it.
fn at_t0(backend: &dyn Backend) -> (Opened, std::sync::Arc<std::sync::Mutex<OffsetDateTime>>) {
    let (clock_fn, clock) = manual_clock(T0);
    (backend.open(clock_fn), clock)
}

fn set(clock: &std::sync::Mutex<OffsetDateTime>, at: OffsetDateTime) {
    *clock.lock().unwrap() = at;
}

pub fn a_key_verifies_until_one_second_before_its_expiry_and_is_refused_at_it(backend: &dyn Backend) {
    let (opened, clock) = at_t0(backend);
    let store = &opened.store;
    let expiry = T0 + Duration::from_secs(30 * 86_400);
    let (secret, record) = store.create_expiring(&name("short-lived"), Some(expiry)).unwrap();
    assert_eq!(record.expires_at, Some(expiry));
    assert_eq!(store.get(&record.id).unwrap().unwrap().expires_at, Some(expiry));

    set(&clock, expiry - SECOND);
    assert_eq!(store.verify(secret.expose()).unwrap(), Some(record.id.clone()));
    assert_eq!(record.status(expiry - SECOND), KeyStatus::Active);

    set(&clock, expiry);
    assert_eq!(store.verify(secret.expose()).unwrap(), None);
    assert_eq!(
        store.verify_explained(secret.expose()).unwrap(),
        Verdict::Expired {
            id: record.id.clone(),
            at: expiry
        }
    );
    assert_eq!(record.status(expiry), KeyStatus::Expired);
    assert_eq!(
        store.list().unwrap().len(),
        1,
        "an expired key stays listed until deleted"
    );
}

pub fn an_expiry_can_be_set_moved_and_removed_before_it_is_reached(backend: &dyn Backend) {
    let (opened, clock) = at_t0(backend);
    let store = &opened.store;
    let (secret, record) = store.create(&name("svc")).unwrap();
    assert_eq!(record.expires_at, None, "a new key never expires unless asked");

    let soon = T0 + HOUR;
    assert_eq!(store.set_expiry(&record.id, Some(soon)).unwrap().expires_at, Some(soon));
    let later = T0 + 2 * HOUR;
    store.set_expiry(&record.id, Some(later)).unwrap();
    set(&clock, soon);
    assert!(
        store.verify(secret.expose()).unwrap().is_some(),
        "the moved expiry counts"
    );
    store.set_expiry(&record.id, None).unwrap();
    set(&clock, later + HOUR * 1000);
    assert!(
        store.verify(secret.expose()).unwrap().is_some(),
        "no expiry: never expires"
    );
    assert_eq!(store.get(&record.id).unwrap().unwrap().expires_at, None);
}

pub fn a_disabled_key_is_refused_until_it_is_enabled_again(backend: &dyn Backend) {
    let (opened, clock) = at_t0(backend);
    let store = &opened.store;
    let (secret, record) = store.create(&name("svc")).unwrap();
    let (other, _) = store.create(&name("other")).unwrap();
    let counter = store.change_counter().unwrap();

    let disabled = store.disable(&record.id).unwrap();
    assert_eq!(disabled.disabled_at, Some(T0));
    assert_eq!(disabled.status(T0), KeyStatus::Disabled);
    assert!(
        store.change_counter().unwrap() > counter,
        "running verifiers must notice"
    );
    assert_eq!(store.verify(secret.expose()).unwrap(), None);
    assert_eq!(
        store.verify_explained(secret.expose()).unwrap(),
        Verdict::Disabled {
            id: record.id.clone(),
            since: T0
        }
    );
    assert!(store.verify(other.expose()).unwrap().is_some(), "other keys unaffected");

    set(&clock, T0 + HOUR);
    assert_eq!(
        store.disable(&record.id).unwrap().disabled_at,
        Some(T0),
        "disabling again keeps the original time"
    );
    let enabled = store.enable(&record.id).unwrap();
    assert_eq!(enabled.disabled_at, None);
    assert_eq!(enabled.status(T0 + HOUR), KeyStatus::Active);
    assert_eq!(store.verify(secret.expose()).unwrap(), Some(record.id.clone()));
    assert_eq!(
        store.get(&record.id).unwrap().unwrap().last_used,
        Some(T0 + HOUR),
        "a refused verification records no use; the accepted one does"
    );
}

pub fn rotation_keeps_the_key_and_both_secrets_verify_until_the_grace_ends(backend: &dyn Backend) {
    let (opened, clock) = at_t0(backend);
    let store = &opened.store;
    let expiry = T0 + 48 * HOUR;
    let (old, record) = store.create_expiring(&name("gateway"), Some(expiry)).unwrap();

    let (new, rotated) = store.rotate(&record.id, 24 * HOUR).unwrap();
    assert_ne!(new.expose(), old.expose());
    assert_eq!(rotated.id, record.id);
    assert_eq!(rotated.name, record.name);
    assert_eq!(rotated.created_at, record.created_at);
    assert_eq!(rotated.expires_at, Some(expiry), "rotation keeps the expiry");
    assert_eq!(rotated.masked, new.masked());
    assert_eq!(rotated.hash, new.hash());
    let previous = rotated.previous.clone().expect("the old secret is kept");
    assert_eq!(previous.masked, record.masked);
    assert_eq!(previous.grace_until, T0 + 24 * HOUR);
    assert_eq!(store.get(&record.id).unwrap(), Some(rotated.clone()));

    set(&clock, T0 + 24 * HOUR - SECOND);
    assert_eq!(store.verify(old.expose()).unwrap(), Some(record.id.clone()));
    assert_eq!(store.verify(new.expose()).unwrap(), Some(record.id.clone()));
    assert_eq!(
        store.verify_explained(old.expose()).unwrap(),
        Verdict::Valid {
            id: record.id.clone(),
            slot: SecretSlot::Previous
        }
    );

    set(&clock, T0 + 24 * HOUR);
    assert_eq!(store.verify(old.expose()).unwrap(), None, "refused at the grace end");
    assert_eq!(
        store.verify_explained(old.expose()).unwrap(),
        Verdict::GraceEnded {
            id: record.id.clone(),
            at: T0 + 24 * HOUR
        }
    );
    assert_eq!(store.verify(new.expose()).unwrap(), Some(record.id.clone()));
}

pub fn the_previous_secret_keeps_its_own_last_used(backend: &dyn Backend) {
    let (opened, clock) = at_t0(backend);
    let store = &opened.store;
    let (old, record) = store.create(&name("svc")).unwrap();
    store.verify(old.expose()).unwrap();
    set(&clock, T0 + HOUR);
    let (new, rotated) = store.rotate(&record.id, 24 * HOUR).unwrap();
    assert_eq!(rotated.previous.as_ref().unwrap().last_used, Some(T0));
    assert_eq!(rotated.last_used, None, "the new secret has not been used yet");

    set(&clock, T0 + 2 * HOUR);
    store.verify(old.expose()).unwrap();
    let record = store.get(&record.id).unwrap().unwrap();
    assert_eq!(record.previous.as_ref().unwrap().last_used, Some(T0 + 2 * HOUR));
    assert_eq!(record.last_used, None);

    set(&clock, T0 + 3 * HOUR);
    store.verify(new.expose()).unwrap();
    // A verifier's batch is written to the secret it saw.
    let batch = [SecretUse {
        id: record.id.clone(),
        hash: old.hash(),
        at: T0 + 4 * HOUR,
    }];
    assert_eq!(store.record_uses(&batch).unwrap(), 1);
    let record = store.get(&record.id).unwrap().unwrap();
    assert_eq!(record.last_used, Some(T0 + 3 * HOUR));
    assert_eq!(record.previous.unwrap().last_used, Some(T0 + 4 * HOUR));
}

pub fn a_second_rotation_during_a_grace_ends_the_older_grace_at_once(backend: &dyn Backend) {
    let (opened, clock) = at_t0(backend);
    let store = &opened.store;
    let (first, record) = store.create(&name("svc")).unwrap();
    let (second, _) = store.rotate(&record.id, 24 * HOUR).unwrap();
    set(&clock, T0 + HOUR);
    let (third, rotated) = store.rotate(&record.id, 24 * HOUR).unwrap();

    assert_eq!(
        store.verify(first.expose()).unwrap(),
        None,
        "the older grace ended at once"
    );
    assert_eq!(store.verify_explained(first.expose()).unwrap(), Verdict::Unknown);
    assert_eq!(store.verify(second.expose()).unwrap(), Some(record.id.clone()));
    assert_eq!(store.verify(third.expose()).unwrap(), Some(record.id.clone()));
    let previous = rotated.previous.unwrap();
    assert_eq!(previous.hash, second.hash());
    assert_eq!(previous.grace_until, T0 + 25 * HOUR);
    let (_, index) = store.load_hash_index().unwrap();
    assert_eq!(index.len(), 2, "at most one previous secret: {index:?}");
}

pub fn lifecycle_changes_that_are_not_allowed_are_refused_and_write_nothing(backend: &dyn Backend) {
    let (opened, clock) = at_t0(backend);
    let store = &opened.store;
    let (_, expiring) = store.create_expiring(&name("expiring"), Some(T0 + HOUR)).unwrap();
    let (_, gone) = store.create(&name("gone")).unwrap();
    store.delete(&gone.id).unwrap();
    set(&clock, T0 + HOUR);
    let before = store.load().unwrap();
    let unchanged = |what: &str| assert_eq!(store.load().unwrap(), before, "{what} wrote something");

    let ghost: &KeyId = &gone.id;
    for result in [
        store.disable(ghost).map(drop),
        store.enable(ghost).map(drop),
        store.set_expiry(ghost, None).map(drop),
        store.rotate(ghost, HOUR).map(drop),
    ] {
        assert!(matches!(result, Err(StoreError::NotFound { .. })), "{result:?}");
        unchanged("an action on a deleted key");
    }

    let refused = |result: Result<(), StoreError>, words: &str| {
        let error = result.unwrap_err();
        assert!(matches!(error, StoreError::Refused { .. }), "{error:?}");
        let message = error.to_string();
        assert!(message.contains(words), "{message}");
        unchanged(&message);
    };
    refused(store.enable(&expiring.id).map(drop), "cannot be enabled");
    refused(store.rotate(&expiring.id, HOUR).map(drop), "cannot be rotated");
    refused(
        store.set_expiry(&expiring.id, None).map(drop),
        "expired at 2026-05-01T11:00:00Z",
    );

    let (_, live) = store.create(&name("live")).unwrap();
    let before = store.load().unwrap();
    let past = store.set_expiry(&live.id, Some(T0)).unwrap_err();
    assert!(past.to_string().contains("must be in the future"), "{past}");
    let now = store.set_expiry(&live.id, Some(T0 + HOUR)).unwrap_err();
    assert!(now.to_string().contains("must be in the future"), "{now}");
    assert!(store.rotate(&live.id, -HOUR).is_err(), "a negative grace");
    assert!(store.create_expiring(&name("late"), Some(T0)).is_err());
    assert_eq!(store.load().unwrap(), before, "refused changes wrote something");
    refusals_say_why_as_data(store.as_ref(), &expiring.id, &live.id);
}

/// Every backend refuses with the same reason, which callers can match on
/// (and the front-ends word in either language).
fn refusals_say_why_as_data(store: &dyn KeyStore, expired: &KeyId, live: &KeyId) {
    let reason = |result: Result<(), StoreError>| match result {
        Err(StoreError::Refused { reason }) => reason,
        other => panic!("not a refusal: {other:?}"),
    };
    for (result, wanted) in [
        (store.enable(expired).map(drop), Change::Enable),
        (store.rotate(expired, HOUR).map(drop), Change::Rotate),
        (store.set_expiry(expired, None).map(drop), Change::NewExpiry),
    ] {
        let why = reason(result);
        assert!(
            matches!(&why, Refused::Expired { id, change, at } if id == expired.as_str() && *change == wanted && *at == T0 + HOUR),
            "{why:?}"
        );
    }
    let past = reason(store.set_expiry(live, Some(T0)).map(drop));
    assert!(
        matches!(&past, Refused::PastExpiry { id: Some(id), at, .. } if id == live.as_str() && *at == T0),
        "{past:?}"
    );
    assert_eq!(reason(store.rotate(live, -HOUR).map(drop)), Refused::NegativeGrace);
    let new_key = reason(store.create_expiring(&name("late"), Some(T0)).map(drop));
    assert!(matches!(new_key, Refused::PastExpiry { id: None, .. }), "{new_key:?}");
}

pub fn the_hash_index_holds_each_verifiable_secret_with_its_end(backend: &dyn Backend) {
    let (opened, _clock) = at_t0(backend);
    let store = &opened.store;
    let (plain, a) = store.create(&name("plain")).unwrap();
    let (old, b) = store.create_expiring(&name("rotating"), Some(T0 + 10 * HOUR)).unwrap();
    let (off, c) = store.create(&name("off")).unwrap();
    let (new, _) = store.rotate(&b.id, 24 * HOUR).unwrap();
    store.disable(&c.id).unwrap();

    let (_, mut index) = store.load_hash_index().unwrap();
    index.sort_by_key(|e| (e.id.clone(), e.slot));
    let mut expected = vec![
        (plain.hash(), a.id.clone(), SecretSlot::Current, None, false),
        (
            new.hash(),
            b.id.clone(),
            SecretSlot::Current,
            Some(T0 + 10 * HOUR),
            false,
        ),
        // The earlier of the grace end and the key's expiry.
        (
            old.hash(),
            b.id.clone(),
            SecretSlot::Previous,
            Some(T0 + 10 * HOUR),
            false,
        ),
        // A disabled key is there, marked, so that its refusals can be counted.
        (off.hash(), c.id.clone(), SecretSlot::Current, None, true),
    ];
    expected.sort_by_key(|e| (e.1.clone(), e.2));
    let index: Vec<_> = index
        .into_iter()
        .map(|e| (e.hash, e.id, e.slot, e.not_after, e.disabled))
        .collect();
    assert_eq!(index, expected);
}

pub fn deleting_a_rotating_key_ends_both_secrets(backend: &dyn Backend) {
    let (opened, _clock) = at_t0(backend);
    let store = &opened.store;
    let (old, record) = store.create(&name("svc")).unwrap();
    let (new, _) = store.rotate(&record.id, 24 * HOUR).unwrap();
    store.delete(&record.id).unwrap();
    assert_eq!(store.verify_explained(old.expose()).unwrap(), Verdict::Unknown);
    assert_eq!(store.verify_explained(new.expose()).unwrap(), Verdict::Unknown);
    assert!(store.load_hash_index().unwrap().1.is_empty());
}
