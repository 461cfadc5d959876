//! Building large keydesk databases quickly with the real store code: one
//! `Store::create_many` call, so one write transaction, whatever the count.
//! Shared by `examples/populate.rs` and the benchmarks.

use std::sync::Arc;

use keydesk::{KeyName, KeyStore, SecretKey, Store, StoreError};
use rand::Rng;
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
    let store = store.clone().with_clock(Arc::new(move || {
        now - Duration::seconds(rand::rng().random_range(0..365 * 86_400))
    }));
    Ok(store
        .create_many(&names(start, count))?
        .into_iter()
        .map(|(secret, _)| secret)
        .collect())
}
