//! Storage off the UI thread. Every store operation of the TUI (loading,
//! polling the change counter, create, rename, delete, disable, enable,
//! rotate, set expiry) runs here, on one
//! worker thread that owns the store; the event loop only sends [`Job`]s and
//! receives their outcomes as [`Event`]s on its wake-up channel. A store
//! operation may wait up to 2 s for a busy database, and the screen must not
//! freeze meanwhile.
//!
//! It works through the [`KeyStore`] trait, so every storage back end serves.

use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::domain::{AuditQuery, KeyId, KeyName};
use crate::{KeyStore, StoreError};

use super::Wake;
use super::event::{Change, Event};

/// The storage the TUI works on, shared with the worker thread.
pub type Storage = std::sync::Arc<dyn KeyStore>;

/// One storage operation.
#[derive(Debug)]
pub enum Job {
    /// Send the records if they changed since they were last sent (checked
    /// on the cheap change counter; the first refresh always sends them).
    /// The app's records only ever come from here, in order, so "last sent"
    /// is what the app shows: polling and reloading are the same job.
    Refresh,
    Create {
        name: KeyName,
        expires_at: Option<OffsetDateTime>,
    },
    Rename {
        id: KeyId,
        name: KeyName,
    },
    Delete(KeyId),
    Disable(KeyId),
    Enable(KeyId),
    Rotate {
        id: KeyId,
        grace: time::Duration,
    },
    SetExpiry {
        id: KeyId,
        expires_at: Option<OffsetDateTime>,
    },
    /// Read the newest audit log entries (of one key).
    Log {
        key: Option<KeyId>,
    },
}

/// What a job does, for deciding whether another like it is still useful.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Refresh,
    Change,
    Log,
}

impl Job {
    fn kind(&self) -> Kind {
        match self {
            Job::Refresh => Kind::Refresh,
            Job::Log { .. } => Kind::Log,
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
        thread::Builder::new()
            .name("keydesk-storage".to_owned())
            .spawn(move || serve(&storage, &queue, &wake))?;
        Ok(Worker {
            jobs,
            in_flight: VecDeque::new(),
        })
    }

    /// Sends `job`. A refresh is skipped while another is in flight; a
    /// change is refused while another change is.
    pub fn submit(&mut self, job: Job) -> Result<(), Refused> {
        let kind = job.kind();
        // A refresh waiting or running is as good as a new one: the worker
        // runs jobs in order, so it reads after any change already sent.
        // A log read is never skipped: it may be of another key.
        if kind != Kind::Log && self.in_flight.iter().any(|&(_, k)| k == kind) {
            return if kind == Kind::Change { Err(Refused::ChangeInFlight) } else { Ok(()) };
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
fn serve(storage: &Storage, jobs: &Receiver<Job>, wake: &Sender<Wake>) {
    let mut reader = Reader::default();
    for job in jobs {
        let changed = run(storage, job);
        let succeeded = matches!(
            changed,
            None | Some(
                Event::Created(Ok(_))
                    | Event::Renamed(Ok(_))
                    | Event::Deleted(Ok(_))
                    | Event::Changed(_, Ok(_))
                    | Event::Rotated(Ok(_))
            )
        );
        let mut events: Vec<Event> = changed.into_iter().collect();
        if succeeded {
            events.extend(reader.refresh(storage));
        }
        if wake.send(Wake::Stored(events)).is_err() {
            return;
        }
    }
}

/// Runs one job; a change answers with its outcome, a refresh with nothing
/// (its records follow).
fn run(storage: &Storage, job: Job) -> Option<Event> {
    Some(match job {
        Job::Refresh => return None,
        Job::Create { name, expires_at } => Event::Created(patiently(|| storage.create_expiring(&name, expires_at))),
        Job::Rename { id, name } => Event::Renamed(patiently(|| storage.rename(&id, &name))),
        Job::Delete(id) => Event::Deleted(patiently(|| storage.delete(&id))),
        Job::Disable(id) => Event::Changed(Change::Disabled, patiently(|| storage.disable(&id))),
        Job::Enable(id) => Event::Changed(Change::Enabled, patiently(|| storage.enable(&id))),
        Job::SetExpiry { id, expires_at } => {
            Event::Changed(Change::ExpirySet, patiently(|| storage.set_expiry(&id, expires_at)))
        }
        Job::Rotate { id, grace } => Event::Rotated(patiently(|| storage.rotate(&id, grace))),
        Job::Log { key } => {
            let query = AuditQuery {
                key,
                limit: Some(super::app::LOG_LIMIT),
                ..AuditQuery::default()
            };
            Event::LogLoaded(patiently(|| storage.audit_entries(&query)))
        }
    })
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
            outcome => return outcome.map_err(|e| e.to_string()),
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
}

impl Reader {
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
                Some(Event::Loaded {
                    change_counter: listing.change_counter,
                    records: listing.records,
                })
            }
            Err(error) => {
                // Read everything again once the database is back, changed
                // or not: that read is what ends the read-only state.
                self.sent = None;
                (!std::mem::replace(&mut self.failing, true)).then(|| Event::LoadFailed(error.to_string()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::KeyName;

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
        assert!(matches!(next(&mut worker, &rx)[..], [Event::Changed(Change::Enabled, Ok(_)), _]));
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

    fn next(worker: &mut Worker, rx: &Receiver<Wake>) -> Vec<Event> {
        match rx.recv_timeout(Duration::from_secs(30)).expect("the worker answers") {
            Wake::Stored(events) => {
                worker.finished();
                events
            }
            _ => panic!("only the worker sends here"),
        }
    }

    #[test]
    fn the_log_is_read_by_the_worker_even_while_a_refresh_is_in_flight() {
        let (_dir, store, mut worker, rx) = started();
        let (_, a) = store.create(&KeyName::parse("alpha").unwrap()).unwrap();
        store.create(&KeyName::parse("beta").unwrap()).unwrap();
        worker.submit(Job::Refresh).unwrap();
        worker.submit(Job::Log { key: Some(a.id.clone()) }).unwrap();
        assert!(matches!(next(&mut worker, &rx)[..], [Event::Loaded { .. }]));
        let [Event::LogLoaded(Ok(entries))] = &next(&mut worker, &rx)[..] else {
            panic!("the log read, alone")
        };
        assert_eq!(entries.len(), 1, "only alpha's entries");
        assert_eq!(entries[0].key.as_ref(), Some(&a.id));
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
            rx.recv_timeout(Duration::from_millis(200)).is_err(),
            "the key was created once"
        );
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
        assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
    }
}
