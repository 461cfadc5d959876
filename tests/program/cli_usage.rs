//! `keydesk usage` and `keydesk cleanup` through the real binary: what
//! `verify` counts (also from many processes at once), the JSON shapes, and
//! cleanup's confirmation, dry run and one-transaction bulk actions.

use crate::common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::cli_env::CliEnv;
use common::pty::PtyProcess;
use common::{keydesk, manual_clock, name, run_with_stdin, stderr, stdout};
use keydesk::domain::AuditQuery;
use keydesk::{KeyStore, Store};
use portable_pty::CommandBuilder;
use serde_json::Value;
use time::OffsetDateTime;

fn usage_json(env: &CliEnv, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["usage", "--json"];
    all.extend(args);
    serde_json::from_slice(&env.ok(&all).stdout).unwrap()
}

fn verify(env: &CliEnv, secret: &str) -> i32 {
    env.run_with_stdin(&["verify"], &format!("{secret}\n"))
        .status
        .code()
        .unwrap()
}

#[test]
fn usage_counts_each_verify_by_outcome_per_utc_day() {
    let env = CliEnv::new();
    let (live, live_id) = env.create("live", &[]);
    let (off, off_id) = env.create("off", &[]);
    env.create("idle", &[]);
    env.ok(&["disable", &off_id]);
    for _ in 0..3 {
        assert_eq!(verify(&env, &live), 0);
    }
    assert_eq!(verify(&env, &off), 1);
    assert_eq!(verify(&env, "sk-not-a-key"), 1);

    let all = usage_json(&env, &[]);
    assert_eq!(all.len(), 3, "every key is listed, used or not");
    let of = |id: &str| all.iter().find(|k| k["id"] == id).unwrap().clone();
    let today = OffsetDateTime::now_utc().date().to_string();
    let live_usage = of(&live_id);
    assert_eq!(live_usage["name"], "live");
    assert_eq!(live_usage["total"]["accepted"], 3);
    assert_eq!(live_usage["days"][0]["date"], today.as_str());
    assert_eq!(live_usage["days"][0]["accepted"], 3);
    assert_eq!(of(&off_id)["total"]["refused_disabled"], 1);
    assert_eq!(of(&off_id)["total"]["accepted"], 0);

    // One key: every day of the range, then the total.
    let text = stdout(&env.ok(&["usage", &live_id, "--days", "7"]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 1 + 7 + 1, "{text}");
    assert!(lines[8].starts_with(&today) && lines[8].contains(" 3 "), "{text}");
    assert!(lines[9].starts_with("total"), "{text}");
    assert_eq!(usage_json(&env, &[&live_id]).len(), 1);

    for bad in [&["usage", "--days", "0"][..], &["usage", "--days", "401"]] {
        assert_eq!(env.run(bad).status.code(), Some(2), "{bad:?}");
    }
    assert_eq!(env.run(&["usage", "ak-0000000000000000"]).status.code(), Some(1));
}

/// A gateway's refusals by policy (counted through its Verifier) show in
/// `usage --json` by reason, and not as accepted.
#[test]
fn usage_json_shows_refusals_by_policy_reason_apart_from_accepted() {
    use keydesk::domain::policy::Reason;
    let env = CliEnv::new();
    let (secret, id) = env.create("limited", &[]);
    let verifier = keydesk::Verifier::open(&env.db).unwrap();
    for _ in 0..5 {
        verifier.verify(&secret).unwrap();
    }
    let key = keydesk::KeyId::parse(&id).unwrap();
    for reason in [Reason::Rate, Reason::Rate, Reason::Method] {
        verifier.count_refusal(&key, reason);
    }
    verifier.close().unwrap();
    let usage = usage_json(&env, &[&id]);
    let total = &usage[0]["total"];
    assert_eq!(total["accepted"], 2, "{total}");
    assert_eq!(total["refused_rate"], 2, "{total}");
    assert_eq!(total["refused_method"], 1, "{total}");
    for reason in ["concurrency", "path", "model", "address"] {
        assert_eq!(total[format!("refused_{reason}")], 0, "{total}");
    }
    assert_eq!(usage[0]["days"][0]["refused_rate"], 2, "{usage:?}");
}

/// `keydesk verify` counts every check of a known key exactly, also when
/// many run at once: each waits for the file (the busy timeout) and writes
/// its count in its own transaction.
#[test]
fn concurrent_verify_processes_count_every_check() {
    const PROCESSES: usize = 8;
    const CHECKS: usize = 5;
    let env = Arc::new(CliEnv::new());
    let (secret, id) = env.create("busy", &[]);
    let threads: Vec<_> = (0..PROCESSES)
        .map(|_| {
            let (env, secret) = (env.clone(), secret.clone());
            std::thread::spawn(move || {
                for _ in 0..CHECKS {
                    let mut command = keydesk(&env.db);
                    command.args(["verify"]).env("KEYDESK_BUSY_TIMEOUT", "120s");
                    let out = run_with_stdin(&mut command, &format!("{secret}\n"));
                    assert!(out.status.success(), "{}", stderr(&out));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let usage = usage_json(&env, &[&id]);
    assert_eq!(usage[0]["total"]["accepted"], (PROCESSES * CHECKS) as u64);
}

/// A database with keys whose last use (or creation) lies in the past, made
/// through the library with its clock set back.
struct Aged {
    env: CliEnv,
    used_long_ago: String,
    never_used_old: String,
    used_recently: String,
    never_used_new: String,
}

fn aged() -> Aged {
    let env = CliEnv::new();
    let now = OffsetDateTime::now_utc();
    let (clock_fn, clock) = manual_clock(now - time::Duration::days(100));
    let store = Store::builder(&env.db).clock(clock_fn).open().unwrap();
    let (old_secret, used_long_ago) = store.create(&name("used-long-ago")).unwrap();
    store.verify(old_secret.expose()).unwrap();
    let (_, never_used_old) = store.create(&name("never-used-old")).unwrap();
    let (recent_secret, used_recently) = store.create(&name("used-recently")).unwrap();
    *clock.lock().unwrap() = now;
    store.verify(recent_secret.expose()).unwrap();
    let (_, never_used_new) = store.create(&name("never-used-new")).unwrap();
    Aged {
        env,
        used_long_ago: used_long_ago.id.to_string(),
        never_used_old: never_used_old.id.to_string(),
        used_recently: used_recently.id.to_string(),
        never_used_new: never_used_new.id.to_string(),
    }
}

fn cleanup_json(env: &CliEnv, args: &[&str]) -> Value {
    let mut all = vec!["cleanup", "--json"];
    all.extend(args);
    serde_json::from_slice(&env.ok(&all).stdout).unwrap()
}

fn ids(report: &Value) -> Vec<String> {
    let mut ids: Vec<String> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[test]
fn cleanup_finds_keys_unused_or_never_used_for_the_given_time() {
    let a = aged();
    let report = cleanup_json(&a.env, &["--unused-for", "90d"]);
    assert_eq!(
        ids(&report),
        sorted(vec![a.used_long_ago.clone(), a.never_used_old.clone()])
    );
    assert_eq!(report["action"], Value::Null);
    assert_eq!(report["unused_for_days"], 90);
    let never = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == a.never_used_old.as_str());
    assert_eq!(never.unwrap()["last_used"], Value::Null);
    // Over 101 days: none; over a day: the recent key too, not the new one.
    assert_eq!(
        ids(&cleanup_json(&a.env, &["--unused-for", "101d"])),
        Vec::<String>::new()
    );
    let report = cleanup_json(&a.env, &["--unused-for", "1h"]);
    assert!(!ids(&report).contains(&a.never_used_new));
    let _ = &a.used_recently;
}

#[test]
fn cleanup_disables_all_found_keys_in_one_transaction_with_an_audit_entry_each() {
    let a = aged();
    let store = Store::builder(&a.env.db).create_if_missing(false).open().unwrap();
    let (counter, entries) = (
        store.change_counter().unwrap(),
        store.audit_entries(&AuditQuery::default()).unwrap().len(),
    );
    let report = cleanup_json(&a.env, &["--unused-for", "90d", "--disable", "--yes"]);
    assert_eq!(report["action"], "disabled");
    assert_eq!(store.change_counter().unwrap(), counter + 1, "one transaction");
    let log = store.audit_entries(&AuditQuery::default()).unwrap();
    assert_eq!(log.len(), entries + 2);
    let mut logged: Vec<String> = log[..2].iter().map(|e| e.key.clone().unwrap().to_string()).collect();
    logged.sort();
    assert_eq!(logged, ids(&report));
    assert!(
        log[..2]
            .iter()
            .all(|e| e.event == keydesk::domain::AuditEvent::Disabled)
    );
    assert_eq!(a.env.key("used-long-ago")["status"], "disabled");
    assert_eq!(a.env.key("used-recently")["status"], "active");
    // Disabled keys are not found again for disabling.
    let again = cleanup_json(&a.env, &["--unused-for", "90d", "--disable", "--yes"]);
    assert_eq!(ids(&again), Vec::<String>::new());
}

#[test]
fn cleanup_deletes_with_yes_and_a_dry_run_changes_nothing() {
    let a = aged();
    let before = a.env.list_json(&[]);
    let report = cleanup_json(&a.env, &["--unused-for", "90d", "--delete", "--dry-run"]);
    assert_eq!(report["action"], "would delete");
    assert_eq!(ids(&report).len(), 2);
    assert_eq!(a.env.list_json(&[]), before, "a dry run changes nothing");

    let out = a.env.ok(&["cleanup", "--unused-for", "90d", "--delete", "--yes"]);
    assert!(stderr(&out).contains("Deleted 2 keys."), "{}", stderr(&out));
    let left: Vec<String> = a
        .env
        .list_json(&[])
        .iter()
        .map(|k| k["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        sorted(left),
        sorted(vec![a.used_recently.clone(), a.never_used_new.clone()])
    );
}

#[test]
fn cleanup_without_a_terminal_refuses_to_act_unless_yes() {
    let a = aged();
    let before = a.env.list_json(&[]);
    for action in ["--disable", "--delete"] {
        let out = a.env.run(&["cleanup", "--unused-for", "90d", action]);
        assert_eq!(out.status.code(), Some(2), "{action}");
        assert!(stderr(&out).contains("pass --yes"), "{}", stderr(&out));
    }
    assert_eq!(a.env.list_json(&[]), before);
    assert_eq!(
        a.env
            .run(&["cleanup", "--unused-for", "90d", "--disable", "--delete"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(a.env.run(&["cleanup", "--unused-for", "0d"]).status.code(), Some(2));
}

/// Runs keydesk in a pseudo-terminal; types `input` once `prompt` appears.
/// Returns the exit code and everything shown.
fn answer_in_terminal(db: &std::path::Path, args: &[&str], prompt: &str, input: &str) -> (u32, String) {
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_keydesk"));
    command.args(args);
    command.env("KEYDESK_DB", db);
    command.env("XDG_CONFIG_HOME", common::NO_CONFIG_HOME);
    command.env("KEYDESK_LANG", "en");
    let mut process = PtyProcess::spawn(command, 200, 24);
    let deadline = Instant::now() + Duration::from_secs(30);
    let (mut shown, mut answered) = (Vec::new(), false);
    loop {
        if let Ok(chunk) = process.output.recv_timeout(Duration::from_millis(20)) {
            shown.extend(chunk);
        }
        if !answered && String::from_utf8_lossy(&shown).contains(prompt) {
            process.send(input);
            answered = true;
        }
        if let Some(status) = process.child.try_wait().unwrap() {
            while let Ok(chunk) = process.output.recv_timeout(Duration::from_millis(100)) {
                shown.extend(chunk);
            }
            return (status.exit_code(), String::from_utf8_lossy(&shown).into_owned());
        }
        let text = String::from_utf8_lossy(&shown);
        assert!(
            Instant::now() < deadline,
            "keydesk did not finish; terminal shows: {text:?}"
        );
    }
}

#[test]
fn cleanup_on_a_terminal_asks_and_no_changes_nothing() {
    let a = aged();
    let args = ["cleanup", "--unused-for", "90d", "--disable"];
    let (code, text) = answer_in_terminal(&a.env.db, &args, "[y/N]", "n\r");
    assert_eq!(code, 4, "{text}");
    assert!(text.contains("Disable 2 keys unused for 90 days or more?"), "{text}");
    assert_eq!(a.env.key("never-used-old")["status"], "active");

    let (code, text) = answer_in_terminal(&a.env.db, &args, "[y/N]", "y\r");
    assert_eq!(code, 0, "{text}");
    assert_eq!(a.env.key("never-used-old")["status"], "disabled");
    assert_eq!(a.env.key("used-long-ago")["status"], "disabled");
}
