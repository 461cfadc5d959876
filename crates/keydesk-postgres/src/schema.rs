//! keydesk's tables in PostgreSQL, and their versioned migrations.
//!
//! Applied migrations are rows of `keydesk_schema_migrations` (version, when,
//! what). Opening a store applies the missing ones, each in its own
//! transaction, under a transaction-level advisory lock, so two hosts
//! starting at once do not both apply one: the second waits, then finds it
//! applied. A database set up by a newer keydesk is refused untouched.
//!
//! Layout (version 1):
//!
//! - `keydesk_keys`: one row per key. Only SHA-256 hashes of secrets
//!   (`hash`, and `previous_hash` of a rotation's previous secret), both
//!   unique: together they are the hash index. Times are Unix seconds, UTC.
//! - `keydesk_meta`: one row, the change counter (moved by every write) and
//!   the last audit sequence number written. Every write transaction starts
//!   by moving the counter, which locks that row: writers queue there, in
//!   the order they came, like redb's single writer.
//! - `keydesk_audit`: the hash-chained audit log, each entry stored exactly
//!   as in the redb file (`E ‖ SHA-256(E)`), with its key and time beside it
//!   for queries.
//!
//! Version 2 adds `keydesk_usage_hourly` and `keydesk_usage_daily`: counts
//! by outcome per (key, hour or day since the epoch, UTC), deleted with
//! their key, pruned past the retention as new buckets arrive (as in redb).
//!
//! Version 3 adds `keydesk_keys.policy`: the key's policy in its one text
//! form (as in the redb file's records; empty: no rules), so every existing
//! key starts without rules; and to both usage tables one count per policy
//! refusal reason (`refused_rate`, `refused_concurrency`, `refused_method`,
//! `refused_path`, `refused_model`, `refused_address`), zero in every
//! bucket already there.
//! Version 4 adds `keydesk_rate_leases` and `keydesk_rate_gateways`, the
//! leases of permits by which a fleet's gateways share rate limits and the
//! gateways' heartbeats (see `leases.rs`). Neither refers to the keys:
//! a grant must not wait on a key's row, and old rows go by age.
//!
//! Version 5 adds `keydesk_tokens_hourly` and `keydesk_tokens_daily`: tokens
//! per (key, hour or day since the epoch, model; the empty name: none),
//! and `keydesk_tokens_lifetime`, per key. Deleted with their key, pruned
//! as the usage counts are (see `tokens.rs`). And `keydesk_tpm_seconds`:
//! the tokens each gateway counted per (key, Unix second), by which a
//! fleet shares `tpm` windows (see `tpm.rs`); like the leases it does not
//! refer to the keys, and its rows go by age.

use super::client::{Client, Error};

/// The newest schema this build knows.
pub const SCHEMA_VERSION: u64 = 5;

/// Arbitrary, but fixed: the advisory lock key under which migrations run.
const MIGRATION_LOCK: i64 = 0x6b65_7964_6573_6b31; // "keydesk1"

struct Migration {
    version: u64,
    description: &'static str,
    sql: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "keys, hash index, change counter, audit log",
        sql: r#"
CREATE TABLE keydesk_keys (
    id text COLLATE "C" PRIMARY KEY,
    name text NOT NULL,
    hash bytea NOT NULL UNIQUE CHECK (length(hash) = 32),
    masked text NOT NULL,
    created_at bigint NOT NULL,
    last_used bigint,
    expires_at bigint,
    disabled_at bigint,
    previous_hash bytea UNIQUE CHECK (length(previous_hash) = 32),
    previous_masked text,
    previous_grace_until bigint,
    previous_last_used bigint,
    CHECK ((previous_hash IS NULL) = (previous_masked IS NULL)
       AND (previous_hash IS NULL) = (previous_grace_until IS NULL))
);
CREATE TABLE keydesk_meta (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    change_counter bigint NOT NULL,
    audit_last_seq bigint NOT NULL
);
INSERT INTO keydesk_meta (change_counter, audit_last_seq) VALUES (0, 0);
CREATE TABLE keydesk_audit (
    seq bigint PRIMARY KEY,
    key_id text COLLATE "C",
    at bigint NOT NULL,
    entry bytea NOT NULL
);
CREATE INDEX keydesk_audit_by_key ON keydesk_audit (key_id, seq);
"#,
    },
    Migration {
        version: 2,
        description: "usage counts per key, per UTC hour and day",
        sql: r#"
CREATE TABLE keydesk_usage_hourly (
    key_id text COLLATE "C" NOT NULL REFERENCES keydesk_keys (id) ON DELETE CASCADE,
    bucket integer NOT NULL,
    accepted bigint NOT NULL,
    refused_disabled bigint NOT NULL,
    refused_expired bigint NOT NULL,
    refused_previous_ended bigint NOT NULL,
    PRIMARY KEY (key_id, bucket)
);
CREATE TABLE keydesk_usage_daily (LIKE keydesk_usage_hourly INCLUDING ALL);
ALTER TABLE keydesk_usage_daily
    ADD FOREIGN KEY (key_id) REFERENCES keydesk_keys (id) ON DELETE CASCADE;
"#,
    },
    Migration {
        version: 3,
        description: "per-key policies; usage counts of refusals by policy reason",
        sql: r#"
ALTER TABLE keydesk_keys ADD COLUMN policy text NOT NULL DEFAULT '';
ALTER TABLE keydesk_usage_hourly
    ADD COLUMN refused_rate bigint NOT NULL DEFAULT 0,
    ADD COLUMN refused_concurrency bigint NOT NULL DEFAULT 0,
    ADD COLUMN refused_method bigint NOT NULL DEFAULT 0,
    ADD COLUMN refused_path bigint NOT NULL DEFAULT 0,
    ADD COLUMN refused_model bigint NOT NULL DEFAULT 0,
    ADD COLUMN refused_address bigint NOT NULL DEFAULT 0;
ALTER TABLE keydesk_usage_daily
    ADD COLUMN refused_rate bigint NOT NULL DEFAULT 0,
    ADD COLUMN refused_concurrency bigint NOT NULL DEFAULT 0,
    ADD COLUMN refused_method bigint NOT NULL DEFAULT 0,
    ADD COLUMN refused_path bigint NOT NULL DEFAULT 0,
    ADD COLUMN refused_model bigint NOT NULL DEFAULT 0,
    ADD COLUMN refused_address bigint NOT NULL DEFAULT 0;
"#,
    },
    Migration {
        version: 4,
        description: "leases of rate-limit permits shared by gateways, and their heartbeats",
        sql: r#"
CREATE TABLE keydesk_rate_leases (
    lease_id bigserial PRIMARY KEY,
    key_id text COLLATE "C" NOT NULL,
    window_secs integer NOT NULL,
    granted_us bigint NOT NULL,
    permits integer NOT NULL CHECK (permits >= 0),
    gateway text NOT NULL
);
CREATE INDEX keydesk_rate_leases_by_rule ON keydesk_rate_leases (key_id, window_secs, granted_us);
CREATE INDEX keydesk_rate_leases_by_age ON keydesk_rate_leases (granted_us);
CREATE TABLE keydesk_rate_gateways (
    gateway text PRIMARY KEY,
    seen_us bigint NOT NULL
);
"#,
    },
    Migration {
        version: 5,
        description: "token counts per key, per UTC hour and day and model, and per key; tpm windows shared by gateways",
        sql: r#"
CREATE TABLE keydesk_tokens_hourly (
    key_id text COLLATE "C" NOT NULL REFERENCES keydesk_keys (id) ON DELETE CASCADE,
    bucket integer NOT NULL,
    model text COLLATE "C" NOT NULL,
    input bigint NOT NULL,
    output bigint NOT NULL,
    cache_read bigint NOT NULL,
    cache_creation bigint NOT NULL,
    answers bigint NOT NULL,
    unknown bigint NOT NULL,
    incomplete bigint NOT NULL,
    PRIMARY KEY (key_id, bucket, model)
);
CREATE TABLE keydesk_tokens_daily (LIKE keydesk_tokens_hourly INCLUDING ALL);
ALTER TABLE keydesk_tokens_daily
    ADD FOREIGN KEY (key_id) REFERENCES keydesk_keys (id) ON DELETE CASCADE;
CREATE TABLE keydesk_tokens_lifetime (
    key_id text COLLATE "C" PRIMARY KEY REFERENCES keydesk_keys (id) ON DELETE CASCADE,
    input bigint NOT NULL,
    output bigint NOT NULL,
    cache_read bigint NOT NULL,
    cache_creation bigint NOT NULL,
    answers bigint NOT NULL,
    unknown bigint NOT NULL,
    incomplete bigint NOT NULL
);
CREATE TABLE keydesk_tpm_seconds (
    key_id text COLLATE "C" NOT NULL,
    gateway text NOT NULL,
    second bigint NOT NULL,
    tokens bigint NOT NULL CHECK (tokens >= 0),
    PRIMARY KEY (key_id, second, gateway)
);
CREATE INDEX keydesk_tpm_seconds_by_age ON keydesk_tpm_seconds (second);
"#,
    },
];

/// What opening found.
pub enum Found {
    Current,
    /// No keydesk tables at all.
    Empty,
    /// Older than this build: some migrations are missing.
    Older,
    Newer(u64),
}

/// The schema version recorded in the database, without changing anything.
pub fn inspect(client: &mut Client) -> Result<Found, Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass('keydesk_schema_migrations') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(Found::Empty);
    }
    let version: Option<i64> = client
        .query_one("SELECT max(version) FROM keydesk_schema_migrations", &[])?
        .get(0);
    Ok(match version.unwrap_or(0) as u64 {
        SCHEMA_VERSION => Found::Current,
        v if v > SCHEMA_VERSION => Found::Newer(v),
        _ => Found::Older,
    })
}

/// Applies every missing migration, each in one transaction under the
/// migration lock. Returns the newest version found when it is newer than
/// this build knows (and then applies nothing).
pub fn migrate(client: &mut Client) -> Result<Option<u64>, Error> {
    for migration in MIGRATIONS {
        let mut txn = client.transaction()?;
        txn.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        txn.batch_execute(
            "CREATE TABLE IF NOT EXISTS keydesk_schema_migrations (
                version bigint PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now(),
                description text NOT NULL
            )",
        )?;
        let newest: Option<i64> = txn
            .query_one("SELECT max(version) FROM keydesk_schema_migrations", &[])?
            .get(0);
        let newest = newest.unwrap_or(0) as u64;
        if newest > SCHEMA_VERSION {
            return Ok(Some(newest));
        }
        if newest >= migration.version {
            continue; // applied, perhaps by another host just now
        }
        txn.batch_execute(migration.sql)?;
        txn.execute(
            "INSERT INTO keydesk_schema_migrations (version, description) VALUES ($1, $2)",
            &[&(migration.version as i64), &migration.description],
        )?;
        txn.commit()?;
    }
    Ok(None)
}
