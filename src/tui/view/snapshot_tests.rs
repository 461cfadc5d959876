//! Snapshot tests of every screen and dialog, drawn into a `TestBackend` with
//! fixed records, time and offset. Review changes with `cargo insta review`.

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Position;
use time::macros::datetime;

use super::{Theme, render};
use crate::domain::{SecretKey, base62};
use crate::tui::app::App;
use crate::tui::event::{Event, Key};
use crate::tui::layout::{MIN_HEIGHT, MIN_WIDTH};
use crate::tui::testing::*;
use crate::tui::update::update;

use Key::*;

fn terminal(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    update(app, Event::Resize { width, height });
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| render(frame, app, &Theme::new(false))).unwrap();
    terminal
}

fn draw(app: &mut App, width: u16, height: u16) -> String {
    terminal(app, width, height).backend().to_string()
}

/// A fixed, well-formed key, so the secret dialog snapshot is stable.
fn fixed_secret() -> SecretKey {
    let body = "sk-DEMOdemo0123456789DEMOdemo456789";
    let checksum = base62::encode_fixed(u64::from(crc32fast::hash(body.as_bytes())), 6);
    SecretKey::parse(format!("{body}{checksum}")).unwrap()
}

#[test]
fn main_view() {
    let mut app = app();
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn main_view_second_row_selected() {
    let mut app = app();
    press(&mut app, &[Down]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn main_view_wide() {
    let mut app = app();
    assert_snapshot!(draw(&mut app, 120, 16));
}

#[test]
fn main_view_narrow_drops_created() {
    let mut app = app();
    assert_snapshot!(draw(&mut app, 60, 15));
}

#[test]
fn main_view_empty() {
    let mut app = app_with(vec![]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn main_view_utc() {
    let mut app = app();
    app.utc_offset = time::UtcOffset::UTC;
    app.note = Some("local UTC offset unknown: times are in UTC (--utc-offset ±HH:MM to choose)".into());
    assert_snapshot!(draw(&mut app, 80, 15));
}

#[test]
fn main_view_filtering() {
    let mut app = app();
    press(&mut app, &[Char('/')]);
    type_text(&mut app, "gate");
    let mut terminal = terminal(&mut app, 80, 24);
    assert_snapshot!(terminal.backend().to_string());
    // The cursor sits after the filter text.
    terminal.backend_mut().assert_cursor_position(Position::new(13, 21));
}

#[test]
fn main_view_filter_matches_nothing() {
    let mut app = app();
    press(&mut app, &[Char('/')]);
    type_text(&mut app, "nothing");
    press(&mut app, &[Enter]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn main_view_scrolled_long_list() {
    let records = (1..=1000)
        .map(|n| {
            record(
                n,
                &format!("service-{n:04}"),
                datetime!(2026-01-01 00:00 UTC) + time::Duration::hours(n.into()),
                Some(datetime!(2026-03-15 00:00 UTC)),
            )
        })
        .collect();
    let mut app = app_with(records);
    press(&mut app, &[PageDown, PageDown, Down]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn hostile_names_are_sanitised() {
    let mut app = app_with(vec![
        record(
            1,
            "evil\u{1b}[31m\u{1b}]52;c;aGk=\u{7}",
            datetime!(2026-03-01 00:00 UTC),
            None,
        ),
        record(2, "rtl\u{202E}gnp.exe", datetime!(2026-03-02 00:00 UTC), None),
        record(3, "line\nbreak", datetime!(2026-03-03 00:00 UTC), None),
    ]);
    let screen = draw(&mut app, 80, 15);
    for bad in ['\u{1b}', '\u{7}', '\u{202E}'] {
        assert!(!screen.contains(bad), "{bad:?} reached the screen");
    }
    assert_eq!(screen.lines().count(), 15, "a newline broke a row");
    assert_snapshot!(screen);
}

#[test]
fn too_small() {
    let mut app = app();
    assert_snapshot!(draw(&mut app, 30, 8));
}

#[test]
fn tiny_terminals_do_not_panic() {
    for (w, h) in [(0, 0), (1, 1), (2, 30), (200, 1), (59, 40), (60, 14), (60, 15)] {
        for keys in [&[][..], &[Char('n')], &[Char('d')], &[Char('?')], &[Enter]] {
            let mut app = app();
            press(&mut app, keys);
            terminal(&mut app, w, h);
        }
    }
}

#[test]
fn every_dialog_fits_at_the_minimum_size() {
    for keys in [
        &[Char('n')][..],
        &[Char('n'), Ctrl('o')],
        &[Char('e')],
        &[Char('d')],
        &[Enter],
        &[Char('?')],
    ] {
        let mut app = app();
        press(&mut app, keys);
        let screen = draw(&mut app, MIN_WIDTH, MIN_HEIGHT);
        // The dialog's bottom border is drawn, i.e. it was not cut off.
        assert!(screen.contains('╰'), "{keys:?}\n{screen}");
    }
}

#[test]
fn create_dialog() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn create_dialog_cjk_name_and_cursor() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    // Not the fixture's 生产-gateway_01, which would warn of a duplicate.
    type_text(&mut app, "生产-gateway_02");
    let mut terminal = terminal(&mut app, 80, 24);
    assert_snapshot!(terminal.backend().to_string());
    // Box content starts at column 4, row 9; the name is 15 columns wide.
    terminal.backend_mut().assert_cursor_position(Position::new(19, 9));
    // Moving left over 生 and 产 moves two columns each.
    press(&mut app, &[Home, Right, Right]);
    let mut terminal = self::terminal(&mut app, 80, 24);
    terminal.backend_mut().assert_cursor_position(Position::new(8, 9));
}

#[test]
fn create_dialog_validation_error() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "my key");
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn create_dialog_refuses_without_agreement() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "生产-gateway_02");
    press(&mut app, &[Enter]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn create_dialog_ready_with_ok_focused() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "prod-gateway");
    press(&mut app, &[Tab, Char(' '), Tab]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn create_dialog_warns_of_a_name_another_key_has() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "staging");
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("! another key is already named staging"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn rename_dialog_warns_of_a_name_another_key_has_but_not_of_its_own() {
    let mut app = app();
    press(&mut app, &[Char('e')]);
    assert!(draw(&mut app, 80, 24).contains("unchanged"));
    press(&mut app, &[Ctrl('u')]);
    type_text(&mut app, "ci-runner");
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn create_dialog_narrow() {
    let mut app = app();
    press(&mut app, &[Char('n'), Tab]);
    assert_snapshot!(draw(&mut app, 60, 18));
}

#[test]
fn agreement_viewer() {
    let mut app = app();
    press(&mut app, &[Char('n'), Ctrl('o')]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn secret_dialog() {
    let mut app = app();
    let created = record(7, "生产-gateway_01", datetime!(2026-03-15 11:59 UTC), None);
    update(&mut app, Event::Created(Ok((fixed_secret(), created))));
    assert_snapshot!(draw(&mut app, 80, 24));
}

/// What the real clipboard says after an OSC 52 copy inside tmux: long, and
/// its caveat must be readable in full.
const OSC52_VIA_TMUX: &str = "Sent the key to your terminal's clipboard (OSC 52 via tmux, which needs \
`set-clipboard on`) — if nothing was copied, select the key on screen. It is cleared in 30 s if keydesk \
is still running.";

fn secret_dialog_after_copy(width: u16, height: u16) -> String {
    let mut app = app();
    let created = record(7, "生产-gateway_01", datetime!(2026-03-15 11:59 UTC), None);
    update(&mut app, Event::Created(Ok((fixed_secret(), created))));
    press(&mut app, &[Char('c')]);
    let result = crate::tui::CopyResult::Copied(OSC52_VIA_TMUX.into());
    update(&mut app, Event::Copied { secret: true, result });
    draw(&mut app, width, height)
}

#[test]
fn secret_dialog_shows_the_whole_copy_outcome() {
    assert_snapshot!(secret_dialog_after_copy(80, 24));
}

#[test]
fn secret_dialog_after_a_copy_fits_at_the_minimum_size() {
    let screen = secret_dialog_after_copy(MIN_WIDTH, MIN_HEIGHT);
    assert!(screen.contains('╰'), "bottom border cut off:\n{screen}");
    assert!(
        screen.contains(fixed_secret().expose()),
        "the key itself must stay visible:\n{screen}"
    );
    assert!(screen.contains("Enter"), "the way out must stay visible:\n{screen}");
}

#[test]
fn secret_dialog_asks_before_closing() {
    let mut app = app();
    let created = record(7, "fresh", datetime!(2026-03-15 11:59 UTC), None);
    update(&mut app, Event::Created(Ok((fixed_secret(), created))));
    press(&mut app, &[Char('c')]);
    update(
        &mut app,
        Event::Copied {
            secret: true,
            result: crate::tui::CopyResult::Failed(
                "clipboard not available — select the key on screen to copy it by hand".into(),
            ),
        },
    );
    press(&mut app, &[Enter]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn rename_dialog() {
    let mut app = app();
    press(&mut app, &[Down, Char('e')]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn rename_dialog_invalid() {
    let mut app = app();
    press(&mut app, &[Char('e')]);
    type_text(&mut app, "!");
    press(&mut app, &[Enter]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn delete_dialog() {
    let mut app = app();
    press(&mut app, &[Down, Char('d')]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn delete_dialog_never_used_with_delete_focused() {
    let mut app = app();
    press(&mut app, &[Char('d'), Tab]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn actions_menu() {
    let mut app = app();
    press(&mut app, &[Down, Enter, Down]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn help_overlay_main() {
    let mut app = app();
    press(&mut app, &[Char('?')]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn help_overlay_create_dialog() {
    let mut app = app();
    press(&mut app, &[Char('n'), F(1)]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn help_overlay_scrolls_in_a_short_terminal() {
    let mut app = app();
    update(&mut app, Event::Resize { width: 80, height: 15 });
    press(&mut app, &[Char('?'), Down, Down, Down]);
    assert_snapshot!(draw(&mut app, 80, 15));
}
