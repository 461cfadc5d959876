//! The audit log in the redb file: appending entries (encoded and sealed by
//! [`crate::store::backend::chain`]), reading them, and the check, which walks the
//! chain and then the key index.
//!
//!
//! `AUDIT_BY_KEY` (schema 5) indexes the entries about each key, for reading
//! one key's history without a scan. It proves nothing: the check walks the
//! chain in `AUDIT` first, then checks that the index agrees with it, since
//! an index row removed would hide an entry from that key's history.

use redb::{ReadableTable, WriteTransaction};
use time::OffsetDateTime;

use super::Fail;
use super::tables::{AUDIT, AUDIT_BY_KEY, AUDIT_LAST_KEY, META};
use crate::domain::{
    Actor, AuditEntry, AuditEvent, AuditKey, AuditQuery, BreakKind, ChainBreak, ChainReport, KeyId, KeyRecord,
};
use crate::store::chain::{Borrowed, Checking, decode, encode, may_follow, seal_encoded, stored_digest, walk_chain};
use crate::store::{DecodeError, Malformation, StoredItem};

/// What a change tells the log; the store adds number, actor and chain.
pub(super) struct Change<'a> {
    pub at: OffsetDateTime,
    pub event: AuditEvent,
    pub record: Option<&'a KeyRecord>,
}

/// Appends one entry for `change`, in the caller's write transaction:
/// sealed with `key` if there is one (see the module's documentation for
/// when a store without one, or with another, is refused).
pub(super) fn append(
    txn: &WriteTransaction,
    actor: &Actor,
    key: Option<&AuditKey>,
    change: Change<'_>,
) -> Result<(), Fail> {
    let id = change.record.map(|r| r.id.as_str());
    let seq = append_unindexed(txn, actor, key, change)?;
    if let Some(id) = id {
        txn.open_table(AUDIT_BY_KEY)?.insert((id, seq), ())?;
    }
    Ok(())
}

/// [`append`] without the key-index row, for a bulk write, which adds its
/// rows together (see [`super::bulk`]). Returns the entry's number.
pub(super) fn append_unindexed(
    txn: &WriteTransaction,
    actor: &Actor,
    key: Option<&AuditKey>,
    change: Change<'_>,
) -> Result<u64, Fail> {
    let mut audit = txn.open_table(AUDIT)?;
    // The previous entry's seal is stored at its end: copied, not
    // recomputed. (If someone changed it, the check finds that entry
    // changed; the chain from here on is still made of real seals.)
    let (seq, previous) = match audit.last()? {
        Some((seq, bytes)) => {
            may_follow(seq.value(), bytes.value(), key).map_err(Fail::AuditKey)?;
            (seq.value() + 1, stored_digest(bytes.value()))
        }
        None => (1, [0; 32]),
    };
    let record = change.record;
    let entry = Borrowed {
        seq,
        at: change.at,
        event: &change.event,
        key: record.map(|r| r.id.as_str()),
        name: record.map(|r| r.name.as_str()),
        masked: record.map(|r| r.masked.as_str()),
        actor,
        previous,
    };
    let bytes = seal_encoded(encode(&entry, key.is_some()), key).expect("a key when keyed");
    audit.insert(seq, bytes.as_slice())?;
    txn.open_table(META)?.insert(AUDIT_LAST_KEY, seq)?;
    Ok(seq)
}

/// Indexes every existing entry about a key (the upgrade to schema 5). An
/// entry that cannot be read is left out rather than failing the upgrade:
/// `log --check` names it, and reading it reports it.
pub(super) fn index_existing(txn: &WriteTransaction) -> Result<(), Fail> {
    let audit = txn.open_table(AUDIT)?;
    let mut by_key = txn.open_table(AUDIT_BY_KEY)?;
    for item in audit.iter()? {
        let (seq, bytes) = item?;
        if let Some(key) = decode(bytes.value()).and_then(|e| e.key) {
            by_key.insert((key.as_str(), seq.value()), ())?;
        }
    }
    Ok(())
}

/// Entries matching `query`, newest first: one key's through the key index,
/// the others by walking the log back from `before_seq`.
pub(super) fn read(
    audit: &impl ReadableTable<u64, &'static [u8]>,
    by_key: &impl ReadableTable<(&'static str, u64), ()>,
    query: &AuditQuery,
) -> Result<Vec<AuditEntry>, Fail> {
    let limit = query.limit.unwrap_or(usize::MAX);
    let before = query.before_seq.unwrap_or(u64::MAX);
    let mut found = Vec::new();
    let mut take = |entry: AuditEntry| {
        if query.since.is_none_or(|since| entry.at >= since) {
            found.push(entry);
        }
        found.len() < limit
    };
    if limit == 0 {
        return Ok(Vec::new());
    }
    match &query.key {
        Some(key) => {
            for item in by_key.range((key.as_str(), 0)..(key.as_str(), before))?.rev() {
                let seq = item?.0.value().1;
                let entry = get(audit, seq)?.filter(|e| e.key.as_ref() == Some(key));
                if !take(entry.ok_or_else(|| index_disagrees(seq))?) {
                    break;
                }
            }
        }
        None => {
            for item in audit.range(..before)?.rev() {
                let (seq, bytes) = item?;
                if !take(decode(bytes.value()).ok_or_else(|| unreadable(seq.value()))?) {
                    break;
                }
            }
        }
    }
    Ok(found)
}

/// The entry numbered `seq`, if there is one.
fn get(audit: &impl ReadableTable<u64, &'static [u8]>, seq: u64) -> Result<Option<AuditEntry>, Fail> {
    match audit.get(seq)? {
        Some(bytes) => Ok(Some(decode(bytes.value()).ok_or_else(|| unreadable(seq))?)),
        None => Ok(None),
    }
}

fn index_disagrees(seq: u64) -> Fail {
    Fail::Decode(DecodeError::Malformed {
        record: StoredItem::AuditEntry(seq),
        reason: Malformation::IndexDisagrees,
    })
}

fn unreadable(seq: u64) -> Fail {
    Fail::Decode(DecodeError::Malformed {
        record: StoredItem::AuditEntry(seq),
        reason: Malformation::Changed,
    })
}

/// Walks the whole chain: what it found, the first entry at which it does
/// not hold among it. Only when the chain holds is the key index compared
/// with it.
pub(super) fn check(
    audit: &impl ReadableTable<u64, &'static [u8]>,
    by_key: &impl ReadableTable<(&'static str, u64), ()>,
    recorded_last: Option<u64>,
    checking: Checking<'_>,
) -> Result<ChainReport, Fail> {
    let items = audit.iter()?.map(|item| {
        let (key, bytes) = item?;
        Ok::<_, Fail>((key.value(), Stored(bytes)))
    });
    let (mut report, about_keys) = walk_chain(items, recorded_last, checking)?;
    if report.broken.is_none() {
        report.broken = check_index(audit, by_key, about_keys)?;
    }
    Ok(report)
}

/// A stored entry read in place (no copy per entry of a long log).
struct Stored<'a>(redb::AccessGuard<'a, &'static [u8]>);

impl AsRef<[u8]> for Stored<'_> {
    fn as_ref(&self) -> &[u8] {
        self.0.value()
    }
}

/// Every index row names an entry about its key, and there is one row per
/// such entry (`keyed`, counted on the chain): else the first entry found
/// whose history would be wrong.
fn check_index(
    audit: &impl ReadableTable<u64, &'static [u8]>,
    by_key: &impl ReadableTable<(&'static str, u64), ()>,
    keyed: u64,
) -> Result<Option<ChainBreak>, Fail> {
    let fault = |seq| {
        Ok(Some(ChainBreak {
            seq,
            kind: BreakKind::Unindexed,
        }))
    };
    let mut rows = 0;
    for item in by_key.iter()? {
        let (row, _) = item?;
        let (key, seq) = row.value();
        let about = audit
            .get(seq)?
            .and_then(|bytes| decode(bytes.value()))
            .and_then(|e| e.key);
        if about.as_ref().map(KeyId::as_str) != Some(key) {
            return fault(seq);
        }
        rows += 1;
    }
    if rows == keyed {
        return Ok(None);
    }
    // Rows are missing: find an entry without its row.
    for item in audit.iter()? {
        let (seq, bytes) = item?;
        if let Some(key) = decode(bytes.value()).and_then(|e| e.key)
            && by_key.get((key.as_str(), seq.value()))?.is_none()
        {
            return fault(seq.value());
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::KeyName;
    use crate::domain::{AuditKey, ChainHead};
    use crate::domain::{Interface, SshClient};
    use crate::store::chain::*;
    use crate::store::{KeyStore, Store};

    /// Every kind of change, made by a store with Chinese names and user.
    fn write_every_change(path: &std::path::Path) {
        let actor = Actor {
            user: Some("张三".into()),
            uid: Some(1000),
            sudo_user: Some("root".into()),
            ssh_client: Some(SshClient {
                address: "203.0.113.7".into(),
                port: 52114,
            }),
            interface: Interface::Tui,
            version: "0.1.0".into(),
        };
        let store = Store::builder(path).actor(actor).open().unwrap();
        let later = OffsetDateTime::now_utc() + time::Duration::days(30);
        let name = KeyName::parse("生产-网关").unwrap();
        let (_, record) = store.create_expiring(&name, Some(later)).unwrap();
        store.rename(&record.id, &KeyName::parse("测试-网关").unwrap()).unwrap();
        store.disable(&record.id).unwrap();
        store.enable(&record.id).unwrap();
        store.rotate(&record.id, time::Duration::HOUR).unwrap();
        store.set_expiry(&record.id, None).unwrap();
        store.delete(&record.id).unwrap();
    }

    #[test]
    fn every_entry_written_is_its_sealed_encoding() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.redb");
        write_every_change(&path);
        let db = redb::Database::open(&path).unwrap();
        let txn = redb::ReadableDatabase::begin_read(&db).unwrap();
        let audit = txn.open_table(AUDIT).unwrap();
        let mut actions = Vec::new();
        for item in audit.iter().unwrap() {
            let (_, stored) = item.unwrap();
            let entry = decode(stored.value()).expect("an entry keydesk wrote");
            assert_eq!(seal(&entry, None), Some(stored.value().to_vec()), "{entry:?}");
            actions.push(entry.event.action());
        }
        assert_eq!(
            actions,
            ["create", "rename", "disable", "enable", "rotate", "expire", "delete"]
        );
        drop((audit, txn, db));
        // And the chain holds.
        assert_eq!(
            Store::builder(&path)
                .create_if_missing(false)
                .open()
                .unwrap()
                .check_audit_chain()
                .unwrap(),
            None
        );
    }

    #[test]
    fn the_seal_is_hmac_sha256_as_rfc_4231_defines_it() {
        // RFC 4231, test case 2 ("Jefe"), with the key zero-padded to 32
        // bytes: HMAC pads keys shorter than the block with zeros, so the
        // MAC is the same.
        let mut key = [0u8; AuditKey::LEN];
        key[..4].copy_from_slice(b"Jefe");
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        let sum = mac(&AuditKey::from_bytes(&key), b"what do ya want for nothing?");
        assert_eq!(sum.iter().map(|b| format!("{b:02x}")).collect::<String>(), expected);
    }

    #[test]
    fn a_keyed_entry_is_refused_without_the_key_and_checked_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.redb");
        let key = AuditKey::generate();
        let store = Store::builder(&path).audit_key(key.clone()).open().unwrap();
        let (_, record) = store.create(&KeyName::parse("billing").unwrap()).unwrap();
        let stored = {
            let db = redb::Database::open(&path).unwrap();
            let txn = redb::ReadableDatabase::begin_read(&db).unwrap();
            txn.open_table(AUDIT).unwrap().get(1).unwrap().unwrap().value().to_vec()
        };
        assert_eq!(stored[0], ENTRY_KEYED);
        let entry = decode(&stored).unwrap();
        assert!(entry.keyed);
        assert_eq!(
            seal(&entry, Some(&key)),
            Some(stored.clone()),
            "sealing is deterministic"
        );
        assert_eq!(seal(&entry, None), None);
        assert_eq!(may_follow(1, &stored, Some(&key)), Ok(()));
        assert_eq!(may_follow(1, &stored, None), Err(KeyProblem::Missing(1)));
        let other = AuditKey::generate();
        assert_eq!(may_follow(1, &stored, Some(&other)), Err(KeyProblem::Mismatch(1)));
        let without = Store::builder(&path).create_if_missing(false).open().unwrap();
        let refused = without.rename(&record.id, &KeyName::parse("x1").unwrap()).unwrap_err();
        let location = path.display().to_string();
        assert_eq!(
            refused.to_string(),
            format!(
                "the audit log of {location} is sealed with an audit key (entry 1 is), and this program has none, so \
                 nothing was written: every program that changes this database needs the same key file (keydesk: \
                 `audit_key_file` in `keydesk config show`)"
            )
        );
        let mismatched = Store::builder(&path)
            .create_if_missing(false)
            .audit_key(other)
            .open()
            .unwrap();
        let refused = mismatched.disable(&record.id).unwrap_err();
        assert!(
            matches!(&refused, crate::store::StoreError::AuditKeyMismatch { location: l, seq: 1 } if *l == location),
            "{refused:?}"
        );
        let report = without.check_audit(None).unwrap();
        assert_eq!((report.broken, report.seals_checked, report.entries), (None, false, 1));
        let head = ChainHead {
            seq: 1,
            digest: stored_digest(&stored),
        };
        assert_eq!(store.check_audit(Some(head)).unwrap().head, Some(head));
    }

    #[test]
    fn a_changed_entry_is_reported_by_its_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.redb");
        write_every_change(&path);
        {
            let db = redb::Database::open(&path).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(AUDIT).unwrap().insert(2, &b"garbage"[..]).unwrap();
            txn.commit().unwrap();
        }
        let store = Store::builder(&path).create_if_missing(false).open().unwrap();
        let error = store.audit_entries(&AuditQuery::default()).unwrap_err();
        let english = error.to_string();
        assert_eq!(
            english,
            format!(
                "the database {} is damaged: record audit entry 2 cannot be decoded: it was changed; run \
                 `keydesk log --check`",
                path.display()
            )
        );
    }
}
