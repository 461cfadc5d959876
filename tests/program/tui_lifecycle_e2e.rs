//! The key lifecycle in the real TUI, in a pseudo-terminal: rotating a key,
//! copying its new secret (OSC 52, read back from the pty output), and
//! checking with `keydesk verify` that the old and the new secret both
//! verify during the grace.

use crate::common;
use common::terminal::ENTER;

use common::session::Session;
use common::{find_secret, keydesk, name, run_with_stdin, stderr, stdout};
use keydesk::{KeyStore, Store};

/// `keydesk verify` on `db` with `secret` on stdin: (exit code, stdout).
fn verify(db: &std::path::Path, secret: &str) -> (Option<i32>, String) {
    let out = run_with_stdin(keydesk(db).arg("verify"), &format!("{secret}\n"));
    assert!(
        stderr(&out).is_empty() || out.status.code() == Some(1),
        "{}",
        stderr(&out)
    );
    (out.status.code(), stdout(&out).trim().to_owned())
}

#[test]
fn rotating_in_the_tui_shows_and_copies_the_new_secret_and_both_secrets_verify() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let store = Store::open(&db).unwrap();
    let (old, record) = store.create(&name("gateway-prod")).unwrap();
    let id = record.id.to_string();

    let mut tui = Session::start(&db, &[]);
    tui.wait_for("gateway-prod");
    tui.send("r");
    tui.wait_for("Rotate key");
    tui.wait_for("> 24 hours <");
    tui.send(ENTER);
    let screen = tui.wait_for("was rotated");
    let new = find_secret(&screen).expect("the new secret is on screen");
    assert_ne!(new, old.expose());
    assert!(screen.contains("keeps working until"), "{screen}");

    // Copy: the pty output carries exactly the new secret in OSC 52.
    let from = tui.raw.len();
    tui.send("c");
    tui.wait_for("(OSC 52)");
    use base64::Engine as _;
    let osc52 = format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(&new)
    );
    tui.wait_for_bytes("the OSC 52 copy of the new secret", from, osc52.as_bytes());
    tui.send(ENTER);
    tui.wait_gone("was rotated");
    let row = tui.wait_for("rotating, 24h");
    assert!(!row.contains(&new), "the secret is gone from the screen");

    // Both secrets verify as the same key while the grace runs.
    assert_eq!(verify(&db, old.expose()), (Some(0), id.clone()));
    assert_eq!(verify(&db, &new), (Some(0), id.clone()));
    let rotated = store.get(&record.id).unwrap().unwrap();
    assert_eq!(rotated.name, "gateway-prod");
    assert!(rotated.previous.is_some());

    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn disabling_in_the_tui_stops_the_key_verifying_and_enabling_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let (secret, record) = Store::open(&db).unwrap().create(&name("billing")).unwrap();
    let id = record.id.to_string();

    let mut tui = Session::start(&db, &[]);
    tui.wait_for("billing");
    tui.send("d");
    tui.wait_for("Disable instead");
    tui.send("i");
    tui.wait_for("disabled billing");
    assert_eq!(verify(&db, secret.expose()), (Some(1), "invalid".to_owned()));
    tui.send("t");
    tui.wait_for("enabled billing");
    assert_eq!(verify(&db, secret.expose()), (Some(0), id));
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

/// How many times the audit log says a key was disabled.
fn disables_logged(db: &std::path::Path) -> usize {
    let out = keydesk(db).args(["log", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let entries: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    entries.iter().filter(|e| e["action"] == "disable").count()
}

#[test]
fn t_on_a_key_used_a_minute_ago_asks_and_only_y_disables_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let store = Store::open(&db).unwrap();
    let (secret, record) = store.create(&name("prod-gateway")).unwrap();
    let id = record.id.to_string();
    // A use, as a service verifying the key would make one.
    assert_eq!(verify(&db, secret.expose()), (Some(0), id.clone()));

    let mut tui = Session::start(&db, &[]);
    tui.wait_for("prod-gateway");
    for keep in ["n", common::terminal::ESC] {
        tui.send("t");
        tui.wait_for("disable it? (y/n)");
        let screen = tui.wait_for("prod-gateway was used");
        assert!(screen.contains("ago"), "says when: {screen}");
        tui.send(keep);
        tui.wait_gone("disable it?");
    }
    // Two questions answered no: the key is still on and verifies.
    tui.send("t");
    tui.wait_for("disable it? (y/n)");
    assert_eq!(disables_logged(&db), 0);
    assert!(store.get(&record.id).unwrap().unwrap().disabled_at.is_none());
    assert_eq!(verify(&db, secret.expose()), (Some(0), id.clone()));
    tui.send("y");
    tui.wait_for("disabled prod-gateway");
    assert_eq!(disables_logged(&db), 1);
    assert_eq!(verify(&db, secret.expose()), (Some(1), "invalid".to_owned()));
    // Enabling never asks.
    tui.send("t");
    tui.wait_for("enabled prod-gateway");
    assert_eq!(verify(&db, secret.expose()), (Some(0), id));
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

/// The screen row (0 = top) showing `text`.
fn row_index(tui: &Session, text: &str) -> Option<u16> {
    (0..24).find(|&n| tui.row(n).contains(text))
}

#[test]
fn a_rotated_key_whose_old_secret_is_used_sorts_and_lists_as_used() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let store = Store::open(&db).unwrap();
    // The busy key is the oldest: among never-used keys (a tie) it would
    // sort last, below the two created after it.
    let (old, busy) = store.create(&name("busy-rotated")).unwrap();
    store.create(&name("idle-one")).unwrap();
    store.create(&name("idle-two")).unwrap();
    store.rotate(&busy.id, time::Duration::hours(24)).unwrap();
    // Services still send the old secret: only its Last Used moves.
    assert_eq!(verify(&db, old.expose()).0, Some(0));
    let rotated = store.get(&busy.id).unwrap().unwrap();
    assert!(rotated.last_used.is_none() && rotated.previous.unwrap().last_used.is_some());

    let mut tui = Session::start(&db, &[]);
    tui.wait_for("idle-two");
    tui.send("s");
    tui.wait_for("sorted by Last Used");
    let (busy_row, idle_rows) = (
        row_index(&tui, "busy-rotated").unwrap(),
        [
            row_index(&tui, "idle-one").unwrap(),
            row_index(&tui, "idle-two").unwrap(),
        ],
    );
    assert!(
        idle_rows.iter().all(|&idle| busy_row < idle),
        "newest use first, the busy key above the never-used ones:\n{}",
        tui.screen()
    );
    let row = tui.row_with("busy-rotated");
    assert!(row.contains("(old)"), "Last Used is the old secret's, marked: {row}");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);

    // `keydesk list` shows the same value.
    let out = keydesk(&db).arg("list").output().unwrap();
    let line = stdout(&out)
        .lines()
        .find(|l| l.contains("busy-rotated"))
        .unwrap_or_default()
        .to_owned();
    assert!(line.contains("(old)"), "{}", stdout(&out));
}
