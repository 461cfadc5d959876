//! What [`run`](crate::run) is told to do: plain values, so the server does
//! not depend on how a program reads them (keydesk's own command line is
//! `keydesk serve`'s flags, parsed in the program).

use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;

use crate::access_log::AccessLogTarget;
use crate::log::LogFormat;
pub use crate::tokens::StreamUsage;

/// How `keydesk serve` runs. Each field is one flag of `keydesk serve`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Where to listen: `HOST:PORT`, or `unix:/path/to/socket`. Plain HTTP
    /// on an address other than loopback is refused unless
    /// [`insecure_http`](Self::insecure_http) or TLS is on.
    pub listen: String,
    /// Proxy mode: check each request's key, then forward the request to
    /// this `http://` URL. `None`: only `/verify` (forward auth) is served.
    pub upstream: Option<String>,
    /// A file whose first line is the upstream's own API key, sent to it as
    /// `Authorization: Bearer …` (only with [`upstream`](Self::upstream)).
    pub upstream_auth_file: Option<PathBuf>,
    /// Also read a key from the `key` query parameter (query strings end up
    /// in access logs, so this is off unless asked for).
    pub allow_query_key: bool,
    /// Allow plain HTTP on an address other than loopback.
    pub insecure_http: bool,
    /// The PEM certificate chain for HTTPS (with [`tls_key`](Self::tls_key);
    /// TCP only). Both files are read again on SIGHUP.
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of [`tls_cert`](Self::tls_cert).
    pub tls_key: Option<PathBuf>,
    /// How long a client may take to send its request headers.
    pub header_timeout: Duration,
    /// How long connecting to the upstream may take (then 502).
    pub upstream_connect_timeout: Duration,
    /// How long the upstream's response headers may take (then 504); a
    /// response that has started streaming is never cut.
    pub upstream_timeout: Duration,
    /// How long to wait for requests in flight after SIGTERM or SIGINT.
    pub shutdown_timeout: Duration,
    /// Answer 503 once the key index has not been confirmed current for
    /// this long (fail closed), unless [`fail_static`](Self::fail_static).
    pub max_index_age: Duration,
    /// While the database cannot be read, keep answering from the last
    /// index however old it is.
    pub fail_static: bool,
    /// At most this many client connections at once; more wait.
    pub max_connections: usize,
    /// Worker threads; `None` is one per core.
    pub threads: Option<usize>,
    /// How messages are written to stderr.
    pub log_format: LogFormat,
    /// Connections from these networks may name the client's address in
    /// `X-Forwarded-For` (or, in forward-auth, `X-Real-IP`), for keys with
    /// an address rule. `None`: the mode's default, loopback for
    /// forward-auth and nobody in proxy mode.
    pub trusted_proxies: Option<Vec<IpNet>>,
    /// Proxy mode reads at most this many bytes of a request body to find
    /// its model, for keys with a model rule; a larger body gets 413.
    pub max_model_body: usize,
    /// Proxy mode reads token usage out of the answers it relays
    /// (`--count-tokens on`, the default).
    pub count_tokens: bool,
    /// `--stream-usage`: whether OpenAI streams are asked for their usage.
    pub stream_usage: StreamUsage,
    /// The UTC offset budgets' calendar periods are in (`--utc-offset`, or
    /// the config file's): a day from its midnight.
    pub utc_offset: time::UtcOffset,
    /// What tokens cost (the config file's `[prices]`), for `spend-limit`.
    pub prices: Option<keydesk_core::domain::prices::PriceList>,
    /// `--access-log PATH|-`: one JSON line per request, to a file (created
    /// 0600, reopened on SIGHUP) or stdout. `None`: off.
    pub access_log: Option<AccessLogTarget>,
}

/// The default `--max-model-body`: 1 MiB.
pub const DEFAULT_MAX_MODEL_BODY: usize = 1024 * 1024;

/// The largest `--max-model-body`.
pub const MAX_MODEL_BODY: usize = crate::model_body::MAX_MODEL_BODY;

/// Loopback, IPv4 and IPv6: forward-auth's default trusted proxies.
pub fn loopback() -> Vec<IpNet> {
    let v4 = ipnet::Ipv4Net::new(std::net::Ipv4Addr::new(127, 0, 0, 0), 8).expect("8 is a prefix length");
    vec![
        IpNet::V4(v4),
        IpNet::from(std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST)),
    ]
}
