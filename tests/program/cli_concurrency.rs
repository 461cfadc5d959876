//! Many keydesk processes on one database at once: nothing is lost, nothing
//! fails spuriously, and the file stays consistent.

use crate::common;

use keydesk::KeyStore;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{keydesk, run_with_stdin};
const WORKERS: usize = 8;
const RUN_FOR: Duration = Duration::from_secs(4);

/// Each process waits out contention patiently: what is tested is that
/// nothing is lost or fails while others hold the database, not how long a
/// loaded machine makes them queue (the default 2 s can pass there).
fn run(db: &Path, args: &[&str], stdin: &str) -> Output {
    run_with_stdin(keydesk(db).env("KEYDESK_BUSY_TIMEOUT", "120s").args(args), stdin)
}

fn expect_ok(out: &Output, what: &str) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn eight_processes_create_verify_and_rename_while_another_reads() {
    let dir = tempfile::tempdir().unwrap();
    let db: PathBuf = dir.path().join("keys.redb");
    keydesk::Store::open(&db).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));

    let reader = {
        let (db, stop, reads) = (db.clone(), stop.clone(), reads.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let listed: Vec<serde_json::Value> =
                    serde_json::from_str(&expect_ok(&run(&db, &["list", "--json"], ""), "list")).unwrap();
                // Every record a reader sees is whole: a name and a masked key.
                assert!(
                    listed
                        .iter()
                        .all(|k| k["name"].is_string() && k["masked_key"].is_string())
                );
                reads.fetch_add(1, Ordering::Relaxed);
            }
        })
    };

    let started = Instant::now();
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut created: Vec<(String, String)> = Vec::new();
                let mut verifies = 0;
                let mut i = 0;
                while started.elapsed() < RUN_FOR || i < 2 {
                    let name = format!("w{w}-{i}");
                    let secret = expect_ok(&run(&db, &["create", "--name", &name, "--accept-terms"], ""), "create");
                    let secret = secret.trim().to_owned();
                    let id = expect_ok(&run(&db, &["verify"], &secret), "verify of a live key");
                    let id = id.trim().to_owned();
                    verifies += 1;
                    expect_ok(&run(&db, &["rename", &id, &format!("{name}-renamed")], ""), "rename");
                    // An earlier key of this worker still verifies under load.
                    if let Some((old_secret, old_id)) = created.first() {
                        let again = expect_ok(&run(&db, &["verify"], old_secret), "re-verify");
                        assert_eq!(again.trim(), old_id);
                        verifies += 1;
                    }
                    created.push((secret, id));
                    i += 1;
                }
                (created, verifies)
            })
        })
        .collect();

    let mut all_created = Vec::new();
    let mut total_verifies = 0;
    for worker in workers {
        let (created, verifies) = worker.join().unwrap();
        all_created.extend(created);
        total_verifies += verifies;
    }
    stop.store(true, Ordering::Relaxed);
    reader.join().unwrap();
    eprintln!(
        "{} keys created, {total_verifies} verifies, {} full reads in {:.1} s by {WORKERS}+1 processes",
        all_created.len(),
        reads.load(Ordering::Relaxed),
        started.elapsed().as_secs_f32()
    );

    let store = keydesk::Store::open(&db).unwrap();
    let listed = store.list().unwrap();
    assert_eq!(
        listed.len(),
        all_created.len(),
        "every created key is listed exactly once"
    );
    for (secret, id) in &all_created {
        let matching: Vec<_> = listed.iter().filter(|r| r.id.as_str() == id).collect();
        assert_eq!(matching.len(), 1);
        assert!(matching[0].name.ends_with("-renamed"));
        assert!(matching[0].last_used.is_some(), "verify recorded Last Used");
        assert_eq!(store.verify(secret).unwrap().map(|i| i.to_string()), Some(id.clone()));
    }
    assert!(reads.load(Ordering::Relaxed) > 0);
    assert!(store.check_integrity().unwrap(), "redb integrity check");
}
