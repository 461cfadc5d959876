//! Proxy mode: keys in front of a server that has none of its own (Ollama,
//! or vLLM/TGI on localhost).
//!
//! The request is checked first and forwarded only when allowed, so a
//! refused request never reaches the upstream. Bodies are hyper's streams,
//! passed on as they arrive in both directions: a streamed chat completion
//! (server-sent events) reaches the client token by token, and nothing is
//! held in memory. Every place the check found a key in, or could have, is
//! removed (the upstream never sees a keydesk secret), as are header names
//! with a `_` (WSGI servers read them as `-`: nginx drops them too), and
//! `X-Keydesk-Key-Id`/`-Name` are set, replacing any a client sent.
//! The upstream's `Host` is its own address, as with nginx's `proxy_pass`:
//! Ollama refuses a foreign `Host` on a loopback address; the client's is
//! passed on as `X-Forwarded-Host`, with `X-Forwarded-For` and `-Proto`, as
//! nginx's usual `proxy_set_header` lines do.
//!
//! What cannot be carried is answered here, without the upstream: `CONNECT`
//! (a tunnel) with 405, and a body framed other than by `Content-Length` or
//! a single `chunked` (which is re-encoded as such) with 400, since an
//! upstream could read its length differently.
//!
//! A `Connection: upgrade` request (WebSocket) is checked like any other,
//! then sent on an upstream connection of its own; after the upstream's
//! `101` both upgraded streams are joined and bytes copied both ways.
//! Other requests use the client connection's paired upstream connection
//! ([`super::upstream`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Either;
use hyper::body::Incoming;
use hyper::http::header::{
    ACCEPT_ENCODING, ALLOW, AUTHORIZATION, CONNECTION, HOST, HeaderName, HeaderValue, PROXY_AUTHENTICATE,
    PROXY_AUTHORIZATION, TE, TRAILER, TRANSFER_ENCODING, UPGRADE,
};
use hyper::http::uri::PathAndQuery;
use hyper::http::{HeaderMap, Method, Request, Response, StatusCode, Uri, Version};
use hyper_util::rt::TokioIo;
use tokio::sync::OwnedSemaphorePermit;

use super::budgets::TokenQuota;
use super::extract::Places;
use super::logged::UpstreamTime;
use super::metrics::Metrics;
use super::refusal::{add_quota, add_token_quota};
use super::response::{Body, Streamed, X_KEYDESK_KEY_ID, X_KEYDESK_KEY_NAME, json_error};
use super::tokens::{Counting, Meter};
use super::upstream::{Outgoing, Paired, Target};
use keydesk_core::KeyId;
use keydesk_core::limit::{Grant, Slot};

/// Headers that describe one connection, not the request (RFC 9110 §7.6.1):
/// never forwarded in either direction. Names, not strings: removing by a
/// string parses it again on every request.
const HOP_BY_HOP: [HeaderName; 8] = [
    CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    PROXY_AUTHENTICATE,
    PROXY_AUTHORIZATION,
    TE,
    TRAILER,
    UPGRADE,
];

pub const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
pub const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
pub const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

/// What the proxy knows about the client connection a request came on.
pub struct Client {
    /// The client's address as `X-Forwarded-For` names it (`unix:` on a
    /// Unix socket, as nginx's `$remote_addr`).
    pub address: HeaderValue,
    /// `http` or `https`: how the request reached keydesk.
    pub proto: HeaderValue,
    /// This client connection's own upstream connection.
    pub upstream: Paired,
    /// Its place under `--max-connections`, held as long as the connection
    /// or a stream upgraded from it (WebSocket) lives.
    _permit: Option<OwnedSemaphorePermit>,
}

impl Client {
    pub fn new(peer: Option<SocketAddr>, tls: bool, upstream: Paired, permit: Option<OwnedSemaphorePermit>) -> Client {
        let address = match peer {
            Some(peer) => HeaderValue::from_str(&peer.ip().to_string()).expect("an IP address is a header value"),
            None => HeaderValue::from_static("unix:"),
        };
        Client {
            address,
            proto: HeaderValue::from_static(if tls { "https" } else { "http" }),
            upstream,
            _permit: permit,
        }
    }
}

/// A request its key's policy let through, with what it holds while it is
/// in flight.
pub struct Admitted {
    pub request: Request<Outgoing>,
    /// Its place in the key's limits: the slot is held until the answer's
    /// body ends, the quota is told in the answer's headers.
    pub grant: Grant,
    /// Its body's share of the budget for bodies read whole, given back once
    /// the upstream has answered.
    pub budget: Option<OwnedSemaphorePermit>,
    /// How its answer's tokens are counted, when they are.
    pub counting: Option<Counting>,
    /// Where the key stands against its token rules, told in the answer's
    /// headers.
    pub token_quota: Option<TokenQuota>,
}

impl Admitted {
    /// A request of a key without rules: its body streams through.
    pub fn plain(request: Request<Incoming>) -> Admitted {
        Admitted {
            request: request.map(Either::Left),
            grant: Grant::default(),
            budget: None,
            counting: None,
            token_quota: None,
        }
    }
}

/// The upstream and how to reach it.
pub struct Proxy {
    target: Target,
    /// The upstream's `host[:port]`, sent as `Host`.
    host: HeaderValue,
    /// The upstream URL's path without its trailing `/`, put before every
    /// forwarded path.
    prefix: String,
    /// `Authorization` for the upstream itself (`--upstream-auth-file`).
    upstream_auth: Option<HeaderValue>,
    response_timeout: Duration,
}

/// What the proxy needs from the command line.
pub struct ProxySettings {
    pub upstream: String,
    /// The upstream's own credential; wiped when the settings are dropped.
    pub upstream_auth: Option<zeroize::Zeroizing<String>>,
    pub connect_timeout: Duration,
    pub response_timeout: Duration,
}

impl Proxy {
    pub fn new(settings: ProxySettings) -> Result<Proxy, String> {
        let uri: Uri = settings
            .upstream
            .parse()
            .map_err(|_| tr!("cli-serve-upstream-not-url", url = settings.upstream.as_str()))?;
        if uri.scheme() != Some(&hyper::http::uri::Scheme::HTTP) {
            return Err(tr!("cli-serve-upstream-not-http"));
        }
        let authority = uri
            .authority()
            .cloned()
            .ok_or_else(|| tr!("cli-serve-upstream-no-host"))?;
        let upstream_auth = match settings.upstream_auth {
            None => None,
            Some(secret) => {
                let header = zeroize::Zeroizing::new(format!("Bearer {}", secret.as_str()));
                let mut value = HeaderValue::from_str(&header)
                    .map_err(|_| "--upstream-auth-file: the key must be one line of visible ASCII".to_owned())?;
                value.set_sensitive(true);
                Some(value)
            }
        };
        let address = format!("{}:{}", authority.host(), authority.port_u16().unwrap_or(80));
        let target = Target {
            resolved: address.parse().ok(),
            address,
            connect_timeout: settings.connect_timeout,
        };
        Ok(Proxy {
            target,
            host: HeaderValue::from_str(authority.as_str()).map_err(|_| "--upstream: a bad host".to_owned())?,
            prefix: uri.path().trim_end_matches('/').to_owned(),
            upstream_auth,
            response_timeout: settings.response_timeout,
        })
    }

    /// Forwards an allowed request and streams the answer back.
    pub async fn forward(
        &self,
        admitted: Admitted,
        id: &KeyId,
        name: Option<HeaderValue>,
        client: &Arc<Client>,
        places: &Places,
        metrics: &Metrics,
    ) -> Response<Body> {
        let Admitted {
            mut request,
            grant: Grant { quota, slot },
            budget: _budget,
            counting,
            token_quota,
        } = admitted;
        if let Some(refusal) = refuse_uncarriable(&mut request) {
            return refusal;
        }
        let upgrade = upgrade_requested(request.headers()).then(|| hyper::upgrade::on(&mut request));
        let (mut parts, body) = request.into_parts();
        let Some(uri) = self.upstream_uri(&parts.uri, places) else {
            return json_error(StatusCode::BAD_REQUEST, BAD_PATH);
        };
        parts.uri = uri;
        parts.version = Version::HTTP_11;
        let protocol = upgrade.as_ref().and_then(|_| parts.headers.get(UPGRADE).cloned());
        self.prepare_headers(&mut parts.headers, places, id, name, client);
        if counting.is_some() {
            // Counted answers are read as they pass: never compressed.
            parts
                .headers
                .insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        }
        if let Some(protocol) = &protocol {
            parts.headers.insert(CONNECTION, HeaderValue::from_static("upgrade"));
            parts.headers.insert(UPGRADE, protocol.clone());
        }
        let request = Request::from_parts(parts, body);
        let sending = async {
            match upgrade {
                Some(_) => self.target.send_upgrade(request).await,
                None => client.upstream.send(&self.target, request).await,
            }
        };
        let sent = std::time::Instant::now();
        let mut response = match tokio::time::timeout(self.response_timeout, sending).await {
            Ok(Ok(response)) => answer(response, upgrade, client, slot, counting.map(|c| (c, id))),
            Ok(Err(_)) => {
                metrics.upstream_errors.inc();
                json_error(StatusCode::BAD_GATEWAY, UPSTREAM_FAILED)
            }
            Err(_) => {
                metrics.upstream_errors.inc();
                json_error(StatusCode::GATEWAY_TIMEOUT, UPSTREAM_TIMEOUT)
            }
        };
        response.extensions_mut().insert(UpstreamTime(sent.elapsed()));
        if let Some(quota) = &quota {
            add_quota(response.headers_mut(), quota);
        }
        if let Some(quota) = &token_quota {
            add_token_quota(response.headers_mut(), quota);
        }
        response
    }

    /// The request target for the upstream: its prefix, the request's path,
    /// and the query without the key's `places` in it. In the common case
    /// (no prefix, nothing to strip) the client's own target is reused
    /// without building a new one.
    fn upstream_uri(&self, uri: &Uri, places: &Places) -> Option<Uri> {
        let strip = places.in_query();
        if self.prefix.is_empty() && !strip {
            return Some(match uri.path_and_query() {
                Some(target) if uri.scheme().is_some() => Uri::from(target.clone()),
                Some(_) => uri.clone(),
                None => Uri::from_static("/"),
            });
        }
        let query = match uri.query() {
            Some(query) if strip => places.strip_query(query),
            other => other.map(str::to_owned),
        };
        let path = format!(
            "{}{}{}{}",
            self.prefix,
            uri.path(),
            if query.is_some() { "?" } else { "" },
            query.unwrap_or_default()
        );
        PathAndQuery::try_from(path).ok().map(Uri::from)
    }

    /// Removes the key's `places` and the client's claims about keys, adds
    /// ours, and says where the request came from (`X-Forwarded-*`, as
    /// nginx's usual `proxy_set_header` lines do).
    fn prepare_headers(
        &self,
        headers: &mut HeaderMap,
        places: &Places,
        id: &KeyId,
        name: Option<HeaderValue>,
        client: &Client,
    ) {
        remove_hop_by_hop(headers);
        places.strip_headers(headers);
        if self.upstream_auth.is_some() {
            headers.remove(AUTHORIZATION);
        }
        for name in [X_KEYDESK_KEY_ID, X_KEYDESK_KEY_NAME] {
            headers.remove(name);
        }
        let host = headers.insert(HOST, self.host.clone());
        match host {
            Some(host) => headers.insert(X_FORWARDED_HOST, host),
            None => headers.remove(X_FORWARDED_HOST),
        };
        headers.insert(X_FORWARDED_PROTO, client.proto.clone());
        let forwarded_for = forwarded_for(headers, &client.address);
        headers.insert(X_FORWARDED_FOR, forwarded_for);
        if let Ok(value) = HeaderValue::from_str(id.as_str()) {
            headers.insert(X_KEYDESK_KEY_ID, value);
        }
        if let Some(name) = name {
            headers.insert(X_KEYDESK_KEY_NAME, name);
        }
        if let Some(auth) = &self.upstream_auth {
            headers.insert(AUTHORIZATION, auth.clone());
        }
    }
}

/// `X-Forwarded-For` with the client's address appended to any the client
/// sent (several headers joined with `, `), like nginx's
/// `$proxy_add_x_forwarded_for`.
fn forwarded_for(headers: &HeaderMap, address: &HeaderValue) -> HeaderValue {
    let mut sent = headers.get_all(X_FORWARDED_FOR).iter().peekable();
    if sent.peek().is_none() {
        return address.clone();
    }
    let mut joined = Vec::new();
    for value in sent {
        joined.extend_from_slice(value.as_bytes());
        joined.extend_from_slice(b", ");
    }
    joined.extend_from_slice(address.as_bytes());
    HeaderValue::from_bytes(&joined).unwrap_or_else(|_| address.clone())
}

/// Refuses what the proxy cannot carry: `CONNECT` asks for a tunnel (405),
/// and a `Transfer-Encoding` other than one `chunked` names codings keydesk
/// does not apply, which an upstream might frame differently from hyper
/// (400). An accepted one is sent on spelled as hyper re-encodes it.
fn refuse_uncarriable<B>(request: &mut Request<B>) -> Option<Response<Body>> {
    if request.method() == Method::CONNECT {
        let mut refusal = json_error(StatusCode::METHOD_NOT_ALLOWED, NO_TUNNEL);
        refusal
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static(CARRIED_METHODS));
        return Some(refusal);
    }
    let headers = request.headers_mut();
    if !headers.contains_key(TRANSFER_ENCODING) {
        return None;
    }
    let mut codings = headers
        .get_all(TRANSFER_ENCODING)
        .iter()
        .flat_map(|value| value.as_bytes().split(|&b| b == b','))
        .map(<[u8]>::trim_ascii)
        .filter(|coding| !coding.is_empty());
    let chunked = codings
        .next()
        .is_some_and(|coding| coding.eq_ignore_ascii_case(b"chunked"));
    if !chunked || codings.next().is_some() {
        return Some(json_error(StatusCode::BAD_REQUEST, BAD_FRAMING));
    }
    headers.insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
    None
}

/// A request asking to switch protocols (`Connection: upgrade` and an
/// `Upgrade` header), e.g. a WebSocket handshake.
fn upgrade_requested(headers: &HeaderMap) -> bool {
    headers.contains_key(UPGRADE)
        && headers.get_all(CONNECTION).iter().any(|value| {
            value
                .as_bytes()
                .split(|b| *b == b',')
                .any(|token| token.trim_ascii().eq_ignore_ascii_case(b"upgrade"))
        })
}

/// The upstream's answer for the client. A `101 Switching Protocols` to an
/// upgrade request keeps its `Connection`/`Upgrade` headers, and the two
/// upgraded streams are joined: bytes are copied both ways until either
/// side closes. The request's `slot` among its key's requests in flight is
/// held until the answer's body ends, or an upgraded stream closes.
fn answer(
    response: Response<Incoming>,
    client_upgrade: Option<hyper::upgrade::OnUpgrade>,
    client: &Arc<Client>,
    slot: Option<Slot>,
    counting: Option<(Counting, &KeyId)>,
) -> Response<Body> {
    let mut slot = slot;
    let mut response = response;
    let switching = response.status() == StatusCode::SWITCHING_PROTOCOLS;
    let protocol = switching.then(|| response.headers().get(UPGRADE).cloned()).flatten();
    if let (Some(client_upgrade), Some(_)) = (client_upgrade, &protocol) {
        let upstream_upgrade = hyper::upgrade::on(&mut response);
        let client = client.clone();
        let in_flight = slot.take();
        tokio::spawn(async move {
            let _connection_counted = client;
            let _in_flight = in_flight;
            let (Ok(client), Ok(upstream)) = tokio::join!(client_upgrade, upstream_upgrade) else {
                return;
            };
            let _ = tokio::io::copy_bidirectional(&mut TokioIo::new(client), &mut TokioIo::new(upstream)).await;
        });
    }
    let (mut parts, body) = response.into_parts();
    remove_hop_by_hop(&mut parts.headers);
    if let Some(protocol) = protocol {
        parts.headers.insert(CONNECTION, HeaderValue::from_static("upgrade"));
        parts.headers.insert(UPGRADE, protocol);
    }
    let meter = counting.and_then(|(counting, id)| Meter::start(counting, id, parts.status, &mut parts.headers));
    Response::from_parts(parts, Either::Right(Streamed::new(body, slot, meter)))
}

/// Removes hop-by-hop headers, and those the `Connection` header names.
fn remove_hop_by_hop(headers: &mut HeaderMap) {
    // Most requests and answers have no `Connection` header at all: nothing
    // to collect then, and no allocation.
    let named: Vec<HeaderName> = match headers.contains_key(CONNECTION) {
        false => Vec::new(),
        true => headers
            .get_all(CONNECTION)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
            .collect(),
    };
    for name in HOP_BY_HOP.iter().chain(named.iter()) {
        headers.remove(name);
    }
}

/// `Allow` of the 405 to `CONNECT`: the standard methods it forwards
/// (other methods are forwarded too).
const CARRIED_METHODS: &str = "GET, HEAD, POST, PUT, DELETE, OPTIONS, TRACE, PATCH";
const NO_TUNNEL: &str = r#"{"error":{"message":"The proxy does not open tunnels (CONNECT).","type":"invalid_request_error","param":null,"code":null}}"#;
const BAD_FRAMING: &str = r#"{"error":{"message":"The request body's Transfer-Encoding cannot be forwarded; send it chunked or with a Content-Length.","type":"invalid_request_error","param":null,"code":null}}"#;
const BAD_PATH: &str = r#"{"error":{"message":"The request path cannot be forwarded.","type":"invalid_request_error","param":null,"code":null}}"#;
const UPSTREAM_FAILED: &str = r#"{"error":{"message":"The upstream server could not be reached.","type":"server_error","param":null,"code":"upstream_unavailable"}}"#;
const UPSTREAM_TIMEOUT: &str = r#"{"error":{"message":"The upstream server did not answer in time.","type":"server_error","param":null,"code":"upstream_timeout"}}"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{Mode, Rules, X_API_KEY, locate};

    fn proxy(upstream: &str, auth: Option<&str>) -> Proxy {
        Proxy::new(ProxySettings {
            upstream: upstream.into(),
            upstream_auth: auth.map(|a| zeroize::Zeroizing::new(a.to_owned())),
            connect_timeout: Duration::from_secs(1),
            response_timeout: Duration::from_secs(1),
        })
        .unwrap()
    }

    /// Where the check finds keys in a request with these headers and target.
    fn places(headers: &HeaderMap, uri: &Uri, allow_query: bool) -> Places {
        let rules = Rules {
            mode: Mode::Proxy,
            allow_query,
        };
        locate(headers, uri, rules).places
    }

    #[tokio::test]
    async fn the_upstream_path_keeps_the_prefix_and_drops_query_keys() {
        let proxy = proxy("http://127.0.0.1:9/base/", None);
        let uri: Uri = "/v1/chat?key=sk-x&alt=sse".parse().unwrap();
        let read = places(&HeaderMap::new(), &uri, true);
        let forwarded = proxy.upstream_uri(&uri, &read).unwrap();
        assert_eq!(forwarded.to_string(), "/base/v1/chat?alt=sse");
        let unread = places(&HeaderMap::new(), &uri, false);
        let kept = proxy.upstream_uri(&uri, &unread).unwrap();
        assert_eq!(kept.to_string(), "/base/v1/chat?key=sk-x&alt=sse");
    }

    #[tokio::test]
    async fn without_a_prefix_the_client_target_is_sent_as_it_came_in_origin_form() {
        let proxy = proxy("http://127.0.0.1:9", None);
        for (sent, forwarded) in [
            ("/v1/chat?key=sk-x", "/v1/chat?key=sk-x"),
            ("http://elsewhere:1/v1/models?a=1", "/v1/models?a=1"),
        ] {
            let uri: Uri = sent.parse().unwrap();
            let unread = places(&HeaderMap::new(), &uri, false);
            assert_eq!(proxy.upstream_uri(&uri, &unread).unwrap().to_string(), forwarded);
        }
    }

    fn client(peer: &str) -> Client {
        Client::new(Some(peer.parse().unwrap()), false, Paired::new().0, None)
    }

    #[tokio::test]
    async fn keys_and_client_claims_are_replaced() {
        let proxy = proxy("http://127.0.0.1:9", Some("upstream-secret"));
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer sk-presented"));
        headers.insert(X_API_KEY, HeaderValue::from_static("sk-presented"));
        headers.append(X_KEYDESK_KEY_ID, HeaderValue::from_static("ak-forged"));
        headers.append(X_KEYDESK_KEY_ID, HeaderValue::from_static("ak-forged-2"));
        headers.insert(CONNECTION, HeaderValue::from_static("x-hop"));
        headers.insert("x-hop", HeaderValue::from_static("1"));
        let id = KeyId::parse("ak-0123456789abcdef").unwrap();
        let found = places(&headers, &Uri::from_static("/"), false);
        proxy.prepare_headers(&mut headers, &found, &id, None, &client("127.0.0.1:5000"));
        assert_eq!(headers.get_all(X_KEYDESK_KEY_ID).iter().count(), 1);
        assert_eq!(headers[X_KEYDESK_KEY_ID], "ak-0123456789abcdef");
        assert_eq!(headers[AUTHORIZATION], "Bearer upstream-secret");
        assert!(headers.get(X_API_KEY).is_none() && headers.get("x-hop").is_none());
    }

    #[tokio::test]
    async fn forwarded_headers_name_the_client_its_protocol_and_the_host_it_asked_for() {
        let proxy = proxy("http://127.0.0.1:9", None);
        let id = KeyId::parse("ak-0123456789abcdef").unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_static("llm.example.com:8080"));
        headers.insert(X_FORWARDED_PROTO, HeaderValue::from_static("forged"));
        let none = Places::default();
        proxy.prepare_headers(&mut headers, &none, &id, None, &client("[2001:db8::1]:443"));
        assert_eq!(headers[X_FORWARDED_FOR], "2001:db8::1");
        assert_eq!(headers[X_FORWARDED_PROTO], "http");
        assert_eq!(headers[X_FORWARDED_HOST], "llm.example.com:8080");
        assert_eq!(headers[HOST], "127.0.0.1:9");

        let mut headers = HeaderMap::new();
        headers.append(X_FORWARDED_FOR, HeaderValue::from_static("203.0.113.7"));
        headers.append(X_FORWARDED_FOR, HeaderValue::from_static("10.0.0.1, 10.0.0.2"));
        headers.insert(X_FORWARDED_HOST, HeaderValue::from_static("forged"));
        let tls = Client::new(Some("192.0.2.5:1".parse().unwrap()), true, Paired::new().0, None);
        proxy.prepare_headers(&mut headers, &none, &id, None, &tls);
        assert_eq!(headers[X_FORWARDED_FOR], "203.0.113.7, 10.0.0.1, 10.0.0.2, 192.0.2.5");
        assert_eq!(headers.get_all(X_FORWARDED_FOR).iter().count(), 1);
        assert_eq!(headers[X_FORWARDED_PROTO], "https");
        assert!(headers.get(X_FORWARDED_HOST).is_none(), "no Host, so no claim about it");
    }

    #[test]
    fn only_a_connection_upgrade_with_an_upgrade_header_is_an_upgrade() {
        let headers = |pairs: &[(HeaderName, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.append(name.clone(), HeaderValue::from_static(value));
            }
            map
        };
        assert!(upgrade_requested(&headers(&[
            (CONNECTION, "keep-alive, Upgrade"),
            (UPGRADE, "websocket")
        ])));
        assert!(!upgrade_requested(&headers(&[(UPGRADE, "websocket")])));
        assert!(!upgrade_requested(&headers(&[(CONNECTION, "upgrade")])));
        assert!(!upgrade_requested(&headers(&[
            (CONNECTION, "upgrades"),
            (UPGRADE, "websocket")
        ])));
    }

    #[test]
    fn only_plain_http_upstreams_are_accepted() {
        for bad in ["https://example.com", "ftp://x", "not a url", "/path"] {
            let settings = ProxySettings {
                upstream: bad.into(),
                upstream_auth: None,
                connect_timeout: Duration::from_secs(1),
                response_timeout: Duration::from_secs(1),
            };
            assert!(Proxy::new(settings).is_err(), "{bad}");
        }
    }
}
