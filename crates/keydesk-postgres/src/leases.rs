//! Rate limits shared by every gateway on one database: the leases of
//! `keydesk_core::limit::shared` (read there for the design and its bound),
//! granted by PostgreSQL.
//!
//! `keydesk_rate_leases` holds one row per lease granted: key, window,
//! when (the server's clock, microseconds since the epoch), permits (the
//! used ones once given back), gateway. A grant is one transaction under a
//! transaction-level advisory lock on (key, window), so grants of one rule
//! are serialised fleet-wide while other keys' go on: it deletes that
//! rule's rows older than W + L, sums the rest, inserts the new lease. The
//! rows of rules no longer asked for go with the heartbeat's sweep (older
//! than a day and L): the table stays bounded by the leases of the last day.
//!
//! `keydesk_rate_gateways` is the heartbeat: each gateway's last sign of
//! life, every [`HEARTBEAT`]. Those seen within [`ALIVE`] are the G by which
//! a gateway divides a limit while the server does not answer.
//!
//! Limits are checked on a request's path, which must never wait for a
//! server that hangs. So PostgreSQL is talked to by one thread of each
//! [`PgLeases`] (one call at a time, under the store's connect and call
//! deadlines), and a request waits for its lease at most
//! [`REQUEST_DEADLINE`]. Past it the request is judged locally, and so are
//! the next ones at once while that thread is still on a call older than
//! the deadline, and for [`RETRY_PAUSE`] after a failure. A lease granted
//! after its request gave up is given back whole.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use keydesk_core::domain::KeyId;
use keydesk_core::domain::policy::Window;
use keydesk_core::limit::shared::{self, Charge, Lease, LeaseId, Shared, SharedError};
use keydesk_core::store::StoreError;

use super::PgStore;
use super::client::{self, Client};
use super::connect::Connector;

/// The longest a request waits for its lease.
pub const REQUEST_DEADLINE: Duration = Duration::from_millis(500);
/// How often a gateway says it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(10);
/// Gateways seen within this are alive.
pub const ALIVE: Duration = Duration::from_secs(35);
/// After a failed call, requests are judged locally this long before the
/// server is asked again.
pub const RETRY_PAUSE: Duration = Duration::from_secs(1);
/// Leases and heartbeats older than this are deleted by the sweep: longer
/// than the longest window and its lease lifetime.
const KEPT: Duration = Duration::from_secs(86_400 + 60);

/// The server's clock, in microseconds since the epoch.
const NOW_US: &str = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint";

/// One gateway's leases from PostgreSQL: a [`Shared`] source for
/// `keydesk_core::limit::Limiter::shared`. Made from a [`PgStore`], whose
/// connections (and so their deadlines) it shares.
pub struct PgLeases {
    jobs: Sender<Job>,
    state: Arc<State>,
    deadline: Duration,
}

/// What the requests and the thread that talks to the server share.
struct State {
    gateway: String,
    /// The gateways alive, as last counted.
    gateways: AtomicU32,
    /// Since when the thread has been on its current call, if it is.
    busy_since: Mutex<Option<Instant>>,
    /// No call before this, after a failure.
    retry_at: Mutex<Option<Instant>>,
    /// Leases asked for (requests judged locally included).
    asked: AtomicU64,
}

enum Job {
    Lease {
        id: KeyId,
        window: Window,
        limit: u32,
        want: u32,
        /// When its request stops waiting for the answer.
        given_up_at: Instant,
        reply: SyncSender<Result<Lease, SharedError>>,
    },
    GiveBack {
        lease: LeaseId,
        used: u32,
    },
}

impl std::fmt::Debug for PgLeases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgLeases")
            .field("gateway", &self.state.gateway)
            .finish_non_exhaustive()
    }
}

impl PgLeases {
    /// This gateway's leases on `store`'s database, with a thread of their
    /// own, which says at once that the gateway is alive.
    pub fn new(store: &PgStore) -> PgLeases {
        let state = Arc::new(State {
            gateway: gateway_name(),
            gateways: AtomicU32::new(1),
            busy_since: Mutex::new(None),
            retry_at: Mutex::new(None),
            asked: AtomicU64::new(0),
        });
        let (jobs, queue) = mpsc::channel();
        let worker = Worker {
            connector: Arc::clone(&store.connector),
            state: Arc::clone(&state),
        };
        std::thread::Builder::new()
            .name("keydesk-leases".into())
            .spawn(move || worker.run(queue))
            .expect("a thread for the leases");
        PgLeases {
            jobs,
            state,
            deadline: REQUEST_DEADLINE,
        }
    }

    /// Replaces how long a request waits for its lease.
    pub fn with_deadline(mut self, deadline: Duration) -> PgLeases {
        self.deadline = deadline;
        self
    }

    /// How many leases were asked for, by requests that needed a permit.
    pub fn asked(&self) -> u64 {
        self.state.asked.load(Ordering::Relaxed)
    }

    /// Whether requests are judged locally now without asking the server:
    /// the thread is stuck on a call longer than a request would wait, or
    /// the last call failed a moment ago.
    fn unavailable(&self) -> bool {
        let busy_since = *lock(&self.state.busy_since);
        if busy_since.is_some_and(|since| since.elapsed() > self.deadline) {
            return true;
        }
        let retry_at = *lock(&self.state.retry_at);
        retry_at.is_some_and(|at| Instant::now() < at)
    }
}

impl Shared for PgLeases {
    fn lease(&self, id: &KeyId, window: Window, limit: u32, want: u32) -> Result<Lease, SharedError> {
        self.state.asked.fetch_add(1, Ordering::Relaxed);
        if self.unavailable() {
            return Err(SharedError::Unreachable);
        }
        let (reply, answer) = mpsc::sync_channel(1);
        let job = Job::Lease {
            id: id.clone(),
            window,
            limit,
            want,
            given_up_at: Instant::now() + self.deadline,
            reply,
        };
        if self.jobs.send(job).is_err() {
            return Err(SharedError::Unreachable);
        }
        answer
            .recv_timeout(self.deadline)
            .unwrap_or(Err(SharedError::Unreachable))
    }

    fn give_back(&self, lease: LeaseId, used: u32) {
        let _ = self.jobs.send(Job::GiveBack { lease, used });
    }

    fn gateways(&self) -> u32 {
        self.state.gateways.load(Ordering::Relaxed).max(1)
    }
}

/// A name no other gateway has: not secret, only distinct.
pub(crate) fn gateway_name() -> String {
    static MADE: AtomicU64 = AtomicU64::new(0);
    let since = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let made = MADE.fetch_add(1, Ordering::Relaxed);
    format!("{}-{since:x}-{made}", std::process::id())
}

/// The thread that talks to the server.
struct Worker {
    connector: Arc<Connector>,
    state: Arc<State>,
}

impl Worker {
    /// Runs jobs as they come and beats between them, until the
    /// [`PgLeases`] is dropped.
    fn run(self, queue: Receiver<Job>) {
        let mut last_beat: Option<Instant> = None;
        loop {
            let wait = last_beat.map_or(Duration::ZERO, |at| HEARTBEAT.saturating_sub(at.elapsed()));
            match queue.recv_timeout(wait) {
                Ok(job) => self.run_job(job),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            if last_beat.is_none_or(|at| at.elapsed() >= HEARTBEAT) {
                last_beat = Some(Instant::now());
                let beat = self.call(|client| beat(client, &self.state.gateway));
                if let Ok(alive) = beat {
                    self.state.gateways.store(alive, Ordering::Relaxed);
                }
            }
        }
    }

    fn run_job(&self, job: Job) {
        match job {
            Job::Lease {
                id,
                window,
                limit,
                want,
                given_up_at,
                reply,
            } => {
                if Instant::now() >= given_up_at {
                    return; // its request was judged without it
                }
                let result = self.call(|client| grant(client, &self.state.gateway, &id, window, limit, want));
                let result = result.map_err(|e| SharedError::Failed(e.to_string()));
                if let Err(std::sync::mpsc::SendError(Ok(lease))) = reply.send(result)
                    && lease.granted > 0
                {
                    // Its request gave up meanwhile: nothing of it was used.
                    let _ = self.call(|client| give_back(client, lease.id, 0));
                }
            }
            Job::GiveBack { lease, used } => {
                let _ = self.call(|client| give_back(client, lease, used));
            }
        }
    }

    /// One call on a pooled connection, timed for [`PgLeases::unavailable`];
    /// a failure pauses the asking.
    fn call<T>(&self, body: impl FnOnce(&mut Client) -> Result<T, client::Error>) -> Result<T, StoreError> {
        let location = self.connector.location().to_owned();
        *lock(&self.state.busy_since) = Some(Instant::now());
        let result = self
            .connector
            .with_client(|client| body(client).map_err(|e| super::connect::error(&location, e)));
        *lock(&self.state.retry_at) = result.is_err().then(|| Instant::now() + RETRY_PAUSE);
        *lock(&self.state.busy_since) = None;
        result
    }
}

/// Grants a lease of up to `want` permits of `id`'s rule of `limit` per
/// `window`, in one transaction serialised with every other grant of that
/// rule.
fn grant(
    client: &mut Client,
    gateway: &str,
    id: &KeyId,
    window: Window,
    limit: u32,
    want: u32,
) -> Result<Lease, client::Error> {
    let window_secs = window.length().as_secs() as i32;
    let horizon_us = micros(window.length() + shared::lifetime(window));
    let mut txn = client.transaction()?;
    txn.execute(
        "SELECT pg_advisory_xact_lock(hashtext($1), $2)",
        &[&id.as_str(), &window_secs],
    )?;
    // Read after the lock: grants of a rule are in the order of their times.
    let now_us: i64 = txn.query_one(&format!("SELECT {NOW_US}"), &[])?.get(0);
    txn.execute(
        "DELETE FROM keydesk_rate_leases WHERE key_id = $1 AND window_secs = $2 AND granted_us <= $3",
        &[&id.as_str(), &window_secs, &(now_us - horizon_us)],
    )?;
    let rows = txn.query(
        "SELECT granted_us, permits FROM keydesk_rate_leases \
         WHERE key_id = $1 AND window_secs = $2 AND permits > 0",
        &[&id.as_str(), &window_secs],
    )?;
    let charges: Vec<Charge> = rows
        .iter()
        .map(|row| Charge {
            age: Duration::from_micros(now_us.saturating_sub(row.get::<_, i64>(0)).max(0) as u64),
            permits: row.get::<_, i32>(1).max(0) as u32,
        })
        .collect();
    let (granted, retry_after) = shared::decide(limit, want, window, &charges);
    let mut lease_id = 0;
    if granted > 0 {
        lease_id = txn
            .query_one(
                "INSERT INTO keydesk_rate_leases (key_id, window_secs, granted_us, permits, gateway) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING lease_id",
                &[&id.as_str(), &window_secs, &now_us, &(granted as i32), &gateway],
            )?
            .get(0);
    }
    txn.commit()?;
    Ok(Lease {
        id: LeaseId(lease_id),
        granted,
        retry_after,
    })
}

/// Charges only the `used` permits of `lease` from now on.
fn give_back(client: &mut Client, lease: LeaseId, used: u32) -> Result<(), client::Error> {
    client.execute(
        "UPDATE keydesk_rate_leases SET permits = $2 WHERE lease_id = $1 AND permits > $2",
        &[&lease.0, &(used as i32)],
    )?;
    Ok(())
}

/// Says `gateway` is alive, deletes what is too old to matter, and counts
/// the gateways alive.
fn beat(client: &mut Client, gateway: &str) -> Result<u32, client::Error> {
    client.execute(
        &format!(
            "INSERT INTO keydesk_rate_gateways (gateway, seen_us) VALUES ($1, {NOW_US}) \
             ON CONFLICT (gateway) DO UPDATE SET seen_us = EXCLUDED.seen_us"
        ),
        &[&gateway],
    )?;
    let kept = micros(KEPT);
    client.execute(
        &format!("DELETE FROM keydesk_rate_gateways WHERE seen_us < {NOW_US} - $1"),
        &[&kept],
    )?;
    client.execute(
        &format!("DELETE FROM keydesk_rate_leases WHERE granted_us < {NOW_US} - $1"),
        &[&kept],
    )?;
    let alive: i64 = client
        .query_one(
            &format!("SELECT count(*) FROM keydesk_rate_gateways WHERE seen_us >= {NOW_US} - $1"),
            &[&micros(ALIVE)],
        )?
        .get(0);
    Ok(alive.clamp(1, i64::from(u32::MAX)) as u32)
}

/// The state holds plain values, whole whatever a panicking holder did.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn micros(duration: Duration) -> i64 {
    duration.as_micros() as i64
}
