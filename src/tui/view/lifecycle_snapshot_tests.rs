//! Snapshots of what a key's state decides, in English and Chinese at 80×24:
//! the question before disabling a key used lately, and the actions menu of
//! an expired key (only what works on it). Key presses run in the language
//! too, since messages are made when a key is handled.

use insta::assert_snapshot;
use time::Duration;

use crate::i18n::{Lang, with_lang};
use crate::tui::app::App;
use crate::tui::event::Key;
use crate::tui::layout::{MIN_HEIGHT, MIN_WIDTH};
use crate::tui::testing::*;

use Key::*;

/// The lifecycle keys and `prod-gateway`, used two minutes ago, selected.
fn prod_gateway() -> App {
    let mut records = lifecycle_records();
    let created = NOW - Duration::days(30);
    records.push(record(21, "prod-gateway", created, Some(NOW - Duration::minutes(2))));
    on(records, "prod-gateway")
}

/// The lifecycle keys with the expired `long-gone` selected.
fn expired() -> App {
    on(lifecycle_records(), "long-gone")
}

fn on(records: Vec<crate::domain::KeyRecord>, name: &str) -> App {
    let mut app = app_with(records);
    while selected_name(&app).as_deref() != Some(name) {
        press(&mut app, &[Down]);
    }
    app
}

#[test]
fn disabling_a_key_used_lately_asks() {
    let mut app = prod_gateway();
    press(&mut app, &[Char('t')]);
    let screen = draw(&mut app, 80, 24);
    assert!(
        screen.contains("prod-gateway was used 2m ago — disable it? (y/n)"),
        "{screen}"
    );
    assert_snapshot!(screen);
}

#[test]
fn disabling_a_key_used_lately_asks_zh() {
    with_lang(Lang::ZhCn, || {
        let mut app = prod_gateway();
        press(&mut app, &[Char('t')]);
        assert_snapshot!(draw(&mut app, 80, 24));
    });
}

#[test]
fn actions_menu_of_an_expired_key() {
    let mut app = expired();
    press(&mut app, &[Enter]);
    let screen = draw(&mut app, 80, 24);
    for gone in ["Enable", "Disable", "Rotate", "Set Expiry"] {
        assert!(!screen.contains(gone), "{gone} offered:\n{screen}");
    }
    assert_snapshot!(screen);
}

#[test]
fn actions_menu_of_an_expired_key_zh() {
    with_lang(Lang::ZhCn, || {
        let mut app = expired();
        press(&mut app, &[Enter]);
        assert_snapshot!(draw(&mut app, 80, 24));
    });
}

#[test]
fn the_question_fits_and_keeps_its_keys_at_the_minimum_size() {
    for (lang, keys) in [(Lang::En, "n/Esc/Enter"), (Lang::ZhCn, "n/Esc/Enter")] {
        with_lang(lang, || {
            let mut app = prod_gateway();
            press(&mut app, &[Char('t')]);
            let screen = draw(&mut app, MIN_WIDTH, MIN_HEIGHT);
            assert!(screen.contains('╰'), "{lang:?}: bottom border cut off\n{screen}");
            assert!(screen.contains(keys), "{lang:?}: the way out\n{screen}");
        });
    }
}
