//! The audit log in the redb file: encoding, appending and the chain check.
//!
//! An entry is stored under its sequence number (1, 2, 3, …) as `E ‖ seal`,
//! where `E` is one version byte then postcard of [`StoredV1`]: the sequence
//! number, time, action and its details, key ID, name, masked hint, actor,
//! and `previous` — the previous entry's seal (32 zero bytes for the first).
//! The version byte says how the entry is sealed: 1, SHA-256(E) — what every
//! keydesk wrote before the audit key, and what a store without a key still
//! writes onto an unkeyed log; 2, HMAC-SHA-256(key, E). The byte is inside
//! `E`, so it is sealed too. The trailing seal lets the check tell an entry
//! whose bytes were changed from one that does not follow its predecessor.
//! `META[audit_last_seq]` records the last number written, so entries cut off
//! the end are noticed as well.
//!
//! Once one entry is keyed every later one must be: a store without the key,
//! or with another key, refuses to append to a keyed log (a silent unkeyed
//! entry would be indistinguishable from a forger's), and the check reports an
//! unkeyed entry after a keyed one. Old logs stay readable and checkable, so
//! no schema change: keyed sealing begins at the first entry written with the
//! key.
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
    Actor, AuditEntry, AuditEvent, AuditKey, AuditQuery, BreakKind, ChainBreak, ChainHead, ChainReport, Interface,
    KeyId, KeyRecord, SshClient,
};

/// Sealed with SHA-256.
const ENTRY_V1: u8 = 1;
/// Sealed with HMAC-SHA-256 under the audit key.
const ENTRY_KEYED: u8 = 2;
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

/// Why a store may not append to a log whose last entry, `seq`, is keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::store) enum KeyProblem {
    /// The store has no key.
    Missing(u64),
    /// The store's key does not verify the entry: another key, or the
    /// entry was changed.
    Mismatch(u64),
}

/// Whether an entry sealed with `key` (or unkeyed, without one) may follow
/// the stored entry `seq`: a keyed entry may be followed only by entries
/// sealed with the same key. One HMAC per write.
pub(in crate::store) fn may_follow(seq: u64, last: &[u8], key: Option<&AuditKey>) -> Result<(), KeyProblem> {
    if body_of(last).first() != Some(&ENTRY_KEYED) {
        return Ok(());
    }
    let key = key.ok_or(KeyProblem::Missing(seq))?;
    match verify_mac(key, body_of(last), &stored_digest(last)) {
        true => Ok(()),
        false => Err(KeyProblem::Mismatch(seq)),
    }
}

#[cfg(any(feature = "postgres", test))]
/// An entry as stored, `E ‖ seal`: the one encoding every backend keeps, so
/// the chain and its check are the same whatever holds the log. `None` for a
/// keyed entry without the key.
pub(in crate::store) fn seal(entry: &AuditEntry, key: Option<&AuditKey>) -> Option<Vec<u8>> {
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
    seal_encoded(encode(&borrowed, entry.keyed), key)
}

/// `E ‖ seal` for an encoded entry `E`: HMAC under `key` when `E` is keyed
/// (`None` without a key), else SHA-256.
fn seal_encoded(mut bytes: Vec<u8>, key: Option<&AuditKey>) -> Option<Vec<u8>> {
    let sum = match bytes.first() {
        Some(&ENTRY_KEYED) => mac(key?, &bytes),
        _ => digest(&bytes),
    };
    bytes.extend_from_slice(&sum);
    Some(bytes)
}

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

fn keyed_mac(key: &AuditKey, bytes: &[u8]) -> HmacSha256 {
    use hmac::{KeyInit, Mac};
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key.expose()).expect("HMAC takes a key of any length");
    mac.update(bytes);
    mac
}

fn mac(key: &AuditKey, bytes: &[u8]) -> [u8; 32] {
    use hmac::Mac;
    keyed_mac(key, bytes).finalize().into_bytes().into()
}

/// Compared in constant time.
fn verify_mac(key: &AuditKey, bytes: &[u8], seal: &[u8; 32]) -> bool {
    use hmac::Mac;
    keyed_mac(key, bytes).verify_slice(seal).is_ok()
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

fn encode(entry: &Borrowed<'_>, keyed: bool) -> Vec<u8> {
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
    let mut bytes = vec![if keyed { ENTRY_KEYED } else { ENTRY_V1 }];
    // Plain strings and integers into a Vec: cannot fail.
    bytes.extend(postcard::to_allocvec(&stored).expect("audit serialisation is infallible"));
    bytes
}

/// Decodes stored bytes (with or without checking the trailing digest).
pub(in crate::store) fn decode(stored: &[u8]) -> Option<AuditEntry> {
    let body = body_of(stored);
    let (&version, rest) = body.split_first()?;
    if version != ENTRY_V1 && version != ENTRY_KEYED {
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
        keyed: version == ENTRY_KEYED,
    })
}

/// What an entry's seal says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seal {
    /// The seal matches the content.
    Holds,
    /// It does not (or the entry is too short to have one).
    Broken,
    /// A keyed entry, and no key to check it with.
    Unchecked,
}

fn check_seal(stored: &[u8], key: Option<&AuditKey>) -> Seal {
    if stored.len() <= DIGEST_LEN {
        return Seal::Broken;
    }
    let (body, sealed) = (body_of(stored), stored_digest(stored));
    let holds = match (body.first(), key) {
        (Some(&ENTRY_KEYED), None) => return Seal::Unchecked,
        (Some(&ENTRY_KEYED), Some(key)) => verify_mac(key, body, &sealed),
        _ => digest(body) == sealed,
    };
    if holds { Seal::Holds } else { Seal::Broken }
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

/// What the chain check is given besides the entries: the key to check
/// seals with, and an entry that must still be there unchanged.
#[derive(Clone, Copy, Default)]
pub(in crate::store) struct Checking<'a> {
    pub key: Option<&'a AuditKey>,
    pub expect: Option<ChainHead>,
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

/// The chain alone, over entries in any store (`(seq, stored bytes)` in
/// ascending order, and the last sequence number the store recorded
/// writing): the report, and how many entries are about a key.
fn walk_chain<B: AsRef<[u8]>, E>(
    items: impl IntoIterator<Item = Result<(u64, B), E>>,
    recorded_last: Option<u64>,
    checking: Checking<'_>,
) -> Result<(ChainReport, u64), E> {
    let mut walk = Walk {
        report: ChainReport {
            entries: 0,
            broken: None,
            keyed_from: None,
            seals_checked: true,
            head: None,
        },
        previous: [0; 32],
        about_keys: 0,
    };
    for item in items {
        let (key, bytes) = item?;
        if let Err(fault) = walk.step(key, bytes.as_ref(), checking) {
            walk.report.broken = Some(fault);
            return Ok((walk.report, walk.about_keys));
        }
    }
    walk.report.broken = walk.end(recorded_last, checking.expect);
    Ok((walk.report, walk.about_keys))
}

/// The state of a walk along the chain.
struct Walk {
    report: ChainReport,
    /// The last entry's seal.
    previous: [u8; 32],
    about_keys: u64,
}

impl Walk {
    /// Takes the entry stored under `key`, or the fault it shows.
    fn step(&mut self, key: u64, bytes: &[u8], checking: Checking<'_>) -> Result<(), ChainBreak> {
        let fault = |seq, kind| Err(ChainBreak { seq, kind });
        let expected = self.report.entries + 1;
        if key > expected {
            return fault(expected, BreakKind::Removed);
        }
        let seal = check_seal(bytes, checking.key);
        let Some(entry) = decode(bytes).filter(|_| seal != Seal::Broken) else {
            return fault(key, BreakKind::Changed);
        };
        let own = stored_digest(bytes);
        // An intact entry under another number was moved: an entry before it
        // was removed (it moved down), or one was inserted before it (it moved
        // up) — unless it is itself a copy of an earlier entry put here.
        if entry.seq > key {
            return fault(key, BreakKind::Removed);
        }
        if entry.seq < key {
            let moved_up = entry.seq == key - 1 && own != self.previous;
            return fault(if moved_up { key - 1 } else { key }, BreakKind::Inserted);
        }
        if entry.previous_hash != self.previous {
            return fault(key, BreakKind::Inserted);
        }
        // Once keyed, always keyed: anyone can seal with plain SHA-256.
        if !entry.keyed && self.report.keyed_from.is_some() {
            return fault(key, BreakKind::Unsealed);
        }
        if checking
            .expect
            .is_some_and(|head| head.seq == key && head.digest != own)
        {
            return fault(key, BreakKind::Unexpected);
        }
        if entry.keyed {
            self.report.keyed_from.get_or_insert(key);
        }
        self.report.seals_checked &= seal != Seal::Unchecked;
        self.about_keys += u64::from(entry.key.is_some());
        self.previous = own;
        self.report.entries = key;
        self.report.head = Some(ChainHead { seq: key, digest: own });
        Ok(())
    }

    /// After the last entry: the fault the recorded last number or the
    /// expected entry shows, if any.
    fn end(&self, recorded_last: Option<u64>, expect: Option<ChainHead>) -> Option<ChainBreak> {
        let last = self.report.entries;
        let fault = |seq, kind| Some(ChainBreak { seq, kind });
        match recorded_last {
            Some(recorded) if recorded > last => return fault(last + 1, BreakKind::Removed),
            Some(recorded) if recorded < last => return fault(recorded + 1, BreakKind::Inserted),
            _ => {}
        }
        let expect = expect?;
        if expect.seq > last {
            return fault(last + 1, BreakKind::Removed);
        }
        None
    }
}

#[cfg(feature = "postgres")]
/// [`walk_chain`] for a store whose key index is the database's own (so
/// there is none to compare).
pub(in crate::store) fn check_chain<B: AsRef<[u8]>, E>(
    items: impl IntoIterator<Item = Result<(u64, B), E>>,
    recorded_last: Option<u64>,
    checking: Checking<'_>,
) -> Result<ChainReport, E> {
    Ok(walk_chain(items, recorded_last, checking)?.0)
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
            assert_eq!(
                with_lang(Lang::En, || seal(&entry, None)),
                Some(stored.value().to_vec()),
                "{entry:?}"
            );
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
        let store = Store::open(&path).unwrap().with_audit_key(key.clone());
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
        let without = Store::open_existing(&path).unwrap();
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
        let chinese = with_lang(Lang::ZhCn, || {
            let other = Store::open_existing(&path).unwrap().with_audit_key(other);
            other.disable(&record.id).unwrap_err().to_string()
        });
        assert!(
            chinese.starts_with(&format!("{location} 的审计日志条目 1 不是用本程序的审计密钥封存的")),
            "{chinese}"
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
