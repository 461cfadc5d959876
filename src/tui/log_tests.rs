//! The audit log screen: opening it (all keys with `L`, one key's with
//! "History"), reading through the worker, filtering as you type, and its
//! look at 80×24.

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use time::macros::datetime;

use super::event::{Command, Event, Key};
use super::keymap::Screen;
use super::testing::*;
use super::update::update;
use super::view::{Theme, render};
use crate::domain::{Actor, AuditEntry, AuditEvent, Interface, SshClient};

use Key::*;

fn actor(user: &str, sudo: Option<&str>, ssh: Option<&str>, interface: Interface) -> Actor {
    Actor {
        user: Some(user.to_owned()),
        uid: Some(1001),
        sudo_user: sudo.map(str::to_owned),
        ssh_client: ssh.map(|a| SshClient {
            address: a.to_owned(),
            port: 52114,
        }),
        interface,
        version: "0.1.0".to_owned(),
    }
}

/// Newest first, as the store returns them.
fn entries() -> Vec<AuditEntry> {
    let entry = |seq: u64, minute: i64, event, key: u32, name: &str, actor| AuditEntry {
        seq,
        at: datetime!(2026-05-01 10:00:00 UTC) + time::Duration::minutes(minute),
        event,
        key: Some(id(key)),
        name: Some(name.to_owned()),
        masked: Some("sk-Ab3x****9fQz".to_owned()),
        actor,
        previous_hash: [0; 32],
    };
    let ops = actor("ops", Some("alice"), Some("203.0.113.7"), Interface::Cli);
    let bob = actor("bob", None, Some("2001:db8::1"), Interface::Tui);
    let local = actor("svc", None, None, Interface::Library);
    vec![
        entry(5, 40, AuditEvent::Deleted, 2, "old-gateway", bob.clone()),
        entry(4, 30, AuditEvent::Disabled, 2, "old-gateway", ops.clone()),
        entry(
            3,
            20,
            AuditEvent::Renamed {
                from: "billing\u{1b}[2J".to_owned(),
            },
            1,
            "billing-prod",
            ops.clone(),
        ),
        entry(2, 10, AuditEvent::Created { expires_at: None }, 2, "old-gateway", local),
        entry(1, 0, AuditEvent::Created { expires_at: None }, 1, "billing", ops),
    ]
}

fn draw(app: &mut super::app::App) -> String {
    update(app, Event::Resize { width: 80, height: 24 });
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| drop(render(frame, app, &Theme::new(false))))
        .unwrap();
    terminal.backend().to_string()
}

#[test]
fn l_opens_the_log_of_every_key_read_through_the_worker() {
    let mut app = app();
    let commands = press(&mut app, &[Char('L')]);
    assert!(
        matches!(commands.as_slice(), [Command::LoadLog { key: None }]),
        "{commands:?}"
    );
    assert_eq!(app.screen(), Screen::Log);
    update(&mut app, Event::LogLoaded(Ok(entries())));
    assert_eq!(app.log.as_ref().unwrap().matches().len(), 5);
    press(&mut app, &[Esc]);
    assert!(app.log.is_none());
    assert_eq!(app.screen(), Screen::Main);
}

#[test]
fn history_in_the_actions_menu_opens_the_selected_key_s_log() {
    let mut app = app();
    let selected = app.selected_record().unwrap().id.clone();
    let commands = press(&mut app, &[Enter, Char('h')]);
    assert!(
        matches!(commands.as_slice(), [Command::LoadLog { key: Some(k) }] if *k == selected),
        "{commands:?}"
    );
    assert_eq!(app.log.as_ref().unwrap().key.as_ref().unwrap().0, selected);
}

#[test]
fn the_log_filters_as_you_type_and_esc_clears_it() {
    let mut app = app();
    press(&mut app, &[Char('L')]);
    update(&mut app, Event::LogLoaded(Ok(entries())));
    press(&mut app, &[Char('/')]);
    assert_eq!(app.screen(), Screen::LogFilter);
    type_text(&mut app, "203.0");
    assert_eq!(app.log.as_ref().unwrap().matches().len(), 3, "the SSH client of ops");
    type_text(&mut app, "x");
    assert_eq!(app.log.as_ref().unwrap().matches().len(), 0);
    press(&mut app, &[Esc]);
    assert_eq!(app.log.as_ref().unwrap().matches().len(), 5);
    assert_eq!(app.screen(), Screen::Log);
}

#[test]
fn the_log_scrolls_to_the_oldest_entry_and_back() {
    let mut app = app();
    press(&mut app, &[Char('L')]);
    update(&mut app, Event::LogLoaded(Ok(entries())));
    press(&mut app, &[Char('G')]);
    assert_eq!(app.log.as_ref().unwrap().selected, 4);
    press(&mut app, &[Char('k')]);
    assert_eq!(app.log.as_ref().unwrap().selected, 3);
    press(&mut app, &[Home]);
    assert_eq!(app.log.as_ref().unwrap().selected, 0);
}

#[test]
fn log_screen_at_80x24() {
    let mut app = app();
    press(&mut app, &[Char('L')]);
    update(&mut app, Event::LogLoaded(Ok(entries())));
    press(&mut app, &[Down]);
    let screen = draw(&mut app);
    assert!(!screen.contains('\u{1b}'), "a hostile name is sanitised");
    assert_snapshot!(screen);
}

#[test]
fn log_screen_of_one_key_filtered_at_80x24() {
    let mut app = app();
    press(&mut app, &[Enter, Char('h')]);
    let key = app.log.as_ref().unwrap().key.as_ref().unwrap().0.clone();
    // Key 1's entries, as if they were the selected key's.
    let mine: Vec<_> = entries()
        .into_iter()
        .filter(|e| e.key == Some(id(1)))
        .map(|e| AuditEntry {
            key: Some(key.clone()),
            ..e
        })
        .collect();
    update(&mut app, Event::LogLoaded(Ok(mine)));
    press(&mut app, &[Char('/')]);
    type_text(&mut app, "cli");
    assert_snapshot!(draw(&mut app));
}
