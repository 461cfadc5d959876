//! What keydesk knows about a key. No field holds the secret: only its SHA-256
//! hash (to verify) and its masked form (to recognise it in a list).
//!
//! A key's life: it is *active* until it is disabled (reversible), reaches
//! its expiry (final: an expired key is never revived), or is deleted. A
//! rotation gives it a new secret and keeps the previous one valid until a
//! grace end; at most one previous secret is kept, with its own Last Used.

use time::{Duration, OffsetDateTime};

use super::id::KeyId;
use super::policy::Policy;
use super::secret::KeyHash;

/// Last Used is recorded at most once per key per this many seconds, so a busy
/// service verifying the same key thousands of times a minute causes one write.
pub const LAST_USED_GRANULARITY_SECS: i64 = 60;

/// How far ahead an expiry may be, however it is given (a duration, an
/// instant, a date): a century. Further is surely a mistake, and one bound
/// for every form means one message for it.
pub const MAX_AHEAD_DAYS: i64 = 36_500;

/// Whether `at` is at most [`MAX_AHEAD_DAYS`] after `now`.
pub fn within_reach(now: OffsetDateTime, at: OffsetDateTime) -> bool {
    at - now <= Duration::days(MAX_AHEAD_DAYS)
}

/// Everything a store keeps about one key: its identity, its secrets'
/// hashes and masked hints, and its lifecycle (expiry, disabled, rotation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// The permanent ID.
    pub id: KeyId,
    /// As stored. Normally a valid [`super::KeyName`], but the database may have
    /// been written by something else, so views sanitise it before display.
    pub name: String,
    /// SHA-256 of the current secret.
    pub hash: KeyHash,
    /// The current secret with its middle hidden, to recognise it in a list.
    pub masked: String,
    /// When the key was created (UTC, to the second).
    pub created_at: OffsetDateTime,
    /// Last use of the *current* secret (a rotation starts it afresh; the
    /// previous secret's is in [`PreviousSecret::last_used`]).
    pub last_used: Option<OffsetDateTime>,
    /// The first instant at which the key no longer verifies; `None`: never.
    pub expires_at: Option<OffsetDateTime>,
    /// When the key was disabled; `None` while it is enabled.
    pub disabled_at: Option<OffsetDateTime>,
    /// The secret replaced by the latest rotation, kept until the next one.
    /// Boxed: most keys have none, and every record is copied around.
    pub previous: Option<Box<PreviousSecret>>,
    /// What a gateway lets the key do (empty: anything, as before policies).
    pub policy: Policy,
}

/// The secret a rotation replaced. It verifies, as the same key, until
/// `grace_until`; afterwards it is kept only to explain a refusal and to show
/// its last traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousSecret {
    /// SHA-256 of the previous secret.
    pub hash: KeyHash,
    /// The previous secret with its middle hidden.
    pub masked: String,
    /// The first instant at which it no longer verifies.
    pub grace_until: OffsetDateTime,
    /// The last use of the previous secret (a minute's precision).
    pub last_used: Option<OffsetDateTime>,
}

/// Which of a key's secrets a hash is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretSlot {
    /// The key's current secret.
    Current,
    /// The secret the latest rotation replaced.
    Previous,
}

/// A key's state at one instant, for lists, filters and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    /// Verifies: neither disabled nor expired.
    Active,
    /// Disabled: refused until enabled again.
    Disabled,
    /// Past its expiry: refused for good.
    Expired,
}

impl KeyStatus {
    /// The stable name (`active`, `disabled`, `expired`) for filters and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "active",
            KeyStatus::Disabled => "disabled",
            KeyStatus::Expired => "expired",
        }
    }
}

/// Why a presented secret is or is not accepted at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Accepted.
    Valid {
        /// The key it belongs to.
        id: KeyId,
        /// Which of the key's secrets it is.
        slot: SecretSlot,
    },
    /// Malformed, never stored, or deleted: deliberately one answer.
    Unknown,
    /// The key is disabled.
    Disabled {
        /// The key it belongs to.
        id: KeyId,
        /// When the key was disabled.
        since: OffsetDateTime,
    },
    /// The key has expired.
    Expired {
        /// The key it belongs to.
        id: KeyId,
        /// When it expired.
        at: OffsetDateTime,
    },
    /// A rotated-out secret after its grace period.
    GraceEnded {
        /// The key it belongs to.
        id: KeyId,
        /// When its grace (or the key's earlier expiry) ended.
        at: OffsetDateTime,
    },
}

impl Verdict {
    /// The key's ID when the secret is accepted.
    pub fn accepted(self) -> Option<KeyId> {
        match self {
            Verdict::Valid { id, .. } => Some(id),
            _ => None,
        }
    }
}

impl KeyRecord {
    /// A new, active, never-expiring key with no rotation history.
    pub fn new(id: KeyId, name: String, hash: KeyHash, masked: String, created_at: OffsetDateTime) -> KeyRecord {
        KeyRecord {
            policy: Default::default(),
            id,
            name,
            hash,
            masked,
            created_at,
            last_used: None,
            expires_at: None,
            disabled_at: None,
            previous: None,
        }
    }

    /// Whether a verification at `now` should be written down: never used yet,
    /// or the recorded use is at least a minute older. Time never moves back.
    pub fn needs_last_used_update(&self, now: OffsetDateTime) -> bool {
        use_is_due(self.last_used, now)
    }

    /// [`KeyRecord::needs_last_used_update`] for either secret.
    pub fn needs_use_update(&self, slot: SecretSlot, now: OffsetDateTime) -> bool {
        match slot {
            SecretSlot::Current => use_is_due(self.last_used, now),
            SecretSlot::Previous => self.previous.as_ref().is_some_and(|p| use_is_due(p.last_used, now)),
        }
    }

    /// Which of this key's secrets has `hash`, if either.
    pub fn slot_of(&self, hash: &KeyHash) -> Option<SecretSlot> {
        if self.hash == *hash {
            Some(SecretSlot::Current)
        } else if self.previous.as_ref().is_some_and(|p| p.hash == *hash) {
            Some(SecretSlot::Previous)
        } else {
            None
        }
    }

    /// The key's Last Used: the newer use of either secret, and which secret
    /// it was. A rotation starts the current secret's Last Used afresh while
    /// services still send the old one, so the current secret's alone would
    /// make a busy key look never used. Sorting, clean-up marks and every
    /// view read this one value. On a tie the current secret wins.
    pub fn last_use(&self) -> Option<(OffsetDateTime, SecretSlot)> {
        let current = self.last_used.map(|at| (at, SecretSlot::Current));
        let previous = self
            .previous
            .as_ref()
            .and_then(|p| p.last_used)
            .map(|at| (at, SecretSlot::Previous));
        match (current, previous) {
            (Some(c), Some(p)) if p.0 > c.0 => Some(p),
            (Some(c), _) => Some(c),
            (None, p) => p,
        }
    }

    /// When the key was last used, by either secret ([`KeyRecord::last_use`]).
    pub fn last_used_any(&self) -> Option<OffsetDateTime> {
        self.last_use().map(|(at, _)| at)
    }

    /// Whether the key has reached its expiry at `now`.
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }

    /// The key's state at `now`; an expired key is expired even if also disabled.
    pub fn status(&self, now: OffsetDateTime) -> KeyStatus {
        if self.is_expired(now) {
            KeyStatus::Expired
        } else if self.disabled_at.is_some() {
            KeyStatus::Disabled
        } else {
            KeyStatus::Active
        }
    }

    /// The previous secret while its grace runs at `now`.
    pub fn grace_running(&self, now: OffsetDateTime) -> Option<&PreviousSecret> {
        self.previous.as_deref().filter(|p| now < p.grace_until)
    }

    /// The first instant at which the secret in `slot` stops verifying, by
    /// time alone (disabling aside); `None`: never.
    pub fn not_after(&self, slot: SecretSlot) -> Option<OffsetDateTime> {
        match (slot, &self.previous) {
            (SecretSlot::Current, _) => self.expires_at,
            (SecretSlot::Previous, Some(p)) => Some(self.expires_at.map_or(p.grace_until, |e| e.min(p.grace_until))),
            (SecretSlot::Previous, None) => Some(OffsetDateTime::UNIX_EPOCH),
        }
    }

    /// Whether the secret in `slot` verifies at `now`, and if not, why.
    pub fn verdict(&self, slot: SecretSlot, now: OffsetDateTime) -> Verdict {
        let id = self.id.clone();
        if let Some(at) = self.expires_at.filter(|at| now >= *at) {
            return Verdict::Expired { id, at };
        }
        if let Some(since) = self.disabled_at {
            return Verdict::Disabled { id, since };
        }
        match (slot, &self.previous) {
            (SecretSlot::Current, _) => Verdict::Valid { id, slot },
            (SecretSlot::Previous, Some(p)) if now < p.grace_until => Verdict::Valid { id, slot },
            (SecretSlot::Previous, Some(p)) => Verdict::GraceEnded { id, at: p.grace_until },
            (SecretSlot::Previous, None) => Verdict::Unknown,
        }
    }
}

fn use_is_due(last_used: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
    match last_used {
        None => true,
        Some(previous) => (now - previous).whole_seconds() >= LAST_USED_GRANULARITY_SECS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn record(last_used: Option<OffsetDateTime>) -> KeyRecord {
        KeyRecord {
            last_used,
            ..KeyRecord::new(
                KeyId::generate(),
                "test".into(),
                KeyHash::of("x"),
                "sk-****".into(),
                datetime!(2026-01-01 0:00 UTC),
            )
        }
    }

    #[test]
    fn last_used_is_coalesced_per_minute_and_never_moves_back() {
        let t = datetime!(2026-01-01 12:00:00 UTC);
        assert!(record(None).needs_last_used_update(t));
        let used = record(Some(t));
        assert!(!used.needs_last_used_update(t + time::Duration::seconds(59)));
        assert!(used.needs_last_used_update(t + time::Duration::seconds(60)));
        assert!(!used.needs_last_used_update(t - time::Duration::hours(1)));
    }

    fn rotated(current: Option<OffsetDateTime>, old: Option<OffsetDateTime>) -> KeyRecord {
        KeyRecord {
            previous: Some(Box::new(PreviousSecret {
                hash: KeyHash::of("old"),
                masked: "sk-****".into(),
                grace_until: datetime!(2026-02-01 0:00 UTC),
                last_used: old,
            })),
            ..record(current)
        }
    }

    #[test]
    fn last_use_is_the_newer_of_both_secrets_and_says_which() {
        let (t, later) = (datetime!(2026-01-10 20:56 UTC), datetime!(2026-01-10 21:30 UTC));
        assert_eq!(record(None).last_use(), None);
        assert_eq!(record(Some(t)).last_use(), Some((t, SecretSlot::Current)));
        // Just rotated: only the old secret was ever used.
        assert_eq!(rotated(None, Some(t)).last_use(), Some((t, SecretSlot::Previous)));
        assert_eq!(
            rotated(Some(t), Some(later)).last_use(),
            Some((later, SecretSlot::Previous))
        );
        assert_eq!(
            rotated(Some(later), Some(t)).last_use(),
            Some((later, SecretSlot::Current))
        );
        assert_eq!(rotated(Some(t), Some(t)).last_use(), Some((t, SecretSlot::Current)));
        assert_eq!(rotated(None, None).last_used_any(), None);
        assert_eq!(rotated(None, Some(t)).last_used_any(), Some(t));
    }
}
