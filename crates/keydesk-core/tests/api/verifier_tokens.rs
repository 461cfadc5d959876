//! A running Verifier writes the tokens it was told of
//! (`Verifier::count_tokens`) with the request counts: exactly, across
//! threads and flushes, in the hour a poll saw, at drop, and again after a
//! flush that failed.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::{manual_clock, name};
use keydesk_core::domain::{Hour, TokenCounts, TokenUsage, UsageQuery};
use keydesk_core::store::RetryPolicy;
use keydesk_core::verifier::Settings;
use keydesk_core::{KeyStore, Store, Verifier};
use time::OffsetDateTime;
use time::macros::datetime;

fn answer(model: Option<&str>, input: u64, output: u64) -> TokenUsage {
    TokenUsage {
        model: model.map(str::to_owned),
        input,
        output,
        known: true,
        complete: true,
        ..TokenUsage::default()
    }
}

fn tokens(input: u64, output: u64, answers: u32) -> TokenCounts {
    TokenCounts {
        input,
        output,
        answers,
        ..TokenCounts::default()
    }
}

#[test]
fn tokens_from_eight_threads_beside_flushes_are_written_exactly_per_model() {
    const THREADS: usize = 8;
    const PER_THREAD: u64 = 5_000;
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
        .map(|t| {
            let (verifier, secret) = (verifier.clone(), secret.clone());
            std::thread::spawn(move || {
                let model = if t % 2 == 0 { "gpt-4o-mini" } else { "claude-3-5-haiku" };
                for _ in 0..PER_THREAD {
                    let id = verifier.verify(&secret).unwrap();
                    verifier.count_tokens(&id, &answer(Some(model), 3, 7));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    Arc::into_inner(verifier).unwrap().close().unwrap();
    let half = THREADS as u64 / 2 * PER_THREAD;
    let totals = store.token_totals(&record.id, Hour(0)).unwrap();
    assert_eq!(totals.since, tokens(6 * half, 14 * half, 2 * half as u32));
    assert_eq!(totals.lifetime, totals.since);
    let per_model = tokens(3 * half, 7 * half, half as u32);
    assert_eq!(
        totals.by_model,
        vec![
            (Some("claude-3-5-haiku".into()), per_model),
            (Some("gpt-4o-mini".into()), per_model),
        ]
    );
    let now = OffsetDateTime::now_utc();
    let usage = store
        .usage(&UsageQuery::last(Some(record.id.clone()), 2, 48, now))
        .unwrap();
    assert_eq!(usage[0].1.tokens_total(), totals.since);
    assert_eq!(usage[0].1.tokens_by_model(), totals.by_model);
}

#[test]
fn tokens_are_counted_in_the_hour_a_poll_saw_them_in() {
    let t0 = datetime!(2026-05-01 10:59:30 UTC);
    let (clock_fn, clock) = manual_clock(t0);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::builder(dir.path().join("keys.redb"))
        .clock(clock_fn.clone())
        .open()
        .unwrap();
    let (_, record) = store.create(&name("svc")).unwrap();
    let settings = Settings::default()
        .clock(clock_fn)
        .poll_interval(Duration::from_secs(3600))
        .flush_interval(Duration::from_secs(3600));
    let verifier = Verifier::with_settings(store.clone(), settings).unwrap();
    verifier.count_tokens(&record.id, &answer(None, 10, 1));
    let t1 = datetime!(2026-05-01 11:05:00 UTC);
    *clock.lock().unwrap() = t1;
    verifier.refresh().unwrap();
    let cut = TokenUsage {
        complete: false,
        ..answer(None, 4, 2)
    };
    verifier.count_tokens(&record.id, &cut);
    verifier.count_tokens(&record.id, &TokenUsage::default());
    verifier.close().unwrap();

    let usage = store
        .usage(&UsageQuery::last(Some(record.id.clone()), 1, 24, t1))
        .unwrap();
    let eleven = TokenCounts {
        incomplete: 2,
        unknown: 1,
        ..tokens(4, 2, 1)
    };
    assert_eq!(
        usage[0].1.tokens_hourly,
        vec![(Hour::of(t0), None, tokens(10, 1, 1)), (Hour::of(t1), None, eleven)]
    );
    assert_eq!(store.token_totals(&record.id, Hour::of(t1)).unwrap().since, eleven);
}

#[test]
fn dropping_a_verifier_writes_its_tokens() {
    let (_dir, store) = common::temp_store();
    let (_, record) = store.create(&name("svc")).unwrap();
    let verifier = Verifier::new(store.clone()).unwrap();
    verifier.count_tokens(&record.id, &answer(Some("m"), 5, 5));
    drop(verifier);
    assert_eq!(
        store.token_totals(&record.id, Hour(0)).unwrap().lifetime,
        tokens(5, 5, 1)
    );
}

#[test]
fn tokens_that_cannot_be_written_are_kept_for_the_next_flush() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    let store = Store::open(&path).unwrap();
    let (_, record) = store.create(&name("svc")).unwrap();
    let settings = Settings::default()
        .poll_interval(Duration::from_secs(3600))
        .flush_interval(Duration::from_secs(3600));
    let verifier = Verifier::with_settings(store.clone(), settings).unwrap();
    verifier.count_tokens(&record.id, &answer(Some("m"), 100, 20));
    // The file is taken away: the flush fails and keeps what it held.
    let aside = dir.path().join("aside.redb");
    std::fs::rename(&path, &aside).unwrap();
    assert!(verifier.flush().is_err());
    std::fs::rename(&aside, &path).unwrap();
    verifier.count_tokens(&record.id, &answer(Some("m"), 1, 2));
    verifier.flush().unwrap();
    let totals = store.token_totals(&record.id, Hour(0)).unwrap();
    assert_eq!(totals.lifetime, tokens(101, 22, 2));
    assert_eq!(totals.by_model, vec![(Some("m".into()), tokens(101, 22, 2))]);
}
