//! The config file through the real binary: where it is looked for, the
//! order in which the command line, the environment and the file win, and
//! that every kind of mistake stops keydesk with the file, line and key.

use crate::common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::{BIN, stderr, stdout};

/// A home folder whose config file the test writes.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn config_file(&self) -> PathBuf {
        self.dir.path().join("config/keydesk/config.toml")
    }

    fn write_config(&self, text: &str) {
        let path = self.config_file();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        write_private(&path, text);
    }

    fn keydesk(&self) -> Command {
        let mut command = Command::new(BIN);
        command
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("HOME", self.dir.path())
            .env("TZ", "UTC")
            .env_remove("KEYDESK_DB")
            .env_remove("KEYDESK_CONFIG")
            .env_remove("KEYDESK_BUSY_TIMEOUT")
            .env_remove("NO_COLOR")
            .env_remove("KEYDESK_LANG")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LC_CTYPE")
            .env_remove("LANG");
        command
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.keydesk().args(args).envs(env.iter().copied()).output().unwrap()
    }

    /// `config show`'s line for `key`.
    fn shown(&self, key: &str, args: &[&str], env: &[(&str, &str)]) -> String {
        let mut all = vec!["config", "show"];
        all.extend(args);
        let out = self.run(&all, env);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let line = stdout(&out)
            .lines()
            .find(|line| line.starts_with(key))
            .unwrap()
            .to_owned();
        line.split_whitespace().skip(1).collect::<Vec<_>>().join(" ")
    }
}

/// Writes a config file only its owner may change (whatever the umask),
/// as keydesk requires.
fn write_private(path: &std::path::Path, text: &str) {
    std::fs::write(path, text).unwrap();
    set_mode(path, 0o600);
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn config_path_names_the_platform_config_folder_and_a_missing_file_is_fine() {
    let home = Home::new();
    let out = home.run(&["config", "path"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), home.config_file().display().to_string());
    let shown = stdout(&home.run(&["config", "show"], &[]));
    assert!(shown.contains("(not found: defaults apply)"), "{shown}");
    assert!(shown.contains("busy_timeout           2s  (default)"), "{shown}");
}

#[test]
fn the_command_line_beats_the_environment_which_beats_the_file_which_beats_the_default() {
    let home = Home::new();
    home.write_config("# test\nbusy_timeout = \"7s\"\nutc_offset = \"+08:00\"\n");
    assert_eq!(home.shown("busy_timeout", &[], &[]), "7s (config file, line 2)");
    assert_eq!(
        home.shown("busy_timeout", &[], &[("KEYDESK_BUSY_TIMEOUT", "5s")]),
        "5s (environment, KEYDESK_BUSY_TIMEOUT)"
    );
    assert_eq!(
        home.shown(
            "busy_timeout",
            &["--busy-timeout", "3000ms"],
            &[("KEYDESK_BUSY_TIMEOUT", "5s")]
        ),
        "3s (command line)"
    );
    assert_eq!(home.shown("utc_offset", &[], &[]), "UTC+8 (config file, line 3)");
    assert_eq!(home.shown("clipboard", &[], &[]), "auto (default)");
}

#[test]
fn the_language_comes_from_the_flag_the_environment_the_file_then_the_locale() {
    let home = Home::new();
    assert_eq!(home.shown("lang", &[], &[]), "en (default)");
    let chinese_locale = [("LANG", "zh_CN.UTF-8")];
    // Once the language is Chinese, `config show` speaks it too.
    assert_eq!(home.shown("lang", &[], &chinese_locale), "zh-CN （环境变量，LANG）");
    // LC_ALL is asked before LANG, as POSIX says.
    assert_eq!(
        home.shown("lang", &[], &[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "C")]),
        "en (environment, LC_ALL)"
    );
    home.write_config("lang = \"en\"\n");
    assert_eq!(home.shown("lang", &[], &chinese_locale), "en (config file, line 1)");
    home.write_config("lang = \"zh-CN\"\n");
    assert_eq!(home.shown("lang", &[], &[]), "zh-CN （配置文件，第 1 行）");
    assert_eq!(
        home.shown("lang", &[], &[("KEYDESK_LANG", "en")]),
        "en (environment, KEYDESK_LANG)"
    );
    assert_eq!(
        home.shown("lang", &["--lang", "en"], &[("KEYDESK_LANG", "zh")]),
        "en (command line)"
    );
}

#[test]
fn unicode_comes_from_ascii_the_file_then_the_locale_s_character_set() {
    let home = Home::new();
    // No locale at all is the POSIX one, whose character set is ASCII.
    assert_eq!(home.shown("unicode", &[], &[]), "false (default)");
    assert_eq!(
        home.shown("unicode", &[], &[("LANG", "C")]),
        "false (environment, LANG)"
    );
    assert_eq!(
        home.shown("unicode", &[], &[("LANG", "en_US.UTF-8")]),
        "true (environment, LANG)"
    );
    // LC_ALL, then LC_CTYPE, then LANG; LC_MESSAGES is the language only.
    let utf8_ctype = [("LC_CTYPE", "C.utf8"), ("LANG", "C"), ("LC_MESSAGES", "C")];
    assert_eq!(home.shown("unicode", &[], &utf8_ctype), "true (environment, LC_CTYPE)");
    assert_eq!(
        home.shown("unicode", &[], &[("LC_ALL", "POSIX"), ("LC_CTYPE", "C.UTF-8")]),
        "false (environment, LC_ALL)"
    );
    home.write_config("color = true\nunicode = true\n");
    assert_eq!(
        home.shown("unicode", &[], &[("LANG", "C")]),
        "true (config file, line 2)"
    );
    // A TUI option, so before any subcommand.
    let forced = stdout(&home.run(&["--ascii", "config", "show"], &[("LANG", "C.UTF-8")]));
    assert!(
        forced.contains("unicode                false  (command line)"),
        "{forced}"
    );
    home.write_config("unicode = false\n");
    assert_eq!(
        home.shown("unicode", &[], &[("LANG", "C.UTF-8")]),
        "false (config file, line 1)"
    );
}

#[test]
fn a_language_keydesk_does_not_have_is_refused_with_the_line() {
    let home = Home::new();
    home.write_config("\nlang = \"fr\"\n");
    let out = home.run(&["config", "show"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(message.contains("config.toml:2:"), "{message}");
    assert!(message.contains("`lang`"), "{message}");
    assert!(message.contains("zh-CN"), "{message}");
    let out = home.run(&["config", "show", "--lang", "fr"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn a_database_named_in_the_file_is_the_one_commands_use() {
    let home = Home::new();
    home.write_config("db = \"keys-from-config.redb\"\n");
    let out = home.run(&["create", "--name", "from-config", "--accept-terms"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let db = home.config_file().parent().unwrap().join("keys-from-config.redb");
    assert!(db.exists(), "the relative path is taken from the config file's folder");
    let listed = stdout(&home.run(&["list", "--json"], &[]));
    assert!(listed.contains("from-config"), "{listed}");
    // KEYDESK_DB still wins: that database is empty.
    let other = home.dir.path().join("other.redb");
    let out = home.run(
        &["create", "--name", "elsewhere", "--accept-terms"],
        &[("KEYDESK_DB", other.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stdout(&home.run(&["list", "--json"], &[])).contains("elsewhere"));
}

#[test]
fn the_utc_offset_from_the_file_is_used_by_list() {
    let home = Home::new();
    home.write_config("utc_offset = \"+08:00\"\n");
    assert_eq!(
        home.run(&["create", "--name", "timed", "--accept-terms"], &[])
            .status
            .code(),
        Some(0)
    );
    let table = stdout(&home.run(&["list"], &[]));
    assert!(table.contains("UTC+8"), "{table}");
    let table = stdout(&home.run(&["list", "--utc-offset", "-5"], &[]));
    assert!(table.contains("UTC-5"), "{table}");
}

/// Runs `list` with `text` as the config file: it must stop with exit 2 and
/// say this.
fn refused(text: &str) -> String {
    let home = Home::new();
    home.write_config(text);
    let out = home.run(&["list"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let message = stderr(&out);
    let file = home.config_file().display().to_string();
    message
        .trim()
        .strip_prefix(&format!("keydesk: {file}:"))
        .unwrap_or_else(|| panic!("{message}"))
        .to_owned()
}

#[test]
fn an_unknown_key_is_refused_with_its_line_and_a_suggestion() {
    assert_eq!(
        refused("utc_offset = \"+8\"\nclipbaord = \"osc52\"\n"),
        "2: unknown key `clipbaord`, did you mean `clipboard`?"
    );
}

#[test]
fn a_wrong_type_is_refused_with_its_line_and_key() {
    let message = refused("color = true\nclear_clipboard_after = \"ten\"\n");
    assert!(message.starts_with("2: `clear_clipboard_after`: "), "{message}");
    assert!(message.contains("e.g. 250ms, 30s, 5m, 24h, 30d"), "{message}");
}

#[test]
fn config_show_prints_durations_in_the_flags_syntax() {
    let home = Home::new();
    home.write_config("busy_timeout = \"45000ms\"\nclear_clipboard_after = \"off\"\n");
    assert_eq!(home.shown("busy_timeout", &[], &[]), "45s (config file, line 1)");
    assert_eq!(
        home.shown("clear_clipboard_after", &[], &[]),
        "off (config file, line 2)"
    );
    assert_eq!(
        home.shown("busy_timeout", &["--busy-timeout", "90000ms"], &[]),
        "90s (command line)"
    );
}

/// A duration key written as a number (the old syntax) stops keydesk with
/// exit 2, naming the line and the line to write instead, in both languages.
#[test]
fn a_duration_key_written_as_a_number_names_the_line_and_the_fix() {
    let message = refused("color = true\nbusy_timeout = 7\n");
    assert_eq!(
        message,
        "2: `busy_timeout`: write a duration as a string with its unit: busy_timeout = \"7s\" \
         (a whole number followed by ms, s, m, h or d, e.g. 250ms, 30s, 5m, 24h, 30d)"
    );
    let message = refused("clear_clipboard_after = 0\n");
    assert!(message.contains("clear_clipboard_after = \"off\""), "{message}");
    let home = Home::new();
    home.write_config("busy_timeout = 7\n");
    let out = home.run(&["list"], &[("KEYDESK_LANG", "zh-CN")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("时长要写成带单位的字符串：busy_timeout = \"7s\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_bad_value_is_refused_with_its_line_key_and_what_is_allowed() {
    let message = refused("\nutc_offset = \"+25:00\"\n");
    assert!(message.starts_with("2: `utc_offset`: "), "{message}");
    assert!(message.contains("-12:00 to +14:00"), "{message}");
    let message = refused("clipboard = \"xclip\"\n");
    assert!(message.starts_with("1: `clipboard`: "), "{message}");
}

#[test]
fn a_file_that_is_not_toml_is_refused_with_its_line() {
    let message = refused("db = \"/tmp/x.redb\"\nthis is not toml\n");
    assert!(message.starts_with("2: "), "{message}");
}

#[test]
fn a_named_config_file_that_does_not_exist_is_an_error_not_a_silent_default() {
    let home = Home::new();
    let missing = home.dir.path().join("typo.toml");
    for (args, env) in [
        (vec!["--config", missing.to_str().unwrap(), "list"], vec![]),
        (vec!["list"], vec![("KEYDESK_CONFIG", missing.to_str().unwrap())]),
    ] {
        let out = home.run(&args, &env);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("typo.toml: no config file here"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn a_config_file_named_with_the_flag_is_read() {
    let home = Home::new();
    let file = home.dir.path().join("elsewhere.toml");
    write_private(&file, "clear_clipboard_after = \"5s\"\n");
    assert_eq!(
        home.shown("clear_clipboard_after", &["--config", file.to_str().unwrap()], &[]),
        "5s (config file, line 1)"
    );
}

#[test]
fn config_show_never_prints_a_database_password() {
    let home = Home::new();
    let url = "postgres://alice:hunter2-secret@db.example.com/keys";
    let shown = home.shown("db", &[], &[("KEYDESK_DB", url)]);
    assert!(!shown.contains("hunter2-secret"), "{shown}");
    assert!(shown.starts_with("postgres://alice@db.example.com/keys"), "{shown}");
}

#[test]
fn a_postgres_url_in_the_file_is_kept_as_a_url_not_made_a_path() {
    let home = Home::new();
    home.write_config("db = \"postgres://alice@db.example.com/keys\"\n");
    assert_eq!(
        home.shown("db", &[], &[]),
        "postgres://alice@db.example.com/keys (config file, line 1)"
    );
}

/// Runs `config show` and `serve` with `file` as the config file, in both
/// languages: each must stop with exit 2, within the time limit, and say
/// `english`/`chinese` after naming the file.
fn refused_file(home: &Home, file: &std::path::Path, english: &str, chinese: &str) {
    let named = file.display().to_string();
    for (lang, expected) in [("en", english), ("zh-CN", chinese)] {
        for args in [&["config", "show"][..], &["serve", "--listen", "127.0.0.1:0"]] {
            let out = common::output_within_limit(
                home.keydesk()
                    .args(args)
                    .env("KEYDESK_CONFIG", file)
                    .env("KEYDESK_LANG", lang),
            );
            let message = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{lang} {args:?}: {message}");
            assert!(message.starts_with(&format!("keydesk: {named}")), "{lang}: {message}");
            assert!(message.contains(expected), "{lang} {args:?}: {message}");
            assert!(stdout(&out).is_empty(), "{}", stdout(&out));
        }
    }
}

#[test]
fn a_config_file_others_can_write_is_refused_with_the_chmod_that_fixes_it() {
    let home = Home::new();
    home.write_config("db = \"postgres://alice@127.0.0.1:1/keys\"\n");
    let file = home.config_file();
    let chmod = format!("chmod 600 {}", file.display());
    for mode in [0o666, 0o620, 0o602] {
        set_mode(&file, mode);
        refused_file(
            &home,
            &file,
            &format!("writable by other users (mode {mode:o}); run: {chmod}"),
            &format!("其他用户可以写入它（权限 {mode:o}）；请运行：{chmod}"),
        );
    }
    // Found at the default place, not only when named.
    set_mode(&file, 0o666);
    let out = home.run(&["config", "show"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains(&chmod), "{}", stderr(&out));
    // After the fix, the same file is used.
    set_mode(&file, 0o644);
    assert_eq!(
        home.shown("db", &[], &[]),
        "postgres://alice@127.0.0.1:1/keys (config file, line 1)"
    );
}

#[test]
#[allow(unsafe_code)]
fn a_config_file_owned_by_another_user_is_refused() {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: giving a file to another user (nobody) needs root");
        return;
    }
    let home = Home::new();
    home.write_config("db = \"postgres://alice@127.0.0.1:1/keys\"\n");
    let file = home.config_file();
    let nobody = 65534;
    std::os::unix::fs::chown(&file, Some(nobody), None).unwrap();
    refused_file(
        &home,
        &file,
        &format!("owned by user {nobody} and you are user 0"),
        &format!("属于用户 {nobody}，而你是用户 0"),
    );
}

#[test]
#[allow(unsafe_code)]
fn a_config_file_that_is_not_a_regular_file_is_refused_without_reading_it() {
    let home = Home::new();
    let fifo = home.dir.path().join("fifo.toml");
    let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
    refused_file(
        &home,
        &fifo,
        "a named pipe (FIFO), not a regular file",
        "命名管道（FIFO），不是普通文件",
    );
    let zero = home.dir.path().join("zero.toml");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    refused_file(
        &home,
        &zero,
        "a character device, not a regular file",
        "字符设备，不是普通文件",
    );
    refused_file(
        &home,
        home.dir.path(),
        "a directory, not a regular file",
        "目录，不是普通文件",
    );
}

#[test]
fn a_config_file_over_one_mebibyte_is_refused_and_one_of_that_size_is_read() {
    let home = Home::new();
    let large = home.dir.path().join("large.toml");
    let comment = "# ".to_owned() + &"x".repeat(1021) + "\n";
    write_private(&large, &comment.repeat(2048));
    refused_file(&home, &large, "larger than 1 MiB", "大于 1 MiB");
    // A file of exactly 1 MiB, through a symlink, is read.
    let limit = home.dir.path().join("limit.toml");
    write_private(
        &limit,
        &(comment.repeat(1023) + &"#".repeat(1009) + "\nmouse = false\n"),
    );
    assert_eq!(std::fs::metadata(&limit).unwrap().len(), 1 << 20);
    let link = home.dir.path().join("link.toml");
    std::os::unix::fs::symlink(&limit, &link).unwrap();
    assert_eq!(
        home.shown("mouse", &["--config", link.to_str().unwrap()], &[]),
        "false (config file, line 1025)"
    );
}

#[test]
fn files_the_config_names_are_read_by_the_same_rule_as_the_config_file() {
    let home = Home::new();
    let zero = home.dir.path().join("zero.key");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let shared = home.dir.path().join("shared.key");
    write_private(&shared, &"ab".repeat(32));
    set_mode(&shared, 0o640);
    let open = home.dir.path().join("password");
    write_private(&open, "hunter2pw\n");
    set_mode(&open, 0o666);
    for (lang, device, readable, writable) in [
        (
            "en",
            "a character device, not a regular file",
            "other users may read it",
            "writable by other users",
        ),
        (
            "zh-CN",
            "字符设备，不是普通文件",
            "其他用户可以读取它",
            "其他用户可以写入它",
        ),
    ] {
        for (key_file, expected) in [(&zero, device), (&shared, readable)] {
            home.write_config(&format!("audit_key_file = \"{}\"\n", key_file.display()));
            let out = common::output_within_limit(
                home.keydesk()
                    .args(["create", "--name", "svc", "--accept-terms"])
                    .env("KEYDESK_LANG", lang),
            );
            assert_eq!(out.status.code(), Some(3), "{lang}: {}", stderr(&out));
            assert!(stderr(&out).contains(expected), "{lang}: {}", stderr(&out));
            assert!(stdout(&out).is_empty(), "no key was made");
        }
        home.write_config("");
        let out = common::output_within_limit(
            home.keydesk()
                .args(["list", "--db", "postgres://alice@127.0.0.1:1/kd", "--db-password-file"])
                .arg(&open)
                .env("KEYDESK_LANG", lang),
        );
        assert_eq!(out.status.code(), Some(3), "{lang}: {}", stderr(&out));
        let message = stderr(&out);
        assert!(message.contains(writable), "{lang}: {message}");
        assert!(message.contains(&format!("chmod 600 {}", open.display())), "{message}");
        assert!(!message.contains("hunter2pw"), "{message}");
    }
}
