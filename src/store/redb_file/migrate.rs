//! Schema migrations: how a database written by an earlier keydesk is brought
//! up to the schema this build reads and writes.
//!
//! Each step moves the file one version up in its own write transaction, which
//! also records the new version: a process killed during an upgrade leaves the
//! old schema or the new one, never a mix, and the next opener carries on from
//! there. Only an opener that can write upgrades; a reader of an older file
//! gets [`StoreError::NeedsUpgrade`](super::StoreError::NeedsUpgrade), never a
//! guess at what the old layout means.
//!
//! Adding a schema version: bump [`SCHEMA_VERSION`], append a step here, and
//! commit a fixture of the *previous* version (`examples/make_fixture.rs`,
//! built from the release before the bump) for `tests/upgrade.rs`.

use redb::{ReadableTable, WriteTransaction};
use time::OffsetDateTime;
use unicode_normalization::UnicodeNormalization;

use super::tables::{
    AUDIT, BY_HASH, CHANGE_COUNTER_KEY, KEYS, META, SCHEMA_VERSION, SCHEMA_VERSION_KEY, USAGE_DAILY, USAGE_HOURLY,
};
use super::{Fail, audit, codec};
use crate::domain::{Actor, AuditEvent};

/// Who is upgrading, and when: the audit log records it.
struct Upgrade<'a> {
    actor: &'a Actor,
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
];

/// What a write transaction found the file to be.
enum Found {
    Fresh,
    Version(u64),
}

/// Creates the schema in a new file, or upgrades an older one step by step.
/// Safe to call on a current file (it writes nothing) and against other
/// processes doing the same: every decision is re-read under the write lock.
/// `actor` and `at` are recorded in the audit log for an upgrade to schema 4
/// or later.
pub(super) fn bring_up_to_date(db: &redb::Database, actor: &Actor, at: OffsetDateTime) -> Result<(), Fail> {
    let upgrade = Upgrade { actor, at };
    loop {
        let txn = db.begin_write()?;
        let found = {
            let meta = txn.open_table(META)?;
            let version = meta.get(SCHEMA_VERSION_KEY)?.map(|v| v.value());
            version.map_or(Found::Fresh, Found::Version)
        };
        match found {
            Found::Fresh => {
                create_current_schema(&txn)?;
                txn.commit()?;
                return Ok(());
            }
            Found::Version(SCHEMA_VERSION) => {
                txn.abort()?;
                return Ok(());
            }
            Found::Version(newer) if newer > SCHEMA_VERSION => return Err(Fail::NewerSchema(newer)),
            Found::Version(older) => {
                let step = STEPS.iter().find(|s| s.to == older + 1).ok_or(Fail::Foreign)?;
                (step.apply)(&txn, &upgrade)?;
                let mut meta = txn.open_table(META)?;
                meta.insert(SCHEMA_VERSION_KEY, step.to)?;
                // Running TUIs and verifiers reload on a moved counter.
                let counter = meta.get(CHANGE_COUNTER_KEY)?.map_or(0, |v| v.value());
                meta.insert(CHANGE_COUNTER_KEY, counter.wrapping_add(1))?;
                drop(meta);
                txn.commit()?;
            }
        }
    }
}

fn create_current_schema(txn: &WriteTransaction) -> Result<(), Fail> {
    let mut meta = txn.open_table(META)?;
    meta.insert(SCHEMA_VERSION_KEY, SCHEMA_VERSION)?;
    meta.insert(CHANGE_COUNTER_KEY, 0)?;
    txn.open_table(KEYS)?;
    txn.open_table(BY_HASH)?;
    txn.open_table(AUDIT)?;
    start_usage_counts(txn)?;
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
        if !codec::is_current(bytes.value()) {
            rewritten.push(codec::decode(id.value(), bytes.value()).map_err(Fail::Decode)?);
        }
    }
    for record in rewritten {
        keys.insert(record.id.as_str(), codec::encode(&record).as_slice())?;
    }
    Ok(())
}

/// Schema 4: the audit log. Its first entry records this upgrade, in the
/// upgrade's own transaction, so the chain is anchored at it.
fn start_audit_log(txn: &WriteTransaction, upgrade: &Upgrade<'_>) -> Result<(), Fail> {
    let change = audit::Change {
        at: upgrade.at,
        event: AuditEvent::SchemaUpgraded { from: 3, to: 4 },
        record: None,
    };
    audit::append(txn, upgrade.actor, change)
}

/// Schema 5. Each part of this version is its own function; the upgrade
/// itself is recorded in the audit log, as every upgrade since schema 4.
fn schema_5(txn: &WriteTransaction, upgrade: &Upgrade<'_>) -> Result<(), Fail> {
    start_usage_counts(txn)?;
    let change = audit::Change {
        at: upgrade.at,
        event: AuditEvent::SchemaUpgraded { from: 4, to: 5 },
        record: None,
    };
    audit::append(txn, upgrade.actor, change)
}

/// Schema 5: per-key usage counts, starting empty (earlier releases counted
/// nothing).
fn start_usage_counts(txn: &WriteTransaction) -> Result<(), Fail> {
    txn.open_table(USAGE_HOURLY)?;
    txn.open_table(USAGE_DAILY)?;
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
