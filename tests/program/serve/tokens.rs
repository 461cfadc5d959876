//! Token counting in proxy mode, through the real binary: the official
//! `openai`, `anthropic` and `ollama` Python SDKs (from PyPI, in
//! `target/py-venv`, which `.ci/run` fills) call `keydesk serve --upstream`
//! in front of a stub speaking each API ([`super::api_stub`]), and the
//! tokens counted must be exactly what the stub reported.
//!
//! What reached `Verifier::count_tokens` is read through `/metrics`
//! (`keydesk_tokens_total`, `keydesk_token_answers_total`): both are fed by
//! the one function every counted answer goes through. Then the server is
//! stopped (SIGTERM: it writes its counts) and `keydesk usage --by model
//! --json` must show the same tokens, per model the answers named.

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

use crate::common::{output_within_limit, skip};
use crate::serve::api_stub::{
    ANTHROPIC, ANTHROPIC_STREAM_INPUT, ANTHROPIC_STREAM_OUTPUTS, ApiStub, EMBEDDING, GEMINI, HUGE_BYTES, OLLAMA, OPENAI,
};
use crate::support::{Keys, Server, connect, request, wait_for};

const VENV_PYTHON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/target/py-venv/bin/python");

/// The venv's python with `module` importable, or `None` (after skipping).
fn sdk_python(module: &str) -> Option<&'static str> {
    let usable = Path::new(VENV_PYTHON).is_file()
        && Command::new(VENV_PYTHON)
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|out| out.status.success());
    if !usable {
        skip(&format!(
            "the {module} SDK is not installed in target/py-venv (.ci/run installs it: target/py-venv/bin/python -m pip install {module})"
        ));
        return None;
    }
    Some(VENV_PYTHON)
}

/// Runs a Python script; its last line of output is JSON.
fn run_script(python: &str, script: &str, args: &[&str]) -> serde_json::Value {
    let output = output_within_limit(Command::new(python).arg("-c").arg(script).args(args));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap()
}

/// The tokens and answers counted so far, from `/metrics`.
#[derive(Debug, PartialEq, Eq, Default)]
struct Counted {
    input: u64,
    output: u64,
    known: u64,
    unknown: u64,
    incomplete: u64,
}

fn counted(server: &Server) -> Counted {
    let text = server.get("/_keydesk/metrics", &[]).body_text();
    let value = |series: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(series))
            .and_then(|rest| rest.trim().parse().ok())
            .unwrap_or_else(|| panic!("{series} not in /metrics:\n{text}"))
    };
    Counted {
        input: value("keydesk_tokens_total{direction=\"input\"}"),
        output: value("keydesk_tokens_total{direction=\"output\"}"),
        known: value("keydesk_token_answers_total{usage=\"known\"}"),
        unknown: value("keydesk_token_answers_total{usage=\"unknown\"}"),
        incomplete: value("keydesk_token_answers_total{usage=\"incomplete\"}"),
    }
}

/// Waits until the counts are `expected` (an answer is counted as its body
/// ends, which may be a moment after the client has read it), then checks
/// they stay so: nothing is counted twice.
fn assert_counted(server: &Server, expected: Counted) {
    let mut last = Counted::default();
    let waited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wait_for(&format!("{expected:?} counted"), || {
            last = counted(server);
            last == expected
        })
    }));
    assert!(waited.is_ok(), "counted {last:?}, expected {expected:?}");
}

const OPENAI_SCRIPT: &str = r#"
import json, sys
import openai

base_url, key, ask = sys.argv[1], sys.argv[2], sys.argv[3] == "ask"
client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)
messages = [{"role": "user", "content": "hi"}]
seen = {}
plain = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
seen["plain"] = [plain.usage.prompt_tokens, plain.usage.completion_tokens]
extra = {"stream_options": {"include_usage": True}} if ask else {}
chunks = list(client.chat.completions.create(model="gpt-4o-mini", messages=messages, stream=True, **extra))
seen["text"] = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
seen["chunks"] = len(chunks)
seen["usage_chunks"] = [[c.usage.prompt_tokens, c.usage.completion_tokens] for c in chunks if c.usage is not None]
seen["chunks_without_choices"] = sum(1 for c in chunks if not c.choices)
seen["chunks_with_a_usage_member"] = sum(1 for c in chunks if "usage" in c.model_fields_set)
seen["embedding"] = client.embeddings.create(model="text-embedding-3-small", input="hi").usage.prompt_tokens
print(json.dumps(seen))
"#;

/// One model's stored counts: input, output, answers with usage, without,
/// cut short.
type Stored = (u64, u64, u64, u64, u64);

/// Stops `server` with SIGTERM (it flushes its counts on the way out) and
/// reads `keydesk usage --by model --json`: the key's counts per model.
fn stored_by_model(server: &mut Server, keys: &Keys) -> std::collections::BTreeMap<String, Stored> {
    server.signal(libc::SIGTERM);
    let status = server.wait();
    assert!(status.success(), "serve exits 0 on SIGTERM: {}", server.stderr());
    let out = Command::new(crate::support::BIN)
        .env("KEYDESK_LANG", "en")
        .args(["usage", "--by", "model", "--json", "--db"])
        .arg(&keys.db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let number =
        |row: &serde_json::Value, field: &str| row[field].as_u64().unwrap_or_else(|| panic!("{field} in {row}"));
    rows.as_array()
        .unwrap()
        .iter()
        .filter(|row| row["model"].is_string())
        .map(|row| {
            let counts = (
                number(row, "input_tokens"),
                number(row, "output_tokens"),
                number(row, "answers_with_usage"),
                number(row, "answers_without_usage"),
                number(row, "answers_incomplete"),
            );
            (row["model"].as_str().unwrap().to_owned(), counts)
        })
        .collect()
}

/// A server in front of a fresh stub, and a key for it.
fn proxy_with(extra: &[&str]) -> (Keys, String, ApiStub, Server) {
    let keys = Keys::new();
    let (secret, _) = keys.create("tokens");
    let stub = ApiStub::start();
    let upstream = format!("http://{}", stub.addr);
    let mut args = vec!["--upstream", upstream.as_str()];
    args.extend_from_slice(extra);
    let server = Server::start(&keys.db, &args);
    (keys, secret, stub, server)
}

#[test]
fn the_openai_sdk_s_answers_are_counted_exactly_and_a_stream_without_usage_as_unknown() {
    let Some(python) = sdk_python("openai") else { return };
    let (keys, secret, stub, mut server) = proxy_with(&[]);
    let base_url = format!("http://{}/v1", server.addr);
    let asked = run_script(python, OPENAI_SCRIPT, &[&base_url, &secret, "ask"]);
    let (prompt, completion) = OPENAI;
    assert_eq!(asked["plain"], serde_json::json!([prompt, completion]));
    assert_eq!(
        asked["usage_chunks"],
        serde_json::json!([[prompt, completion]]),
        "{asked}"
    );
    assert_eq!(asked["embedding"], EMBEDDING);
    assert_counted(
        &server,
        Counted {
            input: 2 * prompt + EMBEDDING,
            output: 2 * completion,
            known: 3,
            ..Counted::default()
        },
    );
    for seen in stub.requests() {
        let head = seen.split("\r\n\r\n").next().unwrap().to_ascii_lowercase();
        assert!(
            head.contains("accept-encoding: identity"),
            "counted paths ask for no compression: {head}"
        );
    }
    // Without injection, a stream that did not ask for usage has none.
    run_script(python, OPENAI_SCRIPT, &[&base_url, &secret, "plain"]);
    assert_counted(
        &server,
        Counted {
            input: 3 * prompt + 2 * EMBEDDING,
            output: 3 * completion,
            known: 5,
            unknown: 1,
            incomplete: 0,
        },
    );
    let stored = stored_by_model(&mut server, &keys);
    assert_eq!(
        stored["gpt-4o-mini-2024-07-18"],
        (3 * prompt, 3 * completion, 3, 1, 0),
        "{stored:?}"
    );
    assert_eq!(
        stored["text-embedding-3-small"],
        (2 * EMBEDDING, 0, 2, 0, 0),
        "{stored:?}"
    );
    assert_eq!(stored.len(), 2, "{stored:?}");
}

#[test]
fn stream_usage_inject_asks_the_upstream_and_the_sdk_sees_the_stream_it_asked_for() {
    let Some(python) = sdk_python("openai") else { return };
    let (_keys, secret, stub, server) = proxy_with(&["--stream-usage", "inject"]);
    let base_url = format!("http://{}/v1", server.addr);
    let seen = run_script(python, OPENAI_SCRIPT, &[&base_url, &secret, "plain"]);
    assert_eq!(seen["text"], "hello there");
    assert_eq!(seen["chunks"], 3, "no extra chunk: {seen}");
    assert_eq!(seen["usage_chunks"], serde_json::json!([]), "{seen}");
    assert_eq!(seen["chunks_without_choices"], 0, "{seen}");
    assert_eq!(
        seen["chunks_with_a_usage_member"], 0,
        "no \"usage\":null either: {seen}"
    );
    let streamed = stub
        .requests()
        .into_iter()
        .find(|r| r.replace(' ', "").contains("\"stream\":true"))
        .expect("the streaming request reached the stub");
    let body: serde_json::Value = serde_json::from_str(streamed.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["stream_options"]["include_usage"], true, "{body}");
    assert_eq!(body["messages"][0]["content"], "hi");
    let (prompt, completion) = OPENAI;
    assert_counted(
        &server,
        Counted {
            input: 2 * prompt + EMBEDDING,
            output: 2 * completion,
            known: 3,
            ..Counted::default()
        },
    );
}

const ANTHROPIC_SCRIPT: &str = r#"
import json, sys
import anthropic

base_url, key = sys.argv[1], sys.argv[2]
client = anthropic.Anthropic(base_url=base_url, api_key=key, max_retries=0)
messages = [{"role": "user", "content": "hi"}]
seen = {}
m = client.messages.create(model="claude-sonnet-4-20250514", max_tokens=100, messages=messages)
u = m.usage
seen["plain"] = [u.input_tokens, u.cache_creation_input_tokens, u.cache_read_input_tokens, u.output_tokens]
with client.messages.stream(model="claude-3-5-haiku-20241022", max_tokens=100, messages=messages) as stream:
    seen["text"] = "".join(stream.text_stream)
    final = stream.get_final_message()
seen["stream"] = [final.usage.input_tokens, final.usage.output_tokens]
print(json.dumps(seen))
"#;

#[test]
fn the_anthropic_sdk_s_answers_are_counted_with_cumulative_deltas_counted_once() {
    let Some(python) = sdk_python("anthropic") else { return };
    let (keys, secret, _stub, mut server) = proxy_with(&[]);
    let base_url = format!("http://{}", server.addr);
    let seen = run_script(python, ANTHROPIC_SCRIPT, &[&base_url, &secret]);
    let (input, creation, read, output) = ANTHROPIC;
    let last = ANTHROPIC_STREAM_OUTPUTS[2];
    assert_eq!(seen["plain"], serde_json::json!([input, creation, read, output]));
    assert_eq!(
        seen["stream"],
        serde_json::json!([ANTHROPIC_STREAM_INPUT, last]),
        "{seen}"
    );
    assert_eq!(seen["text"], "hello");
    assert_counted(
        &server,
        Counted {
            input: input + creation + read + ANTHROPIC_STREAM_INPUT,
            // The last cumulative value, not the sum of the deltas.
            output: output + last,
            known: 2,
            ..Counted::default()
        },
    );
    let stored = stored_by_model(&mut server, &keys);
    assert_eq!(
        stored["claude-sonnet-4-20250514"],
        (input + creation + read, output, 1, 0, 0),
        "{stored:?}"
    );
    assert_eq!(
        stored["claude-3-5-haiku-20241022"],
        (ANTHROPIC_STREAM_INPUT, last, 1, 0, 0),
        "{stored:?}"
    );
}

const OLLAMA_SCRIPT: &str = r#"
import json, sys
import ollama

host, key = sys.argv[1], sys.argv[2]
client = ollama.Client(host=host, headers={"Authorization": "Bearer " + key})
messages = [{"role": "user", "content": "hi"}]
seen = {}
r = client.chat(model="llama3.2", messages=messages, stream=False)
seen["plain"] = [r.prompt_eval_count, r.eval_count]
parts = list(client.chat(model="llama3.2", messages=messages, stream=True))
seen["stream"] = [parts[-1].prompt_eval_count, parts[-1].eval_count, len(parts)]
print(json.dumps(seen))
"#;

#[test]
fn the_ollama_sdk_s_answers_are_counted_from_the_done_object() {
    let Some(python) = sdk_python("ollama") else { return };
    let (keys, secret, _stub, mut server) = proxy_with(&[]);
    let host = format!("http://{}", server.addr);
    let seen = run_script(python, OLLAMA_SCRIPT, &[&host, &secret]);
    let (prompt, eval) = OLLAMA;
    assert_eq!(seen["plain"], serde_json::json!([prompt, eval]));
    assert_eq!(seen["stream"], serde_json::json!([prompt, eval, 2]));
    assert_counted(
        &server,
        Counted {
            input: 2 * prompt,
            output: 2 * eval,
            known: 2,
            ..Counted::default()
        },
    );
    let stored = stored_by_model(&mut server, &keys);
    assert_eq!(stored["llama3.2"], (2 * prompt, 2 * eval, 2, 0, 0), "{stored:?}");
}

#[test]
fn a_gemini_stream_is_counted_from_its_last_usage_metadata() {
    let (keys, secret, _stub, mut server) = proxy_with(&[]);
    let answer = request(
        server.addr,
        "POST",
        "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse",
        &[("x-goog-api-key", &secret), ("content-type", "application/json")],
        br#"{"contents":[{"parts":[{"text":"hi"}]}]}"#,
    );
    assert_eq!(answer.status, 200, "{}", answer.body_text());
    let (prompt, candidates) = GEMINI;
    assert_counted(
        &server,
        Counted {
            input: prompt,
            output: candidates,
            known: 1,
            ..Counted::default()
        },
    );
    let stored = stored_by_model(&mut server, &keys);
    assert_eq!(stored["gemini-2.0-flash"], (prompt, candidates, 1, 0, 0), "{stored:?}");
}

#[test]
fn a_stream_cut_short_counts_what_it_saw_as_incomplete() {
    let (keys, secret, _stub, mut server) = proxy_with(&[]);
    let body = br#"{"model":"cut-me","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#;
    let answer = crate::support::raw_request(
        server.addr,
        &[
            format!(
                "POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: {secret}\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
            body,
        ]
        .concat(),
    );
    assert!(
        answer.is_some_and(|a| !a.body_text().contains("message_stop")),
        "the stream ends early"
    );
    assert_counted(
        &server,
        Counted {
            input: ANTHROPIC_STREAM_INPUT,
            output: ANTHROPIC_STREAM_OUTPUTS[2],
            known: 1,
            unknown: 0,
            incomplete: 1,
        },
    );
    let stored = stored_by_model(&mut server, &keys);
    assert_eq!(
        stored["claude-3-5-haiku-20241022"],
        (ANTHROPIC_STREAM_INPUT, ANTHROPIC_STREAM_OUTPUTS[2], 1, 0, 1),
        "{stored:?}"
    );
}

/// The most a process has held, in KiB (`VmHWM`).
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/PID/status")
}

#[test]
fn a_100_mb_answer_is_relayed_and_counted_in_flat_memory() {
    if !Path::new("/proc/self/status").exists() {
        return skip("no /proc to read the server's memory from");
    }
    let (_keys, secret, _stub, server) = proxy_with(&[]);
    // A first counted answer, so that what is allocated once is counted before.
    let small = request(
        server.addr,
        "POST",
        "/v1/chat/completions",
        &[("authorization", &format!("Bearer {secret}"))],
        br#"{"model":"gpt-4o-mini"}"#,
    );
    assert_eq!(small.status, 200);
    let before = peak_kib(server.child.id());
    let body = br#"{"model":"huge"}"#;
    let mut stream = connect(server.addr);
    let head = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {secret}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(&[head.as_bytes(), body].concat()).unwrap();
    let mut received = 0usize;
    let mut tail = Vec::new();
    let mut buffer = vec![0; 1 << 20];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                received += n;
                tail = buffer[..n].to_vec();
            }
            Err(error) => panic!("reading the answer: {error}"),
        }
    }
    assert!(received > HUGE_BYTES, "{received} bytes relayed");
    assert!(String::from_utf8_lossy(&tail).contains("\"completion_tokens\""));
    let growth_mib = peak_kib(server.child.id()).saturating_sub(before) / 1024;
    assert!(
        growth_mib < 20,
        "the server's peak memory grew by {growth_mib} MiB relaying 100 MiB: it buffered"
    );
    let (prompt, completion) = OPENAI;
    assert_counted(
        &server,
        Counted {
            input: 2 * prompt,
            output: 2 * completion,
            known: 2,
            ..Counted::default()
        },
    );
}

#[test]
fn with_count_tokens_off_answers_are_relayed_unread() {
    let (_keys, secret, stub, server) = proxy_with(&["--count-tokens", "off"]);
    let answer = request(
        server.addr,
        "POST",
        "/v1/chat/completions",
        &[
            ("authorization", &format!("Bearer {secret}")),
            ("accept-encoding", "gzip"),
        ],
        br#"{"model":"gpt-4o-mini"}"#,
    );
    assert_eq!(answer.status, 200);
    assert!(answer.body_text().contains("\"prompt_tokens\""));
    let head = stub.requests().pop().unwrap().to_ascii_lowercase();
    assert!(head.contains("accept-encoding: gzip"), "the client's own: {head}");
    assert_eq!(counted(&server), Counted::default());
}
