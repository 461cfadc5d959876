//! The lease arithmetic, and limiters of several "gateways" sharing an
//! in-memory lease store that runs [`decide`] on a clock the tests move.
//! (The PostgreSQL store runs the same arithmetic: its tests are in the
//! program's tests, against a real server.)

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::*;
use crate::domain::policy::{Policy, Reason};
use crate::limit::{Admission, Limiter};

fn key(n: u32) -> KeyId {
    KeyId::from_stored(&format!("key_{n}"))
}

fn policy(text: &str) -> Policy {
    Policy::parse(text).unwrap()
}

fn allowed(admission: &Admission) -> bool {
    matches!(admission, Admission::Allowed(_))
}

fn charge(age_ms: u64, permits: u32) -> Charge {
    Charge {
        age: Duration::from_millis(age_ms),
        permits,
    }
}

#[test]
fn a_lease_gets_what_is_left_of_n_at_most_the_batch() {
    let minute = Window::Minute;
    assert_eq!(decide(20, 2, minute, &[]), (2, Duration::ZERO));
    assert_eq!(decide(20, 2, minute, &[charge(10, 19)]), (1, Duration::ZERO));
    // Charges older than W + L (61 s for a minute) no longer count.
    assert_eq!(decide(20, 2, minute, &[charge(61_000, 20)]), (2, Duration::ZERO));
    assert_eq!(decide(20, 2, minute, &[charge(60_999, 20)]).0, 0);
    // Given back to 0 permits: not charged.
    assert_eq!(
        decide(20, 2, minute, &[charge(10, 0), charge(5, 18)]),
        (2, Duration::ZERO)
    );
}

#[test]
fn a_refusal_waits_for_the_charges_that_free_a_permit() {
    let minute = Window::Minute;
    // 20 charged: the oldest (5 permits, 30 s old) leaves at 61 s.
    let charges = [charge(1_000, 10), charge(30_000, 5), charge(20_000, 5)];
    assert_eq!(decide(20, 2, minute, &charges), (0, Duration::from_secs(31)));
    // Over the limit (a limit lowered since): enough must leave for one.
    let over = [charge(50_000, 10), charge(40_000, 10), charge(1_000, 10)];
    assert_eq!(decide(20, 2, minute, &over), (0, Duration::from_secs(21)));
    assert_eq!(
        decide(1, 1, Window::Second, &[charge(0, 1)]),
        (0, Duration::from_millis(1_100))
    );
}

#[test]
fn batches_lifetimes_and_shares() {
    assert_eq!([batch(1), batch(20), batch(60), batch(10_000)], [1, 2, 6, 100]);
    assert_eq!(lifetime(Window::Second), Duration::from_millis(100));
    assert_eq!(lifetime(Window::Minute), Duration::from_secs(1));
    assert_eq!(lifetime(Window::Day), Duration::from_secs(1));
    assert_eq!(use_time(Window::Minute), Duration::from_millis(900));
    assert_eq!(
        [local_share(20, 0), local_share(20, 1), local_share(20, 3)],
        [20, 20, 7]
    );
}

/// A lease store in memory, on the clock the test sets: [`decide`] over
/// its leases, as PostgreSQL's does in one transaction.
struct Store {
    clock: Mutex<Instant>,
    leases: Mutex<Vec<(KeyId, Window, Instant, u32)>>,
    reachable: std::sync::atomic::AtomicBool,
    asked: AtomicU32,
    gateways: u32,
}

impl Store {
    fn new(gateways: u32) -> Arc<Store> {
        Arc::new(Store {
            clock: Mutex::new(Instant::now()),
            leases: Mutex::new(Vec::new()),
            reachable: true.into(),
            asked: AtomicU32::new(0),
            gateways,
        })
    }

    fn now(&self) -> Instant {
        *self.clock.lock().unwrap()
    }

    fn set(&self, now: Instant) {
        *self.clock.lock().unwrap() = now;
    }
}

impl Shared for Store {
    fn lease(&self, id: &KeyId, window: Window, limit: u32, want: u32) -> Result<Lease, SharedError> {
        self.asked.fetch_add(1, Ordering::Relaxed);
        if !self.reachable.load(Ordering::Relaxed) {
            return Err(SharedError::Unreachable);
        }
        let now = self.now();
        let mut leases = self.leases.lock().unwrap();
        let charges: Vec<Charge> = leases
            .iter()
            .filter(|(k, w, ..)| k == id && *w == window)
            .map(|(.., at, permits)| Charge {
                age: now.duration_since(*at),
                permits: *permits,
            })
            .collect();
        let (granted, retry_after) = decide(limit, want, window, &charges);
        leases.push((id.clone(), window, now, granted));
        Ok(Lease {
            id: LeaseId(leases.len() as i64 - 1),
            granted,
            retry_after,
        })
    }

    fn give_back(&self, lease: LeaseId, used: u32) {
        self.leases.lock().unwrap()[lease.0 as usize].3 = used;
    }

    fn gateways(&self) -> u32 {
        self.gateways
    }
}

/// Admits through `gateway` at `at`, the store's clock set there.
fn admit(store: &Store, gateway: &Limiter, id: &KeyId, p: &Policy, at: Instant) -> bool {
    store.set(at);
    allowed(&gateway.admit(id, p, at))
}

#[test]
fn two_gateways_alternating_accept_n_per_window_together() {
    let store = Store::new(2);
    let gateways = [Limiter::shared(store.clone()), Limiter::shared(store.clone())];
    let (id, rpm) = (key(1), policy("rpm=20"));
    let start = store.now();
    let accepted = (0..60u64)
        .filter(|&i| {
            let at = start + Duration::from_millis(i * 80);
            admit(&store, &gateways[i as usize % 2], &id, &rpm, at)
        })
        .count();
    assert_eq!(accepted, 20, "each lease used up in turn, none left idle");
}

#[test]
fn three_gateways_never_accept_more_than_n_in_any_window() {
    // Irregular traffic over 5 minutes, a gateway chosen by the step: every
    // window of a minute holds at most N accepted, fleet-wide.
    let store = Store::new(3);
    let gateways: Vec<Limiter> = (0..3).map(|_| Limiter::shared(store.clone())).collect();
    let (id, rpm) = (key(2), policy("rpm=30"));
    let start = store.now();
    let mut accepted = Vec::new();
    let mut at = start;
    for step in 0..3_000u64 {
        at += Duration::from_millis(17 + (step * 7919) % 190);
        if admit(&store, &gateways[(step * 31 % 7 % 3) as usize], &id, &rpm, at) {
            accepted.push(at);
        }
        if step % 50 == 0 {
            gateways.iter().for_each(|g| _ = g.sweep(at));
        }
    }
    for (i, first) in accepted.iter().enumerate() {
        let within = accepted[i..]
            .iter()
            .take_while(|t| t.duration_since(*first) < Duration::from_secs(60))
            .count();
        assert!(within <= 30, "{within} accepted within one minute");
    }
    let minutes = at.duration_since(start).as_secs_f64() / 60.0;
    assert!(
        accepted.len() as f64 >= 30.0 * (minutes - 1.0).floor(),
        "the fleet lets its rate through: {} in {minutes:.1} min",
        accepted.len()
    );
}

#[test]
fn a_lease_that_ended_unused_is_given_back_so_another_gateway_gets_its_permits() {
    let store = Store::new(2);
    let (quiet, busy) = (Limiter::shared(store.clone()), Limiter::shared(store.clone()));
    let (id, rpm) = (key(3), policy("rpm=20"));
    let start = store.now();
    // The quiet gateway leases 2 and uses 1; the busy one takes the rest.
    assert!(admit(&store, &quiet, &id, &rpm, start));
    let busy_accepted = (1..=30)
        .filter(|&i| admit(&store, &busy, &id, &rpm, start + Duration::from_millis(i)))
        .count();
    assert_eq!(busy_accepted, 18);
    // Once the quiet gateway's lease ended, its sweep gives back the unused
    // permit, and the busy gateway gets it when it next asks (it repeats
    // the store's last refusal for a lease lifetime without asking).
    let later = start + Duration::from_secs(1);
    assert!(!admit(&store, &busy, &id, &rpm, later));
    quiet.sweep(later);
    let next = later + lifetime(Window::Minute);
    assert!(admit(&store, &busy, &id, &rpm, next));
    assert!(!admit(&store, &busy, &id, &rpm, next));
}

#[test]
fn a_refused_lease_refuses_with_the_stores_retry_after() {
    let store = Store::new(1);
    let gateway = Limiter::shared(store.clone());
    let (id, rpm) = (key(4), policy("rpm=1"));
    let start = store.now();
    assert!(admit(&store, &gateway, &id, &rpm, start));
    // The first gateway's lease charged the one permit: none for another.
    let other = Limiter::shared(store.clone());
    let later = start + Duration::from_secs(10);
    store.set(later);
    let Admission::Refused(denial) = other.admit(&id, &rpm, later) else {
        panic!("the other gateway got a permit over the limit")
    };
    assert_eq!(denial.retry_after, Duration::from_secs(51));
    assert_eq!(
        (denial.reason, denial.window, denial.limit),
        (Reason::Rate, Some(Window::Minute), 1)
    );
}

#[test]
fn an_unreachable_store_leaves_each_gateway_its_share() {
    let store = Store::new(3);
    store.reachable.store(false, Ordering::Relaxed);
    let gateway = Limiter::shared(store.clone());
    let (id, rpm) = (key(5), policy("rpm=20"));
    let start = store.now();
    let accepted = (0..30)
        .filter(|&i| admit(&store, &gateway, &id, &rpm, start + Duration::from_millis(i)))
        .count();
    assert_eq!(accepted, 7, "⌈20 ∕ 3⌉");
    // Back: leases again, against the fleet's count.
    store.reachable.store(true, Ordering::Relaxed);
    assert!(admit(&store, &gateway, &id, &rpm, start + Duration::from_millis(40)));
    assert_eq!(store.leases.lock().unwrap().len(), 1);
}

#[test]
fn keys_without_rate_rules_never_ask_the_store() {
    let store = Store::new(1);
    let gateway = Limiter::shared(store.clone());
    let now = store.now();
    for (n, text) in ["", "methods=GET", "max-parallel=2", "models=gpt-4o paths=/v1/*"]
        .into_iter()
        .enumerate()
    {
        for _ in 0..100 {
            assert!(allowed(&gateway.admit(&key(10 + n as u32), &policy(text), now)));
        }
    }
    assert_eq!(store.asked.load(Ordering::Relaxed), 0);
    // One with a rule asks once for a batch, not once per request.
    for _ in 0..6 {
        assert!(allowed(&gateway.admit(&key(20), &policy("rpm=60"), now)));
    }
    assert_eq!(store.asked.load(Ordering::Relaxed), 1);
}

#[test]
fn a_key_hammered_over_its_limit_asks_the_store_once_per_lease_lifetime() {
    let store = Store::new(2);
    let (first, second) = (Limiter::shared(store.clone()), Limiter::shared(store.clone()));
    let (id, rpm) = (key(6), policy("rpm=1"));
    let start = store.now();
    assert!(admit(&store, &first, &id, &rpm, start));
    let asked = store.asked.load(Ordering::Relaxed);
    // The other gateway is refused by the store, then by itself for 1 s.
    for ms in 0..1_000 {
        let Admission::Refused(denial) = second.admit(&id, &rpm, start + Duration::from_millis(ms)) else {
            panic!("over the limit")
        };
        assert_eq!(denial.retry_after, Duration::from_millis(61_000 - ms));
    }
    assert_eq!(store.asked.load(Ordering::Relaxed), asked + 1);
    assert!(!admit(&store, &second, &id, &rpm, start + Duration::from_secs(1)));
    assert_eq!(store.asked.load(Ordering::Relaxed), asked + 2);
}

#[test]
fn a_lease_that_arrives_after_its_use_time_is_given_back_whole_and_the_share_applies() {
    let store = Store::new(2);
    let gateway = Limiter::shared(store.clone());
    let (id, rpm) = (key(7), policy("rpm=20"));
    // Asked "2 s ago": the answer comes after the lease's use time.
    let asked = Instant::now().checked_sub(Duration::from_secs(2)).unwrap();
    let accepted = (0..15).filter(|_| admit(&store, &gateway, &id, &rpm, asked)).count();
    assert_eq!(accepted, 10, "⌈20 ∕ 2⌉, as if the store had not answered");
    let leases = store.leases.lock().unwrap();
    assert!(!leases.is_empty());
    assert!(
        leases.iter().all(|lease| lease.3 == 0),
        "every late lease given back whole"
    );
}
