//! The mouse, end to end inside the app: a frame is drawn into a
//! `TestBackend`, the cell where some text was drawn is clicked through the
//! frame's hit map, and the update function acts on it.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use unicode_width::UnicodeWidthStr;

use super::app::{App, Dialog, SortColumn};
use super::event::{Command, Event, Job, Key};
use super::mouse::{HitMap, Mouse, MouseKind, RawMouse, Target};
use super::testing::*;
use super::update::update;
use super::view::{Theme, render};

/// Draws `app` at 80×24 with the mouse on: the screen's text and its hit map.
fn frame(app: &mut App) -> (Vec<String>, HitMap) {
    app.mouse = true;
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut hits = HitMap::default();
    terminal
        .draw(|frame| hits = render(frame, app, &Theme::new(false)))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    let lines = (0..24)
        .map(|y| {
            let mut line = String::new();
            let mut x = 0;
            // A wide character's second cell is drawn by its first.
            while x < 80 {
                let symbol = buffer[(x, y)].symbol();
                line.push_str(symbol);
                x += symbol.width().max(1) as u16;
            }
            line
        })
        .collect();
    (lines, hits)
}

/// The cell where `text` first appears on screen below the title line
/// (which names the sort column too).
fn cell_of(lines: &[String], text: &str) -> (u16, u16) {
    for (y, line) in lines.iter().enumerate().skip(1) {
        if let Some(byte) = line.find(text) {
            return (line[..byte].width() as u16, y as u16);
        }
    }
    panic!("{text:?} is not on screen:\n{}", lines.join("\n"));
}

/// Clicks where `text` is drawn, `right` cells into it; returns the commands.
fn click_into(app: &mut App, text: &str, right: u16) -> Vec<Command> {
    let (lines, hits) = frame(app);
    let (column, row) = cell_of(&lines, text);
    let mouse = hits.resolve(RawMouse {
        kind: MouseKind::Click,
        column: column + right,
        row,
    });
    update(app, Event::Mouse(mouse))
}

/// Clicks where `text` is drawn.
fn click_on(app: &mut App, text: &str) {
    click_into(app, text, 0);
}

/// The create dialog with a valid name typed.
fn creating(app: &mut App) {
    update(app, Event::Key(Key::Char('n')));
    for c in "by-mouse".chars() {
        update(app, Event::Key(Key::Char(c)));
    }
}

fn wheel(app: &mut App, kind: MouseKind) {
    update(app, Event::Mouse(Mouse { kind, target: None }));
}

#[test]
fn clicking_a_row_selects_its_key() {
    let mut app = app();
    let third = row_names(&app)[2].clone();
    click_on(&mut app, &third);
    assert_eq!(selected_name(&app), Some(third));
    assert!(app.dialog.is_none());
}

#[test]
fn clicking_a_header_sorts_by_it_and_again_reverses() {
    let mut app = app();
    click_on(&mut app, "Name");
    assert_eq!((app.sort, app.descending), (SortColumn::Name, false));
    let ascending = row_names(&app);
    click_on(&mut app, "Name");
    assert_eq!((app.sort, app.descending), (SortColumn::Name, true));
    let mut reversed = row_names(&app);
    reversed.reverse();
    assert_eq!(reversed, ascending);
    click_on(&mut app, "Last Used");
    assert_eq!((app.sort, app.descending), (SortColumn::LastUsed, true));
}

#[test]
fn clicking_a_rows_dots_opens_its_actions_and_an_item_runs() {
    let mut app = app();
    let second = row_names(&app)[1].clone();
    let (lines, hits) = frame(&mut app);
    let (_, row) = cell_of(&lines, &second);
    let line = &lines[row as usize];
    let dots = line[..line.find('⋯').unwrap()].width() as u16;
    assert_eq!(hits.at(dots, row), Some(Target::RowActions(1)));
    let mouse = hits.resolve(RawMouse {
        kind: MouseKind::Click,
        column: dots,
        row,
    });
    update(&mut app, Event::Mouse(mouse));
    let Some(Dialog::Actions(menu)) = &app.dialog else {
        panic!("the actions menu opens: {:?}", app.dialog)
    };
    assert_eq!(menu.record.name, second);
    click_on(&mut app, "Delete");
    assert!(matches!(app.dialog, Some(Dialog::Delete(_))), "{:?}", app.dialog);
}

#[test]
fn under_a_dialog_the_table_cannot_be_clicked() {
    let mut app = app();
    let first = row_names(&app)[0].clone();
    update(&mut app, Event::Key(Key::Char('n')));
    let (lines, hits) = frame(&mut app);
    let header = cell_of(&lines, "Name  ");
    assert_eq!(hits.at(header.0, header.1), None);
    assert_eq!(hits.at(0, 3), None);
    // The header sorted by: a click there would reverse the order.
    click_on(&mut app, "Created At");
    assert_eq!((app.sort, app.descending), (SortColumn::Created, true));
    assert_eq!(selected_name(&app), Some(first));
}

#[test]
fn the_wheel_moves_three_rows_on_lists_and_nothing_in_dialogs() {
    let mut app = app();
    wheel(&mut app, MouseKind::WheelDown);
    assert_eq!(app.selected, 3);
    wheel(&mut app, MouseKind::WheelUp);
    assert_eq!(app.selected, 0);
    update(&mut app, Event::Key(Key::Char('n')));
    wheel(&mut app, MouseKind::WheelDown);
    assert!(matches!(app.dialog, Some(Dialog::Create(_))));
    assert_eq!(app.selected, 0);
}

#[test]
fn without_the_mouse_there_is_no_dots_column() {
    let mut app = app();
    let (with_mouse, _) = frame(&mut app);
    app.mouse = false;
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| drop(render(frame, &app, &Theme::new(false))))
        .unwrap();
    assert!(with_mouse.iter().any(|line| line.contains('⋯')));
    assert!(!terminal.backend().to_string().contains('⋯'));
}

#[test]
fn in_the_create_dialog_a_click_ticks_the_box_and_the_buttons_press() {
    let mut app = app();
    creating(&mut app);
    click_on(&mut app, "[ ]");
    let Some(Dialog::Create(d)) = &app.dialog else {
        panic!("{:?}", app.dialog)
    };
    assert!(d.agreed);
    click_on(&mut app, "[ Cancel ]");
    assert!(app.dialog.is_none());
}

#[test]
fn in_the_create_dialog_ok_creates_as_enter_does() {
    let mut app = app();
    creating(&mut app);
    click_on(&mut app, "I have agreed");
    let commands = click_into(&mut app, "[ OK ]", 2);
    assert!(
        matches!(commands.as_slice(), [Command::Store(Job::Create { name, .. })] if name.as_str() == "by-mouse"),
        "{commands:?}"
    );
}

#[test]
fn in_the_delete_dialog_each_button_does_what_its_key_does() {
    let mut app = app();
    update(&mut app, Event::Key(Key::Char('d')));
    // Cancel has the focus, as Enter alone never deletes.
    click_on(&mut app, "> Cancel <");
    assert!(app.dialog.is_none());
    let first = app.selected_record().unwrap().id.clone();
    update(&mut app, Event::Key(Key::Char('d')));
    let commands = click_into(&mut app, "[ Delete ]", 0);
    assert_eq!(commands, vec![Command::Store(Job::Delete(first))]);
}

#[test]
fn chinese_buttons_and_the_agreement_box_take_clicks_across_their_whole_width() {
    crate::i18n::with_lang(crate::i18n::Lang::ZhCn, || {
        let mut app = app();
        creating(&mut app);
        // The second cell of the label's last character.
        click_into(&mut app, "并了解相关风险", 13);
        let Some(Dialog::Create(d)) = &app.dialog else {
            panic!("{:?}", app.dialog)
        };
        assert!(d.agreed);
        // Each button's closing bracket: its last cell, after two-column
        // characters.
        let commands = click_into(&mut app, "[ 确定 ]", 7);
        assert!(
            matches!(commands.as_slice(), [Command::Store(Job::Create { name, .. })] if name.as_str() == "by-mouse"),
            "{commands:?}"
        );
        let mut app = super::testing::app();
        let first = app.selected_record().unwrap().id.clone();
        update(&mut app, Event::Key(Key::Char('d')));
        let commands = click_into(&mut app, "[ 删除 ]", 7);
        assert_eq!(commands, vec![Command::Store(Job::Delete(first.clone()))]);
        update(&mut app, Event::Key(Key::Char('d')));
        let commands = click_into(&mut app, "[ 改为停用 ]", 11);
        assert_eq!(commands, vec![Command::Store(Job::Disable(first))]);
    });
}

#[test]
fn chinese_grace_choices_expiry_arrows_and_hints_take_their_clicks() {
    crate::i18n::with_lang(crate::i18n::Lang::ZhCn, || {
        let mut app = app();
        let id = app.selected_record().unwrap().id.clone();
        update(&mut app, Event::Key(Key::Char('r')));
        // The last cell of the last choice, after three wide characters'
        // worth of labels before it.
        click_into(&mut app, "[ 7 天 ]", 7);
        let Some(Dialog::Rotate(d)) = &app.dialog else {
            panic!("{:?}", app.dialog)
        };
        assert_eq!(d.grace, 3);
        let commands = click_into(&mut app, "Enter 轮换", 9);
        assert_eq!(
            commands,
            vec![Command::Store(Job::Rotate {
                id,
                grace: time::Duration::WEEK
            })]
        );
        let mut app = super::testing::app();
        update(&mut app, Event::Key(Key::Char('x')));
        // › sits after the Chinese label and the Chinese choice.
        click_on(&mut app, "›");
        let Some(Dialog::Expiry(d)) = &app.dialog else {
            panic!("{:?}", app.dialog)
        };
        assert_eq!(d.field.choice, 1);
        click_into(&mut app, "Esc 取消", 7);
        assert!(app.dialog.is_none());
    });
}

#[test]
fn in_the_clean_up_view_a_click_marks_a_key_and_another_unmarks_it() {
    let mut app = app();
    update(&mut app, Event::Key(Key::Char('C')));
    let cleanup = app.cleanup.as_ref().expect("the clean-up view opens");
    assert!(!cleanup.rows.is_empty(), "the fixture has unused keys");
    let id = cleanup.rows[cleanup.rows.len() - 1].clone();
    let name = app.records.iter().find(|r| r.id == id).unwrap().name.clone();
    click_on(&mut app, &name);
    let cleanup = app.cleanup.as_ref().unwrap();
    assert!(cleanup.marked.contains(&id), "marked");
    assert_eq!(cleanup.rows[cleanup.selected], id, "and selected");
    click_on(&mut app, &name);
    assert!(!app.cleanup.as_ref().unwrap().marked.contains(&id), "unmarked");
}

#[test]
fn in_the_rename_dialog_the_keys_shown_are_clickable() {
    let mut app = app();
    let id = app.selected_record().unwrap().id.clone();
    update(&mut app, Event::Key(Key::Char('e')));
    click_on(&mut app, "Esc cancel");
    assert!(app.dialog.is_none(), "Esc's hint closes the dialog");
    update(&mut app, Event::Key(Key::Char('e')));
    update(&mut app, Event::Key(Key::Ctrl('u')));
    for c in "renamed-by-mouse".chars() {
        update(&mut app, Event::Key(Key::Char(c)));
    }
    // The hint's text is part of it, not only its key.
    let commands = click_into(&mut app, "Enter save", 7);
    assert!(
        matches!(commands.as_slice(), [Command::Store(Job::Rename { id: got, name })] if *got == id && name.as_str() == "renamed-by-mouse"),
        "{commands:?}"
    );
}

#[test]
fn in_the_rotate_dialog_a_click_picks_the_grace_and_the_hint_rotates() {
    let mut app = app();
    let id = app.selected_record().unwrap().id.clone();
    update(&mut app, Event::Key(Key::Char('r')));
    click_into(&mut app, "[ 7 days ]", 3);
    let Some(Dialog::Rotate(d)) = &app.dialog else {
        panic!("{:?}", app.dialog)
    };
    assert_eq!(d.grace, 3);
    click_on(&mut app, "[ Now ]");
    let commands = click_into(&mut app, "Enter rotate", 0);
    assert_eq!(
        commands,
        vec![Command::Store(Job::Rotate {
            id,
            grace: time::Duration::ZERO
        })]
    );
}

#[test]
fn in_the_expiry_dialog_the_arrows_change_the_choice_and_the_date_takes_focus() {
    let mut app = app();
    update(&mut app, Event::Key(Key::Char('x')));
    let choice = |app: &App| match &app.dialog {
        Some(Dialog::Expiry(d)) => d.field.choice,
        other => panic!("{other:?}"),
    };
    let first = choice(&app);
    click_on(&mut app, "›");
    assert_eq!(choice(&app), first + 1);
    click_on(&mut app, "‹");
    assert_eq!(choice(&app), first);
    // Back from the first choice wraps (as ← does) to "On a date", which
    // shows the date field.
    click_on(&mut app, "‹");
    let Some(Dialog::Expiry(d)) = &app.dialog else {
        unreachable!()
    };
    assert!(d.field.wants_date(), "{:?}", d.field.option());
    click_on(&mut app, "YYYY-MM-DD");
    let Some(Dialog::Expiry(d)) = &app.dialog else {
        unreachable!()
    };
    assert_eq!(d.focus, super::app::ExpiryFocus::Date);
    click_on(&mut app, "Esc cancel");
    assert!(app.dialog.is_none());
}

#[test]
fn in_the_create_dialog_the_expiry_arrows_take_the_focus_from_the_name() {
    let mut app = app();
    creating(&mut app);
    click_on(&mut app, "›");
    let Some(Dialog::Create(d)) = &app.dialog else {
        panic!("{:?}", app.dialog)
    };
    assert_eq!(d.focus, super::app::CreateFocus::Expiry);
    assert_eq!(d.expiry.choice, 1, "› moved the choice, not the name's cursor");
    assert_eq!(d.name.validation().unwrap().as_str(), "by-mouse");
}

#[test]
fn disabling_a_key_used_lately_by_mouse_asks_and_its_keys_are_clickable() {
    let mut app = app_with(lifecycle_records());
    click_on(&mut app, "active-key");
    update(&mut app, Event::Key(Key::Enter));
    click_on(&mut app, "Disable");
    assert!(matches!(app.dialog, Some(Dialog::Disable(_))), "asks: {:?}", app.dialog);
    assert!(click_into(&mut app, "n/Esc/Enter keep", 0).is_empty());
    assert!(app.dialog.is_none(), "keep closes the question");
    update(&mut app, Event::Key(Key::Enter));
    click_on(&mut app, "Disable");
    assert_eq!(
        click_into(&mut app, "y disable", 0),
        [Command::Store(Job::Disable(id(11)))]
    );
}

#[test]
fn the_policy_dialog_is_clickable_fields_and_buttons() {
    use super::app::PolicyFocus;
    let mut app = app();
    update(&mut app, Event::Key(Key::Char('p')));
    click_on(&mut app, "paths");
    let focus = |app: &App| match &app.dialog {
        Some(Dialog::Policy(d)) => d.focus,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        focus(&app),
        PolicyFocus::Field(9),
        "a click on a rule focuses its field"
    );
    for c in "/v1/*".chars() {
        update(&mut app, Event::Key(Key::Char(c)));
    }
    let commands = click_on_commands(&mut app, "[ Save ]");
    let [Command::Store(Job::SetPolicy { policy, .. })] = &commands[..] else {
        panic!("{commands:?}");
    };
    assert_eq!(policy.to_string(), "paths=/v1/*");
    click_on(&mut app, "[ Cancel ]");
    assert!(app.dialog.is_none());
}

/// Clicks where `text` is drawn; returns the commands.
fn click_on_commands(app: &mut App, text: &str) -> Vec<Command> {
    click_into(app, text, 0)
}
