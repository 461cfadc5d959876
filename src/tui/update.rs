//! The update function: `(state, event) -> commands`. Pure: it changes the
//! app state and asks for side effects, but performs none itself.
//!
//! [`update`] only dispatches: each event has one handler, in `outcomes`
//! for what the event loop reports back, and here for keys and pastes. A key
//! becomes an [`Action`] through the keymap and goes to the handler of the
//! screen it was pressed on: `list` for the key list, `dialogs` for each
//! dialog, `overlays` for help and the agreement. A new event or screen is
//! one new arm and one new function.

mod cleanup;
mod dialogs;
mod lifecycle;
mod list;
mod log;
mod mouse;
mod outcomes;
mod overlays;
mod policy;

use super::app::{App, CreateFocus, Dialog, ExpiryFocus, Overlay, StatusKind};
use super::event::{Command, Event, Key};
use super::input::TextInput;
use super::keymap::{self, Action, Screen};
use super::layout;

pub fn update(app: &mut App, event: Event) -> Vec<Command> {
    let mut commands = dispatch(app, event);
    // Scrolling, a filter edit, a resize or a page arriving may each leave
    // the log screen wanting its next page.
    commands.extend(log::more_wanted(app));
    commands
}

fn dispatch(app: &mut App, event: Event) -> Vec<Command> {
    match event {
        Event::Key(key) => on_key(app, key),
        Event::Paste(text) => on_paste(app, &text),
        Event::Mouse(mouse) => mouse::on_mouse(app, mouse),
        Event::Resize { width, height } => {
            app.set_terminal_size(width, height);
            Vec::new()
        }
        Event::Tick { now } => outcomes::on_tick(app, now),
        Event::Loaded {
            change_counter,
            records,
        } => outcomes::on_loaded(app, change_counter, records),
        Event::LoadFailed(message) => outcomes::on_load_failed(app, &message),
        Event::Created(result) => outcomes::on_created(app, result),
        Event::Renamed(result) => outcomes::on_renamed(app, result),
        Event::Deleted(result) => outcomes::on_deleted(app, result),
        // A policy's save answers its own dialog; the other changes, the
        // lifecycle's.
        Event::Changed(super::event::Change::PolicySet, result) => policy::on_saved(app, result),
        Event::Changed(change, result) => lifecycle::on_changed(app, change, result),
        Event::Rotated(result) => lifecycle::on_rotated(app, result),
        Event::Notice(text) => outcomes::on_notice(app, text),
        Event::LogPage { search, page } => log::on_page(app, search, page),
        Event::UsageLoaded(query, result) => outcomes::on_usage_loaded(app, query, result),
        Event::Bulk(bulk, result) => cleanup::on_bulk(app, bulk, result),
        Event::Copied { secret, result } => outcomes::on_copied(app, secret, result),
    }
}

fn on_key(app: &mut App, key: Key) -> Vec<Command> {
    if layout::too_small(app.terminal_size) {
        // Nothing is visible, so nothing may happen unseen; the global quit
        // key (which the too-small message names) still quits.
        if keymap::global_action(key) == Some(Action::Quit) {
            return quit_or_ask(app);
        }
        app.ignored_keys = true;
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
            app.set_status(StatusKind::Info, super::input::FULL.text());
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
        Screen::Main | Screen::Filter => list::on_action(app, action),
        Screen::Actions => dialogs::actions_menu_action(app, action),
        Screen::Create => dialogs::create_action(app, action),
        Screen::Secret | Screen::SecretConfirm => dialogs::secret_action(app, action),
        Screen::Rename => dialogs::rename_action(app, action),
        Screen::Delete => dialogs::delete_action(app, action),
        Screen::Rotate | Screen::RotateConfirm => lifecycle::rotate_action(app, action),
        Screen::Expiry => lifecycle::expiry_action(app, action),
        Screen::Policy => policy::on_action(app, action),
        Screen::DisableConfirm => lifecycle::disable_action(app, action),
        Screen::Log | Screen::LogFilter | Screen::LogEntry => log::on_action(app, action),
        Screen::Cleanup => cleanup::on_action(app, action),
        Screen::CleanupDisable => cleanup::disable_action(app, action),
        Screen::CleanupDelete => cleanup::delete_action(app, action),
        Screen::Help | Screen::Agreement => overlays::on_action(app, action),
    }
}

fn on_paste(app: &mut App, text: &str) -> Vec<Command> {
    if layout::too_small(app.terminal_size) {
        return Vec::new();
    }
    let fits = match app.screen() {
        Screen::Create => match &mut app.dialog {
            // A date pasted into the date field; anything else is a name.
            Some(Dialog::Create(d)) if d.focus == CreateFocus::Date => {
                d.error = None;
                d.expiry.date.insert_str(text)
            }
            Some(Dialog::Create(d)) => {
                d.focus = CreateFocus::Name;
                d.name.touched = true;
                d.error = None;
                d.name.input.insert_str(text)
            }
            _ => true,
        },
        Screen::Expiry => match &mut app.dialog {
            Some(Dialog::Expiry(d)) if d.focus == ExpiryFocus::Date => {
                d.error = None;
                d.field.date.insert_str(text)
            }
            _ => true,
        },
        Screen::Rename => match &mut app.dialog {
            Some(Dialog::Rename(d)) => {
                d.error = None;
                d.name.input.insert_str(text)
            }
            _ => true,
        },
        Screen::Policy => match &mut app.dialog {
            Some(Dialog::Policy(d)) => {
                d.error = None;
                d.focused_field().is_none_or(|field| field.insert_str(text))
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
        app.set_status(StatusKind::Info, super::input::FULL.text());
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

/// The text input that printable keys go to on `screen`, if one has focus.
fn focused_input(app: &mut App) -> Option<&mut TextInput> {
    if app.screen() == Screen::Filter {
        return Some(&mut app.filter);
    }
    if app.screen() == Screen::LogFilter {
        return app.log.as_mut().map(|log| &mut log.filter);
    }
    if let Some(super::app::CleanupConfirm::Delete { typed }) = app.cleanup.as_mut().and_then(|c| c.confirm.as_mut()) {
        return Some(typed);
    }
    if app.overlay.is_some() {
        return None;
    }
    match &mut app.dialog {
        Some(Dialog::Create(d)) => match d.focus {
            CreateFocus::Name => Some(&mut d.name.input),
            CreateFocus::Date => Some(&mut d.expiry.date),
            _ => None,
        },
        Some(Dialog::Rename(d)) => Some(&mut d.name.input),
        Some(Dialog::Expiry(d)) => (d.focus == ExpiryFocus::Date).then_some(&mut d.field.date),
        Some(Dialog::Policy(d)) => d.focused_field(),
        _ => None,
    }
}

/// Applies an editing action to the focused input; true if it was one.
pub(super) fn edit_input(app: &mut App, action: Action) -> bool {
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
            d.name.touched |= d.focus == CreateFocus::Name;
            d.error = None;
        }
        Some(Dialog::Expiry(d)) => d.error = None,
        Some(Dialog::Policy(d)) => d.error = None,
        Some(Dialog::Rename(d)) => {
            d.name.touched = true;
            d.error = None;
        }
        _ if app.cleanup.is_some() => {}
        _ => match &mut app.log {
            Some(log) => log.filter_changed(),
            None => app.filter_changed(),
        },
    }
}
