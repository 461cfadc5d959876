//! Reading a proxied request's body to find its model, for keys with a
//! model rule only (every other request's body streams through untouched),
//! or, under `--stream-usage inject`, to ask an OpenAI stream for its usage
//! ([`super::stream_usage`]).
//!
//! The official OpenAI SDKs write `messages` before `model`, so the model
//! may be at the very end: the whole body is read, up to `--max-model-body`
//! (more: 413), then forwarded unchanged with its `Content-Length`.
//!
//! Memory over all connections is bounded by [`BUDGET`] bytes (or
//! `--max-model-body`, when larger): a request reserves its
//! `Content-Length` (or, chunked, the whole `--max-model-body`) before it
//! reads, and gives it back once the upstream has answered. A request that
//! cannot reserve waits at most [`BUDGET_WAIT`] for others to finish, then
//! gets 503 (which SDKs retry). A client that takes longer than
//! [`READ_TIMEOUT`] to send its body gets 408, so a slow client cannot hold
//! the budget.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::{Body as HttpBody, Bytes, Incoming};
use hyper::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use hyper::http::{HeaderValue, Request, Response, StatusCode};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::response::{Body, json_error};
use super::scope::model_in_body;
use super::upstream::Outgoing;

/// Bytes of request bodies held at once over all connections.
pub const BUDGET: usize = 64 * 1024 * 1024;
/// How long a request waits for room in the budget before 503.
pub const BUDGET_WAIT: Duration = Duration::from_secs(10);
/// How long a client may take to send a body that is read whole.
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest `--max-model-body`: the budget is counted in `u32` permits.
pub const MAX_MODEL_BODY: usize = 1024 * 1024 * 1024;

/// A body read whole, its model, and its share of the budget (hold it until
/// the body has been sent on).
pub type Read = (Request<Outgoing>, Option<String>, OwnedSemaphorePermit);

/// The bodies read for their model, and the bound on their memory.
pub struct ModelBodies {
    max: usize,
    budget: Arc<Semaphore>,
}

impl ModelBodies {
    pub fn new(max: usize) -> ModelBodies {
        let max = max.clamp(1, MAX_MODEL_BODY);
        ModelBodies {
            max,
            budget: Arc::new(Semaphore::new(BUDGET.max(max))),
        }
    }

    /// Reads `request`'s body whole and finds its top-level `model`.
    pub async fn read(&self, request: Request<Incoming>) -> Result<Read, Response<Body>> {
        let (parts, bytes, permit) = self.read_whole(request).await?;
        let model = model_in_body(&bytes);
        Ok((with_body(parts, bytes), model, permit))
    }

    /// Reads `request`'s body whole (already read, or streaming in), within
    /// `--max-model-body` and the budget; the permit is the body's share.
    pub async fn read_whole<B>(&self, request: Request<B>) -> Result<Whole, Response<Body>>
    where
        B: HttpBody<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let declared = declared_length(request.headers());
        if declared.is_some_and(|length| length > self.max as u64) {
            return Err(json_error(StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE));
        }
        let reserve = declared.map_or(self.max, |length| length as usize).max(1);
        let permits = u32::try_from(reserve).unwrap_or(u32::MAX);
        let permit = tokio::time::timeout(BUDGET_WAIT, self.budget.clone().acquire_many_owned(permits))
            .await
            .map_err(|_| json_error(StatusCode::SERVICE_UNAVAILABLE, BUSY))?
            .map_err(|_| json_error(StatusCode::SERVICE_UNAVAILABLE, BUSY))?;
        let (parts, body) = request.into_parts();
        let collected = tokio::time::timeout(READ_TIMEOUT, Limited::new(body, self.max).collect())
            .await
            .map_err(|_| json_error(StatusCode::REQUEST_TIMEOUT, SLOW))?;
        let bytes = match collected {
            Ok(collected) => collected.to_bytes(),
            Err(error) if error.is::<http_body_util::LengthLimitError>() => {
                return Err(json_error(StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE));
            }
            Err(_) => return Err(json_error(StatusCode::BAD_REQUEST, UNREADABLE)),
        };
        Ok((parts, bytes, permit))
    }
}

/// A body read whole: the request's head, its bytes, and their share of
/// the budget.
pub type Whole = (hyper::http::request::Parts, Bytes, OwnedSemaphorePermit);

/// The request with `bytes` as its body, framed by their length.
pub fn with_body(mut parts: hyper::http::request::Parts, bytes: Bytes) -> Request<Outgoing> {
    parts.headers.remove(TRANSFER_ENCODING);
    parts.headers.insert(CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    Request::from_parts(parts, Either::Right(Full::new(bytes)))
}

/// The body's `Content-Length`, when it has one that can be read.
fn declared_length(headers: &hyper::http::HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

const TOO_LARGE: &str = r#"{"error":{"message":"The request body is larger than keydesk reads to find the model (--max-model-body).","type":"invalid_request_error","param":null,"code":"request_too_large"}}"#;
const BUSY: &str = r#"{"error":{"message":"The key service is reading too many request bodies right now; try again shortly.","type":"server_error","param":null,"code":"service_unavailable"}}"#;
const SLOW: &str = r#"{"error":{"message":"The request body took too long to arrive.","type":"invalid_request_error","param":null,"code":"request_timeout"}}"#;
const UNREADABLE: &str = r#"{"error":{"message":"The request body could not be read.","type":"invalid_request_error","param":null,"code":null}}"#;
