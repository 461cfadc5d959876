//! Forging the audit log as someone with write access to the database
//! would: read the stored entries, change one, and seal it and every later
//! entry again with plain SHA-256 — what keydesk did before the audit key,
//! and a few lines of any language.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const AUDIT: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("audit");
const AUDIT_BY_KEY: redb::TableDefinition<(&str, u64), ()> = redb::TableDefinition::new("audit_by_key");

/// The stored log of one database, read and written underneath keydesk.
pub trait RawLog {
    /// Every entry as stored, `(seq, bytes)`, in order.
    fn entries(&self) -> Vec<(u64, Vec<u8>)>;
    /// Replaces entry `seq`'s bytes.
    fn put(&self, seq: u64, bytes: &[u8]);
    /// Removes entries `from` on (with whatever indexes them) and lowers the
    /// recorded last number to match.
    fn truncate(&self, from: u64);
}

/// An entry as the forger decodes it: one version byte, then postcard of
/// these fields (keydesk's `StoredV1`, read off the bytes), then the seal.
#[derive(Serialize, Deserialize)]
struct Entry {
    seq: u64,
    at: i64,
    event: Event,
    key: Option<String>,
    name: Option<String>,
    masked: Option<String>,
    user: Option<String>,
    uid: Option<u32>,
    sudo_user: Option<String>,
    ssh_client: Option<(String, u16)>,
    interface: String,
    version: String,
    previous: [u8; 32],
}

#[derive(Serialize, Deserialize)]
enum Event {
    Created { expires_at: Option<i64> },
    Renamed { from: String },
    Deleted,
    Disabled,
    Enabled,
    Rotated { grace_until: i64 },
    ExpiryChanged { expires_at: Option<i64> },
    SchemaUpgraded { from: u64, to: u64 },
    CreatedWithPolicy { expires_at: Option<i64>, policy: String },
    PolicyChanged { from: String, to: String },
}

/// Renames entry `seq` to `to`, and re-seals it and every later entry with
/// plain SHA-256 under version byte `version` (1: as unkeyed entries are; 2:
/// claiming to be keyed), each linked to the one before.
pub fn forge(raw: &dyn RawLog, seq: u64, to: &str, version: u8) {
    let entries = raw.entries();
    let seal_of = |bytes: &[u8]| <[u8; 32]>::try_from(&bytes[bytes.len() - 32..]).unwrap();
    let mut previous = match seq {
        1 => [0; 32],
        _ => seal_of(&entries[seq as usize - 2].1),
    };
    for (at, bytes) in entries.iter().filter(|(at, _)| *at >= seq) {
        let mut entry: Entry = postcard::from_bytes(&bytes[1..bytes.len() - 32]).unwrap();
        if *at == seq {
            entry.name = Some(to.to_owned());
        }
        entry.previous = previous;
        let mut forged = vec![version];
        forged.extend(postcard::to_allocvec(&entry).unwrap());
        previous = Sha256::digest(&forged).into();
        forged.extend_from_slice(&previous);
        raw.put(*at, &forged);
    }
}

/// The redb file's log as someone with write access to the file edits it.
pub struct RedbLog(pub std::path::PathBuf);

impl RawLog for RedbLog {
    fn entries(&self) -> Vec<(u64, Vec<u8>)> {
        let db = redb::Database::open(&self.0).unwrap();
        let txn = redb::ReadableDatabase::begin_read(&db).unwrap();
        let table = txn.open_table(AUDIT).unwrap();
        let rows = redb::ReadableTable::iter(&table).unwrap();
        rows.map(|row| {
            let (seq, bytes) = row.unwrap();
            (seq.value(), bytes.value().to_vec())
        })
        .collect()
    }

    fn put(&self, seq: u64, bytes: &[u8]) {
        let db = redb::Database::open(&self.0).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(AUDIT).unwrap().insert(seq, bytes).unwrap();
        txn.commit().unwrap();
    }

    fn truncate(&self, from: u64) {
        let db = redb::Database::open(&self.0).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut audit = txn.open_table(AUDIT).unwrap();
            let mut by_key = txn.open_table(AUDIT_BY_KEY).unwrap();
            let rows: Vec<(String, u64)> = redb::ReadableTable::iter(&by_key)
                .unwrap()
                .map(|row| {
                    let (guard, _) = row.unwrap();
                    let (key, seq) = guard.value();
                    (key.to_owned(), seq)
                })
                .filter(|(_, seq)| *seq >= from)
                .collect();
            for (key, seq) in rows {
                by_key.remove((key.as_str(), seq)).unwrap();
            }
            audit.retain(|seq, _| seq < from).unwrap();
            let meta = redb::TableDefinition::<&str, u64>::new("keydesk_meta");
            txn.open_table(meta)
                .unwrap()
                .insert("audit_last_seq", from - 1)
                .unwrap();
        }
        txn.commit().unwrap();
    }
}
