//! Helpers for the `keydesk serve` tests: the real binary started on a free
//! loopback port, a raw HTTP/1.1 client (so tests can send what no polite
//! client would), and a stub upstream that records what reaches it.

#![allow(dead_code)] // each test module uses a different subset

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

pub use crate::common::BIN;
/// Generous: CI is a loaded 2-core machine.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// A database with keys, in a temporary directory.
pub struct Keys {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub store: keydesk::Store,
}

impl Keys {
    pub fn new() -> Keys {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("keys.redb");
        let store = keydesk::Store::open(&db).unwrap();
        Keys { dir, db, store }
    }

    /// Creates a key; returns (secret, id).
    pub fn create(&self, name: &str) -> (String, String) {
        use keydesk::KeyStore;
        let (secret, record) = self.store.create(&keydesk::KeyName::parse(name).unwrap()).unwrap();
        (secret.expose().to_owned(), record.id.as_str().to_owned())
    }

    /// Creates a key with a policy in its text form (`rpm=2 methods=GET`);
    /// returns (secret, id).
    pub fn create_with_policy(&self, name: &str, policy: &str) -> (String, String) {
        use keydesk::KeyStore;
        let policy = keydesk::domain::Policy::parse(policy).unwrap();
        let name = keydesk::KeyName::parse(name).unwrap();
        let (secret, record) = self.store.create_with_policy(&name, None, &policy).unwrap();
        (secret.expose().to_owned(), record.id.as_str().to_owned())
    }

    /// Replaces a key's policy (text form).
    pub fn set_policy(&self, id: &str, policy: &str) {
        use keydesk::KeyStore;
        let policy = keydesk::domain::Policy::parse(policy).unwrap();
        let id = keydesk::KeyId::parse(id).unwrap();
        self.store.set_policy(&id, &policy).unwrap();
    }
}

/// A running `keydesk serve`, killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub stderr: Arc<Mutex<String>>,
}

impl Server {
    pub fn start(db: &Path, args: &[&str]) -> Server {
        let mut command = Command::new(BIN);
        command.arg("serve").arg("--db").arg(db);
        Server::launch(command, args)
    }

    /// As [`Server::start`], with the database in `KEYDESK_DB`: a URL
    /// holding a password is refused on the command line.
    pub fn start_with_env_db(db: &str, args: &[&str]) -> Server {
        let mut command = Command::new(BIN);
        command.arg("serve").env("KEYDESK_DB", db);
        Server::launch(command, args)
    }

    /// Starts `command` (`keydesk serve` with its database) with `args`,
    /// on a free loopback port unless `args` name `--listen`.
    pub fn launch(command: Command, args: &[&str]) -> Server {
        Server::launch_with_stdout(command, args, Stdio::null())
    }

    /// As [`Server::launch`], with the server's stdout going to `stdout`
    /// (`Stdio::piped()` to read it from `child.stdout`).
    pub fn launch_with_stdout(mut command: Command, args: &[&str], stdout: Stdio) -> Server {
        let mut child = command
            // The "listening on" line is read, in English.
            .env("KEYDESK_LANG", "en")
            .args(if args.contains(&"--listen") {
                &[][..]
            } else {
                &["--listen", "127.0.0.1:0"][..]
            })
            .args(args)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(Stdio::piped())
            .spawn()
            .expect("the keydesk binary starts");
        let (stderr, listening) = collect_stderr(child.stderr.take().unwrap());
        let addr = match listening.recv_timeout(DEADLINE) {
            Ok(line) => line.trim().parse().unwrap(),
            Err(_) => {
                let _ = child.kill();
                panic!("keydesk serve did not start: {}", stderr.lock().unwrap());
            }
        };
        Server { child, addr, stderr }
    }

    #[allow(unsafe_code)]
    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill(2) with the pid of our own child and a valid signal number.
        unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
    }

    /// Waits for the process to exit, with a deadline.
    pub fn wait(&mut self) -> ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < DEADLINE, "keydesk serve did not exit");
            thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        request(self.addr, "GET", path, headers, b"")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads the child's stderr on a thread: all of it into a buffer, and the
/// address of the "listening on http://ADDR" (or https://) line to the channel,
/// also when that line is a JSON object (`--log-format json`).
fn collect_stderr(stderr: impl Read + Send + 'static) -> (Arc<Mutex<String>>, Receiver<String>) {
    let text = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let buffer = text.clone();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some((_, url)) = message_of(&line).split_once("listening on ") {
                let addr = url.trim_start_matches("https://").trim_start_matches("http://");
                let _ = tx.send(addr.to_owned());
            }
            let mut buffer = buffer.lock().unwrap();
            buffer.push_str(&line);
            buffer.push('\n');
        }
    });
    (text, rx)
}

/// A stderr line's message: the line itself, or a JSON line's `message`.
fn message_of(line: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(line) {
        Ok(object) => object["message"].as_str().unwrap_or_default().to_owned(),
        Err(_) => line.to_owned(),
    }
}

/// Waits until `done` holds, polling, or fails the test after [`DEADLINE`].
pub fn wait_for(what: &str, done: impl FnMut() -> bool) -> Duration {
    crate::common::wait_for_within(DEADLINE, what, done)
}

/// A free loopback port (bound, read, released; a tiny race other tests
/// could lose, which is why servers that can report their port do).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request on a new connection, `Connection: close`.
pub fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    let mut raw = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n").into_bytes();
    for (name, value) in headers {
        raw.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    if !body.is_empty() {
        raw.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    raw.extend_from_slice(b"\r\n");
    raw.extend_from_slice(body);
    raw_request(addr, &raw).expect("a response")
}

/// Sends raw bytes and reads the answer to the end; `None` when the server
/// closed the connection without answering.
pub fn raw_request(addr: SocketAddr, raw: &[u8]) -> Option<Response> {
    let mut stream = connect(addr);
    // The server may close before reading everything (e.g. oversized headers).
    let _ = stream.write_all(raw);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    parse_response(&answer)
}

pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream
}

/// Parses a whole HTTP/1.1 response (with a length, chunked, or to the end).
pub fn parse_response(bytes: &[u8]) -> Option<Response> {
    let end = find(bytes, b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]);
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut response = Response {
        status,
        headers,
        body: bytes[end + 4..].to_vec(),
    };
    if response.header("transfer-encoding") == Some("chunked") {
        response.body = dechunk(&response.body);
    }
    Some(response)
}

fn dechunk(mut bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = find(bytes, b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&bytes[..line_end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&bytes[start..(start + size).min(bytes.len())]);
        bytes = &bytes[(start + size + 2).min(bytes.len())..];
    }
    out
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A stub upstream on a free loopback port: records the head and body of
/// every request and answers `200 upstream saw <x-keydesk-key-id>`.
/// With `hold`, it sends the first SSE chunk at once and the rest only after
/// the test sends on the channel, so a test can tell streaming from
/// buffering without timing anything.
pub struct Upstream {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<String>>>,
    pub release: Option<Sender<()>>,
}

/// How the stub answers.
#[derive(Clone)]
enum Reply {
    /// `upstream saw <key id>`.
    Echo,
    /// An SSE stream held until released.
    Held(Arc<Mutex<Receiver<()>>>),
    /// This JSON, always.
    Json(&'static str),
}

impl Upstream {
    pub fn start() -> Upstream {
        Upstream::spawn(Reply::Echo)
    }

    /// Answers every request `200` with this JSON body (e.g. a chat
    /// completion, for an SDK client).
    pub fn answering_json(body: &'static str) -> Upstream {
        Upstream::spawn(Reply::Json(body))
    }

    /// The SSE variant: `data: first`, then waits for `release`, then
    /// `data: second` and `data: [DONE]`.
    pub fn streaming() -> Upstream {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut upstream = Upstream::spawn(Reply::Held(Arc::new(Mutex::new(rx))));
        upstream.release = Some(tx);
        upstream
    }

    fn spawn(reply: Reply) -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let recorded = seen.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let recorded = recorded.clone();
                let reply = reply.clone();
                thread::spawn(move || serve_stub(stream, &recorded, &reply));
            }
        });
        Upstream {
            addr,
            seen,
            release: None,
        }
    }

    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// Answers requests on one connection until the client closes it.
fn serve_stub(mut stream: TcpStream, seen: &Mutex<Vec<String>>, reply: &Reply) {
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut buffer = Vec::new();
    loop {
        let Some(end) = read_until(&mut stream, &mut buffer, b"\r\n\r\n") else {
            return;
        };
        let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
        let body_start = end + 4;
        let Some((body, length)) = read_body(&mut stream, &mut buffer, &head, body_start) else {
            return;
        };
        seen.lock().unwrap().push(format!("{head}\r\n\r\n{body}"));
        buffer.drain(..body_start + length);
        let key_id = header_in(&head, "x-keydesk-key-id").unwrap_or_default();
        let answered = match reply {
            Reply::Echo => {
                let text = format!("upstream saw {key_id}");
                let reply = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{text}", text.len());
                stream.write_all(reply.as_bytes())
            }
            Reply::Held(release) => stream_events(&mut stream, release),
            Reply::Json(body) => {
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json";
                let reply = format!("{head}\r\nContent-Length: {}\r\n\r\n{body}", body.len());
                stream.write_all(reply.as_bytes())
            }
        };
        if answered.is_err() {
            return;
        }
    }
}

/// The body after a request head at `body_start` (by `Content-Length`, or
/// chunked, decoded), and how many bytes of `buffer` it took.
pub fn read_body(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    head: &str,
    body_start: usize,
) -> Option<(String, usize)> {
    let chunked = header_in(head, "transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length = if chunked {
        let mut rest = buffer.split_off(body_start);
        let end = read_until(stream, &mut rest, b"0\r\n\r\n");
        buffer.append(&mut rest);
        end? + 5
    } else {
        header_in(head, "content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0usize)
    };
    while buffer.len() < body_start + length {
        let mut chunk = [0; 4096];
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    let body = &buffer[body_start..body_start + length];
    let body = if chunked { dechunk(body) } else { body.to_vec() };
    Some((String::from_utf8_lossy(&body).into_owned(), length))
}

fn stream_events(stream: &mut TcpStream, release: &Mutex<Receiver<()>>) -> std::io::Result<()> {
    let chunk = |text: &str| format!("{:x}\r\n{text}\r\n", text.len());
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
    stream.write_all(format!("{head}{}", chunk("data: first\n\n")).as_bytes())?;
    stream.flush()?;
    let _ = release.lock().unwrap().recv_timeout(DEADLINE);
    stream.write_all(format!("{}{}0\r\n\r\n", chunk("data: second\n\n"), chunk("data: [DONE]\n\n")).as_bytes())
}

pub fn read_until(stream: &mut TcpStream, buffer: &mut Vec<u8>, needle: &[u8]) -> Option<usize> {
    loop {
        if let Some(at) = find(buffer, needle) {
            return Some(at);
        }
        let mut chunk = [0; 4096];
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

/// A header's value in a raw request head (case-insensitive name).
pub fn header_in(head: &str, name: &str) -> Option<String> {
    head.split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim().to_owned())
}

/// The process exited normally (not by a signal) with `code`.
pub fn assert_exit(status: ExitStatus, code: i32, stderr: &str) {
    assert_eq!(status.code(), Some(code), "stderr: {stderr}");
}
