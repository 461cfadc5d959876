//! The key list: moving, filtering, sorting, and opening dialogs on the
//! selected key.

use super::dialogs::{delete_dialog, rename_dialog};
use super::edit_input;
use super::lifecycle;
use crate::tui::app::{ActionsMenu, App, CreateDialog, Dialog, SortColumn, StatusKind};
use crate::tui::event::Command;
use crate::tui::keymap::{self, Action, Screen};

pub(super) fn on_action(app: &mut App, action: Action) -> Vec<Command> {
    if edit_input(app, action) {
        return Vec::new();
    }
    let page = app.page_rows() as isize;
    let changes = matches!(
        action,
        Action::NewKey
            | Action::OpenActions
            | Action::EditName
            | Action::DeleteKey
            | Action::ToggleDisabled
            | Action::Rotate
            | Action::SetExpiry
            | Action::EditPolicy
    );
    if changes && app.unreachable {
        app.set_status(StatusKind::Error, tr!("tui-status-read-only"));
        return Vec::new();
    }
    match action {
        Action::MoveUp => app.move_selection(-1),
        Action::MoveDown => app.move_selection(1),
        Action::PageUp => app.move_selection(-page),
        Action::PageDown => app.move_selection(page),
        Action::Top => app.select_row(0),
        Action::Bottom => app.select_row(usize::MAX),
        Action::OpenLog => return super::log::open(app, None),
        // As the actions menu's "copy ID"; the copy's outcome says so.
        Action::CopyId => {
            return app
                .selected_record()
                .map(|r| Command::CopyText(r.id.to_string()))
                .into_iter()
                .collect();
        }
        Action::OpenCleanup => return super::cleanup::open(app),
        Action::ToggleDetails => {
            use crate::tui::layout::{DetailsPlace, details_place, details_shown_by_default};
            let show = !app
                .show_details
                .unwrap_or_else(|| details_shown_by_default(app.terminal_size));
            app.show_details = Some(show);
            if show && details_place(app.terminal_size, app.show_details) == DetailsPlace::Hidden {
                app.set_status(StatusKind::Info, tr!("tui-status-no-room-for-details"));
            }
            app.scroll_to_selection();
        }
        Action::NewKey => app.dialog = Some(Dialog::Create(CreateDialog::default())),
        Action::OpenActions
        | Action::EditName
        | Action::DeleteKey
        | Action::ToggleDisabled
        | Action::Rotate
        | Action::SetExpiry
        | Action::EditPolicy => {
            let Some(record) = app.selected_record().cloned() else {
                let new_key = keymap::key_name(Screen::Main, Action::NewKey);
                app.set_status(
                    StatusKind::Info,
                    tr!("tui-status-no-key-selected", key = new_key.into_owned()),
                );
                return Vec::new();
            };
            app.dialog = Some(match action {
                Action::OpenActions => Dialog::Actions(ActionsMenu::new(record, app.now)),
                Action::EditName => rename_dialog(record),
                Action::ToggleDisabled => return lifecycle::toggle_disabled(app, &record),
                Action::Rotate => return lifecycle::open_rotate(app, record),
                Action::SetExpiry => return lifecycle::open_expiry(app, record),
                Action::EditPolicy => return super::policy::open(app, record),
                _ => delete_dialog(record, app.now),
            });
        }
        Action::StartFilter => app.filtering = true,
        Action::ApplyFilter => {
            app.filtering = false;
            if !app.has_filter() {
                app.filter_changed();
            }
        }
        Action::ClearFilter => {
            app.filtering = false;
            if app.has_filter() {
                app.filter.clear();
                app.filter_changed();
            }
        }
        Action::SortNext => {
            let next = app.sort.next();
            app.set_sort(next, next.natural_descending());
            announce_sort(app);
        }
        Action::SortReverse => {
            app.set_sort(app.sort, !app.descending);
            announce_sort(app);
        }
        _ => {}
    }
    Vec::new()
}

pub(super) fn announce_sort(app: &mut App) {
    let order = match (app.sort, app.descending) {
        (SortColumn::Created | SortColumn::LastUsed, true) => tr!("tui-sort-newest-first"),
        (SortColumn::Created | SortColumn::LastUsed, false) => tr!("tui-sort-oldest-first"),
        (SortColumn::Uses, true) => tr!("tui-sort-most-used-first"),
        (SortColumn::Uses, false) => tr!("tui-sort-least-used-first"),
        (SortColumn::Tokens, true) => tr!("tui-sort-most-tokens-first"),
        (SortColumn::Tokens, false) => tr!("tui-sort-fewest-tokens-first"),
        (_, false) => "A → Z".to_owned(),
        (_, true) => "Z → A".to_owned(),
    };
    let status = tr!("tui-status-sorted", column = app.sort.label(), order = order);
    app.set_status(StatusKind::Info, status);
}
