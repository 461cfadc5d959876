//! contrib/systemd: the unit file checked by systemd's own tools
//! (`systemd-analyze verify`, and `security` for its exposure), its
//! command line run as it stands, and the user it runs as made by
//! systemd-sysusers and by the useradd line documented beside it. No
//! systemd needs to be running: these tools read the files.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::programs::installed;
use crate::common::{keydesk_without_db, stderr, stdout};
use crate::support::{Keys, Server};

const UNIT: &str = include_str!("../../contrib/systemd/keydesk-serve.service");
const SYSUSERS: &str = include_str!("../../contrib/systemd/keydesk.sysusers");
/// Where the unit expects the program.
const INSTALLED_BIN: &str = "/usr/local/bin/keydesk";

/// The values of `key=` in the unit's [Service] (and other) sections, in order.
fn values<'a>(key: &str) -> Vec<&'a str> {
    UNIT.lines()
        .filter_map(|line| line.strip_prefix(key)?.strip_prefix('='))
        .collect()
}

fn value<'a>(key: &str) -> &'a str {
    match values(key)[..] {
        [one] => one,
        ref other => panic!("{key}= is set {} times", other.len()),
    }
}

/// The unit with ExecStart pointing at the binary under test (verify
/// checks that it exists), in `dir`; and keydesk's man pages beside it, for
/// verify's check that `Documentation=man:…` names a page.
fn unit_for_this_build(dir: &Path) -> PathBuf {
    let unit = dir.join("keydesk-serve.service");
    std::fs::write(&unit, UNIT.replace(INSTALLED_BIN, crate::common::BIN)).unwrap();
    let man1 = dir.join("man/man1");
    let out = keydesk_without_db()
        .arg("man")
        .arg("--out-dir")
        .arg(&man1)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    unit
}

#[test]
fn systemd_analyze_verify_finds_nothing_wrong_with_the_unit() {
    let Some(analyze) = installed("systemd-analyze", "systemd") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let unit = unit_for_this_build(dir.path());
    let out = Command::new(analyze)
        .arg("verify")
        .arg(&unit)
        .env("MANPATH", dir.path().join("man"))
        .output()
        .unwrap();
    // Warnings (an unknown setting, say) keep exit 0: none is allowed.
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "systemd-analyze verify warned");
}

#[test]
fn systemd_analyze_security_rates_the_unit_at_most_1_2() {
    let Some(analyze) = installed("systemd-analyze", "systemd") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let unit = unit_for_this_build(dir.path());
    // --offline reads the file (systemd 250 and later); the threshold is
    // in tenths.
    let out = Command::new(analyze)
        .args(["security", "--offline=true", "--threshold=12", "--no-pager"])
        .arg(&unit)
        .output()
        .unwrap();
    let report = stdout(&out);
    let overall = report.lines().find(|line| line.contains("Overall exposure level"));
    println!("systemd-analyze security: {}", overall.unwrap_or("(no overall line)"));
    assert!(out.status.success(), "{report}{}", stderr(&out));
    assert!(overall.is_some_and(|line| line.contains(" OK")), "{report}");
}

#[test]
fn the_unit_has_the_hardening_asked_for() {
    for (key, expected) in [
        ("User", "keydesk"),
        ("Group", "keydesk"),
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("PrivateDevices", "yes"),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
        ("CapabilityBoundingSet", ""),
        ("AmbientCapabilities", ""),
        ("ExecReload", "/bin/kill -s HUP $MAINPID"),
    ] {
        assert_eq!(value(key), expected, "{key}=");
    }
    assert_eq!(values("SystemCallFilter")[0], "@system-service");
    // The one writable path is the database's directory, which systemd makes.
    let db = serve_option("--db");
    let directory = Path::new(&db).parent().unwrap();
    assert_eq!(Path::new(value("ReadWritePaths")), directory);
    assert_eq!(Path::new("/var/lib").join(value("StateDirectory")), directory);
    assert_eq!(value("StateDirectoryMode"), "0700");
}

/// The value of `option` on the unit's ExecStart line.
fn serve_option(option: &str) -> String {
    let words: Vec<&str> = value("ExecStart").split_whitespace().collect();
    let at = words
        .iter()
        .position(|word| *word == option)
        .expect("ExecStart names it");
    words[at + 1].to_owned()
}

/// `keydesk serve --help`'s default for `option`, e.g. `[default: 10000]`
/// (on the option's line or in the help below it).
fn serve_default(option: &str) -> String {
    let out = keydesk_without_db().args(["serve", "--help"]).output().unwrap();
    let help = stdout(&out);
    let mut lines = help.lines().skip_while(|line| !line.trim_start().starts_with(option));
    let first = lines.next().expect("serve --help lists it");
    let entry: Vec<&str> = std::iter::once(first)
        .chain(lines.take_while(|line| !line.trim_start().starts_with('-')))
        .collect();
    let entry = entry.join(" ");
    let (_, default) = entry.split_once("[default: ").expect("it has a default");
    default.split(']').next().unwrap().to_owned()
}

#[test]
fn the_descriptor_limit_covers_max_connections_through_a_proxy() {
    let connections: u64 = match value("ExecStart").contains("--max-connections") {
        true => serve_option("--max-connections").parse().unwrap(),
        false => serve_default("--max-connections").parse().unwrap(),
    };
    let limit: u64 = value("LimitNOFILE").parse().unwrap();
    // A client connection, its upstream connection, and one more while it
    // is upgraded (WebSocket); then the program's own few.
    assert!(
        limit >= 3 * connections + 256,
        "LimitNOFILE={limit} for --max-connections {connections}"
    );
}

#[test]
fn the_units_command_line_serves_and_stops_cleanly_on_sigterm() {
    let keys = Keys::new();
    let (secret, id) = keys.create("unit-test");
    let exec_start = value("ExecStart");
    let mut words = exec_start.split_whitespace();
    assert_eq!(words.next(), Some(INSTALLED_BIN));
    let db = serve_option("--db");
    let listen = serve_option("--listen");
    // Its own command line, but this build, the test's database, and a free
    // port in place of its address (Server::launch adds --listen 127.0.0.1:0).
    let mut args: Vec<String> = Vec::new();
    while let Some(word) = words.next() {
        match word {
            "--listen" => assert_eq!(words.next(), Some(listen.as_str())),
            word if word == db => args.push(keys.db.display().to_string()),
            word => args.push(word.to_owned()),
        }
    }
    let mut command = Command::new(crate::common::BIN);
    command.args(&args);
    let mut server = Server::launch(command, &[]);
    let answer = server.get("/verify", &[("Authorization", &format!("Bearer {secret}"))]);
    assert_eq!(answer.status, 200, "{}", server.stderr());
    assert_eq!(answer.header("x-keydesk-key-id"), Some(id.as_str()));
    server.signal(libc::SIGTERM);
    assert_eq!(server.wait().code(), Some(0), "{}", server.stderr());
}

/// The passwd and group lines for keydesk in the root `root`.
fn account(root: &Path) -> (String, String) {
    let line = |file: &str| {
        let text = std::fs::read_to_string(root.join("etc").join(file)).unwrap();
        text.lines()
            .find(|line| line.starts_with("keydesk:"))
            .unwrap_or_else(|| panic!("no keydesk in {file}: {text}"))
            .to_owned()
    };
    (line("passwd"), line("group"))
}

/// `keydesk:x:UID:GID:keydesk serve:/var/lib/keydesk:/usr/sbin/nologin`,
/// a system user (UID below 1000) whose group has its GID.
fn assert_is_the_service_user(passwd: &str, group: &str) {
    let fields: Vec<&str> = passwd.split(':').collect();
    assert_eq!(fields.len(), 7, "{passwd}");
    assert_eq!(fields[0], value("User"));
    assert!(fields[2].parse::<u32>().unwrap() < 1000, "{passwd}");
    assert_eq!(
        fields[4..],
        ["keydesk serve", "/var/lib/keydesk", "/usr/sbin/nologin"],
        "{passwd}"
    );
    assert_eq!(group.split(':').nth(2), Some(fields[3]), "{group}");
}

#[test]
fn systemd_sysusers_makes_the_user_the_unit_runs_as() {
    let Some(sysusers) = installed("systemd-sysusers", "systemd") else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("etc")).unwrap();
    let file = root.path().join("keydesk.conf");
    std::fs::write(&file, SYSUSERS).unwrap();
    let out = Command::new(sysusers)
        .arg(format!("--root={}", root.path().display()))
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let (passwd, group) = account(root.path());
    assert_is_the_service_user(&passwd, &group);
}

#[test]
fn the_documented_useradd_line_makes_the_same_user() {
    let Some(useradd) = installed("useradd", "passwd") else {
        return;
    };
    // The line in keydesk.sysusers' comment, continuation joined.
    let documented = SYSUSERS
        .lines()
        .filter_map(|line| line.strip_prefix('#'))
        .skip_while(|line| !line.trim_start().starts_with("useradd "))
        .map(|line| line.trim().trim_end_matches('\\').trim())
        .take_while(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("etc")).unwrap();
    for file in ["passwd", "group", "shadow", "gshadow"] {
        std::fs::write(root.path().join("etc").join(file), "").unwrap();
    }
    let arguments = documented.strip_prefix("useradd ").expect("a useradd line");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("\"$0\" --prefix \"$1\" {arguments}"))
        .arg(useradd)
        .arg(root.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{documented}: {}", stderr(&out));
    let (passwd, group) = account(root.path());
    assert_is_the_service_user(&passwd, &group);
}
