//! A long-lived key checker for services that verify many keys per second.
//!
//! [`Store::verify`] opens the database for every call: simple and always
//! current, but it costs a file open per call and queues behind every other
//! keydesk process. A [`Verifier`] keeps the hash → key index in memory and
//! answers from it, while a background thread keeps that index in step with
//! the file and writes Last Used in batches.
//!
//! # Staleness bound
//!
//! A key created or deleted elsewhere (the TUI, the CLI, another service) is
//! seen by a running `Verifier` after at most one poll interval (250 ms by
//! default), plus the time to reload the index, plus at most one flush slice
//! (100 ms) if a Last Used flush is under way. Call [`Verifier::refresh`] to
//! catch up at once, for example right after deleting a key yourself.
//!
//! If the database is busy, a poll waits for it like any other keydesk
//! operation (up to 2 s by default). If it still cannot read it, the
//! `Verifier` keeps answering from the last index it read and tries again on
//! the next poll; the bound does not hold meanwhile. [`Verifier::health`] says
//! how long ago the index was last confirmed current and what went wrong, for
//! services that would rather refuse keys than answer from a stale index.
//!
//! # Last Used
//!
//! A successful verification is noted in memory, at most once per key per
//! minute ([`LAST_USED_GRANULARITY_SECS`]), and written by the background
//! thread every 30 seconds, on [`Verifier::flush`], and when the `Verifier` is
//! dropped or [closed](Verifier::close). Writes go in transactions of at most
//! [`FLUSH_BATCH`] keys, so the file is never held for long, and the
//! background thread spends at most 100 ms per poll on them, so a large flush
//! does not hold up polls either. Last Used in the database therefore trails
//! real use by up to the flush interval (on top of the minute of coalescing),
//! and uses not yet written are lost if the process is killed.
//!
//! [`LAST_USED_GRANULARITY_SECS`]: crate::domain::record::LAST_USED_GRANULARITY_SECS
//!
//! # Usage counts
//!
//! Every presentation of a key's secret is counted by outcome (accepted,
//! refused as disabled, expired, or a previous secret past its end; see
//! [`crate::domain::usage`]). An accepted or disabled-refused presentation
//! is one atomic add on a counter inside the secret's index entry (the same
//! word as the minute last noted, so the hot path does one atomic operation
//! where it used to do a load); a refusal of an ended secret, which is rare,
//! goes to a mutex-guarded map. The counters are taken out of the entries
//! whole ("drained") on every flush, when a reload replaces the index, and
//! when a poll sees a new hour; they are written with the Last Used batch
//! in the same transaction ([`KeyStore::record_usage`]).
//!
//! A request that verified and was then refused by its key's policy at a
//! gateway ([`Verifier::count_refusal`]) goes to a mutex-guarded map of
//! (key, reason) → count, drained before the entries (so its acceptance,
//! counted by `verify`, is always in the same batch or an earlier one); the
//! store adds it as a refusal for that reason and takes one acceptance back
//! from the bucket. **Hour attribution** of such a refusal is that of the
//! drain, like any count: only when a poll sees a new hour between the
//! `verify` and the `count_refusal` of one request do the two land in
//! neighbouring hours (and the take-back saturates at zero there if that
//! hour has no acceptance of the key yet).
//!
//! Tokens a model server reported for an answer ([`Verifier::count_tokens`])
//! go to a mutex-guarded map of (key, model) → counts, drained with the
//! request counts into the hour being counted, and written in the same
//! batches and transactions ([`KeyStore::record_usage_and_tokens`]): to the
//! key's bucket of that hour and model, of its day and model, and to its
//! lifetime total (see [`crate::domain::token_counts`]).
//!
//! **Exact over the Verifier's life**: a use counted while a drain runs is
//! taken either by that drain or by the next, never by both or neither; a
//! reload drains the old index only after every shard's lock has been taken,
//! so no verification still adds to it; counts a flush could not write are
//! kept for the next one; [`Verifier::flush`], [`Verifier::close`] and drop
//! write everything (tokens as well as requests). Lost only if the process dies before a flush, like
//! Last Used. **Hour attribution**: uses are counted in the hour the last
//! poll saw (the clock is read on polls, not per check), so a use in the
//! first poll interval (250 ms) of an hour may be counted in the hour before.
//!
//! # Sharing the file
//!
//! The `Verifier` never keeps the database open: each poll, reload and flush
//! is one brief open, one transaction and a close, like every other [`Store`]
//! operation. A poll is one read-only open, four times a second by default.
//! The TUI and CLI stay usable beside any number of verifying services.
//!
//! # Design
//!
//! - **Checksum first.** Malformed input is refused by
//!   [`check_format`](secret::check_format) before it is hashed, so it never
//!   reaches the index and costs no more than the checksum.
//! - **Index.** A `HashMap` from SHA-256 digest to entry. Digests are already
//!   uniform, so the map's hash is simply the digest's first eight bytes
//!   (see `Digest` for why that cannot be used to flood it). An entry holds
//!   the key ID inline, so digest and ID share one 64-byte bucket: a hit costs
//!   one bucket read, not a second miss for a separately allocated ID.
//! - **Reload, not patch.** The store hands out its whole hash index in one
//!   read; the new map is built beside the old one and
//!   swapped in under a write lock held only for the swap. Reloads happen only
//!   when the change counter moved, and never for the Verifier's own Last Used
//!   writes.
//! - **Concurrency.** Readers hold an `RwLock` read guard for one lookup; no
//!   other lock is taken on the hot path. The lock exists in 16 copies, one
//!   per group of threads, each holding an `Arc` of the same index, so
//!   verifying threads do not bounce one lock word between cores; a reload
//!   swaps all 16 before it returns. Each entry has an atomic "minute
//!   last noted" and a use counter in one word, so noting a use is one
//!   relaxed atomic add and a load except once per key
//!   per minute, when one compare-and-swap wins and the use goes into a
//!   mutex-guarded pending map. Time comes from a clock the background thread
//!   reads on every poll, not from a system call per verification — except for
//!   a secret that has an end (an expiry, or a rotation's grace end): its entry
//!   holds that instant, and checking it reads the clock, so it stops
//!   verifying at that instant, not at the next poll.
//!
//! # Lifecycle
//!
//! Disabled keys are in the index, flagged, so that their refusals can be
//! counted; a flagged entry never verifies. Expired keys and previous
//! secrets past their grace are there too, with their end, and are refused
//! exactly like unknown keys. A disable, enable, rotation or expiry change made elsewhere moves the
//! change counter, so it is seen within the staleness bound above. The uses
//! of a rotation's previous secret are written to its own Last Used.

mod entries;
mod index;
mod table;
mod worker;

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::domain::{Hour, KeyHash, KeyId, Outcome, secret};
use crate::store::{Clock, KeyStore, Store, StoreError};
use entries::{NO_END, SPILL_AT};
use index::{Digest, Shard, thread_shard};
use worker::{BackgroundErrors, IoState, Progress, Shared};

/// How many keys' Last Used one flush transaction writes at most, so a flush
/// after a busy minute holds the file for short transactions, not for one
/// long one other processes would wait on.
pub const FLUSH_BATCH: usize = 1000;

const DEFAULT_POLL: Duration = Duration::from_millis(250);
const DEFAULT_FLUSH: Duration = Duration::from_secs(30);
/// Checks keys against an in-memory copy of the store's hash index, kept
/// current by a background thread. See the [module documentation](self) for
/// the staleness bound and how Last Used is recorded.
///
/// `Verifier` is `Send + Sync`: share one per process, behind an `Arc` or a
/// `static`, and call [`verify`](Verifier::verify) from any number of threads.
///
/// ```
/// use keydesk_core::{KeyName, KeyStore, Store, Verifier};
/// # let dir = tempfile::tempdir()?;
/// let store = Store::open(dir.path().join("keys.redb"))?;
/// let (secret, record) = store.create(&KeyName::parse("billing-service")?)?;
///
/// let verifier = Verifier::new(store.clone())?;
/// assert_eq!(verifier.verify(secret.expose()), Some(record.id.clone()));
/// assert_eq!(verifier.verify("sk-not-a-key"), None);
///
/// // Deleted elsewhere: the background thread notices within a second;
/// // `refresh` catches up now.
/// store.delete(&record.id)?;
/// verifier.refresh()?;
/// assert_eq!(verifier.verify(secret.expose()), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Verifier {
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
}

/// How often a [`Verifier`] looks at the store, and where it reads the time.
#[derive(Clone)]
pub struct Settings {
    poll_interval: Duration,
    flush_interval: Duration,
    /// `None`: the system clock, read without building an `OffsetDateTime`
    /// (it is read on the hot path for secrets that have an end).
    clock: Option<Clock>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            poll_interval: DEFAULT_POLL,
            flush_interval: DEFAULT_FLUSH,
            clock: None,
        }
    }
}

impl Settings {
    /// How often the change counter is checked (one brief read-only open).
    /// Default 250 ms; this is the main term of the staleness bound.
    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll_interval = every.max(Duration::from_millis(1));
        self
    }

    /// How often noted uses are written as Last Used. Default 30 s.
    pub fn flush_interval(mut self, every: Duration) -> Self {
        self.flush_interval = every;
        self
    }

    /// Where the time comes from (for tests and simulations). It is read once
    /// per poll and by [`Verifier::refresh`], and per verification only of a
    /// secret that has an end (expiry or grace end).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Unix seconds now.
    fn unix_now(&self) -> i64 {
        match &self.clock {
            Some(clock) => clock().unix_timestamp(),
            None => system_unix_now(),
        }
    }
}

/// Unix seconds from the system clock, cheaply: on Linux the coarse real-time
/// clock, which the vDSO answers from memory, several times faster than the
/// precise one, which is a noticeable share of a whole verification. Its
/// resolution is the kernel tick (1–4 ms), so an expiry or grace end, which
/// is a whole second, takes effect within a tick of its instant.
#[allow(unsafe_code)] // clock_gettime, justified below
fn system_unix_now() -> i64 {
    #[cfg(target_os = "linux")]
    {
        let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: clock_gettime writes one timespec through a valid pointer;
        // CLOCK_REALTIME_COARSE exists on every Linux keydesk supports.
        if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut now) } == 0 {
            // time_t is 32 bits on some Linux targets.
            #[allow(clippy::unnecessary_cast)]
            return now.tv_sec as i64;
        }
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() as i64)
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("poll_interval", &self.poll_interval)
            .field("flush_interval", &self.flush_interval)
            .finish_non_exhaustive()
    }
}

/// A snapshot of how a [`Verifier`] is doing, for health checks and metrics.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Health {
    /// Secrets in the in-memory index: one per key, two for a key whose
    /// previous secret is still kept (disabled and expired ones included,
    /// so their refusals are counted).
    pub keys: usize,
    /// The store's change counter the index is known to be current with.
    pub change_counter: u64,
    /// How many times the index was (re)loaded, the first load included.
    pub reloads: u64,
    /// Time since the index was last confirmed current with the store. Stays
    /// below the poll interval plus a reload while all is well; grows while the
    /// store cannot be read.
    pub checked_ago: Duration,
    /// Uses noted in memory and not yet written to the store.
    pub pending_uses: usize,
    /// Why the background thread's last poll or reload failed; `None` once one
    /// succeeds. Meanwhile the last good index is used.
    pub refresh_error: Option<Arc<StoreError>>,
    /// Why the background thread's last flush failed; `None` once one succeeds.
    /// The uses it could not write are kept and retried on the next poll.
    pub flush_error: Option<Arc<StoreError>>,
    /// Whether the background thread is alive (it only stops on close/drop).
    pub worker_running: bool,
}

impl Health {
    /// Everything working: the worker runs and its last store operations
    /// succeeded.
    pub fn is_ok(&self) -> bool {
        self.worker_running && self.refresh_error.is_none() && self.flush_error.is_none()
    }
}

impl Verifier {
    /// Opens the existing store at `path` (see
    /// [`StoreBuilder::create_if_missing`](crate::store::StoreBuilder::create_if_missing): a
    /// verifier never creates a database) and starts a verifier on it with
    /// default [`Settings`].
    pub fn open(path: impl Into<PathBuf>) -> Result<Verifier, StoreError> {
        Verifier::new(Store::builder(path).create_if_missing(false).open()?)
    }

    /// Starts a verifier with default [`Settings`]: reads the index now (so
    /// the first `verify` is already current), then starts the background
    /// thread.
    pub fn new(store: impl KeyStore + 'static) -> Result<Verifier, StoreError> {
        Verifier::with_settings(store, Settings::default())
    }

    /// [`Verifier::new`] with custom [`Settings`].
    pub fn with_settings(store: impl KeyStore + 'static, settings: Settings) -> Result<Verifier, StoreError> {
        let settings_now = settings.unix_now();
        let shared = Arc::new(Shared {
            store: Box::new(store),
            now: AtomicI64::new(settings_now),
            settings,
            index: std::array::from_fn(|_| Shard::default()),
            pending: Mutex::new(HashMap::new()),
            counts: Mutex::new(HashMap::new()),
            refusals: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
            token_counts: Mutex::new(HashMap::new()),
            counting_hour: AtomicU32::new(Hour::of_unix(settings_now).0),
            io: Mutex::new(IoState {
                // The counter starts at 0 in a new file; anything else forces
                // the first load below.
                seen_counter: None,
            }),
            progress: Progress::default(),
            background: Mutex::new(BackgroundErrors::default()),
            stop: Mutex::new(false),
            wake: Condvar::new(),
        });
        shared.refresh()?;
        let worker = std::thread::Builder::new()
            .name("keydesk-verifier".into())
            .spawn({
                let shared = shared.clone();
                move || shared.run()
            })
            .map_err(|e| StoreError::Io {
                path: shared.store.location().into(),
                source: e,
            })?;
        Ok(Verifier {
            shared,
            worker: Some(worker),
        })
    }

    /// Checks a key presented by a client. Returns its ID when it is live,
    /// `None` when it is malformed, unknown, deleted, disabled, expired or a
    /// previous secret past its grace (deliberately not distinguished, as
    /// with [`Store::verify`]).
    ///
    /// Never touches the database and never blocks on it: malformed input is
    /// rejected by its checksum before hashing; a well-formed key costs one
    /// SHA-256 and one hash-map lookup under a read lock, plus a clock read
    /// if the secret has an end. The first use of a secret in each minute
    /// also takes a short mutex to note the use.
    pub fn verify(&self, candidate: &str) -> Option<KeyId> {
        secret::check_format(candidate).ok()?;
        let digest = Digest(KeyHash::of(candidate).0);
        let index = read(&self.shared.index[thread_shard()].0);
        let entry = index.map.get(&digest)?;
        let now = if entry.not_after == NO_END {
            self.shared.now.load(Relaxed)
        } else {
            // The cached time may be a poll old: an end is judged now.
            let now = self.shared.settings.unix_now();
            if now >= i64::from(entry.not_after) {
                let outcome = Outcome::of(entry.id.slot(), entry.id.disabled(), true);
                self.shared.note_ended(&index, entry, outcome, now);
                return None;
            }
            now
        };
        // Counted before anything else: a disabled key's refusals too.
        let before = entry.state.fetch_add(1, Relaxed);
        if before as u32 == SPILL_AT {
            self.shared.spill(&index, entry);
        }
        if entry.id.disabled() {
            return None;
        }
        self.shared.note_use(&index, entry, &digest, before, now);
        Some(index.id_of(entry))
    }

    /// Counts a request of key `id` that passed [`Verifier::verify`] and was
    /// then refused by the key's policy for `reason`: usage shows it as
    /// refused for that reason, not as accepted (see "Usage counts" in the
    /// [module documentation](self)). Call it once per such request, after
    /// its `verify`, never for a request `verify` refused. Takes a short
    /// mutex; never touches the store.
    ///
    /// Last Used is not taken back: it was noted by `verify`, so a key whose
    /// requests are all refused by its policy still shows when it was last
    /// presented (to the minute, as for any use).
    pub fn count_refusal(&self, id: &KeyId, reason: crate::domain::policy::Reason) {
        self.shared.note_refusal(id, reason);
    }

    /// Counts the tokens a model server reported for one answer to a request
    /// of key `id` (which passed [`Verifier::verify`]). Takes a short mutex;
    /// never touches the store. The tallies, by key and model, are written
    /// with the request counts (see "Usage counts" in the
    /// [module documentation](self)).
    pub fn count_tokens(&self, id: &KeyId, usage: &crate::domain::TokenUsage) {
        self.shared.note_tokens(id, usage);
    }

    /// Checks the change counter now and reloads the index if it moved, rather
    /// than waiting for the next poll. Returns whether it reloaded.
    pub fn refresh(&self) -> Result<bool, StoreError> {
        self.shared.refresh()
    }

    /// Writes all noted uses as Last Used now. Returns how many records
    /// changed. On error the uses not written are kept for the next flush.
    pub fn flush(&self) -> Result<usize, StoreError> {
        self.shared.flush(None).map(|flushed| flushed.changed)
    }

    /// Stops the background thread and flushes, reporting the flush's
    /// outcome (dropping a `Verifier` does the same but cannot report errors).
    pub fn close(mut self) -> Result<usize, StoreError> {
        self.stop_worker();
        self.shared.flush(None).map(|flushed| flushed.changed)
    }

    /// How the verifier is doing. Never waits on the store: a poll stuck on
    /// a store that does not answer shows as a `checked_ago` that grows.
    pub fn health(&self) -> Health {
        let progress = &self.shared.progress;
        let background = lock(&self.shared.background).clone();
        Health {
            keys: read(&self.shared.index[0].0).map.len(),
            change_counter: progress.change_counter.load(Relaxed),
            reloads: progress.reloads.load(Relaxed),
            checked_ago: progress.checked_ago(),
            pending_uses: lock(&self.shared.pending).len(),
            refresh_error: background.refresh,
            flush_error: background.flush,
            worker_running: self.worker.as_ref().is_some_and(|w| !w.is_finished()),
        }
    }

    /// The store this verifier reads.
    pub fn store(&self) -> &dyn KeyStore {
        self.shared.store.as_ref()
    }

    fn stop_worker(&mut self) {
        let Some(worker) = self.worker.take() else {
            return;
        };
        *lock(&self.shared.stop) = true;
        self.shared.wake.notify_all();
        // A panic in the worker has already been reported on stderr; the
        // final flush below still runs.
        let _ = worker.join();
    }
}

impl Drop for Verifier {
    /// Stops the background thread and writes the uses noted since the last
    /// flush. Errors cannot be reported here: call [`Verifier::close`] (or
    /// [`Verifier::flush`]) first to see them.
    fn drop(&mut self) {
        if self.worker.is_some() {
            self.stop_worker();
            let _ = self.shared.flush(None);
        }
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("store", &self.shared.store)
            .field("settings", &self.shared.settings)
            .finish_non_exhaustive()
    }
}

/// A panic elsewhere must not stop verification: every lock here guards data
/// that is consistent between statements, so a poisoned one is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;

    #[test]
    fn verifier_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Verifier>();
        assert_send_sync::<Health>();
    }

    #[test]
    fn the_cheap_system_clock_agrees_with_the_precise_one() {
        let before = OffsetDateTime::now_utc().unix_timestamp();
        let cheap = system_unix_now();
        let after = OffsetDateTime::now_utc().unix_timestamp();
        // A coarse clock may trail by a tick, so it can read the second before.
        assert!((before - 1..=after).contains(&cheap), "{before} {cheap} {after}");
    }
}
