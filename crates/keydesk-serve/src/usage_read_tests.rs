//! Each API's answers, in the shapes their documentation shows, read whole
//! and cut at every byte.

use super::*;

fn usage(model: &str, input: u64, output: u64) -> TokenUsage {
    TokenUsage {
        model: Some(model.to_owned()),
        input,
        output,
        known: true,
        complete: true,
        ..TokenUsage::default()
    }
}

/// The usage read from `body`, fed whole, and fed in two parts cut at every
/// byte: all must agree.
fn read(api: Api, framing: Framing, body: &str) -> TokenUsage {
    let mut whole = Reader::new(api, framing);
    whole.feed(body.as_bytes());
    let expected = whole.usage(true);
    let bytes = body.as_bytes();
    for cut in 0..=bytes.len() {
        let mut reader = Reader::new(api, framing);
        reader.feed(&bytes[..cut]);
        reader.feed(&bytes[cut..]);
        assert_eq!(reader.usage(true), expected, "cut at {cut}");
    }
    expected
}

#[test]
fn apis_are_told_by_method_and_path_under_any_prefix() {
    let post = hyper::Method::POST;
    let cases = [
        ("/v1/chat/completions", Some(Api::OpenAi)),
        ("/base/openai/v1/chat/completions", Some(Api::OpenAi)),
        ("/v1/completions", Some(Api::OpenAi)),
        ("/v1/embeddings", Some(Api::OpenAi)),
        ("/v1/responses", Some(Api::OpenAi)),
        ("/v1/messages", Some(Api::Anthropic)),
        ("/api/chat", Some(Api::Ollama)),
        ("/ollama/api/generate", Some(Api::Ollama)),
        ("/v1beta/models/gemini-2.0-flash:generateContent", Some(Api::Gemini)),
        (
            "/v1beta/models/gemini-2.0-flash:streamGenerateContent",
            Some(Api::Gemini),
        ),
        ("/v1/models", None),
        ("/v1/threads/t/messages", None),
        ("/api/tags", None),
    ];
    for (path, api) in cases {
        assert_eq!(Api::of(&post, path), api, "{path}");
    }
    assert_eq!(Api::of(&hyper::Method::GET, "/v1/chat/completions"), None);
}

#[test]
fn an_openai_chat_completion_gives_prompt_completion_and_cached_tokens() {
    let body = r#"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini-2024-07-18",
      "choices":[{"index":0,"message":{"role":"assistant","content":"Hi \"there\" {usage:1}"},"finish_reason":"stop"}],
      "usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,
        "prompt_tokens_details":{"cached_tokens":3,"audio_tokens":0},
        "completion_tokens_details":{"reasoning_tokens":0}}}"#;
    let read = read(Api::OpenAi, Framing::Json, body);
    assert_eq!(
        read,
        TokenUsage {
            cache_read: 3,
            ..usage("gpt-4o-mini-2024-07-18", 19, 10)
        }
    );
}

#[test]
fn an_openai_stream_counts_its_last_usage_chunk_and_nulls_before_it_count_nothing() {
    let body = concat!(
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"He\"}}],\"usage\":null}\n\n",
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n",
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":2,\"total_tokens\":10}}\n\n",
        "data: [DONE]\n\n"
    );
    assert_eq!(read(Api::OpenAi, Framing::Sse, body), usage("gpt-4o", 8, 2));
    let without = "data: {\"model\":\"gpt-4o\",\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\ndata: [DONE]\n\n";
    let unknown = read(Api::OpenAi, Framing::Sse, without);
    assert!(!unknown.known && unknown.total() == 0, "{unknown:?}");
    assert_eq!(unknown.model.as_deref(), Some("gpt-4o"));
}

#[test]
fn the_usage_only_chunk_is_recognised_as_its_event_ends() {
    let body = concat!(
        "data: {\"choices\":[{\"delta\":{}}],\"usage\":null}\r\n\r\n",
        ": a comment\n",
        "data: {\"choices\":[],\n",
        "data: \"usage\":{\"prompt_tokens\":8,\"completion_tokens\":2}}\n\n",
        "data: [DONE]\n\n"
    );
    let mut reader = Reader::new(Api::OpenAi, Framing::Sse);
    let bytes = body.as_bytes();
    let mut ends = Vec::new();
    let mut at = 0;
    while let Some(end) = reader.sse_step(bytes, at) {
        ends.push((end.at, end.usage_only));
        at = end.at;
    }
    let first = body.find("\r\n\r\n").unwrap() + 4;
    let second = body.find("}}\n\n").unwrap() + 4;
    assert_eq!(ends, [(first, false), (second, true), (body.len(), false)]);
    let read = reader.usage(true);
    assert_eq!(
        (read.input, read.output),
        (8, 2),
        "a data field over two lines is one document"
    );
}

#[test]
fn openai_embeddings_and_responses_are_read() {
    let embeddings = r#"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023,-0.0093]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}"#;
    assert_eq!(
        read(Api::OpenAi, Framing::Json, embeddings),
        usage("text-embedding-3-small", 8, 0)
    );
    let responses = r#"{"id":"resp_1","object":"response","model":"gpt-4.1","output":[{"type":"message","content":[{"type":"output_text","text":"x"}]}],"usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":4},"output_tokens":87,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":123}}"#;
    assert_eq!(
        read(Api::OpenAi, Framing::Json, responses),
        TokenUsage {
            cache_read: 4,
            ..usage("gpt-4.1", 36, 87)
        }
    );
    let streamed = concat!(
        "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"model\":\"gpt-4.1\",\"usage\":null}}\n\n",
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}\n\n",
        "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"model\":\"gpt-4.1\",\"usage\":{\"input_tokens\":5,\"output_tokens\":9,\"total_tokens\":14}}}\n\n"
    );
    assert_eq!(read(Api::OpenAi, Framing::Sse, streamed), usage("gpt-4.1", 5, 9));
}

#[test]
fn an_anthropic_message_adds_cached_input_to_input() {
    let body = r#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","usage":{"input_tokens":10,"cache_creation_input_tokens":20,"cache_read_input_tokens":30,"output_tokens":7}}"#;
    assert_eq!(
        read(Api::Anthropic, Framing::Json, body),
        TokenUsage {
            cache_read: 30,
            cache_creation: 20,
            ..usage("claude-sonnet-4-20250514", 60, 7)
        }
    );
}

#[test]
fn anthropic_cumulative_output_deltas_are_counted_once_the_last_value() {
    let body = concat!(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-3-5-haiku-20241022\",\"content\":[],\"usage\":{\"input_tokens\":25,\"cache_read_input_tokens\":5,\"output_tokens\":1}}}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: ping\ndata: {\"type\": \"ping\"}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":null},\"usage\":{\"output_tokens\":6}}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":15}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
    );
    assert_eq!(
        read(Api::Anthropic, Framing::Sse, body),
        TokenUsage {
            cache_read: 5,
            ..usage("claude-3-5-haiku-20241022", 30, 15)
        }
    );
}

#[test]
fn ollama_counts_come_from_the_final_done_object() {
    let stream = concat!(
        "{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T08:52:19.385406455-07:00\",\"message\":{\"role\":\"assistant\",\"content\":\"The\"},\"done\":false}\n",
        "{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T19:22:45.499127Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"total_duration\":4883583458,\"load_duration\":1334875,\"prompt_eval_count\":26,\"prompt_eval_duration\":342546000,\"eval_count\":282,\"eval_duration\":4535599000}\n"
    );
    assert_eq!(read(Api::Ollama, Framing::Json, stream), usage("llama3.2", 26, 282));
    let generate = r#"{"model":"llama3.2","response":"The sky is blue","done":true,"context":[1,2,3],"prompt_eval_count":26,"eval_count":290}"#;
    assert_eq!(read(Api::Ollama, Framing::Json, generate), usage("llama3.2", 26, 290));
}

#[test]
fn gemini_counts_the_last_usage_metadata_in_sse_or_a_json_array() {
    let chunk = |text: &str, candidates: u64| {
        format!(
            r#"{{"candidates":[{{"content":{{"parts":[{{"text":"{text}"}}],"role":"model"}}}}],"usageMetadata":{{"promptTokenCount":9,"candidatesTokenCount":{candidates},"thoughtsTokenCount":2,"totalTokenCount":99}},"modelVersion":"gemini-2.0-flash"}}"#
        )
    };
    let sse = format!("data: {}\r\n\r\ndata: {}\r\n\r\n", chunk("a", 1), chunk("b", 12));
    assert_eq!(read(Api::Gemini, Framing::Sse, &sse), usage("gemini-2.0-flash", 9, 14));
    let array = format!("[{},\r\n{}]", chunk("a", 1), chunk("b", 12));
    assert_eq!(
        read(Api::Gemini, Framing::Json, &array),
        usage("gemini-2.0-flash", 9, 14)
    );
}

#[test]
fn a_model_name_is_decoded_and_bounded() {
    let body = format!(
        r#"{{"model":"{}\u00e9","usage":{{"prompt_tokens":1}}}}"#,
        "m".repeat(10)
    );
    assert_eq!(
        read(Api::OpenAi, Framing::Json, &body).model.as_deref(),
        Some("mmmmmmmmmmé")
    );
    let long = format!(r#"{{"model":"{}","usage":{{"prompt_tokens":1}}}}"#, "m".repeat(500));
    assert_eq!(
        read(Api::OpenAi, Framing::Json, &long).model.map(|m| m.len()),
        Some(keydesk_core::domain::tokens::MAX_MODEL_NAME_BYTES)
    );
}

#[test]
fn a_cut_stream_reports_what_it_saw_as_incomplete() {
    let mut reader = Reader::new(Api::Anthropic, Framing::Sse);
    reader.feed(b"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude\",\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tok");
    let read = reader.usage(false);
    assert_eq!(
        (read.input, read.output, read.known, read.complete),
        (25, 1, true, false)
    );
}

#[test]
fn the_content_type_decides_the_framing() {
    assert_eq!(Framing::of(Some(b"text/event-stream; charset=utf-8")), Framing::Sse);
    assert_eq!(Framing::of(Some(b"Text/Event-Stream")), Framing::Sse);
    assert_eq!(Framing::of(Some(b"application/x-ndjson")), Framing::Json);
    assert_eq!(Framing::of(None), Framing::Json);
}

#[test]
#[ignore = "a timing probe, run by hand with --release --ignored --nocapture"]
fn probe_reading_speed() {
    let chunk = "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token 12 \"},\"finish_reason\":null}],\"usage\":null}\n\n";
    let sse = chunk.repeat(100);
    let json = format!(
        r#"{{"id":"x","model":"gpt-4o-mini","choices":[{{"index":0,"message":{{"role":"assistant","content":"{}"}}}}],"usage":{{"prompt_tokens":19,"completion_tokens":400}}}}"#,
        "The quick brown fox jumps over the lazy dog. ".repeat(40)
    );
    for (name, framing, body) in [("sse", Framing::Sse, &sse), ("json", Framing::Json, &json)] {
        let started = std::time::Instant::now();
        let rounds = 20_000;
        for _ in 0..rounds {
            let mut reader = Reader::new(Api::OpenAi, framing);
            reader.feed(std::hint::black_box(body.as_bytes()));
            std::hint::black_box(reader.usage(true));
        }
        let each = started.elapsed() / rounds;
        let rate = body.len() as f64 / each.as_secs_f64() / 1e6;
        eprintln!("{name}: {} bytes in {each:?} = {rate:.0} MB/s", body.len());
    }
}

#[test]
fn the_last_blank_line_is_found_where_a_searcher_for_it_would_find_it() {
    for text in [
        "",
        "\n",
        "a\n\nb",
        "a\n\nb\n\n",
        "\n\n\n",
        "x\ny\n",
        "\n\nabc",
        "a\n\n\nb\n",
    ] {
        assert_eq!(
            super::last_blank_line(text.as_bytes()),
            memchr::memmem::rfind(text.as_bytes(), b"\n\n"),
            "in {text:?}"
        );
    }
}
