//! The non-interactive side of keydesk: subcommands for scripts and services.
//! Every command opens the store briefly, so all are safe beside a running TUI.

mod args;
mod commands;
mod exit;
mod prompt;

use std::process::ExitCode;
use std::sync::Arc;

use time::UtcOffset;

pub use args::{Cli, Command, GlobalArgs, TuiArgs};
pub use exit::{EXIT_CODES_HELP, Exit};

use crate::{KeyStore, Store};
use exit::Failure;

/// Runs one subcommand and turns its outcome into an exit code, printing any
/// error to stderr as `keydesk: …`.
pub fn run(command: Command, global: &GlobalArgs, local_offset: Option<UtcOffset>) -> ExitCode {
    match execute(command, global, local_offset) {
        Ok(exit) => exit.into(),
        Err(failure) => {
            eprintln!("keydesk: {}", failure.message);
            failure.exit.into()
        }
    }
}

fn execute(command: Command, global: &GlobalArgs, local_offset: Option<UtcOffset>) -> Result<Exit, Failure> {
    if let Command::Agreement = command {
        commands::agreement()?;
        return Ok(Exit::Ok);
    }
    let store = open_store(global)?;
    let offset = global.utc_offset.or(local_offset).unwrap_or(UtcOffset::UTC);
    match command {
        Command::Verify { quiet } => {
            let valid = commands::verify(store.as_ref(), quiet)?;
            return Ok(if valid { Exit::Ok } else { Exit::Invalid });
        }
        Command::List { json } => commands::list(store.as_ref(), json, offset)?,
        Command::Create {
            name,
            accept_terms,
            allow_duplicate_name,
        } => commands::create(store.as_ref(), &name, accept_terms, allow_duplicate_name)?,
        Command::Rename {
            id,
            new_name,
            allow_duplicate_name,
        } => commands::rename(store.as_ref(), &id, &new_name, allow_duplicate_name)?,
        Command::Delete { id, yes } => commands::delete(store.as_ref(), &id, yes)?,
        Command::Agreement => unreachable!("handled above"),
    }
    Ok(Exit::Ok)
}

/// The database named by `--db`/`KEYDESK_DB`, or the default one.
pub fn open_store(global: &GlobalArgs) -> Result<Arc<dyn KeyStore>, Failure> {
    let path = match &global.db {
        Some(path) => path.clone(),
        None => Store::default_path()?,
    };
    Ok(Arc::new(Store::open(path)?))
}
