//! Copying keys and their audit log into PostgreSQL from another store (the
//! redb file, for `keydesk migrate`): records as they are (hashes, never
//! secrets; lifecycle and Last Used included), the audit log entry for entry
//! with its chain intact, and the usage and token counts bucket for bucket.

use super::client::Transaction;

use super::{Fail, PgStore, insert_record};
use keydesk_core::domain::{AuditEntry, AuditKey, KeyId, KeyRecord, KeyUsage};
use keydesk_core::store::backend::chain;
use keydesk_core::store::{Refused, StoreError};

/// What an import did, and what PostgreSQL holds after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Keys copied now.
    pub keys_copied: usize,
    /// Keys whose ID was already there (left as they are in PostgreSQL).
    pub keys_present: usize,
    /// Of those, keys that differ from the source (Last Used moved, renamed…).
    pub keys_differing: usize,
    /// Audit entries copied now.
    pub entries_copied: usize,
    /// Audit entries that were already there, identical (a repeated import).
    pub entries_present: usize,
    /// Keys in the source.
    pub keys_total: usize,
    /// Audit entries in the source.
    pub entries_total: usize,
    /// Usage buckets (hours and days) copied now, and already there (a
    /// repeated import: left as they are, never added twice).
    pub buckets_copied: usize,
    /// See `buckets_copied`.
    pub buckets_present: usize,
    /// Token rows (buckets and lifetime totals) copied now; one already
    /// there is left as it is.
    pub token_rows_copied: usize,
}

impl PgStore {
    /// Copies `records` and the audit log `entries` (oldest first) in one
    /// transaction. Keys already present (by ID) are left alone, so running
    /// it again copies nothing twice. The log is copied only into an empty
    /// log, or recognised as copied already when PostgreSQL's log begins
    /// with exactly these entries; any other log is refused, since joining
    /// two chains would break both.
    pub fn import(
        &self,
        records: &[KeyRecord],
        entries: &[AuditEntry],
        usage: &[(KeyId, KeyUsage)],
    ) -> Result<Imported, StoreError> {
        self.write(|txn| {
            let (keys_copied, keys_present, keys_differing) = import_keys(txn, records)?;
            let (entries_copied, entries_present) = import_entries(txn, entries, self.audit_key.as_ref())?;
            let (buckets_copied, buckets_present) = super::usage::import(txn, usage)?;
            let token_rows_copied = super::tokens::import(txn, usage)?;
            let keys_total: i64 = txn.query_one("SELECT count(*) FROM keydesk_keys", &[])?.get(0);
            let entries_total: i64 = txn.query_one("SELECT count(*) FROM keydesk_audit", &[])?.get(0);
            Ok(Imported {
                keys_copied,
                keys_present,
                keys_differing,
                entries_copied,
                entries_present,
                keys_total: keys_total as usize,
                entries_total: entries_total as usize,
                buckets_copied,
                buckets_present,
                token_rows_copied,
            })
        })
    }
}

fn import_keys(txn: &mut Transaction<'_>, records: &[KeyRecord]) -> Result<(usize, usize, usize), Fail> {
    let (mut copied, mut present, mut differing) = (0, 0, 0);
    for record in records {
        if insert_record(txn, record)? {
            copied += 1;
            continue;
        }
        present += 1;
        if super::get_record(txn, record.id.as_str())?.as_ref() != Some(record) {
            differing += 1;
        }
    }
    Ok((copied, present, differing))
}

/// Keyed entries are sealed again with `key` (the same bytes, when it is
/// the key they were sealed with: the check after the import says so).
fn import_entries(
    txn: &mut Transaction<'_>,
    entries: &[AuditEntry],
    key: Option<&AuditKey>,
) -> Result<(usize, usize), Fail> {
    let rows = txn.query(
        "SELECT seq, entry FROM keydesk_audit ORDER BY seq LIMIT $1",
        &[&(entries.len() as i64)],
    )?;
    let existing: Vec<Vec<u8>> = rows.iter().map(|row| row.get(1)).collect();
    let sealed = entries
        .iter()
        .map(|entry| chain::seal(entry, key).ok_or(Fail::AuditKey(chain::KeyProblem::Missing(entry.seq))))
        .collect::<Result<Vec<Vec<u8>>, Fail>>()?;
    if !existing.is_empty() {
        let total: i64 = txn.query_one("SELECT count(*) FROM keydesk_audit", &[])?.get(0);
        if existing.len() == sealed.len() && existing == sealed {
            return Ok((0, existing.len()));
        }
        return Err(Fail::Refused(Refused::ForeignAuditLog { count: total as u64 }));
    }
    for (entry, bytes) in entries.iter().zip(&sealed) {
        txn.execute(
            "INSERT INTO keydesk_audit (seq, key_id, at, entry) VALUES ($1, $2, $3, $4)",
            &[
                &(entry.seq as i64),
                &entry.key.as_ref().map(|k| k.as_str().to_owned()),
                &entry.at.unix_timestamp(),
                bytes,
            ],
        )?;
    }
    if let Some(last) = entries.last() {
        txn.execute("UPDATE keydesk_meta SET audit_last_seq = $1", &[&(last.seq as i64)])?;
    }
    Ok((entries.len(), 0))
}
