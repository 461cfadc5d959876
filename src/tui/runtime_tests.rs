//! Update-level tests of the runtime helper's changes: quitting from the
//! one-time secret dialog, the name length cap, and dialogs of keys that
//! vanished.

use time::macros::datetime;

use super::app::Dialog;
use super::event::{Command, Event, Key};
use super::input::{FULL, MAX_CHARS};
use super::keymap::Screen;
use super::testing::*;
use super::update::update;
use crate::domain::SecretKey;

use Key::*;

fn open_secret(app: &mut super::app::App) {
    let record = record(7, "fresh", datetime!(2026-03-15 11:59 UTC), None);
    update(app, Event::Created(Ok((SecretKey::generate(), record))));
    assert_eq!(app.screen(), Screen::Secret);
}

#[test]
fn ctrl_c_on_a_key_not_copied_asks_first_and_a_second_ctrl_c_quits() {
    let mut app = app();
    open_secret(&mut app);
    assert!(press(&mut app, &[Ctrl('c')]).is_empty(), "asks instead of quitting");
    assert_eq!(app.screen(), Screen::SecretConfirm);
    assert!(app.secret().is_some(), "the key is still shown");
    assert_eq!(press(&mut app, &[Ctrl('c')]), [Command::Quit]);
}

#[test]
fn ctrl_c_from_the_help_over_the_secret_dialog_asks_where_it_can_be_seen() {
    let mut app = app();
    open_secret(&mut app);
    press(&mut app, &[Char('?')]);
    assert_eq!(app.screen(), Screen::Help);
    assert!(press(&mut app, &[Ctrl('c')]).is_empty());
    assert_eq!(
        app.screen(),
        Screen::SecretConfirm,
        "the help made way for the question"
    );
}

#[test]
fn ctrl_c_after_the_key_was_copied_quits_at_once() {
    let mut app = app();
    open_secret(&mut app);
    update(
        &mut app,
        Event::Copied {
            secret: true,
            result: super::copy::CopyResult::Copied("copied".into()),
        },
    );
    assert_eq!(press(&mut app, &[Ctrl('c')]), [Command::Quit]);
    assert!(matches!(app.dialog, Some(Dialog::Secret(_))));
}

#[test]
fn a_flood_of_typed_characters_stops_at_the_cap_says_why_and_esc_still_closes() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    for _ in 0..5_000 {
        assert!(update(&mut app, Event::Key(Char('a'))).is_empty());
    }
    let Some(Dialog::Create(d)) = &app.dialog else {
        panic!("the create dialog is open")
    };
    assert_eq!(d.name.input.text(), "a".repeat(MAX_CHARS));
    assert_eq!(app.status.as_ref().unwrap().text, FULL.text());
    press(&mut app, &[Esc]);
    assert!(app.dialog.is_none());
}

#[test]
fn a_long_paste_into_the_name_is_cut_at_the_cap_and_says_why() {
    let mut app = app();
    press(&mut app, &[Char('e'), Ctrl('u')]);
    update(&mut app, Event::Paste("x".repeat(100_000)));
    let Some(Dialog::Rename(d)) = &app.dialog else {
        panic!("the rename dialog is open")
    };
    assert_eq!(d.name.input.text().len(), MAX_CHARS);
    assert_eq!(app.status.as_ref().unwrap().text, FULL.text());
}

#[test]
fn the_copy_message_goes_when_its_dialog_closes() {
    let mut app = app();
    open_secret(&mut app);
    let sent = "Sent the key to your terminal's clipboard (OSC 52) — if nothing was copied, select the key on screen.";
    update(
        &mut app,
        Event::Copied {
            secret: true,
            result: super::copy::CopyResult::Copied(sent.into()),
        },
    );
    assert_eq!(app.status.as_ref().unwrap().text, sent);
    assert_eq!(press(&mut app, &[Enter]), [Command::ClearScreen]);
    assert_eq!(app.status, None);
}

#[test]
fn a_dialog_of_a_key_deleted_elsewhere_closes_and_says_why() {
    for open in [Char('e'), Char('d'), Enter] {
        let mut app = app();
        press(&mut app, &[open]);
        assert!(app.dialog.is_some());
        let mut others = records();
        others.retain(|r| r.name != "test-key");
        update(
            &mut app,
            Event::Loaded {
                change_counter: 2,
                records: others,
            },
        );
        assert!(app.dialog.is_none(), "{open:?}");
        assert_eq!(
            app.status.as_ref().unwrap().text,
            "the key test-key was deleted elsewhere"
        );
    }
}

#[test]
fn a_dialog_of_a_key_still_there_stays_open_across_reloads() {
    let mut app = app();
    press(&mut app, &[Char('e')]);
    update(
        &mut app,
        Event::Loaded {
            change_counter: 2,
            records: records(),
        },
    );
    assert!(matches!(app.dialog, Some(Dialog::Rename(_))));
}
