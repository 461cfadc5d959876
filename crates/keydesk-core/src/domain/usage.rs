//! How often each key is presented, by outcome: the vocabulary of usage
//! counts, with no I/O.
//!
//! Counts are kept per key in buckets of one hour (UTC) and of one day (UTC).
//! Hourly buckets are kept for [`HOURLY_RETENTION_HOURS`] and daily ones for
//! [`DAILY_RETENTION_DAYS`]; a count is added to its hour's bucket and its
//! day's bucket in the same write (the roll-up from hours to days happens as
//! counts arrive), so pruning an old hour never loses a use from its day.
//! A key has at most [`MAX_BUCKETS_PER_KEY`] buckets, of [`BUCKET_BYTES`]
//! each — the bound on its usage storage (see [`MAX_USAGE_BYTES_PER_KEY`]).
//!
//! Only presentations that belong to a key are counted: accepted, and refused
//! because the key is disabled, expired, or the secret is a rotation's
//! previous one past its end. Malformed and unknown keys belong to nobody.
//! A request that verified and was then refused by the key's policy at a
//! gateway is counted as refused for that [`Reason`], not as accepted (see
//! [`UsageCounts::added_to`] for how a store takes the acceptance back).

use std::ops::{Add, AddAssign, Range};

use time::OffsetDateTime;

pub use super::hours::{Day, Hour};
use super::id::KeyId;
use super::policy::Reason;
use super::record::{KeyRecord, SecretSlot, Verdict};
use super::token_counts::TokenCounts;

/// Hourly buckets older than this many hours before now are dropped.
pub const HOURLY_RETENTION_HOURS: u32 = 14 * 24;
/// Daily buckets older than this many days before today are dropped.
pub const DAILY_RETENTION_DAYS: u32 = 400;
/// The most buckets one key can have: the retained hours and days, each
/// with the current (partial) one.
pub const MAX_BUCKETS_PER_KEY: u64 = (HOURLY_RETENTION_HOURS as u64 + 1) + (DAILY_RETENTION_DAYS as u64 + 1);
/// The stored size of one bucket's payload: a key ID of up to 19 bytes (with
/// redb's 4-byte length), the bucket number (4) and [`COUNTS`] `u32` counts
/// (40).
pub const BUCKET_BYTES: u64 = 19 + 4 + 4 + 4 * COUNTS as u64;
/// The bound on one key's usage payload: 738 buckets × 67 bytes = 49,446
/// bytes (under 49 KiB), before the B-tree's own page overhead.
pub const MAX_USAGE_BYTES_PER_KEY: u64 = MAX_BUCKETS_PER_KEY * BUCKET_BYTES;
/// How many counts a bucket holds: accepted, the three refusals of the key's
/// state, and one per policy [`Reason`].
pub const COUNTS: usize = 4 + Reason::ALL.len();

/// What happened when a key's secret was presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The key verified.
    Accepted,
    /// The key is disabled.
    RefusedDisabled,
    /// The key reached its expiry (its current secret was presented).
    RefusedExpired,
    /// A rotation's previous secret past its end (its grace end, or the
    /// key's expiry if that came first).
    RefusedPreviousEnded,
    /// The key verified, and a gateway refused the request by the key's
    /// policy, for this reason.
    RefusedByPolicy(Reason),
}

impl Outcome {
    /// The outcome of presenting the secret in `slot` of a key that is
    /// `disabled` (or not), whose secret has reached its end by time
    /// (`ended`). An ended secret is refused for its end even when the key is
    /// also disabled, as [`KeyRecord::verdict`] does for expiry.
    pub fn of(slot: SecretSlot, disabled: bool, ended: bool) -> Outcome {
        match (ended, slot, disabled) {
            (true, SecretSlot::Current, _) => Outcome::RefusedExpired,
            (true, SecretSlot::Previous, _) => Outcome::RefusedPreviousEnded,
            (false, _, true) => Outcome::RefusedDisabled,
            (false, _, false) => Outcome::Accepted,
        }
    }

    /// The outcome for a secret in `slot` of `record` presented at `now`, or
    /// `None` when it belongs to no key.
    pub fn of_record(record: &KeyRecord, slot: SecretSlot, now: OffsetDateTime) -> Option<Outcome> {
        if let Verdict::Unknown = record.verdict(slot, now) {
            return None;
        }
        let ended = record.not_after(slot).is_some_and(|end| now >= end);
        Some(Outcome::of(slot, record.disabled_at.is_some(), ended))
    }

    /// Every outcome, in the order of [`UsageCounts::to_array`].
    pub const ALL: [Outcome; COUNTS] = [
        Outcome::Accepted,
        Outcome::RefusedDisabled,
        Outcome::RefusedExpired,
        Outcome::RefusedPreviousEnded,
        Outcome::RefusedByPolicy(Reason::Rate),
        Outcome::RefusedByPolicy(Reason::Concurrency),
        Outcome::RefusedByPolicy(Reason::Method),
        Outcome::RefusedByPolicy(Reason::Path),
        Outcome::RefusedByPolicy(Reason::Model),
        Outcome::RefusedByPolicy(Reason::Address),
    ];

    /// The stable name (`accepted`, `refused_disabled`, `refused_rate`, …)
    /// for JSON and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::RefusedDisabled => "refused_disabled",
            Outcome::RefusedExpired => "refused_expired",
            Outcome::RefusedPreviousEnded => "refused_previous_ended",
            Outcome::RefusedByPolicy(Reason::Rate) => "refused_rate",
            Outcome::RefusedByPolicy(Reason::Concurrency) => "refused_concurrency",
            Outcome::RefusedByPolicy(Reason::Method) => "refused_method",
            Outcome::RefusedByPolicy(Reason::Path) => "refused_path",
            Outcome::RefusedByPolicy(Reason::Model) => "refused_model",
            Outcome::RefusedByPolicy(Reason::Address) => "refused_address",
        }
    }
}

/// Where a policy reason's count is in [`UsageCounts::refused_by_policy`]:
/// its place in [`Reason::ALL`].
fn reason_slot(reason: Reason) -> usize {
    match reason {
        Reason::Rate => 0,
        Reason::Concurrency => 1,
        Reason::Method => 2,
        Reason::Path => 3,
        Reason::Model => 4,
        Reason::Address => 5,
    }
}

/// Counts by outcome. Additions saturate at `u32::MAX` per bucket (over
/// 1.1 million per second for a whole hour).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct UsageCounts {
    /// Presentations that verified.
    pub accepted: u32,
    /// Presentations refused because the key was disabled.
    pub refused_disabled: u32,
    /// Presentations refused because the key had expired.
    pub refused_expired: u32,
    /// Presentations of a rotation's previous secret after its end.
    pub refused_previous_ended: u32,
    /// Requests that verified and were refused by the key's policy, by
    /// reason in [`Reason::ALL`] order (see [`UsageCounts::by_policy`]).
    pub refused_by_policy: [u32; Reason::ALL.len()],
}

impl UsageCounts {
    /// `n` presentations with `outcome`.
    pub fn of(outcome: Outcome, n: u32) -> UsageCounts {
        let mut counts = UsageCounts::default();
        *counts.get_mut(outcome) = n;
        counts
    }

    /// The count of presentations with `outcome`.
    pub fn get(&self, outcome: Outcome) -> u32 {
        match outcome {
            Outcome::Accepted => self.accepted,
            Outcome::RefusedDisabled => self.refused_disabled,
            Outcome::RefusedExpired => self.refused_expired,
            Outcome::RefusedPreviousEnded => self.refused_previous_ended,
            Outcome::RefusedByPolicy(reason) => self.refused_by_policy[reason_slot(reason)],
        }
    }

    /// The count of requests refused by the key's policy for `reason`.
    pub fn by_policy(&self, reason: Reason) -> u32 {
        self.get(Outcome::RefusedByPolicy(reason))
    }

    /// All refusals by the key's policy together.
    pub fn refused_by_policy_total(&self) -> u64 {
        self.refused_by_policy.iter().map(|&n| u64::from(n)).sum()
    }

    /// The bucket `stored` after adding this delta to it, as every store
    /// adds: each count added (saturating), then as many accepted taken
    /// back as the delta has policy refusals, since a request refused by
    /// its key's policy was verified, and counted as accepted, first
    /// ([`crate::Verifier::count_refusal`]). The acceptance may have been
    /// written in an earlier delta of the same bucket, so it is taken back
    /// from the sum, not from this delta alone (saturating at zero).
    pub fn added_to(self, stored: UsageCounts) -> UsageCounts {
        let mut sum = stored + self;
        let taken_back = u32::try_from(self.refused_by_policy_total()).unwrap_or(u32::MAX);
        sum.accepted = sum.accepted.saturating_sub(taken_back);
        sum
    }

    fn get_mut(&mut self, outcome: Outcome) -> &mut u32 {
        match outcome {
            Outcome::Accepted => &mut self.accepted,
            Outcome::RefusedDisabled => &mut self.refused_disabled,
            Outcome::RefusedExpired => &mut self.refused_expired,
            Outcome::RefusedPreviousEnded => &mut self.refused_previous_ended,
            Outcome::RefusedByPolicy(reason) => &mut self.refused_by_policy[reason_slot(reason)],
        }
    }

    /// Adds `n` presentations with `outcome`.
    pub fn count(&mut self, outcome: Outcome, n: u32) {
        let slot = self.get_mut(outcome);
        *slot = slot.saturating_add(n);
    }

    /// All refusals together: of the key's state and by its policy.
    pub fn refused(&self) -> u64 {
        u64::from(self.refused_disabled)
            + u64::from(self.refused_expired)
            + u64::from(self.refused_previous_ended)
            + self.refused_by_policy_total()
    }

    /// Whether every count is zero.
    pub fn is_zero(&self) -> bool {
        *self == UsageCounts::default()
    }

    /// The counts as stored, in [`Outcome::ALL`] order: accepted, disabled,
    /// expired, previous ended, then by policy reason.
    pub fn to_array(self) -> [u32; COUNTS] {
        Outcome::ALL.map(|outcome| self.get(outcome))
    }

    /// The counts from their stored form ([`UsageCounts::to_array`]).
    pub fn from_array(stored: [u32; COUNTS]) -> Self {
        let mut counts = UsageCounts::default();
        for (outcome, n) in Outcome::ALL.into_iter().zip(stored) {
            *counts.get_mut(outcome) = n;
        }
        counts
    }

    /// The counts of schema 5 (accepted, disabled, expired, previous ended),
    /// which knew no policies.
    pub fn from_state_counts([accepted, refused_disabled, refused_expired, refused_previous_ended]: [u32; 4]) -> Self {
        UsageCounts {
            accepted,
            refused_disabled,
            refused_expired,
            refused_previous_ended,
            ..UsageCounts::default()
        }
    }
}

impl Add for UsageCounts {
    type Output = UsageCounts;
    fn add(mut self, other: UsageCounts) -> UsageCounts {
        self += other;
        self
    }
}

impl AddAssign for UsageCounts {
    fn add_assign(&mut self, other: UsageCounts) {
        for outcome in Outcome::ALL {
            self.count(outcome, other.get(outcome));
        }
    }
}

/// Counts to add to one key's bucket of one hour (and so of its day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageDelta {
    /// The key counted.
    pub id: KeyId,
    /// The hour the presentations happened in.
    pub hour: Hour,
    /// What to add.
    pub counts: UsageCounts,
}

/// Which counts to read: one key's or every key's, daily buckets in `days`
/// and hourly buckets in `hours` (half-open ranges).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageQuery {
    /// `None`: every key that has counts in the ranges.
    pub key: Option<KeyId>,
    /// The daily buckets to read.
    pub days: Range<Day>,
    /// The hourly buckets to read.
    pub hours: Range<Hour>,
}

impl UsageQuery {
    /// The last `days` days (today included) and the last `hours` hours (the
    /// current one included) before `now`.
    pub fn last(key: Option<KeyId>, days: u32, hours: u32, now: OffsetDateTime) -> UsageQuery {
        let (today, this_hour) = (Day::of(now), Hour::of(now));
        UsageQuery {
            key,
            days: Day((today.0 + 1).saturating_sub(days))..Day(today.0 + 1),
            hours: Hour((this_hour.0 + 1).saturating_sub(hours))..Hour(this_hour.0 + 1),
        }
    }

    /// The day and hour numbers to read for this query at `now`: its ranges
    /// cut to what the retention still keeps, so no store ever returns a
    /// bucket past it.
    pub fn retained(&self, now: OffsetDateTime) -> (Range<u32>, Range<u32>) {
        let (first_hour, first_day) = retained_from(now);
        (
            self.days.start.0.max(first_day.0)..self.days.end.0,
            self.hours.start.0.max(first_hour.0)..self.hours.end.0,
        )
    }
}

impl UsageQuery {
    /// [`UsageQuery::retained`] for token buckets, whose hours are kept
    /// longer (see [`crate::domain::token_counts`]).
    pub fn retained_tokens(&self, now: OffsetDateTime) -> (Range<u32>, Range<u32>) {
        let first_hour = super::token_counts::token_hours_from(now);
        let first_day = super::token_counts::token_days_from(now);
        (
            self.days.start.0.max(first_day.0)..self.days.end.0,
            self.hours.start.0.max(first_hour.0)..self.hours.end.0,
        )
    }
}

/// One key's counts: only buckets with a count, in ascending order (token
/// buckets by bucket, then model name, `None` first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyUsage {
    /// Counts per UTC day.
    pub daily: Vec<(Day, UsageCounts)>,
    /// Counts per hour (kept for a shorter time than the daily ones).
    pub hourly: Vec<(Hour, UsageCounts)>,
    /// Tokens per UTC day and model (see [`crate::domain::token_counts`]).
    pub tokens_daily: Vec<(Day, Option<String>, TokenCounts)>,
    /// Tokens per hour and model (kept 32 days).
    pub tokens_hourly: Vec<(Hour, Option<String>, TokenCounts)>,
    /// Tokens since the key was made, whatever the query's ranges.
    pub tokens_lifetime: TokenCounts,
}

impl KeyUsage {
    /// Whether any bucket, hourly or daily, holds a count (zero buckets are
    /// never written, but a store written by something else might hold one).
    pub fn has_counts(&self) -> bool {
        let daily = self.daily.iter().map(|(_, c)| c);
        let tokens = self.tokens_daily.iter().map(|(_, _, c)| c);
        daily.chain(self.hourly.iter().map(|(_, c)| c)).any(|c| !c.is_zero())
            || tokens
                .chain(self.tokens_hourly.iter().map(|(_, _, c)| c))
                .any(|c| !c.is_zero())
    }

    /// The sum of the daily token buckets, every model together.
    pub fn tokens_total(&self) -> TokenCounts {
        self.tokens_daily
            .iter()
            .fold(TokenCounts::default(), |sum, (_, _, c)| sum + *c)
    }

    /// The sum of the daily token buckets per model, by model name (`None`
    /// first).
    pub fn tokens_by_model(&self) -> Vec<(Option<String>, TokenCounts)> {
        let mut by_model = std::collections::BTreeMap::<Option<String>, TokenCounts>::new();
        for (_, model, counts) in &self.tokens_daily {
            *by_model.entry(model.clone()).or_default() += *counts;
        }
        by_model.into_iter().collect()
    }

    /// Daily input plus output tokens per day of `days`, zero where there is
    /// no bucket (for sparklines).
    pub fn daily_token_series(&self, days: Range<Day>) -> Vec<u64> {
        let mut series = vec![0u64; (days.end.0.saturating_sub(days.start.0)) as usize];
        for (day, _, counts) in &self.tokens_daily {
            if days.contains(day) {
                let slot = &mut series[(day.0 - days.start.0) as usize];
                *slot = slot.saturating_add(counts.total());
            }
        }
        series
    }

    /// The sum of the daily buckets.
    pub fn total(&self) -> UsageCounts {
        self.daily.iter().fold(UsageCounts::default(), |sum, (_, c)| sum + *c)
    }

    /// One value per day of `days`, zero where there is no bucket (for
    /// sparklines and tables).
    pub fn daily_series(&self, days: Range<Day>, outcome: Outcome) -> Vec<u64> {
        let mut series = vec![0; (days.end.0.saturating_sub(days.start.0)) as usize];
        for (day, counts) in &self.daily {
            if days.contains(day) {
                series[(day.0 - days.start.0) as usize] = u64::from(counts.get(outcome));
            }
        }
        series
    }

    /// [`KeyUsage::daily_series`] for hours.
    pub fn hourly_series(&self, hours: Range<Hour>, outcome: Outcome) -> Vec<u64> {
        let mut series = vec![0; (hours.end.0.saturating_sub(hours.start.0)) as usize];
        for (hour, counts) in &self.hourly {
            if hours.contains(hour) {
                series[(hour.0 - hours.start.0) as usize] = u64::from(counts.get(outcome));
            }
        }
        series
    }
}

/// When a key was last used (either of its secrets), or when it was created
/// if it never was: what "unused for" is measured from.
pub fn last_activity(record: &KeyRecord) -> OffsetDateTime {
    record.last_used_any().unwrap_or(record.created_at)
}

/// Whether neither of the key's secrets was ever used.
pub fn never_used(record: &KeyRecord) -> bool {
    record.last_use().is_none()
}

/// A clean-up candidate: no use (or, never used, no creation) for at least
/// `idle` before `now`.
pub fn is_unused(record: &KeyRecord, now: OffsetDateTime, idle: time::Duration) -> bool {
    now - last_activity(record) >= idle
}

/// The oldest hour and day a store keeps at `now`: anything older is never
/// returned and may be deleted.
pub fn retained_from(now: OffsetDateTime) -> (Hour, Day) {
    let (hour, day) = (Hour::of(now), Day::of(now));
    (
        Hour(hour.0.saturating_sub(HOURLY_RETENTION_HOURS)),
        Day(day.0.saturating_sub(DAILY_RETENTION_DAYS)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::KeyHash;
    use time::macros::datetime;

    #[test]
    fn hours_and_days_are_utc_buckets() {
        let t = datetime!(2026-05-01 23:59:59 UTC);
        assert_eq!(Hour::of(t).start(), datetime!(2026-05-01 23:00 UTC));
        assert_eq!(Day::of(t).start(), datetime!(2026-05-01 0:00 UTC));
        let next = t + time::Duration::SECOND;
        assert_eq!(Hour::of(next).0, Hour::of(t).0 + 1);
        assert_eq!(Day::of(next).0, Day::of(t).0 + 1);
        assert_eq!(Hour::of(next).day(), Day::of(next));
    }

    #[test]
    fn counts_add_by_outcome_and_saturate() {
        let mut c = UsageCounts::of(Outcome::Accepted, u32::MAX - 1);
        c.count(Outcome::Accepted, 5);
        c.count(Outcome::RefusedExpired, 2);
        assert_eq!(c.accepted, u32::MAX);
        assert_eq!(c.refused(), 2);
        assert_eq!(UsageCounts::from_array(c.to_array()), c);
    }

    #[test]
    fn an_ended_secret_is_refused_for_its_end_before_being_disabled() {
        use SecretSlot::*;
        assert_eq!(Outcome::of(Current, true, true), Outcome::RefusedExpired);
        assert_eq!(Outcome::of(Previous, true, true), Outcome::RefusedPreviousEnded);
        assert_eq!(Outcome::of(Previous, true, false), Outcome::RefusedDisabled);
        assert_eq!(Outcome::of(Current, false, false), Outcome::Accepted);
    }

    #[test]
    fn the_outcome_of_a_record_follows_its_lifecycle() {
        let t = datetime!(2026-05-01 10:00 UTC);
        let mut r = KeyRecord::new(KeyId::generate(), "k".into(), KeyHash::of("a"), "m".into(), t);
        assert_eq!(Outcome::of_record(&r, SecretSlot::Current, t), Some(Outcome::Accepted));
        assert_eq!(
            Outcome::of_record(&r, SecretSlot::Previous, t),
            None,
            "no previous secret"
        );
        r.disabled_at = Some(t);
        assert_eq!(
            Outcome::of_record(&r, SecretSlot::Current, t),
            Some(Outcome::RefusedDisabled)
        );
        r.expires_at = Some(t);
        assert_eq!(
            Outcome::of_record(&r, SecretSlot::Current, t),
            Some(Outcome::RefusedExpired)
        );
    }

    #[test]
    fn a_query_for_the_last_days_ends_with_today() {
        let now = datetime!(2026-05-01 10:30 UTC);
        let q = UsageQuery::last(None, 30, 24, now);
        assert_eq!(q.days.end.0 - q.days.start.0, 30);
        assert_eq!(q.days.end, Day(Day::of(now).0 + 1));
        assert_eq!(q.hours.end.0 - q.hours.start.0, 24);
        assert!(q.hours.contains(&Hour::of(now)));
    }

    #[test]
    fn series_fill_missing_buckets_with_zero() {
        let usage = KeyUsage {
            daily: vec![(Day(10), UsageCounts::of(Outcome::Accepted, 3))],
            ..KeyUsage::default()
        };
        assert_eq!(usage.daily_series(Day(9)..Day(12), Outcome::Accepted), [0, 3, 0]);
        assert_eq!(usage.total().accepted, 3);
    }

    #[test]
    fn a_key_is_unused_from_its_last_use_of_either_secret_or_its_creation() {
        let t = datetime!(2026-05-01 10:00 UTC);
        let day = time::Duration::DAY;
        let mut r = KeyRecord::new(KeyId::generate(), "k".into(), KeyHash::of("a"), "m".into(), t);
        assert!(never_used(&r));
        assert!(is_unused(&r, t + 90 * day, 90 * day));
        assert!(!is_unused(&r, t + 89 * day, 90 * day));
        r.previous = Some(Box::new(crate::domain::PreviousSecret {
            hash: KeyHash::of("b"),
            masked: "m".into(),
            grace_until: t,
            last_used: Some(t + 10 * day),
        }));
        assert!(!never_used(&r));
        assert_eq!(last_activity(&r), t + 10 * day);
        r.last_used = Some(t + 20 * day);
        assert!(!is_unused(&r, t + 100 * day, 90 * day));
        assert!(is_unused(&r, t + 110 * day, 90 * day));
    }

    #[test]
    fn token_days_are_kept_as_long_as_request_days() {
        assert_eq!(
            super::super::token_counts::TOKEN_DAILY_RETENTION_DAYS,
            DAILY_RETENTION_DAYS
        );
    }

    #[test]
    fn the_storage_bound_is_under_49_kib_per_key() {
        assert_eq!(MAX_BUCKETS_PER_KEY, 738);
        assert_eq!(MAX_USAGE_BYTES_PER_KEY, 49_446);
    }

    #[test]
    fn every_outcome_has_its_own_place_and_name() {
        let mut c = UsageCounts::default();
        for (n, outcome) in Outcome::ALL.into_iter().enumerate() {
            c.count(outcome, n as u32 + 1);
        }
        assert_eq!(c.to_array(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(UsageCounts::from_array(c.to_array()), c);
        assert_eq!(c.by_policy(Reason::Address), 10);
        assert_eq!(c.refused(), 2 + 3 + 4 + (5 + 6 + 7 + 8 + 9 + 10));
        let names: std::collections::HashSet<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(names.len(), COUNTS);
        assert_eq!(Outcome::RefusedByPolicy(Reason::Model).as_str(), "refused_model");
    }

    #[test]
    fn a_policy_refusal_takes_back_its_acceptance_from_the_bucket() {
        let stored = UsageCounts::of(Outcome::Accepted, 10);
        let mut delta = UsageCounts::of(Outcome::Accepted, 2);
        delta.count(Outcome::RefusedByPolicy(Reason::Rate), 3);
        let after = delta.added_to(stored);
        assert_eq!(after.accepted, 9);
        assert_eq!(after.by_policy(Reason::Rate), 3);
        // Never below zero, whatever a store holds.
        assert_eq!(delta.added_to(UsageCounts::default()).accepted, 0);
        assert_eq!(UsageCounts::of(Outcome::RefusedExpired, 1).added_to(stored), {
            let mut c = stored;
            c.refused_expired = 1;
            c
        });
    }
}
