//! The policy dialog (`p`, or the actions menu): moving between the rule
//! fields, saving through the storage worker, and what saving answered.
//! Typing is handled by the shared text-editing keys (`super::edit_input`).

use super::{edit_input, lifecycle};
use crate::domain::KeyRecord;
use crate::tui::app::{App, Dialog, PolicyDialog, PolicyFocus, StatusKind};
use crate::tui::event::{Command, Job};
use crate::tui::keymap::Action;

/// Opens the dialog on `record`, unless its state refuses new rules.
pub(super) fn open(app: &mut App, record: KeyRecord) -> Vec<Command> {
    if !lifecycle::refused(app, &record, Action::EditPolicy) {
        app.dialog = Some(Dialog::Policy(PolicyDialog::new(record)));
    }
    Vec::new()
}

pub(super) fn on_action(app: &mut App, action: Action) -> Vec<Command> {
    if edit_input(app, action) {
        return Vec::new();
    }
    let Some(Dialog::Policy(d)) = &mut app.dialog else {
        return Vec::new();
    };
    match action {
        Action::FocusNext => d.focus = d.focus.step(1),
        Action::FocusPrev => d.focus = d.focus.step(-1),
        Action::Cancel => app.dialog = None,
        Action::Activate if d.focus == PolicyFocus::Cancel => app.dialog = None,
        Action::Activate => return save(app),
        _ => {}
    }
    Vec::new()
}

/// Saves the fields' policy; a field that cannot be read takes the focus and
/// the dialog says what is wrong with it instead.
fn save(app: &mut App) -> Vec<Command> {
    let Some(Dialog::Policy(d)) = &mut app.dialog else {
        return Vec::new();
    };
    match d.policy() {
        Err((at, error)) => {
            d.focus = PolicyFocus::Field(at);
            d.error = Some(tr!(
                "dialog-policy-fix",
                error = crate::i18n::words::Worded::worded(&error)
            ));
            Vec::new()
        }
        Ok(policy) if policy == d.record.policy => {
            let name = d.record.name.clone();
            app.dialog = None;
            app.set_status(StatusKind::Info, tr!("dialog-policy-unchanged", name = name));
            Vec::new()
        }
        Ok(policy) => {
            d.error = None;
            vec![Command::Store(Job::SetPolicy {
                id: d.record.id.clone(),
                policy,
            })]
        }
    }
}

/// What saving answered. A failure keeps the dialog open with what was
/// typed, and says why: nothing typed is lost to a busy database.
pub(super) fn on_saved(app: &mut App, result: Result<KeyRecord, String>) -> Vec<Command> {
    match result {
        Err(message) => {
            let text = tr!("dialog-could-not-set-policy", message = message);
            match &mut app.dialog {
                Some(Dialog::Policy(d)) => d.error = Some(text),
                _ => app.set_status(StatusKind::Error, text),
            }
        }
        Ok(record) => {
            if matches!(&app.dialog, Some(Dialog::Policy(d)) if d.record.id == record.id) {
                app.dialog = None;
            }
            let name = record.name.as_str();
            let text = match record.policy.rules().count() {
                0 => tr!("dialog-policy-saved-none", name = name),
                count => tr!("dialog-policy-saved", name = name, count = count),
            };
            app.set_status(StatusKind::Success, text);
        }
    }
    vec![Command::Store(Job::Refresh)]
}
