//! Copying keys and IDs to the *user's* clipboard, wherever the user is.
//!
//! keydesk is mostly used over SSH, where the machine's clipboard belongs to
//! the server and is useless (or absent). So a copy goes one of two ways:
//!
//! - **System clipboard** (`arboard`) on a local desktop: a display is
//!   present and this is not an SSH session.
//! - **OSC 52** otherwise: an escape sequence asking the user's terminal
//!   emulator to set *its* clipboard, wrapped as tmux or GNU screen need.
//!   The terminal never answers, so the outcome says the copy was *sent*,
//!   not that it worked.
//!
//! Copied secrets are cleared again after a delay, but only if the
//! clipboard still holds them (see [`Clipboard::tick`]).
//!
//! The module never touches stdout or the environment by itself: the caller
//! passes the terminal writer and an [`Environment`] snapshot.
//!
//! ```no_run
//! use std::time::Instant;
//! use keydesk::clipboard::{Clipboard, ClipboardSettings, CopyKind, Environment};
//!
//! let mut clipboard = Clipboard::new(ClipboardSettings::default(), &Environment::from_process());
//! let mut stdout = std::io::stdout();
//! let outcome = clipboard.copy("sk-…", CopyKind::Secret, Instant::now(), &mut stdout);
//! println!("{}", outcome.message());
//! // …then, from the event loop:
//! if let Some(cleared) = clipboard.tick(Instant::now(), &mut stdout) {
//!     println!("{}", cleared.message());
//! }
//! ```

mod clear;
mod osc52;
mod outcome;
mod strategy;
mod system;

use std::fmt;
use std::io::{self, Write};
use std::time::{Duration, Instant};

use clear::{ClearTarget, ClearTimer, Fingerprint};

pub use outcome::{ClearOutcome, CopyOutcome};
pub use strategy::{Environment, Multiplexer, Strategy};
pub use system::{ArboardClipboard, SystemClipboard, SystemClipboardError};

/// How long a copied secret stays on the clipboard unless configured.
pub const DEFAULT_CLEAR_AFTER: Duration = Duration::from_secs(30);

/// `--clipboard`: how copies reach the clipboard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClipboardMode {
    /// System clipboard on a local desktop, OSC 52 over SSH or without a display.
    #[default]
    Auto,
    /// Always the system clipboard (it fails over SSH without a display).
    System,
    /// Always OSC 52 through the terminal.
    Osc52,
    /// Never copy; select the text on screen instead.
    Off,
}

impl ClipboardMode {
    /// Every mode with its name on the command line and in settings.
    pub const NAMES: [(&'static str, ClipboardMode); 4] = [
        ("auto", ClipboardMode::Auto),
        ("system", ClipboardMode::System),
        ("osc52", ClipboardMode::Osc52),
        ("off", ClipboardMode::Off),
    ];

    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, mode)| *mode == self)
            .map_or("auto", |(name, _)| name)
    }
}

impl std::str::FromStr for ClipboardMode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::NAMES
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, mode)| *mode)
            .ok_or_else(|| tr!("clipboard-unknown-mode", mode = format!("{text:?}")))
    }
}

/// What is being copied; secrets are handled more carefully than IDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyKind {
    /// An API key's secret: cleared after a delay and kept out of
    /// clipboard-manager history.
    Secret,
    /// A key's ID: not sensitive, left on the clipboard.
    Identifier,
}

impl CopyKind {
    /// The kind as the messages choose their words by (`$kind`).
    fn tag(self) -> &'static str {
        match self {
            CopyKind::Secret => "secret",
            CopyKind::Identifier => "id",
        }
    }
}

/// The user's clipboard preferences, usually from the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClipboardSettings {
    /// How copies travel.
    pub mode: ClipboardMode,
    /// How long a copied secret stays before it is cleared; zero means never.
    pub clear_after: Duration,
}

impl Default for ClipboardSettings {
    fn default() -> Self {
        Self {
            mode: ClipboardMode::Auto,
            clear_after: DEFAULT_CLEAR_AFTER,
        }
    }
}

type OpenSystem = fn() -> Result<Box<dyn SystemClipboard>, SystemClipboardError>;

fn open_arboard() -> Result<Box<dyn SystemClipboard>, SystemClipboardError> {
    Ok(Box::new(ArboardClipboard::open()?))
}

/// The app's single clipboard, kept for the app's whole life.
///
/// It owns the system clipboard handle once opened, because on X11 the copied
/// text disappears when its owner does, and it holds the pending clear.
pub struct Clipboard {
    strategy: Strategy,
    clear_after: Duration,
    system: Option<Box<dyn SystemClipboard>>,
    open_system: OpenSystem,
    timer: ClearTimer,
}

impl Clipboard {
    /// A clipboard for `settings` in `env`. The system clipboard is opened on
    /// the first copy that needs it, so starting keydesk over SSH never
    /// touches an X server.
    pub fn new(settings: ClipboardSettings, env: &Environment) -> Self {
        Self {
            strategy: Strategy::choose(settings.mode, env),
            clear_after: settings.clear_after,
            system: None,
            open_system: open_arboard,
            timer: ClearTimer::default(),
        }
    }

    /// Like [`Clipboard::new`] with a given system clipboard instead of
    /// `arboard`: for tests, or an embedding that has its own.
    pub fn with_system_clipboard(
        settings: ClipboardSettings,
        env: &Environment,
        system: Box<dyn SystemClipboard>,
    ) -> Self {
        Self {
            system: Some(system),
            ..Self::new(settings, env)
        }
    }

    /// How copies are delivered, as chosen from the settings and environment.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// Copies `text`, writing any OSC 52 sequence to `terminal` (normally the
    /// TUI's stdout, between frames). `now` starts the clear delay of a secret.
    ///
    /// A successful copy replaces whatever the clipboard held, so it also
    /// replaces the pending clear of an earlier secret.
    pub fn copy<W: Write + ?Sized>(
        &mut self,
        text: &str,
        kind: CopyKind,
        now: Instant,
        terminal: &mut W,
    ) -> CopyOutcome {
        match self.strategy {
            Strategy::Off => CopyOutcome::Disabled { kind },
            Strategy::SystemOnly => match self.copy_to_system(text, kind) {
                Ok(ends_with_app) => self.system_copied(text, kind, now, ends_with_app),
                Err(error) => CopyOutcome::Failed {
                    kind,
                    reason: tr!("clipboard-system-failed", error = error.to_string()),
                },
            },
            Strategy::SystemThenTerminal(multiplexer) => match self.copy_to_system(text, kind) {
                Ok(ends_with_app) => self.system_copied(text, kind, now, ends_with_app),
                Err(error) => self.copy_to_terminal(text, kind, multiplexer, now, terminal, Some(error)),
            },
            Strategy::Terminal(multiplexer) => self.copy_to_terminal(text, kind, multiplexer, now, terminal, None),
        }
    }

    /// Call from the event loop (every tick, or at [`Clipboard::next_clear_at`]):
    /// performs a clear once it is due and says what happened.
    ///
    /// The system clipboard is read back first and cleared only if it still
    /// holds the secret. A terminal cannot be read back, so it is sent an
    /// empty selection — which is why this only happens while keydesk runs.
    pub fn tick<W: Write + ?Sized>(&mut self, now: Instant, terminal: &mut W) -> Option<ClearOutcome> {
        let target = self.timer.take_due(now)?;
        Some(self.clear(target, terminal))
    }

    /// Performs the pending clear now, due or not: call it on the way out
    /// (quit, a terminating signal), since nothing clears after keydesk.
    pub fn clear_pending<W: Write + ?Sized>(&mut self, terminal: &mut W) -> Option<ClearOutcome> {
        let target = self.timer.take()?;
        Some(self.clear(target, terminal))
    }

    fn clear<W: Write + ?Sized>(&mut self, target: ClearTarget, terminal: &mut W) -> ClearOutcome {
        match target {
            ClearTarget::System(fingerprint) => self.clear_system(&fingerprint),
            ClearTarget::Terminal(multiplexer) => match write_sequence(terminal, &osc52::clear_sequence(multiplexer)) {
                Ok(()) => ClearOutcome::SentToTerminal { multiplexer },
                Err(error) => ClearOutcome::Failed {
                    reason: tr!("clipboard-terminal-failed", error = error.to_string()),
                },
            },
        }
    }

    /// When the pending clear is due, so the event loop can wake up for it.
    pub fn next_clear_at(&self) -> Option<Instant> {
        self.timer.deadline()
    }

    /// Sets the text on the system clipboard, opening it if needed. Returns
    /// whether the copy ends with the process.
    fn copy_to_system(&mut self, text: &str, kind: CopyKind) -> Result<bool, SystemClipboardError> {
        if self.system.is_none() {
            self.system = Some((self.open_system)()?);
        }
        let system = self.system.as_mut().expect("opened just above");
        system.set_text(text, kind == CopyKind::Secret)?;
        Ok(system.content_ends_with_process())
    }

    fn system_copied(&mut self, text: &str, kind: CopyKind, now: Instant, ends_with_app: bool) -> CopyOutcome {
        let clears_after = self.schedule_clear(kind, now, || ClearTarget::System(Fingerprint::of(text)));
        CopyOutcome::SystemClipboard {
            kind,
            clears_after,
            ends_with_app,
        }
    }

    fn copy_to_terminal<W: Write + ?Sized>(
        &mut self,
        text: &str,
        kind: CopyKind,
        multiplexer: Multiplexer,
        now: Instant,
        terminal: &mut W,
        system_error: Option<SystemClipboardError>,
    ) -> CopyOutcome {
        let sequence = osc52::set_sequence(text.as_bytes(), multiplexer);
        if let Err(error) = write_sequence(terminal, &sequence) {
            let reason = match system_error {
                Some(system_error) => tr!(
                    "clipboard-both-failed",
                    system = system_error.to_string(),
                    terminal = error.to_string()
                ),
                None => tr!("clipboard-terminal-failed", error = error.to_string()),
            };
            return CopyOutcome::Failed { kind, reason };
        }
        let clears_after = self.schedule_clear(kind, now, || ClearTarget::Terminal(multiplexer));
        CopyOutcome::SentToTerminal {
            kind,
            multiplexer,
            clears_after,
            system_error,
        }
    }

    /// After a successful copy: drop the old pending clear, and arm a new one
    /// for a secret. Returns the delay actually armed.
    fn schedule_clear(
        &mut self,
        kind: CopyKind,
        now: Instant,
        target: impl FnOnce() -> ClearTarget,
    ) -> Option<Duration> {
        self.timer.disarm();
        if kind != CopyKind::Secret {
            return None;
        }
        self.timer.arm(now, self.clear_after, target());
        self.timer.deadline().map(|_| self.clear_after)
    }

    fn clear_system(&mut self, fingerprint: &Fingerprint) -> ClearOutcome {
        let Some(system) = self.system.as_mut() else {
            return ClearOutcome::Failed {
                reason: tr!("clipboard-system-not-open"),
            };
        };
        match system.get_text() {
            Ok(Some(current)) if fingerprint.matches(&current) => match system.clear() {
                Ok(()) => ClearOutcome::Cleared,
                Err(error) => ClearOutcome::Failed {
                    reason: error.to_string(),
                },
            },
            Ok(_) => ClearOutcome::LeftAlone,
            Err(error) => ClearOutcome::Failed {
                reason: tr!("clipboard-read-back-failed", error = error.to_string()),
            },
        }
    }
}

impl fmt::Debug for Clipboard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Clipboard")
            .field("strategy", &self.strategy)
            .field("clear_after", &self.clear_after)
            .field("system_open", &self.system.is_some())
            .field("next_clear_at", &self.timer.deadline())
            .finish()
    }
}

fn write_sequence<W: Write + ?Sized>(terminal: &mut W, sequence: &[u8]) -> io::Result<()> {
    terminal.write_all(sequence)?;
    terminal.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    const KEY: &str = "sk-9fQx2LmT7vR4sY8wZ1aB3cD5eF6gH0jK3KbiRv";
    const DELAY: Duration = Duration::from_secs(30);

    /// What the fake system clipboard holds and what was done to it.
    #[derive(Debug, Default)]
    struct FakeState {
        content: Option<String>,
        sensitive: Vec<bool>,
        clears: usize,
        fail_set: bool,
        fail_get: bool,
    }

    /// A system clipboard in memory; the test keeps a handle on its state to
    /// play the user copying something else.
    #[derive(Clone, Default)]
    struct FakeClipboard(Arc<Mutex<FakeState>>);

    impl FakeClipboard {
        fn state(&self) -> std::sync::MutexGuard<'_, FakeState> {
            self.0.lock().unwrap()
        }
    }

    impl SystemClipboard for FakeClipboard {
        fn set_text(&mut self, text: &str, sensitive: bool) -> Result<(), SystemClipboardError> {
            let mut state = self.state();
            if state.fail_set {
                return Err(SystemClipboardError::new("no X server"));
            }
            state.content = Some(text.to_owned());
            state.sensitive.push(sensitive);
            Ok(())
        }

        fn get_text(&mut self) -> Result<Option<zeroize::Zeroizing<String>>, SystemClipboardError> {
            let state = self.state();
            if state.fail_get {
                return Err(SystemClipboardError::new("read failed"));
            }
            Ok(state.content.clone().map(zeroize::Zeroizing::new))
        }

        fn clear(&mut self) -> Result<(), SystemClipboardError> {
            let mut state = self.state();
            state.content = None;
            state.clears += 1;
            Ok(())
        }

        fn content_ends_with_process(&self) -> bool {
            true
        }
    }

    fn desktop() -> Environment {
        Environment {
            display: Some(":0".to_owned()),
            ..Environment::default()
        }
    }

    fn ssh_in_tmux() -> Environment {
        Environment {
            ssh_connection: Some("192.0.2.7 53422 192.0.2.1 22".to_owned()),
            tmux: Some("/tmp/tmux-1000/default,4242,0".to_owned()),
            ..Environment::default()
        }
    }

    fn settings(mode: ClipboardMode, clear_after: Duration) -> ClipboardSettings {
        ClipboardSettings { mode, clear_after }
    }

    fn with_fake(mode: ClipboardMode, clear_after: Duration, env: &Environment) -> (Clipboard, FakeClipboard) {
        let fake = FakeClipboard::default();
        let clipboard = Clipboard::with_system_clipboard(settings(mode, clear_after), env, Box::new(fake.clone()));
        (clipboard, fake)
    }

    #[test]
    fn defaults_are_auto_and_thirty_seconds() {
        let defaults = ClipboardSettings::default();
        assert_eq!(defaults.mode, ClipboardMode::Auto);
        assert_eq!(defaults.clear_after, Duration::from_secs(30));
    }

    #[test]
    fn mode_parses_from_the_command_line_names() {
        for (name, mode) in [
            ("auto", ClipboardMode::Auto),
            ("system", ClipboardMode::System),
            ("osc52", ClipboardMode::Osc52),
            ("off", ClipboardMode::Off),
        ] {
            assert_eq!(name.parse(), Ok(mode));
            assert_eq!(mode.name(), name);
        }
        assert!("clipbaord".parse::<ClipboardMode>().unwrap_err().contains("osc52"));
    }

    #[test]
    fn desktop_copy_goes_to_the_system_clipboard() {
        let (mut clipboard, fake) = with_fake(ClipboardMode::Auto, DELAY, &desktop());
        let mut terminal = Vec::new();
        let outcome = clipboard.copy(KEY, CopyKind::Secret, Instant::now(), &mut terminal);
        assert_eq!(
            outcome,
            CopyOutcome::SystemClipboard {
                kind: CopyKind::Secret,
                clears_after: Some(DELAY),
                ends_with_app: true,
            }
        );
        assert_eq!(fake.state().content.as_deref(), Some(KEY));
        assert_eq!(fake.state().sensitive, [true]);
        assert!(terminal.is_empty(), "nothing goes to the terminal");
    }

    #[test]
    fn system_clear_fires_after_the_delay_not_before() {
        let start = Instant::now();
        let (mut clipboard, fake) = with_fake(ClipboardMode::Auto, DELAY, &desktop());
        let mut terminal = Vec::new();
        let _ = clipboard.copy(KEY, CopyKind::Secret, start, &mut terminal);
        assert_eq!(clipboard.next_clear_at(), Some(start + DELAY));

        assert_eq!(
            clipboard.tick(start + DELAY - Duration::from_millis(1), &mut terminal),
            None
        );
        assert_eq!(fake.state().content.as_deref(), Some(KEY));

        assert_eq!(
            clipboard.tick(start + DELAY, &mut terminal),
            Some(ClearOutcome::Cleared)
        );
        assert_eq!(fake.state().content, None);
        assert_eq!(clipboard.tick(start + DELAY * 2, &mut terminal), None, "fires once");
        assert!(terminal.is_empty());
    }

    #[test]
    fn system_clear_leaves_a_changed_clipboard_alone() {
        let start = Instant::now();
        let (mut clipboard, fake) = with_fake(ClipboardMode::Auto, DELAY, &desktop());
        let _ = clipboard.copy(KEY, CopyKind::Secret, start, &mut Vec::new());
        fake.state().content = Some("something the user copied since".to_owned());

        assert_eq!(
            clipboard.tick(start + DELAY, &mut Vec::new()),
            Some(ClearOutcome::LeftAlone)
        );
        assert_eq!(fake.state().content.as_deref(), Some("something the user copied since"));
        assert_eq!(fake.state().clears, 0);
    }

    #[test]
    fn system_clear_leaves_an_emptied_clipboard_alone() {
        let start = Instant::now();
        let (mut clipboard, fake) = with_fake(ClipboardMode::Auto, DELAY, &desktop());
        let _ = clipboard.copy(KEY, CopyKind::Secret, start, &mut Vec::new());
        fake.state().content = None;
        assert_eq!(
            clipboard.tick(start + DELAY, &mut Vec::new()),
            Some(ClearOutcome::LeftAlone)
        );
        assert_eq!(fake.state().clears, 0);
    }

    #[test]
    fn system_clear_does_not_clear_what_it_cannot_read() {
        let start = Instant::now();
        let (mut clipboard, fake) = with_fake(ClipboardMode::Auto, DELAY, &desktop());
        let _ = clipboard.copy(KEY, CopyKind::Secret, start, &mut Vec::new());
        fake.state().fail_get = true;
        let outcome = clipboard.tick(start + DELAY, &mut Vec::new());
        assert!(matches!(outcome, Some(ClearOutcome::Failed { .. })), "{outcome:?}");
        assert_eq!(fake.state().clears, 0);
    }

    #[test]
    fn zero_delay_never_clears() {
        let start = Instant::now();
        let (mut clipboard, fake) = with_fake(ClipboardMode::Auto, Duration::ZERO, &desktop());
        let outcome = clipboard.copy(KEY, CopyKind::Secret, start, &mut Vec::new());
        assert!(matches!(
            outcome,
            CopyOutcome::SystemClipboard { clears_after: None, .. }
        ));
        assert_eq!(clipboard.next_clear_at(), None);
        assert_eq!(
            clipboard.tick(start + Duration::from_secs(86_400), &mut Vec::new()),
            None
        );
        assert_eq!(fake.state().content.as_deref(), Some(KEY));
    }

    #[test]
    fn identifiers_are_neither_cleared_nor_marked_sensitive() {
        let start = Instant::now();
        let (mut clipboard, fake) = with_fake(ClipboardMode::Auto, DELAY, &desktop());
        let outcome = clipboard.copy("key_01HZX", CopyKind::Identifier, start, &mut Vec::new());
        assert!(matches!(
            outcome,
            CopyOutcome::SystemClipboard { clears_after: None, .. }
        ));
        assert_eq!(fake.state().sensitive, [false]);
        assert_eq!(clipboard.next_clear_at(), None);
    }

    #[test]
    fn failing_system_clipboard_falls_back_to_osc52() {
        let start = Instant::now();
        let (mut clipboard, fake) = with_fake(ClipboardMode::Auto, DELAY, &desktop());
        fake.state().fail_set = true;
        let mut terminal = Vec::new();
        let outcome = clipboard.copy(KEY, CopyKind::Secret, start, &mut terminal);
        assert_eq!(
            outcome,
            CopyOutcome::SentToTerminal {
                kind: CopyKind::Secret,
                multiplexer: Multiplexer::Absent,
                clears_after: Some(DELAY),
                system_error: Some(SystemClipboardError::new("no X server")),
            }
        );
        assert_eq!(terminal, &osc52::set_sequence(KEY.as_bytes(), Multiplexer::Absent)[..]);

        terminal.clear();
        assert_eq!(
            clipboard.tick(start + DELAY, &mut terminal),
            Some(ClearOutcome::SentToTerminal {
                multiplexer: Multiplexer::Absent
            })
        );
        assert_eq!(terminal, b"\x1b]52;c;\x07");
    }

    #[test]
    fn unopenable_system_clipboard_falls_back_to_osc52() {
        let mut clipboard = Clipboard::new(settings(ClipboardMode::Auto, DELAY), &desktop());
        clipboard.open_system = || Err(SystemClipboardError::new("cannot connect to :0"));
        let mut terminal = Vec::new();
        let outcome = clipboard.copy(KEY, CopyKind::Secret, Instant::now(), &mut terminal);
        assert!(matches!(
            outcome,
            CopyOutcome::SentToTerminal {
                system_error: Some(_),
                ..
            }
        ));
        assert!(!terminal.is_empty());
    }

    #[test]
    fn forced_system_mode_reports_failure_instead_of_falling_back() {
        let (mut clipboard, fake) = with_fake(ClipboardMode::System, DELAY, &ssh_in_tmux());
        fake.state().fail_set = true;
        let mut terminal = Vec::new();
        let outcome = clipboard.copy(KEY, CopyKind::Secret, Instant::now(), &mut terminal);
        assert!(matches!(outcome, CopyOutcome::Failed { .. }), "{outcome:?}");
        assert!(outcome.message().contains("no X server"));
        assert!(terminal.is_empty());
        assert_eq!(clipboard.next_clear_at(), None);
    }

    #[test]
    fn ssh_in_tmux_writes_the_tmux_sequence() {
        let start = Instant::now();
        let (mut clipboard, fake) = with_fake(ClipboardMode::Auto, DELAY, &ssh_in_tmux());
        let mut terminal = Vec::new();
        let outcome = clipboard.copy(KEY, CopyKind::Secret, start, &mut terminal);
        assert_eq!(
            outcome,
            CopyOutcome::SentToTerminal {
                kind: CopyKind::Secret,
                multiplexer: Multiplexer::Tmux,
                clears_after: Some(DELAY),
                system_error: None,
            }
        );
        assert_eq!(terminal, &osc52::set_sequence(KEY.as_bytes(), Multiplexer::Tmux)[..]);
        assert_eq!(fake.state().content, None, "the server's clipboard is not used");

        terminal.clear();
        assert_eq!(
            clipboard.tick(start + DELAY - Duration::from_secs(1), &mut terminal),
            None
        );
        assert!(terminal.is_empty());
        let _ = clipboard.tick(start + DELAY, &mut terminal);
        assert_eq!(terminal, &osc52::clear_sequence(Multiplexer::Tmux)[..]);
    }

    #[test]
    fn a_new_copy_cancels_the_pending_terminal_clear() {
        let start = Instant::now();
        let (mut clipboard, _) = with_fake(ClipboardMode::Osc52, DELAY, &Environment::default());
        let mut terminal = Vec::new();
        let _ = clipboard.copy(KEY, CopyKind::Secret, start, &mut terminal);
        let _ = clipboard.copy("key_01HZX", CopyKind::Identifier, start + DELAY / 2, &mut terminal);
        terminal.clear();
        assert_eq!(clipboard.tick(start + DELAY, &mut terminal), None);
        assert!(terminal.is_empty(), "the ID the user just copied is not wiped");
    }

    #[test]
    fn off_copies_nothing() {
        let (mut clipboard, fake) = with_fake(ClipboardMode::Off, DELAY, &desktop());
        let mut terminal = Vec::new();
        let outcome = clipboard.copy(KEY, CopyKind::Secret, Instant::now(), &mut terminal);
        assert_eq!(outcome, CopyOutcome::Disabled { kind: CopyKind::Secret });
        assert!(outcome.message().contains("select the key on screen"));
        assert!(terminal.is_empty());
        assert_eq!(fake.state().content, None);
        assert_eq!(clipboard.next_clear_at(), None);
    }

    #[test]
    fn terminal_write_failure_is_reported_and_nothing_is_scheduled() {
        struct BrokenTerminal;
        impl Write for BrokenTerminal {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::BrokenPipe, "broken pipe"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let (mut clipboard, _) = with_fake(ClipboardMode::Osc52, DELAY, &Environment::default());
        let outcome = clipboard.copy(KEY, CopyKind::Secret, Instant::now(), &mut BrokenTerminal);
        assert!(matches!(outcome, CopyOutcome::Failed { .. }), "{outcome:?}");
        assert!(outcome.message().contains("broken pipe"));
        assert_eq!(clipboard.next_clear_at(), None);
    }

    #[test]
    fn system_handle_is_opened_once_and_kept() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static OPENED: AtomicUsize = AtomicUsize::new(0);
        let mut clipboard = Clipboard::new(settings(ClipboardMode::Auto, DELAY), &desktop());
        clipboard.open_system = || {
            OPENED.fetch_add(1, Ordering::SeqCst);
            Ok(Box::new(FakeClipboard::default()))
        };
        let _ = clipboard.copy(KEY, CopyKind::Secret, Instant::now(), &mut Vec::new());
        let _ = clipboard.copy("key_01HZX", CopyKind::Identifier, Instant::now(), &mut Vec::new());
        assert_eq!(OPENED.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn real_arboard_without_a_display_falls_back() {
        // Runs only where no display exists (CI, SSH); on a desktop it would
        // really copy, which a test must not do.
        let real = Environment::from_process();
        if !cfg!(target_os = "linux") || real.has_display() {
            return;
        }
        let mut clipboard = Clipboard::new(settings(ClipboardMode::Auto, DELAY), &desktop());
        let mut terminal = Vec::new();
        let outcome = clipboard.copy("key_01HZX", CopyKind::Identifier, Instant::now(), &mut terminal);
        assert!(
            matches!(
                outcome,
                CopyOutcome::SentToTerminal {
                    system_error: Some(_),
                    ..
                }
            ),
            "{outcome:?}"
        );
    }
}
