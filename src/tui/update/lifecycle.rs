//! The key lifecycle: disable/enable, rotate (with its grace dialog and the
//! question before it ends a running grace), set expiry, and their outcomes.

use super::edit_input;
use crate::display::{format_instant, offset_label};
use crate::domain::{KeyRecord, SecretKey};
use crate::tui::app::{App, Dialog, DisableDialog, ExpiryDialog, ExpiryFocus, RotateDialog, SecretDialog, StatusKind};
use crate::tui::event::{Change, Command, Job};
use crate::tui::keymap::{self, Action, Screen};
use crate::tui::lifecycle_fields::GRACES;

/// Refuses `action` on `record` when the key's state does not allow it
/// (see [`keymap::allowed`]), saying why once; true if it did.
pub(super) fn refused(app: &mut App, record: &KeyRecord, action: Action) -> bool {
    if keymap::allowed(action, record.status(app.now)) {
        return false;
    }
    let name = record.name.as_str();
    let text = match action {
        Action::Rotate => tr!("dialog-expired-cannot-rotate", name = name),
        Action::SetExpiry => tr!("dialog-expired-cannot-set-expiry", name = name),
        Action::EditPolicy => tr!("dialog-expired-cannot-set-policy", name = name),
        _ if record.disabled_at.is_some() => tr!("dialog-expired-cannot-enable", name = name),
        _ => tr!("dialog-expired-cannot-disable", name = name),
    };
    app.set_status(StatusKind::Error, text);
    true
}

/// Disables an enabled key, enables a disabled one. Enabling never asks;
/// disabling asks first when the key was used lately (it stops every
/// application using it). An expired key is refused before this.
pub(super) fn toggle_disabled(app: &mut App, record: &KeyRecord) -> Vec<Command> {
    if refused(app, record, Action::ToggleDisabled) {
        return Vec::new();
    }
    let id = record.id.clone();
    if record.disabled_at.is_some() {
        return vec![Command::Store(Job::Enable(id))];
    }
    match DisableDialog::ask(record, app.now) {
        Some(question) => {
            app.dialog = Some(Dialog::Disable(question));
            Vec::new()
        }
        None => vec![Command::Store(Job::Disable(id))],
    }
}

/// The answer to "used 2m ago — disable it?": `y` disables, anything bound
/// to No (`n`, Esc, Enter) keeps the key working.
pub(super) fn disable_action(app: &mut App, action: Action) -> Vec<Command> {
    let Some(Dialog::Disable(d)) = &app.dialog else {
        return Vec::new();
    };
    let id = d.record.id.clone();
    match action {
        Action::Yes => {
            app.dialog = None;
            vec![Command::Store(Job::Disable(id))]
        }
        Action::No => {
            app.dialog = None;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

pub(super) fn open_rotate(app: &mut App, record: KeyRecord) -> Vec<Command> {
    if !refused(app, &record, Action::Rotate) {
        app.dialog = Some(Dialog::Rotate(RotateDialog::new(record)));
    }
    Vec::new()
}

pub(super) fn open_expiry(app: &mut App, record: KeyRecord) -> Vec<Command> {
    if !refused(app, &record, Action::SetExpiry) {
        app.dialog = Some(Dialog::Expiry(ExpiryDialog::new(record)));
    }
    Vec::new()
}

pub(super) fn rotate_action(app: &mut App, action: Action) -> Vec<Command> {
    let now = app.now;
    let Some(Dialog::Rotate(d)) = &mut app.dialog else {
        return Vec::new();
    };
    match action {
        Action::ChoosePrev => d.grace = d.grace.saturating_sub(1),
        Action::ChooseNext => d.grace = (d.grace + 1).min(GRACES.len() - 1),
        Action::Cancel | Action::No if !d.confirm => app.dialog = None,
        Action::No => d.confirm = false,
        // Rotating again ends the running grace of the older secret: ask.
        Action::Activate if d.record.grace_running(now).is_some() => d.confirm = true,
        Action::Activate | Action::Yes => {
            return vec![Command::Store(Job::Rotate {
                id: d.record.id.clone(),
                grace: GRACES[d.grace].1,
            })];
        }
        _ => {}
    }
    Vec::new()
}

pub(super) fn expiry_action(app: &mut App, action: Action) -> Vec<Command> {
    if edit_input(app, action) {
        return Vec::new();
    }
    let (now, offset) = (app.now, app.utc_offset);
    let Some(Dialog::Expiry(d)) = &mut app.dialog else {
        return Vec::new();
    };
    match action {
        Action::CursorLeft | Action::CursorRight => {
            d.field.step(if action == Action::CursorLeft { -1 } else { 1 });
            d.error = None;
        }
        Action::FocusNext | Action::FocusPrev if d.field.wants_date() => {
            d.focus = match d.focus {
                ExpiryFocus::Choice => ExpiryFocus::Date,
                ExpiryFocus::Date => ExpiryFocus::Choice,
            }
        }
        Action::Cancel => app.dialog = None,
        Action::Activate => match d.field.resolve(now, offset) {
            Ok(expires_at) => {
                return vec![Command::Store(Job::SetExpiry {
                    id: d.record.id.clone(),
                    expires_at,
                })];
            }
            Err(reason) => {
                d.error = Some(tr!("dialog-save-not-yet", reason = reason));
                d.focus = ExpiryFocus::Date;
            }
        },
        _ => {}
    }
    Vec::new()
}

pub(super) fn on_changed(app: &mut App, change: Change, result: Result<KeyRecord, String>) -> Vec<Command> {
    let record = match result {
        Ok(record) => record,
        Err(message) => {
            let text = match change {
                Change::Disabled => tr!("dialog-could-not-disable", message = message),
                Change::Enabled => tr!("dialog-could-not-enable", message = message),
                Change::ExpirySet => tr!("dialog-could-not-set-expiry", message = message),
                Change::PolicySet => unreachable!("update sends it to policy::on_saved"),
            };
            app.dialog = None;
            app.set_status(StatusKind::Error, text);
            return vec![Command::Store(Job::Refresh)];
        }
    };
    app.dialog = None;
    let name = record.name.as_str();
    let text = match change {
        Change::Disabled => tr!(
            "dialog-disabled",
            name = name,
            key = keymap::key_name(Screen::Main, Action::ToggleDisabled)
        ),
        Change::Enabled => tr!("dialog-enabled", name = name),
        Change::ExpirySet => match record.expires_at {
            Some(at) => tr!(
                "dialog-now-expires",
                name = name,
                at = format_instant(at, app.utc_offset),
                offset = offset_label(app.utc_offset)
            ),
            None => tr!("dialog-now-never-expires", name = name),
        },
        Change::PolicySet => unreachable!("update sends it to policy::on_saved"),
    };
    app.set_status(StatusKind::Success, text);
    vec![Command::Store(Job::Refresh)]
}

pub(super) fn on_rotated(app: &mut App, result: Result<(SecretKey, KeyRecord), String>) -> Vec<Command> {
    match result {
        Ok((secret, record)) => {
            app.pending_select = Some(record.id.clone());
            app.set_status(StatusKind::Success, tr!("dialog-rotated", name = record.name.as_str()));
            app.dialog = Some(Dialog::Secret(SecretDialog::rotated(secret, record)));
        }
        Err(message) => {
            app.dialog = None;
            app.set_status(StatusKind::Error, tr!("dialog-could-not-rotate", message = message));
        }
    }
    vec![Command::Store(Job::Refresh)]
}
