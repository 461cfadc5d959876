//! Token counts every backend must keep: per key, per UTC hour and day and
//! model, and per key for its life; 32 days of hours and 400 of days at the
//! store's clock; at most 16 models a bucket, the rest under "(other)";
//! gone with their key.

use keydesk_core::domain::token_counts::{MAX_MODELS_PER_BUCKET, OTHER_MODELS, TOKEN_HOURLY_RETENTION_HOURS};
use keydesk_core::domain::usage::DAILY_RETENTION_DAYS;
use keydesk_core::domain::{
    Day, Hour, KeyUsage, Outcome, TokenCounts, TokenDelta, TokenTotals, UsageCounts, UsageDelta, UsageQuery,
};
use keydesk_core::store::SecretUse;
use keydesk_core::{KeyId, KeyStore};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::{Backend, Opened};
use crate::common::{manual_clock, name};

const T0: OffsetDateTime = datetime!(2026-05-01 23:30:00 UTC);

/// Expands to one `#[test]` per token check, run against `$backend`.
#[macro_export]
macro_rules! tokens_suite {
    ($backend:expr) => {
        #[test]
        fn tokens_land_in_their_hour_day_and_model_and_in_the_lifetime() {
            conformance::tokens_land_in_their_hour_day_and_model_and_in_the_lifetime(&$backend);
        }
        #[test]
        fn token_hours_are_kept_32_days_days_400_and_the_lifetime_always() {
            conformance::token_hours_are_kept_32_days_days_400_and_the_lifetime_always(&$backend);
        }
        #[test]
        fn a_token_bucket_holds_16_models_and_the_rest_under_other() {
            conformance::a_token_bucket_holds_16_models_and_the_rest_under_other(&$backend);
        }
        #[test]
        fn tokens_of_deleted_keys_are_skipped_and_deleting_a_key_removes_its_tokens() {
            conformance::tokens_of_deleted_keys_are_skipped_and_deleting_a_key_removes_its_tokens(&$backend);
        }
        #[test]
        fn last_used_counts_and_tokens_are_written_in_one_batch() {
            conformance::last_used_counts_and_tokens_are_written_in_one_batch(&$backend);
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

fn tokens(input: u64, output: u64) -> TokenCounts {
    TokenCounts {
        input,
        output,
        answers: 1,
        ..TokenCounts::default()
    }
}

fn answer(id: &KeyId, at: OffsetDateTime, model: Option<&str>, counts: TokenCounts) -> TokenDelta {
    TokenDelta {
        id: id.clone(),
        hour: Hour::of(at),
        model: model.map(str::to_owned),
        counts,
    }
}

fn write(store: &dyn KeyStore, deltas: &[TokenDelta]) {
    store.record_usage_and_tokens(&[], &[], deltas).unwrap();
}

/// Everything retained for one key, at `now`.
fn usage_of(store: &dyn KeyStore, id: &KeyId, now: OffsetDateTime) -> KeyUsage {
    let query = UsageQuery::last(
        Some(id.clone()),
        DAILY_RETENTION_DAYS + 1,
        TOKEN_HOURLY_RETENTION_HOURS + 1,
        now,
    );
    let mut found = store.usage(&query).unwrap();
    assert!(found.len() <= 1, "{found:?}");
    found.pop().map(|(_, usage)| usage).unwrap_or_default()
}

pub fn tokens_land_in_their_hour_day_and_model_and_in_the_lifetime(backend: &dyn Backend) {
    let (opened, clock) = at_t0(backend);
    let store = opened.store.as_ref();
    let (_, key) = store.create(&name("svc")).unwrap();
    let (late, after) = (datetime!(2026-05-01 23:59:59 UTC), datetime!(2026-05-02 01:15:00 UTC));
    set(&clock, after);
    write(
        store,
        &[
            answer(&key.id, late, Some("gpt-4o"), tokens(10, 20)),
            answer(&key.id, late, None, tokens(1, 2)),
            answer(&key.id, after, Some("gpt-4o"), tokens(100, 200)),
            answer(&key.id, after, Some("claude"), tokens(5, 6)),
        ],
    );
    // A second batch adds to the same rows.
    write(store, &[answer(&key.id, late, Some("gpt-4o"), tokens(1, 1))]);

    let usage = usage_of(store, &key.id, after);
    let (h0, h1) = (Hour::of(late), Hour::of(after));
    let twice = TokenCounts {
        answers: 2,
        ..tokens(11, 21)
    };
    assert_eq!(
        usage.tokens_hourly,
        vec![
            (h0, None, tokens(1, 2)),
            (h0, Some("gpt-4o".into()), twice),
            (h1, Some("claude".into()), tokens(5, 6)),
            (h1, Some("gpt-4o".into()), tokens(100, 200)),
        ]
    );
    assert_eq!(
        usage.tokens_daily,
        vec![
            (Day::of(late), None, tokens(1, 2)),
            (Day::of(late), Some("gpt-4o".into()), twice),
            (Day::of(after), Some("claude".into()), tokens(5, 6)),
            (Day::of(after), Some("gpt-4o".into()), tokens(100, 200)),
        ]
    );
    let all = TokenCounts {
        answers: 5,
        ..tokens(117, 229)
    };
    assert_eq!(usage.tokens_lifetime, all);
    assert_eq!(usage.tokens_total(), all);
    assert!(usage.hourly.is_empty() && usage.daily.is_empty(), "no request counts");

    // Since the second hour: its models only; the lifetime whole.
    let since = store.token_totals(&key.id, h1).unwrap();
    let expected = TokenTotals {
        since: TokenCounts {
            answers: 2,
            ..tokens(105, 206)
        },
        by_model: vec![
            (Some("claude".into()), tokens(5, 6)),
            (Some("gpt-4o".into()), tokens(100, 200)),
        ],
        lifetime: all,
    };
    assert_eq!(since, expected);
    assert_eq!(store.token_totals(&key.id, h0).unwrap().since, all);
    // A key with only tokens is among every key's usage.
    let everyone = store.usage(&UsageQuery::last(None, 2, 48, after)).unwrap();
    assert_eq!(everyone.len(), 1);
    assert_eq!((opened.reopen)().token_totals(&key.id, h1).unwrap(), expected);
}

pub fn token_hours_are_kept_32_days_days_400_and_the_lifetime_always(backend: &dyn Backend) {
    let (opened, clock) = at_t0(backend);
    let store = opened.store.as_ref();
    let (_, key) = store.create(&name("svc")).unwrap();
    write(store, &[answer(&key.id, T0, Some("m"), tokens(3, 4))]);
    let hours = |n: u32| T0 + Duration::hours(i64::from(n));
    set(&clock, hours(TOKEN_HOURLY_RETENTION_HOURS));
    let usage = usage_of(store, &key.id, hours(TOKEN_HOURLY_RETENTION_HOURS));
    assert_eq!(usage.tokens_hourly.len(), 1, "the 32nd day's hour is kept");
    assert_eq!(store.token_totals(&key.id, Hour(0)).unwrap().since, tokens(3, 4));

    set(&clock, hours(TOKEN_HOURLY_RETENTION_HOURS + 1));
    let usage = usage_of(store, &key.id, hours(TOKEN_HOURLY_RETENTION_HOURS + 1));
    assert_eq!(usage.tokens_hourly, vec![], "an hour older than 32 days is gone");
    assert_eq!(usage.tokens_daily, vec![(Day::of(T0), Some("m".into()), tokens(3, 4))]);
    let totals = store.token_totals(&key.id, Hour(0)).unwrap();
    assert_eq!((totals.since, totals.lifetime), (TokenCounts::default(), tokens(3, 4)));

    // A delta older than 32 days adds to its day and the lifetime.
    write(store, &[answer(&key.id, T0, Some("m"), tokens(1, 1))]);
    let usage = usage_of(store, &key.id, hours(TOKEN_HOURLY_RETENTION_HOURS + 1));
    let both = TokenCounts {
        answers: 2,
        ..tokens(4, 5)
    };
    assert_eq!(usage.tokens_hourly, vec![]);
    assert_eq!(usage.tokens_daily, vec![(Day::of(T0), Some("m".into()), both)]);
    assert_eq!(usage.tokens_lifetime, both);

    // Past every retention: the lifetime still counts.
    let days = |n: u32| T0 + Duration::days(i64::from(n));
    set(&clock, days(DAILY_RETENTION_DAYS + 1));
    write(store, &[answer(&key.id, T0, Some("m"), tokens(1, 0))]);
    let totals = store.token_totals(&key.id, Hour(0)).unwrap();
    assert_eq!(
        totals.lifetime,
        TokenCounts {
            answers: 3,
            ..tokens(5, 5)
        }
    );
    assert_eq!(totals.since, TokenCounts::default());
    let usage = store.usage(&UsageQuery::last(None, 1000, 1000, days(DAILY_RETENTION_DAYS + 1)));
    assert_eq!(usage.unwrap(), vec![], "no bucket is kept");
}

pub fn a_token_bucket_holds_16_models_and_the_rest_under_other(backend: &dyn Backend) {
    let (opened, _clock) = at_t0(backend);
    let store = opened.store.as_ref();
    let (_, key) = store.create(&name("svc")).unwrap();
    let models: Vec<String> = (0..MAX_MODELS_PER_BUCKET + 4)
        .map(|i| format!("model-{i:02}"))
        .collect();
    // One batch each, so the bound holds across batches too.
    for model in &models {
        write(store, &[answer(&key.id, T0, Some(model), tokens(1, 10))]);
    }
    // A model that has its row keeps adding to it.
    write(store, &[answer(&key.id, T0, Some(&models[0]), tokens(1, 10))]);

    let usage = usage_of(store, &key.id, T0);
    for buckets in [
        usage
            .tokens_hourly
            .iter()
            .map(|(_, m, c)| (m.clone(), *c))
            .collect::<Vec<_>>(),
        usage.tokens_daily.iter().map(|(_, m, c)| (m.clone(), *c)).collect(),
    ] {
        assert_eq!(buckets.len(), MAX_MODELS_PER_BUCKET, "{buckets:?}");
        let named = MAX_MODELS_PER_BUCKET - 1;
        let other = buckets
            .iter()
            .find(|(m, _)| m.as_deref() == Some(OTHER_MODELS))
            .unwrap();
        let rest = (models.len() - named) as u64;
        assert_eq!(
            other.1,
            TokenCounts {
                answers: rest as u32,
                ..tokens(rest, 10 * rest)
            }
        );
        let first = buckets.iter().find(|(m, _)| m.as_ref() == Some(&models[0])).unwrap();
        assert_eq!(
            first.1,
            TokenCounts {
                answers: 2,
                ..tokens(2, 20)
            }
        );
        assert!(buckets.iter().all(|(m, _)| m.as_ref() != Some(&models[named])));
    }
    let all = models.len() as u64 + 1;
    let totals = store.token_totals(&key.id, Hour::of(T0)).unwrap();
    assert_eq!(
        totals.since,
        TokenCounts {
            answers: all as u32,
            ..tokens(all, 10 * all)
        }
    );
    assert_eq!(totals.lifetime, totals.since, "nothing lost to the bound");
    assert_eq!(totals.by_model.len(), MAX_MODELS_PER_BUCKET);
}

pub fn tokens_of_deleted_keys_are_skipped_and_deleting_a_key_removes_its_tokens(backend: &dyn Backend) {
    let (opened, _clock) = at_t0(backend);
    let store = opened.store.as_ref();
    let (_, kept) = store.create(&name("kept")).unwrap();
    let (_, gone) = store.create(&name("gone")).unwrap();
    let (_, ghost) = store.create(&name("ghost")).unwrap();
    store.delete(&ghost.id).unwrap();
    let counter = store.change_counter().unwrap();
    write(store, &[answer(&ghost.id, T0, Some("m"), tokens(1, 1))]);
    assert_eq!(store.change_counter().unwrap(), counter, "nothing to write");
    write(
        store,
        &[
            answer(&kept.id, T0, Some("m"), tokens(1, 1)),
            answer(&gone.id, T0, Some("m"), tokens(2, 2)),
            answer(&ghost.id, T0, Some("m"), tokens(3, 3)),
        ],
    );
    assert_eq!(store.token_totals(&ghost.id, Hour(0)).unwrap(), TokenTotals::default());
    store.delete(&gone.id).unwrap();
    assert_eq!(usage_of(store, &gone.id, T0), KeyUsage::default());
    assert_eq!(store.token_totals(&gone.id, Hour(0)).unwrap(), TokenTotals::default());
    assert_eq!(store.token_totals(&kept.id, Hour(0)).unwrap().lifetime, tokens(1, 1));
    let everyone = store.usage(&UsageQuery::last(None, 2, 48, T0)).unwrap();
    assert_eq!(everyone.iter().map(|(id, _)| id).collect::<Vec<_>>(), vec![&kept.id]);
}

pub fn last_used_counts_and_tokens_are_written_in_one_batch(backend: &dyn Backend) {
    let (opened, _clock) = at_t0(backend);
    let store = opened.store.as_ref();
    let (_, key) = store.create(&name("svc")).unwrap();
    let counter = store.change_counter().unwrap();
    let used = SecretUse {
        id: key.id.clone(),
        hash: key.hash,
        at: T0,
    };
    let counted = UsageDelta {
        id: key.id.clone(),
        hour: Hour::of(T0),
        counts: UsageCounts::of(Outcome::Accepted, 1),
    };
    let told = answer(&key.id, T0, Some("m"), tokens(7, 8));
    let changed = store.record_usage_and_tokens(&[used], &[counted], &[told]).unwrap();
    assert_eq!(changed, 1, "Last Used written");
    assert_eq!(store.change_counter().unwrap(), counter + 1, "one write");
    let usage = usage_of(store, &key.id, T0);
    assert_eq!(usage.total(), UsageCounts::of(Outcome::Accepted, 1));
    assert_eq!(usage.tokens_total(), tokens(7, 8));
    assert_eq!(store.record_usage_and_tokens(&[], &[], &[]).unwrap(), 0);
    let zero = answer(&key.id, T0, Some("m"), TokenCounts::default());
    store.record_usage_and_tokens(&[], &[], &[zero]).unwrap();
    assert_eq!(
        store.change_counter().unwrap(),
        counter + 1,
        "nothing to add, nothing written"
    );
}
