//! Rate limits shared by gateways through PostgreSQL (`PgLeases`): two
//! "gateways" are two limiters in this process, each with its own store
//! and so its own connections, on one database.

use std::sync::Arc;
use std::time::{Duration, Instant};

use keydesk::domain::policy::Policy;
use keydesk::domain::{Actor, Interface, KeyId};
use keydesk_core::limit::{Admission, Limiter, Shared};
use keydesk_postgres::PgLeases;

use super::serve_support::wait_for;
use super::{PgServer, PgStore};

/// Far above any deadline under test: only a hang reaches it.
const HANG_BOUND: Duration = Duration::from_secs(30);

fn key(n: u32) -> KeyId {
    KeyId::parse(&format!("ak-fleet{n:011}")).unwrap()
}

fn store(url: &str) -> PgStore {
    PgStore::open(url, None, Actor::from_process(Interface::Library)).unwrap()
}

fn allowed(limiter: &Limiter, id: &KeyId, policy: &Policy) -> bool {
    matches!(limiter.admit(id, policy, Instant::now()), Admission::Allowed(_))
}

/// One row of numbers from `sql` in database `url`.
fn query_numbers(url: &str, sql: &str) -> Vec<i64> {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let row = client.query_one(sql, &[]).unwrap();
    (0..row.len()).map(|i| row.get::<_, i64>(i)).collect()
}

#[test]
fn two_gateways_on_one_database_accept_at_most_22_of_60_requests_under_rpm_20() {
    let url = server!().create_database();
    // What is under test is the sharing, not the deadline: a slow grant on
    // a loaded machine must be waited for, not judged locally.
    let gateway = || Limiter::shared(Arc::new(PgLeases::new(&store(&url)).with_deadline(HANG_BOUND)));
    let gateways = [gateway(), gateway()];
    let (id, rpm) = (key(1), Policy::parse("rpm=20").unwrap());
    // 60 requests within 5 s, every 80 ms, alternately through each.
    let start = Instant::now();
    let mut accepted = 0;
    for i in 0..60u32 {
        let due = start + Duration::from_millis(80) * i;
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        accepted += u32::from(allowed(&gateways[i as usize % 2], &id, &rpm));
    }
    println!("fleet: {accepted} of 60 requests accepted under rpm=20 through two gateways");
    assert!((20..=22).contains(&accepted), "{accepted} accepted");
    let charged = query_numbers(
        &url,
        "SELECT coalesce(sum(permits), 0)::bigint FROM keydesk_rate_leases WHERE key_id = 'ak-fleet00000000001'",
    );
    assert!(charged[0] <= 20, "{charged:?} permits charged");
}

#[test]
fn keys_without_rate_rules_never_ask_postgres() {
    let url = server!().create_database();
    let leases = Arc::new(PgLeases::new(&store(&url)));
    let limiter = Limiter::shared(leases.clone());
    for text in ["", "methods=GET,POST", "max-parallel=4", "paths=/v1/*"] {
        let policy = Policy::parse(text).unwrap();
        for n in 0..500 {
            assert!(allowed(&limiter, &key(n), &policy), "{text}");
        }
    }
    assert_eq!(leases.asked(), 0);
    assert_eq!(query_numbers(&url, "SELECT count(*) FROM keydesk_rate_leases"), [0]);
    // A key with a rule asks for a batch (rpm=60: 6), not for each request.
    let rpm = Policy::parse("rpm=60").unwrap();
    assert!((0..6).all(|_| allowed(&limiter, &key(600), &rpm)));
    assert_eq!(leases.asked(), 1);
}

#[test]
fn while_postgres_is_frozen_each_gateway_enforces_its_share_and_leases_again_after() {
    server!(); // skips without a server
    let own = PgServer::start().unwrap();
    // Calls to the frozen server stay stuck far longer than the test.
    let url = format!("{}&connect_timeout=120", own.create_database());
    let other = PgLeases::new(&store(&url));
    let beats = "SELECT count(*) FROM keydesk_rate_gateways";
    wait_for("the other gateway's heartbeat", || query_numbers(&url, beats) == [1]);
    let leases = Arc::new(PgLeases::new(&store(&url)));
    wait_for("two gateways counted", || leases.gateways() == 2);
    let limiter = Limiter::shared(leases.clone());
    let (rpm, rpd) = (Policy::parse("rpm=20").unwrap(), Policy::parse("rpd=100000").unwrap());

    own.pause();
    let mut slowest = Duration::ZERO;
    let mut accepted = 0;
    for _ in 0..30 {
        let asked = Instant::now();
        accepted += u32::from(allowed(&limiter, &key(1), &rpm));
        slowest = slowest.max(asked.elapsed());
    }
    let none = Policy::default();
    assert!((0..1_000).all(|n| allowed(&limiter, &key(1_000 + n), &none)));
    own.resume();
    println!("frozen: {accepted} of 30 accepted under rpm=20, the slowest answer in {slowest:?}");
    assert_eq!(accepted, 10, "⌈20 ∕ 2 gateways⌉");
    assert!(slowest < HANG_BOUND, "an answer waited for the frozen server");

    // Thawed: leases again (a key whose local share is never reached).
    let charged = "SELECT count(*) FROM keydesk_rate_leases WHERE key_id = 'ak-fleet00000000002'";
    wait_for("a lease after the thaw", || {
        allowed(&limiter, &key(2), &rpd);
        query_numbers(&url, charged)[0] >= 1
    });
    drop(other);
}

#[test]
fn a_gateway_logged_in_as_the_verifier_role_leases_beats_and_gives_back() {
    let url = server!().create_database();
    drop(store(&url)); // the owner sets the tables up
    let verifier_url = super::login_as_member_of(&url, "keydesk_verifier");
    let gateway = PgStore::open_existing(&verifier_url, None, Actor::from_process(Interface::Serve)).unwrap();
    let limiter = Limiter::shared(Arc::new(PgLeases::new(&gateway).with_deadline(HANG_BOUND)));
    // rpm=60: a lease of 6 permits, of which one is used.
    assert!(allowed(&limiter, &key(1), &Policy::parse("rpm=60").unwrap()));
    let charged = "SELECT count(*), coalesce(sum(permits), 0)::bigint FROM keydesk_rate_leases";
    assert_eq!(
        query_numbers(&url, charged),
        [1, 6],
        "granted by the server, not judged locally"
    );
    wait_for("the heartbeat", || {
        query_numbers(&url, "SELECT count(*) FROM keydesk_rate_gateways") == [1]
    });
    // Once the lease has ended, the sweep gives the 5 unused back.
    wait_for("the unused permits given back", || {
        limiter.sweep(Instant::now());
        query_numbers(&url, charged) == [1, 1]
    });
}

/// `tpm` windows exchanged by two gateways logged in as the verifier role:
/// each sees only the other's seconds, a second published again replaces
/// its count, seconds out of the window are not returned, and rows older
/// than two minutes are deleted.
#[test]
fn gateways_logged_in_as_the_verifier_role_exchange_their_tpm_seconds() {
    use keydesk_core::limit::{SecondTokens, SharedTokens};
    use keydesk_postgres::PgTokenWindows;
    let url = server!().create_database();
    drop(store(&url)); // the owner sets the tables up
    let verifier_url = super::login_as_member_of(&url, "keydesk_verifier");
    let gateway = || {
        let store = PgStore::open_existing(&verifier_url, None, Actor::from_process(Interface::Serve)).unwrap();
        PgTokenWindows::new(&store)
    };
    let (a, b) = (gateway(), gateway());
    let at = |second: i64, tokens: u64| SecondTokens {
        key: key(1),
        second,
        tokens,
    };
    let keys = [key(1), key(2)];
    let now = 10_000;
    let none = a.exchange(&[at(now - 200, 7), at(now - 61, 5), at(now - 1, 40)], &keys, now);
    assert_eq!(none.unwrap(), [], "A sees nothing of its own");
    let mut seen = b.exchange(&[], &keys, now).unwrap();
    seen.sort_by_key(|s| s.second);
    assert_eq!(seen, [at(now - 1, 40)], "the second 61 s ago has left the window");
    a.exchange(&[at(now - 1, 90)], &keys, now).unwrap();
    assert_eq!(
        b.exchange(&[], &keys, now).unwrap(),
        [at(now - 1, 90)],
        "replaced, not added"
    );
    let rows = "SELECT count(*) FROM keydesk_tpm_seconds";
    assert_eq!(query_numbers(&url, rows), [2], "the row 200 s old was deleted");
    b.exchange(&[], &keys, now + 200).unwrap();
    assert_eq!(query_numbers(&url, rows), [0]);
}

/// The issue's measure, end to end: two `keydesk serve` processes on one
/// database (forward-auth), a key limited to 20 per minute, 60 requests
/// within 5 s alternately through each: at most 22 are let through, and
/// the others are told 429 with when to come back.
#[test]
fn two_keydesk_serve_processes_on_one_database_accept_at_most_22_of_60_under_rpm_20() {
    use keydesk::KeyStore;
    let url = server!().create_database();
    let admin = store(&url);
    let rpm = Policy::parse("rpm=20").unwrap();
    let (secret, _) = admin
        .create_with_policy(&crate::common::name("fleet-key"), None, &rpm)
        .unwrap();
    let bearer = format!("Bearer {}", secret.expose());
    let serve = || super::serve_support::Server::start(std::path::Path::new(&url), &[]);
    let gateways = [serve(), serve()];
    let start = Instant::now();
    let (mut accepted, mut refused) = (0, 0);
    for i in 0..60u32 {
        let due = start + Duration::from_millis(80) * i;
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        let answer = gateways[i as usize % 2].get("/verify", &[("Authorization", &bearer)]);
        match answer.status {
            200 => accepted += 1,
            429 => {
                let retry: u64 = answer.header("Retry-After").expect("Retry-After").parse().unwrap();
                assert!((1..=60).contains(&retry), "Retry-After: {retry}");
                refused += 1;
            }
            other => panic!("request {i}: {other}"),
        }
    }
    println!("fleet: {accepted} of 60 requests through two keydesk serve processes accepted under rpm=20");
    assert!((20..=22).contains(&accepted), "{accepted} accepted");
    assert_eq!(accepted + refused, 60);
}

/// Token budgets shared by a fleet: two `keydesk serve --upstream`
/// processes on one database, a key with `token-budget=1000/day`. Gateway
/// A spends it (18 tokens an answer); once A's tokens are in the database
/// (A flushes them within a second), gateway B — which already had the
/// key's totals from a request of its own — refuses within its next sync,
/// a second later: far fewer requests than the ~54 it would let through on
/// its own count. A forward-auth gateway on the same database refuses it
/// too.
#[test]
fn a_token_budget_spent_through_one_gateway_is_refused_by_the_other_within_a_sync() {
    use keydesk::KeyStore;
    let url = server!().create_database();
    let admin = store(&url);
    let budget = Policy::parse("token-budget=1000/day").unwrap();
    let (secret, record) = admin
        .create_with_policy(&crate::common::name("fleet-tokens"), None, &budget)
        .unwrap();
    let stub = crate::serve::api_stub::ApiStub::start();
    let upstream = format!("http://{}", stub.addr);
    let serve = || super::serve_support::Server::start(std::path::Path::new(&url), &["--upstream", &upstream]);
    let (a, b) = (serve(), serve());
    let bearer = format!("Bearer {}", secret.expose());
    let chat = |gateway: &super::serve_support::Server| {
        let headers = [("Authorization", bearer.as_str()), ("Content-Type", "application/json")];
        let body = br#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#;
        super::serve_support::request(gateway.addr, "POST", "/v1/chat/completions", &headers, body)
    };
    assert_eq!(chat(&b).status, 200, "B reads the key's totals");
    let mut through_a = 0;
    loop {
        let answer = chat(&a);
        if answer.status == 429 {
            assert!(
                answer.body_text().contains("insufficient_quota"),
                "{}",
                answer.body_text()
            );
            break;
        }
        assert_eq!(answer.status, 200, "{}", answer.body_text());
        through_a += 1;
        assert!(through_a <= 60, "A never refused");
    }
    let stored = || {
        query_numbers(
            &url,
            &format!(
                "SELECT coalesce(sum(input + output), 0)::bigint FROM keydesk_tokens_lifetime WHERE key_id = '{}'",
                record.id
            ),
        )[0]
    };
    wait_for("A's tokens to reach the database", || stored() >= 1000);
    let (start, mut through_b) = (Instant::now(), 0);
    loop {
        let answer = chat(&b);
        if answer.status == 429 {
            assert!(
                answer.body_text().contains("insufficient_quota"),
                "{}",
                answer.body_text()
            );
            break;
        }
        through_b += 1;
        assert!(start.elapsed() < HANG_BOUND, "B never refused");
        // About ten requests a second: B syncs once a second.
        std::thread::sleep(Duration::from_millis(100));
    }
    println!(
        "fleet tokens: A let {through_a} answers through, then B {through_b} more before refusing ({:?} after the database held A's tokens)",
        start.elapsed()
    );
    assert!(through_b < 30, "B let {through_b} through after A spent the budget");
    // Forward-auth counts no tokens, but enforces what the proxies counted.
    let auth = super::serve_support::Server::start(std::path::Path::new(&url), &[]);
    let verdict = auth.get("/verify", &[("Authorization", &bearer)]);
    assert_eq!(verdict.status, 429, "{}", verdict.body_text());
    assert!(
        verdict.body_text().contains("insufficient_quota"),
        "{}",
        verdict.body_text()
    );
    assert!(verdict.header("Retry-After").is_some());
}

/// `tpm` shared by a fleet: two `keydesk serve --upstream` processes on one
/// database, a key with `tpm=1000`. Gateway B sees the key first (one
/// answer, 18 tokens), then gateway A uses up the minute (18 tokens an
/// answer) until it refuses. Once A's tokens are in `keydesk_tpm_seconds`
/// (A publishes them at its sync, within a second), B refuses at its next
/// sync, a second later, with `rate_limit_exceeded`. B is asked meanwhile
/// on a path whose answers carry no usage, so its own window stays at 18
/// tokens: only A's can make it refuse (alone it would let ~54 more chats
/// through). A third gateway started afterwards refuses the key's very
/// first request: it reads the others' tokens before its first check; so
/// does a forward-auth gateway.
#[test]
fn a_tpm_used_up_through_one_gateway_is_refused_by_the_others() {
    use keydesk::KeyStore;
    let url = server!().create_database();
    let admin = store(&url);
    let tpm = Policy::parse("tpm=1000").unwrap();
    let (secret, record) = admin
        .create_with_policy(&crate::common::name("fleet-tpm"), None, &tpm)
        .unwrap();
    let stub = crate::serve::api_stub::ApiStub::start();
    let upstream = format!("http://{}", stub.addr);
    let serve = || super::serve_support::Server::start(std::path::Path::new(&url), &["--upstream", &upstream]);
    let (a, b) = (serve(), serve());
    let bearer = format!("Bearer {}", secret.expose());
    let chat = |gateway: &super::serve_support::Server| {
        let headers = [("Authorization", bearer.as_str()), ("Content-Type", "application/json")];
        let body = br#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#;
        super::serve_support::request(gateway.addr, "POST", "/v1/chat/completions", &headers, body)
    };
    let refused_by_tpm = |answer: &super::serve_support::Response| {
        answer.status == 429 && answer.body_text().contains("rate_limit_exceeded")
    };
    let first = chat(&b);
    assert_eq!(first.status, 200, "{}", first.body_text());
    assert_eq!(first.header("x-ratelimit-limit-tokens"), Some("1000"));
    let mut through_a = 0;
    loop {
        let answer = chat(&a);
        if answer.status == 429 {
            assert!(refused_by_tpm(&answer), "{}", answer.body_text());
            break;
        }
        assert_eq!(answer.status, 200, "{}", answer.body_text());
        through_a += 1;
        assert!(through_a <= 60, "A never refused");
    }
    let published = |gateways: &str| {
        query_numbers(
            &url,
            &format!(
                "SELECT coalesce(sum(tokens), 0)::bigint, count(DISTINCT gateway)::bigint \
                 FROM keydesk_tpm_seconds WHERE key_id = '{}'",
                record.id
            ),
        ) == [18 * (through_a + 1), gateways.len() as i64]
    };
    wait_for("A's and B's tpm tokens to reach the database", || published("AB"));
    let mut uncounted_through_b = 0;
    let took = wait_for("B to refuse the key by tpm", || {
        let answer = b.get("/v1/models", &[("Authorization", &bearer)]);
        if refused_by_tpm(&answer) {
            return true;
        }
        assert_eq!(answer.status, 200, "{}", answer.body_text());
        uncounted_through_b += 1;
        false
    });
    println!(
        "fleet tpm: A let {through_a} answers through; B refused {took:?} after the database held them \
         ({uncounted_through_b} answers without usage through B meanwhile)"
    );
    assert!(refused_by_tpm(&chat(&b)), "B lets a chat through");
    let c = serve();
    let answer = chat(&c);
    assert!(refused_by_tpm(&answer), "C's first request: {}", answer.body_text());
    let retry: u64 = answer.header("Retry-After").expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After: {retry}");
    // Forward-auth counts no tokens, but on PostgreSQL it reads the
    // proxies' tpm seconds too.
    let auth = super::serve_support::Server::start(std::path::Path::new(&url), &[]);
    let verdict = auth.get("/verify", &[("Authorization", &bearer)]);
    assert!(refused_by_tpm(&verdict), "forward-auth: {}", verdict.body_text());
}

/// A hung database must not open the gate for a budget: a gateway that
/// cannot read a key's token totals (PostgreSQL frozen by SIGSTOP, as a
/// hung host) answers the key's request 503 once the read's deadline (10 s)
/// passes, never forwards it, and never hangs past the bound.
#[test]
fn a_budget_whose_totals_cannot_be_read_from_a_frozen_postgres_is_refused_not_forwarded() {
    use keydesk::KeyStore;
    server!(); // skips without a server
    let own = PgServer::start().unwrap();
    // Calls to the frozen server stay stuck far longer than the test.
    let url = format!("{}&connect_timeout=120", own.create_database());
    let admin = store(&url);
    let budget = Policy::parse("token-budget=1000/day").unwrap();
    let (secret, _) = admin
        .create_with_policy(&crate::common::name("frozen-budget"), None, &budget)
        .unwrap();
    let stub = crate::serve::api_stub::ApiStub::start();
    let upstream = format!("http://{}", stub.addr);
    let gateway = super::serve_support::Server::start(std::path::Path::new(&url), &["--upstream", &upstream]);
    wait_for("the gateway to be ready", || {
        gateway.get("/_keydesk/readyz", &[]).status == 200
    });

    own.pause();
    let bearer = format!("Bearer {}", secret.expose());
    let headers = [("Authorization", bearer.as_str()), ("Content-Type", "application/json")];
    let body = br#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#;
    let asked = Instant::now();
    let answer = super::serve_support::request(gateway.addr, "POST", "/v1/chat/completions", &headers, body);
    let took = asked.elapsed();
    own.resume();
    println!("frozen budget read: {} after {took:?}", answer.status);
    assert_eq!(answer.status, 503, "{}", answer.body_text());
    assert!(took < HANG_BOUND, "the answer waited for the frozen server");
    assert!(stub.requests().is_empty(), "nothing reached the upstream");
}
