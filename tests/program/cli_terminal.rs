//! The CLI's interactive side, in a real pseudo-terminal: the delete
//! confirmation (exit 4 when declined) and `verify` reading a pasted key
//! without echoing it.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::pty::PtyProcess;
use keydesk::{KeyName, KeyRecord, KeyStore, SecretKey, Store};
use portable_pty::CommandBuilder;

/// What a run in a terminal showed.
struct Shown {
    code: u32,
    text: String,
    /// Whether the terminal echoed input at the moment the prompt appeared.
    echo_at_prompt: bool,
}

/// Runs keydesk in a pty; once `prompt` has appeared, types `input`.
fn run_in_terminal(db: &Path, args: &[&str], prompt: &str, input: &str) -> Shown {
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_keydesk"));
    command.args(args);
    command.env("KEYDESK_DB", db);
    command.env("XDG_CONFIG_HOME", common::NO_CONFIG_HOME);
    // The prompts waited for are the English ones, whatever the locale.
    command.env("KEYDESK_LANG", "en");
    run_command_in_terminal(command, prompt, input)
}

/// Runs a shell script in a pty, with `$KEYDESK` naming the binary; once
/// `prompt` has appeared, types `input`. For what the terminal is left like
/// after keydesk ends (`stty -a` in the script shows it).
fn run_script_in_terminal(db: &Path, script: &str, prompt: &str, input: &str) -> Shown {
    let mut command = CommandBuilder::new("sh");
    command.args(["-c", script]);
    command.env("KEYDESK", env!("CARGO_BIN_EXE_keydesk"));
    command.env("KEYDESK_DB", db);
    command.env("XDG_CONFIG_HOME", common::NO_CONFIG_HOME);
    // The prompts waited for are the English ones, whatever the locale.
    command.env("KEYDESK_LANG", "en");
    run_command_in_terminal(command, prompt, input)
}

fn run_command_in_terminal(command: CommandBuilder, prompt: &str, input: &str) -> Shown {
    interact(PtyProcess::spawn(command, 200, 24), prompt, input)
}

/// Once `prompt` has appeared on `process`'s terminal, types `input`; then
/// collects everything until the program ends.
fn interact(mut process: PtyProcess, prompt: &str, input: &str) -> Shown {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut shown = Vec::new();
    let mut echo_at_prompt = None;
    loop {
        if let Ok(chunk) = process.output.recv_timeout(Duration::from_millis(20)) {
            shown.extend(chunk);
        }
        if echo_at_prompt.is_none() && String::from_utf8_lossy(&shown).contains(prompt) {
            // A person may paste the moment the prompt appears: whatever the
            // terminal does with input then is what they get.
            echo_at_prompt = Some(process.echo_enabled());
            process.send(input);
        }
        if let Some(status) = process.child.try_wait().unwrap() {
            while let Ok(chunk) = process.output.recv_timeout(Duration::from_millis(100)) {
                shown.extend(chunk);
            }
            return Shown {
                code: status.exit_code(),
                text: String::from_utf8_lossy(&shown).into_owned(),
                echo_at_prompt: echo_at_prompt.expect("the prompt appeared"),
            };
        }
        assert!(
            Instant::now() < deadline,
            "keydesk did not finish; terminal shows: {:?}",
            String::from_utf8_lossy(&shown)
        );
    }
}

#[test]
fn delete_asks_on_a_terminal_and_no_keeps_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let store = Store::open(&db).unwrap();
    let (_, record) = store.create(&KeyName::parse("ask-me").unwrap()).unwrap();
    let id = record.id.to_string();

    let shown = run_in_terminal(&db, &["delete", &id], "[y/N]", "n\r");
    assert_eq!(shown.code, 4, "{}", shown.text);
    assert!(
        shown.text.contains("will no longer be able to call the service"),
        "{}",
        shown.text
    );
    assert!(shown.text.contains("not deleted"), "{}", shown.text);
    assert_eq!(store.list().unwrap().len(), 1);

    let shown = run_in_terminal(&db, &["delete", &id], "[y/N]", "y\r");
    assert_eq!(shown.code, 0, "{}", shown.text);
    assert!(store.list().unwrap().is_empty());
}

#[test]
fn verify_on_a_terminal_prompts_and_does_not_echo_the_key() {
    let (_dir, db, secret, record) = database_with_one_key();

    let shown = run_in_terminal(
        &db,
        &["verify"],
        "Paste the key and press Enter:",
        &format!("{}\r", secret.expose()),
    );
    // Deterministic with the right order (echo off, then the prompt); with
    // the prompt written first it fails whenever the check lands in between.
    assert!(!shown.echo_at_prompt, "echo was still on when the prompt appeared");
    assert_eq!(shown.code, 0, "{}", shown.text);
    assert!(shown.text.contains(record.id.as_str()), "{}", shown.text);
    assert!(
        !shown.text.contains(&secret.expose()[3..]),
        "the key was echoed: {}",
        shown.text
    );
}

/// A database in a temporary directory holding one key, and that key.
fn database_with_one_key() -> (tempfile::TempDir, PathBuf, SecretKey, KeyRecord) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let (secret, record) = Store::open(&db)
        .unwrap()
        .create(&KeyName::parse("typed").unwrap())
        .unwrap();
    (dir, db, secret, record)
}

/// `stty -a` lists `-echo` when echo is off and ` echo` when it is on.
fn echo_listed_on(stty: &str) -> bool {
    stty.split_whitespace().any(|flag| flag == "echo")
}

#[test]
fn verify_gives_the_terminal_back_with_echo_on() {
    let (_dir, db, secret, _) = database_with_one_key();
    let shown = run_script_in_terminal(
        &db,
        r#""$KEYDESK" verify; echo "exit=$?"; stty -a"#,
        "Paste the key and press Enter:",
        &format!("{}\r", secret.expose()),
    );
    assert!(shown.text.contains("exit=0"), "{}", shown.text);
    assert!(
        echo_listed_on(&shown.text),
        "echo is still off afterwards: {}",
        shown.text
    );
}

#[test]
fn ctrl_c_at_the_key_prompt_ends_verify_and_turns_echo_back_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    Store::open(&db).unwrap();
    // The shell's trap runs once keydesk has ended; keydesk itself gets the
    // default disposition of SIGINT, as from an interactive shell.
    let shown = run_script_in_terminal(
        &db,
        r#"trap 'echo interrupted; stty -a; exit 0' INT; "$KEYDESK" verify; echo "not interrupted""#,
        "Paste the key and press Enter:",
        "sk-half-pasted\x03",
    );
    assert!(shown.text.contains("interrupted"), "{}", shown.text);
    assert!(!shown.text.contains("not interrupted"), "{}", shown.text);
    assert!(echo_listed_on(&shown.text), "Ctrl-C left echo off: {}", shown.text);
}

/// Holds the terminal's output (XOFF, as Ctrl-S does) before keydesk starts,
/// so keydesk blocks in the write of its prompt: echo must already be off by
/// then. If the prompt is written first, echo never goes off while output is
/// held, and the test fails every time.
#[test]
fn echo_is_off_before_the_key_prompt_can_be_written() {
    let (_dir, db, secret, record) = database_with_one_key();
    // The shell starts keydesk only once it has read a line, and the terminal
    // handles input in order: by then the XOFF before that line has stopped
    // output.
    let mut command = CommandBuilder::new("sh");
    command.args(["-c", r#"read _ && exec "$KEYDESK" verify"#]);
    command.env("KEYDESK", env!("CARGO_BIN_EXE_keydesk"));
    command.env("KEYDESK_DB", &db);
    command.env("KEYDESK_LANG", "en");
    let mut process = PtyProcess::spawn(command, 200, 24);
    process.send("\x13go\r"); // XOFF, then the line that starts keydesk

    let deadline = Instant::now() + Duration::from_secs(30);
    while process.echo_enabled() {
        assert!(
            Instant::now() < deadline,
            "echo was not turned off before the prompt was written"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    process.send("\x11"); // XON: the prompt may appear now
    let shown = interact(process, "Paste the key", &format!("{}\r", secret.expose()));
    assert!(!shown.echo_at_prompt);
    assert_eq!(shown.code, 0, "{}", shown.text);
    assert!(shown.text.contains(record.id.as_str()), "{}", shown.text);
    assert!(
        !shown.text.contains(&secret.expose()[3..]),
        "the key was echoed: {}",
        shown.text
    );
}

#[test]
fn a_duplicate_name_is_confirmed_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let store = Store::builder(&db).audit_key(common::cli_audit_key()).open().unwrap();
    let (_, first) = store.create(&KeyName::parse("twin").unwrap()).unwrap();
    let create = ["create", "--name", "twin", "--accept-terms"];

    let shown = run_in_terminal(&db, &create, "[y/N]", "n\r");
    assert_eq!(shown.code, 4, "{}", shown.text);
    assert!(shown.text.contains(&format!("key {} (", first.id)), "{}", shown.text);
    assert!(shown.text.contains("is already named twin"), "{}", shown.text);
    assert_eq!(store.list().unwrap().len(), 1);

    let shown = run_in_terminal(&db, &create, "[y/N]", "y\r");
    assert_eq!(shown.code, 0, "{}", shown.text);
    assert_eq!(store.list().unwrap().len(), 2);

    let (_, other) = store.create(&KeyName::parse("other").unwrap()).unwrap();
    let shown = run_in_terminal(&db, &["rename", other.id.as_str(), "twin"], "[y/N]", "n\r");
    assert_eq!(shown.code, 4, "{}", shown.text);
    assert_eq!(store.get(&other.id).unwrap().unwrap().name, "other");
}
