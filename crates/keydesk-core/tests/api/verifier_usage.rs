//! A running Verifier counts every presentation of a key's secret by outcome:
//! exactly, across threads, reloads, hour boundaries and flushes; a disabled
//! key's secrets are known to it (to count their refusals) and never verify.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::{manual_clock, name};
use keydesk_core::domain::{Hour, Outcome, UsageCounts, UsageQuery};
use keydesk_core::store::RetryPolicy;
use keydesk_core::verifier::Settings;
use keydesk_core::{KeyId, KeyStore, Store, Verifier};
use time::OffsetDateTime;
use time::macros::datetime;

fn store_at(clock: keydesk_core::store::Clock) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::builder(dir.path().join("keys.redb"))
        .clock(clock)
        .open()
        .unwrap();
    (dir, store)
}

/// A verifier that only reads the store, flushes or drains when told to.
fn never_polling(store: &Store, clock: keydesk_core::store::Clock) -> Verifier {
    let settings = Settings::default()
        .clock(clock)
        .poll_interval(Duration::from_secs(3600))
        .flush_interval(Duration::from_secs(3600));
    Verifier::with_settings(store.clone(), settings).unwrap()
}

fn total(store: &Store, id: &KeyId, now: OffsetDateTime) -> UsageCounts {
    let found = store.usage(&UsageQuery::last(Some(id.clone()), 400, 0, now)).unwrap();
    found.first().map(|(_, usage)| usage.total()).unwrap_or_default()
}

#[test]
fn a_million_checks_from_eight_threads_are_counted_exactly() {
    const THREADS: usize = 8;
    const PER_THREAD: usize = 125_000;
    // The writer waits for the file up to 20 s, not the default 2 s, beside
    // a verifier polling every millisecond: on a loaded machine a write once
    // waited 2.03 s. Counting is what is tested; a starved writer would wait
    // past any window.
    let dir = tempfile::tempdir().unwrap();
    let patient = RetryPolicy {
        window: Duration::from_secs(20),
        ..RetryPolicy::default()
    };
    let store = Store::builder(dir.path().join("keys.redb"))
        .retry(patient)
        .open()
        .unwrap();
    let (live_a, a) = store.create(&name("live-a")).unwrap();
    let (live_b, b) = store.create(&name("live-b")).unwrap();
    let (off, c) = store.create(&name("off")).unwrap();
    store.disable(&c.id).unwrap();
    let stranger = keydesk_core::SecretKey::generate();
    // Polls, reloads and flushes run all through the checks, so counts are
    // taken out of the index while threads are adding to it.
    let settings = Settings::default()
        .poll_interval(Duration::from_millis(1))
        .flush_interval(Duration::from_millis(5));
    let verifier = Arc::new(Verifier::with_settings(store.clone(), settings).unwrap());
    let secrets = Arc::new([
        live_a.expose().to_owned(),
        live_b.expose().to_owned(),
        off.expose().to_owned(),
        stranger.expose().to_owned(),
    ]);
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (verifier, secrets) = (verifier.clone(), secrets.clone());
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    verifier.verify(&secrets[(i + t) % 4]);
                }
            })
        })
        .collect();
    // Changes from elsewhere make the verifier reload its index mid-run.
    for i in 0..10 {
        store.create(&name(&format!("churn-{i}"))).unwrap();
    }
    for thread in threads {
        thread.join().unwrap();
    }
    Arc::into_inner(verifier).unwrap().close().unwrap();

    let now = OffsetDateTime::now_utc();
    let quarter = (THREADS * PER_THREAD / 4) as u32;
    assert_eq!(total(&store, &a.id, now), UsageCounts::of(Outcome::Accepted, quarter));
    assert_eq!(total(&store, &b.id, now), UsageCounts::of(Outcome::Accepted, quarter));
    assert_eq!(
        total(&store, &c.id, now),
        UsageCounts::of(Outcome::RefusedDisabled, quarter)
    );
    let everything = store.usage(&UsageQuery::last(None, 400, 0, now)).unwrap();
    assert_eq!(everything.len(), 3, "the unknown key is counted nowhere");
}

#[test]
fn uses_are_counted_in_the_hour_a_poll_saw_them_in_and_refusals_at_their_own() {
    let t0 = datetime!(2026-05-01 10:59:30 UTC);
    let (clock_fn, clock) = manual_clock(t0);
    let (_dir, store) = store_at(clock_fn.clone());
    let (live, a) = store.create(&name("live")).unwrap();
    let (short, b) = store
        .create_expiring(&name("short"), Some(t0 + time::Duration::minutes(5)))
        .unwrap();
    let verifier = never_polling(&store, clock_fn);
    for _ in 0..3 {
        verifier.verify(live.expose()).unwrap();
    }
    verifier.verify(short.expose()).unwrap();

    let t1 = datetime!(2026-05-01 11:05:00 UTC);
    *clock.lock().unwrap() = t1;
    verifier.refresh().unwrap();
    for _ in 0..2 {
        verifier.verify(live.expose()).unwrap();
    }
    assert_eq!(verifier.verify(short.expose()), None, "expired at 11:04:30");
    verifier.flush().unwrap();

    let hourly = |id: &KeyId| {
        let query = UsageQuery::last(Some(id.clone()), 1, 24, t1);
        store.usage(&query).unwrap().pop().unwrap().1.hourly
    };
    let (ten, eleven) = (Hour::of(t0), Hour::of(t1));
    let accepted = |n| UsageCounts::of(Outcome::Accepted, n);
    assert_eq!(hourly(&a.id), vec![(ten, accepted(3)), (eleven, accepted(2))]);
    assert_eq!(
        hourly(&b.id),
        vec![
            (ten, accepted(1)),
            (eleven, UsageCounts::of(Outcome::RefusedExpired, 1))
        ]
    );
}

#[test]
fn a_disabled_key_is_counted_and_never_verifies_until_enabled() {
    let t0 = datetime!(2026-05-01 10:00:00 UTC);
    let (clock_fn, clock) = manual_clock(t0);
    let (_dir, store) = store_at(clock_fn.clone());
    let (secret, record) = store.create(&name("svc")).unwrap();
    let (old, rotating) = store.create(&name("rotating")).unwrap();
    store.rotate(&rotating.id, time::Duration::HOUR).unwrap();
    store.disable(&record.id).unwrap();
    store.disable(&rotating.id).unwrap();
    let verifier = never_polling(&store, clock_fn);
    assert_eq!(verifier.health().keys, 3, "the disabled keys' secrets are in the index");
    for _ in 0..5 {
        assert_eq!(verifier.verify(secret.expose()), None);
    }
    assert_eq!(
        verifier.verify(old.expose()),
        None,
        "a previous secret of a disabled key"
    );
    // After its grace, the previous secret is refused for its end.
    *clock.lock().unwrap() = t0 + time::Duration::hours(2);
    assert_eq!(verifier.verify(old.expose()), None);

    store.enable(&record.id).unwrap();
    verifier.refresh().unwrap();
    assert_eq!(verifier.verify(secret.expose()), Some(record.id.clone()));
    verifier.flush().unwrap();

    let now = t0 + time::Duration::hours(2);
    let mut expected = UsageCounts::of(Outcome::RefusedDisabled, 5);
    expected.count(Outcome::Accepted, 1);
    assert_eq!(total(&store, &record.id, now), expected);
    let mut expected = UsageCounts::of(Outcome::RefusedDisabled, 1);
    expected.count(Outcome::RefusedPreviousEnded, 1);
    assert_eq!(total(&store, &rotating.id, now), expected);
}

#[test]
fn dropping_a_verifier_writes_its_counts() {
    let (_dir, store) = store_at(Arc::new(OffsetDateTime::now_utc));
    let (secret, record) = store.create(&name("svc")).unwrap();
    let verifier = never_polling(&store, Arc::new(OffsetDateTime::now_utc));
    for _ in 0..7 {
        verifier.verify(secret.expose()).unwrap();
    }
    drop(verifier);
    let now = OffsetDateTime::now_utc();
    assert_eq!(total(&store, &record.id, now), UsageCounts::of(Outcome::Accepted, 7));
}

#[test]
fn counts_that_cannot_be_written_are_kept_for_the_next_flush() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    let store = Store::open(&path).unwrap();
    let (secret, record) = store.create(&name("svc")).unwrap();
    let verifier = never_polling(&store, Arc::new(OffsetDateTime::now_utc));
    for _ in 0..4 {
        verifier.verify(secret.expose()).unwrap();
    }
    // The file is taken away: the flush fails and keeps what it held.
    let aside = dir.path().join("aside.redb");
    std::fs::rename(&path, &aside).unwrap();
    assert!(verifier.flush().is_err());
    std::fs::rename(&aside, &path).unwrap();
    verifier.verify(secret.expose()).unwrap();
    verifier.flush().unwrap();
    let now = OffsetDateTime::now_utc();
    assert_eq!(total(&store, &record.id, now), UsageCounts::of(Outcome::Accepted, 5));
}

/// `n` accepted, and `refused` refused by policy for each reason given.
fn policy_counts(accepted: u32, refused: &[(keydesk_core::domain::policy::Reason, u32)]) -> UsageCounts {
    let mut counts = UsageCounts::of(Outcome::Accepted, accepted);
    for &(reason, n) in refused {
        counts.count(Outcome::RefusedByPolicy(reason), n);
    }
    counts
}

#[test]
fn requests_refused_by_policy_count_as_refused_for_their_reason_not_as_accepted() {
    use keydesk_core::domain::policy::Reason;
    let t0 = datetime!(2026-05-01 10:00:00 UTC);
    let (clock_fn, _) = manual_clock(t0);
    let (_dir, store) = store_at(clock_fn.clone());
    let (secret, record) = store.create(&name("limited")).unwrap();
    let (other_secret, other) = store.create(&name("other")).unwrap();
    let verifier = never_polling(&store, clock_fn.clone());
    let id = verifier.verify(secret.expose()).unwrap();
    // 10 verified; 3 of them then refused for rate, 1 for model.
    for _ in 1..10 {
        verifier.verify(secret.expose()).unwrap();
    }
    for reason in [Reason::Rate, Reason::Rate, Reason::Model] {
        verifier.count_refusal(&id, reason);
    }
    verifier.verify(other_secret.expose()).unwrap();
    // Across a flush: the acceptance written before its refusal is counted.
    verifier.flush().unwrap();
    assert_eq!(
        total(&store, &record.id, t0),
        policy_counts(7, &[(Reason::Rate, 2), (Reason::Model, 1)])
    );
    verifier.count_refusal(&id, Reason::Rate);
    verifier.flush().unwrap();
    let expected = policy_counts(6, &[(Reason::Rate, 3), (Reason::Model, 1)]);
    assert_eq!(total(&store, &record.id, t0), expected);
    // Across a reload (a change elsewhere) and a verifier started anew.
    verifier.verify(secret.expose()).unwrap();
    store.create(&name("churn")).unwrap();
    verifier.refresh().unwrap();
    verifier.count_refusal(&id, Reason::Address);
    drop(verifier);
    let verifier = never_polling(&store, clock_fn);
    verifier.verify(secret.expose()).unwrap();
    verifier.count_refusal(&id, Reason::Concurrency);
    verifier.close().unwrap();
    let expected = policy_counts(
        6,
        &[
            (Reason::Rate, 3),
            (Reason::Model, 1),
            (Reason::Address, 1),
            (Reason::Concurrency, 1),
        ],
    );
    assert_eq!(total(&store, &record.id, t0), expected);
    assert_eq!(total(&store, &other.id, t0), UsageCounts::of(Outcome::Accepted, 1));
    let hourly = store
        .usage(&UsageQuery::last(Some(record.id.clone()), 1, 1, t0))
        .unwrap();
    assert_eq!(
        hourly[0].1.hourly,
        vec![(Hour::of(t0), expected)],
        "the hour's bucket too"
    );
}

#[test]
fn refusals_by_policy_from_eight_threads_beside_flushes_and_reloads_are_exact() {
    use keydesk_core::domain::policy::Reason;
    const THREADS: usize = 8;
    const PER_THREAD: usize = 20_000;
    let dir = tempfile::tempdir().unwrap();
    let patient = RetryPolicy {
        window: Duration::from_secs(20),
        ..RetryPolicy::default()
    };
    let store = Store::builder(dir.path().join("keys.redb"))
        .retry(patient)
        .open()
        .unwrap();
    let (secret, record) = store.create(&name("busy")).unwrap();
    let settings = Settings::default()
        .poll_interval(Duration::from_millis(1))
        .flush_interval(Duration::from_millis(5));
    let verifier = Arc::new(Verifier::with_settings(store.clone(), settings).unwrap());
    let secret = Arc::new(secret.expose().to_owned());
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let (verifier, secret) = (verifier.clone(), secret.clone());
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    let id = verifier.verify(&secret).unwrap();
                    // Every fourth request refused: by rate or by path.
                    match i % 8 {
                        0 => verifier.count_refusal(&id, Reason::Rate),
                        4 => verifier.count_refusal(&id, Reason::Path),
                        _ => {}
                    }
                }
            })
        })
        .collect();
    for i in 0..10 {
        store.create(&name(&format!("churn-{i}"))).unwrap();
    }
    for thread in threads {
        thread.join().unwrap();
    }
    Arc::into_inner(verifier).unwrap().close().unwrap();
    let all = (THREADS * PER_THREAD) as u32;
    let eighth = all / 8;
    assert_eq!(
        total(&store, &record.id, OffsetDateTime::now_utc()),
        policy_counts(all - 2 * eighth, &[(Reason::Rate, eighth), (Reason::Path, eighth)])
    );
}
