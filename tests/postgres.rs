//! The PostgreSQL store against a real, throwaway server (see
//! `common/postgres.rs`): the conformance suite every backend passes, then
//! what is particular to a shared server.
//!
//! Every test here needs the server: without one (and outside CI, where
//! that fails) the first test to look says `SKIPPED` and ends the test
//! binary successfully.

mod common;
#[macro_use]
mod conformance;

use std::sync::Arc;

use common::postgres::PgServer;
use keydesk::domain::{Actor, Interface};
use keydesk::store::Clock;
use keydesk::store::postgres::PgStore;

/// The shared server, or the end of this test binary (see the module docs).
fn server() -> &'static PgServer {
    match PgServer::shared() {
        Some(server) => server,
        None => std::process::exit(0),
    }
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
}

conformance_suite!(Postgres);

#[test]
fn the_test_server_starts_stops_and_restarts_with_its_data() {
    server();
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
