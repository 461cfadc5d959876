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

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::domain::KeyId;
use crate::domain::policy::{Policy, Reason, Window};

/// The fixed memory of one key's limiter state, before its logs' entries:
/// the map's entry, the ID, the four logs' headers and the in-flight count.
pub const STATE_BYTES: usize = std::mem::size_of::<KeyId>()
    + std::mem::size_of::<Arc<KeyState>>()
    + std::mem::size_of::<KeyState>()
    + 2 * std::mem::size_of::<usize>();

/// Keeps every key's limiter state for one gateway process.
#[derive(Default)]
pub struct Limiter {
    keys: Mutex<HashMap<KeyId, Arc<KeyState>>>,
}

/// One key's state.
#[derive(Default)]
pub struct KeyState {
    logs: Mutex<[VecDeque<Instant>; 4]>,
    in_flight: AtomicU32,
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
    /// A limiter with no state.
    pub fn new() -> Limiter {
        Limiter::default()
    }

    /// Admits a request of key `id` under `policy`'s limits at `now`, or
    /// refuses it. A policy without limits is always allowed without state.
    pub fn admit(&self, id: &KeyId, policy: &Policy, now: Instant) -> Admission {
        if !policy.has_limits() {
            return Admission::Allowed(Grant::default());
        }
        let state = self.state(id);
        let mut logs = lock(&state.logs);
        let mut tightest: Option<Quota> = None;
        for (window, limit) in policy.rates() {
            let log = &mut logs[window as usize];
            evict(log, window, now);
            if log.len() >= limit as usize {
                let retry_after = log
                    .get(log.len() - limit as usize)
                    .map_or(window.length(), |oldest| window_end(*oldest, window, now));
                return Admission::Refused(Denial {
                    reason: Reason::Rate,
                    window: Some(window),
                    limit,
                    retry_after,
                });
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
        let slot = match policy.max_parallel {
            None => None,
            Some(max) => match claim(&state, max) {
                Some(slot) => Some(slot),
                None => {
                    let retry_after = Duration::from_secs(1);
                    let denial = Denial {
                        reason: Reason::Concurrency,
                        window: None,
                        limit: max,
                        retry_after,
                    };
                    return Admission::Refused(denial);
                }
            },
        };
        for (window, limit) in policy.rates() {
            let log = &mut logs[window as usize];
            log.push_back(now);
            // A lowered limit leaves older entries than it needs: drop them.
            while log.len() > limit as usize {
                log.pop_front();
            }
        }
        Admission::Allowed(Grant { quota: tightest, slot })
    }

    /// Forgets keys with nothing in flight and nothing left in any window
    /// at `now`. Returns how many keys are still kept.
    pub fn sweep(&self, now: Instant) -> usize {
        let mut keys = lock(&self.keys);
        keys.retain(|_, state| {
            if state.in_flight.load(Ordering::Acquire) > 0 {
                return true;
            }
            let mut logs = lock(&state.logs);
            for window in Window::ALL {
                evict(&mut logs[window as usize], window, now);
            }
            logs.iter().any(|log| !log.is_empty())
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
