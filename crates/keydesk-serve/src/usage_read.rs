//! Reading one relayed answer's token usage as it passes: which API an
//! answer speaks (from the request's method and path), how its body is
//! framed (one JSON document, NDJSON, a JSON array, or server-sent events),
//! and which fields carry the counts.
//!
//! Every field is taken **last value wins**: that is what each API means.
//! OpenAI streams put usage in one last chunk (`null` before it);
//! Anthropic's `message_delta.usage.output_tokens` is cumulative, so summing
//! the deltas would count the first tokens many times over; Ollama reports
//! its counts in the final `done: true` object; Gemini's last
//! `usageMetadata` is the answer's total.
//!
//! The reader never holds the answer: the scanner ([`super::json_scan`])
//! keeps a fixed amount of state, and server-sent events are split into
//! lines by a few bytes of state. An event whose JSON is one line without
//! any count's name in it (most chunks of a stream, once the model is
//! known) is not scanned at all. Only with `--stream-usage inject` are the
//! bytes of the current event held (at most [`MAX_HELD_EVENT`]), to drop the
//! usage-only chunk keydesk asked for (see [`super::stream_usage`]).

use keydesk_core::domain::TokenUsage;

use super::json_scan::{Path, Scalar, Scanner, Sink};

/// The API an answer speaks, as far as its tokens go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// OpenAI-compatible: chat completions, completions, embeddings, responses.
    OpenAi,
    /// Anthropic Messages.
    Anthropic,
    /// Ollama's native `/api/chat` and `/api/generate`.
    Ollama,
    /// Gemini's `:generateContent` and `:streamGenerateContent`.
    Gemini,
}

impl Api {
    /// The API of a `POST` to `path` (whatever prefix is before it), or
    /// `None` for a path whose answers carry no token counts keydesk reads.
    pub fn of(method: &hyper::Method, path: &str) -> Option<Api> {
        if method != hyper::Method::POST {
            return None;
        }
        const OPENAI: [&str; 4] = ["/chat/completions", "/v1/completions", "/embeddings", "/v1/responses"];
        if OPENAI.iter().any(|end| path.ends_with(end)) {
            Some(Api::OpenAi)
        } else if path.ends_with("/v1/messages") {
            Some(Api::Anthropic)
        } else if path.ends_with("/api/chat") || path.ends_with("/api/generate") {
            Some(Api::Ollama)
        } else if path.ends_with(":generateContent") || path.ends_with(":streamGenerateContent") {
            Some(Api::Gemini)
        } else {
            None
        }
    }

    /// Whether `path` is a streaming-capable OpenAI endpoint that takes
    /// `stream_options.include_usage` (chat completions and completions).
    pub fn takes_include_usage(path: &str) -> bool {
        path.ends_with("/chat/completions") || path.ends_with("/v1/completions")
    }
}

/// The longest server-sent event held whole under `--stream-usage inject`;
/// a longer one is relayed as it comes (it is not the small usage chunk).
pub const MAX_HELD_EVENT: usize = 256 * 1024;

/// The counts as read so far: each the last value seen.
#[derive(Default)]
struct Fields {
    model: Option<String>,
    input: Option<u64>,
    output: Option<u64>,
    cache_read: Option<u64>,
    cache_creation: Option<u64>,
    /// Gemini's thinking tokens, billed as output.
    thoughts: Option<u64>,
}

/// What the scanner's reports mean for one API, and for the current event.
struct Interpreter {
    api: Api,
    fields: Fields,
    /// In the current event: `choices` was an empty array, and usage counts
    /// were in it (OpenAI's usage-only chunk).
    choices_empty: bool,
    usage_in_event: bool,
}

impl Interpreter {
    fn count(&mut self, path: &Path, n: u64) {
        let fields = &mut self.fields;
        let slot = match self.api {
            Api::OpenAi => {
                // Responses API streams nest the usage under `response`.
                let is = |keys: &[&str]| path.is(keys) || path.is_under("response", keys);
                if is(&["usage", "prompt_tokens"]) || is(&["usage", "input_tokens"]) {
                    &mut fields.input
                } else if is(&["usage", "completion_tokens"]) || is(&["usage", "output_tokens"]) {
                    &mut fields.output
                } else if is(&["usage", "prompt_tokens_details", "cached_tokens"])
                    || is(&["usage", "input_tokens_details", "cached_tokens"])
                {
                    &mut fields.cache_read
                } else {
                    return;
                }
            }
            Api::Anthropic => {
                let is = |key: &str| path.is(&["usage", key]) || path.is(&["message", "usage", key]);
                if is("input_tokens") {
                    &mut fields.input
                } else if is("output_tokens") {
                    &mut fields.output
                } else if is("cache_read_input_tokens") {
                    &mut fields.cache_read
                } else if is("cache_creation_input_tokens") {
                    &mut fields.cache_creation
                } else {
                    return;
                }
            }
            Api::Ollama if path.is(&["prompt_eval_count"]) => &mut fields.input,
            Api::Ollama if path.is(&["eval_count"]) => &mut fields.output,
            Api::Ollama => return,
            Api::Gemini => {
                let is = |key: &str| path.is_maybe_in_array(&["usageMetadata", key]);
                if is("promptTokenCount") {
                    &mut fields.input
                } else if is("candidatesTokenCount") {
                    &mut fields.output
                } else if is("cachedContentTokenCount") {
                    &mut fields.cache_read
                } else if is("thoughtsTokenCount") {
                    &mut fields.thoughts
                } else {
                    return;
                }
            }
        };
        *slot = Some(n);
        self.usage_in_event = true;
    }

    fn model(&mut self, path: &Path, text: &[u8], cut: bool) {
        let named = match self.api {
            Api::OpenAi => path.is(&["model"]) || path.is(&["response", "model"]),
            Api::Anthropic => path.is(&["model"]) || path.is(&["message", "model"]),
            Api::Ollama => path.is(&["model"]),
            Api::Gemini => path.is_maybe_in_array(&["modelVersion"]),
        };
        // Every chunk of a stream names the model: the same name is not
        // made again.
        let same = self.fields.model.as_ref().is_some_and(|model| model.as_bytes() == text);
        if named && !text.is_empty() && !same {
            self.fields.model = Some(model_name(text, cut));
        }
    }
}

/// A model name from a JSON string's raw bytes: escapes decoded when the
/// whole string was kept, cut to the domain's bound.
fn model_name(raw: &[u8], cut: bool) -> String {
    let text = String::from_utf8_lossy(raw);
    let decoded = match !cut && raw.contains(&b'\\') {
        true => serde_json::from_str::<String>(&format!("\"{text}\"")).unwrap_or_else(|_| text.into_owned()),
        false => text.into_owned(),
    };
    TokenUsage::bounded_model(&decoded)
}

impl Interpreter {
    /// Whether a whole event's JSON can be left unread: one object on one
    /// line (so the scanner would end it where it started, between
    /// documents), the model already known, and no count's name in it.
    /// Most chunks of a stream are so; reading only the others is what
    /// keeps counting cheap.
    fn can_skip(&self, line: &[u8]) -> bool {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        line.first() == Some(&b'{')
            && line.last() == Some(&b'}')
            && self.fields.model.is_some()
            && count_name(self.api).find(line).is_none()
    }
}

/// Where the last `\n\n` in `bytes` starts. Runs on every frame of a
/// stream: a search for one byte from the end, with no searcher to build
/// (`memmem::rfind` builds one on each call).
fn last_blank_line(bytes: &[u8]) -> Option<usize> {
    memchr::memrchr_iter(b'\n', bytes)
        .find(|&at| at > 0 && bytes[at - 1] == b'\n')
        .map(|at| at - 1)
}

/// A part of the name of every count an API reports.
fn count_name(api: Api) -> &'static memchr::memmem::Finder<'static> {
    use std::sync::LazyLock;
    static TOKENS: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"_tokens"));
    static EVAL: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"eval_count"));
    static TOKEN_COUNT: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"TokenCount"));
    match api {
        Api::OpenAi | Api::Anthropic => &TOKENS,
        Api::Ollama => &EVAL,
        Api::Gemini => &TOKEN_COUNT,
    }
}

impl Sink for Interpreter {
    fn scalar(&mut self, path: &Path, value: Scalar) {
        match value {
            Scalar::Count(n) => self.count(path, n),
            Scalar::Text(text, cut) => self.model(path, text, cut),
            _ => {}
        }
    }

    fn array_closed(&mut self, path: &Path, empty: bool) {
        if empty && path.is(&["choices"]) {
            self.choices_empty = true;
        }
    }
}

/// How the answer's body is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// JSON documents one after another: one document, NDJSON, or an array.
    Json,
    /// Server-sent events (`text/event-stream`): JSON in `data:` lines.
    Sse,
}

impl Framing {
    /// The framing of an answer with this `Content-Type`.
    pub fn of(content_type: Option<&[u8]>) -> Framing {
        let sse = content_type
            .is_some_and(|value| value.len() >= 17 && value[..17].eq_ignore_ascii_case(b"text/event-stream"));
        if sse { Framing::Sse } else { Framing::Json }
    }
}

/// Where a server-sent event's line is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Line {
    /// At its start, these many bytes of `data:` seen.
    Start(u8),
    /// In a `data:` line's value (`space`: an optional space may come).
    Data { space: bool },
    /// In any other line (`event:`, `id:`, a comment).
    Other,
}

/// Reads one answer's usage, frame by frame.
pub struct Reader {
    framing: Framing,
    scanner: Scanner,
    meaning: Interpreter,
    line: Line,
    /// `data:` lines so far in the current event.
    data_lines: u32,
}

/// A server-sent event's end in a frame: the byte after its blank line, and
/// whether it was the usage-only chunk of an OpenAI stream.
pub struct EventEnd {
    pub at: usize,
    pub usage_only: bool,
}

impl Reader {
    pub fn new(api: Api, framing: Framing) -> Reader {
        Reader {
            framing,
            scanner: Scanner::new(),
            meaning: Interpreter {
                api,
                fields: Fields::default(),
                choices_empty: false,
                usage_in_event: false,
            },
            line: Line::Start(0),
            data_lines: 0,
        }
    }

    /// Reads the next part of the body.
    pub fn feed(&mut self, bytes: &[u8]) {
        match self.framing {
            Framing::Json => self.scanner.feed(bytes, &mut self.meaning),
            Framing::Sse => {
                let mut at = 0;
                while at < bytes.len() {
                    at += self.settled_events(&bytes[at..]);
                    if at < bytes.len() {
                        at = self.sse_step(bytes, at).map_or(bytes.len(), |end| end.at);
                    }
                }
            }
        }
    }

    /// How many bytes at the start of `bytes` are whole events that cannot
    /// change the count, and need no reading: the reader is between events,
    /// the model is known, and those events name no count (they end at the
    /// last blank line before the first count's name).
    fn settled_events(&self, bytes: &[u8]) -> usize {
        if self.line != Line::Start(0) || self.data_lines != 0 || self.meaning.fields.model.is_none() {
            return 0;
        }
        let Some(last) = last_blank_line(bytes) else {
            return 0;
        };
        let events = &bytes[..last + 2];
        match count_name(self.meaning.api).find(events) {
            None => events.len(),
            Some(named) => last_blank_line(&events[..named]).map_or(0, |end| end + 2),
        }
    }

    /// Reads server-sent events from `bytes[at..]` up to the end of the
    /// next event (returned) or of the bytes (`None`).
    pub fn sse_step(&mut self, bytes: &[u8], at: usize) -> Option<EventEnd> {
        let mut at = at;
        while at < bytes.len() {
            match self.line {
                Line::Start(seen) => {
                    let byte = bytes[at];
                    at += 1;
                    self.line = match (seen, byte) {
                        (0, b'\n') => return Some(self.event_ended(at)),
                        (0, b'\r') => Line::Start(0),
                        (4, b':') => Line::Data { space: true },
                        (_, _) if usize::from(seen) < 4 && b"data"[usize::from(seen)] == byte => Line::Start(seen + 1),
                        (_, b'\n') => Line::Start(0),
                        _ => Line::Other,
                    };
                    if self.line == (Line::Data { space: true }) {
                        if self.data_lines > 0 {
                            self.scanner.feed(b"\n", &mut self.meaning);
                        }
                        self.data_lines += 1;
                    }
                }
                Line::Data { space } => {
                    if space && bytes[at] == b' ' {
                        at += 1;
                    }
                    let rest = &bytes[at..];
                    let end = memchr::memchr(b'\n', rest);
                    let line = &rest[..end.unwrap_or(rest.len())];
                    // `space`: at the start of the line's value.
                    let whole = space && end.is_some() && self.data_lines == 1;
                    if !(whole && self.meaning.can_skip(line)) {
                        self.scanner.feed(line, &mut self.meaning);
                    }
                    at += end.map_or(rest.len(), |end| end + 1);
                    self.line = if end.is_some() {
                        Line::Start(0)
                    } else {
                        Line::Data { space: false }
                    };
                }
                Line::Other => match bytes[at..].iter().position(|&b| b == b'\n') {
                    Some(end) => {
                        at += end + 1;
                        self.line = Line::Start(0);
                    }
                    None => at = bytes.len(),
                },
            }
        }
        None
    }

    fn event_ended(&mut self, at: usize) -> EventEnd {
        self.scanner.finish(&mut self.meaning);
        self.scanner.reset();
        let usage_only = self.meaning.choices_empty && self.meaning.usage_in_event;
        self.meaning.choices_empty = false;
        self.meaning.usage_in_event = false;
        self.data_lines = 0;
        EventEnd { at, usage_only }
    }

    /// The usage read: `complete` when the body was read to its end.
    pub fn usage(&mut self, complete: bool) -> TokenUsage {
        self.scanner.finish(&mut self.meaning);
        let fields = std::mem::take(&mut self.meaning.fields);
        let known = fields.input.is_some() || fields.output.is_some();
        let cache_read = fields.cache_read.unwrap_or(0);
        let cache_creation = fields.cache_creation.unwrap_or(0);
        let mut input = fields.input.unwrap_or(0);
        if self.meaning.api == Api::Anthropic {
            // Anthropic's `input_tokens` leaves out the cached ones.
            input = input.saturating_add(cache_read).saturating_add(cache_creation);
        }
        TokenUsage {
            model: fields.model,
            input,
            output: fields.output.unwrap_or(0).saturating_add(fields.thoughts.unwrap_or(0)),
            cache_read,
            cache_creation,
            known,
            complete,
        }
    }
}

#[cfg(test)]
#[path = "usage_read_tests.rs"]
mod tests;
