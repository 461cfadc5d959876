//! Proxy mode: keys in front of a server that has none of its own (Ollama,
//! or vLLM/TGI on localhost).
//!
//! The request is checked first and forwarded only when allowed, so a
//! refused request never reaches the upstream. Bodies are hyper's streams,
//! passed on as they arrive in both directions: a streamed chat completion
//! (server-sent events) reaches the client token by token, and nothing is
//! held in memory. The presented key is removed (the upstream never sees a
//! keydesk secret) and `X-Keydesk-Key-Id`/`-Name` are set, replacing any a
//! client sent. The upstream's `Host` is its own address, as with nginx's
//! `proxy_pass`: Ollama refuses a foreign `Host` on a loopback address.

use std::time::Duration;

use http_body_util::Either;
use hyper::body::Incoming;
use hyper::http::header::{
    AUTHORIZATION, CONNECTION, HOST, HeaderName, HeaderValue, PROXY_AUTHENTICATE, PROXY_AUTHORIZATION, TE, TRAILER,
    UPGRADE,
};
use hyper::http::uri::{Authority, PathAndQuery, Scheme};
use hyper::http::{HeaderMap, Request, Response, StatusCode, Uri, Version};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::extract::{X_API_KEY, X_GOOG_API_KEY, strip_query_keys};
use super::handlers::{Body, X_KEYDESK_KEY_ID, X_KEYDESK_KEY_NAME, json_error};
use super::metrics::Metrics;
use crate::KeyId;

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

/// The upstream and how to reach it.
pub struct Proxy {
    client: Client<HttpConnector, Incoming>,
    scheme: Scheme,
    authority: Authority,
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
            .map_err(|_| format!("--upstream: not a URL: {}", settings.upstream))?;
        if uri.scheme() != Some(&Scheme::HTTP) {
            return Err("--upstream: use an http:// URL (the upstream is normally on this host)".into());
        }
        let authority = uri.authority().cloned().ok_or("--upstream: the URL has no host")?;
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
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(settings.connect_timeout));
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .build(connector);
        Ok(Proxy {
            client,
            scheme: Scheme::HTTP,
            authority,
            prefix: uri.path().trim_end_matches('/').to_owned(),
            upstream_auth,
            response_timeout: settings.response_timeout,
        })
    }

    /// Forwards an allowed request and streams the answer back.
    pub async fn forward(
        &self,
        request: Request<Incoming>,
        id: &KeyId,
        name: Option<HeaderValue>,
        allow_query_key: bool,
        metrics: &Metrics,
    ) -> Response<Body> {
        let (mut parts, body) = request.into_parts();
        let Some(uri) = self.upstream_uri(&parts.uri, allow_query_key) else {
            return json_error(StatusCode::BAD_REQUEST, BAD_PATH);
        };
        parts.uri = uri;
        parts.version = Version::HTTP_11;
        self.prepare_headers(&mut parts.headers, id, name);
        let sent = tokio::time::timeout(
            self.response_timeout,
            self.client.request(Request::from_parts(parts, body)),
        );
        match sent.await {
            Ok(Ok(response)) => {
                let (mut parts, body) = response.into_parts();
                remove_hop_by_hop(&mut parts.headers);
                Response::from_parts(parts, Either::Right(body))
            }
            Ok(Err(_)) => {
                metrics.upstream_errors.inc();
                json_error(StatusCode::BAD_GATEWAY, UPSTREAM_FAILED)
            }
            Err(_) => {
                metrics.upstream_errors.inc();
                json_error(StatusCode::GATEWAY_TIMEOUT, UPSTREAM_TIMEOUT)
            }
        }
    }

    /// The upstream's URL for a request: its prefix, the request's path, and
    /// the query without `key=` when keys may come from there.
    fn upstream_uri(&self, uri: &Uri, allow_query_key: bool) -> Option<Uri> {
        let query = match uri.query() {
            Some(query) if allow_query_key => strip_query_keys(query),
            other => other.map(str::to_owned),
        };
        let path = format!(
            "{}{}{}{}",
            self.prefix,
            uri.path(),
            if query.is_some() { "?" } else { "" },
            query.unwrap_or_default()
        );
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(PathAndQuery::try_from(path).ok()?)
            .build()
            .ok()
    }

    /// Removes the presented key and the client's claims about keys, and
    /// adds ours.
    fn prepare_headers(&self, headers: &mut HeaderMap, id: &KeyId, name: Option<HeaderValue>) {
        remove_hop_by_hop(headers);
        let bearer = headers.get_all(AUTHORIZATION).iter().any(|value| {
            value
                .as_bytes()
                .get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case(b"bearer "))
        });
        if bearer || self.upstream_auth.is_some() {
            headers.remove(AUTHORIZATION);
        }
        for name in [X_API_KEY, X_GOOG_API_KEY, X_KEYDESK_KEY_ID, X_KEYDESK_KEY_NAME, HOST] {
            headers.remove(name);
        }
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

const BAD_PATH: &str = r#"{"error":{"message":"The request path cannot be forwarded.","type":"invalid_request_error","param":null,"code":null}}"#;
const UPSTREAM_FAILED: &str = r#"{"error":{"message":"The upstream server could not be reached.","type":"server_error","param":null,"code":"upstream_unavailable"}}"#;
const UPSTREAM_TIMEOUT: &str = r#"{"error":{"message":"The upstream server did not answer in time.","type":"server_error","param":null,"code":"upstream_timeout"}}"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn proxy(upstream: &str, auth: Option<&str>) -> Proxy {
        Proxy::new(ProxySettings {
            upstream: upstream.into(),
            upstream_auth: auth.map(|a| zeroize::Zeroizing::new(a.to_owned())),
            connect_timeout: Duration::from_secs(1),
            response_timeout: Duration::from_secs(1),
        })
        .unwrap()
    }

    #[tokio::test]
    async fn the_upstream_path_keeps_the_prefix_and_drops_query_keys() {
        let proxy = proxy("http://127.0.0.1:9/base/", None);
        let uri: Uri = "/v1/chat?key=sk-x&alt=sse".parse().unwrap();
        let forwarded = proxy.upstream_uri(&uri, true).unwrap();
        assert_eq!(forwarded.to_string(), "http://127.0.0.1:9/base/v1/chat?alt=sse");
        let kept = proxy.upstream_uri(&uri, false).unwrap();
        assert_eq!(kept.to_string(), "http://127.0.0.1:9/base/v1/chat?key=sk-x&alt=sse");
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
        let id = KeyId::from_stored("ak-0123456789abcdef");
        proxy.prepare_headers(&mut headers, &id, None);
        assert_eq!(headers.get_all(X_KEYDESK_KEY_ID).iter().count(), 1);
        assert_eq!(headers[X_KEYDESK_KEY_ID], "ak-0123456789abcdef");
        assert_eq!(headers[AUTHORIZATION], "Bearer upstream-secret");
        assert!(headers.get(X_API_KEY).is_none() && headers.get("x-hop").is_none());
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
