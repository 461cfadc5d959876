//! The seam between the TUI and the clipboard. The TUI only asks for a copy and
//! shows the handler's answer; how copying works (system clipboard, OSC 52, …)
//! is the handler's business.

use std::io::Write;
use std::time::Instant;

use crate::clipboard::{Clipboard, ClipboardSettings, CopyKind, CopyOutcome, Environment};

/// What came of a copy request. The message is shown in the status bar as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyResult {
    /// Copied; the message says where to (e.g. "copied to the clipboard").
    Copied(String),
    /// Not copied; the message says why and how to copy by hand.
    Failed(String),
}

impl CopyResult {
    pub fn message(&self) -> &str {
        match self {
            CopyResult::Copied(m) | CopyResult::Failed(m) => m,
        }
    }

    pub fn is_copied(&self) -> bool {
        matches!(self, CopyResult::Copied(_))
    }
}

/// Copies text for the user. `is_secret` lets an implementation take extra care
/// (e.g. clear the clipboard after a while, or refuse an insecure channel).
pub trait CopyHandler {
    fn copy(&mut self, text: &str, is_secret: bool) -> CopyResult;

    /// Called about once a second from the event loop. A handler that clears
    /// the clipboard after a while does it here, and returns what to tell
    /// the user (e.g. "clipboard cleared").
    fn tick(&mut self) -> Option<String> {
        None
    }

    /// Called once on the way out (quit, or a signal that ends keydesk):
    /// performs a pending clear at once, since nothing clears after keydesk
    /// has gone. Returns what happened, like [`CopyHandler::tick`].
    fn clear_now(&mut self) -> Option<String> {
        None
    }

    /// When a pending clear is due, for the countdown in the status bar.
    fn next_clear_at(&self) -> Option<Instant> {
        None
    }
}

/// The handler used when no clipboard is available.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoClipboard;

impl CopyHandler for NoClipboard {
    fn copy(&mut self, _text: &str, is_secret: bool) -> CopyResult {
        CopyResult::Failed(if is_secret {
            tr!("clipboard-unavailable-secret")
        } else {
            tr!("clipboard-unavailable-id")
        })
    }
}

/// The real clipboard: [`crate::clipboard`] decides between the system
/// clipboard and OSC 52, which is written to stdout, the TUI's terminal.
/// Writing between frames is safe: OSC 52 moves no cursor and draws nothing.
pub struct TerminalClipboard {
    clipboard: Clipboard,
}

impl TerminalClipboard {
    pub fn new(settings: ClipboardSettings, environment: &Environment) -> Self {
        TerminalClipboard {
            clipboard: Clipboard::new(settings, environment),
        }
    }
}

impl CopyHandler for TerminalClipboard {
    fn copy(&mut self, text: &str, is_secret: bool) -> CopyResult {
        let kind = if is_secret {
            CopyKind::Secret
        } else {
            CopyKind::Identifier
        };
        let mut terminal = std::io::stdout().lock();
        let outcome = self.clipboard.copy(text, kind, Instant::now(), &mut terminal);
        let _ = terminal.flush();
        // A secret's outcome is shown in full in the secret dialog; an ID's
        // only in the one-line status bar, so it gets the brief form.
        let text = if is_secret { outcome.message() } else { outcome.brief() };
        match outcome {
            CopyOutcome::SystemClipboard { .. } | CopyOutcome::SentToTerminal { .. } => CopyResult::Copied(text),
            CopyOutcome::Disabled { .. } | CopyOutcome::Failed { .. } => CopyResult::Failed(text),
        }
    }

    fn tick(&mut self) -> Option<String> {
        let mut terminal = std::io::stdout().lock();
        let cleared = self.clipboard.tick(Instant::now(), &mut terminal);
        let _ = terminal.flush();
        cleared.map(|outcome| outcome.message())
    }

    fn next_clear_at(&self) -> Option<Instant> {
        self.clipboard.next_clear_at()
    }

    fn clear_now(&mut self) -> Option<String> {
        let mut terminal = std::io::stdout().lock();
        let cleared = self.clipboard.clear_pending(&mut terminal);
        let _ = terminal.flush();
        cleared.map(|outcome| outcome.message())
    }
}
