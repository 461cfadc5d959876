//! The state behind a key's limits: its request rates over sliding windows
//! and its requests in flight. A gateway asks [`Limiter::admit`] once per
//! request that passed the key check and the policy's scopes.
//!
//! Rates are a sliding log: each rule remembers the instant of every request
//! it accepted within its window, so "at most N in *any* window of that
//! length" holds exactly (a fixed window lets 2N through across a boundary;
//! a token bucket lets a burst of N on top of the steady rate). The price is
//! memory: 8 bytes per accepted request still within a window, at most
//! [`crate::domain::policy::MAX_RATE`] per rule, plus a small fixed state per
//! key with limits that has been seen ([`STATE_BYTES`]). Keys idle for a
//! whole day leave the map when [`Limiter::sweep`] runs.
//!
//! Refused requests count toward nothing: a request is checked against every
//! rule under the key's lock and recorded in all of them only if all accept.
//!
//! A limiter is one gateway's. With a [`Shared`] source ([`Limiter::shared`],
//! PostgreSQL's in `keydesk-postgres`) rate rules hold across the fleet of
//! gateways charging it: see [`shared`] for the leases, the bound and what
//! happens while the source is unreachable. Without one — and always on a
//! single host's redb file — limits are per `serve` process: two processes
//! on one file do not share them. Keys without limits never touch the state
//! nor the shared source.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::domain::KeyId;
use crate::domain::policy::{Policy, Reason, Window};

pub mod shared;
pub mod shared_tokens;
pub mod tokens;
pub use shared::{Lease, LeaseId, Shared, SharedError};
pub use shared_tokens::{SecondTokens, SharedTokens};

/// The fixed memory of one key's limiter state, before its logs' entries:
/// the map's entry, the ID, the four logs' headers, the four leases' places
/// and the in-flight count.
pub const STATE_BYTES: usize = std::mem::size_of::<KeyId>()
    + std::mem::size_of::<Arc<KeyState>>()
    + std::mem::size_of::<KeyState>()
    + 2 * std::mem::size_of::<usize>();

/// Keeps every key's limiter state for one gateway process.
#[derive(Default)]
pub struct Limiter {
    keys: Mutex<HashMap<KeyId, Arc<KeyState>>>,
    shared: Option<Arc<dyn Shared>>,
    shared_tokens: Option<Arc<dyn SharedTokens>>,
}

/// One key's state.
#[derive(Default)]
pub struct KeyState {
    rules: Mutex<Rules>,
    in_flight: AtomicU32,
}

/// A key's rate state, by window: the accepted requests' log and, with a
/// shared source, the lease held.
#[derive(Default)]
struct Rules {
    logs: [VecDeque<Instant>; 4],
    leases: [Option<Held>; 4],
    refused: [Option<Refusal>; 4],
}

/// The source's last refusal of a lease, repeated without asking it again
/// until `recheck`: a client hammering a key over its limit costs the
/// source one call per lease lifetime and gateway, not one per request.
#[derive(Debug, Clone, Copy)]
struct Refusal {
    recheck: Instant,
    retry: Instant,
}

/// A lease this gateway holds for one of a key's rules.
#[derive(Debug, Clone, Copy)]
struct Held {
    id: LeaseId,
    granted: u32,
    used: u32,
    /// Its permits are used only before this ([`shared::use_time`] after
    /// it was asked for).
    until: Instant,
}

impl Held {
    fn usable(&self, now: Instant) -> bool {
        now < self.until && self.used < self.granted
    }
}

/// Where a rule's permit for one request comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Permit {
    /// The held lease: one of its permits is used when the request is.
    Lease,
    /// The source was unreachable and the gateway's share had room.
    Local,
}

/// The answer to [`Limiter::admit`].
#[derive(Debug)]
pub enum Admission {
    /// Let it through. Hold the grant until the request ends.
    Allowed(Grant),
    /// Refuse it.
    Refused(Denial),
}

/// An accepted request's place in its key's limits.
#[derive(Debug, Default)]
pub struct Grant {
    /// The rate rule closest to refusing, for the answer's headers; `None`
    /// without rate rules.
    pub quota: Option<Quota>,
    /// The request's place among those in flight, released on drop.
    pub slot: Option<Slot>,
}

/// Where a key stands against one rate rule, after the request was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// The rule's window.
    pub window: Window,
    /// The rule's N.
    pub limit: u32,
    /// Requests the key may still make in the window now.
    pub remaining: u32,
    /// Until every request now in the window has left it (the quota is
    /// whole again then; the oldest one leaving frees one request sooner).
    pub reset: Duration,
}

/// Why a request was refused, and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Denial {
    /// [`Reason::Rate`] or [`Reason::Concurrency`].
    pub reason: Reason,
    /// The rate rule's window (for a rate refusal).
    pub window: Option<Window>,
    /// The rule's N.
    pub limit: u32,
    /// When one more request would be accepted, as far as this rule knows.
    /// For concurrency a request's end cannot be foreseen: one second.
    pub retry_after: Duration,
}

/// A request in flight, counted until dropped.
#[derive(Debug)]
pub struct Slot(Arc<KeyState>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl std::fmt::Debug for KeyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyState")
            .field("in_flight", &self.in_flight.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Limiter {
    /// A limiter with no state, for one gateway alone.
    pub fn new() -> Limiter {
        Limiter::default()
    }

    /// A limiter whose rate rules hold across every gateway charging
    /// `source` (see [`shared`]).
    pub fn shared(source: Arc<dyn Shared>) -> Limiter {
        Limiter {
            shared: Some(source),
            ..Limiter::default()
        }
    }

    /// This limiter, with `tpm` windows shared through `source` (see
    /// [`shared_tokens`]); the token rules read it from here.
    pub fn with_shared_tokens(mut self, source: Arc<dyn SharedTokens>) -> Limiter {
        self.shared_tokens = Some(source);
        self
    }

    /// Where `tpm` windows are shared, if they are.
    pub fn shared_tokens(&self) -> Option<Arc<dyn SharedTokens>> {
        self.shared_tokens.clone()
    }

    /// Whether rate rules are charged to a shared source, so that
    /// [`Limiter::admit`] may wait on it (at most its deadline) for a key
    /// with a rate rule.
    pub fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    /// Admits a request of key `id` under `policy`'s limits at `now`, or
    /// refuses it. A policy without limits is always allowed without state.
    ///
    /// With a shared source, `now` must not be later than the present (a
    /// lease's use is timed from it): pass `Instant::now()`. A call may then
    /// wait for the source, up to its deadline.
    pub fn admit(&self, id: &KeyId, policy: &Policy, now: Instant) -> Admission {
        if !policy.has_limits() {
            return Admission::Allowed(Grant::default());
        }
        let state = self.state(id);
        let mut rules = lock(&state.rules);
        let tightest = match check_logs(&mut rules.logs, policy, now) {
            Ok(tightest) => tightest,
            Err(denial) => return Admission::Refused(denial),
        };
        let slot = match policy.max_parallel {
            None => None,
            Some(max) => match claim(&state, max) {
                Some(slot) => Some(slot),
                None => return Admission::Refused(concurrency_denial(max)),
            },
        };
        if let Some(shared) = &self.shared {
            // The slot, if any, is dropped with a refusal: it frees itself.
            if let Err(denial) = charge(shared.as_ref(), id, &mut rules, policy, now) {
                return Admission::Refused(denial);
            }
        }
        for (window, limit) in policy.rates() {
            let log = &mut rules.logs[window as usize];
            log.push_back(now);
            // A lowered limit leaves older entries than it needs: drop them.
            while log.len() > limit as usize {
                log.pop_front();
            }
        }
        Admission::Allowed(Grant { quota: tightest, slot })
    }

    /// Forgets keys with nothing in flight, nothing left in any window and
    /// no lease still usable at `now`; gives back the unused permits of
    /// leases that ended. Returns how many keys are still kept. With a
    /// shared source, call it about every second, so permits a gateway no
    /// longer needs go back to the fleet soon.
    pub fn sweep(&self, now: Instant) -> usize {
        let mut keys = lock(&self.keys);
        keys.retain(|_, state| {
            let mut rules = lock(&state.rules);
            let mut leased = false;
            for window in Window::ALL {
                evict(&mut rules.logs[window as usize], window, now);
                let held = &mut rules.leases[window as usize];
                match held {
                    Some(lease) if now < lease.until => leased = true,
                    Some(_) => self.end_lease(held.take()),
                    None => {}
                }
            }
            leased || state.in_flight.load(Ordering::Acquire) > 0 || rules.logs.iter().any(|log| !log.is_empty())
        });
        keys.len()
    }

    /// How many keys have state.
    pub fn keys(&self) -> usize {
        lock(&self.keys).len()
    }

    fn state(&self, id: &KeyId) -> Arc<KeyState> {
        let mut keys = lock(&self.keys);
        if let Some(state) = keys.get(id) {
            return Arc::clone(state);
        }
        let state = Arc::new(KeyState::default());
        keys.insert(id.clone(), Arc::clone(&state));
        state
    }

    fn end_lease(&self, held: Option<Held>) {
        if let (Some(shared), Some(lease)) = (&self.shared, held) {
            give_back(shared.as_ref(), lease);
        }
    }
}

/// Checks every rate rule against the local log: the rule closest to
/// refusing, or the first refusal.
fn check_logs(logs: &mut [VecDeque<Instant>; 4], policy: &Policy, now: Instant) -> Result<Option<Quota>, Denial> {
    let mut tightest: Option<Quota> = None;
    for (window, limit) in policy.rates() {
        let log = &mut logs[window as usize];
        evict(log, window, now);
        if log.len() >= limit as usize {
            return Err(rate_denial(log, window, limit, limit, now));
        }
        // Once this request is recorded the window is full again only
        // when it, the newest, leaves: that is the rule's reset.
        let remaining = limit - log.len() as u32 - 1;
        let quota = Quota {
            window,
            limit,
            remaining,
            reset: window.length(),
        };
        if tightest.is_none_or(|t| remaining < t.remaining) {
            tightest = Some(quota);
        }
    }
    Ok(tightest)
}

/// A rate refusal of a full `log` allowing `room` requests of the rule's
/// `limit`: retry when the entry that makes it full leaves the window.
fn rate_denial(log: &VecDeque<Instant>, window: Window, limit: u32, room: u32, now: Instant) -> Denial {
    let retry_after = log
        .len()
        .checked_sub(room as usize)
        .and_then(|i| log.get(i))
        .map_or(window.length(), |oldest| window_end(*oldest, window, now));
    Denial {
        reason: Reason::Rate,
        window: Some(window),
        limit,
        retry_after,
    }
}

fn concurrency_denial(max: u32) -> Denial {
    Denial {
        reason: Reason::Concurrency,
        window: None,
        limit: max,
        // A request's end cannot be foreseen.
        retry_after: Duration::from_secs(1),
    }
}

/// Gets a permit for every rate rule from the fleet, then uses them: all
/// or none (a lease got for one rule while another refuses stays held for
/// the next request).
fn charge(shared: &dyn Shared, id: &KeyId, rules: &mut Rules, policy: &Policy, now: Instant) -> Result<(), Denial> {
    let mut permits = [None; 4];
    for (window, limit) in policy.rates() {
        permits[window as usize] = Some(permit(shared, id, rules, window, limit, now)?);
    }
    for window in Window::ALL {
        if permits[window as usize] == Some(Permit::Lease)
            && let Some(lease) = &mut rules.leases[window as usize]
        {
            lease.used += 1;
        }
    }
    Ok(())
}

/// A permit for one request under one rule: from the lease held, a new
/// lease, or — the source unreachable — the gateway's share of the limit.
fn permit(
    shared: &dyn Shared,
    id: &KeyId,
    rules: &mut Rules,
    window: Window,
    limit: u32,
    now: Instant,
) -> Result<Permit, Denial> {
    let held = &mut rules.leases[window as usize];
    if held.is_some_and(|lease| lease.usable(now)) {
        return Ok(Permit::Lease);
    }
    if let Some(ended) = held.take() {
        give_back(shared, ended);
    }
    let refused = &mut rules.refused[window as usize];
    match refused {
        Some(refusal) if now < refusal.recheck => {
            let retry_after = refusal.retry.saturating_duration_since(now);
            return Err(lease_denial(window, limit, retry_after));
        }
        _ => *refused = None,
    }
    match shared.lease(id, window, limit, shared::batch(limit)) {
        Ok(lease) if lease.granted > 0 => {
            let until = now + shared::use_time(window);
            if Instant::now() >= until {
                // Too late to use within its lifetime: as if unanswered.
                shared.give_back(lease.id, 0);
                return local_permit(shared, &rules.logs[window as usize], window, limit, now);
            }
            *held = Some(Held {
                id: lease.id,
                granted: lease.granted,
                used: 0,
                until,
            });
            Ok(Permit::Lease)
        }
        Ok(none) => {
            *refused = Some(Refusal {
                recheck: now + none.retry_after.min(shared::lifetime(window)),
                retry: now + none.retry_after,
            });
            Err(lease_denial(window, limit, none.retry_after))
        }
        Err(_) => local_permit(shared, &rules.logs[window as usize], window, limit, now),
    }
}

/// A permit from the gateway's share of the limit, judged by its own log,
/// while the source cannot be relied on.
fn local_permit(
    shared: &dyn Shared,
    log: &VecDeque<Instant>,
    window: Window,
    limit: u32,
    now: Instant,
) -> Result<Permit, Denial> {
    let share = shared::local_share(limit, shared.gateways());
    if log.len() >= share as usize {
        return Err(rate_denial(log, window, limit, share, now));
    }
    Ok(Permit::Local)
}

fn lease_denial(window: Window, limit: u32, retry_after: Duration) -> Denial {
    Denial {
        reason: Reason::Rate,
        window: Some(window),
        limit,
        retry_after,
    }
}

/// Returns a lease's unused permits, if it has any.
fn give_back(shared: &dyn Shared, lease: Held) {
    if lease.used < lease.granted {
        shared.give_back(lease.id, lease.used);
    }
}

/// Drops the entries that have left the window ending at `now`: an entry at
/// `t` is in the window while `now < t + length`.
fn evict(log: &mut VecDeque<Instant>, window: Window, now: Instant) {
    while let Some(oldest) = log.front() {
        if now.saturating_duration_since(*oldest) >= window.length() {
            log.pop_front();
        } else {
            break;
        }
    }
}

/// How long until an entry made at `at` leaves `window`, seen from `now`.
fn window_end(at: Instant, window: Window, now: Instant) -> Duration {
    (at + window.length()).saturating_duration_since(now)
}

fn claim(state: &Arc<KeyState>, max: u32) -> Option<Slot> {
    let mut current = state.in_flight.load(Ordering::Acquire);
    loop {
        if current >= max {
            return None;
        }
        match state
            .in_flight
            .compare_exchange_weak(current, current + 1, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => return Some(Slot(Arc::clone(state))),
            Err(actual) => current = actual,
        }
    }
}

/// The limiter's data stays consistent whatever a panicking holder did (each
/// step leaves whole entries), so a poisoned lock is used as it is.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
