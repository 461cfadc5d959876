use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use keydesk::cli::{self, Cli};
use keydesk::clipboard::{ClipboardSettings, Environment};
use keydesk::tui;
use time::UtcOffset;

fn main() -> ExitCode {
    // Read the local offset first, while the process has one thread: the
    // `time` crate refuses to read it later on Linux (it cannot do so soundly
    // once threads exist).
    let local_offset = UtcOffset::current_local_offset().ok();
    keydesk::hardening::protect_process_memory();
    quiet_caught_storage_panics();
    let cli = Cli::parse();
    match cli.command {
        Some(command) => cli::run(command, &cli.global, local_offset),
        None => run_tui(&cli.global, &cli.tui, local_offset),
    }
}

/// `keydesk` without a subcommand: the full-screen TUI.
fn run_tui(global: &cli::GlobalArgs, tui_args: &cli::TuiArgs, local_offset: Option<UtcOffset>) -> ExitCode {
    let store = match cli::open_store(global) {
        Ok(store) => store,
        Err(failure) => {
            eprintln!("keydesk: {}", failure.message);
            return failure.exit.into();
        }
    };
    let clipboard = ClipboardSettings {
        mode: tui_args.clipboard,
        clear_after: Duration::from_secs(tui_args.clear_clipboard_after),
    };
    let copy_handler = tui::TerminalClipboard::new(clipboard, &Environment::from_process());
    let options = tui::TuiOptions::new(global.utc_offset, local_offset).with_copy_handler(Box::new(copy_handler));
    match tui::run(store, options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(report) => {
            eprintln!("keydesk: {report:?}");
            ExitCode::FAILURE
        }
    }
}

/// The store turns a panic inside redb (a damaged file) into a clear "damaged"
/// error; the default hook would also print a confusing panic message first.
fn quiet_caught_storage_panics() {
    let next = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !keydesk::store::storage_panic_is_being_caught() {
            next(info);
        }
    }));
}
