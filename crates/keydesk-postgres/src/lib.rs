//! PostgreSQL as a shared store for several hosts (the `keydesk` program links it with its `postgres` feature, on by default).
//!
//! The same semantics as the redb file, on a server: only hashes stored;
//! each change and its audit entry in one transaction, which first moves the
//! change counter (see `schema.rs` for the layout, and why that orders
//! writers); the audit log in the same encoding and chain as redb's, checked
//! by the same code; the same lifecycle rules (`store::backend::rules`).
//!
//! A [`PgStore`] holds a few idle connections for reuse and reconnects when
//! one broke, so it is cheap to keep for the life of a program and to share
//! between threads. Every call has a deadline (`client.rs`): a server that
//! stops answering makes calls fail, never hang.

#![deny(missing_docs)]

mod client;
mod connect;
mod import;
mod inspect;
mod leases;
mod schema;
mod tokens;
mod tpm;
mod usage;

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use time::OffsetDateTime;
use tokio_postgres::Row;
use zeroize::Zeroizing;

use client::{Client, Transaction};
pub use connect::connecting_to;
use connect::{Connector, error};
pub use import::Imported;
pub use inspect::{Inspection, PgRole, PgSchema, inspect};
use keydesk_core::domain::{
    Actor, AuditEntry, AuditEvent, AuditKey, AuditQuery, ChainHead, ChainReport, Hour, KeyHash, KeyId, KeyName,
    KeyRecord, KeyUsage, Policy, PreviousSecret, SecretKey, TokenDelta, TokenTotals, UsageDelta, UsageQuery, Verdict,
    secret,
};
use keydesk_core::store::backend::rules::{self, whole_second};
use keydesk_core::store::{
    Clock, IndexEntry, KeyStore, Listing, RecordProblem, Refused, SecretUse, ServerProblem, StoreError, Waited,
};
pub use leases::PgLeases;
pub use schema::SCHEMA_VERSION as PG_SCHEMA_VERSION;
pub use tpm::PgTokenWindows;

use keydesk_core::store::backend::{self, chain};

/// Whether `location` names a PostgreSQL database rather than a file.
pub fn is_postgres_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// The PostgreSQL store: a [`KeyStore`] on a server shared by several hosts.
/// Cheap to clone (the clones share their connections).
#[derive(Clone)]
pub struct PgStore {
    connector: Arc<Connector>,
    clock: Clock,
    actor: Arc<Actor>,
    /// Seals this store's audit entries and checks the keyed ones.
    audit_key: Option<AuditKey>,
    /// A connection of its own that `LISTEN`s for changes, made by the
    /// first [`KeyStore::wait_for_change`].
    listener: Arc<Mutex<Option<Client>>>,
}

/// The channel every change's transaction notifies, with the new counter.
const CHANNEL: &str = "keydesk_changes";

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore")
            .field("location", &self.connector.location())
            .field("actor", &self.actor)
            .field("audit_key", &self.audit_key)
            .finish()
    }
}

const COLUMNS: &str = "id, name, hash, masked, created_at, last_used, expires_at, disabled_at, \
                       previous_hash, previous_masked, previous_grace_until, previous_last_used, policy";

impl PgStore {
    /// Connects to the database at `url` and sets up or upgrades keydesk's
    /// tables (which needs a role that may create them). A database set up
    /// by a newer keydesk is refused untouched.
    pub fn open(url: &str, password: Option<Zeroizing<String>>, actor: Actor) -> Result<PgStore, StoreError> {
        Self::open_with(url, password, actor, true)
    }

    /// Connects to a database whose tables keydesk set up already: a
    /// database without them is [`StoreError::NotInitialised`], and nothing
    /// is created. An older schema is upgraded (when the role may).
    pub fn open_existing(url: &str, password: Option<Zeroizing<String>>, actor: Actor) -> Result<PgStore, StoreError> {
        Self::open_with(url, password, actor, false)
    }

    /// A current schema is only read, never touched, so roles that may not
    /// create tables (see `sql/postgres-roles.sql`) can open it either way.
    fn open_with(
        url: &str,
        password: Option<Zeroizing<String>>,
        actor: Actor,
        create: bool,
    ) -> Result<PgStore, StoreError> {
        let store = Self::connect(url, password, actor)?;
        let location = store.location();
        let found = store
            .connector
            .with_client(|client| schema::inspect(client).map_err(|e| error(&location, e)))?;
        match found {
            schema::Found::Current => return Ok(store),
            schema::Found::Newer(found) => return Err(store.newer(found)),
            schema::Found::Empty if !create => return Err(StoreError::NotInitialised { location }),
            schema::Found::Empty | schema::Found::Older => {}
        }
        let newer = store
            .connector
            .with_client(|client| schema::migrate(client).map_err(|e| error(&location, e)))?;
        match newer {
            Some(found) => Err(store.newer(found)),
            None => Ok(store),
        }
    }

    fn connect(url: &str, password: Option<Zeroizing<String>>, actor: Actor) -> Result<PgStore, StoreError> {
        Ok(PgStore {
            connector: Arc::new(Connector::new(url, password)?),
            clock: Arc::new(OffsetDateTime::now_utc),
            actor: Arc::new(actor),
            audit_key: None,
            listener: Arc::new(Mutex::new(None)),
        })
    }

    fn newer(&self, found: u64) -> StoreError {
        StoreError::NewerServerSchema {
            location: self.location(),
            found,
            supported: schema::SCHEMA_VERSION,
        }
    }

    /// Replaces the clock (for tests and simulations).
    pub fn with_clock(mut self, clock: Clock) -> PgStore {
        self.clock = clock;
        self
    }

    /// Replaces who this store's changes are recorded as made by.
    pub fn with_actor(mut self, actor: Actor) -> PgStore {
        self.actor = Arc::new(actor);
        self
    }

    /// Seals the audit entries this store writes with `key`, and checks
    /// keyed entries with it (see `StoreBuilder::audit_key`).
    pub fn with_audit_key(mut self, key: AuditKey) -> PgStore {
        self.audit_key = Some(key);
        self
    }

    fn now(&self) -> OffsetDateTime {
        whole_second((self.clock)())
    }

    /// One write transaction: moves the change counter first (which queues
    /// it behind every other writer), then `body`; committed only if `body`
    /// succeeds.
    fn write<T>(&self, body: impl FnOnce(&mut Transaction<'_>) -> Result<T, Fail>) -> Result<T, StoreError> {
        self.write_if(|txn| Ok((body(txn)?, true)))
    }

    /// [`PgStore::write`] whose `body` also says whether to commit (or roll
    /// back what it did, the counter included).
    fn write_if<T>(&self, body: impl FnOnce(&mut Transaction<'_>) -> Result<(T, bool), Fail>) -> Result<T, StoreError> {
        let location = self.location();
        self.connector.with_client(|client| {
            let run = || -> Result<T, Fail> {
                let mut txn = client.transaction()?;
                // The NOTIFY is delivered at commit, and only then.
                txn.execute(
                    "UPDATE keydesk_meta SET change_counter = change_counter + 1 \
                     RETURNING pg_notify('keydesk_changes', change_counter::text)",
                    &[],
                )?;
                let (value, commit) = body(&mut txn)?;
                if commit {
                    txn.commit()?;
                }
                Ok(value)
            };
            run().map_err(|fail| fail.into_store_error(&location))
        })
    }

    /// One read-only transaction that sees a single snapshot.
    fn read<T>(&self, body: impl FnOnce(&mut Transaction<'_>) -> Result<T, Fail>) -> Result<T, StoreError> {
        let location = self.location();
        self.connector.with_client(|client| {
            let run = || -> Result<T, Fail> {
                let mut txn = client.snapshot()?;
                let value = body(&mut txn)?;
                txn.commit()?;
                Ok(value)
            };
            run().map_err(|fail| fail.into_store_error(&location))
        })
    }

    /// Appends the entry for a change, in its write transaction.
    fn log(
        &self,
        txn: &mut Transaction<'_>,
        at: OffsetDateTime,
        event: AuditEvent,
        record: &KeyRecord,
    ) -> Result<(), Fail> {
        let last = txn.query_opt("SELECT seq, entry FROM keydesk_audit ORDER BY seq DESC LIMIT 1", &[])?;
        let key = self.audit_key.as_ref();
        let (seq, previous_hash) = match last {
            Some(row) => {
                let seq = row.get::<_, i64>(0) as u64;
                chain::may_follow(seq, row.get(1), key).map_err(Fail::AuditKey)?;
                (seq + 1, chain::chain_digest(row.get(1)))
            }
            None => (1, [0; 32]),
        };
        let entry = AuditEntry {
            seq,
            at,
            event,
            key: Some(record.id.clone()),
            name: Some(record.name.clone()),
            masked: Some(record.masked.clone()),
            actor: (*self.actor).clone(),
            previous_hash,
            keyed: key.is_some(),
        };
        txn.execute(
            "INSERT INTO keydesk_audit (seq, key_id, at, entry) VALUES ($1, $2, $3, $4)",
            &[
                &(seq as i64),
                &record.id.as_str(),
                &at.unix_timestamp(),
                &chain::seal(&entry, key).expect("a key when keyed"),
            ],
        )?;
        txn.execute("UPDATE keydesk_meta SET audit_last_seq = $1", &[&(seq as i64)])?;
        Ok(())
    }

    /// Reads, changes and writes back one record in one write transaction;
    /// `change` may refuse, which writes nothing. A change that leaves the
    /// record as it was writes no audit entry.
    fn modify(
        &self,
        id: &KeyId,
        event: AuditEvent,
        change: impl FnOnce(&mut KeyRecord, OffsetDateTime) -> Result<(), Refused>,
    ) -> Result<KeyRecord, StoreError> {
        let now = self.now();
        self.write(|txn| {
            let mut record = get_record(txn, id.as_str())?.ok_or_else(|| not_found(id))?;
            let before = record.clone();
            change(&mut record, now).map_err(Fail::Refused)?;
            if record != before {
                put_record(txn, &record)?;
                self.log(txn, now, event, &record)?;
            }
            Ok(record)
        })
    }

    /// Deletes a key (its usage counts go with it) and logs it, in `txn`.
    fn delete_in(&self, txn: &mut Transaction<'_>, id: &KeyId, now: OffsetDateTime) -> Result<KeyRecord, Fail> {
        let row = txn.query_opt(
            &format!("DELETE FROM keydesk_keys WHERE id = $1 RETURNING {COLUMNS}"),
            &[&id.as_str()],
        )?;
        let record = decode_row(&row.ok_or_else(|| not_found(id))?)?;
        self.log(txn, now, AuditEvent::Deleted, &record)?;
        Ok(record)
    }

    /// Writes uses already known to be due and counts already known to be
    /// kept, in one write transaction. Rolls back, counter included, if
    /// nothing was written after all.
    fn write_usage(
        &self,
        due: &[SecretUse],
        counts: &[UsageDelta],
        token_deltas: &[TokenDelta],
    ) -> Result<usize, StoreError> {
        let now = self.now();
        self.write_if(|txn| {
            let changed = write_due_uses(txn, due)?;
            let added = usage::add(txn, counts, now)?;
            let added_tokens = tokens::add(txn, token_deltas, now)?;
            Ok((changed, changed > 0 || added || added_tokens))
        })
    }
}

/// Writes uses known to be due, re-checking each in the write transaction
/// (another host may have deleted the key or recorded a later use
/// meanwhile). Returns how many records changed.
fn write_due_uses(txn: &mut Transaction<'_>, due: &[SecretUse]) -> Result<usize, Fail> {
    let mut changed = 0;
    for SecretUse { id, hash, at } in due {
        let Some(mut record) = get_record(txn, id.as_str())? else {
            continue;
        };
        if !rules::note_use(&mut record, hash, *at) {
            continue;
        }
        // Only the Last Used columns: all a verifier's role may write.
        let unix = |t: Option<OffsetDateTime>| t.map(|t| t.unix_timestamp());
        let previous_last_used = unix(record.previous.as_ref().and_then(|p| p.last_used));
        txn.execute(
            "UPDATE keydesk_keys SET last_used = $2, previous_last_used = $3 WHERE id = $1",
            &[&id.as_str(), &unix(record.last_used), &previous_last_used],
        )?;
        changed += 1;
    }
    Ok(changed)
}

impl KeyStore for PgStore {
    fn location(&self) -> String {
        self.connector.location().to_owned()
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
            // 82 random bits make a collision practically impossible, but an
            // ID must never silently overwrite another key.
            let record = loop {
                let record = KeyRecord {
                    expires_at,
                    policy: policy.clone(),
                    ..KeyRecord::new(
                        KeyId::generate(),
                        name.as_str().to_owned(),
                        secret.hash(),
                        secret.masked(),
                        created_at,
                    )
                };
                if insert_record(txn, &record)? {
                    break record;
                }
            };
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
        let now = self.now();
        self.write_if(|txn| {
            let mut record = get_record(txn, id.as_str())?.ok_or_else(|| not_found(id))?;
            if record.policy == *policy {
                // Rolled back, counter included: nothing changed.
                return Ok((record, false));
            }
            let from = record.policy.to_string();
            rules::set_policy(&mut record, policy);
            put_record(txn, &record)?;
            let event = AuditEvent::PolicyChanged {
                from,
                to: policy.to_string(),
            };
            self.log(txn, now, event, &record)?;
            Ok((record, true))
        })
    }

    fn load(&self) -> Result<Listing, StoreError> {
        self.read(|txn| {
            let change_counter = read_counter(txn)?;
            let rows = txn.query(&format!("SELECT {COLUMNS} FROM keydesk_keys ORDER BY id"), &[])?;
            let records = rows.iter().map(decode_row).collect::<Result<_, _>>()?;
            Ok(Listing {
                change_counter,
                records,
            })
        })
    }

    fn get(&self, id: &KeyId) -> Result<Option<KeyRecord>, StoreError> {
        self.read(|txn| get_record(txn, id.as_str()))
    }

    fn rename(&self, id: &KeyId, name: &KeyName) -> Result<KeyRecord, StoreError> {
        let now = self.now();
        self.write(|txn| {
            let mut record = get_record(txn, id.as_str())?.ok_or_else(|| not_found(id))?;
            let from = std::mem::replace(&mut record.name, name.as_str().to_owned());
            if from != record.name {
                put_record(txn, &record)?;
                self.log(txn, now, AuditEvent::Renamed { from }, &record)?;
            }
            Ok(record)
        })
    }

    fn delete(&self, id: &KeyId) -> Result<KeyRecord, StoreError> {
        let now = self.now();
        self.write(|txn| self.delete_in(txn, id, now))
    }

    fn set_expiry(&self, id: &KeyId, expires_at: Option<OffsetDateTime>) -> Result<KeyRecord, StoreError> {
        let event = AuditEvent::ExpiryChanged {
            expires_at: expires_at.map(whole_second),
        };
        self.modify(id, event, |record, now| rules::set_expiry(record, id, expires_at, now))
    }

    fn disable(&self, id: &KeyId) -> Result<KeyRecord, StoreError> {
        self.modify(id, AuditEvent::Disabled, |record, now| {
            rules::disable(record, now);
            Ok(())
        })
    }

    fn enable(&self, id: &KeyId) -> Result<KeyRecord, StoreError> {
        self.modify(id, AuditEvent::Enabled, rules::enable)
    }

    fn rotate(&self, id: &KeyId, grace: time::Duration) -> Result<(SecretKey, KeyRecord), StoreError> {
        let secret = SecretKey::generate();
        let now = self.now();
        let record = self.write(|txn| {
            let mut record = get_record(txn, id.as_str())?.ok_or_else(|| not_found(id))?;
            let (grace_until, _dropped) = rules::rotate(&mut record, &secret, grace, now).map_err(Fail::Refused)?;
            put_record(txn, &record)?;
            self.log(txn, now, AuditEvent::Rotated { grace_until }, &record)?;
            Ok(record)
        })?;
        Ok((secret, record))
    }

    fn verify_explained(&self, candidate: &str) -> Result<Verdict, StoreError> {
        if secret::check_format(candidate).is_err() {
            return Ok(Verdict::Unknown);
        }
        let hash = KeyHash::of(candidate);
        let now = self.now();
        let found = self.read(|txn| {
            let row = txn.query_opt(
                &format!("SELECT {COLUMNS} FROM keydesk_keys WHERE hash = $1 OR previous_hash = $1"),
                &[&hash.0.as_slice()],
            )?;
            row.as_ref().map(decode_row).transpose()
        })?;
        let Some((slot, record)) = found.and_then(|r| Some((r.slot_of(&hash)?, r))) else {
            return Ok(Verdict::Unknown);
        };
        let verdict = record.verdict(slot, now);
        let (due, counts) = rules::activity(&record, slot, hash, now);
        // Best effort, as with the file: a key that verified stays verified
        // when its use cannot be written.
        let _ = self.write_usage(&due, &counts, &[]);
        Ok(verdict)
    }

    fn change_counter(&self) -> Result<u64, StoreError> {
        let location = self.location();
        self.connector
            .with_client(|client| read_counter(client).map_err(|fail| fail.into_store_error(&location)))
    }

    fn wait_for_change(&self, _since: u64, timeout: Duration) -> Result<Waited, StoreError> {
        let mut listener = self.listener.lock().unwrap_or_else(PoisonError::into_inner);
        let client = match listener.as_mut() {
            Some(client) if !client.is_closed() => client,
            _ => {
                let mut client = self.connector.connect()?;
                client
                    .batch_execute(&format!("LISTEN {CHANNEL}"))
                    .map_err(|e| error(self.connector.location(), e))?;
                *listener = Some(client);
                // Changes made before the LISTEN were not signalled.
                return Ok(Waited::Changed);
            }
        };
        let waited = client.wait_for_notification(timeout).map(|arrived| {
            // Several changes, one look: forget every one received.
            client.take_notifications();
            if arrived { Waited::Changed } else { Waited::TimedOut }
        });
        waited.map_err(|e| {
            // Reconnect (and LISTEN again) on the next wait.
            *listener = None;
            error(self.connector.location(), e)
        })
    }

    fn load_hash_index(&self) -> Result<(u64, Vec<IndexEntry>), StoreError> {
        self.read(|txn| {
            let change_counter = read_counter(txn)?;
            let rows = txn.query(&format!("SELECT {COLUMNS} FROM keydesk_keys"), &[])?;
            let mut index = Vec::with_capacity(rows.len());
            for row in &rows {
                let record = decode_row(row)?;
                rules::push_index_entries(record, &mut index);
            }
            Ok((change_counter, index))
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
        let (first_hour, first_day) = keydesk_core::domain::usage::retained_from(self.now());
        // A read first: most batches of uses are mostly stale, and a read
        // moves nothing; counts of keys deleted meanwhile are dropped here.
        let due = self.read(|txn| {
            let mut due = Vec::new();
            for u in uses {
                if let Some(record) = get_record(txn, u.id.as_str())?
                    && let Some(slot) = record.slot_of(&u.hash)
                    && record.needs_use_update(slot, u.at)
                {
                    due.push(u.clone());
                }
            }
            let mut kept = Vec::new();
            for delta in counts {
                // The daily bucket outlives the hourly one.
                let retained = delta.hour >= first_hour || delta.hour.day() >= first_day;
                if !delta.counts.is_zero() && retained && key_exists(txn, &delta.id)? {
                    kept.push(delta.clone());
                }
            }
            let mut kept_tokens = Vec::new();
            for delta in token_deltas {
                // The lifetime total takes any hour.
                if !delta.counts.is_zero() && key_exists(txn, &delta.id)? {
                    kept_tokens.push(delta.clone());
                }
            }
            Ok((due, kept, kept_tokens))
        })?;
        let (due, kept, kept_tokens) = due;
        if due.is_empty() && kept.is_empty() && kept_tokens.is_empty() {
            return Ok(0);
        }
        self.write_usage(&due, &kept, &kept_tokens)
    }

    fn token_totals(&self, id: &KeyId, since: Hour) -> Result<TokenTotals, StoreError> {
        let now = self.now();
        self.read(|txn| tokens::totals(txn, id, since, now))
    }

    fn usage(&self, query: &UsageQuery) -> Result<Vec<(KeyId, KeyUsage)>, StoreError> {
        let now = self.now();
        self.read(|txn| usage::read(txn, query, now))
    }

    fn disable_many(&self, ids: &[KeyId]) -> Result<Vec<KeyRecord>, StoreError> {
        let now = self.now();
        self.write(|txn| {
            let mut done = Vec::with_capacity(ids.len());
            for id in ids {
                let mut record = get_record(txn, id.as_str())?.ok_or_else(|| not_found(id))?;
                if record.disabled_at.is_none() {
                    rules::disable(&mut record, now);
                    put_record(txn, &record)?;
                    self.log(txn, now, AuditEvent::Disabled, &record)?;
                }
                done.push(record);
            }
            Ok(done)
        })
    }

    fn delete_many(&self, ids: &[KeyId]) -> Result<Vec<KeyRecord>, StoreError> {
        let now = self.now();
        self.write(|txn| ids.iter().map(|id| self.delete_in(txn, id, now)).collect())
    }

    fn audit_entries(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        let before = query.before_seq.map_or(i64::MAX, |s| s.min(i64::MAX as u64) as i64);
        let since = query.since.map_or(i64::MIN, |t| t.unix_timestamp());
        let key = query.key.as_ref().map(|k| k.as_str().to_owned());
        let limit = query.limit.map_or(i64::MAX, |l| l.min(i64::MAX as usize) as i64);
        self.read(|txn| {
            let rows = txn.query(
                "SELECT seq, entry FROM keydesk_audit \
                 WHERE seq < $1 AND at >= $2 AND ($3::text IS NULL OR key_id = $3) \
                 ORDER BY seq DESC LIMIT $4",
                &[&before, &since, &key, &limit],
            )?;
            rows.iter()
                .map(|row| {
                    let seq: i64 = row.get(0);
                    chain::decode(row.get(1)).ok_or(Fail::Unreadable(seq as u64))
                })
                .collect()
        })
    }

    fn check_audit(&self, expect: Option<ChainHead>) -> Result<ChainReport, StoreError> {
        let checking = chain::Checking {
            key: self.audit_key.as_ref(),
            expect,
        };
        self.read(|txn| {
            let last: i64 = txn.query_one("SELECT audit_last_seq FROM keydesk_meta", &[])?.get(0);
            // In pages, each call within its deadline, all in one snapshot:
            // a long log is never read in one answer.
            let mut items: Vec<Result<(u64, Vec<u8>), Fail>> = Vec::new();
            let mut after = i64::MIN;
            loop {
                let page = txn.query(
                    "SELECT seq, entry FROM keydesk_audit WHERE seq > $1 ORDER BY seq LIMIT 10000",
                    &[&after],
                )?;
                let Some(last) = page.last() else {
                    break;
                };
                after = last.get(0);
                items.extend(
                    page.iter()
                        .map(|row| Ok((row.get::<_, i64>(0) as u64, row.get::<_, Vec<u8>>(1)))),
                );
            }
            let recorded = (last > 0).then_some(last as u64);
            chain::check_chain(items, recorded, checking)
        })
    }
}

fn read_counter(client: &mut Client) -> Result<u64, Fail> {
    let counter: i64 = client.query_one("SELECT change_counter FROM keydesk_meta", &[])?.get(0);
    Ok(counter as u64)
}

fn key_exists(client: &mut Client, id: &KeyId) -> Result<bool, Fail> {
    let row = client.query_opt("SELECT 1 FROM keydesk_keys WHERE id = $1", &[&id.as_str()])?;
    Ok(row.is_some())
}

fn get_record(client: &mut Client, id: &str) -> Result<Option<KeyRecord>, Fail> {
    let row = client.query_opt(&format!("SELECT {COLUMNS} FROM keydesk_keys WHERE id = $1"), &[&id])?;
    row.as_ref().map(decode_row).transpose()
}

/// A record's columns, as parameters $1…$13 in [`COLUMNS`] order.
fn record_params(record: &KeyRecord) -> RecordParams {
    let unix = |t: OffsetDateTime| t.unix_timestamp();
    let previous = record.previous.as_deref();
    RecordParams {
        id: record.id.as_str().to_owned(),
        name: record.name.clone(),
        hash: record.hash.0.to_vec(),
        masked: record.masked.clone(),
        created_at: unix(record.created_at),
        last_used: record.last_used.map(unix),
        expires_at: record.expires_at.map(unix),
        disabled_at: record.disabled_at.map(unix),
        previous_hash: previous.map(|p| p.hash.0.to_vec()),
        previous_masked: previous.map(|p| p.masked.clone()),
        previous_grace_until: previous.map(|p| unix(p.grace_until)),
        previous_last_used: previous.and_then(|p| p.last_used.map(unix)),
        policy: record.policy.to_string(),
    }
}

struct RecordParams {
    id: String,
    name: String,
    hash: Vec<u8>,
    masked: String,
    created_at: i64,
    last_used: Option<i64>,
    expires_at: Option<i64>,
    disabled_at: Option<i64>,
    previous_hash: Option<Vec<u8>>,
    previous_masked: Option<String>,
    previous_grace_until: Option<i64>,
    previous_last_used: Option<i64>,
    policy: String,
}

impl RecordParams {
    fn all(&self) -> [&(dyn tokio_postgres::types::ToSql + Sync); 13] {
        [
            &self.id,
            &self.name,
            &self.hash,
            &self.masked,
            &self.created_at,
            &self.last_used,
            &self.expires_at,
            &self.disabled_at,
            &self.previous_hash,
            &self.previous_masked,
            &self.previous_grace_until,
            &self.previous_last_used,
            &self.policy,
        ]
    }
}

/// Inserts a new record; `false` when its ID is taken (nothing written).
fn insert_record(txn: &mut Transaction<'_>, record: &KeyRecord) -> Result<bool, Fail> {
    let params = record_params(record);
    let inserted = txn.execute(
        &format!(
            "INSERT INTO keydesk_keys ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (id) DO NOTHING"
        ),
        &params.all(),
    )?;
    Ok(inserted == 1)
}

/// Writes back every column of an existing record.
fn put_record(txn: &mut Transaction<'_>, record: &KeyRecord) -> Result<(), Fail> {
    let params = record_params(record);
    txn.execute(
        "UPDATE keydesk_keys SET name = $2, hash = $3, masked = $4, created_at = $5, last_used = $6, \
         expires_at = $7, disabled_at = $8, previous_hash = $9, previous_masked = $10, \
         previous_grace_until = $11, previous_last_used = $12, policy = $13 WHERE id = $1",
        &params.all(),
    )?;
    Ok(())
}

fn decode_row(row: &Row) -> Result<KeyRecord, Fail> {
    let id: String = row.get("id");
    let bad = |problem| Fail::Malformed(id.clone(), problem);
    let instant = |secs: i64| OffsetDateTime::from_unix_timestamp(secs).map_err(|_| bad(RecordProblem::TimeOutOfRange));
    let optional = |secs: Option<i64>| secs.map(instant).transpose();
    let hash = |bytes: Vec<u8>| {
        <[u8; 32]>::try_from(bytes.as_slice())
            .map(KeyHash)
            .map_err(|_| bad(RecordProblem::BadHash))
    };
    let previous = match row.get::<_, Option<Vec<u8>>>("previous_hash") {
        None => None,
        Some(previous_hash) => Some(Box::new(PreviousSecret {
            hash: hash(previous_hash)?,
            masked: row.get::<_, Option<String>>("previous_masked").unwrap_or_default(),
            grace_until: instant(row.get::<_, Option<i64>>("previous_grace_until").unwrap_or(0))?,
            last_used: optional(row.get("previous_last_used"))?,
        })),
    };
    // Never an empty policy in place of one that does not read: that
    // would let a limited key through every gateway.
    let policy = Policy::parse(row.get("policy")).map_err(|e| bad(RecordProblem::BadPolicy(e)))?;
    Ok(KeyRecord {
        policy,
        id: backend::key_id_from_stored(&id),
        name: row.get("name"),
        hash: hash(row.get("hash"))?,
        masked: row.get("masked"),
        created_at: instant(row.get("created_at"))?,
        last_used: optional(row.get("last_used"))?,
        expires_at: optional(row.get("expires_at"))?,
        disabled_at: optional(row.get("disabled_at"))?,
        previous,
    })
}

fn not_found(id: &KeyId) -> Fail {
    Fail::NotFound(id.to_string())
}

/// Failures inside a transaction, before the location is attached.
enum Fail {
    Pg(client::Error),
    NotFound(String),
    Refused(Refused),
    Malformed(String, RecordProblem),
    Unreadable(u64),
    AuditKey(chain::KeyProblem),
}

impl Fail {
    fn into_store_error(self, location: &str) -> StoreError {
        match self {
            Fail::Pg(e) => error(location, e),
            Fail::NotFound(id) => StoreError::NotFound { id },
            Fail::Refused(reason) => StoreError::Refused { reason },
            Fail::Malformed(id, problem) => StoreError::Server {
                location: location.to_owned(),
                detail: ServerProblem::RecordDamaged { id, problem },
            },
            Fail::Unreadable(seq) => StoreError::Server {
                location: location.to_owned(),
                detail: ServerProblem::AuditEntryChanged { seq },
            },
            Fail::AuditKey(problem) => backend::audit_key_error(location.to_owned(), problem),
        }
    }
}

impl From<client::Error> for Fail {
    fn from(e: client::Error) -> Self {
        Fail::Pg(e)
    }
}
