//! What keydesk knows about a key. No field holds the secret: only its SHA-256
//! hash (to verify) and its masked form (to recognise it in a list).

use time::OffsetDateTime;

use super::id::KeyId;
use super::secret::KeyHash;

/// Last Used is recorded at most once per key per this many seconds, so a busy
/// service verifying the same key thousands of times a minute causes one write.
pub const LAST_USED_GRANULARITY_SECS: i64 = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    pub id: KeyId,
    /// As stored. Normally a valid [`super::KeyName`], but the database may have
    /// been written by something else, so views sanitise it before display.
    pub name: String,
    pub hash: KeyHash,
    pub masked: String,
    pub created_at: OffsetDateTime,
    pub last_used: Option<OffsetDateTime>,
}

impl KeyRecord {
    /// Whether a verification at `now` should be written down: never used yet,
    /// or the recorded use is at least a minute older. Time never moves back.
    pub fn needs_last_used_update(&self, now: OffsetDateTime) -> bool {
        match self.last_used {
            None => true,
            Some(previous) => (now - previous).whole_seconds() >= LAST_USED_GRANULARITY_SECS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn record(last_used: Option<OffsetDateTime>) -> KeyRecord {
        KeyRecord {
            id: KeyId::generate(),
            name: "test".into(),
            hash: KeyHash::of("x"),
            masked: "sk-****".into(),
            created_at: datetime!(2026-01-01 0:00 UTC),
            last_used,
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
}
