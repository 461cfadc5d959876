//! The redb tables. Values are raw bytes decoded by [`super::codec`], so a
//! damaged or foreign record becomes an error, never a panic inside redb.

use redb::TableDefinition;

use crate::domain::usage::COUNTS;

/// Key ID → encoded record.
pub const KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("keys");
/// SHA-256 of a secret → key ID: every key's current secret and, since schema
/// 3, the previous secret of a rotation (until the next rotation or the
/// delete replaces it). Written in the same transaction as `KEYS`.
pub const BY_HASH: TableDefinition<&[u8; 32], &str> = TableDefinition::new("by_hash");
/// Schema version and change counter. Its presence marks a keydesk database.
pub const META: TableDefinition<&str, u64> = TableDefinition::new("keydesk_meta");

/// Since schema 4: sequence number → encoded audit entry (see
/// [`super::audit`]). Appended to in the same transaction as every change;
/// never pruned, not even when the key is deleted.
pub const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");

/// Since schema 5: (key ID, sequence number) of every audit entry about a
/// key, written in the entry's transaction, so one key's history is read
/// without scanning the whole log. An index only: `log --check` proves the
/// log from `AUDIT`'s chain alone, then checks that this agrees with it.
pub const AUDIT_BY_KEY: TableDefinition<(&str, u64), ()> = TableDefinition::new("audit_by_key");
/// Since schema 6: (key ID, hours since the epoch) → usage counts of that
/// hour, in [`Outcome::ALL`] order: accepted, refused disabled, refused
/// expired, refused previous secret past its end, then refused by the key's
/// policy for each reason. Kept [`HOURLY_RETENTION_HOURS`] hours. The
/// layout is in the name: a table's value type is fixed once written, so a
/// new layout is a new table that the migration fills from the old one.
///
/// [`Outcome::ALL`]: crate::domain::Outcome::ALL
/// [`HOURLY_RETENTION_HOURS`]: crate::domain::usage::HOURLY_RETENTION_HOURS
pub const USAGE_HOURLY: TableDefinition<(&str, u32), [u32; COUNTS]> = TableDefinition::new("usage_hourly_v6");
/// Since schema 6: (key ID, days since the epoch) → usage counts of that UTC
/// day, as [`USAGE_HOURLY`], added to in the same write as the hour. Kept
/// [`DAILY_RETENTION_DAYS`] days.
///
/// [`DAILY_RETENTION_DAYS`]: crate::domain::usage::DAILY_RETENTION_DAYS
pub const USAGE_DAILY: TableDefinition<(&str, u32), [u32; COUNTS]> = TableDefinition::new("usage_daily_v6");
/// Schema 5's hourly counts (accepted, refused disabled, refused expired,
/// refused previous ended), read only by the schema-6 migration, which
/// copies them into [`USAGE_HOURLY`] and deletes the table.
pub const USAGE_HOURLY_V5: TableDefinition<(&str, u32), [u32; 4]> = TableDefinition::new("usage_hourly");
/// Schema 5's daily counts, as [`USAGE_HOURLY_V5`].
pub const USAGE_DAILY_V5: TableDefinition<(&str, u32), [u32; 4]> = TableDefinition::new("usage_daily");

/// A token bucket's stored counts: input, output, cache read, cache
/// creation; answers with usage, without, cut short (see
/// [`TokenCounts::to_stored`](crate::domain::TokenCounts::to_stored)).
pub type StoredTokens = ([u64; 4], [u32; 3]);
/// Since schema 7: (key ID, hours since the epoch, model name; empty: none)
/// → tokens of that hour and model. Kept
/// [`TOKEN_HOURLY_RETENTION_HOURS`](crate::domain::token_counts::TOKEN_HOURLY_RETENTION_HOURS)
/// hours, at most
/// [`MAX_MODELS_PER_BUCKET`](crate::domain::token_counts::MAX_MODELS_PER_BUCKET)
/// models per hour.
pub const TOKENS_HOURLY: TableDefinition<(&str, u32, &str), StoredTokens> = TableDefinition::new("tokens_hourly_v7");
/// Since schema 7: (key ID, days since the epoch, model) → tokens of that
/// UTC day, as [`TOKENS_HOURLY`], added to in the same write as the hour.
/// Kept as long as [`USAGE_DAILY`].
pub const TOKENS_DAILY: TableDefinition<(&str, u32, &str), StoredTokens> = TableDefinition::new("tokens_daily_v7");
/// Since schema 7: key ID → every token counted for the key, added to in
/// the same write as its buckets, deleted with the key.
pub const TOKENS_LIFETIME: TableDefinition<&str, StoredTokens> = TableDefinition::new("tokens_lifetime_v7");

pub const SCHEMA_VERSION_KEY: &str = "schema_version";
pub const CHANGE_COUNTER_KEY: &str = "change_counter";
/// The sequence number of the last audit entry written, so that entries cut
/// off the end of the log are noticed too.
pub const AUDIT_LAST_KEY: &str = "audit_last_seq";

/// The schema this build reads and writes. Bump it, with a step in
/// `migrate`, whenever the tables or the record encoding change.
///
/// 1: the first release. 2: names in normal form C. 3: the key lifecycle
/// (record encoding V2: expiry, disabled, a rotation's previous secret, whose
/// hash is in `BY_HASH` too, mapping to the same key). 4: the audit log
/// (`AUDIT`, and `AUDIT_LAST_KEY` in `META`). 5: the audit log's key index
/// (`AUDIT_BY_KEY`) and usage counts (`USAGE_HOURLY`, `USAGE_DAILY`).
/// 6: per-key policies (record encoding V3) and usage counts of refusals by
/// policy reason (`USAGE_HOURLY` and `USAGE_DAILY` replace schema 5's tables).
/// 7: token counts per key, hour or day, and model (`TOKENS_HOURLY`,
/// `TOKENS_DAILY`) and per key for its life (`TOKENS_LIFETIME`).
pub const SCHEMA_VERSION: u64 = 7;
