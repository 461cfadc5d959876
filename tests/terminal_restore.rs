//! The terminal is put back even when the TUI panics: raw mode off,
//! alternate screen left, bracketed paste off, cursor shown — before the
//! panic message is printed, so the message is readable.
//!
//! The panicking program is this test binary itself, re-run in a
//! pseudo-terminal with an ignored test selected.

use std::io::Read;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const LEAVE_ALTERNATE_SCREEN: &str = "\x1b[?1049l";
const ENTER_ALTERNATE_SCREEN: &str = "\x1b[?1049h";
const DISABLE_BRACKETED_PASTE: &str = "\x1b[?2004l";
const SHOW_CURSOR: &str = "\x1b[?25h";

#[test]
#[ignore = "the panicking TUI of the restore test: started only by it"]
fn panicking_tui() {
    keydesk::tui::terminal::install_hooks();
    let _tui = keydesk::tui::terminal::Tui::enter().expect("a terminal");
    panic!("deliberate panic inside the TUI");
}

#[test]
fn a_panic_restores_the_terminal_before_reporting() {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut command = CommandBuilder::new(std::env::current_exe().unwrap());
    command.args([
        "--exact",
        "panicking_tui",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    command.env("TERM", "xterm-256color");
    let mut child = pty.slave.spawn_command(command).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let collector = std::thread::spawn(move || {
        let mut output = Vec::new();
        let _ = reader.read_to_end(&mut output);
        output
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the panicking TUI did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(pty.master);
    let output = String::from_utf8_lossy(&collector.join().unwrap()).into_owned();

    assert!(!status.success(), "the child panicked, so its test failed");
    let entered = output
        .find(ENTER_ALTERNATE_SCREEN)
        .expect("the TUI entered the alternate screen");
    let message = output
        .find("deliberate panic inside the TUI")
        .expect("the panic message was printed");
    for sequence in [LEAVE_ALTERNATE_SCREEN, DISABLE_BRACKETED_PASTE, SHOW_CURSOR] {
        let at = output[entered..].find(sequence).map(|i| i + entered);
        let tail = &output[output.len().saturating_sub(600)..];
        assert!(
            at.is_some_and(|at| at < message),
            "{sequence:?} missing or after the panic message; output ends:\n{tail:?}"
        );
    }
}
