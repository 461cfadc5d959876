//! The server's answers: the forward-auth endpoint, health, readiness and
//! metrics, and in proxy mode the check before forwarding.
//!
//! The answers gateways rely on are fixed: **200** to allow (never 204, which
//! Envoy treats as a denial), **401** to refuse a key with
//! `WWW-Authenticate`, and **503** when keydesk cannot decide (fail closed).
//! The body of a refusal is OpenAI's error shape, so SDK clients show its
//! message, and it never repeats the presented key.
//!
//! A verified key's policy is then enforced: scopes (address, method, path,
//! model: [`super::scope`]) before limits ([`Limiter::admit`]), so a request
//! refused by a scope counts toward no rate; refusals are answered by
//! [`super::refusal`]. A key without rules takes none of this: one branch.
//! Forward-auth cannot see a request end, so `max-parallel` is not enforced
//! there (its slot is given back at once). A request body is read only in
//! proxy mode, for a key with a model rule ([`super::model_body`]).

use std::borrow::Cow;
use std::convert::Infallible;
use std::net::IpAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{Either, Full};
use hyper::body::Bytes;
use hyper::body::Incoming;
use hyper::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use hyper::http::{HeaderMap, Request, Response, StatusCode, Uri};

use super::access_log::AccessLog;
use super::budgets::{TokenLimits, TokenQuota};
use super::extract::{Located, Mode, Places, Presented, Rules, Source, locate};
use super::index::{IndexState, Known};
use super::logged::{Begun, note};
use super::metrics::{Metrics, Outcome};
use super::model_body::{ModelBodies, with_body};
use super::proxy::{Admitted, Client, Proxy};
use super::refusal::{Refusal, from_nginx};
use super::response::{Body, X_KEYDESK_KEY_ID, X_KEYDESK_KEY_NAME, json_error};
use super::scope::{Seen, judge_model};
use super::stream_usage::with_usage_requested;
use super::tokens::{Counting, StreamUsage, Tokens};
use super::usage_read::Api;
use ipnet::IpNet;
use keydesk_core::KeyId;
use keydesk_core::domain::policy::Policy;
use keydesk_core::limit::{Admission, Limiter};

/// Where keydesk's own endpoints are in proxy mode, so that the upstream's
/// `/metrics` or `/health` (vLLM has both) are still reachable through it.
pub const PROXY_PREFIX: &str = "/_keydesk";

/// How long a request waits for its key's token totals (a key's first
/// request on this gateway, or a new period) before it is answered 503:
/// a database that hangs must neither open the gate nor hold the request
/// for ever. As long as `--max-index-age`'s default, so a database that is
/// only slow (a busy host, a gateway's first connection) is waited for.
const TOKEN_READ_DEADLINE: Duration = Duration::from_secs(10);

/// Everything a request needs, shared by all connections.
pub struct App {
    pub index: Arc<IndexState>,
    pub metrics: Arc<Metrics>,
    pub allow_query_key: bool,
    pub proxy: Option<Proxy>,
    /// Every key's rates and requests in flight, for this process.
    pub limiter: Limiter,
    /// `--trusted-proxies` (with the mode's default filled in).
    pub trusted: Vec<IpNet>,
    /// Bodies read for their model (proxy mode).
    pub model_bodies: ModelBodies,
    /// Token counting of relayed answers (proxy mode).
    pub tokens: Arc<Tokens>,
    /// Every key's token rules' state, for this process.
    pub token_limits: Arc<TokenLimits>,
    /// `--access-log`, when on.
    pub access_log: Option<Arc<AccessLog>>,
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
    /// `client` is the connection's state in proxy mode; `peer` the
    /// connection's address (`None` on a Unix socket).
    pub async fn handle(
        self: Arc<Self>,
        request: Request<Incoming>,
        client: Option<Arc<Client>>,
        peer: Option<IpAddr>,
    ) -> Result<Response<Body>, Infallible> {
        let Some(log) = self.access_log.clone() else {
            return Ok(self.route(request, client, peer).await);
        };
        let begun = Begun::of(&request);
        let mut response = self.route(request, client, peer).await;
        begun.answered(&mut response, log);
        Ok(response)
    }

    async fn route(
        self: Arc<Self>,
        request: Request<Incoming>,
        client: Option<Arc<Client>>,
        peer: Option<IpAddr>,
    ) -> Response<Body> {
        let path = request.uri().path();
        let own = match &self.proxy {
            Some(_) => path.strip_prefix(PROXY_PREFIX),
            None => Some(path),
        };
        match own {
            Some("/healthz") => text(StatusCode::OK, "ok\n"),
            Some("/readyz") => self.readiness(),
            Some("/metrics") => self.metrics_page(),
            Some(path) if self.proxy.is_none() && is_verify(path) => self.verify_endpoint(&request, peer).await,
            _ => match (&self.proxy, &client) {
                (Some(proxy), Some(client)) => self.proxied(proxy, request, client, peer).await,
                _ => text(StatusCode::NOT_FOUND, "not found: keydesk serves /verify\n"),
            },
        }
    }

    /// Tells the access log, when it is on, which key matched and why one
    /// was refused.
    fn note(&self, response: &mut Response<Body>, check: &Check) {
        if self.access_log.is_none() {
            return;
        }
        let (key_id, reason) = match check {
            Check::Allowed { id, .. } => (Some(id), None),
            Check::Refused { outcome, .. } => (None, Some(outcome.reason())),
            Check::Unavailable => (None, Some(Outcome::Unavailable.reason())),
        };
        note(response, key_id, reason);
    }

    /// `ANY /verify` and `ANY /verify/{*rest}`.
    async fn verify_endpoint(&self, request: &Request<Incoming>, peer: Option<IpAddr>) -> Response<Body> {
        let started = Instant::now();
        let check = self.check(request.headers(), request.uri());
        let response = match &check {
            Check::Allowed { id, .. } => match self.known(id).await {
                Ok(Known { name, policy: None }) => allowed(id, name),
                Ok(Known {
                    name,
                    policy: Some(policy),
                }) => {
                    let seen = Seen::Gateway {
                        headers: request.headers(),
                        peer,
                        trusted: &self.trusted,
                    };
                    match self
                        .enforce_at_gateway(id, &policy, &seen, from_nginx(request.headers()))
                        .await
                    {
                        Ok(()) => allowed(id, name),
                        Err(answer) => answer,
                    }
                }
                Err(answer) => answer,
            },
            Check::Refused { outcome, .. } => refused(*outcome),
            Check::Unavailable => unavailable(),
        };
        self.record(&check, started);
        let mut response = response;
        self.note(&mut response, &check);
        response
    }

    /// In proxy mode: check, then forward (or refuse without forwarding).
    async fn proxied(
        &self,
        proxy: &Proxy,
        request: Request<Incoming>,
        client: &Arc<Client>,
        peer: Option<IpAddr>,
    ) -> Response<Body> {
        let started = Instant::now();
        let check = self.check(request.headers(), request.uri());
        self.record(&check, started);
        let mut response = match &check {
            Check::Allowed { id, places, .. } => self.forward_allowed(proxy, request, client, peer, id, places).await,
            Check::Refused { outcome, .. } => refused(*outcome),
            Check::Unavailable => unavailable(),
        };
        self.note(&mut response, &check);
        response
    }

    /// Proxy mode, a verified key: its policy, then forwarding.
    async fn forward_allowed(
        &self,
        proxy: &Proxy,
        request: Request<Incoming>,
        client: &Arc<Client>,
        peer: Option<IpAddr>,
        id: &KeyId,
        places: &Places,
    ) -> Response<Body> {
        let known = match self.known(id).await {
            Ok(known) => known,
            Err(answer) => return answer,
        };
        let api = self.tokens.api(request.method(), request.uri().path());
        let admitted = match &known.policy {
            None => Admitted::plain(request),
            Some(policy) => match self.enforce_in_proxy(id, policy, request, peer).await {
                Ok(admitted) => admitted,
                Err(answer) => return answer,
            },
        };
        let mut admitted = match self.ask_for_usage(admitted, api).await {
            Ok(admitted) => admitted,
            Err(answer) => return answer,
        };
        if let Some(api) = api {
            admitted.counting = Some(Counting {
                api,
                tokens: self.tokens.clone(),
                injected: admitted.counting.is_some(),
            });
        }
        proxy
            .forward(admitted, id, Some(known.name), client, places, &self.metrics)
            .await
    }

    /// Forward-auth: scopes, the model where the path names it, then the
    /// token rules (budgets from what proxies counted), then the rates. The grant is dropped at once: a gateway never says when its
    /// request ends, so `max-parallel` is not enforced here.
    async fn enforce_at_gateway(
        &self,
        id: &KeyId,
        policy: &Policy,
        seen: &Seen<'_>,
        nginx: bool,
    ) -> Result<(), Response<Body>> {
        self.judge_at_gateway(policy, seen)
            .map_err(|refusal| self.refuse(id, refusal, nginx))?;
        self.check_tokens(id, policy, nginx).await?;
        match self.admit(id, policy) {
            Admission::Allowed(_grant) => Ok(()),
            Admission::Refused(denial) => Err(self.refuse(id, Refusal::limit(denial), nginx)),
        }
    }

    /// Forward-auth's scopes: those of the request, and the model where
    /// the path names it.
    fn judge_at_gateway(&self, policy: &Policy, seen: &Seen) -> Result<(), Refusal> {
        seen.judge(policy)?;
        if policy.models.is_some() {
            let model = match seen.path_model() {
                Ok(Some(model)) => Ok(Some(model)),
                Ok(None) => Err(NO_BODY_HERE.to_owned()),
                Err(why) => Err(why),
            };
            judge_model(policy, model.as_ref().map(|m| m.as_deref()).map_err(Clone::clone))?;
        }
        Ok(())
    }

    /// Proxy mode: scopes, the model (from the path, or the body read
    /// whole), then the limits; the grant goes with the request.
    async fn enforce_in_proxy(
        &self,
        id: &KeyId,
        policy: &Policy,
        request: Request<Incoming>,
        peer: Option<IpAddr>,
    ) -> Result<Admitted, Response<Body>> {
        let seen = Seen::Proxy {
            method: request.method(),
            uri: request.uri(),
            headers: request.headers(),
            peer,
            trusted: &self.trusted,
        };
        seen.judge(policy).map_err(|refusal| self.refuse(id, refusal, false))?;
        let path_model = seen.path_model().ok().flatten().map(Cow::into_owned);
        let (request, budget) = match policy.models {
            None => (request.map(http_body_util::Either::Left), None),
            Some(_) => {
                let (request, model, budget) = match path_model {
                    Some(model) => (request.map(http_body_util::Either::Left), Some(model), None),
                    None => {
                        let (request, model, permit) = self.model_bodies.read(request).await?;
                        (request, model, Some(permit))
                    }
                };
                judge_model(policy, Ok(model.as_deref())).map_err(|refusal| self.refuse(id, refusal, false))?;
                (request, budget)
            }
        };
        let token_quota = self.check_tokens(id, policy, false).await?;
        match self.admit(id, policy) {
            Admission::Allowed(grant) => Ok(Admitted {
                request,
                grant,
                budget,
                counting: None,
                token_quota,
            }),
            Admission::Refused(denial) => Err(self.refuse(id, Refusal::limit(denial), false)),
        }
    }

    /// Under `--stream-usage inject`, an OpenAI streaming request that does
    /// not ask for its usage is made to ([`super::stream_usage`]); its body
    /// is read whole for that, within `--max-model-body`.
    async fn ask_for_usage(&self, admitted: Admitted, api: Option<Api>) -> Result<Admitted, Response<Body>> {
        let wanted = self.tokens.stream_usage == StreamUsage::Inject
            && api == Some(Api::OpenAi)
            && Api::takes_include_usage(admitted.request.uri().path());
        if !wanted {
            return Ok(admitted);
        }
        let Admitted {
            request,
            grant,
            budget,
            token_quota,
            ..
        } = admitted;
        // A body already read for its model is in memory: its share of the
        // budget is taken again below, so give this one back first.
        drop(budget);
        let (parts, bytes, permit) = self.model_bodies.read_whole(request).await?;
        let (bytes, injected) = match with_usage_requested(&bytes) {
            Some(changed) => (Bytes::from(changed), true),
            None => (bytes, false),
        };
        // Marks the injection; the caller fills in the rest.
        let marked = injected.then(|| Counting {
            api: Api::OpenAi,
            tokens: self.tokens.clone(),
            injected,
        });
        Ok(Admitted {
            request: with_body(parts, bytes),
            grant,
            budget: Some(permit),
            counting: marked,
            token_quota,
        })
    }

    /// The limiter's answer. A fleet's limiter may wait on its database (up
    /// to its deadline) for a key with a rate rule: that wait is moved off
    /// the async workers' task queue so other connections go on meanwhile.
    fn admit(&self, id: &KeyId, policy: &Policy) -> Admission {
        if self.limiter.is_shared() && policy.rates().next().is_some() {
            tokio::task::block_in_place(|| self.limiter.admit(id, policy, Instant::now()))
        } else {
            self.limiter.admit(id, policy, Instant::now())
        }
    }

    /// The key's token rules (`tpm`, budgets: [`super::budgets`]), its
    /// totals read first when this gateway has none for its periods (on a
    /// blocking thread; a store that cannot be read, or not within
    /// [`TOKEN_READ_DEADLINE`], is a 503: fail closed).
    async fn check_tokens(
        &self,
        id: &KeyId,
        policy: &Policy,
        nginx: bool,
    ) -> Result<Option<TokenQuota>, Response<Body>> {
        if !policy.has_token_rules() {
            return Ok(None);
        }
        if self.token_limits.needs_read(id, policy) {
            let (limits, key, rules) = (self.token_limits.clone(), id.clone(), policy.clone());
            let read = tokio::task::spawn_blocking(move || limits.read(&key, &rules));
            // Past the deadline the read is left to finish on its own
            // thread (a later one finds the totals it stored).
            match tokio::time::timeout(TOKEN_READ_DEADLINE, read).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(_)) | Err(_)) | Err(_) => return Err(unavailable()),
            }
        }
        self.token_limits
            .check(id, policy)
            .map_err(|denial| self.refuse(id, Refusal::tokens(denial), nginx))
    }

    /// Counts a policy refusal (usage and metrics) and answers it.
    fn refuse(&self, id: &KeyId, refusal: Refusal, nginx: bool) -> Response<Body> {
        self.index.verifier().count_refusal(id, refusal.reason);
        self.metrics.refused(refusal.reason);
        refusal.answer(nginx)
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

    /// The key's encoded name and policy. A key newer than the name map is
    /// read from the store on a blocking thread, before it is answered: its
    /// policy must not take effect after the key. Fail closed: when the
    /// store cannot be read (or, under `--fail-static`, is failing, when
    /// each read would wait out its deadlines) the answer is 503; a key
    /// deleted since it was verified is refused as invalid.
    async fn known(&self, id: &KeyId) -> Result<Known, Response<Body>> {
        if let Some(known) = self.index.cached(id) {
            return Ok(known);
        }
        if !self.index.is_ready() {
            return Err(unavailable());
        }
        let index = self.index.clone();
        let id = id.clone();
        match tokio::task::spawn_blocking(move || index.read_known(&id)).await {
            Ok(Ok(Some(known))) => Ok(known),
            Ok(Ok(None)) => Err(refused(Outcome::Invalid)),
            Ok(Err(_)) | Err(_) => Err(unavailable()),
        }
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

/// 200 with the key's ID and name.
fn allowed(id: &KeyId, name: HeaderValue) -> Response<Body> {
    let mut response = Response::new(empty());
    let headers = response.headers_mut();
    headers.insert(X_KEYDESK_KEY_ID, header_value(id.as_str()));
    headers.insert(X_KEYDESK_KEY_NAME, name);
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Why forward-auth cannot judge a model rule outside Gemini paths.
const NO_BODY_HERE: &str =
    "forward-auth never reads request bodies, so only a model in the path (/v1beta/models/{model}:...) can be checked";

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
