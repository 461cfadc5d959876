//! The command line in English and in Simplified Chinese, through the real
//! binary: what scripts read (`--json`, `verify`'s answer, `config path`,
//! exit codes) is the same byte for byte in both languages, and what people
//! read is in the language asked for.

use crate::common;

use std::process::Output;

use common::{keydesk, manual_clock, name, run_with_stdin, stderr, stdout};
use keydesk::{KeyStore, Store};
use time::OffsetDateTime;

const LANGS: [&str; 2] = ["en", "zh-CN"];

/// A database holding keys of every kind: an old unused one, a used one, a
/// disabled one, a rotated one, one with a Chinese name and an expiry.
struct Keys {
    dir: tempfile::TempDir,
    db: std::path::PathBuf,
    live_secret: String,
    live_id: String,
    disabled_secret: String,
}

fn keys() -> Keys {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.redb");
    let now = OffsetDateTime::now_utc();
    let (clock_fn, clock) = manual_clock(now - time::Duration::days(100));
    let store = Store::builder(&db).clock(clock_fn).open().unwrap();
    store.create(&name("never-used-old")).unwrap();
    let (old, rotated) = store.create(&name("rotated")).unwrap();
    store.verify(old.expose()).unwrap();
    let (disabled_secret, disabled) = store.create(&name("停用的密钥")).unwrap();
    *clock.lock().unwrap() = now;
    store.rotate(&rotated.id, time::Duration::hours(1)).unwrap();
    store.disable(&disabled.id).unwrap();
    let (live_secret, live) = store
        .create_expiring(&name("生产环境"), Some(now + time::Duration::days(30)))
        .unwrap();
    store.verify(live_secret.expose()).unwrap();
    drop(store);
    Keys {
        live_id: live.id.to_string(),
        live_secret: live_secret.expose().to_owned(),
        disabled_secret: disabled_secret.expose().to_owned(),
        dir,
        db,
    }
}

/// `keydesk --lang LANG ARGS` on `db`, with `stdin`.
fn run(db: &std::path::Path, lang: &str, args: &[&str], stdin: &str) -> Output {
    run_with_stdin(keydesk(db).arg("--lang").arg(lang).args(args), stdin)
}

#[test]
fn json_and_verify_output_are_the_same_bytes_in_both_languages() {
    let keys = keys();
    let live = format!("{}\n", keys.live_secret);
    let disabled = format!("{}\n", keys.disabled_secret);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["list", "--json"], ""),
        (vec!["list", "--json", "--status", "disabled"], ""),
        (vec!["usage", "--json"], ""),
        (vec!["usage", "--json", &keys.live_id, "--days", "3"], ""),
        (vec!["log", "--json"], ""),
        (vec!["cleanup", "--json", "--unused-for", "30d"], ""),
        (
            vec!["cleanup", "--json", "--unused-for", "30d", "--delete", "--dry-run"],
            "",
        ),
        (vec!["verify"], &live),
        (vec!["verify"], &disabled),
        (vec!["verify"], "sk-not-a-key\n"),
        (vec!["config", "path"], ""),
    ];
    for (args, stdin) in &cases {
        let [en, zh] = LANGS.map(|lang| run(&keys.db, lang, args, stdin));
        assert_eq!(en.status.code(), zh.status.code(), "{args:?}: {}", stderr(&zh));
        assert!(!en.stdout.is_empty(), "{args:?} printed nothing");
        assert_eq!(stdout(&en), stdout(&zh), "{args:?}");
    }
    // The cleanup really found keys, so its JSON had something to differ in.
    let found = stdout(&run(&keys.db, "zh-CN", &cases[5].0, ""));
    assert!(found.contains("never-used-old"), "{found}");
}

#[test]
fn exit_codes_are_the_same_in_both_languages() {
    let keys = keys();
    let missing = keys.dir.path().join("missing.redb");
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["frobnicate"], 2),
        (vec!["list", "--utc-offset", "+99"], 2),
        (vec!["create", "--name", "x"], 2),
        (vec!["create", "--name", "ok-name"], 2),
        (vec!["rotate", &keys.live_id, "--grace", "0s"], 2),
        (vec!["delete", &keys.live_id], 2),
        (vec!["cleanup", "--unused-for", "30d", "--delete"], 2),
        (vec!["disable", "not-an-id"], 1),
        (vec!["enable", "ak-0000000000000000"], 1),
        (vec!["usage", "--days", "0"], 2),
        (vec!["log", "--check"], 0),
        (vec!["list", "--db", missing.to_str().unwrap()], 3),
    ];
    for (args, code) in &cases {
        for lang in LANGS {
            let out = run(&keys.db, lang, args, "");
            assert_eq!(out.status.code(), Some(*code), "{lang} {args:?}: {}", stderr(&out));
        }
    }
    assert!(!missing.exists());
}

#[test]
fn people_read_chinese_when_it_is_asked_for() {
    let keys = keys();
    let created = run(&keys.db, "zh-CN", &["create", "--name", "新密钥", "--accept-terms"], "");
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    assert!(stdout(&created).trim().starts_with("sk-"), "stdout is the secret alone");
    assert!(
        stderr(&created).contains("已创建密钥 新密钥") && stderr(&created).contains("只显示这一次"),
        "{}",
        stderr(&created)
    );

    let refused = run(&keys.db, "zh-CN", &["create", "--name", "ok-name"], "");
    assert!(
        stderr(&refused).starts_with("keydesk: 创建密钥需要同意协议"),
        "{}",
        stderr(&refused)
    );
    let typo = run(&keys.db, "zh-CN", &["list", "--jsn"], "");
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr(&typo).starts_with("错误：意外的参数 '--jsn'"),
        "{}",
        stderr(&typo)
    );
    let bad_duration = run(&keys.db, "zh-CN", &["cleanup", "--unused-for", "90x"], "");
    assert!(
        stderr(&bad_duration).contains("无效的时长 '90x'"),
        "{}",
        stderr(&bad_duration)
    );

    let config = stdout(&run(&keys.db, "zh-CN", &["config", "show"], ""));
    assert!(config.starts_with("配置文件："), "{config}");
    assert!(config.contains("（未找到：使用默认值）"), "{config}");
    assert!(config.contains("lang                   zh-CN  （命令行）"), "{config}");

    let help = stdout(&run(&keys.db, "zh-CN", &["--help"], ""));
    for part in ["用法：keydesk", "退出码：", "创建密钥", "打印帮助"] {
        assert!(help.contains(part), "--help lacks {part}: {help}");
    }
    let usage = stdout(&run(&keys.db, "zh-CN", &["usage"], ""));
    assert!(usage.contains("名称") && usage.contains("通过"), "{usage}");
}

#[test]
fn english_stays_english() {
    let keys = keys();
    let config = stdout(&run(&keys.db, "en", &["config", "show"], ""));
    assert!(config.contains("(not found: defaults apply)"), "{config}");
    let help = stdout(&run(&keys.db, "en", &["--help"], ""));
    assert!(
        help.contains("Usage: keydesk") && help.contains("Exit codes:"),
        "{help}"
    );
    assert!(!help.contains("用法"), "{help}");
}

#[test]
fn the_locale_and_the_config_file_choose_the_language_of_help_too() {
    let keys = keys();
    // --help is printed before the settings are read: `early_lang` decides.
    let by_locale = keydesk(&keys.db)
        .env_remove("KEYDESK_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .arg("--help")
        .output()
        .unwrap();
    assert!(stdout(&by_locale).contains("用法："), "{}", stdout(&by_locale));

    let config = keys.dir.path().join("config.toml");
    std::fs::write(&config, "lang = \"zh-CN\"\n").unwrap();
    // Whatever the umask: a config file others may write is refused.
    std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let by_file = keydesk(&keys.db)
        .env_remove("KEYDESK_LANG")
        .env("LC_ALL", "C")
        .arg("--config")
        .arg(&config)
        .args(["list", "--help"])
        .output()
        .unwrap();
    assert!(stdout(&by_file).contains("列出密钥"), "{}", stdout(&by_file));
}

#[test]
fn a_chinese_usage_table_stays_aligned() {
    use unicode_width::UnicodeWidthStr;
    let keys = keys();
    let table = stdout(&run(&keys.db, "zh-CN", &["usage"], ""));
    let mut lines = table.lines();
    let header = lines.next().unwrap();
    let last = "拒绝：旧密钥";
    let at = header.find(last).unwrap_or_else(|| panic!("{table}"));
    let counts_end = header[..at].width() + last.width();
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 4, "{table}");
    assert!(rows.iter().any(|row| row.contains("停用的密钥")), "{table}");
    for row in rows {
        // Counts are right-aligned, so every row ends where the last header
        // does, however wide the names before them are.
        assert_eq!(row.width(), counts_end, "misaligned:\n{table}");
    }
}
