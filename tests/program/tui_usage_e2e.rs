//! The clean-up view and the details pane in the real TUI, in a
//! pseudo-terminal: bulk-disabling two unused keys in one go, and the usage
//! that `keydesk verify` counted showing in the details pane.

use crate::common;
use common::terminal::ENTER;

use common::session::Session;
use common::{keydesk, manual_clock, name, run_with_stdin};
use keydesk::domain::{AuditEvent, AuditQuery};
use keydesk::{KeyStore, Store};

#[test]
fn the_clean_up_view_disables_two_unused_keys_in_one_go() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let now = time::OffsetDateTime::now_utc();
    let (clock_fn, clock) = manual_clock(now - time::Duration::days(100));
    let store = Store::builder(&db).clock(clock_fn).open().unwrap();
    let (_, old_a) = store.create(&name("old-a")).unwrap();
    let (_, old_b) = store.create(&name("old-b")).unwrap();
    *clock.lock().unwrap() = now;
    let (_, fresh) = store.create(&name("fresh")).unwrap();
    let before = store.audit_entries(&AuditQuery::default()).unwrap().len();

    let mut tui = Session::start(&db, &[]);
    tui.wait_for("fresh");
    tui.send("C");
    tui.wait_for("0 of 2 marked");
    tui.send("a");
    tui.wait_for("2 of 2 marked");
    tui.send(ENTER);
    tui.wait_for("Disable 2 keys?");
    tui.send("y");
    tui.wait_for("Disabled 2 keys");

    let status = |id| store.get(id).unwrap().unwrap().disabled_at.is_some();
    assert!(status(&old_a.id) && status(&old_b.id));
    assert!(!status(&fresh.id), "a key in use is left alone");
    let entries = store.audit_entries(&AuditQuery::default()).unwrap();
    assert_eq!(entries.len(), before + 2, "one entry per key");
    assert!(entries[..2].iter().all(|e| e.event == AuditEvent::Disabled));

    tui.send("q");
    tui.wait_for("keydesk · keys.redb · 3 keys");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn uses_counted_by_keydesk_verify_show_in_the_details_pane() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let (secret, _) = Store::open(&db).unwrap().create(&name("counted")).unwrap();
    let mut tui = Session::start_sized(&db, &[], 120, 30);
    tui.wait_for("30 d: 0 uses");
    for _ in 0..3 {
        let out = run_with_stdin(keydesk(&db).arg("verify"), &format!("{}\n", secret.expose()));
        assert!(out.status.success());
    }
    // The TUI sees the counter move and reads the counts again.
    tui.wait_for("30 d: 3 uses");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn i_hides_the_details_pane_and_it_stays_hidden_after_a_resize() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    Store::open(&db).unwrap().create(&name("resized")).unwrap();
    let mut tui = Session::start_sized(&db, &[], 120, 40);
    tui.wait_for("Details");
    tui.send("i");
    tui.wait_gone("Details");
    tui.resize(80, 24);
    // The hints move to the new last row once the app has drawn at 80×24.
    tui.wait_until("a redraw at 80×24", |s| s.row(23).contains("help"));
    assert!(!tui.screen().contains("Details"), "{}", tui.screen());
    // `i` shows it again, below the table now, and it stays after growing.
    tui.send("i");
    tui.wait_for("Details");
    tui.resize(120, 40);
    tui.wait_until("a redraw at 120×40", |s| s.row(39).contains("help"));
    assert!(tui.screen().contains("Details"), "{}", tui.screen());
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}
