//! The key lifecycle in the TUI's update function: disable/enable, rotate
//! (with the question before a running grace is ended), set expiry, the
//! create dialog's expiry, "Disable instead", and what comes back.

use time::Duration;
use time::macros::datetime;

use super::app::{CreateFocus, DeleteFocus, Dialog, StatusKind};
use super::event::{Change, Command, Event, Job, Key};
use super::keymap::Screen;
use super::testing::*;
use super::update::update;
use crate::domain::{KeyName, SecretKey};

use Key::*;

/// The lifecycle records, with the key named `name` selected.
fn app_on(name: &str) -> crate::tui::app::App {
    let mut app = app_with(lifecycle_records());
    while selected_name(&app).as_deref() != Some(name) {
        let before = app.selected;
        press(&mut app, &[Down]);
        assert_ne!(app.selected, before, "{name} is not listed");
    }
    app
}

#[test]
fn t_disables_an_enabled_key_and_enables_a_disabled_one() {
    let mut app = app_on("active-key");
    assert_eq!(press(&mut app, &[Char('t')]), [Command::Store(Job::Disable(id(11)))]);
    let mut app = app_on("switched-off");
    assert_eq!(press(&mut app, &[Char('t')]), [Command::Store(Job::Enable(id(12)))]);
    // From the actions menu too, where the item says which it will do.
    let mut app = app_on("active-key");
    press(&mut app, &[Enter, Down]);
    assert_eq!(press(&mut app, &[Enter]), [Command::Store(Job::Disable(id(11)))]);
    assert!(app.dialog.is_none());
}

#[test]
fn an_expired_key_is_not_enabled_rotated_or_given_a_new_expiry() {
    for key in [Char('r'), Char('x')] {
        let mut app = app_on("long-gone");
        assert!(press(&mut app, &[key]).is_empty());
        assert!(app.dialog.is_none(), "{key:?}");
        let status = app.status.clone().unwrap();
        assert_eq!(status.kind, StatusKind::Error);
        assert!(
            status.text.contains("long-gone has expired and cannot be"),
            "{}",
            status.text
        );
    }
    let mut app = app_on("long-gone");
    let mut expired_and_disabled = app.selected_record().unwrap().clone();
    expired_and_disabled.disabled_at = Some(NOW);
    let mut records = lifecycle_records();
    records[4] = expired_and_disabled;
    app.set_records(2, records);
    assert!(press(&mut app, &[Char('t')]).is_empty());
    assert!(app.status.unwrap().text.contains("cannot be enabled again"));
}

#[test]
fn rotating_chooses_a_grace_and_defaults_to_a_day() {
    let mut app = app_on("active-key");
    press(&mut app, &[Char('r')]);
    assert_eq!(app.screen(), Screen::Rotate);
    assert_eq!(
        press(&mut app, &[Enter]),
        [Command::Store(Job::Rotate {
            id: id(11),
            grace: Duration::DAY
        })]
    );
    let mut app = app_on("active-key");
    press(&mut app, &[Char('r'), Left, Left, Left, Left]);
    assert_eq!(
        press(&mut app, &[Enter]),
        [Command::Store(Job::Rotate {
            id: id(11),
            grace: Duration::ZERO
        })],
        "the shortest is Now, and choosing stops there"
    );
    let mut app = app_on("active-key");
    press(&mut app, &[Char('r'), Right, Right, Right]);
    assert_eq!(
        press(&mut app, &[Enter]),
        [Command::Store(Job::Rotate {
            id: id(11),
            grace: Duration::WEEK
        })]
    );
    let mut app = app_on("active-key");
    press(&mut app, &[Char('r'), Esc]);
    assert!(app.dialog.is_none());
}

#[test]
fn rotating_again_during_a_grace_asks_first() {
    let mut app = app_on("rotating-key");
    press(&mut app, &[Char('r')]);
    assert!(press(&mut app, &[Enter]).is_empty(), "asks, does not rotate");
    assert_eq!(app.screen(), Screen::RotateConfirm);
    press(&mut app, &[Char('n')]);
    assert_eq!(app.screen(), Screen::Rotate, "n goes back, nothing changed");
    press(&mut app, &[Enter]);
    assert_eq!(
        press(&mut app, &[Char('y')]),
        [Command::Store(Job::Rotate {
            id: id(16),
            grace: Duration::DAY
        })]
    );
}

#[test]
fn a_rotation_shows_the_new_secret_in_the_one_time_dialog() {
    let mut app = app_on("active-key");
    let mut rotated = app.selected_record().unwrap().clone();
    rotated.previous = Some(Box::new(crate::domain::PreviousSecret {
        hash: rotated.hash,
        masked: rotated.masked.clone(),
        grace_until: NOW + Duration::DAY,
        last_used: rotated.last_used,
    }));
    let secret = SecretKey::generate();
    assert_eq!(
        update(&mut app, Event::Rotated(Ok((secret, rotated)))),
        [Command::Store(Job::Refresh)]
    );
    let Some(Dialog::Secret(d)) = &app.dialog else {
        panic!("the secret dialog")
    };
    assert!(d.rotated);
    assert_eq!(app.screen(), Screen::Secret);
    // Closing before copying asks, as for a new key.
    press(&mut app, &[Esc]);
    assert_eq!(app.screen(), Screen::SecretConfirm);

    let mut app = app_on("active-key");
    press(&mut app, &[Char('r')]);
    update(&mut app, Event::Rotated(Err("the database is busy".into())));
    assert!(app.dialog.is_none());
    assert!(
        app.status
            .unwrap()
            .text
            .contains("could not rotate: the database is busy")
    );
}

#[test]
fn set_expiry_offers_durations_and_a_date() {
    let mut app = app_on("active-key");
    press(&mut app, &[Char('x')]);
    assert_eq!(app.screen(), Screen::Expiry);
    press(&mut app, &[Right, Right]);
    assert_eq!(
        press(&mut app, &[Enter]),
        [Command::Store(Job::SetExpiry {
            id: id(11),
            expires_at: Some(NOW + Duration::days(30))
        })]
    );
    // "On a date" is to the left of Never.
    let mut app = app_on("expires-later");
    press(&mut app, &[Char('x'), Left, Tab]);
    assert!(press(&mut app, &[Enter]).is_empty(), "no date yet");
    let Some(Dialog::Expiry(d)) = &app.dialog else { panic!() };
    assert!(d.error.as_ref().unwrap().contains("YYYY-MM-DD"), "{:?}", d.error);
    type_text(&mut app, "2026-04-01");
    assert_eq!(
        press(&mut app, &[Enter]),
        [Command::Store(Job::SetExpiry {
            id: id(14),
            // Midnight in the screen's offset (UTC+8).
            expires_at: Some(datetime!(2026-03-31 16:00:00 UTC))
        })]
    );
    // And Never removes it.
    let mut app = app_on("expires-later");
    assert_eq!(
        press(&mut app, &[Char('x'), Enter]),
        [Command::Store(Job::SetExpiry {
            id: id(14),
            expires_at: None
        })]
    );
}

#[test]
fn the_create_dialog_sends_the_chosen_expiry() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "short-lived");
    press(&mut app, &[Tab, Char(' '), Tab]);
    assert_eq!(create_dialog(&app).focus, CreateFocus::Expiry);
    press(&mut app, &[Right]);
    assert_eq!(
        press(&mut app, &[Enter]),
        [Command::Store(Job::Create {
            name: KeyName::parse("short-lived").unwrap(),
            expires_at: Some(NOW + Duration::days(7))
        })]
    );
    // A date in the past is refused before anything is sent.
    let mut app = super::testing::app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "dated");
    press(&mut app, &[Tab, Char(' '), Tab, Left, Tab]);
    assert_eq!(create_dialog(&app).focus, CreateFocus::Date);
    type_text(&mut app, "2026-03-01");
    assert!(press(&mut app, &[Enter]).is_empty());
    assert!(
        create_dialog(&app)
            .error
            .as_ref()
            .unwrap()
            .contains("not in the future")
    );
    assert_eq!(create_dialog(&app).focus, CreateFocus::Date);
}

#[test]
fn the_delete_dialog_offers_disable_instead_for_an_enabled_key() {
    let mut app = app_on("active-key");
    press(&mut app, &[Char('d')]);
    assert_eq!(press(&mut app, &[Char('i')]), [Command::Store(Job::Disable(id(11)))]);
    assert!(app.dialog.is_none());
    let mut app = app_on("active-key");
    press(&mut app, &[Char('d'), Tab]);
    assert_eq!(press(&mut app, &[Enter]), [Command::Store(Job::Disable(id(11)))]);
    // A disabled key: only Cancel and Delete.
    let mut app = app_on("switched-off");
    press(&mut app, &[Char('d')]);
    assert!(press(&mut app, &[Char('i')]).is_empty());
    press(&mut app, &[Tab]);
    let Some(Dialog::Delete(d)) = &app.dialog else { panic!() };
    assert_eq!(d.focus, DeleteFocus::Delete);
}

#[test]
fn lifecycle_outcomes_say_what_happened() {
    let mut app = app_on("active-key");
    let mut record = app.selected_record().unwrap().clone();
    record.disabled_at = Some(NOW);
    update(&mut app, Event::Changed(Change::Disabled, Ok(record.clone())));
    let status = app.status.clone().unwrap();
    assert_eq!(status.kind, StatusKind::Success);
    assert_eq!(status.text, "disabled active-key (t enables it again)");
    record.expires_at = Some(datetime!(2026-04-01 00:00:00 UTC));
    update(&mut app, Event::Changed(Change::ExpirySet, Ok(record)));
    assert_eq!(
        app.status.clone().unwrap().text,
        "active-key now expires 2026-04-01 08:00:00 (UTC+8)"
    );
    press(&mut app, &[Char('x')]);
    update(
        &mut app,
        Event::Changed(Change::ExpirySet, Err("no key with ID ak-x".into())),
    );
    assert!(app.dialog.is_none());
    assert_eq!(app.status.unwrap().kind, StatusKind::Error);
}

fn create_dialog(app: &crate::tui::app::App) -> &crate::tui::app::CreateDialog {
    match &app.dialog {
        Some(Dialog::Create(d)) => d,
        _ => panic!("the create dialog is not open"),
    }
}
