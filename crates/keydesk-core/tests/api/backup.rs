//! `Store::backup_to` and `StoreBuilder::stage_restore`: a copy is checked
//! before it is kept and gone if it is not; a restore's change counter moves
//! on, so verifiers reload; the audit key checks a copy's seals.

use keydesk_core::domain::AuditKey;
use keydesk_core::{KeyStore, Store};

use crate::common::name;

/// A file of `names` sealed with `key`, in `dir`.
fn database(dir: &std::path::Path, key: &AuditKey, names: &[&str]) -> Store {
    let store = Store::builder(dir.join("keys.redb"))
        .audit_key(key.clone())
        .open()
        .unwrap();
    for n in names {
        store.create(&name(n)).unwrap();
    }
    store
}

fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_staged_copy_dropped_before_it_is_kept_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let key = AuditKey::generate();
    let store = database(dir.path(), &key, &["staged-one", "staged-two"]);
    let staged = store.backup_to(&dir.path().join("never-kept.redb")).unwrap();
    let report = staged.report();
    assert_eq!((report.keys, report.audit.entries), (2, 2), "{report:?}");
    assert!(report.was_consistent && report.audit.broken.is_none() && report.audit.seals_checked);
    drop(staged);
    assert_eq!(names_in(dir.path()), ["keys.redb"]);
}

#[test]
fn a_restore_moves_the_change_counter_past_the_replaced_files_so_a_verifier_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let key = AuditKey::generate();
    let store = database(dir.path(), &key, &["before-backup"]);
    let (kept_secret, _) = store.create(&name("kept")).unwrap();
    let backup = dir.path().join("backup.redb");
    store.backup_to(&backup).unwrap().keep(false).unwrap();
    let backup_counter = Store::builder(&backup).open().unwrap().change_counter().unwrap();
    let (later_secret, _) = store.create(&name("after-backup")).unwrap();
    let verifier = keydesk_core::Verifier::open(store.path()).unwrap();
    assert!(verifier.verify(later_secret.expose()).is_some());
    let replaced_counter = store.change_counter().unwrap();
    assert!(replaced_counter > backup_counter);

    let staged = Store::builder(store.path())
        .audit_key(key.clone())
        .stage_restore(&backup)
        .unwrap();
    assert_eq!(staged.report().keys, 2);
    staged.replace(&dir.path().join("keys.redb.before-restore")).unwrap();
    assert!(store.change_counter().unwrap() > replaced_counter);
    assert!(verifier.refresh().unwrap(), "the verifier saw the restore");
    assert!(verifier.verify(later_secret.expose()).is_none());
    assert!(verifier.verify(kept_secret.expose()).is_some());
    let mut names: Vec<String> = store.list().unwrap().into_iter().map(|r| r.name).collect();
    names.sort();
    assert_eq!(names, ["before-backup", "kept"]);
    assert_eq!(
        names_in(dir.path()),
        ["backup.redb", "keys.redb", "keys.redb.before-restore"]
    );
}

#[test]
fn a_backup_sealed_with_another_audit_key_does_not_check() {
    let dir = tempfile::tempdir().unwrap();
    let store = database(dir.path(), &AuditKey::generate(), &["sealed"]);
    let backup = dir.path().join("backup.redb");
    store.backup_to(&backup).unwrap().keep(false).unwrap();
    let target = tempfile::tempdir().unwrap();
    let staged = Store::builder(target.path().join("keys.redb"))
        .audit_key(AuditKey::generate())
        .stage_restore(&backup)
        .unwrap();
    assert!(staged.report().audit.broken.is_some(), "{:?}", staged.report());
    drop(staged);
    assert!(names_in(target.path()).is_empty(), "nothing was put in place");
}
