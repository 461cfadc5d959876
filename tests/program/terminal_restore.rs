//! The terminal is put back even when the TUI panics: raw mode off,
//! alternate screen left, bracketed paste off, cursor shown — before the
//! panic message is printed, so the message is readable.
//!
//! The panicking program is this test binary itself, re-run in a
//! pseudo-terminal with an ignored test selected.

use crate::common;
use common::terminal::{DISABLE_BRACKETED_PASTE, ENTER_ALTERNATE_SCREEN, LEAVE_ALTERNATE_SCREEN, SHOW_CURSOR};

use std::time::{Duration, Instant};

use common::pty::PtyProcess;
use portable_pty::CommandBuilder;

#[test]
#[ignore = "the panicking TUI of the restore test: started only by it"]
fn panicking_tui() {
    keydesk::tui::terminal::install_hooks();
    let _tui = keydesk::tui::terminal::Tui::enter().expect("a terminal");
    panic!("deliberate panic inside the TUI");
}

#[test]
fn a_panic_restores_the_terminal_before_reporting() {
    let mut command = CommandBuilder::new(std::env::current_exe().unwrap());
    command.args(common::only(module_path!(), "panicking_tui"));
    command.arg("--ignored");
    command.env("TERM", "xterm-256color");
    let mut process = PtyProcess::spawn(command, 80, 24);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut output = Vec::new();
    let status = loop {
        while let Ok(chunk) = process.output.try_recv() {
            output.extend(chunk);
        }
        if let Some(status) = process.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the panicking TUI did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    while let Ok(chunk) = process.output.recv_timeout(Duration::from_millis(200)) {
        output.extend(chunk);
    }
    let output = String::from_utf8_lossy(&output).into_owned();

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
