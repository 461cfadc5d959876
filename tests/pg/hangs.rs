//! A PostgreSQL server that stops answering: a port that accepts and then
//! says nothing (or nonsense). Every connection must end within its deadline.

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::{common, keydesk};

/// Far above any deadline under test: only a hang reaches it.
const HANG_BOUND: Duration = Duration::from_secs(30);

/// A port on 127.0.0.1 that accepts every connection, reads the client's
/// first bytes, answers `reply` (nothing if empty) and then holds the
/// connection open without another word, for the life of the test binary.
fn mute_server(reply: &'static [u8]) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut stream in listener.incoming().flatten() {
            let mut first = [0u8; 8];
            let _ = stream.read(&mut first);
            let _ = stream.write_all(reply);
            held.push(stream);
        }
    });
    port
}

/// Runs `command` to its end; fails the test if it is still running after
/// [`HANG_BOUND`].
fn output_within_bound(command: &mut Command) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > HANG_BOUND {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("still running after {HANG_BOUND:?}: {}", common::stderr(&out));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_server_that_accepts_and_never_answers_properly_is_given_up_on_by_the_cli_and_serve() {
    // A bogus message length: an authentication request 2 GiB long.
    let bogus: &[u8] = b"R\x7f\xff\xff\xff\x00\x00\x00";
    for (what, reply) in [("silent", &b""[..]), ("bogus length", bogus)] {
        let port = mute_server(reply);
        let url = format!("postgres://alice:hunter2-secret@127.0.0.1:{port}/kd?sslmode=disable&connect_timeout=1");
        for (lang, said) in [
            ("en", "cannot reach the PostgreSQL server"),
            ("zh-CN", "无法连接 PostgreSQL 服务器"),
        ] {
            for args in [&["list"][..], &["serve", "--listen", "127.0.0.1:0"][..]] {
                let out = output_within_bound(keydesk(&url).env("KEYDESK_LANG", lang).args(args));
                let err = common::stderr(&out);
                assert_eq!(out.status.code(), Some(3), "{what}, {args:?}: {err}");
                assert!(err.contains(said), "{what}, {lang}: {err}");
                assert!(err.contains(&format!("alice@127.0.0.1:{port}/kd")), "{what}: {err}");
                assert!(!err.contains("hunter2"), "the password was shown: {err}");
            }
        }
    }
}

#[test]
fn the_tui_says_it_is_connecting_then_gives_up_on_a_silent_server_at_connect_timeout() {
    let port = mute_server(b"");
    let url = format!("postgres://alice:hunter2-secret@127.0.0.1:{port}/kd?sslmode=disable&connect_timeout=2");
    let mut command = portable_pty::CommandBuilder::new(common::BIN);
    command.env("KEYDESK_DB", &url);
    command.env("KEYDESK_LANG", "en");
    command.env("TERM", "xterm-256color");
    command.env("XDG_CONFIG_HOME", "/nonexistent/keydesk-tests/config");
    command.env("PGPASSFILE", "/nonexistent");
    command.env_remove("PGPASSWORD");
    let mut session = common::session::Session::spawn(command, 200, 24);
    let location = format!("postgres://alice@127.0.0.1:{port}/kd");
    session.wait_for(&format!(
        "connecting to the PostgreSQL server {location} (giving up after 2 s"
    ));
    assert_eq!(session.wait_exit(), 3, "{}", session.screen());
    let screen = session.screen();
    assert!(
        screen.contains(&format!("cannot reach the PostgreSQL server {location}: connecting")),
        "{screen}"
    );
    assert!(
        !common::session::contains(&session.raw, b"hunter2"),
        "the password was shown: {screen}"
    );
}
