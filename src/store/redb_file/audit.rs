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

use redb::{ReadableTable, Table, WriteTransaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::Fail;
use super::tables::{AUDIT, AUDIT_LAST_KEY, META};
use crate::domain::{
    Actor, AuditEntry, AuditEvent, AuditQuery, BreakKind, ChainBreak, Interface, KeyId, KeyRecord, SshClient,
};

const ENTRY_V1: u8 = 1;
const DIGEST_LEN: usize = 32;

#[derive(Serialize, Deserialize)]
struct StoredV1 {
    seq: u64,
    /// Unix seconds, UTC.
    at: i64,
    event: StoredEvent,
    key: Option<String>,
    name: Option<String>,
    masked: Option<String>,
    user: Option<String>,
    uid: Option<u32>,
    sudo_user: Option<String>,
    ssh_client: Option<(String, u16)>,
    interface: String,
    version: String,
    previous: [u8; 32],
}

#[derive(Serialize, Deserialize)]
enum StoredEvent {
    Created { expires_at: Option<i64> },
    Renamed { from: String },
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
    let mut audit = txn.open_table(AUDIT)?;
    let (seq, previous) = match audit.last()? {
        Some((seq, bytes)) => (seq.value() + 1, chain_digest(bytes.value())),
        None => (1, [0; 32]),
    };
    let entry = AuditEntry {
        seq,
        at: change.at,
        event: change.event,
        key: change.record.map(|r| r.id.clone()),
        name: change.record.map(|r| r.name.clone()),
        masked: change.record.map(|r| r.masked.clone()),
        actor: actor.clone(),
        previous_hash: previous,
    };
    insert(&mut audit, &entry)?;
    txn.open_table(META)?.insert(AUDIT_LAST_KEY, seq)?;
    Ok(())
}

fn insert(audit: &mut Table<u64, &[u8]>, entry: &AuditEntry) -> Result<(), Fail> {
    audit.insert(entry.seq, seal(entry).as_slice())?;
    Ok(())
}

/// An entry as stored, `E ‖ SHA-256(E)`: the one encoding every backend
/// keeps, so the chain and its check are the same whatever holds the log.
pub(in crate::store) fn seal(entry: &AuditEntry) -> Vec<u8> {
    let mut bytes = encode(entry);
    let sum = digest(&bytes);
    bytes.extend_from_slice(&sum);
    bytes
}

/// What the next entry's `previous_hash` must be after this stored entry.
pub(in crate::store) fn chain_digest(stored: &[u8]) -> [u8; 32] {
    digest(body_of(stored))
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The encoding without its trailing digest (all of it if it is too short).
fn body_of(stored: &[u8]) -> &[u8] {
    &stored[..stored.len().saturating_sub(DIGEST_LEN)]
}

fn encode(entry: &AuditEntry) -> Vec<u8> {
    let unix = |t: OffsetDateTime| t.unix_timestamp();
    let event = match &entry.event {
        AuditEvent::Created { expires_at } => StoredEvent::Created {
            expires_at: expires_at.map(unix),
        },
        AuditEvent::Renamed { from } => StoredEvent::Renamed { from: from.clone() },
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
    let actor = &entry.actor;
    let stored = StoredV1 {
        seq: entry.seq,
        at: unix(entry.at),
        event,
        key: entry.key.as_ref().map(|k| k.as_str().to_owned()),
        name: entry.name.clone(),
        masked: entry.masked.clone(),
        user: actor.user.clone(),
        uid: actor.uid,
        sudo_user: actor.sudo_user.clone(),
        ssh_client: actor.ssh_client.as_ref().map(|c| (c.address.clone(), c.port)),
        interface: actor.interface.as_str().to_owned(),
        version: actor.version.clone(),
        previous: entry.previous_hash,
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
    let s: StoredV1 = postcard::from_bytes(rest).ok()?;
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

/// Entries matching `query`, newest first.
pub(super) fn read(
    audit: &impl ReadableTable<u64, &'static [u8]>,
    query: &AuditQuery,
) -> Result<Vec<AuditEntry>, Fail> {
    let limit = query.limit.unwrap_or(usize::MAX);
    let mut found = Vec::new();
    let range = audit.range(..query.before_seq.unwrap_or(u64::MAX))?;
    for item in range.rev() {
        if found.len() >= limit {
            break;
        }
        let (seq, bytes) = item?;
        let entry = decode(bytes.value()).ok_or_else(|| unreadable(seq.value()))?;
        if query.key.as_ref().is_some_and(|k| entry.key.as_ref() != Some(k)) {
            continue;
        }
        if query.since.is_some_and(|since| entry.at < since) {
            continue;
        }
        found.push(entry);
    }
    Ok(found)
}

fn unreadable(seq: u64) -> Fail {
    Fail::Decode(super::DecodeError::Malformed {
        id: format!("audit entry {seq}"),
        reason: "it was changed; run `keydesk log --check`".to_owned(),
    })
}

/// Walks the whole chain; the first entry at which it does not hold.
pub(super) fn check(
    audit: &impl ReadableTable<u64, &'static [u8]>,
    recorded_last: Option<u64>,
) -> Result<Option<ChainBreak>, Fail> {
    let items = audit.iter()?.map(|item| {
        let (key, bytes) = item?;
        Ok((key.value(), Stored(bytes)))
    });
    check_chain(items, recorded_last)
}

/// A stored entry read in place (no copy per entry of a long log).
struct Stored<'a>(redb::AccessGuard<'a, &'static [u8]>);

impl AsRef<[u8]> for Stored<'_> {
    fn as_ref(&self) -> &[u8] {
        self.0.value()
    }
}

/// [`check`] over entries in any store: `(seq, stored bytes)` in ascending
/// order, and the last sequence number the store recorded writing.
pub(in crate::store) fn check_chain<B: AsRef<[u8]>, E>(
    items: impl IntoIterator<Item = Result<(u64, B), E>>,
    recorded_last: Option<u64>,
) -> Result<Option<ChainBreak>, E> {
    let fault = |seq, kind| Ok(Some(ChainBreak { seq, kind }));
    let mut expected = 1;
    let mut previous = [0u8; 32];
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
        previous = own;
        expected = key + 1;
    }
    let last = expected - 1;
    match recorded_last {
        Some(recorded) if recorded > last => fault(last + 1, BreakKind::Removed),
        Some(recorded) if recorded < last => fault(recorded + 1, BreakKind::Inserted),
        _ => Ok(None),
    }
}
