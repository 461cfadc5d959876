//! The audit chain against someone who can write the database: each test
//! edits the stored log directly, as such a person would (the backend's
//! [`RawLog`]), re-sealing what they changed the way keydesk sealed entries
//! before the audit key (see [`forge`]), and checks that the check names the
//! first entry they touched.

use super::Backend;
use crate::common::forgery::{RawLog, forge};
use crate::common::name;
use keydesk_core::domain::{AuditKey, BreakKind, ChainBreak, ChainHead};
use keydesk_core::{KeyStore, StoreError};

/// Expands to one `#[test]` per forgery, run against `$backend`.
#[macro_export]
macro_rules! forgery_suite {
    ($backend:expr) => {
        #[test]
        fn an_edit_resealed_without_the_key_is_named_by_the_check() {
            conformance::an_edit_resealed_without_the_key_is_named_by_the_check(&$backend);
        }
        #[test]
        fn truncation_with_a_lowered_counter_is_named_against_an_expected_head() {
            conformance::truncation_with_a_lowered_counter_is_named_against_an_expected_head(&$backend);
        }
        #[test]
        fn a_log_rewritten_unkeyed_from_the_start_is_named_against_an_expected_head() {
            conformance::a_log_rewritten_unkeyed_from_the_start_is_named_against_an_expected_head(&$backend);
        }
        #[test]
        fn keyed_sealing_begins_after_old_entries_and_a_keyless_writer_is_refused() {
            conformance::keyed_sealing_begins_after_old_entries_and_a_keyless_writer_is_refused(&$backend);
        }
    };
}

/// A store sealing with a key, and what a test needs around it.
pub struct Sealed {
    pub store: std::sync::Arc<dyn KeyStore>,
    /// The same database opened anew with this key, or none.
    pub with_key: Box<dyn Fn(Option<AuditKey>) -> std::sync::Arc<dyn KeyStore>>,
    pub raw: Box<dyn RawLog>,
    pub _guard: Box<dyn std::any::Any>,
}

/// Five entries: two keys made, each renamed, one deleted.
fn five_changes(store: &dyn KeyStore) {
    let (_, a) = store.create(&name("alpha")).unwrap();
    let (_, b) = store.create(&name("beta")).unwrap();
    store.rename(&a.id, &name("alpha-2")).unwrap();
    store.rename(&b.id, &name("beta-2")).unwrap();
    store.delete(&a.id).unwrap();
}

fn at(seq: u64, kind: BreakKind) -> Option<ChainBreak> {
    Some(ChainBreak { seq, kind })
}

pub fn an_edit_resealed_without_the_key_is_named_by_the_check(backend: &dyn Backend) {
    let key = AuditKey::generate();
    let sealed = backend.open_sealed(key.clone());
    five_changes(&*sealed.store);
    let intact = sealed.store.check_audit(None).unwrap();
    assert_eq!(
        (intact.broken, intact.keyed_from, intact.seals_checked),
        (None, Some(1), true)
    );

    // Re-sealed the old way: the entry is unkeyed after keyed ones.
    forge(&*sealed.raw, 3, "alpha-evil", 1);
    let with_key = (sealed.with_key)(Some(key.clone()));
    assert_eq!(with_key.check_audit(None).unwrap().broken, at(3, BreakKind::Unsealed));
    let without = (sealed.with_key)(None);
    assert_eq!(without.check_audit(None).unwrap().broken, at(3, BreakKind::Unsealed));

    // Still claiming to be keyed: its seal is not the key's.
    forge(&*sealed.raw, 3, "alpha-evil", 2);
    assert_eq!(with_key.check_audit(None).unwrap().broken, at(3, BreakKind::Changed));
    // Without the key that cannot be seen, and the check says so.
    let unchecked = without.check_audit(None).unwrap();
    assert_eq!((unchecked.broken, unchecked.seals_checked), (None, false));
}

pub fn truncation_with_a_lowered_counter_is_named_against_an_expected_head(backend: &dyn Backend) {
    let key = AuditKey::generate();
    let sealed = backend.open_sealed(key.clone());
    five_changes(&*sealed.store);
    let head = sealed.store.check_audit(None).unwrap().head.unwrap();
    assert_eq!(head.seq, 5);
    let raw_head = sealed.raw.entries().pop().unwrap();
    assert_eq!(
        head.digest[..],
        raw_head.1[raw_head.1.len() - 32..],
        "the seal as stored"
    );
    assert_eq!(sealed.store.check_audit(Some(head)).unwrap().broken, None);

    sealed.raw.truncate(4);
    let store = (sealed.with_key)(Some(key));
    // The chain alone cannot tell: what is left is a whole chain.
    assert_eq!(store.check_audit(None).unwrap().broken, None);
    assert_eq!(store.check_audit(Some(head)).unwrap().broken, at(4, BreakKind::Removed));
    // An earlier head still holds: nothing before it changed.
    let third = ChainHead {
        seq: 3,
        digest: seal(&sealed.raw.entries()[2].1),
    };
    assert_eq!(store.check_audit(Some(third)).unwrap().broken, None);
    let wrong = ChainHead {
        seq: 3,
        digest: [7; 32],
    };
    assert_eq!(
        store.check_audit(Some(wrong)).unwrap().broken,
        at(3, BreakKind::Unexpected)
    );
}

fn seal(bytes: &[u8]) -> [u8; 32] {
    bytes[bytes.len() - 32..].try_into().unwrap()
}

pub fn a_log_rewritten_unkeyed_from_the_start_is_named_against_an_expected_head(backend: &dyn Backend) {
    let key = AuditKey::generate();
    let sealed = backend.open_sealed(key.clone());
    five_changes(&*sealed.store);
    let head = sealed.store.check_audit(None).unwrap().head.unwrap();
    // Every entry re-sealed unkeyed: it looks like a log from before the key.
    forge(&*sealed.raw, 1, "alpha-evil", 1);
    let store = (sealed.with_key)(Some(key));
    let report = store.check_audit(None).unwrap();
    assert_eq!(
        (report.broken, report.keyed_from),
        (None, None),
        "only the exported head shows it"
    );
    assert_eq!(
        store.check_audit(Some(head)).unwrap().broken,
        at(5, BreakKind::Unexpected)
    );
}

pub fn keyed_sealing_begins_after_old_entries_and_a_keyless_writer_is_refused(backend: &dyn Backend) {
    let key = AuditKey::generate();
    let sealed = backend.open_sealed(key.clone());
    let unkeyed = (sealed.with_key)(None);
    let (_, a) = unkeyed.create(&name("before-the-key")).unwrap();
    unkeyed.rename(&a.id, &name("still-before")).unwrap();
    let keyed = (sealed.with_key)(Some(key.clone()));
    keyed.disable(&a.id).unwrap();
    keyed.enable(&a.id).unwrap();
    let report = keyed.check_audit(None).unwrap();
    assert_eq!((report.broken, report.keyed_from, report.entries), (None, Some(3), 4));
    let flags: Vec<bool> = keyed
        .audit_entries(&Default::default())
        .unwrap()
        .iter()
        .map(|e| e.keyed)
        .collect();
    assert_eq!(flags, [true, true, false, false], "newest first");

    let entries_before = sealed.raw.entries();
    let refused = unkeyed.rename(&a.id, &name("sneaky")).unwrap_err();
    assert!(
        matches!(refused, StoreError::AuditKeyMissing { seq: 4, .. }),
        "{refused:?}"
    );
    let other = (sealed.with_key)(Some(AuditKey::generate()));
    let refused = other.rename(&a.id, &name("sneaky")).unwrap_err();
    assert!(
        matches!(refused, StoreError::AuditKeyMismatch { seq: 4, .. }),
        "{refused:?}"
    );
    assert_eq!(sealed.raw.entries(), entries_before, "nothing written");
    assert_eq!(keyed.get(&a.id).unwrap().unwrap().name, "still-before");
}
