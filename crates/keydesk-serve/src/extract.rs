//! Where a request's key is, in one place: [`locate`] finds every place a
//! key is or could be, and the same answer drives both the check and, in
//! proxy mode, what is removed before forwarding, so reading and stripping
//! cannot disagree.
//!
//! Keys are read from `Authorization: Bearer …` (OpenAI style), `x-api-key`
//! (Anthropic), `x-goog-api-key` (Gemini), and only when the operator allows
//! it, a `key` query parameter (Gemini style): of the request itself, and in
//! forward-auth mode of the original request a gateway names in
//! `X-Original-URI` (nginx) or `X-Forwarded-Uri` (Traefik, Caddy). Query
//! strings end up in access logs, hence opt-in. In proxy mode the client
//! talks to keydesk directly: those two headers describe nothing, so they are
//! neither read nor forwarded.
//!
//! Every place is looked at, not just the first that has a key: a request
//! that presents two *different* keys is refused, since a gateway or upstream
//! further on might act on the other one. The same key in several places is
//! fine. What another parser could read as a key but keydesk cannot read as
//! one is refused the same way (a conflict), never skipped: an `Authorization`
//! that is not text or whose scheme merely starts with `Bearer`, a query
//! parameter whose name only decodes or folds to `key` (`KEY=`, `%6bey=`,
//! `;key=`), an original URI that is not UTF-8, and in forward-auth mode a
//! header name a WSGI server folds (`_` as `-`) into a key or keydesk header,
//! which keydesk cannot remove there since the gateway forwards the request.
//! A key header's value that is not text is a key that cannot be valid.

use std::borrow::Cow;

use hyper::http::header::AUTHORIZATION;
use hyper::http::{HeaderMap, HeaderName, Uri};
use percent_encoding::percent_decode;
use zeroize::Zeroizing;

use keydesk_core::domain::secret;

/// Where a key was found; also a metrics label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Authorization,
    XApiKey,
    XGoogApiKey,
    Query,
}

pub const X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");
pub const X_GOOG_API_KEY: HeaderName = HeaderName::from_static("x-goog-api-key");
const X_ORIGINAL_URI: HeaderName = HeaderName::from_static("x-original-uri");
const X_FORWARDED_URI: HeaderName = HeaderName::from_static("x-forwarded-uri");

/// How the request reaches whatever acts on it next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `/verify`: a gateway forwards the request itself, as it came.
    ForwardAuth,
    /// keydesk forwards the request, and removes what it must.
    Proxy,
}

/// Which places count.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub mode: Mode,
    /// `--allow-query-key`.
    pub allow_query: bool,
}

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
    /// Two different keys, or something unreadable where a key could be;
    /// `source` is the first place, when it is a key's.
    Conflicting {
        source: Option<Source>,
    },
}

/// Header names removed, with all their values, when a request holds them
/// as a key's place; [`Places::headers`] has one bit per entry.
const STRIPPED: [HeaderName; 5] = [
    AUTHORIZATION,
    X_API_KEY,
    X_GOOG_API_KEY,
    X_ORIGINAL_URI,
    X_FORWARDED_URI,
];

/// Every place in one request that holds, or could hold, a key: what is
/// removed before the request is forwarded.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Places {
    /// Bits of [`STRIPPED`].
    headers: u8,
    /// A header name contains `_`: WSGI servers read it as `-`, so such
    /// names are dropped (nginx's default).
    underscored: bool,
    /// Positions of the `&`-separated query parameters to remove.
    query: Vec<usize>,
}

impl Places {
    fn add_header(&mut self, name: &HeaderName) {
        if let Some(bit) = STRIPPED.iter().position(|stripped| stripped == name) {
            self.headers |= 1 << bit;
        }
    }

    /// Removes these places' headers, and every header name with a `_`.
    pub fn strip_headers(&self, headers: &mut HeaderMap) {
        for (bit, name) in STRIPPED.iter().enumerate() {
            if self.headers & (1 << bit) != 0 {
                headers.remove(name);
            }
        }
        if self.underscored {
            let names: Vec<HeaderName> = headers.keys().filter(|name| has_underscore(name)).cloned().collect();
            for name in names {
                headers.remove(name);
            }
        }
    }

    /// Whether the query holds a key's place.
    pub fn in_query(&self) -> bool {
        !self.query.is_empty()
    }

    /// `query` without these places' parameters (and empty ones), for
    /// forwarding; `None` when nothing is left.
    pub fn strip_query(&self, query: &str) -> Option<String> {
        let kept: Vec<&str> = query
            .split('&')
            .enumerate()
            .filter(|(position, param)| !param.is_empty() && !self.query.contains(position))
            .map(|(_, param)| param)
            .collect();
        (!kept.is_empty()).then(|| kept.join("&"))
    }
}

/// The key a request presents, and every place it is or could be.
pub struct Located<'a> {
    pub presented: Presented<'a>,
    pub places: Places,
}

/// Finds the key a request presents and every place a key is or could be
/// (see the module documentation).
pub fn locate<'a>(headers: &'a HeaderMap, uri: &'a Uri, rules: Rules) -> Located<'a> {
    let mut found = Finder::default();
    let mut places = Places::default();
    for value in headers.get_all(AUTHORIZATION) {
        match authorization(value.as_bytes()) {
            Held::Nothing => continue,
            Held::Key(token) => found.add(Source::Authorization, KeyBytes::Borrowed(token)),
            Held::Unreadable => found.unreadable(Some(Source::Authorization)),
        }
        places.add_header(&AUTHORIZATION);
    }
    for (name, source) in [(X_API_KEY, Source::XApiKey), (X_GOOG_API_KEY, Source::XGoogApiKey)] {
        for value in headers.get_all(&name) {
            found.add(source, KeyBytes::Borrowed(value.as_bytes().trim_ascii()));
            places.add_header(&name);
        }
    }
    for name in headers.keys().filter(|name| has_underscore(name)) {
        places.underscored = true;
        if rules.mode == Mode::ForwardAuth
            && let Some(source) = folded(name.as_str())
        {
            found.unreadable(source);
        }
    }
    if rules.allow_query
        && let Some(query) = uri.query()
    {
        read_query(query, &mut found, Some(&mut places.query));
    }
    if rules.mode == Mode::Proxy
        && let Some(query) = uri.query()
        && forwards_a_secret(query, &places.query)
    {
        found.unreadable(Some(Source::Query));
    }
    for name in [X_ORIGINAL_URI, X_FORWARDED_URI] {
        match rules.mode {
            Mode::Proxy if headers.contains_key(&name) => places.add_header(&name),
            Mode::Proxy => {}
            Mode::ForwardAuth if rules.allow_query => {
                for value in headers.get_all(&name) {
                    match std::str::from_utf8(value.as_bytes()) {
                        Ok(original) => read_query(query_of(original), &mut found, None),
                        Err(_) => found.unreadable(Some(Source::Query)),
                    }
                }
            }
            Mode::ForwardAuth => {}
        }
    }
    Located {
        presented: found.finish(),
        places,
    }
}

#[derive(Default)]
struct Finder<'a> {
    first: Option<(KeyBytes<'a>, Source)>,
    conflict: bool,
    /// Something unreadable was where a key could be; where, if a key's place.
    unreadable: Option<Option<Source>>,
}

impl<'a> Finder<'a> {
    fn add(&mut self, source: Source, key: KeyBytes<'a>) {
        match &self.first {
            None => self.first = Some((key, source)),
            Some((first, _)) => self.conflict |= first.as_bytes() != key.as_bytes(),
        }
    }

    fn unreadable(&mut self, source: Option<Source>) {
        self.unreadable.get_or_insert(source);
    }

    fn finish(self) -> Presented<'a> {
        let first_source = self.first.as_ref().map(|(_, source)| *source);
        match (self.first, self.unreadable) {
            (_, Some(source)) => Presented::Conflicting {
                source: first_source.or(source),
            },
            (None, None) => Presented::Missing,
            (Some(_), None) if self.conflict => Presented::Conflicting { source: first_source },
            (Some((key, source)), None) => Presented::One { key, source },
        }
    }
}

/// What one place holds.
#[derive(Debug, PartialEq, Eq)]
enum Held<'a> {
    /// Not a key's place (`Basic …`, or a bare `Bearer`).
    Nothing,
    Key(&'a [u8]),
    /// Something another parser may read as a key, keydesk cannot.
    Unreadable,
}

/// An `Authorization` value: `Bearer TOKEN` (the scheme case-insensitive,
/// then spaces or tabs) holds a key. A value that is not text, or whose
/// scheme merely starts with `bearer` (`BearerTOKEN`, `Bearer,TOKEN`), is
/// unreadable. Other schemes are left alone.
fn authorization(value: &[u8]) -> Held<'_> {
    let value = value.trim_ascii();
    if !value
        .get(..6)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case(b"bearer"))
    {
        let text = value.iter().all(|&b| b == b'\t' || (b' '..=b'~').contains(&b));
        return if text { Held::Nothing } else { Held::Unreadable };
    }
    match value.get(6) {
        None => Held::Nothing,
        Some(b' ' | b'\t') => Held::Key(value[6..].trim_ascii()),
        Some(_) => Held::Unreadable,
    }
}

fn has_underscore(name: &HeaderName) -> bool {
    name.as_str().as_bytes().contains(&b'_')
}

/// Header names a WSGI server may read a `_`-spelled name as: the key
/// headers and the ones keydesk sets.
const FOLDABLE: [(&str, Option<Source>); 5] = [
    ("authorization", Some(Source::Authorization)),
    ("x-api-key", Some(Source::XApiKey)),
    ("x-goog-api-key", Some(Source::XGoogApiKey)),
    ("x-keydesk-key-id", None),
    ("x-keydesk-key-name", None),
];

/// The header `name` (lowercase, with a `_`) folds into, if it matters.
fn folded(name: &str) -> Option<Option<Source>> {
    FOLDABLE
        .iter()
        .find(|(foldable, _)| {
            foldable.len() == name.len()
                && foldable
                    .bytes()
                    .zip(name.bytes())
                    .all(|(f, n)| f == n || (f == b'-' && n == b'_'))
        })
        .map(|(_, source)| *source)
}

/// The query string of an original request target, without its fragment.
fn query_of(target: &str) -> &str {
    let target = target.split('#').next().unwrap_or("");
    target.split_once('?').map_or("", |(_, query)| query)
}

/// Reads a query's key parameters into `found`, and their positions into
/// `places` when the query is the one forwarded.
fn read_query<'a>(query: &'a str, found: &mut Finder<'a>, mut places: Option<&mut Vec<usize>>) {
    for (position, param) in query.split('&').enumerate() {
        match query_param(param) {
            Held::Nothing => continue,
            Held::Key(value) => found.add(Source::Query, decode(value)),
            Held::Unreadable => found.unreadable(Some(Source::Query)),
        }
        if let Some(places) = places.as_deref_mut() {
            places.push(position);
        }
    }
}

/// One `&`-separated query parameter: `key` or `key=VALUE` holds a key
/// (`VALUE`, percent-encoded); a name another parser may read as `key`
/// (any case, percent-encoded, or after a `;`) is unreadable.
fn query_param(param: &str) -> Held<'_> {
    let (name, value) = param.split_once('=').unwrap_or((param, ""));
    if name == "key" {
        return Held::Key(value.as_bytes());
    }
    let ambiguous = may_read_as_key(name)
        || (param.contains(';')
            && param
                .split(';')
                .any(|piece| may_read_as_key(piece.split_once('=').map_or(piece, |(name, _)| name))));
    if ambiguous { Held::Unreadable } else { Held::Nothing }
}

/// Whether some parser may read a parameter name as `key`: in any case,
/// or after percent-decoding.
fn may_read_as_key(name: &str) -> bool {
    match name.len() {
        3 => name.eq_ignore_ascii_case("key"),
        _ if name.contains('%') => percent_decode(name.as_bytes())
            .collect::<Vec<u8>>()
            .eq_ignore_ascii_case(b"key"),
        _ => false,
    }
}

/// Whether a parameter of the forwarded query other than those at
/// `stripped` holds a keydesk secret (checksum-valid, percent-decoded):
/// `?key=sk-…` without `--allow-query-key`, or `?api_key=sk-…`. Such a
/// request is refused rather than forwarded with the secret in it.
fn forwards_a_secret(query: &str, stripped: &[usize]) -> bool {
    query
        .split('&')
        .enumerate()
        .filter(|(position, _)| !stripped.contains(position))
        .any(|(_, param)| {
            let decoded = decode(param.as_bytes());
            // A key is ASCII, so it lies within one valid run of the text.
            decoded
                .as_bytes()
                .utf8_chunks()
                .any(|chunk| secret::find_key_body(chunk.valid()).is_some())
        })
}

/// A query value, percent-decoded (and zeroised when it had to be copied).
fn decode(value: &[u8]) -> KeyBytes<'_> {
    match percent_decode(value).into() {
        Cow::Borrowed(_) => KeyBytes::Borrowed(value),
        Cow::Owned(decoded) => KeyBytes::Decoded(Zeroizing::new(decoded)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::http::HeaderValue;

    const A: &str = "sk-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const B: &str = "sk-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

    const FORWARD_AUTH: Rules = Rules {
        mode: Mode::ForwardAuth,
        allow_query: false,
    };
    const WITH_QUERY: Rules = Rules {
        mode: Mode::ForwardAuth,
        allow_query: true,
    };
    const PROXY: Rules = Rules {
        mode: Mode::Proxy,
        allow_query: true,
    };

    fn header_map(headers: &[(&str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_bytes(value).unwrap(),
            );
        }
        map
    }

    type Summary = (Option<String>, Option<Source>, bool);

    /// (the key, its source, a conflict) and the places, under `rules`.
    fn locate_in(headers: &[(&str, &[u8])], uri: &str, rules: Rules) -> (Summary, Places) {
        let map = header_map(headers);
        let uri: Uri = uri.parse().unwrap();
        let Located { presented, places } = locate(&map, &uri, rules);
        let summary = match presented {
            Presented::Missing => (None, None, false),
            Presented::One { key, source } => (
                Some(String::from_utf8_lossy(key.as_bytes()).into_owned()),
                Some(source),
                false,
            ),
            Presented::Conflicting { source } => (None, source, true),
        };
        (summary, places)
    }

    fn find(headers: &[(&str, &[u8])], uri: &str, allow_query: bool) -> Summary {
        let rules = if allow_query { WITH_QUERY } else { FORWARD_AUTH };
        locate_in(headers, uri, rules).0
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
    fn stripping_removes_exactly_the_query_parameters_read_as_keys() {
        let uri = format!("/v1?alt=sse&key={A}&&x=1&keyword=1&key");
        let ((_, _, conflict), places) = locate_in(&[], &uri, PROXY);
        assert!(conflict, "a bare `key` is an empty key, not the same one");
        let query = uri.split_once('?').unwrap().1;
        assert_eq!(places.strip_query(query), Some("alt=sse&x=1&keyword=1".into()));
        let (_, places) = locate_in(&[], &format!("/?key={A}"), PROXY);
        assert_eq!(places.strip_query(&format!("key={A}")), None);
        let (_, places) = locate_in(&[], &format!("/?key={A}"), FORWARD_AUTH);
        assert!(!places.in_query(), "not read, so not a key's place");
    }

    #[test]
    fn a_bearer_token_may_follow_spaces_or_tabs_and_is_stripped_either_way() {
        for value in [format!("Bearer\t{A}"), format!("bearer \t {A}")] {
            let (found, places) = locate_in(&[("authorization", value.as_bytes())], "/", PROXY);
            assert_eq!(found, (Some(A.into()), Some(Source::Authorization), false), "{value:?}");
            let mut headers = header_map(&[("authorization", value.as_bytes())]);
            places.strip_headers(&mut headers);
            assert!(headers.is_empty(), "{value:?}");
        }
    }

    #[test]
    fn what_only_looks_like_a_bearer_token_or_is_not_text_is_a_conflict() {
        for value in [format!("Bearer{A}"), format!("Bearer,{A}"), format!("Bearers {A}")] {
            let found = find(&[("authorization", value.as_bytes())], "/", false);
            assert_eq!(found, (None, Some(Source::Authorization), true), "{value}");
        }
        let found = find(
            &[("x-api-key", A.as_bytes()), ("authorization", b"\xffBearer sk-B")],
            "/",
            false,
        );
        assert_eq!(found, (None, Some(Source::XApiKey), true));
        // `Basic …` and a bare `Bearer` are no key's place, and stay.
        let (found, places) = locate_in(&[("authorization", b"Basic dXNlcjpwYXNz")], "/", PROXY);
        assert_eq!((found, places), ((None, None, false), Places::default()));
        let (found, places) = locate_in(&[("authorization", b"Bearer")], "/", PROXY);
        assert_eq!((found, places), ((None, None, false), Places::default()));
    }

    #[test]
    fn query_names_another_parser_reads_as_key_are_a_conflict() {
        for query in [
            "KEY=x",
            "Key=x",
            "%6bey=x",
            "%6B%65%79=x",
            "a=1;key=x",
            "key;a=1",
            "a;KEY",
        ] {
            let uri = format!("/v1?{query}");
            let (found, places) = locate_in(&[("x-api-key", A.as_bytes())], &uri, PROXY);
            assert_eq!(found, (None, Some(Source::XApiKey), true), "{query}");
            assert!(places.in_query(), "{query}");
            assert!(find(&[], &uri, true).2, "{query}");
            // Not read without --allow-query-key: the query is the upstream's.
            assert!(!find(&[], &uri, false).2, "{query}");
        }
        for query in ["keys=1", "akey=1", "k=1;ey=2", "%6bez=1", "monkey=1"] {
            let (found, places) = locate_in(&[], &format!("/v1?{query}"), PROXY);
            assert_eq!((found, places.in_query()), ((None, None, false), false), "{query}");
        }
    }

    #[test]
    fn an_original_uri_is_read_in_forward_auth_mode_only_and_stripped_in_proxy_mode() {
        let original = format!("/v1?key={B}");
        let headers: [(&str, &[u8]); 4] = [
            ("x-api-key", A.as_bytes()),
            ("x-original-uri", original.as_bytes()),
            ("x-forwarded-uri", b"/elsewhere"),
            ("content-type", b"application/json"),
        ];
        assert!(find(&headers, "/verify", true).2);
        let (found, places) = locate_in(&headers, "/p1", PROXY);
        assert_eq!(found, (Some(A.into()), Some(Source::XApiKey), false));
        let mut map = header_map(&headers);
        places.strip_headers(&mut map);
        assert_eq!(
            map.keys().map(|name| name.as_str()).collect::<Vec<_>>(),
            ["content-type"]
        );
    }

    #[test]
    fn an_original_uri_that_is_not_utf8_is_a_conflict_but_utf8_is_text() {
        let bearer = format!("Bearer {A}");
        let bad = [
            ("authorization", bearer.as_bytes()),
            ("x-original-uri", b"/v1?key=x&\xff"),
        ];
        assert_eq!(find(&bad, "/verify", true), (None, Some(Source::Authorization), true));
        let utf8 = format!("/v1/模型?key={A}");
        let good = [
            ("authorization", bearer.as_bytes()),
            ("x-forwarded-uri", utf8.as_bytes()),
        ];
        assert_eq!(find(&good, "/verify", true).0, Some(A.into()));
    }

    #[test]
    fn underscored_names_are_a_conflict_in_forward_auth_mode_and_stripped_in_proxy_mode() {
        for (name, source) in [
            ("x_api_key", Some(Source::XApiKey)),
            ("x_goog-api_key", Some(Source::XGoogApiKey)),
            ("authorization_", None),
            ("x_keydesk_key_id", None),
            ("x-keydesk_key-name", None),
        ] {
            let folds = name != "authorization_";
            assert_eq!(find(&[(name, b"v")], "/", false), (None, source, folds), "{name}");
            let beside = [(name, b"v".as_slice()), ("x-api-key", A.as_bytes())];
            let expected = if folds { None } else { Some(A.into()) };
            assert_eq!(find(&beside, "/", false).0, expected, "{name}");
        }
        let headers: [(&str, &[u8]); 3] = [
            ("x_api_key", B.as_bytes()),
            ("x_other", b"1"),
            ("x-api-key", A.as_bytes()),
        ];
        let (found, places) = locate_in(&headers, "/", PROXY);
        assert_eq!(found, (Some(A.into()), Some(Source::XApiKey), false));
        let mut map = header_map(&headers);
        places.strip_headers(&mut map);
        assert!(map.is_empty(), "{map:?}");
    }

    #[test]
    fn a_secret_anywhere_else_in_a_forwarded_query_is_a_conflict() {
        let secret = keydesk_core::SecretKey::generate();
        let key = secret.expose();
        let conflict = |allow_query, uri: &str| {
            let rules = Rules {
                mode: Mode::Proxy,
                allow_query,
            };
            locate_in(&[("x-api-key", key.as_bytes())], uri, rules).0.2
        };
        let encoded = format!("%73k-{}", &key[3..]);
        for uri in [
            format!("/v1?key={key}"),
            format!("/v1?api_key={key}"),
            format!("/v1?q={encoded}"),
        ] {
            assert!(conflict(false, &uri), "{uri}");
        }
        // Read and stripped with the flag; anything else holding it still refuses.
        assert!(!conflict(true, &format!("/v1?key={key}")));
        assert!(conflict(true, &format!("/v1?key={key}&k2={key}")));
        // What is not a keydesk secret is the upstream's business.
        assert!(!conflict(false, "/v1?key=hello&alt=sse"));
        assert!(!conflict(false, "/v1?q=%ff%fe"));
    }

    #[test]
    fn an_empty_key_beside_a_real_one_is_a_conflict() {
        let bearer = format!("Bearer {A}");
        let found = find(&[("authorization", bearer.as_bytes()), ("x-api-key", b"")], "/", false);
        assert_eq!(found, (None, Some(Source::Authorization), true));
    }
}
