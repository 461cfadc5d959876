//! A stub model server speaking the OpenAI, Anthropic, Ollama and Gemini
//! APIs, streaming and not, with fixed token counts (the constants below),
//! so a test can say exactly what keydesk must have counted. It answers in
//! the shapes the APIs' documentation shows, as the SDKs parse them. A
//! request whose body names the model `cut-me` gets a stream that stops
//! midway (the connection closed without the end of the chunked body);
//! the model `huge` gets a JSON answer of [`HUGE_BYTES`] of content.

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use crate::support::{DEADLINE, read_body, read_until};

/// OpenAI chat completion: prompt, completion tokens.
pub const OPENAI: (u64, u64) = (11, 7);
/// OpenAI embeddings: prompt tokens.
pub const EMBEDDING: u64 = 8;
/// Anthropic message: input, cache creation, cache read, output.
pub const ANTHROPIC: (u64, u64, u64, u64) = (10, 20, 30, 7);
/// Anthropic stream: input (message_start), then cumulative outputs.
pub const ANTHROPIC_STREAM_INPUT: u64 = 25;
pub const ANTHROPIC_STREAM_OUTPUTS: [u64; 3] = [1, 6, 15];
/// Ollama: prompt_eval_count, eval_count.
pub const OLLAMA: (u64, u64) = (26, 282);
/// Gemini: promptTokenCount, candidatesTokenCount of the last chunk.
pub const GEMINI: (u64, u64) = (9, 12);
/// The content of the `huge` answer.
pub const HUGE_BYTES: usize = 100 * 1024 * 1024;

/// The stub on a free loopback port; `seen` holds each request's head and body.
pub struct ApiStub {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<String>>>,
}

impl ApiStub {
    pub fn start() -> ApiStub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let recorded = seen.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let recorded = recorded.clone();
                thread::spawn(move || serve(stream, &recorded));
            }
        });
        ApiStub { addr, seen }
    }

    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(mut stream: TcpStream, seen: &Mutex<Vec<String>>) {
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut buffer = Vec::new();
    loop {
        let Some(end) = read_until(&mut stream, &mut buffer, b"\r\n\r\n") else {
            return;
        };
        let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
        let Some((body, length)) = read_body(&mut stream, &mut buffer, &head, end + 4) else {
            return;
        };
        seen.lock().unwrap().push(format!("{head}\r\n\r\n{body}"));
        buffer.drain(..end + 4 + length);
        let path = head.split(' ').nth(1).unwrap_or_default().to_owned();
        if answer(&mut stream, &path, &body.replace([' ', '\n'], "")).is_err() {
            return;
        }
    }
}

/// Writes the answer to one request; an error (or a cut stream) ends the
/// connection.
fn answer(stream: &mut TcpStream, path: &str, body: &str) -> std::io::Result<()> {
    let streaming = body.contains("\"stream\":true");
    if body.contains("\"model\":\"huge\"") {
        return huge(stream);
    }
    let cut = body.contains("\"model\":\"cut-me\"");
    let (kind, parts): (&str, Vec<String>) = if path.ends_with("/chat/completions") {
        match streaming {
            true => (
                "text/event-stream",
                openai_stream(body.contains("\"include_usage\":true")),
            ),
            false => ("application/json", vec![openai_completion()]),
        }
    } else if path.ends_with("/embeddings") {
        ("application/json", vec![embedding()])
    } else if path.ends_with("/v1/messages") {
        match streaming {
            true => ("text/event-stream", anthropic_stream()),
            false => ("application/json", vec![anthropic_message()]),
        }
    } else if path.ends_with("/api/chat") {
        // Ollama streams unless told not to.
        match body.contains("\"stream\":false") {
            true => ("application/json", vec![ollama_line(true)]),
            false => ("application/x-ndjson", vec![ollama_line(false), ollama_line(true)]),
        }
    } else if path.contains(":streamGenerateContent") {
        ("text/event-stream", gemini_stream())
    } else {
        ("text/plain", vec!["not a model path".to_owned()])
    };
    let head = format!("HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nTransfer-Encoding: chunked\r\n\r\n");
    stream.write_all(head.as_bytes())?;
    let count = if cut { parts.len() - 1 } else { parts.len() };
    for part in &parts[..count] {
        stream.write_all(format!("{:x}\r\n{part}\r\n", part.len()).as_bytes())?;
        stream.flush()?;
    }
    if cut {
        stream.shutdown(std::net::Shutdown::Both)?;
        return Err(std::io::ErrorKind::ConnectionAborted.into());
    }
    stream.write_all(b"0\r\n\r\n")
}

fn openai_completion() -> String {
    let (prompt, completion) = OPENAI;
    format!(
        r#"{{"id":"chatcmpl-stub","object":"chat.completion","created":0,"model":"gpt-4o-mini-2024-07-18","choices":[{{"index":0,"message":{{"role":"assistant","content":"hello from the stub"}},"finish_reason":"stop"}}],"usage":{{"prompt_tokens":{prompt},"completion_tokens":{completion},"total_tokens":{}}}}}"#,
        prompt + completion
    )
}

/// OpenAI's chunks; with usage asked for, every chunk has `"usage":null`
/// and a last one has the counts and no choices.
fn openai_stream(with_usage: bool) -> Vec<String> {
    let null = if with_usage { r#","usage":null"# } else { "" };
    let chunk = |delta: &str, finish: &str| {
        format!(
            "data: {{\"id\":\"chatcmpl-stub\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"finish_reason\":{finish}}}]{null}}}\n\n"
        )
    };
    let mut events = vec![
        chunk(r#"{"role":"assistant","content":"hello"}"#, "null"),
        chunk(r#"{"content":" there"}"#, "null"),
        chunk("{}", "\"stop\""),
    ];
    if with_usage {
        let (prompt, completion) = OPENAI;
        events.push(format!(
            "data: {{\"id\":\"chatcmpl-stub\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],\"usage\":{{\"prompt_tokens\":{prompt},\"completion_tokens\":{completion},\"total_tokens\":{}}}}}\n\n",
            prompt + completion
        ));
    }
    events.push("data: [DONE]\n\n".to_owned());
    events
}

fn embedding() -> String {
    format!(
        r#"{{"object":"list","data":[{{"object":"embedding","index":0,"embedding":[0.0023,-0.0093]}}],"model":"text-embedding-3-small","usage":{{"prompt_tokens":{EMBEDDING},"total_tokens":{EMBEDDING}}}}}"#
    )
}

fn anthropic_message() -> String {
    let (input, creation, read, output) = ANTHROPIC;
    format!(
        r#"{{"id":"msg_stub","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[{{"type":"text","text":"hello from the stub"}}],"stop_reason":"end_turn","stop_sequence":null,"usage":{{"input_tokens":{input},"cache_creation_input_tokens":{creation},"cache_read_input_tokens":{read},"output_tokens":{output}}}}}"#
    )
}

/// Anthropic's events: `message_start` with the input, then
/// `message_delta`s whose `output_tokens` are cumulative.
fn anthropic_stream() -> Vec<String> {
    let event = |name: &str, data: String| format!("event: {name}\ndata: {data}\n\n");
    let [first, middle, last] = ANTHROPIC_STREAM_OUTPUTS;
    vec![
        event(
            "message_start",
            format!(
                r#"{{"type":"message_start","message":{{"id":"msg_stub","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[],"stop_reason":null,"stop_sequence":null,"usage":{{"input_tokens":{ANTHROPIC_STREAM_INPUT},"output_tokens":{first}}}}}}}"#
            ),
        ),
        event(
            "content_block_start",
            r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#.to_owned(),
        ),
        event(
            "content_block_delta",
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hello"}}"#.to_owned(),
        ),
        event(
            "message_delta",
            format!(
                r#"{{"type":"message_delta","delta":{{"stop_reason":null,"stop_sequence":null}},"usage":{{"output_tokens":{middle}}}}}"#
            ),
        ),
        event(
            "content_block_stop",
            r#"{"type":"content_block_stop","index":0}"#.to_owned(),
        ),
        event(
            "message_delta",
            format!(
                r#"{{"type":"message_delta","delta":{{"stop_reason":"end_turn","stop_sequence":null}},"usage":{{"output_tokens":{last}}}}}"#
            ),
        ),
        event("message_stop", r#"{"type":"message_stop"}"#.to_owned()),
    ]
}

fn ollama_line(done: bool) -> String {
    let (prompt, eval) = OLLAMA;
    match done {
        false => r#"{"model":"llama3.2","created_at":"2024-08-04T08:52:19.385406455Z","message":{"role":"assistant","content":"hello"},"done":false}"#.to_owned() + "\n",
        true => format!(
            r#"{{"model":"llama3.2","created_at":"2024-08-04T19:22:45.499127Z","message":{{"role":"assistant","content":""}},"done_reason":"stop","done":true,"total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":{prompt},"prompt_eval_duration":342546000,"eval_count":{eval},"eval_duration":4535599000}}"#
        ) + "\n",
    }
}

fn gemini_stream() -> Vec<String> {
    let (prompt, candidates) = GEMINI;
    let chunk = |text: &str, n: u64| {
        format!(
            "data: {{\"candidates\":[{{\"content\":{{\"parts\":[{{\"text\":\"{text}\"}}],\"role\":\"model\"}}}}],\"usageMetadata\":{{\"promptTokenCount\":{prompt},\"candidatesTokenCount\":{n},\"totalTokenCount\":{}}},\"modelVersion\":\"gemini-2.0-flash\"}}\r\n\r\n",
            prompt + n
        )
    };
    vec![chunk("hel", 2), chunk("lo", candidates)]
}

/// A chat completion whose content is [`HUGE_BYTES`] long, its usage after
/// it, written a megabyte at a time.
fn huge(stream: &mut TcpStream) -> std::io::Result<()> {
    let (prompt, completion) = OPENAI;
    let start = r#"{"id":"chatcmpl-huge","object":"chat.completion","model":"huge","choices":[{"index":0,"message":{"role":"assistant","content":""#;
    let end = format!(
        r#""}},"finish_reason":"stop"}}],"usage":{{"prompt_tokens":{prompt},"completion_tokens":{completion}}}}}"#
    );
    let length = start.len() + HUGE_BYTES + end.len();
    let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(start.as_bytes())?;
    let megabyte = vec![b'x'; 1024 * 1024];
    for _ in 0..HUGE_BYTES / megabyte.len() {
        stream.write_all(&megabyte)?;
    }
    stream.write_all(end.as_bytes())
}
