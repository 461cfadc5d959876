//! The store's operations as the TUI, the CLI and a Verifier use them: open +
//! load at 1k/10k/100k keys, the change-counter poll, the Verifier's index
//! reload, and write transactions (create, rename, a Last Used flush batch).
//!
//! Run with `cargo bench --bench store`.

mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput};
use keydesk::store::SecretUse;
use keydesk::verifier::FLUSH_BATCH;
use keydesk::{KeyName, KeyStore, Store, Verifier};
use support::BenchDb;
use time::OffsetDateTime;

fn open_and_load(c: &mut Criterion, dbs: &[&BenchDb]) {
    let mut group = c.benchmark_group("open_load");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for db in dbs {
        group.throughput(Throughput::Elements(db.count as u64));
        group.bench_function(format!("{}k", db.count / 1000), |b| {
            b.iter(|| {
                let listing = Store::open(&db.path).unwrap().load().unwrap();
                assert_eq!(listing.records.len(), db.count);
                listing
            })
        });
    }
    group.finish();
}

fn polls_and_reloads(c: &mut Criterion, small: &BenchDb, large: &BenchDb) {
    let mut group = c.benchmark_group("poll");
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(4));
    for db in [small, large] {
        let store = Store::open(&db.path).unwrap();
        group.bench_function(format!("change_counter/{}k", db.count / 1000), |b| {
            b.iter(|| store.change_counter().unwrap())
        });
    }
    let store = Store::open(&large.path).unwrap();
    group.bench_function("load_hash_index/100k", |b| b.iter(|| store.load_hash_index().unwrap()));
    // What a running Verifier pays when the counter moves: the hash index
    // read plus building the in-memory map (plus a thread start and stop).
    group.bench_function("verifier_open/100k", |b| {
        b.iter(|| black_box(Verifier::new(store.clone()).unwrap()))
    });
    group.finish();
}

fn writes(c: &mut Criterion, medium: &BenchDb, large: &BenchDb) {
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("write");
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(4));

    let store = Store::open(medium.copy_into(dir.path())).unwrap();
    let name = KeyName::parse("bench-key").unwrap();
    group.bench_function("create/10k", |b| b.iter(|| store.create(&name).unwrap()));
    let ids: Vec<_> = store.list().unwrap().into_iter().map(|r| r.id).collect();
    let names = [
        KeyName::parse("renamed-a").unwrap(),
        KeyName::parse("重命名-b").unwrap(),
    ];
    let mut i = 0;
    group.bench_function("rename/10k", |b| {
        b.iter(|| {
            i += 1;
            store.rename(&ids[i * 7919 % ids.len()], &names[i % 2]).unwrap()
        })
    });

    // One Verifier flush transaction: FLUSH_BATCH keys spread over the table,
    // each due (a later minute every time).
    let store = Store::open(large.copy_into(dir.path())).unwrap();
    let ids: Vec<_> = store
        .load_hash_index()
        .unwrap()
        .1
        .into_iter()
        .map(|entry| (entry.id, entry.hash))
        .collect();
    let mut batch: Vec<_> = ids
        .iter()
        .step_by(ids.len() / FLUSH_BATCH)
        .take(FLUSH_BATCH)
        .cloned()
        .collect();
    batch.sort();
    let mut at = OffsetDateTime::now_utc();
    group.throughput(Throughput::Elements(FLUSH_BATCH as u64));
    group.bench_function(format!("record_uses_{FLUSH_BATCH}/100k"), |b| {
        b.iter_batched(
            || {
                at += Duration::from_secs(61);
                let uses = batch.iter().map(|(id, hash)| SecretUse {
                    id: id.clone(),
                    hash: *hash,
                    at,
                });
                uses.collect::<Vec<_>>()
            },
            |uses| assert_eq!(store.record_uses(&uses).unwrap(), FLUSH_BATCH),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn main() {
    let dbs = [1_000, 10_000, 100_000].map(BenchDb::cached);
    for db in &dbs {
        eprintln!(
            "bench data: {} keys, {:.0} bytes/key (target <= 300)",
            db.count,
            db.bytes_per_key()
        );
    }
    let [small, medium, large] = &dbs;
    let mut c = Criterion::default().configure_from_args();
    open_and_load(&mut c, &[small, medium, large]);
    polls_and_reloads(&mut c, small, large);
    writes(&mut c, medium, large);
    c.final_summary();
}
