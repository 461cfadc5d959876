//! `keydesk completions SHELL`: the scripts the real binary prints, loaded
//! into the real shells. bash is asked for completions as it asks when Tab
//! is pressed (the function the script registers with `complete -F`, called
//! with COMP_WORDS and COMP_CWORD); fish answers `complete -C`; zsh's script
//! must at least parse. Shells that are not installed are skipped, saying so.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::programs::installed;
use crate::common::{keydesk_without_db, stderr, stdout};

/// The script `keydesk completions shell` prints, in `lang`, saved in `dir`.
fn script(dir: &Path, shell: &str, lang: &str) -> PathBuf {
    let out = keydesk_without_db()
        .env("KEYDESK_LANG", lang)
        .args(["completions", shell])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
    assert!(!out.stdout.is_empty(), "{shell}: an empty script");
    let path = dir.join(format!("keydesk.{shell}.{lang}"));
    std::fs::write(&path, &out.stdout).unwrap();
    path
}

/// What bash offers for the last of `words` (the command line so far, the
/// last word the one being completed, `""` after a space), asked as bash
/// asks on Tab: the function `complete -p keydesk` names, called with the
/// command, the word and the word before it.
fn bash_offers(bash: &Path, script: &Path, words: &[&str]) -> Vec<String> {
    const ASK: &str = r#"
source "$1" || exit 3
shift
COMP_WORDS=("$@")
COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
spec=$(complete -p keydesk) || exit 4
function=${spec##*-F }
function=${function%% *}
"$function" keydesk "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let out = Command::new(bash)
        .args(["--norc", "--noprofile", "-c", ASK, "bash"])
        .arg(script)
        .args(words)
        .output()
        .unwrap();
    assert!(out.status.success(), "bash {words:?}: {}", stderr(&out));
    assert_eq!(stderr(&out), "", "bash {words:?}");
    let mut offered: Vec<String> = stdout(&out)
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    offered.sort();
    offered
}

#[test]
fn bash_completes_subcommands_from_the_sourced_script() {
    let Some(bash) = installed("bash", "bash") else { return };
    let dir = tempfile::tempdir().unwrap();
    let script = script(dir.path(), "bash", "en");
    assert_eq!(bash_offers(&bash, &script, &["keydesk", "cr"]), ["create"]);
    assert_eq!(
        bash_offers(&bash, &script, &["keydesk", "co"]),
        ["completions", "config"]
    );
    assert_eq!(bash_offers(&bash, &script, &["keydesk", "ma"]), ["man"]);
    let all = bash_offers(&bash, &script, &["keydesk", ""]);
    for subcommand in ["verify", "list", "create", "serve", "gateway", "completions", "man"] {
        assert!(
            all.iter().any(|offered| offered == subcommand),
            "{subcommand} not in {all:?}"
        );
    }
    assert_eq!(bash_offers(&bash, &script, &["keydesk", "config", "p"]), ["path"]);
}

#[test]
fn bash_completes_a_subcommands_flags_and_their_values() {
    let Some(bash) = installed("bash", "bash") else { return };
    let dir = tempfile::tempdir().unwrap();
    let script = script(dir.path(), "bash", "en");
    let offers = |words: &[&str]| bash_offers(&bash, &script, words);
    assert_eq!(offers(&["keydesk", "create", "--acc"]), ["--accept-terms"]);
    assert_eq!(offers(&["keydesk", "serve", "--max-c"]), ["--max-connections"]);
    // A global flag after the subcommand.
    assert_eq!(offers(&["keydesk", "list", "--db-"]), ["--db-password-file"]);
    assert_eq!(
        offers(&["keydesk", "list", "--status", ""]),
        ["active", "disabled", "expired"]
    );
    assert_eq!(
        offers(&["keydesk", "completions", ""])
            .into_iter()
            .filter(|offered| !offered.starts_with('-'))
            .collect::<Vec<_>>(),
        ["bash", "elvish", "fish", "powershell", "zsh"]
    );
    // --db takes a file: bash offers the files there.
    std::fs::write(dir.path().join("keys.redb"), b"").unwrap();
    let prefix = dir.path().join("keys.r").display().to_string();
    let database = dir.path().join("keys.redb").display().to_string();
    assert_eq!(offers(&["keydesk", "--db", &prefix]), [database]);
}

#[test]
fn zsh_and_fish_scripts_parse_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, package) in [("zsh", "zsh"), ("fish", "fish")] {
        let Some(program) = installed(shell, package) else {
            continue;
        };
        for lang in ["en", "zh-CN"] {
            let script = script(dir.path(), shell, lang);
            let out = Command::new(&program).arg("-n").arg(&script).output().unwrap();
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "{shell} -n, {lang}: {}",
                stderr(&out)
            );
        }
    }
}

#[test]
fn fish_completes_subcommands_and_flags_with_their_help() {
    let Some(fish) = installed("fish", "fish") else { return };
    let dir = tempfile::tempdir().unwrap();
    let offers = |lang: &str, line: &str| {
        let script = script(dir.path(), "fish", lang);
        let out = Command::new(&fish)
            .arg("--no-config")
            .arg("-c")
            .arg("source $argv[1]; complete -C $argv[2]")
            .arg(&script)
            .arg(line)
            .output()
            .unwrap();
        assert!(out.status.success(), "fish {line}: {}", stderr(&out));
        stdout(&out)
    };
    assert_eq!(
        offers("en", "keydesk cr"),
        "create\tCreate a key. Prints only the secret on stdout, so `KEY=$(keydesk create …)` works\n"
    );
    assert!(offers("en", "keydesk create --acc").starts_with("--accept-terms\t"));
    assert_eq!(offers("en", "keydesk list --status "), "active\ndisabled\nexpired\n");
    let chinese = offers("zh-CN", "keydesk ma");
    assert!(chinese.starts_with("man\t以 roff 格式打印"), "{chinese}");
}

#[test]
fn every_shell_gets_a_script_and_an_unknown_shell_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let text = std::fs::read_to_string(script(dir.path(), shell, "en")).unwrap();
        assert!(
            text.contains("keydesk") && text.contains("accept-terms"),
            "{shell}: {text}"
        );
    }
    let out = keydesk_without_db().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("possible values: bash, elvish, fish, powershell, zsh"),
        "{}",
        stderr(&out)
    );
}
