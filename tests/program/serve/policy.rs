//! Key policies enforced by `keydesk serve`, in proxy mode and forward-auth:
//! scopes answered 403, limits 429, both in OpenAI's error shape, with the
//! headers gateways and SDKs read; policies created and changed while the
//! server runs.

use std::io::{Read, Write};
use std::net::TcpStream;

use crate::support::{Keys, Response, Server, Upstream, connect, find, request, wait_for};

fn proxy(keys: &Keys, upstream: &Upstream, extra: &[&str]) -> Server {
    let url = format!("http://{}", upstream.addr);
    let mut args = vec!["--upstream", url.as_str()];
    args.extend_from_slice(extra);
    Server::start(&keys.db, &args)
}

fn json(response: &Response) -> serde_json::Value {
    serde_json::from_slice(&response.body).unwrap_or_else(|_| panic!("not JSON: {}", response.body_text()))
}

/// Asserts a policy refusal: its status, reason header, JSON type; returns
/// the message.
fn assert_refused(response: &Response, status: u16, reason: &str) -> String {
    assert_eq!(response.status, status, "{}", response.body_text());
    assert_eq!(response.header("x-keydesk-refusal"), Some(reason));
    assert_eq!(response.header("content-type"), Some("application/json"));
    let body = json(response);
    let kind = if status == 429 {
        "rate_limit_exceeded"
    } else {
        "permission_denied"
    };
    assert_eq!(body["error"]["type"], kind);
    assert_eq!(body["error"]["code"], kind);
    body["error"]["message"].as_str().unwrap().to_owned()
}

/// A counter's value in `/metrics` (at `path`).
fn metric(server: &Server, path: &str, series: &str) -> Option<u64> {
    let text = server.get(path, &[]).body_text();
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
}

fn send(server: &Server, method: &str, path: &str, secret: &str, body: &[u8]) -> Response {
    request(server.addr, method, path, &[("x-api-key", secret)], body)
}

#[test]
fn proxy_scopes_are_403_naming_the_rule_and_never_reach_the_upstream() {
    let keys = Keys::new();
    let (limited, _) = keys.create_with_policy("scoped", "methods=GET,POST paths=/v1/chat/*,/v1/models");
    let (free, _) = keys.create("free");
    let upstream = Upstream::start();
    let server = proxy(&keys, &upstream, &[]);
    let refused = send(&server, "DELETE", "/v1/chat/completions", &limited, b"");
    let message = assert_refused(&refused, 403, "method");
    assert_eq!(message, "method DELETE is not allowed for this key");
    assert!(refused.header("retry-after").is_none());
    let refused = send(&server, "GET", "/v1/files?purpose=x", &limited, b"");
    assert_eq!(
        assert_refused(&refused, 403, "path"),
        "path /v1/files is not allowed for this key"
    );
    let refused = send(&server, "GET", "/v1/chat/../files", &limited, b"");
    assert_refused(&refused, 403, "path");
    assert!(!refused.body_text().contains(&limited));
    assert!(upstream.requests().is_empty(), "{:?}", upstream.requests());

    assert_eq!(send(&server, "GET", "/v1/models", &limited, b"").status, 200);
    assert_eq!(send(&server, "DELETE", "/v1/files", &free, b"").status, 200);
    assert_eq!(upstream.requests().len(), 2);
    assert_eq!(
        metric(&server, "/_keydesk/metrics", "keydesk_refusals_total{reason=\"path\"}"),
        Some(2)
    );
    assert_eq!(
        metric(
            &server,
            "/_keydesk/metrics",
            "keydesk_refusals_total{reason=\"method\"}"
        ),
        Some(1)
    );
}

#[test]
fn over_its_rate_a_key_gets_429_with_retry_after_and_allowed_answers_say_what_is_left() {
    let keys = Keys::new();
    let (secret, _) = keys.create_with_policy("metered", "rpm=2");
    let upstream = Upstream::start();
    let server = proxy(&keys, &upstream, &[]);
    for remaining in ["1", "0"] {
        let allowed = send(&server, "GET", "/v1/models", &secret, b"");
        assert_eq!(allowed.status, 200);
        assert_eq!(allowed.header("x-ratelimit-limit-requests"), Some("2"));
        assert_eq!(allowed.header("x-ratelimit-remaining-requests"), Some(remaining));
        assert_eq!(allowed.header("x-ratelimit-reset-requests"), Some("1m0s"));
    }
    let refused = send(&server, "GET", "/v1/models", &secret, b"");
    let message = assert_refused(&refused, 429, "rate");
    assert_eq!(message, "this key is over its limit of 2 requests per minute");
    let retry_after: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(refused.header("ratelimit-limit"), Some("2"));
    assert_eq!(refused.header("ratelimit-remaining"), Some("0"));
    assert_eq!(refused.header("ratelimit-reset"), refused.header("retry-after"));
    assert_eq!(upstream.requests().len(), 2);
    assert_eq!(
        metric(&server, "/_keydesk/metrics", "keydesk_refusals_total{reason=\"rate\"}"),
        Some(1)
    );

    // A key without a rate rule gets no rate headers.
    let (free, _) = keys.create("free");
    wait_for("the new key", || send(&server, "GET", "/x", &free, b"").status == 200);
    assert!(
        send(&server, "GET", "/x", &free, b"")
            .header("x-ratelimit-limit-requests")
            .is_none()
    );
}

#[test]
fn a_refused_request_counts_toward_no_rate() {
    let keys = Keys::new();
    let (secret, _) = keys.create_with_policy("get-only", "rpm=2 methods=GET");
    let upstream = Upstream::start();
    let server = proxy(&keys, &upstream, &[]);
    for _ in 0..3 {
        assert_refused(&send(&server, "POST", "/v1/x", &secret, b"{}"), 403, "method");
    }
    assert_eq!(send(&server, "GET", "/v1/x", &secret, b"").status, 200);
    assert_eq!(send(&server, "GET", "/v1/x", &secret, b"").status, 200);
    assert_refused(&send(&server, "GET", "/v1/x", &secret, b""), 429, "rate");
    // Nor does a refusal by the rate itself.
    assert_refused(&send(&server, "GET", "/v1/x", &secret, b""), 429, "rate");
    assert_eq!(
        metric(
            &server,
            "/_keydesk/metrics",
            "keydesk_refusals_total{reason=\"method\"}"
        ),
        Some(3)
    );
    assert_eq!(
        metric(&server, "/_keydesk/metrics", "keydesk_refusals_total{reason=\"rate\"}"),
        Some(2)
    );
}

/// Sends a GET on a connection of its own and reads the answer's head and
/// first event (the streaming upstream then waits for its release).
fn start_stream(server: &Server, secret: &str) -> (TcpStream, Vec<u8>) {
    let mut stream = connect(server.addr);
    let head =
        format!("GET /v1/chat/completions HTTP/1.1\r\nHost: x\r\nx-api-key: {secret}\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut seen = Vec::new();
    while find(&seen, b"data: first").is_none() && find(&seen, b"\r\n\r\n{").is_none() {
        let mut chunk = [0; 4096];
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "closed: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&chunk[..n]);
    }
    (stream, seen)
}

fn status_of(head: &[u8]) -> u16 {
    String::from_utf8_lossy(head)
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn max_parallel_holds_a_place_until_the_streamed_body_ends() {
    let keys = Keys::new();
    let (secret, _) = keys.create_with_policy("one-at-a-time", "max-parallel=1");
    let upstream = Upstream::streaming();
    let release = upstream.release.clone().unwrap();
    let server = proxy(&keys, &upstream, &[]);
    let (mut first, head) = start_stream(&server, &secret);
    assert_eq!(status_of(&head), 200);
    let refused = send(&server, "GET", "/v1/chat/completions", &secret, b"");
    let message = assert_refused(&refused, 429, "concurrency");
    assert_eq!(message, "this key has 1 requests in flight, its limit");
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert_eq!(refused.header("ratelimit-limit"), Some("1"));

    // The first stream ends: its place is free again.
    release.send(()).unwrap();
    let mut rest = Vec::new();
    first.read_to_end(&mut rest).unwrap();
    assert!(find(&rest, b"[DONE]").is_some());
    release.send(()).unwrap();
    wait_for("the place to be given back", || {
        let response = send(&server, "GET", "/v1/chat/completions", &secret, b"");
        assert!(response.status == 200 || response.status == 429, "{}", response.status);
        response.status == 200
    });
}

#[test]
fn max_parallel_gives_the_place_back_when_the_client_goes_away() {
    let keys = Keys::new();
    let (secret, _) = keys.create_with_policy("one-at-a-time", "max-parallel=1");
    let upstream = Upstream::streaming();
    let release = upstream.release.clone().unwrap();
    let server = proxy(&keys, &upstream, &[]);
    let (first, head) = start_stream(&server, &secret);
    assert_eq!(status_of(&head), 200);
    assert_refused(
        &send(&server, "GET", "/v1/chat/completions", &secret, b""),
        429,
        "concurrency",
    );
    drop(first);
    let mut second = None;
    wait_for("the place of the client gone to be given back", || {
        let (stream, head) = start_stream(&server, &secret);
        let status = status_of(&head);
        assert!(status == 200 || status == 429, "{status}");
        second = (status == 200).then_some(stream);
        status == 200
    });
    // Let both upstream answers finish.
    release.send(()).unwrap();
    release.send(()).unwrap();
    let mut rest = Vec::new();
    second.unwrap().read_to_end(&mut rest).unwrap();
}

#[test]
fn the_model_is_found_after_the_messages_and_the_body_is_forwarded_unchanged() {
    let keys = Keys::new();
    let (secret, _) = keys.create_with_policy("mini-only", "models=gpt-4o-mini,llama3*");
    let upstream = Upstream::start();
    let server = proxy(&keys, &upstream, &[]);
    let allowed =
        br#"{"messages":[{"role":"user","content":"say \"model\": gpt-4o"}],"model":"gpt-4o-mini","stream":false}"#;
    assert_eq!(
        send(&server, "POST", "/v1/chat/completions", &secret, allowed).status,
        200
    );
    let forwarded = upstream.requests().pop().unwrap();
    assert!(
        forwarded.ends_with(std::str::from_utf8(allowed).unwrap()),
        "{forwarded}"
    );
    let length = crate::support::header_in(&forwarded, "content-length");
    assert_eq!(length, Some(allowed.len().to_string()));

    // Chunked: read whole, sent on with its length.
    let body = r#"{"model":"llama3:8b","prompt":"hi"}"#;
    let chunked = format!(
        "POST /api/generate HTTP/1.1\r\nHost: x\r\nx-api-key: {secret}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
        body.len()
    );
    let response = crate::support::raw_request(server.addr, chunked.as_bytes()).unwrap();
    assert_eq!(response.status, 200, "{}", response.body_text());
    let forwarded = upstream.requests().pop().unwrap();
    assert!(forwarded.ends_with(body), "{forwarded}");
    assert_eq!(
        crate::support::header_in(&forwarded, "content-length"),
        Some(body.len().to_string())
    );
    assert!(crate::support::header_in(&forwarded, "transfer-encoding").is_none());

    let before = upstream.requests().len();
    let refused = send(
        &server,
        "POST",
        "/v1/chat/completions",
        &secret,
        br#"{"messages":[],"model":"gpt-4o"}"#,
    );
    assert_eq!(
        assert_refused(&refused, 403, "model"),
        "model gpt-4o is not allowed for this key"
    );
    assert_refused(
        &send(&server, "POST", "/v1/chat/completions", &secret, b"{\"messages\":[]}"),
        403,
        "model",
    );
    assert_refused(&send(&server, "GET", "/v1/models", &secret, b""), 403, "model");
    assert_eq!(upstream.requests().len(), before);
}

#[test]
fn a_body_over_max_model_body_is_413_and_not_forwarded() {
    let keys = Keys::new();
    let (secret, _) = keys.create_with_policy("mini-only", "models=gpt-4o-mini");
    let (free, _) = keys.create("free");
    let upstream = Upstream::start();
    let server = proxy(&keys, &upstream, &["--max-model-body", "100"]);
    let big = format!(
        r#"{{"messages":[{{"content":"{}"}}],"model":"gpt-4o-mini"}}"#,
        "x".repeat(200)
    );
    let response = send(&server, "POST", "/v1/chat/completions", &secret, big.as_bytes());
    assert_eq!(response.status, 413, "{}", response.body_text());
    assert_eq!(json(&response)["error"]["code"], "request_too_large");
    // Chunked, without a length announced: cut off at the limit.
    let chunked = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nx-api-key: {secret}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{big}\r\n0\r\n\r\n",
        big.len()
    );
    assert_eq!(
        crate::support::raw_request(server.addr, chunked.as_bytes())
            .unwrap()
            .status,
        413
    );
    assert!(upstream.requests().is_empty());
    // Keys without a model rule are not read at all.
    assert_eq!(
        send(&server, "POST", "/v1/chat/completions", &free, big.as_bytes()).status,
        200
    );
}

#[test]
fn gemini_models_are_read_from_the_path_in_both_modes() {
    let keys = Keys::new();
    let (secret, _) = keys.create_with_policy("gemini", "models=gemini-1.5-*");
    let upstream = Upstream::start();
    let proxied = proxy(&keys, &upstream, &[]);
    let allowed = "/v1beta/models/gemini-1.5-flash:generateContent";
    assert_eq!(
        send(&proxied, "POST", allowed, &secret, b"{\"contents\":[]}").status,
        200
    );
    let refused = send(
        &proxied,
        "POST",
        "/v1beta/models/gemini-2.0-pro:generateContent",
        &secret,
        b"{}",
    );
    assert_eq!(
        assert_refused(&refused, 403, "model"),
        "model gemini-2.0-pro is not allowed for this key"
    );

    let gateway = Server::start(&keys.db, &[]);
    let verify = |uri: &str| gateway.get("/verify", &[("x-api-key", &secret), ("x-forwarded-uri", uri)]);
    assert_eq!(verify(&format!("{allowed}?alt=sse")).status, 200);
    assert_refused(
        &verify("/v1beta/models/gemini-2.0-pro:streamGenerateContent"),
        403,
        "model",
    );
    let message = assert_refused(&verify("/v1/chat/completions"), 403, "model");
    assert!(message.contains("never reads request bodies"), "{message}");
}

#[test]
fn forwarded_for_counts_only_from_trusted_proxies_in_proxy_mode() {
    let keys = Keys::new();
    let (secret, _) = keys.create_with_policy("office", "ips=198.51.100.0/24");
    let upstream = Upstream::start();
    let claimed = [("x-api-key", secret.as_str()), ("x-forwarded-for", "198.51.100.7")];
    let untrusting = proxy(&keys, &upstream, &[]);
    let refused = request(untrusting.addr, "GET", "/v1/models", &claimed, b"");
    assert_eq!(
        assert_refused(&refused, 403, "address"),
        "address 127.0.0.1 is not allowed for this key"
    );
    let trusting = proxy(&keys, &upstream, &["--trusted-proxies", "127.0.0.1/32,::1"]);
    assert_eq!(request(trusting.addr, "GET", "/v1/models", &claimed, b"").status, 200);
    // The right-most untrusted entry is the client: one the client wrote
    // further left does not count.
    let spoofed = [
        ("x-api-key", secret.as_str()),
        ("x-forwarded-for", "198.51.100.7, 203.0.113.9"),
    ];
    let refused = request(trusting.addr, "GET", "/v1/models", &spoofed, b"");
    assert_eq!(
        assert_refused(&refused, 403, "address"),
        "address 203.0.113.9 is not allowed for this key"
    );
}

#[test]
fn forward_auth_judges_what_the_gateway_says_and_refuses_what_it_does_not() {
    let keys = Keys::new();
    let (secret, _) = keys.create_with_policy("gw", "methods=GET paths=/v1/* ips=192.0.2.0/24");
    let server = Server::start(&keys.db, &[]);
    let verify = |extra: &[(&str, &str)]| {
        let mut headers = vec![("x-api-key", secret.as_str())];
        headers.extend_from_slice(extra);
        server.get("/verify", &headers)
    };
    let good = [
        ("x-forwarded-method", "GET"),
        ("x-forwarded-uri", "/v1/models?x=1"),
        ("x-forwarded-for", "192.0.2.5"),
    ];
    assert_eq!(verify(&good).status, 200);
    let nginx_style = [
        ("x-original-method", "GET"),
        ("x-original-uri", "/v1/models"),
        ("x-real-ip", "192.0.2.5"),
    ];
    assert_eq!(verify(&nginx_style).status, 200);
    let refused = verify(&[good[0], good[1], ("x-forwarded-for", "203.0.113.1")]);
    assert_eq!(
        assert_refused(&refused, 403, "address"),
        "address 203.0.113.1 is not allowed for this key"
    );
    let refused = verify(&[("x-forwarded-method", "DELETE"), good[1], good[2]]);
    assert_refused(&refused, 403, "method");
    let refused = verify(&[good[0], ("x-forwarded-uri", "/admin"), good[2]]);
    assert_refused(&refused, 403, "path");
    // Missing headers: refused, naming them.
    let message = assert_refused(&verify(&[good[1], good[2]]), 403, "method");
    assert!(message.contains("X-Forwarded-Method or X-Original-Method"), "{message}");
    let message = assert_refused(&verify(&[good[0], good[2]]), 403, "path");
    assert!(message.contains("X-Forwarded-Uri or X-Original-URI"), "{message}");
    let message = assert_refused(&verify(&[good[0], good[1]]), 403, "address");
    assert!(message.contains("X-Forwarded-For nor X-Real-IP"), "{message}");
    assert_eq!(
        metric(&server, "/metrics", "keydesk_refusals_total{reason=\"address\"}"),
        Some(2)
    );
    assert_eq!(
        metric(&server, "/metrics", "keydesk_refusals_total{reason=\"method\"}"),
        Some(2)
    );
    assert_eq!(
        metric(&server, "/metrics", "keydesk_refusals_total{reason=\"path\"}"),
        Some(2)
    );
}

#[test]
fn forward_auth_limits_are_429_and_for_nginx_403_with_the_answer_in_headers() {
    let keys = Keys::new();
    let (secret, _) = keys.create_with_policy("gw", "rpm=1 methods=GET");
    let server = Server::start(&keys.db, &[]);
    let verify = |extra: &[(&str, &str)]| {
        let mut headers = vec![("x-api-key", secret.as_str()), ("x-forwarded-method", "GET")];
        headers.extend_from_slice(extra);
        server.get("/verify", &headers)
    };
    assert_eq!(verify(&[]).status, 200);
    let refused = verify(&[]);
    assert_refused(&refused, 429, "rate");
    assert!(refused.header("retry-after").is_some());
    assert!(refused.header("x-keydesk-status").is_none());

    let nginx = verify(&[("x-keydesk-gateway", "nginx")]);
    assert_eq!(nginx.status, 403);
    assert_eq!(nginx.header("x-keydesk-status"), Some("429"));
    assert_eq!(nginx.header("x-keydesk-refusal"), Some("rate"));
    assert!(nginx.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    assert_eq!(nginx.header("ratelimit-limit"), Some("1"));
    let error: serde_json::Value = serde_json::from_str(nginx.header("x-keydesk-error").unwrap()).unwrap();
    assert_eq!(error, json(&nginx));
    assert_eq!(error["error"]["type"], "rate_limit_exceeded");

    // A scope refusal for nginx: 403 as it is, with the body in a header too.
    let scoped = server.get(
        "/verify",
        &[
            ("x-api-key", &secret),
            ("x-original-method", "PUT"),
            ("x-keydesk-gateway", "nginx"),
        ],
    );
    assert_eq!(scoped.status, 403);
    assert_eq!(scoped.header("x-keydesk-status"), Some("403"));
    assert!(
        scoped
            .header("x-keydesk-error")
            .unwrap()
            .contains("method PUT is not allowed")
    );
}

#[test]
fn a_policy_change_reaches_a_running_server() {
    let keys = Keys::new();
    let (secret, id) = keys.create("changing");
    let server = Server::start(&keys.db, &[]);
    let post = || server.get("/verify", &[("x-api-key", &secret), ("x-forwarded-method", "POST")]);
    assert_eq!(post().status, 200);
    keys.set_policy(&id, "methods=GET");
    wait_for("the new policy to refuse POST", || post().status == 403);
    assert_refused(&post(), 403, "method");
    keys.set_policy(&id, "");
    wait_for("the cleared policy to allow POST", || post().status == 200);
}

#[test]
fn a_new_keys_policy_applies_from_its_first_request() {
    let keys = Keys::new();
    let server = Server::start(&keys.db, &[]);
    let (secret, _) = keys.create_with_policy("born-limited", "methods=GET");
    wait_for("the new key to be known", || {
        let response = server.get("/verify", &[("x-api-key", &secret), ("x-forwarded-method", "POST")]);
        assert_ne!(response.status, 200, "the key was let through without its policy");
        response.status == 403
    });
}
