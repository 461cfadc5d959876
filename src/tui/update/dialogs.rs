//! The dialogs: the actions menu, create, the new key's secret, rename and
//! delete. Each gets the actions of its own screen.

use super::edit_input;
use crate::domain::KeyRecord;
use crate::tui::app::{
    App, CreateFocus, DeleteDialog, DeleteFocus, Dialog, MenuItem, Overlay, RenameDialog, StatusKind,
};
use crate::tui::event::Command;
use crate::tui::keymap::{self, Action, Screen};

pub(super) fn rename_dialog(record: KeyRecord) -> Dialog {
    Dialog::Rename(RenameDialog::new(record))
}

pub(super) fn delete_dialog(record: KeyRecord) -> Dialog {
    Dialog::Delete(DeleteDialog {
        record,
        focus: DeleteFocus::Cancel,
    })
}

pub(super) fn actions_menu_action(app: &mut App, action: Action) -> Vec<Command> {
    let Some(Dialog::Actions(menu)) = &mut app.dialog else {
        return Vec::new();
    };
    let count = MenuItem::ALL.len();
    let item = match action {
        Action::MoveUp => {
            menu.selected = (menu.selected + count - 1) % count;
            return Vec::new();
        }
        Action::MoveDown => {
            menu.selected = (menu.selected + 1) % count;
            return Vec::new();
        }
        Action::Cancel => {
            app.dialog = None;
            return Vec::new();
        }
        Action::Activate => MenuItem::ALL[menu.selected],
        _ => match MenuItem::ALL.into_iter().find(|item| item.action() == action) {
            Some(item) => item,
            None => return Vec::new(),
        },
    };
    let record = menu.record.clone();
    match item {
        MenuItem::EditName => {
            app.dialog = Some(rename_dialog(record));
            Vec::new()
        }
        MenuItem::Delete => {
            app.dialog = Some(delete_dialog(record));
            Vec::new()
        }
        MenuItem::CopyId => {
            app.dialog = None;
            vec![Command::CopyText(record.id.to_string())]
        }
    }
}

pub(super) fn create_action(app: &mut App, action: Action) -> Vec<Command> {
    if edit_input(app, action) {
        return Vec::new();
    }
    let Some(Dialog::Create(d)) = &mut app.dialog else {
        return Vec::new();
    };
    match action {
        Action::FocusNext => d.focus = d.focus.next(),
        Action::FocusPrev => d.focus = d.focus.prev(),
        // Left/Right move between the buttons when one has focus.
        Action::CursorLeft if d.focus == CreateFocus::Cancel => d.focus = CreateFocus::Ok,
        Action::CursorRight if d.focus == CreateFocus::Ok => d.focus = CreateFocus::Cancel,
        Action::Toggle => match d.focus {
            CreateFocus::Agreement => {
                d.agreed = !d.agreed;
                d.error = None;
            }
            CreateFocus::Ok => return submit_create(app),
            CreateFocus::Cancel => app.dialog = None,
            CreateFocus::Name => {}
        },
        Action::Activate => match d.focus {
            CreateFocus::Name | CreateFocus::Agreement | CreateFocus::Ok => {
                return submit_create(app);
            }
            CreateFocus::Cancel => app.dialog = None,
        },
        Action::Cancel => app.dialog = None,
        Action::ReadAgreement => app.overlay = Some(Overlay::Agreement { scroll: 0 }),
        _ => {}
    }
    Vec::new()
}

fn submit_create(app: &mut App) -> Vec<Command> {
    let Some(Dialog::Create(d)) = &mut app.dialog else {
        return Vec::new();
    };
    d.name.touched = true;
    match d.validation() {
        Err(_) => {
            // The reason is on the validation line under the name.
            d.error = Some("Can't create yet: fix the name first (see above)".to_owned());
            d.focus = CreateFocus::Name;
            Vec::new()
        }
        Ok(_) if !d.agreed => {
            let toggle = keymap::key_name(Screen::Create, Action::Toggle);
            d.error = Some(format!("Tick the agreement box first ({toggle} toggles it)"));
            d.focus = CreateFocus::Agreement;
            Vec::new()
        }
        Ok(name) => {
            d.error = None;
            vec![Command::CreateKey { name }]
        }
    }
}

pub(super) fn secret_action(app: &mut App, action: Action) -> Vec<Command> {
    let Some(Dialog::Secret(d)) = &mut app.dialog else {
        return Vec::new();
    };
    match action {
        Action::Copy => return vec![Command::CopySecret],
        Action::Close if d.copied() => return close_secret(app),
        Action::Close => d.confirm_close = true,
        Action::Yes => return close_secret(app),
        Action::No => d.confirm_close = false,
        _ => {}
    }
    Vec::new()
}

fn close_secret(app: &mut App) -> Vec<Command> {
    // Dropping the dialog drops the SecretKey, which zeroises it.
    let copied = matches!(&app.dialog, Some(Dialog::Secret(d)) if d.copied());
    app.dialog = None;
    if copied {
        // The copy's message belongs to the dialog (the countdown to the
        // clear stays on the right of the status bar).
        app.status = None;
    } else {
        app.set_status(
            StatusKind::Info,
            "key closed without copying — it cannot be shown again",
        );
    }
    vec![Command::ClearScreen]
}

pub(super) fn rename_action(app: &mut App, action: Action) -> Vec<Command> {
    if edit_input(app, action) {
        return Vec::new();
    }
    let Some(Dialog::Rename(d)) = &mut app.dialog else {
        return Vec::new();
    };
    match action {
        Action::Cancel => app.dialog = None,
        Action::Activate => match d.validation() {
            Err(_) => d.error = Some("Can't save yet: fix the name first (see above)".to_owned()),
            Ok(name) if d.name.is_unchanged(&name) => {
                app.dialog = None;
                app.set_status(StatusKind::Info, "name unchanged");
            }
            Ok(name) => {
                return vec![Command::Rename {
                    id: d.record.id.clone(),
                    name,
                }];
            }
        },
        _ => {}
    }
    Vec::new()
}

pub(super) fn delete_action(app: &mut App, action: Action) -> Vec<Command> {
    let Some(Dialog::Delete(d)) = &mut app.dialog else {
        return Vec::new();
    };
    let delete = |d: &DeleteDialog| {
        vec![Command::Delete {
            id: d.record.id.clone(),
        }]
    };
    match action {
        Action::Yes => return delete(d),
        Action::No => app.dialog = None,
        Action::FocusNext => {
            d.focus = match d.focus {
                DeleteFocus::Cancel => DeleteFocus::Delete,
                DeleteFocus::Delete => DeleteFocus::Cancel,
            }
        }
        Action::Activate => match d.focus {
            DeleteFocus::Cancel => app.dialog = None,
            DeleteFocus::Delete => return delete(d),
        },
        _ => {}
    }
    Vec::new()
}
