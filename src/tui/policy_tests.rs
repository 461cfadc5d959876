//! Key policies in the TUI: the policy dialog (`p` and the actions menu),
//! its inline validation and saving, the list's mark of keys with rules and
//! the details pane's rules; snapshots in English and Chinese at 80×24 and
//! at the minimum size.

use insta::assert_snapshot;

use super::app::{Dialog, PolicyFocus, StatusKind};
use super::event::{Change, Command, Event, Job, Key};
use super::keymap::Screen;
use super::testing::*;
use super::update::update;
use crate::domain::KeyRecord;
use crate::domain::policy::Policy;
use crate::i18n::{Lang, with_lang};

use Key::*;

/// The usual keys, `test-key` (selected first: the newest) with rules.
fn app_with_rules() -> crate::tui::app::App {
    let mut records = records();
    records[3].policy = Policy::parse("rpm=60 methods=GET,POST models=gpt-4o-mini,llama3*").unwrap();
    app_with(records)
}

fn dialog(app: &crate::tui::app::App) -> &crate::tui::app::PolicyDialog {
    match &app.dialog {
        Some(Dialog::Policy(d)) => d,
        other => panic!("no policy dialog: {other:?}"),
    }
}

fn saved(app: &mut crate::tui::app::App, record: KeyRecord) -> Vec<Command> {
    update(app, Event::Changed(Change::PolicySet, Ok(record)))
}

#[test]
fn p_opens_the_rules_of_the_selected_key_and_the_menu_too() {
    let mut app = app_with_rules();
    assert_eq!(selected_name(&app).as_deref(), Some("test-key"));
    press(&mut app, &[Char('p')]);
    assert_eq!(app.screen(), Screen::Policy);
    let texts: Vec<&str> = dialog(&app).fields.iter().map(|f| f.text()).collect();
    assert_eq!(
        texts,
        [
            "",
            "60",
            "",
            "",
            "",
            "",
            "",
            "",
            "GET,POST",
            "",
            "gpt-4o-mini,llama3*",
            ""
        ]
    );
    press(&mut app, &[Esc]);
    assert!(app.dialog.is_none());
    press(&mut app, &[Enter, Char('p')]);
    assert_eq!(app.screen(), Screen::Policy, "p in the actions menu");
}

#[test]
fn typing_a_bad_value_is_refused_on_save_with_the_field_named_and_nothing_sent() {
    let mut app = app_with_rules();
    press(&mut app, &[Char('p')]);
    // rps: "ten".
    type_text(&mut app, "ten");
    assert!(dialog(&app).field(0).is_err(), "judged as typed");
    press(&mut app, &[Tab, Tab, Tab, Tab, Tab, Tab, Tab, Tab, Tab, Tab, Tab]);
    assert_eq!(dialog(&app).focus, PolicyFocus::Field(11));
    assert!(press(&mut app, &[Enter]).is_empty(), "nothing saved");
    let d = dialog(&app);
    assert_eq!(d.focus, PolicyFocus::Field(0), "the bad field takes the focus");
    assert_eq!(
        d.error.as_deref(),
        Some("Fix this rule first: rps: \"ten\" is not a whole number")
    );
    // Editing clears the message; an empty field is no rule.
    press(&mut app, &[Ctrl('u')]);
    assert_eq!(dialog(&app).error, None);
}

#[test]
fn saving_sends_the_policy_the_fields_say_and_the_answer_confirms_it() {
    let mut app = app_with_rules();
    press(&mut app, &[Char('p'), Down]);
    press(&mut app, &[Ctrl('u')]);
    type_text(&mut app, "120");
    press(&mut app, &[Down, Down, Down, Down, Down, Down, Down, Down, Down, Down]);
    type_text(&mut app, "10.0.0.0/8");
    let commands = press(&mut app, &[Enter]);
    let expected = Policy::parse("rpm=120 methods=GET,POST models=gpt-4o-mini,llama3* ips=10.0.0.0/8").unwrap();
    let id = dialog(&app).record.id.clone();
    assert_eq!(
        commands,
        [Command::Store(Job::SetPolicy {
            id: id.clone(),
            policy: expected.clone()
        })]
    );
    let mut record = app.record(&id).unwrap().clone();
    record.policy = expected;
    assert_eq!(saved(&mut app, record), [Command::Store(Job::Refresh)]);
    assert!(app.dialog.is_none());
    let status = app.status.as_ref().unwrap();
    assert_eq!(
        (status.kind, status.text.as_str()),
        (StatusKind::Success, "test-key now has 4 rules")
    );
}

#[test]
fn a_failed_save_keeps_the_dialog_and_what_was_typed() {
    let mut app = app_with_rules();
    press(&mut app, &[Char('p')]);
    type_text(&mut app, "5");
    assert_eq!(press(&mut app, &[Enter]).len(), 1);
    update(
        &mut app,
        Event::Changed(Change::PolicySet, Err("the database is busy".into())),
    );
    let d = dialog(&app);
    assert_eq!(d.fields[0].text(), "5");
    assert_eq!(
        d.error.as_deref(),
        Some("Could not save the rules: the database is busy")
    );
}

#[test]
fn unchanged_rules_close_without_writing_and_cancel_writes_nothing() {
    let mut app = app_with_rules();
    press(&mut app, &[Char('p')]);
    assert!(press(&mut app, &[Enter]).is_empty());
    assert!(app.dialog.is_none());
    assert_eq!(app.status.as_ref().unwrap().text, "The rules of test-key are unchanged");
    press(&mut app, &[Char('p')]);
    type_text(&mut app, "5");
    press(&mut app, &[BackTab]);
    assert_eq!(dialog(&app).focus, PolicyFocus::Cancel);
    assert!(press(&mut app, &[Enter]).is_empty());
    assert!(app.dialog.is_none());
}

#[test]
fn an_expired_key_s_rules_cannot_be_edited() {
    let mut app = app_with(lifecycle_records());
    while selected_name(&app).as_deref() != Some("long-gone") {
        press(&mut app, &[Down]);
    }
    press(&mut app, &[Char('p')]);
    assert!(app.dialog.is_none());
    assert!(
        app.status.as_ref().unwrap().text.contains("has expired"),
        "{:?}",
        app.status
    );
    press(&mut app, &[Enter]);
    let Some(Dialog::Actions(menu)) = &app.dialog else {
        panic!()
    };
    assert!(!menu.items.contains(&super::app::MenuItem::Policy));
}

#[test]
fn pasting_goes_into_the_focused_rule() {
    let mut app = app_with_rules();
    press(&mut app, &[Char('p'), Up]);
    assert_eq!(dialog(&app).focus, PolicyFocus::Cancel);
    update(&mut app, Event::Paste("ignored".into()));
    press(&mut app, &[Up, Up]);
    assert_eq!(dialog(&app).focus, PolicyFocus::Field(11));
    update(&mut app, Event::Paste("192.0.2.0/24,2001:db8::/32".into()));
    assert_eq!(dialog(&app).fields[11].text(), "192.0.2.0/24,2001:db8::/32");
    assert!(dialog(&app).field(11).unwrap().is_some());
}

/// The dialog on `test-key` after typing a bad value into `ips`.
fn dialog_with_a_bad_ip() -> crate::tui::app::App {
    let mut app = app_with_rules();
    press(&mut app, &[Char('p'), BackTab, BackTab, BackTab]);
    type_text(&mut app, "10.0.0.0/8,10.1.2.300");
    app
}

#[test]
fn policy_dialog_at_80x24() {
    let mut app = app_with_rules();
    press(&mut app, &[Char('p'), Down]);
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("Rules of test-key"), "{screen}");
    assert!(screen.contains("[60"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn policy_dialog_with_a_bad_value_at_80x24() {
    let mut app = dialog_with_a_bad_ip();
    let screen = draw(&mut app, 80, 24);
    assert!(
        screen.contains("ips: \"10.1.2.300\" is not an IP address or CIDR block"),
        "{screen}"
    );
    assert_snapshot!(screen);
}

#[test]
fn policy_dialog_at_60x15_keeps_every_rule_and_the_buttons() {
    let mut app = dialog_with_a_bad_ip();
    let screen = draw(&mut app, 60, 15);
    for part in ["rps", "max-parallel", "ips", "[ Save ]", "[ Cancel ]"] {
        assert!(screen.contains(part), "{part}:\n{screen}");
    }
    assert_snapshot!(screen);
}

#[test]
fn policy_dialog_zh_at_80x24_and_60x15() {
    with_lang(Lang::ZhCn, || {
        let mut app = dialog_with_a_bad_ip();
        let screen = draw(&mut app, 80, 24);
        assert!(screen.contains("test-key 的规则"), "{screen}");
        assert!(screen.contains("不是 IP 地址或 CIDR 网段"), "{screen}");
        assert_snapshot!("policy_dialog_zh_at_80x24", screen);
        let small = draw(&mut app, 60, 15);
        assert!(small.contains("[ 保存 ]") && small.contains("[ 取消 ]"), "{small}");
        assert_snapshot!("policy_dialog_zh_at_60x15", small);
    });
}

#[test]
fn the_list_marks_keys_with_rules_and_the_legend_says_so() {
    let mut app = app_with_rules();
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("> test-key ≡"), "{screen}");
    assert!(
        screen.contains("≡ rules  ! unused 7d+"),
        "the brief legend at 80 columns: {screen}"
    );
    assert!(!screen.contains("staging ≡"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn the_details_pane_shows_each_rule_and_the_refusals_by_reason() {
    use crate::domain::policy::Reason;
    use crate::domain::{Day, KeyUsage, Outcome, UsageCounts, UsageQuery};
    let mut app = app_with_rules();
    let mut counts = UsageCounts::of(Outcome::Accepted, 40);
    counts.count(Outcome::RefusedByPolicy(Reason::Rate), 7);
    counts.count(Outcome::RefusedByPolicy(Reason::Model), 2);
    let usage = KeyUsage {
        daily: vec![(Day::of(NOW), counts)],
        ..KeyUsage::default()
    };
    let query = UsageQuery::last(None, 30, 24, NOW);
    update(&mut app, Event::UsageLoaded(query, Ok(vec![(id(4), usage)])));
    let screen = draw(&mut app, 120, 40);
    for line in [
        "rpm          60 requests per minute",
        "methods      GET, POST",
        "models       gpt-4o-mini, llama3*",
    ] {
        assert!(screen.contains(line), "{line}:\n{screen}");
    }
    assert!(
        screen.contains("≡ 1 key with rules  clean-up candidates: !"),
        "{screen}"
    );
    assert!(screen.contains("9 refused (rate 7, model 2)"), "{screen}");
    assert_snapshot!(screen);
    let chinese = with_lang(Lang::ZhCn, || draw(&mut app, 120, 40));
    assert!(chinese.contains("rpm          每分钟 60 次请求"), "{chinese}");
    assert!(chinese.contains("拒绝 9 次（速率 7"), "{chinese}");
}
