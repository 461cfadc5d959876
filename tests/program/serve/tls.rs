//! `--tls-cert`/`--tls-key`: HTTPS on the TCP listener, reloaded on SIGHUP,
//! checked with real clients (curl, and a rustls client that reads the
//! certificate the server presents). Certificates are made here with rcgen.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use crate::support::{BIN, DEADLINE, Keys, Response, Server, assert_exit, find, parse_response, raw_request, wait_for};

/// A self-signed certificate for `localhost` and 127.0.0.1, and its key.
struct Pair {
    cert_pem: String,
    key_pem: String,
    der: Vec<u8>,
}

impl Pair {
    fn new() -> Pair {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        Pair {
            cert_pem: made.cert.pem(),
            key_pem: made.signing_key.serialize_pem(),
            der: made.cert.der().to_vec(),
        }
    }

    /// A line of the key's base64, to look for where it must never be.
    fn key_line(&self) -> &str {
        self.key_pem.lines().nth(1).unwrap()
    }
}

/// The files the server is given, rewritten in place to rotate them.
struct Files {
    cert: PathBuf,
    key: PathBuf,
}

impl Files {
    fn new(dir: &Path, pair: &Pair) -> Files {
        let files = Files {
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        };
        files.write(&pair.cert_pem, &pair.key_pem);
        files
    }

    fn write(&self, cert: &str, key: &str) {
        std::fs::write(&self.cert, cert).unwrap();
        std::fs::write(&self.key, key).unwrap();
    }

    fn args(&self) -> Vec<String> {
        vec![
            "--tls-cert".into(),
            self.cert.display().to_string(),
            "--tls-key".into(),
            self.key.display().to_string(),
        ]
    }
}

fn start(keys: &Keys, files: &Files, extra: &[&str]) -> Server {
    let mut args = files.args();
    args.extend(extra.iter().map(|arg| arg.to_string()));
    Server::start(&keys.db, &args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// A rustls client that trusts exactly these certificates.
fn client(trusted: &[&Pair]) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for pair in trusted {
        roots.add(pair.der.clone().into()).unwrap();
    }
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

type Tls = StreamOwned<ClientConnection, TcpStream>;

/// A new TLS connection, its handshake done.
fn connect_tls(addr: SocketAddr, config: &Arc<ClientConfig>) -> Tls {
    let name = ServerName::try_from("localhost").unwrap();
    let connection = ClientConnection::new(config.clone(), name).unwrap();
    let mut stream = StreamOwned::new(connection, crate::support::connect(addr));
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock).expect("the TLS handshake");
    }
    stream
}

/// The certificate a new connection is shown.
fn served_certificate(addr: SocketAddr, config: &Arc<ClientConfig>) -> Vec<u8> {
    let stream = connect_tls(addr, config);
    stream.conn.peer_certificates().unwrap()[0].to_vec()
}

/// Sends a keep-alive request on an open connection and reads one answer
/// (the server's answers here all have a Content-Length).
fn exchange(stream: &mut Tls, path: &str, key: &str) -> Response {
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nx-api-key: {key}\r\n\r\n"
    )
    .unwrap();
    stream.flush().unwrap();
    let mut bytes = Vec::new();
    let mut chunk = [0; 4096];
    loop {
        if let Some(end) = find(&bytes, b"\r\n\r\n") {
            let head = parse_response(&bytes[..end + 4]).unwrap();
            let length: usize = head.header("content-length").unwrap_or("0").parse().unwrap();
            if bytes.len() >= end + 4 + length {
                return parse_response(&bytes).unwrap();
            }
        }
        let n = stream.read(&mut chunk).expect("an answer");
        assert!(n > 0, "the connection closed mid-answer");
        bytes.extend_from_slice(&chunk[..n]);
    }
}

fn curl() -> Option<PathBuf> {
    let found = Command::new("curl").arg("--version").stdout(Stdio::null()).status();
    match found {
        Ok(status) if status.success() => Some(PathBuf::from("curl")),
        _ => {
            eprintln!("SKIPPED: curl is not installed (apt-get install curl); .ci/run installs it");
            None
        }
    }
}

#[test]
fn a_valid_key_gets_200_over_https_and_plain_http_to_the_tls_port_gets_no_answer() {
    let keys = Keys::new();
    let (secret, id) = keys.create("over-tls");
    let pair = Pair::new();
    let files = Files::new(keys.dir.path(), &pair);
    let server = start(&keys, &files, &[]);

    let mut stream = connect_tls(server.addr, &client(&[&pair]));
    let allowed = exchange(&mut stream, "/verify", &secret);
    assert_eq!(allowed.status, 200, "{}", allowed.body_text());
    assert_eq!(allowed.header("x-keydesk-key-id"), Some(id.as_str()));
    assert_eq!(exchange(&mut stream, "/verify", "sk-wrong").status, 401);

    let clear = format!("GET /verify HTTP/1.1\r\nHost: x\r\nx-api-key: {secret}\r\nConnection: close\r\n\r\n");
    assert!(
        raw_request(server.addr, clear.as_bytes()).is_none(),
        "plain HTTP was answered"
    );
    assert!(server.stderr().contains("listening on https://"), "{}", server.stderr());

    let Some(curl) = curl() else { return };
    let ca = files.cert.to_str().unwrap();
    // The key goes in a header file, not in curl's arguments (`ps` shows those).
    let header_file = keys.dir.path().join("headers");
    std::fs::write(&header_file, format!("Authorization: Bearer {secret}\n")).unwrap();
    let header_arg = format!("@{}", header_file.display());
    let run = |url: String, extra: &[&str]| {
        let out = Command::new(&curl)
            .args([
                "--silent",
                "--show-error",
                "--max-time",
                "30",
                "--include",
                "-H",
                &header_arg,
            ])
            .args(extra)
            .arg(url)
            .output()
            .unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (ok, out) = run(format!("https://{}/verify", server.addr), &["--cacert", ca]);
    assert!(ok && out.starts_with("HTTP/1.1 200"), "{out}");
    assert!(
        out.to_ascii_lowercase().contains(&format!("x-keydesk-key-id: {id}")),
        "{out}"
    );
    let (ok, out) = run(format!("http://{}/verify", server.addr), &[]);
    assert!(!ok && !out.contains("200"), "{out}");
    let (ok, _) = run(format!("https://{}/verify", server.addr), &[]);
    assert!(!ok, "curl trusted a self-signed certificate it was not given");
}

#[test]
fn after_sighup_new_connections_get_the_new_certificate_and_open_ones_go_on() {
    let keys = Keys::new();
    let (secret, _) = keys.create("rotating");
    let (first, second) = (Pair::new(), Pair::new());
    let files = Files::new(keys.dir.path(), &first);
    let server = start(&keys, &files, &[]);
    let trusts_both = client(&[&first, &second]);
    assert_eq!(served_certificate(server.addr, &trusts_both), first.der);
    let mut open = connect_tls(server.addr, &trusts_both);
    assert_eq!(exchange(&mut open, "/verify", &secret).status, 200);

    files.write(&second.cert_pem, &second.key_pem);
    server.signal(libc::SIGHUP);
    wait_for("new connections to see the second certificate", || {
        served_certificate(server.addr, &trusts_both) == second.der
    });
    assert_eq!(exchange(&mut open, "/verify", &secret).status, 200);
    assert_eq!(open.conn.peer_certificates().unwrap()[0].as_ref(), first.der.as_slice());
    assert!(server.stderr().contains("SIGHUP: new connections get the certificate"));
}

#[test]
fn a_bad_replacement_keeps_the_old_certificate_and_says_why_without_the_key() {
    let keys = Keys::new();
    let (first, second) = (Pair::new(), Pair::new());
    let files = Files::new(keys.dir.path(), &first);
    let server = start(&keys, &files, &[]);
    let trusts_both = client(&[&first, &second]);
    let kept = |count: usize| {
        server
            .stderr()
            .matches("SIGHUP: keeping the certificate in use")
            .count()
            == count
    };

    // A renewal caught half-written: the new certificate with the old key.
    files.write(&second.cert_pem, &first.key_pem);
    server.signal(libc::SIGHUP);
    wait_for("the refused reload to be logged", || kept(1));
    assert_eq!(served_certificate(server.addr, &trusts_both), first.der);

    std::fs::remove_file(&files.key).unwrap();
    server.signal(libc::SIGHUP);
    wait_for("the second refused reload to be logged", || kept(2));
    assert_eq!(served_certificate(server.addr, &trusts_both), first.der);

    let stderr = server.stderr();
    assert!(
        stderr.contains("does not belong") && stderr.contains(files.key.to_str().unwrap()),
        "{stderr}"
    );
    for pair in [&first, &second] {
        assert!(!stderr.contains(pair.key_line()), "key material in the log: {stderr}");
    }
}

/// Runs `keydesk serve` expecting it to refuse to start; returns its stderr.
fn refused(keys: &Keys, args: &[&str]) -> String {
    let mut child = Command::new(BIN)
        .env("KEYDESK_LANG", "en")
        .args(["serve", "--db"])
        .arg(&keys.db)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("keydesk serve {args:?} started instead of refusing");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert_exit(status, 2, &stderr);
    stderr
}

#[test]
fn bad_tls_options_exit_2_naming_the_file_and_never_quoting_the_key() {
    let keys = Keys::new();
    let (pair, other) = (Pair::new(), Pair::new());
    let files = Files::new(keys.dir.path(), &pair);
    let (cert, key) = (files.cert.to_str().unwrap(), files.key.to_str().unwrap());
    let missing = keys.dir.path().join("missing.pem");
    let missing = missing.to_str().unwrap();
    let other_key = keys.dir.path().join("other-key.pem");
    std::fs::write(&other_key, &other.key_pem).unwrap();
    let other_key = other_key.to_str().unwrap();
    let socket = format!("unix:{}", keys.dir.path().join("k.sock").display());

    let cases: [(&[&str], &str); 6] = [
        (&["--tls-cert", cert], "--tls-key"),
        (&["--tls-key", key], "--tls-cert"),
        (&["--tls-cert", missing, "--tls-key", key], missing),
        (&["--tls-cert", cert, "--tls-key", missing], missing),
        (&["--tls-cert", cert, "--tls-key", other_key], "does not belong"),
        (&["--tls-cert", key, "--tls-key", key], "no PEM certificate"),
    ];
    for (args, expected) in cases {
        let stderr = refused(&keys, args);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(
            !stderr.contains(pair.key_line()) && !stderr.contains(other.key_line()),
            "{stderr}"
        );
    }
    let stderr = refused(&keys, &["--listen", &socket, "--tls-cert", cert, "--tls-key", key]);
    assert!(stderr.contains("not a Unix socket"), "{stderr}");
}

#[test]
fn tls_satisfies_the_rule_for_addresses_beyond_loopback() {
    let keys = Keys::new();
    let (secret, _) = keys.create("reachable");
    let pair = Pair::new();
    let files = Files::new(keys.dir.path(), &pair);
    let server = start(&keys, &files, &["--listen", "0.0.0.0:0"]);
    assert!(!server.stderr().contains("WARNING"), "{}", server.stderr());
    let loopback = SocketAddr::from(([127, 0, 0, 1], server.addr.port()));
    let mut stream = connect_tls(loopback, &client(&[&pair]));
    assert_eq!(exchange(&mut stream, "/verify", &secret).status, 200);
}
