//! What the server knows beside the [`Verifier`]'s index: key names and
//! policies, and whether the index is fresh enough to answer from.
//!
//! The Verifier maps a key's hash to its ID only (that keeps its index at one
//! cache line per key). The server also sends the key's name and enforces
//! its policy, so it keeps an ID → (name, policy) map; a key created since
//! the last rebuild (a window of about one poll) is looked up in the store
//! directly, before it is answered, so that a new key's policy never takes
//! effect after the key itself. A key without rules keeps no policy at all
//! (`None`), so it costs the request path one branch.
//!
//! The map is rebuilt (a full `list()`, 30 ms and tens of MiB of garbage at
//! 100,000 keys) only when a key was created, renamed, deleted or had its
//! policy changed (every such change writes an audit entry). The change
//! counter alone cannot tell: it also moves for every batch of Last Used the
//! Verifier writes, which under steady traffic is every 30 s. So when the
//! counter moves, the monitor reads the newest audit log entry's sequence
//! number (one small read): every change to a key writes an entry in the
//! same transaction, and Last Used writes none. A store that cannot answer
//! that (`None`) gets the full rebuild on every counter move, as before.
//!
//! Readiness and the index gauges are kept by a thread of their own that
//! never calls the store: [`Verifier::health`] reads atomics, so a database
//! that stops answering in the middle of a name rebuild or a poll still
//! sees the index age grow and readiness fall at `--max-index-age`.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use arc_swap::ArcSwap;
use hyper::http::HeaderValue;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::metrics::Metrics;
use keydesk_core::domain::AuditQuery;
use keydesk_core::domain::policy::Policy;
use keydesk_core::{KeyId, KeyRecord, KeyStore, StoreError, Verifier};

const POLL: Duration = Duration::from_millis(250);

/// Characters kept as they are in `X-Keydesk-Key-Name`: RFC 3986's
/// unreserved set. Everything else, every byte of a Chinese character
/// included, is percent-encoded UTF-8, which any gateway passes through and
/// any language decodes (`decodeURIComponent`, `urllib.parse.unquote`).
const NAME_KEEP: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// The `X-Keydesk-Key-Name` value for a name.
pub fn encode_name(name: &str) -> HeaderValue {
    let encoded = utf8_percent_encode(name, NAME_KEEP).to_string();
    HeaderValue::from_str(&encoded).expect("percent-encoding leaves only visible ASCII")
}

/// What the server keeps of one key besides the Verifier's index.
#[derive(Debug, Clone)]
pub struct Known {
    /// The key's name, encoded for `X-Keydesk-Key-Name`.
    pub name: HeaderValue,
    /// The key's policy; `None` when it has no rules.
    pub policy: Option<Arc<Policy>>,
}

impl Known {
    fn of(record: KeyRecord) -> Known {
        let policy = (!record.policy.is_empty()).then(|| Arc::new(record.policy));
        Known {
            name: encode_name(&record.name),
            policy,
        }
    }
}

type Names = HashMap<KeyId, Known>;

/// Names and readiness, kept current by a background thread.
pub struct IndexState {
    verifier: Arc<Verifier>,
    names: ArcSwap<Names>,
    ready: AtomicBool,
    max_age: Duration,
    /// How many times the name map was rebuilt since the start.
    rebuilds: AtomicU64,
    /// The change counter the monitor last acted on (for tests to wait on).
    names_checked_at: AtomicU64,
    /// What the first name map was read from.
    loaded: NamesVersion,
    /// `--fail-static`: answer from an index too old to be ready.
    fail_static: bool,
}

impl IndexState {
    /// Reads the names now (so the first answer has them) and reports the
    /// index's state.
    pub fn load(verifier: Arc<Verifier>, max_age: Duration) -> Result<IndexState, keydesk_core::StoreError> {
        // Read before the names, so a change in between is caught on the
        // monitor's first poll.
        let loaded = NamesVersion::read(verifier.store(), verifier.health().change_counter);
        let names = read_names(verifier.store())?;
        return_freed_memory();
        let state = IndexState {
            verifier,
            names: ArcSwap::from_pointee(names),
            ready: AtomicBool::new(false),
            max_age,
            rebuilds: AtomicU64::new(0),
            names_checked_at: AtomicU64::new(loaded.change_counter),
            loaded,
            fail_static: false,
        };
        state.ready.store(state.verifier.health().is_fresh(max_age), Relaxed);
        Ok(state)
    }

    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Whether the index was confirmed current within `--max-index-age`.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Relaxed)
    }

    /// Answers keys from an index too old to be ready (`--fail-static`).
    pub fn fail_static(mut self, on: bool) -> IndexState {
        self.fail_static = on;
        self
    }

    /// Whether keys may be answered now: a ready index, or any under
    /// `--fail-static`.
    pub fn can_answer(&self) -> bool {
        self.fail_static || self.is_ready()
    }

    /// Whether keys are answered from an index too old to be ready.
    pub fn is_degraded(&self) -> bool {
        self.fail_static && !self.is_ready()
    }

    /// The encoded name and policy of a key, from the map or, for a key
    /// newer than the map, from the store ([`IndexState::read_known`], a
    /// blocking read: call it off the async threads).
    pub fn cached(&self, id: &KeyId) -> Option<Known> {
        self.names.load().get(id).cloned()
    }

    /// The encoded name of a key in the map.
    #[cfg(test)]
    pub fn cached_name(&self, id: &KeyId) -> Option<HeaderValue> {
        self.cached(id).map(|known| known.name)
    }

    /// A key read from the store: `Ok(None)` when it is gone.
    pub fn read_known(&self, id: &KeyId) -> Result<Option<Known>, StoreError> {
        Ok(self.verifier.store().get(id)?.map(Known::of))
    }

    /// Starts the threads that keep readiness and the index gauges, and the
    /// names, current every 250 ms. They stop when the returned handle is
    /// dropped.
    pub fn spawn_monitor(self: &Arc<Self>, metrics: Arc<Metrics>) -> Monitor {
        let readiness = {
            let state = self.clone();
            Stoppable::spawn("keydesk-serve-index", move |stopped| {
                state.keep_readiness(&metrics, stopped)
            })
        };
        let names = {
            let state = self.clone();
            Stoppable::spawn("keydesk-serve-names", move |stopped| state.keep_names(stopped))
        };
        Monitor {
            _threads: [readiness, names],
        }
    }

    /// Never calls the store, so a store that hangs cannot hold it up.
    fn keep_readiness(&self, metrics: &Metrics, stopped: &Receiver<()>) {
        while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(POLL) {
            let health = self.verifier.health();
            let ready = health.is_fresh(self.max_age);
            let was_ready = self.ready.swap(ready, Relaxed);
            report_readiness(was_ready, ready, &health, self.fail_static);
            metrics.index_keys.set(i64::try_from(health.keys).unwrap_or(i64::MAX));
            metrics.index_age.set(health.checked_ago.as_secs_f64());
            if health.refresh_error.is_some() {
                metrics.refresh_errors.inc();
            }
        }
    }

    fn keep_names(&self, stopped: &Receiver<()>) {
        let mut names_at = self.loaded;
        while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(POLL) {
            let change_counter = self.verifier.health().change_counter;
            if change_counter != names_at.change_counter {
                names_at = self.refresh_names(names_at, change_counter);
            }
        }
    }

    /// Rebuilds the name map if a key changed since `seen`; returns what
    /// was seen now.
    fn refresh_names(&self, seen: NamesVersion, change_counter: u64) -> NamesVersion {
        // Read before the names, so a change made while they are read shows
        // as a new version next time rather than being missed.
        let now = NamesVersion::read(self.verifier.store(), change_counter);
        if now.audit_seq.is_some() && now.audit_seq == seen.audit_seq {
            self.names_checked_at.store(change_counter, Relaxed);
            // The Verifier's Last Used write that moved the counter opened
            // the database on its own thread; give back what that freed
            // (measured: without this, RSS at 100,000 keys climbed from 48
            // to 81 MiB over 90 s of traffic).
            return_freed_memory();
            return now;
        }
        match read_names(self.verifier.store()) {
            Ok(names) => {
                self.names.store(Arc::new(names));
                self.rebuilds.fetch_add(1, Relaxed);
                self.names_checked_at.store(change_counter, Relaxed);
                return_freed_memory();
                now
            }
            // Try again on the next poll.
            Err(_) => seen,
        }
    }

    /// How many times the name map was rebuilt, and the change counter the
    /// monitor last looked at (tests wait on it instead of sleeping).
    #[cfg(test)]
    pub fn name_map_stats(&self) -> (u64, u64) {
        (self.rebuilds.load(Relaxed), self.names_checked_at.load(Relaxed))
    }
}

/// What the name map was built from: the store's change counter and the
/// newest audit entry (`None` when the store cannot say).
#[derive(Debug, Clone, Copy)]
struct NamesVersion {
    change_counter: u64,
    audit_seq: Option<u64>,
}

impl NamesVersion {
    fn read(store: &dyn KeyStore, change_counter: u64) -> NamesVersion {
        let newest = AuditQuery {
            limit: Some(1),
            ..AuditQuery::default()
        };
        let audit_seq = match store.audit_entries(&newest) {
            Ok(entries) => Some(entries.first().map_or(0, |entry| entry.seq)),
            Err(_) => None,
        };
        NamesVersion {
            change_counter,
            audit_seq,
        }
    }
}

/// Gives the memory of the old name map and of the records it was read from
/// back to the system. glibc keeps freed memory in the arena of the thread
/// that freed it; at 100,000 keys each rebuild would otherwise leave tens of
/// MiB of resident memory behind (measured by scripts/bench-serve.sh).
#[allow(unsafe_code)] // malloc_trim, justified below
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap pages; it has no
    // preconditions and touches no memory in use.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn read_names(store: &dyn KeyStore) -> Result<Names, keydesk_core::StoreError> {
    Ok(store
        .list()?
        .into_iter()
        .map(|record| (record.id.clone(), Known::of(record)))
        .collect())
}

/// Stops the monitor's threads when dropped.
pub struct Monitor {
    // Held for their `Drop`, which stops and joins them.
    _threads: [Stoppable; 2],
}

/// A thread that runs until its channel closes, and is joined when dropped.
struct Stoppable {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Stoppable {
    fn spawn(name: &str, body: impl FnOnce(&Receiver<()>) + Send + 'static) -> Stoppable {
        let (stop, stopped) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || body(&stopped))
            .expect("a thread can be started");
        Stoppable {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Stoppable {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Readiness from a Verifier's health.
trait Freshness {
    fn is_fresh(&self, max_age: Duration) -> bool;
}

impl Freshness for keydesk_core::verifier::Health {
    fn is_fresh(&self, max_age: Duration) -> bool {
        self.worker_running && self.checked_ago <= max_age
    }
}

/// Says on stderr when the index stops being current and when it is again:
/// only on the change, so an outage is two lines whatever its length. The
/// store's error is shown as its message, which never holds a password.
fn report_readiness(was_ready: bool, ready: bool, health: &keydesk_core::verifier::Health, fail_static: bool) {
    match (was_ready, ready) {
        (true, false) => {
            let error = health
                .refresh_error
                .as_ref()
                .map_or_else(String::new, |e| keydesk_i18n::words::Worded::worded(e.as_ref()));
            let answer = if fail_static {
                tr!("cli-serve-index-stale-static")
            } else {
                tr!("cli-serve-index-stale-closed")
            };
            let text = tr!(
                "cli-serve-index-stale",
                seconds = health.checked_ago.as_secs(),
                answer = answer,
                error = error.as_str()
            );
            tracing::warn!(error = %error, age_seconds = health.checked_ago.as_secs(), "{text}");
        }
        (false, true) => tracing::info!("{}", tr!("cli-serve-index-current")),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use keydesk_core::verifier::Settings;
    use keydesk_core::{KeyName, Store};
    use std::time::Instant;

    fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
        let started = Instant::now();
        while !done() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn last_used_writes_do_not_rebuild_the_name_map_and_a_rename_does() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path().join("keys.redb")).unwrap());
        let (secret, record) = store.create(&KeyName::parse("before").unwrap()).unwrap();
        let settings = Settings::default().poll_interval(Duration::from_millis(10));
        let verifier = Arc::new(Verifier::with_settings(store.clone(), settings).unwrap());
        let state = Arc::new(IndexState::load(verifier.clone(), Duration::from_secs(10)).unwrap());
        let _monitor = state.spawn_monitor(Arc::new(Metrics::new()));

        // A use, written as Last Used: the change counter moves, no name did.
        assert!(verifier.verify(secret.expose()).is_some());
        assert_eq!(verifier.flush().unwrap(), 1);
        let counter = store.change_counter().unwrap();
        wait_for("the monitor to look at the Last Used write", || {
            state.name_map_stats().1 >= counter
        });
        assert_eq!(state.name_map_stats().0, 0, "rebuilt for a Last Used write");
        assert_eq!(state.cached_name(&record.id).unwrap(), "before");

        store.rename(&record.id, &KeyName::parse("after").unwrap()).unwrap();
        wait_for("the rename to show", || {
            state.cached_name(&record.id).is_some_and(|name| name == "after")
        });
        // The new map is published just before the count moves: a loaded
        // machine can stop the monitor in between.
        wait_for("the rebuild to be counted", || state.name_map_stats().0 >= 1);
        assert_eq!(state.name_map_stats().0, 1, "one rebuild, for the rename only");
    }

    #[test]
    fn policies_are_kept_beside_names_and_a_policy_change_rebuilds_the_map() {
        use keydesk_core::domain::policy::Window;
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path().join("keys.redb")).unwrap());
        let (_, plain) = store.create(&KeyName::parse("plain").unwrap()).unwrap();
        let settings = Settings::default().poll_interval(Duration::from_millis(10));
        let verifier = Arc::new(Verifier::with_settings(store.clone(), settings).unwrap());
        let state = Arc::new(IndexState::load(verifier, Duration::from_secs(10)).unwrap());
        let _monitor = state.spawn_monitor(Arc::new(Metrics::new()));
        assert!(
            state.cached(&plain.id).unwrap().policy.is_none(),
            "no rules, no policy kept"
        );

        // A key newer than the map is read from the store, policy and all.
        let limited = Policy::parse("rpm=5 methods=GET").unwrap();
        let (_, newer) = store
            .create_with_policy(&KeyName::parse("newer").unwrap(), None, &limited)
            .unwrap();
        let read = state.read_known(&newer.id).unwrap().unwrap();
        assert_eq!(read.policy.as_deref(), Some(&limited));

        store.set_policy(&plain.id, &Policy::parse("rpm=7").unwrap()).unwrap();
        wait_for("the policy change to reach the map", || {
            let policy = state.cached(&plain.id).and_then(|known| known.policy);
            policy.is_some_and(|policy| policy.rate(Window::Minute) == Some(7))
        });
        assert_eq!(state.cached(&newer.id).unwrap().policy.as_deref(), Some(&limited));
    }

    #[test]
    fn names_are_percent_encoded_utf8() {
        assert_eq!(encode_name("billing-prod_2"), "billing-prod_2");
        assert_eq!(encode_name("计费"), "%E8%AE%A1%E8%B4%B9");
        assert_eq!(encode_name("a b"), "a%20b");
    }
}
