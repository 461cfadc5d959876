//! The Fluent files against each other and against the code: a message in
//! one language and not the other, a variable a translation invents, or an
//! id the code names that no file has, fails here rather than on a user's
//! screen.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::*;

/// What a message offers its callers: a value or not, its attributes, and
/// the variables it prints (`shown`) or only chooses a form by (`selected`).
#[derive(Debug, Default, PartialEq)]
struct Shape {
    has_value: bool,
    attributes: BTreeSet<String>,
    shown: BTreeSet<String>,
    selected: BTreeSet<String>,
}

fn shapes(file: &str, source: &str) -> BTreeMap<String, Shape> {
    let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(_, errors)| panic!("{file}: {errors:?}"));
    let mut shapes = BTreeMap::new();
    for entry in resource.body {
        let (id, value, attributes) = match entry {
            Entry::Message(m) => (m.id.name.to_owned(), m.value, m.attributes),
            Entry::Term(t) => (format!("-{}", t.id.name), Some(t.value), t.attributes),
            _ => continue,
        };
        let mut shape = Shape {
            has_value: value.is_some(),
            ..Shape::default()
        };
        for pattern in value.iter().chain(attributes.iter().map(|a| &a.value)) {
            variables(pattern, &mut shape);
        }
        shape.attributes = attributes.iter().map(|a| a.id.name.to_owned()).collect();
        assert!(shapes.insert(id.clone(), shape).is_none(), "{file}: `{id}` twice");
    }
    shapes
}

fn variables(pattern: &Pattern<&str>, shape: &mut Shape) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_variables(expression, shape);
        }
    }
}

fn expression_variables(expression: &Expression<&str>, shape: &mut Shape) {
    match expression {
        Expression::Inline(inline) => inline_variables(inline, &mut shape.shown),
        Expression::Select { selector, variants } => {
            inline_variables(selector, &mut shape.selected);
            for variant in variants {
                variables(&variant.value, shape);
            }
        }
    }
}

fn inline_variables(inline: &InlineExpression<&str>, into: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            into.insert(id.name.to_owned());
        }
        InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                inline_variables(argument, into);
            }
        }
        InlineExpression::Placeable { expression } => {
            if let Expression::Inline(inline) = expression.as_ref() {
                inline_variables(inline, into);
            }
        }
        _ => {}
    }
}

#[test]
fn every_message_exists_in_both_languages_with_the_same_variables() {
    let english = resources::files(Lang::En);
    let chinese = resources::files(Lang::ZhCn);
    assert_eq!(english.len(), chinese.len(), "each language has the same files");
    let mut problems = Vec::new();
    for ((en_file, en_source), (zh_file, zh_source)) in english.iter().zip(chinese) {
        let en = shapes(en_file, en_source);
        let zh = shapes(zh_file, zh_source);
        for id in en.keys().filter(|id| !zh.contains_key(*id)) {
            problems.push(format!("`{id}` is in {en_file} but not in {zh_file}"));
        }
        for id in zh.keys().filter(|id| !en.contains_key(*id)) {
            problems.push(format!("`{id}` is in {zh_file} but not in {en_file}"));
        }
        for (id, en_shape) in &en {
            let Some(zh_shape) = zh.get(id) else { continue };
            if en_shape.has_value != zh_shape.has_value || en_shape.attributes != zh_shape.attributes {
                problems.push(format!(
                    "`{id}`: value/attributes differ: {en_file} {en_shape:?}, {zh_file} {zh_shape:?}"
                ));
            }
            let en_all: BTreeSet<_> = en_shape.shown.union(&en_shape.selected).collect();
            let zh_all: BTreeSet<_> = zh_shape.shown.union(&zh_shape.selected).collect();
            for invented in zh_all.difference(&en_all) {
                problems.push(format!(
                    "`{id}`: {zh_file} uses ${invented}, which English never passes"
                ));
            }
            for dropped in en_shape.shown.iter().filter(|v| !zh_all.contains(v)) {
                problems.push(format!("`{id}`: {zh_file} leaves out ${dropped}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_message_formats_without_errors_in_both_languages() {
    for lang in Lang::ALL {
        let bundle = bundle(lang);
        for (file, source) in resources::files(lang) {
            for (id, shape) in shapes(file, source) {
                if id.starts_with('-') {
                    continue;
                }
                // Every variable gets a number, which both text and plural
                // selectors accept, so only the message's own mistakes
                // (a reference to a missing message or term) show.
                let mut args = FluentArgs::new();
                for name in shape.shown.iter().chain(&shape.selected) {
                    args.set(name.clone(), 2);
                }
                let message = bundle.get_message(&id).expect("the bundle holds every message");
                let patterns = message
                    .value()
                    .into_iter()
                    .chain(message.attributes().map(|a| a.value()));
                for pattern in patterns {
                    let mut errors = Vec::new();
                    let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                    assert!(errors.is_empty(), "{file} `{id}`: {errors:?}");
                    assert!(!text.trim().is_empty() || shape.has_value, "{file} `{id}` is blank");
                }
            }
        }
    }
}

/// Every `tr!("…")` and `Msg("…")` in the source.
fn ids_named_in_code() -> Vec<(String, String)> {
    let mut found = Vec::new();
    // Every crate of the workspace: the program's `src` and each `crates/*/src`.
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let crates = std::fs::read_dir(workspace.join("crates")).expect("crates/ is readable");
    let mut stack: Vec<_> = crates
        .map(|entry| entry.expect("a directory entry").path().join("src"))
        .collect();
    stack.push(workspace.join("src"));
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file is text");
                // Comments may show the macro with a made-up id; an id
                // given as a string on the next line is still found.
                let code: String = text
                    .lines()
                    .filter(|line| !line.trim_start().starts_with("//"))
                    .flat_map(|line| [line, "\n"])
                    .collect();
                for opener in ["tr!(", "Msg("] {
                    for (at, _) in code.match_indices(opener) {
                        let starts_a_word = !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_');
                        let rest = code[at + opener.len()..].trim_start();
                        let Some(rest) = rest.strip_prefix('"').filter(|_| starts_a_word) else {
                            continue;
                        };
                        let id = &rest[..rest.find('"').unwrap_or(0)];
                        if !id.is_empty()
                            && id
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-.".contains(c))
                        {
                            found.push((id.to_owned(), path.display().to_string()));
                        }
                    }
                }
            }
        }
    }
    found
}

#[test]
fn every_id_the_code_names_is_a_message() {
    let named = ids_named_in_code();
    assert!(named.len() > 2, "the scan finds the code's ids");
    let missing: Vec<_> = named
        .iter()
        .filter(|(id, _)| {
            let (message, attribute) = match id.split_once('.') {
                Some((message, attribute)) => (message, Some(attribute)),
                None => (id.as_str(), None),
            };
            let Some(found) = bundle(Lang::En).get_message(message) else {
                return true;
            };
            match attribute {
                Some(name) => found.get_attribute(name).is_none(),
                None => found.value().is_none(),
            }
        })
        .map(|(id, file)| format!("`{id}` in {file}"))
        .collect();
    assert!(missing.is_empty(), "no such message:\n{}", missing.join("\n"));
}

#[test]
fn every_message_is_named_by_the_code() {
    let named: BTreeSet<String> = ids_named_in_code()
        .into_iter()
        .map(|(id, _)| id.split('.').next().unwrap_or_default().to_owned())
        .collect();
    let mut unused = Vec::new();
    for (file, source) in resources::files(Lang::En) {
        for id in shapes(file, source).into_keys() {
            if !id.starts_with('-') && !named.contains(&id) {
                unused.push(format!("`{id}` in {file}"));
            }
        }
    }
    assert!(unused.is_empty(), "messages no code asks for:\n{}", unused.join("\n"));
}

#[test]
fn messages_come_in_the_chosen_language_with_their_arguments() {
    assert_eq!(
        with_lang(Lang::En, || tr!("i18n-test-args", name = "ci", count = 1)),
        "ci has one key"
    );
    assert_eq!(
        with_lang(Lang::En, || tr!("i18n-test-args", name = "ci", count = 3)),
        "ci has 3 keys"
    );
    assert_eq!(
        with_lang(Lang::ZhCn, || tr!("i18n-test-args", name = "ci", count = 3)),
        "ci 有 3 个密钥"
    );
    // Nothing leaks out of with_lang, even on this thread.
    assert_eq!(current(), Lang::En);
}

#[test]
fn a_message_missing_everywhere_shows_its_id() {
    assert_eq!(with_lang(Lang::ZhCn, || tr!("i18n-test-plain")), "keydesk");
    assert_eq!(message("no-such-message", None), "no-such-message");
    assert_eq!(attribute("i18n-test-plain", "nope", None), "i18n-test-plain.nope");
}

#[test]
fn locales_choose_the_language() {
    for zh in [
        "zh_CN.UTF-8",
        "zh_CN",
        "zh",
        "zh_SG.GB18030",
        "zh-Hans",
        "zh_CN.utf8@pinyin",
    ] {
        assert_eq!(Lang::from_locale(zh), Lang::ZhCn, "{zh}");
    }
    for en in [
        "C",
        "POSIX",
        "C.UTF-8",
        "en_US.UTF-8",
        "de_DE",
        "zh_TW.UTF-8",
        "zh_HK",
        "",
    ] {
        assert_eq!(Lang::from_locale(en), Lang::En, "{en}");
    }
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned())
    };
    assert_eq!(
        from_environment(env(&[("LANG", "zh_CN.UTF-8")])),
        Some((Lang::ZhCn, "LANG"))
    );
    // LC_ALL wins over LC_MESSAGES, which wins over LANG; empty means unset.
    assert_eq!(
        from_environment(env(&[("LC_ALL", "C"), ("LC_MESSAGES", "zh_CN"), ("LANG", "zh_CN")])),
        Some((Lang::En, "LC_ALL"))
    );
    assert_eq!(
        from_environment(env(&[("LC_ALL", ""), ("LC_MESSAGES", "zh_CN"), ("LANG", "C")])),
        Some((Lang::ZhCn, "LC_MESSAGES"))
    );
    assert_eq!(from_environment(env(&[])), None);
}

#[test]
fn the_locale_decides_whether_the_terminal_decodes_utf8() {
    for utf8 in [
        "C.UTF-8",
        "en_US.UTF-8",
        "zh_CN.utf8",
        "C.utf-8",
        "sr_RS.UTF-8@latin",
        "de_DE.Utf8",
    ] {
        assert!(locale_is_utf8(utf8), "{utf8}");
    }
    for not in [
        "C",
        "POSIX",
        "en_US",
        "en_US.ISO-8859-1",
        "zh_CN.GB18030",
        "UTF-8",
        "en_US@utf8",
        "",
    ] {
        assert!(!locale_is_utf8(not), "{not}");
    }
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned())
    };
    // LC_ALL wins over LC_CTYPE, which wins over LANG; empty means unset;
    // LC_MESSAGES chooses the language, not the character set.
    assert_eq!(
        utf8_from_environment(env(&[
            ("LC_ALL", "C"),
            ("LC_CTYPE", "C.UTF-8"),
            ("LANG", "en_US.UTF-8")
        ])),
        Some((false, "LC_ALL"))
    );
    assert_eq!(
        utf8_from_environment(env(&[("LC_ALL", ""), ("LC_CTYPE", "C.UTF-8"), ("LANG", "C")])),
        Some((true, "LC_CTYPE"))
    );
    assert_eq!(
        utf8_from_environment(env(&[("LC_MESSAGES", "en_US.UTF-8"), ("LANG", "POSIX")])),
        Some((false, "LANG"))
    );
    assert_eq!(utf8_from_environment(env(&[("LC_MESSAGES", "C.UTF-8")])), None);
}

#[test]
fn ascii_messages_spell_their_punctuation_in_ascii() {
    let loading = with_lang(Lang::En, || with_ascii(true, || tr!("tui-list-loading")));
    assert_eq!(loading, "loading...");
    let args = with_lang(Lang::En, || {
        with_ascii(true, || tr!("tui-status-sorted", column = "Name", order = "A → Z"))
    });
    assert!(args.is_ascii() && args.contains("A -> Z"), "{args}");
    assert_eq!(
        with_lang(Lang::En, || with_ascii(false, || tr!("tui-list-loading"))),
        "loading…"
    );
}

#[test]
fn lang_tags_parse_in_their_usual_spellings() {
    for (text, lang) in [
        ("en", Lang::En),
        ("EN-us", Lang::En),
        ("zh-CN", Lang::ZhCn),
        ("zh_CN", Lang::ZhCn),
        ("zh", Lang::ZhCn),
        ("zh-Hans", Lang::ZhCn),
    ] {
        assert_eq!(Lang::parse(text), Some(lang), "{text}");
        assert_eq!(Lang::parse(lang.tag()), Some(lang));
    }
    assert_eq!(Lang::parse("fr"), None);
    assert_eq!(Lang::parse("zh-TW"), None);
}
