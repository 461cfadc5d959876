//! What every answer of the server is made of: the body type (ours, or the
//! upstream's streamed through), keydesk's own headers, and the JSON error.
//! Shared by the handlers and the proxy, which both answer requests.

use std::pin::Pin;
use std::task::{Context, Poll};

use http_body_util::{Either, Full};
use hyper::body::{Body as HttpBody, Bytes, Frame, Incoming, SizeHint};
use hyper::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::http::{Response, StatusCode};

use keydesk_core::limit::Slot;

use super::access_log::Pending;
use super::tokens::Meter;

/// A response body: one of ours, or the upstream's streamed through.
pub type Body = Either<Full<Bytes>, Streamed>;

/// The upstream's body, holding the request's place among its key's
/// requests in flight (`max-parallel`) until the body has ended: a streamed
/// chat completion is in flight until its last token. The place is given
/// back when the last frame has been read, or when the body is dropped (the
/// client went away, or hyper is done with it). A counted answer carries
/// its [`Meter`], which reads each frame as it passes and reports the
/// answer's tokens at the end (or, dropped early, as incomplete).
pub struct Streamed {
    body: Incoming,
    slot: Option<Slot>,
    meter: Option<Box<Meter>>,
    /// The upstream's body has ended (a filtering meter may still hold bytes).
    ended: bool,
    /// Bytes relayed to the client so far.
    relayed: u64,
    /// The access log's line, written when the body ends or is dropped.
    log: Option<Box<Pending>>,
}

impl Streamed {
    pub fn new(body: Incoming, slot: Option<Slot>, meter: Option<Meter>) -> Streamed {
        Streamed {
            body,
            slot,
            meter: meter.map(Box::new),
            ended: false,
            relayed: 0,
            log: None,
        }
    }

    /// Writes `pending` to the access log once the body has ended or is
    /// dropped, with the bytes relayed and the tokens counted.
    pub fn log_at_end(&mut self, pending: Pending) {
        self.log = Some(Box::new(pending));
    }

    fn write_log(&mut self) {
        let Some(pending) = self.log.take() else {
            return;
        };
        let tokens = self.meter.as_mut().and_then(|meter| {
            // Reports the usage now, if the end has not (idempotent).
            meter.finish(false);
            meter.counted()
        });
        pending.write(self.relayed, tokens);
    }

    /// The body has ended, or failed: the slot is given back and the usage
    /// reported (complete only when it ended), before the last frame of a
    /// filtered stream is relayed.
    fn ended(&mut self, complete: bool) -> Option<Bytes> {
        self.ended = true;
        self.slot = None;
        let meter = self.meter.as_mut()?;
        meter.finish(complete);
        meter.rest()
    }
}

impl HttpBody for Streamed {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = self.as_mut().poll_relayed(cx);
        if self.log.is_some() {
            let done = match &polled {
                Poll::Ready(Some(Ok(frame))) => {
                    self.relayed += frame.data_ref().map_or(0, |data| data.len() as u64);
                    self.ended || self.body.is_end_stream()
                }
                Poll::Ready(None | Some(Err(_))) => true,
                Poll::Pending => false,
            };
            if done {
                self.write_log();
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        match &self.meter {
            None => self.body.is_end_stream(),
            // The end is seen by polling, so that the usage is reported.
            Some(_) => self.ended,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.meter {
            Some(meter) if meter.filters() => SizeHint::default(),
            _ => self.body.size_hint(),
        }
    }
}

impl Drop for Streamed {
    /// A body dropped before its end (the client went away) still has its
    /// line, with what was relayed.
    fn drop(&mut self) {
        self.write_log();
    }
}

impl Streamed {
    /// The upstream's next frame as relayed: read by the meter, filtered
    /// under `--stream-usage inject`, the slot given back at the end.
    fn poll_relayed(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        loop {
            if self.ended {
                return Poll::Ready(None);
            }
            let polled = Pin::new(&mut self.body).poll_frame(cx);
            let Some(meter) = self.meter.as_mut() else {
                if let Poll::Ready(None | Some(Err(_))) = polled {
                    self.slot = None;
                }
                return polled;
            };
            match polled {
                Poll::Ready(Some(Ok(frame))) if meter.filters() => match frame.into_data() {
                    Ok(data) => {
                        let mut out = meter.filter(&data);
                        if self.body.is_end_stream()
                            && let Some(rest) = self.ended(true)
                        {
                            out = [out, rest].concat().into();
                        }
                        if !out.is_empty() {
                            return Poll::Ready(Some(Ok(Frame::data(out))));
                        }
                    }
                    Err(frame) => return Poll::Ready(Some(Ok(frame))),
                },
                Poll::Ready(Some(Ok(frame))) => {
                    if let Some(data) = frame.data_ref() {
                        meter.read(data);
                    }
                    // With a `Content-Length`, hyper may drop the body once
                    // that many bytes are written, without polling it again.
                    if self.body.is_end_stream() {
                        self.ended(true);
                    }
                    return Poll::Ready(Some(Ok(frame)));
                }
                Poll::Ready(None) => return Poll::Ready(self.ended(true).map(|rest| Ok(Frame::data(rest)))),
                Poll::Ready(Some(Err(error))) => {
                    self.ended(false);
                    return Poll::Ready(Some(Err(error)));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Why a verified key's request was refused (`rate`, `method`, …), on a
/// policy refusal: for gateways and the access log.
pub const X_KEYDESK_REFUSAL: HeaderName = HeaderName::from_static("x-keydesk-refusal");

/// The verified key's ID, on an allowed request (forward-auth answers and
/// proxied requests).
pub const X_KEYDESK_KEY_ID: HeaderName = HeaderName::from_static("x-keydesk-key-id");
/// The verified key's name, beside its ID.
pub const X_KEYDESK_KEY_NAME: HeaderName = HeaderName::from_static("x-keydesk-key-name");

/// An OpenAI-style JSON error, never cached.
pub fn json_error(status: StatusCode, body: &'static str) -> Response<Body> {
    json_answer(status, Bytes::from_static(body.as_bytes()))
}

/// A JSON answer built at run time, never cached.
pub fn json_answer(status: StatusCode, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Either::Left(Full::new(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
