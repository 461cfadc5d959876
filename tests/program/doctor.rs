//! `keydesk doctor` run for real: on a healthy database, one others may
//! read, one another process holds, one whose audit log was edited, with a
//! config file keydesk refuses, in a place with no clipboard route, inside
//! a tmux server of its own, and against PostgreSQL reached and not.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use redb::ReadableTable;
use serde_json::Value;

use crate::common::{self, BIN, stderr, stdout};

/// A database and a config folder of its own (so the audit key file and
/// any config file are this test's).
struct Place {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Place {
    fn new() -> Place {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("keys.redb");
        Place { dir, db }
    }

    fn config_home(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// `keydesk` in English on this database and config folder, in a place
    /// with no desktop, no SSH session and no multiplexer, whatever the
    /// test runner's own environment holds.
    fn keydesk(&self) -> Command {
        let mut command = Command::new(BIN);
        for var in [
            "DISPLAY",
            "WAYLAND_DISPLAY",
            "SSH_CONNECTION",
            "SSH_CLIENT",
            "SSH_TTY",
            "TMUX",
            "STY",
            "KEYDESK_CONFIG",
            "LC_ALL",
            "LC_CTYPE",
            "LC_MESSAGES",
            "NO_COLOR",
        ] {
            command.env_remove(var);
        }
        command
            .env("KEYDESK_DB", &self.db)
            .env("XDG_CONFIG_HOME", self.config_home())
            .env("KEYDESK_LANG", "en")
            .env("LANG", "C.UTF-8")
            .env("TERM", "xterm")
            .env("TZ", "UTC")
            .stdin(Stdio::null());
        command
    }

    /// Runs `args`, which must succeed.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.keydesk().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "keydesk {args:?}: {}", stderr(&out));
        stdout(&out)
    }

    /// A key made through the CLI (so its entry is sealed with this
    /// place's audit key); returns its ID.
    fn create(&self, name: &str) -> String {
        self.ok(&["create", "--name", name, "--accept-terms"]);
        let list: Vec<Value> = serde_json::from_str(&self.ok(&["list", "--json"])).unwrap();
        let key = list.iter().find(|key| key["name"] == name).unwrap();
        key["id"].as_str().unwrap().to_owned()
    }

    fn doctor(&self, extra: &[&str]) -> Output {
        run_within(self.keydesk().arg("doctor").args(extra), Duration::from_secs(60))
    }

    fn doctor_json(&self) -> (Option<i32>, Vec<Value>) {
        let out = self.doctor(&["--json"]);
        let report: Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
        (out.status.code(), report["findings"].as_array().unwrap().clone())
    }
}

/// Runs `command` to its end, failing the test if that takes longer than
/// `limit`: doctor must report, never hang.
fn run_within(command: &mut Command, limit: Duration) -> Output {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("keydesk doctor still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// The finding of `check`; panics naming every finding when there is none.
fn finding<'a>(findings: &'a [Value], check: &str) -> &'a Value {
    findings
        .iter()
        .find(|f| f["check"] == check)
        .unwrap_or_else(|| panic!("no {check} in {findings:#?}"))
}

#[test]
fn a_healthy_database_is_all_well_with_exit_0() {
    let place = Place::new();
    place.create("billing");
    let out = place.doctor(&[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.ends_with("All is well.\n"), "{text}");
    for line in [
        "database.mode",
        "only you may read or write it (mode 600)",
        "the audit chain is intact: 1 entry",
    ] {
        assert!(text.contains(line), "{line}: {text}");
    }
    assert!(!text.contains("warning") && !text.contains("error"), "{text}");
}

/// A file others may read still works, so keydesk does not refuse it; but
/// it shows every key's name, policy and use and the whole audit log to
/// every user of the host, which keydesk never allows when it makes the
/// file: a warning, so exit 1, with the chmod that fixes it.
#[test]
fn a_database_others_may_read_is_a_warning_with_its_chmod_and_exit_1() {
    use std::os::unix::fs::PermissionsExt;
    let place = Place::new();
    place.create("billing");
    std::fs::set_permissions(&place.db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, findings) = place.doctor_json();
    assert_eq!(code, Some(1), "{findings:#?}");
    let mode = finding(&findings, "database.mode");
    assert_eq!(mode["level"], "warning");
    assert!(mode["message"].as_str().unwrap().contains("mode 644"), "{mode}");
    assert_eq!(mode["fix"], format!("chmod 600 {}", place.db.display()));
}

#[test]
fn a_database_another_process_holds_is_reported_as_held_not_waited_on() {
    let place = Place::new();
    place.create("billing");
    // This test's process holds the file open for writing, as a stuck
    // keydesk or a backup tool would.
    let held = redb::Database::open(&place.db).unwrap();
    let out = place.doctor(&["--json", "--busy-timeout", "300ms"]);
    drop(held);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let lock = finding(findings, "database.lock");
    assert_eq!(lock["level"], "warning");
    assert!(lock["message"].as_str().unwrap().contains("0.3 s"), "{lock}");
    assert!(lock["fix"].as_str().unwrap().contains("fuser -v"), "{lock}");
    assert_eq!(finding(findings, "audit.chain")["level"], "info");
}

#[test]
fn a_broken_audit_chain_is_an_error_with_exit_1() {
    let place = Place::new();
    let id = place.create("billing");
    place.ok(&["rename", &id, "renamed-1"]);
    place.ok(&["rename", &id, "renamed-2"]);
    // Someone with write access to the file edits entry 2's name.
    {
        let audit: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("audit");
        let file = redb::Database::open(&place.db).unwrap();
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
    let (code, findings) = place.doctor_json();
    assert_eq!(code, Some(1));
    let chain = finding(&findings, "audit.chain");
    assert_eq!(chain["level"], "error");
    assert!(
        chain["message"].as_str().unwrap().contains("entry 2 was changed"),
        "{chain}"
    );
    assert!(
        chain["fix"].as_str().unwrap().contains("restore it from a backup"),
        "{chain}"
    );
}

#[test]
fn a_config_file_with_an_unknown_key_is_an_error_with_exit_1_and_the_other_checks_still_run() {
    let place = Place::new();
    place.create("billing");
    let folder = place.config_home().join("keydesk");
    std::fs::write(folder.join("config.toml"), "mouse = true\nclipbaord = \"osc52\"\n").unwrap();
    // Every other command refuses such a file, with exit 2.
    assert_eq!(place.keydesk().arg("list").output().unwrap().status.code(), Some(2));
    let (code, findings) = place.doctor_json();
    assert_eq!(code, Some(1), "{findings:#?}");
    let key = finding(&findings, "config.keys");
    assert_eq!(key["level"], "error");
    assert!(
        key["message"]
            .as_str()
            .unwrap()
            .contains("config.toml:2: unknown key `clipbaord`"),
        "{key}"
    );
    assert_eq!(key["fix"], "rename it on line 2 to `clipboard`");
    assert_eq!(finding(&findings, "database.schema")["level"], "ok");
    assert_eq!(finding(&findings, "audit.chain")["level"], "ok");
}

#[test]
fn no_clipboard_route_and_a_locale_that_is_not_utf8_only_inform_with_exit_0() {
    let place = Place::new();
    place.create("billing");
    let out = run_within(
        place.keydesk().env("LANG", "C").args(["doctor", "--json"]),
        Duration::from_secs(60),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["needs_attention"], false);
    let findings = report["findings"].as_array().unwrap();
    let route = finding(findings, "clipboard.route");
    assert_eq!(route["level"], "info");
    assert!(
        route["message"]
            .as_str()
            .unwrap()
            .starts_with("no clipboard route here"),
        "{route}"
    );
    assert_eq!(finding(findings, "terminal.locale")["level"], "info");
    // Run with its output in a pipe: no terminal, which informs too.
    assert_eq!(finding(findings, "terminal.present")["level"], "info");
}

#[test]
fn the_json_has_a_stable_shape_whatever_the_language() {
    let place = Place::new();
    place.create("billing");
    let out = run_within(
        place
            .keydesk()
            .env_remove("KEYDESK_LANG")
            .env("LANG", "zh_CN.UTF-8")
            .args(["doctor", "--json"]),
        Duration::from_secs(60),
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["needs_attention"].is_boolean());
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.len() >= 10, "{findings:#?}");
    for finding in findings {
        let fields: Vec<_> = finding.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(fields, ["check", "fix", "level", "message"], "{finding}");
        assert!(["ok", "info", "warning", "error"].contains(&finding["level"].as_str().unwrap()));
        assert!(finding["fix"].is_null() || finding["fix"].is_string());
        // Machine output is English in every language.
        assert!(finding["message"].as_str().unwrap().is_ascii(), "{finding}");
    }
}

#[test]
fn under_a_chinese_locale_doctor_speaks_chinese() {
    use std::os::unix::fs::PermissionsExt;
    let place = Place::new();
    place.create("billing");
    std::fs::set_permissions(&place.db, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = run_within(
        place
            .keydesk()
            .env_remove("KEYDESK_LANG")
            .env("LANG", "zh_CN.UTF-8")
            .arg("doctor"),
        Duration::from_secs(60),
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    for line in [
        "警告  database.mode",
        "其他用户可以读取数据库（权限 640）",
        &format!("修复：chmod 600 {}", place.db.display()),
        "审计链完整：1 条记录",
        "有 1 项需要处理。",
    ] {
        assert!(text.contains(line), "{line}: {text}");
    }
}

/// A tmux server on a private socket, with one window that waits, killed
/// when dropped.
struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    fn start(dir: &Path) -> Option<Tmux> {
        if !Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            common::skip("tmux is not installed");
            return None;
        }
        let tmux = Tmux {
            socket: dir.join("tmux.sock"),
        };
        let started = tmux.run(&["-f", "/dev/null", "new-session", "-d", "-s", "kd", "cat"]);
        assert!(started.status.success(), "{}", stderr(&started));
        Some(tmux)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .output()
            .unwrap()
    }

    /// Runs `keydesk doctor --json` in a new window of this server and
    /// returns what it printed once it has finished.
    fn doctor(&self, place: &Place, name: &str) -> Vec<Value> {
        let out = place.dir.path().join(format!("{name}.json"));
        let done = place.dir.path().join(format!("{name}.done"));
        let command = format!(
            "env -u DISPLAY -u WAYLAND_DISPLAY -u SSH_CONNECTION -u SSH_CLIENT -u SSH_TTY -u STY \
             KEYDESK_LANG=en LANG=C.UTF-8 XDG_CONFIG_HOME='{}' KEYDESK_DB='{}' '{BIN}' doctor --json > '{}'; touch '{}'",
            place.config_home().display(),
            place.db.display(),
            out.display(),
            done.display()
        );
        assert!(self.run(&["new-window", "-d", "-t", "kd", &command]).status.success());
        let deadline = Instant::now() + Duration::from_secs(60);
        while !done.exists() {
            assert!(Instant::now() < deadline, "doctor in tmux did not finish");
            std::thread::sleep(Duration::from_millis(20));
        }
        let report: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        report["findings"].as_array().unwrap().clone()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

#[test]
fn inside_tmux_doctor_reads_set_clipboard_from_tmux_itself() {
    let place = Place::new();
    place.create("billing");
    let Some(tmux) = Tmux::start(place.dir.path()) else {
        return;
    };
    // tmux's default, `external`, keeps an application's copy to itself.
    let findings = tmux.doctor(&place, "external");
    let route = finding(&findings, "clipboard.route");
    assert_eq!(route["level"], "info");
    assert!(
        route["message"].as_str().unwrap().contains("set-clipboard is external"),
        "{route}"
    );
    assert!(
        route["fix"].as_str().unwrap().contains("tmux set -g set-clipboard on"),
        "{route}"
    );

    assert!(tmux.run(&["set-option", "-g", "set-clipboard", "on"]).status.success());
    let findings = tmux.doctor(&place, "on");
    let route = finding(&findings, "clipboard.route");
    assert_eq!(route["level"], "ok");
    assert!(
        route["message"].as_str().unwrap().contains("set-clipboard on"),
        "{route}"
    );
}

#[test]
fn postgres_that_cannot_be_reached_is_an_error_with_exit_1() {
    let place = Place::new();
    let nowhere = place.dir.path().join("no-server");
    let url = format!(
        "postgres://keydesk@/keydesk?host={}&port=5432&connect_timeout=5",
        nowhere.display()
    );
    let out = run_within(
        place.keydesk().env("KEYDESK_DB", &url).args(["doctor", "--json"]),
        Duration::from_secs(60),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let reached = finding(findings, "postgres.reachable");
    assert_eq!(reached["level"], "error");
    assert!(reached["fix"].as_str().unwrap().contains("psql"), "{reached}");
    assert_eq!(finding(findings, "audit.chain")["level"], "info");
}

#[test]
fn postgres_that_is_reached_reports_tls_schema_role_and_the_audit_chain() {
    let Some(server) = common::postgres::PgServer::shared() else {
        return;
    };
    let place = Place::new();
    let url = server.create_database();
    let out = place
        .keydesk()
        .env("KEYDESK_DB", &url)
        .args(["create", "--name", "billing", "--accept-terms"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run_within(
        place.keydesk().env("KEYDESK_DB", &url).args(["doctor", "--json"]),
        Duration::from_secs(60),
    );
    // The superuser owns the tables: information, not a problem.
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(finding(findings, "postgres.reachable")["level"], "ok");
    let tls = finding(findings, "postgres.tls");
    assert_eq!(tls["level"], "ok");
    assert!(tls["message"].as_str().unwrap().contains("stays on this host"), "{tls}");
    assert_eq!(finding(findings, "postgres.schema")["level"], "ok");
    assert_eq!(finding(findings, "postgres.role")["level"], "info");
    let chain = finding(findings, "audit.chain");
    assert_eq!(chain["level"], "ok");
    assert!(chain["message"].as_str().unwrap().contains("1 entry"), "{chain}");
}

/// Runs `sql/postgres-roles.sql` in the database at `url` and returns a URL
/// for a new login role that is a member of `group`.
fn login_as_member_of(server: &common::postgres::PgServer, url: &str, group: &str) -> String {
    let db = url.split('?').next().unwrap().rsplit('/').next().unwrap();
    let roles = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/sql/postgres-roles.sql")).unwrap();
    server.execute(db, &roles);
    let login = format!("doctor_{group}_{db}");
    server.execute(db, &format!("CREATE ROLE {login} LOGIN IN ROLE {group}"));
    server.url_as(&login, db)
}

#[test]
fn postgres_admin_and_verifier_logins_are_recognised_and_a_verifier_leaves_the_audit_chain_unchecked() {
    let Some(server) = common::postgres::PgServer::shared() else {
        return;
    };
    let place = Place::new();
    let url = server.create_database();
    let made = place
        .keydesk()
        .env("KEYDESK_DB", &url)
        .args(["create", "--name", "billing", "--accept-terms"])
        .output()
        .unwrap();
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    let doctor = |login: &str| {
        let out = run_within(
            place.keydesk().env("KEYDESK_DB", login).args(["doctor", "--json"]),
            Duration::from_secs(60),
        );
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        report["findings"].as_array().unwrap().clone()
    };
    let findings = doctor(&login_as_member_of(server, &url, "keydesk_admin"));
    let role = finding(&findings, "postgres.role");
    assert_eq!(role["level"], "ok");
    assert!(role["message"].as_str().unwrap().contains("(admin)"), "{role}");
    assert_eq!(finding(&findings, "audit.chain")["level"], "ok");

    let findings = doctor(&login_as_member_of(server, &url, "keydesk_verifier"));
    let role = finding(&findings, "postgres.role");
    assert_eq!(role["level"], "ok");
    assert!(role["message"].as_str().unwrap().contains("(verifier)"), "{role}");
    let chain = finding(&findings, "audit.chain");
    assert_eq!(chain["level"], "info");
    assert!(chain["message"].as_str().unwrap().contains("verifier"), "{chain}");
}

#[test]
fn an_older_schema_is_a_warning_and_doctor_leaves_the_file_as_it_was() {
    let (_dir, db, _keys) = common::fixture_copy(5);
    let place = Place::new();
    let before = std::fs::read(&db).unwrap();
    let out = run_within(
        place.keydesk().env("KEYDESK_DB", &db).args(["doctor", "--json"]),
        Duration::from_secs(60),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema = finding(report["findings"].as_array().unwrap(), "database.schema");
    assert_eq!(schema["level"], "warning");
    assert!(
        schema["message"]
            .as_str()
            .unwrap()
            .starts_with("schema version 5, older"),
        "{schema}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before, "doctor changed the file");
}
