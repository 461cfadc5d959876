//! The update function: `(state, event) -> commands`. Pure: it changes the
//! app state and asks for side effects, but performs none itself.

use super::app::{
    ActionsMenu, App, CreateDialog, CreateFocus, DeleteDialog, DeleteFocus, Dialog, MenuItem, Overlay, RenameDialog,
    SecretDialog, SortColumn, StatusKind,
};
use super::event::{Command, Event, Key};
use super::input::TextInput;
use super::keymap::{self, Action, Screen};

pub fn update(app: &mut App, event: Event) -> Vec<Command> {
    match event {
        Event::Key(key) => on_key(app, key),
        Event::Paste(text) => {
            on_paste(app, &text);
            Vec::new()
        }
        Event::Resize { width, height } => {
            app.set_terminal_size(width, height);
            Vec::new()
        }
        Event::Tick { now } => {
            app.set_now(now);
            if let Some(status) = &mut app.status {
                status.ttl = status.ttl.saturating_sub(1);
                if status.ttl == 0 {
                    app.status = None;
                }
            }
            Vec::new()
        }
        Event::Loaded {
            change_counter,
            records,
        } => {
            app.set_records(change_counter, records);
            close_dialog_of_deleted_key(app);
            Vec::new()
        }
        Event::LoadFailed(message) => {
            app.set_status(StatusKind::Error, format!("could not read the keys: {message}"));
            Vec::new()
        }
        Event::Created(result) => on_created(app, result),
        Event::Renamed(result) => {
            match result {
                Ok(record) => {
                    app.dialog = None;
                    app.set_status(StatusKind::Success, format!("renamed to {}", record.name));
                }
                Err(message) => {
                    if let Some(Dialog::Rename(d)) = &mut app.dialog {
                        d.error = Some(format!("could not rename: {message}"));
                    }
                    app.set_status(StatusKind::Error, format!("could not rename: {message}"));
                }
            }
            vec![Command::Reload]
        }
        Event::Deleted(result) => {
            app.dialog = None;
            match result {
                Ok(record) => app.set_status(StatusKind::Success, format!("deleted {} ({})", record.name, record.id)),
                Err(message) => app.set_status(StatusKind::Error, format!("could not delete: {message}")),
            }
            vec![Command::Reload]
        }
        Event::Notice(text) => {
            app.set_status(StatusKind::Info, text);
            Vec::new()
        }
        Event::Copied { secret, result } => {
            if secret && let Some(Dialog::Secret(d)) = &mut app.dialog {
                d.confirm_close = false;
                d.copy_result = Some(result.clone());
            }
            let kind = if result.is_copied() {
                StatusKind::Success
            } else {
                StatusKind::Error
            };
            app.set_status(kind, result.message());
            Vec::new()
        }
    }
}

fn on_created(
    app: &mut App,
    result: Result<(crate::domain::SecretKey, crate::domain::KeyRecord), String>,
) -> Vec<Command> {
    match result {
        Ok((secret, record)) => {
            app.pending_select = Some(record.id.clone());
            app.set_status(StatusKind::Success, format!("created {}", record.name));
            app.dialog = Some(Dialog::Secret(SecretDialog::new(secret, record)));
            vec![Command::Reload]
        }
        Err(message) => {
            if let Some(Dialog::Create(d)) = &mut app.dialog {
                d.error = Some(format!("could not create the key: {message}"));
            }
            app.set_status(StatusKind::Error, format!("could not create the key: {message}"));
            Vec::new()
        }
    }
}

fn on_paste(app: &mut App, text: &str) {
    if super::view::too_small(app.terminal_size.0, app.terminal_size.1) {
        return;
    }
    let fits = match app.screen() {
        Screen::Create => match &mut app.dialog {
            Some(Dialog::Create(d)) => {
                d.focus = CreateFocus::Name;
                d.touched = true;
                d.error = None;
                d.name.insert_str(text)
            }
            _ => true,
        },
        Screen::Rename => match &mut app.dialog {
            Some(Dialog::Rename(d)) => {
                d.error = None;
                d.name.insert_str(text)
            }
            _ => true,
        },
        Screen::Main | Screen::Filter => {
            app.filtering = true;
            let fits = app.filter.insert_str(text);
            app.filter_changed();
            fits
        }
        _ => true,
    };
    if !fits {
        app.set_status(StatusKind::Info, super::input::FULL);
    }
}

/// The text input that printable keys go to on `screen`, if one has focus.
fn focused_input(app: &mut App) -> Option<&mut TextInput> {
    if app.screen() == Screen::Filter {
        return Some(&mut app.filter);
    }
    if app.overlay.is_some() {
        return None;
    }
    match &mut app.dialog {
        Some(Dialog::Create(d)) if d.focus == CreateFocus::Name => Some(&mut d.name),
        Some(Dialog::Rename(d)) => Some(&mut d.name),
        _ => None,
    }
}

fn on_key(app: &mut App, key: Key) -> Vec<Command> {
    let (width, height) = app.terminal_size;
    if super::view::too_small(width, height) {
        // Nothing is visible, so nothing may happen unseen; Ctrl-C still quits.
        if key == Key::Ctrl('c') {
            return quit_or_ask(app);
        }
        return Vec::new();
    }
    let screen = app.screen();
    if screen.has_text_input()
        && let Key::Char(c) = key
        && let Some(input) = focused_input(app)
    {
        if input.insert_char(c) {
            text_edited(app);
        } else {
            app.set_status(StatusKind::Info, super::input::FULL);
        }
        return Vec::new();
    }
    let Some(action) = keymap::action_for(screen, key) else {
        return Vec::new();
    };
    match action {
        Action::Quit => return quit_or_ask(app),
        Action::Suspend => return vec![Command::Suspend],
        Action::Help if !matches!(app.overlay, Some(Overlay::Help { .. })) => {
            app.overlay = Some(Overlay::Help { screen, scroll: 0 });
            return Vec::new();
        }
        _ => {}
    }
    match screen {
        Screen::Main | Screen::Filter => main_action(app, action),
        Screen::Actions => actions_menu_action(app, action),
        Screen::Create => create_action(app, action),
        Screen::Secret | Screen::SecretConfirm => secret_action(app, action),
        Screen::Rename => rename_action(app, action),
        Screen::Delete => delete_action(app, action),
        Screen::Help | Screen::Agreement => overlay_action(app, action),
    }
}

/// Applies an editing action to the focused input; true if it was one.
fn edit_input(app: &mut App, action: Action) -> bool {
    let Some(input) = focused_input(app) else {
        return false;
    };
    match action {
        Action::CursorLeft => input.move_left(),
        Action::CursorRight => input.move_right(),
        Action::CursorHome => input.move_home(),
        Action::CursorEnd => input.move_end(),
        Action::DeleteBack => input.delete_back(),
        Action::DeleteForward => input.delete_forward(),
        Action::ClearToStart => input.clear_to_start(),
        _ => return false,
    }
    if matches!(
        action,
        Action::DeleteBack | Action::DeleteForward | Action::ClearToStart
    ) {
        text_edited(app);
    }
    true
}

/// Bookkeeping after the focused input's text changed.
fn text_edited(app: &mut App) {
    match &mut app.dialog {
        Some(Dialog::Create(d)) => {
            d.touched = true;
            d.error = None;
        }
        Some(Dialog::Rename(d)) => d.error = None,
        _ => app.filter_changed(),
    }
}

fn main_action(app: &mut App, action: Action) -> Vec<Command> {
    if edit_input(app, action) {
        return Vec::new();
    }
    let page = app.page_rows() as isize;
    match action {
        Action::MoveUp => app.move_selection(-1),
        Action::MoveDown => app.move_selection(1),
        Action::PageUp => app.move_selection(-page),
        Action::PageDown => app.move_selection(page),
        Action::Top => app.select_row(0),
        Action::Bottom => app.select_row(usize::MAX),
        Action::NewKey => app.dialog = Some(Dialog::Create(CreateDialog::default())),
        Action::OpenActions | Action::EditName | Action::DeleteKey => {
            let Some(record) = app.selected_record().cloned() else {
                app.set_status(StatusKind::Info, "no key selected — press n to create one");
                return Vec::new();
            };
            app.dialog = Some(match action {
                Action::OpenActions => Dialog::Actions(ActionsMenu { record, selected: 0 }),
                Action::EditName => rename_dialog(record),
                _ => delete_dialog(record),
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

fn announce_sort(app: &mut App) {
    let order = match (app.sort, app.descending) {
        (SortColumn::Created | SortColumn::LastUsed, true) => "newest first",
        (SortColumn::Created | SortColumn::LastUsed, false) => "oldest first",
        (_, false) => "A → Z",
        (_, true) => "Z → A",
    };
    app.set_status(StatusKind::Info, format!("sorted by {}, {order}", app.sort.label()));
}

fn rename_dialog(record: crate::domain::KeyRecord) -> Dialog {
    Dialog::Rename(RenameDialog {
        name: TextInput::with_text(&record.name),
        record,
        error: None,
    })
}

fn delete_dialog(record: crate::domain::KeyRecord) -> Dialog {
    Dialog::Delete(DeleteDialog {
        record,
        focus: DeleteFocus::Cancel,
    })
}

fn actions_menu_action(app: &mut App, action: Action) -> Vec<Command> {
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
        Action::EditName => MenuItem::EditName,
        Action::DeleteKey => MenuItem::Delete,
        Action::CopyId => MenuItem::CopyId,
        _ => return Vec::new(),
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

fn create_action(app: &mut App, action: Action) -> Vec<Command> {
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
    d.touched = true;
    match d.validation() {
        Err(_) => {
            // The reason is on the validation line under the name.
            d.error = Some("Can't create yet: fix the name first (see above)".to_owned());
            d.focus = CreateFocus::Name;
            Vec::new()
        }
        Ok(_) if !d.agreed => {
            d.error = Some("Tick the agreement box first (Space toggles it)".to_owned());
            d.focus = CreateFocus::Agreement;
            Vec::new()
        }
        Ok(name) => {
            d.error = None;
            vec![Command::CreateKey { name }]
        }
    }
}

fn secret_action(app: &mut App, action: Action) -> Vec<Command> {
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

/// Quitting drops a key that is shown only once: before it was copied, the
/// first Ctrl-C asks like closing does ("close without copying?"), and a
/// second one quits.
fn quit_or_ask(app: &mut App) -> Vec<Command> {
    if let Some(Dialog::Secret(d)) = &mut app.dialog
        && !d.copied()
        && !d.confirm_close
    {
        d.confirm_close = true;
        app.overlay = None;
        return Vec::new();
    }
    vec![Command::Quit]
}

/// A dialog about a key that another process deleted meanwhile would act on
/// nothing: close it and say why.
fn close_dialog_of_deleted_key(app: &mut App) {
    let record = match &app.dialog {
        Some(Dialog::Rename(RenameDialog { record, .. }) | Dialog::Delete(DeleteDialog { record, .. })) => record,
        Some(Dialog::Actions(menu)) => &menu.record,
        _ => return,
    };
    if app.records.iter().any(|r| r.id == record.id) {
        return;
    }
    let text = format!("the key {} was deleted elsewhere", record.name);
    app.dialog = None;
    app.set_status(StatusKind::Info, text);
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

fn rename_action(app: &mut App, action: Action) -> Vec<Command> {
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
            Ok(name) if name.as_str() == d.record.name => {
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

fn delete_action(app: &mut App, action: Action) -> Vec<Command> {
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

fn overlay_action(app: &mut App, action: Action) -> Vec<Command> {
    let (max, page) = super::view::overlay_scroll_limits(app.overlay, app.terminal_size);
    let Some(Overlay::Help { scroll, .. } | Overlay::Agreement { scroll }) = &mut app.overlay else {
        return Vec::new();
    };
    match action {
        Action::MoveUp => *scroll = scroll.saturating_sub(1),
        Action::MoveDown => *scroll = scroll.saturating_add(1),
        Action::PageUp => *scroll = scroll.saturating_sub(page),
        Action::PageDown => *scroll = scroll.saturating_add(page),
        Action::Top => *scroll = 0,
        Action::Bottom => *scroll = max,
        Action::Close | Action::Help => {
            app.overlay = None;
            return Vec::new();
        }
        _ => {}
    }
    *scroll = (*scroll).min(max);
    Vec::new()
}
