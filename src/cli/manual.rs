//! `keydesk man [SUBCOMMAND…]`: the manual pages, keydesk(1) and one per
//! subcommand (keydesk-create(1), keydesk-config-path(1), …), rendered by
//! clap_mangen from the very command tree `main` parses, with the help texts
//! `--help` shows in the current language. Pages written by hand would drift
//! from the flags; these cannot, and the tests render each one with man(1).
//!
//! clap_mangen writes the sections; this adds what a page set needs beyond
//! one page: EXIT STATUS (the exit codes of `--help`) and SEE ALSO, linking
//! each page to keydesk(1), its parent and its own subcommands. The section
//! headings stay the English words man pages are searched by, as
//! clap_mangen's own (NAME, SYNOPSIS, …) do, in either language.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, Command};
use clap_mangen::roff::{Roff, bold, roman};

mod line_breaks;

use super::completions::BIN_NAME;
use super::exit::{Exit, Failure};
use super::output::write_stdout;

/// Options of `keydesk man`.
#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    // Not `subcommand`: that is the id of clap's `help` command's argument,
    // which the help in Chinese is put on by id.
    #[arg(value_name = "SUBCOMMAND", conflicts_with = "out_dir")]
    pub page: Vec<String>,

    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub out_dir: Option<PathBuf>,
}

/// The manual's section: user commands.
const SECTION: &str = "1";

/// One page: its name (`keydesk-config-path`) and its roff source.
struct Page {
    name: String,
    roff: String,
}

/// Prints the page `args.page` names, or writes every page into
/// `args.out_dir`.
pub fn run(args: &ManArgs) -> Result<(), Failure> {
    let pages = pages();
    match &args.out_dir {
        Some(dir) => write_pages(&pages, dir),
        None => write_stdout(&find(&pages, &args.page)?.roff),
    }
}

/// The page of the subcommand `words` names (`["config", "path"]`, or as
/// one word `config-path`); keydesk(1) for none.
fn find<'a>(pages: &'a [Page], words: &[String]) -> Result<&'a Page, Failure> {
    let wanted = std::iter::once(BIN_NAME)
        .chain(words.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("-");
    pages.iter().find(|page| page.name == wanted).ok_or_else(|| {
        let names: Vec<String> = pages.iter().map(|page| format!("{}({SECTION})", page.name)).collect();
        Failure::usage(tr!(
            "cli-man-unknown-page",
            name = words.join(" "),
            pages = names.join(", ")
        ))
    })
}

/// Writes each page as `dir/NAME.1` (making `dir` if missing) and prints
/// the paths written.
fn write_pages(pages: &[Page], dir: &Path) -> Result<(), Failure> {
    let cannot_write = |path: &Path, error: std::io::Error| Failure {
        exit: Exit::Output,
        message: tr!(
            "cli-man-cannot-write",
            path = path.display().to_string(),
            error = error.to_string()
        ),
    };
    std::fs::create_dir_all(dir).map_err(|error| cannot_write(dir, error))?;
    let mut written = String::new();
    for page in pages {
        let path = dir.join(format!("{}.{SECTION}", page.name));
        std::fs::write(&path, &page.roff).map_err(|error| cannot_write(&path, error))?;
        written += &format!("{}\n", path.display());
    }
    write_stdout(&written)
}

/// A command of the tree, where it sits: its page's name, its parent's and
/// its subcommands'.
struct Node {
    command: Command,
    name: String,
    parent: Option<String>,
    children: Vec<String>,
}

/// Every page: keydesk(1) first, then each subcommand's, depth first.
fn pages() -> Vec<Page> {
    let mut root = super::command();
    root.build();
    let mut nodes = Vec::new();
    collect(&root, None, &mut nodes);
    let all: Vec<String> = nodes.iter().map(|node| node.name.clone()).collect();
    nodes
        .iter()
        .map(|node| Page {
            name: node.name.clone(),
            roff: render(node, &see_also(node, &all)),
        })
        .collect()
}

/// `command` and its subcommands as nodes, leaving out clap's `help`
/// subcommand (its page would only repeat `--help`).
fn collect(command: &Command, parent: Option<&str>, nodes: &mut Vec<Node>) {
    let name = page_name(command);
    let subcommands: Vec<&Command> = command.get_subcommands().filter(|sub| is_documented(sub)).collect();
    nodes.push(Node {
        command: without_help_subcommand(command.clone()),
        name: name.clone(),
        parent: parent.map(str::to_owned),
        children: subcommands.iter().map(|sub| page_name(sub)).collect(),
    });
    for sub in subcommands {
        collect(sub, Some(&name), nodes);
    }
}

fn is_documented(command: &Command) -> bool {
    !command.is_hide_set() && command.get_name() != "help"
}

/// clap names a built subcommand's page `keydesk-config-path`.
fn page_name(command: &Command) -> String {
    command.get_display_name().unwrap_or(command.get_name()).to_owned()
}

/// clap adds a `help` subcommand to each command that has subcommands;
/// hidden, it stays out of the page's list of subcommands.
fn without_help_subcommand(command: Command) -> Command {
    if command.find_subcommand("help").is_some() {
        command.mut_subcommand("help", |help| help.hide(true))
    } else {
        command
    }
}

/// The pages `node`'s SEE ALSO names: every other page for keydesk(1);
/// keydesk(1), the parent and the subcommands for a subcommand's page.
fn see_also(node: &Node, all: &[String]) -> Vec<String> {
    match &node.parent {
        None => all.iter().filter(|name| **name != node.name).cloned().collect(),
        Some(parent) => {
            let mut names = vec![BIN_NAME.to_owned()];
            if parent != BIN_NAME {
                names.push(parent.clone());
            }
            names.extend(node.children.iter().cloned());
            names
        }
    }
}

/// `node`'s page: clap_mangen's sections, then EXIT STATUS (keydesk(1)
/// only: the exit codes are `--help`'s after-help) and SEE ALSO.
fn render(node: &Node, see_also: &[String]) -> String {
    let exit_codes = node.command.get_after_help().map(ToString::to_string);
    let command = node.command.clone().after_help(None::<&str>);
    let version = command.get_version().is_some();
    let man = clap_mangen::Man::new(command).section(SECTION);
    let mut sections: Vec<Vec<u8>> = Vec::new();
    let mut section = |write: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| {
        let mut text = Vec::new();
        write(&mut text).expect("writing to memory cannot fail");
        sections.push(text);
    };
    section(&|out| out.write_all(title(&node.name).as_bytes()));
    section(&|out| man.render_name_section(out));
    section(&|out| man.render_synopsis_section(out));
    section(&|out| man.render_description_section(out));
    if node.command.get_arguments().any(|arg| !arg.is_hide_set()) {
        section(&|out| man.render_options_section(out));
    }
    if !node.children.is_empty() {
        section(&|out| man.render_subcommands_section(out));
    }
    if version {
        section(&|out| man.render_version_section(out));
    }
    let mut page = join_sections(sections);
    if let Some(exit_codes) = exit_codes {
        page += without_preamble(&exit_status(&exit_codes).render());
    }
    page += without_preamble(&see_also_section(see_also).render());
    line_breaks::for_cjk(page)
}

/// The preamble and `.TH`, written here because the roff crate writes an
/// empty argument as nothing, which would shift the source ("keydesk
/// 0.1.0") into the date's place. No date: the pages are made when asked
/// for, so a build date would only say when that was. Then `.nh`: no
/// hyphenation, which would split flags and paths (`--ac‐cept-terms`).
fn title(name: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    format!(
        "{}.TH {name} {SECTION} \"\" \"{BIN_NAME} {version}\"\n.nh\n",
        Roff::new().render()
    )
}

/// EXIT STATUS: the table of exit codes, its layout kept (no filling).
fn exit_status(text: &str) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["EXIT STATUS"]).control("nf", []);
    for line in text.lines() {
        roff.text([roman(line)]);
    }
    roff.control("fi", []);
    roff
}

/// SEE ALSO: `keydesk-create(1), keydesk-list(1), …`.
fn see_also_section(names: &[String]) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["SEE ALSO"]);
    let mut line = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let separator = if i + 1 == names.len() { "" } else { ", " };
        line.push(bold(name.clone()));
        line.push(roman(format!("({SECTION}){separator}")));
    }
    roff.text(line);
    roff
}

/// The sections as one page. Each starts with roff's apostrophe preamble
/// (which clap_mangen writes before every section it renders); the page
/// needs it once, before the title.
fn join_sections(sections: Vec<Vec<u8>>) -> String {
    let mut page = String::new();
    for (i, section) in sections.into_iter().enumerate() {
        let text = String::from_utf8_lossy(&section);
        page += if i == 0 { &text } else { without_preamble(&text) };
    }
    page
}

fn without_preamble(text: &str) -> &str {
    let preamble = Roff::new().render();
    text.strip_prefix(preamble.as_str()).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, with_lang};

    fn english_pages() -> Vec<Page> {
        with_lang(Lang::En, pages)
    }

    fn page<'a>(pages: &'a [Page], name: &str) -> &'a str {
        &pages.iter().find(|page| page.name == name).unwrap().roff
    }

    #[test]
    fn there_is_a_page_for_keydesk_and_each_subcommand_but_not_for_help() {
        let pages = english_pages();
        let names: Vec<&str> = pages.iter().map(|page| page.name.as_str()).collect();
        for name in [
            "keydesk",
            "keydesk-create",
            "keydesk-serve",
            "keydesk-config",
            "keydesk-config-path",
            "keydesk-completions",
            "keydesk-man",
        ] {
            assert!(names.contains(&name), "no {name} in {names:?}");
        }
        assert!(!names.iter().any(|name| name.ends_with("-help")), "{names:?}");
        assert_eq!(names[0], "keydesk");
    }

    #[test]
    fn each_page_has_one_title_and_the_preamble_once() {
        let preamble = Roff::new().render();
        for page in english_pages() {
            assert_eq!(page.roff.matches(".TH ").count(), 1, "{}", page.name);
            assert_eq!(page.roff.matches(preamble.as_str()).count(), 1, "{}", page.name);
            assert!(
                page.roff.starts_with(&format!("{preamble}.TH {} 1 ", page.name)),
                "{}",
                page.roff
            );
        }
    }

    #[test]
    fn see_also_links_the_root_to_every_page_and_a_subcommand_to_its_parent_and_children() {
        let pages = english_pages();
        let root = page(&pages, "keydesk");
        let see_also = &root[root.find(".SH \"SEE ALSO\"").unwrap()..];
        for other in pages.iter().skip(1) {
            let name = other.name.replace('-', "\\-");
            assert!(see_also.contains(&format!("\\fB{name}\\fR(1)")), "{see_also}");
        }
        let config = page(&pages, "keydesk-config");
        let see_also = &config[config.find(".SH \"SEE ALSO\"").unwrap()..];
        assert!(
            see_also.contains("\\fBkeydesk\\fR(1), \\fBkeydesk\\-config\\-path\\fR(1)"),
            "{see_also}"
        );
        let path = page(&pages, "keydesk-config-path");
        assert!(
            path.contains("\\fBkeydesk\\fR(1), \\fBkeydesk\\-config\\fR(1)\n"),
            "{path}"
        );
    }

    #[test]
    fn the_exit_codes_are_keydesks_page_only() {
        let pages = english_pages();
        assert!(page(&pages, "keydesk").contains(".SH \"EXIT STATUS\"\n.nf\nExit codes:"));
        assert!(!page(&pages, "keydesk-create").contains("EXIT STATUS"));
        assert!(!page(&pages, "keydesk").contains(".SH EXTRA"));
    }

    #[test]
    fn a_subcommand_is_found_by_its_words_or_its_page_name() {
        let pages = english_pages();
        let found = |words: &[&str]| {
            let words: Vec<String> = words.iter().map(|word| word.to_string()).collect();
            find(&pages, &words).map(|page| page.name.clone())
        };
        assert_eq!(found(&[]).unwrap(), "keydesk");
        assert_eq!(found(&["config", "path"]).unwrap(), "keydesk-config-path");
        assert_eq!(found(&["config-path"]).unwrap(), "keydesk-config-path");
        let unknown = with_lang(Lang::En, || found(&["frobnicate"]).unwrap_err());
        assert_eq!(unknown.exit, Exit::Usage);
        assert!(unknown.message.contains("'frobnicate'"), "{}", unknown.message);
        assert!(unknown.message.contains("keydesk-create(1)"), "{}", unknown.message);
    }

    #[test]
    fn chinese_pages_carry_the_chinese_help() {
        let pages = with_lang(Lang::ZhCn, pages);
        // Less the break points between Chinese characters.
        let man = page(&pages, "keydesk-man").replace("\\:", "");
        assert!(man.contains("以 roff 格式打印 keydesk 或某个子命令的手册页"), "{man}");
        assert!(!pages.iter().any(|page| page.name.ends_with("-help")));
    }
}
