//! The server's answers: the forward-auth endpoint, health, readiness and
//! metrics, and in proxy mode the check before forwarding.
//!
//! The answers gateways rely on are fixed: **200** to allow (never 204, which
//! Envoy treats as a denial), **401** to refuse with `WWW-Authenticate`, and
//! **503** when keydesk cannot decide (fail closed). Never 429: nginx's
//! `auth_request` turns anything but 2xx, 401 and 403 into a 500. The body of
//! a refusal is OpenAI's error shape, so SDK clients show its message, and it
//! never repeats the presented key. The request body is never read.

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use http_body_util::{Either, Full};
use hyper::body::Bytes;
use hyper::body::Incoming;
use hyper::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use hyper::http::{HeaderMap, Request, Response, StatusCode, Uri};

use super::extract::{Located, Mode, Places, Presented, Rules, Source, locate};
use super::index::IndexState;
use super::metrics::{Metrics, Outcome};
use super::proxy::{Client, Proxy};
use super::response::{Body, X_KEYDESK_KEY_ID, X_KEYDESK_KEY_NAME, json_error};
use keydesk_core::KeyId;

/// Where keydesk's own endpoints are in proxy mode, so that the upstream's
/// `/metrics` or `/health` (vLLM has both) are still reachable through it.
pub const PROXY_PREFIX: &str = "/_keydesk";

/// Everything a request needs, shared by all connections.
pub struct App {
    pub index: Arc<IndexState>,
    pub metrics: Arc<Metrics>,
    pub allow_query_key: bool,
    pub proxy: Option<Proxy>,
}

/// The outcome of checking a request's key.
pub enum Check {
    /// `places` are where the key is or could be, removed before forwarding.
    Allowed {
        id: KeyId,
        source: Source,
        places: Places,
    },
    Refused {
        outcome: Outcome,
        source: Option<Source>,
    },
    Unavailable,
}

impl App {
    /// Routes one request.
    /// `client` is the connection's state in proxy mode.
    pub async fn handle(
        self: Arc<Self>,
        request: Request<Incoming>,
        client: Option<Arc<Client>>,
    ) -> Result<Response<Body>, Infallible> {
        let path = request.uri().path();
        let own = match &self.proxy {
            Some(_) => path.strip_prefix(PROXY_PREFIX),
            None => Some(path),
        };
        let response = match own {
            Some("/healthz") => text(StatusCode::OK, "ok\n"),
            Some("/readyz") => self.readiness(),
            Some("/metrics") => self.metrics_page(),
            Some(path) if self.proxy.is_none() && is_verify(path) => self.verify_endpoint(&request).await,
            _ => match (&self.proxy, &client) {
                (Some(proxy), Some(client)) => self.proxied(proxy, request, client).await,
                _ => text(StatusCode::NOT_FOUND, "not found: keydesk serves /verify\n"),
            },
        };
        Ok(response)
    }

    /// `ANY /verify` and `ANY /verify/{*rest}`.
    async fn verify_endpoint(&self, request: &Request<Incoming>) -> Response<Body> {
        let started = Instant::now();
        let check = self.check(request.headers(), request.uri());
        let response = match &check {
            Check::Allowed { id, .. } => self.allowed(id).await,
            Check::Refused { outcome, .. } => refused(*outcome),
            Check::Unavailable => unavailable(),
        };
        self.record(&check, started);
        response
    }

    /// In proxy mode: check, then forward (or refuse without forwarding).
    async fn proxied(&self, proxy: &Proxy, request: Request<Incoming>, client: &Arc<Client>) -> Response<Body> {
        let started = Instant::now();
        let check = self.check(request.headers(), request.uri());
        self.record(&check, started);
        match check {
            Check::Allowed { id, places, .. } => {
                let name = self.name_of(&id).await;
                proxy.forward(request, &id, name, client, &places, &self.metrics).await
            }
            Check::Refused { outcome, .. } => refused(outcome),
            Check::Unavailable => unavailable(),
        }
    }

    /// Checks the key a request presents. Fails closed: an index too old to
    /// trust (unless `--fail-static`), or a panic while checking, is
    /// `Unavailable`, never allowed.
    pub fn check(&self, headers: &HeaderMap, uri: &Uri) -> Check {
        if !self.index.can_answer() {
            return Check::Unavailable;
        }
        let rules = Rules {
            mode: if self.proxy.is_some() {
                Mode::Proxy
            } else {
                Mode::ForwardAuth
            },
            allow_query: self.allow_query_key,
        };
        let Located { presented, places } = locate(headers, uri, rules);
        match presented {
            Presented::Missing => Check::Refused {
                outcome: Outcome::Missing,
                source: None,
            },
            Presented::Conflicting { source } => Check::Refused {
                outcome: Outcome::Conflicting,
                source,
            },
            Presented::One { key, source } => {
                let verifier = self.index.verifier();
                let verified = match key.as_str() {
                    Some(key) => std::panic::catch_unwind(AssertUnwindSafe(|| verifier.verify(key))),
                    None => Ok(None),
                };
                match verified {
                    Ok(Some(id)) => Check::Allowed { id, source, places },
                    Ok(None) => Check::Refused {
                        outcome: Outcome::Invalid,
                        source: Some(source),
                    },
                    Err(_) => Check::Unavailable,
                }
            }
        }
    }

    fn record(&self, check: &Check, started: Instant) {
        let (outcome, source) = match check {
            Check::Allowed { source, .. } => (Outcome::Allowed, Some(*source)),
            Check::Refused { outcome, source } => (*outcome, *source),
            Check::Unavailable => (Outcome::Unavailable, None),
        };
        self.metrics.record(outcome, source, started.elapsed().as_secs_f64());
    }

    /// The key's encoded name; a key newer than the name map is read from
    /// the store on a blocking thread — but not while the store is failing
    /// (answering from a stale index under `--fail-static`): each such read
    /// would wait out the store's deadlines, tying up a blocking thread per
    /// request. The answer then goes without the name.
    async fn name_of(&self, id: &KeyId) -> Option<HeaderValue> {
        if let Some(name) = self.index.cached_name(id) {
            return Some(name);
        }
        if !self.index.is_ready() {
            return None;
        }
        let index = self.index.clone();
        let id = id.clone();
        tokio::task::spawn_blocking(move || index.read_name(&id))
            .await
            .ok()
            .flatten()
    }

    async fn allowed(&self, id: &KeyId) -> Response<Body> {
        let mut response = Response::new(empty());
        let headers = response.headers_mut();
        headers.insert(X_KEYDESK_KEY_ID, header_value(id.as_str()));
        if let Some(name) = self.name_of(id).await {
            headers.insert(X_KEYDESK_KEY_NAME, name);
        }
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }

    fn readiness(&self) -> Response<Body> {
        if self.index.is_ready() {
            text(StatusCode::OK, "ready\n")
        } else if self.index.is_degraded() {
            text(
                StatusCode::SERVICE_UNAVAILABLE,
                "degraded: answering from a key index older than --max-index-age (--fail-static)\n",
            )
        } else {
            text(
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: the key index is not current\n",
            )
        }
    }

    fn metrics_page(&self) -> Response<Body> {
        let mut response = Response::new(Either::Left(Full::new(Bytes::from(self.metrics.render()))));
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        );
        response
    }
}

fn is_verify(path: &str) -> bool {
    path == "/verify" || path.starts_with("/verify/")
}

/// A key ID as a header value. keydesk's IDs are ASCII; one that is not
/// (a file written by something else) is percent-encoded like a name.
fn header_value(id: &str) -> HeaderValue {
    HeaderValue::from_str(id).unwrap_or_else(|_| super::index::encode_name(id))
}

pub fn empty() -> Body {
    Either::Left(Full::new(Bytes::new()))
}

pub fn text(status: StatusCode, body: &'static str) -> Response<Body> {
    let mut response = Response::new(Either::Left(Full::new(Bytes::from_static(body.as_bytes()))));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

/// 401, the same for malformed, unknown, deleted (and, once they exist,
/// disabled or expired) keys, so the answer says nothing about which.
fn refused(outcome: Outcome) -> Response<Body> {
    let body = match outcome {
        Outcome::Missing => {
            r#"{"error":{"message":"No API key provided. Send it as 'Authorization: Bearer <key>' or in an 'x-api-key' header.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#
        }
        Outcome::Conflicting => {
            r#"{"error":{"message":"The request presents two different API keys; send one.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#
        }
        _ => {
            r#"{"error":{"message":"Invalid API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#
        }
    };
    let mut response = json_error(StatusCode::UNAUTHORIZED, body);
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static(r#"Bearer realm="keydesk""#));
    response
}

/// 503: keydesk cannot decide, so nobody gets in.
pub fn unavailable() -> Response<Body> {
    json_error(
        StatusCode::SERVICE_UNAVAILABLE,
        r#"{"error":{"message":"The key service cannot check keys right now; try again shortly.","type":"server_error","param":null,"code":"service_unavailable"}}"#,
    )
}
