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
//! default), plus the time to reload the index (about 20 ms at 100,000 keys),
//! plus at most 100 ms if a Last Used flush is under way: **well under 1
//! second**. Call [`Verifier::refresh`] to catch up at once, for example right
//! after deleting a key yourself.
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
//! [`FLUSH_BATCH`] keys (about 15 ms each at 100,000 keys), so the file is
//! never held for long, and the background thread spends at most 100 ms per
//! poll on them, so a large flush does not hold up polls either. Last Used in
//! the database therefore trails real use by up to about 30 seconds (on top
//! of the minute of coalescing), and uses not yet written are lost if the
//! process is killed.
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
//! **Exact over the Verifier's life**: a use counted while a drain runs is
//! taken either by that drain or by the next, never by both or neither; a
//! reload drains the old index only after every shard's lock has been taken,
//! so no verification still adds to it; counts a flush could not write are
//! kept for the next one; [`Verifier::flush`], [`Verifier::close`] and drop
//! write everything. Lost only if the process dies before a flush, like
//! Last Used. **Hour attribution**: uses are counted in the hour the last
//! poll saw (the clock is read on polls, not per check), so a use in the
//! first poll interval (250 ms) of an hour may be counted in the hour before.
//!
//! # Sharing the file
//!
//! The `Verifier` never keeps the database open: each poll, reload and flush
//! is one brief open, one transaction and a close, like every other [`Store`]
//! operation. A poll is one read-only open of about 40 µs, four times a
//! second. The TUI and CLI stay usable beside any number of verifying services.
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
//!   read (10 ms at 100,000 keys); the new map is built beside the old one and
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

use std::collections::HashMap;
use std::collections::hash_map::Entry as MapEntry;
use std::fmt;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::domain::record::LAST_USED_GRANULARITY_SECS;
use crate::domain::{Hour, KeyHash, KeyId, Outcome, SecretSlot, UsageCounts, UsageDelta, secret};
use crate::store::{Clock, IndexEntry, KeyStore, SecretUse, Store, StoreError, Waited};

/// How many keys' Last Used one flush transaction writes at most, so a flush
/// after a busy minute at 100,000 keys holds the file for milliseconds at a
/// time, not for one long transaction other processes would wait on.
pub const FLUSH_BATCH: usize = 1000;

/// How long the background thread spends writing Last Used per poll at most,
/// so a large flush never delays noticing a deleted key by more than this.
const FLUSH_SLICE: Duration = Duration::from_millis(100);
const DEFAULT_POLL: Duration = Duration::from_millis(250);
/// How long a stop may wait for a store's change signal to time out.
const STOP_LATENCY: Duration = Duration::from_millis(100);
const DEFAULT_FLUSH: Duration = Duration::from_secs(30);
/// `noted` of a key whose use has not been noted since this process started.
const NEVER: u32 = 0;
/// `not_after` of a secret that never stops verifying by time alone.
const NO_END: u32 = u32::MAX;

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
/// clock, which the vDSO answers from memory in about 5 ns (the precise one
/// took 33 ns on the development VM, a fifth of a whole verification). Its
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
    /// Opens the existing store at `path` (see [`Store::open_existing`]: a
    /// verifier never creates a database) and starts a verifier on it with
    /// default [`Settings`].
    pub fn open(path: impl Into<PathBuf>) -> Result<Verifier, StoreError> {
        Verifier::new(Store::open_existing(path)?)
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

/// What the verifier thread and the public methods share.
struct Shared {
    store: Box<dyn KeyStore>,
    settings: Settings,
    /// The current index, once per shard. Replaced whole on reload; readers
    /// hold their shard's read lock only for a lookup.
    index: [Shard; SHARDS],
    /// Unix seconds, refreshed every poll: verifications read this instead of
    /// the system clock, which can be a syscall on some virtual machines.
    now: AtomicI64,
    /// Secret (its digest) → its key and the time of its latest noted use,
    /// waiting to be flushed.
    pending: Mutex<HashMap<[u8; 32], (KeyId, i64)>>,
    /// Usage counts taken out of the index entries (or counted outside them),
    /// by key and hour, waiting to be flushed.
    counts: Mutex<HashMap<(KeyId, Hour), UsageCounts>>,
    /// The hour the entries' counters are counting for; changed (after
    /// draining them) only under the `io` lock, when a poll sees a new hour.
    counting_hour: AtomicU32,
    /// Serialises store I/O (refresh, flush) between the thread and callers.
    /// Held while the store is called, so [`Verifier::health`] never takes
    /// it: it reads [`Progress`] instead.
    io: Mutex<IoState>,
    progress: Progress,
    background: Mutex<BackgroundErrors>,
    stop: Mutex<bool>,
    wake: Condvar,
}

struct Flushed {
    /// Records whose Last Used changed.
    changed: usize,
    /// False when the time budget ran out with uses left to write.
    finished: bool,
}

struct IoState {
    /// The change counter the in-memory index is current with.
    seen_counter: Option<u64>,
}

/// What [`Verifier::health`] reports of the store I/O, in atomics written
/// after each successful refresh, so that reading them never waits for a
/// store call in progress.
struct Progress {
    /// The monotonic clock's zero for `checked_at`.
    epoch: Instant,
    /// Nanoseconds from `epoch` to the last time the index was confirmed
    /// current: advanced only by a refresh that succeeded.
    checked_at: AtomicU64,
    change_counter: AtomicU64,
    reloads: AtomicU64,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            epoch: Instant::now(),
            checked_at: AtomicU64::new(0),
            change_counter: AtomicU64::new(0),
            reloads: AtomicU64::new(0),
        }
    }
}

impl Progress {
    /// Notes that the index is current with `counter` now.
    fn confirmed(&self, counter: u64) {
        self.change_counter.store(counter, Relaxed);
        let nanos = u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.checked_at.fetch_max(nanos, Relaxed);
    }

    fn checked_ago(&self) -> Duration {
        let checked_at = Duration::from_nanos(self.checked_at.load(Relaxed));
        self.epoch.elapsed().saturating_sub(checked_at)
    }
}

#[derive(Default, Clone)]
struct BackgroundErrors {
    refresh: Option<Arc<StoreError>>,
    flush: Option<Arc<StoreError>>,
}

impl Shared {
    /// The background thread: poll every interval, flush every flush interval
    /// for at most [`FLUSH_SLICE`] per poll, and keep flushing on every poll
    /// while a flush is unfinished or failed.
    fn run(&self) {
        let mut next_flush = Instant::now() + self.settings.flush_interval;
        let mut unfinished = false;
        loop {
            if self.wait_for_change() {
                return;
            }
            let refreshed = self.refresh();
            lock(&self.background).refresh = refreshed.err().map(Arc::new);

            let retrying = lock(&self.background).flush.is_some();
            if unfinished || retrying || Instant::now() >= next_flush {
                if !unfinished {
                    next_flush = Instant::now() + self.settings.flush_interval;
                }
                let flushed = self.flush(Some(FLUSH_SLICE));
                unfinished = flushed.as_ref().is_ok_and(|f| !f.finished);
                lock(&self.background).flush = flushed.err().map(Arc::new);
            }
        }
    }

    /// Waits for the next poll: for a change the store signals (PostgreSQL's
    /// `NOTIFY`), at most one poll interval, or else the interval itself.
    /// Returns whether to stop.
    fn wait_for_change(&self) -> bool {
        let seen = lock(&self.io).seen_counter.unwrap_or(0);
        let deadline = Instant::now() + self.settings.poll_interval;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if *lock(&self.stop) || left.is_zero() {
                return *lock(&self.stop);
            }
            // In slices, so a stop is not held up by a long wait.
            match self.store.wait_for_change(seen, left.min(STOP_LATENCY)) {
                Ok(Waited::Changed) => return *lock(&self.stop),
                Ok(Waited::TimedOut) => continue,
                Ok(Waited::Unsupported) | Err(_) => {
                    let stop = lock(&self.stop);
                    let (stop, _) = self
                        .wake
                        .wait_timeout_while(stop, left, |stop| !*stop)
                        .unwrap_or_else(PoisonError::into_inner);
                    return *stop;
                }
            }
        }
    }

    fn refresh(&self) -> Result<bool, StoreError> {
        let now = self.settings.unix_now();
        self.now.store(now, Relaxed);
        let mut io = lock(&self.io);
        let hour = Hour::of_unix(now);
        if hour.0 != self.counting_hour.load(Relaxed) {
            // Uses counted until this poll belong to the hour that ended.
            self.drain(&read(&self.index[0].0));
            self.counting_hour.store(hour.0, Relaxed);
        }
        let counter = self.store.change_counter()?;
        if io.seen_counter == Some(counter) {
            self.progress.confirmed(counter);
            return Ok(false);
        }
        let (counter, entries) = self.store.load_hash_index()?;
        let previous = read(&self.index[0].0).clone();
        let index = Arc::new(Index::build(entries, &previous));
        let replaced: Vec<Arc<Index>> = self
            .index
            .iter()
            .map(|shard| std::mem::replace(&mut *write(&shard.0), index.clone()))
            .collect();
        // Every shard's lock has been taken since: no verification still
        // counts into the old index, so what it counted can be taken whole.
        self.drain(&previous);
        io.seen_counter = Some(counter);
        self.progress.reloads.fetch_add(1, Relaxed);
        self.progress.confirmed(counter);
        drop(io);
        // The old index is freed here, on this thread, outside every lock.
        drop((previous, replaced));
        Ok(true)
    }

    /// Writes noted uses and counts in batches; with a `budget`, stops
    /// starting new batches once it is spent and puts the rest back for the
    /// next call.
    fn flush(&self, budget: Option<Duration>) -> Result<Flushed, StoreError> {
        let started = Instant::now();
        let mut io = lock(&self.io);
        self.drain(&read(&self.index[0].0));
        let noted = std::mem::take(&mut *lock(&self.pending));
        let counted = std::mem::take(&mut *lock(&self.counts));
        if noted.is_empty() && counted.is_empty() {
            return Ok(Flushed {
                changed: 0,
                finished: true,
            });
        }
        let mut uses: Vec<SecretUse> = noted
            .into_iter()
            .filter_map(|(hash, (id, at))| {
                Some(SecretUse {
                    id,
                    hash: KeyHash(hash),
                    at: OffsetDateTime::from_unix_timestamp(at).ok()?,
                })
            })
            .collect();
        let mut counts: Vec<UsageDelta> = counted
            .into_iter()
            .map(|((id, hour), counts)| UsageDelta { id, hour, counts })
            .collect();
        // In ID order, each batch reads and writes neighbouring pages.
        uses.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        counts.sort_unstable_by(|a, b| (&a.id, a.hour).cmp(&(&b.id, b.hour)));
        let batches = uses.len().div_ceil(FLUSH_BATCH).max(counts.len().div_ceil(FLUSH_BATCH));
        let part = |list_len: usize, done: usize| (done * FLUSH_BATCH).min(list_len);
        let (mut changed, mut writes, mut finished) = (0, 0u64, true);
        for done in 0..batches {
            let (u, c) = (part(uses.len(), done), part(counts.len(), done));
            // At least one batch per call, so flushing always progresses.
            if done > 0 && budget.is_some_and(|budget| started.elapsed() >= budget) {
                self.requeue(&uses[u..], &counts[c..]);
                finished = false;
                break;
            }
            let (u_end, c_end) = (part(uses.len(), done + 1), part(counts.len(), done + 1));
            match self.store.record_usage(&uses[u..u_end], &counts[c..c_end]) {
                Ok(n) => {
                    changed += n;
                    writes += u64::from(n > 0 || c_end > c);
                }
                Err(e) => {
                    self.requeue(&uses[u..], &counts[c..]);
                    return Err(e);
                }
            }
        }
        // Our own writes move the change counter too. When nobody else wrote
        // meanwhile, the index is still current: skip the pointless reload.
        if writes > 0
            && let (Some(seen), Ok(now)) = (io.seen_counter, self.store.change_counter())
            && now == seen.wrapping_add(writes)
        {
            io.seen_counter = Some(now);
            self.progress.confirmed(now);
        }
        Ok(Flushed { changed, finished })
    }

    /// Puts uses and counts that could not be written back to be flushed again.
    fn requeue(&self, uses: &[SecretUse], counts: &[UsageDelta]) {
        let mut pending = lock(&self.pending);
        for SecretUse { id, hash, at } in uses {
            let at = at.unix_timestamp();
            match pending.entry(hash.0) {
                MapEntry::Occupied(mut e) => e.get_mut().1 = e.get().1.max(at),
                MapEntry::Vacant(e) => {
                    e.insert((id.clone(), at));
                }
            }
        }
        drop(pending);
        let mut pending = lock(&self.counts);
        for UsageDelta { id, hour, counts } in counts {
            *pending.entry((id.clone(), *hour)).or_default() += *counts;
        }
    }

    /// Notes an accepted use at `now` (Unix seconds) for Last Used, at most
    /// once per secret per minute. `before` is the entry's state just before
    /// this use was counted. The common case (already noted this minute)
    /// writes no shared memory beyond the count.
    fn note_use(&self, index: &Index, entry: &Entry, digest: &Digest, before: u64, now: i64) {
        let now = clamp_u32(now);
        let noted = (before >> 32) as u32;
        // Saturates to 0 when the clock moved back: not due either.
        if i64::from(now.saturating_sub(noted)) < LAST_USED_GRANULARITY_SECS {
            return;
        }
        // Exactly one thread wins the minute for this secret; the count in
        // the low half may move meanwhile and is kept as it is.
        let mut current = entry.state.load(Relaxed);
        loop {
            if (current >> 32) as u32 != noted {
                return;
            }
            let next = (u64::from(now) << 32) | (current & COUNT_MASK);
            match entry.state.compare_exchange_weak(current, next, Relaxed, Relaxed) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        let id = index.id_of(entry);
        let mut pending = lock(&self.pending);
        let at = &mut pending.entry(digest.0).or_insert((id, i64::from(now))).1;
        *at = (*at).max(i64::from(now));
    }

    /// Counts a refusal of a secret past its end, at its own hour. Rare (a
    /// client still using an expired key), so it takes the counts' mutex.
    fn note_ended(&self, index: &Index, entry: &Entry, outcome: Outcome, now: i64) {
        let key = (index.id_of(entry), Hour::of_unix(now));
        lock(&self.counts).entry(key).or_default().count(outcome, 1);
    }

    /// Takes an entry's count out before its 32 bits can overflow (two
    /// billion uses of one secret between two flushes).
    fn spill(&self, index: &Index, entry: &Entry) {
        let taken = entry.take_count();
        let key = (index.id_of(entry), Hour(self.counting_hour.load(Relaxed)));
        lock(&self.counts)
            .entry(key)
            .or_default()
            .count(entry.counted_outcome(), taken);
    }

    /// Moves every entry's count into the pending counts, for the hour being
    /// counted. Exact: a use counted concurrently lands either in what is
    /// taken now or in the entry for the next drain, never in both.
    fn drain(&self, index: &Index) {
        let hour = Hour(self.counting_hour.load(Relaxed));
        let mut taken = Vec::new();
        for entry in index.map.values() {
            if entry.state.load(Relaxed) & COUNT_MASK != 0 {
                let n = entry.take_count();
                if n > 0 {
                    taken.push((index.id_of(entry), entry.counted_outcome(), n));
                }
            }
        }
        if taken.is_empty() {
            return;
        }
        let mut counts = lock(&self.counts);
        for (id, outcome, n) in taken {
            counts.entry((id, hour)).or_default().count(outcome, n);
        }
    }
}

/// How many copies of the index lock there are. Verifying threads are spread
/// over them, so up to this many threads never write to a shared lock word
/// (with a single lock, two threads on two cores verifying the same key were
/// measured slower together than one alone: the lock's cache line bounced
/// between the cores on every call).
const SHARDS: usize = 16;

/// One copy of the index lock, on cache lines of its own.
#[derive(Default)]
#[repr(align(128))]
struct Shard(RwLock<Arc<Index>>);

/// The shard this thread reads the index through: assigned round-robin on
/// first use, then fixed for the thread's life.
fn thread_shard() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SHARD: usize = NEXT.fetch_add(1, Relaxed) % SHARDS;
    }
    SHARD.with(|shard| *shard)
}

/// The in-memory index: SHA-256 of the secret → key.
#[derive(Default)]
struct Index {
    map: HashMap<Digest, Entry, BuildHasherDefault<FirstWord>>,
    /// IDs too long to be kept inside their entry (never keydesk's own).
    long_ids: Vec<KeyId>,
}

/// 64 bytes with its digest: a hit reads one cache line of the map's bucket
/// array (plus its control byte), not a separate allocation for the ID. The
/// times are 32-bit Unix seconds to fit (good until 2106; a later end is
/// kept as 2106, which only ever refuses a key too early, never too late).
struct Entry {
    /// High half: Unix seconds of the last use noted for Last Used, or
    /// [`NEVER`]. Low half: presentations counted since the last drain
    /// (accepted, or refused as disabled for a disabled key's entry). One
    /// word, so counting a use and checking the minute is one atomic add.
    state: AtomicU64,
    /// Unix seconds from which this secret is refused, or [`NO_END`].
    not_after: u32,
    id: EntryId,
}

/// The low half of [`Entry::state`].
const COUNT_MASK: u64 = u32::MAX as u64;
/// A count that reaches this is moved out of the entry at once, long before
/// its 32 bits could overflow into the noted minute.
const SPILL_AT: u32 = 1 << 31;

impl Entry {
    /// Takes the count out, leaving the noted minute as it is.
    fn take_count(&self) -> u32 {
        let mut current = self.state.load(Relaxed);
        loop {
            match self
                .state
                .compare_exchange_weak(current, current & !COUNT_MASK, Relaxed, Relaxed)
            {
                Ok(_) => return (current & COUNT_MASK) as u32,
                Err(actual) => current = actual,
            }
        }
    }

    /// What the entry's count counts.
    fn counted_outcome(&self) -> Outcome {
        Outcome::of(self.id.slot(), self.id.disabled(), false)
    }
}

/// How long an ID can be and still be stored inline. keydesk's own IDs are
/// 19 bytes; longer ones (a file written by something else) are kept in
/// [`Index::long_ids`].
const INLINE_ID: usize = 19;
/// `EntryId::tag` bits: the length (or [`LONG_ID`]), and two flags.
const LENGTH_BITS: u8 = 0x1f;
const LONG_ID: u8 = 0x1f;
const PREVIOUS: u8 = 0x20;
const DISABLED: u8 = 0x40;

/// A key ID kept inside the map entry, with which of the key's secrets this
/// is and whether the key is disabled. Turning it back into a [`KeyId`]
/// costs one small allocation but no cache miss.
struct EntryId {
    tag: u8,
    /// The ID's bytes, or for a long one its position in `long_ids`.
    bytes: [u8; INLINE_ID],
}

impl EntryId {
    fn new(id: &KeyId, slot: SecretSlot, disabled: bool, long_ids: &mut Vec<KeyId>) -> EntryId {
        let flags = if slot == SecretSlot::Previous { PREVIOUS } else { 0 } | if disabled { DISABLED } else { 0 };
        let mut bytes = [0; INLINE_ID];
        let text = id.as_str();
        let length = if text.len() <= INLINE_ID {
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            text.len() as u8
        } else {
            let at = u32::try_from(long_ids.len()).expect("fewer than 4 billion keys");
            bytes[..4].copy_from_slice(&at.to_ne_bytes());
            long_ids.push(id.clone());
            LONG_ID
        };
        EntryId {
            tag: length | flags,
            bytes,
        }
    }

    fn slot(&self) -> SecretSlot {
        if self.tag & PREVIOUS != 0 {
            SecretSlot::Previous
        } else {
            SecretSlot::Current
        }
    }

    fn disabled(&self) -> bool {
        self.tag & DISABLED != 0
    }
}

impl Index {
    /// Builds an index from the store's, carrying over which keys already had
    /// a use noted this minute so a reload does not re-note them (their
    /// counts stay in the old index until it is drained).
    fn build(entries: Vec<IndexEntry>, previous: &Index) -> Index {
        let mut map = HashMap::with_capacity_and_hasher(entries.len(), Default::default());
        let mut long_ids = Vec::new();
        for IndexEntry {
            hash,
            id,
            not_after,
            slot,
            disabled,
        } in entries
        {
            let digest = Digest(hash.0);
            let noted = previous
                .map
                .get(&digest)
                .filter(|old| previous.id_str(old) == id.as_str())
                .map_or(u64::from(NEVER) << 32, |old| old.state.load(Relaxed) & !COUNT_MASK);
            let not_after = not_after.map_or(NO_END, |at| clamp_u32(at.unix_timestamp()).min(NO_END - 1));
            map.insert(
                digest,
                Entry {
                    id: EntryId::new(&id, slot, disabled, &mut long_ids),
                    state: AtomicU64::new(noted),
                    not_after,
                },
            );
        }
        Index { map, long_ids }
    }

    fn id_str<'a>(&'a self, entry: &'a Entry) -> &'a str {
        let EntryId { tag, bytes } = &entry.id;
        match tag & LENGTH_BITS {
            LONG_ID => {
                let at = u32::from_ne_bytes(bytes[..4].try_into().expect("four bytes"));
                self.long_ids[at as usize].as_str()
            }
            length => std::str::from_utf8(&bytes[..usize::from(length)]).expect("copied from a str"),
        }
    }

    fn id_of(&self, entry: &Entry) -> KeyId {
        KeyId::from_stored(self.id_str(entry))
    }
}

/// A SHA-256 digest as a map key. Digests are already uniformly distributed,
/// so hashing one again is wasted work: its first eight bytes are the hash.
///
/// This cannot be used to flood the map: its contents are the stored keys'
/// digests, which clients do not choose, and a client who ground out inputs
/// whose digests share a bucket would only slow down its own lookups, which
/// still compare all 32 bytes before accepting anything.
#[derive(PartialEq, Eq)]
struct Digest([u8; 32]);

impl Hash for Digest {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut first = [0u8; 8];
        first.copy_from_slice(&self.0[..8]);
        state.write_u64(u64::from_ne_bytes(first));
    }
}

/// The hasher for [`Digest`]: passes its one `u64` through.
#[derive(Default)]
struct FirstWord(u64);

impl Hasher for FirstWord {
    fn write_u64(&mut self, word: u64) {
        self.0 = word;
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `Digest` is hashed with this, through `write_u64`; stay correct
        // (if slow) should anything else ever be.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Unix seconds as the index keeps them: before 1970 is 1970, after 2106 is 2106.
fn clamp_u32(unix: i64) -> u32 {
    unix.clamp(0, i64::from(u32::MAX)) as u32
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
    use super::*;

    #[test]
    fn verifier_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Verifier>();
        assert_send_sync::<Health>();
    }

    #[test]
    fn digest_hash_is_its_first_word() {
        use std::hash::BuildHasher;
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&0x0123_4567_89ab_cdefu64.to_ne_bytes());
        let built = BuildHasherDefault::<FirstWord>::default();
        assert_eq!(built.hash_one(Digest(bytes)), 0x0123_4567_89ab_cdef);
    }

    #[test]
    fn a_budgeted_flush_writes_at_least_a_batch_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("keys.redb")).unwrap();
        let names: Vec<_> = (0..FLUSH_BATCH * 2 + 500)
            .map(|i| crate::KeyName::parse(&format!("k{i}")).unwrap())
            .collect();
        let secrets = store.create_many(&names).unwrap();
        let verifier = Verifier::new(store.clone()).unwrap();
        for (secret, _) in &secrets {
            verifier.verify(secret.expose()).unwrap();
        }
        let flushed = verifier.shared.flush(Some(Duration::ZERO)).unwrap();
        assert_eq!(flushed.changed, FLUSH_BATCH);
        assert!(!flushed.finished);
        assert_eq!(verifier.health().pending_uses, FLUSH_BATCH + 500);
        assert_eq!(verifier.flush().unwrap(), FLUSH_BATCH + 500);
        assert_eq!(verifier.health().pending_uses, 0);
        assert!(store.list().unwrap().iter().all(|r| r.last_used.is_some()));
    }

    #[test]
    fn the_cheap_system_clock_agrees_with_the_precise_one() {
        let before = OffsetDateTime::now_utc().unix_timestamp();
        let cheap = system_unix_now();
        let after = OffsetDateTime::now_utc().unix_timestamp();
        // A coarse clock may trail by a tick, so it can read the second before.
        assert!((before - 1..=after).contains(&cheap), "{before} {cheap} {after}");
    }

    #[test]
    fn an_index_entry_fills_one_cache_line() {
        assert_eq!(size_of::<(Digest, Entry)>(), 64);
    }

    #[test]
    fn ids_of_any_length_round_trip_with_their_flags() {
        let ids = [
            KeyId::generate(),
            KeyId::from_stored(""),
            KeyId::from_stored(&"x".repeat(INLINE_ID)),
            KeyId::from_stored(&"x".repeat(INLINE_ID + 1)),
            KeyId::from_stored(&"键".repeat(20)),
        ];
        let entries: Vec<IndexEntry> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| IndexEntry {
                hash: KeyHash::of(&i.to_string()),
                id: id.clone(),
                slot: if i % 2 == 0 {
                    SecretSlot::Current
                } else {
                    SecretSlot::Previous
                },
                not_after: None,
                disabled: i % 3 == 0,
            })
            .collect();
        let index = Index::build(entries.clone(), &Index::default());
        for e in entries {
            let entry = &index.map[&Digest(e.hash.0)];
            assert_eq!(index.id_of(entry), e.id);
            assert_eq!((entry.id.slot(), entry.id.disabled()), (e.slot, e.disabled));
        }
    }
}
