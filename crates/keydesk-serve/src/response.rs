//! What every answer of the server is made of: the body type (ours, or the
//! upstream's streamed through), keydesk's own headers, and the JSON error.
//! Shared by the handlers and the proxy, which both answer requests.

use http_body_util::{Either, Full};
use hyper::body::{Bytes, Incoming};
use hyper::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::http::{Response, StatusCode};

/// A response body: one of ours, or the upstream's streamed through.
pub type Body = Either<Full<Bytes>, Incoming>;

/// The verified key's ID, on an allowed request (forward-auth answers and
/// proxied requests).
pub const X_KEYDESK_KEY_ID: HeaderName = HeaderName::from_static("x-keydesk-key-id");
/// The verified key's name, beside its ID.
pub const X_KEYDESK_KEY_NAME: HeaderName = HeaderName::from_static("x-keydesk-key-name");

/// An OpenAI-style JSON error, never cached.
pub fn json_error(status: StatusCode, body: &'static str) -> Response<Body> {
    let mut response = Response::new(Either::Left(Full::new(Bytes::from_static(body.as_bytes()))));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
