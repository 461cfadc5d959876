//! Backing up a PostgreSQL keydesk database the way the guide says, with
//! PostgreSQL's own tools: `pg_dump` of the keydesk tables, restored into a
//! fresh database with `pg_restore` (custom format) or `psql` (plain SQL).
//! The restored database serves the same keys: `keydesk verify` there
//! accepts every secret, and its audit log checks.

use std::path::Path;
use std::process::{Command, Output};

use super::PgServer;
use crate::common::{keydesk, run_with_stdin};

fn ok(out: Output, what: &str) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `keydesk ARGS` on the database at `url`, with `stdin`.
fn keydesk_on(url: &str, args: &[&str], stdin: &str) -> Output {
    run_with_stdin(keydesk(url).args(args), stdin)
}

/// A keydesk database with keys made, renamed and rotated through the CLI:
/// its URL and each key's (current secret, ID).
fn database_with_keys(server: &PgServer) -> (String, Vec<(String, String)>) {
    let url = server.create_database();
    let mut keys = Vec::new();
    for name in ["dumped-one", "dumped-two", "dumped-three"] {
        let secret = ok(
            keydesk_on(&url, &["create", "--name", name, "--accept-terms"], ""),
            "create",
        );
        let secret = secret.trim().to_owned();
        let id = ok(keydesk_on(&url, &["verify"], &secret), "verify").trim().to_owned();
        keys.push((secret, id));
    }
    ok(
        keydesk_on(&url, &["rename", &keys[0].1, "renamed-before-dump"], ""),
        "rename",
    );
    let rotated = ok(
        keydesk_on(&url, &["rotate", &keys[1].1, "--grace", "now"], ""),
        "rotate",
    );
    keys[1].0 = rotated.trim().to_owned();
    (url, keys)
}

/// The server's `tool` (the same version as the server).
fn tool(server: &PgServer, tool: &str) -> Command {
    Command::new(server.bin_dir().join(tool))
}

/// Every key verifies in the database at `url`, to its ID, and the audit
/// log there checks.
fn serves_the_same_keys(url: &str, keys: &[(String, String)]) {
    for (secret, id) in keys {
        let found = ok(keydesk_on(url, &["verify"], secret), "verify in the restored database");
        assert_eq!(found.trim(), id);
    }
    let check = ok(
        keydesk_on(url, &["log", "--check"], ""),
        "log --check in the restored database",
    );
    assert!(check.starts_with("audit log intact: "), "{check}");
    let listed = ok(keydesk_on(url, &["list", "--json"], ""), "list");
    assert!(listed.contains("renamed-before-dump"), "{listed}");
}

#[test]
fn a_pg_dump_of_the_keydesk_tables_restored_with_pg_restore_serves_the_same_keys() {
    let server = server!();
    let (url, keys) = database_with_keys(server);
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("keydesk.dump");
    ok(
        tool(server, "pg_dump")
            .args(["--format=custom", "--table=keydesk_*", "--file"])
            .arg(&dump)
            .arg(&url)
            .output()
            .unwrap(),
        "pg_dump",
    );
    let fresh = server.create_database();
    ok(
        tool(server, "pg_restore")
            .args(["--single-transaction", "--exit-on-error", "--dbname", &fresh])
            .arg(&dump)
            .output()
            .unwrap(),
        "pg_restore",
    );
    serves_the_same_keys(&fresh, &keys);
}

#[test]
fn a_plain_pg_dump_of_the_keydesk_tables_replayed_with_psql_serves_the_same_keys() {
    let server = server!();
    let (url, keys) = database_with_keys(server);
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("keydesk.sql");
    ok(
        tool(server, "pg_dump")
            .args(["--format=plain", "--table=keydesk_*", "--file"])
            .arg(&dump)
            .arg(&url)
            .output()
            .unwrap(),
        "pg_dump",
    );
    let fresh = server.create_database();
    ok(
        tool(server, "psql")
            .args([
                "--no-psqlrc",
                "--quiet",
                "--set=ON_ERROR_STOP=1",
                "--single-transaction",
            ])
            .args(["--dbname", &fresh, "--file"])
            .arg(Path::new(&dump))
            .output()
            .unwrap(),
        "psql",
    );
    serves_the_same_keys(&fresh, &keys);
}
