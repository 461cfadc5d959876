//! The main screens in Simplified Chinese at 80×24: the key list (with
//! Chinese names, and a key never used), the empty list, the filter being
//! typed, help, the details pane, the audit log, the clean-up view and the
//! "terminal too small" screen. Every wide character takes two columns, so
//! the table's columns must still line up; the checks below say so besides
//! the snapshots.

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Position;
use time::Duration;
use time::macros::datetime;
use unicode_width::UnicodeWidthStr;

use super::{Theme, render};
use crate::domain::{
    AuditEntry, AuditEvent, Day, Hour, Interface, KeyHash, KeyRecord, KeyUsage, Outcome, PreviousSecret, UsageCounts,
    UsageQuery,
};
use crate::i18n::{Lang, with_lang};
use crate::tui::app::App;
use crate::tui::event::{Command, Event, Job, Key};
use crate::tui::log_search::{LogPage, entry_matches};
use crate::tui::testing::*;
use crate::tui::update::update;

use Key::*;

fn terminal(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    update(app, Event::Resize { width, height });
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| drop(render(frame, app, &Theme::new(false))))
        .unwrap();
    terminal
}

/// The screen, drawn in Chinese; `steps` (keys, typing) run in Chinese too,
/// since status messages are made when a key is handled.
pub(super) fn zh(app: &mut App, steps: impl FnOnce(&mut App), width: u16, height: u16) -> String {
    with_lang(Lang::ZhCn, || {
        steps(app);
        terminal(app, width, height).backend().to_string()
    })
}

/// Keys with Chinese names in every state the Status column has: a key
/// never used (Last Used `-`), an idle one, a disabled one, one expiring in
/// three days and one in a rotation's grace.
fn zh_records() -> Vec<KeyRecord> {
    let used = Some(datetime!(2026-03-15 11:00:00 UTC));
    vec![
        record(
            1,
            "生产-gateway_01",
            datetime!(2026-03-10 09:30:00 UTC),
            Some(datetime!(2026-03-15 11:58:20 UTC)),
        ),
        record(2, "测试环境", datetime!(2026-01-02 08:00:00 UTC), None),
        record(
            3,
            "ci-runner",
            datetime!(2025-10-01 00:00:00 UTC),
            Some(datetime!(2025-11-20 17:45:00 UTC)),
        ),
        record(4, "数据分析-导出任务", datetime!(2026-03-14 23:10:05 UTC), None),
        KeyRecord {
            disabled_at: Some(datetime!(2026-03-14 08:00:00 UTC)),
            ..record(5, "旧网关", datetime!(2026-02-01 09:00:00 UTC), used)
        },
        KeyRecord {
            expires_at: Some(NOW + Duration::days(3) + Duration::hours(2)),
            ..record(6, "临时演示", datetime!(2026-02-01 10:00:00 UTC), used)
        },
        KeyRecord {
            previous: Some(Box::new(PreviousSecret {
                hash: KeyHash::of("old secret"),
                masked: "sk-Old6****Ol16".to_owned(),
                grace_until: NOW + Duration::hours(5),
                last_used: Some(NOW - Duration::minutes(3)),
            })),
            ..record(7, "支付服务", datetime!(2026-02-01 11:00:00 UTC), used)
        },
    ]
}

/// Where each column starts on the header line (in columns, not bytes).
fn column_starts(screen: &str, headers: &[&str]) -> Vec<usize> {
    let header = screen.lines().nth(1).unwrap().trim_matches('"');
    headers
        .iter()
        .map(|h| {
            let at = header.find(h).unwrap_or_else(|| panic!("no {h} in {header}"));
            header[..at].width()
        })
        .collect()
}

#[test]
fn main_view_zh() {
    let mut app = app_with(zh_records());
    let screen = zh(&mut app, |_| {}, 80, 24);
    assert_snapshot!(screen);
    // Every row's cells start where their headers do, by display width.
    let starts = column_starts(&screen, &["ID", "密钥", "创建时间", "状态"]);
    for line in screen.lines().skip(2).take(7) {
        let line = line.trim_matches('"');
        for (start, cell) in starts.iter().zip(["ak-", "sk-"]) {
            let at = line.find(cell).unwrap_or_else(|| panic!("no {cell} in {line}"));
            assert_eq!(line[..at].width(), *start, "{line}");
        }
    }
}

#[test]
fn main_view_empty_zh() {
    let mut app = app_with(vec![]);
    assert_snapshot!(zh(&mut app, |_| {}, 80, 24));
}

#[test]
fn main_view_filtering_zh() {
    let mut app = app_with(zh_records());
    let screen = zh(
        &mut app,
        |app| {
            press(app, &[Char('/')]);
            type_text(app, "数据");
        },
        80,
        24,
    );
    assert_snapshot!(screen);
    // The label 「 筛选：」 is 7 columns, 数据 four more.
    let mut terminal = with_lang(Lang::ZhCn, || terminal(&mut app, 80, 24));
    terminal.backend_mut().assert_cursor_position(Position::new(11, 21));
}

#[test]
fn help_overlay_main_zh() {
    let mut app = app_with(zh_records());
    assert_snapshot!(zh(&mut app, |app| drop(press(app, &[Char('?')])), 80, 24));
}

/// The fixture's keys with usage: 生产-gateway_01 busy every day and hour,
/// 数据分析-导出任务 with a few refusals three days ago.
fn with_usage(app: &mut App) {
    let query = UsageQuery::last(None, 30, 24, NOW);
    let mut busy = KeyUsage::default();
    for (i, day) in (query.days.start.0..query.days.end.0).enumerate() {
        busy.daily
            .push((Day(day), UsageCounts::of(Outcome::Accepted, 100 + 10 * i as u32)));
    }
    for (i, hour) in (query.hours.start.0..query.hours.end.0).enumerate() {
        busy.hourly
            .push((Hour(hour), UsageCounts::of(Outcome::Accepted, (i as u32 % 6) * 3)));
    }
    let mut few = UsageCounts::of(Outcome::Accepted, 7);
    few.count(Outcome::RefusedDisabled, 2);
    few.count(Outcome::RefusedExpired, 1);
    let refused = KeyUsage {
        daily: vec![(Day::of(NOW - Duration::days(3)), few)],
        ..KeyUsage::default()
    };
    update(
        app,
        Event::UsageLoaded(query, Ok(vec![(id(1), busy), (id(4), refused)])),
    );
}

#[test]
fn details_pane_zh() {
    let mut app = app_with(zh_records());
    with_usage(&mut app);
    // The newest key first: 数据分析-导出任务, refused a few times.
    assert_snapshot!(zh(&mut app, |app| drop(press(app, &[Char('i')])), 80, 24));
}

#[test]
fn details_pane_beside_the_table_zh() {
    let mut app = app_with(zh_records());
    with_usage(&mut app);
    // The rotating key: its old secret's line, and every fact one a line.
    let screen = zh(&mut app, |app| drop(press(app, &[Down, Down])), 120, 30);
    assert_snapshot!(screen);
}

#[test]
fn a_rotating_key_with_an_expiry_beside_the_table_at_120x40_zh() {
    let mut app = rotating_with_an_expiry_and_one_use();
    assert_snapshot!(zh(&mut app, |_| {}, 120, 40));
}

#[test]
fn a_rotating_key_with_an_expiry_below_the_table_at_80x24_zh() {
    let mut app = rotating_with_an_expiry_and_one_use();
    assert_snapshot!(zh(&mut app, |app| drop(press(app, &[Char('i')])), 80, 24));
}

/// Newest first, as the store returns them: one entry of each action.
fn entries() -> Vec<AuditEntry> {
    let entry = |seq: u64, event, key: Option<u32>, name: Option<&str>, actor| AuditEntry {
        seq,
        at: datetime!(2026-05-01 10:00:00 UTC) + Duration::minutes(10 * seq as i64),
        event,
        key: key.map(id),
        name: name.map(str::to_owned),
        masked: Some("sk-Ab3x****9fQz".to_owned()),
        actor,
        previous_hash: [0; 32],
        keyed: false,
    };
    let ops = actor("ops", Some("alice"), Some("203.0.113.7"), Interface::Cli);
    let bob = actor("bob", None, Some("2001:db8::1"), Interface::Tui);
    let local = actor("svc", None, None, Interface::Library);
    let at = datetime!(2026-06-01 00:00:00 UTC);
    vec![
        entry(8, AuditEvent::Deleted, Some(2), Some("旧网关"), bob.clone()),
        entry(7, AuditEvent::Disabled, Some(2), Some("旧网关"), ops.clone()),
        entry(6, AuditEvent::Enabled, Some(2), Some("旧网关"), bob.clone()),
        entry(
            5,
            AuditEvent::Rotated { grace_until: at },
            Some(1),
            Some("支付服务"),
            ops.clone(),
        ),
        entry(
            4,
            AuditEvent::ExpiryChanged { expires_at: Some(at) },
            Some(1),
            Some("支付服务"),
            bob,
        ),
        entry(
            3,
            AuditEvent::Renamed {
                from: "billing".to_owned(),
            },
            Some(1),
            Some("支付服务"),
            ops.clone(),
        ),
        entry(
            2,
            AuditEvent::Created {
                expires_at: None,
                policy: String::new(),
            },
            Some(1),
            Some("billing"),
            ops,
        ),
        entry(1, AuditEvent::SchemaUpgraded { from: 3, to: 4 }, None, None, local),
    ]
}

#[test]
fn log_view_zh() {
    let mut app = app();
    let screen = zh(
        &mut app,
        |app| {
            let commands = press(app, &[Char('L')]);
            let [Command::Store(Job::LogPage(request))] = commands.as_slice() else {
                panic!("expected one page request: {commands:?}");
            };
            let page = Ok(LogPage {
                matches: entries(),
                next_before: None,
            });
            update(
                app,
                Event::LogPage {
                    search: request.search,
                    page,
                },
            );
        },
        80,
        24,
    );
    assert_snapshot!(screen);
    // The action column is as wide as its widest word, 编辑名称.
    let detail_starts: Vec<usize> = screen
        .lines()
        .filter_map(|line| {
            let line = line.trim_matches('"');
            let key = line.find(" ak-").or_else(|| line.find(" - "))?;
            Some(line[..key].width())
        })
        .collect();
    assert_eq!(detail_starts.len(), 8, "{screen}");
    assert!(
        detail_starts.iter().all(|&x| x == detail_starts[0]),
        "{detail_starts:?}\n{screen}"
    );
}

#[test]
fn the_log_filter_finds_the_action_word_shown_zh() {
    // The worker searches with entry_matches; a Chinese user types what the
    // screen shows, and the English names (`log --json`) still match.
    let count = |needle: &str| {
        with_lang(Lang::ZhCn, || {
            entries().iter().filter(|entry| entry_matches(entry, needle)).count()
        })
    };
    assert_eq!(count("轮换"), 1);
    assert_eq!(count("rotate"), 1);
    assert_eq!(count("停用"), 1);
}

#[test]
fn cleanup_view_zh() {
    let mut app = app_with(zh_records());
    with_usage(&mut app);
    let screen = zh(&mut app, |app| drop(press(app, &[Char('C'), Char(' ')])), 80, 24);
    assert_snapshot!(screen);
}

#[test]
fn cleanup_view_asking_to_delete_zh() {
    let mut app = app_with(zh_records());
    let screen = zh(
        &mut app,
        |app| {
            press(app, &[Char('C'), Char('a'), Char('d')]);
            type_text(app, "2");
        },
        80,
        24,
    );
    assert_snapshot!(screen);
}

#[test]
fn too_small_zh() {
    let mut app = app();
    let screen = zh(
        &mut app,
        |app| {
            update(app, Event::Resize { width: 50, height: 12 });
            press(app, &[Char('x')]);
        },
        50,
        12,
    );
    assert_snapshot!(screen);
}

#[test]
fn the_details_pane_s_values_line_up_after_chinese_labels() {
    let mut app = app_with(zh_records());
    with_usage(&mut app);
    let screen = zh(&mut app, |app| drop(press(app, &[Down, Down])), 120, 30);
    // Where each value starts, counted from its label, in columns.
    let starts: Vec<usize> = ["ID", "状态", "旧密钥", "创建时间", "最近使用"]
        .iter()
        .map(|label| {
            let marked = format!("│ {label} ");
            let line = screen
                .lines()
                .find(|l| l.contains(&marked))
                .unwrap_or_else(|| panic!("{label}\n{screen}"));
            let rest = &line[line.find(&marked).unwrap() + "│ ".len() + label.len()..];
            label.width() + rest.len() - rest.trim_start().len()
        })
        .collect();
    assert!(starts.iter().all(|&x| x == 13), "{starts:?}\n{screen}");
}

#[test]
fn the_status_bar_keeps_the_help_hint_whole_in_chinese() {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    // Narrow enough that some hints must go: the ones kept fit, by width.
    let app = app();
    for width in 40..80 {
        let area = Rect::new(0, 0, width, 1);
        let mut buf = Buffer::empty(area);
        with_lang(Lang::ZhCn, || {
            super::status_bar::render_hints(&mut buf, area, &app, &Theme::new(false))
        });
        // A wide character's second cell holds nothing of its own.
        let mut line = String::new();
        let mut x = 0;
        while x < width {
            let symbol = buf[(x, 0)].symbol();
            line.push_str(symbol);
            x += symbol.width().max(1) as u16;
        }
        assert!(line.contains("? 帮助"), "{width}: {line}");
    }
}
