//! The audit log screen: opening it (every key's, or one key's history),
//! moving, filtering as you type, and asking the worker for the next page
//! of the search whenever the screen needs more rows.

use super::super::app::{App, LogScreen};
use super::super::event::{Command, Job};
use super::super::keymap::Action;
use super::super::layout;
use super::super::log_search::LogPage;
use super::edit_input;
use crate::domain::KeyRecord;

/// Opens the log, of every key or of `record`'s; the worker reads it.
pub(super) fn open(app: &mut App, record: Option<&KeyRecord>) -> Vec<Command> {
    let key = record.map(|r| (r.id.clone(), r.name.clone()));
    app.log = Some(LogScreen::new(key));
    more_wanted(app)
}

/// A page from the worker; a screen closed meanwhile has no use for it.
pub(super) fn on_page(app: &mut App, search: u64, page: Result<LogPage, String>) -> Vec<Command> {
    if let Some(log) = &mut app.log {
        log.on_page(search, page);
    }
    Vec::new()
}

/// After every event: the next page of the log screen's search, when the
/// rows loaded do not reach two pages past the selection (so paging on
/// seldom waits) and none is on its way.
pub(super) fn more_wanted(app: &mut App) -> Vec<Command> {
    let ahead = 2 * layout::log_entries_per_page(app.terminal_size);
    let request = app.log.as_mut().and_then(|log| log.wanted(ahead));
    request
        .map(|request| Command::Store(Job::LogPage(request)))
        .into_iter()
        .collect()
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
        // The oldest row loaded: the next page loads from there.
        Action::Bottom => log.move_by(isize::MAX / 2),
        Action::StartFilter => log.filtering = true,
        Action::ApplyFilter => log.filtering = false,
        Action::ClearFilter => {
            log.filtering = false;
            log.filter = Default::default();
            log.filter_changed();
        }
        Action::Activate => log.opened = log.entry(log.selected).is_some(),
        Action::Close if log.opened => log.opened = false,
        Action::Close => app.log = None,
        _ => {}
    }
    Vec::new()
}
