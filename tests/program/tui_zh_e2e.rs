//! The TUI in Simplified Chinese, in a pseudo-terminal whose emulator counts
//! a Chinese character as two columns, as real terminals do: the language
//! comes from the locale or `--lang`, and the table's columns line up with
//! Chinese headers and Chinese names.

use crate::common;

use common::database_with_keys;
use common::session::Session;
use portable_pty::CommandBuilder;
use unicode_width::UnicodeWidthStr;

/// The display column where `needle` starts in `line`.
fn column_of(line: &str, needle: &str) -> Option<usize> {
    line.find(needle).map(|byte| line[..byte].width())
}

#[test]
fn with_a_chinese_locale_the_table_is_in_chinese_and_its_columns_line_up() {
    let names = ["生产环境-主密钥", "ci-runner", "测试"];
    let (_dir, db) = database_with_keys(&names);
    // The locale alone chooses the language: no --lang, no KEYDESK_LANG.
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_keydesk"));
    cmd.args(["--utc-offset", "+08:00", "--clipboard", "osc52"]);
    cmd.env("KEYDESK_DB", &db);
    cmd.env("TERM", "xterm-256color");
    cmd.env("XDG_CONFIG_HOME", common::NO_CONFIG_HOME);
    cmd.env_remove("KEYDESK_LANG");
    cmd.env_remove("LC_ALL");
    cmd.env_remove("LC_MESSAGES");
    cmd.env("LANG", "zh_CN.UTF-8");
    let mut tui = Session::spawn(cmd, 80, 24);
    let screen = tui.wait_for("测试");
    assert!(screen.contains("名称"), "the Name header is Chinese:\n{screen}");
    assert!(!screen.contains("Last Used"), "no English header is left:\n{screen}");

    // Every row's ID starts in the header's ID column, whatever the width of
    // the name before it: the name column is padded by display width.
    let header = tui.row_with("名称");
    let id_column = column_of(&header, "ID").expect("an ID header");
    for key in names {
        let row = tui.row_with(key);
        assert_eq!(column_of(&row, "ak-"), Some(id_column), "{key}:\n{}", tui.screen());
    }
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn lang_en_on_the_command_line_wins_over_a_chinese_locale() {
    let (_dir, db) = database_with_keys(&["alpha"]);
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_keydesk"));
    cmd.args(["--lang", "en"]);
    cmd.env("KEYDESK_DB", &db);
    cmd.env("TERM", "xterm-256color");
    cmd.env("XDG_CONFIG_HOME", common::NO_CONFIG_HOME);
    cmd.env_remove("KEYDESK_LANG");
    cmd.env("LC_ALL", "zh_CN.UTF-8");
    let mut tui = Session::spawn(cmd, 80, 24);
    let screen = tui.wait_for("alpha");
    assert!(screen.contains("Name"), "{screen}");
    assert!(!screen.contains("名称"), "{screen}");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}
