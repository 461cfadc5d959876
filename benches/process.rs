//! keydesk as people and services run it: whole processes, timed from spawn.
//!
//! - `keydesk verify` on a 100k-key store, beside `keydesk --version` (the
//!   cost of starting the process at all), interleaved so both see the same
//!   machine conditions. Target: median ≤ 5 ms and ≤ 3× `--version`.
//! - The TUI in a pseudo-terminal: spawn to the first full frame showing
//!   all 100k keys (target ≤ 150 ms), and its resident memory then
//!   (target ≤ 60 MiB).
//!
//! Run with `cargo bench --bench process`. Prints figures; asserts nothing
//! about speed.

#[path = "../tests/program/common/pty.rs"]
mod pty;
mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use portable_pty::CommandBuilder;
use pty::PtyProcess;
use support::BenchDb;

const BIN: &str = env!("CARGO_BIN_EXE_keydesk");
const PROCESS_RUNS: usize = 200;
const TUI_RUNS: usize = 10;

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn time_version() -> Duration {
    let started = Instant::now();
    let status = Command::new(BIN)
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    started.elapsed()
}

fn time_verify(db: &BenchDb, secret: &str) -> Duration {
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(["verify", "--quiet"])
        .env("KEYDESK_DB", &db.path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(secret.as_bytes()).unwrap();
    let status = child.wait().unwrap();
    let elapsed = started.elapsed();
    assert!(status.success(), "verify refused a valid key");
    elapsed
}

fn verify_process(db: &BenchDb) {
    // Hot key: after the first call its Last Used is current for a minute,
    // so calls are pure reads. Distinct keys: each call records Last Used,
    // i.e. also pays one durable write transaction.
    let hot = &db.secrets[0];
    time_verify(db, hot);
    let (mut version, mut verify_hot, mut verify_fresh) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..PROCESS_RUNS {
        version.push(time_version());
        verify_hot.push(time_verify(db, hot));
        verify_fresh.push(time_verify(db, &db.secrets[1 + (i * 499) % (db.count - 1)]));
    }
    let version = median(&mut version);
    let hot = median(&mut verify_hot);
    let fresh = median(&mut verify_fresh);
    println!(
        "process: keydesk --version                       median {:6.2} ms",
        ms(version)
    );
    println!(
        "process: keydesk verify, 100k keys, hot key      median {:6.2} ms = {:.2}x --version (target <= 5 ms, <= 3x)",
        ms(hot),
        hot.as_secs_f64() / version.as_secs_f64()
    );
    println!(
        "process: keydesk verify, 100k keys, Last Used due median {:6.2} ms = {:.2}x --version (one durable write)",
        ms(fresh),
        fresh.as_secs_f64() / version.as_secs_f64()
    );
}

/// Spawn to the first frame that shows the whole store, and the resident
/// memory at that point.
fn tui_first_frame(db: &BenchDb) -> (Duration, u64) {
    let mut command = CommandBuilder::new(BIN);
    command.env("KEYDESK_DB", &db.path);
    command.env("TERM", "xterm-256color");
    // Timed from opening the terminal, which the pty helper does first.
    let started = Instant::now();
    let mut process = PtyProcess::spawn(command, 80, 24);
    let size = |n: u16| std::num::NonZeroU16::new(n).unwrap();
    let mut parser = vt100::Parser::new(size(24), size(80), 0);
    let title = format!("{} keys", db.count);
    let first_frame = loop {
        let chunk = process
            .output
            .recv_timeout(Duration::from_secs(30))
            .expect("the TUI drew its first frame");
        parser.process(&chunk);
        let screen = parser.screen().contents();
        // Title and the last line (key hints) drawn: the frame is complete.
        if screen.contains(&title) && screen.contains("? help") {
            break started.elapsed();
        }
    };
    let pid = process.child.process_id().unwrap();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss_kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    process.send("q");
    process.child.wait().unwrap();
    (first_frame, rss_kib)
}

fn tui(db: &BenchDb) {
    tui_first_frame(db);
    let mut frames = Vec::new();
    let mut peak_rss = 0;
    for _ in 0..TUI_RUNS {
        let (frame, rss) = tui_first_frame(db);
        frames.push(frame);
        peak_rss = peak_rss.max(rss);
    }
    println!(
        "process: TUI start to first full frame, 100k keys median {:6.1} ms (target <= 150 ms)",
        ms(median(&mut frames))
    );
    println!(
        "process: TUI resident memory after first frame, 100k keys {:6.1} MiB (target <= 60 MiB; max of {TUI_RUNS} runs)",
        peak_rss as f64 / 1024.0
    );
}

fn main() {
    let cached = BenchDb::cached(100_000);
    // verify records Last Used, so it runs on a private copy: the cached
    // database must stay as populate made it for the other benchmarks.
    let dir = tempfile::tempdir().unwrap();
    let db = BenchDb {
        path: cached.copy_into(dir.path()),
        count: cached.count,
        secrets: cached.secrets.clone(),
    };
    verify_process(&db);
    tui(&db);
}
