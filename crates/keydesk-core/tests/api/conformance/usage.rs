//! Usage counts every backend must keep: per key, per UTC hour and day, by
//! outcome; retention of 14 days of hours and 400 days of days, judged at the
//! store's clock; bulk disable and delete in one transaction.

use keydesk_core::domain::usage::{DAILY_RETENTION_DAYS, HOURLY_RETENTION_HOURS};
use keydesk_core::domain::{AuditEvent, AuditQuery, Day, Hour, KeyUsage, Outcome, UsageCounts, UsageDelta, UsageQuery};
use keydesk_core::store::SecretUse;
use keydesk_core::{KeyId, KeyStore, StoreError};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::{Backend, Opened};
use crate::common::{manual_clock, name};

const T0: OffsetDateTime = datetime!(2026-05-01 23:30:00 UTC);

/// Expands to one `#[test]` per usage check, run against `$backend`.
#[macro_export]
macro_rules! usage_suite {
    ($backend:expr) => {
        #[test]
        fn counts_land_in_their_utc_hour_and_day_across_boundaries() {
            conformance::counts_land_in_their_utc_hour_and_day_across_boundaries(&$backend);
        }
        #[test]
        fn verify_counts_each_presentation_of_a_key_by_its_outcome() {
            conformance::verify_counts_each_presentation_of_a_key_by_its_outcome(&$backend);
        }
        #[test]
        fn hours_are_kept_14_days_and_days_400_days_at_the_stores_clock() {
            conformance::hours_are_kept_14_days_and_days_400_days_at_the_stores_clock(&$backend);
        }
        #[test]
        fn counts_of_deleted_keys_are_skipped_and_deleting_a_key_removes_its_counts() {
            conformance::counts_of_deleted_keys_are_skipped_and_deleting_a_key_removes_its_counts(&$backend);
        }
        #[test]
        fn a_batch_writes_last_used_and_counts_together_and_nothing_when_empty() {
            conformance::a_batch_writes_last_used_and_counts_together_and_nothing_when_empty(&$backend);
        }
        #[test]
        fn usage_of_one_key_or_of_all_keys_in_id_order() {
            conformance::usage_of_one_key_or_of_all_keys_in_id_order(&$backend);
        }
        #[test]
        fn refusals_by_policy_are_kept_by_reason_and_take_back_their_acceptance() {
            conformance::refusals_by_policy_are_kept_by_reason_and_take_back_their_acceptance(&$backend);
        }
        #[test]
        fn bulk_disable_and_delete_are_all_or_nothing_with_one_audit_entry_per_key() {
            conformance::bulk_disable_and_delete_are_all_or_nothing_with_one_audit_entry_per_key(&$backend);
        }
    };
}

fn at_t0(backend: &dyn Backend) -> (Opened, std::sync::Arc<std::sync::Mutex<OffsetDateTime>>) {
    let (clock_fn, clock) = manual_clock(T0);
    (backend.open(clock_fn), clock)
}

fn set(clock: &std::sync::Mutex<OffsetDateTime>, at: OffsetDateTime) {
    *clock.lock().unwrap() = at;
}

fn delta(id: &KeyId, at: OffsetDateTime, outcome: Outcome, n: u32) -> UsageDelta {
    UsageDelta {
        id: id.clone(),
        hour: Hour::of(at),
        counts: UsageCounts::of(outcome, n),
    }
}

/// Everything retained for one key (hours and days), at `now`.
fn usage_of(store: &dyn KeyStore, id: &KeyId, now: OffsetDateTime) -> KeyUsage {
    let query = UsageQuery::last(
        Some(id.clone()),
        DAILY_RETENTION_DAYS + 1,
        HOURLY_RETENTION_HOURS + 1,
        now,
    );
    let mut found = store.usage(&query).unwrap();
    assert!(found.len() <= 1, "{found:?}");
    found
        .pop()
        .map(|(got, usage)| {
            assert_eq!(&got, id);
            usage
        })
        .unwrap_or_default()
}

fn accepted(n: u32) -> UsageCounts {
    UsageCounts::of(Outcome::Accepted, n)
}

pub fn counts_land_in_their_utc_hour_and_day_across_boundaries(backend: &dyn Backend) {
    let (opened, clock) = at_t0(backend);
    let store = &opened.store;
    let (_, key) = store.create(&name("svc")).unwrap();
    let (late, midnight, after) = (
        datetime!(2026-05-01 23:59:59 UTC),
        datetime!(2026-05-02 00:00:00 UTC),
        datetime!(2026-05-02 01:15:00 UTC),
    );
    set(&clock, after);
    let deltas = [
        delta(&key.id, late, Outcome::Accepted, 3),
        delta(&key.id, midnight, Outcome::Accepted, 5),
        delta(&key.id, after, Outcome::Accepted, 7),
        delta(&key.id, after, Outcome::RefusedDisabled, 2),
    ];
    store.record_usage(&[], &deltas).unwrap();
    // A second batch adds to the same buckets.
    store
        .record_usage(&[], &[delta(&key.id, late, Outcome::Accepted, 1)])
        .unwrap();

    let usage = usage_of(store.as_ref(), &key.id, after);
    let mut both = accepted(7);
    both.refused_disabled = 2;
    assert_eq!(
        usage.hourly,
        vec![
            (Hour::of(late), accepted(4)),
            (Hour::of(midnight), accepted(5)),
            (Hour::of(after), both),
        ]
    );
    assert_eq!(
        usage.daily,
        vec![
            (Day::of(late), accepted(4)),
            (Day::of(midnight), sum(&[accepted(5), both]))
        ]
    );
    assert_eq!(usage.total().accepted, 16);
    assert_eq!(usage.total().refused(), 2);
}

/// What a Verifier sends for requests that verified and were then refused
/// by their key's policy: the refusals in the same bucket as (and in the
/// same batch as, or a later one than) their acceptances.
pub fn refusals_by_policy_are_kept_by_reason_and_take_back_their_acceptance(backend: &dyn Backend) {
    use keydesk_core::domain::policy::Reason;
    let (opened, _) = at_t0(backend);
    let store = &opened.store;
    let (_, key) = store.create(&name("limited")).unwrap();
    let by = |reason| Outcome::RefusedByPolicy(reason);
    let mut first = accepted(10);
    first.count(by(Reason::Rate), 2);
    first.count(by(Reason::Method), 1);
    store
        .record_usage(
            &[],
            &[UsageDelta {
                id: key.id.clone(),
                hour: Hour::of(T0),
                counts: first,
            }],
        )
        .unwrap();
    // Acceptances written in an earlier batch are taken back all the same.
    store
        .record_usage(
            &[],
            &[
                delta(&key.id, T0, by(Reason::Address), 2),
                delta(&key.id, T0, by(Reason::Concurrency), 1),
            ],
        )
        .unwrap();
    let mut expected = accepted(4);
    for (reason, n) in [
        (Reason::Rate, 2),
        (Reason::Method, 1),
        (Reason::Address, 2),
        (Reason::Concurrency, 1),
    ] {
        expected.count(by(reason), n);
    }
    let usage = usage_of(store.as_ref(), &key.id, T0);
    assert_eq!(usage.hourly, vec![(Hour::of(T0), expected)]);
    assert_eq!(usage.daily, vec![(Day::of(T0), expected)]);
    assert_eq!(usage.total().refused(), 6);
    // Never below zero (nothing any Verifier sends, but a store must not
    // wrap): the bucket's accepted stops at 0.
    store
        .record_usage(&[], &[delta(&key.id, T0, by(Reason::Path), 9)])
        .unwrap();
    let total = usage_of(store.as_ref(), &key.id, T0).total();
    assert_eq!((total.accepted, total.by_policy(Reason::Path)), (0, 9));
    let reopened = (opened.reopen)();
    assert_eq!(usage_of(reopened.as_ref(), &key.id, T0).total(), total);
}

fn sum(counts: &[UsageCounts]) -> UsageCounts {
    counts.iter().fold(UsageCounts::default(), |a, b| a + *b)
}

pub fn verify_counts_each_presentation_of_a_key_by_its_outcome(backend: &dyn Backend) {
    let (opened, clock) = at_t0(backend);
    let store = &opened.store;
    let (live, a) = store.create(&name("live")).unwrap();
    let (off, b) = store.create(&name("off")).unwrap();
    let (short, c) = store
        .create_expiring(&name("short"), Some(T0 + Duration::minutes(10)))
        .unwrap();
    let (old, d) = store.create(&name("rotated")).unwrap();
    let (_, _) = store.rotate(&d.id, Duration::minutes(10)).unwrap();
    store.disable(&b.id).unwrap();

    for _ in 0..3 {
        assert!(store.verify(live.expose()).unwrap().is_some());
    }
    assert_eq!(store.verify(off.expose()).unwrap(), None);
    assert!(store.verify(short.expose()).unwrap().is_some());
    assert!(store.verify(old.expose()).unwrap().is_some(), "within its grace");
    set(&clock, T0 + Duration::minutes(20));
    assert_eq!(store.verify(short.expose()).unwrap(), None);
    assert_eq!(store.verify(short.expose()).unwrap(), None);
    assert_eq!(store.verify(old.expose()).unwrap(), None);
    // Unknown and malformed keys belong to no key and are counted nowhere.
    store.verify(keydesk_core::SecretKey::generate().expose()).unwrap();
    store.verify("sk-garbage").unwrap();

    let now = T0 + Duration::minutes(20);
    let total = |id| usage_of(store.as_ref(), id, now).total();
    assert_eq!(total(&a.id), accepted(3));
    assert_eq!(total(&b.id), UsageCounts::of(Outcome::RefusedDisabled, 1));
    assert_eq!(total(&c.id), accepted(1) + UsageCounts::of(Outcome::RefusedExpired, 2));
    assert_eq!(
        total(&d.id),
        accepted(1) + UsageCounts::of(Outcome::RefusedPreviousEnded, 1)
    );
    let all = UsageQuery::last(None, 30, 24, now);
    assert_eq!(store.usage(&all).unwrap().len(), 4, "nothing else was counted");
}

pub fn hours_are_kept_14_days_and_days_400_days_at_the_stores_clock(backend: &dyn Backend) {
    let (opened, clock) = at_t0(backend);
    let store = &opened.store;
    let (_, key) = store.create(&name("svc")).unwrap();
    store
        .record_usage(&[], &[delta(&key.id, T0, Outcome::Accepted, 1)])
        .unwrap();

    // The last hour still kept, then the first one dropped.
    let hours = |n: i64| T0 + Duration::hours(n);
    set(&clock, hours(i64::from(HOURLY_RETENTION_HOURS)));
    assert_eq!(usage_of(store.as_ref(), &key.id, hours(336)).hourly.len(), 1);
    set(&clock, hours(i64::from(HOURLY_RETENTION_HOURS) + 1));
    let usage = usage_of(store.as_ref(), &key.id, hours(337));
    assert_eq!(usage.hourly, vec![], "an hour older than 14 days is gone");
    assert_eq!(usage.daily, vec![(Day::of(T0), accepted(1))], "its day is kept");

    // A delta older than 14 days still adds to its day, not its hour.
    store
        .record_usage(&[], &[delta(&key.id, T0, Outcome::Accepted, 2)])
        .unwrap();
    let usage = usage_of(store.as_ref(), &key.id, hours(337));
    assert_eq!((usage.hourly, usage.daily), (vec![], vec![(Day::of(T0), accepted(3))]));

    let days = |n: i64| T0 + Duration::days(n);
    set(&clock, days(i64::from(DAILY_RETENTION_DAYS)));
    assert_eq!(
        usage_of(store.as_ref(), &key.id, days(400)).daily.len(),
        1,
        "day 400 is kept"
    );
    set(&clock, days(i64::from(DAILY_RETENTION_DAYS) + 1));
    assert_eq!(usage_of(store.as_ref(), &key.id, days(401)), KeyUsage::default());
    let counter = store.change_counter().unwrap();
    store
        .record_usage(&[], &[delta(&key.id, T0, Outcome::Accepted, 1)])
        .unwrap();
    assert_eq!(
        store.change_counter().unwrap(),
        counter,
        "a delta past every retention is not written"
    );
    assert_eq!(
        store.usage(&UsageQuery::last(None, 1000, 1000, days(401))).unwrap(),
        vec![]
    );
}

pub fn counts_of_deleted_keys_are_skipped_and_deleting_a_key_removes_its_counts(backend: &dyn Backend) {
    let (opened, _clock) = at_t0(backend);
    let store = &opened.store;
    let (_, kept) = store.create(&name("kept")).unwrap();
    let (_, gone) = store.create(&name("gone")).unwrap();
    let (_, ghost) = store.create(&name("ghost")).unwrap();
    store.delete(&ghost.id).unwrap();
    store
        .record_usage(
            &[],
            &[
                delta(&kept.id, T0, Outcome::Accepted, 1),
                delta(&gone.id, T0, Outcome::Accepted, 1),
                delta(&ghost.id, T0, Outcome::Accepted, 1),
            ],
        )
        .unwrap();
    store.delete(&gone.id).unwrap();
    let all = store.usage(&UsageQuery::last(None, 30, 24, T0)).unwrap();
    let ids: Vec<_> = all.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(ids, vec![kept.id.clone()]);
    assert_eq!(usage_of(store.as_ref(), &gone.id, T0), KeyUsage::default());
}

pub fn a_batch_writes_last_used_and_counts_together_and_nothing_when_empty(backend: &dyn Backend) {
    let (opened, _clock) = at_t0(backend);
    let store = &opened.store;
    let (_, key) = store.create(&name("svc")).unwrap();
    let counter = store.change_counter().unwrap();
    assert_eq!(store.record_usage(&[], &[]).unwrap(), 0);
    let zero = UsageDelta {
        counts: UsageCounts::default(),
        ..delta(&key.id, T0, Outcome::Accepted, 0)
    };
    assert_eq!(store.record_usage(&[], &[zero]).unwrap(), 0);
    assert_eq!(store.change_counter().unwrap(), counter, "nothing to write: no write");

    let used = SecretUse {
        id: key.id.clone(),
        hash: key.hash,
        at: T0,
    };
    let changed = store
        .record_usage(&[used], &[delta(&key.id, T0, Outcome::Accepted, 9)])
        .unwrap();
    assert_eq!(changed, 1);
    assert_eq!(store.get(&key.id).unwrap().unwrap().last_used, Some(T0));
    assert_eq!(usage_of(store.as_ref(), &key.id, T0).total(), accepted(9));
    assert!(
        store.change_counter().unwrap() > counter,
        "counts are a change like any other"
    );
}

pub fn usage_of_one_key_or_of_all_keys_in_id_order(backend: &dyn Backend) {
    let (opened, _clock) = at_t0(backend);
    let store = &opened.store;
    let mut ids: Vec<KeyId> = (0..5)
        .map(|i| store.create(&name(&format!("k{i}"))).unwrap().1.id)
        .collect();
    let deltas: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| delta(id, T0 - Duration::days(i as i64), Outcome::Accepted, i as u32 + 1))
        .collect();
    store.record_usage(&[], &deltas).unwrap();
    ids.sort();

    let all = store.usage(&UsageQuery::last(None, 30, 24, T0)).unwrap();
    assert_eq!(all.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(), ids);
    // The last 3 days hold the keys used 0, 1 and 2 days ago.
    let recent = store.usage(&UsageQuery::last(None, 3, 0, T0)).unwrap();
    let mut totals: Vec<u32> = recent.iter().map(|(_, u)| u.total().accepted).collect();
    totals.sort();
    assert_eq!(totals, [1, 2, 3]);
    assert!(recent.iter().all(|(_, u)| u.hourly.is_empty()), "no hours asked for");
    // An empty range finds nothing.
    let none = UsageQuery {
        key: None,
        days: Day(5)..Day(5),
        hours: Hour(5)..Hour(5),
    };
    assert_eq!(store.usage(&none).unwrap(), vec![]);
}

pub fn bulk_disable_and_delete_are_all_or_nothing_with_one_audit_entry_per_key(backend: &dyn Backend) {
    let (opened, _clock) = at_t0(backend);
    let store = &opened.store;
    let (a, b, c) = (
        store.create(&name("aa")).unwrap().1,
        store.create(&name("bb")).unwrap().1,
        store.create(&name("cc")).unwrap().1,
    );
    store.disable(&c.id).unwrap();
    let entries = || store.audit_entries(&AuditQuery::default()).unwrap();
    let before = (store.load().unwrap(), entries().len());

    let ghost = KeyId::generate();
    let refused = store.disable_many(&[a.id.clone(), ghost.clone(), b.id.clone()]);
    assert!(matches!(refused, Err(StoreError::NotFound { .. })), "{refused:?}");
    assert_eq!((store.load().unwrap(), entries().len()), before, "nothing written");

    let disabled = store.disable_many(&[a.id.clone(), b.id.clone(), c.id.clone()]).unwrap();
    assert!(disabled.iter().all(|r| r.disabled_at.is_some()));
    assert_eq!(
        disabled[2].disabled_at,
        c.disabled_at.or(Some(T0)),
        "already disabled: unchanged"
    );
    let new: Vec<_> = entries()[..2]
        .iter()
        .map(|e| (e.event.clone(), e.key.clone().unwrap()))
        .collect();
    assert_eq!(new.len(), 2);
    assert_eq!(entries().len(), before.1 + 2, "one entry per key that changed");
    assert!(new.iter().all(|(event, _)| *event == AuditEvent::Disabled));

    let before = (store.load().unwrap(), entries().len());
    assert!(store.delete_many(&[a.id.clone(), ghost]).is_err());
    assert_eq!((store.load().unwrap(), entries().len()), before, "nothing deleted");
    let deleted = store.delete_many(&[a.id.clone(), b.id.clone()]).unwrap();
    assert_eq!(deleted.len(), 2);
    assert_eq!(
        store.list().unwrap().iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        vec![c.id]
    );
    assert_eq!(entries().len(), before.1 + 2);
    assert!(entries()[..2].iter().all(|e| e.event == AuditEvent::Deleted));
    assert_eq!(store.delete_many(&[]).unwrap(), vec![]);
}
