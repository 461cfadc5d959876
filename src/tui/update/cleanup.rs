//! The clean-up view (`C`): keys unused for 30, 90 or 180 days, or never
//! used a week after they were made, or (`s`) keys by 30-day spend; marked with Space (`a` for all), then
//! disabled (asks y/n) or deleted (asks for the number of keys), all in one
//! transaction by the storage worker.

use super::super::app::{App, CLEANUP_DAYS, CleanupConfirm, CleanupScreen, StatusKind};
use super::super::event::{Bulk, Command, Job};
use super::super::keymap::{self, Action, Screen};
use super::super::layout;
use super::edit_input;
use crate::domain::KeyRecord;

pub(super) fn open(app: &mut App) -> Vec<Command> {
    app.cleanup = Some(CleanupScreen::new());
    app.refresh_cleanup();
    Vec::new()
}

pub(super) fn on_action(app: &mut App, action: Action) -> Vec<Command> {
    let page = layout::cleanup_rows_per_page(app.terminal_size) as isize;
    let Some(cleanup) = &mut app.cleanup else {
        return Vec::new();
    };
    match action {
        Action::MoveUp => cleanup.move_by(-1),
        Action::MoveDown => cleanup.move_by(1),
        Action::PageUp => cleanup.move_by(-page),
        Action::PageDown => cleanup.move_by(page),
        Action::Top => cleanup.move_by(isize::MIN / 2),
        Action::Bottom => cleanup.move_by(isize::MAX / 2),
        Action::Toggle => {
            if let Some(id) = cleanup.rows.get(cleanup.selected).cloned()
                && !cleanup.marked.remove(&id)
            {
                cleanup.marked.insert(id);
            }
            cleanup.move_by(1);
        }
        Action::MarkAll if cleanup.marked.len() == cleanup.rows.len() => cleanup.marked.clear(),
        Action::MarkAll => cleanup.marked = cleanup.rows.iter().cloned().collect(),
        Action::BySpend => {
            cleanup.by_spend = !cleanup.by_spend;
            // Marks made on one list are not carried to the other.
            cleanup.marked.clear();
            cleanup.rows.clear();
            cleanup.selected = 0;
            app.refresh_cleanup();
        }
        // The days choose among unused keys; by spend it is always 30 days.
        Action::ChoosePrev | Action::ChooseNext if cleanup.by_spend => {}
        Action::ChoosePrev | Action::ChooseNext => {
            let step: isize = if action == Action::ChooseNext { 1 } else { -1 };
            cleanup.days = cleanup.days.saturating_add_signed(step).min(CLEANUP_DAYS.len() - 1);
            app.refresh_cleanup();
        }
        Action::Activate | Action::DeleteKey if cleanup.marked.is_empty() => {
            app.set_status(StatusKind::Info, tr!("tui-status-none-marked"));
        }
        Action::Activate => cleanup.confirm = Some(CleanupConfirm::Disable),
        Action::DeleteKey => {
            cleanup.confirm = Some(CleanupConfirm::Delete {
                typed: Default::default(),
            })
        }
        Action::Close => app.cleanup = None,
        _ => {}
    }
    Vec::new()
}

/// The disable question: `y` disables every marked key in one transaction.
pub(super) fn disable_action(app: &mut App, action: Action) -> Vec<Command> {
    let Some(cleanup) = &mut app.cleanup else {
        return Vec::new();
    };
    cleanup.confirm = None;
    match action {
        Action::Yes => bulk(Bulk::Disable, cleanup),
        _ => Vec::new(),
    }
}

/// The delete question: the number of marked keys must be typed, then Enter.
pub(super) fn delete_action(app: &mut App, action: Action) -> Vec<Command> {
    if edit_input(app, action) {
        return Vec::new();
    }
    let Some(cleanup) = &mut app.cleanup else {
        return Vec::new();
    };
    let count = cleanup.marked.len();
    match (action, &cleanup.confirm) {
        (Action::Cancel, _) => cleanup.confirm = None,
        (Action::Activate, Some(CleanupConfirm::Delete { typed })) if typed.text().trim() == count.to_string() => {
            cleanup.confirm = None;
            return bulk(Bulk::Delete, cleanup);
        }
        (Action::Activate, _) => {
            let status = tr!("tui-status-type-count", count = count, number = count.to_string());
            app.set_status(StatusKind::Error, status);
        }
        _ => {}
    }
    Vec::new()
}

fn bulk(bulk: Bulk, cleanup: &mut CleanupScreen) -> Vec<Command> {
    let ids = cleanup.marked_ids();
    cleanup.marked.clear();
    vec![Command::Store(Job::Bulk { bulk, ids })]
}

pub(super) fn on_bulk(app: &mut App, bulk: Bulk, result: Result<Vec<KeyRecord>, String>) -> Vec<Command> {
    let status = match (bulk, result) {
        (Bulk::Disable, Ok(records)) => {
            let toggle = keymap::key_name(Screen::Main, Action::ToggleDisabled).into_owned();
            let done = tr!("tui-status-bulk-disabled", count = records.len(), key = toggle);
            (StatusKind::Success, done)
        }
        (Bulk::Delete, Ok(records)) => (
            StatusKind::Success,
            tr!("tui-status-bulk-deleted", count = records.len()),
        ),
        (Bulk::Disable, Err(error)) => (StatusKind::Error, tr!("tui-status-bulk-disable-failed", error = error)),
        (Bulk::Delete, Err(error)) => (StatusKind::Error, tr!("tui-status-bulk-delete-failed", error = error)),
    };
    app.set_status(status.0, status.1);
    Vec::new()
}
