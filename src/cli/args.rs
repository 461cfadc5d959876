//! The command line, as clap sees it. `keydesk` alone starts the TUI; each
//! subcommand is a non-interactive operation for scripts and services.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use time::UtcOffset;

use super::exit::EXIT_CODES_HELP;
use crate::clipboard::ClipboardMode;
use crate::display::parse_offset;

#[derive(Debug, Parser)]
#[command(
    name = "keydesk",
    version,
    about = "Manage the API keys of an AI service: a full-screen TUI, and a CLI for scripts",
    long_about = "Manage the API keys of an AI service.\n\nRun without a subcommand to open the full-screen TUI. The subcommands are for scripts and services; they are safe to run while the TUI is open.",
    after_help = EXIT_CODES_HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(flatten)]
    pub tui: TuiArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Database file [default: the user's data directory, e.g. ~/.local/share/keydesk/keydesk.redb]
    #[arg(long, global = true, env = "KEYDESK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Show times in this offset, e.g. +08:00 [default: the system's local offset]
    #[arg(long, global = true, value_name = "±HH:MM", value_parser = parse_offset, allow_hyphen_values = true)]
    pub utc_offset: Option<UtcOffset>,
}

/// Options of the TUI (`keydesk` without a subcommand).
#[derive(Debug, Args)]
pub struct TuiArgs {
    /// How copies reach your clipboard: `auto` uses the system clipboard on a local desktop and
    /// your terminal (OSC 52) over SSH or without a display
    #[arg(long, value_enum, default_value_t = ClipboardMode::Auto, value_name = "MODE")]
    pub clipboard: ClipboardMode,

    /// Clear a copied key from the clipboard after this many seconds, if it is still there (0: never)
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub clear_clipboard_after: u64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a key read from standard input (never from arguments: those are visible in `ps`).
    ///
    /// Prints the key's ID and exits 0 if it is live; prints `invalid` and exits 1 otherwise
    /// (the same answer for malformed, unknown and deleted keys). Records Last Used, at most once
    /// per key per minute.
    Verify {
        /// Print nothing; the exit code is the answer.
        #[arg(long, short)]
        quiet: bool,
    },

    /// List keys: name, ID, masked key, created at, last used.
    List {
        /// A stable JSON array (RFC 3339 UTC times; `null` for never used) instead of a table.
        #[arg(long)]
        json: bool,
    },

    /// Create a key. Prints only the secret on stdout, so `KEY=$(keydesk create …)` works.
    ///
    /// The ID and masked key go to stderr. The secret is shown this once and never again.
    Create {
        /// 2–64 characters: Chinese characters, letters, digits, _ or -.
        #[arg(long)]
        name: String,

        /// Confirm you have read the agreement (`keydesk agreement`) and understand the risks.
        #[arg(long)]
        accept_terms: bool,
    },

    /// Rename a key.
    Rename {
        /// The key's ID (ak-…).
        id: String,
        /// 2–64 characters: Chinese characters, letters, digits, _ or -.
        new_name: String,
    },

    /// Delete a key. Applications using it can no longer call the service.
    Delete {
        /// The key's ID (ak-…).
        id: String,

        /// Do not ask for confirmation (required when stdin is not a terminal).
        #[arg(long, short)]
        yes: bool,
    },

    /// Print the API key agreement that `create --accept-terms` refers to.
    Agreement,
}

/// clap's view of [`ClipboardMode`], kept here so the clipboard module does not
/// depend on the command-line parser.
impl clap::ValueEnum for ClipboardMode {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            ClipboardMode::Auto,
            ClipboardMode::System,
            ClipboardMode::Osc52,
            ClipboardMode::Off,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let help = match self {
            ClipboardMode::Auto => "system clipboard on a local desktop, OSC 52 over SSH or without a display",
            ClipboardMode::System => "always the system clipboard (fails over SSH without a display)",
            ClipboardMode::Osc52 => "always OSC 52 through the terminal",
            ClipboardMode::Off => "never copy; select the text on screen instead",
        };
        Some(clap::builder::PossibleValue::new(self.name()).help(help))
    }
}
