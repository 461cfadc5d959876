//! Proxy mode: check, then forward without the key, streaming both ways.

use std::io::{Read, Write};

use crate::support::{Keys, Server, Upstream, assert_exit, connect, find, header_in, raw_request, request, wait_for};

fn proxy(keys: &Keys, upstream: &Upstream, extra: &[&str]) -> Server {
    let url = format!("http://{}", upstream.addr);
    let mut args = vec!["--upstream", url.as_str()];
    args.extend_from_slice(extra);
    Server::start(&keys.db, &args)
}

#[test]
fn an_allowed_request_reaches_the_upstream_with_its_key_id_and_without_the_key() {
    let keys = Keys::new();
    let (secret, id) = keys.create("ollama-user");
    let upstream = Upstream::start();
    let auth_file = keys.dir.path().join("upstream.key");
    std::fs::write(&auth_file, "vllm-secret\n").unwrap();
    let server = proxy(&keys, &upstream, &["--upstream-auth-file", auth_file.to_str().unwrap()]);
    let bearer = format!("Bearer {secret}");
    let headers = [
        ("Authorization", bearer.as_str()),
        ("x-api-key", secret.as_str()),
        ("X-Keydesk-Key-Id", "ak-forged"),
        ("Content-Type", "application/json"),
    ];
    let response = request(
        server.addr,
        "POST",
        "/v1/chat/completions?x=1",
        &headers,
        b"{\"model\":\"m\"}",
    );
    assert_eq!(response.status, 200, "{}", response.body_text());
    assert_eq!(response.body_text(), format!("upstream saw {id}"));
    let seen = upstream.requests();
    assert_eq!(seen.len(), 1);
    let forwarded = &seen[0];
    assert!(
        forwarded.starts_with("POST /v1/chat/completions?x=1 HTTP/1.1"),
        "{forwarded}"
    );
    assert!(!forwarded.contains(&secret), "the upstream saw the key: {forwarded}");
    assert!(!forwarded.contains("ak-forged"), "{forwarded}");
    assert_eq!(header_in(forwarded, "x-keydesk-key-id"), Some(id));
    assert_eq!(
        header_in(forwarded, "authorization").as_deref(),
        Some("Bearer vllm-secret")
    );
    assert_eq!(header_in(forwarded, "host"), Some(upstream.addr.to_string()));
    assert!(forwarded.ends_with("{\"model\":\"m\"}"), "{forwarded}");
}

#[test]
fn refused_requests_never_reach_the_upstream() {
    let keys = Keys::new();
    let (secret, _) = keys.create("ok-key");
    let upstream = Upstream::start();
    let server = proxy(&keys, &upstream, &[]);
    let junk = format!("sk-{}", "Z".repeat(38));
    for headers in [
        vec![],
        vec![("x-api-key", junk.as_str())],
        vec![("x-api-key", secret.as_str()), ("x-goog-api-key", junk.as_str())],
    ] {
        let response = request(server.addr, "POST", "/api/generate", &headers, b"{}");
        assert_eq!(response.status, 401, "{headers:?}");
    }
    // A request allowed afterwards is the first the upstream sees.
    assert_eq!(
        request(server.addr, "GET", "/api/tags", &[("x-api-key", &secret)], b"").status,
        200
    );
    assert_eq!(upstream.requests().len(), 1);
    assert!(upstream.requests()[0].starts_with("GET /api/tags"));
}

#[test]
fn server_sent_events_reach_the_client_before_the_upstream_finishes() {
    let keys = Keys::new();
    let (secret, _) = keys.create("streamer");
    let mut upstream = Upstream::streaming();
    let server = proxy(&keys, &upstream, &[]);
    let mut stream = connect(server.addr);
    write!(
        stream,
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {secret}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    )
    .unwrap();
    // The upstream holds the rest of the stream until released: the first
    // event can only arrive here if keydesk passes chunks on as they come.
    let mut received = Vec::new();
    while find(&received, b"data: first").is_none() {
        let mut chunk = [0; 1024];
        let n = stream
            .read(&mut chunk)
            .expect("the first event arrives while the upstream still streams");
        assert!(
            n > 0,
            "closed before the first event: {}",
            String::from_utf8_lossy(&received)
        );
        received.extend_from_slice(&chunk[..n]);
    }
    assert!(find(&received, b"data: second").is_none());
    upstream.release.take().unwrap().send(()).unwrap();
    stream.read_to_end(&mut received).unwrap();
    let response = crate::support::parse_response(&received).unwrap();
    assert_eq!(response.header("content-type"), Some("text/event-stream"));
    assert_eq!(response.body_text(), "data: first\n\ndata: second\n\ndata: [DONE]\n\n");
}

#[test]
fn sigterm_lets_a_request_in_flight_finish() {
    let keys = Keys::new();
    let (secret, _) = keys.create("in-flight");
    let mut upstream = Upstream::streaming();
    let mut server = proxy(&keys, &upstream, &[]);
    let mut stream = connect(server.addr);
    write!(
        stream,
        "GET /stream HTTP/1.1\r\nHost: x\r\nx-api-key: {secret}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut received = Vec::new();
    while find(&received, b"data: first").is_none() {
        let mut chunk = [0; 1024];
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0);
        received.extend_from_slice(&chunk[..n]);
    }
    server.signal(libc::SIGTERM);
    wait_for("the shutdown message", || {
        server.stderr().contains("finishing requests in flight")
    });
    // No new connections once shutting down.
    wait_for("the listener to close", || {
        std::net::TcpStream::connect(server.addr).is_err()
    });
    upstream.release.take().unwrap().send(()).unwrap();
    stream.read_to_end(&mut received).unwrap();
    assert!(
        find(&received, b"data: [DONE]").is_some(),
        "{}",
        String::from_utf8_lossy(&received)
    );
    assert_exit(server.wait(), 0, &server.stderr());
}

#[test]
fn an_unreachable_upstream_is_502_and_own_endpoints_move_under_keydesk() {
    let keys = Keys::new();
    let (secret, _) = keys.create("lonely");
    let port = crate::support::free_port();
    let upstream = format!("http://127.0.0.1:{port}");
    let server = Server::start(&keys.db, &["--upstream", &upstream]);
    let response = server.get("/v1/models", &[("x-api-key", &secret)]);
    assert_eq!(response.status, 502, "{}", response.body_text());
    assert!(!response.body_text().contains(&secret));
    assert_eq!(server.get("/_keydesk/healthz", &[]).status, 200);
    assert_eq!(server.get("/_keydesk/readyz", &[]).status, 200);
    assert!(
        server
            .get("/_keydesk/metrics", &[])
            .body_text()
            .contains("keydesk_upstream_errors_total 1")
    );
    // The upstream's own /metrics is the upstream's, behind a key.
    assert_eq!(server.get("/metrics", &[]).status, 401);
}

#[test]
fn forwarded_headers_tell_the_upstream_who_asked_over_what_and_for_which_host() {
    let keys = Keys::new();
    let (secret, _) = keys.create("forwarded");
    let upstream = Upstream::start();
    let server = proxy(&keys, &upstream, &[]);
    let raw = format!(
        "GET /v1/models HTTP/1.1\r\nHost: llm.example.com:8080\r\nx-api-key: {secret}\r\n\
         X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: forged\r\nX-Forwarded-Host: forged\r\n\
         Connection: close\r\n\r\n"
    );
    let response = crate::support::raw_request(server.addr, raw.as_bytes()).unwrap();
    assert_eq!(response.status, 200, "{}", response.body_text());
    let seen = upstream.requests();
    let forwarded = &seen[0];
    assert_eq!(
        header_in(forwarded, "x-forwarded-for").as_deref(),
        Some("203.0.113.9, 127.0.0.1")
    );
    assert_eq!(header_in(forwarded, "x-forwarded-proto").as_deref(), Some("http"));
    assert_eq!(
        header_in(forwarded, "x-forwarded-host").as_deref(),
        Some("llm.example.com:8080")
    );
    assert_eq!(header_in(forwarded, "host"), Some(upstream.addr.to_string()));
    assert!(!forwarded.contains("forged"), "{forwarded}");
}

/// A stub upstream that answers every request with `Connection: close` and
/// closes, as an upstream ending keep-alive does; counts its connections.
fn closing_upstream() -> (std::net::SocketAddr, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = connections.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut head = Vec::new();
            while find(&head, b"\r\n\r\n").is_none() {
                let mut chunk = [0; 1024];
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&chunk[..n]),
                }
            }
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    (addr, connections)
}

#[test]
fn an_upstream_that_closes_after_each_answer_is_reconnected_on_the_same_client_connection() {
    let keys = Keys::new();
    let (secret, _) = keys.create("reconnect");
    let (upstream, connections) = closing_upstream();
    let url = format!("http://{upstream}");
    let server = Server::start(&keys.db, &["--upstream", &url]);
    let mut stream = connect(server.addr);
    for round in 1..=3 {
        write!(stream, "GET /x HTTP/1.1\r\nHost: x\r\nx-api-key: {secret}\r\n\r\n").unwrap();
        let mut received = Vec::new();
        while !received.ends_with(b"\r\n\r\nok") {
            let mut chunk = [0; 1024];
            let n = stream.read(&mut chunk).unwrap();
            assert!(n > 0, "round {round}: closed: {}", String::from_utf8_lossy(&received));
            received.extend_from_slice(&chunk[..n]);
        }
        assert!(received.starts_with(b"HTTP/1.1 200"), "round {round}");
        // The upstream's `Connection: close` is about its own connection:
        // the client's stays open.
        assert!(
            find(&received, b"close").is_none(),
            "{}",
            String::from_utf8_lossy(&received)
        );
    }
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 3);
}

/// Fails the test when any request the upstream received holds `secret`.
fn assert_never_received(upstream: &Upstream, secret: &str) {
    for seen in upstream.requests() {
        assert!(!seen.contains(secret), "the upstream received the key: {seen}");
    }
}

/// One raw request (`head` without the final blank line, then `body`) on a
/// connection of its own; the answer's status.
fn raw_status(server: &Server, head: &[u8], body: &[u8]) -> u16 {
    let mut raw = head.to_vec();
    raw.extend_from_slice(b"Connection: close\r\n\r\n");
    raw.extend_from_slice(body);
    let response = raw_request(server.addr, &raw).expect("an answer");
    response.status
}

#[test]
fn a_gateway_s_original_uri_is_neither_read_nor_forwarded_in_proxy_mode() {
    let keys = Keys::new();
    let (secret, _) = keys.create("direct");
    let (other, _) = keys.create("other");
    let upstream = Upstream::start();
    let server = proxy(&keys, &upstream, &["--allow-query-key"]);
    for header in ["X-Original-URI", "X-Forwarded-Uri"] {
        let original = format!("/v1?key={secret}");
        let response = server.get("/p1", &[(header, &original)]);
        assert_eq!(response.status, 401, "{header}: a key only there is no key");
        // Beside a key where the client really sent one, it is not a
        // second key either: it is dropped.
        let second = format!("/v1?key={other}");
        let response = server.get("/p1", &[("x-api-key", &secret), (header, &second)]);
        assert_eq!(response.status, 200, "{header}: {}", response.body_text());
    }
    assert_eq!(upstream.requests().len(), 2);
    for seen in upstream.requests() {
        assert!(header_in(&seen, "x-original-uri").is_none(), "{seen}");
        assert!(header_in(&seen, "x-forwarded-uri").is_none(), "{seen}");
    }
    assert_never_received(&upstream, &secret);
    assert_never_received(&upstream, &other);
}

#[test]
fn a_bearer_token_is_read_and_stripped_by_the_same_rule() {
    let keys = Keys::new();
    let (secret, _) = keys.create("tabbed");
    let (other, _) = keys.create("other");
    let upstream = Upstream::start();
    let server = proxy(&keys, &upstream, &[]);
    let head =
        |authorization: &str| format!("GET /p1 HTTP/1.1\r\nHost: x\r\nx-api-key: {secret}\r\n{authorization}\r\n");
    // The same key after a tab: one key, and it is removed.
    let tab = head(&format!("Authorization: Bearer\t{secret}"));
    assert_eq!(raw_status(&server, tab.as_bytes(), b""), 200);
    // Another key after a tab, or where a parser might find one: refused.
    for authorization in [
        format!("Authorization: Bearer\t{other}"),
        format!("Authorization: bearer\t\t{other}"),
        format!("Authorization: Bearer{other}"),
        format!("Authorization: Bearer,{other}"),
    ] {
        let status = raw_status(&server, head(&authorization).as_bytes(), b"");
        assert_eq!(status, 401, "{authorization}");
    }
    assert_eq!(upstream.requests().len(), 1);
    assert_never_received(&upstream, &secret);
    assert_never_received(&upstream, &other);
}

#[test]
fn an_unreadable_authorization_beside_a_key_is_a_conflict() {
    let keys = Keys::new();
    let (secret, _) = keys.create("readable");
    let (other, _) = keys.create("other");
    let upstream = Upstream::start();
    let server = proxy(&keys, &upstream, &[]);
    let mut head = format!("GET /p1 HTTP/1.1\r\nHost: x\r\nx-api-key: {secret}\r\n").into_bytes();
    head.extend_from_slice(b"Authorization: \xff");
    head.extend_from_slice(format!("Bearer {other}\r\n").as_bytes());
    assert_eq!(raw_status(&server, &head, b""), 401);
    assert!(upstream.requests().is_empty());
}

#[test]
fn query_keys_are_matched_the_same_way_for_reading_and_stripping() {
    let keys = Keys::new();
    let (secret, id) = keys.create("gemini");
    let upstream = Upstream::start();
    let server = proxy(&keys, &upstream, &["--allow-query-key"]);
    let key = [("x-api-key", secret.as_str())];
    // The plain form is read and stripped; the parameters around it stay.
    let response = server.get(&format!("/v1/models?alt=sse&key={secret}&x=1"), &[]);
    assert_eq!(response.body_text(), format!("upstream saw {id}"));
    assert!(upstream.requests()[0].starts_with("GET /v1/models?alt=sse&x=1 HTTP/1.1"));
    // Forms another parser may read as `key`: refused, even holding the
    // same key, and never forwarded.
    for query in ["KEY", "Key", "%6bey", "k%65y", "a=1;key", "key;a", "KEY;a"] {
        let response = server.get(&format!("/v1/models?{query}={secret}"), &key);
        assert_eq!(response.status, 401, "{query}");
    }
    assert_eq!(upstream.requests().len(), 1);
    assert_never_received(&upstream, &secret);
}

#[test]
fn a_secret_in_a_query_keydesk_does_not_read_is_refused_not_forwarded() {
    let keys = Keys::new();
    let (secret, _) = keys.create("gemini");
    let upstream = Upstream::start();
    let server = proxy(&keys, &upstream, &[]);
    let key = [("x-api-key", secret.as_str())];
    for query in [format!("key={secret}"), format!("api_key={secret}")] {
        let response = server.get(&format!("/v1/models?{query}"), &key);
        assert_eq!(response.status, 401, "{query}");
    }
    assert!(upstream.requests().is_empty(), "{:?}", upstream.requests());
    // A query holding no keydesk secret is the upstream's, as before.
    assert_eq!(server.get("/v1/models?key=upstream-own", &key).status, 200);
    assert!(upstream.requests()[0].starts_with("GET /v1/models?key=upstream-own HTTP/1.1"));
}

#[test]
fn header_names_with_underscores_never_reach_the_upstream() {
    let keys = Keys::new();
    let (secret, id) = keys.create("wsgi");
    let upstream = Upstream::start();
    let server = proxy(&keys, &upstream, &[]);
    let headers = [
        ("x-api-key", secret.as_str()),
        ("X_Keydesk_Key_Id", "ak-forged"),
        ("x_keydesk_key_name", "forged-name"),
        ("x_api_key", secret.as_str()),
        ("Authorization_", secret.as_str()),
        ("x_other", "dropped-too"),
    ];
    let response = server.get("/p1", &headers);
    assert_eq!(response.body_text(), format!("upstream saw {id}"));
    let seen = &upstream.requests()[0];
    for dropped in ["ak-forged", "forged-name", "dropped-too", "_"] {
        assert!(
            !seen.split("\r\n\r\n").next().unwrap().contains(dropped),
            "{dropped}: {seen}"
        );
    }
    assert_never_received(&upstream, &secret);
}

#[test]
fn connect_is_405_and_never_reaches_the_upstream() {
    let keys = Keys::new();
    let (secret, _) = keys.create("tunnel");
    let upstream = Upstream::start();
    let server = proxy(&keys, &upstream, &[]);
    let head = format!("CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\nx-api-key: {secret}\r\n");
    assert_eq!(raw_status(&server, head.as_bytes(), b""), 405);
    assert!(upstream.requests().is_empty(), "{:?}", upstream.requests());
}

#[test]
fn only_a_chunked_transfer_encoding_is_forwarded_and_re_encoded() {
    let keys = Keys::new();
    let (secret, _) = keys.create("chunky");
    let upstream = Upstream::start();
    let server = proxy(&keys, &upstream, &[]);
    let body = b"5\r\nhello\r\n0\r\n\r\n";
    for coding in ["identity, chunked", "gzip, chunked", "chunked, chunked"] {
        let head = format!("POST /p1 HTTP/1.1\r\nHost: x\r\nx-api-key: {secret}\r\nTransfer-Encoding: {coding}\r\n");
        assert_eq!(raw_status(&server, head.as_bytes(), body), 400, "{coding}");
    }
    assert!(upstream.requests().is_empty(), "{:?}", upstream.requests());
    let head = format!("POST /p1 HTTP/1.1\r\nHost: x\r\nx-api-key: {secret}\r\nTransfer-Encoding: Chunked\r\n");
    assert_eq!(raw_status(&server, head.as_bytes(), body), 200);
    let seen = &upstream.requests()[0];
    assert_eq!(
        header_in(seen, "transfer-encoding").as_deref(),
        Some("chunked"),
        "{seen}"
    );
    assert!(seen.ends_with("\r\n\r\nhello"), "{seen}");
}

#[test]
fn an_empty_x_api_key_beside_a_bearer_key_is_a_conflict() {
    let keys = Keys::new();
    let (secret, _) = keys.create("empty-beside");
    let upstream = Upstream::start();
    let server = proxy(&keys, &upstream, &[]);
    let head = format!("GET /p1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {secret}\r\nx-api-key:\r\n");
    assert_eq!(raw_status(&server, head.as_bytes(), b""), 401);
    let response = server.get(
        "/p1",
        &[("Authorization", &format!("Bearer {secret}")), ("x-api-key", "")],
    );
    assert_eq!(response.status, 401);
    assert!(
        response.body_text().contains("two different API keys"),
        "{}",
        response.body_text()
    );
    assert!(upstream.requests().is_empty());
}
