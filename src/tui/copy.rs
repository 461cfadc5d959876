//! The seam between the TUI and the clipboard. The TUI only asks for a copy and
//! shows the handler's answer; how copying works (system clipboard, OSC 52, …)
//! is the handler's business.

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
}

/// The handler used when no clipboard is available.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoClipboard;

impl CopyHandler for NoClipboard {
    fn copy(&mut self, _text: &str, is_secret: bool) -> CopyResult {
        CopyResult::Failed(if is_secret {
            "clipboard not available — select the key on screen to copy it by hand".to_owned()
        } else {
            "clipboard not available — select the text on screen to copy it by hand".to_owned()
        })
    }
}
