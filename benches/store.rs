//! The store's operations as the TUI, the CLI and a Verifier use them: open +
//! load at 1k/10k/100k keys, the change-counter poll, the Verifier's index
//! reload, and write transactions (create, rename, a Last Used flush batch);
//! reading the audit log of 1,000,000 entries a page at a time. Every create
//! and rename here writes its audit entry (schema 4): compare `write/` with
//! the same benchmark run on the release before it for the entry's cost.
//!
//! Run with `cargo bench --bench store`.

mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput};
use keydesk::domain::AuditQuery;
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

    // With and without the audit entry, each on its own copy of the same
    // database: the same code path, the second with the store's bench-only
    // switch that skips appending the entry (`without_audit_for_benchmarks`).
    for (suffix, audited) in [("", true), ("_without_entry", false)] {
        let copy = dir.path().join(format!("entry{suffix}"));
        std::fs::create_dir_all(&copy).unwrap();
        let store = Store::open(medium.copy_into(&copy)).unwrap();
        let store = if audited {
            store
        } else {
            store.without_audit_for_benchmarks()
        };
        let name = KeyName::parse("bench-key").unwrap();
        group.bench_function(format!("create{suffix}/10k"), |b| {
            b.iter(|| store.create(&name).unwrap())
        });
        let ids: Vec<_> = store.list().unwrap().into_iter().map(|r| r.id).collect();
        let names = [
            KeyName::parse("renamed-a").unwrap(),
            KeyName::parse("重命名-b").unwrap(),
        ];
        let mut i = 0;
        group.bench_function(format!("rename{suffix}/10k"), |b| {
            b.iter(|| {
                i += 1;
                store.rename(&ids[i * 7919 % ids.len()], &names[i % 2]).unwrap()
            })
        });
    }

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

/// Reading the log as `keydesk log` and the TUI do: the newest page, a page
/// in the middle (paging on from a sequence number), the TUI's first read of
/// the newest 10,000, and one key's history (a scan of the whole log).
fn audit_pages(c: &mut Criterion) {
    let store = Store::builder(support::audit_db())
        .create_if_missing(false)
        .open()
        .unwrap();
    let mut group = c.benchmark_group("audit");
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    let page = |before_seq, limit| AuditQuery {
        before_seq,
        limit: Some(limit),
        ..AuditQuery::default()
    };
    group.bench_function("newest_page_50/1M", |b| {
        b.iter(|| assert_eq!(store.audit_entries(&page(None, 50)).unwrap().len(), 50))
    });
    group.bench_function("page_50_from_500000/1M", |b| {
        b.iter(|| assert_eq!(store.audit_entries(&page(Some(500_000), 50)).unwrap().len(), 50))
    });
    group.bench_function("newest_10000/1M", |b| {
        b.iter(|| assert_eq!(store.audit_entries(&page(None, 10_000)).unwrap().len(), 10_000))
    });
    let key = store.audit_entries(&page(Some(500_000), 1)).unwrap()[0].key.clone();
    group.sample_size(10);
    group.bench_function("one_key_history/1M", |b| {
        b.iter(|| {
            let query = AuditQuery {
                key: key.clone(),
                limit: Some(10_000),
                ..AuditQuery::default()
            };
            assert_eq!(store.audit_entries(&query).unwrap().len(), 1)
        })
    });
    group.finish();
}

/// What the audit entry adds to a create and a rename, measured as A/B
/// pairs: each round runs the change once with its entry and once without
/// (the store's bench-only switch), alternating which goes first, on two
/// copies of the same 10k-key database. Pairing cancels the drift of a
/// loaded machine that separate criterion runs pick up. Run on the target
/// directory's disk (fsync as in real use) and on /dev/shm (tmpfs: no fsync
/// cost, so the entry's own work is most visible). Prints medians and means.
fn entry_cost(medium: &BenchDb) {
    const ROUNDS: usize = 400;
    let places = [
        ("disk", support::target_dir().join("bench-tmp")),
        ("tmpfs", "/dev/shm".into()),
    ];
    for (place, parent) in places {
        if std::fs::create_dir_all(&parent).is_err() {
            continue;
        }
        let dir = tempfile::tempdir_in(&parent).unwrap();
        let open = |sub: &str| {
            let d = dir.path().join(sub);
            std::fs::create_dir_all(&d).unwrap();
            Store::open(medium.copy_into(&d)).unwrap()
        };
        let (with, without) = (open("with"), open("without").without_audit_for_benchmarks());
        let ids: Vec<_> = with.list().unwrap().into_iter().map(|r| r.id).collect();
        let names = [
            KeyName::parse("renamed-a").unwrap(),
            KeyName::parse("重命名-b").unwrap(),
        ];
        let created = KeyName::parse("bench-key").unwrap();
        let mut times = [[Vec::new(), Vec::new()], [Vec::new(), Vec::new()]];
        for round in 0..ROUNDS {
            let id = &ids[round * 7919 % ids.len()];
            for k in 0..2 {
                let (store, slot) = if (round + k) % 2 == 0 {
                    (&with, 0)
                } else {
                    (&without, 1)
                };
                let started = std::time::Instant::now();
                store.create(&created).unwrap();
                times[0][slot].push(started.elapsed());
                let started = std::time::Instant::now();
                store.rename(id, &names[round % 2]).unwrap();
                times[1][slot].push(started.elapsed());
            }
        }
        for (op, [with, without]) in ["create", "rename"].iter().zip(&mut times) {
            let (mw, mo) = (median(with), median(without));
            let (aw, ao) = (mean(with), mean(without));
            eprintln!(
                "entry cost ({place}) {op}/10k: median {:.3} ms with vs {:.3} ms without ({:+.1} %); mean {:.3} vs {:.3} ({:+.1} %)",
                mw * 1e3,
                mo * 1e3,
                (mw / mo - 1.0) * 100.0,
                aw * 1e3,
                ao * 1e3,
                (aw / ao - 1.0) * 100.0
            );
        }
    }
}

fn median(times: &mut [Duration]) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64()
}

fn mean(times: &[Duration]) -> f64 {
    times.iter().map(Duration::as_secs_f64).sum::<f64>() / times.len() as f64
}

fn main() {
    let dbs = [1_000, 10_000, 100_000].map(BenchDb::cached);
    for db in &dbs {
        eprintln!(
            "bench data: {} keys, {:.0} bytes/key (target <= 400, keys created in bulk)",
            db.count,
            db.bytes_per_key()
        );
    }
    let [small, medium, large] = &dbs;
    // `cargo bench --bench store -- entry_cost` runs only the A/B pairs.
    if std::env::args().any(|a| a == "entry_cost") {
        entry_cost(medium);
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    open_and_load(&mut c, &[small, medium, large]);
    polls_and_reloads(&mut c, small, large);
    writes(&mut c, medium, large);
    audit_pages(&mut c);
    c.final_summary();
}
