//! The audit log screen: opening it (all keys with `L`, one key's with
//! "History"), reading it a page at a time through the worker, searching
//! the whole log as you type, and its look at 80×24.

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use time::macros::datetime;

use super::event::{Command, Event, Job, Key};
use super::keymap::Screen;
use super::log_search::{LogPage, LogRequest};
use super::testing::*;
use super::update::update;
use super::view::{Theme, render};
use crate::domain::{AuditEntry, AuditEvent, Interface};

use Key::*;

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
        keyed: false,
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
        entry(
            2,
            10,
            AuditEvent::Created {
                expires_at: None,
                policy: String::new(),
            },
            2,
            "old-gateway",
            local,
        ),
        entry(
            1,
            0,
            AuditEvent::Created {
                expires_at: None,
                policy: String::new(),
            },
            1,
            "billing",
            ops,
        ),
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

/// The one page request among `commands`.
fn request(commands: &[Command]) -> LogRequest {
    match commands {
        [Command::Store(Job::LogPage(request))] => request.clone(),
        other => panic!("expected one page request: {other:?}"),
    }
}

/// The worker's answer to `request`; returns what the update asked for next.
fn answer(
    app: &mut super::app::App,
    request: &LogRequest,
    matches: Vec<AuditEntry>,
    next_before: Option<u64>,
) -> Vec<Command> {
    let page = Ok(LogPage { matches, next_before });
    update(
        app,
        Event::LogPage {
            search: request.search,
            page,
        },
    )
}

/// `L`, and the whole (five-entry) log as the first page.
fn opened_with_entries() -> super::app::App {
    let mut app = app();
    let first = request(&press(&mut app, &[Char('L')]));
    assert!(
        answer(&mut app, &first, entries(), None).is_empty(),
        "the oldest entry was reached"
    );
    app
}

#[test]
fn l_opens_the_log_of_every_key_read_through_the_worker_from_the_newest_entry() {
    let mut app = app();
    let first = request(&press(&mut app, &[Char('L')]));
    assert_eq!(
        (first.key.clone(), first.before_seq, first.needle.as_str()),
        (None, None, "")
    );
    assert_eq!(app.screen(), Screen::Log);
    answer(&mut app, &first, entries(), None);
    assert_eq!(app.log.as_ref().unwrap().rows().len(), 5);
    press(&mut app, &[Esc]);
    assert!(app.log.is_none());
    assert_eq!(app.screen(), Screen::Main);
}

#[test]
fn history_in_the_actions_menu_asks_for_the_selected_key_s_entries() {
    let mut app = app();
    let selected = app.selected_record().unwrap().id.clone();
    let first = request(&press(&mut app, &[Enter, Char('h')]));
    assert_eq!(first.key, Some(selected.clone()));
    assert_eq!(app.log.as_ref().unwrap().key.as_ref().unwrap().0, selected);
}

#[test]
fn scrolling_near_the_end_of_what_is_loaded_asks_for_the_next_page_from_the_oldest_entry_loaded() {
    let mut app = app();
    let first = request(&press(&mut app, &[Char('L')]));
    // The first two entries of a long log; more are older than #4.
    let newest: Vec<_> = entries().into_iter().take(2).collect();
    let next = request(&answer(&mut app, &first, newest, Some(4)));
    assert_eq!(next.before_seq, Some(4), "the rows do not fill two pages yet");
    assert_eq!(next.search, first.search);
    // Nothing more is asked for while that page is on its way.
    assert!(press(&mut app, &[Char('G')]).is_empty());
    assert!(draw(&mut app).contains("loading…"));
    let rest: Vec<_> = entries().into_iter().skip(2).collect();
    assert!(answer(&mut app, &next, rest, None).is_empty());
    press(&mut app, &[Char('G')]);
    let log = app.log.as_ref().unwrap();
    assert_eq!((log.selected, log.rows().len(), log.complete), (4, 5, true));
    assert!(!draw(&mut app).contains("loading…"));
}

#[test]
fn a_page_for_an_earlier_search_or_a_closed_screen_is_dropped() {
    let mut app = app();
    let first = request(&press(&mut app, &[Char('L')]));
    press(&mut app, &[Esc]);
    let again = request(&press(&mut app, &[Char('L')]));
    assert_ne!(again.search, first.search, "searches are numbered across screens");
    answer(&mut app, &first, entries(), None);
    assert!(app.log.as_ref().unwrap().rows().is_empty(), "the closed screen's page");
    press(&mut app, &[Char('/')]);
    let typed = type_text(&mut app, "ops");
    let search = request(&typed[typed.len() - 1..]);
    assert_eq!(search.needle, "ops");
    answer(&mut app, &again, entries(), None);
    assert!(
        app.log.as_ref().unwrap().rows().is_empty(),
        "the unfiltered search's page"
    );
    answer(&mut app, &search, entries().into_iter().skip(3).collect(), None);
    assert_eq!(app.log.as_ref().unwrap().rows().len(), 2);
}

#[test]
fn the_filter_searches_the_whole_log_narrowing_what_was_found_and_esc_starts_over() {
    let mut app = app();
    let first = request(&press(&mut app, &[Char('L')]));
    // The first page: the newest three entries, more before #3.
    let newest: Vec<_> = entries().into_iter().take(3).collect();
    let next = request(&answer(&mut app, &first, newest, Some(3)));
    press(&mut app, &[Char('/')]);
    assert_eq!(app.screen(), Screen::LogFilter);
    // Typing narrows what was found at once, and the search goes on from
    // where it was, with the new filter: only the newest request counts.
    let commands = type_text(&mut app, "203.0");
    let searching = request(&commands[commands.len() - 1..]);
    assert_eq!((searching.before_seq, searching.needle.as_str()), (Some(3), "203.0"));
    assert_ne!(searching.search, next.search);
    assert_eq!(
        app.log.as_ref().unwrap().rows().len(),
        2,
        "ops's two of the three loaded"
    );
    answer(&mut app, &next, entries().into_iter().skip(3).collect(), None);
    assert_eq!(
        app.log.as_ref().unwrap().rows().len(),
        2,
        "a page of the old search is dropped"
    );
    let older = entries()
        .into_iter()
        .skip(3)
        .filter(|e| e.actor.user.as_deref() == Some("ops"));
    answer(&mut app, &searching, older.collect(), None);
    assert_eq!(
        app.log.as_ref().unwrap().rows().len(),
        3,
        "the SSH client of ops, in the whole log"
    );
    // A filter that matches nothing loaded, in a complete search: no request.
    assert!(type_text(&mut app, "x").is_empty());
    assert!(app.log.as_ref().unwrap().rows().is_empty());
    // Esc widens the filter: the search starts again from the newest entry.
    let again = request(&press(&mut app, &[Esc]));
    assert_eq!((again.before_seq, again.needle.as_str()), (None, ""));
    assert_eq!(app.screen(), Screen::Log);
}

#[test]
fn the_log_scrolls_to_the_oldest_entry_and_back() {
    let mut app = opened_with_entries();
    press(&mut app, &[Char('G')]);
    assert_eq!(app.log.as_ref().unwrap().selected, 4);
    press(&mut app, &[Char('k')]);
    assert_eq!(app.log.as_ref().unwrap().selected, 3);
    press(&mut app, &[Home]);
    assert_eq!(app.log.as_ref().unwrap().selected, 0);
}

#[test]
fn log_screen_at_80x24() {
    let mut app = opened_with_entries();
    press(&mut app, &[Down]);
    let screen = draw(&mut app);
    assert!(!screen.contains('\u{1b}'), "a hostile name is sanitised");
    assert_snapshot!(screen);
}

#[test]
fn log_screen_loading_the_next_page_at_80x24() {
    let mut app = app();
    let first = request(&press(&mut app, &[Char('L')]));
    let newest: Vec<_> = entries().into_iter().take(3).collect();
    answer(&mut app, &first, newest, Some(3));
    press(&mut app, &[Char('G')]);
    assert_snapshot!(draw(&mut app));
}

#[test]
fn log_screen_of_one_key_filtered_at_80x24() {
    let mut app = app();
    let first = request(&press(&mut app, &[Enter, Char('h')]));
    let key = first.key.clone().unwrap();
    // Key 1's entries, as if they were the selected key's.
    let mine: Vec<_> = entries()
        .into_iter()
        .filter(|e| e.key == Some(id(1)))
        .map(|e| AuditEntry {
            key: Some(key.clone()),
            ..e
        })
        .collect();
    answer(&mut app, &first, mine, None);
    press(&mut app, &[Char('/')]);
    type_text(&mut app, "cli");
    assert_snapshot!(draw(&mut app));
}

/// Twelve entries, numbered 3 to 14, the newest one long: its name, its
/// expiry and its actor run past any line of the list.
fn long_entries() -> Vec<AuditEntry> {
    let ops = actor("operations-team", Some("alice"), Some("203.0.113.7"), Interface::Cli);
    (3..=14)
        .rev()
        .map(|seq: u64| AuditEntry {
            seq,
            at: datetime!(2026-05-01 10:00:00 UTC) + time::Duration::minutes(seq as i64),
            event: match seq {
                14 => AuditEvent::ExpiryChanged {
                    expires_at: Some(datetime!(2026-12-12 09:30:00 UTC)),
                },
                _ => AuditEvent::Disabled,
            },
            key: Some(id(seq as u32)),
            name: Some(match seq {
                14 => "payments-gateway-production-eu-west-primary".to_owned(),
                _ => format!("key-{seq}"),
            }),
            masked: None,
            actor: ops.clone(),
            previous_hash: [0; 32],
            keyed: false,
        })
        .collect()
}

fn drawn_at(app: &mut super::app::App, (width, height): (u16, u16)) -> String {
    update(app, Event::Resize { width, height });
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| drop(render(frame, app, &Theme::new(false))))
        .unwrap();
    terminal.backend().to_string()
}

/// The long log, open at `size`, and then its newest entry opened with Enter.
fn long_log_and_entry(size: (u16, u16)) -> (String, String) {
    let mut app = app();
    update(
        &mut app,
        Event::Resize {
            width: size.0,
            height: size.1,
        },
    );
    let first = request(&press(&mut app, &[Char('L')]));
    answer(&mut app, &first, long_entries(), None);
    let list = drawn_at(&mut app, size);
    press(&mut app, &[Enter]);
    assert_eq!(app.screen(), Screen::LogEntry);
    (list, drawn_at(&mut app, size))
}

#[test]
fn long_log_lines_end_in_an_ellipsis_and_numbers_line_up() {
    for size in [(80, 24), (120, 40), (60, 15)] {
        let (list, entry) = long_log_and_entry(size);
        let name = format!("long_log_at_{}x{}", size.0, size.1);
        assert_snapshot!(name.clone(), list);
        assert_snapshot!(format!("{name}_entry_opened"), entry);
        // Right-aligned: `#14` and `#9` end in the same column.
        let rows: Vec<&str> = list.lines().filter(|l| l.contains(" 2026-")).collect();
        let ends: Vec<usize> = rows.iter().map(|l| l.find(" 2026-").unwrap()).collect();
        assert!(ends.iter().all(|&e| e == ends[0]), "{list}");
        assert!(rows[0].contains('…'), "the long entry is cut visibly: {}", rows[0]);
    }
}

#[test]
fn enter_opens_the_whole_entry_and_esc_closes_it() {
    let (_, entry) = long_log_and_entry((80, 24));
    let text: String = entry.lines().collect::<Vec<_>>().join(" ");
    for part in [
        "payments-gateway-production-eu-west-primary",
        "2026-12-12",
        "203.0.113.7:52114",
        "alice",
    ] {
        let words = part.split('-').all(|w| text.contains(w));
        assert!(words, "{part} is shown whole:\n{entry}");
    }
    let mut app = app();
    let first = request(&press(&mut app, &[Char('L')]));
    answer(&mut app, &first, long_entries(), None);
    press(&mut app, &[Right]);
    assert_eq!(app.screen(), Screen::LogEntry);
    press(&mut app, &[Esc]);
    assert_eq!(app.screen(), Screen::Log, "Esc closes the entry, not the log");
}

#[test]
fn long_log_and_entry_in_chinese() {
    use crate::i18n::{Lang, with_lang};
    for size in [(80, 24), (120, 40)] {
        let (list, entry) = with_lang(Lang::ZhCn, || long_log_and_entry(size));
        let name = format!("long_log_zh_at_{}x{}", size.0, size.1);
        assert_snapshot!(name.clone(), list);
        assert_snapshot!(format!("{name}_entry_opened"), entry);
    }
}

#[test]
fn a_history_title_too_long_for_60_columns_ends_in_an_ellipsis_not_mid_id() {
    let mut app = app();
    update(&mut app, Event::Resize { width: 60, height: 15 });
    let first = request(&press(&mut app, &[Enter, Char('h')]));
    answer(&mut app, &first, Vec::new(), None);
    let screen = drawn_at(&mut app, (60, 15));
    let title = screen.lines().next().unwrap();
    assert!(title.trim_end_matches([' ', '"']).ends_with('…'), "{title}");
    assert_snapshot!("history_title_at_60x15", screen);
}

/// A creation with a policy and a policy change, newest first.
fn policy_entries() -> Vec<AuditEntry> {
    let ops = actor("ops", None, None, Interface::Cli);
    let entry = |seq: u64, event| AuditEntry {
        seq,
        at: datetime!(2026-05-01 10:00:00 UTC) + time::Duration::minutes(seq as i64),
        event,
        key: Some(id(1)),
        name: Some("billing".to_owned()),
        masked: Some("sk-Ab3x****9fQz".to_owned()),
        actor: ops.clone(),
        previous_hash: [0; 32],
        keyed: false,
    };
    vec![
        entry(
            2,
            AuditEvent::PolicyChanged {
                from: "rpm=60".to_owned(),
                to: String::new(),
            },
        ),
        entry(
            1,
            AuditEvent::Created {
                expires_at: None,
                policy: "rpm=60".to_owned(),
            },
        ),
    ]
}

#[test]
fn policy_entries_show_the_policy_before_and_after_in_both_languages() {
    use crate::i18n::{Lang, with_lang};
    let drawn = |lang| {
        with_lang(lang, || {
            let mut app = app();
            let first = request(&press(&mut app, &[Char('L')]));
            answer(&mut app, &first, policy_entries(), None);
            drawn_at(&mut app, (120, 16))
        })
    };
    let en = drawn(Lang::En);
    assert!(
        en.contains("policy  ak-0000000000000001 billing, policy rpm=60 → none"),
        "{en}"
    );
    assert!(
        en.contains("create  ak-0000000000000001 billing, policy rpm=60 "),
        "{en}"
    );
    let zh = drawn(Lang::ZhCn);
    assert!(zh.contains("billing，策略 rpm=60 → 无"), "{zh}");
    assert!(zh.contains("设置策略"), "{zh}");
}
