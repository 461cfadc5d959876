//! Helpers shared by the tests of keydesk-core's API. The program's tests
//! (the root package's `tests/program/`) include this file too, for the
//! conformance suite and their own stores, and add what runs the binary.

#![allow(dead_code)] // each test module uses a different subset

pub mod forgery;

use std::sync::{Arc, Mutex};

use keydesk_core::store::Clock;
use keydesk_core::{KeyName, Store};
use time::OffsetDateTime;

/// A name the test knows is valid.
pub fn name(s: &str) -> KeyName {
    KeyName::parse(s).unwrap()
}

/// A new store in a temporary directory, which lives as long as the guard.
pub fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("keys.redb")).unwrap();
    (dir, store)
}

/// A clock the test moves by hand: give the first to `StoreBuilder::clock`, set the
/// time through the second.
pub fn manual_clock(start: OffsetDateTime) -> (Clock, Arc<Mutex<OffsetDateTime>>) {
    let now = Arc::new(Mutex::new(start));
    let reader = now.clone();
    (Arc::new(move || *reader.lock().unwrap()), now)
}

/// How long a change may take to reach a running Verifier before a test
/// fails. The promise is "within about 1 s"; this leaves room for a loaded
/// CI machine.
pub const CHANGE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

/// Polls `done` until it holds or [`CHANGE_DEADLINE`] passes; returns (and
/// prints) how long it took, the measured figure.
pub fn wait_for(what: &str, done: impl FnMut() -> bool) -> std::time::Duration {
    wait_for_within(CHANGE_DEADLINE, what, done)
}

/// Polls `done` until it holds, failing the test once `deadline` has
/// passed; returns (and prints) how long it took.
pub fn wait_for_within(
    deadline: std::time::Duration,
    what: &str,
    mut done: impl FnMut() -> bool,
) -> std::time::Duration {
    let started = std::time::Instant::now();
    while !done() {
        assert!(started.elapsed() < deadline, "{what}: not seen within {deadline:?}");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let took = started.elapsed();
    eprintln!("{what}: seen after {} ms", took.as_millis());
    took
}

/// The arguments that run only the test `test` of the module at
/// `module_path` (its `module_path!()`) when this test binary is run again:
/// for a test that needs a process of its own, since the others are
/// threads of this one. Exactly that test, one thread, output shown.
pub fn only(module_path: &str, test: &str) -> [String; 4] {
    // Test names leave out the crate: `store::x`, not `api::store::x`.
    let (_crate, module) = module_path.split_once("::").expect("a test inside a module");
    [
        "--exact".to_owned(),
        format!("{module}::{test}"),
        "--nocapture".to_owned(),
        "--test-threads=1".to_owned(),
    ]
}
