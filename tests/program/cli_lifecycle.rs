//! The key lifecycle on the command line: `disable`, `enable`, `rotate`,
//! `expire`, `create --expires-…`, `list --status/--expiring-within/--json`
//! and `verify --explain`, through the real binary.

use crate::common;

use std::process::{Output, Stdio};

use common::{keydesk, run_with_stdin, stderr, stdout};
use keydesk::{KeyId, KeyStore, Store};
use serde_json::Value;

type Env = common::cli_env::CliEnv;

/// What only the lifecycle tests need.
trait LifecycleEnv {
    fn verify(&self, secret: &str, explain: bool) -> Output;
    fn names(&self, extra: &[&str]) -> Vec<String>;
    fn store(&self) -> Store;
    /// The store as the CLI opens it (with its audit key), on `clock`.
    fn store_at(&self, clock: keydesk::store::Clock) -> Store;
    fn state(&self) -> keydesk::Listing;
}

impl LifecycleEnv for Env {
    fn verify(&self, secret: &str, explain: bool) -> Output {
        let args: &[&str] = if explain { &["verify", "--explain"] } else { &["verify"] };
        run_with_stdin(keydesk(&self.db).args(args), &format!("{secret}\n"))
    }

    fn names(&self, extra: &[&str]) -> Vec<String> {
        let mut names: Vec<String> = self
            .list_json(extra)
            .iter()
            .map(|k| k["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    }

    fn store(&self) -> Store {
        self.store_at(std::sync::Arc::new(time::OffsetDateTime::now_utc))
    }

    fn store_at(&self, clock: keydesk::store::Clock) -> Store {
        Store::builder(&self.db)
            .create_if_missing(false)
            .audit_key(common::cli_audit_key())
            .clock(clock)
            .open()
            .unwrap()
    }

    /// Every record and the change counter, which moves on every write.
    fn state(&self) -> keydesk::Listing {
        self.store().load().unwrap()
    }
}

#[test]
fn disable_and_enable_switch_a_key_off_and_on() {
    let env = Env::new();
    let (secret, id) = env.create("svc", &[]);
    let out = env.ok(&["disable", &id]);
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains(&format!("`keydesk enable {id}` undoes this")),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.key("svc")["status"], "disabled");
    let refused = env.verify(&secret, false);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(stdout(&refused), "invalid\n", "refused exactly like an unknown key");
    let explained = stdout(&env.verify(&secret, true));
    assert!(
        explained.starts_with(&format!("invalid: key {id} is disabled (since ")),
        "{explained}"
    );
    assert!(!explained.contains(&secret[3..]), "never the key itself");

    env.ok(&["enable", &id]);
    assert_eq!(env.key("svc")["status"], "active");
    assert_eq!(stdout(&env.verify(&secret, false)).trim(), id);
}

#[test]
fn rotate_prints_only_the_new_secret_and_both_verify_during_the_grace() {
    let env = Env::new();
    let (old, id) = env.create("gateway", &["--expires-in", "30d"]);
    let before = env.key("gateway");
    let out = env.ok(&["rotate", &id, "--grace", "24h"]);
    let new = stdout(&out);
    assert_eq!(new.lines().count(), 1, "only the secret on stdout: {new}");
    let new = new.trim();
    assert!(new.starts_with("sk-") && new.len() == 41 && new != old);
    assert!(
        stderr(&out).contains("the old secret keeps verifying until"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains(&new[3..]), "the secret is on stdout only");

    let after = env.key("gateway");
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["expires_at"], before["expires_at"], "rotation keeps the expiry");
    assert_eq!(after["rotation"]["previous_masked_key"], before["masked_key"]);
    assert_eq!(after["rotation"]["previous_last_used"], Value::Null);
    assert!(after["rotation"]["grace_until"].as_str().unwrap().ends_with('Z'));
    assert_eq!(stdout(&env.verify(&old, false)).trim(), id);
    assert_eq!(stdout(&env.verify(new, false)).trim(), id);
    let explained = stdout(&env.verify(&old, true));
    assert!(
        explained.contains("the previous secret of a rotation: valid until"),
        "{explained}"
    );
    assert!(env.key("gateway")["rotation"]["previous_last_used"].is_string());

    // `--grace now` ends the previous secret at once; it is explained.
    let newest = stdout(&env.ok(&["rotate", &id, "--grace", "now"])).trim().to_owned();
    assert_eq!(
        env.verify(&old, false).status.code(),
        Some(1),
        "the older grace ended at once"
    );
    assert_eq!(
        env.verify(new, false).status.code(),
        Some(1),
        "no grace: refused at once"
    );
    let explained = stdout(&env.verify(new, true));
    assert!(
        explained.contains("previous secret") && explained.contains("grace ended at"),
        "{explained}"
    );
    assert_eq!(stdout(&env.verify(&newest, false)).trim(), id);
}

#[cfg(target_os = "linux")]
#[test]
fn a_rotation_whose_secret_cannot_be_written_says_so_and_keeps_the_old_secret_valid() {
    let env = Env::new();
    let (old, id) = env.create("svc", &[]);
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = keydesk(&env.db)
        .args(["rotate", &id, "--grace", "24h"])
        .stdin(Stdio::null())
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("THE NEW SECRET WAS NOT DELIVERED"), "{err}");
    assert!(err.contains("keeps verifying until"), "{err}");
    assert!(err.contains(&format!("keydesk rotate {id} --grace")), "{err}");
    assert_eq!(
        stdout(&env.verify(&old, false)).trim(),
        id,
        "the old secret still verifies"
    );
    assert!(env.key("svc")["rotation"].is_object(), "the rotation stands");
}

#[test]
fn expire_sets_moves_and_removes_an_expiry() {
    let env = Env::new();
    let (_, id) = env.create("svc", &[]);
    assert_eq!(env.key("svc")["expires_at"], Value::Null);
    env.ok(&["expire", &id, "--in", "2d"]);
    let expires = env.key("svc")["expires_at"].as_str().unwrap().to_owned();
    let at = time::OffsetDateTime::parse(&expires, &time::format_description::well_known::Rfc3339).unwrap();
    let left = at - time::OffsetDateTime::now_utc();
    assert!(
        left > time::Duration::hours(47) && left <= time::Duration::hours(48),
        "{left}"
    );
    env.ok(&["expire", &id, "--at", "2099-01-02T03:04:05+08:00"]);
    assert_eq!(env.key("svc")["expires_at"], "2099-01-01T19:04:05Z");
    env.ok(&["expire", &id, "--never"]);
    assert_eq!(env.key("svc")["expires_at"], Value::Null);
}

#[test]
fn a_leap_second_expiry_is_never_stored_a_second_early_and_one_bound_covers_both_forms() {
    let env = Env::new();
    env.create("leap", &["--expires-at", "2030-06-30T23:59:60Z"]);
    assert_eq!(env.key("leap")["expires_at"], "2030-07-01T00:00:00Z");
    let (_, id) = env.create("svc", &[]);
    env.ok(&["expire", &id, "--at", "2030-06-30T23:59:58.5Z"]);
    assert_eq!(env.key("svc")["expires_at"], "2030-06-30T23:59:59Z");

    for args in [
        &[
            "create",
            "--name",
            "far",
            "--accept-terms",
            "--expires-at",
            "9999-12-31T23:59:59Z",
        ][..],
        &["create", "--name", "far", "--accept-terms", "--expires-in", "36501d"][..],
        &["expire", &id, "--at", "9999-12-31T23:59:59Z"][..],
    ] {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("too far ahead: at most 36500 days from now"),
            "{args:?}: {said}"
        );
    }
    assert_eq!(env.key("svc")["expires_at"], "2030-06-30T23:59:59Z", "unchanged");
}

#[test]
fn list_filters_by_status_and_by_an_expiry_coming_soon() {
    let env = Env::new();
    env.create("plain", &[]);
    env.create("soon", &["--expires-in", "3d"]);
    env.create("later", &["--expires-at", "2099-01-01T00:00:00Z"]);
    let (_, off) = env.create("off", &["--expires-in", "1d"]);
    env.ok(&["disable", &off]);
    let (_, gone) = env.create("gone", &["--expires-in", "1h"]);
    // Expire one for real, set through a store whose clock is two hours
    // behind (so the instant is "in the future" to it), rather than a sleep.
    let behind = env.store_at(std::sync::Arc::new(|| {
        time::OffsetDateTime::now_utc() - time::Duration::hours(2)
    }));
    let just_passed = time::OffsetDateTime::now_utc() - time::Duration::seconds(5);
    behind
        .set_expiry(&KeyId::parse(&gone).unwrap(), Some(just_passed))
        .unwrap();

    assert_eq!(env.names(&["--status", "active"]), ["later", "plain", "soon"]);
    assert_eq!(env.names(&["--status", "disabled"]), ["off"]);
    assert_eq!(env.names(&["--status", "expired"]), ["gone"]);
    assert_eq!(env.names(&["--expiring-within", "7d"]), ["off", "soon"]);
    assert_eq!(env.names(&["--expiring-within", "7d", "--status", "active"]), ["soon"]);
    let gone_key = env.key("gone");
    assert_eq!(gone_key["status"], "expired", "an expired key stays listed");
    let table = stdout(&env.ok(&["list", "--status", "active"]));
    assert!(
        table
            .lines()
            .next()
            .unwrap()
            .trim_end()
            .ends_with("Status             Rules"),
        "{table}"
    );
    assert!(
        table.contains("expires in 2d") || table.contains("expires in 3d"),
        "{table}"
    );
}

#[test]
fn an_expired_key_is_refused_everything_but_delete_and_nothing_is_written() {
    let env = Env::new();
    let (secret, id) = env.create("svc", &["--expires-in", "1h"]);
    let past = time::OffsetDateTime::now_utc() - time::Duration::seconds(5);
    env.store_at(std::sync::Arc::new(move || past - time::Duration::hours(1)))
        .set_expiry(&KeyId::parse(&id).unwrap(), Some(past))
        .unwrap();
    let before = env.state();
    for args in [
        vec!["enable", id.as_str()],
        vec!["rotate", id.as_str(), "--grace", "1h"],
        vec!["expire", id.as_str(), "--never"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("key {id} expired at")),
            "{}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty());
        assert!(env.state() == before, "{args:?} wrote something");
    }
    let explained = stdout(&env.verify(&secret, true));
    assert!(
        explained.starts_with(&format!("invalid: key {id} expired at ")),
        "{explained}"
    );
    env.ok(&["delete", &id, "--yes"]);
}

#[test]
fn acting_on_a_deleted_key_exits_1_and_writes_nothing() {
    let env = Env::new();
    let (_, id) = env.create("svc", &[]);
    env.ok(&["delete", &id, "--yes"]);
    let before = env.state();
    for args in [
        vec!["disable", id.as_str()],
        vec!["enable", id.as_str()],
        vec!["rotate", id.as_str(), "--grace", "1h"],
        vec!["expire", id.as_str(), "--in", "1d"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&out), format!("keydesk: no key with ID {id}\n"));
        assert!(env.state() == before, "{args:?} wrote something");
    }
}

#[test]
fn bad_durations_and_dates_are_usage_errors_naming_the_accepted_forms() {
    let env = Env::new();
    let (_, id) = env.create("svc", &[]);
    let before = env.state();
    let cases: Vec<Vec<&str>> = vec![
        vec!["expire", &id, "--in", "0d"],
        vec!["expire", &id, "--in", "-3d"],
        vec!["expire", &id, "--in", "30x"],
        vec!["expire", &id, "--in", "1e9d"],
        vec!["expire", &id, "--in", "99999999999999999999999d"],
        vec!["expire", &id, "--in", "36501d"],
        vec!["expire", &id, "--at", "2001-01-01T00:00:00Z"],
        vec!["expire", &id, "--at", "next tuesday"],
        vec!["expire", &id],
        vec!["expire", &id, "--never", "--in", "1d"],
        vec!["rotate", &id, "--grace", "0s"],
        vec!["rotate", &id, "--grace", "24"],
        vec!["rotate", &id],
        vec!["create", "--name", "new-key", "--accept-terms", "--expires-in", "0m"],
        vec![
            "create",
            "--name",
            "new-key",
            "--accept-terms",
            "--expires-at",
            "1999-12-31T23:59:59Z",
        ],
        vec![
            "create",
            "--name",
            "new-key",
            "--accept-terms",
            "--expires-in",
            "1d",
            "--expires-at",
            "2099-01-01T00:00:00Z",
        ],
        vec!["list", "--expiring-within", "7w"],
        vec!["list", "--status", "sleeping"],
    ];
    for args in cases {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        let names_forms = err.contains("e.g. 250ms, 30s, 5m, 24h, 30d")
            || err.contains("e.g. 2026-12-31T23:59:59Z")
            || err.contains("too far ahead: at most 36500 days")
            || err.contains("cannot be used with")
            || err.contains("required")
            || err.contains("possible values");
        assert!(names_forms, "{args:?}: {err}");
        assert!(env.state() == before, "{args:?} wrote something");
    }
}

#[test]
fn help_documents_the_lifecycle_commands_and_exit_codes() {
    let env = Env::new();
    let help = stdout(&env.ok(&["--help"]));
    for word in [
        "disable",
        "enable",
        "rotate",
        "expire",
        "rotated-out secret",
        "old secret keeps its grace",
    ] {
        assert!(help.contains(word), "{word}: {help}");
    }
}
