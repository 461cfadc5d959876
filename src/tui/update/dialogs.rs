//! The dialogs: the actions menu, create, the new key's secret, rename and
//! delete. Each gets the actions of its own screen.

use super::edit_input;
use super::lifecycle;
use crate::domain::KeyRecord;
use crate::tui::app::{
    App, CreateFocus, DeleteDialog, DeleteFocus, Dialog, MenuItem, Overlay, RenameDialog, StatusKind,
};
use crate::tui::event::{Command, Job};
use crate::tui::keymap::{self, Action, Screen};
use crate::tui::name_field::Feedback;

pub(super) fn rename_dialog(record: KeyRecord) -> Dialog {
    Dialog::Rename(RenameDialog::new(record))
}

pub(super) fn delete_dialog(record: KeyRecord, now: time::OffsetDateTime) -> Dialog {
    Dialog::Delete(DeleteDialog {
        expired: record.is_expired(now),
        record,
        focus: DeleteFocus::Cancel,
    })
}

pub(super) fn actions_menu_action(app: &mut App, action: Action) -> Vec<Command> {
    let Some(Dialog::Actions(menu)) = &mut app.dialog else {
        return Vec::new();
    };
    let count = menu.items.len().max(1);
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
        Action::Activate => match menu.items.get(menu.selected) {
            Some(&item) => item,
            None => return Vec::new(),
        },
        _ => match MenuItem::ALL.into_iter().find(|item| item.action() == action) {
            Some(item) => item,
            None => return Vec::new(),
        },
    };
    let record = menu.record.clone();
    if lifecycle::refused(app, &record, item.action()) {
        // A shortcut to an item the key's state left out of the menu.
        app.dialog = None;
        return Vec::new();
    }
    match item {
        MenuItem::EditName => {
            app.dialog = Some(rename_dialog(record));
            Vec::new()
        }
        MenuItem::ToggleDisabled => {
            app.dialog = None;
            lifecycle::toggle_disabled(app, &record)
        }
        MenuItem::Rotate => {
            app.dialog = None;
            lifecycle::open_rotate(app, record)
        }
        MenuItem::SetExpiry => {
            app.dialog = None;
            lifecycle::open_expiry(app, record)
        }
        MenuItem::Policy => {
            app.dialog = None;
            super::policy::open(app, record)
        }
        MenuItem::Delete => {
            app.dialog = Some(delete_dialog(record, app.now));
            Vec::new()
        }
        MenuItem::CopyId => {
            app.dialog = None;
            vec![Command::CopyText(record.id.to_string())]
        }
        MenuItem::History => {
            app.dialog = None;
            super::log::open(app, Some(&record))
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
    let date = d.expiry.wants_date();
    match action {
        Action::FocusNext => d.focus = d.focus.next(date),
        Action::FocusPrev => d.focus = d.focus.prev(date),
        // ←/→ (and Space) change the expiry when it has focus.
        Action::CursorLeft | Action::CursorRight | Action::Toggle if d.focus == CreateFocus::Expiry => {
            d.expiry.step(if action == Action::CursorLeft { -1 } else { 1 });
            d.error = None;
        }
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
            CreateFocus::Name | CreateFocus::Expiry | CreateFocus::Date => {}
        },
        Action::Activate => match d.focus {
            CreateFocus::Cancel => app.dialog = None,
            _ => return submit_create(app),
        },
        Action::Cancel => app.dialog = None,
        Action::ReadAgreement => app.overlay = Some(Overlay::Agreement { scroll: 0 }),
        _ => {}
    }
    Vec::new()
}

fn submit_create(app: &mut App) -> Vec<Command> {
    let (now, offset) = (app.now, app.utc_offset);
    let Some(Dialog::Create(d)) = &mut app.dialog else {
        return Vec::new();
    };
    d.name.touched = true;
    let expires_at = match d.expiry.resolve(now, offset) {
        Ok(at) => at,
        Err(reason) => {
            d.error = Some(tr!("dialog-create-not-yet", reason = reason));
            d.focus = CreateFocus::Date;
            return Vec::new();
        }
    };
    match d.validation() {
        Err(_) => {
            // The reason is on the validation line under the name.
            d.error = Some(tr!("dialog-create-fix-name"));
            d.focus = CreateFocus::Name;
            Vec::new()
        }
        Ok(_) if !d.agreed => {
            let toggle = keymap::key_name(Screen::Create, Action::Toggle);
            d.error = Some(tr!("dialog-create-tick-agreement", key = toggle));
            d.focus = CreateFocus::Agreement;
            Vec::new()
        }
        Ok(name) => {
            if let Feedback::Duplicate(shared) = d.name.feedback(app.records.iter())
                && d.duplicate_warned.as_deref() != Some(shared.as_str())
            {
                let again = keymap::key_name(Screen::Create, Action::Activate);
                d.error = Some(tr!(
                    "dialog-create-duplicate-again",
                    name = shared.as_str(),
                    key = again
                ));
                d.duplicate_warned = Some(shared);
                return Vec::new();
            }
            d.error = None;
            vec![Command::Store(Job::Create { name, expires_at })]
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
        app.set_status(StatusKind::Info, tr!("dialog-secret-closed-uncopied"));
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
            Err(_) => d.error = Some(tr!("dialog-rename-fix-name")),
            Ok(name) if d.name.is_unchanged(&name) => {
                app.dialog = None;
                app.set_status(StatusKind::Info, tr!("dialog-rename-unchanged"));
            }
            Ok(name) => {
                if let Feedback::Duplicate(shared) = d.name.feedback(app.records.iter())
                    && d.duplicate_warned.as_deref() != Some(shared.as_str())
                {
                    let again = keymap::key_name(Screen::Rename, Action::Activate);
                    d.error = Some(tr!(
                        "dialog-rename-duplicate-again",
                        name = shared.as_str(),
                        key = again
                    ));
                    d.duplicate_warned = Some(shared);
                    return Vec::new();
                }
                return vec![Command::Store(Job::Rename {
                    id: d.record.id.clone(),
                    name,
                })];
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
    let delete = |d: &DeleteDialog| vec![Command::Store(Job::Delete(d.record.id.clone()))];
    let offers_disable = d.buttons().contains(&DeleteFocus::Disable);
    match action {
        Action::Yes => return delete(d),
        Action::No => app.dialog = None,
        Action::FocusNext => d.step(1),
        Action::FocusPrev => d.step(-1),
        Action::DisableInstead if offers_disable => return disable_instead(app),
        Action::Activate => match d.focus {
            DeleteFocus::Cancel => app.dialog = None,
            DeleteFocus::Disable => return disable_instead(app),
            DeleteFocus::Delete => return delete(d),
        },
        _ => {}
    }
    Vec::new()
}

/// The delete dialog's safer way out: the key stops verifying, and stays.
/// Not asked about again: the dialog already said what it stops, and
/// choosing it there is the considered answer.
fn disable_instead(app: &mut App) -> Vec<Command> {
    let Some(Dialog::Delete(d)) = app.dialog.take() else {
        return Vec::new();
    };
    if lifecycle::refused(app, &d.record, Action::ToggleDisabled) {
        return Vec::new();
    }
    vec![Command::Store(Job::Disable(d.record.id.clone()))]
}
