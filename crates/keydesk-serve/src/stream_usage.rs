//! `--stream-usage inject`: an OpenAI stream reports its tokens only when
//! the request set `stream_options.include_usage`, and many clients do not.
//! keydesk then sets it on the way up, and on the way down takes out what
//! that changed, so the client sees the stream it asked for:
//!
//! - the **usage-only chunk** (`"choices":[]` with the counts, just before
//!   `data: [DONE]`) is dropped after its counts are read;
//! - the `"usage":null` member that every other chunk then carries is
//!   removed from the chunk.
//!
//! To do that each event is held until its blank line (at most
//! [`MAX_HELD_EVENT`](super::usage_read::MAX_HELD_EVENT) bytes; a longer
//! one is relayed as it comes). Events are what a client reads anyway, so
//! holding one until its end delays nothing a client can act on; without
//! injection nothing is held at all.
//!
//! The request body is read whole to change it, within `--max-model-body`
//! and the same memory budget as bodies read for their model
//! ([`super::model_body`]). The rewrite keeps every other member, in order,
//! as it was written.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::usage_read::{MAX_HELD_EVENT, Reader};

/// Holds each event of an injected stream until its end, then relays it
/// without what injection added.
#[derive(Default)]
pub struct EventFilter {
    held: Vec<u8>,
    /// The event grew past [`MAX_HELD_EVENT`]: the rest of it is relayed as
    /// it comes.
    passing: bool,
}

impl EventFilter {
    /// Reads `data` (through `reader`, which finds the events' ends and
    /// counts) and returns what is to be relayed of it now.
    pub fn pass(&mut self, reader: &mut Reader, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < data.len() {
            let end = reader.sse_step(data, at);
            let until = end.as_ref().map_or(data.len(), |end| end.at);
            let part = &data[at..until];
            if self.passing {
                out.extend_from_slice(part);
            } else {
                self.held.extend_from_slice(part);
                if self.held.len() > MAX_HELD_EVENT {
                    out.append(&mut self.held);
                    self.passing = true;
                }
            }
            if let Some(end) = end {
                let event = std::mem::take(&mut self.held);
                if !end.usage_only || self.passing {
                    out.extend(without_null_usage(&event).unwrap_or(event));
                }
                self.passing = false;
            }
            at = until;
        }
        out
    }

    /// What is held when the stream has ended without a last blank line.
    pub fn rest(&mut self) -> Option<Vec<u8>> {
        (!self.held.is_empty()).then(|| std::mem::take(&mut self.held))
    }
}

/// A JSON object's members in their order, each value as written.
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Members, D::Error> {
        struct Ordered;
        impl<'de> Visitor<'de> for Ordered {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, Box<RawValue>>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Ordered)
    }
}

impl Members {
    fn get(&self, key: &str) -> Option<&RawValue> {
        self.0.iter().find(|(name, _)| name == key).map(|(_, value)| &**value)
    }

    fn set(&mut self, key: &str, value: Box<RawValue>) {
        match self.0.iter_mut().find(|(name, _)| name == key) {
            Some((_, old)) => *old = value,
            None => self.0.push((key.to_owned(), value)),
        }
    }

    fn write(&self) -> String {
        let mut text = String::from("{");
        for (i, (name, value)) in self.0.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&serde_json::to_string(name).expect("a string serialises"));
            text.push(':');
            text.push_str(value.get());
        }
        text.push('}');
        text
    }
}

/// The request body with `stream_options.include_usage: true` added, when
/// it asks for a stream (`"stream": true`) without asking for usage;
/// `None` when it is to be sent as it is (not a stream, usage asked for
/// already, or not a JSON object).
pub fn with_usage_requested(body: &[u8]) -> Option<Vec<u8>> {
    let mut request: Members = serde_json::from_slice(body).ok()?;
    if request.get("stream").map(RawValue::get) != Some("true") {
        return None;
    }
    let mut options = match request.get("stream_options") {
        None => Members(Vec::new()),
        Some(raw) if raw.get() == "null" => Members(Vec::new()),
        Some(raw) => serde_json::from_str(raw.get()).ok()?,
    };
    if options.get("include_usage").map(RawValue::get) == Some("true") {
        return None;
    }
    options.set("include_usage", RawValue::from_string("true".to_owned()).ok()?);
    request.set("stream_options", RawValue::from_string(options.write()).ok()?);
    Some(request.write().into_bytes())
}

/// A held event (`data: {...}` lines and a blank line) with the top-level
/// `"usage":null` member taken out of its JSON; `None` when it has none
/// (relay it as it is).
pub fn without_null_usage(event: &[u8]) -> Option<Vec<u8>> {
    const NULL_USAGE: &[u8] = b"\"usage\":null";
    event.windows(NULL_USAGE.len()).position(|w| w == NULL_USAGE)?;
    let start = event.windows(5).position(|w| w == b"data:")? + 5;
    let start = start + usize::from(event.get(start) == Some(&b' '));
    let line_end = start + event[start..].iter().position(|&b| b == b'\n')?;
    let json_end = line_end - usize::from(event[line_end - 1] == b'\r');
    let mut chunk: Members = serde_json::from_slice(&event[start..json_end]).ok()?;
    let before = chunk.0.len();
    chunk
        .0
        .retain(|(name, value)| !(name == "usage" && value.get() == "null"));
    if chunk.0.len() == before {
        return None;
    }
    let mut out = Vec::with_capacity(event.len());
    out.extend_from_slice(&event[..start]);
    out.extend_from_slice(chunk.write().as_bytes());
    out.extend_from_slice(&event[json_end..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn injected(body: &str) -> Option<String> {
        with_usage_requested(body.as_bytes()).map(|b| String::from_utf8(b).unwrap())
    }

    #[test]
    fn a_streaming_request_without_usage_gets_include_usage_and_keeps_the_rest() {
        assert_eq!(
            injected(r#"{"messages":[{"role":"user","content":"hi"}], "stream": true, "model":"gpt-4o"}"#).as_deref(),
            Some(
                r#"{"messages":[{"role":"user","content":"hi"}],"stream":true,"model":"gpt-4o","stream_options":{"include_usage":true}}"#
            )
        );
        assert_eq!(
            injected(r#"{"stream":true,"stream_options":{"include_obfuscation":false,"include_usage":false}}"#)
                .as_deref(),
            Some(r#"{"stream":true,"stream_options":{"include_obfuscation":false,"include_usage":true}}"#)
        );
        assert_eq!(
            injected(r#"{"stream":true,"stream_options":null}"#).as_deref(),
            Some(r#"{"stream":true,"stream_options":{"include_usage":true}}"#)
        );
    }

    #[test]
    fn requests_that_are_not_streams_or_ask_already_are_left_alone() {
        for body in [
            r#"{"model":"gpt-4o","messages":[]}"#,
            r#"{"stream":false}"#,
            r#"{"stream":true,"stream_options":{"include_usage":true}}"#,
            r#"not json"#,
            r#"[1,2]"#,
        ] {
            assert_eq!(injected(body), None, "{body}");
        }
    }

    #[test]
    fn an_injected_stream_reaches_the_client_as_asked_for_wherever_frames_are_cut() {
        use crate::usage_read::{Api, Framing};
        let upstream = concat!(
            "data: {\"id\":\"c\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\n",
            "data: {\"id\":\"c\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n",
            "data: {\"id\":\"c\",\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":2,\"total_tokens\":10}}\n\n",
            "data: [DONE]\n\n"
        );
        let asked_for = concat!(
            "data: {\"id\":\"c\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n",
            "data: {\"id\":\"c\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
            "data: [DONE]\n\n"
        );
        let bytes = upstream.as_bytes();
        for cut in 0..=bytes.len() {
            let mut reader = Reader::new(Api::OpenAi, Framing::Sse);
            let mut filter = EventFilter::default();
            let mut out = filter.pass(&mut reader, &bytes[..cut]);
            out.extend(filter.pass(&mut reader, &bytes[cut..]));
            assert_eq!(filter.rest(), None);
            assert_eq!(String::from_utf8(out).unwrap(), asked_for, "cut at {cut}");
            let usage = reader.usage(true);
            assert_eq!((usage.input, usage.output), (8, 2), "cut at {cut}");
        }
    }

    #[test]
    fn an_event_too_long_to_hold_is_relayed_as_it_comes() {
        use crate::usage_read::{Api, Framing};
        let long = format!(
            "data: {{\"choices\":[{{\"delta\":{{\"content\":\"{}\"}}}}]}}\n\n",
            "x".repeat(MAX_HELD_EVENT)
        );
        let mut reader = Reader::new(Api::OpenAi, Framing::Sse);
        let mut filter = EventFilter::default();
        let mut out = Vec::new();
        for part in long.as_bytes().chunks(4096) {
            out.extend(filter.pass(&mut reader, part));
            assert!(filter.held.len() <= MAX_HELD_EVENT + 4096);
        }
        assert_eq!(out, long.as_bytes());
    }

    #[test]
    fn a_null_usage_member_is_taken_out_of_a_chunk() {
        let event = b"data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"\\\"usage\\\":null\"}}],\"usage\":null}\r\n\r\n";
        let out = without_null_usage(event).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"\\\"usage\\\":null\"}}]}\r\n\r\n"
        );
        assert_eq!(without_null_usage(b"data: {\"usage\":{\"prompt_tokens\":1}}\n\n"), None);
        assert_eq!(without_null_usage(b"data: [DONE]\n\n"), None);
    }
}
