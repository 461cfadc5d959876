//! What a change does to a key's record, and when it is refused: the same
//! for every backend, so the backends differ only in how they read and
//! write records. A refusal is the reason, for [`StoreError::Refused`](crate::store::StoreError::Refused).

use time::OffsetDateTime;

use crate::domain::{KeyHash, KeyId, KeyRecord, PreviousSecret, SecretKey};

/// Times are kept to the second, like every other stored time.
pub fn whole_second(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(0).unwrap_or(at)
}

pub use crate::store::{Change, Refused};

/// Expiry is final: an expired key is refused every change but delete (and
/// disable, which changes nothing it could use).
pub fn refuse_if_expired(record: &KeyRecord, now: OffsetDateTime, change: Change) -> Result<(), Refused> {
    match record.expires_at.filter(|at| now >= *at) {
        Some(at) => Err(Refused::Expired {
            id: record.id.as_str().to_owned(),
            at,
            change,
        }),
        None => Ok(()),
    }
}

/// Whose expiry [`check_future`] judges.
#[derive(Clone, Copy)]
pub enum Whose<'a> {
    /// An existing key's.
    Key(&'a KeyId),
    /// The expiry of a key being created.
    NewKey,
}

/// An expiry must be in the future (to the second): the refusal otherwise.
pub fn check_future(whose: Whose<'_>, at: OffsetDateTime, now: OffsetDateTime) -> Result<(), Refused> {
    if whole_second(at) > now {
        return Ok(());
    }
    let id = match whose {
        Whose::Key(id) => Some(id.as_str().to_owned()),
        Whose::NewKey => None,
    };
    Err(Refused::PastExpiry { id, at, now })
}

/// Sets (or with `None` removes) `record`'s expiry at `now`: refused for an
/// expired key and for an instant not in the future.
pub fn set_expiry(
    record: &mut KeyRecord,
    id: &KeyId,
    expires_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<(), Refused> {
    refuse_if_expired(record, now, Change::NewExpiry)?;
    if let Some(at) = expires_at {
        check_future(Whose::Key(id), at, now)?;
    }
    record.expires_at = expires_at.map(whole_second);
    Ok(())
}

/// Gives `record` `policy`. Allowed whatever the key's state, an expired or
/// disabled key included: a policy only narrows what a key that verifies may
/// do, so changing the policy of one that cannot verify lets nothing through
/// (a disabled key may be enabled again later under its new rules).
pub fn set_policy(record: &mut KeyRecord, policy: &crate::domain::Policy) {
    record.policy = policy.clone();
}

/// Disables `record` at `now`; a disabled key keeps its original time.
pub fn disable(record: &mut KeyRecord, now: OffsetDateTime) {
    record.disabled_at.get_or_insert(now);
}

/// Enables `record`: refused for an expired key (expiry is final).
pub fn enable(record: &mut KeyRecord, now: OffsetDateTime) -> Result<(), Refused> {
    refuse_if_expired(record, now, Change::Enable)?;
    record.disabled_at = None;
    Ok(())
}

/// Gives `record` the new `secret`, keeping the current one as the previous
/// secret until `now + grace`. Returns the grace end and the hash of an
/// older previous secret that this drops (it stops verifying now).
pub fn rotate(
    record: &mut KeyRecord,
    secret: &SecretKey,
    grace: time::Duration,
    now: OffsetDateTime,
) -> Result<(OffsetDateTime, Option<KeyHash>), Refused> {
    refuse_if_expired(record, now, Change::Rotate)?;
    if grace.is_negative() {
        return Err(Refused::NegativeGrace);
    }
    let grace_until = now.checked_add(grace).ok_or(Refused::GraceTooLong)?;
    // At most one previous secret: an older one stops verifying now.
    let dropped = record.previous.take().map(|older| older.hash);
    record.previous = Some(Box::new(PreviousSecret {
        hash: record.hash,
        masked: std::mem::replace(&mut record.masked, secret.masked()),
        grace_until,
        last_used: record.last_used.take(),
    }));
    record.hash = secret.hash();
    Ok((grace_until, dropped))
}

pub use crate::store::rfc3339;

/// What a presentation of `record`'s secret in `slot` (whose hash is
/// `hash`) at `now` leaves to write, whichever backend holds it: its Last
/// Used when it verified and one is due, and its count when it belongs to
/// the key.
pub fn activity(
    record: &crate::domain::KeyRecord,
    slot: crate::domain::SecretSlot,
    hash: crate::domain::KeyHash,
    now: OffsetDateTime,
) -> (Vec<crate::store::SecretUse>, Vec<crate::domain::UsageDelta>) {
    use crate::domain::{Hour, Outcome, UsageCounts, UsageDelta, Verdict};
    let verified = matches!(record.verdict(slot, now), Verdict::Valid { .. });
    let due = (verified && record.needs_use_update(slot, now))
        .then(|| crate::store::SecretUse {
            id: record.id.clone(),
            hash,
            at: now,
        })
        .into_iter()
        .collect();
    let counts = Outcome::of_record(record, slot, now)
        .map(|outcome| UsageDelta {
            id: record.id.clone(),
            hour: Hour::of(now),
            counts: UsageCounts::of(outcome, 1),
        })
        .into_iter()
        .collect();
    (due, counts)
}

/// `record`'s secrets as hash-index entries (its previous secret first, if
/// it has one), pushed onto `index`: the same for every backend.
pub fn push_index_entries(record: crate::domain::KeyRecord, index: &mut Vec<crate::store::IndexEntry>) {
    use crate::domain::SecretSlot;
    let disabled = record.disabled_at.is_some();
    if let Some(previous) = &record.previous {
        index.push(crate::store::IndexEntry {
            hash: previous.hash,
            id: record.id.clone(),
            slot: SecretSlot::Previous,
            not_after: record.not_after(SecretSlot::Previous),
            disabled,
        });
    }
    index.push(crate::store::IndexEntry {
        not_after: record.not_after(SecretSlot::Current),
        hash: record.hash,
        id: record.id,
        slot: SecretSlot::Current,
        disabled,
    });
}

/// Moves the Last Used of `record`'s secret with `hash` to `at` (whole
/// seconds) when that is due; whether it moved. A secret the key no longer
/// has, or a use not later than the one recorded, changes nothing.
pub fn note_use(record: &mut crate::domain::KeyRecord, hash: &crate::domain::KeyHash, at: OffsetDateTime) -> bool {
    use crate::domain::SecretSlot;
    let at = whole_second(at);
    match record.slot_of(hash) {
        Some(slot @ SecretSlot::Current) if record.needs_use_update(slot, at) => record.last_used = Some(at),
        Some(slot @ SecretSlot::Previous) if record.needs_use_update(slot, at) => {
            record.previous.as_mut().expect("slot_of found it").last_used = Some(at);
        }
        _ => return false,
    }
    true
}

/// A new key's expiry as stored (whole seconds), refused unless it is after
/// `created_at`.
pub fn new_key_expiry(
    expires_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, crate::store::StoreError> {
    if let Some(at) = expires_at {
        check_future(Whose::NewKey, at, created_at).map_err(|reason| crate::store::StoreError::Refused { reason })?;
    }
    Ok(expires_at.map(whole_second))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn expired() -> (KeyRecord, OffsetDateTime) {
        let id = KeyId::parse("ak-0123456789abcdef").unwrap();
        let created = datetime!(2026-01-01 0:00 UTC);
        let record = KeyRecord {
            expires_at: Some(datetime!(2026-02-01 0:00 UTC)),
            ..KeyRecord::new(id, "k".into(), KeyHash::of("a"), "sk-****".into(), created)
        };
        (record, datetime!(2026-03-01 0:00 UTC))
    }

    /// Every refusal of a change to a key, in English.
    fn refusals() -> Vec<String> {
        let (record, now) = expired();
        let secret = SecretKey::generate();
        let id = record.id.clone();
        let mut live = KeyRecord {
            expires_at: None,
            ..record.clone()
        };
        [
            set_expiry(&mut record.clone(), &id, None, now).unwrap_err(),
            enable(&mut record.clone(), now).unwrap_err(),
            rotate(&mut record.clone(), &secret, time::Duration::HOUR, now).unwrap_err(),
            set_expiry(&mut live, &id, Some(now - time::Duration::HOUR), now).unwrap_err(),
            rotate(&mut live, &secret, -time::Duration::HOUR, now).unwrap_err(),
            rotate(&mut live, &secret, time::Duration::MAX, now).unwrap_err(),
        ]
        .iter()
        .map(ToString::to_string)
        .collect()
    }

    #[test]
    fn refusals_read_in_english_as_they_always_have() {
        assert_eq!(
            refusals(),
            [
                "key ak-0123456789abcdef expired at 2026-02-01T00:00:00Z and cannot be given a new expiry: \
                 delete it, or create a new key",
                "key ak-0123456789abcdef expired at 2026-02-01T00:00:00Z and cannot be enabled again: delete it, \
                 or create a new key",
                "key ak-0123456789abcdef expired at 2026-02-01T00:00:00Z and cannot be rotated: create a new key",
                "the expiry of key ak-0123456789abcdef must be in the future: 2026-02-28T23:00:00Z is not after \
                 2026-03-01T00:00:00Z",
                "a grace period cannot be negative",
                "the grace period is too long",
            ]
        );
        let past = new_key_expiry(Some(datetime!(2026-01-01 0:00 UTC)), datetime!(2026-01-01 0:00 UTC));
        assert_eq!(
            past.unwrap_err().to_string(),
            "the expiry of a new key must be in the future: 2026-01-01T00:00:00Z is not after 2026-01-01T00:00:00Z"
        );
    }
}
