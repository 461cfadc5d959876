//! The audit log screen: opening it (every key's, or one key's history),
//! moving, filtering as you type, and the entries the worker reads for it.

use super::super::app::{App, LogScreen, StatusKind};
use super::super::event::Command;
use super::super::keymap::Action;
use super::super::layout;
use super::edit_input;
use crate::domain::{AuditEntry, KeyRecord};

/// Opens the log, of every key or of `record`'s; the worker reads it.
pub(super) fn open(app: &mut App, record: Option<&KeyRecord>) -> Vec<Command> {
    let key = record.map(|r| (r.id.clone(), r.name.clone()));
    let id = key.as_ref().map(|(id, _)| id.clone());
    app.log = Some(LogScreen::new(key));
    vec![Command::LoadLog { key: id }]
}

pub(super) fn on_loaded(app: &mut App, entries: Result<Vec<AuditEntry>, String>) -> Vec<Command> {
    match &mut app.log {
        Some(log) => log.set_entries(entries),
        // Closed before the entries came: nothing to show them in.
        None => {
            if let Err(error) = entries {
                app.set_status(StatusKind::Error, format!("cannot read the audit log: {error}"));
            }
        }
    }
    Vec::new()
}

pub(super) fn on_action(app: &mut App, action: Action) -> Vec<Command> {
    if edit_input(app, action) {
        return Vec::new();
    }
    let page = layout::log_entries_per_page(app.terminal_size) as isize;
    let Some(log) = &mut app.log else {
        return Vec::new();
    };
    match action {
        Action::MoveUp => log.move_by(-1),
        Action::MoveDown => log.move_by(1),
        Action::PageUp => log.move_by(-page),
        Action::PageDown => log.move_by(page),
        Action::Top => log.move_by(isize::MIN / 2),
        Action::Bottom => log.move_by(isize::MAX / 2),
        Action::StartFilter => log.filtering = true,
        Action::ApplyFilter => log.filtering = false,
        Action::ClearFilter => {
            log.filtering = false;
            log.filter = Default::default();
            log.filter_changed();
        }
        Action::Close => app.log = None,
        _ => {}
    }
    Vec::new()
}
