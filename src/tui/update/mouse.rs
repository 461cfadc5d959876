//! Clicks and the wheel. Each does what a key already does, through the
//! same handlers, so the mouse can never do something the keyboard cannot
//! (or do it differently).

use super::{dialogs, list, on_key};
use crate::tui::app::{App, CreateFocus, Dialog, ExpiryFocus, PolicyFocus};
use crate::tui::event::{Command, Key};
use crate::tui::keymap::{self, Action, Screen};
use crate::tui::layout;
use crate::tui::mouse::{Mouse, MouseKind, Target, WHEEL_ROWS};

pub(super) fn on_mouse(app: &mut App, mouse: Mouse) -> Vec<Command> {
    if layout::too_small(app.terminal_size) {
        return Vec::new();
    }
    match mouse.kind {
        MouseKind::WheelUp => wheel(app, Key::Up),
        MouseKind::WheelDown => wheel(app, Key::Down),
        MouseKind::Click => match mouse.target {
            Some(target) => click(app, target),
            None => Vec::new(),
        },
    }
}

/// The wheel moves like the arrow keys, a few rows a notch, on the screens
/// that are lists; in a dialog it would move the focus, which nobody means.
fn wheel(app: &mut App, key: Key) -> Vec<Command> {
    let scrolls = matches!(
        app.screen(),
        Screen::Main
            | Screen::Filter
            | Screen::Log
            | Screen::LogFilter
            | Screen::Cleanup
            | Screen::Help
            | Screen::Agreement
    );
    if !scrolls {
        return Vec::new();
    }
    (0..WHEEL_ROWS).flat_map(|_| on_key(app, key)).collect()
}

fn click(app: &mut App, target: Target) -> Vec<Command> {
    let on_list = matches!(app.screen(), Screen::Main | Screen::Filter);
    match target {
        Target::Row(row) if on_list => app.select_row(row),
        Target::RowActions(row) if on_list => {
            app.select_row(row);
            return list::on_action(app, Action::OpenActions);
        }
        Target::Header(sort) if on_list => {
            match app.sort == sort {
                true => app.set_sort(sort, !app.descending),
                false => app.set_sort(sort, sort.natural_descending()),
            }
            list::announce_sort(app);
        }
        Target::MenuItem(item) => {
            if let Some(Dialog::Actions(menu)) = &mut app.dialog {
                menu.selected = item;
                return dialogs::actions_menu_action(app, Action::Activate);
            }
        }
        // A click focuses the part, then does what Enter (a button) or
        // Space (the agreement box) does there.
        Target::CreateField(field) => {
            if let Some(Dialog::Create(d)) = &mut app.dialog {
                d.focus = field;
                return match field {
                    CreateFocus::Ok | CreateFocus::Cancel => dialogs::create_action(app, Action::Activate),
                    CreateFocus::Agreement => dialogs::create_action(app, Action::Toggle),
                    _ => Vec::new(),
                };
            }
        }
        Target::CleanupRow(row) if app.screen() == Screen::Cleanup => {
            if let Some(cleanup) = &mut app.cleanup
                && let Some(id) = cleanup.rows.get(row).cloned()
            {
                cleanup.selected = row;
                if !cleanup.marked.remove(&id) {
                    cleanup.marked.insert(id);
                }
            }
        }
        Target::DeleteButton(button) => {
            if let Some(Dialog::Delete(d)) = &mut app.dialog {
                d.focus = button;
                return dialogs::delete_action(app, Action::Activate);
            }
        }
        Target::Press(action) => return press(app, action),
        Target::Grace(choice) => {
            if let Some(Dialog::Rotate(d)) = &mut app.dialog
                && !d.confirm
            {
                d.grace = choice;
            }
        }
        // The field takes focus first, so the arrow moves the choice rather
        // than a text cursor.
        Target::ExpiryStep(action) => {
            match &mut app.dialog {
                Some(Dialog::Create(d)) => d.focus = CreateFocus::Expiry,
                Some(Dialog::Expiry(d)) => d.focus = ExpiryFocus::Choice,
                _ => return Vec::new(),
            }
            return press(app, action);
        }
        // A field takes the focus; a button does what Enter does on it.
        Target::PolicyField(focus) => {
            if let Some(Dialog::Policy(d)) = &mut app.dialog {
                d.focus = focus;
                if matches!(focus, PolicyFocus::Save | PolicyFocus::Cancel) {
                    return super::policy::on_action(app, Action::Activate);
                }
            }
        }
        Target::ExpiryDate => match &mut app.dialog {
            Some(Dialog::Create(d)) => d.focus = CreateFocus::Date,
            Some(Dialog::Expiry(d)) => d.focus = ExpiryFocus::Date,
            _ => {}
        },
        _ => {}
    }
    Vec::new()
}

/// What the first key bound to `action` on the current screen does.
fn press(app: &mut App, action: Action) -> Vec<Command> {
    match keymap::keys_for(app.screen(), action) {
        Some([key, ..]) => on_key(app, *key),
        _ => Vec::new(),
    }
}
