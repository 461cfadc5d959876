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
//! The module never touches the environment by itself: the decision is
//! made from an [`Environment`] snapshot.

mod clear;
mod osc52;
mod strategy;

pub use strategy::{Environment, Multiplexer, Strategy};

/// `--clipboard`: how copies reach the clipboard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
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

