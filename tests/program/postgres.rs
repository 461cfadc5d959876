//! The PostgreSQL store against a real, throwaway server (see
//! `common/postgres.rs`): the conformance suite every backend passes, then
//! what is particular to a shared server.
//!
//! The tests that need the server take it with `server!()`: without one
//! (and outside CI, where that fails) it says `SKIPPED` once and each such
//! test returns, while the rest of the test binary runs on.

use crate::common;
use crate::conformance;
use crate::serve::support as serve_support;

/// The shared server, or a return from the calling test when there is none
/// here (see the module docs).
macro_rules! server {
    () => {
        match PgServer::shared() {
            Some(server) => server,
            None => return,
        }
    };
}

mod dump;
mod fleet;
mod hangs;

use std::sync::Arc;

use common::postgres::PgServer;
use keydesk::domain::{Actor, Interface};
use keydesk::store::Clock;
use keydesk_postgres::PgStore;

/// The shared server, for helpers called by a test that took it with
/// `server!()` first.
fn server() -> &'static PgServer {
    PgServer::shared().expect("the calling test took the server with server!()")
}

/// A new database per test on one shared server.
struct Postgres;

impl conformance::Backend for Postgres {
    fn open(&self, clock: Clock) -> conformance::Opened {
        self.open_as(clock, Actor::from_process(Interface::Library))
    }

    fn open_as(&self, clock: Clock, actor: Actor) -> conformance::Opened {
        let url = server().create_database();
        let store = PgStore::open(&url, None, actor.clone())
            .unwrap()
            .with_clock(clock.clone());
        conformance::Opened {
            store: Arc::new(store),
            reopen: Box::new(move || {
                Arc::new(
                    PgStore::open_existing(&url, None, actor.clone())
                        .unwrap()
                        .with_clock(clock.clone()),
                )
            }),
            _guard: Box::new(()),
        }
    }

    fn open_sealed(&self, key: keydesk::domain::AuditKey) -> conformance::Sealed {
        let url = server().create_database();
        let open = {
            let url = url.clone();
            move |key: Option<keydesk::domain::AuditKey>| -> Arc<dyn keydesk::KeyStore> {
                let store = PgStore::open(&url, None, Actor::from_process(Interface::Library)).unwrap();
                Arc::new(match key {
                    Some(key) => store.with_audit_key(key),
                    None => store,
                })
            }
        };
        conformance::Sealed {
            store: open(Some(key)),
            with_key: Box::new(open),
            raw: Box::new(PgLog(url)),
            _guard: Box::new(()),
        }
    }
}

/// The `keydesk_audit` table as someone with write access to it edits it.
struct PgLog(String);

impl PgLog {
    fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.0, postgres::NoTls).unwrap()
    }
}

impl common::forgery::RawLog for PgLog {
    fn entries(&self) -> Vec<(u64, Vec<u8>)> {
        let rows = self
            .client()
            .query("SELECT seq, entry FROM keydesk_audit ORDER BY seq", &[])
            .unwrap();
        rows.iter()
            .map(|row| (row.get::<_, i64>(0) as u64, row.get(1)))
            .collect()
    }

    fn put(&self, seq: u64, bytes: &[u8]) {
        self.client()
            .execute(
                "UPDATE keydesk_audit SET entry = $2 WHERE seq = $1",
                &[&(seq as i64), &bytes],
            )
            .unwrap();
    }

    fn truncate(&self, from: u64) {
        let mut client = self.client();
        let from = from as i64;
        client
            .execute("DELETE FROM keydesk_audit WHERE seq >= $1", &[&from])
            .unwrap();
        client
            .execute("UPDATE keydesk_meta SET audit_last_seq = $1", &[&(from - 1)])
            .unwrap();
    }
}

// Each test returns early (skips) when there is no server here.
conformance_suite!({
    server!();
    Postgres
});

#[test]
fn the_test_server_starts_stops_and_restarts_with_its_data() {
    server!();
    let server = PgServer::start().unwrap();
    let url = server.create_database();
    let db = url.split('?').next().unwrap().rsplit('/').next().unwrap().to_owned();
    server.execute(&db, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)");
    server.stop();
    assert!(
        postgres::Client::connect(&url, postgres::NoTls).is_err(),
        "a stopped server refuses connections"
    );
    server.restart().unwrap();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let n: i32 = client.query_one("SELECT n FROM kept", &[]).unwrap().get(0);
    assert_eq!(n, 7);
}

/// `keydesk` on the PostgreSQL database at `url`, named by `KEYDESK_DB`.
/// Without the developer's PostgreSQL password, as [`common::keydesk`] is
/// without their config file.
fn keydesk(url: &str) -> std::process::Command {
    let mut command = common::keydesk(url);
    command.env_remove("PGPASSWORD").env("PGPASSFILE", "/nonexistent");
    command
}

#[test]
fn the_cli_creates_lists_verifies_and_deletes_keys_in_postgres() {
    let url = server!().create_database();
    let out = keydesk(&url)
        .args(["create", "--name", "billing", "--accept-terms"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    let secret = common::stdout(&out).trim().to_owned();
    let listed = keydesk(&url).args(["list", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(json[0]["name"], "billing");
    let id = json[0]["id"].as_str().unwrap().to_owned();

    let verified = common::run_with_stdin(keydesk(&url).arg("verify"), &secret);
    assert!(verified.status.success(), "{}", common::stderr(&verified));
    assert_eq!(common::stdout(&verified).trim(), id);

    let deleted = keydesk(&url).args(["delete", &id, "--yes"]).output().unwrap();
    assert!(deleted.status.success(), "{}", common::stderr(&deleted));
    let refused = common::run_with_stdin(keydesk(&url).arg("verify"), &secret);
    assert_eq!(refused.status.code(), Some(1));
    let log = keydesk(&url).args(["log", "--check"]).output().unwrap();
    assert!(log.status.success(), "{}", common::stderr(&log));
}

#[test]
fn a_database_without_keydesk_tables_is_reported_not_set_up_by_readers() {
    let url = server!().create_database();
    let out = keydesk(&url).arg("list").output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", common::stderr(&out));
    assert!(
        common::stderr(&out).contains("has no keydesk tables"),
        "{}",
        common::stderr(&out)
    );
    let created = keydesk(&url)
        .args(["create", "--name", "first", "--accept-terms"])
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", common::stderr(&created));
    assert!(keydesk(&url).arg("list").output().unwrap().status.success());
}

#[test]
fn a_password_in_db_on_the_command_line_is_refused_without_being_shown() {
    let url = server!().create_database();
    let with_password = url.replacen("postgres@", "postgres:hunter2-secret@", 1);
    for args in [
        vec!["--db".to_owned(), with_password.clone(), "list".to_owned()],
        vec![format!("--db={with_password}"), "list".to_owned()],
    ] {
        let out = keydesk(&url).env_remove("KEYDESK_DB").args(&args).output().unwrap();
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("PGPASSWORD") && err.contains("KEYDESK_DB"), "{err}");
        assert!(!err.contains("hunter2"), "the password was shown: {err}");
    }
    // The same URL from the environment is accepted (the server trusts
    // local connections, so the password is not checked).
    let out = keydesk(&with_password)
        .args(["create", "--name", "from-env", "--accept-terms"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
}

#[test]
fn an_unreachable_server_is_reported_without_the_password_in_either_language() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "postgres://admin:hunter2-secret@/keys?host={}&connect_timeout=2",
        dir.path().display()
    );
    for (lang, said) in [
        ("en", "cannot reach the PostgreSQL server"),
        ("zh-CN", "无法连接 PostgreSQL 服务器"),
    ] {
        let out = keydesk(&url).env("KEYDESK_LANG", lang).arg("list").output().unwrap();
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert!(err.contains(said), "{lang}: {err}");
        assert!(!err.contains("hunter2"), "the password was shown: {err}");
    }
}

#[test]
fn a_role_the_server_does_not_know_is_reported_without_the_password_in_either_language() {
    let db = server!().create_database_named();
    let url = server!()
        .url_as("nobody", &db)
        .replacen("nobody@", "nobody:hunter2-secret@", 1);
    let err = PgStore::open_existing(&url, None, Actor::from_process(Interface::Library)).unwrap_err();
    assert!(matches!(err, keydesk::StoreError::Server { .. }), "{err:?}");
    // As keydesk's front-ends show it.
    use keydesk::i18n::words::Worded;
    let [english, chinese] = keydesk::i18n::Lang::ALL.map(|lang| keydesk::i18n::with_lang(lang, || err.worded()));
    assert!(
        english.starts_with("PostgreSQL error on postgres://nobody@"),
        "{english}"
    );
    assert!(chinese.starts_with("PostgreSQL 出错（postgres://nobody@"), "{chinese}");
    for message in [english, chinese] {
        // The server's own words, as it said them, name the role.
        assert!(message.contains("role \"nobody\" does not exist"), "{message}");
        assert!(!message.contains("hunter2"), "the password was shown: {message}");
    }
    assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
}

#[test]
fn eight_concurrent_writer_processes_lose_nothing() {
    let url = server!().create_database();
    assert!(
        keydesk(&url)
            .args(["create", "--name", "seed", "--accept-terms"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let url = url.clone();
            std::thread::spawn(move || {
                for i in 0..6 {
                    let name = format!("w{w}-{i}");
                    let out = keydesk(&url)
                        .args(["create", "--name", &name, "--accept-terms"])
                        .output()
                        .unwrap();
                    assert!(out.status.success(), "{name}: {}", common::stderr(&out));
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let store = PgStore::open_existing(&url, None, Actor::from_process(Interface::Library)).unwrap();
    use keydesk::KeyStore;
    let names: std::collections::BTreeSet<_> = store.list().unwrap().into_iter().map(|r| r.name).collect();
    assert_eq!(names.len(), 1 + 8 * 6);
    let entries = store.audit_entries(&Default::default()).unwrap();
    assert_eq!(entries.len(), 1 + 8 * 6, "one audit entry per key");
    assert_eq!(store.check_audit_chain().unwrap(), None, "the chain holds");
}

#[test]
fn a_verifier_on_postgres_sees_a_key_created_and_disabled_on_another_host() {
    use keydesk::KeyStore;
    let url = server!().create_database();
    let actor = || Actor::from_process(Interface::Library);
    let here = PgStore::open(&url, None, actor()).unwrap();
    let elsewhere = PgStore::open_existing(&url, None, actor()).unwrap();
    let verifier = keydesk::Verifier::new(here).unwrap();
    let (secret, record) = elsewhere.create(&common::name("fleet-key")).unwrap();
    common::wait_for("a key created elsewhere", || verifier.verify(secret.expose()).is_some());
    elsewhere.disable(&record.id).unwrap();
    common::wait_for("a key disabled elsewhere", || {
        verifier.verify(secret.expose()).is_none()
    });
}

#[test]
fn a_verifier_hears_of_a_change_by_notify_long_before_its_next_poll() {
    use keydesk::KeyStore;
    let url = server!().create_database();
    let actor = || Actor::from_process(Interface::Library);
    let elsewhere = PgStore::open(&url, None, actor()).unwrap();
    let (secret, record) = elsewhere.create(&common::name("notified")).unwrap();
    // Polls a minute apart: only a notification can bring the change in time.
    let settings = keydesk::verifier::Settings::default().poll_interval(std::time::Duration::from_secs(60));
    let verifier =
        keydesk::Verifier::with_settings(PgStore::open_existing(&url, None, actor()).unwrap(), settings).unwrap();
    assert!(verifier.verify(secret.expose()).is_some());
    // The first change may arrive by the look the verifier takes once it
    // started listening; every later one only by a notification.
    for _ in 0..2 {
        elsewhere.disable(&record.id).unwrap();
        common::wait_for("a disable by NOTIFY", || verifier.verify(secret.expose()).is_none());
        elsewhere.enable(&record.id).unwrap();
        common::wait_for("an enable by NOTIFY", || verifier.verify(secret.expose()).is_some());
    }
    let started = std::time::Instant::now();
    drop(verifier);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "a verifier waiting for a notification stops without waiting out its poll"
    );
}

/// Not a check but a measurement (run it with `cargo test --release --test
/// program -- --ignored --nocapture postgres::propagation`): how long a disable or
/// enable committed through one store takes to reach a Verifier on another
/// connection, over 100 changes, with default settings (NOTIFY, and the
/// change counter polled every 250 ms in case one is lost).
#[test]
#[ignore = "a measurement; prints figures"]
fn propagation_to_a_verifier_over_100_changes() {
    use keydesk::KeyStore;
    let url = server!().create_database();
    let actor = || Actor::from_process(Interface::Library);
    let writer = PgStore::open(&url, None, actor()).unwrap();
    let (secret, record) = writer.create(&common::name("measured")).unwrap();
    let verifier = keydesk::Verifier::new(PgStore::open_existing(&url, None, actor()).unwrap()).unwrap();
    // Let the verifier start listening before the measured changes.
    writer.disable(&record.id).unwrap();
    common::wait_for("the first change", || verifier.verify(secret.expose()).is_none());
    let mut took = Vec::new();
    for i in 0..100 {
        let enabled = i % 2 == 0;
        if enabled {
            writer.enable(&record.id).unwrap();
        } else {
            writer.disable(&record.id).unwrap();
        }
        let committed = std::time::Instant::now();
        while verifier.verify(secret.expose()).is_some() != enabled {
            assert!(committed.elapsed() < common::CHANGE_DEADLINE, "change {i} not seen");
            std::thread::yield_now();
        }
        took.push(committed.elapsed());
    }
    took.sort();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    eprintln!(
        "propagation over {} changes: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        took.len(),
        ms(took[49]),
        ms(took[98]),
        ms(took[99])
    );
}

/// Runs `sql/postgres-roles.sql` in the database at `url` and returns a URL
/// for a new login role that is a member of `group`.
fn login_as_member_of(url: &str, group: &str) -> String {
    let db = url.split('?').next().unwrap().rsplit('/').next().unwrap();
    let roles = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/sql/postgres-roles.sql")).unwrap();
    server().execute(db, &roles);
    let login = format!("{group}_{db}");
    server().execute(db, &format!("CREATE ROLE {login} LOGIN IN ROLE {group}"));
    server().url_as(&login, db)
}

#[test]
fn the_verifier_role_verifies_and_records_last_used_but_cannot_change_keys() {
    use keydesk::KeyStore;
    let url = server!().create_database();
    let admin = PgStore::open(&url, None, Actor::from_process(Interface::Library)).unwrap();
    let (secret, record) = admin.create(&common::name("guarded")).unwrap();
    let (rotated_secret, rotated) = admin.create(&common::name("rotated")).unwrap();
    admin.rotate(&rotated.id, time::Duration::hours(1)).unwrap();
    let verifier_url = login_as_member_of(&url, "keydesk_verifier");
    let gateway = PgStore::open_existing(&verifier_url, None, Actor::from_process(Interface::Serve)).unwrap();

    assert_eq!(gateway.verify(secret.expose()).unwrap(), Some(record.id.clone()));
    assert_eq!(
        gateway.verify(rotated_secret.expose()).unwrap(),
        Some(rotated.id.clone())
    );
    assert!(
        admin.get(&record.id).unwrap().unwrap().last_used.is_some(),
        "Last Used written"
    );
    assert!(
        admin
            .get(&rotated.id)
            .unwrap()
            .unwrap()
            .previous
            .unwrap()
            .last_used
            .is_some(),
        "the previous secret's Last Used written"
    );
    assert_eq!(gateway.load_hash_index().unwrap().1.len(), 3);
    let window = keydesk::domain::UsageQuery::last(Some(record.id.clone()), 1, 1, time::OffsetDateTime::now_utc());
    let counted = admin.usage(&window).unwrap();
    assert_eq!(
        counted[0].1.total().accepted,
        1,
        "the verifier role writes usage counts"
    );
    let answer = keydesk::domain::TokenDelta {
        id: record.id.clone(),
        hour: keydesk::domain::Hour::of(time::OffsetDateTime::now_utc()),
        model: Some("gpt-4o-mini".into()),
        counts: keydesk::domain::TokenCounts {
            input: 12,
            output: 30,
            answers: 1,
            ..Default::default()
        },
    };
    gateway
        .record_usage_and_tokens(&[], &[], std::slice::from_ref(&answer))
        .unwrap();
    let seen = gateway.token_totals(&record.id, answer.hour).unwrap();
    assert_eq!(seen.since, answer.counts, "the verifier role writes and reads tokens");
    assert_eq!(admin.token_totals(&record.id, answer.hour).unwrap(), seen);

    let before = admin.load().unwrap();
    let denied = |what: &str, result: Result<(), keydesk::StoreError>| {
        let err = result.expect_err(what);
        assert!(err.to_string().contains("permission denied"), "{what}: {err}");
    };
    denied("create", gateway.create(&common::name("intruder")).map(drop));
    denied("rename", gateway.rename(&record.id, &common::name("renamed")).map(drop));
    denied("delete", gateway.delete(&record.id).map(drop));
    denied("disable", gateway.disable(&record.id).map(drop));
    denied("rotate", gateway.rotate(&record.id, time::Duration::ZERO).map(drop));
    denied(
        "read the audit log",
        gateway.audit_entries(&Default::default()).map(drop),
    );
    assert_eq!(admin.load().unwrap(), before, "nothing changed");

    let admin_url = login_as_member_of(&url, "keydesk_admin");
    // `open` (what `create` and the TUI use) too: a current schema is not
    // touched, so a role that may not create tables can use it.
    let person = PgStore::open(&admin_url, None, Actor::from_process(Interface::Cli)).unwrap();
    person.rename(&record.id, &common::name("renamed")).unwrap();
    person.delete(&rotated.id).unwrap();
    person.create(&common::name("another")).unwrap();
    assert_eq!(person.check_audit_chain().unwrap(), None);
}

#[test]
fn a_verifier_keeps_answering_while_postgres_is_down_and_writes_its_uses_once_back() {
    use keydesk::KeyStore;
    server!(); // skips without a server
    let own = PgServer::start().unwrap();
    let url = own.create_database();
    let actor = || Actor::from_process(Interface::Library);
    let admin = PgStore::open(&url, None, actor()).unwrap();
    let (secret, record) = admin.create(&common::name("outage")).unwrap();
    let t0 = time::macros::datetime!(2026-05-01 10:00:00 UTC);
    let (clock, now) = common::manual_clock(t0);
    let settings = keydesk::verifier::Settings::default()
        .flush_interval(std::time::Duration::from_millis(100))
        .clock(clock);
    let verifier =
        keydesk::Verifier::with_settings(PgStore::open_existing(&url, None, actor()).unwrap(), settings).unwrap();
    let last_used = || admin.get(&record.id).unwrap().unwrap().last_used;
    assert!(verifier.verify(secret.expose()).is_some());
    common::wait_for("the first use written", || last_used() == Some(t0));

    own.stop();
    common::wait_for("the verifier noticing the outage", || {
        verifier.health().refresh_error.is_some()
    });
    let err = verifier.health().refresh_error.unwrap().to_string();
    assert!(err.contains("cannot reach the PostgreSQL server"), "{err}");
    // Fail static: the last index answers, both ways.
    *now.lock().unwrap() = t0 + time::Duration::minutes(2);
    let checks = std::cell::Cell::new(1);
    common::wait_for("a use during the outage noted", || {
        assert!(verifier.verify(secret.expose()).is_some(), "a valid key still verifies");
        checks.set(checks.get() + 1);
        verifier.health().pending_uses == 1
    });
    assert!(verifier.verify(keydesk::SecretKey::generate().expose()).is_none());
    common::wait_for("the flush failing", || verifier.health().flush_error.is_some());
    assert_eq!(verifier.health().pending_uses, 1, "kept for later");

    own.restart().unwrap();
    common::wait_for("the verifier recovering", || {
        let health = verifier.health();
        health.is_ok() && health.pending_uses == 0
    });
    assert_eq!(
        last_used(),
        Some(t0 + time::Duration::minutes(2)),
        "the outage's use arrived"
    );
    // Every check is counted exactly once: the one before the outage and
    // those during it, which waited in memory and arrived with the flush.
    let window = keydesk::domain::UsageQuery::last(Some(record.id.clone()), 400, 1, time::OffsetDateTime::now_utc());
    common::wait_for("the outage's counts written", || {
        admin.usage(&window).unwrap().first().map(|(_, u)| u.total().accepted) == Some(checks.get())
    });
    let (secret2, _) = admin.create(&common::name("after-outage")).unwrap();
    common::wait_for("a key created after the outage", || {
        verifier.verify(secret2.expose()).is_some()
    });
    assert_eq!(
        verifier.close().unwrap(),
        1,
        "only the new key's first use is left to write"
    );
    assert_eq!(last_used(), Some(t0 + time::Duration::minutes(2)));
}

#[test]
fn serve_with_fail_static_keeps_answering_while_postgres_is_down_and_says_it_is_not_ready() {
    use keydesk::KeyStore;
    server!(); // skips without a server
    let own = PgServer::start().unwrap();
    let url = own.create_database();
    let admin = PgStore::open(&url, None, Actor::from_process(Interface::Library)).unwrap();
    let (secret, _) = admin.create(&common::name("gateway-key")).unwrap();
    let bearer = format!("Bearer {}", secret.expose());
    let unknown = format!("Bearer {}", keydesk::SecretKey::generate().expose());
    let serve = |args: &[&str]| serve_support::Server::start(std::path::Path::new(&url), args);
    let static_serve = serve(&["--fail-static", "--max-index-age", "1s"]);
    let closed_serve = serve(&["--max-index-age", "1s"]);
    let status =
        |server: &serve_support::Server, path: &str, auth: &str| server.get(path, &[("Authorization", auth)]).status;
    assert_eq!(status(&static_serve, "/verify", &bearer), 200);
    assert_eq!(status(&static_serve, "/readyz", ""), 200);

    // A fleet: a key created, then disabled, by the CLI reaches both servers.
    let created = keydesk(&url)
        .args(["create", "--name", "fleet-wide", "--accept-terms"])
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", common::stderr(&created));
    let fleet_bearer = format!("Bearer {}", common::stdout(&created).trim());
    let both = |want: u16| {
        status(&static_serve, "/verify", &fleet_bearer) == want
            && status(&closed_serve, "/verify", &fleet_bearer) == want
    };
    common::wait_for("a key created by the CLI, accepted by both servers", || both(200));
    let id = admin
        .list()
        .unwrap()
        .into_iter()
        .find(|r| r.name == "fleet-wide")
        .unwrap()
        .id;
    let disabled = keydesk(&url).args(["disable", id.as_str()]).output().unwrap();
    assert!(disabled.status.success(), "{}", common::stderr(&disabled));
    common::wait_for("a key disabled by the CLI, refused by both servers", || both(401));

    own.stop();
    common::wait_for("both servers not ready", || {
        status(&static_serve, "/readyz", "") == 503 && status(&closed_serve, "/readyz", "") == 503
    });
    assert_eq!(
        status(&static_serve, "/verify", &bearer),
        200,
        "fail static: still allowed"
    );
    assert_eq!(
        status(&static_serve, "/verify", &unknown),
        401,
        "and others still refused"
    );
    assert_eq!(
        status(&closed_serve, "/verify", &bearer),
        503,
        "without it: fail closed"
    );
    let metrics = String::from_utf8(static_serve.get("/metrics", &[]).body).unwrap();
    let errors = metrics
        .lines()
        .find(|l| l.starts_with("keydesk_index_refresh_errors_total"))
        .unwrap()
        .to_owned();
    assert!(!errors.ends_with(" 0"), "{errors}");

    own.restart().unwrap();
    common::wait_for("both ready again", || {
        status(&static_serve, "/readyz", "") == 200 && status(&closed_serve, "/readyz", "") == 200
    });
    assert_eq!(status(&closed_serve, "/verify", &bearer), 200);
}

/// A gateway given its database with the password in the URL (from
/// `KEYDESK_DB`; the test server trusts local connections, so any password
/// works) shows it nowhere: not in its log, its metrics or its answers,
/// neither while PostgreSQL is up nor once it is down.
#[test]
fn serve_never_shows_the_password_of_its_database_url() {
    server!(); // skips without a server
    let own = PgServer::start().unwrap();
    let password = "hunter2pw";
    let url = format!("{}&password={password}", own.create_database());
    let created = keydesk(&url)
        .args(["create", "--name", "gateway-key", "--accept-terms"])
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", common::stderr(&created));
    let serve = serve_support::Server::start_with_env_db(&url, &["--fail-static", "--max-index-age", "1s"]);
    let mut seen = Vec::new();
    for path in ["/metrics", "/readyz", "/verify"] {
        seen.push(serve.get(path, &[]).body_text());
    }
    own.stop();
    common::wait_for("the gateway not ready", || serve.get("/readyz", &[]).status == 503);
    for path in ["/metrics", "/readyz", "/verify"] {
        seen.push(serve.get(path, &[]).body_text());
    }
    seen.push(serve.stderr());
    assert!(seen[0].contains("keydesk_"), "the metrics were read: {}", seen[0]);
    for text in seen {
        assert!(!text.contains(password), "{text}");
    }
}

#[test]
fn migrate_copies_a_files_keys_and_audit_log_and_running_it_again_copies_nothing() {
    use keydesk::KeyStore;
    let url = server!().create_database();
    let (dir, file) = common::temp_store();
    let path = dir.path().join("keys.redb");
    let mut secrets = Vec::new();
    for i in 0..5 {
        let (secret, record) = file.create(&common::name(&format!("file-key-{i}"))).unwrap();
        file.verify(secret.expose()).unwrap();
        secrets.push((secret, record));
    }
    file.rename(&secrets[0].1.id, &common::name("renamed")).unwrap();
    file.disable(&secrets[1].1.id).unwrap();
    let (rotated, _) = file.rotate(&secrets[2].1.id, time::Duration::hours(1)).unwrap();
    file.set_expiry(
        &secrets[3].1.id,
        Some(time::OffsetDateTime::now_utc() + time::Duration::days(9)),
    )
    .unwrap();
    file.delete(&secrets[4].1.id).unwrap();
    let tokens = keydesk::domain::TokenDelta {
        id: secrets[0].1.id.clone(),
        hour: keydesk::domain::Hour::of(time::OffsetDateTime::now_utc()),
        model: Some("gpt-4o-mini".into()),
        counts: keydesk::domain::TokenCounts {
            input: 1234,
            output: 56,
            answers: 2,
            ..Default::default()
        },
    };
    file.record_usage_and_tokens(&[], &[], std::slice::from_ref(&tokens))
        .unwrap();

    let migrate = || {
        keydesk(&url)
            .env_remove("KEYDESK_DB")
            .args(["migrate", "--from", path.to_str().unwrap(), "--to", &url])
            .output()
            .unwrap()
    };
    let first = migrate();
    assert!(first.status.success(), "{}", common::stderr(&first));
    assert!(
        common::stdout(&first).contains("4 copied, 0 already"),
        "{}",
        common::stdout(&first)
    );

    let pg = PgStore::open_existing(&url, None, Actor::from_process(Interface::Library)).unwrap();
    assert_eq!(pg.list().unwrap(), file.list().unwrap(), "every record as it was");
    let window = keydesk::domain::UsageQuery::last(None, 30, 24, time::OffsetDateTime::now_utc());
    let counted = file.usage(&window).unwrap();
    assert_eq!(counted.len(), 4, "the verified keys not deleted: {counted:?}");
    assert_eq!(
        pg.usage(&window).unwrap(),
        counted,
        "usage and token counts as they were"
    );
    let since = tokens.hour;
    assert_eq!(
        pg.token_totals(&tokens.id, since).unwrap(),
        file.token_totals(&tokens.id, since).unwrap()
    );
    assert_eq!(pg.token_totals(&tokens.id, since).unwrap().lifetime, tokens.counts);
    let all = keydesk::domain::AuditQuery::default();
    assert_eq!(pg.audit_entries(&all).unwrap(), file.audit_entries(&all).unwrap());
    assert_eq!(pg.check_audit_chain().unwrap(), None);
    assert_eq!(pg.verify(rotated.expose()).unwrap(), Some(secrets[2].1.id.clone()));
    assert_eq!(
        pg.verify(secrets[2].0.expose()).unwrap(),
        Some(secrets[2].1.id.clone()),
        "in its grace"
    );
    assert_eq!(pg.verify(secrets[1].0.expose()).unwrap(), None, "disabled");

    let again = migrate();
    assert!(again.status.success(), "{}", common::stderr(&again));
    let out = common::stdout(&again);
    assert!(
        out.contains("0 copied, 4 already") && out.contains("now holds 4 keys"),
        "{out}"
    );
    assert!(out.contains("buckets in the file; 0 copied, 8 already there"), "{out}");
    assert!(
        pg.usage(&window).unwrap()[0].1.total().accepted >= counted[0].1.total().accepted,
        "never added twice, and what PostgreSQL counted since is kept"
    );
    assert_eq!(
        pg.audit_entries(&all).unwrap().len(),
        file.audit_entries(&all).unwrap().len()
    );

    // A database with a log of its own cannot take the file's.
    let other = server!().create_database();
    PgStore::open(&other, None, Actor::from_process(Interface::Library))
        .unwrap()
        .create(&common::name("native"))
        .unwrap();
    let refused = keydesk(&other)
        .args(["migrate", "--from", path.to_str().unwrap(), "--to", &other])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1), "{}", common::stderr(&refused));
    assert!(
        common::stderr(&refused).contains("audit log of its own"),
        "{}",
        common::stderr(&refused)
    );
}

#[test]
fn hosts_setting_up_one_database_at_once_apply_each_migration_once() {
    let url = server!().create_database();
    let openers: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || PgStore::open(&url, None, Actor::from_process(Interface::Library)).map(drop))
        })
        .collect();
    for opener in openers {
        opener.join().unwrap().unwrap();
    }
    let db = url.split('?').next().unwrap().rsplit('/').next().unwrap();
    let mut client = postgres::Client::connect(&server!().url(db), postgres::NoTls).unwrap();
    let applied: i64 = client
        .query_one("SELECT count(*) FROM keydesk_schema_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(applied as u64, keydesk_postgres::PG_SCHEMA_VERSION);
}

#[test]
fn a_database_set_up_by_a_newer_keydesk_is_refused_untouched() {
    use keydesk::KeyStore;
    let url = server!().create_database();
    let store = PgStore::open(&url, None, Actor::from_process(Interface::Library)).unwrap();
    store.create(&common::name("kept")).unwrap();
    let db = url.split('?').next().unwrap().rsplit('/').next().unwrap();
    server!().execute(
        db,
        "INSERT INTO keydesk_schema_migrations (version, description) VALUES (99, 'future')",
    );
    let counter = store.change_counter().unwrap();
    for open in [PgStore::open, PgStore::open_existing] {
        let err = open(&url, None, Actor::from_process(Interface::Library)).unwrap_err();
        assert!(err.to_string().contains("newer keydesk (schema 99"), "{err}");
    }
    let out = keydesk(&url).arg("list").output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", common::stderr(&out));
    assert_eq!(store.change_counter().unwrap(), counter, "nothing written");
}

/// A database as schema 2 left it (keys, usage counts, no policies, no
/// refusals by policy) is upgraded on open: every key keeps everything it
/// had and starts without rules, its counts stay, a policy can then be set
/// and is read back, and a stored policy that does not parse is an error
/// naming the key, never a key without rules.
#[test]
fn a_schema_2_database_gets_policies_and_a_bad_stored_policy_is_an_error() {
    use keydesk::KeyStore;
    use keydesk::domain::Policy;
    let url = server!().create_database();
    let store = PgStore::open(&url, None, Actor::from_process(Interface::Library)).unwrap();
    let (secret, record) = store.create(&common::name("older")).unwrap();
    assert!(store.verify(secret.expose()).unwrap().is_some());
    let record = store.get(&record.id).unwrap().unwrap();
    let all = keydesk::domain::UsageQuery::last(None, 1, 1, time::OffsetDateTime::now_utc());
    let counted = store.usage(&all).unwrap();
    let db = url.split('?').next().unwrap().rsplit('/').next().unwrap();
    let added = "refused_rate, DROP COLUMN refused_concurrency, DROP COLUMN refused_method, \
                 DROP COLUMN refused_path, DROP COLUMN refused_model, DROP COLUMN refused_address";
    server!().execute(
        db,
        &format!(
            "ALTER TABLE keydesk_keys DROP COLUMN policy; \
             ALTER TABLE keydesk_usage_hourly DROP COLUMN {added}; \
             ALTER TABLE keydesk_usage_daily DROP COLUMN {added}; \
             DROP TABLE keydesk_rate_leases, keydesk_rate_gateways; \
             DROP TABLE keydesk_tokens_hourly, keydesk_tokens_daily, keydesk_tokens_lifetime, keydesk_tpm_seconds; \
             DELETE FROM keydesk_schema_migrations WHERE version >= 3"
        ),
    );
    let upgraded = PgStore::open(&url, None, Actor::from_process(Interface::Library)).unwrap();
    assert_eq!(upgraded.get(&record.id).unwrap().unwrap(), record);
    assert_eq!(upgraded.usage(&all).unwrap(), counted, "the counts stay");
    assert_eq!(counted[0].1.total().accepted, 1);
    assert_eq!(upgraded.verify(secret.expose()).unwrap(), Some(record.id.clone()));
    let rules = Policy::parse("rpm=60 paths=/v1/*").unwrap();
    upgraded.set_policy(&record.id, &rules).unwrap();
    assert_eq!(store.get(&record.id).unwrap().unwrap().policy, rules);

    server!().execute(db, "UPDATE keydesk_keys SET policy = 'rpm=lots'");
    let err = store.get(&record.id).unwrap_err().to_string();
    assert!(
        err.contains(record.id.as_str()) && err.contains("policy cannot be read"),
        "{err}"
    );
}

/// A test CA and a server certificate for `localhost` it signed, as PEM:
/// (CA certificate, server certificate, server key).
fn private_ca_and_server_certificate() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose};
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    (ca.pem(), server.pem(), server_key.serialize_pem())
}

/// `keydesk` with only `--db url` (no `KEYDESK_DB`) and a password in
/// `PGPASSWORD` that must never be shown (the server trusts 127.0.0.1, so
/// it is not checked).
fn keydesk_over_tcp(url: &str, root_cert: Option<&std::path::Path>) -> std::process::Command {
    let mut command = keydesk(url);
    command
        .env_remove("KEYDESK_DB")
        .env("PGPASSWORD", "hunter2-secret")
        .args(["--db", url]);
    match root_cert {
        Some(file) => command.env("PGSSLROOTCERT", file),
        None => command.env_remove("PGSSLROOTCERT"),
    };
    command
}

/// Whether the session of a client that trusts only `ca_pem` is encrypted,
/// as the server itself says (not through keydesk's code).
fn server_says_the_session_is_tls(port: u16, db: &str, ca_pem: &str) -> bool {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap())
        .unwrap();
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let url = format!("postgres://postgres@localhost:{port}/{db}?sslmode=require");
    let mut client = postgres::Client::connect(&url, tokio_postgres_rustls::MakeRustlsConnect::new(tls)).unwrap();
    client
        .query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[])
        .unwrap()
        .get(0)
}

#[test]
fn a_server_with_a_private_ca_is_trusted_through_pgsslrootcert_and_refused_without_it() {
    server!();
    let (ca_pem, cert_pem, key_pem) = private_ca_and_server_certificate();
    let tls_server = PgServer::start_with_tls(common::postgres::TlsIdentity {
        cert_pem: &cert_pem,
        key_pem: &key_pem,
    })
    .unwrap();
    let db = tls_server.create_database_named();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca_pem).unwrap();
    let url = format!(
        "postgres://postgres@localhost:{}/{db}?sslmode=require",
        tls_server.port()
    );

    let created = keydesk_over_tcp(&url, Some(&ca_file))
        .args(["create", "--name", "over-tls", "--accept-terms"])
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", common::stderr(&created));
    let listed = keydesk_over_tcp(&url, Some(&ca_file)).arg("list").output().unwrap();
    assert!(listed.status.success(), "{}", common::stderr(&listed));
    assert!(
        common::stdout(&listed).contains("over-tls"),
        "{}",
        common::stdout(&listed)
    );

    for (lang, said) in [
        ("en", "cannot reach the PostgreSQL server"),
        ("zh-CN", "无法连接 PostgreSQL 服务器"),
    ] {
        let refused = keydesk_over_tcp(&url, None)
            .env("KEYDESK_LANG", lang)
            .arg("list")
            .output()
            .unwrap();
        let err = common::stderr(&refused);
        assert_eq!(refused.status.code(), Some(3), "{err}");
        assert!(err.contains(said), "{lang}: {err}");
        assert!(err.contains("certificate") && err.contains("UnknownIssuer"), "{err}");
        assert!(!err.contains("hunter2"), "the password was shown: {err}");
    }

    assert!(server_says_the_session_is_tls(tls_server.port(), &db, &ca_pem));
}

#[test]
fn an_unusable_pgsslrootcert_file_is_reported_by_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing-ca.pem");
    let not_pem = dir.path().join("not-a-ca.pem");
    std::fs::write(&not_pem, "just some text\n").unwrap();
    // No server is needed: the file is read before connecting.
    let url = "postgres://postgres@localhost:1/keys?sslmode=require";
    for file in [&missing, &not_pem] {
        let out = keydesk_over_tcp(url, Some(file)).arg("list").output().unwrap();
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert!(
            err.contains(&file.display().to_string()) && err.contains("PGSSLROOTCERT"),
            "{err}"
        );
        assert!(!err.contains("hunter2"), "the password was shown: {err}");
    }
}
