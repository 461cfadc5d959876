//! Unit tests of the update function: key handling, dialogs, filtering,
//! sorting, paste, and how results of side effects come back.

use time::macros::datetime;

use super::app::{CreateFocus, DeleteFocus, Dialog, Overlay, SortColumn, StatusKind};
use super::copy::CopyResult;
use super::event::{Command, Event, Job, Key};
use super::keymap::Screen;
use super::testing::*;
use super::update::update;
use crate::domain::{KeyName, NameError, SecretKey};

use Key::*;

#[test]
fn starts_on_the_newest_key_sorted_by_creation() {
    let app = app();
    assert_eq!(
        row_names(&app),
        [
            "test-key",
            "生产-gateway_01",
            "Analytics_Export",
            "staging",
            "ci-runner"
        ]
    );
    assert_eq!(selected_name(&app).as_deref(), Some("test-key"));
    assert_eq!(app.screen(), Screen::Main);
}

#[test]
fn arrows_and_vim_keys_move_and_stop_at_the_ends() {
    let mut app = app();
    press(&mut app, &[Down, Char('j')]);
    assert_eq!(selected_name(&app).as_deref(), Some("Analytics_Export"));
    press(&mut app, &[Up]);
    assert_eq!(selected_name(&app).as_deref(), Some("生产-gateway_01"));
    press(&mut app, &[Char('k'), Char('k'), Up]);
    assert_eq!(app.selected, 0);
    press(&mut app, &[Char('G')]);
    assert_eq!(selected_name(&app).as_deref(), Some("ci-runner"));
    press(&mut app, &[Down]);
    assert_eq!(app.selected, 4);
    press(&mut app, &[Char('g')]);
    assert_eq!(app.selected, 0);
    press(&mut app, &[End]);
    assert_eq!(app.selected, 4);
    press(&mut app, &[Home]);
    assert_eq!(app.selected, 0);
}

#[test]
fn paging_moves_a_screenful_and_scrolls() {
    let records = (1..=100)
        .map(|n| {
            record(
                n,
                &format!("key-{n:03}"),
                datetime!(2026-01-01 00:00 UTC) + time::Duration::minutes(n.into()),
                None,
            )
        })
        .collect();
    let mut app = app_with(records);
    assert_eq!(app.page_rows(), 18);
    press(&mut app, &[PageDown]);
    assert_eq!(app.selected, 18);
    assert_eq!(app.scroll, 1);
    press(&mut app, &[PageDown, PageDown, PageDown, PageDown, PageDown]);
    assert_eq!(app.selected, 99);
    assert_eq!(app.scroll, 82);
    press(&mut app, &[PageUp]);
    assert_eq!(app.selected, 81);
    assert_eq!(app.scroll, 81);
    press(&mut app, &[Home]);
    assert_eq!((app.selected, app.scroll), (0, 0));
    // A smaller terminal shows fewer rows; the selection stays visible.
    press(&mut app, &[End]);
    update(&mut app, Event::Resize { width: 80, height: 15 });
    assert_eq!(app.page_rows(), 9);
    assert_eq!(app.scroll, 91);
}

#[test]
fn filter_narrows_as_you_type_by_name_or_id_and_esc_clears() {
    let mut app = app();
    press(&mut app, &[Char('/')]);
    assert_eq!(app.screen(), Screen::Filter);
    type_text(&mut app, "GATE");
    assert_eq!(row_names(&app), ["生产-gateway_01"]);
    press(&mut app, &[Backspace, Backspace, Backspace, Backspace]);
    type_text(&mut app, "生产");
    assert_eq!(row_names(&app), ["生产-gateway_01"]);
    press(&mut app, &[Ctrl('u')]);
    type_text(&mut app, "0000000000000003");
    assert_eq!(row_names(&app), ["ci-runner"]);
    // Letters typed while filtering are text, not commands.
    press(&mut app, &[Ctrl('u')]);
    assert!(!type_text(&mut app, "q").contains(&Command::Quit));
    assert!(app.view().is_empty());
    press(&mut app, &[Esc]);
    assert_eq!(app.screen(), Screen::Main);
    assert_eq!(app.filter.text(), "");
    assert_eq!(app.view().len(), 5);
}

#[test]
fn enter_keeps_the_filter_and_esc_on_the_list_clears_it() {
    let mut app = app();
    press(&mut app, &[Char('/')]);
    type_text(&mut app, "st");
    press(&mut app, &[Enter]);
    assert_eq!(app.screen(), Screen::Main);
    assert_eq!(row_names(&app), ["test-key", "staging"]);
    // Keys are commands again.
    press(&mut app, &[Down]);
    assert_eq!(selected_name(&app).as_deref(), Some("staging"));
    press(&mut app, &[Esc]);
    assert_eq!(app.view().len(), 5);
    assert_eq!(selected_name(&app).as_deref(), Some("staging"));
}

#[test]
fn filtering_keeps_the_selection_on_the_same_key_while_it_matches() {
    let mut app = app();
    press(&mut app, &[Down, Down]); // Analytics_Export
    press(&mut app, &[Char('/')]);
    type_text(&mut app, "a");
    assert_eq!(selected_name(&app).as_deref(), Some("Analytics_Export"));
    type_text(&mut app, "n");
    assert_eq!(selected_name(&app).as_deref(), Some("Analytics_Export"));
}

#[test]
fn s_cycles_the_sort_column_and_capital_s_reverses() {
    let mut app = app();
    press(&mut app, &[Char('s')]);
    assert_eq!((app.sort, app.descending), (SortColumn::LastUsed, true));
    assert_eq!(
        row_names(&app),
        // Never used last, the newest of those first.
        [
            "生产-gateway_01",
            "Analytics_Export",
            "ci-runner",
            "test-key",
            "staging"
        ]
    );
    // Then by 30-day uses, the most used first.
    press(&mut app, &[Char('s')]);
    assert_eq!((app.sort, app.descending), (SortColumn::Uses, true));
    // Then by 30-day tokens, the most first.
    press(&mut app, &[Char('s')]);
    assert_eq!((app.sort, app.descending), (SortColumn::Tokens, true));
    press(&mut app, &[Char('s')]);
    assert_eq!((app.sort, app.descending), (SortColumn::Name, false));
    assert_eq!(
        row_names(&app),
        [
            "Analytics_Export",
            "ci-runner",
            "staging",
            "test-key",
            "生产-gateway_01"
        ]
    );
    press(&mut app, &[Char('S')]);
    assert_eq!(
        row_names(&app),
        [
            "生产-gateway_01",
            "test-key",
            "staging",
            "ci-runner",
            "Analytics_Export"
        ]
    );
    press(&mut app, &[Char('s')]);
    assert_eq!((app.sort, app.descending), (SortColumn::Id, false));
    assert_eq!(row_names(&app)[0], "生产-gateway_01");
    press(&mut app, &[Char('s')]);
    assert_eq!((app.sort, app.descending), (SortColumn::Created, true));
    let status = app.status.as_ref().expect("sorting is announced");
    assert_eq!(status.text, "sorted by Created At, newest first");
}

#[test]
fn sorting_keeps_the_selected_key() {
    let mut app = app();
    press(&mut app, &[Down, Down, Down]); // staging
    press(&mut app, &[Char('s'), Char('S'), Char('s')]);
    assert_eq!(selected_name(&app).as_deref(), Some("staging"));
}

#[test]
fn reload_keeps_the_selection_by_id_even_when_rows_move() {
    let mut app = app();
    press(&mut app, &[Down, Down]); // Analytics_Export
    let mut changed = records();
    changed.remove(0); // 生产 deleted elsewhere
    changed.push(record(9, "newer", datetime!(2026-03-15 10:00 UTC), None));
    update(
        &mut app,
        Event::Loaded {
            change_counter: 2,
            records: changed,
        },
    );
    assert_eq!(selected_name(&app).as_deref(), Some("Analytics_Export"));
    assert_eq!(app.selected, 2);
    // When the selected key itself disappears the selection stays in range.
    press(&mut app, &[End]);
    let shorter = records().into_iter().take(2).collect();
    update(
        &mut app,
        Event::Loaded {
            change_counter: 3,
            records: shorter,
        },
    );
    assert_eq!(app.selected, 1);
}

#[test]
fn empty_list_actions_say_what_to_do() {
    let mut app = app_with(vec![]);
    for key in [Enter, Char('e'), Char('d'), Down, Char('G')] {
        assert!(press(&mut app, &[key]).is_empty());
        assert!(app.dialog.is_none());
    }
    let status = app.status.as_ref().unwrap();
    assert!(status.text.contains("press n to create"), "{}", status.text);
}

// --- Create dialog ---------------------------------------------------------

fn create_dialog(app: &super::app::App) -> &super::app::CreateDialog {
    match &app.dialog {
        Some(Dialog::Create(d)) => d,
        other => panic!("expected the create dialog, got {other:?}"),
    }
}

#[test]
fn create_dialog_focus_moves_with_tab_and_shift_tab() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    assert_eq!(app.screen(), Screen::Create);
    assert_eq!(create_dialog(&app).focus, CreateFocus::Name);
    // The date field is skipped unless "On a date" is chosen.
    let order = [
        CreateFocus::Agreement,
        CreateFocus::Expiry,
        CreateFocus::Ok,
        CreateFocus::Cancel,
        CreateFocus::Name,
    ];
    for expected in order {
        press(&mut app, &[Tab]);
        assert_eq!(create_dialog(&app).focus, expected);
    }
    press(&mut app, &[BackTab]);
    assert_eq!(create_dialog(&app).focus, CreateFocus::Cancel);
    press(&mut app, &[Left]);
    assert_eq!(create_dialog(&app).focus, CreateFocus::Ok);
    press(&mut app, &[Right]);
    assert_eq!(create_dialog(&app).focus, CreateFocus::Cancel);
}

#[test]
fn space_types_in_the_name_but_toggles_the_checkbox() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "a b");
    assert_eq!(create_dialog(&app).name.input.text(), "a b");
    assert!(!create_dialog(&app).agreed);
    press(&mut app, &[Tab, Char(' ')]);
    assert!(create_dialog(&app).agreed);
    press(&mut app, &[Char(' ')]);
    assert!(!create_dialog(&app).agreed);
}

#[test]
fn ok_refuses_with_the_reason_until_name_is_valid_and_box_is_checked() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    // Empty name: refused, says what is needed.
    assert!(press(&mut app, &[Enter]).is_empty());
    let error = create_dialog(&app).error.clone().unwrap();
    assert!(error.contains("fix the name"), "{error}");
    assert!(create_dialog(&app).name.touched, "the empty name is now reported");

    type_text(&mut app, "x");
    assert_eq!(
        create_dialog(&app).validation().unwrap_err().to_string(),
        "name is too short: 1 character, at least 2 needed"
    );
    assert!(press(&mut app, &[Enter]).is_empty());
    assert!(create_dialog(&app).error.is_some());

    type_text(&mut app, "y");
    assert!(create_dialog(&app).validation().is_ok());
    // Valid name, box not checked: refused, focus goes to the box.
    assert!(press(&mut app, &[Enter]).is_empty());
    assert_eq!(create_dialog(&app).focus, CreateFocus::Agreement);
    assert!(create_dialog(&app).error.as_ref().unwrap().contains("agreement"));
    // Enter on the checkbox submits like OK.
    press(&mut app, &[Char(' ')]);
    let commands = press(&mut app, &[Enter]);
    assert_eq!(
        commands,
        [Command::Store(Job::Create {
            name: KeyName::parse("xy").unwrap(),
            expires_at: None
        })]
    );
}

#[test]
fn ok_button_submits_and_cancel_button_or_esc_closes() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "生产-gateway_02");
    press(&mut app, &[Tab, Char(' '), Tab, Tab]);
    assert_eq!(create_dialog(&app).focus, CreateFocus::Ok);
    assert_eq!(press(&mut app, &[Enter]).len(), 1);
    press(&mut app, &[Tab, Enter]);
    assert!(app.dialog.is_none());
    press(&mut app, &[Char('n'), Esc]);
    assert!(app.dialog.is_none());
}

#[test]
fn question_mark_is_text_in_the_name_but_help_elsewhere() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "a?");
    assert_eq!(create_dialog(&app).name.input.text(), "a?");
    assert!(app.overlay.is_none());
    press(&mut app, &[F(1)]);
    assert_eq!(
        app.overlay,
        Some(Overlay::Help {
            screen: Screen::Create,
            scroll: 0
        })
    );
    press(&mut app, &[Esc]);
    assert!(app.overlay.is_none());
    assert_eq!(app.screen(), Screen::Create);
    press(&mut app, &[Tab, Char('?')]);
    assert!(matches!(app.overlay, Some(Overlay::Help { .. })));
}

#[test]
fn agreement_viewer_opens_scrolls_and_returns_to_the_dialog() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "ab");
    press(&mut app, &[Ctrl('o')]);
    assert_eq!(app.screen(), Screen::Agreement);
    press(&mut app, &[Down, Down]);
    assert_eq!(app.overlay, Some(Overlay::Agreement { scroll: 2 }));
    press(&mut app, &[End]);
    let Some(Overlay::Agreement { scroll: bottom }) = app.overlay else {
        panic!()
    };
    press(&mut app, &[Down]);
    assert_eq!(app.overlay, Some(Overlay::Agreement { scroll: bottom }));
    press(&mut app, &[Up]);
    assert_eq!(
        app.overlay,
        Some(Overlay::Agreement {
            scroll: bottom.saturating_sub(1)
        })
    );
    press(&mut app, &[Esc]);
    assert_eq!(app.screen(), Screen::Create);
    assert_eq!(create_dialog(&app).name.input.text(), "ab");
}

#[test]
fn wide_characters_keep_the_cursor_after_the_last_one() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "生产-gateway_01");
    assert_eq!(create_dialog(&app).name.input.cursor_column(), 15);
    press(&mut app, &[Home, Right]);
    assert_eq!(create_dialog(&app).name.input.cursor_column(), 2);
    press(&mut app, &[Delete]);
    assert_eq!(create_dialog(&app).name.input.text(), "生-gateway_01");
}

#[test]
fn paste_goes_into_the_focused_input_without_newlines_or_controls() {
    let mut app = app();
    press(&mut app, &[Char('n'), Tab]);
    let commands = update(&mut app, Event::Paste("prod\r\n-key\u{1b}[31m\t01\n".into()));
    assert!(commands.is_empty(), "a paste never acts like key presses");
    let d = create_dialog(&app);
    assert_eq!(d.name.input.text(), "prod-key[31m01");
    assert_eq!(d.focus, CreateFocus::Name);
    assert!(app.dialog.is_some());
}

#[test]
fn paste_on_the_list_starts_a_filter() {
    let mut app = app();
    update(&mut app, Event::Paste("ci-\nrunner".into()));
    assert_eq!(app.screen(), Screen::Filter);
    assert_eq!(app.filter.text(), "ci-runner");
    assert_eq!(row_names(&app), ["ci-runner"]);
}

#[test]
fn creating_shows_the_secret_and_selects_the_new_key() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "fresh");
    press(&mut app, &[Tab, Char(' '), Enter]);
    let secret = SecretKey::generate();
    let created = record(7, "fresh", datetime!(2026-03-15 11:59 UTC), None);
    let commands = update(&mut app, Event::Created(Ok((secret, created.clone()))));
    assert_eq!(commands, [Command::Store(Job::Refresh)]);
    assert_eq!(app.screen(), Screen::Secret);
    let mut all = records();
    all.push(created);
    update(
        &mut app,
        Event::Loaded {
            change_counter: 2,
            records: all,
        },
    );
    assert_eq!(selected_name(&app).as_deref(), Some("fresh"));
}

#[test]
fn a_failed_create_keeps_the_dialog_and_says_why() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "fresh");
    press(&mut app, &[Tab, Char(' '), Enter]);
    update(&mut app, Event::Created(Err("the database is busy".into())));
    let d = create_dialog(&app);
    assert!(d.error.as_ref().unwrap().contains("the database is busy"));
    assert_eq!(d.name.input.text(), "fresh");
    assert_eq!(app.status.as_ref().unwrap().kind, StatusKind::Error);
}

// --- Secret dialog -----------------------------------------------------------

fn open_secret(app: &mut super::app::App) {
    let record = record(7, "fresh", datetime!(2026-03-15 11:59 UTC), None);
    update(app, Event::Created(Ok((SecretKey::generate(), record))));
    assert_eq!(app.screen(), Screen::Secret);
}

#[test]
fn closing_before_copying_asks_first() {
    let mut app = app();
    open_secret(&mut app);
    assert!(press(&mut app, &[Enter]).is_empty());
    assert_eq!(app.screen(), Screen::SecretConfirm);
    press(&mut app, &[Char('n')]);
    assert_eq!(app.screen(), Screen::Secret);
    press(&mut app, &[Esc]);
    assert_eq!(app.screen(), Screen::SecretConfirm);
    let commands = press(&mut app, &[Char('y')]);
    assert_eq!(commands, [Command::ClearScreen]);
    assert!(app.dialog.is_none());
    assert!(app.secret().is_none(), "the secret is gone");
}

#[test]
fn copy_reports_the_handler_s_message_and_a_copied_key_closes_directly() {
    let mut app = app();
    open_secret(&mut app);
    assert_eq!(press(&mut app, &[Char('c')]), [Command::CopySecret]);
    let failed = "clipboard not available — select the key on screen to copy it by hand";
    update(
        &mut app,
        Event::Copied {
            secret: true,
            result: CopyResult::Failed(failed.into()),
        },
    );
    assert_eq!(app.status.as_ref().unwrap().text, failed);
    press(&mut app, &[Enter]);
    assert_eq!(app.screen(), Screen::SecretConfirm, "not copied: still asks");
    press(&mut app, &[Char('c')]);
    update(
        &mut app,
        Event::Copied {
            secret: true,
            result: CopyResult::Copied("copied to the clipboard (cleared in 30 s)".into()),
        },
    );
    assert_eq!(app.screen(), Screen::Secret);
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "copied to the clipboard (cleared in 30 s)"
    );
    assert_eq!(press(&mut app, &[Enter]), [Command::ClearScreen]);
    assert!(app.dialog.is_none());
}

// --- Rename, delete, actions ----------------------------------------------

#[test]
fn rename_is_prefilled_validated_and_saved_with_enter() {
    let mut app = app();
    press(&mut app, &[Char('e')]);
    let Some(Dialog::Rename(d)) = &app.dialog else { panic!() };
    assert_eq!(d.name.input.text(), "test-key");
    // Unchanged: closes without a store call.
    assert!(press(&mut app, &[Enter]).is_empty());
    assert!(app.dialog.is_none());
    assert_eq!(app.status.as_ref().unwrap().text, "name unchanged");

    press(&mut app, &[Char('e'), Backspace, Backspace, Backspace]);
    type_text(&mut app, " x");
    assert!(press(&mut app, &[Enter]).is_empty());
    let Some(Dialog::Rename(d)) = &app.dialog else { panic!() };
    assert!(d.error.is_some());
    assert!(
        d.validation()
            .unwrap_err()
            .to_string()
            .contains("a space at position 6")
    );
    press(&mut app, &[Ctrl('u')]);
    type_text(&mut app, "renamed");
    assert_eq!(
        press(&mut app, &[Enter]),
        [Command::Store(Job::Rename {
            id: id(4),
            name: KeyName::parse("renamed").unwrap()
        })]
    );
    let mut renamed = record(4, "renamed", datetime!(2026-03-14 23:10:05 UTC), None);
    renamed.masked = "sk-Ab04****Yz04".into();
    assert_eq!(
        update(&mut app, Event::Renamed(Ok(renamed))),
        [Command::Store(Job::Refresh)]
    );
    assert!(app.dialog.is_none());
    // Esc cancels.
    press(&mut app, &[Char('e'), Esc]);
    assert!(app.dialog.is_none());
}

#[test]
fn a_name_carrying_most_of_a_secret_is_refused_in_create_and_rename_with_the_reason() {
    let key_like = "sk-IzTyVPrcyqMAyYu7k3VEivanfnK";
    let mut app = app();
    press(&mut app, &[Char('e'), Ctrl('u')]);
    type_text(&mut app, key_like);
    assert!(press(&mut app, &[Enter]).is_empty(), "nothing is sent to the store");
    let Some(Dialog::Rename(d)) = &app.dialog else { panic!() };
    assert_eq!(d.validation(), Err(NameError::LooksLikeKey));
    assert!(d.error.is_some());
    press(&mut app, &[Esc]);

    press(&mut app, &[Char('n')]);
    type_text(&mut app, key_like);
    let Some(Dialog::Create(d)) = &app.dialog else { panic!() };
    assert_eq!(d.name.validation(), Err(NameError::LooksLikeKey));
}

fn delete_focus(app: &super::app::App) -> DeleteFocus {
    match &app.dialog {
        Some(Dialog::Delete(d)) => d.focus,
        other => panic!("expected the delete dialog, got {other:?}"),
    }
}

#[test]
fn enter_alone_never_deletes() {
    let mut app = app();
    press(&mut app, &[Char('d')]);
    assert_eq!(delete_focus(&app), DeleteFocus::Cancel);
    assert!(press(&mut app, &[Enter]).is_empty());
    assert!(app.dialog.is_none(), "Enter pressed Cancel");
    // Also from the actions menu and with the Delete key.
    press(&mut app, &[Enter, Char('d')]);
    assert_eq!(delete_focus(&app), DeleteFocus::Cancel);
    assert!(press(&mut app, &[Enter]).is_empty());
    press(&mut app, &[Key::Delete]);
    assert_eq!(delete_focus(&app), DeleteFocus::Cancel);
    assert!(press(&mut app, &[Enter]).is_empty());
}

#[test]
fn delete_needs_y_or_moving_to_the_delete_button() {
    let mut app = app();
    press(&mut app, &[Char('d'), Char('n')]);
    assert!(app.dialog.is_none());
    press(&mut app, &[Char('d'), Esc]);
    assert!(app.dialog.is_none());
    // Cancel, then "Disable instead", then Delete.
    press(&mut app, &[Char('d'), Tab]);
    assert_eq!(delete_focus(&app), DeleteFocus::Disable);
    press(&mut app, &[Tab]);
    assert_eq!(delete_focus(&app), DeleteFocus::Delete);
    press(&mut app, &[Left, Left]);
    assert_eq!(delete_focus(&app), DeleteFocus::Cancel);
    press(&mut app, &[Left]);
    assert_eq!(press(&mut app, &[Enter]), [Command::Store(Job::Delete(id(4)))]);
    let mut app2 = super::testing::app();
    assert_eq!(
        press(&mut app2, &[Char('d'), Char('y')]),
        [Command::Store(Job::Delete(id(4)))]
    );
    let deleted = record(4, "test-key", datetime!(2026-03-14 23:10:05 UTC), None);
    assert_eq!(
        update(&mut app2, Event::Deleted(Ok(deleted))),
        [Command::Store(Job::Refresh)]
    );
    assert!(app2.dialog.is_none());
    assert!(app2.status.as_ref().unwrap().text.contains("deleted test-key"));
}

#[test]
fn actions_menu_offers_edit_delete_and_copy_id() {
    let mut app = app();
    press(&mut app, &[Char('.')]);
    assert_eq!(app.screen(), Screen::Actions);
    press(&mut app, &[Enter]);
    assert_eq!(app.screen(), Screen::Rename);
    // Edit Name, Disable, Rotate, Set Expiry, Rules, Delete, Copy ID, History.
    press(&mut app, &[Esc, Enter, Down, Down, Down, Down]);
    press(&mut app, &[Enter]);
    assert_eq!(app.screen(), Screen::Policy);
    press(&mut app, &[Esc, Enter, Down, Down, Down, Down, Down]);
    press(&mut app, &[Enter]);
    assert_eq!(app.screen(), Screen::Delete);
    press(&mut app, &[Esc, Enter, Up, Up]);
    assert_eq!(
        press(&mut app, &[Enter]),
        [Command::CopyText("ak-0000000000000004".into())]
    );
    assert!(app.dialog.is_none());
    assert_eq!(press(&mut app, &[Enter, Char('c')]).len(), 1);
    let commands = press(&mut app, &[Enter, Char('q')]);
    assert!(app.dialog.is_none());
    assert!(
        !commands.contains(&Command::Quit),
        "q closes the menu, it does not quit"
    );
}

// --- Global behaviour --------------------------------------------------------

#[test]
fn ctrl_c_quits_from_anywhere() {
    let setups: &[&[Key]] = &[
        &[],
        &[Char('/')],
        &[Char('n')],
        &[Char('n'), Ctrl('o')],
        &[Char('e')],
        &[Char('d')],
        &[Enter],
        &[Char('?')],
    ];
    for keys in setups {
        let mut app = app();
        press(&mut app, keys);
        assert_eq!(press(&mut app, &[Ctrl('c')]), [Command::Quit], "{keys:?}");
    }
}

#[test]
fn q_quits_only_from_the_list() {
    let mut app = app();
    assert!(!press(&mut app, &[Char('n'), Char('q')]).contains(&Command::Quit));
    press(&mut app, &[Esc]);
    assert_eq!(press(&mut app, &[Char('q')]), [Command::Quit]);
}

#[test]
fn help_shows_the_screen_it_was_opened_from() {
    let mut app = app();
    press(&mut app, &[Char('?')]);
    assert_eq!(
        app.overlay,
        Some(Overlay::Help {
            screen: Screen::Main,
            scroll: 0
        })
    );
    press(&mut app, &[Char('?')]);
    assert!(app.overlay.is_none());
    press(&mut app, &[Char('d'), Char('?')]);
    assert_eq!(
        app.overlay,
        Some(Overlay::Help {
            screen: Screen::Delete,
            scroll: 0
        })
    );
    // Keys go to the overlay, not to the dialog under it.
    press(&mut app, &[Char('y')]);
    assert!(matches!(app.dialog, Some(Dialog::Delete(_))));
}

#[test]
fn a_too_small_terminal_ignores_keys_except_ctrl_c() {
    let mut app = app();
    update(&mut app, Event::Resize { width: 30, height: 8 });
    assert!(
        press(&mut app, &[Char('n'), Char('d'), Char('q')]).is_empty(),
        "no command, Quit included"
    );
    assert!(app.dialog.is_none());
    update(&mut app, Event::Paste("abc".into()));
    assert!(!app.filtering);
    assert_eq!(press(&mut app, &[Ctrl('c')]), [Command::Quit]);
}

#[test]
fn ticks_expire_status_and_recount_clean_up_candidates() {
    let mut app = app();
    assert_eq!((app.unused_count, app.idle_count), (1, 1));
    press(&mut app, &[Char('s')]);
    assert!(app.status.is_some());
    for s in 1..=8 {
        update(
            &mut app,
            Event::Tick {
                now: NOW + time::Duration::seconds(s),
            },
        );
    }
    assert!(app.status.is_none());
    // A week later test-key is unused for over 7 days too.
    update(
        &mut app,
        Event::Tick {
            now: NOW + time::Duration::days(7),
        },
    );
    assert_eq!((app.unused_count, app.idle_count), (2, 1));
}

#[test]
fn load_failures_are_reported() {
    let mut app = app();
    update(&mut app, Event::LoadFailed("the database is busy".into()));
    let status = app.status.as_ref().unwrap();
    assert_eq!(status.kind, StatusKind::Error);
    assert!(status.text.contains("the database is busy"));
    assert_eq!(app.view().len(), 5, "the last good listing stays");
}

#[test]
fn while_the_keys_cannot_be_read_the_list_is_read_only_until_a_read_works() {
    let mut app = app();
    update(&mut app, Event::LoadFailed("cannot reach the PostgreSQL server".into()));
    assert!(app.unreachable);
    for key in ['n', 'e', 'd', 't', 'r', 'x'] {
        assert!(press(&mut app, &[Char(key)]).is_empty(), "{key} asked for a change");
        assert!(app.dialog.is_none(), "{key} opened a dialog while unreachable");
    }
    press(&mut app, &[Enter]);
    assert!(app.dialog.is_none(), "the actions menu stays closed");
    assert!(app.status.as_ref().unwrap().text.contains("read-only"));
    let selected = app.selected;
    press(&mut app, &[Down]);
    assert_eq!(app.selected, selected + 1, "moving still works");

    let records = app.records.clone();
    update(
        &mut app,
        Event::Loaded {
            change_counter: 9,
            records,
        },
    );
    assert!(!app.unreachable);
    press(&mut app, &[Char('n')]);
    assert!(matches!(app.dialog, Some(Dialog::Create(_))));
}

#[test]
fn notices_from_the_copy_handler_reach_the_status_bar() {
    let mut app = app();
    update(&mut app, Event::Notice("clipboard cleared".into()));
    let status = app.status.as_ref().unwrap();
    assert_eq!(
        (status.text.as_str(), status.kind),
        ("clipboard cleared", StatusKind::Info)
    );
}

#[test]
fn a_name_another_key_has_is_renamed_to_only_on_a_second_enter() {
    // As `keydesk rename` without --allow-duplicate-name (and as creating:
    // a_name_another_key_has_is_created_only_on_a_second_enter).
    let mut app = super::testing::app();
    press(&mut app, &[Char('e'), Ctrl('u')]);
    type_text(&mut app, "staging");
    assert!(press(&mut app, &[Enter]).is_empty(), "a duplicate needs confirming");
    let Some(Dialog::Rename(dialog)) = &app.dialog else {
        panic!("the rename dialog stays open: {:?}", app.dialog);
    };
    let error = dialog.error.clone().expect("the refusal says why");
    assert!(error.contains("staging") && error.contains("Enter again"), "{error}");
    assert_eq!(
        press(&mut app, &[Enter]),
        [Command::Store(Job::Rename {
            id: id(4),
            name: KeyName::parse("staging").unwrap()
        })]
    );
}

#[test]
fn c_on_the_list_copies_the_selected_id_as_the_menu_does() {
    let mut app = app();
    let selected = app.selected_record().unwrap().id.to_string();
    assert_eq!(press(&mut app, &[Char('c')]), [Command::CopyText(selected)]);
    assert!(app.dialog.is_none());
    // With nothing selected, nothing to copy.
    let mut empty = app_with(Vec::new());
    assert!(press(&mut empty, &[Char('c')]).is_empty());
}

#[test]
fn g_and_capital_g_jump_to_the_ends_of_the_help_as_j_and_k_scroll_it() {
    let mut app = app();
    app.terminal_size = (80, 15);
    press(&mut app, &[Char('?')]);
    let (max, _) = super::layout::help_scroll_limits(app.terminal_size, Screen::Main);
    assert!(max > 0, "the help must scroll at 80×15 for this test");
    let scroll = |app: &super::app::App| match app.overlay {
        Some(Overlay::Help { scroll, .. }) => scroll,
        ref other => panic!("help is not open: {other:?}"),
    };
    press(&mut app, &[Char('G')]);
    assert_eq!(scroll(&app), max);
    press(&mut app, &[Char('k')]);
    assert_eq!(scroll(&app), max - 1);
    press(&mut app, &[Char('g')]);
    assert_eq!(scroll(&app), 0);
}

#[test]
fn a_name_another_key_has_is_created_only_on_a_second_enter() {
    let mut app = app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "staging");
    press(&mut app, &[Tab, Char(' ')]);
    // As `keydesk create` without --allow-duplicate-name: refused, saying how.
    assert!(press(&mut app, &[Enter]).is_empty(), "a duplicate needs confirming");
    let error = create_dialog(&app).error.clone().expect("the refusal says why");
    assert!(error.contains("staging") && error.contains("Enter again"), "{error}");
    // A different name is judged afresh: unique, it is created at once.
    press(&mut app, &[BackTab]);
    type_text(&mut app, "2");
    assert_eq!(press(&mut app, &[Enter]).len(), 1, "staging2 is unique");
    // Back to the duplicate: the earlier confirmation was for another name.
    let mut app = crate::tui::testing::app();
    press(&mut app, &[Char('n')]);
    type_text(&mut app, "staging");
    press(&mut app, &[Tab, Char(' ')]);
    assert!(press(&mut app, &[Enter]).is_empty());
    assert_eq!(
        press(&mut app, &[Enter]),
        [Command::Store(Job::Create {
            name: KeyName::parse("staging").unwrap(),
            expires_at: None
        })]
    );
}
