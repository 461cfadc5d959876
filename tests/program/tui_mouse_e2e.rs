//! The mouse in the real TUI, in a pseudo-terminal: SGR mouse sequences, as
//! xterm, tmux and every modern terminal send them, click a row, a column
//! header and a row's `⋯`; the terminal's mouse mode (read back from the
//! emulator) is off while a new secret is on screen, so it can be selected
//! by hand, and with `--no-mouse`.

use crate::common;
use common::terminal::ENTER;

use common::database_with_keys;
use common::session::Session;
use vt100::MouseProtocolMode;

/// A left click at a 0-based cell, pressed and released, in the SGR encoding.
fn click(column: u16, row: u16) -> String {
    format!("\x1b[<0;{};{}M\x1b[<0;{};{}m", column + 1, row + 1, column + 1, row + 1)
}

/// The 0-based cell where `text` starts on screen, below the title line.
fn cell_of(tui: &Session, text: &str) -> (u16, u16) {
    for row in 1..24 {
        let line = tui.row(row);
        if let Some(byte) = line.find(text) {
            return (unicode_width::UnicodeWidthStr::width(&line[..byte]) as u16, row);
        }
    }
    panic!("{text:?} is not on screen:\n{}", tui.screen());
}

fn mouse_mode(tui: &Session) -> MouseProtocolMode {
    tui.parser.screen().mouse_protocol_mode()
}

#[test]
fn a_click_selects_a_row_sorts_by_a_header_and_opens_a_rows_actions() {
    let (_dir, db) = database_with_keys(&["alpha", "bravo", "charlie"]);
    let mut tui = Session::start(&db, &[]);
    tui.wait_for("charlie");
    tui.wait_until("the mouse to be reported", |s| mouse_mode(s) != MouseProtocolMode::None);

    let (column, row) = cell_of(&tui, "bravo");
    tui.send(&click(column, row));
    tui.wait_until("bravo to be selected", |s| s.row(row).starts_with("> bravo"));

    let (column, row) = cell_of(&tui, "Name");
    tui.send(&click(column + 1, row));
    tui.wait_for("sorted by Name ▲");
    let (column, row) = cell_of(&tui, "Name");
    tui.send(&click(column + 1, row));
    tui.wait_for("sorted by Name ▼");

    let (_, row) = cell_of(&tui, "alpha");
    let dots = tui.row(row).chars().position(|c| c == '⋯').expect("a ⋯ on every row") as u16;
    tui.send(&click(dots, row));
    let screen = tui.wait_for("Actions");
    assert!(screen.contains("Edit Name"), "{screen}");
    let (column, row) = cell_of(&tui, "Disable");
    tui.send(&click(column, row));
    tui.wait_until("alpha to be disabled", |s| s.row_with("alpha").contains("disabled"));
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn the_mouse_is_left_to_the_terminal_while_a_new_secret_is_shown() {
    let (_dir, db) = database_with_keys(&[]);
    let mut tui = Session::start(&db, &[]);
    tui.wait_for("to create one");
    tui.wait_until("the mouse to be reported", |s| mouse_mode(s) != MouseProtocolMode::None);
    tui.send("n");
    tui.wait_for("Create API key");
    tui.send("by-mouse");
    tui.wait_for("✓ valid name");
    tui.send("\t ");
    tui.wait_for("[x] I have agreed");
    tui.send(ENTER);
    tui.wait_for("will not be shown again");
    tui.wait_until("the terminal's own selection", |s| {
        mouse_mode(s) == MouseProtocolMode::None
    });
    tui.send("c");
    tui.wait_for("(OSC 52)");
    tui.send(ENTER);
    tui.wait_gone("will not be shown again");
    tui.wait_until("the mouse to be taken again", |s| {
        mouse_mode(s) != MouseProtocolMode::None
    });
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn with_no_mouse_the_terminal_keeps_the_mouse_and_there_is_no_dots_column() {
    let (_dir, db) = database_with_keys(&["alpha"]);
    let mut tui = Session::start(&db, &["--no-mouse"]);
    let screen = tui.wait_for("alpha");
    assert!(!screen.contains('⋯'), "{screen}");
    assert_eq!(mouse_mode(&tui), MouseProtocolMode::None);
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}
