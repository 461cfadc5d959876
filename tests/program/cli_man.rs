//! `keydesk man`: every page the real binary writes, in English and in
//! Chinese, rendered by man(1) as a reader would see it, with all of
//! groff's warnings on: a page that would print garbled (a line that cannot
//! be broken or filled, a bad request) fails here.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::programs::installed;
use crate::common::{keydesk_without_db, stderr, stdout};

/// `keydesk man --out-dir dir` in `lang`: the files it says it wrote.
fn write_pages(dir: &Path, lang: &str) -> Vec<PathBuf> {
    let out = keydesk_without_db()
        .env("KEYDESK_LANG", lang)
        .arg("man")
        .arg("--out-dir")
        .arg(dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written: Vec<PathBuf> = stdout(&out).lines().map(PathBuf::from).collect();
    let mut on_disk: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    on_disk.sort();
    let mut listed = written.clone();
    listed.sort();
    assert_eq!(listed, on_disk, "the paths printed are the files written");
    written
}

/// `man -l page` at 80 columns with every warning on: what it printed.
fn rendered(man: &Path, page: &Path) -> String {
    let out = Command::new(man)
        .args(["--warnings=all", "-l"])
        .arg(page)
        .env("MANWIDTH", "80")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .output()
        .unwrap();
    assert!(out.status.success(), "man -l {}: {}", page.display(), stderr(&out));
    assert_eq!(stderr(&out), "", "man -l {} warned", page.display());
    stdout(&out)
}

fn page_name(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn man_renders_every_page_without_warnings_in_both_languages() {
    let Some(man) = installed("man", "man-db") else { return };
    for lang in ["en", "zh-CN"] {
        let dir = tempfile::tempdir().unwrap();
        let pages = write_pages(dir.path(), lang);
        assert_eq!(page_name(&pages[0]), "keydesk");
        for name in ["keydesk-create", "keydesk-serve", "keydesk-config-path", "keydesk-man"] {
            assert!(pages.iter().any(|page| page_name(page) == name), "{lang}: no {name}");
        }
        for page in &pages {
            let text = rendered(&man, page);
            let name = page_name(page);
            assert!(text.starts_with(&format!("{name}(1)")), "{lang} {name}:\n{text}");
            for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "SEE ALSO"] {
                assert!(
                    text.contains(&format!("\n{section}\n")),
                    "{lang} {name} lacks {section}:\n{text}"
                );
            }
        }
        // keydesk(1) names every other page.
        let root = rendered(&man, &pages[0]);
        let see_also = root
            .split("\nSEE ALSO\n")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .collect::<String>();
        for page in &pages[1..] {
            assert!(
                see_also.contains(&format!("{}(1)", page_name(page))),
                "{lang}: {see_also}"
            );
        }
    }
}

#[test]
fn a_subcommands_page_is_printed_as_written_and_reads_as_its_help() {
    let Some(man) = installed("man", "man-db") else { return };
    let dir = tempfile::tempdir().unwrap();
    write_pages(dir.path(), "en");
    for (words, file) in [
        (&["create"][..], "keydesk-create.1"),
        (&["config", "path"][..], "keydesk-config-path.1"),
        (&[][..], "keydesk.1"),
    ] {
        let out = keydesk_without_db().arg("man").args(words).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{words:?}: {}", stderr(&out));
        let written = std::fs::read(dir.path().join(file)).unwrap();
        assert!(out.stdout == written, "keydesk man {words:?} differs from {file}");
    }
    let create = rendered(&man, &dir.path().join("keydesk-create.1"));
    for part in [
        "keydesk create [",
        "--accept-terms",
        "Confirm you have read the agreement",
        "--expires-in <DURATION>",
        "SEE ALSO\n       keydesk(1)",
    ] {
        assert!(create.contains(part), "lacks {part}:\n{create}");
    }
    let root = rendered(&man, &dir.path().join("keydesk.1"));
    assert!(
        root.contains("EXIT STATUS\n") && root.contains("6  serve: cannot listen"),
        "{root}"
    );
}

#[test]
fn an_unknown_page_is_a_usage_error_that_lists_the_pages() {
    let out = keydesk_without_db().args(["man", "frobnicate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let message = stderr(&out);
    assert!(
        message.contains("'frobnicate'") && message.contains("keydesk-config-path(1)"),
        "{message}"
    );
    let both = keydesk_without_db()
        .args(["man", "create", "--out-dir", "/nonexistent"])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
}
