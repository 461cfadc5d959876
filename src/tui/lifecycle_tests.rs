//! The key lifecycle in the TUI's update function: disable/enable, rotate
//! (with the question before a running grace is ended), set expiry, the
//! create dialog's expiry, "Disable instead", and what comes back.

use time::Duration;
use time::macros::datetime;

use super::app::{ASK_IF_USED_WITHIN, CreateFocus, DeleteFocus, Dialog, DisableDialog, StatusKind};
use super::event::{Change, Command, Event, Job, Key};
use super::keymap::Screen;
use super::testing::*;
use super::update::update;
use crate::domain::{KeyName, SecretKey};

use Key::*;

/// The lifecycle records, with the key named `name` selected.
fn app_on(name: &str) -> crate::tui::app::App {
    app_on_records(lifecycle_records(), name)
}

/// `records`, with the key named `name` selected.
fn app_on_records(records: Vec<crate::domain::KeyRecord>, name: &str) -> crate::tui::app::App {
    let mut app = app_with(records);
    while selected_name(&app).as_deref() != Some(name) {
        let before = app.selected;
        press(&mut app, &[Down]);
        assert_ne!(app.selected, before, "{name} is not listed");
    }
    app
}

#[test]
fn t_disables_an_enabled_key_and_enables_a_disabled_one() {
    // Unused for over a week: nothing would stop, so no question.
    let mut records = lifecycle_records();
    records[0].last_used = Some(NOW - ASK_IF_USED_WITHIN - Duration::minutes(1));
    let mut app = app_on_records(records.clone(), "active-key");
    assert_eq!(press(&mut app, &[Char('t')]), [Command::Store(Job::Disable(id(11)))]);
    // Enabling never asks, however recent the use.
    let mut app = app_on("switched-off");
    assert_eq!(press(&mut app, &[Char('t')]), [Command::Store(Job::Enable(id(12)))]);
    // From the actions menu too, where the item says which it will do.
    let mut app = app_on_records(records, "active-key");
    press(&mut app, &[Enter, Down]);
    assert_eq!(press(&mut app, &[Enter]), [Command::Store(Job::Disable(id(11)))]);
    assert!(app.dialog.is_none());
}

/// The question up on `app`, with the use it names.
fn question(app: &crate::tui::app::App) -> &DisableDialog {
    match &app.dialog {
        Some(Dialog::Disable(d)) => d,
        other => panic!("no question: {other:?}"),
    }
}

#[test]
fn t_on_a_key_used_lately_asks_and_only_y_disables_it() {
    // active-key was used an hour ago.
    for keep in [Char('n'), Esc, Enter] {
        let mut app = app_on("active-key");
        assert!(press(&mut app, &[Char('t')]).is_empty(), "asks, does not disable");
        assert_eq!(app.screen(), Screen::DisableConfirm);
        assert_eq!(question(&app).used_at, NOW - Duration::hours(1));
        assert!(press(&mut app, &[keep]).is_empty(), "{keep:?} keeps it working");
        assert!(app.dialog.is_none(), "{keep:?} closes the question");
        assert_eq!(app.screen(), Screen::Main);
    }
    // Other keys leave the question up.
    let mut app = app_on("active-key");
    assert!(press(&mut app, &[Char('t'), Char('t'), Char('d'), Char('x')]).is_empty());
    assert_eq!(app.screen(), Screen::DisableConfirm);
    assert_eq!(press(&mut app, &[Char('y')]), [Command::Store(Job::Disable(id(11)))]);
    assert!(app.dialog.is_none());
}

#[test]
fn the_actions_menu_asks_the_same_question() {
    let mut app = app_on("active-key");
    press(&mut app, &[Enter, Down]);
    assert!(press(&mut app, &[Enter]).is_empty());
    assert_eq!(app.screen(), Screen::DisableConfirm);
    assert!(press(&mut app, &[Char('n')]).is_empty());
    // Its shortcut, as well.
    press(&mut app, &[Enter]);
    assert!(press(&mut app, &[Char('t')]).is_empty());
    assert_eq!(press(&mut app, &[Char('y')]), [Command::Store(Job::Disable(id(11)))]);
}

#[test]
fn a_previous_secret_in_its_grace_counts_as_use_and_one_past_it_does_not() {
    // rotating-key: the current secret never used, the old one 3 min ago.
    let mut app = app_on("rotating-key");
    assert!(press(&mut app, &[Char('t')]).is_empty());
    assert_eq!(question(&app).used_at, NOW - Duration::minutes(3));
    // Once the grace is over the old secret is refused anyway: no question.
    let mut records = lifecycle_records();
    records[5].previous.as_mut().unwrap().grace_until = NOW - Duration::minutes(1);
    let mut app = app_on_records(records, "rotating-key");
    assert_eq!(press(&mut app, &[Char('t')]), [Command::Store(Job::Disable(id(16)))]);
}

#[test]
fn the_question_closes_if_the_key_is_deleted_meanwhile() {
    let mut app = app_on("active-key");
    press(&mut app, &[Char('t')]);
    let mut records = lifecycle_records();
    records.remove(0);
    update(
        &mut app,
        Event::Loaded {
            change_counter: 2,
            records,
        },
    );
    assert!(app.dialog.is_none());
    assert!(app.status.unwrap().text.contains("active-key"));
}

#[test]
fn an_expired_key_s_menu_offers_only_what_works() {
    use crate::tui::app::MenuItem;
    let mut app = app_on("long-gone");
    press(&mut app, &[Enter]);
    let Some(Dialog::Actions(menu)) = &app.dialog else {
        panic!("the menu opens")
    };
    assert_eq!(
        menu.items,
        [
            MenuItem::EditName,
            MenuItem::Delete,
            MenuItem::CopyId,
            MenuItem::History
        ]
    );
    // Down then Enter lands on Delete, not on a hidden item.
    press(&mut app, &[Down]);
    press(&mut app, &[Enter]);
    assert_eq!(app.screen(), Screen::Delete);
    // A live key's menu keeps every item.
    let mut app = app_on("active-key");
    press(&mut app, &[Enter]);
    let Some(Dialog::Actions(menu)) = &app.dialog else {
        panic!("the menu opens")
    };
    assert_eq!(menu.items, MenuItem::ALL);
}

#[test]
fn the_hint_bar_and_the_keys_ask_the_same_availability() {
    use crate::tui::keymap::Action;
    let mut app = app_on("long-gone");
    for action in [Action::ToggleDisabled, Action::Rotate, Action::SetExpiry] {
        assert!(!app.allows(action), "{action:?}");
    }
    assert!(app.allows(Action::DeleteKey) && app.allows(Action::EditName));
    press(&mut app, &[Enter]);
    assert!(!app.allows(Action::Rotate), "in the menu, of the menu's key");
    let app = app_on("switched-off");
    assert!(app.allows(Action::ToggleDisabled) && app.allows(Action::Rotate));
}

#[test]
fn t_on_an_expired_key_explains_once_and_does_nothing() {
    // Enabled and expired: disabling would change nothing, and "t enables it
    // again" would be false.
    let mut app = app_on("long-gone");
    assert!(press(&mut app, &[Char('t')]).is_empty());
    assert!(app.dialog.is_none());
    let status = app.status.clone().unwrap();
    assert_eq!(status.kind, StatusKind::Error);
    assert!(
        status.text == "long-gone has expired: nothing to disable; delete it, or create a new key",
        "{}",
        status.text
    );
    // The menu's shortcut for the item it leaves out says the same.
    let mut app = app_on("long-gone");
    assert!(press(&mut app, &[Enter, Char('t')]).is_empty());
    assert!(app.dialog.is_none());
    assert!(app.status.unwrap().text.starts_with("long-gone has expired"));
    let mut app = app_on("long-gone");
    assert!(press(&mut app, &[Enter, Char('r')]).is_empty());
    assert!(app.status.unwrap().text.contains("cannot be rotated"));
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
fn the_delete_dialog_offers_disable_instead_for_an_enabled_key_without_asking_again() {
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

#[test]
fn an_expired_key_s_delete_dialog_does_not_offer_disable_instead() {
    use crate::tui::keymap::Action;
    let mut app = app_on("long-gone");
    press(&mut app, &[Char('d')]);
    let Some(Dialog::Delete(d)) = &app.dialog else { panic!() };
    assert_eq!(d.buttons(), [DeleteFocus::Cancel, DeleteFocus::Delete]);
    assert!(!app.allows(Action::DisableInstead), "nor does the hint bar");
    assert!(press(&mut app, &[Char('i')]).is_empty());
    let mut app = app_on("active-key");
    press(&mut app, &[Char('d')]);
    assert!(app.allows(Action::DisableInstead));
}
