//! The TUI's runtime, driven through a pseudo-terminal: refusing to start
//! without a terminal, signals, suspend and resume, a busy database, floods
//! of keys, and clearing the clipboard on the way out.

mod common;

use std::path::Path;

use common::session::Session;
use portable_pty::CommandBuilder;

const BIN: &str = env!("CARGO_BIN_EXE_keydesk");
const NEEDS_A_TERMINAL: &str = "keydesk: keydesk needs a terminal; for scripts use a subcommand, see --help";

/// Runs `script` with `sh` in a pseudo-terminal (so the shell's own stdin and
/// stdout are a terminal) and returns all it wrote.
fn in_a_shell(dir: &Path, script: &str, term: &str) -> String {
    let mut cmd = CommandBuilder::new("sh");
    cmd.args(["-c", script]);
    cmd.cwd(dir);
    cmd.env("KEYDESK_DB", dir.join("keys.redb"));
    cmd.env("KD", BIN);
    cmd.env("TERM", term);
    let mut session = Session::spawn(cmd, 80, 24);
    session.wait_exit();
    String::from_utf8_lossy(&session.raw).into_owned()
}

#[test]
fn without_a_terminal_on_both_sides_the_tui_refuses_with_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("keydesk > file", "\"$KD\" > out; echo \"exit=$?\""),
        ("keydesk | cat", "{ \"$KD\"; echo \"exit=$?\" >&2; } | cat > out"),
        ("keydesk < /dev/null", "\"$KD\" < /dev/null; echo \"exit=$?\""),
    ];
    for (case, script) in cases {
        std::fs::write(dir.path().join("out"), "").unwrap();
        let written = in_a_shell(dir.path(), script, "xterm-256color");
        assert_eq!(
            written.replace("\r\n", "\n"),
            format!("{NEEDS_A_TERMINAL}\nexit=2\n"),
            "{case}"
        );
        assert_eq!(std::fs::read_to_string(dir.path().join("out")).unwrap(), "", "{case}");
    }
    assert!(
        !dir.path().join("keys.redb").exists(),
        "no database is created for a run that cannot work"
    );
}

#[test]
fn a_dumb_terminal_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let written = in_a_shell(dir.path(), "\"$KD\"; echo \"exit=$?\"", "dumb");
    let written = written.replace("\r\n", "\n");
    assert!(written.ends_with("\nexit=2\n"), "{written:?}");
    assert_eq!(
        written.lines().count(),
        2,
        "one line, then the exit status: {written:?}"
    );
    assert!(
        written.starts_with("keydesk: ") && written.contains("TERM=dumb"),
        "{written:?}"
    );
    assert!(!written.contains('\x1b'), "no escape codes: {written:?}");
}
