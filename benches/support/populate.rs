//! Building large keydesk databases quickly with the real store code: one
//! `Store::create_many` call, so one write transaction, whatever the count.
//! Shared by `examples/populate.rs` and the benchmarks.

use std::sync::Arc;

use keydesk_core::{KeyName, KeyStore, SecretKey, Store, StoreError};
use rand::RngExt;
use time::{Duration, OffsetDateTime};

/// `svc-000123`, with every tenth name Chinese (`服务-000127`) and every tenth
/// mixed (`生产_svc-000123`), as a real key list would be.
pub fn names(start: usize, count: usize) -> Vec<KeyName> {
    (start..start + count)
        .map(|i| {
            let name = match i % 10 {
                3 => format!("生产_svc-{i:06}"),
                7 => format!("服务-{i:06}"),
                _ => format!("svc-{i:06}"),
            };
            KeyName::parse(&name).expect("generated names follow the naming rule")
        })
        .collect()
}

/// Adds `count` keys to `store` in one transaction, created at random times
/// over the past year. Returns the secrets, which exist nowhere else.
pub fn populate(store: &Store, count: usize) -> Result<Vec<SecretKey>, StoreError> {
    let start = store.load_hash_index()?.1.len();
    let now = OffsetDateTime::now_utc();
    // `create_many` reads the clock once per key.
    let store = Store::builder(store.path())
        .clock(Arc::new(move || {
            now - Duration::seconds(rand::rng().random_range(0..365 * 86_400))
        }))
        .open()?;
    Ok(store
        .create_many(&names(start, count))?
        .into_iter()
        .map(|(secret, _)| secret)
        .collect())
}

/// Gives every `every`-th key usage counts for each of the last `days` days
/// (and a Last Used on the last of them), with the store's own batch write:
/// one transaction per 1,000 keys. Counts vary by key and day so sparklines
/// and sorting have something to show.
pub fn add_usage(store: &Store, days: u32, every: usize) -> Result<usize, StoreError> {
    use keydesk_core::domain::{Hour, Outcome, UsageCounts, UsageDelta};
    use keydesk_core::store::SecretUse;
    let now = OffsetDateTime::now_utc();
    let records = store.list()?;
    let used: Vec<_> = records.iter().step_by(every.max(1)).collect();
    for batch in used.chunks(1000) {
        let mut deltas = Vec::new();
        let mut uses = Vec::new();
        for (k, record) in batch.iter().enumerate() {
            for day in 0..days {
                let at = now - Duration::days(i64::from(day));
                let n = 1 + ((k as u32 * 7 + day * 13) % 50);
                deltas.push(UsageDelta {
                    id: record.id.clone(),
                    hour: Hour::of(at),
                    counts: UsageCounts::of(Outcome::Accepted, n),
                });
            }
            uses.push(SecretUse {
                id: record.id.clone(),
                hash: record.hash,
                at: now,
            });
        }
        store.record_usage(&uses, &deltas)?;
    }
    Ok(used.len())
}
