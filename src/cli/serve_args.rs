//! `keydesk serve`'s options, as clap sees them. The server itself takes a
//! plain [`Options`](crate::serve::Options), so it does not depend on the
//! command-line parser; this is where one becomes the other.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::serve::LogFormat;

/// Options of `keydesk serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Where to listen: HOST:PORT, or unix:/path/to/socket
    #[arg(long, default_value = "127.0.0.1:7411", value_name = "ADDR")]
    pub listen: String,

    /// Proxy mode: check each request's key, then forward it to this http:// URL
    /// (e.g. http://127.0.0.1:11434 for Ollama). Without it only /verify is served.
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,

    /// A file holding the upstream's own API key, sent to it as `Authorization: Bearer …`
    /// (e.g. for a vLLM started with --api-key)
    #[arg(long, value_name = "FILE", requires = "upstream")]
    pub upstream_auth_file: Option<PathBuf>,

    /// Also read a key from the `key` query parameter (of the request, or of X-Original-URI /
    /// X-Forwarded-Uri). Off by default: query strings end up in access logs.
    #[arg(long)]
    pub allow_query_key: bool,

    /// Allow plain HTTP on an address other than loopback. Keys would cross the network in clear.
    #[arg(long)]
    pub insecure_http: bool,

    /// Serve HTTPS with this PEM certificate chain (with --tls-key; TCP only). Both files are
    /// read again on SIGHUP; a bad new pair keeps the old one.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Close a connection whose request headers take longer than this (slow or idle clients)
    #[arg(long, default_value = "10s", value_name = "DURATION", value_parser = parse_duration)]
    pub header_timeout: Duration,

    /// Give up connecting to the upstream after this long (answer 502)
    #[arg(long, default_value = "5s", value_name = "DURATION", value_parser = parse_duration)]
    pub upstream_connect_timeout: Duration,

    /// Give up waiting for the upstream's response headers after this long (answer 504). A
    /// response that has started streaming is never cut.
    #[arg(long, default_value = "300s", value_name = "DURATION", value_parser = parse_duration)]
    pub upstream_timeout: Duration,

    /// On SIGTERM/SIGINT, wait at most this long for requests in flight before exiting
    #[arg(long, default_value = "30s", value_name = "DURATION", value_parser = parse_duration)]
    pub shutdown_timeout: Duration,

    /// Answer 503 (and /readyz not ready) when the key index has not been confirmed current for
    /// this long, e.g. because the database cannot be read: fail closed rather than on old keys
    #[arg(long, default_value = "10s", value_name = "DURATION", value_parser = parse_duration)]
    pub max_index_age: Duration,

    /// Fail static: while the database cannot be read, keep answering from the last index however
    /// old it is (/readyz answers 503 "degraded"); for a fleet on a shared PostgreSQL that must ride
    /// out the database's outages. Last Used is kept in memory, one entry per key, and written when
    /// the database is back
    #[arg(long)]
    pub fail_static: bool,

    /// At most this many client connections at once; more wait to be accepted
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub max_connections: usize,

    /// Worker threads (default: one per core)
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// How serve writes its messages to stderr: text (for a person) or json (one object per line,
    /// for a log collector)
    #[arg(long, value_enum, default_value_t = LogFormatArg::Text, value_name = "FORMAT")]
    pub log_format: LogFormatArg,

    /// Connections from these networks may name the client's address in X-Forwarded-For (or, for
    /// /verify, X-Real-IP), for keys with an address rule. Default: loopback for /verify, none in
    /// proxy mode
    #[arg(long, value_name = "CIDR,…", value_parser = parse_networks)]
    pub trusted_proxies: Option<Networks>,

    /// Proxy mode reads at most this many bytes of a request body to find its model, for keys with
    /// a model rule; a larger body gets 413
    #[arg(long, default_value_t = crate::serve::DEFAULT_MAX_MODEL_BODY, value_name = "BYTES", value_parser = parse_body_size)]
    pub max_model_body: usize,

    /// Proxy mode reads the token usage out of the answers it relays (OpenAI, Anthropic, Ollama,
    /// Gemini), without holding them back; off relays them unread
    #[arg(long, value_enum, default_value_t = Switch::On, value_name = "ON|OFF")]
    pub count_tokens: Switch,

    /// inject: ask OpenAI streams that do not ask for their usage for it
    /// (stream_options.include_usage), and take the usage chunk back out of what the client gets;
    /// off: such streams are counted as requests with unknown tokens
    #[arg(long, value_enum, default_value_t = StreamUsageArg::Off, value_name = "MODE")]
    pub stream_usage: StreamUsageArg,

    /// Write one JSON line per request to this file (created 0600, appended to, reopened on
    /// SIGHUP for logrotate), or to stdout with `-`. Off by default. Lines name the key's ID,
    /// never the key; the query string and header values are never written
    #[arg(long, value_name = "PATH|-", value_parser = parse_access_log)]
    pub access_log: Option<crate::serve::AccessLogTarget>,
}

/// `--access-log`'s value: `-` is stdout, anything else a file.
fn parse_access_log(text: &str) -> Result<crate::serve::AccessLogTarget, String> {
    match text {
        "-" => Ok(crate::serve::AccessLogTarget::Stdout),
        "" => Err(tr!("cli-serve-access-log-empty")),
        path => Ok(crate::serve::AccessLogTarget::File(PathBuf::from(path))),
    }
}

/// `--count-tokens`' values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    // No doc comments on the values: clap would show them untranslated.
    On,
    Off,
}

/// `--stream-usage`'s values as clap sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StreamUsageArg {
    Inject,
    Off,
}

/// `--trusted-proxies`' networks (a type of its own: clap reads a `Vec` field
/// as a repeated flag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Networks(pub Vec<ipnet::IpNet>);

/// A comma-separated list of addresses and CIDR blocks; a bare address is a
/// block of one.
pub fn parse_networks(text: &str) -> Result<Networks, String> {
    let mut networks = Vec::new();
    for part in text.split(',').map(str::trim) {
        let network = part
            .parse::<ipnet::IpNet>()
            .map(|net| net.trunc())
            .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
            .map_err(|_| tr!("cli-serve-bad-network", part = part))?;
        networks.push(network);
    }
    Ok(Networks(networks))
}

/// A body size in bytes, from 1 to the server's maximum.
pub fn parse_body_size(text: &str) -> Result<usize, String> {
    let max = crate::serve::MAX_MODEL_BODY;
    match text.trim().parse::<usize>() {
        Ok(bytes) if (1..=max).contains(&bytes) => Ok(bytes),
        _ => Err(tr!("cli-serve-bad-body-size", max = max)),
    }
}

/// `--log-format`'s values as clap sees them: the server's own
/// [`LogFormat`] does not depend on clap, and clap's traits cannot be put on
/// it from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormatArg {
    /// The message alone, in the user's language.
    Text,
    /// One JSON object per line.
    Json,
}

impl From<LogFormatArg> for LogFormat {
    fn from(format: LogFormatArg) -> LogFormat {
        match format {
            LogFormatArg::Text => LogFormat::Text,
            LogFormatArg::Json => LogFormat::Json,
        }
    }
}

impl From<ServeArgs> for crate::serve::Options {
    fn from(args: ServeArgs) -> crate::serve::Options {
        crate::serve::Options {
            listen: args.listen,
            upstream: args.upstream,
            upstream_auth_file: args.upstream_auth_file,
            allow_query_key: args.allow_query_key,
            insecure_http: args.insecure_http,
            tls_cert: args.tls_cert,
            tls_key: args.tls_key,
            header_timeout: args.header_timeout,
            upstream_connect_timeout: args.upstream_connect_timeout,
            upstream_timeout: args.upstream_timeout,
            shutdown_timeout: args.shutdown_timeout,
            max_index_age: args.max_index_age,
            fail_static: args.fail_static,
            max_connections: args.max_connections,
            threads: args.threads,
            log_format: args.log_format.into(),
            trusted_proxies: args.trusted_proxies.map(|networks| networks.0),
            max_model_body: args.max_model_body,
            count_tokens: args.count_tokens == Switch::On,
            stream_usage: match args.stream_usage {
                StreamUsageArg::Inject => crate::serve::StreamUsage::Inject,
                StreamUsageArg::Off => crate::serve::StreamUsage::Off,
            },
            // From the settings (`--utc-offset`, the config file).
            utc_offset: time::UtcOffset::UTC,
            prices: None,
            access_log: args.access_log,
        }
    }
}

/// A positive duration in the one syntax: `250ms`, `10s`, `5m`, `1h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    use keydesk_i18n::words::{duration_forms, parse_duration};
    let duration = parse_duration(text)?;
    if duration.is_zero() {
        return Err(tr!("cli-serve-duration-zero", forms = duration_forms()));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_are_addresses_and_blocks() {
        let Networks(networks) = parse_networks("10.0.0.0/8, 192.0.2.7,::1,2001:db8::1/32").unwrap();
        let shown: Vec<String> = networks.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["10.0.0.0/8", "192.0.2.7/32", "::1/128", "2001:db8::/32"]);
        let error = parse_networks("10.0.0.0/8,localhost").unwrap_err();
        assert!(error.contains("localhost"), "{error}");
        assert!(parse_networks("").is_err());
    }

    #[test]
    fn body_sizes_are_whole_bytes_within_bounds() {
        assert_eq!(parse_body_size("1048576"), Ok(1_048_576));
        for bad in ["0", "-1", "1MiB", "", "99999999999"] {
            assert!(parse_body_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_take_a_unit_and_are_not_zero() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3_600)));
        for bad in ["", "10", "0s", "0ms", "-1s", "1.5s", "s"] {
            let error = parse_duration(bad).unwrap_err();
            assert!(error.contains("e.g. 250ms, 30s, 5m, 24h, 30d"), "{bad}: {error}");
        }
    }
}
