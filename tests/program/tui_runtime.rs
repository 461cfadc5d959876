//! The TUI's runtime, driven through a pseudo-terminal: refusing to start
//! without a terminal, signals, suspend and resume, a busy database, floods
//! of keys, and clearing the clipboard on the way out.

use crate::common;
use common::BIN;
use common::terminal::{CTRL_C, CTRL_Z, ENTER, ENTER_ALTERNATE_SCREEN, ESC, LEAVE_ALTERNATE_SCREEN};

use std::path::Path;
use std::time::{Duration, Instant};

use common::session::{Session, contains, process_state, restored, signal};
use keydesk::{KeyName, KeyStore, Store};
use portable_pty::CommandBuilder;

/// What an OSC 52 clear looks like without a multiplexer: an empty selection.
const OSC52_CLEAR: &[u8] = b"\x1b]52;c;\x07";
const NEEDS_A_TERMINAL: &str = "keydesk: keydesk needs a terminal; for scripts use a subcommand, see --help";

/// Runs `script` with `sh` in a pseudo-terminal (so the shell's own stdin and
/// stdout are a terminal) and returns all it wrote.
fn in_a_shell(dir: &Path, script: &str, term: &str) -> String {
    let mut cmd = CommandBuilder::new("sh");
    cmd.args(["-c", script]);
    cmd.cwd(dir);
    cmd.env("KEYDESK_DB", dir.join("keys.redb"));
    cmd.env("XDG_CONFIG_HOME", common::NO_CONFIG_HOME);
    cmd.env("KD", BIN);
    cmd.env("KEYDESK_LANG", "en");
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

/// A database holding one key called `name`.
/// A new database with no keys in `dir` (the TUI asks before it creates one
/// at a path that is not the default).
fn empty_database(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("keys.redb");
    Store::open(&db).unwrap();
    db
}

fn database_with(dir: &Path, name: &str) -> std::path::PathBuf {
    let db = dir.join("keys.redb");
    Store::open(&db)
        .unwrap()
        .create(&KeyName::parse(name).unwrap())
        .unwrap();
    db
}

/// Opens the database for writing in this process, which holds redb's
/// exclusive lock until dropped: keydesk's own operations wait meanwhile.
fn hold_busy(db: &Path) -> redb::Database {
    let deadline = std::time::Instant::now() + common::session::TIMEOUT;
    loop {
        // The TUI may be reading it at this moment; its reads are brief.
        match redb::Database::open(db) {
            Ok(held) => return held,
            Err(error) => assert!(
                std::time::Instant::now() < deadline,
                "could not lock the database: {error}"
            ),
        }
        std::thread::yield_now();
    }
}

#[test]
fn a_busy_database_never_freezes_the_screen_and_the_change_completes_afterwards() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_with(dir.path(), "busy-key");
    let mut tui = Session::start(&db, &[]);
    tui.wait_for("busy-key");
    tui.send("d");
    tui.wait_for("Delete this key?");

    let held = hold_busy(&db);
    let taken = Instant::now();
    tui.send("y");
    tui.wait_for("working…");
    // Still answering keys while the delete waits for the database.
    tui.send("?");
    tui.wait_for("keep the key (cancel)");
    // The scenario, not synchronisation: busy for longer than the store's
    // own 2 s wait, which the TUI outlasts instead of failing the change.
    std::thread::sleep(Duration::from_millis(2500).saturating_sub(taken.elapsed()));
    drop(held);

    tui.wait_gone("working…");
    tui.send(ESC);
    let screen = tui.wait_for("deleted busy-key");
    assert!(screen.contains("0 keys"), "{screen}");
    assert!(Store::open(&db).unwrap().list().unwrap().is_empty());
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn ctrl_c_quits_while_a_change_waits_for_the_busy_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_with(dir.path(), "busy-key");
    let mut tui = Session::start(&db, &[]);
    tui.wait_for("busy-key");
    tui.send("d");
    tui.wait_for("Delete this key?");
    let held = hold_busy(&db);
    tui.send("y");
    tui.wait_for("working…");
    tui.send(CTRL_C);
    assert_eq!(tui.wait_exit(), 0);
    assert!(restored(&tui.raw));
    drop(held);
}

/// Creates a key in the TUI and copies it (OSC 52); returns where the output
/// stood right after the copy.
fn create_and_copy(tui: &mut Session) -> usize {
    tui.wait_for("press n to create");
    tui.send("n");
    tui.wait_for("Create API key");
    tui.send("copied-key");
    tui.wait_for("✓ valid name");
    tui.send("\t \r");
    tui.wait_for("will not be shown again");
    tui.send("c");
    tui.wait_for("(OSC 52)");
    tui.raw.len()
}

#[test]
fn quitting_with_q_or_ctrl_c_clears_a_copied_key_from_the_clipboard_first() {
    for quit in ["q", CTRL_C] {
        let dir = tempfile::tempdir().unwrap();
        let mut tui = Session::start(&empty_database(dir.path()), &["--clear-clipboard-after", "30s"]);
        let copied_at = create_and_copy(&mut tui);
        assert!(
            !contains(&tui.raw[copied_at..], OSC52_CLEAR),
            "not cleared before quitting"
        );
        if quit == "q" {
            tui.send(ENTER);
            tui.wait_gone("will not be shown again");
        }
        tui.send(quit);
        assert_eq!(tui.wait_exit(), 0, "{quit:?}");
        let after = &tui.raw[copied_at..];
        let clear = after.windows(OSC52_CLEAR.len()).position(|w| w == OSC52_CLEAR);
        let left = after
            .windows(LEAVE_ALTERNATE_SCREEN.len())
            .rposition(|w| w == LEAVE_ALTERNATE_SCREEN.as_bytes());
        assert!(
            clear.is_some() && clear < left,
            "{quit:?}: the clear is sent, before the terminal is restored"
        );
        assert!(restored(&tui.raw));
    }
}

#[test]
fn sigterm_restores_the_terminal_clears_the_clipboard_and_exits_143() {
    let dir = tempfile::tempdir().unwrap();
    let mut tui = Session::start(&empty_database(dir.path()), &["--clear-clipboard-after", "30s"]);
    let copied_at = create_and_copy(&mut tui);
    signal(tui.pid(), libc::SIGTERM);
    assert_eq!(tui.wait_exit(), 128 + libc::SIGTERM as u32);
    assert!(
        contains(&tui.raw[copied_at..], OSC52_CLEAR),
        "the pending clear was sent"
    );
    let tail = String::from_utf8_lossy(&tui.raw[tui.raw.len().saturating_sub(40)..]).into_owned();
    assert!(
        tail.contains("\x1b[?1049l") && tail.ends_with("\x1b[?25h"),
        "ends restored: {tail:?}"
    );
}

#[test]
fn sigint_sighup_and_sigquit_restore_the_terminal_and_exit_with_128_plus_the_signal() {
    for sig in [libc::SIGINT, libc::SIGHUP, libc::SIGQUIT] {
        let dir = tempfile::tempdir().unwrap();
        let mut tui = Session::start(&empty_database(dir.path()), &[]);
        tui.wait_for("press n to create");
        signal(tui.pid(), sig);
        assert_eq!(tui.wait_exit(), 128 + sig as u32, "signal {sig}");
        assert!(restored(&tui.raw), "signal {sig}: the terminal is restored");
    }
}

/// Suspends with `suspend`, checks the terminal was handed back and the
/// process stopped, continues it and checks it is fully back.
fn suspend_and_resume(suspend: impl FnOnce(&mut Session)) {
    let dir = tempfile::tempdir().unwrap();
    let db = database_with(dir.path(), "still-here");
    let mut tui = Session::start(&db, &[]);
    tui.wait_for("still-here");
    suspend(&mut tui);
    let pid = tui.pid();
    tui.wait_until("the process to stop", |_| process_state(pid).starts_with('T'));
    tui.pump(std::time::Duration::from_millis(100));
    assert!(restored(&tui.raw), "the terminal was handed back before stopping");

    // A fresh emulator: whatever it shows after this was drawn after resuming.
    tui.parser = vt100::Parser::new(24.try_into().unwrap(), 80.try_into().unwrap(), 0);
    let resumed_at = tui.raw.len();
    signal(pid, libc::SIGCONT);
    tui.wait_for_bytes(
        "the alternate screen again",
        resumed_at,
        ENTER_ALTERNATE_SCREEN.as_bytes(),
    );
    let screen = tui.wait_for("still-here");
    assert!(
        screen.contains("press n") || screen.contains("n new"),
        "the whole screen is redrawn:\n{screen}"
    );
    tui.send("?");
    tui.wait_for("Help");
    tui.send(ESC);
    tui.wait_gone("Help");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn ctrl_z_suspends_and_sigcont_resumes_with_a_full_redraw() {
    suspend_and_resume(|tui| tui.send(CTRL_Z));
}

#[test]
fn sigtstp_suspends_and_sigcont_resumes_with_a_full_redraw() {
    suspend_and_resume(|tui| signal(tui.pid(), libc::SIGTSTP));
}

#[test]
fn a_flood_of_350_000_typed_characters_is_capped_and_a_later_esc_is_handled() {
    let dir = tempfile::tempdir().unwrap();
    let mut tui = Session::start(&empty_database(dir.path()), &[]);
    tui.wait_for("press n to create");
    tui.send("n");
    tui.wait_for("Create API key");

    // Without the cap keydesk takes many minutes over this flood, and the
    // write below blocks as long: kill it then, so the test fails instead of
    // hanging.
    let pid = tui.pid();
    let (sent, watch) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = watch.recv_timeout(std::time::Duration::from_secs(120))
        {
            signal(pid, libc::SIGKILL);
        }
    });
    tui.send(&"a".repeat(350_000));
    drop(sent);
    watchdog.join().unwrap();

    tui.wait_for("names are at most 64 characters");
    tui.send(ESC);
    tui.wait_gone("Create API key");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn at_120_columns_the_clipboard_countdown_is_on_the_status_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut tui = Session::start_sized(
        &empty_database(dir.path()),
        &["--clear-clipboard-after", "30s"],
        120,
        24,
    );
    create_and_copy(&mut tui);
    // The status line is the one above the key hints, at the bottom.
    tui.wait_until("the countdown on the status line", |s| s.row(22).contains("clears in"));
    tui.send(ENTER);
    tui.wait_gone("will not be shown again");
    // Closing the dialog blanks the screen (to wipe the key) and redraws:
    // wait for the redrawn status line rather than read it mid-way.
    tui.wait_until("the countdown after the dialog closed", |s| {
        s.row(22).contains("clipboard clears in")
    });
    let status = tui.row(22);
    assert!(
        !status.contains("OSC 52"),
        "the copy's message went with its dialog: {status:?}"
    );
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn a_missing_database_at_a_typed_path_is_created_only_after_asking() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo/keys.redb");

    let mut tui = Session::start(&typo, &[]);
    tui.wait_for("There is no database at");
    tui.send("n\r");
    assert_eq!(tui.wait_exit(), 4);
    assert!(!dir.path().join("typo").exists(), "nothing is created on no");

    let mut tui = Session::start(&typo, &[]);
    tui.wait_for("Create a new, empty one?");
    tui.send("y\r");
    tui.wait_for("0 keys");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
    assert!(typo.exists());
}
