//! `keydesk list` in both languages: the human table is localised and stays
//! aligned with Chinese headers and names (two columns a character), while
//! `--json` is the same bytes whatever the language.

use crate::common;

use common::{keydesk, stdout};
use unicode_width::UnicodeWidthStr;

type Env = common::cli_env::CliEnv;

/// Keys in several states, with Chinese and Latin names.
fn env_with_keys() -> Env {
    let env = Env::new();
    env.create("生产-gateway_01", &[]);
    let (_, disabled) = env.create("测试环境", &[]);
    env.ok(&["disable", &disabled]);
    let (_, rotated) = env.create("ci-runner", &[]);
    env.ok(&["rotate", &rotated, "--grace", "24h"]);
    env
}

fn list(env: &Env, lang: &str, args: &[&str]) -> String {
    let out = keydesk(&env.db)
        .env("KEYDESK_LANG", lang)
        .arg("list")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{lang} list {args:?}: {}",
        common::stderr(&out)
    );
    stdout(&out)
}

#[test]
fn list_json_is_byte_identical_in_english_and_chinese() {
    let env = env_with_keys();
    for args in [
        &["--json"][..],
        &["--json", "--utc-offset", "+08:00"],
        &["--json", "--status", "disabled"],
    ] {
        let english = list(&env, "en", args);
        assert!(english.contains("\"status\": \"disabled\""), "{english}");
        assert_eq!(list(&env, "zh-CN", args), english, "{args:?}");
    }
    // --lang says the same as the environment.
    let flag = keydesk(&env.db)
        .args(["--lang", "zh-CN", "list", "--json"])
        .output()
        .unwrap();
    assert_eq!(stdout(&flag), list(&env, "en", &["--json"]));
}

#[test]
fn the_chinese_list_table_is_localised_and_aligned_by_display_width() {
    let env = env_with_keys();
    let table = list(&env, "zh-CN", &["--utc-offset", "+08:00"]);
    let lines: Vec<&str> = table.lines().collect();
    let header = lines[0];
    for title in ["名称", "ID", "密钥", "创建时间（UTC+8）", "最近使用（UTC+8）", "状态"] {
        assert!(header.contains(title), "{header}");
    }
    for state in ["正常", "已停用"] {
        assert!(table.contains(state), "{table}");
    }
    // Each row's ID and masked key start in the column their headers do.
    let column = |line: &str, text: &str| line[..line.find(text).unwrap()].width();
    let (id_at, key_at) = (column(header, "ID"), column(header, "密钥"));
    for row in &lines[1..] {
        assert_eq!(column(row, "ak-"), id_at, "{table}");
        assert_eq!(column(row, "sk-"), key_at, "{table}");
    }
    assert_eq!(lines.len(), 4, "{table}");
    // English stays English.
    assert!(list(&env, "en", &[]).starts_with("Name"));
}
