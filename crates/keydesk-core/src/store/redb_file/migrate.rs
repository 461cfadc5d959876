//! Schema migrations: how a database written by an earlier keydesk is brought
//! up to the schema this build reads and writes.
//!
//! The whole upgrade — every step from the version found, one version up at a
//! time — is one write transaction, which also records the new version and
//! appends one audit entry saying from which version to which: a process
//! killed during an upgrade leaves the old schema or the new one, never a mix
//! (nor an intermediate version that would make the entry say less than what
//! happened). Only an opener that can write upgrades; a reader of an older file
//! gets [`StoreError::NeedsUpgrade`](super::StoreError::NeedsUpgrade), never a
//! guess at what the old layout means.
//!
//! Adding a schema version: bump [`SCHEMA_VERSION`], append a step here, and
//! commit a fixture of the *previous* version (`examples/make_fixture.rs`,
//! built from the release before the bump) for `tests/program/upgrade.rs`.

use redb::{ReadableTable, WriteTransaction};
use time::OffsetDateTime;
use unicode_normalization::UnicodeNormalization;

use super::tables::{
    AUDIT, AUDIT_BY_KEY, BY_HASH, CHANGE_COUNTER_KEY, KEYS, META, SCHEMA_VERSION, SCHEMA_VERSION_KEY, TOKENS_DAILY,
    TOKENS_HOURLY, TOKENS_LIFETIME, USAGE_DAILY, USAGE_DAILY_V5, USAGE_HOURLY, USAGE_HOURLY_V5,
};
use super::{Fail, Recorder, audit, codec};
use crate::domain::AuditEvent;

/// Who is upgrading, and when: the audit log records it.
struct Upgrade<'a> {
    actor: &'a Recorder,
    at: OffsetDateTime,
}

/// One step up: from `to - 1` to `to`.
struct Step {
    to: u64,
    apply: fn(&WriteTransaction, &Upgrade<'_>) -> Result<(), Fail>,
}

/// Every step from the first released schema, in order.
const STEPS: &[Step] = &[
    Step {
        to: 2,
        apply: names_to_nfc,
    },
    Step {
        to: 3,
        apply: records_to_v2,
    },
    Step {
        to: 4,
        apply: start_audit_log,
    },
    Step { to: 5, apply: schema_5 },
    Step { to: 6, apply: schema_6 },
    Step {
        to: 7,
        apply: |txn, _| start_token_counts(txn),
    },
];

/// What a write transaction found the file to be.
enum Found {
    Fresh,
    Version(u64),
}

/// Creates the schema in a new file, or upgrades an older one step by step.
/// Safe to call on a current file (it writes nothing) and against other
/// processes doing the same: every decision is re-read under the write lock.
/// An upgrade is recorded in the audit log as `actor`'s, at `at`.
pub(super) fn bring_up_to_date(db: &redb::Database, actor: &Recorder, at: OffsetDateTime) -> Result<(), Fail> {
    let txn = db.begin_write()?;
    let found = {
        let meta = txn.open_table(META)?;
        let version = meta.get(SCHEMA_VERSION_KEY)?.map(|v| v.value());
        version.map_or(Found::Fresh, Found::Version)
    };
    match found {
        Found::Fresh => create_current_schema(&txn)?,
        Found::Version(SCHEMA_VERSION) => {
            txn.abort()?;
            return Ok(());
        }
        Found::Version(newer) if newer > SCHEMA_VERSION => return Err(Fail::NewerSchema(newer)),
        Found::Version(0) => return Err(Fail::Foreign),
        Found::Version(older) => upgrade(&txn, &Upgrade { actor, at }, older)?,
    }
    txn.commit()?;
    Ok(())
}

/// Every step from `older` up, then the new version, a moved change counter
/// and the audit entry recording it.
fn upgrade(txn: &WriteTransaction, upgrade: &Upgrade<'_>, older: u64) -> Result<(), Fail> {
    for step in STEPS.iter().filter(|s| s.to > older) {
        (step.apply)(txn, upgrade)?;
    }
    let mut meta = txn.open_table(META)?;
    meta.insert(SCHEMA_VERSION_KEY, SCHEMA_VERSION)?;
    // Running TUIs and verifiers reload on a moved counter.
    let counter = meta.get(CHANGE_COUNTER_KEY)?.map_or(0, |v| v.value());
    meta.insert(CHANGE_COUNTER_KEY, counter.wrapping_add(1))?;
    drop(meta);
    let change = audit::Change {
        at: upgrade.at,
        event: AuditEvent::SchemaUpgraded {
            from: older,
            to: SCHEMA_VERSION,
        },
        record: None,
    };
    // No key: only a log written before this version is ever upgraded, and
    // those are unkeyed (a keyed one refuses an unkeyed entry).
    audit::append(txn, upgrade.actor.get(), None, change)
}

fn create_current_schema(txn: &WriteTransaction) -> Result<(), Fail> {
    let mut meta = txn.open_table(META)?;
    meta.insert(SCHEMA_VERSION_KEY, SCHEMA_VERSION)?;
    meta.insert(CHANGE_COUNTER_KEY, 0)?;
    txn.open_table(KEYS)?;
    txn.open_table(BY_HASH)?;
    txn.open_table(AUDIT)?;
    txn.open_table(AUDIT_BY_KEY)?;
    start_usage_counts(txn)?;
    start_token_counts(txn)?;
    Ok(())
}

/// Schema 2: names are stored in Unicode normal form C. Schema 1 stored them
/// as typed, so a compatibility ideograph (U+F900 豈) and its unified twin
/// (U+8C48 豈) made different names that look the same.
fn names_to_nfc(txn: &WriteTransaction, _: &Upgrade<'_>) -> Result<(), Fail> {
    let mut keys = txn.open_table(KEYS)?;
    let mut changed = Vec::new();
    for entry in keys.iter()? {
        let (id, bytes) = entry?;
        let mut record = codec::decode(id.value(), bytes.value()).map_err(Fail::Decode)?;
        let normal: String = record.name.nfc().collect();
        if normal != record.name {
            record.name = normal;
            changed.push(record);
        }
    }
    for record in changed {
        // Schema 2's own encoding: schema 3 rewrites every record afterwards.
        keys.insert(record.id.as_str(), codec::encode_v1(&record).as_slice())?;
    }
    Ok(())
}

/// Schema 3: the key lifecycle (expiry, disabling, rotation). Every record is
/// rewritten in the V2 encoding as an active key that never expires and has
/// no previous secret; the hash index needs no change (it holds exactly the
/// current secrets, as before).
fn records_to_v2(txn: &WriteTransaction, _: &Upgrade<'_>) -> Result<(), Fail> {
    let mut keys = txn.open_table(KEYS)?;
    let mut rewritten = Vec::new();
    for entry in keys.iter()? {
        let (id, bytes) = entry?;
        if !codec::is_v2(bytes.value()) {
            rewritten.push(codec::decode(id.value(), bytes.value()).map_err(Fail::Decode)?);
        }
    }
    for record in rewritten {
        // Schema 3's own encoding: schema 6 rewrites every record afterwards.
        keys.insert(record.id.as_str(), codec::encode_v2(&record).as_slice())?;
    }
    Ok(())
}

/// Schema 4: the audit log. Its first entry, the upgrade's own (written
/// after the last step), anchors the chain.
fn start_audit_log(txn: &WriteTransaction, _: &Upgrade<'_>) -> Result<(), Fail> {
    txn.open_table(AUDIT)?;
    Ok(())
}

/// Schema 5: the audit log's key index and usage counts, each its own
/// function.
fn schema_5(txn: &WriteTransaction, _: &Upgrade<'_>) -> Result<(), Fail> {
    index_audit_by_key(txn)?;
    txn.open_table(USAGE_HOURLY_V5)?;
    txn.open_table(USAGE_DAILY_V5)?;
    Ok(())
}

/// Schema 5: the audit log's key index, filled for the entries already
/// written (each entry from now on is indexed as it is appended).
fn index_audit_by_key(txn: &WriteTransaction) -> Result<(), Fail> {
    audit::index_existing(txn)
}

/// Per-key usage counts, starting empty (a new file; releases before schema
/// 5 counted nothing).
fn start_usage_counts(txn: &WriteTransaction) -> Result<(), Fail> {
    txn.open_table(USAGE_HOURLY)?;
    txn.open_table(USAGE_DAILY)?;
    Ok(())
}

/// Schema 6: per-key policies, and usage counts of refusals by policy
/// reason. Every record is rewritten in the V3 encoding as a key without
/// rules; every usage bucket is copied into the new tables with no policy
/// refusals, and the old tables are deleted.
fn schema_6(txn: &WriteTransaction, _: &Upgrade<'_>) -> Result<(), Fail> {
    records_to_v3(txn)?;
    start_usage_counts(txn)?;
    copy_usage_counts(txn, USAGE_HOURLY_V5, USAGE_HOURLY)?;
    copy_usage_counts(txn, USAGE_DAILY_V5, USAGE_DAILY)
}

/// Schema 6: schema 5's buckets of one table into its successor, in key
/// order (the rows fill whole pages), then the old table deleted.
fn copy_usage_counts(
    txn: &WriteTransaction,
    from: redb::TableDefinition<(&str, u32), [u32; 4]>,
    to: redb::TableDefinition<(&str, u32), [u32; crate::domain::usage::COUNTS]>,
) -> Result<(), Fail> {
    {
        let old = txn.open_table(from)?;
        let mut new = txn.open_table(to)?;
        for row in old.iter()? {
            let (key, counts) = row?;
            let (id, bucket) = key.value();
            let counts = crate::domain::UsageCounts::from_state_counts(counts.value());
            new.insert((id, bucket), counts.to_array())?;
        }
    }
    txn.delete_table(from)?;
    Ok(())
}

/// Schema 7: token counts per key, bucket and model, and per key for its
/// life, starting empty (no earlier release counted tokens).
fn start_token_counts(txn: &WriteTransaction) -> Result<(), Fail> {
    txn.open_table(TOKENS_HOURLY)?;
    txn.open_table(TOKENS_DAILY)?;
    txn.open_table(TOKENS_LIFETIME)?;
    Ok(())
}

/// Schema 6: every record in the V3 encoding (with the empty policy).
fn records_to_v3(txn: &WriteTransaction) -> Result<(), Fail> {
    let mut keys = txn.open_table(KEYS)?;
    let mut rewritten = Vec::new();
    for entry in keys.iter()? {
        let (id, bytes) = entry?;
        if !codec::is_current(bytes.value()) {
            rewritten.push(codec::decode(id.value(), bytes.value()).map_err(Fail::Decode)?);
        }
    }
    for record in rewritten {
        keys.insert(record.id.as_str(), codec::encode(&record).as_slice())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_is_one_step_to_every_version_after_the_first() {
        let targets: Vec<u64> = STEPS.iter().map(|s| s.to).collect();
        let expected: Vec<u64> = (2..=SCHEMA_VERSION).collect();
        assert_eq!(targets, expected);
    }
}
