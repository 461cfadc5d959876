//! Proxy mode: check, then forward without the key, streaming both ways.

use std::io::{Read, Write};

use crate::support::{Keys, Server, Upstream, assert_exit, connect, find, header_in, request, wait_for};

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
