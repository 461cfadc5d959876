//! The non-interactive side of keydesk: subcommands for scripts and services.
//! Every command opens the store briefly, so all are safe beside a running TUI.

mod args;
pub mod audit_key;
mod commands;
mod exit;
mod help;
mod key_id;
mod lifecycle;
mod log;
#[cfg(feature = "postgres")]
mod migrate;
mod output;
mod parse_errors;
mod prompt;
mod store;
#[cfg(test)]
mod testing;

mod usage;
mod when;

use std::process::ExitCode;

use time::UtcOffset;

pub use args::{Cli, Command, ConfigAction, FromClap, GlobalArgs, Origin, TuiArgs, given};
pub use exit::{Exit, Failure};
pub use help::command;
pub use parse_errors::exit as exit_on_parse_error;
pub use prompt::confirm;
pub use store::{IfMissing, load_audit_key, open_store, postgres_url, store_path};

use crate::config::Settings;
use crate::domain::Interface;

/// Runs one subcommand and turns its outcome into an exit code, printing any
/// error to stderr as `keydesk: …`.
pub fn run(command: Command, settings: &Settings, local_offset: Option<UtcOffset>) -> ExitCode {
    match execute(command, settings, local_offset) {
        Ok(exit) => exit.into(),
        Err(failure) => {
            eprintln!("keydesk: {}", failure.message);
            failure.exit.into()
        }
    }
}

fn execute(command: Command, settings: &Settings, local_offset: Option<UtcOffset>) -> Result<Exit, Failure> {
    if let Command::Agreement = command {
        commands::agreement()?;
        return Ok(Exit::Ok);
    }
    if let Command::Config { action } = command {
        return config(action, settings);
    }
    #[cfg(feature = "postgres")]
    if let Command::Migrate { from, to } = &command {
        return migrate::run(from, to, settings);
    }
    // Only `create` makes a database; every other command needs one.
    let if_missing = match command {
        Command::Create { .. } => IfMissing::Create,
        _ => IfMissing::Refuse,
    };
    let interface = match command {
        #[cfg(feature = "serve")]
        Command::Serve(_) => Interface::Serve,
        _ => Interface::Cli,
    };
    let store = open_store(settings, if_missing, interface, key_file_use(&command))?;
    #[cfg(feature = "serve")]
    if let Command::Serve(args) = &command {
        return serve(args, store);
    }
    let offset = settings.utc_offset.value.or(local_offset).unwrap_or(UtcOffset::UTC);
    match command {
        Command::Verify { quiet, explain } => {
            let output = match (quiet, explain) {
                (true, _) => commands::VerifyOutput::Quiet,
                (false, true) => commands::VerifyOutput::Explain,
                (false, false) => commands::VerifyOutput::Normal,
            };
            let valid = commands::verify(store.as_ref(), output, offset)?;
            return Ok(if valid { Exit::Ok } else { Exit::Invalid });
        }
        Command::List {
            json,
            status,
            expiring_within,
        } => {
            let filter = commands::ListFilter {
                status,
                expiring_within,
            };
            commands::list(store.as_ref(), json, filter, offset)?
        }
        Command::Create {
            name,
            accept_terms,
            allow_duplicate_name,
            expires_in,
            expires_at,
        } => {
            let expiry = expiry_of(expires_in, expires_at, false);
            commands::create(store.as_ref(), &name, accept_terms, allow_duplicate_name, expiry)?
        }
        Command::Log {
            check: true, expect, ..
        } => return log::check(store.as_ref(), expect, Some(&settings.audit_key_file.value)),
        Command::Log { head: true, .. } => log::head(store.as_ref())?,
        Command::Log { key, since, json, .. } => {
            let request = log::LogRequest {
                key: key.as_deref(),
                since,
                json,
            };
            log::show(store.as_ref(), request, offset)?
        }
        Command::Usage { id, days, json } => usage::show(
            store.as_ref(),
            usage::UsageRequest {
                id: id.as_deref(),
                days,
                json,
            },
        )?,
        Command::Cleanup {
            unused_for,
            disable,
            delete,
            dry_run,
            yes,
            json,
        } => {
            let action = match (disable, delete) {
                (true, _) => usage::CleanupAction::Disable,
                (_, true) => usage::CleanupAction::Delete,
                _ => usage::CleanupAction::List,
            };
            let request = usage::CleanupRequest {
                unused_for,
                action,
                dry_run,
                yes,
                json,
            };
            usage::cleanup(store.as_ref(), request, offset)?
        }
        Command::Disable { id } => lifecycle::disable(store.as_ref(), &id)?,
        Command::Enable { id } => lifecycle::enable(store.as_ref(), &id)?,
        Command::Rotate { id, grace } => lifecycle::rotate(store.as_ref(), &id, grace, offset)?,
        Command::Expire {
            id,
            expires_in,
            expires_at,
            never,
        } => lifecycle::expire(store.as_ref(), &id, expiry_of(expires_in, expires_at, never), offset)?,
        Command::Rename {
            id,
            new_name,
            allow_duplicate_name,
        } => commands::rename(store.as_ref(), &id, &new_name, allow_duplicate_name)?,
        Command::Delete { id, yes } => commands::delete(store.as_ref(), &id, yes)?,
        Command::Agreement | Command::Config { .. } => unreachable!("handled above"),
        #[cfg(feature = "serve")]
        Command::Serve(_) => unreachable!("handled above"),
        #[cfg(feature = "postgres")]
        Command::Migrate { .. } => unreachable!("handled above"),
    }
    Ok(Exit::Ok)
}

/// Whether `command` needs the audit key: commands that change keys seal
/// their entries with it (making it on first use), `log` checks with it
/// when there is one, and the rest neither write nor check entries (`serve`
/// and `verify` record only Last Used and counts).
fn key_file_use(command: &Command) -> audit_key::KeyFile {
    use audit_key::KeyFile;
    match command {
        Command::Create { .. }
        | Command::Rename { .. }
        | Command::Delete { .. }
        | Command::Disable { .. }
        | Command::Enable { .. }
        | Command::Rotate { .. }
        | Command::Expire { .. }
        | Command::Cleanup { .. } => KeyFile::Create,
        Command::Log { .. } => KeyFile::IfPresent,
        _ => KeyFile::Unused,
    }
}

/// `keydesk serve`: runs until a signal; its failures map onto the exit codes.
#[cfg(feature = "serve")]
fn serve(args: &crate::serve::ServeArgs, store: std::sync::Arc<dyn crate::KeyStore>) -> Result<Exit, Failure> {
    use crate::serve::ServeError;
    crate::serve::run(args, store).map_err(|error| match error {
        ServeError::Usage(message) => Failure::usage(message),
        ServeError::Database(error) => Failure::from(error),
        ServeError::Listen(message) => Failure {
            exit: Exit::Listen,
            message,
        },
    })?;
    Ok(Exit::Ok)
}

/// The expiry named by `--in`/`--expires-in`, `--at`/`--expires-at` or
/// `--never` (clap lets at most one through); none of them: never.
fn expiry_of(
    expires_in: Option<time::Duration>,
    expires_at: Option<time::OffsetDateTime>,
    never: bool,
) -> lifecycle::Expiry {
    match (expires_in, expires_at) {
        _ if never => lifecycle::Expiry::Never,
        (Some(duration), _) => lifecycle::Expiry::In(duration),
        (None, Some(at)) => lifecycle::Expiry::At(at),
        (None, None) => lifecycle::Expiry::Never,
    }
}

/// `keydesk config path` and `keydesk config show`.
fn config(action: ConfigAction, settings: &Settings) -> Result<Exit, Failure> {
    let text = match action {
        ConfigAction::Path => format!("{}\n", settings.path.display()),
        ConfigAction::Show => crate::config::describe(settings),
    };
    std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes()).map_err(|e| Failure {
        exit: Exit::Output,
        message: tr!("cli-cannot-write-settings", error = e.to_string()),
    })?;
    Ok(Exit::Ok)
}
