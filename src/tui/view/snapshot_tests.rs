//! Snapshot tests of every screen and dialog, drawn into a `TestBackend` with
//! fixed records, time and offset. Review changes with `cargo insta review`.

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Position;
use time::macros::datetime;

use super::{Theme, render};
use crate::tui::app::App;
use crate::tui::event::{Event, Key};
use crate::tui::layout::{MIN_HEIGHT, MIN_WIDTH};
use crate::tui::testing::*;
use crate::tui::update::update;

use Key::*;

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
        &[Char('r')],
        &[Char('x')],
        &[Char('x'), Left],
        &[Char('n'), Tab, Tab, Left],
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
    // Box content starts at column 4, row 7; the name is 15 columns wide.
    terminal.backend_mut().assert_cursor_position(Position::new(19, 7));
    // Moving left over 生 and 产 moves two columns each.
    press(&mut app, &[Home, Right, Right]);
    let mut terminal = self::terminal(&mut app, 80, 24);
    terminal.backend_mut().assert_cursor_position(Position::new(8, 7));
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
    press(&mut app, &[Tab, Char(' '), Tab, Tab]);
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
fn create_dialog_at_60x15_says_how_to_read_the_agreement() {
    for lang in [crate::i18n::Lang::En, crate::i18n::Lang::ZhCn] {
        let screen = crate::i18n::with_lang(lang, || {
            let mut app = app();
            press(&mut app, &[Char('n'), Tab]);
            draw(&mut app, 60, 15)
        });
        let lines: Vec<&str> = screen.lines().collect();
        let dialog = lines[..lines.len() - 1].join("\n");
        assert!(dialog.contains("Ctrl-O "), "the dialog's own line:\n{screen}");
        assert!(lines[lines.len() - 1].contains("Ctrl-O "), "the hint bar:\n{screen}");
        let name = match lang {
            crate::i18n::Lang::En => "create_dialog_at_60x15",
            _ => "create_dialog_at_60x15_zh",
        };
        assert_snapshot!(name, screen);
    }
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
    update(&mut app, Event::Created(Ok((demo_secret(), created))));
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
    update(&mut app, Event::Created(Ok((demo_secret(), created))));
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
        screen.contains(demo_secret().expose()),
        "the key itself must stay visible:\n{screen}"
    );
    assert!(screen.contains("Enter"), "the way out must stay visible:\n{screen}");
}

#[test]
fn secret_dialog_asks_before_closing() {
    let mut app = app();
    let created = record(7, "fresh", datetime!(2026-03-15 11:59 UTC), None);
    update(&mut app, Event::Created(Ok((demo_secret(), created))));
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

/// Every line of the help overlay at 60×15, in `lang`, scrolled to the end:
/// wrapped under its text, none running into the border.
fn help_at_60_columns(lang: crate::i18n::Lang) -> String {
    crate::i18n::with_lang(lang, || {
        let mut app = app();
        update(&mut app, Event::Resize { width: 60, height: 15 });
        press(&mut app, &[Char('?')]);
        let first = draw(&mut app, 60, 15);
        press(&mut app, &[PageDown, PageDown, PageDown]);
        format!("{first}\n{}", draw(&mut app, 60, 15))
    })
}

#[test]
fn help_overlay_wraps_at_60_columns() {
    use crate::i18n::Lang;
    for (lang, name) in [
        (Lang::En, "help_overlay_at_60x15"),
        (Lang::ZhCn, "help_overlay_at_60x15_zh"),
    ] {
        let screens = help_at_60_columns(lang);
        for line in screens.lines().filter(|l| l.matches('│').count() == 2) {
            let inside = line.rsplit_once('│').unwrap().0;
            assert!(inside.ends_with(' '), "cut at the border: {line}");
        }
        assert_snapshot!(name, screens);
    }
    let english = help_at_60_columns(Lang::En);
    assert!(english.contains("actions for the selected key (those"), "{english}");
}

// --- Key lifecycle -----------------------------------------------------------

/// The lifecycle records, with the key named `name` selected.
fn lifecycle_app_on(name: &str) -> App {
    let mut app = app_with(lifecycle_records());
    while selected_name(&app).as_deref() != Some(name) {
        press(&mut app, &[Down]);
    }
    app
}

#[test]
fn main_view_shows_every_lifecycle_state() {
    let mut app = lifecycle_app_on("rotating-key");
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn main_view_selected_line_shows_a_disabled_key_and_an_expiry() {
    let mut app = lifecycle_app_on("switched-off");
    let disabled = draw(&mut app, 80, 24);
    let mut app = lifecycle_app_on("expires-soon");
    let expiring = draw(&mut app, 80, 24);
    let line = |screen: &str| screen.lines().nth(20).unwrap().to_owned();
    assert_snapshot!(format!("{}\n{}", line(&disabled), line(&expiring)));
}

#[test]
fn main_view_lifecycle_wide() {
    let mut app = lifecycle_app_on("expires-soon");
    assert_snapshot!(draw(&mut app, 120, 16));
}

#[test]
fn actions_menu_of_a_disabled_key_offers_enable() {
    let mut app = lifecycle_app_on("switched-off");
    press(&mut app, &[Enter]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn rotate_dialog() {
    let mut app = lifecycle_app_on("active-key");
    press(&mut app, &[Char('r')]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn rotate_dialog_during_a_grace_warns_and_asks() {
    let mut app = lifecycle_app_on("rotating-key");
    press(&mut app, &[Char('r'), Left, Left]);
    let warned = draw(&mut app, 80, 24);
    press(&mut app, &[Enter]);
    let asked = draw(&mut app, 80, 24);
    assert_snapshot!("rotate_dialog_during_a_grace_warns", warned);
    assert_snapshot!("rotate_dialog_during_a_grace_asks", asked);
}

#[test]
fn rotated_secret_dialog() {
    let mut app = lifecycle_app_on("active-key");
    let mut rotated = app.selected_record().unwrap().clone();
    rotated.previous = Some(Box::new(crate::domain::PreviousSecret {
        hash: rotated.hash,
        masked: rotated.masked.clone(),
        grace_until: NOW + time::Duration::DAY,
        last_used: rotated.last_used,
    }));
    rotated.masked = demo_secret().masked();
    update(&mut app, Event::Rotated(Ok((demo_secret(), rotated))));
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn expiry_dialog() {
    let mut app = lifecycle_app_on("expires-later");
    press(&mut app, &[Char('x'), Right, Right]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn expiry_dialog_with_a_date() {
    let mut app = lifecycle_app_on("active-key");
    press(&mut app, &[Char('x'), Left, Tab]);
    type_text(&mut app, "2026-04-0");
    let typing = draw(&mut app, 80, 24);
    press(&mut app, &[Enter]);
    let refused = draw(&mut app, 80, 24);
    assert_snapshot!("expiry_dialog_with_a_date_typing", typing);
    assert_snapshot!("expiry_dialog_with_a_date_refused", refused);
}

#[test]
fn create_dialog_with_an_expiry() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "short-lived");
    press(&mut app, &[Tab, Char(' '), Tab, Right, Right]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn create_dialog_with_an_expiry_date() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "dated");
    press(&mut app, &[Tab, Char(' '), Tab, Left, Tab]);
    type_text(&mut app, "2026-12-31");
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn delete_dialog_offers_disable_instead() {
    let mut app = lifecycle_app_on("active-key");
    press(&mut app, &[Char('d'), Tab]);
    assert_snapshot!(draw(&mut app, 80, 24));
}

#[test]
fn help_overlay_lists_the_lifecycle_keys() {
    let mut app = lifecycle_app_on("active-key");
    press(&mut app, &[Char('?')]);
    let screen = draw(&mut app, 80, 40);
    for text in [
        "t ",
        "disable the selected key",
        "r ",
        "rotate",
        "x ",
        "set when the selected key expires",
    ] {
        assert!(screen.contains(text), "{text:?}\n{screen}");
    }
}

#[test]
fn expiring_soon_and_expired_rows_are_highlighted_and_others_are_not() {
    let mut app = lifecycle_app_on("active-key");
    let terminal = terminal(&mut app, 80, 24);
    let buffer = terminal.backend().buffer();
    // The Status column's first cell, on the row that names the key.
    let status_style = |name: &str| {
        let y = (0..24u16)
            .find(|&y| {
                (0..80u16)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    .contains(name)
            })
            .unwrap();
        let x = (0..80u16)
            .find(|&x| {
                (x..80)
                    .map(|x| buffer[(x, 1)].symbol())
                    .collect::<String>()
                    .starts_with("Status")
            })
            .unwrap();
        buffer[(x, y)].modifier
    };
    use ratatui::style::Modifier;
    assert!(status_style("expires-soon").contains(Modifier::BOLD), "within 7 days");
    assert!(status_style("long-gone").contains(Modifier::BOLD), "expired");
    assert!(!status_style("expires-later").contains(Modifier::BOLD), "60 days away");
    assert!(
        status_style("switched-off").contains(Modifier::DIM),
        "disabled is dimmed"
    );
    assert!(!status_style("rotating-key").contains(Modifier::BOLD));
}

#[test]
fn lifecycle_dialogs_keep_their_way_on_at_the_minimum_size() {
    let cases: [(&str, &[Key], &str); 4] = [
        ("rotating-key", &[Char('r')], "Enter rotate"),
        ("active-key", &[Char('x'), Left, Tab], "Enter save"),
        ("active-key", &[Char('n'), Tab, Tab, Left], "[ OK ]"),
        ("active-key", &[Char('d')], "[ Delete ]"),
    ];
    for (name, keys, way_on) in cases {
        let mut app = lifecycle_app_on(name);
        press(&mut app, keys);
        let screen = draw(&mut app, MIN_WIDTH, MIN_HEIGHT);
        assert!(screen.contains(way_on), "{keys:?}: {way_on}\n{screen}");
        assert!(screen.contains('╰'), "{keys:?}\n{screen}");
    }
    let mut app = lifecycle_app_on("active-key");
    let record = app.selected_record().unwrap().clone();
    let rotated = crate::domain::KeyRecord {
        previous: Some(Box::new(crate::domain::PreviousSecret {
            hash: record.hash,
            masked: record.masked.clone(),
            grace_until: NOW + time::Duration::DAY,
            last_used: None,
        })),
        ..record
    };
    update(&mut app, Event::Rotated(Ok((demo_secret(), rotated))));
    let screen = draw(&mut app, MIN_WIDTH, MIN_HEIGHT);
    assert!(screen.contains(demo_secret().expose()), "{screen}");
    assert!(screen.contains("Enter/Esc close"), "{screen}");
}

#[test]
fn main_view_with_the_mouse_has_a_dots_column() {
    let mut app = app();
    app.mouse = true;
    assert_snapshot!(draw(&mut app, 80, 24));
}

/// The Status cell's style on the row of `name`, drawn in colour.
fn status_style(app: &mut App, name: &str) -> ratatui::style::Style {
    update(app, Event::Resize { width: 80, height: 24 });
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| drop(render(frame, app, &Theme::new(true))))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let y = (0..24)
        .find(|&y| {
            (0..80)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .contains(name)
        })
        .unwrap();
    // The Status column is the last 15 columns.
    buffer[(80 - 15, y)].style()
}

#[test]
fn each_key_state_has_its_own_colour() {
    use ratatui::style::Color;
    let mut app = lifecycle_app_on("active-key");
    press(&mut app, &[Up]);
    let colour = |app: &mut App, name| status_style(app, name).fg;
    assert_eq!(colour(&mut app, "active-key"), Some(Color::Green));
    assert_eq!(colour(&mut app, "expires-later"), Some(Color::Green), "not soon");
    assert_eq!(colour(&mut app, "expires-soon"), Some(Color::Yellow));
    assert_eq!(colour(&mut app, "long-gone"), Some(Color::Red));
    assert_eq!(colour(&mut app, "switched-off"), Some(Color::DarkGray));
    assert_eq!(colour(&mut app, "rotating-key"), Some(Color::Magenta));
}

// --- Every screen says what it can do ----------------------------------------

/// The key list with its database named, at `size`, in `lang`: the header
/// names the file, the hint bar uses the width.
fn named_database_screen(lang: crate::i18n::Lang, (width, height): (u16, u16)) -> String {
    crate::i18n::with_lang(lang, || {
        let mut app = app();
        app.database = Some(crate::tui::database::label("/var/lib/keydesk/production-keys.redb"));
        draw(&mut app, width, height)
    })
}

#[test]
fn the_header_names_the_database_and_the_bar_uses_the_width() {
    use crate::i18n::Lang;
    for (lang, tag) in [(Lang::En, "en"), (Lang::ZhCn, "zh")] {
        for size in [(80, 24), (120, 40), (60, 15)] {
            let screen = named_database_screen(lang, size);
            let header = screen.lines().next().unwrap();
            assert!(header.contains("production-keys.redb"), "{header}");
            let bar = screen.lines().last().unwrap();
            assert!(bar.contains("? ") && bar.contains("q "), "help and quit stay: {bar}");
            assert_snapshot!(format!("named_database_{tag}_at_{}x{}", size.0, size.1), screen);
        }
    }
}
