//! Key verification: raw SHA-256 (the floor), `Verifier::verify` at 100k keys
//! (and over 1k keys that have an expiry), and `Store::verify` (open, one transaction, close per call) at 10k and 100k.
//!
//! Run with `cargo bench --bench verify`. Ends by measuring the Verifier
//! against the SHA-256 floor in alternating rounds and printing the ratio.

mod support;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use keydesk::domain::KeyHash;
use keydesk::verifier::Settings;
use keydesk::{KeyStore, SecretKey, Store, Verifier};
use support::BenchDb;
use time::OffsetDateTime;

/// Inputs the Verifier must refuse: a wrong checksum (one character changed)
/// and well-formed keys that were never stored.
struct Refused {
    bad_checksum: Vec<String>,
    unknown: Vec<String>,
}

impl Refused {
    fn new(db: &BenchDb, count: usize) -> Refused {
        let bad_checksum = db.secrets[..count]
            .iter()
            .map(|s| {
                let mut bytes = s.clone().into_bytes();
                bytes[10] = if bytes[10] == b'a' { b'b' } else { b'a' };
                String::from_utf8(bytes).unwrap()
            })
            .collect();
        let unknown = (0..count).map(|_| SecretKey::generate().expose().to_owned()).collect();
        Refused { bad_checksum, unknown }
    }
}

/// Cycles through `inputs`, one per call.
fn cycle<'a>(inputs: &'a [String]) -> impl FnMut() -> &'a str + 'a {
    let mut i = 0;
    move || {
        i = if i + 1 == inputs.len() { 0 } else { i + 1 };
        &inputs[i]
    }
}

fn sha256_floor(c: &mut Criterion, db: &BenchDb) {
    let mut group = c.benchmark_group("sha256_floor");
    group.throughput(Throughput::Elements(1));
    let mut next = cycle(&db.secrets);
    group.bench_function("41_byte_key/100k_distinct", |b| {
        b.iter(|| KeyHash::of(black_box(next())))
    });
    let one = &db.secrets[0];
    group.bench_function("41_byte_key/same_key", |b| b.iter(|| KeyHash::of(black_box(one))));
    group.finish();
}

fn verifier_100k(c: &mut Criterion, db: &BenchDb, verifier: &Arc<Verifier>) {
    let refused = Refused::new(db, 1000);
    let mut group = c.benchmark_group("verifier_100k");
    group.throughput(Throughput::Elements(1));
    let mut next = cycle(&db.secrets);
    group.bench_function("valid/100k_distinct", |b| {
        b.iter(|| verifier.verify(black_box(next())).unwrap())
    });
    // A service's traffic usually comes from far fewer keys than it holds.
    let mut next = cycle(&db.secrets[..1000]);
    group.bench_function("valid/1k_distinct", |b| {
        b.iter(|| verifier.verify(black_box(next())).unwrap())
    });
    let one = &db.secrets[0];
    group.bench_function("valid/same_key", |b| {
        b.iter(|| verifier.verify(black_box(one)).unwrap())
    });
    let mut next = cycle(&refused.bad_checksum);
    group.bench_function("invalid_checksum", |b| {
        b.iter(|| assert!(verifier.verify(black_box(next())).is_none()))
    });
    let mut next = cycle(&refused.unknown);
    group.bench_function("unknown", |b| {
        b.iter(|| assert!(verifier.verify(black_box(next())).is_none()))
    });
    // Two threads on the machine's two cores: time per verification overall,
    // so perfect scaling would halve the single-thread figure.
    group.bench_function("valid/100k_distinct/2_threads", |b| {
        b.iter_custom(|iters| two_threads(verifier, &db.secrets, iters))
    });
    group.bench_function("valid/same_key/2_threads", |b| {
        b.iter_custom(|iters| two_threads(verifier, &db.secrets[..1], iters))
    });
    group.finish();
}

/// Verifies `iters` keys from `inputs`, half on each of two threads.
fn two_threads(verifier: &Verifier, inputs: &[String], iters: u64) -> Duration {
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..2 {
            scope.spawn(move || {
                for i in 0..iters as usize / 2 {
                    let secret = &inputs[(i * 2 + t) % inputs.len()];
                    assert!(verifier.verify(black_box(secret)).is_some());
                }
            });
        }
    });
    started.elapsed()
}

/// Keys with an expiry (or a rotation's grace end) cost a clock read per
/// verification on top of the never-expiring path measured above.
fn verifier_expiring(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("expiring.redb")).unwrap();
    let names: Vec<_> = (0..1000)
        .map(|i| keydesk::KeyName::parse(&format!("exp-{i:04}")).unwrap())
        .collect();
    let created = store.create_many(&names).unwrap();
    let far = OffsetDateTime::now_utc() + time::Duration::days(3650);
    for (_, record) in &created {
        store.set_expiry(&record.id, Some(far)).unwrap();
    }
    let secrets: Vec<String> = created.iter().map(|(s, _)| s.expose().to_owned()).collect();
    let settings = Settings::default().flush_interval(Duration::from_secs(3600));
    let verifier = Verifier::with_settings(store, settings).unwrap();
    let mut group = c.benchmark_group("verifier_expiring");
    group.throughput(Throughput::Elements(1));
    let mut next = cycle(&secrets);
    group.bench_function("valid/1k_distinct", |b| {
        b.iter(|| verifier.verify(black_box(next())).unwrap())
    });
    group.finish();
}

fn store_verify(c: &mut Criterion, db: &BenchDb) {
    let dir = tempfile::tempdir().unwrap();
    let path = db.copy_into(dir.path());
    // A fixed clock: after the warm-up below no key is due a Last Used write,
    // so this measures the read path (a write costs what `store/write` shows).
    let at = OffsetDateTime::now_utc();
    let store = Store::builder(&path).clock(Arc::new(move || at)).open().unwrap();
    let valid = &db.secrets[..200];
    for secret in valid {
        store.verify(secret).unwrap().unwrap();
    }
    let refused = Refused::new(db, 200);

    let mut group = c.benchmark_group(format!("store_verify_{}k", db.count / 1000));
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    let mut next = cycle(valid);
    group.bench_function("valid", |b| {
        b.iter(|| store.verify(black_box(next())).unwrap().unwrap())
    });
    let mut next = cycle(&refused.bad_checksum);
    group.bench_function("invalid_checksum", |b| {
        b.iter(|| assert!(store.verify(black_box(next())).unwrap().is_none()))
    });
    let mut next = cycle(&refused.unknown);
    group.bench_function("unknown", |b| {
        b.iter(|| assert!(store.verify(black_box(next())).unwrap().is_none()))
    });
    group.finish();
}

/// The target, measured directly: alternating rounds of the SHA-256
/// floor and of `Verifier::verify` over the same inputs, so load from other
/// processes hits both alike. Prints medians and their ratio for three
/// traffic patterns over the 100k-key index.
fn ratio(db: &BenchDb, verifier: &Verifier) {
    const PER_ROUND: usize = 300_000;
    println!();
    for (pattern, inputs) in [
        ("same key", &db.secrets[..1]),
        ("1k distinct keys", &db.secrets[..1000]),
        ("100k distinct keys", &db.secrets[..]),
    ] {
        let time_round = |f: &dyn Fn(&str)| {
            let started = Instant::now();
            for i in 0..PER_ROUND {
                f(&inputs[i % inputs.len()]);
            }
            started.elapsed().as_nanos() as f64 / PER_ROUND as f64
        };
        let (mut floor, mut verify) = (Vec::new(), Vec::new());
        for _ in 0..9 {
            floor.push(time_round(&|s| {
                black_box(KeyHash::of(black_box(s)));
            }));
            verify.push(time_round(&|s| {
                black_box(verifier.verify(black_box(s)));
            }));
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let (floor, verify) = (median(&mut floor), median(&mut verify));
        println!(
            "ratio, {pattern:>18}: Verifier::verify {verify:6.1} ns = {:.2} M checks/s on one core; \
             SHA-256 floor {floor:5.1} ns; ratio {:.2}x (target: >= 2 M/s, <= 3x)",
            1e3 / verify,
            verify / floor
        );
    }
}

fn main() {
    let k10 = BenchDb::cached(10_000);
    let k100 = BenchDb::cached(100_000);
    eprintln!(
        "bench data: {:.0} bytes/key at 100k keys (target <= 400, keys created in bulk)",
        k100.bytes_per_key()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = k100.copy_into(dir.path());
    // Last Used flushing is kept out of these measurements: once 100k keys
    // have been used, each flush is ~100 write transactions of ~15-25 ms on
    // the background thread (see `store`'s record_uses bench), which would
    // compete with the measured threads on a small machine.
    let settings = Settings::default().flush_interval(Duration::from_secs(3600));
    let verifier = Arc::new(Verifier::with_settings(Store::open(&path).unwrap(), settings).unwrap());

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
        .configure_from_args();
    sha256_floor(&mut c, &k100);
    verifier_100k(&mut c, &k100, &verifier);
    verifier_expiring(&mut c);
    store_verify(&mut c, &k10);
    store_verify(&mut c, &k100);
    c.final_summary();
    // Skipped in `cargo test --benches` / `cargo bench -- --test` smoke runs.
    if !std::env::args().any(|a| a == "--test" || a == "--list") {
        ratio(&k100, &verifier);
    }
}
