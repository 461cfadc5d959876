//! Measures one `record_usage` batch (counts only) at several sizes: how
//! long a verifier's count flush holds the file. `cargo run --release
//! --example usage_write_cost`.

use std::time::Instant;

use keydesk::domain::{Hour, Outcome, UsageCounts, UsageDelta};
use keydesk::{KeyName, KeyStore, Store};

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("keys.redb")).unwrap();
    let names: Vec<_> = (0..1000).map(|i| KeyName::parse(&format!("k{i}")).unwrap()).collect();
    let ids: Vec<_> = store
        .create_many(&names)
        .unwrap()
        .into_iter()
        .map(|(_, r)| r.id)
        .collect();
    let hour = Hour::of(time::OffsetDateTime::now_utc());
    for size in [1, 10, 100, 500, 1000] {
        let deltas: Vec<_> = ids[..size]
            .iter()
            .map(|id| UsageDelta {
                id: id.clone(),
                hour,
                counts: UsageCounts::of(Outcome::Accepted, 3),
            })
            .collect();
        let mut times = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            store.record_usage(&[], &deltas).unwrap();
            times.push(started.elapsed());
        }
        times.sort();
        println!("{size:>5} keys' counts: median {:?}", times[times.len() / 2]);
    }
}
