//! The full-screen TUI, Elm-style: [`app`] is the state, [`update`] turns
//! events into state changes and [`event::Command`]s, [`view`] draws the state,
//! and the event loop here runs the commands. Only [`terminal`] touches the
//! terminal; only [`worker`] touches the store, on a thread of its own, so a
//! busy database never freezes the screen.

// Public for the program's tests and benchmarks, which drive the parts
// directly (see the crate's documentation: not an API).
pub mod app;
pub mod copy;
pub mod database;
pub mod event;
pub mod input;
pub mod key;
pub mod keymap;
pub mod layout;
pub mod lifecycle_fields;
pub mod log_search;
pub mod mouse;
pub mod name_field;
pub mod sanitize;
pub mod terminal;
pub mod text;
pub mod update;
pub mod view;
pub mod worker;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod lifecycle_tests;
#[cfg(test)]
mod log_tests;
#[cfg(test)]
mod mouse_tests;
#[cfg(test)]
mod policy_tests;
#[cfg(test)]
mod runtime_tests;
mod signals;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tokens_tests;
#[cfg(test)]
mod update_tests;
#[cfg(test)]
mod usage_tests;

use std::collections::VecDeque;
use std::io;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use time::{OffsetDateTime, UtcOffset};

pub use copy::{CopyHandler, CopyResult, NoClipboard, TerminalClipboard};
pub use event::Wake;
pub use view::Theme;

use app::App;
use event::Job;
use event::{Command, Event};
use terminal::Tui;
use worker::{Refused, Worker};

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
    /// Whether to take the mouse (clicks, the wheel); without it the
    /// terminal's own selection works everywhere.
    pub mouse: bool,
    /// The open database's name for the header ([`database::label`]).
    pub database: Option<String>,
    /// The config file's `[prices]`: costs in the details pane and the
    /// clean-up view, and spend limits' gauges.
    pub prices: Option<crate::domain::prices::PriceList>,
}

impl TuiOptions {
    /// Options for the offset chosen on the command line, else the local one
    /// (read at start-up, before any thread existed), else UTC with a note.
    /// Colour follows `NO_COLOR`; copying reports that no clipboard exists
    /// until a real handler is given with [`TuiOptions::with_copy_handler`].
    pub fn new(chosen: Option<UtcOffset>, local: Option<UtcOffset>) -> Self {
        let (utc_offset, note) = match chosen.or(local) {
            Some(offset) => (offset, None),
            None => (UtcOffset::UTC, Some(tr!("tui-note-offset-unknown"))),
        };
        TuiOptions {
            utc_offset,
            note,
            theme: Theme::from_env(),
            copy_handler: Box::new(NoClipboard),
            poll_interval: Duration::from_secs(1),
            mouse: true,
            database: None,
            prices: None,
        }
    }

    pub fn with_copy_handler(mut self, handler: Box<dyn CopyHandler>) -> Self {
        self.copy_handler = handler;
        self
    }
}

/// How the TUI ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The user quit.
    Quit,
    /// A signal from outside (`SIGTERM`, `SIGINT`, `SIGHUP` or `SIGQUIT`).
    Signal(i32),
}

impl Exit {
    /// The process exit status: 0, or 128 + the signal number, as a shell
    /// reports a process that a signal ended.
    pub fn code(self) -> u8 {
        match self {
            Exit::Quit => 0,
            Exit::Signal(signal) => u8::try_from(128 + signal).unwrap_or(u8::MAX),
        }
    }
}

/// After how long a storage job shows "working…" in the status bar. Most
/// take milliseconds; flashing the word every second for the change-counter
/// poll would be noise.
const WORKING_AFTER: Duration = Duration::from_millis(150);
/// How many wake-ups are handled before the screen is drawn again: a flood
/// of keys (a paste without bracketed paste) is handled in batches, with a
/// frame between them, not a frame per key.
const BATCH: usize = 512;

/// Runs the TUI until the user quits or a signal ends it. The terminal is
/// restored on every way out (return, error, signal, panic), and a copied
/// key waiting to be cleared from the clipboard is cleared first.
pub fn run(storage: worker::Storage, options: TuiOptions) -> color_eyre::Result<Exit> {
    terminal::install_hooks();
    let (wake, wakes) = mpsc::channel();
    // Before the terminal changes mode: from then on a signal restores it.
    let signals = signals::forward(wake.clone())?;
    let tui = Tui::enter()?;
    terminal::spawn_input_reader(wake.clone())?;
    let worker = Worker::spawn(storage, wake)?;
    let mut runtime = Runtime::new(tui, worker, wakes, options)?;
    let result = event_loop(&mut runtime);
    // Before the terminal is restored, so the output still ends with the
    // restore; what the clear reports has nowhere left to be shown.
    let _ = runtime.copy_handler.clear_now();
    drop(runtime);
    signals.close();
    result
}

/// Handles events until one ends the TUI: update, run the commands, draw,
/// sleep until the next wake-up.
fn event_loop(rt: &mut Runtime) -> color_eyre::Result<Exit> {
    loop {
        while let Some(event) = rt.queue.pop_front() {
            for command in update::update(&mut rt.app, event) {
                if let Some(exit) = rt.execute(command)? {
                    return Ok(exit);
                }
            }
        }
        if !rt.draw()? {
            continue;
        }
        if let Some(exit) = rt.wait()? {
            return Ok(exit);
        }
    }
}

/// The event loop's state: the terminal, the app, and the ends of the
/// threads around it.
struct Runtime {
    tui: Tui,
    app: App,
    theme: Theme,
    copy_handler: Box<dyn CopyHandler>,
    worker: Worker,
    wakes: Receiver<Wake>,
    /// Events waiting for the update function.
    queue: VecDeque<Event>,
    poll_interval: Duration,
    next_tick: Instant,
    /// Where the last frame drew what a click can act on.
    hits: mouse::HitMap,
    /// Whether the mouse may be taken at all (`--no-mouse`).
    mouse: bool,
    /// Whether the terminal is sending mouse events now.
    capturing: bool,
}

impl Runtime {
    fn new(mut tui: Tui, mut worker: Worker, wakes: Receiver<Wake>, options: TuiOptions) -> io::Result<Runtime> {
        let mut app = App::new(options.utc_offset, OffsetDateTime::now_utc());
        app.note = options.note;
        app.mouse = options.mouse;
        app.database = options.database;
        app.prices = options.prices;
        let size = tui.terminal().size()?;
        let _ = worker.submit(Job::Refresh);
        Ok(Runtime {
            tui,
            app,
            theme: options.theme,
            copy_handler: options.copy_handler,
            worker,
            wakes,
            queue: VecDeque::from([Event::Resize {
                width: size.width,
                height: size.height,
            }]),
            poll_interval: options.poll_interval,
            next_tick: Instant::now() + options.poll_interval,
            hits: mouse::HitMap::default(),
            mouse: options.mouse,
            capturing: false,
        })
    }

    /// Runs one command; the outcome of a side effect comes back as an event.
    fn execute(&mut self, command: Command) -> io::Result<Option<Exit>> {
        let job = match command {
            Command::Quit => return Ok(Some(Exit::Quit)),
            Command::ClearScreen => return self.tui.clear_screen().map(|()| None),
            Command::Suspend => return self.suspend().map(|()| None),
            Command::CopySecret => {
                if let Some(secret) = self.app.secret() {
                    let result = self.copy_handler.copy(secret.expose(), true);
                    self.queue.push_back(Event::Copied { secret: true, result });
                }
                return Ok(None);
            }
            Command::CopyText(text) => {
                let result = self.copy_handler.copy(&text, false);
                self.queue.push_back(Event::Copied { secret: false, result });
                return Ok(None);
            }
            Command::Store(job) => job,
        };
        if let Err(Refused::ChangeInFlight) = self.worker.submit(job) {
            self.queue.push_back(Event::Notice(tr!("tui-status-change-in-flight")));
        }
        Ok(None)
    }

    /// Draws a frame; false if the terminal turned out to have another size
    /// than the app knew (a resize event is then queued, and the frame is
    /// drawn again after it).
    fn draw(&mut self) -> io::Result<bool> {
        self.capture_mouse_as_needed()?;
        let now = Instant::now();
        self.app.working = self.worker.busy_for(now).is_some_and(|t| t >= WORKING_AFTER);
        // Rounded up: "clears in 1 s" until it has happened.
        self.app.clipboard_clears_in = (self.copy_handler.next_clear_at())
            .map(|due| due.saturating_duration_since(now).as_millis().div_ceil(1000) as u64);
        let (app, theme) = (&self.app, &self.theme);
        let mut drawn_size = app.terminal_size;
        let mut hits = mouse::HitMap::default();
        self.tui.terminal().draw(|frame| {
            let area = frame.area();
            drawn_size = (area.width, area.height);
            hits = view::render(frame, app, theme);
            if theme.glyphs().is_ascii() {
                view::glyphs::keep_ascii_only(frame.buffer_mut());
            }
        })?;
        self.hits = hits;
        // The size the frame was drawn at is the truth, whether or not a
        // resize event arrived (ratatui resizes itself before drawing).
        if drawn_size == self.app.terminal_size {
            return Ok(true);
        }
        self.queue.push_back(Event::Resize {
            width: drawn_size.0,
            height: drawn_size.1,
        });
        Ok(false)
    }

    /// Sleeps until something wakes the loop or a timer is due, then takes
    /// in what arrived.
    fn wait(&mut self) -> io::Result<Option<Exit>> {
        let first = match self
            .wakes
            .recv_timeout(self.next_deadline().saturating_duration_since(Instant::now()))
        {
            Ok(wake) => Some(wake),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return Err(io::Error::other(tr!("tui-error-events-stopped"))),
        };
        let more = std::iter::from_fn(|| self.wakes.try_recv().ok());
        let batch: Vec<Wake> = first.into_iter().chain(more).take(BATCH).collect();
        for wake in batch {
            if let Some(exit) = self.on_wake(wake)? {
                return Ok(Some(exit));
            }
        }
        self.on_timer();
        Ok(None)
    }

    /// When the loop must wake up at the latest: the next tick, or the moment
    /// a running storage job has run long enough to show "working…".
    fn next_deadline(&self) -> Instant {
        let now = Instant::now();
        match self.worker.busy_for(now) {
            Some(busy) if busy < WORKING_AFTER => self.next_tick.min(now + (WORKING_AFTER - busy)),
            _ => self.next_tick,
        }
    }

    fn on_wake(&mut self, wake: Wake) -> io::Result<Option<Exit>> {
        match wake {
            Wake::Input(event) => self.queue.push_back(event),
            Wake::Mouse(raw) => self.queue.push_back(Event::Mouse(self.hits.resolve(raw))),
            Wake::InputFailed(error) => return Err(error),
            Wake::Stored(event) => {
                self.worker.finished();
                self.queue.extend(event);
            }
            Wake::Usage(event) => self.queue.push_back(event),
            Wake::Signal(signals::SUSPEND) => self.suspend()?,
            Wake::Signal(signals::CONTINUE) => self.tui.resume()?,
            Wake::Signal(signal) => return Ok(Some(Exit::Signal(signal))),
        }
        Ok(None)
    }

    /// About once a second: the clock, the clipboard's clear timer, and a
    /// check for changes made by other processes.
    fn on_timer(&mut self) {
        if Instant::now() < self.next_tick {
            return;
        }
        self.next_tick = Instant::now() + self.poll_interval;
        self.queue.push_back(Event::Tick {
            now: OffsetDateTime::now_utc(),
        });
        if let Some(notice) = self.copy_handler.tick() {
            self.queue.push_back(Event::Notice(notice));
        }
        let _ = self.worker.submit(Job::Refresh);
    }

    /// Takes the mouse while it is wanted, and gives it back while a new
    /// secret is on screen: then the terminal's own selection can copy the
    /// key by hand (the fallback the dialog offers when no clipboard works).
    fn capture_mouse_as_needed(&mut self) -> io::Result<()> {
        let wanted = self.mouse && self.app.secret().is_none();
        if wanted != self.capturing {
            terminal::set_mouse_capture(wanted)?;
            self.capturing = wanted;
        }
        Ok(())
    }

    /// Ctrl-Z or `SIGTSTP`: hands the terminal back and stops, like other
    /// full-screen programs; on `SIGCONT` takes it again and redraws.
    fn suspend(&mut self) -> io::Result<()> {
        self.tui.suspend();
        signals::stop_self();
        // The restore gave the mouse back; the next frame takes it again.
        self.capturing = false;
        self.tui.resume()
    }
}
