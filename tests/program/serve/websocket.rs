//! Proxy mode passes WebSocket upgrades through after the key check: a real
//! handshake on both sides (tungstenite checks `Sec-WebSocket-Accept`), then
//! bytes copied both ways.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use tungstenite::client::IntoClientRequest;
use tungstenite::handshake::server::{Request, Response};
use tungstenite::{HandshakeError, Message};

use crate::support::{DEADLINE, Keys, Server};

/// Each handshake's request headers, as the upstream saw them.
type Handshakes = Arc<Mutex<Vec<Vec<(String, String)>>>>;

/// A WebSocket echo server: counts connections, records each handshake's
/// headers, and sends every message back.
struct EchoUpstream {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    handshakes: Handshakes,
}

impl EchoUpstream {
    fn start() -> EchoUpstream {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let handshakes = Arc::new(Mutex::new(Vec::new()));
        let (counted, recorded) = (connections.clone(), handshakes.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                counted.fetch_add(1, Ordering::SeqCst);
                let recorded = recorded.clone();
                thread::spawn(move || echo(stream, &recorded));
            }
        });
        EchoUpstream {
            addr,
            connections,
            handshakes,
        }
    }
}

fn echo(stream: TcpStream, recorded: &Mutex<Vec<Vec<(String, String)>>>) {
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    // The callback's error type is tungstenite's own (an HTTP response).
    #[allow(clippy::result_large_err)]
    let record = |request: &Request, response: Response| {
        let headers = request
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        recorded.lock().unwrap().push(headers);
        Ok(response)
    };
    let Ok(mut socket) = tungstenite::accept_hdr(stream, record) else {
        return;
    };
    while let Ok(message) = socket.read() {
        if message.is_close() || socket.send(message).is_err() {
            return;
        }
    }
}

/// The upgraded socket, or the HTTP status the handshake was refused with.
fn handshake(server: &Server, key: &str) -> Result<tungstenite::WebSocket<TcpStream>, u16> {
    let stream = TcpStream::connect(server.addr).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut request = format!("ws://{}/v1/realtime", server.addr)
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {key}").parse().unwrap());
    match tungstenite::client(request, stream) {
        Ok((socket, _)) => Ok(socket),
        Err(HandshakeError::Failure(tungstenite::Error::Http(response))) => Err(response.status().as_u16()),
        Err(other) => panic!("the handshake failed without an HTTP answer: {other}"),
    }
}

#[test]
fn a_websocket_upgrade_is_passed_through_after_the_key_check_and_echoes_both_ways() {
    let keys = Keys::new();
    let (secret, id) = keys.create("realtime");
    let upstream = EchoUpstream::start();
    let url = format!("http://{}", upstream.addr);
    let server = Server::start(&keys.db, &["--upstream", &url]);

    let mut socket = handshake(&server, &secret).expect("the upgrade goes through");
    for text in ["hello", "你好, second message"] {
        socket.send(Message::text(text)).unwrap();
        assert_eq!(socket.read().unwrap(), Message::text(text));
    }
    socket.send(Message::binary(vec![0u8, 255, 7])).unwrap();
    assert_eq!(socket.read().unwrap(), Message::binary(vec![0u8, 255, 7]));
    socket.close(None).unwrap();

    let handshakes = upstream.handshakes.lock().unwrap().clone();
    assert_eq!(handshakes.len(), 1);
    let header = |name: &str| handshakes[0].iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    assert_eq!(header("x-keydesk-key-id"), Some(id));
    assert!(
        handshakes[0].iter().all(|(_, v)| !v.contains(&secret)),
        "the upstream saw the key"
    );
}

#[test]
fn a_refused_key_never_reaches_the_websocket_upstream() {
    let keys = Keys::new();
    let (secret, _) = keys.create("realtime");
    let upstream = EchoUpstream::start();
    let url = format!("http://{}", upstream.addr);
    let server = Server::start(&keys.db, &["--upstream", &url]);
    let junk = format!("sk-{}", "Z".repeat(38));
    for key in [junk.as_str(), "", &secret[..secret.len() - 1]] {
        match handshake(&server, key) {
            Err(status) => assert_eq!(status, 401),
            Ok(_) => panic!("a refused key was upgraded"),
        }
    }
    // A good key afterwards is the upstream's first connection.
    handshake(&server, &secret).expect("the upgrade goes through");
    assert_eq!(upstream.connections.load(Ordering::SeqCst), 1);
}
