//! What the access log ([`super::access_log`]) learns of one request and
//! its answer, and when its line is written: at once for keydesk's own
//! answers, and for a relayed answer when its body ends or is dropped
//! ([`super::response::Streamed`]), since only then are its bytes and
//! tokens known.
//!
//! The handlers tell what only they know (the key that matched, why a key
//! was refused) through a [`Note`] in the answer's extensions, and the
//! proxy the upstream's time through an [`UpstreamTime`]; a policy refusal
//! already names its reason in `X-Keydesk-Refusal`. Nothing here reads a
//! header value the client sent, except the number in `Content-Length`.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use http_body_util::Either;
use hyper::body::Body as _;
use hyper::http::header::CONTENT_LENGTH;
use hyper::http::{HeaderMap, Request, Response};

use super::access_log::{AccessLog, Entry, Pending, loggable_method, loggable_path};
use super::response::{Body, X_KEYDESK_REFUSAL};
use keydesk_core::KeyId;

/// What the handlers tell the access log, in the answer's extensions.
#[derive(Debug, Clone, Default)]
pub struct Note {
    /// The key that matched (`None`: none did).
    pub key_id: Option<KeyId>,
    /// Why the key was refused or the request not judged, when the answer
    /// carries no policy reason of its own.
    pub reason: Option<&'static str>,
}

/// How long the upstream took to answer with its headers (proxy mode).
#[derive(Debug, Clone, Copy)]
pub struct UpstreamTime(pub Duration);

/// A request's line as far as its head tells it.
pub struct Begun {
    started: Instant,
    entry: Entry,
}

impl Begun {
    pub fn of<B>(request: &Request<B>) -> Begun {
        Begun {
            started: Instant::now(),
            entry: Entry {
                time: SystemTime::now(),
                key_id: None,
                method: loggable_method(request.method().as_str()),
                path: loggable_path(request.uri().path()),
                status: 0,
                reason: None,
                latency: Duration::ZERO,
                upstream: None,
                bytes_in: declared_length(request.headers()),
                bytes_out: 0,
                tokens: None,
            },
        }
    }

    /// Completes the line with the answer: written now for one of
    /// keydesk's own, or handed to a relayed body to write at its end.
    pub fn answered(self, response: &mut Response<Body>, log: Arc<AccessLog>) {
        let Begun { started, mut entry } = self;
        entry.status = response.status().as_u16();
        let note = response.extensions_mut().remove::<Note>().unwrap_or_default();
        entry.key_id = note.key_id;
        entry.reason = match response.headers().get(X_KEYDESK_REFUSAL) {
            Some(policy) => policy.to_str().ok().map(str::to_owned),
            None => note.reason.map(str::to_owned),
        };
        entry.upstream = response.extensions_mut().remove::<UpstreamTime>().map(|t| t.0);
        if entry.reason.is_none() && entry.upstream.is_none() {
            // A key verified, then found deleted (401) or its policy not
            // readable (503), before its request was judged.
            entry.reason = match entry.status {
                401 => Some("invalid_key".to_owned()),
                503 => Some("unavailable".to_owned()),
                _ => None,
            };
        }
        match response.body_mut() {
            Either::Right(streamed) => streamed.log_at_end(Pending::new(started, entry, log)),
            Either::Left(full) => {
                entry.bytes_out = full.size_hint().exact().unwrap_or(0);
                entry.latency = started.elapsed();
                log.write(entry);
            }
        }
    }
}

/// The request body's length as the client declared it; `None` when it
/// declared none (a chunked body) or nonsense. No header at all and no
/// `Transfer-Encoding` is a request without a body: 0.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    match headers.get(CONTENT_LENGTH) {
        Some(value) => value.to_str().ok()?.trim().parse().ok(),
        None if headers.contains_key(hyper::http::header::TRANSFER_ENCODING) => None,
        None => Some(0),
    }
}

/// Puts a [`Note`] on an answer.
pub fn note(response: &mut Response<Body>, key_id: Option<&KeyId>, reason: Option<&'static str>) {
    response.extensions_mut().insert(Note {
        key_id: key_id.cloned(),
        reason,
    });
}
