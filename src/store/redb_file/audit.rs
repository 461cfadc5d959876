//! The audit log in the redb file: encoding, appending and the chain check.
//!
//! An entry is stored under its sequence number (1, 2, 3, …) as
//! `E ‖ SHA-256(E)`, where `E` is one version byte then postcard of
//! [`StoredV1`]: the sequence number, time, action and its details, key ID,
//! name, masked hint, actor, and `previous` — the SHA-256 of the previous
//! entry's `E` (32 zero bytes for the first). The trailing digest lets the
//! check tell an entry whose bytes were changed from one that does not follow
//! its predecessor. `META[audit_last_seq]` records the last number written,
//! so entries cut off the end are noticed as well.
//!
//! `AUDIT_BY_KEY` (schema 5) indexes the entries about each key, for reading
//! one key's history without a scan. It proves nothing: the check walks the
//! chain in `AUDIT` first, then checks that the index agrees with it, since
//! an index row removed would hide an entry from that key's history.

use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::Fail;
use super::tables::{AUDIT, AUDIT_BY_KEY, AUDIT_LAST_KEY, META};
use crate::domain::{
    Actor, AuditEntry, AuditEvent, AuditQuery, BreakKind, ChainBreak, Interface, KeyId, KeyRecord, SshClient,
};

const ENTRY_V1: u8 = 1;
const DIGEST_LEN: usize = 32;

/// `S` is `&str` when writing (borrowing from the change, no copies) and
/// `String` when reading: postcard encodes both the same way.
#[derive(Serialize, Deserialize)]
struct StoredV1<S> {
    seq: u64,
    /// Unix seconds, UTC.
    at: i64,
    event: StoredEvent<S>,
    key: Option<S>,
    name: Option<S>,
    masked: Option<S>,
    user: Option<S>,
    uid: Option<u32>,
    sudo_user: Option<S>,
    ssh_client: Option<(S, u16)>,
    interface: S,
    version: S,
    previous: [u8; 32],
}

#[derive(Serialize, Deserialize)]
enum StoredEvent<S> {
    Created { expires_at: Option<i64> },
    Renamed { from: S },
    Deleted,
    Disabled,
    Enabled,
    Rotated { grace_until: i64 },
    ExpiryChanged { expires_at: Option<i64> },
    SchemaUpgraded { from: u64, to: u64 },
}

/// What a change tells the log; the store adds number, actor and chain.
pub(super) struct Change<'a> {
    pub at: OffsetDateTime,
    pub event: AuditEvent,
    pub record: Option<&'a KeyRecord>,
}

/// Appends one entry for `change`, in the caller's write transaction.
pub(super) fn append(txn: &WriteTransaction, actor: &Actor, change: Change<'_>) -> Result<(), Fail> {
    let key = change.record.map(|r| r.id.as_str());
    let seq = append_unindexed(txn, actor, change)?;
    if let Some(key) = key {
        txn.open_table(AUDIT_BY_KEY)?.insert((key, seq), ())?;
    }
    Ok(())
}

/// [`append`] without the key-index row, for a bulk write, which adds its
/// rows together (see [`super::bulk`]). Returns the entry's number.
pub(super) fn append_unindexed(txn: &WriteTransaction, actor: &Actor, change: Change<'_>) -> Result<u64, Fail> {
    let mut audit = txn.open_table(AUDIT)?;
    // The previous entry's digest is stored at its end: copied, not
    // recomputed. (If someone changed it, the check finds that entry
    // changed; the chain from here on is still made of real digests.)
    let (seq, previous) = match audit.last()? {
        Some((seq, bytes)) => (seq.value() + 1, stored_digest(bytes.value())),
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
    let mut bytes = encode(&entry);
    let sum = digest(&bytes);
    bytes.extend_from_slice(&sum);
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

#[cfg(any(feature = "postgres", test))]
/// An entry as stored, `E ‖ SHA-256(E)`: the one encoding every backend
/// keeps, so the chain and its check are the same whatever holds the log.
pub(in crate::store) fn seal(entry: &AuditEntry) -> Vec<u8> {
    let borrowed = Borrowed {
        seq: entry.seq,
        at: entry.at,
        event: &entry.event,
        key: entry.key.as_ref().map(KeyId::as_str),
        name: entry.name.as_deref(),
        masked: entry.masked.as_deref(),
        actor: &entry.actor,
        previous: entry.previous_hash,
    };
    let mut bytes = encode(&borrowed);
    let sum = digest(&bytes);
    bytes.extend_from_slice(&sum);
    bytes
}

#[cfg(feature = "postgres")]
/// What the next entry's `previous_hash` must be after this stored entry:
/// the digest it carries at its end (see [`append`]).
pub(in crate::store) fn chain_digest(stored: &[u8]) -> [u8; 32] {
    stored_digest(stored)
}

/// An entry to write, borrowing everything from the change and the actor.
struct Borrowed<'a> {
    seq: u64,
    at: OffsetDateTime,
    event: &'a AuditEvent,
    key: Option<&'a str>,
    name: Option<&'a str>,
    masked: Option<&'a str>,
    actor: &'a Actor,
    previous: [u8; 32],
}

/// The digest an entry carries at its end (zeros if it is too short to
/// have one: the check reports such an entry as changed).
fn stored_digest(stored: &[u8]) -> [u8; 32] {
    stored
        .len()
        .checked_sub(DIGEST_LEN)
        .and_then(|at| stored[at..].try_into().ok())
        .unwrap_or([0; 32])
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The encoding without its trailing digest (all of it if it is too short).
fn body_of(stored: &[u8]) -> &[u8] {
    &stored[..stored.len().saturating_sub(DIGEST_LEN)]
}

fn encode(entry: &Borrowed<'_>) -> Vec<u8> {
    let unix = |t: OffsetDateTime| t.unix_timestamp();
    let event = match entry.event {
        AuditEvent::Created { expires_at } => StoredEvent::Created {
            expires_at: expires_at.map(unix),
        },
        AuditEvent::Renamed { from } => StoredEvent::Renamed { from: from.as_str() },
        AuditEvent::Deleted => StoredEvent::Deleted,
        AuditEvent::Disabled => StoredEvent::Disabled,
        AuditEvent::Enabled => StoredEvent::Enabled,
        AuditEvent::Rotated { grace_until } => StoredEvent::Rotated {
            grace_until: unix(*grace_until),
        },
        AuditEvent::ExpiryChanged { expires_at } => StoredEvent::ExpiryChanged {
            expires_at: expires_at.map(unix),
        },
        AuditEvent::SchemaUpgraded { from, to } => StoredEvent::SchemaUpgraded { from: *from, to: *to },
    };
    let actor = entry.actor;
    let stored = StoredV1 {
        seq: entry.seq,
        at: unix(entry.at),
        event,
        key: entry.key,
        name: entry.name,
        masked: entry.masked,
        user: actor.user.as_deref(),
        uid: actor.uid,
        sudo_user: actor.sudo_user.as_deref(),
        ssh_client: actor.ssh_client.as_ref().map(|c| (c.address.as_str(), c.port)),
        interface: actor.interface.as_str(),
        version: actor.version.as_str(),
        previous: entry.previous,
    };
    let mut bytes = vec![ENTRY_V1];
    // Plain strings and integers into a Vec: cannot fail.
    bytes.extend(postcard::to_allocvec(&stored).expect("audit serialisation is infallible"));
    bytes
}

/// Decodes stored bytes (with or without checking the trailing digest).
pub(in crate::store) fn decode(stored: &[u8]) -> Option<AuditEntry> {
    let body = body_of(stored);
    let (&version, rest) = body.split_first()?;
    if version != ENTRY_V1 {
        return None;
    }
    let s: StoredV1<String> = postcard::from_bytes(rest).ok()?;
    let time = |t: i64| OffsetDateTime::from_unix_timestamp(t).ok();
    let event = match s.event {
        StoredEvent::Created { expires_at } => AuditEvent::Created {
            expires_at: expires_at.and_then(time),
        },
        StoredEvent::Renamed { from } => AuditEvent::Renamed { from },
        StoredEvent::Deleted => AuditEvent::Deleted,
        StoredEvent::Disabled => AuditEvent::Disabled,
        StoredEvent::Enabled => AuditEvent::Enabled,
        StoredEvent::Rotated { grace_until } => AuditEvent::Rotated {
            grace_until: time(grace_until)?,
        },
        StoredEvent::ExpiryChanged { expires_at } => AuditEvent::ExpiryChanged {
            expires_at: expires_at.and_then(time),
        },
        StoredEvent::SchemaUpgraded { from, to } => AuditEvent::SchemaUpgraded { from, to },
    };
    Some(AuditEntry {
        seq: s.seq,
        at: time(s.at)?,
        event,
        key: match s.key {
            Some(k) => Some(KeyId::parse(&k)?),
            None => None,
        },
        name: s.name,
        masked: s.masked,
        actor: Actor {
            user: s.user,
            uid: s.uid,
            sudo_user: s.sudo_user,
            ssh_client: s.ssh_client.map(|(address, port)| SshClient { address, port }),
            interface: Interface::parse(&s.interface)?,
            version: s.version,
        },
        previous_hash: s.previous,
    })
}

fn intact(stored: &[u8]) -> bool {
    stored.len() > DIGEST_LEN && digest(body_of(stored)) == stored[stored.len() - DIGEST_LEN..]
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
    Fail::Decode(super::DecodeError::Malformed {
        id: tr!("error-audit-entry", seq = seq),
        reason: tr!("error-audit-index-disagrees"),
    })
}

fn unreadable(seq: u64) -> Fail {
    Fail::Decode(super::DecodeError::Malformed {
        id: tr!("error-audit-entry", seq = seq),
        reason: tr!("error-audit-entry-changed"),
    })
}

/// Walks the whole chain; the first entry at which it does not hold. Only
/// when the chain holds is the key index compared with it.
pub(super) fn check(
    audit: &impl ReadableTable<u64, &'static [u8]>,
    by_key: &impl ReadableTable<(&'static str, u64), ()>,
    recorded_last: Option<u64>,
) -> Result<Option<ChainBreak>, Fail> {
    let items = audit.iter()?.map(|item| {
        let (key, bytes) = item?;
        Ok::<_, Fail>((key.value(), Stored(bytes)))
    });
    let keyed = match walk_chain(items, recorded_last)? {
        Ok(keyed) => keyed,
        Err(fault) => return Ok(Some(fault)),
    };
    check_index(audit, by_key, keyed)
}

/// The chain alone, over entries in any store (`(seq, stored bytes)` in
/// ascending order, and the last sequence number the store recorded
/// writing): how many entries are about a key, or the first fault.
fn walk_chain<B: AsRef<[u8]>, E>(
    items: impl IntoIterator<Item = Result<(u64, B), E>>,
    recorded_last: Option<u64>,
) -> Result<Result<u64, ChainBreak>, E> {
    let fault = |seq, kind| Ok(Err(ChainBreak { seq, kind }));
    let mut expected = 1;
    let mut previous = [0u8; 32];
    let mut keyed = 0;
    for item in items {
        let (key, bytes) = item?;
        let bytes = bytes.as_ref();
        if key > expected {
            return fault(expected, BreakKind::Removed);
        }
        let Some(entry) = decode(bytes).filter(|_| intact(bytes)) else {
            return fault(key, BreakKind::Changed);
        };
        let own = digest(body_of(bytes));
        // An intact entry under another number was moved: an entry before it
        // was removed (it moved down), or one was inserted before it (it moved
        // up) — unless it is itself a copy of an earlier entry put here.
        if entry.seq > key {
            return fault(key, BreakKind::Removed);
        }
        if entry.seq < key {
            let moved_up = entry.seq == key - 1 && own != previous;
            return fault(if moved_up { key - 1 } else { key }, BreakKind::Inserted);
        }
        if entry.previous_hash != previous {
            return fault(key, BreakKind::Inserted);
        }
        keyed += u64::from(entry.key.is_some());
        previous = own;
        expected = key + 1;
    }
    let last = expected - 1;
    match recorded_last {
        Some(recorded) if recorded > last => fault(last + 1, BreakKind::Removed),
        Some(recorded) if recorded < last => fault(recorded + 1, BreakKind::Inserted),
        _ => Ok(Ok(keyed)),
    }
}

#[cfg(feature = "postgres")]
/// [`walk_chain`] for a store whose key index is the database's own (so
/// there is none to compare): the first fault, if any.
pub(in crate::store) fn check_chain<B: AsRef<[u8]>, E>(
    items: impl IntoIterator<Item = Result<(u64, B), E>>,
    recorded_last: Option<u64>,
) -> Result<Option<ChainBreak>, E> {
    Ok(walk_chain(items, recorded_last)?.err())
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
    use crate::i18n::{Lang, with_lang};
    use crate::store::{KeyStore, Store};

    /// Every kind of change, made by a store whose messages are in Chinese.
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
        let store = Store::open(path).unwrap().with_actor(actor);
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
    fn an_entry_written_in_chinese_is_byte_identical_to_its_english_encoding() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.redb");
        with_lang(Lang::ZhCn, || write_every_change(&path));
        let db = redb::Database::open(&path).unwrap();
        let txn = redb::ReadableDatabase::begin_read(&db).unwrap();
        let audit = txn.open_table(AUDIT).unwrap();
        let mut actions = Vec::new();
        for item in audit.iter().unwrap() {
            let (_, stored) = item.unwrap();
            let entry = decode(stored.value()).expect("an entry keydesk wrote");
            assert_eq!(with_lang(Lang::En, || seal(&entry)), stored.value(), "{entry:?}");
            actions.push(entry.event.action());
        }
        assert_eq!(
            actions,
            ["create", "rename", "disable", "enable", "rotate", "expire", "delete"]
        );
        drop((audit, txn, db));
        // And the chain, checked in English, holds.
        assert_eq!(Store::open_existing(&path).unwrap().check_audit_chain().unwrap(), None);
    }

    #[test]
    fn a_changed_entry_is_reported_in_chinese_by_its_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.redb");
        write_every_change(&path);
        {
            let db = redb::Database::open(&path).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(AUDIT).unwrap().insert(2, &b"garbage"[..]).unwrap();
            txn.commit().unwrap();
        }
        let store = Store::open_existing(&path).unwrap();
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
        let chinese = crate::i18n::with_lang(Lang::ZhCn, || {
            store.audit_entries(&AuditQuery::default()).unwrap_err().to_string()
        });
        assert_eq!(
            chinese,
            format!(
                "数据库 {} 已损坏：记录 「审计日志条目 2」 无法解码：它已被修改；请运行 `keydesk log --check`",
                path.display()
            )
        );
    }
}
