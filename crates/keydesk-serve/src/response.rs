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

/// A response body: one of ours, or the upstream's streamed through.
pub type Body = Either<Full<Bytes>, Streamed>;

/// The upstream's body, holding the request's place among its key's
/// requests in flight (`max-parallel`) until the body has ended: a streamed
/// chat completion is in flight until its last token. The place is given
/// back when the last frame has been read, or when the body is dropped (the
/// client went away, or hyper is done with it).
pub struct Streamed {
    body: Incoming,
    slot: Option<Slot>,
}

impl Streamed {
    pub fn new(body: Incoming, slot: Option<Slot>) -> Streamed {
        Streamed { body, slot }
    }
}

impl HttpBody for Streamed {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if let Poll::Ready(None | Some(Err(_))) = polled {
            self.slot = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

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
