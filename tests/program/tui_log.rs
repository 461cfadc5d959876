//! The audit log screen in a real terminal (a pseudo-terminal read back
//! through `vt100`): a log longer than one page is paged through to its first
//! entry as you scroll, and the filter finds an entry that was never loaded.

use crate::common;

use std::time::Instant;

use common::session::{Session, TIMEOUT};
use keydesk::{KeyName, Store};

/// A database whose log holds the creates of `count` keys `svc-00000`, …
fn database_with_a_log_of(dir: &std::path::Path, count: usize) -> std::path::PathBuf {
    let db = dir.join("keys.redb");
    let names: Vec<_> = (0..count)
        .map(|i| KeyName::parse(&format!("svc-{i:05}")).unwrap())
        .collect();
    Store::open(&db).unwrap().create_many(&names).unwrap();
    db
}

/// Presses `key` until the screen shows `text`: each press moves to the
/// oldest entry loaded, which asks the worker for the next page.
fn press_until(tui: &mut Session, key: &str, text: &str) {
    let deadline = Instant::now() + TIMEOUT;
    while !tui.screen().contains(text) {
        assert!(Instant::now() < deadline, "never showed {text:?}:\n{}", tui.screen());
        tui.send(key);
        tui.pump(std::time::Duration::from_millis(100));
    }
}

#[test]
fn the_log_pages_past_its_first_page_to_the_first_entry_and_the_filter_searches_all_of_it() {
    let dir = tempfile::tempdir().unwrap();
    // Longer than the 10,000 entries the screen used to read, and than
    // twenty of the worker's pages (500 entries each).
    let db = database_with_a_log_of(dir.path(), 10_100);
    let mut tui = Session::start(&db, &[]);
    tui.wait_for("svc-");
    tui.send("L");
    let first = tui.wait_for("10100 entries");
    assert!(first.contains("#10100 "), "{first}");
    assert!(
        !first.contains("#1 "),
        "only the newest entries are on the first screen"
    );
    press_until(&mut tui, "G", " #1 ");
    let oldest = tui.screen();
    assert!(oldest.contains("svc-00000"), "{oldest}");
    assert!(!oldest.contains("loading…"), "the whole log is loaded: {oldest}");

    // Back to the top, then a filter matching only an old entry: found by
    // the worker's search, not among the rows of the first page.
    tui.send("g");
    tui.wait_for("#10100 ");
    tui.send("/svc-00007");
    let found = tui.wait_for("1 found");
    assert!(found.contains(" #8 "), "{found}");
    assert!(found.contains("svc-00007"), "{found}");
    tui.send("\x1b");
    tui.wait_for("10100 entries");
    tui.send("\x1b");
    tui.wait_gone("Audit log");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

/// A name as long as names go (64 characters): its log line is cut at 80
/// columns, with an ellipsis, and Enter shows it whole.
#[test]
fn enter_on_a_long_log_entry_shows_all_of_it_and_esc_closes_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let long = format!("payments-gateway-{}", "x".repeat(39)) + "-primary";
    assert_eq!(long.len(), 64);
    Store::open(&db)
        .unwrap()
        .create_many(&[KeyName::parse(&long).unwrap()])
        .unwrap();
    let mut tui = Session::start_sized(&db, &[], 80, 24);
    tui.wait_for("payments-gateway");
    tui.send("L");
    let list = tui.wait_for(" #1 ");
    let row = tui.row_with(" #1 ");
    assert!(!list.contains(&long), "the list cuts the line: {list}");
    assert!(row.trim_end().ends_with('…'), "cut visibly: {row}");
    tui.send("\r");
    // The box's last line: the whole box has been drawn.
    let entry = tui.wait_for("←/q close");
    // Inside the box, a name wider than it goes on under itself.
    let inside: String = (entry.lines())
        .filter_map(|line| line.split('│').nth(1))
        .map(str::trim)
        .collect();
    assert!(inside.contains(&long), "the whole name: {entry}");
    for field in ["Entry", "Time", "Action", "Key", "Name", "By"] {
        assert!(entry.contains(field), "{field}: {entry}");
    }
    tui.send("\x1b");
    tui.wait_gone("Audit log entry");
    assert!(tui.screen().contains(" #1 "), "back on the log");
    tui.send("\x1b");
    tui.wait_gone("Audit log");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}
