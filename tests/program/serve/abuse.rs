//! Bad input: every request is answered or its connection closed, the server
//! never panics and keeps serving, and junk never writes to the database.

use std::io::{Read, Write};

use keydesk::KeyStore;

use crate::support::{Keys, Server, connect, parse_response, raw_request};

/// The server is still there and answering.
fn still_serving(server: &Server, secret: &str) {
    assert_eq!(server.get("/verify", &[("x-api-key", secret)]).status, 200);
}

#[test]
fn headers_over_16_kib_are_refused_with_431_or_closed() {
    let keys = Keys::new();
    let (secret, _) = keys.create("big");
    let server = Server::start(&keys.db, &[]);
    let raw = format!(
        "GET /verify HTTP/1.1\r\nHost: x\r\nx-filler: {}\r\n\r\n",
        "a".repeat(20 * 1024)
    );
    if let Some(response) = raw_request(server.addr, raw.as_bytes()) {
        assert_eq!(response.status, 431);
    }
    still_serving(&server, &secret);
}

#[test]
fn thousands_of_headers_are_refused_with_431_or_closed() {
    let keys = Keys::new();
    let (secret, _) = keys.create("many");
    let server = Server::start(&keys.db, &[]);
    let mut raw = String::from("GET /verify HTTP/1.1\r\nHost: x\r\n");
    for i in 0..3000 {
        raw.push_str(&format!("x-{i}: 1\r\n"));
    }
    raw.push_str("\r\n");
    if let Some(response) = raw_request(server.addr, raw.as_bytes()) {
        assert_eq!(response.status, 431);
    }
    still_serving(&server, &secret);
}

#[test]
fn slow_and_idle_connections_are_closed_after_the_header_timeout() {
    let keys = Keys::new();
    let (secret, _) = keys.create("patient");
    let server = Server::start(&keys.db, &["--header-timeout", "1s"]);
    // Slowloris: a request head that never ends. Idle: a connection that
    // never sends anything. Half-open: the client shut its writing side.
    let mut slow = connect(server.addr);
    slow.write_all(b"GET /verify HTTP/1.1\r\nHost: x\r\nx-a: 1\r\n")
        .unwrap();
    let idle = connect(server.addr);
    let half = connect(server.addr);
    half.shutdown(std::net::Shutdown::Write).unwrap();
    still_serving(&server, &secret);
    for (what, mut stream) in [("slow", slow), ("idle", idle), ("half-open", half)] {
        // Read returns at EOF (or with an error) once the server closes it;
        // the socket's read timeout (30 s) is the deadline.
        let mut rest = Vec::new();
        let result = stream.read_to_end(&mut rest);
        let timed_out = matches!(&result, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut);
        assert!(!timed_out, "the {what} connection was never closed");
        if let Some(response) = parse_response(&rest) {
            assert_eq!(response.status, 408, "{what}");
        }
    }
    still_serving(&server, &secret);
}

#[test]
fn header_values_that_are_not_utf8_are_refused_not_crashed_on() {
    let keys = Keys::new();
    let (secret, _) = keys.create("bytes");
    let server = Server::start(&keys.db, &["--allow-query-key"]);
    for raw in [
        b"GET /verify HTTP/1.1\r\nHost: x\r\nx-api-key: sk-\xff\xfe\xc3\x28\r\nConnection: close\r\n\r\n".to_vec(),
        b"GET /verify HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xe8\xae\xa1\r\nConnection: close\r\n\r\n".to_vec(),
        b"GET /verify HTTP/1.1\r\nHost: x\r\nX-Original-URI: /?key=\xff\r\nConnection: close\r\n\r\n".to_vec(),
    ] {
        let response = raw_request(server.addr, &raw).expect("an answer");
        assert_eq!(response.status, 401, "{}", String::from_utf8_lossy(&raw));
    }
    still_serving(&server, &secret);
}

#[test]
fn a_key_in_every_place_at_once_is_allowed_only_when_all_agree() {
    let keys = Keys::new();
    let (secret, id) = keys.create("everywhere");
    let (other, _) = keys.create("elsewhere");
    let server = Server::start(&keys.db, &["--allow-query-key"]);
    let everywhere = |last: &str| {
        let bearer = format!("Bearer {secret}");
        let original = format!("/x?key={secret}");
        let forwarded = format!("/x?a=1&key={last}");
        server.get(
            &format!("/verify?key={secret}"),
            &[
                ("Authorization", &bearer),
                ("x-api-key", &secret),
                ("x-goog-api-key", &secret),
                ("X-Original-URI", &original),
                ("X-Forwarded-Uri", &forwarded),
            ],
        )
    };
    let agreed = everywhere(&secret);
    assert_eq!(agreed.status, 200);
    assert_eq!(agreed.header("x-keydesk-key-id"), Some(id.as_str()));
    // Two valid keys of two different owners: refused, never one of them.
    assert_eq!(everywhere(&other).status, 401);
}

#[test]
fn a_flood_of_junk_keys_is_refused_and_never_writes_to_the_database() {
    let keys = Keys::new();
    let (secret, _) = keys.create("real");
    let server = Server::start(&keys.db, &[]);
    let before = keys.store.change_counter().unwrap();
    // 2,000 requests on one keep-alive connection, sent before any is read.
    let mut raw = Vec::new();
    for i in 0..2000 {
        let junk = match i % 4 {
            0 => format!("sk-{i:038}"),
            1 => format!("junk-{i}"),
            2 => "x".repeat(4000),
            _ => format!("sk-{}", "é".repeat(19)),
        };
        raw.extend_from_slice(format!("GET /verify HTTP/1.1\r\nHost: x\r\nx-api-key: {junk}\r\n\r\n").as_bytes());
    }
    raw.extend_from_slice(b"GET /verify HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let mut stream = connect(server.addr);
    let writer = {
        let mut stream = stream.try_clone().unwrap();
        std::thread::spawn(move || stream.write_all(&raw))
    };
    let mut answers = Vec::new();
    stream.read_to_end(&mut answers).unwrap();
    writer.join().unwrap().unwrap();
    let text = String::from_utf8_lossy(&answers);
    assert_eq!(text.matches("HTTP/1.1 401 ").count(), 2001);
    assert_eq!(text.matches("HTTP/1.1 ").count(), 2001);
    still_serving(&server, &secret);
    // Last Used of the real key may be written; junk never is.
    let mut server = server;
    server.signal(libc::SIGTERM);
    server.wait();
    let after = keys.store.change_counter().unwrap();
    assert!(
        after - before <= 1,
        "junk wrote to the database: counter {before} → {after}"
    );
}

/// `/verify`'s status for a raw request head (without its blank line).
fn verify_status(server: &Server, head: &[u8]) -> u16 {
    let mut raw = b"GET /verify HTTP/1.1\r\nHost: x\r\nConnection: close\r\n".to_vec();
    raw.extend_from_slice(head);
    raw.extend_from_slice(b"\r\n");
    raw_request(server.addr, &raw).expect("an answer").status
}

#[test]
fn an_original_uri_that_is_not_text_beside_a_key_is_a_conflict() {
    let keys = Keys::new();
    let (secret, _) = keys.create("first-key");
    let (other, _) = keys.create("second-key");
    let server = Server::start(&keys.db, &["--allow-query-key"]);
    for header in ["X-Original-URI", "X-Forwarded-Uri"] {
        let mut head = format!("Authorization: Bearer {secret}\r\n{header}: /v1?key={other}&").into_bytes();
        head.extend_from_slice(b"\xff\r\n");
        assert_eq!(verify_status(&server, &head), 401, "{header}");
        // Raw UTF-8 in the original path is text, not a conflict.
        let head = format!("Authorization: Bearer {secret}\r\n{header}: /v1/模型?key={secret}\r\n");
        assert_eq!(verify_status(&server, head.as_bytes()), 200, "{header}");
    }
}

#[test]
fn forward_auth_refuses_what_a_gateway_would_pass_on_as_a_second_key() {
    let keys = Keys::new();
    let (secret, _) = keys.create("first-key");
    let (other, _) = keys.create("second-key");
    let server = Server::start(&keys.db, &["--allow-query-key"]);
    let refused = [
        // A second key after a tab, or where another parser finds one.
        format!("Authorization: Bearer\t{other}"),
        format!("Authorization: Bearer{other}"),
        // Names a WSGI server folds into a key or keydesk header.
        format!("x_api_key: {other}"),
        format!("X_Goog_Api_Key: {secret}"),
        "X_Keydesk_Key_Id: ak-forged".to_owned(),
        // Query forms another parser reads as `key`.
        format!("X-Original-URI: /v1?KEY={other}"),
        format!("X-Forwarded-Uri: /v1?%6bey={secret}"),
        format!("X-Original-URI: /v1?a=1;key={other}"),
        // An empty key beside the real one (fails closed).
        "x-api-key:".to_owned(),
    ];
    for extra in &refused {
        let head = format!("x-api-key: {secret}\r\n{extra}\r\n");
        assert_eq!(verify_status(&server, head.as_bytes()), 401, "{extra}");
    }
    let allowed = [
        format!("Authorization: Bearer\t{secret}"),
        "x_other: 1".to_owned(),
        format!("X-Original-URI: /v1?alt=sse&key={secret}"),
    ];
    for extra in &allowed {
        let head = format!("x-api-key: {secret}\r\n{extra}\r\n");
        assert_eq!(verify_status(&server, head.as_bytes()), 200, "{extra}");
    }
    let query = format!("/verify?Key={secret}");
    assert_eq!(server.get(&query, &[("x-api-key", &secret)]).status, 401);
}
