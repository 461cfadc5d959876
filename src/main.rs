use std::process::ExitCode;

use clap::Parser;
use keydesk::cli::{self, Cli};
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
        None => {
            eprintln!("keydesk: the TUI is not built into this binary yet; see `keydesk --help` for commands");
            cli::Exit::Usage.into()
        }
    }
}

/// The store turns a panic inside redb (a damaged file) into a clear "damaged"
/// error; the default hook would also print a confusing panic message first.
fn quiet_caught_storage_panics() {
    let next = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !keydesk::store::is_caught_storage_panic(info) {
            next(info);
        }
    }));
}
