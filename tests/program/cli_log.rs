//! `keydesk log` and `keydesk log --check`, through the real binary: what
//! each command records about who ran it, the JSON shape, the filters, and
//! the chain check's exit codes.

use crate::common;

use std::path::Path;
use std::process::Output;

use redb::ReadableTable;

use common::{keydesk, stderr, stdout};

/// Runs `keydesk args…` as someone who came in over SSH and used sudo.
fn as_remote_admin(db: &Path, args: &[&str]) -> Output {
    keydesk(db)
        .args(args)
        .env("SSH_CONNECTION", "203.0.113.7 52114 10.0.0.2 22")
        .env("SUDO_USER", "alice")
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

fn log_json(db: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let out = ok(keydesk(db).args(["log", "--json"]).args(args).output().unwrap());
    serde_json::from_str(&out).unwrap()
}

/// A database with one key made over SSH with sudo; returns its ID.
fn database_with_a_key(db: &Path) -> String {
    let out = as_remote_admin(db, &["create", "--name", "billing", "--accept-terms"]);
    ok(out);
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&ok(keydesk(db).args(["list", "--json"]).output().unwrap())).unwrap();
    list[0]["id"].as_str().unwrap().to_owned()
}

#[test]
#[allow(unsafe_code)]
fn every_cli_change_is_logged_with_the_ssh_client_sudo_user_and_interface() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let id = database_with_a_key(&db);
    for args in [
        vec!["rename", &id, "billing-prod"],
        vec!["disable", &id],
        vec!["enable", &id],
        vec!["expire", &id, "--in", "30d"],
        vec!["rotate", &id, "--grace", "1h"],
        vec!["delete", &id, "--yes"],
    ] {
        ok(as_remote_admin(&db, &args));
    }
    let entries = log_json(&db, &[]);
    let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["delete", "rotate", "expire", "enable", "disable", "rename", "create"],
        "one entry per change, newest first"
    );
    for entry in &entries {
        let actor = &entry["actor"];
        assert_eq!(actor["sudo_user"], "alice", "{entry}");
        assert_eq!(actor["ssh_client_address"], "203.0.113.7", "{entry}");
        assert_eq!(actor["ssh_client_port"], 52114, "{entry}");
        assert_eq!(actor["interface"], "cli", "{entry}");
        assert_eq!(actor["version"], env!("CARGO_PKG_VERSION"), "{entry}");
        // SAFETY: getuid has no preconditions.
        assert_eq!(actor["uid"], unsafe { libc::getuid() }, "{entry}");
        assert_eq!(entry["key_id"], id.as_str());
        assert!(entry["time"].as_str().unwrap().ends_with('Z'), "RFC 3339 UTC: {entry}");
    }
    let rename = &entries[5];
    assert_eq!(rename["previous_name"], "billing");
    assert_eq!(rename["name"], "billing-prod");
    assert!(entries[1]["grace_until"].is_string());
    assert!(entries[2]["expires_at"].is_string());
    assert_eq!(entries[0]["name"], "billing-prod", "the name at the time of the delete");
    // No secret material: the only key-like text is the masked hint.
    let text = ok(keydesk(&db).args(["log", "--json"]).output().unwrap());
    assert!(!text.contains("sk-") || text.matches("sk-").count() == text.matches("****").count());
}

#[test]
fn without_ssh_or_sudo_those_fields_are_null() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let out = keydesk(&db)
        .args(["create", "--name", "local", "--accept-terms"])
        .env_remove("SSH_CONNECTION")
        .env_remove("SUDO_USER")
        .output()
        .unwrap();
    ok(out);
    let entries = log_json(&db, &[]);
    assert_eq!(entries.len(), 1);
    assert!(entries[0]["actor"]["sudo_user"].is_null());
    assert!(entries[0]["actor"]["ssh_client_address"].is_null());
}

#[test]
fn log_filters_by_key_and_since_and_prints_lines_with_the_actor() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let id = database_with_a_key(&db);
    ok(keydesk(&db)
        .args(["create", "--name", "other", "--accept-terms"])
        .output()
        .unwrap());
    assert_eq!(log_json(&db, &[]).len(), 2);
    let of_key = log_json(&db, &["--key", &id]);
    assert_eq!(of_key.len(), 1);
    assert_eq!(of_key[0]["name"], "billing");
    assert_eq!(log_json(&db, &["--since", "1h"]).len(), 2);
    let text = ok(keydesk(&db).args(["log", "--key", &id]).output().unwrap());
    assert!(text.starts_with("#1 "), "{text}");
    assert!(text.contains("create"), "{text}");
    assert!(text.contains("sudo from alice ssh 203.0.113.7:52114 cli"), "{text}");
    let bad = keydesk(&db).args(["log", "--since", "7x"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

#[test]
fn log_check_exits_0_when_intact_and_1_naming_the_first_changed_entry() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let id = database_with_a_key(&db);
    ok(keydesk(&db).args(["rename", &id, "renamed-1"]).output().unwrap());
    ok(keydesk(&db).args(["rename", &id, "renamed-2"]).output().unwrap());
    let intact = keydesk(&db).args(["log", "--check"]).output().unwrap();
    assert_eq!(intact.status.code(), Some(0), "{}", stderr(&intact));
    assert!(stdout(&intact).contains("intact: 3 entries"), "{}", stdout(&intact));

    // Someone with write access to the file edits entry 2's name.
    {
        let audit: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("audit");
        let file = redb::Database::open(&db).unwrap();
        let txn = file.begin_write().unwrap();
        {
            let mut table = txn.open_table(audit).unwrap();
            let mut bytes = table.get(2).unwrap().unwrap().value().to_vec();
            let at = bytes.windows(9).position(|w| w == b"renamed-1").unwrap();
            bytes[at + 8] = b'7';
            table.insert(2, bytes.as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let broken = keydesk(&db).args(["log", "--check"]).output().unwrap();
    assert_eq!(broken.status.code(), Some(1));
    assert!(stderr(&broken).contains("entry 2 was changed"), "{}", stderr(&broken));
}

#[test]
fn a_hostile_name_written_straight_into_the_log_is_sanitised_in_log_lines() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    database_with_a_key(&db);
    // "billing" becomes an escape sequence of the same length, written into
    // the file directly as a foreign program could.
    {
        let audit: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("audit");
        let file = redb::Database::open(&db).unwrap();
        let txn = file.begin_write().unwrap();
        {
            let mut table = txn.open_table(audit).unwrap();
            let mut bytes = table.get(1).unwrap().unwrap().value().to_vec();
            let at = bytes.windows(7).position(|w| w == b"billing").unwrap();
            // ESC [ 3 1 m, then U+009B (CSI, two bytes in UTF-8): seven bytes.
            bytes[at..at + 7].copy_from_slice(b"\x1b[31m\xc2\x9b");
            table.insert(1, bytes.as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let text = ok(keydesk(&db).arg("log").output().unwrap());
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(!text.contains('\u{9b}'), "{text:?}");
    assert!(text.contains("\u{FFFD}[31m\u{FFFD}"), "{text:?}");
    let json = ok(keydesk(&db).args(["log", "--json"]).output().unwrap());
    assert!(!json.contains('\u{1b}') && !json.contains('\u{9b}'), "{json:?}");
    let parsed: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed[0]["name"], "\u{1b}[31m\u{9b}", "escaped, not altered");
}

/// `keydesk` on `db` with its own config folder (and so its own audit key
/// file, `config/keydesk/audit.key`).
fn keydesk_with_config(db: &Path, config: &Path) -> std::process::Command {
    let mut command = keydesk(db);
    command.env("XDG_CONFIG_HOME", config);
    command
}

/// A database of three entries made through the CLI with the key file in
/// `config`: a key created, then renamed twice.
fn three_entries(db: &Path, config: &Path) {
    let run = |args: &[&str]| ok(keydesk_with_config(db, config).args(args).output().unwrap());
    run(&["create", "--name", "billing", "--accept-terms"]);
    let list: Vec<serde_json::Value> = serde_json::from_str(&run(&["list", "--json"])).unwrap();
    let id = list[0]["id"].as_str().unwrap().to_owned();
    run(&["rename", &id, "billing-2"]);
    run(&["rename", &id, "billing-3"]);
}

#[test]
fn log_check_names_a_name_edited_and_resealed_with_plain_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let (db, config) = (dir.path().join("keys.redb"), dir.path().join("config"));
    three_entries(&db, &config);
    // Entry 2 renamed and it and entry 3 sealed again, the way an unkeyed
    // log is: what passed `log --check` before the audit key.
    common::forgery::forge(&common::forgery::RedbLog(db.clone()), 2, "billing-evil", 1);
    let broken = keydesk_with_config(&db, &config)
        .args(["log", "--check"])
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(1), "{}", stdout(&broken));
    assert_eq!(
        stderr(&broken),
        "keydesk: audit log tampered with: entry 2 is not sealed with the audit key, though entries before it are \
         (it was re-sealed without the key)\n"
    );
}

#[test]
fn log_head_then_check_expect_names_entries_cut_off_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let (db, config) = (dir.path().join("keys.redb"), dir.path().join("config"));
    three_entries(&db, &config);
    let head = ok(keydesk_with_config(&db, &config)
        .args(["log", "--head"])
        .output()
        .unwrap());
    let (seq, digest) = head.trim_end().split_once(':').unwrap();
    assert_eq!(seq, "3");
    assert!(
        digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()),
        "{head}"
    );
    let expect = ["log", "--check", "--expect", head.trim_end()];
    let found = ok(keydesk_with_config(&db, &config).args(expect).output().unwrap());
    assert!(found.contains("entry 3 is as expected"), "{found}");

    // The last entry removed, and the recorded last number lowered to match.
    common::forgery::RawLog::truncate(&common::forgery::RedbLog(db.clone()), 3);
    let alone = ok(keydesk_with_config(&db, &config)
        .args(["log", "--check"])
        .output()
        .unwrap());
    assert!(
        alone.contains("intact: 2 entries"),
        "the chain alone cannot tell: {alone}"
    );
    let against = keydesk_with_config(&db, &config).args(expect).output().unwrap();
    assert_eq!(against.status.code(), Some(1));
    assert_eq!(
        stderr(&against),
        "keydesk: audit log tampered with: entry 3 was removed\n"
    );
    let malformed = keydesk_with_config(&db, &config)
        .args(["log", "--check", "--expect", "3:abc"])
        .output()
        .unwrap();
    assert_eq!(malformed.status.code(), Some(2), "{}", stderr(&malformed));
}

#[test]
fn the_key_file_is_made_private_on_first_change_and_checking_without_it_exits_7() {
    let dir = tempfile::tempdir().unwrap();
    let (db, config) = (dir.path().join("keys.redb"), dir.path().join("config"));
    three_entries(&db, &config);
    let key_file = config.join("keydesk").join("audit.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(fs_mode(&key_file) & 0o777, 0o600);
        assert_eq!(fs_mode(key_file.parent().unwrap()) & 0o777, 0o700);
        fn fs_mode(path: &Path) -> u32 {
            std::fs::metadata(path).unwrap().permissions().mode()
        }
    }
    let key = std::fs::read_to_string(&key_file).unwrap();
    let checked = ok(keydesk_with_config(&db, &config)
        .args(["log", "--check"])
        .output()
        .unwrap());
    assert_eq!(
        checked,
        "audit log intact: 3 entries\nevery entry is sealed with the audit key\n"
    );
    for out in [
        &checked,
        &ok(keydesk_with_config(&db, &config)
            .args(["log", "--json"])
            .output()
            .unwrap()),
    ] {
        assert!(!out.contains(key.trim()), "the key is never printed");
    }

    let elsewhere = dir.path().join("other-config");
    let unchecked = keydesk_with_config(&db, &elsewhere)
        .args(["log", "--check"])
        .output()
        .unwrap();
    assert_eq!(unchecked.status.code(), Some(7), "{}", stderr(&unchecked));
    let missing = elsewhere.join("keydesk").join("audit.key");
    assert!(
        stdout(&unchecked).ends_with(&format!(
            "the seals of keyed entries were not checked: there is no audit key file at {} (only their order and \
             links were)\n",
            missing.display()
        )),
        "{}",
        stdout(&unchecked)
    );
    assert!(!missing.exists(), "checking makes no key file");
}

#[test]
fn a_host_with_another_key_file_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (db, config) = (dir.path().join("keys.redb"), dir.path().join("config"));
    three_entries(&db, &config);
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&ok(keydesk(&db).args(["list", "--json"]).output().unwrap())).unwrap();
    let id = list[0]["id"].as_str().unwrap();
    let elsewhere = dir.path().join("other-config");
    let refused = keydesk_with_config(&db, &elsewhere)
        .args(["rename", id, "sneaky"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(3));
    assert!(
        stderr(&refused).contains("entry 3 of the audit log of")
            && stderr(&refused).contains("is not sealed with this program's audit key, so nothing was written"),
        "{}",
        stderr(&refused)
    );
    let names: Vec<serde_json::Value> =
        serde_json::from_str(&ok(keydesk(&db).args(["list", "--json"]).output().unwrap())).unwrap();
    assert_eq!(names[0]["name"], "billing-3");
    // The same key file, named in the config file, is accepted.
    let config_file = dir.path().join("shared.toml");
    let key_file = config.join("keydesk").join("audit.key");
    std::fs::write(
        &config_file,
        format!("audit_key_file = {:?}\n", key_file.display().to_string()),
    )
    .unwrap();
    ok(keydesk_with_config(&db, &elsewhere)
        .args(["rename", id, "renamed-by-the-fleet"])
        .env("KEYDESK_CONFIG", &config_file)
        .output()
        .unwrap());
}

/// Policies are set through the store here (the `limit` command is the
/// CLI's own business): `log` shows a creation's policy and every change's
/// before and after, in English and Chinese, and `log --json` gives them as
/// `policy` and `previous_policy`.
#[test]
fn policy_changes_are_logged_before_and_after_in_both_languages_and_in_json() {
    use keydesk::domain::Policy;
    use keydesk::{KeyName, KeyStore, Store};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let store = Store::open(&db).unwrap();
    let rules = Policy::parse("rpm=60 methods=GET,POST").unwrap();
    let (_, record) = store
        .create_with_policy(&KeyName::parse("limited").unwrap(), None, &rules)
        .unwrap();
    store.set_policy(&record.id, &Policy::parse("rps=2").unwrap()).unwrap();
    store.set_policy(&record.id, &Policy::default()).unwrap();

    let entries = log_json(&db, &[]);
    let fields = |e: &serde_json::Value| serde_json::json!([e["action"], e["previous_policy"], e["policy"]]);
    assert_eq!(
        entries.iter().map(fields).collect::<Vec<_>>(),
        [
            serde_json::json!(["policy", "rps=2", ""]),
            serde_json::json!(["policy", "rpm=60 methods=GET,POST", "rps=2"]),
            serde_json::json!(["create", null, "rpm=60 methods=GET,POST"]),
        ]
    );
    let text = ok(keydesk(&db).arg("log").output().unwrap());
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("limited (policy rps=2 -> none)"), "{text}");
    assert!(
        lines[1].contains("limited (policy rpm=60 methods=GET,POST -> rps=2)"),
        "{text}"
    );
    assert!(lines[2].contains("limited (policy rpm=60 methods=GET,POST)"), "{text}");
    let zh = ok(keydesk(&db).arg("log").env("KEYDESK_LANG", "zh-CN").output().unwrap());
    assert!(zh.contains("设置策略"), "{zh}");
    assert!(zh.contains("limited（策略 rps=2 -> 无）"), "{zh}");
}
