//! Token budgets through the official `openai` Python SDK: `keydesk serve`
//! (run in this process, on a clock the test moves: a day passes without
//! waiting for it) in front of the stub model server, a key with
//! `token-budget=N/day`. Over its budget the SDK raises `RateLimitError`
//! with `insufficient_quota` and a `Retry-After` until the local midnight;
//! the next day lets it through again.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use keydesk::serve::{LogFormat, Options, StreamUsage};
use keydesk::store::{Clock, Store};
use keydesk::{KeyName, KeyStore};
use time::macros::offset;
use time::{OffsetDateTime, UtcOffset};

use super::api_stub::{ApiStub, OPENAI};
use super::support::{free_port, request, wait_for};
use crate::common::{output_within_limit, skip};

const VENV_PYTHON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/target/py-venv/bin/python");

/// Two calls that succeed (reading the token headers), then one refused.
const SCRIPT: &str = r#"
import json, sys
import openai

base_url, key, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)
messages = [{"role": "user", "content": "hi"}]
seen = {"allowed": [], "refused": None}
for _ in range(calls):
    try:
        raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=messages)
        answer = raw.parse()
        seen["allowed"].append({
            "tokens": answer.usage.total_tokens,
            "limit": raw.headers.get("x-ratelimit-limit-tokens"),
            "remaining": raw.headers.get("x-ratelimit-remaining-tokens"),
            "reset": raw.headers.get("x-ratelimit-reset-tokens"),
        })
    except openai.RateLimitError as error:
        seen["refused"] = {
            "status": error.status_code,
            "code": error.code,
            "type": error.type,
            "retry_after": error.response.headers.get("retry-after"),
            "message": error.body["message"],
        }
        break
print(json.dumps(seen))
"#;

fn sdk_python() -> Option<&'static str> {
    let usable = Path::new(VENV_PYTHON).is_file()
        && Command::new(VENV_PYTHON)
            .args(["-c", "import openai"])
            .output()
            .is_ok_and(|out| out.status.success());
    if !usable {
        skip("the openai SDK is not installed in target/py-venv (.ci/run installs it)");
        return None;
    }
    Some(VENV_PYTHON)
}

fn run_script(python: &str, args: &[&str]) -> serde_json::Value {
    let output = output_within_limit(Command::new(python).arg("-c").arg(SCRIPT).args(args));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap()
}

/// The present, shifted by what the test has added.
fn shifted_clock() -> (Clock, Arc<AtomicI64>) {
    let shift = Arc::new(AtomicI64::new(0));
    let read = shift.clone();
    let clock: Clock =
        Arc::new(move || OffsetDateTime::now_utc() + time::Duration::seconds(read.load(Ordering::SeqCst)));
    (clock, shift)
}

fn options(listen: SocketAddr, upstream: String, offset: UtcOffset) -> Options {
    Options {
        listen: listen.to_string(),
        upstream: Some(upstream),
        upstream_auth_file: None,
        allow_query_key: false,
        insecure_http: false,
        tls_cert: None,
        tls_key: None,
        header_timeout: Duration::from_secs(10),
        upstream_connect_timeout: Duration::from_secs(5),
        upstream_timeout: Duration::from_secs(30),
        shutdown_timeout: Duration::from_secs(1),
        max_index_age: Duration::from_secs(30),
        fail_static: false,
        max_connections: 64,
        threads: Some(2),
        log_format: LogFormat::Text,
        trusted_proxies: None,
        max_model_body: keydesk::serve::DEFAULT_MAX_MODEL_BODY,
        count_tokens: true,
        stream_usage: StreamUsage::Off,
        utc_offset: offset,
        prices: None,
        access_log: None,
    }
}

#[test]
fn a_key_over_its_daily_token_budget_gets_insufficient_quota_until_the_next_local_day() {
    let Some(python) = sdk_python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (clock, shift) = shifted_clock();
    let db = dir.path().join("keys.redb");
    let store = Store::builder(&db)
        .create_if_missing(true)
        .clock(clock.clone())
        .open()
        .unwrap();
    // Each stub answer is 18 tokens: two fit in 30, the third is refused.
    let per_answer = OPENAI.0 + OPENAI.1;
    let policy = keydesk::domain::Policy::parse("token-budget=30/day").unwrap();
    let (secret, _) = store
        .create_with_policy(&KeyName::parse("budgeted").unwrap(), None, &policy)
        .unwrap();
    let stub = ApiStub::start();
    let listen: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let options = options(listen, format!("http://{}", stub.addr), offset!(+8));
    let store: Arc<dyn KeyStore> = Arc::new(store);
    let limiter = keydesk_core::limit::Limiter::new();
    std::thread::spawn(move || keydesk::serve::run_with_clock(&options, store, limiter, clock));
    wait_for("the in-process server to be ready", || {
        std::net::TcpStream::connect(listen).is_ok()
            && request(listen, "GET", "/_keydesk/readyz", &[], b"").status == 200
    });
    let base_url = format!("http://{listen}/v1");

    let seen = run_script(python, &[&base_url, secret.expose(), "3"]);
    let allowed = seen["allowed"].as_array().unwrap();
    assert_eq!(allowed.len(), 2, "{seen}");
    assert_eq!(allowed[0]["tokens"], per_answer);
    assert_eq!(allowed[0]["limit"], "30");
    assert_eq!(allowed[0]["remaining"], "30", "nothing used before the first");
    assert_eq!(allowed[1]["remaining"], (30 - per_answer).to_string());
    let refused = &seen["refused"];
    assert_eq!(refused["status"], 429, "{seen}");
    assert_eq!(
        (&refused["code"], &refused["type"]),
        (&"insufficient_quota".into(), &"insufficient_quota".into())
    );
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("budget of 30 tokens today"),
        "{seen}"
    );
    // Retry-After: until midnight in UTC+8.
    let now = OffsetDateTime::now_utc().to_offset(offset!(+8));
    let midnight = now.date().next_day().unwrap().midnight().assume_offset(offset!(+8));
    let until = (midnight - now).whole_seconds();
    let retry: i64 = refused["retry_after"].as_str().unwrap().parse().unwrap();
    assert!(
        (until - 5..=until + 5).contains(&retry),
        "retry after {retry}s, midnight in {until}s"
    );

    // The next day in UTC+8: the budget is whole again.
    shift.store(until + 1, Ordering::SeqCst);
    let next_day = run_script(python, &[&base_url, secret.expose(), "1"]);
    assert_eq!(next_day["allowed"][0]["tokens"], per_answer, "{next_day}");
    assert_eq!(next_day["allowed"][0]["remaining"], "30", "{next_day}");
    assert!(next_day["refused"].is_null(), "{next_day}");
}
