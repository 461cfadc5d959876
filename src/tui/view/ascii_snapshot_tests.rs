//! The screens drawn with ASCII only, as on a terminal whose locale is not
//! UTF-8 (GNU screen in the POSIX locale): every cell must be ASCII without
//! the runtime's last-resort `?` (`keep_ascii_only` is not applied here), so
//! a glyph or message that escaped the ASCII table fails the test, and the
//! snapshots show that borders, hints and the agreement line are all there.

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::{Theme, render};
use crate::i18n::{Lang, with_ascii, with_lang};
use crate::tui::app::App;
use crate::tui::event::{Event, Key};
use crate::tui::testing::*;
use crate::tui::update::update;
use crate::tui::usage_tests::app_with_usage;

use Key::*;

/// The screen after `steps`, in English and ASCII like the real program in
/// such a locale (status messages are made when a key is handled, so the
/// steps run in ASCII too). Fails unless every cell is ASCII.
fn ascii(app: &mut App, steps: impl FnOnce(&mut App), width: u16, height: u16) -> String {
    with_lang(Lang::En, || {
        with_ascii(true, || {
            steps(app);
            update(app, Event::Resize { width, height });
            let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
            let theme = Theme::new(false).ascii();
            terminal.draw(|frame| drop(render(frame, app, &theme))).unwrap();
            let buffer = terminal.backend().buffer();
            let stray: Vec<_> = (buffer.content.iter().enumerate())
                .filter(|(_, cell)| !cell.symbol().is_ascii())
                .map(|(i, cell)| (i % width as usize, i / width as usize, cell.symbol().to_owned()))
                .collect();
            let screen = terminal.backend().to_string();
            assert!(
                stray.is_empty(),
                "cells outside ASCII (x, y, symbol): {stray:?}\n{screen}"
            );
            screen
        })
    })
}

#[test]
fn main_view_ascii() {
    let screen = ascii(&mut app(), |_| {}, 80, 24);
    assert!(screen.contains("keydesk | 5 keys"), "{screen}");
    // The Chinese name, one `?` per character.
    assert!(screen.contains("??-gateway_01"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn main_view_ascii_at_the_minimum_size_with_the_mouse_column() {
    let mut app = app();
    app.mouse = true;
    let screen = ascii(&mut app, |_| {}, 60, 15);
    assert!(screen.contains("active          ="), "no actions column:\n{screen}");
    assert_snapshot!(screen);
}

#[test]
fn create_dialog_ascii() {
    let screen = ascii(&mut app(), |app| drop(press(app, &[Char('n')])), 80, 24);
    for part in [
        "+ Create API key -",
        "| > Name",
        "[ ] ",
        "< Never >",
        "Left/Right change",
        "[ OK ]",
        "Tab next",
    ] {
        assert!(screen.contains(part), "{part:?} missing:\n{screen}");
    }
    assert_snapshot!(screen);
}

#[test]
fn create_dialog_ascii_with_a_name_and_an_error() {
    let steps = |app: &mut App| {
        press(app, &[Char('n')]);
        type_text(app, "my key");
    };
    let screen = ascii(&mut app(), steps, 80, 24);
    assert!(screen.contains("x ") && screen.contains("position"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn details_pane_with_sparklines_ascii() {
    let screen = ascii(&mut app_with_usage(), |app| drop(press(app, &[Down])), 120, 40);
    assert!(
        screen.contains('@') && screen.contains('.'),
        "no sparkline ramp:\n{screen}"
    );
    assert_snapshot!(screen);
}

#[test]
fn help_sort_and_too_small_ascii() {
    let help = ascii(&mut app(), |app| drop(press(app, &[Char('?')])), 80, 24);
    assert!(help.contains("Up k"), "{help}");
    // Created, Last Used, Uses, Tokens, then Name: A to Z, with the arrow spelled.
    let sorted = ascii(&mut app(), |app| drop(press(app, &[Char('s'); 4])), 80, 24);
    assert!(
        sorted.contains("sorted by Name ^") && sorted.contains("A -> Z"),
        "{sorted}"
    );
    let small = ascii(&mut app(), |_| {}, 30, 8);
    assert!(small.contains("30x8 - need 60x15"), "{small}");
}

#[test]
fn the_rules_mark_and_the_policy_dialog_ascii() {
    let mut records = records();
    records[3].policy = crate::domain::policy::Policy::parse("rpm=60 methods=GET").unwrap();
    let mut app = app_with(records);
    let list = ascii(&mut app, |_| {}, 80, 24);
    assert!(list.contains("> test-key #"), "{list}");
    assert!(list.contains("# rules"), "{list}");
    // At 60x15 the twelve rules and the buttons fill the dialog (the ✗
    // marks the bad field); one row more shows what is wrong with it.
    let tight = ascii(&mut app, |app| drop(press(app, &[Char('p'), Char('x')])), 60, 15);
    assert!(tight.contains("[x") && tight.contains("[ Save ]"), "{tight}");
    press(&mut app, &[Esc]);
    let screen = ascii(&mut app, |app| drop(press(app, &[Char('p'), Char('x')])), 60, 16);
    assert!(
        screen.contains("[x") && screen.contains("x rps: \"x\" is not a whole number"),
        "{screen}"
    );
    assert_snapshot!(screen);
}
