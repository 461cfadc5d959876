//! Token counts as stores keep them: per key, per UTC hour and per UTC day,
//! per model, and a lifetime total per key. Pure vocabulary, no I/O.
//!
//! A [`TokenDelta`] (one key's tokens for one model in one hour, drained
//! from a [`Verifier`](crate::Verifier)'s tally) is added to its hour's
//! bucket, its day's bucket and the key's lifetime total in the same write,
//! as request counts are (see [`crate::domain::usage`]).
//!
//! Hourly token buckets are kept [`TOKEN_HOURLY_RETENTION_HOURS`] (32 days:
//! enough to sum any calendar month in any UTC offset from hours), daily
//! ones [`TOKEN_DAILY_RETENTION_DAYS`] like the request counts; the lifetime total
//! is kept as long as the key.
//!
//! **Models are bounded**: a bucket holds at most [`MAX_MODELS_PER_BUCKET`]
//! models; once it has `MAX_MODELS_PER_BUCKET - 1` named ones, any further
//! model's tokens go under [`OTHER_MODELS`]. Hourly and daily buckets are
//! bounded each on their own, so a model may be named in its hour and be
//! "other" in its day (the day's total stays exact).
//!
//! **Bytes per key**: at most [`MAX_TOKEN_ROWS_PER_KEY`] rows (the retained
//! hours and days, each with the current one, times the models, plus the
//! lifetime row) of at most [`TOKEN_ROW_BYTES`] each:
//! [`MAX_TOKEN_BYTES_PER_KEY`] = 18,721 × 203 = 3,800,363 bytes (under
//! 3.7 MiB) before the B-tree's page overhead — a worst case that needs 16
//! different model names of 128 bytes in every hour for 32 days. A key
//! using one model has at most 1,171 rows (under 238 KiB).

use std::ops::{Add, AddAssign};

use super::hours::{Day, Hour};
use super::id::KeyId;
use super::tokens::{MAX_MODEL_NAME_BYTES, TokenUsage};

/// Hourly token buckets older than this many hours before now are dropped:
/// 32 days, so that any calendar month (31 days) in any UTC offset is a sum
/// of retained hours.
pub const TOKEN_HOURLY_RETENTION_HOURS: u32 = 32 * 24;
/// Daily token buckets older than this many days before today are dropped:
/// as long as the request counts' daily buckets
/// ([`DAILY_RETENTION_DAYS`](crate::domain::usage::DAILY_RETENTION_DAYS)).
pub const TOKEN_DAILY_RETENTION_DAYS: u32 = 400;
/// The most models one bucket holds, [`OTHER_MODELS`] included.
pub const MAX_MODELS_PER_BUCKET: usize = 16;
/// The model name under which a bucket's models past the bound are counted.
/// Parenthesised, so no real model name is likely to meet it.
pub const OTHER_MODELS: &str = "(other)";
/// The most token rows one key can have: (retained hours + 1 + retained
/// days + 1) × [`MAX_MODELS_PER_BUCKET`], and the lifetime row.
pub const MAX_TOKEN_ROWS_PER_KEY: u64 =
    (TOKEN_HOURLY_RETENTION_HOURS as u64 + 1 + TOKEN_DAILY_RETENTION_DAYS as u64 + 1) * MAX_MODELS_PER_BUCKET as u64
        + 1;
/// The stored size of one row at most: a key ID of up to 19 bytes (with a
/// 4-byte length), the bucket number (4), a model name of up to
/// [`MAX_MODEL_NAME_BYTES`] (with a 4-byte length), four `u64` token counts
/// and three `u32` answer counts (44).
pub const TOKEN_ROW_BYTES: u64 = 19 + 4 + 4 + MAX_MODEL_NAME_BYTES as u64 + 4 + 44;
/// The bound on one key's token payload (see the module documentation).
pub const MAX_TOKEN_BYTES_PER_KEY: u64 = MAX_TOKEN_ROWS_PER_KEY * TOKEN_ROW_BYTES;

/// One bucket's tokens (of a key, an hour or a day, a model). Additions
/// saturate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TokenCounts {
    /// Input tokens, cached ones included.
    pub input: u64,
    /// Output tokens.
    pub output: u64,
    /// Of `input`, read from a prompt cache.
    pub cache_read: u64,
    /// Of `input`, written to a prompt cache.
    pub cache_creation: u64,
    /// Answers that reported their usage.
    pub answers: u32,
    /// Answers that reported none (their tokens are unknown).
    pub unknown: u32,
    /// Answers cut short (counted with what was seen).
    pub incomplete: u32,
}

impl TokenCounts {
    /// The counts of one answer.
    pub fn of(usage: &TokenUsage) -> TokenCounts {
        let mut counts = TokenCounts::default();
        counts.count(usage);
        counts
    }

    /// Adds one answer.
    pub fn count(&mut self, usage: &TokenUsage) {
        *self += TokenCounts {
            input: usage.input,
            output: usage.output,
            cache_read: usage.cache_read,
            cache_creation: usage.cache_creation,
            answers: u32::from(usage.known),
            unknown: u32::from(!usage.known),
            incomplete: u32::from(!usage.complete),
        };
    }

    /// Input and output together: what token limits count.
    pub fn total(&self) -> u64 {
        self.input.saturating_add(self.output)
    }

    /// Whether every count is zero.
    pub fn is_zero(&self) -> bool {
        *self == TokenCounts::default()
    }

    /// The counts as stored: the four token counts, then the three answer
    /// counts.
    pub fn to_stored(self) -> ([u64; 4], [u32; 3]) {
        (
            [self.input, self.output, self.cache_read, self.cache_creation],
            [self.answers, self.unknown, self.incomplete],
        )
    }

    /// The counts from their stored form ([`TokenCounts::to_stored`]).
    pub fn from_stored(
        ([input, output, cache_read, cache_creation], [answers, unknown, incomplete]): ([u64; 4], [u32; 3]),
    ) -> TokenCounts {
        TokenCounts {
            input,
            output,
            cache_read,
            cache_creation,
            answers,
            unknown,
            incomplete,
        }
    }
}

impl Add for TokenCounts {
    type Output = TokenCounts;
    fn add(mut self, other: TokenCounts) -> TokenCounts {
        self += other;
        self
    }
}

impl AddAssign for TokenCounts {
    fn add_assign(&mut self, other: TokenCounts) {
        self.input = self.input.saturating_add(other.input);
        self.output = self.output.saturating_add(other.output);
        self.cache_read = self.cache_read.saturating_add(other.cache_read);
        self.cache_creation = self.cache_creation.saturating_add(other.cache_creation);
        self.answers = self.answers.saturating_add(other.answers);
        self.unknown = self.unknown.saturating_add(other.unknown);
        self.incomplete = self.incomplete.saturating_add(other.incomplete);
    }
}

/// Tokens to add to one key's bucket of one hour and model (and so of its
/// day, and the key's lifetime).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenDelta {
    /// The key counted.
    pub id: KeyId,
    /// The hour the answers ended in.
    pub hour: Hour,
    /// The model the answers named; `None`: they named none.
    pub model: Option<String>,
    /// What to add.
    pub counts: TokenCounts,
}

/// A key's tokens since an hour, for limits and budgets: one cheap store
/// call ([`KeyStore::token_totals`](crate::KeyStore::token_totals)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenTotals {
    /// Every model together, from the hourly buckets since the hour asked
    /// for (within [`TOKEN_HOURLY_RETENTION_HOURS`]).
    pub since: TokenCounts,
    /// The same per model, by model name (`None` first), each model once.
    pub by_model: Vec<(Option<String>, TokenCounts)>,
    /// Since the key was made (or since its store counted tokens).
    pub lifetime: TokenCounts,
}

/// The name a store keeps for a model: `None` (and an empty name) as the
/// empty string, others cut to [`MAX_MODEL_NAME_BYTES`].
pub fn stored_model(model: Option<&str>) -> String {
    model.map(TokenUsage::bounded_model).unwrap_or_default()
}

/// A stored model name back: the empty string is `None`.
pub fn model_from_stored(stored: &str) -> Option<String> {
    (!stored.is_empty()).then(|| stored.to_owned())
}

/// Where a new model's tokens go in a bucket that already holds
/// `named` models other than [`OTHER_MODELS`]: its own row while there is
/// room, else [`OTHER_MODELS`].
pub fn bounded_row(model: &str, named: usize) -> &str {
    if model == OTHER_MODELS || named < MAX_MODELS_PER_BUCKET - 1 {
        model
    } else {
        OTHER_MODELS
    }
}

/// The oldest hour a store keeps hourly token buckets for at `now`.
pub fn token_hours_from(now: time::OffsetDateTime) -> Hour {
    Hour(Hour::of(now).0.saturating_sub(TOKEN_HOURLY_RETENTION_HOURS))
}

/// The oldest day a store keeps daily token buckets for at `now` (as for
/// request counts).
pub fn token_days_from(now: time::OffsetDateTime) -> Day {
    Day(Day::of(now).0.saturating_sub(TOKEN_DAILY_RETENTION_DAYS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_answer_counts_its_tokens_and_whether_it_was_known_and_whole() {
        let usage = TokenUsage {
            model: Some("m".into()),
            input: 10,
            output: 5,
            cache_read: 4,
            cache_creation: 1,
            known: true,
            complete: false,
        };
        let mut counts = TokenCounts::of(&usage);
        counts.count(&TokenUsage::default());
        assert_eq!(
            counts,
            TokenCounts {
                input: 10,
                output: 5,
                cache_read: 4,
                cache_creation: 1,
                answers: 1,
                unknown: 1,
                incomplete: 2,
            }
        );
        assert_eq!(counts.total(), 15);
        assert_eq!(TokenCounts::from_stored(counts.to_stored()), counts);
    }

    #[test]
    fn counts_saturate() {
        let big = TokenCounts {
            input: u64::MAX,
            answers: u32::MAX,
            ..TokenCounts::default()
        };
        let sum = big + big;
        assert_eq!((sum.input, sum.answers), (u64::MAX, u32::MAX));
    }

    #[test]
    fn a_full_bucket_puts_new_models_under_other() {
        assert_eq!(bounded_row("gpt", 0), "gpt");
        assert_eq!(bounded_row("gpt", MAX_MODELS_PER_BUCKET - 2), "gpt");
        assert_eq!(bounded_row("gpt", MAX_MODELS_PER_BUCKET - 1), OTHER_MODELS);
        assert_eq!(bounded_row(OTHER_MODELS, 0), OTHER_MODELS);
    }

    #[test]
    fn no_model_is_stored_as_the_empty_name() {
        assert_eq!(stored_model(None), "");
        assert_eq!(model_from_stored(""), None);
        assert_eq!(
            model_from_stored(&stored_model(Some("gpt-4o"))).as_deref(),
            Some("gpt-4o")
        );
        assert_eq!(stored_model(Some(&"x".repeat(300))).len(), MAX_MODEL_NAME_BYTES);
    }

    #[test]
    fn the_storage_bound_is_under_3_7_mib_per_key() {
        assert_eq!(MAX_TOKEN_ROWS_PER_KEY, 18_721);
        assert_eq!(TOKEN_ROW_BYTES, 203);
        assert_eq!(MAX_TOKEN_BYTES_PER_KEY, 3_800_363);
        const { assert!(MAX_TOKEN_BYTES_PER_KEY < 37 * 1024 * 1024 / 10) };
    }
}
