//! The key table's columns in English and Chinese, at the sizes a user has:
//! whole IDs whenever the width allows (Name shrinks first), the column
//! sorted by always shown and marked in its header (a narrow table swaps it
//! in), and the create dialog asking for Enter again on a name another key
//! has.

use insta::assert_snapshot;
use time::macros::datetime;

use super::zh_main_snapshot_tests::zh;
use crate::tui::app::{App, SortColumn};
use crate::tui::event::Key;
use crate::tui::testing::*;
use crate::tui::usage_tests::app_with_usage;

use Key::*;

/// The usual keys, and one whose name is far longer than the table gives
/// Name: it shows how Name gives way to a whole ID.
fn app_with_a_long_name(name: &str) -> App {
    let mut records = records();
    records.push(record(6, name, datetime!(2026-03-15 09:00:00 UTC), None));
    app_with(records)
}

const LONG_NAME: &str = "billing-reconciliation-nightly-export-eu-west";
const LONG_NAME_ZH: &str = "账单对账-每晚导出任务-欧洲西部-生产环境";

fn header(screen: &str) -> &str {
    screen.lines().nth(1).expect("a header line")
}

/// The table's row for `name` (the selected-key line has the ID whole anyway).
fn row_of<'a>(screen: &'a str, name: &str) -> &'a str {
    let start: String = name.chars().take(6).collect();
    screen
        .lines()
        .skip(2)
        .find(|line| line.contains(&start))
        .unwrap_or_else(|| panic!("no row for {name}:\n{screen}"))
}

#[test]
fn ids_are_whole_at_120_columns_with_the_details_pane_hidden() {
    let mut app = app_with_a_long_name(LONG_NAME);
    draw(&mut app, 120, 40);
    press(&mut app, &[Char('i')]);
    let screen = draw(&mut app, 120, 40);
    assert!(!screen.contains("Details"), "{screen}");
    assert!(row_of(&screen, LONG_NAME).contains("ak-0000000000000006"), "{screen}");
    assert_snapshot!("ids_whole_120x40", screen);
    // At 80 columns no ID can be whole: Name keeps what it needs.
    assert_snapshot!("ids_cut_80x24", draw(&mut app, 80, 24));
}

#[test]
fn ids_are_whole_at_120_columns_with_the_details_pane_hidden_zh() {
    let mut app = app_with_a_long_name(LONG_NAME_ZH);
    zh(&mut app, |_| {}, 120, 40);
    press(&mut app, &[Char('i')]);
    let screen = zh(&mut app, |_| {}, 120, 40);
    assert!(!screen.contains("详情"), "{screen}");
    assert!(
        row_of(&screen, LONG_NAME_ZH).contains("ak-0000000000000006"),
        "{screen}"
    );
    assert_snapshot!("ids_whole_120x40_zh", screen);
    assert_snapshot!("ids_cut_80x24_zh", zh(&mut app, |_| {}, 80, 24));
}

#[test]
fn sorting_by_uses_shows_the_uses_column_marked_in_its_header() {
    let mut app = app_with_usage();
    press(&mut app, &[Char('s'), Char('s')]);
    assert_eq!(app.sort, SortColumn::Uses);
    let screen = draw(&mut app, 80, 24);
    assert!(header(&screen).contains("Uses (30 d)▼"), "{screen}");
    assert_snapshot!("sorted_by_uses_80x24", screen);
    let screen = draw(&mut app, 120, 40);
    assert!(header(&screen).contains("Uses (30 d)▼"), "{screen}");
    assert_snapshot!("sorted_by_uses_120x40", screen);
    // `S` reverses, and the mark says so.
    press(&mut app, &[Char('S')]);
    assert!(header(&draw(&mut app, 80, 24)).contains("Uses (30 d)▲"));
}

#[test]
fn sorting_by_uses_shows_the_uses_column_marked_in_its_header_zh() {
    let mut app = app_with_usage();
    let screen = zh(&mut app, |app| drop(press(app, &[Char('s'), Char('s')])), 80, 24);
    assert!(header(&screen).contains("调用次数（30 天）▼"), "{screen}");
    assert_snapshot!("sorted_by_uses_80x24_zh", screen);
    assert_snapshot!("sorted_by_uses_120x40_zh", zh(&mut app, |_| {}, 120, 40));
}

#[test]
fn a_narrow_table_swaps_in_the_column_sorted_by() {
    let mut app = app();
    // Sorted by Created At (the default): it takes the API key's place.
    let screen = draw(&mut app, 60, 15);
    assert!(header(&screen).contains("Created At (UTC+8)▼"), "{screen}");
    assert_snapshot!("narrow_sorted_by_created_60x15", screen);
    press(&mut app, &[Char('s')]);
    let screen = draw(&mut app, 60, 15);
    assert!(header(&screen).contains("Last Used (UTC+8)▼"), "{screen}");
    assert_snapshot!("narrow_sorted_by_last_used_60x15", screen);
    // Sorted by a column always shown, the API key is back.
    press(&mut app, &[Char('s'), Char('s'), Char('s')]);
    assert_eq!(app.sort, SortColumn::Name);
    let screen = draw(&mut app, 60, 15);
    assert!(
        header(&screen).contains("Name▲") && screen.contains("API Key"),
        "{screen}"
    );
}

#[test]
fn a_narrow_table_swaps_in_the_column_sorted_by_zh() {
    let mut app = app();
    let screen = zh(&mut app, |app| drop(press(app, &[Char('s')])), 60, 15);
    assert!(header(&screen).contains("最近使用（UTC+8）▼"), "{screen}");
    assert_snapshot!("narrow_sorted_by_last_used_60x15_zh", screen);
}

#[test]
fn the_create_dialog_asks_for_enter_again_on_a_name_another_key_has() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "staging");
    press(&mut app, &[Tab, Char(' '), Enter]);
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("press Enter again"), "{screen}");
    assert_snapshot!("create_duplicate_asks_again_80x24", screen);
}

#[test]
fn the_create_dialog_asks_for_enter_again_on_a_name_another_key_has_zh() {
    let mut app = app();
    let screen = zh(
        &mut app,
        |app| {
            press(app, &[Char('n')]);
            type_text(app, "staging");
            press(app, &[Tab, Char(' '), Enter]);
        },
        80,
        24,
    );
    assert!(screen.contains("再按一次"), "{screen}");
    assert_snapshot!("create_duplicate_asks_again_80x24_zh", screen);
}
