//! The non-interactive side of keydesk: subcommands for scripts and services.
//! Every command opens the store briefly, so all are safe beside a running TUI.

mod args;
pub mod audit_key;
mod commands;
mod exit;
mod help;
mod lifecycle;
mod log;
#[cfg(feature = "postgres")]
mod migrate;
mod parse_errors;
mod prompt;
#[cfg(test)]
mod testing;

mod usage;
mod when;

use std::process::ExitCode;
use std::sync::Arc;

use time::UtcOffset;

pub use args::{Cli, Command, ConfigAction, GlobalArgs, TuiArgs};
pub(crate) use args::{parse_busy_timeout, parse_clear_after, parse_lang, show_clear_after};
pub use exit::{Exit, Failure};
pub use help::command;
pub use parse_errors::exit as exit_on_parse_error;
pub use prompt::confirm;

use crate::domain::{ActorSource, Interface};
use crate::{KeyStore, Store};

/// Runs one subcommand and turns its outcome into an exit code, printing any
/// error to stderr as `keydesk: …`.
pub fn run(
    command: Command,
    global: &GlobalArgs,
    local_offset: Option<UtcOffset>,
    effective: &crate::config::Effective,
) -> ExitCode {
    match execute(command, global, local_offset, effective) {
        Ok(exit) => exit.into(),
        Err(failure) => {
            eprintln!("keydesk: {}", failure.message);
            failure.exit.into()
        }
    }
}

fn execute(
    command: Command,
    global: &GlobalArgs,
    local_offset: Option<UtcOffset>,
    effective: &crate::config::Effective,
) -> Result<Exit, Failure> {
    if let Command::Agreement = command {
        commands::agreement()?;
        return Ok(Exit::Ok);
    }
    if let Command::Config { action } = command {
        return config(action, effective);
    }
    #[cfg(feature = "postgres")]
    if let Command::Migrate { from, to } = &command {
        return migrate::run(from, to, global);
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
    let store = open_store(global, if_missing, interface, key_file_use(&command))?;
    #[cfg(feature = "serve")]
    if let Command::Serve(args) = &command {
        return serve(args, store);
    }
    let offset = global.utc_offset.or(local_offset).unwrap_or(UtcOffset::UTC);
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
        } => return log::check(store.as_ref(), expect, global.audit_key_file.as_deref()),
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
fn serve(args: &crate::serve::ServeArgs, store: Arc<dyn KeyStore>) -> Result<Exit, Failure> {
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

/// Whether a command may make a new database when none is at the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMissing {
    Create,
    /// Report "no database at PATH": a mistyped path must not look like a
    /// database whose keys were all lost.
    Refuse,
}

/// The database path named by `--db`/`KEYDESK_DB`, or the default one. A
/// URL keydesk cannot use or a libpq connection string is refused here,
/// before anything could take it for a file's name and print it.
pub fn store_path(global: &GlobalArgs) -> Result<std::path::PathBuf, Failure> {
    use crate::i18n::words::shown;
    use crate::store::designation::{Form, form};
    let Some(path) = &global.db else {
        return Ok(Store::default_path()?);
    };
    let text = path.to_string_lossy();
    match form(&text) {
        Form::Path => Ok(path.clone()),
        Form::Url => Err(Failure::usage(tr!("cli-db-not-postgres-url", db = shown(&text)))),
        Form::Libpq => Err(Failure::usage(tr!("cli-db-libpq"))),
    }
}

/// Opens the database named by `--db`/`KEYDESK_DB`, or the default one. Its
/// changes (and an upgrade done while opening) are recorded in the audit log
/// as this process's user's, through `interface`, sealed with the audit key
/// as `key_file` says.
pub fn open_store(
    global: &GlobalArgs,
    if_missing: IfMissing,
    interface: Interface,
    key_file: audit_key::KeyFile,
) -> Result<Arc<dyn KeyStore>, Failure> {
    // Looked up only if the command writes an entry.
    let actor = ActorSource::Process(interface);
    let key = load_audit_key(global, key_file)?;
    if let Some(url) = postgres_url(global) {
        #[cfg(feature = "postgres")]
        return open_postgres(url, global, if_missing, actor.resolve(), key);
        #[cfg(not(feature = "postgres"))]
        return Err(Failure::usage(tr!(
            "cli-no-postgres-support",
            db = crate::i18n::words::shown(url)
        )));
    }
    let path = store_path(global)?;
    let retry = crate::store::RetryPolicy {
        window: global.busy_timeout,
        ..crate::store::RetryPolicy::default()
    };
    let store = match if_missing {
        IfMissing::Create => Store::open_as(path, retry, actor)?,
        IfMissing::Refuse => Store::open_existing_as(path, retry, actor)?,
    };
    Ok(Arc::new(match key {
        Some(key) => store.with_audit_key(key),
        None => store,
    }))
}

/// The audit key from the file the config names (`audit.key` beside the
/// config file when nothing set it: a program that did not apply a config).
pub fn load_audit_key(
    global: &GlobalArgs,
    key_file: audit_key::KeyFile,
) -> Result<Option<crate::domain::AuditKey>, Failure> {
    if key_file == audit_key::KeyFile::Unused {
        return Ok(None);
    }
    let path = match &global.audit_key_file {
        Some(path) => path.clone(),
        None => crate::config::path(global.config.as_deref())
            .map_err(|e| Failure::usage(e.to_string()))?
            .0
            .with_file_name("audit.key"),
    };
    audit_key::load(&path, key_file)
}

/// `keydesk config path` and `keydesk config show`.
fn config(action: ConfigAction, effective: &crate::config::Effective) -> Result<Exit, Failure> {
    let text = match action {
        ConfigAction::Path => format!("{}\n", effective.path.display()),
        ConfigAction::Show => crate::config::describe(effective),
    };
    std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes()).map_err(|e| Failure {
        exit: Exit::Output,
        message: tr!("cli-cannot-write-settings", error = e.to_string()),
    })?;
    Ok(Exit::Ok)
}

/// `--db`/`KEYDESK_DB` when it names a PostgreSQL database.
pub fn postgres_url(global: &GlobalArgs) -> Option<&str> {
    let db = global.db.as_ref()?.to_str()?;
    (db.starts_with("postgres://") || db.starts_with("postgresql://")).then_some(db)
}

/// Opens the PostgreSQL store at `url`. A password on the command line is
/// refused: every user on the host can read it there (`ps`).
#[cfg(feature = "postgres")]
fn open_postgres(
    url: &str,
    global: &GlobalArgs,
    if_missing: IfMissing,
    actor: crate::domain::Actor,
    key: Option<crate::domain::AuditKey>,
) -> Result<Arc<dyn KeyStore>, Failure> {
    use keydesk_postgres::PgStore;
    refuse_password_on_command_line(url, "--db")?;
    let password = db_password(global)?;
    let store = match if_missing {
        IfMissing::Create => PgStore::open(url, password, actor)?,
        IfMissing::Refuse => PgStore::open_existing(url, password, actor)?,
    };
    Ok(Arc::new(match key {
        Some(key) => store.with_audit_key(key),
        None => store,
    }))
}

/// A URL with a password among the arguments is refused: every user on the
/// host can read them (`ps`).
#[cfg(feature = "postgres")]
fn refuse_password_on_command_line(url: &str, option: &str) -> Result<(), Failure> {
    use crate::i18n::words::shown;
    use crate::store::designation::has_password;
    let on_command_line = std::env::args_os().any(|arg| arg.to_str().is_some_and(|arg| arg.contains(url)));
    if has_password(url) && on_command_line {
        return Err(Failure::usage(tr!(
            "cli-password-on-command-line",
            option = option,
            url = shown(url)
        )));
    }
    Ok(())
}

/// The password from `--db-password-file`, if given.
#[cfg(feature = "postgres")]
fn db_password(global: &GlobalArgs) -> Result<Option<zeroize::Zeroizing<String>>, Failure> {
    global.db_password_file.as_deref().map(read_password_file).transpose()
}

/// The first line of `file`, without its line ending. Read like every file
/// keydesk trusts ([`read_trusted`](crate::hardening::read_trusted)): whoever
/// can replace it chooses whom keydesk logs in as.
#[cfg(feature = "postgres")]
fn read_password_file(file: &std::path::Path) -> Result<zeroize::Zeroizing<String>, Failure> {
    use crate::hardening::{Owners, Privacy, Refusal, read_trusted};
    use crate::i18n::words::Worded;
    /// A password, not a document: anything larger is the wrong file.
    const MAX_BYTES: u64 = 64 * 1024;
    let failure = |error: String| Failure {
        exit: Exit::Database,
        message: tr!(
            "cli-cannot-read-password-file",
            file = file.display().to_string(),
            error = error
        ),
    };
    let bytes = match read_trusted(file, MAX_BYTES, Owners::MeOrRoot, Privacy::Readable) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err(failure(Refusal::Io(std::io::ErrorKind::NotFound.into()).worded())),
        Err(refusal) => return Err(failure(refusal.worded())),
    };
    let text = std::str::from_utf8(&bytes).map_err(|e| failure(e.to_string()))?;
    let line = text.lines().next().unwrap_or_default();
    Ok(zeroize::Zeroizing::new(line.to_owned()))
}
