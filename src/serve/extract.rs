//! Where a request's key is read from, in one place, so the forward-auth
//! endpoint, the proxy and the key-stripping before forwarding agree on it.
//!
//! In order: `Authorization: Bearer …` (OpenAI style), `x-api-key`
//! (Anthropic), `x-goog-api-key` (Gemini), and only when the operator allows
//! it, a `key` query parameter (Gemini style) of the request itself or of the
//! original request a gateway names in `X-Original-URI` (nginx) or
//! `X-Forwarded-Uri` (Traefik, Caddy). Query strings end up in access logs,
//! hence opt-in.
//!
//! Every place is looked at, not just the first that has a key: a request
//! that presents two *different* keys is refused, since a gateway or upstream
//! further on might act on the other one. The same key in several places is
//! fine. A value that is not text (bytes above 0x7e) is a key that cannot be
//! valid, so it is refused rather than skipped.

use std::borrow::Cow;

use hyper::http::{HeaderMap, HeaderName, Uri};
use percent_encoding::percent_decode_str;
use zeroize::Zeroizing;

/// Where a key was found; also a metrics label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Authorization,
    XApiKey,
    XGoogApiKey,
    Query,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Authorization => "authorization",
            Source::XApiKey => "x-api-key",
            Source::XGoogApiKey => "x-goog-api-key",
            Source::Query => "query",
        }
    }
}

pub const X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");
pub const X_GOOG_API_KEY: HeaderName = HeaderName::from_static("x-goog-api-key");
const X_ORIGINAL_URI: HeaderName = HeaderName::from_static("x-original-uri");
const X_FORWARDED_URI: HeaderName = HeaderName::from_static("x-forwarded-uri");

/// A presented key's bytes: borrowed from the request, or decoded from a
/// query (then zeroised when dropped).
pub enum KeyBytes<'a> {
    Borrowed(&'a [u8]),
    Decoded(Zeroizing<Vec<u8>>),
}

impl KeyBytes<'_> {
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            KeyBytes::Borrowed(bytes) => bytes,
            KeyBytes::Decoded(bytes) => bytes,
        }
    }

    /// The key as text, or `None` when it is not UTF-8 (so not a key).
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(self.as_bytes()).ok()
    }
}

/// What a request presents.
pub enum Presented<'a> {
    Missing,
    /// One key (possibly in several places); `source` is the first place.
    One {
        key: KeyBytes<'a>,
        source: Source,
    },
    /// Two different keys; `source` is where the first was.
    Conflicting {
        source: Source,
    },
}

impl Presented<'_> {
    pub fn source(&self) -> Option<Source> {
        match self {
            Presented::Missing => None,
            Presented::One { source, .. } | Presented::Conflicting { source } => Some(*source),
        }
    }
}

/// Finds the key a request presents (see the module documentation).
pub fn presented_key<'a>(headers: &'a HeaderMap, uri: &'a Uri, allow_query: bool) -> Presented<'a> {
    let mut found = Finder::default();
    for value in headers.get_all(hyper::header::AUTHORIZATION) {
        if let Some(token) = bearer_token(value.as_bytes()) {
            found.add(Source::Authorization, KeyBytes::Borrowed(token));
        }
    }
    for (name, source) in [(X_API_KEY, Source::XApiKey), (X_GOOG_API_KEY, Source::XGoogApiKey)] {
        for value in headers.get_all(name) {
            found.add(source, KeyBytes::Borrowed(trim(value.as_bytes())));
        }
    }
    if allow_query {
        let forwarded = [X_ORIGINAL_URI, X_FORWARDED_URI]
            .into_iter()
            .flat_map(|name| headers.get_all(name))
            .filter_map(|value| value.to_str().ok())
            .filter_map(|uri| uri.split_once('?').map(|(_, query)| query));
        for query in uri.query().into_iter().chain(forwarded) {
            for value in query_keys(query) {
                found.add(Source::Query, value);
            }
        }
    }
    found.finish()
}

#[derive(Default)]
struct Finder<'a> {
    first: Option<(KeyBytes<'a>, Source)>,
    conflict: bool,
}

impl<'a> Finder<'a> {
    fn add(&mut self, source: Source, key: KeyBytes<'a>) {
        match &self.first {
            None => self.first = Some((key, source)),
            Some((first, _)) => self.conflict |= first.as_bytes() != key.as_bytes(),
        }
    }

    fn finish(self) -> Presented<'a> {
        match self.first {
            None => Presented::Missing,
            Some((_, source)) if self.conflict => Presented::Conflicting { source },
            Some((key, source)) => Presented::One { key, source },
        }
    }
}

/// The token of `Bearer TOKEN` (scheme case-insensitive); `None` for other
/// schemes (`Basic …` is not a keydesk key and is left alone).
fn bearer_token(value: &[u8]) -> Option<&[u8]> {
    let value = trim(value);
    let (scheme, rest) = value.split_at(value.iter().position(|&b| b == b' ')?);
    scheme.eq_ignore_ascii_case(b"bearer").then(|| trim(rest))
}

fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// The values of every `key=` parameter in a query string, percent-decoded.
pub fn query_keys(query: &str) -> impl Iterator<Item = KeyBytes<'_>> {
    let query = query.split('#').next().unwrap_or("");
    query.split('&').filter_map(|pair| {
        let value = pair.strip_prefix("key=")?;
        Some(match percent_decode_str(value).into() {
            Cow::Borrowed(_) => KeyBytes::Borrowed(value.as_bytes()),
            Cow::Owned(decoded) => KeyBytes::Decoded(Zeroizing::new(decoded)),
        })
    })
}

/// `query` without its `key=` parameters, for forwarding; `None` when
/// nothing is left.
pub fn strip_query_keys(query: &str) -> Option<String> {
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && *pair != "key" && !pair.starts_with("key="))
        .collect();
    (!kept.is_empty()).then(|| kept.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::http::HeaderValue;

    const A: &str = "sk-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const B: &str = "sk-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

    fn find(headers: &[(&str, &[u8])], uri: &str, allow_query: bool) -> (Option<String>, Option<Source>, bool) {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_bytes(value).unwrap(),
            );
        }
        let uri: Uri = uri.parse().unwrap();
        match presented_key(&map, &uri, allow_query) {
            Presented::Missing => (None, None, false),
            Presented::One { key, source } => (
                Some(String::from_utf8_lossy(key.as_bytes()).into_owned()),
                Some(source),
                false,
            ),
            Presented::Conflicting { source } => (None, Some(source), true),
        }
    }

    #[test]
    fn each_header_style_is_read() {
        let bearer = format!("Bearer {A}");
        assert_eq!(
            find(&[("authorization", bearer.as_bytes())], "/", false),
            (Some(A.into()), Some(Source::Authorization), false)
        );
        let lower = format!("bearer   {A} ");
        assert_eq!(
            find(&[("authorization", lower.as_bytes())], "/", false).0,
            Some(A.into())
        );
        assert_eq!(
            find(&[("x-api-key", A.as_bytes())], "/", false),
            (Some(A.into()), Some(Source::XApiKey), false)
        );
        assert_eq!(
            find(&[("x-goog-api-key", A.as_bytes())], "/", false),
            (Some(A.into()), Some(Source::XGoogApiKey), false)
        );
    }

    #[test]
    fn a_basic_authorization_is_not_a_key() {
        assert_eq!(find(&[("authorization", b"Basic dXNlcjpwYXNz")], "/", false).0, None);
        assert_eq!(find(&[("authorization", b"Bearer")], "/", false).0, None);
    }

    #[test]
    fn authorization_comes_first_and_the_same_key_twice_is_fine() {
        let bearer = format!("Bearer {A}");
        let found = find(
            &[("x-goog-api-key", A.as_bytes()), ("authorization", bearer.as_bytes())],
            &format!("/?key={A}"),
            true,
        );
        assert_eq!(found, (Some(A.into()), Some(Source::Authorization), false));
    }

    #[test]
    fn two_different_keys_are_a_conflict_wherever_they_are() {
        let bearer = format!("Bearer {A}");
        assert!(
            find(
                &[("authorization", bearer.as_bytes()), ("x-api-key", B.as_bytes())],
                "/",
                false
            )
            .2
        );
        assert!(find(&[("x-api-key", A.as_bytes()), ("x-api-key", B.as_bytes())], "/", false).2);
        assert!(find(&[("x-api-key", A.as_bytes())], &format!("/?key={B}"), true).2);
        assert!(
            find(
                &[("x-original-uri", format!("/v1?key={B}").as_bytes())],
                &format!("/?key={A}"),
                true
            )
            .2
        );
    }

    #[test]
    fn the_query_is_read_only_when_allowed() {
        let uri = format!("/v1/models?alt=sse&key={A}");
        assert_eq!(find(&[], &uri, false).0, None);
        assert_eq!(find(&[], &uri, true), (Some(A.into()), Some(Source::Query), false));
    }

    #[test]
    fn a_gateway_s_original_uri_carries_the_query() {
        for header in ["x-original-uri", "x-forwarded-uri"] {
            let original = format!("/v1beta/models?key={A}#frag");
            assert_eq!(
                find(&[(header, original.as_bytes())], "/verify", true).0,
                Some(A.into()),
                "{header}"
            );
            assert_eq!(
                find(&[(header, original.as_bytes())], "/verify", false).0,
                None,
                "{header}"
            );
        }
    }

    #[test]
    fn a_percent_encoded_query_key_is_decoded() {
        assert_eq!(find(&[], "/?key=sk-%41%41", true).0, Some("sk-AA".into()));
    }

    #[test]
    fn a_value_that_is_not_text_is_a_key_that_cannot_be_valid() {
        let (key, source, conflict) = find(&[("x-api-key", b"sk-\xff\xfe")], "/", false);
        assert_eq!((source, conflict), (Some(Source::XApiKey), false));
        assert!(key.is_some());
    }

    #[test]
    fn stripping_the_query_keeps_the_other_parameters() {
        assert_eq!(
            strip_query_keys(&format!("alt=sse&key={A}&x=1")),
            Some("alt=sse&x=1".into())
        );
        assert_eq!(strip_query_keys(&format!("key={A}")), None);
        assert_eq!(strip_query_keys("keyword=1"), Some("keyword=1".into()));
    }
}
