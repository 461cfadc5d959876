//! The forward-auth endpoint, as gateways and clients see it.

use std::time::Instant;

use keydesk::{KeyId, KeyStore};

use crate::support::{Keys, Server, assert_exit, request, wait_for};

#[test]
fn a_valid_key_is_allowed_in_each_place_with_its_id_and_encoded_name() {
    let keys = Keys::new();
    let (secret, id) = keys.create("计费-prod");
    let server = Server::start(&keys.db, &["--allow-query-key"]);
    let bearer = format!("Bearer {secret}");
    let query = format!("/verify?key={secret}");
    let original = format!("/v1beta/models?key={secret}");
    let cases: [(&str, Vec<(&str, &str)>); 6] = [
        ("/verify", vec![("Authorization", bearer.as_str())]),
        ("/verify", vec![("x-api-key", secret.as_str())]),
        ("/verify", vec![("x-goog-api-key", secret.as_str())]),
        (query.as_str(), vec![]),
        ("/verify", vec![("X-Original-URI", original.as_str())]),
        ("/verify", vec![("X-Forwarded-Uri", original.as_str())]),
    ];
    for (path, headers) in cases {
        let response = server.get(path, &headers);
        assert_eq!(response.status, 200, "{path} {headers:?}: {}", response.body_text());
        assert_eq!(response.header("x-keydesk-key-id"), Some(id.as_str()));
        assert_eq!(response.header("x-keydesk-key-name"), Some("%E8%AE%A1%E8%B4%B9-prod"));
        assert_eq!(response.header("cache-control"), Some("no-store"));
    }
}

#[test]
fn refusals_are_401_with_a_bearer_challenge_and_never_repeat_the_key() {
    let keys = Keys::new();
    let (secret, id) = keys.create("one");
    let (other, _) = keys.create("two");
    let server = Server::start(&keys.db, &[]);
    keys.store.delete(&KeyId::parse(&id).unwrap()).unwrap();
    let unknown = format!("sk-{}", "A".repeat(38));
    let mut malformed = secret.clone();
    malformed.pop();
    malformed.push(if secret.ends_with('x') { 'y' } else { 'x' });
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("x-api-key", malformed.as_str())],
        vec![("x-api-key", unknown.as_str())],
        vec![("x-api-key", other.as_str()), ("x-goog-api-key", unknown.as_str())],
        vec![("Authorization", "Basic dXNlcjpwYXNz")],
    ];
    for headers in cases {
        let response = server.get("/verify", &headers);
        assert_eq!(response.status, 401, "{headers:?}");
        assert_eq!(response.header("www-authenticate"), Some(r#"Bearer realm="keydesk""#));
        assert_eq!(response.header("content-type"), Some("application/json"));
        let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(body["error"]["code"], "invalid_api_key", "{body}");
        assert!(response.header("x-keydesk-key-id").is_none());
        for (_, value) in &headers {
            assert!(!response.body_text().contains(value), "the body repeats {value}");
        }
    }
    // The deleted key is refused, once the server has seen the deletion.
    wait_for("the deleted key to be refused", || {
        server.get("/verify", &[("x-api-key", &secret)]).status == 401
    });
}

#[test]
fn any_method_and_any_path_below_verify_is_the_endpoint_and_the_body_is_not_needed() {
    let keys = Keys::new();
    let (secret, id) = keys.create("envoy");
    let server = Server::start(&keys.db, &[]);
    // Envoy's ext_authz appends the original path and keeps the method.
    for (method, path) in [
        ("POST", "/verify/v1/chat/completions"),
        ("DELETE", "/verify/x"),
        ("PUT", "/verify"),
    ] {
        let response = request(
            server.addr,
            method,
            path,
            &[("x-api-key", &secret)],
            b"{\"big\":\"body\"}",
        );
        assert_eq!(response.status, 200, "{method} {path}");
        assert_eq!(response.header("x-keydesk-key-id"), Some(id.as_str()));
    }
    assert_eq!(server.get("/verifyx", &[("x-api-key", &secret)]).status, 404);
    assert_eq!(server.get("/", &[("x-api-key", &secret)]).status, 404);
}

#[test]
fn a_query_key_counts_only_with_allow_query_key() {
    let keys = Keys::new();
    let (secret, _) = keys.create("gemini");
    let server = Server::start(&keys.db, &[]);
    let original = format!("/v1beta/models?key={secret}");
    assert_eq!(server.get(&format!("/verify?key={secret}"), &[]).status, 401);
    // Traefik's shape: the original URI in X-Forwarded-Uri.
    assert_eq!(server.get("/verify", &[("X-Forwarded-Uri", &original)]).status, 401);
}

#[test]
fn a_key_deleted_elsewhere_is_refused_within_a_second() {
    let keys = Keys::new();
    let (secret, id) = keys.create("soon-gone");
    let server = Server::start(&keys.db, &[]);
    assert_eq!(server.get("/verify", &[("x-api-key", &secret)]).status, 200);
    let deleted = Instant::now();
    keys.store.delete(&KeyId::parse(&id).unwrap()).unwrap();
    wait_for("the deleted key to be refused", || {
        server.get("/verify", &[("x-api-key", &secret)]).status == 401
    });
    // Measured, not asserted: tests never assert timings.
    println!("a deleted key was refused {:?} after the deletion", deleted.elapsed());
}

#[test]
fn sigterm_finishes_and_writes_last_used_and_exits_0() {
    let keys = Keys::new();
    let (secret, _) = keys.create("used");
    let mut server = Server::start(&keys.db, &[]);
    assert_eq!(server.get("/verify", &[("x-api-key", &secret)]).status, 200);
    server.signal(libc::SIGTERM);
    let status = server.wait();
    assert_exit(status, 0, &server.stderr());
    assert!(
        keys.store.list().unwrap()[0].last_used.is_some(),
        "Last Used was not written"
    );
    assert!(server.stderr().contains("SIGTERM"), "{}", server.stderr());
}

#[test]
fn health_readiness_and_metrics_are_served_without_per_key_labels() {
    let keys = Keys::new();
    let (secret, id) = keys.create("metered");
    let server = Server::start(&keys.db, &[]);
    assert_eq!(server.get("/verify", &[("x-api-key", &secret)]).status, 200);
    assert_eq!(server.get("/verify", &[("x-api-key", "junk")]).status, 401);
    assert_eq!(server.get("/healthz", &[]).status, 200);
    assert_eq!(server.get("/readyz", &[]).status, 200);
    let metrics = server.get("/metrics", &[]).body_text();
    assert!(
        metrics.contains(r#"keydesk_requests_total{result="allowed"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"keydesk_requests_total{result="refused_invalid"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"keydesk_key_source_total{source="x-api-key"} 2"#),
        "{metrics}"
    );
    wait_for("the index gauge", || {
        server.get("/metrics", &[]).body_text().contains("keydesk_index_keys 1")
    });
    assert!(!metrics.contains(&id) && !metrics.contains(&secret));
}

#[test]
fn serve_refuses_a_missing_database_and_creates_none() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("missing.redb");
    let out = std::process::Command::new(crate::support::BIN)
        .env("KEYDESK_LANG", "en")
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_exit(out.status, 3, &String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database at"));
    assert!(!db.exists());
}

#[test]
fn plain_http_beyond_loopback_needs_insecure_http_and_warns() {
    let keys = Keys::new();
    let out = std::process::Command::new(crate::support::BIN)
        .env("KEYDESK_LANG", "en")
        .args(["serve", "--listen", "0.0.0.0:0", "--db"])
        .arg(&keys.db)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_exit(out.status, 2, &stderr);
    assert!(stderr.contains("--insecure-http"), "{stderr}");

    let server = Server::start(&keys.db, &["--listen", "0.0.0.0:0", "--insecure-http"]);
    assert!(server.stderr().contains("WARNING: plain HTTP"), "{}", server.stderr());
}

#[test]
fn a_port_in_use_exits_6() {
    let keys = Keys::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = std::process::Command::new(crate::support::BIN)
        .env("KEYDESK_LANG", "en")
        .args(["serve", "--listen", &addr, "--db"])
        .arg(&keys.db)
        .output()
        .unwrap();
    assert_exit(out.status, 6, &String::from_utf8_lossy(&out.stderr));
}

#[test]
#[allow(unsafe_code)]
fn a_unix_socket_answers_and_is_removed_on_exit() {
    use std::io::{Read, Write};
    let keys = Keys::new();
    let (secret, id) = keys.create("local");
    let socket = keys.dir.path().join("keydesk.sock");
    let listen = format!("unix:{}", socket.display());
    let mut child = std::process::Command::new(crate::support::BIN)
        .env("KEYDESK_LANG", "en")
        .args(["serve", "--listen", &listen, "--db"])
        .arg(&keys.db)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for("the socket", || {
        std::os::unix::net::UnixStream::connect(&socket).is_ok()
    });
    let mut stream = std::os::unix::net::UnixStream::connect(&socket).unwrap();
    write!(
        stream,
        "GET /verify HTTP/1.1\r\nHost: x\r\nx-api-key: {secret}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let response = crate::support::parse_response(&answer).unwrap();
    assert_eq!(response.header("x-keydesk-key-id"), Some(id.as_str()));
    // SAFETY: kill(2) with the pid of our own child and a valid signal number.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    wait_for("exit", || child.try_wait().unwrap().is_some());
    assert!(!socket.exists());
}

#[test]
fn a_rename_elsewhere_shows_in_the_name_header() {
    let keys = Keys::new();
    let (secret, id) = keys.create("old-name");
    let server = Server::start(&keys.db, &[]);
    let name = || {
        let response = server.get("/verify", &[("x-api-key", &secret)]);
        assert_eq!(response.status, 200);
        response.header("x-keydesk-key-name").map(str::to_owned)
    };
    assert_eq!(name().as_deref(), Some("old-name"));
    let id = KeyId::parse(&id).unwrap();
    keys.store
        .rename(&id, &keydesk::KeyName::parse("新-name").unwrap())
        .unwrap();
    wait_for("the new name", || name().as_deref() == Some("%E6%96%B0-name"));
}

#[test]
fn sighup_without_tls_is_answered_and_the_server_goes_on() {
    // systemd's `ExecReload` sends SIGHUP; its default action would end the
    // process, so serve answers it whatever its options.
    let keys = Keys::new();
    let (secret, id) = keys.create("reloaded");
    let mut server = Server::start(&keys.db, &[]);
    server.signal(libc::SIGHUP);
    wait_for("serve to say SIGHUP was answered", || {
        server.stderr().contains("SIGHUP: nothing to reload")
    });
    let bearer = format!("Bearer {secret}");
    let response = server.get("/verify", &[("Authorization", bearer.as_str())]);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("x-keydesk-key-id"), Some(id.as_str()));
    server.signal(libc::SIGTERM);
    let status = server.wait();
    assert_exit(status, 0, &server.stderr());
}
