//! The real nginx (`auth_request`) and the real Caddy (`forward_auth`) in
//! front of a stub upstream, with `keydesk serve` deciding. Each gateway runs
//! the configuration `keydesk gateway` prints, unchanged (wrapped only in
//! what a main configuration needs), on a free loopback port in a temporary
//! directory, and is stopped when the test ends. Without the gateway
//! installed, the test says so and returns (`.ci/run` installs both).
//!
//! Traefik and Envoy cannot be installed here; their request shapes
//! (`X-Forwarded-Uri`, the appended path) are tested with a plain client in
//! `verify.rs` and `abuse.rs`, and their printed configurations in
//! `cli_gateway.rs`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use keydesk::domain::policy::Policy;
use keydesk::{KeyId, KeyStore};

use crate::common::keydesk_without_db;
use crate::support::{
    Keys, Response, Server, Upstream, connect, find, free_port, header_in, parse_response, request, wait_for,
};

/// A gateway process, killed when dropped.
struct Gateway {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Gateway {
    fn start(mut command: Command, port: u16, log: PathBuf) -> Gateway {
        let stderr = std::fs::File::create(log.with_extension("stderr")).unwrap();
        let child = command.stdout(Stdio::null()).stderr(stderr).spawn().unwrap();
        let mut gateway = Gateway {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            log,
        };
        wait_for("the gateway to listen", || {
            if let Ok(Some(status)) = gateway.child.try_wait() {
                panic!("the gateway exited ({status}): {}", gateway.log());
            }
            TcpStream::connect(gateway.addr).is_ok()
        });
        gateway
    }

    fn log(&self) -> String {
        let stderr = std::fs::read_to_string(self.log.with_extension("stderr")).unwrap_or_default();
        format!("{}{stderr}", std::fs::read_to_string(&self.log).unwrap_or_default())
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The program's path, or `None` (after saying the test is skipped).
fn installed(program: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    let found = path
        .split(':')
        .chain(["/usr/sbin", "/usr/local/sbin", "/usr/bin"])
        .map(|dir| Path::new(dir).join(program))
        .find(|candidate| candidate.is_file());
    if found.is_none() {
        // CI installs it (.ci/run), so there a missing gateway is a failure.
        assert!(
            std::env::var_os("CI").is_none(),
            "{program} must be installed under CI (.ci/run installs it)"
        );
        println!("SKIPPED: {program} not installed (apt-get install {program}; .ci/run installs it)");
    }
    found
}

/// What `keydesk gateway GATEWAY …` prints for these addresses, exactly:
/// the tests run it unchanged, so the configuration users copy is the one
/// that is tested.
fn printed(gateway: &str, keydesk: SocketAddr, upstream: SocketAddr, port: u16) -> String {
    let output = keydesk_without_db()
        .args(["gateway", gateway])
        .arg(format!("--keydesk=http://{keydesk}"))
        .arg(format!("--upstream=http://{upstream}"))
        .arg(format!("--listen=127.0.0.1:{port}"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "keydesk gateway {gateway}: {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

/// nginx running the printed configuration in the `http` context of the
/// smallest main configuration that runs unprivileged in `dir`.
fn nginx(nginx: &Path, dir: &Path, keydesk: SocketAddr, upstream: SocketAddr) -> Gateway {
    let port = free_port();
    let site = printed("nginx", keydesk, upstream, port);
    let d = dir.display();
    let config = format!(
        r#"
daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
{site}
}}
"#
    );
    std::fs::write(dir.join("nginx.conf"), config).unwrap();
    let mut command = Command::new(nginx);
    command
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .arg("-e")
        .arg(dir.join("error.log"));
    Gateway::start(command, port, dir.join("error.log"))
}

/// Caddy running the printed site block, after the global options a test
/// needs (no admin endpoint, nothing written outside `dir`).
fn caddy(caddy: &Path, dir: &Path, keydesk: SocketAddr, upstream: SocketAddr) -> Gateway {
    let port = free_port();
    let site = printed("caddy", keydesk, upstream, port);
    let config = format!("{{\n\tadmin off\n\tauto_https off\n}}\n{site}");
    std::fs::write(dir.join("Caddyfile"), config).unwrap();
    let mut command = Command::new(caddy);
    command
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(dir.join("Caddyfile"))
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"));
    Gateway::start(command, port, dir.join("caddy.log"))
}

/// What every gateway must do: a valid key reaches the upstream with its ID
/// (a forged ID replaced) and without the key, and a bad or deleted key gets
/// 401 with a JSON body and never reaches it.
fn check_gateway(start: impl FnOnce(&Path, SocketAddr, SocketAddr) -> Gateway) {
    let keys = Keys::new();
    let (secret, id) = keys.create("gateway-user");
    let upstream = Upstream::start();
    let server = Server::start(&keys.db, &[]);
    let gateway = start(keys.dir.path(), server.addr, upstream.addr);

    let bearer = format!("Bearer {secret}");
    let headers = [("Authorization", bearer.as_str()), ("X-Keydesk-Key-Id", "ak-forged")];
    let response = request(gateway.addr, "POST", "/v1/chat/completions", &headers, b"{}");
    assert_eq!(response.status, 200, "{}\n{}", response.body_text(), gateway.log());
    assert_eq!(response.body_text(), format!("upstream saw {id}"));
    let seen = upstream.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(header_in(&seen[0], "x-keydesk-key-id").as_deref(), Some(id.as_str()));
    assert_eq!(
        header_in(&seen[0], "authorization"),
        None,
        "the key reached the upstream"
    );

    let junk = format!("sk-{}", "Q".repeat(38));
    for headers in [vec![("x-api-key", junk.as_str())], vec![]] {
        let response = request(gateway.addr, "GET", "/v1/models", &headers, b"");
        assert_eq!(response.status, 401, "{headers:?}: {}", response.body_text());
        assert_eq!(error_of(&response)["code"], "invalid_api_key");
        assert!(
            response
                .header("www-authenticate")
                .is_some_and(|v| v.starts_with("Bearer"))
        );
    }
    keys.store.delete(&KeyId::parse(&id).unwrap()).unwrap();
    wait_for("keydesk to see the deletion", || {
        server.get("/verify", &[("x-api-key", &secret)]).status == 401
    });
    let response = request(gateway.addr, "GET", "/v1/models", &[("Authorization", &bearer)], b"");
    assert_eq!(response.status, 401);
    assert_eq!(upstream.requests().len(), 1, "a refused request reached the upstream");
}

/// A refusal's JSON `error` object, checking it is sent as JSON.
fn error_of(response: &Response) -> serde_json::Value {
    let content_type = response.header("content-type").unwrap_or_default();
    assert!(content_type.starts_with("application/json"), "{content_type}");
    let body: serde_json::Value =
        serde_json::from_slice(&response.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", response.body_text()));
    body["error"].clone()
}

/// A key with the policy `rules` (in its one text form); returns (secret, id).
fn create_with_policy(keys: &Keys, name: &str, rules: &str) -> (String, String) {
    let name = keydesk::KeyName::parse(name).unwrap();
    let policy = Policy::parse(rules).unwrap();
    let (secret, record) = keys.store.create_with_policy(&name, None, &policy).unwrap();
    (secret.expose().to_owned(), record.id.as_str().to_owned())
}

/// What every gateway must do with keys' policies: a request inside the
/// key's scope passes, one outside it gets 403 with keydesk's JSON at the
/// client (however the client describes itself), and a key over its rate
/// gets 429 with Retry-After and the RateLimit fields (through nginx by the
/// configuration's mapping); refused requests never reach the upstream.
fn check_policies(start: impl FnOnce(&Path, SocketAddr, SocketAddr) -> Gateway) {
    let keys = Keys::new();
    let reader = create_with_policy(&keys, "reader", "methods=GET paths=/v1/models*");
    let office = create_with_policy(&keys, "office", "ips=192.0.2.0/24");
    let (limited, _) = create_with_policy(&keys, "limited", "rpm=2");
    let upstream = Upstream::start();
    let server = Server::start(&keys.db, &[]);
    let gateway = start(keys.dir.path(), server.addr, upstream.addr);

    check_scopes(&gateway, reader, office);
    assert_eq!(upstream.requests().len(), 1, "a refused request reached the upstream");
    check_rate(&gateway, &limited);
    assert_eq!(upstream.requests().len(), 3, "a refused request reached the upstream");
}

/// `reader` may GET /v1/models only; `office` is for 192.0.2.0/24 only.
/// Each refused request claims, in the headers gateways send keydesk, to be
/// what the key allows: the gateway must overwrite them.
fn check_scopes(gateway: &Gateway, (reader, reader_id): (String, String), (office, _): (String, String)) {
    let reader = format!("Bearer {reader}");
    let allowed = request(gateway.addr, "GET", "/v1/models", &[("Authorization", &reader)], b"");
    assert_eq!(allowed.status, 200, "{}\n{}", allowed.body_text(), gateway.log());
    assert_eq!(allowed.body_text(), format!("upstream saw {reader_id}"));

    let as_get = [("X-Forwarded-Method", "GET"), ("X-Original-Method", "GET")];
    let as_models = [("X-Forwarded-Uri", "/v1/models"), ("X-Original-URI", "/v1/models")];
    let as_office = [("X-Forwarded-For", "192.0.2.9"), ("X-Real-IP", "192.0.2.9")];
    let office = format!("Bearer {office}");
    let cases = [
        ("POST", "/v1/models", &reader, &as_get, "method", "method POST"),
        ("GET", "/v1/files", &reader, &as_models, "path", "path /v1/files"),
        ("GET", "/v1/models", &office, &as_office, "address", "address 127.0.0.1"),
    ];
    for (method, path, key, forged, reason, named) in cases {
        let mut headers = vec![("Authorization", key.as_str())];
        headers.extend(forged);
        let refused = request(gateway.addr, method, path, &headers, b"{}");
        assert_eq!(
            refused.status,
            403,
            "{reason}: {}\n{}",
            refused.body_text(),
            gateway.log()
        );
        let error = error_of(&refused);
        assert_eq!(error["type"], "permission_denied");
        assert!(error["message"].as_str().unwrap().contains(named), "{error}");
        assert_eq!(refused.header("x-keydesk-refusal"), Some(reason));
        assert_eq!(refused.header("retry-after"), None);
    }
}

/// `limited` may make 2 requests a minute: the third is refused.
fn check_rate(gateway: &Gateway, limited: &str) {
    let limited = format!("Bearer {limited}");
    for _ in 0..2 {
        let response = request(gateway.addr, "GET", "/v1/models", &[("Authorization", &limited)], b"");
        assert_eq!(response.status, 200, "{}", response.body_text());
    }
    let over = request(gateway.addr, "GET", "/v1/models", &[("Authorization", &limited)], b"");
    assert_eq!(over.status, 429, "{}\n{}", over.body_text(), gateway.log());
    let retry_after: u64 = over.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After: {retry_after}");
    assert_eq!(over.header("ratelimit-limit"), Some("2"));
    assert_eq!(over.header("ratelimit-remaining"), Some("0"));
    assert!(over.header("ratelimit-reset").is_some());
    assert_eq!(over.header("x-keydesk-refusal"), Some("rate"));
    assert_eq!(error_of(&over)["type"], "rate_limit_exceeded");
}

/// Streamed answers (server-sent events) pass through the gateway as they
/// are written: the stub upstream holds the rest of its stream until
/// released, so the first event can only arrive if the gateway passes it on
/// at once.
fn check_streaming(start: impl FnOnce(&Path, SocketAddr, SocketAddr) -> Gateway) {
    let keys = Keys::new();
    let (secret, _) = keys.create("streamer");
    let mut upstream = Upstream::streaming();
    let server = Server::start(&keys.db, &[]);
    let gateway = start(keys.dir.path(), server.addr, upstream.addr);
    let mut stream = connect(gateway.addr);
    write!(
        stream,
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {secret}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    )
    .unwrap();
    let mut received = Vec::new();
    while find(&received, b"data: first").is_none() {
        let mut chunk = [0; 1024];
        let n = stream
            .read(&mut chunk)
            .unwrap_or_else(|e| panic!("no first event while the upstream streams ({e}): {}", gateway.log()));
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
    let response = parse_response(&received).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.body_text(), "data: first\n\ndata: second\n\ndata: [DONE]\n\n");
}

#[test]
fn nginx_auth_request_lets_valid_keys_through_with_their_id_and_refuses_the_rest() {
    let Some(program) = installed("nginx") else { return };
    check_gateway(|dir, keydesk, upstream| nginx(&program, dir, keydesk, upstream));
}

#[test]
fn caddy_forward_auth_lets_valid_keys_through_with_their_id_and_refuses_the_rest() {
    let Some(program) = installed("caddy") else { return };
    check_gateway(|dir, keydesk, upstream| caddy(&program, dir, keydesk, upstream));
}

#[test]
fn nginx_answers_scope_refusals_with_403_and_limits_with_429_and_retry_after() {
    let Some(program) = installed("nginx") else { return };
    check_policies(|dir, keydesk, upstream| nginx(&program, dir, keydesk, upstream));
}

#[test]
fn caddy_answers_scope_refusals_with_403_and_limits_with_429_and_retry_after() {
    let Some(program) = installed("caddy") else { return };
    check_policies(|dir, keydesk, upstream| caddy(&program, dir, keydesk, upstream));
}

#[test]
fn nginx_passes_streamed_answers_on_as_they_come() {
    let Some(program) = installed("nginx") else { return };
    check_streaming(|dir, keydesk, upstream| nginx(&program, dir, keydesk, upstream));
}

#[test]
fn caddy_passes_streamed_answers_on_as_they_come() {
    let Some(program) = installed("caddy") else { return };
    check_streaming(|dir, keydesk, upstream| caddy(&program, dir, keydesk, upstream));
}
