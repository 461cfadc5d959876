//! The non-interactive side of keydesk: subcommands for scripts and services.
//! Every command opens the store briefly, so all are safe beside a running TUI.

mod args;
pub mod audit_key;
mod budget_json;
mod commands;
mod exit;
mod gateway;
mod help;
mod key_id;
mod lifecycle;
mod limit;
mod log;
#[cfg(feature = "postgres")]
mod migrate;
mod output;
mod parse_errors;
mod prompt;
#[cfg(feature = "serve")]
mod serve_args;
mod store;
#[cfg(test)]
mod testing;

mod usage;
mod usage_tokens;
mod when;

use std::path::Path;
use std::process::ExitCode;

use time::UtcOffset;

pub use args::{Cli, Command, ConfigAction, FromClap, GlobalArgs, Origin, PolicyArgs, StoreCommand, TuiArgs, given};
pub use exit::{Exit, Failure};
pub use help::command;
pub use parse_errors::exit as exit_on_parse_error;
pub use prompt::confirm;
pub use store::{IfMissing, load_audit_key, open_store, postgres_url, store_path};

use crate::KeyStore;
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

/// Runs `command` with what it needs: `agreement`, `config` and `gateway` no database,
/// the store commands the one the settings name (opened in [`on_store`]),
/// `serve` that one too, without the audit key, and `migrate` two of its own.
fn execute(command: Command, settings: &Settings, local_offset: Option<UtcOffset>) -> Result<Exit, Failure> {
    match command {
        Command::Store(command) => on_store(command, settings, local_offset),
        Command::Agreement => {
            commands::agreement()?;
            Ok(Exit::Ok)
        }
        Command::Config { action } => config(action, settings),
        Command::Gateway(args) => {
            gateway::run(&args)?;
            Ok(Exit::Ok)
        }
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve(args, settings, local_offset),
        #[cfg(feature = "postgres")]
        Command::Migrate { from, to } => migrate::run(&from, &to, settings),
    }
}

/// Opens the database (only `create` may make it) and runs `command` on it.
fn on_store(command: StoreCommand, settings: &Settings, local_offset: Option<UtcOffset>) -> Result<Exit, Failure> {
    let if_missing = match command {
        StoreCommand::Create { .. } => IfMissing::Create,
        _ => IfMissing::Refuse,
    };
    let store = open_store(settings, if_missing, Interface::Cli, key_file_use(&command))?;
    let offset = settings.utc_offset.value.or(local_offset).unwrap_or(UtcOffset::UTC);
    let view = Where {
        offset,
        prices: settings.prices.as_ref(),
    };
    run_on(store.as_ref(), command, view, &settings.audit_key_file.value)
}

/// The settings a store command shows things in: times at `offset`, spend
/// in `prices`' currency.
#[derive(Clone, Copy)]
struct Where<'a> {
    offset: UtcOffset,
    prices: Option<&'a crate::domain::prices::PriceList>,
}

/// Runs `command` on `store`, showing times at `offset`; `log --check` checks
/// the seals with the key in `key_file` when there is one.
fn run_on(store: &dyn KeyStore, command: StoreCommand, view: Where, key_file: &Path) -> Result<Exit, Failure> {
    let Where { offset, prices } = view;
    let budgets = |now| budget_json::BudgetView { now, offset, prices };
    match command {
        StoreCommand::Verify { quiet, explain } => return verify(store, quiet, explain, offset),
        StoreCommand::List {
            json,
            status,
            expiring_within,
        } => {
            let filter = commands::ListFilter {
                status,
                expiring_within,
            };
            commands::list(store, json, filter, offset, budgets)?
        }
        StoreCommand::Create {
            name,
            accept_terms,
            allow_duplicate_name,
            expires_in,
            expires_at,
            policy,
        } => {
            let request = commands::CreateRequest {
                name: &name,
                accept_terms,
                allow_duplicate_name,
                expiry: expiry_of(expires_in, expires_at, false),
                policy: &policy,
                prices,
            };
            commands::create(store, request)?
        }
        StoreCommand::Limit {
            id,
            policy,
            clear,
            json,
        } => {
            let request = limit::LimitRequest {
                id: &id,
                set: &policy,
                clear: &clear,
                json,
                view: budgets(time::OffsetDateTime::now_utc()),
            };
            limit::limit(store, request)?
        }
        StoreCommand::Log {
            check: true, expect, ..
        } => return log::check(store, expect, Some(key_file)),
        StoreCommand::Log { head: true, .. } => log::head(store)?,
        StoreCommand::Log { key, since, json, .. } => {
            let request = log::LogRequest {
                key: key.as_deref(),
                since,
                json,
            };
            log::show(store, request, offset)?
        }
        StoreCommand::Usage { id, days, by, json } => {
            let request = usage::UsageRequest {
                id: id.as_deref(),
                days,
                json,
                by_model: by == Some(args::UsageBy::Model),
                prices,
            };
            usage::show(store, request)?
        }
        StoreCommand::Cleanup {
            unused_for,
            disable,
            delete,
            dry_run,
            yes,
            json,
        } => {
            let action = cleanup_action(disable, delete);
            let request = usage::CleanupRequest {
                unused_for,
                action,
                dry_run,
                yes,
                json,
            };
            usage::cleanup(store, request, offset)?
        }
        StoreCommand::Disable { id } => lifecycle::disable(store, &id)?,
        StoreCommand::Enable { id } => lifecycle::enable(store, &id)?,
        StoreCommand::Rotate { id, grace } => lifecycle::rotate(store, &id, grace, offset)?,
        StoreCommand::Expire {
            id,
            expires_in,
            expires_at,
            never,
        } => lifecycle::expire(store, &id, expiry_of(expires_in, expires_at, never), offset)?,
        StoreCommand::Rename {
            id,
            new_name,
            allow_duplicate_name,
        } => commands::rename(store, &id, &new_name, allow_duplicate_name)?,
        StoreCommand::Delete { id, yes } => commands::delete(store, &id, yes)?,
    }
    Ok(Exit::Ok)
}

/// `verify`: exit 0 for a valid key, 1 for anything else.
fn verify(store: &dyn KeyStore, quiet: bool, explain: bool, offset: UtcOffset) -> Result<Exit, Failure> {
    let output = match (quiet, explain) {
        (true, _) => commands::VerifyOutput::Quiet,
        (false, true) => commands::VerifyOutput::Explain,
        (false, false) => commands::VerifyOutput::Normal,
    };
    let valid = commands::verify(store, output, offset)?;
    Ok(if valid { Exit::Ok } else { Exit::Invalid })
}

/// What `cleanup` does with the unused keys (clap lets at most one through).
fn cleanup_action(disable: bool, delete: bool) -> usage::CleanupAction {
    match (disable, delete) {
        (true, _) => usage::CleanupAction::Disable,
        (_, true) => usage::CleanupAction::Delete,
        _ => usage::CleanupAction::List,
    }
}

/// Whether `command` needs the audit key: commands that change keys seal
/// their entries with it (making it on first use), `log` checks with it
/// when there is one, and `verify`, `list` and `usage` neither write nor
/// check entries (`verify` records only Last Used and counts).
fn key_file_use(command: &StoreCommand) -> audit_key::KeyFile {
    use audit_key::KeyFile;
    match command {
        StoreCommand::Create { .. }
        | StoreCommand::Rename { .. }
        | StoreCommand::Delete { .. }
        | StoreCommand::Disable { .. }
        | StoreCommand::Enable { .. }
        | StoreCommand::Rotate { .. }
        | StoreCommand::Expire { .. }
        | StoreCommand::Cleanup { .. } => KeyFile::Create,
        StoreCommand::Limit { policy, clear, .. } if !clear.is_empty() || !policy.given().is_empty() => KeyFile::Create,
        StoreCommand::Log { .. } => KeyFile::IfPresent,
        StoreCommand::Verify { .. }
        | StoreCommand::List { .. }
        | StoreCommand::Usage { .. }
        | StoreCommand::Limit { .. } => KeyFile::Unused,
    }
}

/// `keydesk serve`: opens the database (never making it; serve records only
/// Last Used and counts, so without the audit key), then runs until a
/// signal; its failures map onto the exit codes.
#[cfg(feature = "serve")]
fn serve(args: serve_args::ServeArgs, settings: &Settings, local_offset: Option<UtcOffset>) -> Result<Exit, Failure> {
    use crate::serve::ServeError;
    let (store, limiter) = store::open_for_serve(settings)?;
    let mut options: crate::serve::Options = args.into();
    options.utc_offset = settings.utc_offset.value.or(local_offset).unwrap_or(UtcOffset::UTC);
    options.prices = settings.prices.clone();
    crate::serve::run_with(&options, store, limiter).map_err(|error| match error {
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
