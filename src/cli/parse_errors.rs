//! clap's own parse errors ("unexpected argument …", "invalid value …") in
//! the current language, for the mistakes people make most. clap words them
//! in English only; it lets a program format them itself from their parts
//! ([`ErrorFormatter`]), which is what this does. Kinds not handled here,
//! and everything in English, stay exactly as clap writes them. The exit
//! code is clap's either way (2).

use std::fmt::Write as _;

use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorFormatter, ErrorKind};

use crate::i18n::Lang;

/// Prints `error` (in the current language where it can) and exits as clap
/// would.
pub fn exit(error: clap::Error) -> ! {
    if crate::i18n::current() != Lang::En && handled(error.kind()) {
        error.apply::<Localized>().exit()
    }
    error.exit()
}

fn handled(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::InvalidValue
            | ErrorKind::ValueValidation
            | ErrorKind::UnknownArgument
            | ErrorKind::InvalidSubcommand
            | ErrorKind::MissingRequiredArgument
            | ErrorKind::ArgumentConflict
    )
}

/// clap's layout (the error, tips, the usage line, where to get help) with
/// the words from cli.ftl.
pub struct Localized;

impl ErrorFormatter for Localized {
    fn format_error(error: &clap::error::Error<Self>) -> StyledStr {
        let mut text = after_heading(tr!("cli-clap-error"), &what(error));
        // clap's other tips (`-- --x` to pass a value) are English sentences
        // and are left out.
        let tips: Vec<String> = [
            ContextKind::SuggestedSubcommand,
            ContextKind::SuggestedArg,
            ContextKind::SuggestedValue,
        ]
        .into_iter()
        .filter_map(|kind| error.get(kind).and_then(strings))
        .map(|similar| tr!("cli-clap-similar", similar = quoted(&similar)))
        .collect();
        if !tips.is_empty() {
            text.push('\n');
        }
        for tip in tips {
            let _ = write!(text, "\n  {tip}");
        }
        if let Some(ContextValue::StyledStr(usage)) = error.get(ContextKind::Usage) {
            let usage = usage.to_string();
            let line = usage.strip_prefix("Usage: ").unwrap_or(&usage);
            let _ = write!(text, "\n\n{}", after_heading(tr!("help-heading-usage"), line));
        }
        let _ = write!(text, "\n\n{}\n", tr!("cli-clap-try-help"));
        StyledStr::from(text)
    }
}

/// `heading` and `text` with a space between, unless the heading ends in a
/// full-width colon (which has its own).
fn after_heading(heading: String, text: &str) -> String {
    let gap = if heading.ends_with('：') { "" } else { " " };
    format!("{heading}{gap}{text}")
}

/// The error itself, from its context.
fn what(error: &clap::error::Error<Localized>) -> String {
    let one = |kind| match error.get(kind) {
        Some(ContextValue::String(text)) => text.clone(),
        _ => String::new(),
    };
    let (arg, value) = (one(ContextKind::InvalidArg), one(ContextKind::InvalidValue));
    match error.kind() {
        ErrorKind::InvalidValue if value.is_empty() => tr!("cli-clap-value-required", arg = arg),
        ErrorKind::InvalidValue => {
            let mut text = tr!("cli-clap-invalid-value", arg = arg, value = value);
            if let Some(valid) = error.get(ContextKind::ValidValue).and_then(strings) {
                let _ = write!(
                    text,
                    "\n  [{}]",
                    tr!("cli-clap-possible-values", values = valid.join(", "))
                );
            }
            text
        }
        ErrorKind::ValueValidation => {
            let reason = std::error::Error::source(error)
                .map(ToString::to_string)
                .unwrap_or_default();
            tr!("cli-clap-value-rejected", arg = arg, value = value, reason = reason)
        }
        ErrorKind::UnknownArgument => tr!("cli-clap-unknown-argument", arg = arg),
        ErrorKind::InvalidSubcommand => tr!(
            "cli-clap-unknown-subcommand",
            name = one(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::MissingRequiredArgument => {
            let missing = error.get(ContextKind::InvalidArg).and_then(strings).unwrap_or_default();
            let mut text = tr!("cli-clap-missing");
            for arg in missing {
                let _ = write!(text, "\n  {arg}");
            }
            text
        }
        _ => {
            let others = error.get(ContextKind::PriorArg).and_then(strings).unwrap_or_default();
            if others.contains(&arg) {
                tr!("cli-clap-repeated", arg = arg)
            } else {
                tr!("cli-clap-conflict", arg = arg, other = quoted(&others))
            }
        }
    }
}

fn strings(value: &ContextValue) -> Option<Vec<String>> {
    match value {
        ContextValue::String(text) => Some(vec![text.clone()]),
        ContextValue::Strings(texts) => Some(texts.clone()),
        ContextValue::StyledStr(text) => Some(vec![text.to_string()]),
        ContextValue::StyledStrs(texts) => Some(texts.iter().map(ToString::to_string).collect()),
        _ => None,
    }
}

fn quoted(values: &[String]) -> String {
    values.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::with_lang;

    /// What the user sees for `args`, in Chinese.
    fn chinese(args: &[&str]) -> String {
        with_lang(Lang::ZhCn, || {
            let error = super::super::command()
                .try_get_matches_from(std::iter::once("keydesk").chain(args.iter().copied()))
                .unwrap_err();
            assert!(handled(error.kind()), "{:?}", error.kind());
            error.apply::<Localized>().render().to_string()
        })
    }

    #[test]
    fn the_usual_mistakes_are_explained_in_chinese_with_clap_s_details() {
        let unknown = chinese(&["list", "--jsn"]);
        assert!(unknown.starts_with("错误：意外的参数 '--jsn'"), "{unknown}");
        assert!(unknown.contains("'--json'"), "the suggestion survives: {unknown}");
        assert!(unknown.contains("用法：keydesk list"), "{unknown}");
        assert!(unknown.contains("'--help'"), "{unknown}");

        let invalid = chinese(&["list", "--status", "gone"]);
        assert!(invalid.contains("'--status <STATUS>' 的值 'gone' 无效"), "{invalid}");
        assert!(invalid.contains("active, disabled, expired"), "{invalid}");

        let rejected = chinese(&["cleanup", "--unused-for", "90x"]);
        assert!(
            rejected.contains("无效的时长 '90x'"),
            "our own reason, in Chinese: {rejected}"
        );

        let missing = chinese(&["rotate", "ak-0000000000000000"]);
        assert!(
            missing.contains("缺少以下必需的参数") && missing.contains("--grace"),
            "{missing}"
        );

        let conflict = chinese(&["verify", "--quiet", "--explain"]);
        assert!(conflict.contains("不能与"), "{conflict}");

        let subcommand = chinese(&["lsit"]);
        assert!(
            subcommand.contains("无法识别的子命令 'lsit'") && subcommand.contains("'list'"),
            "{subcommand}"
        );
    }
}
