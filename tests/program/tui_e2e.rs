//! End-to-end tests of the TUI: the real binary in a pseudo-terminal, driven
//! with key presses, its screen read back through a terminal emulator
//! (`vt100`). Waits poll the screen with a generous timeout; nothing depends
//! on how fast the machine is.

use crate::common;
use common::terminal::{CTRL_C, CTRL_U, ENTER, ESC, PASTE_END, PASTE_START, TAB};

use std::io::Write;

use common::find_secret;
use common::session::Session;
use keydesk::{KeyName, KeyStore, Store};

#[test]
fn create_rename_delete_and_persist() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    Store::open(&db).unwrap();

    // Create a key; the secret is shown once.
    let mut tui = Session::start_sized(&db, &[], 80, 24);
    tui.wait_for("press n to create");
    // At 80 columns one time column fits: the one sorted by, marked in its
    // header. Sorted by Last Used, it is Last Used.
    tui.wait_for("Created At (UTC+8)▼");
    tui.send("s");
    // The whole header row, not one read mid-frame.
    let screen = tui.wait_for_screen("the header sorted by Last Used", |s| {
        s.contains("Last Used (UTC+8)▼") && s.contains("Status")
    });
    assert!(!screen.contains("Created At"), "{screen}");
    tui.send("n");
    tui.wait_for("Create API key");
    tui.send("e2e-key_01");
    tui.wait_for("✓ valid name");
    tui.send(ENTER);
    tui.wait_for("Tick the agreement box first");
    tui.send(" ");
    tui.wait_for("[x] I have agreed");
    tui.send(ENTER);
    let screen = tui.wait_for("will not be shown again");
    let secret = find_secret(&screen).expect("the secret is on screen");
    assert!(screen.contains("e2e-key_01"));

    // Closing without copying asks first; `c` then copies through the
    // terminal (OSC 52 carrying exactly the key), and Enter closes at once.
    tui.send(ENTER);
    tui.wait_for("Close without copying? (y/n)");
    tui.send("c");
    tui.wait_for("(OSC 52)");
    use base64::Engine as _;
    let osc52 = format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(&secret)
    );
    assert!(
        tui.raw.windows(osc52.len()).any(|w| w == osc52.as_bytes()),
        "the OSC 52 sequence with the key was written to the terminal"
    );
    tui.send(ENTER);
    let screen = tui.wait_for_screen("the list without the secret dialog", |s| {
        !s.contains("Your new API key") && s.contains("e2e-key_01")
    });
    assert!(!screen.contains(&secret), "the secret is gone from the screen");
    let masked = format!("sk-{}****{}", &secret[3..7], &secret[37..]);
    let row = tui.row_with("e2e-key_01");
    assert!(row.contains(&masked), "masked key in {row:?}");
    assert!(never_used(&row), "never used: {row:?}");
    assert!(tui.screen().contains("1 key"));

    // Rename it.
    tui.send("e");
    tui.wait_for("Edit name");
    tui.send(CTRL_U);
    tui.send("renamed_键");
    tui.wait_for("✓ valid name");
    tui.send(ENTER);
    tui.wait_for("renamed to renamed_键");
    tui.wait_gone("Edit name");
    assert!(tui.row_with("renamed_键").contains(&masked));
    tui.send("q");
    tui.expect_clean_exit();

    // Restart: the renamed key is still there.
    let mut tui = Session::start_sized(&db, &[], 80, 24);
    tui.wait_for("renamed_键");
    assert!(tui.row_with("renamed_键").contains(&masked));
    assert!(!tui.screen().contains("e2e-key_01"));

    // Enter alone on the delete dialog does not delete.
    tui.send("d");
    tui.wait_for("Delete this key?");
    // The buttons are the dialog's last line: once they are there, all is.
    let screen = tui.wait_for("[ Delete ]");
    assert!(screen.contains("> Cancel <"), "Cancel is focused:\n{screen}");
    assert!(screen.contains(&masked));
    assert!(screen.contains("will no longer be able to"));
    tui.send(ENTER);
    tui.wait_for_screen("the list without the delete dialog", |s| {
        !s.contains("Delete this key?") && s.contains("renamed_键")
    });
    assert_eq!(Store::open(&db).unwrap().list().unwrap().len(), 1);

    // y deletes.
    tui.send("d");
    tui.wait_for("Delete this key?");
    tui.send("y");
    tui.wait_for("press n to create");
    tui.wait_for("deleted renamed_键");
    tui.send(CTRL_C);
    tui.expect_clean_exit();

    // Restart: still gone.
    let mut tui = Session::start_sized(&db, &[], 80, 24);
    tui.wait_for("press n to create");
    assert!(tui.screen().contains("0 keys"));
    tui.send("q");
    tui.expect_clean_exit();
    assert!(Store::open(&db).unwrap().list().unwrap().is_empty());
}

#[test]
fn changes_by_other_processes_appear_without_a_key_press() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let store = Store::open(&db).unwrap();
    let mut tui = Session::start_sized(&db, &[], 80, 24);
    tui.wait_for("press n to create");

    let (_secret, record) = store.create(&KeyName::parse("from-outside").unwrap()).unwrap();
    tui.wait_for("from-outside");
    assert!(tui.row_with("from-outside").contains(&record.masked));

    store.rename(&record.id, &KeyName::parse("outside-2").unwrap()).unwrap();
    tui.wait_for("outside-2");
    store.delete(&record.id).unwrap();
    tui.wait_for("press n to create");

    tui.send("q");
    tui.expect_clean_exit();
}

#[test]
fn a_verify_by_another_process_updates_last_used_without_a_key_press() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let store = Store::open(&db).unwrap();
    let (secret, _) = store.create(&KeyName::parse("verified").unwrap()).unwrap();
    let mut tui = Session::start_sized(&db, &[], 80, 24);
    tui.wait_for("verified");
    // At 80 columns Last Used is a column when the table is sorted by it.
    tui.send("s");
    tui.wait_for("Last Used (UTC+8)▼");
    assert!(never_used(&tui.row_with("> verified")), "never used yet");

    let mut verify = std::process::Command::new(env!("CARGO_BIN_EXE_keydesk"))
        .arg("verify")
        .env("KEYDESK_DB", &db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    verify
        .stdin
        .take()
        .unwrap()
        .write_all(secret.expose().as_bytes())
        .unwrap();
    assert!(verify.wait_with_output().unwrap().status.success());

    // Last Used now shows a time instead of "-", with no key pressed. Checked
    // row by row: vt100 joins a full-width row to the next in `contents()`.
    tui.wait_until("Last Used to appear", |s| !never_used(&s.row_with("> verified")));
    // Sorted by Last Used, the row at 80 columns has it (Created At is on
    // the line under the table, beside the selected key's ID).
    let row = tui.row_with("> verified");
    let year = time::OffsetDateTime::now_utc().year().to_string();
    assert_eq!(row.matches(&year).count(), 1, "Last Used: {row}");
    assert!(tui.screen().contains(&format!("created {year}")), "{}", tui.screen());
    tui.send("q");
    tui.expect_clean_exit();
}

/// Whether a table row shows "-" for Last Used: the cell just before the
/// Status column's "active".
fn never_used(row: &str) -> bool {
    // The last cell is the row's `⋯` (its actions, for the mouse).
    let cells: Vec<&str> = row.split_whitespace().filter(|cell| *cell != "⋯").collect();
    cells.len() >= 2 && cells[cells.len() - 1] == "active" && cells[cells.len() - 2] == "-"
}

#[test]
fn a_paste_is_text_in_the_input_never_key_presses() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    Store::open(&db).unwrap();
    let mut tui = Session::start_sized(&db, &[], 80, 24);
    tui.wait_for("press n to create");
    tui.send("n");
    tui.wait_for("Create API key");
    // Newlines would submit, Tab would move focus, Esc would cancel: in a
    // paste they are removed instead.
    tui.send(&format!("{PASTE_START}pasted\r\nna\tme\x1b[31m{PASTE_END}"));
    let screen = tui.wait_for("pastedname[31m");
    assert!(screen.contains("Create API key"), "dialog still open");
    assert!(screen.contains("'[' (U+005B) at position 11 is not allowed"));
    tui.send(ESC);
    tui.wait_gone("Create API key");
    assert!(Store::open(&db).unwrap().list().unwrap().is_empty());

    // On the list, a paste starts a filter.
    tui.send(&format!("{PASTE_START}no\nsuch{PASTE_END}"));
    tui.wait_for("Filter: nosuch");
    tui.send(CTRL_C);
    tui.expect_clean_exit();
}

#[test]
fn a_tiny_terminal_says_so_and_recovers_when_enlarged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    Store::open(&db).unwrap();
    let mut tui = Session::start_sized(&db, &[], 30, 8);
    tui.wait_for("terminal too small");
    tui.wait_for("30×8");
    // Keys do nothing unseen while the app cannot be drawn (and it says so:
    // that is also how the test knows the key was read before the resize).
    tui.send("n");
    tui.wait_for("keys are ignored");
    tui.resize(80, 24);
    let screen = tui.wait_for("press n to create");
    assert!(!screen.contains("Create API key"));
    tab_through_create_dialog(&mut tui);
    tui.resize(40, 10);
    tui.wait_for("40×10");
    tui.send(CTRL_C);
    tui.expect_clean_exit();
}

fn tab_through_create_dialog(tui: &mut Session) {
    tui.send("n");
    tui.wait_for("Create API key");
    tui.send(TAB);
    tui.wait_for("> [ ]");
    tui.send(TAB);
    tui.wait_for("> Expires");
    tui.send(TAB);
    tui.wait_for("> OK <");
    tui.send(TAB);
    tui.wait_for("> Cancel <");
    tui.send(ENTER);
    tui.wait_gone("Create API key");
}

/// The TUI's listing of a database written by an earlier schema: after the
/// upgrade every key is listed with its name, masked key and Last Used.
#[test]
fn an_upgraded_database_lists_every_key() {
    let (_dir, db, keys) = common::fixture_copy(1);
    let mut tui = Session::start_sized(&db, &[], 120, 24);
    tui.wait_for(&format!("{} keys", keys.len()));
    // The header is drawn before the rows: wait for every row, rather than
    // judge one screen that may have been read mid-frame.
    tui.wait_for_screen("every key's masked secret", |screen| {
        keys.iter().all(|key| screen.contains(&key.masked_key))
    });
    // Names are long; the selected-key line shows one in full.
    tui.send("/");
    tui.send(&keys[0].name);
    let screen = tui.wait_for(&keys[0].id);
    assert!(screen.contains(&keys[0].name), "{screen}");
    // Esc and q sent together would read as Alt-q.
    tui.send(ESC);
    tui.wait_for(&keys[1].masked_key);
    tui.send("q");
    tui.expect_clean_exit();
}
