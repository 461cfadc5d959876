use std::process::ExitCode;

use clap::Parser;
use keydesk::cli::{self, Cli};
use time::UtcOffset;

fn main() -> ExitCode {
    // Read the local offset first, while the process has one thread: the
    // `time` crate refuses to read it later on Linux (it cannot do so soundly
    // once threads exist).
    let local_offset = UtcOffset::current_local_offset().ok();
    let cli = Cli::parse();
    match cli.command {
        Some(command) => cli::run(command, &cli.global, local_offset),
        None => {
            eprintln!(
                "keydesk: the TUI is not built into this binary yet; see `keydesk --help` for commands"
            );
            cli::Exit::Usage.into()
        }
    }
}
