//! `keydesk serve`: lets any gateway or AI server check keydesk keys over
//! HTTP, so services that are not Rust (vLLM, Ollama, TGI, LiteLLM, anything
//! behind nginx, Caddy, Traefik or Envoy) can be guarded by keydesk keys and
//! "Last Used" is real for them.
//!
//! Two modes on one server:
//! - **forward auth** (always): `ANY /verify[/…]` answers 200 with the key's
//!   ID and name, or 401; a gateway asks before it forwards a request.
//! - **proxy** (`--upstream URL`): every request is checked, then forwarded
//!   with the key removed; keydesk's own endpoints move under `/_keydesk/`.
//!
//! Checks go through one in-memory [`Verifier`], so a check never touches the
//! disk, Last Used is recorded, and a key deleted elsewhere is refused within
//! the Verifier's staleness bound (under a second).
//!
//! The HTTP stack is hyper on tokio, used directly rather than through a
//! framework: the server needs hyper's connection settings (header size and
//! count limits, the header read timeout against slow clients) and four
//! fixed routes. Its public face is [`run`] with its [`Options`] and
//! [`ServeError`]; inside, one module per concern: `extract` (where the key
//! is), `handlers` (the answers), `scope` (a request against its key's
//! scopes), `refusal` (the answers to refused requests), `model_body`
//! (reading a body for its model), `response` (what answers are made of),
//! `tokens` (counting the tokens of relayed answers, read by `usage_read`
//! with the bounded scanner `json_scan`; `stream_usage` for
//! `--stream-usage inject`), `proxy`, `index` (names, policies, readiness), `metrics`, `shutdown` (signals),
//! `listen` (TCP or Unix socket), `tls` (rustls, reloaded on SIGHUP), `log`
//! (tracing), `access_log` (`--access-log`: one JSON line per request,
//! written off the request path) with `logged` (what a request's line holds), and [`upstream`] (proxy mode's upstream connections, one per
//! client connection; public for the benchmark's bare proxy).

#![deny(missing_docs)]

#[macro_use]
extern crate keydesk_i18n;

mod access_log;
mod budgets;
mod extract;
mod handlers;
mod index;
mod json_scan;
mod listen;
mod log;
mod logged;
mod metrics;
mod model_body;
mod options;
mod proxy;
mod refusal;
mod response;
mod scope;
mod shutdown;
mod stream_usage;
mod tls;
mod tokens;
pub mod upstream;
mod usage_read;

use std::net::SocketAddr;
use std::sync::Arc;

use keydesk_core::limit::Limiter;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_rustls::TlsAcceptor;

pub use access_log::AccessLogTarget;
use handlers::App;
use index::IndexState;
use listen::{Listener, Stream};
pub use log::LogFormat;
use metrics::Metrics;
pub use options::{DEFAULT_MAX_MODEL_BODY, MAX_MODEL_BODY, Options, StreamUsage};
use proxy::{Client, Proxy, ProxySettings};
use shutdown::{Graceful, Signals, Watcher};
use tls::{Tls, TlsFiles};
use upstream::Paired;

use keydesk_core::{KeyStore, StoreError, Verifier};

/// The most request header bytes (request line included) a client may send:
/// 16 KiB, like common gateways. More gets 431 and the connection closes.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// The most request headers; more gets 431.
pub const MAX_HEADERS: usize = 100;

/// At most one log line per this long while accepting keeps failing.
const ACCEPT_ERROR_INTERVAL: Duration = Duration::from_secs(10);

/// How often idle keys' limiter state is forgotten.
const LIMITER_SWEEP: Duration = Duration::from_secs(60);
/// How often, with limits shared by a fleet, leases that ended are given
/// back: unused permits held longer are permits other gateways cannot use.
const SHARED_LIMITER_SWEEP: Duration = Duration::from_secs(1);

/// Why `keydesk serve` stopped other than by a signal.
#[derive(Debug)]
pub enum ServeError {
    /// Bad options (exit 2).
    Usage(String),
    /// The database could not be read, or Last Used not written (exit 3).
    Database(StoreError),
    /// The address could not be listened on (exit 6).
    Listen(String),
}

impl From<StoreError> for ServeError {
    fn from(error: StoreError) -> Self {
        ServeError::Database(error)
    }
}

/// Runs the server on `store` until SIGTERM or SIGINT, then flushes Last
/// Used. The store must already exist: a server never creates a database.
/// Key limits hold per process ([`run_with`] shares them with a fleet).
pub fn run(options: &Options, store: Arc<dyn KeyStore>) -> Result<(), ServeError> {
    run_with(options, store, Limiter::new())
}

/// [`run`] with the limiter given: [`Limiter::shared`] for rate limits that
/// hold across every gateway on one database.
pub fn run_with(options: &Options, store: Arc<dyn KeyStore>, limiter: Limiter) -> Result<(), ServeError> {
    run_at(options, store, limiter, None)
}

/// [`run_with`] on a clock of the test's: the Verifier's (expiry, the hours
/// counts go into) and the token rules' (periods, `tpm`) time. For tests
/// only, which run the server in their own process; the program has no
/// way to set it.
#[doc(hidden)]
pub fn run_with_clock(
    options: &Options,
    store: Arc<dyn KeyStore>,
    limiter: Limiter,
    clock: keydesk_core::store::Clock,
) -> Result<(), ServeError> {
    run_at(options, store, limiter, Some(clock))
}

fn run_at(
    options: &Options,
    store: Arc<dyn KeyStore>,
    limiter: Limiter,
    clock: Option<keydesk_core::store::Clock>,
) -> Result<(), ServeError> {
    log::install(options.log_format);
    let address = listen::Address::parse(&options.listen).map_err(ServeError::Usage)?;
    let tls = tls(options, &address)?;
    address
        .check_exposure(options.insecure_http, tls.is_some())
        .map_err(ServeError::Usage)?;
    let runtime = runtime(options.threads)
        .map_err(|e| ServeError::Listen(tr!("cli-serve-cannot-start", error = e.to_string())))?;
    let _entered = runtime.enter();
    let proxy = proxy(options)?;
    let verifier = Arc::new(match &clock {
        Some(clock) => {
            Verifier::with_settings(store, keydesk_core::verifier::Settings::default().clock(clock.clone()))?
        }
        None => Verifier::new(store)?,
    });
    let clock = clock.unwrap_or_else(|| Arc::new(time::OffsetDateTime::now_utc));
    let token_limits = Arc::new(
        budgets::TokenLimits::new(verifier.clone(), options.prices.clone(), options.utc_offset, clock)
            .with_fleet(limiter.shared_tokens()),
    );
    let index = Arc::new(IndexState::load(verifier.clone(), options.max_index_age)?.fail_static(options.fail_static));
    let metrics = Arc::new(Metrics::new());
    let access_log = match &options.access_log {
        None => None,
        Some(target) => Some(Arc::new(
            access_log::AccessLog::open(target, metrics.access_log_dropped.clone()).map_err(ServeError::Usage)?,
        )),
    };
    let monitor = index.spawn_monitor(metrics.clone());
    let trusted = options.trusted_proxies.clone().unwrap_or_else(|| match proxy {
        Some(_) => Vec::new(),
        None => options::loopback(),
    });
    let app = Arc::new(App {
        index,
        metrics: metrics.clone(),
        allow_query_key: options.allow_query_key,
        proxy,
        limiter,
        trusted,
        model_bodies: model_body::ModelBodies::new(options.max_model_body),
        tokens: Arc::new(tokens::Tokens::new(
            options.count_tokens,
            options.stream_usage,
            verifier.clone(),
            metrics.clone(),
            token_limits.clone(),
        )),
        token_limits,
        access_log: access_log.clone(),
    });
    let _sweeper = runtime.spawn(sweep_limits(app.clone()));
    let _token_sync = runtime.spawn(sync_token_limits(app.clone()));
    let served = runtime.block_on(serve(app, &address, tls, options));
    drop(monitor);
    // Connections still open after the shutdown timeout end here.
    drop(_entered);
    drop(runtime);
    // Every request has ended (or been dropped) and sent its line: write
    // them all before exiting.
    if let Some(log) = &access_log {
        log.close();
    }
    let flushed = verifier.flush();
    served?;
    flushed?;
    Ok(())
}

/// Forgets the limiter state of keys idle for longer than their windows,
/// so that memory follows the keys in use, not every key ever seen.
async fn sweep_limits(app: Arc<App>) {
    let shared = app.limiter.is_shared();
    let mut every = tokio::time::interval(if shared { SHARED_LIMITER_SWEEP } else { LIMITER_SWEEP });
    loop {
        every.tick().await;
        // Giving a lease back only queues it for the lease thread; still,
        // the sweep walks every key under one lock, off the async workers.
        let app = Arc::clone(&app);
        let _ = tokio::task::spawn_blocking(move || app.limiter.sweep(std::time::Instant::now())).await;
    }
}

/// Flushes counted tokens and reads keys' totals again, every
/// [`budgets::SYNC_INTERVAL`], off the request path ([`budgets`]).
async fn sync_token_limits(app: Arc<App>) {
    let mut every = tokio::time::interval(budgets::SYNC_INTERVAL);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let app = Arc::clone(&app);
        let _ = tokio::task::spawn_blocking(move || app.token_limits.sync()).await;
    }
}

fn runtime(threads: Option<usize>) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = threads {
        builder.worker_threads(threads.max(1));
    }
    builder.thread_name("keydesk-serve").enable_all().build()
}

/// The certificate and key, read before anything else starts so that a bad
/// pair is a usage error (exit 2) that names the file.
fn tls(options: &Options, address: &listen::Address) -> Result<Option<Arc<Tls>>, ServeError> {
    let (Some(cert), Some(key)) = (&options.tls_cert, &options.tls_key) else {
        return Ok(None);
    };
    if let listen::Address::Unix(_) = address {
        // Only processes on this host reach a Unix socket, and its file
        // permissions decide which: there is no network to encrypt against.
        return Err(ServeError::Usage(tr!("cli-serve-tls-on-unix")));
    }
    let files = TlsFiles {
        cert: cert.clone(),
        key: key.clone(),
    };
    Tls::load(files)
        .map(|tls| Some(Arc::new(tls)))
        .map_err(ServeError::Usage)
}

fn proxy(options: &Options) -> Result<Option<Proxy>, ServeError> {
    let Some(upstream) = &options.upstream else {
        return Ok(None);
    };
    let upstream_auth = match &options.upstream_auth_file {
        None => None,
        Some(path) => Some(read_secret_file(path)?),
    };
    let settings = ProxySettings {
        upstream: upstream.clone(),
        upstream_auth,
        connect_timeout: options.upstream_connect_timeout,
        response_timeout: options.upstream_timeout,
    };
    Proxy::new(settings).map(Some).map_err(ServeError::Usage)
}

/// The upstream's credential: the file's first line, trimmed. Read from a
/// file, never an argument, since arguments are visible to every user in `ps`.
fn read_secret_file(path: &std::path::Path) -> Result<zeroize::Zeroizing<String>, ServeError> {
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        ServeError::Usage(tr!(
            "cli-serve-auth-file-unreadable",
            path = path.display().to_string(),
            error = e.to_string()
        ))
    })?);
    let line = text.lines().next().unwrap_or("").trim();
    if line.is_empty() {
        return Err(ServeError::Usage(tr!(
            "cli-serve-auth-file-empty",
            path = path.display().to_string()
        )));
    }
    Ok(zeroize::Zeroizing::new(line.to_owned()))
}

/// Accepts connections until a signal, then shuts down gracefully.
async fn serve(
    app: Arc<App>,
    address: &listen::Address,
    tls: Option<Arc<Tls>>,
    options: &Options,
) -> Result<(), ServeError> {
    let cannot_handle_signals =
        |e: std::io::Error| ServeError::Listen(tr!("cli-serve-cannot-handle-signals", error = e.to_string()));
    let mut signals = Signals::install().map_err(cannot_handle_signals)?;
    let _reloader = tls::spawn_reloader(tls.clone(), app.access_log.clone()).map_err(cannot_handle_signals)?;
    let acceptor = tls.as_ref().map(|tls| tls.acceptor());
    let listener = Listener::bind(address).await.map_err(ServeError::Listen)?;
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_timeout)
        .max_header_size(MAX_HEADER_BYTES)
        .max_headers(MAX_HEADERS)
        .keep_alive(true);
    let graceful = Graceful::default();
    let limit = Arc::new(Semaphore::new(options.max_connections.max(1)));
    let described = listener.describe(acceptor.is_some());
    tracing::info!(address = %described, "{}", tr!("cli-serve-listening", address = described.as_str()));
    let mut accept_errors = log::AcceptErrors::new(ACCEPT_ERROR_INTERVAL);
    let stop = loop {
        let permit = tokio::select! {
            stop = signals.recv() => break stop,
            permit = limit.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
        };
        let accepted = tokio::select! {
            stop = signals.recv() => break stop,
            accepted = listener.accept() => accepted,
        };
        let connection = |peer, tls| Connection {
            app: app.clone(),
            builder: builder.clone(),
            // Taken before a TLS handshake, so a shutdown waits for a
            // connection still shaking hands too.
            stop: graceful.watcher(),
            permit,
            peer,
            tls,
        };
        match accepted {
            Ok(Stream::Tcp(io, peer)) => match &acceptor {
                Some(acceptor) => spawn_tls_connection(
                    io,
                    acceptor.clone(),
                    connection(Some(peer), true),
                    options.header_timeout,
                ),
                None => {
                    tokio::spawn(connection(Some(peer), false).serve(io));
                }
            },
            Ok(Stream::Unix(io)) => {
                tokio::spawn(connection(None, false).serve(io));
            }
            // Out of file descriptors, or a connection reset before it was
            // accepted: say so (rate-limited), wait a moment rather than
            // spin, and go on.
            Err(error) => {
                accept_errors.failed(&error);
                tokio::time::sleep(Duration::from_millis(20)).await
            }
        }
    };
    drop(listener);
    tracing::info!(
        signal = stop.name(),
        "{}",
        tr!("cli-serve-stopping", signal = stop.name())
    );
    if tokio::time::timeout(options.shutdown_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("{}", tr!("cli-serve-shutdown-timeout"));
    }
    Ok(())
}

/// What a connection's task needs.
struct Connection {
    app: Arc<App>,
    builder: http1::Builder,
    stop: Watcher,
    permit: OwnedSemaphorePermit,
    peer: Option<SocketAddr>,
    tls: bool,
}

impl Connection {
    /// Serves HTTP on one connection until it ends (or a shutdown ends it
    /// gracefully). In proxy mode the connection gets its own upstream
    /// connection, driven on this same task ([`upstream::run_paired`]).
    async fn serve<I>(self, io: I)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Connection {
            app,
            builder,
            stop,
            permit,
            peer,
            tls,
        } = self;
        // A connection's errors (a client gone, headers too large, too slow)
        // concern that client only: hyper has already answered or closed it.
        if app.proxy.is_some() {
            let (paired, drivers) = Paired::new();
            // The permit lives with the client's state, so that a stream
            // upgraded from this connection still counts.
            let client = Some(Arc::new(Client::new(peer, tls, paired, Some(permit))));
            let peer = peer.map(|peer| peer.ip());
            let service = service_fn(move |request| app.clone().handle(request, client.clone(), peer));
            let connection = builder.serve_connection(TokioIo::new(io), service).with_upgrades();
            let _ = upstream::run_paired(stop.watch(connection), drivers).await;
        } else {
            let peer = peer.map(|peer| peer.ip());
            let service = service_fn(move |request| app.clone().handle(request, None, peer));
            let _ = stop.watch(builder.serve_connection(TokioIo::new(io), service)).await;
            drop(permit);
        }
    }
}

/// Shakes hands on the connection's own task (a slow client holds up no
/// one else), then serves HTTP over TLS like a plain connection.
fn spawn_tls_connection(io: TcpStream, acceptor: TlsAcceptor, connection: Connection, handshake_timeout: Duration) {
    tokio::spawn(async move {
        // A client that never finishes its handshake is held no longer than
        // one that never finishes its request head. Failed handshakes (plain
        // HTTP, an untrusted certificate) concern that client only.
        let Ok(Ok(io)) = tokio::time::timeout(handshake_timeout, acceptor.accept(io)).await else {
            return;
        };
        connection.serve(io).await;
    });
}
