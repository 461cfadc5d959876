//! `keydesk serve --access-log`, through the real binary: one JSON line per
//! request with the documented fields, for forward-auth, proxied and
//! refused requests; no secret in the file whatever the client sends where;
//! a new file after logrotate's rename and SIGHUP; the last lines written on
//! SIGTERM; `-` for stdout. Every wait is on a condition, never a sleep.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::serve::api_stub::{ApiStub, OPENAI};
use crate::support::*;

/// The access log's lines so far, each parsed (failing on one that is not
/// JSON; a line not yet ended is not counted).
fn lines(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let ended = match text.rfind('\n') {
        Some(end) => &text[..=end],
        None => "",
    };
    ended
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect()
}

/// Waits until the file has `count` lines, and returns them.
fn wait_for_lines(path: &Path, count: usize) -> Vec<Value> {
    wait_for(&format!("{count} lines in {}", path.display()), || {
        lines(path).len() >= count
    });
    lines(path)
}

/// The fields every line has, whatever the request.
fn assert_common_fields(line: &Value) {
    let time = line["time"].as_str().unwrap_or_else(|| panic!("no time: {line}"));
    time::OffsetDateTime::parse(time, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("time is not RFC 3339 ({e}): {line}"));
    assert!(line["method"].is_string(), "{line}");
    assert!(line["path"].is_string(), "{line}");
    assert!(line["status"].is_u64(), "{line}");
    assert!(line["latency_ms"].is_number(), "{line}");
    assert!(line["bytes_out"].is_u64(), "{line}");
}

fn log_path(keys: &Keys) -> PathBuf {
    keys.dir.path().join("access.log")
}

fn start_logging(keys: &Keys, extra: &[&str]) -> (Server, PathBuf) {
    let path = log_path(keys);
    let mut args = vec!["--access-log", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    (Server::start(&keys.db, &args), path)
}

#[test]
fn forward_auth_lines_name_the_key_id_or_why_the_key_was_refused() {
    let keys = Keys::new();
    let (secret, id) = keys.create("gateway-user");
    let (server, path) = start_logging(&keys, &[]);
    let bearer = format!("Bearer {secret}");
    assert_eq!(
        server
            .get("/verify/v1/models?alt=1", &[("Authorization", &bearer)])
            .status,
        200
    );
    let forged = format!("Bearer {}", &secret[..secret.len() - 1]);
    assert_eq!(server.get("/verify", &[("Authorization", &forged)]).status, 401);
    assert_eq!(server.get("/verify", &[]).status, 401);

    let lines = wait_for_lines(&path, 3);
    lines.iter().for_each(assert_common_fields);
    let allowed = &lines[0];
    assert_eq!(allowed["key_id"], id.as_str(), "{allowed}");
    assert_eq!(allowed["method"], "GET");
    assert_eq!(
        allowed["path"], "/verify/v1/models",
        "the query is never written: {allowed}"
    );
    assert_eq!(allowed["status"], 200);
    assert_eq!(allowed["bytes_in"], 0);
    assert!(
        allowed.get("reason").is_none() && allowed.get("upstream_ms").is_none(),
        "{allowed}"
    );
    assert_eq!(lines[1]["reason"], "invalid_key", "{}", lines[1]);
    assert_eq!(lines[2]["reason"], "missing_key", "{}", lines[2]);
    for refused in &lines[1..] {
        assert_eq!(refused["status"], 401);
        assert!(refused.get("key_id").is_none(), "no key matched: {refused}");
    }
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let metrics = server.get("/metrics", &[]).body_text();
    assert!(metrics.contains("keydesk_access_log_dropped_total 0"), "{metrics}");
}

#[test]
fn a_proxied_answer_is_logged_when_its_body_ends_with_its_tokens_and_times() {
    let keys = Keys::new();
    let (secret, id) = keys.create("proxied");
    let (scoped, scoped_id) = keys.create_with_policy("reader", "methods=GET");
    let (limited, _) = keys.create_with_policy("limited", "rpm=1");
    let stub = ApiStub::start();
    let upstream = format!("http://{}", stub.addr);
    let (server, path) = start_logging(&keys, &["--upstream", &upstream]);
    let body = br#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#;
    let post = |key: &str, body: &[u8]| {
        let bearer = format!("Bearer {key}");
        request(
            server.addr,
            "POST",
            "/v1/chat/completions",
            &[("Authorization", &bearer)],
            body,
        )
    };
    let plain = post(&secret, body);
    assert_eq!(plain.status, 200, "{}", plain.body_text());
    let streamed_body = br#"{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[]}"#;
    let streamed = post(&secret, streamed_body);
    assert_eq!(streamed.status, 200);
    assert_eq!(post(&scoped, body).status, 403);
    assert_eq!(post(&limited, body).status, 200);
    assert_eq!(post(&limited, body).status, 429);

    let lines = wait_for_lines(&path, 5);
    lines.iter().for_each(assert_common_fields);
    let (input, output) = OPENAI;
    for (line, answer, sent) in [
        (&lines[0], &plain, &body[..]),
        (&lines[1], &streamed, &streamed_body[..]),
    ] {
        assert_eq!(line["key_id"], id.as_str(), "{line}");
        assert_eq!(line["method"], "POST");
        assert_eq!(line["path"], "/v1/chat/completions", "{line}");
        assert_eq!(line["status"], 200);
        assert_eq!(line["input_tokens"], input, "{line}");
        assert_eq!(line["output_tokens"], output, "{line}");
        assert!(line["upstream_ms"].is_number(), "{line}");
        assert_eq!(line["bytes_in"], sent.len() as u64, "{line}");
        assert_eq!(line["bytes_out"], answer.body.len() as u64, "bytes as relayed: {line}");
    }
    let scope = &lines[2];
    assert_eq!(
        (scope["status"].as_u64(), scope["reason"].as_str()),
        (Some(403), Some("method")),
        "{scope}"
    );
    assert_eq!(scope["key_id"], scoped_id.as_str());
    assert!(scope.get("upstream_ms").is_none(), "never forwarded: {scope}");
    let rate = &lines[4];
    assert_eq!(
        (rate["status"].as_u64(), rate["reason"].as_str()),
        (Some(429), Some("rate")),
        "{rate}"
    );
}

#[test]
fn no_secret_reaches_the_file_from_a_query_a_bad_header_or_the_path() {
    let keys = Keys::new();
    let (secret, _) = keys.create("leaky-client");
    let run = |extra: &[&str]| {
        let keys_dir_log = log_path(&keys);
        let _ = std::fs::remove_file(&keys_dir_log);
        let (mut server, path) = start_logging(&keys, extra);
        let sent = [
            (format!("/verify?key={secret}"), vec![]),
            (format!("/verify/v1/x?api_key={secret}&key={secret}"), vec![]),
            (format!("/verify/{secret}"), vec![]),
            (format!("/verify/v1/models/{secret}:generate"), vec![]),
            (
                "/verify".to_owned(),
                vec![("Authorization".to_owned(), format!("Bearer {secret}0"))],
            ),
            (
                "/verify".to_owned(),
                vec![("x-api-key".to_owned(), format!("{secret} {secret}"))],
            ),
            (
                "/verify".to_owned(),
                vec![("X-Original-URI".to_owned(), format!("/a?key={secret}"))],
            ),
            (
                "/verify".to_owned(),
                vec![("Cookie".to_owned(), format!("session={secret}"))],
            ),
        ];
        for (target, headers) in &sent {
            let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            server.get(target, &headers);
        }
        server.signal(libc::SIGTERM);
        assert_exit(server.wait(), 0, &server.stderr());
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(lines(&path).len(), sent.len(), "{text}");
        // Not the key, nor any 8 characters of what follows its prefix.
        let body = &secret[3..];
        for start in 0..body.len() - 8 {
            assert!(!text.contains(&body[start..start + 8]), "a piece of the key: {text}");
        }
        assert!(text.contains("[redacted]"), "the key in the path is replaced: {text}");
        text
    };
    let refused = run(&[]);
    assert!(refused.contains("\"reason\":\"missing_key\""), "{refused}");
    let allowed = run(&["--allow-query-key"]);
    assert!(
        allowed.contains("\"status\":200"),
        "the query key is accepted: {allowed}"
    );
}

#[test]
fn sighup_after_logrotate_s_rename_writes_the_next_lines_to_a_new_file() {
    let keys = Keys::new();
    let (secret, _) = keys.create("rotated");
    let (server, path) = start_logging(&keys, &[]);
    let bearer = format!("Bearer {secret}");
    server.get("/verify", &[("Authorization", &bearer)]);
    wait_for_lines(&path, 1);
    let rotated = keys.dir.path().join("access.log.1");
    std::fs::rename(&path, &rotated).unwrap();
    server.signal(libc::SIGHUP);
    wait_for("a new access log", || path.exists());
    wait_for("the reopen said in the log", || {
        server.stderr().contains("access log reopened")
    });
    server.get("/verify/after", &[("Authorization", &bearer)]);
    let new = wait_for_lines(&path, 1);
    assert_eq!(new[0]["path"], "/verify/after");
    assert_eq!(lines(&rotated).len(), 1, "the rotated file keeps the old line only");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn sigterm_writes_every_line_before_the_process_exits() {
    let keys = Keys::new();
    let (secret, _) = keys.create("last-words");
    let (mut server, path) = start_logging(&keys, &[]);
    let bearer = format!("Bearer {secret}");
    for n in 0..50 {
        server.get(&format!("/verify/{n}"), &[("Authorization", &bearer)]);
    }
    server.signal(libc::SIGTERM);
    assert_exit(server.wait(), 0, &server.stderr());
    let lines = lines(&path);
    assert_eq!(lines.len(), 50);
    assert_eq!(lines[49]["path"], "/verify/49");
}

#[test]
fn a_dash_writes_the_lines_to_stdout() {
    let keys = Keys::new();
    let (secret, id) = keys.create("container");
    let mut command = Command::new(BIN);
    command.arg("serve").arg("--db").arg(&keys.db);
    let mut server = Server::launch_with_stdout(command, &["--access-log", "-"], Stdio::piped());
    let stdout = server.child.stdout.take().unwrap();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let reader = seen.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            reader.lock().unwrap().push(line);
        }
    });
    let bearer = format!("Bearer {secret}");
    server.get("/verify", &[("Authorization", &bearer)]);
    wait_for("a line on stdout", || !seen.lock().unwrap().is_empty());
    let line: Value = serde_json::from_str(&seen.lock().unwrap()[0]).unwrap();
    assert_common_fields(&line);
    assert_eq!(line["key_id"], id.as_str());
    server.signal(libc::SIGTERM);
    assert_exit(server.wait(), 0, &server.stderr());
}

#[test]
fn an_access_log_that_cannot_be_opened_stops_serve_naming_the_path() {
    let keys = Keys::new();
    let path = keys.dir.path().join("no-such-dir").join("access.log");
    let output = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(&keys.db)
        .arg("--access-log")
        .arg(&path)
        .env("KEYDESK_LANG", "en")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(path.to_str().unwrap()), "{stderr}");
}

#[test]
fn a_stream_the_client_leaves_midway_still_has_its_line_with_what_was_relayed() {
    use std::io::Write;
    let keys = Keys::new();
    let (secret, id) = keys.create("impatient");
    let mut upstream = Upstream::streaming();
    let target = format!("http://{}", upstream.addr);
    let (server, path) = start_logging(&keys, &["--upstream", &target]);
    let mut client = connect(server.addr);
    let head = format!("GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {secret}\r\n\r\n");
    client.write_all(head.as_bytes()).unwrap();
    let mut buffer = Vec::new();
    read_until(&mut client, &mut buffer, b"data: first").expect("the first event");
    drop(client);
    // The upstream goes on; relaying it to a closed connection fails, and
    // the answer's body is dropped there.
    drop(upstream.release.take());
    let line = &wait_for_lines(&path, 1)[0];
    assert_common_fields(line);
    assert_eq!(line["key_id"], id.as_str(), "{line}");
    assert_eq!(line["status"], 200);
    assert!(
        line["bytes_out"].as_u64().unwrap() >= "data: first\n\n".len() as u64,
        "{line}"
    );
}

#[test]
fn a_query_key_in_proxy_mode_is_used_and_never_written() {
    let keys = Keys::new();
    let (secret, id) = keys.create("query-user");
    let upstream = Upstream::start();
    let target = format!("http://{}", upstream.addr);
    let (server, path) = start_logging(&keys, &["--upstream", &target, "--allow-query-key"]);
    let answer = server.get(&format!("/v1/models?key={secret}&alt=json"), &[]);
    assert_eq!(answer.status, 200, "{}", answer.body_text());
    let line = &wait_for_lines(&path, 1)[0];
    assert_eq!(line["key_id"], id.as_str(), "{line}");
    assert_eq!(line["path"], "/v1/models");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(&secret[3..11]), "{text}");
}
