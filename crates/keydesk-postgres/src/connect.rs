//! Connecting: the URL, the password kept out of it, TLS, a small pool,
//! the deadlines (see `client.rs`), and errors that never show the password.

use std::net::IpAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio_postgres::Config;
use tokio_postgres::config::Host;
use tokio_postgres_rustls::MakeRustlsConnect;
use zeroize::Zeroizing;

use super::client::{self, Client};
use keydesk_core::store::{CertificateProblem, ServerProblem, StoreError, Unreached, UrlProblem, designation};

/// How long connecting may take when the URL does not say
/// (`connect_timeout=`): the TCP connect, TLS and login together. A server
/// that is away, or that accepts and then says nothing, is reported, not
/// waited on.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The least time a call is given to be answered, whatever
/// `connect_timeout` says: a URL made to give up connecting quickly must
/// not cut off a large read.
const MIN_CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// How long checking an idle connection before reuse may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// Keepalive probes on an idle connection, unless the URL sets them: a
/// server whose host vanished (a partition that drops packets) is noticed
/// by the connection that waits for its notifications, too.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
const KEEPALIVE_RETRIES: u32 = 3;
/// Idle connections kept for reuse.
const POOL_SIZE: usize = 8;

/// Where the server is and how to log in; the password (if any) only from
/// outside the URL, and never shown.
pub struct Connector {
    config: Config,
    tls: MakeRustlsConnect,
    location: String,
    /// The whole start-up: TCP connect, TLS and login.
    connect_timeout: Duration,
    /// Each call after it.
    call_timeout: Duration,
    idle: Mutex<Vec<Client>>,
}

/// Only the location: the configuration holds the password.
impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector").field("location", &self.location).finish()
    }
}

impl Connector {
    /// `url` is `postgres://user@host[:port]/db[?params]` (or the
    /// `key=value` form libpq also takes). The password, as libpq finds it:
    /// `password` given here (from a file), else one in the URL, else
    /// `PGPASSWORD`, else the password file (`PGPASSFILE` or `~/.pgpass`,
    /// which must not be readable by others).
    pub fn new(url: &str, password: Option<Zeroizing<String>>) -> Result<Connector, StoreError> {
        let location = designation::shown(url);
        // Fail closed: the client would connect somewhere, but not where a
        // person reading the URL (or its shown form) expects.
        if !designation::is_clear(url) {
            return Err(StoreError::Server {
                location,
                detail: ServerProblem::InvalidUrl(UrlProblem::Ambiguous),
            });
        }
        let mut config = Config::from_str(url).map_err(|e| StoreError::Server {
            location: location.clone(),
            // The parser's message names the part it choked on, never the value.
            detail: ServerProblem::InvalidUrl(UrlProblem::Parser(e.to_string())),
        })?;
        if let Some(password) = password.or_else(|| from_environment(&config)) {
            config.password(password.as_bytes());
        }
        let connect_timeout = *config.get_connect_timeout().unwrap_or(&DEFAULT_CONNECT_TIMEOUT);
        let call_timeout = connect_timeout.max(MIN_CALL_TIMEOUT);
        config.connect_timeout(connect_timeout);
        set_socket_deadlines(&mut config, call_timeout);
        config.application_name("keydesk");
        Ok(Connector {
            config,
            tls: MakeRustlsConnect::new(tls_config()?),
            location,
            connect_timeout,
            call_timeout,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// The server and database, for messages: never the password.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Whether every host the URL names is this machine (a Unix socket or
    /// a loopback address): there an unencrypted connection crosses no
    /// network.
    pub fn is_local(&self) -> bool {
        let hosts = self.config.get_hosts();
        hosts.is_empty()
            || hosts.iter().all(|host| match host {
                Host::Tcp(name) => is_local_host(Some(name)),
                #[cfg(unix)]
                Host::Unix(_) => true,
            })
    }

    /// A new connection of its own (for `LISTEN`, which must stay on one).
    pub fn connect(&self) -> Result<Client, StoreError> {
        Client::connect(&self.config, self.tls.clone(), self.connect_timeout, self.call_timeout)
            .map_err(|e| error(&self.location, e))
    }

    /// Runs `body` on a pooled connection; one that broke is not reused.
    pub fn with_client<T>(&self, body: impl FnOnce(&mut Client) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let pooled = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        // A pooled connection may have died with a server restart without
        // knowing it yet; one round trip finds out before a real statement
        // fails (a failed COMMIT could not be safely retried).
        let alive = pooled
            .filter(|c| !c.is_closed())
            .and_then(|mut client| client.is_valid(PROBE_TIMEOUT).is_ok().then_some(client));
        let mut client = match alive {
            Some(client) => client,
            None => self.connect()?,
        };
        let result = body(&mut client);
        if !client.is_closed() {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < POOL_SIZE {
                idle.push(client);
            }
        }
        result
    }
}

/// Whether `host` is this machine: a socket's folder, `localhost`, or a
/// loopback address.
fn is_local_host(host: Option<&str>) -> bool {
    match host {
        None => true,
        Some(host) if host.starts_with('/') => true,
        Some(host) => {
            host.eq_ignore_ascii_case("localhost")
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
    }
}

/// TCP keepalives and (on Linux) `TCP_USER_TIMEOUT` where the URL sets
/// none: they end a connection whose packets go nowhere even while no call
/// waits on it.
fn set_socket_deadlines(config: &mut Config, call_timeout: Duration) {
    if config.get_keepalives_idle() == Config::new().get_keepalives_idle() {
        config.keepalives_idle(KEEPALIVE_IDLE);
    }
    if config.get_keepalives_interval().is_none() {
        config.keepalives_interval(KEEPALIVE_INTERVAL);
    }
    if config.get_keepalives_retries().is_none() {
        config.keepalives_retries(KEEPALIVE_RETRIES);
    }
    if config.get_tcp_user_timeout().is_none() {
        config.tcp_user_timeout(call_timeout);
    }
}

/// `PGPASSWORD`, or the matching line of the password file.
fn from_environment(config: &Config) -> Option<Zeroizing<String>> {
    if config.get_password().is_some() {
        return None;
    }
    if let Some(password) = std::env::var_os("PGPASSWORD").and_then(|p| p.into_string().ok()) {
        return Some(Zeroizing::new(password));
    }
    let file = match std::env::var_os("PGPASSFILE") {
        Some(file) => std::path::PathBuf::from(file),
        None => directories::BaseDirs::new()?.home_dir().join(".pgpass"),
    };
    // As libpq: a password file others can read is ignored.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(&file).ok()?.permissions().mode() & 0o077 != 0 {
            return None;
        }
    }
    let text = Zeroizing::new(std::fs::read_to_string(&file).ok()?);
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        #[cfg(unix)]
        Some(Host::Unix(_)) | None => "localhost".to_owned(),
        #[cfg(not(unix))]
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432).to_string();
    let user = config.get_user().unwrap_or_default();
    let db = config.get_dbname().unwrap_or(user);
    pgpass_lookup(&text, [&host, &port, db, user])
}

/// The password of the first line of a `.pgpass` file whose
/// `host:port:database:user` fields match (`*` matches anything; `\:` and
/// `\\` escape).
fn pgpass_lookup(text: &str, wanted: [&str; 4]) -> Option<Zeroizing<String>> {
    text.lines().filter(|line| !line.starts_with('#')).find_map(|line| {
        let fields = split_pgpass_line(line);
        if fields.len() != 5 {
            return None;
        }
        let matches = fields[..4]
            .iter()
            .zip(wanted)
            .all(|(field, want)| field.as_str() == "*" || field.as_str() == want);
        matches.then(|| Zeroizing::new(fields[4].to_string()))
    })
}

fn split_pgpass_line(line: &str) -> Vec<Zeroizing<String>> {
    let mut fields = vec![Zeroizing::new(String::new())];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => fields.last_mut().expect("one field at least").extend(chars.next()),
            ':' => fields.push(Zeroizing::new(String::new())),
            c => fields.last_mut().expect("one field at least").push(c),
        }
    }
    fields
}

/// Sorts a client error into "cannot reach" and "the server said no", with
/// the server's own words (which never contain the password).
pub fn error(location: &str, e: client::Error) -> StoreError {
    let location = location.to_owned();
    let unreachable = |detail| StoreError::Unreachable {
        location: location.clone(),
        detail,
    };
    match e {
        client::Error::Pg(e) => match e.as_db_error() {
            Some(db) => StoreError::Server {
                location,
                detail: ServerProblem::Said {
                    message: db.message().to_owned(),
                    code: db.code().code().to_owned(),
                },
            },
            None => unreachable(Unreached::Client(with_causes(&e))),
        },
        client::Error::ConnectTimedOut(limit) => unreachable(Unreached::ConnectTimedOut(limit)),
        client::Error::TimedOut(limit) => unreachable(Unreached::CallTimedOut(limit)),
        client::Error::Closed => unreachable(Unreached::Closed),
        client::Error::Runtime(e) => unreachable(Unreached::Client(e.to_string())),
    }
}

/// The error and its causes: the client's own message for a failed TLS
/// handshake is only "error performing TLS handshake", and why (an unknown
/// issuer, a name mismatch) is in its source. None holds the password: they
/// are about the connection, not the configuration.
fn with_causes(e: &tokio_postgres::Error) -> String {
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Some errors repeat their source in their own message.
        if !detail.ends_with(&cause_text) {
            detail.push_str(": ");
            detail.push_str(&cause_text);
        }
        source = cause.source();
    }
    detail
}

/// Server certificates are checked against the system's CA certificates
/// (managed servers use public CAs or one the operator installed there),
/// and those of the PEM file `PGSSLROOTCERT` names, as libpq reads it (a
/// server with a private CA).
fn tls_config() -> Result<rustls::ClientConfig, StoreError> {
    let mut roots = rustls::RootCertStore::empty();
    // Unreadable system certificates leave TLS unable to verify, which then
    // fails with its own clear error; plain connections are unaffected.
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    // libpq's `system` means the system's certificates alone, as here without it.
    if let Some(file) = std::env::var_os("PGSSLROOTCERT").filter(|f| !f.is_empty() && f != "system") {
        add_root_certificates(&mut roots, std::path::Path::new(&file))?;
    }
    Ok(
        rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// Adds every certificate of a PEM file; a file that cannot be read, holds
/// no certificate or one that is not a CA certificate rustls can use is an
/// error naming the file (a silently ignored CA would only show later as
/// an "unknown issuer" far from its cause).
fn add_root_certificates(roots: &mut rustls::RootCertStore, file: &std::path::Path) -> Result<(), StoreError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::{self, PemObject};
    let invalid = |problem| StoreError::RootCertificates {
        path: file.to_owned(),
        problem,
    };
    let certs = CertificateDer::pem_file_iter(file)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| match e {
            pem::Error::Io(e) => invalid(CertificateProblem::Unreadable(e)),
            _ => invalid(CertificateProblem::NotPem),
        })?;
    if certs.is_empty() {
        return Err(invalid(CertificateProblem::NoCertificate));
    }
    for cert in certs {
        roots
            .add(cert)
            .map_err(|e| invalid(CertificateProblem::Unusable(e.to_string())))?;
    }
    Ok(())
}

/// Where `url` leads (as [`designation::shown`] shows it, never with its
/// password) and how long connecting there may take; `None` for a URL that
/// cannot be parsed (which fails before any connecting).
pub fn connecting_to(url: &str) -> Option<(String, Duration)> {
    let config = Config::from_str(url).ok()?;
    let timeout = *config.get_connect_timeout().unwrap_or(&DEFAULT_CONNECT_TIMEOUT);
    Some((designation::shown(url), timeout))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockets_and_loopback_addresses_are_local_and_other_hosts_are_not() {
        for local in [
            None,
            Some("/run/postgresql"),
            Some("localhost"),
            Some("127.0.0.1"),
            Some("::1"),
        ] {
            assert!(is_local_host(local), "{local:?}");
        }
        for remote in [Some("db.example.com"), Some("10.0.0.5"), Some("2001:db8::1")] {
            assert!(!is_local_host(remote), "{remote:?}");
        }
    }
    use keydesk_i18n::words::Worded;
    use keydesk_i18n::{Lang, with_lang};

    #[test]
    fn a_password_in_the_url_is_never_part_of_the_location() {
        let connector = Connector::new("postgres://admin:hunter2@db.example.com:5433/keys", None).unwrap();
        assert_eq!(connector.location(), "postgres://admin@db.example.com:5433/keys");
    }

    #[test]
    fn the_password_file_line_matching_host_port_database_and_user_is_used() {
        let text = "# comment\nother:5432:keys:admin:wrong\ndb\\:x:*:keys:admin:right\\:one\n*:*:*:*:fallback\n";
        let find = |wanted| pgpass_lookup(text, wanted).map(|p| p.to_string());
        assert_eq!(find(["db:x", "5433", "keys", "admin"]).as_deref(), Some("right:one"));
        assert_eq!(find(["other", "5432", "keys", "admin"]).as_deref(), Some("wrong"));
        assert_eq!(find(["elsewhere", "1", "d", "u"]).as_deref(), Some("fallback"));
        assert_eq!(pgpass_lookup("a:b:c:d:e", ["x", "b", "c", "d"]), None);
    }

    #[test]
    fn an_unparsable_url_is_reported_without_its_password_in_either_language() {
        // The client knows no `PASSWORD` (it takes lower case only).
        let url = "postgres://admin@db.example.com:5433/keys?PASSWORD=hunter2";
        let [english, chinese] =
            Lang::ALL.map(|lang| with_lang(lang, || Connector::new(url, None).unwrap_err().worded()));
        assert!(
            english.starts_with(
                "PostgreSQL error on postgres://admin@db.example.com:5433/keys: not a valid PostgreSQL URL: "
            ),
            "{english}"
        );
        assert!(
            chinese.starts_with(
                "PostgreSQL 出错（postgres://admin@db.example.com:5433/keys）：不是有效的 PostgreSQL URL："
            ),
            "{chinese}"
        );
        for message in [english, chinese] {
            assert!(!message.contains("hunter2"), "{message}");
        }
        let error = Connector::new("postgres://admin:hunter2@db:notaport/keys", None).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("PostgreSQL error on postgres://…(unparsable): "),
            "{error}"
        );
        // A URL the client would take, but whose parts cannot be told apart
        // (an unencoded `@` in the password), shows none of them and is refused.
        let error = Connector::new("postgres://admin:hun@ter2@db.example.com/keys", None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "PostgreSQL error on postgres://…(unparsable): not a valid PostgreSQL URL: its parts cannot be told \
             apart: percent-encode any @ : / ? in the user name or password (%40 %3A %2F %3F)"
        );
    }

    #[test]
    fn a_server_that_cannot_be_reached_is_reported_without_the_password_in_either_language() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "postgres://admin:hunter2@/keys?host={}&connect_timeout=2&password=hunter2",
            dir.path().display()
        );
        let connector = Connector::new(&url, Some(Zeroizing::new("hunter2".to_owned()))).unwrap();
        let error = connector.connect().err().expect("nothing listens there");
        assert!(matches!(error, StoreError::Unreachable { .. }), "{error:?}");
        let [english, chinese] = Lang::ALL.map(|lang| with_lang(lang, || error.worded()));
        let location = format!("postgres://admin@{}/keys", dir.path().display());
        assert!(
            english.starts_with(&format!("cannot reach the PostgreSQL server {location}: ")),
            "{english}"
        );
        assert!(
            chinese.starts_with(&format!("无法连接 PostgreSQL 服务器 {location}：")),
            "{chinese}"
        );
        for message in [english, chinese, format!("{error:?}"), format!("{connector:?}")] {
            assert!(!message.contains("hunter2"), "{message}");
        }
    }

    #[test]
    fn an_unusable_root_certificate_file_is_named_in_either_language() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ca.pem");
        std::fs::write(&file, "just some text\n").unwrap();
        let mut roots = rustls::RootCertStore::empty();
        let [english, chinese] =
            Lang::ALL.map(|lang| with_lang(lang, || add_root_certificates(&mut roots, &file).unwrap_err().worded()));
        let path = file.display();
        assert_eq!(
            english,
            format!(
                "cannot use {path}: PGSSLROOTCERT (the CA certificates for PostgreSQL TLS): no PEM certificate \
                 (-----BEGIN CERTIFICATE-----) in the file"
            )
        );
        assert_eq!(
            chinese,
            format!(
                "无法使用 {path}：PGSSLROOTCERT（PostgreSQL TLS 的 CA 证书）：文件中没有 PEM 证书\
                 （-----BEGIN CERTIFICATE-----）"
            )
        );
    }
}
