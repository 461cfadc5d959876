//! A running Verifier and the key lifecycle: an expiry or a grace end takes
//! effect at the instant (clock-driven, no refresh), a disable, enable or
//! rotation made by another process within about a second (measured, and
//! printed with `--nocapture`), and the previous secret's uses are written
//! to its own Last Used.

use crate::common;

use std::time::Duration;

use common::wait_for;

use common::{keydesk, manual_clock, name, stderr};
use keydesk::verifier::Settings;
use keydesk::{KeyStore, Store, Verifier};
use time::macros::datetime;

const HOUR: time::Duration = time::Duration::HOUR;
const SECOND: time::Duration = time::Duration::SECOND;

/// A verifier that never polls on its own during a test: whatever it does,
/// it does without a refresh.
fn never_polling(store: &Store, clock: keydesk::store::Clock) -> Verifier {
    let settings = Settings::default()
        .clock(clock)
        .poll_interval(Duration::from_secs(3600))
        .flush_interval(Duration::from_secs(3600));
    Verifier::with_settings(store.clone(), settings).unwrap()
}

#[test]
fn an_expiry_takes_effect_at_the_instant_without_a_refresh() {
    let t0 = datetime!(2026-05-01 10:00:00 UTC);
    let (clock_fn, clock) = manual_clock(t0);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::builder(dir.path().join("keys.redb"))
        .clock(clock_fn.clone())
        .open()
        .unwrap();
    let expiry = t0 + HOUR;
    let (secret, record) = store.create_expiring(&name("short"), Some(expiry)).unwrap();
    let verifier = never_polling(&store, clock_fn);
    let reloads = verifier.health().reloads;

    *clock.lock().unwrap() = expiry - SECOND;
    assert_eq!(verifier.verify(secret.expose()), Some(record.id.clone()));
    *clock.lock().unwrap() = expiry - time::Duration::milliseconds(1);
    assert_eq!(verifier.verify(secret.expose()), Some(record.id.clone()));
    *clock.lock().unwrap() = expiry;
    assert_eq!(verifier.verify(secret.expose()), None, "refused at the expiry instant");
    assert_eq!(verifier.health().reloads, reloads, "no refresh was needed");
}

#[test]
fn a_grace_end_takes_effect_at_the_instant_without_a_refresh() {
    let t0 = datetime!(2026-05-01 10:00:00 UTC);
    let (clock_fn, clock) = manual_clock(t0);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::builder(dir.path().join("keys.redb"))
        .clock(clock_fn.clone())
        .open()
        .unwrap();
    let (old, record) = store.create(&name("svc")).unwrap();
    let (new, _) = store.rotate(&record.id, 24 * HOUR).unwrap();
    let verifier = never_polling(&store, clock_fn);

    *clock.lock().unwrap() = t0 + 24 * HOUR - SECOND;
    assert_eq!(verifier.verify(old.expose()), Some(record.id.clone()));
    assert_eq!(verifier.verify(new.expose()), Some(record.id.clone()));
    *clock.lock().unwrap() = t0 + 24 * HOUR;
    assert_eq!(verifier.verify(old.expose()), None, "refused at the grace end");
    assert_eq!(verifier.verify(new.expose()), Some(record.id.clone()));
    assert_eq!(verifier.health().reloads, 1);
}

#[test]
fn the_previous_secrets_uses_are_written_to_its_own_last_used() {
    let t0 = datetime!(2026-05-01 10:00:00 UTC);
    let (clock_fn, clock) = manual_clock(t0);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::builder(dir.path().join("keys.redb"))
        .clock(clock_fn.clone())
        .open()
        .unwrap();
    let (old, record) = store.create(&name("svc")).unwrap();
    let (new, _) = store.rotate(&record.id, 24 * HOUR).unwrap();
    let verifier = never_polling(&store, clock_fn);

    *clock.lock().unwrap() = t0 + HOUR;
    verifier.refresh().unwrap(); // the cached time used to note uses
    assert!(verifier.verify(old.expose()).is_some());
    assert_eq!(verifier.flush().unwrap(), 1);
    let stored = store.get(&record.id).unwrap().unwrap();
    assert_eq!(stored.previous.as_ref().unwrap().last_used, Some(t0 + HOUR));
    assert_eq!(stored.last_used, None, "the new secret was not used");

    *clock.lock().unwrap() = t0 + 2 * HOUR;
    verifier.refresh().unwrap();
    assert!(verifier.verify(new.expose()).is_some());
    assert_eq!(verifier.flush().unwrap(), 1);
    let stored = store.get(&record.id).unwrap().unwrap();
    assert_eq!(stored.last_used, Some(t0 + 2 * HOUR));
    assert_eq!(stored.previous.unwrap().last_used, Some(t0 + HOUR));
}

/// `keydesk ARGS` on `db`, which must succeed.
fn run_cli(db: &std::path::Path, args: &[&str]) {
    let out = keydesk(db).args(args).output().unwrap();
    assert!(out.status.success(), "keydesk {args:?}: {}", stderr(&out));
}

#[test]
fn disable_enable_and_rotate_by_another_process_reach_a_running_verifier_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let store = Store::open(&db).unwrap();
    // Some company, so each reload is not trivial.
    let names: Vec<_> = (0..2000).map(|i| name(&format!("svc-{i:06}"))).collect();
    store.create_many(&names).unwrap();
    let (secret, record) = store.create(&name("target")).unwrap();
    let verifier = Verifier::new(store.clone()).unwrap();
    let id = record.id.as_str();

    run_cli(&db, &["disable", id]);
    let disabled = wait_for("disabled by another process", || {
        verifier.verify(secret.expose()).is_none()
    });
    run_cli(&db, &["enable", id]);
    let enabled = wait_for("enabled by another process", || {
        verifier.verify(secret.expose()).is_some()
    });
    run_cli(&db, &["rotate", id, "--grace", "now"]);
    let rotated = wait_for("rotated (no grace) by another process", || {
        verifier.verify(secret.expose()).is_none()
    });
    run_cli(&db, &["expire", id, "--in", "1h"]);
    let expiring = store.get(&record.id).unwrap().unwrap().expires_at.unwrap();
    assert!(expiring > time::OffsetDateTime::now_utc());
    eprintln!(
        "lifecycle changes seen by a running Verifier after: disable {} ms, enable {} ms, rotate {} ms",
        disabled.as_millis(),
        enabled.as_millis(),
        rotated.as_millis()
    );
}
