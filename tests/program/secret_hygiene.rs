//! The secret appears exactly once — on `create`'s stdout — and nowhere else:
//! not in any other output, error message, file, or panic message.

use crate::common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{BIN, run_with_stdin};

/// Runs keydesk with HOME and every XDG directory inside `home`, so any file
/// it writes anywhere lands there and can be inspected.
fn keydesk(home: &Path, args: &[&str], stdin: &str) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("TMPDIR", home.join("tmp"))
        .env("RUST_BACKTRACE", "1");
    run_with_stdin(&mut command, stdin)
}

fn files_under(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, found);
        } else {
            found.push(path);
        }
    }
}

#[test]
fn the_secret_is_printed_once_and_stored_nowhere() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("tmp")).unwrap();
    let created = keydesk(home.path(), &["create", "--name", "hygiene", "--accept-terms"], "");
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let secret = String::from_utf8(created.stdout.clone()).unwrap().trim().to_owned();
    // The random middle: unique to this secret, absent from its masked form.
    let needle = &secret[7..37];

    let id_out = keydesk(home.path(), &["verify"], &secret);
    let id = String::from_utf8(id_out.stdout.clone()).unwrap().trim().to_owned();
    let mut outputs = vec![created.stderr.clone(), id_out.stdout, id_out.stderr];
    for (args, stdin) in [
        (vec!["list"], String::new()),
        (vec!["list", "--json"], String::new()),
        (vec!["rename", &id, "hygiene-2"], String::new()),
        // The secret pasted where it does not belong must not be echoed back.
        (vec!["create", "--name", &secret, "--accept-terms"], String::new()),
        (vec!["rename", &id, &secret], String::new()),
        (vec!["rename", &secret, "some-name"], String::new()),
        (vec!["delete", &secret, "--yes"], String::new()),
        (vec!["verify"], format!("{secret}x")),
        (vec!["verify"], format!(" {secret} \n")),
        (vec!["delete", &id, "--yes"], String::new()),
        (vec!["verify"], secret.clone()),
    ] {
        let out = keydesk(home.path(), &args, &stdin);
        outputs.push(out.stdout);
        outputs.push(out.stderr);
    }
    for (i, output) in outputs.iter().enumerate() {
        let text = String::from_utf8_lossy(output);
        assert!(!text.contains(needle), "output {i} contains the secret: {text}");
    }

    let mut files = Vec::new();
    files_under(home.path(), &mut files);
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("keys.redb") || f.ends_with("keydesk.redb")),
        "{files:?}"
    );
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{} contains the secret",
            file.display()
        );
    }
}

#[test]
fn panic_messages_cannot_carry_a_secret() {
    let secret = keydesk::SecretKey::generate();
    let payload = std::panic::catch_unwind(|| panic!("while holding {secret:?}")).unwrap_err();
    let message = payload.downcast_ref::<String>().unwrap();
    assert!(message.contains("redacted"));
    assert!(!message.contains(&secret.expose()[3..]));
}

#[cfg(target_os = "linux")]
#[test]
#[allow(unsafe_code)]
fn a_running_keydesk_cannot_dump_core() {
    let home = tempfile::tempdir().unwrap();
    // `verify` waits on stdin, which keeps the process alive to be inspected.
    // It starts with core dumps allowed, so only keydesk itself can turn them off.
    let mut command = Command::new(BIN);
    // SAFETY: setrlimit is async-signal-safe.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            let allow = libc::rlimit {
                rlim_cur: 1 << 20,
                rlim_max: libc::RLIM_INFINITY,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &allow);
            Ok(())
        });
    }
    let mut child = command
        .arg("verify")
        .env("KEYDESK_DB", home.path().join("k.redb"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let limits_path = format!("/proc/{}/limits", child.id());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let core_line = loop {
        let limits = std::fs::read_to_string(&limits_path).unwrap_or_default();
        let line = limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap_or("")
            .to_owned();
        // Right after spawn the limits are still the parent's; wait for main() to run.
        if line.split_whitespace().nth(4) == Some("0") || std::time::Instant::now() > deadline {
            break line;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    drop(child.stdin.take());
    child.wait().unwrap();
    let fields: Vec<&str> = core_line.split_whitespace().collect();
    assert_eq!(fields.get(4..6), Some(&["0", "0"][..]), "{core_line}");
}

/// Stored text is shown sanitised even when the database was written by
/// something other than keydesk, which never validated the name.
#[test]
fn hostile_stored_names_cannot_reach_the_terminal_through_list() {
    #[derive(serde::Serialize)]
    struct RecordV1<'a> {
        name: &'a str,
        hash: [u8; 32],
        masked: &'a str,
        created_at: i64,
        last_used: Option<i64>,
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    keydesk::Store::open(&db).unwrap();
    let hostile = "\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\u{202E}evil\u{9b}31m";
    {
        // The store's documented on-disk format: a version byte, then postcard.
        let record = RecordV1 {
            name: hostile,
            hash: [7; 32],
            masked: "sk-\u{1b}[5m****",
            created_at: 1_700_000_000,
            last_used: None,
        };
        let mut bytes = vec![1u8];
        bytes.extend(postcard::to_allocvec(&record).unwrap());
        let redb = redb::Database::open(&db).unwrap();
        let txn = redb.begin_write().unwrap();
        txn.open_table(redb::TableDefinition::<&str, &[u8]>::new("keys"))
            .unwrap()
            .insert("ak-0000000000000001", bytes.as_slice())
            .unwrap();
        txn.commit().unwrap();
    }
    let out = run_with_stdin(common::keydesk(&db).arg("list"), "");
    assert!(out.status.success(), "{}", common::stderr(&out));
    let table = common::stdout(&out);
    assert!(table.contains("evil"), "{table}");
    for forbidden in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202E}'] {
        assert!(
            !table.contains(forbidden),
            "{forbidden:?} reached the terminal: {table:?}"
        );
    }
    // JSON stays faithful (the same name after parsing) and terminal-safe.
    let json = common::stdout(&run_with_stdin(common::keydesk(&db).args(["list", "--json"]), ""));
    for forbidden in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202E}'] {
        assert!(
            !json.contains(forbidden),
            "{forbidden:?} reached the terminal: {json:?}"
        );
    }
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed[0]["name"], hostile);
}

/// `--help` lists the environment variables each option reads; clap would
/// print their values too, and `KEYDESK_DB` may hold a PostgreSQL password.
#[test]
fn help_never_prints_the_database_url_from_the_environment() {
    let password = "hunter2-in-the-url";
    for lang in ["en", "zh-CN"] {
        for help in [&["--help"][..], &["-h"], &["list", "--help"], &["serve", "--help"]] {
            let out = Command::new(BIN)
                .args(help)
                .env("KEYDESK_DB", format!("postgres://keydesk:{password}@db.internal/keys"))
                .env("KEYDESK_LANG", lang)
                .env("XDG_CONFIG_HOME", common::NO_CONFIG_HOME)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert_eq!(out.status.code(), Some(0), "{lang} {help:?}");
            assert!(text.contains("KEYDESK_DB"), "the variable is still named: {text}");
            assert!(
                !text.contains(password),
                "{lang} {help:?} printed the password:\n{text}"
            );
        }
    }
}

/// Every way of writing a PostgreSQL password into the database's name:
/// nothing keydesk prints about it shows the password or any part of it,
/// whichever of `--db` and `KEYDESK_DB` carries it, in either language.
const DESIGNATIONS_WITH_PASSWORDS: [&str; 8] = [
    "postgres://alice@127.0.0.1:1/kd?password=hunter2pw",
    "postgres://alice@127.0.0.1:1/kd?PASSWORD=hunter2pw",
    "postgresql://alice@127.0.0.1:1/kd?sslmode=disable&PassWord=hunter2pw",
    "postgres://alice:hun@ter2pw@127.0.0.1:1/kd",
    "postgres://alice:hunter2pw@127.0.0.1:notaport/kd",
    "host=127.0.0.1 port=1 password=hunter2pw dbname=kd",
    "  user=alice password = 'hunter2pw' host=127.0.0.1",
    "POSTGRES://alice:hunter2pw@127.0.0.1:1/kd",
];

/// The pieces of the passwords above that must never be printed.
const PASSWORD_PIECES: [&str; 2] = ["hunter2pw", "ter2pw"];

/// keydesk with `args` and `env`, in `lang`, without any config file.
fn keydesk_in(lang: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .envs(env.iter().copied())
        .env("KEYDESK_LANG", lang)
        .env("XDG_CONFIG_HOME", common::NO_CONFIG_HOME)
        .env_remove("KEYDESK_CONFIG")
        .env_remove("PGPASSWORD");
    common::output_within_limit(&mut command)
}

#[test]
fn no_message_shows_a_postgres_password_in_any_form() {
    for lang in ["en", "zh-CN"] {
        for db in DESIGNATIONS_WITH_PASSWORDS {
            let runs = [
                keydesk_in(lang, &["--db", db, "list"], &[]),
                keydesk_in(lang, &["list"], &[("KEYDESK_DB", db)]),
                keydesk_in(lang, &["config", "show"], &[("KEYDESK_DB", db)]),
                keydesk_in(lang, &["serve", "--listen", "127.0.0.1:0"], &[("KEYDESK_DB", db)]),
                keydesk_in(lang, &["migrate", "--from", "/nonexistent/k.redb", "--to", db], &[]),
            ];
            for out in runs {
                let text = format!("{}{}", common::stdout(&out), common::stderr(&out));
                assert!(!text.is_empty(), "{lang} {db}: keydesk said nothing");
                for piece in PASSWORD_PIECES {
                    assert!(!text.contains(piece), "{lang} {db} printed {piece:?}:\n{text}");
                }
            }
        }
    }
}

#[test]
fn a_url_with_a_password_on_the_command_line_is_refused_without_repeating_it() {
    for (lang, refusal) in [("en", "refusing a password in --db"), ("zh-CN", "--db")] {
        for db in [
            "postgres://alice@127.0.0.1:1/kd?password=hunter2pw",
            "postgres://alice@127.0.0.1:1/kd?PASSWORD=hunter2pw",
            "postgres://alice:hun@ter2pw@127.0.0.1:1/kd",
        ] {
            let out = keydesk_in(lang, &["--db", db, "list"], &[]);
            let message = common::stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{lang} {db}: {message}");
            assert!(message.contains(refusal), "{lang} {db}: {message}");
        }
    }
}

#[test]
fn a_libpq_connection_string_is_refused_clearly_and_never_taken_for_a_path() {
    for (lang, explanation) in [("en", "libpq connection string"), ("zh-CN", "libpq 连接字符串")] {
        let out = keydesk_in(lang, &["--db", DESIGNATIONS_WITH_PASSWORDS[5], "list"], &[]);
        let message = common::stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{lang}: {message}");
        assert!(message.contains(explanation), "{lang}: {message}");
        assert!(
            message.contains("postgres://"),
            "{lang}: the form to use is named: {message}"
        );
        let out = keydesk_in(lang, &["list"], &[("KEYDESK_DB", DESIGNATIONS_WITH_PASSWORDS[6])]);
        assert_eq!(out.status.code(), Some(2), "{lang}: {}", common::stderr(&out));
        assert!(common::stderr(&out).contains(explanation), "{}", common::stderr(&out));
    }
}

#[test]
fn config_show_builds_the_database_url_from_its_parts_only() {
    for (db, shown) in [
        (DESIGNATIONS_WITH_PASSWORDS[0], "postgres://alice@127.0.0.1:1/kd"),
        (DESIGNATIONS_WITH_PASSWORDS[1], "postgres://alice@127.0.0.1:1/kd"),
        (DESIGNATIONS_WITH_PASSWORDS[5], "postgres://127.0.0.1:1/kd"),
    ] {
        let out = keydesk_in("en", &["config", "show"], &[("KEYDESK_DB", db)]);
        let text = common::stdout(&out);
        let line = text.lines().find(|l| l.starts_with("db ")).unwrap_or_default();
        assert_eq!(line.split_whitespace().nth(1), Some(shown), "{db}: {text}");
    }
    // Two `@`: which one ends the password cannot be known, so no part is shown.
    for (lang, unparsable) in [
        ("en", "postgres://…(unparsable)"),
        ("zh-CN", "postgres://…（无法解析）"),
    ] {
        let out = keydesk_in(
            lang,
            &["config", "show"],
            &[("KEYDESK_DB", DESIGNATIONS_WITH_PASSWORDS[3])],
        );
        let text = common::stdout(&out);
        assert!(text.contains(unparsable), "{lang}: {text}");
    }
}

#[test]
fn a_url_without_its_scheme_is_never_echoed_as_a_path() {
    let schemeless = "alice:hunter2pw@db.example.com:5432/kd";
    for lang in ["en", "zh-CN"] {
        for (args, env) in [
            (&["--db", schemeless, "list"][..], &[][..]),
            (&["list"][..], &[("KEYDESK_DB", schemeless)][..]),
            (&["config", "show"][..], &[("KEYDESK_DB", schemeless)][..]),
        ] {
            let out = keydesk_in(lang, args, env);
            let said = format!("{}{}", common::stdout(&out), common::stderr(&out));
            assert!(!said.contains("hunter2pw"), "{lang} {args:?}: {said}");
        }
    }
}
