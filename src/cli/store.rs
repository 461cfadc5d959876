//! Opening the database a command works on: a redb file or a PostgreSQL
//! server, with the audit key its changes are sealed with. Shared by the
//! subcommands, `migrate` and the TUI.

use std::sync::Arc;

use super::audit_key;
use super::exit::Failure;
use crate::config::Settings;
use crate::domain::{ActorSource, Interface};
use crate::i18n::words::Worded;
use crate::{KeyStore, Store};

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
pub fn store_path(settings: &Settings) -> Result<std::path::PathBuf, Failure> {
    use crate::i18n::words::shown;
    use crate::store::designation::{Form, form};
    let Some(path) = &settings.db.value else {
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
    settings: &Settings,
    if_missing: IfMissing,
    interface: Interface,
    key_file: audit_key::KeyFile,
) -> Result<Arc<dyn KeyStore>, Failure> {
    let key = load_audit_key(settings, key_file)?;
    if let Some(url) = postgres_url(settings) {
        #[cfg(feature = "postgres")]
        return open_postgres(
            url,
            settings,
            if_missing,
            ActorSource::Process(interface).resolve(),
            key,
        );
        #[cfg(not(feature = "postgres"))]
        return Err(Failure::usage(tr!(
            "cli-no-postgres-support",
            db = crate::i18n::words::shown(url)
        )));
    }
    let store = file_store(settings, interface)?
        .create_if_missing(if_missing == IfMissing::Create)
        .audit_key(key)
        .open()?;
    Ok(Arc::new(store))
}

/// The settings of the database file `--db`/`KEYDESK_DB` names (or the
/// default one): its path, the wait for a busy file, and who its changes
/// are recorded as made by.
pub fn file_store(settings: &Settings, interface: Interface) -> Result<crate::store::StoreBuilder, Failure> {
    let retry = crate::store::RetryPolicy {
        window: settings.busy_timeout.value,
        ..crate::store::RetryPolicy::default()
    };
    Ok(Store::builder(store_path(settings)?)
        .retry(retry)
        // Looked up only if the command writes an entry.
        .actor(ActorSource::Process(interface)))
}

/// The audit key from the file the settings name.
pub fn load_audit_key(
    settings: &Settings,
    key_file: audit_key::KeyFile,
) -> Result<Option<crate::domain::AuditKey>, Failure> {
    if key_file == audit_key::KeyFile::Unused {
        return Ok(None);
    }
    audit_key::load(&settings.audit_key_file.value, key_file)
}

/// `--db`/`KEYDESK_DB` when it names a PostgreSQL database.
pub fn postgres_url(settings: &Settings) -> Option<&str> {
    let db = settings.db.value.as_ref()?.to_str()?;
    (db.starts_with("postgres://") || db.starts_with("postgresql://")).then_some(db)
}

/// Opens the PostgreSQL store at `url`. A password on the command line is
/// refused: every user on the host can read it there (`ps`).
#[cfg(feature = "postgres")]
fn open_postgres(
    url: &str,
    settings: &Settings,
    if_missing: IfMissing,
    actor: crate::domain::Actor,
    key: Option<crate::domain::AuditKey>,
) -> Result<Arc<dyn KeyStore>, Failure> {
    use keydesk_postgres::PgStore;
    refuse_password_on_command_line(url, "--db")?;
    let password = db_password(settings)?;
    let store = match if_missing {
        IfMissing::Create => PgStore::open(url, password, actor)?,
        IfMissing::Refuse => PgStore::open_existing(url, password, actor)?,
    };
    Ok(Arc::new(match key {
        Some(key) => store.with_audit_key(key),
        None => store,
    }))
}

/// `keydesk serve`'s database and the limiter for its keys' limits: on
/// PostgreSQL rate limits hold across every gateway on the database
/// (leases of permits, `keydesk_postgres::PgLeases`), and so do `tpm`
/// windows (`keydesk_postgres::PgTokenWindows`); on a redb file they hold
/// per `serve` process.
#[cfg(feature = "serve")]
pub fn open_for_serve(settings: &Settings) -> Result<(Arc<dyn KeyStore>, keydesk_core::limit::Limiter), Failure> {
    use keydesk_core::limit::Limiter;
    #[cfg(feature = "postgres")]
    if let Some(url) = postgres_url(settings) {
        use keydesk_postgres::{PgLeases, PgStore, PgTokenWindows};
        refuse_password_on_command_line(url, "--db")?;
        let actor = ActorSource::Process(Interface::Serve).resolve();
        let store = PgStore::open_existing(url, db_password(settings)?, actor)?;
        let limiter =
            Limiter::shared(Arc::new(PgLeases::new(&store))).with_shared_tokens(Arc::new(PgTokenWindows::new(&store)));
        return Ok((Arc::new(store), limiter));
    }
    let store = open_store(
        settings,
        IfMissing::Refuse,
        Interface::Serve,
        audit_key::KeyFile::Unused,
    )?;
    Ok((store, Limiter::new()))
}

/// A URL with a password among the arguments is refused: every user on the
/// host can read them (`ps`).
#[cfg(feature = "postgres")]
pub(super) fn refuse_password_on_command_line(url: &str, option: &str) -> Result<(), Failure> {
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
pub(super) fn db_password(settings: &Settings) -> Result<Option<zeroize::Zeroizing<String>>, Failure> {
    settings
        .db_password_file
        .value
        .as_deref()
        .map(read_password_file)
        .transpose()
}

/// The first line of `file`, without its line ending. Read like every file
/// keydesk trusts ([`read_trusted`](crate::hardening::read_trusted)): whoever
/// can replace it chooses whom keydesk logs in as.
#[cfg(feature = "postgres")]
fn read_password_file(file: &std::path::Path) -> Result<zeroize::Zeroizing<String>, Failure> {
    use crate::hardening::{Owners, Privacy, Refusal, read_trusted};
    /// A password, not a document: anything larger is the wrong file.
    const MAX_BYTES: u64 = 64 * 1024;
    let failure = |error: String| Failure {
        exit: super::exit::Exit::Database,
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
