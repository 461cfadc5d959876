//! serve's own messages on stderr: the text a person reads by default, one
//! JSON object per line with `--log-format json`, and accept errors (out of
//! file descriptors) reported rather than swallowed, without a flood.

use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

use crate::support::*;

/// Every stderr line as a JSON object, failing on a line that is not one.
fn json_lines(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect()
}

/// The fields every JSON line has, whatever it says.
fn assert_common_fields(line: &Value) {
    for field in ["timestamp", "level", "target", "message"] {
        assert!(line[field].is_string(), "no {field}: {line}");
    }
    assert!(line["target"].as_str().unwrap().starts_with("keydesk_serve"), "{line}");
}

#[test]
fn json_lines_carry_level_timestamp_target_message_and_fields() {
    let keys = Keys::new();
    let mut server = Server::start(&keys.db, &["--log-format", "json"]);
    server.signal(libc::SIGTERM);
    assert_exit(server.wait(), 0, &server.stderr());
    let lines = json_lines(&server.stderr());
    lines.iter().for_each(assert_common_fields);
    let listening = lines
        .iter()
        .find(|line| line["message"].as_str().unwrap().contains("listening on"))
        .expect("a listening line");
    assert_eq!(listening["level"], "INFO", "{listening}");
    assert_eq!(listening["address"], format!("http://{}", server.addr), "{listening}");
    let stopping = lines
        .iter()
        .find(|line| line["message"].as_str().unwrap().contains("finishing requests"))
        .expect("a stopping line");
    assert_eq!(stopping["signal"], "SIGTERM", "{stopping}");
}

#[test]
fn the_text_format_is_the_messages_alone() {
    let keys = Keys::new();
    let mut server = Server::start(&keys.db, &[]);
    server.signal(libc::SIGTERM);
    assert_exit(server.wait(), 0, &server.stderr());
    assert_eq!(
        server.stderr(),
        format!(
            "keydesk serve: listening on http://{}\nkeydesk serve: SIGTERM: finishing requests in flight\n",
            server.addr
        )
    );
}

/// Starts serve able to open only a few files, so that a handful of idle
/// connections exhausts its descriptors.
#[allow(unsafe_code)]
fn start_with_few_files(db: &std::path::Path) -> Server {
    let mut command = Command::new(BIN);
    command.arg("serve").arg("--db").arg(db);
    // SAFETY: setrlimit is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            let few = libc::rlimit {
                rlim_cur: 64,
                rlim_max: 64,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &few) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    Server::launch(
        command,
        &["--log-format", "json", "--threads", "1", "--header-timeout", "600s"],
    )
}

fn accept_errors(server: &Server) -> Vec<Value> {
    json_lines(&server.stderr())
        .into_iter()
        .filter(|line| line["message"].as_str().unwrap().contains("cannot accept"))
        .collect()
}

#[test]
fn running_out_of_file_descriptors_is_logged_at_warn_without_a_flood() {
    let keys = Keys::new();
    let server = start_with_few_files(&keys.db);
    let mut idle = Vec::new();
    wait_for("an accept error on stderr", || {
        // Idle connections each hold one of the server's descriptors; the
        // kernel queues the ones it cannot accept.
        // At most 100: fewer than the kernel's smallest listen backlog, so
        // that a connect never waits.
        if idle.len() < 100 {
            idle.push(TcpStream::connect(server.addr).unwrap());
        }
        !accept_errors(&server).is_empty()
    });
    let first_reported = Instant::now();
    let first = &accept_errors(&server)[0];
    assert_common_fields(first);
    assert_eq!(first["level"], "WARN", "{first}");
    assert!(
        first["error"].as_str().unwrap().contains("Too many open files"),
        "{first}"
    );
    assert_eq!(first["failures"], 1, "{first}");
    // Freed descriptors let the server serve again; meanwhile it kept
    // retrying every few milliseconds, but reported at most once per 10 s.
    drop(idle);
    wait_for("a request served after the descriptors are freed", || {
        server.get("/healthz", &[]).status == 200
    });
    let reports = accept_errors(&server).len() as u64;
    let allowed = 2 + first_reported.elapsed().as_secs() / 10;
    assert!(reports <= allowed, "{reports} reports: {}", server.stderr());
}
