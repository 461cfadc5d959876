//! A PostgreSQL server that stops answering: frozen by SIGSTOP with
//! connections open, or a port that accepts and then says nothing (or
//! nonsense). Every call and every connection must end within its deadline,
//! and `keydesk serve` must fail closed (or static, if asked) meanwhile.

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::serve_support::{self, Server};
use super::{PgServer, PgStore, common, keydesk};
use keydesk::domain::{Actor, Interface};

/// Far above any deadline under test: only a hang reaches it.
const HANG_BOUND: Duration = Duration::from_secs(30);

/// A port on 127.0.0.1 that accepts every connection, reads the client's
/// first bytes, answers `reply` (nothing if empty) and then holds the
/// connection open without another word, for the life of the test binary.
fn mute_server(reply: &'static [u8]) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut stream in listener.incoming().flatten() {
            let mut first = [0u8; 8];
            let _ = stream.read(&mut first);
            let _ = stream.write_all(reply);
            held.push(stream);
        }
    });
    port
}

/// Runs `command` to its end; fails the test if it is still running after
/// [`HANG_BOUND`].
fn output_within_bound(command: &mut Command) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > HANG_BOUND {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("still running after {HANG_BOUND:?}: {}", common::stderr(&out));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_server_that_accepts_and_never_answers_properly_is_given_up_on_by_the_cli_and_serve() {
    // A bogus message length: an authentication request 2 GiB long.
    let bogus: &[u8] = b"R\x7f\xff\xff\xff\x00\x00\x00";
    for (what, reply) in [("silent", &b""[..]), ("bogus length", bogus)] {
        let port = mute_server(reply);
        let url = format!("postgres://alice:hunter2-secret@127.0.0.1:{port}/kd?sslmode=disable&connect_timeout=1");
        for (lang, said) in [
            ("en", "cannot reach the PostgreSQL server"),
            ("zh-CN", "无法连接 PostgreSQL 服务器"),
        ] {
            for args in [&["list"][..], &["serve", "--listen", "127.0.0.1:0"][..]] {
                let out = output_within_bound(keydesk(&url).env("KEYDESK_LANG", lang).args(args));
                let err = common::stderr(&out);
                assert_eq!(out.status.code(), Some(3), "{what}, {args:?}: {err}");
                assert!(err.contains(said), "{what}, {lang}: {err}");
                assert!(err.contains(&format!("alice@127.0.0.1:{port}/kd")), "{what}: {err}");
                assert!(!err.contains("hunter2"), "the password was shown: {err}");
            }
        }
    }
}

#[test]
fn a_statement_the_server_does_not_answer_ends_at_its_deadline_and_the_next_call_reconnects() {
    use keydesk::KeyStore;
    let url = format!("{}&connect_timeout=1", server!().create_database());
    let store = PgStore::open(&url, None, Actor::from_process(Interface::Library)).unwrap();
    assert!(store.change_counter().is_ok(), "a pooled connection, alive");
    // Another session holds a lock every read of the counter waits for: the
    // server is alive (the pooled connection's check passes) but the
    // statement gets no answer.
    let db = url.split('?').next().unwrap().rsplit('/').next().unwrap();
    let mut blocker = postgres::Client::connect(&server!().url(db), postgres::NoTls).unwrap();
    let mut lock = blocker.transaction().unwrap();
    lock.batch_execute("LOCK TABLE keydesk_meta IN ACCESS EXCLUSIVE MODE")
        .unwrap();

    let (answer, answered) = std::sync::mpsc::channel();
    let reader = store.clone();
    std::thread::spawn(move || answer.send(reader.change_counter()));
    let err = answered
        .recv_timeout(HANG_BOUND)
        .expect("the call ends at its deadline")
        .expect_err("unanswered");
    assert!(matches!(err, keydesk::StoreError::Unreachable { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("did not answer within 5 s"), "{message}");

    lock.rollback().unwrap();
    assert!(store.change_counter().is_ok(), "a new connection, made by itself");
}

#[test]
fn a_verifiers_health_never_waits_for_a_store_call_that_hangs() {
    server!(); // skips without a server
    let own = PgServer::start().unwrap();
    // A deadline far beyond the test's: a call to the frozen server stays
    // stuck for all of it.
    let url = format!("{}&connect_timeout=120", own.create_database());
    let store = PgStore::open(&url, None, Actor::from_process(Interface::Library)).unwrap();
    let settings = keydesk::verifier::Settings::default().poll_interval(Duration::from_millis(50));
    let verifier = std::sync::Arc::new(keydesk::Verifier::with_settings(store, settings).unwrap());
    // Read on a thread of its own, so that a health() that waits shows as
    // no answer rather than as a test that never ends.
    let health = || {
        let (answer, answered) = std::sync::mpsc::channel();
        let verifier = verifier.clone();
        std::thread::spawn(move || answer.send(verifier.health()));
        let t = Instant::now();
        let h = answered
            .recv_timeout(HANG_BOUND)
            .expect("health() answers while a poll hangs");
        eprintln!(
            "DEBUG health took {:?}: ago {:?} ok {} err {:?}",
            t.elapsed(),
            h.checked_ago,
            h.is_ok(),
            h.refresh_error
        );
        h
    };

    // A change seen means the background thread has polled since it started,
    // and so opened its connection for notifications: from now on a poll
    // is what waits for the server.
    let (secret, _) = verifier.store().create(&common::name("seen")).unwrap();
    serve_support::wait_for("the first poll", || verifier.verify(secret.expose()).is_some());

    own.pause();
    serve_support::wait_for("the index age growing past 2 s", || {
        health().checked_ago > Duration::from_secs(2)
    });
    assert!(health().is_ok(), "no call has failed yet: the poll is still waiting");

    own.resume();
    serve_support::wait_for("the index confirmed again", || {
        health().checked_ago < Duration::from_secs(2)
    });
}

fn status(server: &Server, path: &str, auth: &str) -> u16 {
    server.get(path, &[("Authorization", auth)]).status
}

fn metric(server: &Server, name: &str) -> f64 {
    let text = server.get("/metrics", &[]).body_text();
    let line = text
        .lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("{name}: {text}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

#[test]
fn serve_fails_closed_or_static_while_postgres_is_frozen_and_recovers_by_itself_after() {
    server!(); // skips without a server
    let own = PgServer::start().unwrap();
    let url = format!("{}&connect_timeout=2", own.create_database());
    let admin = PgStore::open(&url, None, Actor::from_process(Interface::Library)).unwrap();
    let (secret, _) = keydesk::KeyStore::create(&admin, &common::name("gateway-key")).unwrap();
    let bearer = format!("Bearer {}", secret.expose());
    let unknown = format!("Bearer {}", keydesk::SecretKey::generate().expose());
    let serve = |args: &[&str]| Server::start(std::path::Path::new(&url), args);
    let closed = serve(&["--max-index-age", "2s"]);
    let fail_static = serve(&["--max-index-age", "2s", "--fail-static"]);
    for server in [&closed, &fail_static] {
        assert_eq!(status(server, "/verify", &bearer), 200);
        assert_eq!(status(server, "/readyz", ""), 200);
    }

    own.pause();
    let paused = Instant::now();
    serve_support::wait_for("fail closed: 503", || status(&closed, "/verify", &bearer) == 503);
    eprintln!("fail closed: /verify 503 {:?} after SIGSTOP", paused.elapsed());
    assert_eq!(status(&closed, "/readyz", ""), 503);
    serve_support::wait_for("fail static: not ready", || status(&fail_static, "/readyz", "") == 503);
    eprintln!("fail static: /readyz 503 {:?} after SIGSTOP", paused.elapsed());
    let readyz = fail_static.get("/readyz", &[]).body_text();
    assert!(readyz.contains("degraded"), "{readyz}");
    assert_eq!(
        status(&fail_static, "/verify", &bearer),
        200,
        "fail static: still allowed"
    );
    assert_eq!(status(&fail_static, "/verify", &unknown), 401, "and others refused");
    // A stuck call ends at its deadline and is counted; the age keeps growing.
    for server in [&closed, &fail_static] {
        serve_support::wait_for("a refresh error counted", || {
            metric(server, "keydesk_index_refresh_errors_total") > 0.0
        });
        let age = metric(server, "keydesk_index_age_seconds");
        serve_support::wait_for("the index age growing", || {
            metric(server, "keydesk_index_age_seconds") > age
        });
    }
    assert_eq!(status(&closed, "/verify", &bearer), 503, "still closed");

    own.resume();
    let (new_secret, _) = keydesk::KeyStore::create(&admin, &common::name("after-resume")).unwrap();
    let resumed = Instant::now();
    let new_bearer = format!("Bearer {}", new_secret.expose());
    for server in [&closed, &fail_static] {
        serve_support::wait_for("a key created after the resume verifying", || {
            status(server, "/verify", &new_bearer) == 200
        });
        serve_support::wait_for("ready again", || status(server, "/readyz", "") == 200);
        assert_eq!(status(server, "/verify", &bearer), 200);
        // The operator is told once when it went stale, once when it is back.
        serve_support::wait_for("the outage told on stderr", || {
            server.stderr().contains("the key index is current again")
        });
        let said = server.stderr();
        assert_eq!(
            said.matches("the key index has not been refreshed").count(),
            1,
            "{said}"
        );
        assert!(!said.contains(&url), "{said}");
    }
    assert!(closed.stderr().contains("keys are answered 503 until it is"));
    assert!(
        fail_static
            .stderr()
            .contains("keys are answered from the last index (--fail-static)")
    );
    eprintln!(
        "a key created after SIGCONT verified on both {:?} after it",
        resumed.elapsed()
    );
}

#[test]
fn the_tui_says_it_is_connecting_then_gives_up_on_a_silent_server_at_connect_timeout() {
    let port = mute_server(b"");
    let url = format!("postgres://alice:hunter2-secret@127.0.0.1:{port}/kd?sslmode=disable&connect_timeout=2");
    let mut command = portable_pty::CommandBuilder::new(common::BIN);
    command.env("KEYDESK_DB", &url);
    command.env("KEYDESK_LANG", "en");
    command.env("TERM", "xterm-256color");
    command.env("XDG_CONFIG_HOME", "/nonexistent/keydesk-tests/config");
    command.env("PGPASSFILE", "/nonexistent");
    command.env_remove("PGPASSWORD");
    let mut session = common::session::Session::spawn(command, 200, 24);
    let location = format!("postgres://alice@127.0.0.1:{port}/kd");
    session.wait_for(&format!(
        "connecting to the PostgreSQL server {location} (giving up after 2 s"
    ));
    assert_eq!(session.wait_exit(), 3, "{}", session.screen());
    let screen = session.screen();
    assert!(
        screen.contains(&format!("cannot reach the PostgreSQL server {location}: connecting")),
        "{screen}"
    );
    assert!(
        !common::session::contains(&session.raw, b"hunter2"),
        "the password was shown: {screen}"
    );
}
