//! Where keys are kept: the [`KeyStore`] trait that the TUI, the CLI and the
//! [`Verifier`](crate::Verifier) work through, and its implementations.
//!
//! [`Store`] — an embedded redb file — is the default; `postgres::PgStore`
//! (feature `postgres`) keeps keys in PostgreSQL, shared by fleets of
//! gateways. Everything specific to one backend (for redb: opening the file per
//! operation, waiting out a busy lock, file permissions, schema upgrades) stays
//! inside it. `crates/keydesk-core/tests/api/conformance/` states, as tests against the trait, what
//! every backend must do; each backend runs that suite unchanged.
//!
//! Every operation the TUI and the CLI offer is here for Rust programs:
//!
//! ```
//! use keydesk_core::{KeyName, KeyStore, Store};
//! # let dir = tempfile::tempdir()?;
//! let store = Store::open(dir.path().join("keys.redb"))?;
//!
//! // Create: the secret is returned this once; only its hash is stored.
//! let (secret, record) = store.create(&KeyName::parse("billing-service")?)?;
//! println!("new key {} ({})", record.id, record.masked);
//!
//! // Verify: the key's ID when it is live (this also records Last Used).
//! assert_eq!(store.verify(secret.expose())?, Some(record.id.clone()));
//!
//! // List, rename, get.
//! assert_eq!(store.list()?.len(), 1);
//! store.rename(&record.id, &KeyName::parse("billing-prod")?)?;
//! let renamed = store.get(&record.id)?.expect("still there");
//! assert_eq!(renamed.name, "billing-prod");
//! assert!(renamed.last_used.is_some());
//!
//! // Delete: the key stops verifying at once.
//! store.delete(&record.id)?;
//! assert_eq!(store.verify(secret.expose())?, None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A service checking many keys per second should use
//! [`Verifier`](crate::Verifier), which keeps the index in memory.

pub mod backend;
pub mod designation;
mod error;
mod redb_file;

use backend::{chain, rules};

use std::fmt;
use std::sync::Arc;

use time::OffsetDateTime;

use crate::domain::{
    AuditEntry, AuditQuery, ChainBreak, ChainHead, ChainReport, Hour, KeyHash, KeyId, KeyName, KeyRecord, KeyUsage,
    Policy, SecretKey, SecretSlot, TokenDelta, TokenTotals, UsageDelta, UsageQuery, Verdict,
};
pub use error::{
    CertificateProblem, Change, Damage, DecodeError, FileKind, Malformation, RecordProblem, Refused, ServerProblem,
    StoreError, StoredItem, Unreached, UrlProblem, deadline_seconds, rfc3339,
};
pub use redb_file::{RetryPolicy, SCHEMA_VERSION, Store, StoreBuilder, default_path, storage_panic_is_being_caught};
// For the type check of every file keydesk trusts, which names what a path
// is as the database's does.
pub use crate::hardening::file_kind;

/// Where "now" comes from; replaceable so tests can move time.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// All records with the change counter they were read at, from one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The change counter the records were read at (see [`KeyStore::change_counter`]).
    pub change_counter: u64,
    /// In ID order.
    pub records: Vec<KeyRecord>,
}

/// One secret in the hash index: a key's current secret, or the previous one
/// of a rotation. A disabled key's secrets are in it too, marked `disabled`,
/// so that their refusals can be counted: such an entry never verifies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IndexEntry {
    /// SHA-256 of the secret.
    pub hash: KeyHash,
    /// The key the secret belongs to.
    pub id: KeyId,
    /// Which of the key's secrets it is.
    pub slot: SecretSlot,
    /// The first instant at which this secret no longer verifies (the key's
    /// expiry, or for a previous secret the earlier of that and its grace
    /// end); `None`: never. Judged against the clock at verification time.
    pub not_after: Option<OffsetDateTime>,
    /// The key is disabled: the secret is refused whatever the time.
    pub disabled: bool,
}

/// A verification to write down as Last Used: of the secret with `hash`,
/// whichever of the key's secrets that is by the time it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretUse {
    /// The key that was used.
    pub id: KeyId,
    /// SHA-256 of the secret that was presented.
    pub hash: KeyHash,
    /// When it was presented.
    pub at: OffsetDateTime,
}

/// What [`KeyStore::wait_for_change`] saw. Non-exhaustive: a store may
/// learn other ways to wait; treat an unknown answer like
/// [`Waited::Unsupported`] (poll).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Waited {
    /// The store signalled a change (or may have missed one): check the
    /// change counter now.
    Changed,
    /// Nothing was signalled within the timeout.
    TimedOut,
    /// This store cannot signal changes (it returned at once): poll the
    /// change counter instead.
    Unsupported,
}

/// What keydesk needs from a place that keeps keys. Every method is one
/// transaction: it happens whole or not at all. Implementations are shared
/// between threads (the TUI's storage worker, a verifier's refresh thread).
pub trait KeyStore: fmt::Debug + Send + Sync {
    /// Where the keys are, for messages: a file's path, a server's address.
    fn location(&self) -> String;

    /// Makes a new key. The returned secret exists nowhere else: show it once,
    /// then drop it (which zeroises it).
    fn create(&self, name: &KeyName) -> Result<(SecretKey, KeyRecord), StoreError> {
        self.create_expiring(name, None)
    }

    /// [`KeyStore::create`] with an expiry, which must be in the future
    /// ([`StoreError::Refused`] otherwise).
    fn create_expiring(
        &self,
        name: &KeyName,
        expires_at: Option<OffsetDateTime>,
    ) -> Result<(SecretKey, KeyRecord), StoreError> {
        self.create_with_policy(name, expires_at, &Policy::default())
    }

    /// [`KeyStore::create_expiring`] with a policy, written in the same
    /// transaction: no gateway ever sees the key without its policy. Its
    /// audit entry records the policy (in its text form).
    fn create_with_policy(
        &self,
        name: &KeyName,
        expires_at: Option<OffsetDateTime>,
        policy: &Policy,
    ) -> Result<(SecretKey, KeyRecord), StoreError>;

    /// Replaces a key's policy (the empty policy clears every rule), with one
    /// audit entry showing it before and after, in one transaction. Setting
    /// the policy a key already has writes nothing: no entry, and the change
    /// counter stays. A key that is not there (never was, or deleted) is
    /// [`StoreError::NotFound`]. Allowed for a disabled or expired key: a
    /// policy only narrows what a key that verifies may do.
    fn set_policy(&self, id: &KeyId, policy: &Policy) -> Result<KeyRecord, StoreError>;

    /// All records and the change counter, read in one transaction.
    fn load(&self) -> Result<Listing, StoreError>;

    /// [`KeyStore::load`] when the counter is not needed.
    fn list(&self) -> Result<Vec<KeyRecord>, StoreError> {
        Ok(self.load()?.records)
    }

    /// The key with this ID; `None` when there is none (never was, or deleted).
    fn get(&self, id: &KeyId) -> Result<Option<KeyRecord>, StoreError>;

    /// Gives a key a new name; its ID, secrets and history stay.
    fn rename(&self, id: &KeyId, name: &KeyName) -> Result<KeyRecord, StoreError>;

    /// Deletes a key; it stops verifying as soon as this returns.
    fn delete(&self, id: &KeyId) -> Result<KeyRecord, StoreError>;

    /// Sets (or with `None` removes) a key's expiry. The new expiry must be in
    /// the future, and an expired key cannot be given a new one: expiry is
    /// final ([`StoreError::Refused`], nothing written).
    fn set_expiry(&self, id: &KeyId, expires_at: Option<OffsetDateTime>) -> Result<KeyRecord, StoreError>;

    /// Stops a key verifying (both its secrets) until [`KeyStore::enable`].
    /// Disabling a disabled key keeps its original time.
    fn disable(&self, id: &KeyId) -> Result<KeyRecord, StoreError>;

    /// Lets a disabled key verify again. An expired key cannot be enabled
    /// ([`StoreError::Refused`], nothing written).
    fn enable(&self, id: &KeyId) -> Result<KeyRecord, StoreError>;

    /// Gives a key a new secret: same ID, name and expiry. The old secret
    /// keeps verifying as this key for `grace` (zero: not at all), with its own
    /// Last Used. A previous secret from an earlier rotation is dropped at once.
    /// An expired key cannot be rotated ([`StoreError::Refused`]); a disabled
    /// one can (and stays disabled). As with `create`, the returned secret
    /// exists nowhere else.
    fn rotate(&self, id: &KeyId, grace: time::Duration) -> Result<(SecretKey, KeyRecord), StoreError>;

    /// Checks a key presented by a client. Returns its ID when it is live,
    /// `None` when it is malformed, unknown, deleted, disabled, expired or a
    /// previous secret past its grace (deliberately not distinguished).
    /// Malformed input is rejected by checksum before any I/O. Records Last
    /// Used (of the secret presented) at most once per minute, and counts
    /// every presentation of a key's secret by its outcome (accepted or why it
    /// was refused; see [`crate::domain::usage`]) — one write per such call —
    /// on a best-effort basis: if that write fails, the key still verifies.
    fn verify(&self, candidate: &str) -> Result<Option<KeyId>, StoreError> {
        Ok(self.verify_explained(candidate)?.accepted())
    }

    /// [`KeyStore::verify`], saying why a key is refused. Only for the
    /// operator who holds the key (`keydesk verify --explain`): a service
    /// must not tell its callers more than `verify` does.
    fn verify_explained(&self, candidate: &str) -> Result<Verdict, StoreError>;

    /// A number that changes whenever anything in the store changes: poll this
    /// (cheap) and reload (not cheap) only when it moves.
    fn change_counter(&self) -> Result<u64, StoreError>;

    /// Blocks until the store signals a change after counter `since`, or
    /// `timeout` passes, for verifiers that want changes from other hosts at
    /// once rather than at the next poll. A signal only says "look": read
    /// the change counter to know. The default cannot signal and returns
    /// [`Waited::Unsupported`] at once (the redb file is polled).
    fn wait_for_change(&self, since: u64, timeout: std::time::Duration) -> Result<Waited, StoreError> {
        let _ = (since, timeout);
        Ok(Waited::Unsupported)
    }

    /// Every key's secrets (current ones, and previous ones of rotations;
    /// those of disabled keys marked `disabled`) with when they stop, and the
    /// change counter it was read at, for verifiers that keep the index in
    /// memory.
    fn load_hash_index(&self) -> Result<(u64, Vec<IndexEntry>), StoreError>;

    /// Writes many Last Used times in one transaction (a verifier's batch),
    /// each to the key's secret with that hash (current or previous).
    /// Each only moves a Last Used forward, by at least the coalescing
    /// granularity; keys deleted meanwhile, and secrets a key no longer has,
    /// are skipped. Returns how many records changed; writes nothing, not
    /// even the counter, if none did.
    fn record_uses(&self, uses: &[SecretUse]) -> Result<usize, StoreError>;

    /// [`KeyStore::record_uses`] and adding usage counts, in one transaction
    /// (a verifier's batch). Each delta is added to its key's bucket of its
    /// hour and of that hour's UTC day; deltas of keys that no longer exist,
    /// and buckets older than the retention (see [`crate::domain::usage`]) at
    /// the store's clock, are skipped. Returns how many records' Last Used
    /// changed. Writes nothing, not even the counter, when no Last Used is
    /// due and no delta is kept; otherwise the counter moves once, as for any
    /// write (so a TUI shows new counts).
    fn record_usage(&self, uses: &[SecretUse], counts: &[UsageDelta]) -> Result<usize, StoreError> {
        self.record_usage_and_tokens(uses, counts, &[])
    }

    /// [`KeyStore::record_usage`] and adding token counts, in one
    /// transaction (a verifier's batch). Each token delta is added to its
    /// key's bucket of its hour and model, of that hour's UTC day and model,
    /// and to the key's lifetime total; a bucket full of models takes a new
    /// one under [`OTHER_MODELS`](crate::domain::token_counts::OTHER_MODELS)
    /// (see [`crate::domain::token_counts`]). Deltas of keys that no longer
    /// exist are skipped; buckets past the retention are not written (the
    /// lifetime total still is). Writes nothing, not even the counter, when
    /// nothing is due or kept.
    fn record_usage_and_tokens(
        &self,
        uses: &[SecretUse],
        counts: &[UsageDelta],
        tokens: &[TokenDelta],
    ) -> Result<usize, StoreError>;

    /// One key's tokens in its hourly buckets from hour `since` on (every
    /// model together and per model), and its lifetime total: what token
    /// limits and budgets need, in one cheap read. Hours before the hourly
    /// retention ([`TOKEN_HOURLY_RETENTION_HOURS`](crate::domain::token_counts::TOKEN_HOURLY_RETENTION_HOURS))
    /// are gone and count nothing. A key without tokens (or not there) has
    /// zero everywhere.
    fn token_totals(&self, id: &KeyId, since: Hour) -> Result<TokenTotals, StoreError>;

    /// Usage counts in the query's day and hour ranges, in key ID order, each
    /// key with its buckets that have a count in ascending order; keys with
    /// none in either range are left out. Buckets past the retention at the
    /// store's clock are never returned. A deleted key's counts are gone.
    /// Token buckets come with them, the hourly ones of up to 32 days (the
    /// query's hours are cut to the token retention, not the request
    /// counts'); a key with only token buckets in the ranges is returned
    /// too, and every key returned has its lifetime token total.
    fn usage(&self, query: &UsageQuery) -> Result<Vec<(KeyId, KeyUsage)>, StoreError>;

    /// [`KeyStore::disable`] for many keys in one transaction, with one audit
    /// entry per key whose state changed. All or nothing: an unknown ID
    /// fails the whole call ([`StoreError::NotFound`]) and writes nothing.
    /// The default disables one key at a time (not atomic); backends override it.
    fn disable_many(&self, ids: &[KeyId]) -> Result<Vec<KeyRecord>, StoreError> {
        ids.iter().map(|id| self.disable(id)).collect()
    }

    /// [`KeyStore::delete`] for many keys in one transaction, one audit entry
    /// per key; all or nothing as [`KeyStore::disable_many`].
    fn delete_many(&self, ids: &[KeyId]) -> Result<Vec<KeyRecord>, StoreError> {
        ids.iter().map(|id| self.delete(id)).collect()
    }

    /// The audit log, newest first: every change (create, rename, delete,
    /// disable, enable, rotate, expiry change, policy change, schema upgrade) appended in
    /// the change's own transaction. Kept when the key is deleted. A call
    /// that changes nothing (disabling a disabled key, renaming a key to its
    /// own name) writes no entry; a refused or failed one writes none either.
    fn audit_entries(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError>;

    /// Walks the whole audit chain: `None` when it is intact, else the first
    /// entry that was changed, removed or inserted (see
    /// [`KeyStore::check_audit`] for what that proves).
    fn check_audit_chain(&self) -> Result<Option<ChainBreak>, StoreError> {
        Ok(self.check_audit(None)?.broken)
    }

    /// Walks the whole audit chain, checking keyed entries' seals with the
    /// store's audit key if it has one, and that the entry `expect` names is
    /// still there unchanged (which, the chain holding, proves that nothing
    /// before it changed either).
    ///
    /// What it proves: no entry was changed, removed or inserted by someone
    /// without the audit key, from the first keyed entry on; before that
    /// (entries written without a key), only that no one edited the log
    /// without recomputing the digests after the edit. Entries removed from
    /// the end, with the recorded last number lowered to match, and a log
    /// whose keyed entries were all rewritten unkeyed, are found only
    /// against an `expect` kept from before. Whoever holds both the key and
    /// write access to the database can rewrite the log undetectably.
    fn check_audit(&self, expect: Option<ChainHead>) -> Result<ChainReport, StoreError>;
}

/// A shared store is a store: the CLI, the TUI's worker and a verifier can
/// hold the same one.
impl<S: KeyStore + ?Sized> KeyStore for Arc<S> {
    fn location(&self) -> String {
        (**self).location()
    }
    fn create_with_policy(
        &self,
        name: &KeyName,
        expires_at: Option<OffsetDateTime>,
        policy: &Policy,
    ) -> Result<(SecretKey, KeyRecord), StoreError> {
        (**self).create_with_policy(name, expires_at, policy)
    }
    fn set_policy(&self, id: &KeyId, policy: &Policy) -> Result<KeyRecord, StoreError> {
        (**self).set_policy(id, policy)
    }
    fn load(&self) -> Result<Listing, StoreError> {
        (**self).load()
    }
    fn get(&self, id: &KeyId) -> Result<Option<KeyRecord>, StoreError> {
        (**self).get(id)
    }
    fn rename(&self, id: &KeyId, name: &KeyName) -> Result<KeyRecord, StoreError> {
        (**self).rename(id, name)
    }
    fn delete(&self, id: &KeyId) -> Result<KeyRecord, StoreError> {
        (**self).delete(id)
    }
    fn set_expiry(&self, id: &KeyId, expires_at: Option<OffsetDateTime>) -> Result<KeyRecord, StoreError> {
        (**self).set_expiry(id, expires_at)
    }
    fn disable(&self, id: &KeyId) -> Result<KeyRecord, StoreError> {
        (**self).disable(id)
    }
    fn enable(&self, id: &KeyId) -> Result<KeyRecord, StoreError> {
        (**self).enable(id)
    }
    fn rotate(&self, id: &KeyId, grace: time::Duration) -> Result<(SecretKey, KeyRecord), StoreError> {
        (**self).rotate(id, grace)
    }
    fn verify_explained(&self, candidate: &str) -> Result<Verdict, StoreError> {
        (**self).verify_explained(candidate)
    }
    fn change_counter(&self) -> Result<u64, StoreError> {
        (**self).change_counter()
    }
    fn wait_for_change(&self, since: u64, timeout: std::time::Duration) -> Result<Waited, StoreError> {
        (**self).wait_for_change(since, timeout)
    }
    fn load_hash_index(&self) -> Result<(u64, Vec<IndexEntry>), StoreError> {
        (**self).load_hash_index()
    }
    fn record_uses(&self, uses: &[SecretUse]) -> Result<usize, StoreError> {
        (**self).record_uses(uses)
    }
    fn record_usage(&self, uses: &[SecretUse], counts: &[UsageDelta]) -> Result<usize, StoreError> {
        (**self).record_usage(uses, counts)
    }
    fn record_usage_and_tokens(
        &self,
        uses: &[SecretUse],
        counts: &[UsageDelta],
        tokens: &[TokenDelta],
    ) -> Result<usize, StoreError> {
        (**self).record_usage_and_tokens(uses, counts, tokens)
    }
    fn token_totals(&self, id: &KeyId, since: Hour) -> Result<TokenTotals, StoreError> {
        (**self).token_totals(id, since)
    }
    fn usage(&self, query: &UsageQuery) -> Result<Vec<(KeyId, KeyUsage)>, StoreError> {
        (**self).usage(query)
    }
    fn disable_many(&self, ids: &[KeyId]) -> Result<Vec<KeyRecord>, StoreError> {
        (**self).disable_many(ids)
    }
    fn delete_many(&self, ids: &[KeyId]) -> Result<Vec<KeyRecord>, StoreError> {
        (**self).delete_many(ids)
    }
    fn audit_entries(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        (**self).audit_entries(query)
    }
    fn check_audit_chain(&self) -> Result<Option<ChainBreak>, StoreError> {
        (**self).check_audit_chain()
    }
    fn check_audit(&self, expect: Option<ChainHead>) -> Result<ChainReport, StoreError> {
        (**self).check_audit(expect)
    }
}
