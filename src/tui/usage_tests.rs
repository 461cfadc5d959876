//! The details pane and the clean-up view: what they show (snapshots at
//! 80×24 and 120×40) and what their keys do.

use insta::assert_snapshot;
use time::Duration;

use super::app::App;
use super::event::{Bulk, Command, Event, Job, Key};
use super::testing::*;
use super::update::update;
use crate::domain::policy::Reason;
use crate::domain::{Hour, KeyUsage, Outcome, UsageCounts, UsageQuery};

use Key::*;

/// The fixture's keys with usage: the CJK key busy every day and hour (a
/// ramp, so the sparklines have a shape), the analytics key with a few
/// refusals.
pub(crate) fn app_with_usage() -> App {
    let mut app = app();
    let query = UsageQuery::last(None, 30, 24, NOW);
    let mut busy = KeyUsage::default();
    for (i, day) in (query.days.start.0..query.days.end.0).enumerate() {
        busy.daily.push((
            crate::domain::Day(day),
            UsageCounts::of(Outcome::Accepted, 100 + 10 * i as u32),
        ));
    }
    for (i, hour) in (query.hours.start.0..query.hours.end.0).enumerate() {
        busy.hourly
            .push((Hour(hour), UsageCounts::of(Outcome::Accepted, (i as u32 % 6) * 3)));
    }
    let mut few = UsageCounts::of(Outcome::Accepted, 7);
    few.count(Outcome::RefusedDisabled, 2);
    let analytics = KeyUsage {
        daily: vec![(crate::domain::Day::of(NOW - Duration::days(3)), few)],
        ..KeyUsage::default()
    };
    let usage = vec![(id(1), busy), (id(5), analytics)];
    update(&mut app, Event::UsageLoaded(query, Ok(usage)));
    app
}

#[test]
fn details_pane_beside_the_table_at_120x40() {
    let mut app = app_with_usage();
    press(&mut app, &[Down]);
    assert_snapshot!(draw(&mut app, 120, 40));
}

#[test]
fn details_pane_below_the_table_at_80x24_after_i() {
    let mut app = app_with_usage();
    // The analytics key: a few uses and refusals three days ago.
    press(&mut app, &[Char('i'), Down, Down]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn a_rotating_key_with_an_expiry_beside_the_table_at_120x40() {
    // The row says both states where room allows; the pane is a closed box.
    let mut app = rotating_with_an_expiry_and_one_use();
    let screen = draw(&mut app, 120, 40);
    assert!(screen.contains("1 use ·"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn a_rotating_key_with_an_expiry_below_the_table_at_80x24() {
    // The row keeps "rotating, 5h"; the line under the table says the expiry.
    let mut app = rotating_with_an_expiry_and_one_use();
    press(&mut app, &[Char('i')]);
    let screen = draw(&mut app, 80, 24);
    let selected = screen.lines().find(|l| l.starts_with("\" rotating-key ·")).unwrap();
    assert!(selected.contains("expires 2026-12-12 00:00:00"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn i_hides_the_details_pane_of_a_wide_terminal() {
    let mut app = app_with_usage();
    let shown = draw(&mut app, 120, 40);
    press(&mut app, &[Char('i')]);
    let hidden = draw(&mut app, 120, 40);
    assert!(shown.contains("Details") && !hidden.contains("Details"));
}

#[test]
fn the_table_sorts_by_30_day_uses() {
    let mut app = app_with_usage();
    press(&mut app, &[Char('s'), Char('s')]);
    assert_eq!(app.sort, super::app::SortColumn::Uses);
    let first: Vec<&str> = (0..2)
        .map(|row| app.visible_record(row).unwrap().name.as_str())
        .collect();
    assert_eq!(first, ["生产-gateway_01", "Analytics_Export"]);
}

#[test]
fn cleanup_view_at_80x24() {
    let mut app = app_with_usage();
    press(&mut app, &[Char('C'), Char(' ')]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn cleanup_view_says_why_the_selected_key_went_unused_when_its_policy_refused_it() {
    let mut app = app();
    press(&mut app, &[Char('C')]);
    let first = app.cleanup.as_ref().unwrap().rows[0].clone();
    let query = UsageQuery::last(None, 30, 24, NOW);
    let mut refused = UsageCounts::default();
    refused.count(Outcome::RefusedByPolicy(Reason::Address), 40);
    refused.count(Outcome::RefusedByPolicy(Reason::Rate), 2);
    let usage = KeyUsage {
        daily: vec![(crate::domain::Day::of(NOW - Duration::days(2)), refused)],
        ..KeyUsage::default()
    };
    update(&mut app, Event::UsageLoaded(query, Ok(vec![(first, usage)])));
    let screen = draw(&mut app, 80, 24);
    assert!(
        screen.contains("30 d: 42 refused (rate 2, address 40)"),
        "the clean-up view names the refusals of the selected key:\n{screen}"
    );
    press(&mut app, &[Down]);
    assert!(draw(&mut app, 80, 24).contains("30 d: none refused"));
}

#[test]
fn cleanup_view_at_120x40_for_30_days_asking_to_delete() {
    let mut app = app_with_usage();
    press(&mut app, &[Char('C'), Left, Char('a'), Char('d'), Char('2')]);
    assert_snapshot!(draw(&mut app, 120, 40));
}

#[test]
fn cleanup_lists_keys_unused_for_the_chosen_days_or_never_used_after_a_week() {
    let mut app = app();
    press(&mut app, &[Char('C')]);
    let names = |app: &App| -> Vec<String> {
        let cleanup = app.cleanup.as_ref().unwrap();
        cleanup
            .rows
            .iter()
            .map(|id| app.record(id).unwrap().name.clone())
            .collect()
    };
    // 90 days: ci-runner (last used 2025-11-20); staging, never used since January.
    assert_eq!(names(&app), ["ci-runner", "staging"]);
    press(&mut app, &[Right]);
    // 180 days: ci-runner's 115 idle days are not enough; staging stays,
    // never used more than 7 days after it was made.
    assert_eq!(names(&app), ["staging"]);
    press(&mut app, &[Left, Left]);
    // 30 days: Analytics_Export, used 14 days ago, is not in; test-key is a day old.
    assert_eq!(names(&app), ["ci-runner", "staging"]);
}

#[test]
fn space_and_a_mark_keys_and_enter_disables_them_after_y() {
    let mut app = app();
    assert!(press(&mut app, &[Char('C'), Char('a')]).is_empty());
    assert_eq!(app.cleanup.as_ref().unwrap().marked.len(), 2);
    press(&mut app, &[Char('a')]);
    assert!(app.cleanup.as_ref().unwrap().marked.is_empty(), "a again unmarks all");
    press(&mut app, &[Char(' '), Char(' ')]);
    assert!(press(&mut app, &[Enter, Char('n')]).is_empty(), "n: nothing happens");
    let commands = press(&mut app, &[Enter, Char('y')]);
    assert_eq!(
        commands,
        [Command::Store(Job::Bulk {
            bulk: Bulk::Disable,
            ids: vec![id(3), id(2)]
        })]
    );
    update(
        &mut app,
        Event::Bulk(Bulk::Disable, Ok(vec![record(3, "ci-runner", NOW, None)])),
    );
    assert!(app.status.as_ref().unwrap().text.starts_with("Disabled 1 key"));
}

#[test]
fn deleting_needs_the_number_of_keys_typed() {
    let mut app = app();
    press(&mut app, &[Char('C'), Char('a'), Char('d')]);
    assert!(
        press(&mut app, &[Char('3'), Enter]).is_empty(),
        "3 is not how many are marked"
    );
    assert!(app.status.as_ref().unwrap().text.contains("type 2"));
    let commands = press(&mut app, &[Backspace, Char('2'), Enter]);
    assert_eq!(
        commands,
        [Command::Store(Job::Bulk {
            bulk: Bulk::Delete,
            ids: vec![id(3), id(2)]
        })]
    );
}

#[test]
fn nothing_marked_asks_for_marks_instead_of_acting() {
    let mut app = app();
    assert!(press(&mut app, &[Char('C'), Enter, Char('d')]).is_empty());
    assert_eq!(app.screen(), super::keymap::Screen::Cleanup);
    press(&mut app, &[Esc]);
    assert!(app.cleanup.is_none());
}

#[test]
fn i_on_a_terminal_too_small_for_the_pane_says_so() {
    let mut app = app();
    update(&mut app, Event::Resize { width: 60, height: 15 });
    press(&mut app, &[Char('i')]);
    assert_eq!(
        app.status.as_ref().map(|s| s.text.as_str()),
        Some("the terminal is too small for the details pane")
    );
}
