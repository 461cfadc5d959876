use std::sync::Barrier;
use std::thread;

use super::*;

fn id(n: u32) -> KeyId {
    KeyId::from_stored(&format!("key_{n}"))
}

fn policy(text: &str) -> Policy {
    Policy::parse(text).unwrap()
}

fn allowed(admission: &Admission) -> bool {
    matches!(admission, Admission::Allowed(_))
}

#[test]
fn a_burst_across_a_window_boundary_gets_n_not_2n() {
    let limiter = Limiter::new();
    let key = id(1);
    let rpm = policy("rpm=10");
    let start = Instant::now();
    // 10 at the end of one minute…
    let late = start + Duration::from_millis(59_000);
    assert!((0..10).all(|_| allowed(&limiter.admit(&key, &rpm, late))));
    // …and none just after the calendar minute turns: the window slides.
    let next = start + Duration::from_millis(60_500);
    let Admission::Refused(denial) = limiter.admit(&key, &rpm, next) else {
        panic!("allowed over the limit")
    };
    assert_eq!(
        (denial.reason, denial.window, denial.limit),
        (Reason::Rate, Some(Window::Minute), 10)
    );
    assert_eq!(denial.retry_after, Duration::from_millis(58_500));
    // Exactly when the first of them leaves the window, one is let in again.
    let freed = late + Duration::from_secs(60);
    assert!(!allowed(&limiter.admit(&key, &rpm, freed - Duration::from_nanos(1))));
    assert!((0..10).all(|_| allowed(&limiter.admit(&key, &rpm, freed))));
    assert!(!allowed(&limiter.admit(&key, &rpm, freed)));
}

#[test]
fn every_window_of_the_rule_length_holds_at_most_n() {
    // Requests every 7 ms for 3 s against rps=25: check every window.
    let limiter = Limiter::new();
    let key = id(2);
    let rps = policy("rps=25");
    let start = Instant::now();
    let mut accepted = Vec::new();
    for step in 0..430u64 {
        let at = start + Duration::from_millis(step * 7);
        if allowed(&limiter.admit(&key, &rps, at)) {
            accepted.push(at);
        }
    }
    for (i, first) in accepted.iter().enumerate() {
        let within = accepted[i..]
            .iter()
            .take_while(|t| t.duration_since(*first) < Duration::from_secs(1))
            .count();
        assert!(within <= 25, "{within} accepted within one second");
    }
    assert!(
        accepted.len() >= 75,
        "the limit lets its rate through: {}",
        accepted.len()
    );
}

#[test]
fn refused_requests_count_toward_no_rule() {
    let limiter = Limiter::new();
    let key = id(3);
    let both = policy("rps=2 rpm=3");
    let t = Instant::now();
    assert!(allowed(&limiter.admit(&key, &both, t)));
    assert!(allowed(&limiter.admit(&key, &both, t)));
    // Refused by rps: not recorded in rpm either.
    for _ in 0..50 {
        assert!(!allowed(&limiter.admit(&key, &both, t)));
    }
    let later = t + Duration::from_secs(1);
    let Admission::Allowed(grant) = limiter.admit(&key, &both, later) else {
        panic!("rpm had room for one more")
    };
    let quota = grant.quota.unwrap();
    assert_eq!((quota.window, quota.limit, quota.remaining), (Window::Minute, 3, 0));
    assert!(!allowed(&limiter.admit(&key, &both, later + Duration::from_secs(1))));
}

#[test]
fn the_tightest_rule_is_reported_and_quotas_count_down() {
    let limiter = Limiter::new();
    let key = id(4);
    let p = policy("rps=5 rpd=1000");
    let t = Instant::now();
    let remaining: Vec<u32> = (0..5)
        .map(|_| match limiter.admit(&key, &p, t) {
            Admission::Allowed(Grant { quota: Some(q), .. }) => {
                assert_eq!(q.window, Window::Second);
                assert_eq!(q.reset, Duration::from_secs(1));
                q.remaining
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(remaining, [4, 3, 2, 1, 0]);
}

#[test]
fn max_parallel_counts_requests_until_their_grants_drop() {
    let limiter = Limiter::new();
    let key = id(5);
    let p = policy("max-parallel=2");
    let t = Instant::now();
    let first = limiter.admit(&key, &p, t);
    let second = limiter.admit(&key, &p, t);
    let Admission::Refused(denial) = limiter.admit(&key, &p, t) else {
        panic!("a third in flight")
    };
    assert_eq!((denial.reason, denial.limit), (Reason::Concurrency, 2));
    drop(first);
    assert!(
        allowed(&limiter.admit(&key, &p, t)),
        "the first one's end frees a place"
    );
    drop(second);
}

#[test]
fn a_concurrency_refusal_is_not_counted_in_the_rates() {
    let limiter = Limiter::new();
    let key = id(6);
    let p = policy("rpm=2 max-parallel=1");
    let t = Instant::now();
    let held = limiter.admit(&key, &p, t);
    assert!(allowed(&held));
    for _ in 0..5 {
        assert!(!allowed(&limiter.admit(&key, &p, t)));
    }
    drop(held);
    assert!(allowed(&limiter.admit(&key, &p, t)), "the refusals used none of rpm=2");
}

#[test]
fn keys_without_limits_keep_no_state_and_idle_keys_are_swept() {
    let limiter = Limiter::new();
    let t = Instant::now();
    assert!(allowed(&limiter.admit(&id(7), &policy("methods=GET"), t)));
    assert_eq!(limiter.keys(), 0);
    assert!(allowed(&limiter.admit(&id(8), &policy("rps=1"), t)));
    assert_eq!(limiter.sweep(t), 1);
    assert_eq!(limiter.sweep(t + Duration::from_secs(1)), 0);
}

#[test]
fn eight_threads_on_one_key_get_exactly_n() {
    const N: u32 = 10_000;
    let limiter = Limiter::new();
    let key = id(9);
    let p = policy(&format!("rpd={N}"));
    let now = Instant::now();
    let barrier = Barrier::new(8);
    let accepted: u32 = thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    (0..2_000).filter(|_| allowed(&limiter.admit(&key, &p, now))).count() as u32
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    assert_eq!(accepted, N);
}
