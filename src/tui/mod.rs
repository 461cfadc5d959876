//! The full-screen TUI, Elm-style: [`app`] is the state, [`update`] turns
//! events into state changes and [`event::Command`]s, [`view`] draws the state,
//! and the event loop here runs the commands. Only [`terminal`] touches the
//! terminal; only this loop touches the store, briefly, per operation.

pub mod app;
pub mod copy;
pub mod event;
#[cfg(test)]
mod fuzz_tests;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod name_field;
pub mod sanitize;
pub mod terminal;
#[cfg(test)]
mod testing;
pub mod text;
pub mod update;
#[cfg(test)]
mod update_tests;
pub mod view;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use time::{OffsetDateTime, UtcOffset};

pub use copy::{CopyHandler, CopyResult, NoClipboard, TerminalClipboard};
pub use view::Theme;

use crate::Store;
use app::App;
use event::{Command, Event};
use terminal::Tui;

/// How the TUI is set up.
pub struct TuiOptions {
    /// The offset times are shown in (and named in the column headers).
    pub utc_offset: UtcOffset,
    /// A standing note for the status bar, e.g. why UTC is used.
    pub note: Option<String>,
    pub theme: Theme,
    pub copy_handler: Box<dyn CopyHandler>,
    /// How often the store's change counter is checked.
    pub poll_interval: Duration,
}

impl TuiOptions {
    /// Options for the offset chosen on the command line, else the local one
    /// (read at start-up, before any thread existed), else UTC with a note.
    /// Colour follows `NO_COLOR`; copying reports that no clipboard exists
    /// until a real handler is given with [`TuiOptions::with_copy_handler`].
    pub fn new(chosen: Option<UtcOffset>, local: Option<UtcOffset>) -> Self {
        let (utc_offset, note) = match chosen.or(local) {
            Some(offset) => (offset, None),
            None => (
                UtcOffset::UTC,
                Some("local UTC offset unknown: times are in UTC (--utc-offset ±HH:MM to choose)".to_owned()),
            ),
        };
        TuiOptions {
            utc_offset,
            note,
            theme: Theme::from_env(),
            copy_handler: Box::new(NoClipboard),
            poll_interval: Duration::from_secs(1),
        }
    }

    pub fn with_copy_handler(mut self, handler: Box<dyn CopyHandler>) -> Self {
        self.copy_handler = handler;
        self
    }
}

/// Runs the TUI until the user quits. The terminal is restored on every way
/// out: return, error and panic.
pub fn run(store: Store, options: TuiOptions) -> color_eyre::Result<()> {
    terminal::install_hooks();
    let mut tui = Tui::enter()?;
    let result = event_loop(&mut tui, &store, options);
    drop(tui);
    result
}

fn event_loop(tui: &mut Tui, store: &Store, options: TuiOptions) -> color_eyre::Result<()> {
    let TuiOptions {
        utc_offset,
        note,
        theme,
        mut copy_handler,
        poll_interval,
    } = options;
    let mut app = App::new(utc_offset, OffsetDateTime::now_utc());
    app.note = note;
    let size = tui.terminal().size()?;
    let mut queue = VecDeque::from([
        Event::Resize {
            width: size.width,
            height: size.height,
        },
        load(store),
    ]);
    let mut next_poll = Instant::now() + poll_interval;
    let mut poll_failing = false;

    loop {
        while let Some(event) = queue.pop_front() {
            for command in update::update(&mut app, event) {
                match command {
                    Command::Quit => return Ok(()),
                    Command::ClearScreen => tui.clear_screen()?,
                    other => queue.extend(execute(other, store, &app, copy_handler.as_mut())),
                }
            }
        }
        let mut drawn_size = app.terminal_size;
        tui.terminal().draw(|frame| {
            let area = frame.area();
            drawn_size = (area.width, area.height);
            view::render(frame, &app, &theme);
        })?;
        // The size the frame was drawn at is the truth, whether or not a
        // resize event arrived (ratatui resizes itself before drawing).
        if drawn_size != app.terminal_size {
            queue.push_back(Event::Resize {
                width: drawn_size.0,
                height: drawn_size.1,
            });
            continue;
        }

        // Never zero: crossterm's poll-based reader skips events it has
        // already buffered when asked to wait for no time at all.
        let timeout = next_poll
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1));
        if let Some(event) = tui.next_event(timeout)? {
            queue.push_back(event);
        }
        if Instant::now() >= next_poll {
            next_poll = Instant::now() + poll_interval;
            queue.push_back(Event::Tick {
                now: OffsetDateTime::now_utc(),
            });
            if let Some(notice) = copy_handler.tick() {
                queue.push_back(Event::Notice(notice));
            }
            // Cheap check; the full reload only when something changed.
            match store.change_counter() {
                Ok(counter) => {
                    poll_failing = false;
                    if Some(counter) != app.change_counter {
                        queue.push_back(load(store));
                    }
                }
                Err(error) if !poll_failing => {
                    poll_failing = true;
                    queue.push_back(Event::LoadFailed(error.to_string()));
                }
                Err(_) => {}
            }
        }
    }
}

fn load(store: &Store) -> Event {
    match store.load() {
        Ok(listing) => Event::Loaded {
            change_counter: listing.change_counter,
            records: listing.records,
        },
        Err(error) => Event::LoadFailed(error.to_string()),
    }
}

/// Runs one side effect; its outcome comes back as an event.
fn execute(command: Command, store: &Store, app: &App, copy_handler: &mut dyn CopyHandler) -> Option<Event> {
    Some(match command {
        Command::CreateKey { name } => Event::Created(store.create(&name).map_err(|e| e.to_string())),
        Command::Rename { id, name } => Event::Renamed(store.rename(&id, &name).map_err(|e| e.to_string())),
        Command::Delete { id } => Event::Deleted(store.delete(&id).map_err(|e| e.to_string())),
        Command::Reload => load(store),
        Command::CopySecret => {
            let secret = app.secret()?;
            Event::Copied {
                secret: true,
                result: copy_handler.copy(secret.expose(), true),
            }
        }
        Command::CopyText(text) => Event::Copied {
            secret: false,
            result: copy_handler.copy(&text, false),
        },
        Command::ClearScreen | Command::Quit => return None,
    })
}
