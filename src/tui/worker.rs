//! Storage off the UI thread. Every store operation of the TUI (loading,
//! polling the change counter, create, rename, delete, disable, enable,
//! rotate, set expiry, reading and searching the audit log) runs here, on one
//! worker thread that owns the store; the event loop only sends [`Job`]s and
//! receives their outcomes as [`Event`]s on its wake-up channel. A store
//! operation may wait up to 2 s for a busy database, and the screen must not
//! freeze meanwhile.
//!
//! It works through the [`KeyStore`] trait, so every storage back end serves.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::domain::token_counts::token_hours_from;
use crate::domain::{AuditQuery, Hour, UsageQuery};
use crate::i18n::words::Worded;
use crate::{KeyStore, StoreError};

use super::event::Wake;
use super::event::{Bulk, Change, Event, Job};
use super::log_search::{LogPage, LogRequest, entry_matches};

/// The storage the TUI works on, shared with the worker thread.
pub type Storage = std::sync::Arc<dyn KeyStore>;

/// What a job does, for deciding whether another like it is still useful.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Refresh,
    Change,
    Log,
}

impl Kind {
    fn of(job: &Job) -> Kind {
        match job {
            Job::Refresh => Kind::Refresh,
            Job::LogPage(_) => Kind::Log,
            _ => Kind::Change,
        }
    }
}

/// The event loop's handle on the worker thread. Jobs run one at a time in
/// the order sent; the handle keeps track of what is in flight.
pub struct Worker {
    jobs: Sender<Job>,
    /// When each job in flight was sent, and what it does; oldest first,
    /// which is the one running.
    in_flight: VecDeque<(Instant, Kind)>,
    /// The newest log search sent: a page of an older one still running
    /// stops early (the screen would drop it).
    log_search: Arc<AtomicU64>,
}

/// Why a job was not sent.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// A change is still in flight: a second one (Enter pressed twice while
    /// the database is busy) could create a key twice.
    ChangeInFlight,
}

impl Worker {
    /// Starts the worker thread; outcomes go to `wake` as [`Wake::Stored`].
    pub fn spawn(storage: Storage, wake: Sender<Wake>) -> std::io::Result<Worker> {
        let (jobs, queue) = mpsc::channel();
        let log_search = Arc::new(AtomicU64::new(0));
        let current = log_search.clone();
        thread::Builder::new()
            .name("keydesk-storage".to_owned())
            .spawn(move || serve(&storage, &queue, &wake, &current))?;
        Ok(Worker {
            jobs,
            in_flight: VecDeque::new(),
            log_search,
        })
    }

    /// Sends `job`. A refresh is skipped while another is in flight; a
    /// change is refused while another change is.
    pub fn submit(&mut self, job: Job) -> Result<(), Refused> {
        let kind = Kind::of(&job);
        // A refresh waiting or running is as good as a new one: the worker
        // runs jobs in order, so it reads after any change already sent.
        // A log read is never skipped: it may be of another search.
        if let Job::LogPage(request) = &job {
            self.log_search.store(request.search, Ordering::Relaxed);
        }
        if kind != Kind::Log && self.in_flight.iter().any(|&(_, k)| k == kind) {
            return if kind == Kind::Change {
                Err(Refused::ChangeInFlight)
            } else {
                Ok(())
            };
        }
        // The thread only stops when this handle is dropped.
        if self.jobs.send(job).is_ok() {
            self.in_flight.push_back((Instant::now(), kind));
        }
        Ok(())
    }

    /// Call for every [`Wake::Stored`] received.
    pub fn finished(&mut self) {
        self.in_flight.pop_front();
    }

    /// How long the running job has been running, if one is.
    pub fn busy_for(&self, now: Instant) -> Option<Duration> {
        self.in_flight
            .front()
            .map(|&(sent, _)| now.saturating_duration_since(sent))
    }
}

/// The worker thread: runs jobs until the event loop is gone. A successful
/// change is sent together with the records read right after it, so the
/// screen never shows the change's message beside the old list.
fn serve(storage: &Storage, jobs: &Receiver<Job>, wake: &Sender<Wake>, log_search: &AtomicU64) {
    let mut reader = Reader::default();
    for job in jobs {
        let events = match guarded(|| handle(storage, &mut reader, &job, log_search)) {
            Ok(events) => events,
            Err(bug) => vec![failed(&job, tr!("dialog-bug-saving", bug = bug))],
        };
        if wake.send(Wake::Stored(events)).is_err() {
            return;
        }
        // After the records have gone: at 100,000 keys reading every key's
        // counts takes about a second, which the first frame must not wait for.
        let usage = guarded(|| reader.usage(storage)).unwrap_or_else(|bug| Some(usage_failed(bug)));
        if let Some(usage) = usage
            && wake.send(Wake::Usage(usage)).is_err()
        {
            return;
        }
    }
}

thread_local! {
    static CATCHING_PANICS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether a panic happening now on this thread will be caught by the
/// storage thread and reported on screen: the panic hook must then leave
/// the terminal alone (the TUI goes on) and say nothing.
pub fn panic_is_being_caught() -> bool {
    CATCHING_PANICS.get()
}

/// Runs `work`, turning a panic (a bug) into its message, so one bad job
/// cannot take the storage thread down and leave the screen "working…"
/// for ever.
fn guarded<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    CATCHING_PANICS.set(true);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    CATCHING_PANICS.set(false);
    outcome.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|text| (*text).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| tr!("dialog-bug-unknown"))
    })
}

/// The answer to `job` when it failed with `message`: the outcome its
/// screen is waiting for.
fn failed(job: &Job, message: String) -> Event {
    match job {
        Job::Refresh => Event::LoadFailed(message),
        Job::Create { .. } => Event::Created(Err(message)),
        Job::Rename { .. } => Event::Renamed(Err(message)),
        Job::Delete(_) => Event::Deleted(Err(message)),
        Job::Disable(_) => Event::Changed(Change::Disabled, Err(message)),
        Job::Enable(_) => Event::Changed(Change::Enabled, Err(message)),
        Job::SetExpiry { .. } => Event::Changed(Change::ExpirySet, Err(message)),
        Job::SetPolicy { .. } => Event::Changed(Change::PolicySet, Err(message)),
        Job::Rotate { .. } => Event::Rotated(Err(message)),
        Job::Bulk { bulk, .. } => Event::Bulk(*bulk, Err(message)),
        Job::LogPage(request) => Event::LogPage {
            search: request.search,
            page: Err(message),
        },
    }
}

/// One job: its outcome, then (after a successful change, or for a
/// refresh) the records if they changed.
fn handle(storage: &Storage, reader: &mut Reader, job: &Job, log_search: &AtomicU64) -> Vec<Event> {
    let changed = run(storage, job, log_search);
    let succeeded = matches!(
        changed,
        None | Some(
            Event::Created(Ok(_))
                | Event::Renamed(Ok(_))
                | Event::Deleted(Ok(_))
                | Event::Changed(_, Ok(_))
                | Event::Rotated(Ok(_))
                | Event::Bulk(_, Ok(_))
        )
    );
    let mut events: Vec<Event> = changed.into_iter().collect();
    if succeeded {
        events.extend(reader.refresh(storage));
    }
    events
}

/// Runs one job; a change answers with its outcome, a refresh with nothing
/// (its records follow).
fn run(storage: &Storage, job: &Job, log_search: &AtomicU64) -> Option<Event> {
    Some(match job {
        Job::Refresh => return None,
        Job::Create { name, expires_at } => Event::Created(patiently(|| storage.create_expiring(name, *expires_at))),
        Job::Rename { id, name } => Event::Renamed(patiently(|| storage.rename(id, name))),
        Job::Delete(id) => Event::Deleted(patiently(|| storage.delete(id))),
        Job::Disable(id) => Event::Changed(Change::Disabled, patiently(|| storage.disable(id))),
        Job::Enable(id) => Event::Changed(Change::Enabled, patiently(|| storage.enable(id))),
        Job::SetExpiry { id, expires_at } => {
            Event::Changed(Change::ExpirySet, patiently(|| storage.set_expiry(id, *expires_at)))
        }
        Job::SetPolicy { id, policy } => {
            Event::Changed(Change::PolicySet, patiently(|| storage.set_policy(id, policy)))
        }
        Job::Bulk { bulk, ids } => Event::Bulk(
            *bulk,
            patiently(|| match bulk {
                Bulk::Disable => storage.disable_many(ids),
                Bulk::Delete => storage.delete_many(ids),
            }),
        ),
        Job::Rotate { id, grace } => Event::Rotated(patiently(|| storage.rotate(id, *grace))),
        Job::LogPage(request) => Event::LogPage {
            search: request.search,
            page: read_log_page(storage, request, log_search),
        },
    })
}

/// Entries read per store call while paging or searching the log.
const LOG_READ: usize = 500;
/// A search job looks at no more entries than this, so that it never holds
/// the worker (and the changes queued behind it) for long; the screen asks
/// for the next page while it needs more rows.
const LOG_SCAN: usize = 10_000;

/// The matches of `request`'s filter in the entries older than its
/// `before_seq`, newest first: a page of them (at least [`LOG_READ`] when
/// there are that many), or all found in [`LOG_SCAN`] entries, or all to the
/// oldest entry. Stops at once when a newer search was sent.
fn read_log_page(storage: &Storage, request: &LogRequest, log_search: &AtomicU64) -> Result<LogPage, String> {
    let mut page = LogPage {
        matches: Vec::new(),
        next_before: request.before_seq,
    };
    let mut scanned = 0;
    while log_search.load(Ordering::Relaxed) == request.search {
        let query = AuditQuery {
            key: request.key.clone(),
            before_seq: page.next_before,
            limit: Some(LOG_READ),
            ..AuditQuery::default()
        };
        let entries = patiently(|| storage.audit_entries(&query))?;
        scanned += entries.len();
        let more = entries.len() == LOG_READ;
        page.next_before = entries.last().map(|e| e.seq).filter(|_| more);
        let matching = entries.into_iter().filter(|e| entry_matches(e, &request.needle));
        page.matches.extend(matching);
        if page.next_before.is_none() || page.matches.len() >= LOG_READ || scanned >= LOG_SCAN {
            break;
        }
    }
    Ok(page)
}

/// The days and hours the details pane and the clean-up view show: 30 days
/// and 24 hours up to now.
pub const USAGE_DAYS: u32 = 30;
pub const USAGE_HOURS: u32 = 24;

/// Every key's counts in the last [`USAGE_DAYS`] days and [`USAGE_HOURS`]
/// hours, and its hourly token counts as far back as stores keep them (32
/// days): a budget's period (this month, in any UTC offset) is summed from
/// them. Request counts of hours before the last [`USAGE_HOURS`] are
/// dropped as they arrive: nothing shows them.
fn read_usage(storage: &Storage) -> Event {
    let query = usage_query();
    let first_shown = Hour(query.hours.end.0.saturating_sub(USAGE_HOURS));
    let found = storage.usage(&query).map_err(|e| e.worded()).map(|mut found| {
        for (_, usage) in &mut found {
            usage.hourly.retain(|(hour, _)| *hour >= first_shown);
        }
        found
    });
    Event::UsageLoaded(query, found)
}

fn usage_query() -> UsageQuery {
    let now = OffsetDateTime::now_utc();
    let mut query = UsageQuery::last(None, USAGE_DAYS, USAGE_HOURS, now);
    query.hours.start = token_hours_from(now);
    query
}

/// The usage read's answer when it hit a bug.
fn usage_failed(bug: String) -> Event {
    Event::UsageLoaded(usage_query(), Err(tr!("dialog-bug-usage", bug = bug)))
}

/// How long a change keeps trying while the database is busy. The store
/// itself gives up after a couple of seconds, which suits a command-line call;
/// here the screen stays live ("working…", and Ctrl-C quits at once), so there
/// is no reason to fail a person's change that soon.
const PATIENCE: Duration = Duration::from_secs(30);

/// Runs a change, again while the database is busy (nothing was written then),
/// for up to [`PATIENCE`]. Each try waits with backoff inside the store.
fn patiently<T>(change: impl Fn() -> Result<T, StoreError>) -> Result<T, String> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match change() {
            Err(StoreError::Busy { .. }) if Instant::now() < deadline => continue,
            outcome => return outcome.map_err(|e| e.worded()),
        }
    }
}

/// What the worker last sent, to send only what is new.
#[derive(Default)]
struct Reader {
    /// The change counter of the records last sent.
    sent: Option<u64>,
    /// A failing read is reported once, not every second, until it recovers.
    failing: bool,
    /// The store changed since the usage counts were last read (counts move
    /// the change counter too).
    usage_due: bool,
    /// No usage read before this: reads are spaced by ten times what the last
    /// one took (at least a second), so that at 100,000 keys, where one takes
    /// about a second, they take at most a tenth of the worker's time.
    usage_next: Option<Instant>,
}

impl Reader {
    /// Every key's counts, when the store changed since they were last read
    /// and the spacing allows; later polls catch up on a change skipped now.
    fn usage(&mut self, storage: &Storage) -> Option<Event> {
        if !self.usage_due || self.usage_next.is_some_and(|next| Instant::now() < next) {
            return None;
        }
        let started = Instant::now();
        let usage = read_usage(storage);
        self.usage_due = false;
        self.usage_next = Some(Instant::now() + (started.elapsed() * 10).max(Duration::from_secs(1)));
        Some(usage)
    }

    fn refresh(&mut self, storage: &Storage) -> Option<Event> {
        let read = storage.change_counter().and_then(|counter| {
            if Some(counter) == self.sent {
                return Ok(None);
            }
            storage.load().map(Some)
        });
        match read {
            Ok(listing) => {
                self.failing = false;
                let listing = listing?;
                self.sent = Some(listing.change_counter);
                self.usage_due = true;
                Some(Event::Loaded {
                    change_counter: listing.change_counter,
                    records: listing.records,
                })
            }
            Err(error) => {
                // Read everything again once the database is back, changed
                // or not: that read is what ends the read-only state.
                self.sent = None;
                (!std::mem::replace(&mut self.failing, true)).then(|| Event::LoadFailed(error.worded()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{KeyId, KeyName};

    fn log_request(key: Option<KeyId>, before_seq: Option<u64>, needle: &str, search: u64) -> LogRequest {
        LogRequest {
            key,
            before_seq,
            needle: needle.to_owned(),
            search,
        }
    }

    fn started() -> (tempfile::TempDir, Storage, Worker, Receiver<Wake>) {
        let dir = tempfile::tempdir().unwrap();
        let store: Storage = std::sync::Arc::new(crate::Store::open(dir.path().join("keys.redb")).unwrap());
        let (tx, rx) = mpsc::channel();
        let worker = Worker::spawn(store.clone(), tx).unwrap();
        (dir, store, worker, rx)
    }

    fn create(name: &str) -> Job {
        Job::Create {
            name: KeyName::parse(name).unwrap(),
            expires_at: None,
        }
    }

    #[test]
    fn lifecycle_changes_come_back_with_the_changed_record_and_the_records() {
        let (_dir, store, mut worker, rx) = started();
        let (old, record) = store.create(&KeyName::parse("svc").unwrap()).unwrap();
        let id = record.id.clone();
        worker.submit(Job::Disable(id.clone())).unwrap();
        let [Event::Changed(Change::Disabled, Ok(r)), Event::Loaded { .. }] = &next(&mut worker, &rx)[..] else {
            panic!("disabled, then the records")
        };
        assert!(r.disabled_at.is_some());
        worker.submit(Job::Enable(id.clone())).unwrap();
        assert!(matches!(
            next(&mut worker, &rx)[..],
            [Event::Changed(Change::Enabled, Ok(_)), _]
        ));
        let grace = time::Duration::HOUR;
        worker.submit(Job::Rotate { id: id.clone(), grace }).unwrap();
        let [Event::Rotated(Ok((new, _))), Event::Loaded { .. }] = &next(&mut worker, &rx)[..] else {
            panic!("rotated, then the records")
        };
        assert!(store.verify(new.expose()).unwrap().is_some());
        assert!(store.verify(old.expose()).unwrap().is_some(), "in its grace");
        store.delete(&id).unwrap();
        worker.submit(Job::SetExpiry { id, expires_at: None }).unwrap();
        let [Event::Changed(Change::ExpirySet, Err(message))] = &next(&mut worker, &rx)[..] else {
            panic!("a failed change comes back alone")
        };
        assert!(message.contains("no key with ID"), "{message}");
    }

    /// The next job's events; usage reads sent meanwhile are passed over.
    fn next(worker: &mut Worker, rx: &Receiver<Wake>) -> Vec<Event> {
        loop {
            match rx.recv_timeout(Duration::from_secs(30)).expect("the worker answers") {
                Wake::Stored(events) => {
                    worker.finished();
                    return events;
                }
                Wake::Usage(_) => continue,
                _ => panic!("only the worker sends here"),
            }
        }
    }

    fn next_usage(rx: &Receiver<Wake>) -> Event {
        loop {
            match rx.recv_timeout(Duration::from_secs(30)).expect("the worker answers") {
                Wake::Usage(event) => return event,
                Wake::Stored(_) => continue,
                _ => panic!("only the worker sends here"),
            }
        }
    }

    #[test]
    fn the_log_is_read_by_the_worker_even_while_a_refresh_is_in_flight() {
        let (_dir, store, mut worker, rx) = started();
        let (_, a) = store.create(&KeyName::parse("alpha").unwrap()).unwrap();
        store.create(&KeyName::parse("beta").unwrap()).unwrap();
        worker.submit(Job::Refresh).unwrap();
        worker
            .submit(Job::LogPage(log_request(Some(a.id.clone()), None, "", 7)))
            .unwrap();
        assert!(matches!(next(&mut worker, &rx)[..], [Event::Loaded { .. }]));
        let [
            Event::LogPage {
                search: 7,
                page: Ok(page),
            },
        ] = &next(&mut worker, &rx)[..]
        else {
            panic!("the log read, alone")
        };
        assert_eq!(page.matches.len(), 1, "only alpha's entries");
        assert_eq!(page.matches[0].key.as_ref(), Some(&a.id));
        assert_eq!(page.next_before, None, "the oldest entry was reached");
    }

    /// A store of `count` keys, so `count` audit entries (create_many).
    fn log_of(count: usize) -> (tempfile::TempDir, Storage) {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(dir.path().join("keys.redb")).unwrap();
        let names: Vec<_> = (0..count)
            .map(|i| KeyName::parse(&format!("svc-{i:05}")).unwrap())
            .collect();
        store.create_many(&names).unwrap();
        (dir, std::sync::Arc::new(store))
    }

    #[test]
    fn the_log_is_read_a_page_at_a_time_from_before_seq() {
        let (_dir, storage) = log_of(LOG_READ + 20);
        let current = AtomicU64::new(1);
        let first = read_log_page(&storage, &log_request(None, None, "", 1), &current).unwrap();
        assert_eq!(first.matches.len(), LOG_READ);
        assert_eq!(first.matches[0].seq, (LOG_READ + 20) as u64, "newest first");
        assert_eq!(first.next_before, Some(21));
        let rest = read_log_page(&storage, &log_request(None, Some(21), "", 1), &current).unwrap();
        let seqs: Vec<u64> = rest.matches.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=20).rev().collect::<Vec<u64>>());
        assert_eq!(rest.next_before, None);
    }

    #[test]
    fn a_log_search_scans_a_bounded_number_of_entries_per_job_and_says_where_to_go_on() {
        let (_dir, storage) = log_of(LOG_SCAN + LOG_READ + 3);
        let current = AtomicU64::new(1);
        // Only the three oldest keys match "svc-0000" + 0..2.
        let first = read_log_page(&storage, &log_request(None, None, "svc-0000", 1), &current).unwrap();
        assert!(first.matches.is_empty());
        let next = first.next_before.expect("more to search");
        assert_eq!(next, (LOG_READ + 4) as u64, "{LOG_SCAN} entries looked at");
        let rest = read_log_page(&storage, &log_request(None, Some(next), "svc-0000", 1), &current).unwrap();
        let names: Vec<_> = rest.matches.iter().map(|e| e.name.clone().unwrap()).collect();
        assert_eq!(names.len(), 10, "svc-00000 to svc-00009: {names:?}");
        assert_eq!(rest.next_before, None);
    }

    #[test]
    fn a_log_search_replaced_by_a_newer_one_stops_without_reading() {
        let (_dir, storage) = log_of(30);
        let newer = AtomicU64::new(2);
        let page = read_log_page(&storage, &log_request(None, Some(20), "", 1), &newer).unwrap();
        assert!(page.matches.is_empty());
        assert_eq!(page.next_before, Some(20), "nothing read");
    }

    #[test]
    fn a_refresh_sends_the_records_only_when_they_changed() {
        let (_dir, store, mut worker, rx) = started();
        worker.submit(Job::Refresh).unwrap();
        assert!(
            matches!(next(&mut worker, &rx)[..], [Event::Loaded { .. }]),
            "the first refresh loads"
        );
        worker.submit(Job::Refresh).unwrap();
        assert!(next(&mut worker, &rx).is_empty(), "nothing changed");
        store.create(&KeyName::parse("moved").unwrap()).unwrap();
        worker.submit(Job::Refresh).unwrap();
        let [Event::Loaded { records, .. }] = &next(&mut worker, &rx)[..] else {
            panic!("the counter moved, so the refresh loads")
        };
        assert_eq!(records.len(), 1);
        assert_eq!(worker.busy_for(Instant::now()), None, "nothing in flight");
    }

    #[test]
    fn a_change_comes_back_with_the_records_read_after_it() {
        let (_dir, _store, mut worker, rx) = started();
        worker.submit(create("new")).unwrap();
        let [Event::Created(Ok(_)), Event::Loaded { records, .. }] = &next(&mut worker, &rx)[..] else {
            panic!("created, then the records")
        };
        assert_eq!(records.len(), 1);
    }

    #[test]
    fn a_second_change_is_refused_while_one_is_in_flight() {
        let (_dir, _store, mut worker, rx) = started();
        let name = KeyName::parse("once").unwrap();
        worker.submit(create(name.as_str())).unwrap();
        assert_eq!(worker.submit(create(name.as_str())), Err(Refused::ChangeInFlight));
        assert!(matches!(next(&mut worker, &rx)[..], [Event::Created(Ok(_)), _]));
        assert!(
            !matches!(rx.recv_timeout(Duration::from_millis(200)), Ok(Wake::Stored(_))),
            "the key was created once"
        );
    }

    #[test]
    fn a_bug_in_a_job_becomes_its_failed_outcome_and_the_panic_hook_is_told() {
        let seen_by_hook = std::cell::Cell::new(false);
        let outcome: Result<(), String> = guarded(|| {
            seen_by_hook.set(panic_is_being_caught());
            panic!("index out of bounds")
        });
        assert_eq!(outcome, Err("index out of bounds".to_owned()));
        assert!(
            seen_by_hook.get(),
            "the hook would stay quiet and leave the terminal alone"
        );
        assert!(!panic_is_being_caught(), "only while the job runs");
        let Event::Created(Err(message)) = failed(&create("x1"), "bug".to_owned()) else {
            panic!("a create's screen waits for Created")
        };
        assert_eq!(message, "bug");
        assert!(matches!(failed(&Job::Refresh, String::new()), Event::LoadFailed(_)));
    }

    #[test]
    fn the_usage_read_brings_token_hours_a_month_back_and_request_hours_of_the_last_day() {
        use crate::domain::{Outcome, TokenCounts, TokenDelta, UsageCounts, UsageDelta};
        let (_dir, store, mut worker, rx) = started();
        let (_, a) = store.create(&KeyName::parse("alpha").unwrap()).unwrap();
        let now = OffsetDateTime::now_utc();
        let (recent, old) = (Hour::of(now), Hour(Hour::of(now).0 - 21 * 24));
        let counts = |hour| UsageDelta {
            id: a.id.clone(),
            hour,
            counts: UsageCounts::of(Outcome::Accepted, 1),
        };
        let tokens = |hour| TokenDelta {
            id: a.id.clone(),
            hour,
            model: Some("m".into()),
            counts: TokenCounts {
                input: 10,
                ..TokenCounts::default()
            },
        };
        let (uses, tokens) = (
            [counts(recent), counts(Hour(recent.0 - 48))],
            [tokens(recent), tokens(old)],
        );
        store.record_usage_and_tokens(&[], &uses, &tokens).unwrap();
        worker.submit(Job::Refresh).unwrap();
        next(&mut worker, &rx);
        let Event::UsageLoaded(query, Ok(usage)) = next_usage(&rx) else {
            panic!("the usage")
        };
        let usage = &usage[0].1;
        let token_hours: Vec<Hour> = usage.tokens_hourly.iter().map(|(hour, _, _)| *hour).collect();
        assert_eq!(
            token_hours,
            [old, recent],
            "three weeks back: a budget's month needs them"
        );
        let request_hours: Vec<Hour> = usage.hourly.iter().map(|(hour, _)| *hour).collect();
        assert_eq!(request_hours, [recent], "two days back is not shown: dropped");
        assert!(query.hours.start <= old);
    }

    #[test]
    fn a_bulk_disable_comes_back_with_the_records_and_their_usage() {
        let (_dir, store, mut worker, rx) = started();
        let (secret, a) = store.create(&KeyName::parse("alpha").unwrap()).unwrap();
        let (_, b) = store.create(&KeyName::parse("beta").unwrap()).unwrap();
        store.verify(secret.expose()).unwrap();
        worker
            .submit(Job::Bulk {
                bulk: Bulk::Disable,
                ids: vec![a.id.clone(), b.id.clone()],
            })
            .unwrap();
        let [Event::Bulk(Bulk::Disable, Ok(done)), Event::Loaded { .. }] = &next(&mut worker, &rx)[..] else {
            panic!("disabled, then the records")
        };
        assert!(done.iter().all(|r| r.disabled_at.is_some()));
        let Event::UsageLoaded(_, Ok(usage)) = next_usage(&rx) else {
            panic!("then the usage, on its own")
        };
        assert_eq!(usage.len(), 1, "alpha was used once");
        assert_eq!(usage[0].1.total().accepted, 1);
    }

    #[test]
    fn refreshes_do_not_pile_up_behind_a_running_one() {
        let (_dir, _store, mut worker, rx) = started();
        for _ in 0..3 {
            worker.submit(Job::Refresh).unwrap();
        }
        assert_eq!(next(&mut worker, &rx).len(), 1);
        assert_eq!(
            worker.busy_for(Instant::now()),
            None,
            "the extra refreshes were skipped"
        );
        assert!(!matches!(
            rx.recv_timeout(Duration::from_millis(200)),
            Ok(Wake::Stored(_))
        ));
    }
}
