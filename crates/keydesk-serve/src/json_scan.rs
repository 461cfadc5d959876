//! A streaming JSON scanner that reads a relayed answer byte by byte, as it
//! passes, and reports only its scalars with the path they are at: the
//! token counts are a few numbers somewhere in an answer that may be
//! megabytes of generated text, streamed in frames cut anywhere.
//!
//! Why not a JSON parser: a parser builds the document (memory grows with
//! the answer) and needs the whole of it (the relay would have to buffer).
//! This keeps a fixed amount of state whatever it reads: the path is kept
//! for at most [`MAX_DEPTH`] levels, each key for at most [`MAX_KEY`]
//! bytes, each string value for at most [`MAX_STRING`] bytes (the rest of a
//! long string is skipped, not copied), each number for [`MAX_NUMBER`]
//! bytes. Deeper levels are counted but not named (no field keydesk reads is
//! that deep), and a longer key never matches. A sequence of documents
//! (NDJSON, or concatenated JSON) is read one after another; bytes that are
//! not JSON make the scanner stop reporting until [`Scanner::reset`].

/// Levels of nesting whose keys are kept.
pub const MAX_DEPTH: usize = 8;
/// Bytes of an object key kept; a longer key matches nothing.
pub const MAX_KEY: usize = 40;
/// Bytes of a string value kept (a model name is at most 128 bytes).
pub const MAX_STRING: usize = 160;
/// Bytes of a number kept; a longer one is not a token count.
pub const MAX_NUMBER: usize = 24;

/// A scalar value, as far as it was kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    /// A non-negative integer that fits in a `u64`.
    Count(u64),
    /// Any other number.
    OtherNumber,
    /// A string's raw bytes (escapes not decoded), and whether it was cut.
    Text(&'a [u8], bool),
    Bool(bool),
    Null,
}

/// One level of the path.
#[derive(Clone, Copy)]
struct Level {
    object: bool,
    /// In an object: whether the next string is a key.
    expecting_key: bool,
    /// In an array: the index of the current element; whether any was seen.
    index: u32,
    filled: bool,
    key: [u8; MAX_KEY],
    key_len: u8,
    key_cut: bool,
}

impl Level {
    const fn new(object: bool) -> Level {
        Level {
            object,
            expecting_key: object,
            index: 0,
            filled: false,
            key: [0; MAX_KEY],
            key_len: 0,
            key_cut: false,
        }
    }

    fn key(&self) -> Option<&[u8]> {
        (self.object && !self.key_cut).then(|| &self.key[..usize::from(self.key_len)])
    }
}

/// Where a scalar was found: the keys (and array levels) leading to it.
pub struct Path<'a> {
    levels: &'a [Level],
}

impl Path<'_> {
    /// Whether the path is exactly these object keys, from the top.
    pub fn is(&self, keys: &[&str]) -> bool {
        self.levels.len() == keys.len()
            && self
                .levels
                .iter()
                .zip(keys)
                .all(|(level, key)| level.key() == Some(key.as_bytes()))
    }

    /// Whether the path is `first` then these keys, from the top.
    pub fn is_under(&self, first: &str, keys: &[&str]) -> bool {
        self.levels
            .first()
            .is_some_and(|level| level.key() == Some(first.as_bytes()))
            && Path {
                levels: &self.levels[1..],
            }
            .is(keys)
    }

    /// Like [`Path::is`], also under one top-level array (a JSON array of
    /// documents, as Gemini streams without `alt=sse`).
    pub fn is_maybe_in_array(&self, keys: &[&str]) -> bool {
        match self.levels.first() {
            Some(first) if !first.object => Path {
                levels: &self.levels[1..],
            }
            .is(keys),
            _ => self.is(keys),
        }
    }
}

/// What the scanner reports to.
pub trait Sink {
    /// A scalar at `path`.
    fn scalar(&mut self, path: &Path, value: Scalar);
    /// An array at `path` closed; `empty` when it had no element.
    fn array_closed(&mut self, _path: &Path, _empty: bool) {}
    /// A top-level value ended.
    fn document_ended(&mut self) {}
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lex {
    Between,
    Str { key: bool, escaped: bool },
    Number,
    Literal,
    Broken,
}

/// The scanner's state: fixed size, whatever it reads.
pub struct Scanner {
    lex: Lex,
    levels: [Level; MAX_DEPTH],
    /// The real depth; levels beyond [`MAX_DEPTH`] are not kept.
    depth: usize,
    token: [u8; MAX_STRING],
    token_len: usize,
    token_cut: bool,
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner::new()
    }
}

impl Scanner {
    pub fn new() -> Scanner {
        Scanner {
            lex: Lex::Between,
            levels: [Level::new(false); MAX_DEPTH],
            depth: 0,
            token: [0; MAX_STRING],
            token_len: 0,
            token_cut: false,
        }
    }

    /// Forgets everything: the next byte starts a new document.
    pub fn reset(&mut self) {
        self.lex = Lex::Between;
        self.depth = 0;
        self.token_len = 0;
    }

    /// Reads `bytes`, the next part of the text.
    pub fn feed(&mut self, bytes: &[u8], sink: &mut impl Sink) {
        let mut at = 0;
        while at < bytes.len() {
            at = match self.lex {
                Lex::Broken => return,
                Lex::Str { key, escaped } => self.string(bytes, at, key, escaped, sink),
                Lex::Number | Lex::Literal => self.word(bytes, at, sink),
                Lex::Between => {
                    if self.structure(bytes[at], sink) {
                        at + 1
                    } else {
                        at
                    }
                }
            };
        }
    }

    /// Tells the scanner the text has ended: a number at the very end of a
    /// document (`42` with no byte after it) is complete now.
    pub fn finish(&mut self, sink: &mut impl Sink) {
        if matches!(self.lex, Lex::Number | Lex::Literal) {
            self.end_word(sink);
        }
    }

    fn kept(&self) -> &[Level] {
        &self.levels[..self.depth.min(MAX_DEPTH)]
    }

    fn top(&mut self) -> Option<&mut Level> {
        match self.depth {
            0 => None,
            depth if depth <= MAX_DEPTH => Some(&mut self.levels[depth - 1]),
            _ => None,
        }
    }

    /// A byte between tokens. Returns whether it was consumed (a number or
    /// literal starting here is read from this same byte).
    fn structure(&mut self, byte: u8, sink: &mut impl Sink) -> bool {
        match byte {
            b' ' | b'\t' | b'\r' | b'\n' => {}
            b'{' | b'[' => {
                self.value_starts();
                if self.depth < MAX_DEPTH {
                    self.levels[self.depth] = Level::new(byte == b'{');
                }
                self.depth += 1;
            }
            b'}' | b']' => self.close(byte == b']', sink),
            b',' => match self.top() {
                Some(level) if level.object => level.expecting_key = true,
                Some(level) => level.index = level.index.saturating_add(1),
                None => {}
            },
            b':' => {
                if let Some(level) = self.top() {
                    level.expecting_key = false;
                }
            }
            b'"' => {
                let key = self.top().is_some_and(|level| level.object && level.expecting_key);
                if key {
                    let level = self.top().expect("checked above");
                    level.key_len = 0;
                    level.key_cut = false;
                } else {
                    self.value_starts();
                }
                self.token_len = 0;
                self.token_cut = false;
                self.lex = Lex::Str { key, escaped: false };
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                self.value_starts();
                self.token_len = 0;
                self.token_cut = false;
                self.lex = if byte.is_ascii_alphabetic() {
                    Lex::Literal
                } else {
                    Lex::Number
                };
                return false;
            }
            _ => self.lex = Lex::Broken,
        }
        true
    }

    fn value_starts(&mut self) {
        if let Some(level) = self.top()
            && !level.object
        {
            level.filled = true;
        }
    }

    fn close(&mut self, array: bool, sink: &mut impl Sink) {
        if self.depth == 0 {
            self.lex = Lex::Broken;
            return;
        }
        if array && self.depth <= MAX_DEPTH {
            let level = self.levels[self.depth - 1];
            let path = Path {
                levels: &self.levels[..self.depth - 1],
            };
            sink.array_closed(&path, !level.filled);
        }
        self.depth -= 1;
        if self.depth == 0 {
            sink.document_ended();
        }
    }

    /// Inside a string: skips to its end, keeping at most the bounded part.
    fn string(&mut self, bytes: &[u8], at: usize, key: bool, escaped: bool, sink: &mut impl Sink) -> usize {
        let mut at = at;
        let rest = &bytes[at..];
        let mut escaped = escaped;
        let mut from = 0;
        if escaped && !rest.is_empty() {
            escaped = false;
            from = 1;
        }
        let mut end = None;
        while let Some(found) = memchr::memchr2(b'"', b'\\', &rest[from..]) {
            let i = from + found;
            if rest[i] == b'"' {
                end = Some(i);
                break;
            }
            // A backslash: the byte after it is escaped, whatever it is.
            if i + 1 == rest.len() {
                escaped = true;
                break;
            }
            from = i + 2;
        }
        let kept_until = end.unwrap_or(rest.len());
        self.keep(&rest[..kept_until], key);
        at += kept_until;
        match end {
            None => {
                self.lex = Lex::Str { key, escaped };
                bytes.len()
            }
            Some(_) => {
                self.lex = Lex::Between;
                if !key {
                    let text = Scalar::Text(&self.token[..self.token_len], self.token_cut);
                    sink.scalar(&Path { levels: self.kept() }, text);
                    self.after_value(sink);
                }
                at + 1
            }
        }
    }

    /// Keeps the start of a key or string value, within its bound.
    fn keep(&mut self, part: &[u8], key: bool) {
        if key {
            if let Some(level) = self.top() {
                let len = usize::from(level.key_len);
                let room = MAX_KEY - len;
                let taken = part.len().min(room);
                level.key[len..len + taken].copy_from_slice(&part[..taken]);
                level.key_len = (len + taken) as u8;
                level.key_cut |= part.len() > room;
            }
            return;
        }
        let room = MAX_STRING - self.token_len;
        let taken = part.len().min(room);
        self.token[self.token_len..self.token_len + taken].copy_from_slice(&part[..taken]);
        self.token_len += taken;
        self.token_cut |= part.len() > room;
    }

    /// Inside a number or `true`/`false`/`null`: reads to its end.
    fn word(&mut self, bytes: &[u8], at: usize, sink: &mut impl Sink) -> usize {
        let rest = &bytes[at..];
        let length = rest
            .iter()
            .position(|byte| !(byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'+' | b'.')))
            .unwrap_or(rest.len());
        let room = MAX_NUMBER - self.token_len.min(MAX_NUMBER);
        let taken = length.min(room);
        self.token[self.token_len..self.token_len + taken].copy_from_slice(&rest[..taken]);
        self.token_len += taken;
        self.token_cut |= length > room;
        if length < rest.len() {
            self.end_word(sink);
        }
        at + length
    }

    fn end_word(&mut self, sink: &mut impl Sink) {
        let word = &self.token[..self.token_len];
        let value = match (self.lex, word) {
            (Lex::Literal, b"true") => Scalar::Bool(true),
            (Lex::Literal, b"false") => Scalar::Bool(false),
            (Lex::Literal, b"null") => Scalar::Null,
            (Lex::Literal, _) => {
                self.lex = Lex::Broken;
                return;
            }
            _ if self.token_cut => Scalar::OtherNumber,
            _ => std::str::from_utf8(word)
                .ok()
                .and_then(|text| text.parse::<u64>().ok())
                .map_or(Scalar::OtherNumber, Scalar::Count),
        };
        self.lex = Lex::Between;
        sink.scalar(&Path { levels: self.kept() }, value);
        self.after_value(sink);
    }

    /// A scalar ended: at the top level, that is a document.
    fn after_value(&mut self, sink: &mut impl Sink) {
        if self.depth == 0 {
            sink.document_ended();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every scalar as `path=value`, and `|` at each document's end.
    #[derive(Default)]
    struct Seen(Vec<String>);

    impl Sink for Seen {
        fn scalar(&mut self, path: &Path, value: Scalar) {
            let keys: Vec<String> = path
                .levels
                .iter()
                .map(|level| match level.key() {
                    Some(key) => String::from_utf8_lossy(key).into_owned(),
                    None if level.object => "…".to_owned(),
                    None => format!("[{}]", level.index),
                })
                .collect();
            let shown = match value {
                Scalar::Count(n) => n.to_string(),
                Scalar::OtherNumber => "#".to_owned(),
                Scalar::Text(text, cut) => format!("{}{}", String::from_utf8_lossy(text), if cut { "…" } else { "" }),
                Scalar::Bool(b) => b.to_string(),
                Scalar::Null => "null".to_owned(),
            };
            self.0.push(format!("{}={shown}", keys.join(".")));
        }
        fn array_closed(&mut self, _path: &Path, empty: bool) {
            self.0.push(format!("]{}", if empty { "empty" } else { "" }));
        }
        fn document_ended(&mut self) {
            self.0.push("|".to_owned());
        }
    }

    fn scan_in_parts(parts: &[&[u8]]) -> Vec<String> {
        let mut scanner = Scanner::new();
        let mut seen = Seen::default();
        for part in parts {
            scanner.feed(part, &mut seen);
        }
        scanner.finish(&mut seen);
        seen.0
    }

    const DOC: &str = r#"{"model":"gpt-4o","a":[1,{"b":"x\"y"},[]],"usage":{"prompt_tokens":12,"n":-1.5e3,"ok":true,"z":null}}
{"done":false} 7"#;

    #[test]
    fn scalars_are_reported_with_their_paths_and_documents_end() {
        assert_eq!(
            scan_in_parts(&[DOC.as_bytes()]),
            [
                "model=gpt-4o",
                "a.[0]=1",
                "a.[1].b=x\\\"y",
                "]empty",
                "]",
                "usage.prompt_tokens=12",
                "usage.n=#",
                "usage.ok=true",
                "usage.z=null",
                "|",
                "done=false",
                "|",
                "=7",
                "|",
            ]
        );
    }

    #[test]
    fn a_text_split_at_every_byte_is_read_the_same() {
        let whole = scan_in_parts(&[DOC.as_bytes()]);
        let bytes = DOC.as_bytes();
        for cut in 0..=bytes.len() {
            assert_eq!(scan_in_parts(&[&bytes[..cut], &bytes[cut..]]), whole, "cut at {cut}");
        }
        let singles: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(scan_in_parts(&singles), whole);
    }

    #[test]
    fn huge_strings_keys_and_numbers_are_skipped_in_fixed_memory() {
        let long_text = "é".repeat(5_000_000);
        let long_key = "k".repeat(1000);
        let text = format!(
            r#"{{"content":"{long_text}","{long_key}":1,"n":{},"usage":{{"prompt_tokens":3}}}}"#,
            "9".repeat(100)
        );
        let mut scanner = Scanner::new();
        let before = std::mem::size_of_val(&scanner);
        let mut seen = Seen::default();
        for part in text.as_bytes().chunks(65_536) {
            scanner.feed(part, &mut seen);
        }
        assert_eq!(std::mem::size_of_val(&scanner), before);
        assert_eq!(seen.0[0].len(), "content=".len() + MAX_STRING + "…".len());
        assert_eq!(seen.0[1], "…=1", "a key too long to keep matches nothing");
        assert_eq!(seen.0[2], "n=#");
        assert_eq!(seen.0[3], "usage.prompt_tokens=3");
    }

    #[test]
    fn levels_deeper_than_kept_are_counted_not_named() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 5), "]".repeat(MAX_DEPTH + 5));
        let text = format!(r#"{{"x":{deep},"usage":{{"output_tokens":5}}}}"#);
        let seen = scan_in_parts(&[text.as_bytes()]);
        assert!(seen.contains(&"usage.output_tokens=5".to_owned()), "{seen:?}");
    }

    #[test]
    fn text_that_is_not_json_stops_the_report_until_reset() {
        let mut scanner = Scanner::new();
        let mut seen = Seen::default();
        scanner.feed(b"[DONE]", &mut seen);
        scanner.feed(br#"{"a":1}"#, &mut seen);
        assert!(seen.0.iter().all(|s| !s.contains("a=")), "{:?}", seen.0);
        scanner.reset();
        scanner.feed(br#"{"a":1}"#, &mut seen);
        assert!(seen.0.contains(&"a=1".to_owned()));
    }
}
