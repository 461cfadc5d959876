//! The embedded store: one redb file, keydesk's default backend.
//!
//! Every operation opens the file, runs one transaction and closes it again
//! (see [`file`] for why), so a [`Store`] value is only a path and settings: it
//! is cheap to clone and safe to keep for the life of a program.

mod audit;
mod builder;
mod bulk;
mod codec;
mod file;
mod migrate;
mod tables;
mod tokens;
mod usage;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::{
    Database, ReadTransaction, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableHandle, WriteTransaction,
};
use time::OffsetDateTime;

use super::rules::{self, whole_second};
use super::{Clock, IndexEntry, KeyStore, Listing, SecretUse, StoreError};
use crate::domain::{
    Actor, ActorSource, AuditEntry, AuditEvent, AuditKey, AuditQuery, ChainHead, ChainReport, Hour, KeyHash, KeyId,
    KeyName, KeyRecord, KeyUsage, Policy, SecretKey, TokenDelta, TokenTotals, UsageDelta, UsageQuery, Verdict, secret,
};
pub use builder::StoreBuilder;

pub use file::{RetryPolicy, default_path};
/// The schema version this build reads and writes.
pub use tables::SCHEMA_VERSION;
use tables::{AUDIT, AUDIT_BY_KEY, AUDIT_LAST_KEY, BY_HASH, CHANGE_COUNTER_KEY, KEYS, META, SCHEMA_VERSION_KEY};

/// Who a store's changes are recorded as made by: resolved from its
/// [`ActorSource`] when the first entry is written, then kept.
#[derive(Debug)]
struct Recorder {
    source: ActorSource,
    resolved: std::sync::OnceLock<Actor>,
}

impl Recorder {
    fn new(source: ActorSource) -> Recorder {
        Recorder {
            source,
            resolved: std::sync::OnceLock::new(),
        }
    }

    fn get(&self) -> &Actor {
        self.resolved.get_or_init(|| self.source.resolve())
    }
}

/// The embedded store: one redb file, opened per operation. Open it with
/// [`Store::open`] or [`Store::builder`]; clones share the settings and
/// act on the same file.
#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    retry: RetryPolicy,
    clock: Clock,
    /// Stamped on every audit entry this store writes; shared by clones, so
    /// it is looked up at most once.
    actor: Arc<Recorder>,
    /// Benchmarks only: write changes without their audit entries, to
    /// measure what the entry costs (see [`Store::without_audit_for_benchmarks`]).
    audit_off: bool,
    /// Seals this store's audit entries and checks the keyed ones.
    audit_key: Option<AuditKey>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("retry", &self.retry)
            .field("actor", &self.actor.source)
            .field("audit_key", &self.audit_key)
            .finish()
    }
}

impl Store {
    /// Opens the database at `path` with every default, creating it (file
    /// `0600`, directory `0700`) if nothing is there: the common case of
    /// [`Store::builder`]. A file that is not a keydesk database, or comes
    /// from a newer keydesk, is refused and left untouched. Programs that
    /// only read or verify should use
    /// `Store::builder(path).create_if_missing(false).open()`, so that a
    /// mistyped path is reported rather than answered with an empty store.
    pub fn open(path: impl Into<PathBuf>) -> Result<Store, StoreError> {
        Store::builder(path).open()
    }

    /// The settings to open the database at `path` with (whether to create
    /// it, the wait for a busy file, the clock, the actor, the audit key),
    /// each defaulting to what [`Store::open`] uses.
    pub fn builder(path: impl Into<PathBuf>) -> StoreBuilder {
        StoreBuilder::new(path.into())
    }

    /// The default database location under the user's data directory.
    pub fn default_path() -> Result<PathBuf, StoreError> {
        file::default_path()
    }

    /// Who this store's changes are recorded as made by (looked up now, if
    /// no entry has needed it yet).
    pub fn actor(&self) -> &Actor {
        self.actor.get()
    }

    /// This store writing its changes *without* their audit entries: only
    /// for the benchmark that measures what an entry adds to a change. Not
    /// for anything else — a log with gaps in it is what the chain exists to
    /// catch.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn without_audit_for_benchmarks(mut self) -> Store {
        self.audit_off = true;
        self
    }

    /// Appends the entry for a change, in its write transaction.
    fn log(
        &self,
        txn: &WriteTransaction,
        at: OffsetDateTime,
        event: AuditEvent,
        record: &KeyRecord,
    ) -> Result<(), Fail> {
        if self.audit_off {
            return Ok(());
        }
        let change = audit::Change {
            at,
            event,
            record: Some(record),
        };
        audit::append(txn, self.actor.get(), self.audit_key.as_ref(), change)
    }

    /// The database file this store reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// [`Store::create`] for many keys in one write transaction: for bulk
    /// imports and for building large databases quickly (benchmarks). All or
    /// nothing: on error no key is created. The clock is read once per key, in
    /// order. An empty slice writes nothing. As with `create`, every returned
    /// secret exists nowhere else. Each table's new rows are written in key
    /// order, filling whole pages, and the file is compacted afterwards, so
    /// a database built this way is about the size of what it holds.
    pub fn create_many(&self, names: &[KeyName]) -> Result<Vec<(SecretKey, KeyRecord)>, StoreError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let secrets: Vec<(SecretKey, OffsetDateTime)> =
            names.iter().map(|_| (SecretKey::generate(), self.now())).collect();
        let records = self.write_bulk(|txn| {
            let records = new_records(&txn.open_table(KEYS)?, names, &secrets)?;
            insert_records(txn, &records)?;
            let mut index = Vec::with_capacity(records.len());
            for record in &records {
                let created = AuditEvent::Created {
                    expires_at: None,
                    policy: String::new(),
                };
                if let Some(seq) = self.log_unindexed(txn, record.created_at, created, record)? {
                    index.push(((record.id.as_str(), seq), ()));
                }
            }
            index.sort_unstable_by_key(|&(row, ())| row);
            bulk::insert_sorted(&mut txn.open_table(AUDIT_BY_KEY)?, &index)?;
            Ok(records)
        })?;
        Ok(secrets.into_iter().map(|(secret, _)| secret).zip(records).collect())
    }

    /// [`Store::log`] without the entry's key-index row, for a bulk write
    /// (see [`bulk`]): the entry's number, if it was written.
    fn log_unindexed(
        &self,
        txn: &WriteTransaction,
        at: OffsetDateTime,
        event: AuditEvent,
        record: &KeyRecord,
    ) -> Result<Option<u64>, Fail> {
        if self.audit_off {
            return Ok(None);
        }
        let change = audit::Change {
            at,
            event,
            record: Some(record),
        };
        audit::append_unindexed(txn, self.actor.get(), self.audit_key.as_ref(), change).map(Some)
    }

    /// Writes uses already known to be due, re-checking each under the write
    /// lock (another process may have deleted the key or recorded a later
    /// use since it was read), and adds usage counts, in one transaction.
    fn write_activity(
        &self,
        due: &[SecretUse],
        counts: &[UsageDelta],
        token_deltas: &[TokenDelta],
    ) -> Result<usize, StoreError> {
        let now = self.now();
        self.write(|txn| {
            let changed = write_due_uses(txn, due)?;
            usage::add(txn, counts, now)?;
            tokens::add(txn, token_deltas, now)?;
            Ok(changed)
        })
    }

    /// Reads, changes and writes back one record in one write transaction;
    /// `change` sees the time and may refuse, which writes nothing. A change
    /// that leaves the record as it was (disabling a disabled key) is no
    /// event: it writes no audit entry.
    fn modify(
        &self,
        id: &KeyId,
        event: AuditEvent,
        change: impl FnOnce(&mut KeyRecord, OffsetDateTime) -> Result<(), Fail>,
    ) -> Result<KeyRecord, StoreError> {
        self.modify_logged(id, |_| event, change)
    }

    /// [`Store::modify`] whose audit event is made from the record before the
    /// change (for an entry showing before and after).
    fn modify_logged(
        &self,
        id: &KeyId,
        event: impl FnOnce(&KeyRecord) -> AuditEvent,
        change: impl FnOnce(&mut KeyRecord, OffsetDateTime) -> Result<(), Fail>,
    ) -> Result<KeyRecord, StoreError> {
        let now = self.now();
        self.write(|txn| {
            let mut keys = txn.open_table(KEYS)?;
            let mut record = get_record(&keys, id.as_str())?.ok_or_else(|| not_found(id))?;
            let before = record.clone();
            change(&mut record, now)?;
            keys.insert(id.as_str(), codec::encode(&record).as_slice())?;
            if record != before {
                drop(keys);
                self.log(txn, now, event(&before), &record)?;
            }
            Ok(record)
        })
    }

    /// Deletes one key, its hashes and its usage counts, with its audit entry.
    fn delete_in(&self, txn: &WriteTransaction, id: &KeyId, now: OffsetDateTime) -> Result<KeyRecord, Fail> {
        let mut keys = txn.open_table(KEYS)?;
        let record = get_record(&keys, id.as_str())?.ok_or_else(|| not_found(id))?;
        keys.remove(id.as_str())?;
        let mut by_hash = txn.open_table(BY_HASH)?;
        by_hash.remove(&record.hash.0)?;
        if let Some(previous) = &record.previous {
            by_hash.remove(&previous.hash.0)?;
        }
        drop((keys, by_hash));
        usage::remove_key(txn, id.as_str())?;
        tokens::remove_key(txn, id.as_str())?;
        self.log(txn, now, AuditEvent::Deleted, &record)?;
        Ok(record)
    }

    /// Runs redb's own integrity check (and repair, if a crash left the file
    /// needing one). Returns whether the file was already consistent.
    pub fn check_integrity(&self) -> Result<bool, StoreError> {
        guard_panics(&self.path, || {
            let mut db = file::open_writable(&self.path, &self.retry)?;
            let result = db.check_integrity().map_err(|e| StoreError::from_redb(&self.path, e));
            close(db, &self.path)?;
            result
        })
    }

    /// Validates the file without modifying it, then creates the tables if
    /// the file is new, or upgrades an older schema (see [`migrate`]).
    fn initialise(&self) -> Result<(), StoreError> {
        let found = self.read(|txn| {
            let names: Vec<String> = txn.list_tables()?.map(|t| t.name().to_owned()).collect();
            if names.iter().any(|n| n == META.name()) {
                let version = txn.open_table(META)?.get(SCHEMA_VERSION_KEY)?.map(|v| v.value());
                match version {
                    Some(SCHEMA_VERSION) => Ok(Some(SCHEMA_VERSION)),
                    Some(found) if found > SCHEMA_VERSION => Err(Fail::NewerSchema(found)),
                    Some(found) if found >= 1 => Ok(Some(found)),
                    _ => Err(Fail::Foreign),
                }
            } else if names.is_empty() {
                Ok(None)
            } else {
                Err(Fail::Foreign)
            }
        })?;
        match found {
            Some(SCHEMA_VERSION) => Ok(()),
            None => self.with_db(|db| migrate::bring_up_to_date(db, &self.actor, self.now())),
            Some(older) => self
                .with_db(|db| migrate::bring_up_to_date(db, &self.actor, self.now()))
                .map_err(|error| match error {
                    // Without write access an older file can only be refused: a
                    // reader must not guess what the old layout means.
                    StoreError::Io { source, .. } if cannot_write(&source) => StoreError::NeedsUpgrade {
                        path: self.path.clone(),
                        found: older,
                        current: SCHEMA_VERSION,
                    },
                    other => other,
                }),
        }
    }

    /// Timestamps are kept to the second, so what `create` returns equals
    /// what a later `list` reads back.
    fn now(&self) -> OffsetDateTime {
        let now = (self.clock)();
        now.replace_nanosecond(0).unwrap_or(now)
    }

    /// Reads through a read-only open (shared with other readers, never
    /// modifies the file), or a writable one when the file is new or a crash
    /// left it needing recovery (or is gone: that open reports it).
    fn read<T>(&self, body: impl FnOnce(&ReadTransaction) -> Result<T, Fail>) -> Result<T, StoreError> {
        let opened = guard_panics(&self.path, || file::open_read_only(&self.path, &self.retry))?;
        let Some(db) = opened else {
            return self.with_db(|db| body(&db.begin_read()?));
        };
        guard_panics(&self.path, || {
            let result = db.begin_read().map_err(Fail::from).and_then(|txn| body(&txn));
            let closed = db.close().map_err(|e| StoreError::from_redb(&self.path, e));
            first_error(result.map_err(|fail| fail.into_store_error(&self.path)), closed)
        })
    }

    fn write<T>(&self, body: impl FnOnce(&WriteTransaction) -> Result<T, Fail>) -> Result<T, StoreError> {
        self.with_db(|db| write_in(db, body))
    }

    /// [`Store::write`] for a change of many keys, then [`compact`]ing the
    /// file while this process still holds it.
    fn write_bulk<T>(&self, body: impl FnOnce(&WriteTransaction) -> Result<T, Fail>) -> Result<T, StoreError> {
        self.with_db(|db| {
            let value = write_in(db, body)?;
            compact(db);
            Ok(value)
        })
    }

    /// Open, run, close: the only place a `Database` lives.
    fn with_db<T>(&self, body: impl FnOnce(&mut Database) -> Result<T, Fail>) -> Result<T, StoreError> {
        guard_panics(&self.path, || {
            let mut db = file::open_writable(&self.path, &self.retry)?;
            let result = body(&mut db);
            let closed = close(db, &self.path);
            first_error(result.map_err(|fail| fail.into_store_error(&self.path)), closed)
        })
    }
}

impl KeyStore for Store {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn create_with_policy(
        &self,
        name: &KeyName,
        expires_at: Option<OffsetDateTime>,
        policy: &Policy,
    ) -> Result<(SecretKey, KeyRecord), StoreError> {
        let secret = SecretKey::generate();
        let created_at = self.now();
        let expires_at = rules::new_key_expiry(expires_at, created_at)?;
        let record = self.write(|txn| {
            let record = insert_new(
                &mut txn.open_table(KEYS)?,
                &mut txn.open_table(BY_HASH)?,
                name,
                &secret,
                (created_at, expires_at),
                policy,
            )?;
            let event = AuditEvent::Created {
                expires_at,
                policy: policy.to_string(),
            };
            self.log(txn, created_at, event, &record)?;
            Ok(record)
        })?;
        Ok((secret, record))
    }

    fn set_policy(&self, id: &KeyId, policy: &Policy) -> Result<KeyRecord, StoreError> {
        // The same policy again: nothing to write, not even the counter. (If
        // another process sets this very policy between this read and the
        // write below, that write moves the counter but logs no entry.)
        let current = self
            .get(id)?
            .ok_or_else(|| StoreError::NotFound { id: id.to_string() })?;
        if current.policy == *policy {
            return Ok(current);
        }
        let event = |record: &KeyRecord| AuditEvent::PolicyChanged {
            from: record.policy.to_string(),
            to: policy.to_string(),
        };
        self.modify_logged(id, event, |record, _| {
            rules::set_policy(record, policy);
            Ok(())
        })
    }

    fn set_expiry(&self, id: &KeyId, expires_at: Option<OffsetDateTime>) -> Result<KeyRecord, StoreError> {
        let event = AuditEvent::ExpiryChanged {
            expires_at: expires_at.map(whole_second),
        };
        self.modify(id, event, |record, now| {
            rules::set_expiry(record, id, expires_at, now).map_err(Fail::Refused)
        })
    }

    fn disable(&self, id: &KeyId) -> Result<KeyRecord, StoreError> {
        self.modify(id, AuditEvent::Disabled, |record, now| {
            rules::disable(record, now);
            Ok(())
        })
    }

    fn enable(&self, id: &KeyId) -> Result<KeyRecord, StoreError> {
        self.modify(id, AuditEvent::Enabled, |record, now| {
            rules::enable(record, now).map_err(Fail::Refused)
        })
    }

    fn rotate(&self, id: &KeyId, grace: time::Duration) -> Result<(SecretKey, KeyRecord), StoreError> {
        let secret = SecretKey::generate();
        let now = self.now();
        let record = self.write(|txn| {
            let mut keys = txn.open_table(KEYS)?;
            let mut by_hash = txn.open_table(BY_HASH)?;
            let mut record = get_record(&keys, id.as_str())?.ok_or_else(|| not_found(id))?;
            let (grace_until, dropped) = rules::rotate(&mut record, &secret, grace, now).map_err(Fail::Refused)?;
            if let Some(older) = dropped {
                by_hash.remove(&older.0)?;
            }
            by_hash.insert(&record.hash.0, id.as_str())?;
            keys.insert(id.as_str(), codec::encode(&record).as_slice())?;
            drop((keys, by_hash));
            self.log(txn, now, AuditEvent::Rotated { grace_until }, &record)?;
            Ok(record)
        })?;
        Ok((secret, record))
    }

    fn load(&self) -> Result<Listing, StoreError> {
        self.read(|txn| {
            let change_counter = read_counter(txn)?;
            let keys = txn.open_table(KEYS)?;
            let mut records = Vec::with_capacity(keys.len()? as usize);
            for entry in keys.iter()? {
                let (id, bytes) = entry?;
                records.push(codec::decode(id.value(), bytes.value()).map_err(Fail::Decode)?);
            }
            Ok(Listing {
                change_counter,
                records,
            })
        })
    }

    fn get(&self, id: &KeyId) -> Result<Option<KeyRecord>, StoreError> {
        self.read(|txn| get_record(&txn.open_table(KEYS)?, id.as_str()))
    }

    fn change_counter(&self) -> Result<u64, StoreError> {
        self.read(read_counter)
    }

    fn rename(&self, id: &KeyId, name: &KeyName) -> Result<KeyRecord, StoreError> {
        let now = self.now();
        self.write(|txn| {
            let mut keys = txn.open_table(KEYS)?;
            let mut record = get_record(&keys, id.as_str())?.ok_or_else(|| not_found(id))?;
            let from = std::mem::replace(&mut record.name, name.as_str().to_owned());
            keys.insert(id.as_str(), codec::encode(&record).as_slice())?;
            drop(keys);
            if from != record.name {
                self.log(txn, now, AuditEvent::Renamed { from }, &record)?;
            }
            Ok(record)
        })
    }

    fn delete(&self, id: &KeyId) -> Result<KeyRecord, StoreError> {
        let now = self.now();
        self.write(|txn| self.delete_in(txn, id, now))
    }

    fn delete_many(&self, ids: &[KeyId]) -> Result<Vec<KeyRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.now();
        self.write(|txn| ids.iter().map(|id| self.delete_in(txn, id, now)).collect())
    }

    fn disable_many(&self, ids: &[KeyId]) -> Result<Vec<KeyRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.now();
        self.write(|txn| {
            ids.iter()
                .map(|id| {
                    let mut keys = txn.open_table(KEYS)?;
                    let mut record = get_record(&keys, id.as_str())?.ok_or_else(|| not_found(id))?;
                    if record.disabled_at.is_some() {
                        return Ok(record);
                    }
                    record.disabled_at = Some(now);
                    keys.insert(id.as_str(), codec::encode(&record).as_slice())?;
                    drop(keys);
                    self.log(txn, now, AuditEvent::Disabled, &record)?;
                    Ok(record)
                })
                .collect()
        })
    }

    fn verify_explained(&self, candidate: &str) -> Result<Verdict, StoreError> {
        if secret::check_format(candidate).is_err() {
            return Ok(Verdict::Unknown);
        }
        let hash = KeyHash::of(candidate);
        let now = self.now();
        // The lookup goes through a read-only open, which leaves the file
        // untouched and shares the lock with other readers; only a key whose
        // Last Used is due costs a write.
        let found = self.read(|txn| {
            let Some(id) = txn.open_table(BY_HASH)?.get(&hash.0)?.map(|id| id.value().to_owned()) else {
                return Ok(None);
            };
            get_record(&txn.open_table(KEYS)?, &id)
        })?;
        let Some((slot, record)) = found.and_then(|r| Some((r.slot_of(&hash)?, r))) else {
            return Ok(Verdict::Unknown);
        };
        let verdict = record.verdict(slot, now);
        let (due, counts) = rules::activity(&record, slot, hash, now);
        // Best effort: a key that verified stays verified even when Last Used
        // or its count cannot be written (read-only media, a full disk, a
        // writer holding the file past the retry window). Refusing good keys
        // would take the service down over bookkeeping. The record was just
        // read: straight to the write, no second read.
        if !due.is_empty() || !counts.is_empty() {
            let _ = self.write_activity(&due, &counts, &[]);
        }
        Ok(verdict)
    }

    fn load_hash_index(&self) -> Result<(u64, Vec<IndexEntry>), StoreError> {
        // From the records, not `by_hash`: each secret's deadline and the
        // disabled flag live there.
        self.read(|txn| {
            let change_counter = read_counter(txn)?;
            let keys = txn.open_table(KEYS)?;
            let mut index = Vec::with_capacity(keys.len()? as usize);
            for entry in keys.iter()? {
                let (id, bytes) = entry?;
                let record = codec::decode(id.value(), bytes.value()).map_err(Fail::Decode)?;
                rules::push_index_entries(record, &mut index);
            }
            Ok((change_counter, index))
        })
    }

    fn audit_entries(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(|txn| {
            read_counter(txn)?;
            audit::read(&txn.open_table(AUDIT)?, &txn.open_table(AUDIT_BY_KEY)?, query)
        })
    }

    fn check_audit(&self, expect: Option<ChainHead>) -> Result<ChainReport, StoreError> {
        let checking = crate::store::chain::Checking {
            key: self.audit_key.as_ref(),
            expect,
        };
        self.read(|txn| {
            read_counter(txn)?;
            let last = txn.open_table(META)?.get(AUDIT_LAST_KEY)?.map(|v| v.value());
            audit::check(&txn.open_table(AUDIT)?, &txn.open_table(AUDIT_BY_KEY)?, last, checking)
        })
    }

    fn record_uses(&self, uses: &[SecretUse]) -> Result<usize, StoreError> {
        self.record_usage(uses, &[])
    }

    fn record_usage_and_tokens(
        &self,
        uses: &[SecretUse],
        counts: &[UsageDelta],
        token_deltas: &[TokenDelta],
    ) -> Result<usize, StoreError> {
        let (first_hour, first_day) = crate::domain::usage::retained_from(self.now());
        // A read-only pass first: most batches of uses are mostly stale
        // (another process recorded a later use), and a read costs no
        // durable write; counts of keys deleted meanwhile are dropped here.
        let due = self.read(|txn| {
            let keys = txn.open_table(KEYS)?;
            let mut due = Vec::new();
            for u in uses {
                if let Some(record) = get_record(&keys, u.id.as_str())?
                    && let Some(slot) = record.slot_of(&u.hash)
                    && record.needs_use_update(slot, u.at)
                {
                    due.push(u.clone());
                }
            }
            let mut kept = Vec::new();
            for delta in counts {
                // The daily bucket outlives the hourly one: an hour past its
                // retention may still add to its day.
                if !delta.counts.is_zero()
                    && (delta.hour >= first_hour || delta.hour.day() >= first_day)
                    && keys.get(delta.id.as_str())?.is_some()
                {
                    kept.push(delta.clone());
                }
            }
            let mut kept_tokens = Vec::new();
            for delta in token_deltas {
                // The lifetime total takes any hour.
                if !delta.counts.is_zero() && keys.get(delta.id.as_str())?.is_some() {
                    kept_tokens.push(delta.clone());
                }
            }
            Ok((due, kept, kept_tokens))
        })?;
        let (due, counts, token_deltas) = (due.0, due.1, due.2);
        if due.is_empty() && counts.is_empty() && token_deltas.is_empty() {
            return Ok(0);
        }
        self.write_activity(&due, &counts, &token_deltas)
    }

    fn token_totals(&self, id: &KeyId, since: Hour) -> Result<TokenTotals, StoreError> {
        let now = self.now();
        self.read(|txn| {
            read_counter(txn)?;
            tokens::totals(txn, id, since, now)
        })
    }

    fn usage(&self, query: &UsageQuery) -> Result<Vec<(KeyId, KeyUsage)>, StoreError> {
        let now = self.now();
        self.read(|txn| {
            read_counter(txn)?;
            usage::read(txn, query, now)
        })
    }
}

/// Last Used of each due use whose key still has that secret and has not
/// recorded a later use meanwhile. Returns how many records changed.
fn write_due_uses(txn: &WriteTransaction, due: &[SecretUse]) -> Result<usize, Fail> {
    let mut keys = txn.open_table(KEYS)?;
    let mut changed = 0;
    for SecretUse { id, hash, at } in due {
        let Some(mut record) = get_record(&keys, id.as_str())? else {
            continue;
        };
        if !rules::note_use(&mut record, hash, *at) {
            continue;
        }
        keys.insert(id.as_str(), codec::encode(&record).as_slice())?;
        changed += 1;
    }
    Ok(changed)
}

/// One write transaction that re-checks the schema (another keydesk may have
/// upgraded the file since we opened it) and bumps the change counter.
fn write_in<T>(db: &Database, body: impl FnOnce(&WriteTransaction) -> Result<T, Fail>) -> Result<T, Fail> {
    let txn = db.begin_write()?;
    let value = {
        let mut meta = txn.open_table(META)?;
        check_schema(meta.get(SCHEMA_VERSION_KEY)?.map(|v| v.value()))?;
        let counter = meta.get(CHANGE_COUNTER_KEY)?.map_or(0, |v| v.value());
        meta.insert(CHANGE_COUNTER_KEY, counter.wrapping_add(1))?;
        drop(meta);
        body(&txn)?
    };
    txn.commit()?;
    Ok(value)
}

/// The operation's own error explains more than the close's (which after a
/// failed write is only redb's "previous I/O error"), so it wins.
fn first_error<T>(result: Result<T, StoreError>, closed: Result<(), StoreError>) -> Result<T, StoreError> {
    let value = result?;
    closed?;
    Ok(value)
}

/// redb trusts a file that was closed cleanly, and may panic rather than
/// return an error when such a file was damaged outside it. Checking every
/// page on every open would make each operation cost O(file size), so the
/// panic is caught here instead and reported as a damaged file. The file is
/// not retried or written to afterwards.
fn guard_panics<T>(path: &Path, body: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
    let outer = CATCHING_PANICS.replace(true);
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
    CATCHING_PANICS.set(outer);
    caught.unwrap_or_else(|payload| {
        let reason = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned());
        Err(StoreError::Corrupt {
            path: path.to_owned(),
            detail: super::Damage::Structure { reason },
        })
    })
}

thread_local! {
    /// Set while this thread runs a call that [`guard_panics`] protects.
    static CATCHING_PANICS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether a panic happening now on this thread will be caught and reported
/// as a damaged database: a panic hook can stay quiet about it.
pub fn storage_panic_is_being_caught() -> bool {
    CATCHING_PANICS.get()
}

/// Gives the free pages a large write left behind back to the file system:
/// one big transaction grows the file in large steps and frees, in its
/// middle, every page it copied. Needs the file to itself, which keydesk's
/// open-per-operation has (other processes wait on the lock, as for any
/// write). The change before it is committed, so a compaction that fails
/// leaves a larger file, not a lost change: it is not reported.
fn compact(db: &mut Database) {
    let _ = db.compact();
}

fn close(db: Database, path: &Path) -> Result<(), StoreError> {
    db.close().map_err(|e| StoreError::from_redb(path, e))
}

fn check_schema(found: Option<u64>) -> Result<(), Fail> {
    match found {
        Some(SCHEMA_VERSION) => Ok(()),
        Some(found) if found > SCHEMA_VERSION => Err(Fail::NewerSchema(found)),
        Some(found @ 1..) => Err(Fail::OlderSchema(found)),
        _ => Err(Fail::Foreign),
    }
}

/// Errors of opening a file for writing that more waiting will not fix.
fn cannot_write(error: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem
    )
}

fn read_counter(txn: &ReadTransaction) -> Result<u64, Fail> {
    let meta = txn.open_table(META)?;
    check_schema(meta.get(SCHEMA_VERSION_KEY)?.map(|v| v.value()))?;
    Ok(meta.get(CHANGE_COUNTER_KEY)?.map_or(0, |v| v.value()))
}

fn get_record(keys: &impl ReadableTable<&'static str, &'static [u8]>, id: &str) -> Result<Option<KeyRecord>, Fail> {
    match keys.get(id)? {
        Some(bytes) => Ok(Some(codec::decode(id, bytes.value()).map_err(Fail::Decode)?)),
        None => Ok(None),
    }
}

/// Inserts a new record and its hash under a fresh ID.
fn insert_new(
    keys: &mut redb::Table<&'static str, &'static [u8]>,
    by_hash: &mut redb::Table<&'static [u8; 32], &'static str>,
    name: &KeyName,
    secret: &SecretKey,
    (created_at, expires_at): (OffsetDateTime, Option<OffsetDateTime>),
    policy: &Policy,
) -> Result<KeyRecord, Fail> {
    // 82 random bits make a collision practically impossible, but an ID must
    // never silently overwrite another key.
    let id = loop {
        let id = KeyId::generate();
        if keys.get(id.as_str())?.is_none() {
            break id;
        }
    };
    let record = KeyRecord {
        expires_at,
        policy: policy.clone(),
        ..KeyRecord::new(id, name.as_str().to_owned(), secret.hash(), secret.masked(), created_at)
    };
    keys.insert(record.id.as_str(), codec::encode(&record).as_slice())?;
    by_hash.insert(&record.hash.0, record.id.as_str())?;
    Ok(record)
}

/// The records of new keys, each with an ID that no key has, in the table
/// or in the batch.
fn new_records(
    keys: &impl ReadableTable<&'static str, &'static [u8]>,
    names: &[KeyName],
    secrets: &[(SecretKey, OffsetDateTime)],
) -> Result<Vec<KeyRecord>, Fail> {
    let mut taken = std::collections::HashSet::with_capacity(names.len());
    let mut records = Vec::with_capacity(names.len());
    for (name, (secret, created_at)) in names.iter().zip(secrets) {
        let id = loop {
            let id = KeyId::generate();
            if !taken.contains(&id) && keys.get(id.as_str())?.is_none() {
                break id;
            }
        };
        taken.insert(id.clone());
        let name = name.as_str().to_owned();
        records.push(KeyRecord::new(id, name, secret.hash(), secret.masked(), *created_at));
    }
    Ok(records)
}

/// Writes new records and their hashes, each table's rows in key order, so
/// they fill whole pages (see [`bulk`]).
fn insert_records(txn: &WriteTransaction, records: &[KeyRecord]) -> Result<(), Fail> {
    let encoded: Vec<(&str, Vec<u8>)> = records.iter().map(|r| (r.id.as_str(), codec::encode(r))).collect();
    let mut rows: Vec<(&str, &[u8])> = encoded.iter().map(|(id, bytes)| (*id, bytes.as_slice())).collect();
    rows.sort_unstable_by_key(|&(id, _)| id);
    bulk::insert_sorted(&mut txn.open_table(KEYS)?, &rows)?;
    let mut hashes: Vec<(&[u8; 32], &str)> = records.iter().map(|r| (&r.hash.0, r.id.as_str())).collect();
    hashes.sort_unstable_by_key(|&(hash, _)| hash);
    bulk::insert_sorted(&mut txn.open_table(BY_HASH)?, &hashes)
}

fn not_found(id: &KeyId) -> Fail {
    Fail::NotFound(id.to_string())
}

/// Failures inside a transaction, before the path is known to attach to them.
enum Fail {
    Redb(redb::Error),
    Decode(super::DecodeError),
    NotFound(String),
    Refused(super::Refused),
    NewerSchema(u64),
    OlderSchema(u64),
    Foreign,
    AuditKey(crate::store::chain::KeyProblem),
}

impl Fail {
    fn into_store_error(self, path: &Path) -> StoreError {
        match self {
            Fail::Redb(e) => StoreError::from_redb(path, e),
            Fail::Decode(e) => StoreError::decode(path, e),
            Fail::NotFound(id) => StoreError::NotFound { id },
            Fail::Refused(reason) => StoreError::Refused { reason },
            Fail::NewerSchema(found) => StoreError::NewerSchema {
                path: path.to_owned(),
                found,
                supported: SCHEMA_VERSION,
            },
            Fail::OlderSchema(found) => StoreError::NeedsUpgrade {
                path: path.to_owned(),
                found,
                current: SCHEMA_VERSION,
            },
            Fail::Foreign => StoreError::ForeignDatabase { path: path.to_owned() },
            Fail::AuditKey(problem) => StoreError::audit_key(path.display().to_string(), problem),
        }
    }
}

impl<E: Into<redb::Error>> From<E> for Fail {
    fn from(e: E) -> Self {
        Fail::Redb(e.into())
    }
}
