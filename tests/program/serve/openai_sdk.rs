//! The official `openai` Python SDK (from PyPI) against `keydesk serve
//! --upstream` in front of a stub that speaks the chat-completions API: the
//! SDK must raise its own errors for keydesk's refusals, which is what the
//! answers' shapes and statuses are for.
//!
//! The SDK lives in a virtual environment of its own, `target/py-venv`,
//! which `.ci/run` makes (and fills with `pip install openai`) when it is
//! missing. Without it the test says so and returns; under CI that is a
//! failure.

use std::path::Path;
use std::process::Command;

use crate::common::{output_within_limit, skip};
use crate::support::{Keys, Server, Upstream};

const VENV_PYTHON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/target/py-venv/bin/python");

const COMPLETION: &str = r#"{"id":"chatcmpl-stub","object":"chat.completion","created":0,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"hello from the stub"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":4,"total_tokens":5}}"#;

/// Calls the API the way an application does and prints what happened to
/// each call as one JSON object.
const SCRIPT: &str = r#"
import json, sys
import openai

base_url, key = sys.argv[1], sys.argv[2]
client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)
messages = [{"role": "user", "content": "hi"}]
seen = {}

def call(model):
    return client.chat.completions.create(model=model, messages=messages)

seen["allowed"] = call("gpt-4o-mini").choices[0].message.content
try:
    call("gpt-4o")
    seen["other_model"] = "no error"
except openai.PermissionDeniedError as error:
    seen["other_model"] = {"status": error.status_code, "message": error.body["message"]}
call("gpt-4o-mini")
try:
    call("gpt-4o-mini")
    seen["over_rate"] = "no error"
except openai.RateLimitError as error:
    seen["over_rate"] = {
        "status": error.status_code,
        "retry_after": error.response.headers.get("retry-after"),
        "type": error.type,
    }
print(json.dumps(seen))
"#;

/// The venv's python with `openai` importable, or `None` (after skipping).
fn sdk_python() -> Option<&'static str> {
    let usable = Path::new(VENV_PYTHON).is_file()
        && Command::new(VENV_PYTHON)
            .args(["-c", "import openai"])
            .output()
            .is_ok_and(|out| out.status.success());
    if !usable {
        skip(
            "the openai SDK is not installed in target/py-venv (.ci/run installs it: python3 -m venv target/py-venv && target/py-venv/bin/pip install openai)",
        );
        return None;
    }
    Some(VENV_PYTHON)
}

#[test]
fn the_openai_sdk_raises_its_own_errors_for_keydesk_refusals() {
    let Some(python) = sdk_python() else { return };
    let keys = Keys::new();
    // Two calls a minute, one model: the refused model must not use one up.
    let (secret, _) = keys.create_with_policy("sdk-user", "rpm=2 models=gpt-4o-mini");
    let upstream = Upstream::answering_json(COMPLETION);
    let url = format!("http://{}", upstream.addr);
    let server = Server::start(&keys.db, &["--upstream", &url]);
    let base_url = format!("http://{}/v1", server.addr);
    let output = output_within_limit(Command::new(python).args(["-c", SCRIPT, &base_url, &secret]));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(seen["allowed"], "hello from the stub");
    assert_eq!(seen["other_model"]["status"], 403, "{seen}");
    assert_eq!(
        seen["other_model"]["message"],
        "model gpt-4o is not allowed for this key"
    );
    assert_eq!(seen["over_rate"]["status"], 429, "{seen}");
    assert_eq!(seen["over_rate"]["type"], "rate_limit_exceeded");
    let retry_after: u64 = seen["over_rate"]["retry_after"].as_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{seen}");
    assert_eq!(
        upstream.requests().len(),
        2,
        "only the allowed calls reach the upstream"
    );
}
