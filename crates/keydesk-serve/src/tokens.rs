//! Token counting in proxy mode: what is counted ([`Tokens`], shared by all
//! connections, with the one function every answer's count goes through,
//! [`Tokens::answer_counted`]) and the meter on one answer's body
//! ([`Meter`]), which reads its usage as it is relayed.
//!
//! Counted: `2xx` answers to the paths [`Api::of`] knows, in `identity`
//! encoding (keydesk asks the upstream for it on those paths, so it never
//! has to decompress; an upstream that compresses anyway is counted as a
//! request with unknown tokens). One [`TokenUsage`] per answer, handed over
//! when the body ends, or when it is dropped before its end (the client
//! went away, the upstream reset): then `complete: false`, with what was
//! seen. Forward-auth mode never sees answers and counts no tokens.

use std::sync::Arc;

use hyper::body::Bytes;
use hyper::http::HeaderMap;
use hyper::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use keydesk_core::domain::TokenUsage;
use keydesk_core::{KeyId, Verifier};

use super::budgets::TokenLimits;
use super::metrics::Metrics;
use super::stream_usage::EventFilter;
use super::usage_read::{Api, Framing, Reader};

/// `--stream-usage`: whether keydesk asks OpenAI streams for their usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StreamUsage {
    /// Streams are relayed as asked; one without usage is counted as a
    /// request with unknown tokens.
    #[default]
    Off,
    /// Adds `stream_options.include_usage` where missing, and takes out of
    /// the stream what that added ([`super::stream_usage`]).
    Inject,
}

/// What is counted, and where counts go.
pub struct Tokens {
    /// `--count-tokens`.
    pub enabled: bool,
    pub stream_usage: StreamUsage,
    verifier: Arc<Verifier>,
    metrics: Arc<Metrics>,
    limits: Arc<TokenLimits>,
}

impl Tokens {
    pub fn new(
        enabled: bool,
        stream_usage: StreamUsage,
        verifier: Arc<Verifier>,
        metrics: Arc<Metrics>,
        limits: Arc<TokenLimits>,
    ) -> Tokens {
        Tokens {
            enabled,
            stream_usage,
            verifier,
            metrics,
            limits,
        }
    }

    /// The API whose tokens a request's answer will be read for, or `None`
    /// when it is not counted.
    pub fn api(&self, method: &hyper::Method, path: &str) -> Option<Api> {
        if self.enabled { Api::of(method, path) } else { None }
    }

    /// The one place every counted answer's tokens go: the key's tallies
    /// (through the [`Verifier`]), `/metrics`, and the key's token rules
    /// ([`TokenLimits::counted`]), before its next request is checked.
    pub fn answer_counted(&self, id: &KeyId, usage: &TokenUsage) {
        self.verifier.count_tokens(id, usage);
        self.metrics.tokens_counted(usage);
        self.limits.counted(id, usage);
    }
}

/// How a request's answer is to be counted: its API, and whether keydesk
/// asked the stream for its usage (`--stream-usage inject`).
pub struct Counting {
    pub api: Api,
    pub tokens: Arc<Tokens>,
    pub injected: bool,
}

/// The meter on one answer: reads its usage as frames pass, and reports it
/// once, at the end or when dropped.
pub struct Meter {
    reader: Reader,
    id: KeyId,
    tokens: Arc<Tokens>,
    /// Under `--stream-usage inject`: what takes out what injection added.
    filter: Option<EventFilter>,
    reported: bool,
    /// Input and output tokens, once reported and known (the access log).
    counted: Option<(u64, u64)>,
}

impl Meter {
    /// A meter for the answer with these headers (taking out a
    /// `Content-Length` a filtered stream would no longer match), or `None`
    /// when the answer is not counted: not a success, or compressed. A
    /// compressed one is still reported, as a request with unknown tokens.
    pub fn start(counting: Counting, id: &KeyId, status: hyper::StatusCode, headers: &mut HeaderMap) -> Option<Meter> {
        let Counting { api, tokens, injected } = counting;
        // A 204 has no body to read (hyper may never poll it).
        if !status.is_success() || status == hyper::StatusCode::NO_CONTENT {
            return None;
        }
        let encoded = headers
            .get(CONTENT_ENCODING)
            .is_some_and(|coding| !coding.as_bytes().eq_ignore_ascii_case(b"identity"));
        if encoded {
            let unknown = TokenUsage {
                complete: true,
                ..TokenUsage::default()
            };
            tokens.answer_counted(id, &unknown);
            return None;
        }
        let framing = Framing::of(headers.get(CONTENT_TYPE).map(|value| value.as_bytes()));
        let filtering = injected && framing == Framing::Sse;
        if filtering {
            headers.remove(CONTENT_LENGTH);
        }
        Some(Meter {
            reader: Reader::new(api, framing),
            id: id.clone(),
            tokens,
            filter: filtering.then(EventFilter::default),
            reported: false,
            counted: None,
        })
    }

    /// Whether frames may come out changed (then, not one for one).
    pub fn filters(&self) -> bool {
        self.filter.is_some()
    }

    /// Reads a frame relayed as it is.
    pub fn read(&mut self, data: &[u8]) {
        self.reader.feed(data);
    }

    /// Reads a frame of a filtered stream; returns what to relay of it now.
    pub fn filter(&mut self, data: &[u8]) -> Bytes {
        match self.filter.as_mut() {
            Some(filter) => Bytes::from(filter.pass(&mut self.reader, data)),
            None => {
                self.reader.feed(data);
                Bytes::copy_from_slice(data)
            }
        }
    }

    /// What is still held when the body has ended (an event without its
    /// blank line): relayed as it is.
    pub fn rest(&mut self) -> Option<Bytes> {
        self.filter.as_mut()?.rest().map(Bytes::from)
    }

    /// Reports the answer's usage, once.
    pub fn finish(&mut self, complete: bool) {
        if std::mem::replace(&mut self.reported, true) {
            return;
        }
        let usage = self.reader.usage(complete);
        self.tokens.answer_counted(&self.id, &usage);
        self.counted = usage.known.then_some((usage.input, usage.output));
    }

    /// The answer's input and output tokens, once reported, when known.
    pub fn counted(&self) -> Option<(u64, u64)> {
        self.counted
    }
}

impl Drop for Meter {
    fn drop(&mut self) {
        self.finish(false);
    }
}
