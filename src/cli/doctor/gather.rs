//! The one place doctor looks at the world: files and their modes, the
//! database (read only), the PostgreSQL server, tmux's options and the
//! environment. Everything found goes into [`Facts`]; nothing is judged
//! here.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::facts::{
    AuditFacts, ChainWalk, ConfigFacts, DatabaseFacts, Facts, FileFacts, FileMeta, Locale, Surroundings, TmuxOptions,
    Unchecked,
};
use crate::cli::audit_key::{self, KeyFile};
use crate::cli::store_path;
use crate::clipboard::{Environment, Multiplexer};
use crate::config::Settings;
use crate::hardening::Owners;
use crate::i18n::words::Worded;
use crate::store::{RetryPolicy, SCHEMA_VERSION, SchemaPeek};
use crate::{KeyStore, Store};

/// How long tmux may take to answer a question about its options.
const TMUX_DEADLINE: Duration = Duration::from_secs(3);

pub fn gather(settings: &Settings) -> Facts {
    let database = database(settings);
    Facts {
        config: config(settings),
        audit: audit(settings, &database),
        database,
        surroundings: surroundings(settings),
    }
}

fn config(settings: &Settings) -> ConfigFacts {
    let path = settings.path.clone();
    let explicit = crate::config::path(None).map_or(true, |(default, _)| default != path);
    let file = meta(&path, Owners::MeOrRoot);
    let problem = crate::config::read(&path).err();
    let unknown_keys = match crate::config::read_text(&path) {
        Ok(Some(text)) => crate::config::unknown_keys(&text),
        _ => Vec::new(),
    };
    ConfigFacts {
        path,
        explicit,
        file,
        problem,
        unknown_keys,
    }
}

/// `stat` of `path`, following a symlink; `None` when nothing is there.
fn meta(path: &Path, owners: Owners) -> Result<Option<FileMeta>, String> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    #[cfg(unix)]
    let mode = std::os::unix::fs::MetadataExt::mode(&meta) & 0o7777;
    #[cfg(not(unix))]
    let mode = 0o600;
    Ok(Some(FileMeta {
        not_a_file: (!meta.is_file()).then(|| crate::store::file_kind(&meta.file_type()).worded()),
        len: meta.len(),
        mode,
        untrusted: crate::hardening::untrusted(path, &meta, owners),
    }))
}

fn database(settings: &Settings) -> DatabaseFacts {
    if let Some(url) = crate::cli::postgres_url(settings) {
        #[cfg(feature = "postgres")]
        return DatabaseFacts::Postgres(postgres(url, settings));
        #[cfg(not(feature = "postgres"))]
        return DatabaseFacts::Unusable(tr!("cli-no-postgres-support", db = crate::i18n::words::shown(url)));
    }
    let path = match store_path(settings) {
        Ok(path) => path,
        Err(failure) => return DatabaseFacts::Unusable(failure.message),
    };
    let file = meta(&path, Owners::Me);
    let readable = matches!(&file, Ok(Some(meta)) if meta.not_a_file.is_none() && meta.len > 0);
    let busy_timeout = settings.busy_timeout.value;
    let schema = readable.then(|| Store::peek_schema(&path, &retry(busy_timeout)));
    DatabaseFacts::File(FileFacts {
        free_bytes: free_bytes(&path),
        named: settings.db.value.is_some(),
        path,
        file,
        schema,
        busy_timeout,
    })
}

fn retry(window: Duration) -> RetryPolicy {
    RetryPolicy {
        window,
        ..RetryPolicy::default()
    }
}

#[cfg(feature = "postgres")]
fn postgres(url: &str, settings: &Settings) -> super::facts::PgFacts {
    use super::facts::PgProblem;
    let inspected = crate::cli::store::refuse_password_on_command_line(url, "--db")
        .and_then(|()| crate::cli::store::db_password(settings))
        .map_err(|failure| PgProblem::Setup(failure.message))
        .and_then(|password| keydesk_postgres::inspect(url, password).map_err(PgProblem::Store));
    super::facts::PgFacts {
        location: crate::i18n::words::shown(url),
        inspected,
    }
}

/// The audit chain, walked only where opening cannot change anything: a
/// file of the current schema that keydesk trusts, or a current server
/// schema with a login that may read the log.
fn audit(settings: &Settings, database: &DatabaseFacts) -> AuditFacts {
    let key_file = settings.audit_key_file.value.clone();
    let store: Box<dyn KeyStore> = match opened_for_audit(settings, database) {
        Ok(store) => store,
        Err(facts) => return facts,
    };
    match store.check_audit(None) {
        Ok(report) => AuditFacts::Checked(ChainWalk::new(report, key_file)),
        Err(error) => AuditFacts::Failed(error.worded()),
    }
}

fn opened_for_audit(settings: &Settings, database: &DatabaseFacts) -> Result<Box<dyn KeyStore>, AuditFacts> {
    let ready = match database {
        DatabaseFacts::Unusable(_) => return Err(AuditFacts::NotChecked(Unchecked::NoDatabase)),
        DatabaseFacts::File(facts) => file_ready(facts)?,
        #[cfg(feature = "postgres")]
        DatabaseFacts::Postgres(facts) => postgres_ready(facts, settings)?,
    };
    let key = audit_key::load(&settings.audit_key_file.value, KeyFile::IfPresent)
        .map_err(|failure| AuditFacts::KeyFileUnusable(failure.message))?;
    match ready {
        Ready::File(path) => Store::builder(path)
            .create_if_missing(false)
            .retry(retry(settings.busy_timeout.value))
            .audit_key(key)
            .open()
            .map(|store| Box::new(store) as Box<dyn KeyStore>)
            .map_err(|error| AuditFacts::Failed(error.worded())),
        #[cfg(feature = "postgres")]
        Ready::Postgres(url) => {
            use crate::domain::{ActorSource, Interface};
            let password = crate::cli::store::db_password(settings).map_err(|f| AuditFacts::Failed(f.message))?;
            let actor = ActorSource::Process(Interface::Cli).resolve();
            let store = keydesk_postgres::PgStore::open_existing(&url, password, actor)
                .map_err(|error| AuditFacts::Failed(error.worded()))?;
            Ok(Box::new(match key {
                Some(key) => store.with_audit_key(key),
                None => store,
            }))
        }
    }
}

/// A database ready to be opened without being changed.
enum Ready {
    File(PathBuf),
    #[cfg(feature = "postgres")]
    Postgres(String),
}

fn file_ready(facts: &FileFacts) -> Result<Ready, AuditFacts> {
    let trusted = matches!(&facts.file, Ok(Some(meta)) if meta.untrusted.is_none());
    match &facts.schema {
        Some(Ok(SchemaPeek::Version(SCHEMA_VERSION))) if trusted => Ok(Ready::File(facts.path.clone())),
        _ if matches!(facts.file, Ok(None) | Err(_)) => Err(AuditFacts::NotChecked(Unchecked::NoDatabase)),
        _ => Err(AuditFacts::NotChecked(Unchecked::DatabaseUnready)),
    }
}

#[cfg(feature = "postgres")]
fn postgres_ready(facts: &super::facts::PgFacts, settings: &Settings) -> Result<Ready, AuditFacts> {
    use keydesk_postgres::{PgRole, PgSchema};
    let Ok(inspection) = &facts.inspected else {
        return Err(AuditFacts::NotChecked(Unchecked::NoDatabase));
    };
    match (inspection.schema, inspection.role) {
        (PgSchema::Current, Some(PgRole::Owner | PgRole::Admin)) => {
            let url = crate::cli::postgres_url(settings).map(str::to_owned);
            url.map(Ready::Postgres)
                .ok_or(AuditFacts::NotChecked(Unchecked::NoDatabase))
        }
        (PgSchema::Current, Some(_)) => Err(AuditFacts::NotChecked(Unchecked::NotPermitted)),
        (PgSchema::Empty, _) => Err(AuditFacts::NotChecked(Unchecked::NoDatabase)),
        _ => Err(AuditFacts::NotChecked(Unchecked::DatabaseUnready)),
    }
}

fn surroundings(settings: &Settings) -> Surroundings {
    use std::io::IsTerminal;
    let environment = Environment::from_process();
    let tmux = (environment.multiplexer() == Multiplexer::Tmux).then(|| {
        Ok(TmuxOptions {
            set_clipboard: tmux_option("set-clipboard")?,
            mouse: tmux_option("mouse")?,
        })
    });
    let var = |name: &str| std::env::var(name).ok();
    let locale = crate::i18n::utf8_from_environment(var).map(|(utf8, variable)| Locale {
        variable,
        value: var(variable).unwrap_or_default(),
        utf8,
    });
    Surroundings {
        clipboard: settings.clipboard.clone(),
        environment,
        tmux,
        stdin_terminal: std::io::stdin().is_terminal(),
        // Piping doctor's own output (`doctor --json | jq`) leaves stderr on
        // the terminal the TUI would draw on.
        stdout_terminal: std::io::stdout().is_terminal() || std::io::stderr().is_terminal(),
        locale,
        colorterm: var("COLORTERM").filter(|value| !value.is_empty()),
        color: settings.color.clone(),
        mouse: settings.mouse.clone(),
    }
}

/// `tmux show -gv NAME`, asked of the tmux server this process runs in
/// (through `$TMUX`): the setting as tmux has it now, whatever its
/// configuration files say. Given [`TMUX_DEADLINE`] to answer.
fn tmux_option(name: &str) -> Result<String, String> {
    let mut child = Command::new("tmux")
        .args(["show", "-gv", name])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + TMUX_DEADLINE;
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(tr!("doctor-tmux-silent", seconds = TMUX_DEADLINE.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Bytes this user may still write on the file system that holds `path`
/// (or, when it does not exist yet, the nearest folder above it that does).
#[cfg(unix)]
#[allow(unsafe_code)] // statvfs, justified below
fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let existing = path
        .ancestors()
        .map(|p| if p.as_os_str().is_empty() { Path::new(".") } else { p })
        .find(|p| p.exists())?;
    let name = std::ffi::CString::new(existing.as_os_str().as_bytes()).ok()?;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `name` is a NUL-terminated path and `stats` points to memory
    // for one statvfs, which the call fills when it returns 0.
    if unsafe { libc::statvfs(name.as_ptr(), stats.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: statvfs returned 0, so it filled `stats`.
    let stats = unsafe { stats.assume_init() };
    #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
    Some((stats.f_bavail as u64).saturating_mul(stats.f_frsize as u64))
}

#[cfg(not(unix))]
fn free_bytes(_path: &Path) -> Option<u64> {
    None
}
