//! Judging one request against its key's scopes: the client's address, the
//! method, the path, the model. Only the rules a policy has are looked at,
//! so a key with a rate rule alone never has its headers parsed here.
//!
//! What a request is depends on the mode. In proxy mode keydesk sees the
//! request itself; in forward-auth mode it sees the gateway's subrequest and
//! reads the original method and URI from the headers the gateway sets
//! (`X-Forwarded-Method`/`X-Original-Method`, `X-Forwarded-Uri`/
//! `X-Original-URI`). A rule that cannot be judged because the gateway did
//! not send its header refuses, naming the header: fail closed.
//!
//! The client's address: `X-Forwarded-For` (or, in forward-auth, `X-Real-IP`)
//! counts only when the connection comes from `--trusted-proxies`. Of its
//! entries, the right-most one that is not itself a trusted proxy is the
//! client: every entry left of it was written by the client, who could
//! write anything.
//!
//! Paths with dot segments or encoded dots, slashes or backslashes are
//! refused under a path rule: an upstream that normalises them would serve
//! another path than the one the glob allowed.

use std::borrow::Cow;
use std::net::IpAddr;

use hyper::http::{HeaderMap, HeaderName, Method, Uri};
use ipnet::IpNet;
use percent_encoding::percent_decode_str;

use super::refusal::{Refusal, shown};
use keydesk_core::domain::policy::{Policy, Reason};

const X_FORWARDED_METHOD: HeaderName = HeaderName::from_static("x-forwarded-method");
const X_ORIGINAL_METHOD: HeaderName = HeaderName::from_static("x-original-method");
const X_FORWARDED_URI: HeaderName = HeaderName::from_static("x-forwarded-uri");
const X_ORIGINAL_URI: HeaderName = HeaderName::from_static("x-original-uri");
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_REAL_IP: HeaderName = HeaderName::from_static("x-real-ip");

/// A request as the scopes see it.
pub enum Seen<'a> {
    /// Proxy mode: the request itself, from the connection's `peer`.
    Proxy {
        method: &'a Method,
        uri: &'a Uri,
        headers: &'a HeaderMap,
        peer: Option<IpAddr>,
        trusted: &'a [IpNet],
    },
    /// Forward-auth: the gateway's headers describe the request.
    Gateway {
        headers: &'a HeaderMap,
        peer: Option<IpAddr>,
        trusted: &'a [IpNet],
    },
}

/// Why a fact about the request is not known: said in the refusal.
type Unknown = String;

impl Seen<'_> {
    /// Judges the address, method and path rules, in that order. The model
    /// comes after (proxy mode may have to read the body for it).
    pub fn judge(&self, policy: &Policy) -> Result<(), Refusal> {
        if policy.ips.is_some() {
            let address = self.address().map_err(|why| cannot(Reason::Address, "ips", &why))?;
            if !policy.allows_address(Some(address)) {
                let message = format!("address {address} is not allowed for this key");
                return Err(Refusal::scope(Reason::Address, message));
            }
        }
        if policy.methods.is_some() {
            let method = self.method().map_err(|why| cannot(Reason::Method, "methods", &why))?;
            if !policy.allows_method(Some(method)) {
                let message = format!("method {} is not allowed for this key", shown(method));
                return Err(Refusal::scope(Reason::Method, message));
            }
        }
        if policy.paths.is_some() {
            let path = self.path().map_err(|why| cannot(Reason::Path, "paths", &why))?;
            if ambiguous(path) || !policy.allows_path(Some(path)) {
                let message = format!("path {} is not allowed for this key", shown(path));
                return Err(Refusal::scope(Reason::Path, message));
            }
        }
        Ok(())
    }

    /// The model named in a Gemini-style path, when the path has one;
    /// `Err` when the original path is not known.
    pub fn path_model(&self) -> Result<Option<Cow<'_, str>>, Unknown> {
        self.path().map(model_in_path)
    }

    fn method(&self) -> Result<&str, Unknown> {
        match self {
            Seen::Proxy { method, .. } => Ok(method.as_str()),
            Seen::Gateway { headers, .. } => either_header(
                headers,
                &X_FORWARDED_METHOD,
                &X_ORIGINAL_METHOD,
                "X-Forwarded-Method or X-Original-Method",
            ),
        }
    }

    fn path(&self) -> Result<&str, Unknown> {
        match self {
            Seen::Proxy { uri, .. } => Ok(uri.path()),
            Seen::Gateway { headers, .. } => {
                let uri = either_header(
                    headers,
                    &X_FORWARDED_URI,
                    &X_ORIGINAL_URI,
                    "X-Forwarded-Uri or X-Original-URI",
                )?;
                Ok(uri.split_once('?').map_or(uri, |(path, _)| path))
            }
        }
    }

    fn address(&self) -> Result<IpAddr, Unknown> {
        let (headers, peer, trusted, gateway) = match self {
            Seen::Proxy {
                headers, peer, trusted, ..
            } => (*headers, *peer, *trusted, false),
            Seen::Gateway { headers, peer, trusted } => (*headers, *peer, *trusted, true),
        };
        if !is_trusted(peer, trusted) {
            return peer.ok_or_else(|| "the client's address is unknown (a Unix socket)".to_owned());
        }
        if headers.contains_key(X_FORWARDED_FOR) {
            return forwarded_client(headers, trusted);
        }
        if gateway {
            let real = headers
                .get(X_REAL_IP)
                .ok_or_else(|| "the gateway sent neither X-Forwarded-For nor X-Real-IP".to_owned())?;
            return parse_address(real.to_str().unwrap_or("")).ok_or_else(|| "X-Real-IP is not an address".to_owned());
        }
        peer.ok_or_else(|| "the client's address is unknown (a Unix socket)".to_owned())
    }
}

/// Judges the model rule for a request whose model was looked for.
pub fn judge_model(policy: &Policy, model: Result<Option<&str>, Unknown>) -> Result<(), Refusal> {
    match model {
        Err(why) => Err(cannot(Reason::Model, "models", &why)),
        Ok(None) => Err(Refusal::scope(
            Reason::Model,
            "the request names no model, and this key is limited to some models".to_owned(),
        )),
        Ok(Some(model)) if policy.allows_model(Some(model)) => Ok(()),
        Ok(Some(model)) => Err(Refusal::scope(
            Reason::Model,
            format!("model {} is not allowed for this key", shown(model)),
        )),
    }
}

/// The refusal for a rule that cannot be judged.
fn cannot(reason: Reason, rule: &str, why: &str) -> Refusal {
    Refusal::scope(reason, format!("this key's {rule} rule cannot be checked: {why}"))
}

fn either_header<'h>(
    headers: &'h HeaderMap,
    first: &HeaderName,
    second: &HeaderName,
    names: &str,
) -> Result<&'h str, Unknown> {
    let value = headers
        .get(first)
        .or_else(|| headers.get(second))
        .ok_or_else(|| format!("the gateway did not send {names}"))?;
    value.to_str().map_err(|_| format!("{names} is not text"))
}

/// Whether the connection comes from a trusted proxy. A Unix socket's peer
/// is a process on this host: trusted when loopback is.
fn is_trusted(peer: Option<IpAddr>, trusted: &[IpNet]) -> bool {
    let peer = peer.map_or(IpAddr::from([127, 0, 0, 1]), keydesk_core::domain::policy::canonical);
    trusted.iter().any(|net| net.contains(&peer))
}

/// The right-most `X-Forwarded-For` entry that is not a trusted proxy (the
/// left-most when all are).
fn forwarded_client(headers: &HeaderMap, trusted: &[IpNet]) -> Result<IpAddr, Unknown> {
    let mut entries = Vec::new();
    for value in headers.get_all(X_FORWARDED_FOR) {
        let text = value.to_str().map_err(|_| "X-Forwarded-For is not text".to_owned())?;
        entries.extend(text.split(',').map(str::trim));
    }
    let mut client = None;
    for entry in entries.iter().rev() {
        let address =
            parse_address(entry).ok_or_else(|| "X-Forwarded-For holds something not an address".to_owned())?;
        client = Some(address);
        if !is_trusted(Some(address), trusted) {
            break;
        }
    }
    client.ok_or_else(|| "X-Forwarded-For is empty".to_owned())
}

/// An address, also with a port (`192.0.2.1:5000`, `[2001:db8::1]:443`).
fn parse_address(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
}

/// The model of a Gemini-style path, `/v1beta/models/{model}:{method}` (or
/// `/v1/…`), percent-decoded. A decoded model with a `/` names no model.
pub fn model_in_path(path: &str) -> Option<Cow<'_, str>> {
    let rest = path
        .strip_prefix("/v1beta/models/")
        .or_else(|| path.strip_prefix("/v1/models/"))?;
    let (model, _method) = rest.split_once(':')?;
    let decoded = percent_decode_str(model).decode_utf8().ok()?;
    (!decoded.is_empty() && !decoded.contains('/')).then_some(decoded)
}

/// The top-level `model` of a JSON body (OpenAI, Anthropic, Ollama), found
/// wherever it is among the other members. `None` when the body is not a
/// JSON object, has no string `model`, or names it twice.
pub fn model_in_body(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Top<'a> {
        #[serde(borrow)]
        model: Option<Cow<'a, str>>,
    }
    let top: Top = serde_json::from_slice(body).ok()?;
    top.model.map(Cow::into_owned)
}

/// A path an upstream might read as another: dot segments, encoded dots,
/// slashes or backslashes, backslashes.
fn ambiguous(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    path.split('/').any(|segment| segment == "." || segment == "..")
        || path.contains('\\')
        || ["%2e", "%2f", "%5c"].iter().any(|encoded| lower.contains(encoded))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::http::HeaderValue;

    fn policy(text: &str) -> Policy {
        Policy::parse(text).unwrap()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn loopback() -> Vec<IpNet> {
        vec!["127.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()]
    }

    #[test]
    fn forward_auth_reads_the_gateway_headers_and_refuses_when_they_are_missing() {
        let trusted = loopback();
        let sent = headers(&[("x-forwarded-method", "DELETE"), ("x-original-uri", "/v1/files?x=1")]);
        let peer = Some(IpAddr::from([127, 0, 0, 1]));
        let seen = Seen::Gateway {
            headers: &sent,
            peer,
            trusted: &trusted,
        };
        let refused = seen.judge(&policy("methods=GET,POST")).unwrap_err();
        assert_eq!(refused.message, "method DELETE is not allowed for this key");
        let refused = seen.judge(&policy("paths=/v1/chat/*")).unwrap_err();
        assert_eq!(refused.message, "path /v1/files is not allowed for this key");
        assert!(seen.judge(&policy("paths=/v1/files")).is_ok());

        let none = HeaderMap::new();
        let bare = Seen::Gateway {
            headers: &none,
            peer,
            trusted: &trusted,
        };
        let refused = bare.judge(&policy("methods=GET")).unwrap_err();
        assert_eq!(refused.reason, Reason::Method);
        assert!(refused.message.contains("X-Forwarded-Method"), "{}", refused.message);
        assert!(bare.judge(&policy("rpm=5")).is_ok(), "no scope, nothing to read");
    }

    #[test]
    fn forwarded_for_counts_only_from_trusted_peers_and_its_right_most_untrusted_entry() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let sent = headers(&[
            ("x-forwarded-for", "192.0.2.9, 198.51.100.4"),
            ("x-forwarded-for", "10.1.1.1"),
        ]);
        let uri = Uri::from_static("/");
        let seen = |peer: [u8; 4]| Seen::Proxy {
            method: &Method::GET,
            uri: &uri,
            headers: &sent,
            peer: Some(IpAddr::from(peer)),
            trusted: &trusted,
        };
        assert_eq!(seen([10, 0, 0, 2]).address().unwrap(), IpAddr::from([198, 51, 100, 4]));
        assert_eq!(
            seen([203, 0, 113, 1]).address().unwrap(),
            IpAddr::from([203, 0, 113, 1])
        );
        let refused = seen([203, 0, 113, 1])
            .judge(&policy("ips=198.51.100.0/24"))
            .unwrap_err();
        assert_eq!(refused.message, "address 203.0.113.1 is not allowed for this key");
        assert!(seen([10, 0, 0, 2]).judge(&policy("ips=198.51.100.0/24")).is_ok());
    }

    #[test]
    fn a_trusted_gateway_that_names_no_client_refuses_under_an_address_rule() {
        let trusted = loopback();
        let none = HeaderMap::new();
        let seen = Seen::Gateway {
            headers: &none,
            peer: Some(IpAddr::from([127, 0, 0, 1])),
            trusted: &trusted,
        };
        let refused = seen.judge(&policy("ips=127.0.0.1")).unwrap_err();
        assert!(refused.message.contains("X-Real-IP"), "{}", refused.message);
        let real = headers(&[("x-real-ip", "192.0.2.7")]);
        let seen = Seen::Gateway {
            headers: &real,
            peer: Some(IpAddr::from([127, 0, 0, 1])),
            trusted: &trusted,
        };
        assert_eq!(seen.address().unwrap(), IpAddr::from([192, 0, 2, 7]));
    }

    #[test]
    fn models_come_from_gemini_paths_and_json_bodies() {
        assert_eq!(
            model_in_path("/v1beta/models/gemini-1.5-pro:generateContent").as_deref(),
            Some("gemini-1.5-pro")
        );
        assert_eq!(model_in_path("/v1/models/gem%69ni:x").as_deref(), Some("gemini"));
        assert_eq!(model_in_path("/v1/models/gpt-4o"), None);
        assert_eq!(model_in_path("/v1/chat/completions"), None);
        let body = br#"{"messages":[{"role":"user","content":"{\"model\":\"x\"}"}],"model":"gpt-4o-mini","n":1}"#;
        assert_eq!(model_in_body(body).as_deref(), Some("gpt-4o-mini"));
        assert_eq!(model_in_body(br#"{"model":"a","model":"b"}"#), None);
        assert_eq!(model_in_body(br#"{"model":7}"#), None);
        assert_eq!(model_in_body(b"not json"), None);
        let rule = policy("models=gpt-4o-mini,llama3*");
        assert!(judge_model(&rule, Ok(Some("llama3:8b"))).is_ok());
        let refused = judge_model(&rule, Ok(Some("gpt-4o"))).unwrap_err();
        assert_eq!(refused.message, "model gpt-4o is not allowed for this key");
        assert!(judge_model(&rule, Ok(None)).is_err());
    }

    #[test]
    fn paths_an_upstream_could_read_differently_are_refused() {
        let uri = Uri::from_static("/v1/chat/../admin");
        let none = HeaderMap::new();
        let seen = Seen::Proxy {
            method: &Method::GET,
            uri: &uri,
            headers: &none,
            peer: None,
            trusted: &[],
        };
        assert!(seen.judge(&policy("paths=/v1/chat/*")).is_err());
        assert!(ambiguous("/v1/%2E%2e/x") && ambiguous("/v1\\x") && !ambiguous("/v1/chat/completions"));
    }
}
