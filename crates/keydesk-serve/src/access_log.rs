//! `--access-log PATH|-`: one JSON line per request, for the log pipeline an
//! operator already runs (the way nginx's `access_log` feeds it).
//!
//! Why a channel and a thread: a request handler must never wait on a disk.
//! Handlers hand a small [`Entry`] to a bounded channel with `try_send`; a
//! writer thread of its own formats and writes the lines. When the channel
//! is full (a disk slower than the traffic) the line is dropped and counted
//! (`keydesk_access_log_dropped_total`), never waited for. The writer
//! flushes after every batch it takes from the channel and, with nothing
//! queued, sleeps a moment rather than wait on the channel (so no handler
//! ever wakes it): a line reaches the file well within a second; [`close`]
//! (on SIGTERM, after the requests in flight) writes everything queued.
//!
//! What a line may hold: a key's ID, never a key or any part of one. The
//! path and method come from the client, so they are capped, written by
//! serde_json (escaped), and a path segment that looks like a key (`sk-`
//! and a run of letters or digits) is replaced; the query is never written,
//! nor is any header value.
//!
//! The file is opened in append mode and created 0600; SIGHUP reopens it
//! ([`AccessLog::reopen`]), so logrotate's `postrotate` (rename, then
//! SIGHUP) starts a new file without losing a line.
//!
//! [`close`]: AccessLog::close

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use keydesk_core::KeyId;
use keydesk_core::domain::secret;
use percent_encoding::percent_decode_str;
use prometheus_client::metrics::counter::Counter;
use serde::Serialize;

/// Lines waiting for the writer; more are dropped and counted.
pub const CHANNEL_LINES: usize = 16 * 1024;
/// How long the writer sleeps once the queue is empty: a queued line waits
/// at most about this long to be written.
const IDLE_SLEEP: Duration = Duration::from_millis(50);
/// How long it sleeps after a batch that emptied the queue: short, so a
/// burst does not fill the queue meanwhile.
const BUSY_SLEEP: Duration = Duration::from_millis(2);
/// The most lines written between two flushes.
const BATCH: usize = 1024;
/// The most bytes of a client's path (or method) a line repeats.
const MAX_PATH_BYTES: usize = 1024;
const MAX_METHOD_BYTES: usize = 32;
/// What a path segment that looks like a key becomes.
const REDACTED: &str = "[redacted]";
/// `sk-` and at least this many letters or digits is taken for a key (the
/// rule key names are held to).
const KEY_LIKE_RUN: usize = 12;

/// Where the lines go: `--access-log PATH`, or `-` for stdout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessLogTarget {
    /// `-`: standard output (a container's log collector reads it).
    Stdout,
    /// A file, created 0600 and appended to.
    File(PathBuf),
}

/// One request, as the handler knows it; formatted on the writer thread.
#[derive(Debug, Clone)]
pub struct Entry {
    pub time: SystemTime,
    pub key_id: Option<KeyId>,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub reason: Option<String>,
    pub latency: Duration,
    pub upstream: Option<Duration>,
    pub bytes_in: Option<u64>,
    pub bytes_out: u64,
    /// Input and output tokens, when the answer reported them.
    pub tokens: Option<(u64, u64)>,
}

/// The line's JSON shape; absent fields are left out.
#[derive(Serialize)]
struct Line<'a> {
    time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_id: Option<&'a str>,
    method: &'a str,
    path: &'a str,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    latency_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    upstream_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes_in: Option<u64>,
    bytes_out: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    input_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_tokens: Option<u64>,
}

impl Entry {
    /// The line, newline included.
    pub fn to_line(&self) -> Vec<u8> {
        let time = time::OffsetDateTime::from(self.time)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let line = Line {
            time,
            key_id: self.key_id.as_ref().map(KeyId::as_str),
            method: &self.method,
            path: &self.path,
            status: self.status,
            reason: self.reason.as_deref(),
            latency_ms: millis(self.latency),
            upstream_ms: self.upstream.map(millis),
            bytes_in: self.bytes_in,
            bytes_out: self.bytes_out,
            input_tokens: self.tokens.map(|(input, _)| input),
            output_tokens: self.tokens.map(|(_, output)| output),
        };
        let mut bytes = serde_json::to_vec(&line).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }
}

fn millis(duration: Duration) -> f64 {
    duration.as_micros() as f64 / 1000.0
}

/// A client's method as a line repeats it: capped.
pub fn loggable_method(method: &str) -> String {
    capped(method, MAX_METHOD_BYTES).to_owned()
}

/// A client's path as a line repeats it: each segment that holds a key
/// replaced, then capped (in that order, so a cap never leaves the part of
/// a key it cut off). (The query is never passed here.)
pub fn loggable_path(path: &str) -> String {
    if !path.split('/').any(holds_key) {
        return capped(path, MAX_PATH_BYTES).to_owned();
    }
    let redacted = path
        .split('/')
        .map(|segment| if holds_key(segment) { REDACTED } else { segment })
        .collect::<Vec<_>>()
        .join("/");
    capped(&redacted, MAX_PATH_BYTES).to_owned()
}

/// Whether a path segment holds a key: a keydesk key by the rule every
/// other place uses ([`secret::find_key_body`]: its checksummed body, with
/// or without `sk-`, as sent or percent-encoded), or another service's
/// `sk-…` key by its shape, which has no checksum to go by.
fn holds_key(segment: &str) -> bool {
    let decoded = percent_decode_str(segment).decode_utf8_lossy();
    secret::find_key_body(segment).is_some() || secret::find_key_body(&decoded).is_some() || looks_like_key(&decoded)
}

fn capped(text: &str, bytes: usize) -> &str {
    if text.len() <= bytes {
        return text;
    }
    let mut end = bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `sk-` (any case) starting a word, then [`KEY_LIKE_RUN`] or more letters
/// or digits: the shape of other services' keys.
fn looks_like_key(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    (0..bytes.len()).any(|at| {
        let starts_word = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        starts_word
            && bytes.len() >= at + 3
            && bytes[at..at + 3].eq_ignore_ascii_case(b"sk-")
            && bytes[at + 3..].iter().take_while(|b| b.is_ascii_alphanumeric()).count() >= KEY_LIKE_RUN
    })
}

enum Message {
    Line(Box<Entry>),
    /// Look at the reopen flag now.
    Wake,
    /// Write what is queued, flush, and stop.
    Close,
}

/// The handlers' side of the access log.
pub struct AccessLog {
    sender: SyncSender<Message>,
    dropped: Counter,
    reopen: Arc<AtomicBool>,
    writer: Mutex<Option<JoinHandle<()>>>,
    file: bool,
}

impl AccessLog {
    /// Opens the target (the file created 0600, in append mode) and starts
    /// the writer. An error names the path.
    pub fn open(target: &AccessLogTarget, dropped: Counter) -> Result<AccessLog, String> {
        let sink = Sink::open(target)?;
        Ok(AccessLog::start(sink, CHANNEL_LINES, dropped))
    }

    fn start(sink: Sink, capacity: usize, dropped: Counter) -> AccessLog {
        let file = matches!(sink.target, AccessLogTarget::File(_));
        let (sender, receiver) = sync_channel(capacity);
        let reopen = Arc::new(AtomicBool::new(false));
        let flag = reopen.clone();
        let writer = std::thread::Builder::new()
            .name("keydesk-access-log".into())
            .spawn(move || write_lines(receiver, sink, &flag))
            .expect("a thread can be started");
        AccessLog {
            sender,
            dropped,
            reopen,
            writer: Mutex::new(Some(writer)),
            file,
        }
    }

    /// Queues a line; never waits. A full channel drops it, counted.
    pub fn write(&self, entry: Entry) {
        match self.sender.try_send(Message::Line(Box::new(entry))) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.dropped.inc();
            }
        }
    }

    /// Whether the lines go to a file (which SIGHUP reopens), not stdout.
    pub fn has_file(&self) -> bool {
        self.file
    }

    /// Asks the writer to reopen its file (SIGHUP); it says in serve's log
    /// what came of it.
    pub fn reopen(&self) {
        self.reopen.store(true, Ordering::SeqCst);
        // A full channel means the writer is busy and sees the flag soon.
        let _ = self.sender.try_send(Message::Wake);
    }

    /// Writes every queued line, flushes, and stops the writer (waiting for
    /// it: this is the shutdown, not a request).
    pub fn close(&self) {
        let Some(writer) = self.writer.lock().ok().and_then(|mut w| w.take()) else {
            return;
        };
        let _ = self.sender.send(Message::Close);
        let _ = writer.join();
    }
}

/// Where the writer writes, and how to open it again.
struct Sink {
    target: AccessLogTarget,
    out: BufWriter<Box<dyn Write + Send>>,
}

impl Sink {
    fn open(target: &AccessLogTarget) -> Result<Sink, String> {
        Ok(Sink {
            target: target.clone(),
            out: BufWriter::with_capacity(64 * 1024, open_target(target)?),
        })
    }

    /// SIGHUP: flush, then open the path again; on failure keep the old file.
    fn reopen(&mut self) {
        let AccessLogTarget::File(path) = &self.target else {
            return;
        };
        let shown = path.display().to_string();
        let _ = self.out.flush();
        match open_target(&self.target) {
            Ok(file) => {
                self.out = BufWriter::with_capacity(64 * 1024, file);
                tracing::info!(path = %shown, "{}", tr!("cli-serve-sighup-access-log", path = shown.as_str()));
            }
            Err(why) => tracing::warn!(
                path = %shown,
                error = %why,
                "{}",
                tr!("cli-serve-sighup-access-log-kept", reason = why.as_str())
            ),
        }
    }
}

fn open_target(target: &AccessLogTarget) -> Result<Box<dyn Write + Send>, String> {
    match target {
        AccessLogTarget::Stdout => Ok(Box::new(std::io::stdout())),
        AccessLogTarget::File(path) => OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(path)
            .map(|file| Box::new(file) as Box<dyn Write + Send>)
            .map_err(|e| {
                tr!(
                    "cli-serve-access-log-unopenable",
                    path = path.display().to_string(),
                    error = e.to_string()
                )
            }),
    }
}

/// The writer thread: takes what is queued in batches, writes and flushes
/// each; when the queue is empty it sleeps ([`BUSY_SLEEP`] after lines,
/// [`IDLE_SLEEP`] after none) rather than wait
/// on the channel, so a handler's `try_send` never has a thread to wake (a
/// wake-up per line would be a system call per request).
fn write_lines(receiver: Receiver<Message>, mut sink: Sink, reopen: &AtomicBool) {
    let mut failing = false;
    loop {
        let mut closing = false;
        let mut taken = 0;
        while taken < BATCH {
            match receiver.try_recv() {
                Ok(Message::Line(entry)) => failing = note_failure(sink.out.write_all(&entry.to_line()), failing),
                Ok(Message::Wake) => {}
                Ok(Message::Close) | Err(TryRecvError::Disconnected) => {
                    closing = true;
                    break;
                }
                Err(TryRecvError::Empty) => break,
            }
            taken += 1;
        }
        if reopen.swap(false, Ordering::SeqCst) {
            sink.reopen();
        }
        if closing {
            for message in receiver.try_iter() {
                if let Message::Line(entry) = message {
                    failing = note_failure(sink.out.write_all(&entry.to_line()), failing);
                }
            }
            let _ = sink.out.flush();
            return;
        }
        failing = note_failure(sink.out.flush(), failing);
        // Busy: back soon, before the queue fills; idle: a longer nap.
        match taken {
            0 => std::thread::sleep(IDLE_SLEEP),
            n if n < BATCH => std::thread::sleep(BUSY_SLEEP),
            _ => {}
        }
    }
}

/// Says once that writing fails (a full disk), and once that it works again.
fn note_failure(result: std::io::Result<()>, failing: bool) -> bool {
    match (result, failing) {
        (Err(error), false) => {
            tracing::warn!(error = %error, "{}", tr!("cli-serve-access-log-failing", error = error.to_string()));
            true
        }
        (Err(_), true) => true,
        (Ok(()), _) => false,
    }
}

/// A relayed answer's line, written when its body ends or is dropped.
pub struct Pending {
    started: Instant,
    entry: Entry,
    log: Arc<AccessLog>,
}

impl Pending {
    pub fn new(started: Instant, entry: Entry, log: Arc<AccessLog>) -> Pending {
        Pending { started, entry, log }
    }

    pub fn write(self, bytes_out: u64, tokens: Option<(u64, u64)>) {
        let Pending {
            started,
            mut entry,
            log,
        } = self;
        entry.bytes_out = bytes_out;
        entry.tokens = tokens;
        entry.latency = started.elapsed();
        log.write(entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// A writer that blocks until told to go on, as a stalled disk does,
    /// and tells what it wrote.
    struct Stalled {
        go: mpsc::Receiver<()>,
        written: Arc<Mutex<Vec<u8>>>,
    }

    impl Write for Stalled {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let _ = self.go.recv();
            self.written.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn entry(path: &str) -> Entry {
        Entry {
            time: SystemTime::now(),
            key_id: None,
            method: "GET".into(),
            path: path.into(),
            status: 200,
            reason: None,
            latency: Duration::from_micros(1500),
            upstream: None,
            bytes_in: None,
            bytes_out: 0,
            tokens: None,
        }
    }

    #[test]
    fn a_full_channel_drops_and_counts_lines_rather_than_blocking() {
        let (go, wait) = mpsc::channel();
        let written = Arc::new(Mutex::new(Vec::new()));
        let stalled = Stalled {
            go: wait,
            written: written.clone(),
        };
        let sink = Sink {
            target: AccessLogTarget::Stdout,
            // No buffer: every line reaches the stalled writer, which blocks.
            out: BufWriter::with_capacity(0, Box::new(stalled)),
        };
        let dropped = Counter::default();
        let log = AccessLog::start(sink, 4, dropped.clone());
        // This thread never waits on the writer: 100 lines return at once
        // (were `write` blocking, this test would hang, not pass).
        for n in 0..100 {
            log.write(entry(&format!("/{n}")));
        }
        // At most the channel's 4 and the one the writer holds got through.
        assert!(dropped.get() >= 95, "dropped {}", dropped.get());
        // Let the disk go: everything queued is written on close.
        std::thread::spawn(move || while go.send(()).is_ok() {});
        log.close();
        let text = String::from_utf8(written.lock().unwrap().clone()).unwrap();
        let lines = text.lines().count() as u64;
        assert_eq!(lines + dropped.get(), 100, "{text}");
        assert!(lines >= 1);
    }

    #[test]
    fn a_line_is_json_with_the_fields_and_no_query() {
        let mut e = entry("/v1/chat");
        e.key_id = Some(KeyId::parse("ak-0123456789abcdef").unwrap());
        e.tokens = Some((12, 30));
        e.upstream = Some(Duration::from_millis(7));
        let line: serde_json::Value = serde_json::from_slice(&e.to_line()).unwrap();
        assert_eq!(line["key_id"], "ak-0123456789abcdef");
        assert_eq!(line["status"], 200);
        assert_eq!(line["latency_ms"], 1.5);
        assert_eq!(line["upstream_ms"], 7.0);
        assert_eq!(
            (line["input_tokens"].as_u64(), line["output_tokens"].as_u64()),
            (Some(12), Some(30))
        );
        assert!(line.get("reason").is_none() && line.get("bytes_in").is_none());
        time::OffsetDateTime::parse(
            line["time"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
    }

    #[test]
    fn paths_are_capped_and_key_like_segments_replaced() {
        let key = "sk-AbCdEfGhIjKlMnOpQrStUvWxYz012345abcdef";
        assert_eq!(loggable_path(&format!("/v1/{key}/chat")), "/v1/[redacted]/chat");
        assert_eq!(loggable_path(&format!("/x-{key}")), "/[redacted]");
        assert_eq!(loggable_path("/v1/task-summarization"), "/v1/task-summarization");
        // A keydesk key without its prefix, or percent-encoded, is still one.
        let secret = keydesk_core::domain::SecretKey::generate();
        let body = &secret.expose()[3..];
        assert_eq!(loggable_path(&format!("/v1/{body}")), "/v1/[redacted]");
        let encoded: String = secret.expose().bytes().map(|b| format!("%{b:02X}")).collect();
        assert_eq!(loggable_path(&format!("/v1/{encoded}/x")), "/v1/[redacted]/x");
        // A key the cap would cut is redacted before the cut.
        let near_the_cap = format!("/{}/{}", "a".repeat(MAX_PATH_BYTES - 20), secret.expose());
        assert!(!loggable_path(&near_the_cap).contains(&secret.expose()[..10]));
        let long = format!("/{}", "é".repeat(2000));
        let cut = loggable_path(&long);
        assert!(cut.len() <= MAX_PATH_BYTES && cut.starts_with("/é"));
        assert_eq!(loggable_method(&"X".repeat(100)).len(), MAX_METHOD_BYTES);
    }

    #[test]
    fn the_file_is_created_private_and_appended_to() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("access.log");
        let target = AccessLogTarget::File(path.clone());
        let log = AccessLog::open(&target, Counter::default()).unwrap();
        log.write(entry("/a"));
        log.close();
        let log = AccessLog::open(&target, Counter::default()).unwrap();
        log.write(entry("/b"));
        log.close();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
    }
}
