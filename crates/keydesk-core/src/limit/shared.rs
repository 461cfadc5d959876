//! Rate limits shared by a fleet of gateways: leases of small batches of
//! permits, granted by a store all gateways reach (PostgreSQL, in
//! `keydesk-postgres`), charged against a fleet-wide sliding window.
//!
//! # How
//!
//! Each gateway keeps its exact local log ([`super::Limiter`]) as the first
//! check, so one gateway alone never exceeds N. On top of it, a request of a
//! key with a rule "N per window W" also needs a *permit*. A gateway without
//! one asks the store for a [`Lease`] of [`batch`]`(N)` permits. The store,
//! in one transaction serialised per (key, window), sums the permits of the
//! leases it granted within the last W + L (L: [`lifetime`]`(W)`, charged
//! from the grant by the store's clock) and grants what is left of N, at
//! most the batch ([`decide`]); nothing left is a refusal, with a
//! `Retry-After` from the charges that leave first. The gateway uses a
//! lease's permits only for [`use_time`]`(W)` (0.9 L) after it *asked*, by its
//! own monotonic clock, so every use falls within L after the grant whatever
//! the round trip took (a lease that arrives later than that is given back
//! whole, and the request judged as if the store had not answered). A
//! lease that ends with permits unused gives them back (the store then
//! charges only those used), so a quiet gateway does not starve the others
//! for long.
//!
//! # The bound
//!
//! Assume the store's clock does not jump forward (slewing is fine) and the
//! gateways' monotonic clocks run within 10 % of its rate. Take any window
//! [t, t + W) and the last lease g* granted in (t − L, t + W): every request
//! accepted in the window used a permit of a lease granted in (t − L, g*],
//! all within W + L before g*, so all were charged when g* was granted, and
//! their permits (or the used ones, once given back) add up to at most N.
//! So while the store answers, the fleet accepts **at most N in any window
//! of length W, whatever the number of gateways G** — no overshoot. The
//! cost is under-admission: each gateway may hold up to `batch − 1` unused
//! permits per rule for up to L (they are given back when the lease ends,
//! on the key's next request there or at [`super::Limiter::sweep`]), and a
//! lease stays charged L longer than the window (for a steady stream at
//! the limit, a fraction L ∕ (W + L) of N is lost: 1⁄61 per minute rule,
//! 1⁄11 per second rule). A gateway the store refused repeats that refusal
//! for up to L without asking again (so a client hammering a key over its
//! limit costs the store one call per L and gateway), and may so miss for
//! that long permits given back meanwhile.
//!
//! # When the store does not answer
//!
//! A lease is waited for at most a short deadline, set by the source
//! (PostgreSQL's: `keydesk_postgres::PgLeases`). Past it, when the store
//! answers with an error, or while it is known to be unreachable, the
//! gateway enforces alone its share of the limit, ⌈N ∕ G⌉ ([`local_share`]), G being the
//! gateways the store saw alive recently (at least 1), against its own log.
//! Those requests are charged nowhere, so in a window that overlaps an
//! outage the fleet accepts at most N (leased) + Σ ⌈N ∕ G⌉ ≤ 2N + G; in one
//! wholly inside it, at most G·⌈N ∕ G⌉ < N + G. A gateway that never
//! reached the store counts G = 1 and enforces N alone.
//!
//! Concurrency (`max-parallel`) is per gateway: requests in flight are not
//! shared. A grant's [`super::Quota`] (the answer's remaining requests) is
//! what this gateway's own log knows, not the fleet's.

use std::fmt;
use std::time::Duration;

use crate::domain::KeyId;
use crate::domain::policy::Window;

/// The store every gateway of a fleet charges its leases to.
///
/// Implementations must answer [`Shared::lease`] within a short deadline
/// (it is called on a request's path, under the key's lock) and never block
/// in [`Shared::give_back`] or [`Shared::gateways`].
pub trait Shared: Send + Sync {
    /// Asks for up to `want` permits of key `id`'s rule `limit` per
    /// `window`. A lease of 0 permits is a refusal.
    fn lease(&self, id: &KeyId, window: Window, limit: u32, want: u32) -> Result<Lease, SharedError>;

    /// Ends `lease`, of which `used` permits were used: the rest are no
    /// longer charged. Must not wait for the store.
    fn give_back(&self, lease: LeaseId, used: u32);

    /// The gateways seen alive recently, at least 1 (the last count known
    /// while the store is unreachable).
    fn gateways(&self) -> u32;
}

/// A lease's identity in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LeaseId(pub i64);

/// What the store granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// The lease, to give back what it did not use.
    pub id: LeaseId,
    /// Permits granted: 0 is a refusal.
    pub granted: u32,
    /// For a refusal: when a permit is expected to be free again.
    pub retry_after: Duration,
}

/// Why no lease could be had: the gateway enforces its share alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SharedError {
    /// The store did not answer within the deadline, or is known to be
    /// down.
    Unreachable,
    /// The store answered with an error (its message, which names no
    /// secret).
    Failed(String),
}

impl fmt::Display for SharedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SharedError::Unreachable => f.write_str("the shared limit store did not answer in time"),
            SharedError::Failed(detail) => write!(f, "the shared limit store failed: {detail}"),
        }
    }
}

impl std::error::Error for SharedError {}

/// How many permits a gateway asks for at once under a rule of N: a tenth
/// of N, at least 1 and at most 100. Larger batches save round trips but
/// leave more permits idle on gateways that do not need them.
pub fn batch(limit: u32) -> u32 {
    (limit / 10).clamp(1, 100)
}

/// How long a lease stays charged past the window, L: a tenth of the
/// window, at most one second (so a per-second rule loses little to it).
pub fn lifetime(window: Window) -> Duration {
    (window.length() / 10).min(Duration::from_secs(1))
}

/// How long a gateway uses a lease after asking for it: 0.9 L, the margin
/// covering clock rates.
pub fn use_time(window: Window) -> Duration {
    lifetime(window) * 9 / 10
}

/// The share of a limit of N one of `gateways` enforces alone: ⌈N ∕ G⌉.
pub fn local_share(limit: u32, gateways: u32) -> u32 {
    limit.div_ceil(gateways.max(1))
}

/// A lease already granted, as the store sees it when granting another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charge {
    /// Since it was granted, by the store's clock (negative ages, after the
    /// clock stepped back, count as 0).
    pub age: Duration,
    /// Its permits (the used ones, once given back).
    pub permits: u32,
}

/// The store's decision on a lease of up to `want` permits under a rule
/// of `limit` per `window`, given the leases granted before: `(granted,
/// retry_after)`. Leases older than W + L are no longer charged.
pub fn decide(limit: u32, want: u32, window: Window, charges: &[Charge]) -> (u32, Duration) {
    let horizon = window.length() + lifetime(window);
    let mut live: Vec<Charge> = charges
        .iter()
        .copied()
        .filter(|c| c.age < horizon && c.permits > 0)
        .collect();
    let charged: u64 = live.iter().map(|c| u64::from(c.permits)).sum();
    let left = u64::from(limit).saturating_sub(charged);
    if left > 0 {
        return (want.min(left as u32), Duration::ZERO);
    }
    // Refused: wait until enough of the oldest charges leave for one permit.
    live.sort_by_key(|c| std::cmp::Reverse(c.age));
    let mut still = charged;
    for charge in &live {
        still -= u64::from(charge.permits);
        if still < u64::from(limit) {
            return (0, horizon - charge.age);
        }
    }
    // A limit of 0 never frees a permit; a whole horizon is as good as any.
    (0, horizon)
}

#[cfg(test)]
#[path = "shared_tests.rs"]
mod tests;
