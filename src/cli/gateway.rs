//! `keydesk gateway nginx|caddy|traefik|envoy`: prints a complete
//! configuration that puts that gateway in front of a model server, asking
//! `keydesk serve` (forward-auth) about every request first.
//!
//! The configurations are templates in `gateway/`, one file per gateway, so
//! they read as what they are; only addresses are filled in. The nginx and
//! Caddy outputs are exactly what the tests run against the real servers
//! (tests/program/serve/gateways.rs), so what users copy is what works.
//!
//! Everything filled in is checked first: a URL is `http://` or `https://`,
//! a host and an optional port, nothing else, and hosts are names or IP
//! addresses. Nothing a user types can therefore end a directive or open a
//! block in the printed configuration.

use std::net::{IpAddr, Ipv6Addr};

use clap::Args;

use super::exit::Failure;
use super::output::write_stdout;

/// Options of `keydesk gateway`.
#[derive(Debug, Clone, Args)]
pub struct GatewayArgs {
    #[arg(value_enum, value_name = "GATEWAY")]
    pub gateway: Gateway,

    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub keydesk: Endpoint,

    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub upstream: Option<Endpoint>,

    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN, value_parser = parse_listen)]
    pub listen: Listen,
}

/// The gateways keydesk writes configurations for.
// No doc comments on the variants: clap would show them as English help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Gateway {
    Nginx,
    Caddy,
    Traefik,
    Envoy,
}

/// Where the gateway listens when `--listen` is not given: loopback, like
/// `keydesk serve` itself, so nothing is exposed until asked for.
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The model server when `--upstream` is not given: Ollama's own address,
/// the common single-host setup. The printed configuration says so.
const DEFAULT_UPSTREAM: &str = "http://127.0.0.1:11434";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// A checked `http(s)://HOST[:PORT]` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub scheme: Scheme,
    pub host: Host,
    pub port: u16,
}

/// A host: a DNS name or an IP address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Name(String),
    Ip(IpAddr),
}

impl Host {
    /// As in a URL or `HOST:PORT`: IPv6 in brackets.
    fn in_url(&self) -> String {
        match self {
            Host::Name(name) => name.clone(),
            Host::Ip(IpAddr::V6(ip)) => format!("[{ip}]"),
            Host::Ip(ip) => ip.to_string(),
        }
    }

    /// Bare, as Envoy's socket addresses and TLS names take it.
    fn bare(&self) -> String {
        match self {
            Host::Name(name) => name.clone(),
            Host::Ip(ip) => ip.to_string(),
        }
    }
}

impl Endpoint {
    /// `HOST:PORT`.
    fn authority(&self) -> String {
        format!("{}:{}", self.host.in_url(), self.port)
    }

    fn url(&self) -> String {
        format!("{}://{}", self.scheme.as_str(), self.authority())
    }
}

/// Where the gateway listens: a host (none: every interface) and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    pub host: Option<Host>,
    pub port: u16,
}

impl Listen {
    fn address(&self) -> String {
        match &self.host {
            Some(host) => format!("{}:{}", host.in_url(), self.port),
            None => format!(":{}", self.port),
        }
    }

    /// Whether only this machine can reach it.
    fn is_loopback(&self) -> bool {
        match &self.host {
            Some(Host::Ip(ip)) => ip.is_loopback(),
            Some(Host::Name(name)) => name.eq_ignore_ascii_case("localhost"),
            None => false,
        }
    }
}

/// `http://HOST[:PORT]` or `https://…`, optionally with a final `/`.
pub fn parse_url(text: &str) -> Result<Endpoint, String> {
    let (scheme, rest) = if let Some(rest) = text.strip_prefix("http://") {
        (Scheme::Http, rest)
    } else if let Some(rest) = text.strip_prefix("https://") {
        (Scheme::Https, rest)
    } else {
        return Err(tr!("cli-gateway-url-scheme"));
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains(['/', '?', '#', '@']) {
        return Err(tr!("cli-gateway-url-extra"));
    }
    let default_port = match scheme {
        Scheme::Http => 80,
        Scheme::Https => 443,
    };
    let (host, port) = split_host_port(authority, Some(default_port)).ok_or_else(|| tr!("cli-gateway-url-host"))?;
    Ok(Endpoint {
        scheme,
        host: host.ok_or_else(|| tr!("cli-gateway-url-host"))?,
        port,
    })
}

/// `HOST:PORT`, `[IPV6]:PORT` or `:PORT` (every interface).
pub fn parse_listen(text: &str) -> Result<Listen, String> {
    let (host, port) = split_host_port(text, None).ok_or_else(|| tr!("cli-gateway-listen-invalid"))?;
    Ok(Listen { host, port })
}

/// Splits `HOST[:PORT]`; the port may be left out only when there is a
/// default. `None` for anything that is not a name, an IP address (IPv6 in
/// brackets) or a port from 1 to 65535. An empty host is `Some(None)`.
fn split_host_port(text: &str, default_port: Option<u16>) -> Option<(Option<Host>, u16)> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        let ip: Ipv6Addr = ip.parse().ok()?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (Some(Host::Ip(IpAddr::V6(ip))), port)
    } else {
        let (host, port) = match text.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        };
        let host = match host {
            "" => None,
            host => Some(parse_host(host)?),
        };
        (host, port)
    };
    let port = match port {
        Some(port) => port.parse().ok().filter(|&port| port != 0)?,
        None => default_port?,
    };
    Some((host, port))
}

/// An IPv4 address or a DNS name (letters, digits, `-` and `.`).
fn parse_host(text: &str) -> Option<Host> {
    if let Ok(ip) = text.parse::<std::net::Ipv4Addr>() {
        return Some(Host::Ip(IpAddr::V4(ip)));
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let name = text.strip_suffix('.').unwrap_or(text);
    (name.len() <= 253 && name.split('.').all(label_ok)).then(|| Host::Name(text.to_ascii_lowercase()))
}

/// `keydesk gateway`: prints the configuration.
pub fn run(args: &GatewayArgs) -> Result<(), Failure> {
    write_stdout(&render(args))
}

/// The configuration for `args.gateway`.
pub fn render(args: &GatewayArgs) -> String {
    let default_upstream = args.upstream.is_none();
    let upstream = args
        .upstream
        .clone()
        .unwrap_or_else(|| parse_url(DEFAULT_UPSTREAM).expect("the default upstream is a URL"));
    let plan = Plan {
        keydesk: &args.keydesk,
        upstream: &upstream,
        default_upstream,
        listen: &args.listen,
    };
    let (template, values) = match args.gateway {
        Gateway::Nginx => (include_str!("gateway/nginx.conf"), nginx_values(&plan)),
        Gateway::Caddy => (include_str!("gateway/Caddyfile"), caddy_values(&plan)),
        Gateway::Traefik => (include_str!("gateway/traefik.yml"), plan.common()),
        Gateway::Envoy => (include_str!("gateway/envoy.yaml"), envoy_values(&plan)),
    };
    fill(template, &values)
}

/// What a template is filled with.
struct Plan<'a> {
    keydesk: &'a Endpoint,
    upstream: &'a Endpoint,
    /// `--upstream` was not given: [`DEFAULT_UPSTREAM`] is used.
    default_upstream: bool,
    listen: &'a Listen,
}

type Values = Vec<(&'static str, String)>;

impl Plan<'_> {
    /// The placeholders every template has.
    fn common(&self) -> Values {
        let upstream_note = match self.default_upstream {
            true => " (Ollama's address: --upstream names another)".to_owned(),
            false => String::new(),
        };
        vec![
            ("KEYDESK_URL", self.keydesk.url()),
            ("UPSTREAM_URL", self.upstream.url()),
            ("UPSTREAM_NOTE", upstream_note),
            ("LISTEN", self.listen.address()),
            ("LISTEN_NOTE", self.listen_note()),
        ]
    }

    /// A warning in the configuration's header when clients reach the
    /// gateway over the network in plain HTTP, keys and all.
    fn listen_note(&self) -> String {
        if self.listen.is_loopback() {
            return String::new();
        }
        "\n# It listens in plain HTTP beyond this machine: API keys cross the network\n\
         # in clear unless TLS is added in front or here."
            .to_owned()
    }
}

fn nginx_values(plan: &Plan) -> Values {
    let mut values = plan.common();
    // nginx writes "every interface" as the port alone.
    let listen = match plan.listen.host {
        Some(_) => plan.listen.address(),
        None => plan.listen.port.to_string(),
    };
    values.extend([
        ("NGINX_LISTEN", listen),
        ("KEYDESK_ADDR", plan.keydesk.authority()),
        ("KEYDESK_SCHEME", plan.keydesk.scheme.as_str().to_owned()),
        ("KEYDESK_TLS", nginx_tls(plan.keydesk)),
        ("UPSTREAM_ADDR", plan.upstream.authority()),
        ("UPSTREAM_SCHEME", plan.upstream.scheme.as_str().to_owned()),
        ("UPSTREAM_TLS", nginx_tls(plan.upstream)),
    ]);
    values
}

/// nginx checks no certificate unless told to.
fn nginx_tls(endpoint: &Endpoint) -> String {
    if endpoint.scheme == Scheme::Http {
        return String::new();
    }
    format!(
        "\n        proxy_ssl_server_name on;\
         \n        proxy_ssl_name {};\
         \n        proxy_ssl_verify on;\
         \n        proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;",
        endpoint.host.bare()
    )
}

/// Caddy's site address matches the `Host` header against its host, so the
/// site is addressed by port alone and `bind` says where to listen: the
/// same meaning `--listen` has for the other gateways.
fn caddy_values(plan: &Plan) -> Values {
    let mut values = plan.common();
    let bind = match &plan.listen.host {
        Some(host) => format!("\tbind {}\n", host.in_url()),
        None => String::new(),
    };
    let upstream_host = match plan.upstream.scheme {
        Scheme::Https => "\n\t\theader_up Host {upstream_hostport}".to_owned(),
        Scheme::Http => String::new(),
    };
    values.extend([
        ("SITE", format!("http://:{}", plan.listen.port)),
        ("BIND", bind),
        ("UPSTREAM_HOST", upstream_host),
    ]);
    values
}

fn envoy_values(plan: &Plan) -> Values {
    let mut values = plan.common();
    let listen_host = match &plan.listen.host {
        Some(host) => host.bare(),
        None => "0.0.0.0".to_owned(),
    };
    values.extend([
        ("LISTEN_HOST", listen_host),
        ("LISTEN_PORT", plan.listen.port.to_string()),
        ("UPSTREAM_AUTHORITY", plan.upstream.authority()),
        ("KEYDESK_HOST", plan.keydesk.host.bare()),
        ("KEYDESK_PORT", plan.keydesk.port.to_string()),
        ("KEYDESK_DISCOVERY", envoy_discovery(plan.keydesk)),
        ("KEYDESK_TLS", envoy_tls(plan.keydesk)),
        ("UPSTREAM_HOST", plan.upstream.host.bare()),
        ("UPSTREAM_PORT", plan.upstream.port.to_string()),
        ("UPSTREAM_DISCOVERY", envoy_discovery(plan.upstream)),
        ("UPSTREAM_TLS", envoy_tls(plan.upstream)),
    ]);
    values
}

/// STATIC for an IP address, LOGICAL_DNS (resolved, one address at a time) for a name.
fn envoy_discovery(endpoint: &Endpoint) -> String {
    match endpoint.host {
        Host::Ip(_) => "STATIC",
        Host::Name(_) => "LOGICAL_DNS",
    }
    .to_owned()
}

/// Envoy checks the certificate's chain only with a trusted CA, and its name
/// only when told which.
fn envoy_tls(endpoint: &Endpoint) -> String {
    if endpoint.scheme == Scheme::Http {
        return String::new();
    }
    let host = endpoint.host.bare();
    let (sni, san_type) = match endpoint.host {
        Host::Name(_) => (format!("\n          sni: \"{host}\""), "DNS"),
        Host::Ip(_) => (String::new(), "IP_ADDRESS"),
    };
    format!(
        "\n      transport_socket:\
         \n        name: envoy.transport_sockets.tls\
         \n        typed_config:\
         \n          \"@type\": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext{sni}\
         \n          common_tls_context:\
         \n            validation_context:\
         \n              trusted_ca:\
         \n                filename: /etc/ssl/certs/ca-certificates.crt\
         \n              match_typed_subject_alt_names:\
         \n                - san_type: {san_type}\
         \n                  matcher:\
         \n                    exact: \"{host}\""
    )
}

/// `template` with each `{{NAME}}` replaced by its value.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{{{name}}}}}"), value);
    }
    debug_assert!(!text.contains("{{"), "a placeholder left unfilled:\n{text}");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(gateway: Gateway, keydesk: &str, upstream: Option<&str>, listen: &str) -> GatewayArgs {
        GatewayArgs {
            gateway,
            keydesk: parse_url(keydesk).unwrap(),
            upstream: upstream.map(|u| parse_url(u).unwrap()),
            listen: parse_listen(listen).unwrap(),
        }
    }

    #[test]
    fn urls_are_a_scheme_a_host_and_a_port_and_nothing_else() {
        let url = parse_url("http://127.0.0.1:7411").unwrap();
        assert_eq!(url.authority(), "127.0.0.1:7411");
        assert_eq!(
            parse_url("https://keys.example.com/").unwrap().url(),
            "https://keys.example.com:443"
        );
        assert_eq!(parse_url("http://[::1]:7411").unwrap().host.bare(), "::1");
        assert_eq!(parse_url("http://Model.Local").unwrap().url(), "http://model.local:80");
        for bad in [
            "127.0.0.1:7411",
            "ftp://x",
            "http://",
            "http://:80",
            "http://x:0",
            "http://x:65536",
            "http://x/v1",
            "http://x?a",
            "http://user@x",
            "http://x;}",
            "http://x y",
            "http://[::1",
            "http://::1:80",
            "http://-x",
            "http://x\n",
        ] {
            assert!(parse_url(bad).is_err(), "{bad:?} was taken");
        }
    }

    #[test]
    fn listen_addresses_are_host_and_port_or_port_alone() {
        assert_eq!(parse_listen(":8080").unwrap().address(), ":8080");
        assert_eq!(parse_listen("0.0.0.0:80").unwrap().address(), "0.0.0.0:80");
        assert_eq!(parse_listen("[::]:80").unwrap().address(), "[::]:80");
        assert!(parse_listen("localhost:80").unwrap().is_loopback());
        for bad in ["8080", "127.0.0.1", "x:", "x:y", "[::1]", "a b:80", "x;:80"] {
            assert!(parse_listen(bad).is_err(), "{bad:?} was taken");
        }
    }

    #[test]
    fn every_template_is_filled_for_every_gateway() {
        for gateway in [Gateway::Nginx, Gateway::Caddy, Gateway::Traefik, Gateway::Envoy] {
            for (keydesk, upstream, listen) in [
                ("http://127.0.0.1:7411", None, "127.0.0.1:8080"),
                ("https://keys.example.com", Some("https://[2001:db8::1]:8443"), ":80"),
            ] {
                let text = render(&args(gateway, keydesk, upstream, listen));
                assert!(!text.contains("{{"), "{gateway:?}:\n{text}");
            }
        }
    }

    #[test]
    fn a_gateway_reachable_beyond_this_machine_is_marked_as_plain_http() {
        let note = "in clear unless TLS";
        for gateway in [Gateway::Nginx, Gateway::Caddy, Gateway::Traefik, Gateway::Envoy] {
            let open = render(&args(gateway, "http://127.0.0.1:7411", None, "0.0.0.0:8080"));
            assert!(open.contains(note), "{gateway:?}:\n{open}");
            let local = render(&args(gateway, "http://127.0.0.1:7411", None, "127.0.0.1:8080"));
            assert!(!local.contains(note), "{gateway:?}:\n{local}");
        }
    }

    #[test]
    fn without_upstream_the_configuration_names_ollama_and_says_so() {
        let text = render(&args(Gateway::Nginx, "http://127.0.0.1:7411", None, ":8080"));
        assert!(text.contains("server 127.0.0.1:11434;"), "{text}");
        assert!(text.contains("--upstream names another"), "{text}");
        let given = render(&args(
            Gateway::Nginx,
            "http://127.0.0.1:7411",
            Some("http://10.0.0.5:8000"),
            ":8080",
        ));
        assert!(
            given.contains("server 10.0.0.5:8000;") && !given.contains("11434"),
            "{given}"
        );
    }

    #[test]
    fn https_endpoints_have_their_certificates_checked() {
        let nginx = render(&args(Gateway::Nginx, "https://keys.example.com", None, ":8080"));
        assert!(nginx.contains("proxy_pass https://keydesk_verify/verify;"), "{nginx}");
        assert!(nginx.contains("proxy_ssl_verify on;") && nginx.contains("proxy_ssl_name keys.example.com;"));
        let envoy = render(&args(Gateway::Envoy, "https://keys.example.com", None, ":8080"));
        assert!(
            envoy.contains("sni: \"keys.example.com\"") && envoy.contains("san_type: DNS"),
            "{envoy}"
        );
        let caddy = render(&args(
            Gateway::Caddy,
            "http://127.0.0.1:1",
            Some("https://api.example.com"),
            ":8080",
        ));
        assert!(caddy.contains("reverse_proxy https://api.example.com:443 {"), "{caddy}");
        assert!(caddy.contains("header_up Host {upstream_hostport}"), "{caddy}");
    }
}
