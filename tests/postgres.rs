//! The PostgreSQL store against a real, throwaway server (see
//! `common/postgres.rs`): the conformance suite every backend passes, then
//! what is particular to a shared server.

mod common;

use common::postgres::PgServer;

#[test]
fn the_test_server_starts_stops_and_restarts_with_its_data() {
    let server = match PgServer::start() {
        Ok(server) => server,
        Err(reason) => return common::skip(&format!("no PostgreSQL server for this test: {reason}")),
    };
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
