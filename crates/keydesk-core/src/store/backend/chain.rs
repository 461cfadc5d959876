//! The audit chain, the same in every store: how an entry is encoded and
//! sealed, and how a chain of them is checked. The redb file
//! (`redb_file/audit.rs`) and keydesk-postgres store the sealed bytes in
//! their own tables and call this for everything else, so a log moved
//! between them (`keydesk migrate`) checks the same.
//!
//! An entry is stored under its sequence number (1, 2, 3, …) as `E ‖ seal`,
//! where `E` is one version byte then postcard of `StoredV1`: the sequence
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

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::domain::{
    Actor, AuditEntry, AuditEvent, AuditKey, BreakKind, ChainBreak, ChainHead, ChainReport, Interface, KeyId, SshClient,
};

/// Sealed with SHA-256.
const ENTRY_V1: u8 = 1;
/// Sealed with HMAC-SHA-256 under the audit key.
pub(crate) const ENTRY_KEYED: u8 = 2;
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

/// postcard numbers the variants in order, so new ones only ever go at the
/// end: every entry already written keeps decoding (and checking) as it was.
#[derive(Serialize, Deserialize)]
enum StoredEvent<S> {
    /// A key created without a policy (every creation before policies).
    Created {
        expires_at: Option<i64>,
    },
    Renamed {
        from: S,
    },
    Deleted,
    Disabled,
    Enabled,
    Rotated {
        grace_until: i64,
    },
    ExpiryChanged {
        expires_at: Option<i64>,
    },
    SchemaUpgraded {
        from: u64,
        to: u64,
    },
    /// A key created with a policy (its text form, never empty).
    CreatedWithPolicy {
        expires_at: Option<i64>,
        policy: S,
    },
    PolicyChanged {
        from: S,
        to: S,
    },
}

/// Why a store may not append to a log whose last entry, `seq`, is keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyProblem {
    /// The store has no key.
    Missing(u64),
    /// The store's key does not verify the entry: another key, or the
    /// entry was changed.
    Mismatch(u64),
}

/// Whether an entry sealed with `key` (or unkeyed, without one) may follow
/// the stored entry `seq`: a keyed entry may be followed only by entries
/// sealed with the same key. One HMAC per write.
pub fn may_follow(seq: u64, last: &[u8], key: Option<&AuditKey>) -> Result<(), KeyProblem> {
    if body_of(last).first() != Some(&ENTRY_KEYED) {
        return Ok(());
    }
    let key = key.ok_or(KeyProblem::Missing(seq))?;
    match verify_mac(key, body_of(last), &stored_digest(last)) {
        true => Ok(()),
        false => Err(KeyProblem::Mismatch(seq)),
    }
}

/// An entry as stored, `E ‖ seal`: the one encoding every backend keeps, so
/// the chain and its check are the same whatever holds the log. `None` for a
/// keyed entry without the key.
pub fn seal(entry: &AuditEntry, key: Option<&AuditKey>) -> Option<Vec<u8>> {
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
pub(crate) fn seal_encoded(mut bytes: Vec<u8>, key: Option<&AuditKey>) -> Option<Vec<u8>> {
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

pub(crate) fn mac(key: &AuditKey, bytes: &[u8]) -> [u8; 32] {
    use hmac::Mac;
    keyed_mac(key, bytes).finalize().into_bytes().into()
}

/// Compared in constant time.
fn verify_mac(key: &AuditKey, bytes: &[u8], seal: &[u8; 32]) -> bool {
    use hmac::Mac;
    keyed_mac(key, bytes).verify_slice(seal).is_ok()
}

/// What the next entry's `previous_hash` must be after this stored entry:
/// the digest it carries at its end (see [`seal`]).
pub fn chain_digest(stored: &[u8]) -> [u8; 32] {
    stored_digest(stored)
}

/// An entry to write, borrowing everything from the change and the actor.
pub(crate) struct Borrowed<'a> {
    pub seq: u64,
    pub at: OffsetDateTime,
    pub event: &'a AuditEvent,
    pub key: Option<&'a str>,
    pub name: Option<&'a str>,
    pub masked: Option<&'a str>,
    pub actor: &'a Actor,
    pub previous: [u8; 32],
}

/// The digest an entry carries at its end (zeros if it is too short to
/// have one: the check reports such an entry as changed).
pub(crate) fn stored_digest(stored: &[u8]) -> [u8; 32] {
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

pub(crate) fn encode(entry: &Borrowed<'_>, keyed: bool) -> Vec<u8> {
    let unix = |t: OffsetDateTime| t.unix_timestamp();
    let event = match entry.event {
        AuditEvent::Created { expires_at, policy } if policy.is_empty() => StoredEvent::Created {
            expires_at: expires_at.map(unix),
        },
        AuditEvent::Created { expires_at, policy } => StoredEvent::CreatedWithPolicy {
            expires_at: expires_at.map(unix),
            policy: policy.as_str(),
        },
        AuditEvent::PolicyChanged { from, to } => StoredEvent::PolicyChanged {
            from: from.as_str(),
            to: to.as_str(),
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
pub fn decode(stored: &[u8]) -> Option<AuditEntry> {
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
            policy: String::new(),
        },
        StoredEvent::CreatedWithPolicy { expires_at, policy } => AuditEvent::Created {
            expires_at: expires_at.and_then(time),
            policy,
        },
        StoredEvent::PolicyChanged { from, to } => AuditEvent::PolicyChanged { from, to },
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

/// What the chain check is given besides the entries: the key to check
/// seals with, and an entry that must still be there unchanged.
#[derive(Clone, Copy, Default)]
pub struct Checking<'a> {
    /// The key to check keyed entries' seals with; `None`: they cannot be checked.
    pub key: Option<&'a AuditKey>,
    /// An entry that must still be there unchanged (kept from an earlier check).
    pub expect: Option<ChainHead>,
}

/// The chain alone, over entries in any store (`(seq, stored bytes)` in
/// ascending order, and the last sequence number the store recorded
/// writing): the report, and how many entries are about a key.
pub(crate) fn walk_chain<B: AsRef<[u8]>, E>(
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

/// `walk_chain` for a store whose key index is the database's own (so
/// there is none to compare).
pub fn check_chain<B: AsRef<[u8]>, E>(
    items: impl IntoIterator<Item = Result<(u64, B), E>>,
    recorded_last: Option<u64>,
    checking: Checking<'_>,
) -> Result<ChainReport, E> {
    Ok(walk_chain(items, recorded_last, checking)?.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(event: AuditEvent) -> AuditEntry {
        AuditEntry {
            seq: 7,
            at: OffsetDateTime::from_unix_timestamp(1_777_000_000).unwrap(),
            event,
            key: Some(KeyId::parse("ak-0123456789abcdef").unwrap()),
            name: Some("gateway".to_owned()),
            masked: Some("sk-Ab3x****9fQz".to_owned()),
            actor: Actor::from_process(Interface::Library),
            previous_hash: [3; 32],
            keyed: false,
        }
    }

    #[test]
    fn policy_events_round_trip_and_a_creation_without_one_is_stored_as_before() {
        let created = |policy: &str| AuditEvent::Created {
            expires_at: None,
            policy: policy.to_owned(),
        };
        let changed = AuditEvent::PolicyChanged {
            from: "rpm=60".to_owned(),
            to: String::new(),
        };
        for event in [created(""), created("rpm=60 methods=GET"), changed] {
            let sealed = seal(&entry(event.clone()), None).unwrap();
            assert_eq!(decode(&sealed).unwrap(), entry(event));
        }
        // The variant every earlier keydesk wrote (index 0, then `None`), so
        // those entries and these check the same in older and newer builds.
        let plain = seal(&entry(created("")), None).unwrap();
        let event_at = 1 + 1 + 5; // version byte, seq (1 byte), at (5-byte varint)
        assert_eq!(&plain[event_at..event_at + 2], &[0, 0]);
    }
}
