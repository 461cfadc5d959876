//! The CLI as scripts see it: the real binary, its output and exit codes.

use crate::common;

use std::process::Output;

use common::{keydesk, run_with_stdin, stderr, stdout};

type Env = common::cli_env::CliEnv;

#[test]
fn create_prints_only_the_secret_on_stdout() {
    let env = Env::new();
    let out = env.run(&["create", "--name", "生产-gateway_01", "--accept-terms"]);
    assert_eq!(out.status.code(), Some(0));
    let secret = stdout(&out);
    assert_eq!(secret.lines().count(), 1);
    let secret = secret.trim();
    assert!(secret.starts_with("sk-") && secret.len() == 41, "{secret}");
    let err = stderr(&out);
    assert!(
        err.contains("ak-") && err.contains(&format!("{}****{}", &secret[..7], &secret[37..])),
        "{err}"
    );
    assert!(!err.contains(secret), "the secret must not be on stderr");
}

#[test]
fn create_refuses_without_accepting_the_terms_or_with_a_bad_name() {
    let env = Env::new();
    let out = env.run(&["create", "--name", "valid-name"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--accept-terms"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());

    let out = env.run(&["create", "--name", "no spaces", "--accept-terms"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid name: a space at position 3"),
        "{}",
        stderr(&out)
    );

    let out = env.run(&["create", "--name", "x", "--accept-terms"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("too short"), "{}", stderr(&out));
    assert!(env.list_json(&[]).is_empty(), "nothing was created");
}

#[test]
fn verify_reads_stdin_and_answers_by_exit_code() {
    let env = Env::new();
    let (secret, id) = env.create("svc-a", &[]);

    let out = env.run_with_stdin(&["verify"], &format!("{secret}\n"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), id);

    let out = env.run_with_stdin(&["verify", "--quiet"], &secret);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).is_empty());

    let mut typo = secret.clone().into_bytes();
    typo[10] = if typo[10] == b'a' { b'b' } else { b'a' };
    let unknown = keydesk::SecretKey::generate();
    for bad in [
        String::from_utf8(typo).unwrap(),
        unknown.expose().to_owned(),
        "garbage".into(),
        String::new(),
    ] {
        let out = env.run_with_stdin(&["verify"], &bad);
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
        assert_eq!(stdout(&out), "invalid\n", "same answer for every kind of bad key");
    }

    env.run(&["delete", &id, "--yes"]);
    let out = env.run_with_stdin(&["verify"], &secret);
    assert_eq!(out.status.code(), Some(1), "a deleted key never verifies");
}

#[test]
fn verify_records_last_used() {
    let env = Env::new();
    let (secret, _) = env.create("svc-b", &[]);
    assert_eq!(env.list_json(&[])[0]["last_used"], serde_json::Value::Null);
    env.run_with_stdin(&["verify"], &secret);
    let last_used = env.list_json(&[])[0]["last_used"].as_str().unwrap().to_owned();
    assert!(last_used.ends_with('Z'), "{last_used}");
    // In the table, Last Used is the recorded instant shown in UTC+8, not "-".
    let shown = time::OffsetDateTime::parse(&last_used, &time::format_description::well_known::Rfc3339).unwrap();
    let expected = keydesk::display::format_instant(shown, time::macros::offset!(+8));
    let table = stdout(&env.run(&["list", "--utc-offset", "+08:00"]));
    // (followed by the Status and Rules columns)
    let row = table.lines().nth(1).unwrap().trim_end();
    assert!(row.ends_with(&format!("{expected}  active  -")), "{table}");
}

#[test]
fn list_shows_masked_keys_in_a_table_and_as_json() {
    let env = Env::new();
    let (secret, id) = env.create("生产-gateway_01", &[]);
    env.create("billing", &[]);

    let table = stdout(&env.run(&["list", "--utc-offset", "+08:00"]));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(lines[0].starts_with("Name"));
    assert!(
        lines[0].contains("Created At (UTC+8)") && lines[0].contains("Last Used (UTC+8)"),
        "{table}"
    );
    let row = lines.iter().find(|l| l.contains(&id)).unwrap();
    assert!(row.starts_with("生产-gateway_01"));
    assert!(row.contains(&format!("{}****{}", &secret[..7], &secret[37..])));
    assert!(
        row.trim_end().ends_with("-                  active  -"),
        "never used shows '-', and no rules too: {table}"
    );
    assert!(!table.contains(&secret[3..]), "the secret never appears in a listing");
    // CJK names are padded by display width: the ID column starts at the same column.
    let column = |line: &str| unicode_width::UnicodeWidthStr::width(&line[..line.find("ak-").unwrap()]);
    assert_eq!(column(lines[1]), column(lines[2]));

    let keys = env.list_json(&[]);
    assert_eq!(keys.len(), 2);
    let first = keys
        .iter()
        .find(|k| k["id"] == id.as_str())
        .unwrap()
        .as_object()
        .unwrap();
    assert_eq!(first.len(), 9);
    assert_eq!(first["policy"], serde_json::json!({}), "no rules: an empty object");
    // serde_json's Value re-sorts keys, so the documented order is checked on the raw text.
    let raw = stdout(&env.run(&["list", "--json"]));
    let position = |field: &str| raw.find(&format!("\"{field}\":")).unwrap();
    let order = [
        "id",
        "name",
        "masked_key",
        "created_at",
        "last_used",
        "status",
        "expires_at",
        "rotation",
        "policy",
    ]
    .map(position);
    assert!(order.is_sorted(), "stable field order: {raw}");
    assert_eq!(first["name"], "生产-gateway_01");
    assert!(
        time::OffsetDateTime::parse(
            first["created_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339
        )
        .is_ok()
    );
}

#[test]
fn an_empty_store_lists_a_hint_and_an_empty_array() {
    let env = Env::new();
    keydesk::Store::open(&env.db).unwrap();
    assert!(stdout(&env.run(&["list"])).contains("no keys yet"));
    assert_eq!(stdout(&env.run(&["list", "--json"])).trim(), "[]");
}

#[test]
fn rename_and_delete_by_id() {
    let env = Env::new();
    let (_, id) = env.create("old-name", &[]);
    let out = env.run(&["rename", &id, "新名字"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(env.list_json(&[])[0]["name"], "新名字");

    let out = env.run(&["rename", &id, "bad/name"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("'/'"), "{}", stderr(&out));
    assert_eq!(env.list_json(&[])[0]["name"], "新名字", "nothing changed");

    let out = env.run(&["delete", &id]);
    assert_eq!(out.status.code(), Some(2), "no terminal and no --yes: refuse");
    assert!(stderr(&out).contains("--yes"));
    assert_eq!(env.list_json(&[]).len(), 1);

    let out = env.run(&["delete", &id, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(env.list_json(&[]).is_empty());
}

#[test]
fn unknown_ids_exit_1_with_a_clear_message() {
    let env = Env::new();
    env.create("keep-me", &[]);
    for args in [
        vec!["rename", "ak-0000000000000000", "new-name"],
        vec!["delete", "ak-0000000000000000", "--yes"],
        vec!["delete", "not-an-id", "--yes"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).starts_with("keydesk: no key with"), "{}", stderr(&out));
    }
    assert_eq!(env.list_json(&[]).len(), 1);
}

#[test]
fn usage_errors_exit_2_and_help_documents_every_command_and_exit_code() {
    let env = Env::new();
    assert_eq!(env.run(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(env.run(&["list", "--utc-offset", "+99"]).status.code(), Some(2));
    let help = stdout(&env.run(&["--help"]));
    for word in [
        "verify",
        "list",
        "create",
        "rename",
        "delete",
        "agreement",
        "Exit codes",
        "3  database busy",
    ] {
        assert!(help.contains(word), "help lacks {word}");
    }
    let agreement = env.run(&["agreement"]);
    assert_eq!(agreement.status.code(), Some(0));
    assert!(stdout(&agreement).contains("Keep the key secret"));
}

#[test]
fn database_problems_exit_3_and_leave_the_file_alone() {
    let env = Env::new();
    std::fs::write(&env.db, b"not a database at all").unwrap();
    for args in [vec!["list"], vec!["create", "--name", "abc", "--accept-terms"]] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        assert!(stderr(&out).contains("not a keydesk database"), "{}", stderr(&out));
    }
    let out = env.run_with_stdin(&["verify"], keydesk::SecretKey::generate().expose());
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(std::fs::read(&env.db).unwrap(), b"not a database at all");
}

#[test]
fn a_database_held_too_long_is_reported_busy_with_exit_3() {
    let env = Env::new();
    env.create("held", &[]);
    let held = redb::Database::open(&env.db).unwrap();
    let out = env.run(&["list"]);
    drop(held);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("is busy"), "{}", stderr(&out));
}

#[test]
fn a_name_containing_a_live_secret_is_refused_in_create_and_rename_without_echoing_it() {
    let env = Env::new();
    let (secret, id) = env.create("first", &[]);
    let body = &secret[3..];
    for name in [
        format!("prod-{secret}"),
        format!("{secret}x"),
        body.to_owned(),
        format!("x{body}"),
    ] {
        let out = env.run(&["create", "--name", &name, "--accept-terms"]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("contains an API key"), "{}", stderr(&out));
        let out = env.run(&["rename", &id, &name]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("contains an API key"), "{}", stderr(&out));
        assert!(!stderr(&out).contains(&body[..8]), "the secret is not echoed");
    }
    let keys = env.list_json(&[]);
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["name"], "first");
    assert!(!stdout(&env.run(&["list"])).contains(&body[..8]));
}

#[test]
fn a_name_carrying_most_of_a_secret_is_refused_in_both_languages() {
    let env = Env::new();
    let (secret, id) = env.create("first", &[]);
    for (lang, reason) in [("en", "looks like an API key"), ("zh-CN", "看起来像 API 密钥")] {
        for name in [secret[..30].to_owned(), format!("prod-{}", secret[..15].to_uppercase())] {
            let out = env.run(&["--lang", lang, "create", "--name", &name, "--accept-terms"]);
            assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
            assert!(stderr(&out).contains(reason), "{}", stderr(&out));
            let out = env.run(&["--lang", lang, "rename", &id, &name]);
            assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
            assert!(stderr(&out).contains(reason), "{}", stderr(&out));
            assert!(!stderr(&out).contains(&secret[3..12]), "the secret is not echoed");
        }
    }
    let keys = env.list_json(&[]);
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["name"], "first");
}

#[test]
fn names_are_normalised_and_radicals_refused_in_create_and_rename() {
    let env = Env::new();
    // U+F900 is a compatibility twin of U+8C48: stored as the unified one.
    let out = env.run(&["create", "--name", "\u{F900}-x", "--accept-terms"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let id = env.list_json(&[])[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(env.list_json(&[])[0]["name"], "\u{8C48}-x");

    let out = env.run(&["rename", &id, "\u{2F800}-y"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(env.list_json(&[])[0]["name"], "\u{4E3D}-y");

    // ⼀ (Kangxi radical one) looks exactly like 一.
    for args in [
        vec!["create", "--name", "⼀号", "--accept-terms"],
        vec!["rename", &id, "⼀号"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("radical that looks like"), "{}", stderr(&out));
        assert!(stderr(&out).contains("type 一 (U+4E00) instead"), "{}", stderr(&out));
    }
    assert_eq!(env.list_json(&[]).len(), 1);
    assert_eq!(env.list_json(&[])[0]["name"], "\u{4E3D}-y");
}

/// `create`, with its standard output going to `stdout`.
fn create_into(env: &Env, stdout: std::process::Stdio, extra: &[&str]) -> Output {
    keydesk(&env.db)
        .args(["create", "--name", "undelivered", "--accept-terms"])
        .args(extra)
        .stdin(std::process::Stdio::null())
        .stdout(stdout)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
        .wait_with_output()
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn create_deletes_the_key_again_when_the_secret_cannot_be_written_to_a_full_device() {
    let env = Env::new();
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = create_into(&env, full.into(), &[]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("so the key was deleted again"),
        "{}",
        stderr(&out)
    );
    assert!(env.list_json(&[]).is_empty(), "no key whose secret nobody has");
}

#[test]
fn create_deletes_the_key_again_when_its_output_pipe_is_closed() {
    let env = Env::new();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = create_into(&env, writer.into(), &[]);
    // An exit code, not death by SIGPIPE: the cleanup ran.
    assert_eq!(out.status.code(), Some(5), "{:?} {}", out.status, stderr(&out));
    assert!(
        stderr(&out).contains("so the key was deleted again"),
        "{}",
        stderr(&out)
    );
    assert!(env.list_json(&[]).is_empty(), "no key whose secret nobody has");
}

#[test]
fn duplicate_names_are_refused_without_a_terminal_unless_allowed() {
    let env = Env::new();
    let (_, first) = env.create("shared", &[]);
    let out = env.run(&["create", "--name", "shared", "--accept-terms"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("key {first}")) && err.contains("is already named shared"),
        "{err}"
    );
    assert!(err.contains("pass --allow-duplicate-name"), "{err}");
    assert!(stdout(&out).is_empty());
    assert_eq!(env.list_json(&[]).len(), 1);

    let out = env.run(&["create", "--name", "shared", "--accept-terms", "--allow-duplicate-name"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(env.list_json(&[]).len(), 2);

    let (_, other) = env.create("other", &[]);
    let out = env.run(&["rename", &other, "shared"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("pass --allow-duplicate-name"), "{}", stderr(&out));
    let out = env.run(&["rename", &other, "shared", "--allow-duplicate-name"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(env.list_json(&[]).iter().all(|k| k["name"] == "shared"));
    // An unknown ID is still "no such key", not a duplicate.
    let out = env.run(&["rename", "ak-0000000000000000", "shared"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn a_key_may_be_renamed_to_the_name_it_already_has() {
    let env = Env::new();
    let (_, id) = env.create("same", &[]);
    let out = env.run(&["rename", &id, "same"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn names_that_differ_only_in_normalisation_are_duplicates() {
    let env = Env::new();
    env.create("\u{8C48}-x", &[]);
    let out = env.run(&["create", "--name", "\u{F900}-x", "--accept-terms"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--allow-duplicate-name"), "{}", stderr(&out));
}

#[test]
fn a_name_may_start_with_a_hyphen_but_a_missing_name_is_reported() {
    let env = Env::new();
    let out = env.run(&["create", "--name", "-foo", "--accept-terms"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(env.list_json(&[])[0]["name"], "-foo");

    let out = env.run(&["create", "--name", "--accept-terms"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--name is missing its value: '--accept-terms' is an option"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.list_json(&[]).len(), 1);
}

#[test]
fn an_empty_keydesk_db_is_named_in_the_error() {
    let env = Env::new();
    let out = run_with_stdin(keydesk(&env.db).env("KEYDESK_DB", "").arg("list"), "");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("KEYDESK_DB is set but empty"), "{}", stderr(&out));
}

#[test]
fn help_documents_the_output_exit_code_and_the_utc_offset_forms() {
    let env = Env::new();
    let help = stdout(&env.run(&["--help"]));
    assert!(help.contains("5  cannot write output"), "{help}");
    assert!(help.contains("--allow-duplicate-name"), "{help}");
    assert!(
        help.contains("±HH:MM or ±H:MM") && help.contains("from -12:00 to +14:00"),
        "{help}"
    );
    let out = env.run(&["list", "--utc-offset", "+15:00"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("from -12:00 to +14:00"), "{}", stderr(&out));
}

#[test]
fn busy_timeout_sets_how_long_a_command_waits_for_a_held_database() {
    let env = Env::new();
    env.create("held", &[]);
    let held = redb::Database::open(&env.db).unwrap();
    let out = env.run(&["--busy-timeout", "300ms", "list"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("is busy"), "{}", stderr(&out));
    drop(held);
    for bad in ["-1s", "601s", "11m", "soon"] {
        let out = env.run(&[&format!("--busy-timeout={bad}"), "list"]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("e.g. 250ms, 30s, 5m, 24h, 30d"),
            "{}",
            stderr(&out)
        );
    }
    assert!(stderr(&env.run(&["--busy-timeout=601s", "list"])).contains("from 0s to 10m"));
}

/// A bare number says no unit, so it is refused (exit 2) before anything
/// runs, in both languages, with the accepted forms and the spelling meant.
#[test]
fn a_duration_without_a_unit_is_refused_in_both_languages() {
    let env = Env::new();
    let flags = [
        vec!["--busy-timeout", "2", "list"],
        vec!["--clear-clipboard-after", "30", "--ascii"],
        vec!["serve", "--max-index-age", "10"],
        vec!["cleanup", "--unused-for", "30"],
    ];
    for (lang, no_unit, forms) in [
        ("en", "has no unit: write", "e.g. 250ms, 30s, 5m, 24h, 30d"),
        ("zh-CN", "没有单位：秒数请写作", "如 250ms、30s、5m、24h、30d"),
    ] {
        for args in &flags {
            let mut command = vec!["--lang", lang];
            command.extend(args);
            let out = env.run(&command);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
            assert!(stderr(&out).contains(no_unit), "{args:?}: {}", stderr(&out));
            assert!(stderr(&out).contains(forms), "{args:?}: {}", stderr(&out));
        }
    }
}

#[test]
fn the_busy_timeout_from_the_environment_takes_the_same_syntax() {
    let env = Env::new();
    env.create("waiting", &[]);
    let list = |timeout: &str| run_with_stdin(keydesk(&env.db).env("KEYDESK_BUSY_TIMEOUT", timeout).arg("list"), "");
    let out = list("5");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("'5' has no unit: write 5s"), "{}", stderr(&out));
    let out = list("5s");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
