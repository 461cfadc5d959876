//! The only place that talks to the terminal. [`Tui::enter`] switches to raw
//! mode, the alternate screen and bracketed paste; everything is switched back
//! when the guard drops, when an error propagates, and — through the panic hook
//! installed by [`install_hooks`] — before a panic message is printed.

use std::io::{self, Stdout, stdout};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;

use crossterm::event::{
    self, DisableBracketedPaste, EnableBracketedPaste, Event as CtEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
    MouseButton, MouseEvent, MouseEventKind,
};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::event::Wake;
use super::event::{Event, Key};
use super::mouse::{MouseKind, RawMouse};

/// Whether the terminal is in the app's mode and needs restoring.
static ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOKS: Once = Once::new();

pub type Backend = CrosstermBackend<Stdout>;

/// RAII guard for the terminal's mode; [`Tui::terminal`] lends the ratatui terminal.
pub struct Tui {
    terminal: Terminal<Backend>,
}

impl Tui {
    pub fn enter() -> io::Result<Tui> {
        // Marked active first, so a failure half-way is still undone.
        ACTIVE.store(true, Ordering::SeqCst);
        let setup = || -> io::Result<Terminal<Backend>> {
            enable_raw_mode()?;
            execute!(
                stdout(),
                EnterAlternateScreen,
                EnableBracketedPaste,
                Clear(ClearType::All)
            )?;
            Terminal::new(CrosstermBackend::new(stdout()))
        };
        match setup() {
            Ok(terminal) => Ok(Tui { terminal }),
            Err(error) => {
                restore();
                Err(error)
            }
        }
    }

    pub fn terminal(&mut self) -> &mut Terminal<Backend> {
        &mut self.terminal
    }

    /// Blanks the screen and makes the next draw repaint everything.
    ///
    /// Not `Terminal::clear`: that asks the terminal for the cursor position
    /// and fails after a timeout when nothing answers (a bare pty, some
    /// serial or multiplexer setups).
    pub fn clear_screen(&mut self) -> io::Result<()> {
        execute!(stdout(), Clear(ClearType::All))?;
        // Makes the (blank) current buffer the "previous" one, so the next
        // frame is diffed against an empty screen.
        self.terminal.swap_buffers();
        Ok(())
    }

    /// Gives the terminal back for a suspension (Ctrl-Z): as on exit.
    pub fn suspend(&mut self) {
        restore();
    }

    /// Takes the terminal again after the process was continued, and makes
    /// the next draw repaint everything. Also right when nothing was
    /// suspended: after a plain `SIGSTOP`/`SIGCONT` the shell may have put the
    /// terminal back in cooked mode.
    pub fn resume(&mut self) -> io::Result<()> {
        ACTIVE.store(true, Ordering::SeqCst);
        enable_raw_mode()?;
        execute!(
            stdout(),
            EnterAlternateScreen,
            EnableBracketedPaste,
            crossterm::cursor::Hide
        )?;
        self.clear_screen()
    }
}

/// Reads the terminal on a thread of its own and sends what the app uses to
/// the event loop. A blocking read on a separate thread, rather than polling
/// from the loop, lets the loop sleep in one receive on one channel until a
/// key, a storage result, a signal or its next timer, whichever is first;
/// nothing waits on a poll timeout and nothing spins.
///
/// The thread ends when the loop is gone or reading fails (the terminal was
/// hung up); the failure is sent first.
pub fn spawn_input_reader(wake: Sender<Wake>) -> io::Result<()> {
    std::thread::Builder::new()
        .name("keydesk-input".to_owned())
        .spawn(move || {
            loop {
                let wake_up = match event::read() {
                    Ok(CtEvent::Mouse(mouse)) => match convert_mouse(mouse) {
                        Some(raw) => Wake::Mouse(raw),
                        None => continue,
                    },
                    Ok(event) => match convert_event(event) {
                        Some(event) => Wake::Input(event),
                        None => continue,
                    },
                    Err(error) => {
                        let _ = wake.send(Wake::InputFailed(error));
                        return;
                    }
                };
                if wake.send(wake_up).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}

/// The mouse events the app uses: a left click and the wheel (not moves,
/// drags or releases).
fn convert_mouse(mouse: MouseEvent) -> Option<RawMouse> {
    let kind = match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => MouseKind::Click,
        MouseEventKind::ScrollUp => MouseKind::WheelUp,
        MouseEventKind::ScrollDown => MouseKind::WheelDown,
        _ => return None,
    };
    Some(RawMouse {
        kind,
        column: mouse.column,
        row: mouse.row,
    })
}

/// Turns mouse reporting on or off: clicks and the wheel (1000), in the SGR
/// encoding (1006) that works past column 223. Not crossterm's
/// `EnableMouseCapture`, which also asks for every movement (1003): a flood
/// of events the app has no use for, over SSH too.
pub fn set_mouse_capture(on: bool) -> io::Result<()> {
    let sequence = if on {
        "\x1b[?1000h\x1b[?1006h"
    } else {
        "\x1b[?1006l\x1b[?1000l"
    };
    let mut out = stdout();
    io::Write::write_all(&mut out, sequence.as_bytes())?;
    io::Write::flush(&mut out)
}

/// The app's event for a terminal event; `None` for input the app does not
/// use (focus, key release; the mouse is converted on its own).
fn convert_event(event: CtEvent) -> Option<Event> {
    match event {
        CtEvent::Key(key) => convert_key(key).map(Event::Key),
        CtEvent::Paste(text) => Some(Event::Paste(text)),
        CtEvent::Resize(width, height) => Some(Event::Resize { width, height }),
        _ => None,
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back as it was. Safe to call any number of times, from
/// any place (the panic hook included); only the first call after
/// [`Tui::enter`] does anything.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = set_mouse_capture(false);
        let _ = execute!(
            stdout(),
            DisableBracketedPaste,
            LeaveAlternateScreen,
            crossterm::cursor::Show
        );
        let _ = disable_raw_mode();
    }
}

/// Installs color-eyre's error and panic reporting, with the panic hook
/// restoring the terminal before anything is printed. Idempotent; if another
/// error hook is already installed, that one is kept.
///
/// Panics inside redb are caught by the store and come back as "damaged
/// database" errors; the TUI keeps running through them, so for those the
/// terminal is left alone and the hook says nothing.
pub fn install_hooks() {
    HOOKS.call_once(|| {
        let (panic_hook, eyre_hook) = color_eyre::config::HookBuilder::default().into_hooks();
        let _ = eyre_hook.install();
        let panic_hook = panic_hook.into_panic_hook();
        std::panic::set_hook(Box::new(move |info| {
            if crate::store::storage_panic_is_being_caught() || super::worker::panic_is_being_caught() {
                return;
            }
            restore();
            panic_hook(info);
        }));
    });
}

/// Maps a crossterm key event to the app's [`Key`]; `None` for releases and
/// keys the app has no use for.
pub fn convert_key(key: KeyEvent) -> Option<Key> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    Some(match key.code {
        // Ctrl+Alt+char is how AltGr characters (e.g. `@` on a German
        // layout) arrive on some platforms: treat them as typed text.
        KeyCode::Char(c) if ctrl && alt => Key::Char(c),
        KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()),
        KeyCode::Char(_) if alt => return None,
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Tab if key.modifiers.contains(KeyModifiers::SHIFT) => Key::BackTab,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Delete => Key::Delete,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::F(n) => Key::F(n),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> Option<Key> {
        convert_key(KeyEvent::new(code, modifiers))
    }

    #[test]
    fn keys_convert_as_the_keymap_expects() {
        assert_eq!(key(KeyCode::Char('c'), KeyModifiers::CONTROL), Some(Key::Ctrl('c')));
        assert_eq!(key(KeyCode::Char('S'), KeyModifiers::SHIFT), Some(Key::Char('S')));
        assert_eq!(key(KeyCode::Char('生'), KeyModifiers::NONE), Some(Key::Char('生')));
        assert_eq!(key(KeyCode::BackTab, KeyModifiers::SHIFT), Some(Key::BackTab));
        assert_eq!(key(KeyCode::Char('x'), KeyModifiers::ALT), None);
        let release = KeyEvent::new_with_kind(KeyCode::Char('q'), KeyModifiers::NONE, KeyEventKind::Release);
        assert_eq!(convert_key(release), None);
    }
}
