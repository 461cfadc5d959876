//! Who made a change is looked up from the OS (getpwuid_r, the environment)
//! once per process, when the first audit entry is written — not on every
//! open, so reading a store costs no lookup. The test runs in a process of
//! its own (this binary run again with only it selected): the lookup is per
//! process, no other test may have done it first, and the environment it
//! reads is given to that process rather than changed in this one.

use std::process::Command;

use crate::common;
use keydesk_core::domain::audit::process_identity_lookups;
use keydesk_core::domain::{AuditQuery, Interface};
use keydesk_core::{KeyName, KeyStore, Store};

/// Set in the process that runs the test alone.
const ALONE_ENV: &str = "KEYDESK_ACTOR_LOOKUP_ALONE";

#[test]
fn the_actor_is_looked_up_once_on_the_first_entry_written_and_its_fields_are_right() {
    if std::env::var_os(ALONE_ENV).is_some() {
        check_the_lookup();
        return;
    }
    let test = "the_actor_is_looked_up_once_on_the_first_entry_written_and_its_fields_are_right";
    let out = Command::new(std::env::current_exe().unwrap())
        .args(common::only(module_path!(), test))
        .env(ALONE_ENV, "1")
        .env("SSH_CONNECTION", "203.0.113.7 52114 10.0.0.2 22")
        .env("SUDO_USER", "alice")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "the test alone in its process: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[allow(unsafe_code)]
fn check_the_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.redb");
    // Creating the file writes no entry (a new database has no upgrade to record).
    let store = Store::open(&path).unwrap();
    for _ in 0..3 {
        Store::builder(&path)
            .create_if_missing(false)
            .open()
            .unwrap()
            .list()
            .unwrap();
    }
    store.audit_entries(&AuditQuery::default()).unwrap();
    assert_eq!(process_identity_lookups(), 0, "opening and reading looks nobody up");

    let (_, record) = store.create(&KeyName::parse("billing").unwrap()).unwrap();
    assert_eq!(process_identity_lookups(), 1, "the first entry looks the actor up");
    let other = Store::builder(&path).create_if_missing(false).open().unwrap();
    other
        .rename(&record.id, &KeyName::parse("billing-prod").unwrap())
        .unwrap();
    other.delete(&record.id).unwrap();
    assert_eq!(
        process_identity_lookups(),
        1,
        "once per process, not per store or entry"
    );

    let entries = other.audit_entries(&AuditQuery::default()).unwrap();
    assert_eq!(entries.len(), 3);
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    for entry in &entries {
        let actor = &entry.actor;
        assert_eq!(actor.uid, Some(uid));
        assert!(actor.user.as_deref().is_some_and(|u| !u.is_empty()), "{actor:?}");
        assert_eq!(actor.sudo_user.as_deref(), Some("alice"));
        let ssh = actor.ssh_client.as_ref().expect("the SSH client");
        assert_eq!((ssh.address.as_str(), ssh.port), ("203.0.113.7", 52114));
        assert_eq!(actor.interface, Interface::Library);
        assert_eq!(actor.version, env!("CARGO_PKG_VERSION"));
    }
}
