//! The CLI's interactive side, in a real pseudo-terminal: the delete
//! confirmation (exit 4 when declined) and `verify` reading a pasted key
//! without echoing it.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::pty::PtyProcess;
use keydesk::{KeyName, Store};
use portable_pty::CommandBuilder;

/// Runs keydesk in a pty; once `prompt` has appeared, types `input`.
/// Returns the exit code and everything shown on the terminal.
fn run_in_terminal(db: &Path, args: &[&str], prompt: &str, input: &str) -> (u32, String) {
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_keydesk"));
    command.args(args);
    command.env("KEYDESK_DB", db);
    let mut process = PtyProcess::spawn(command, 200, 24);
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut shown = Vec::new();
    let mut typed = false;
    loop {
        if let Ok(chunk) = process.output.recv_timeout(Duration::from_millis(20)) {
            shown.extend(chunk);
        }
        if !typed && String::from_utf8_lossy(&shown).contains(prompt) {
            // Typed only once the prompt is up, so echo is already off.
            process.send(input);
            typed = true;
        }
        if let Some(status) = process.child.try_wait().unwrap() {
            while let Ok(chunk) = process.output.recv_timeout(Duration::from_millis(100)) {
                shown.extend(chunk);
            }
            return (status.exit_code(), String::from_utf8_lossy(&shown).into_owned());
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

    let (code, shown) = run_in_terminal(&db, &["delete", &id], "[y/N]", "n\r");
    assert_eq!(code, 4, "{shown}");
    assert!(shown.contains("will no longer be able to call the service"), "{shown}");
    assert!(shown.contains("not deleted"), "{shown}");
    assert_eq!(store.list().unwrap().len(), 1);

    let (code, shown) = run_in_terminal(&db, &["delete", &id], "[y/N]", "y\r");
    assert_eq!(code, 0, "{shown}");
    assert!(store.list().unwrap().is_empty());
}

#[test]
fn verify_on_a_terminal_prompts_and_does_not_echo_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let (secret, record) = Store::open(&db)
        .unwrap()
        .create(&KeyName::parse("typed").unwrap())
        .unwrap();

    let (code, shown) = run_in_terminal(
        &db,
        &["verify"],
        "Paste the key and press Enter:",
        &format!("{}\r", secret.expose()),
    );
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains(record.id.as_str()), "{shown}");
    assert!(!shown.contains(&secret.expose()[3..]), "the key was echoed: {shown}");
}

#[test]
fn a_duplicate_name_is_confirmed_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let store = Store::open(&db).unwrap();
    let (_, first) = store.create(&KeyName::parse("twin").unwrap()).unwrap();
    let create = ["create", "--name", "twin", "--accept-terms"];

    let (code, shown) = run_in_terminal(&db, &create, "[y/N]", "n\r");
    assert_eq!(code, 4, "{shown}");
    assert!(shown.contains(&format!("key {} (", first.id)), "{shown}");
    assert!(shown.contains("is already named twin"), "{shown}");
    assert_eq!(store.list().unwrap().len(), 1);

    let (code, shown) = run_in_terminal(&db, &create, "[y/N]", "y\r");
    assert_eq!(code, 0, "{shown}");
    assert_eq!(store.list().unwrap().len(), 2);

    let (_, other) = store.create(&KeyName::parse("other").unwrap()).unwrap();
    let (code, shown) = run_in_terminal(&db, &["rename", other.id.as_str(), "twin"], "[y/N]", "n\r");
    assert_eq!(code, 4, "{shown}");
    assert_eq!(store.get(&other.id).unwrap().unwrap().name, "other");
}
