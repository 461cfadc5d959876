//! Text measured in terminal columns, for the CLI's tables and the TUI's
//! labels: a Chinese character takes two, so `format!("{:<24}")` (which
//! counts characters) would push every later column out of line.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `text` followed by spaces up to `width` columns (nothing added when it is
/// already as wide or wider).
pub fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

/// Spaces up to `width` columns, then `text`: numbers aligned to the right.
pub fn pad_left(text: &str, width: usize) -> String {
    format!("{}{text}", " ".repeat(width.saturating_sub(text.width())))
}

/// The longest start of `text` that fits in `width` columns; a wide
/// character that would straddle the edge is left out whole.
pub fn truncate(text: &str, width: usize) -> String {
    let mut used = 0;
    text.chars()
        .take_while(|c| {
            used += c.width().unwrap_or(0);
            used <= width
        })
        .collect()
}

/// `text` with only ASCII characters, for a terminal whose locale cannot show
/// anything else: the punctuation keydesk's own texts use becomes its usual
/// ASCII spelling (`…` `...`, `—` `-`, `→` `->`, `±` `+-`), and every other
/// character a `?` of its own, so a name in Chinese still shows how many
/// characters it has. Borrows when `text` is ASCII already.
pub fn to_ascii(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            _ if c.is_ascii() => out.push(c),
            _ => out.push_str(ascii_spelling(c)),
        }
    }
    Cow::Owned(out)
}

/// The ASCII for one character that is not.
fn ascii_spelling(c: char) -> &'static str {
    match c {
        '…' | '⋯' => "...",
        '—' | '–' | '‒' | '−' | '‐' | '─' | '━' => "-",
        '“' | '”' | '„' | '«' | '»' => "\"",
        '‘' | '’' => "'",
        '·' | '│' | '┃' => "|",
        '×' => "x",
        '±' => "+-",
        '→' => "->",
        '←' => "<-",
        '↑' => "^",
        '↓' => "v",
        '‹' => "<",
        '›' => ">",
        '✓' => "+",
        '✗' => "x",
        '\u{a0}' | '\u{3000}' => " ",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_ascii_spells_punctuation_in_ascii_and_marks_each_other_character() {
        assert!(matches!(to_ascii("plain text"), Cow::Borrowed("plain text")));
        assert_eq!(to_ascii("loading…"), "loading...");
        assert_eq!(
            to_ascii("No key matches “x” — press /"),
            "No key matches \"x\" - press /"
        );
        assert_eq!(to_ascii("30×8 · use ±HH:MM"), "30x8 | use +-HH:MM");
        assert_eq!(to_ascii("A → Z ↑↓"), "A -> Z ^v");
        assert_eq!(to_ascii("生产-gateway_01"), "??-gateway_01");
        assert_eq!(to_ascii("a\u{FFFD}b"), "a?b");
        assert!(to_ascii("😀 ‹x› ✓ ✗ é").is_ascii());
    }

    #[test]
    fn padding_counts_wide_characters_as_two_columns() {
        assert_eq!(pad("名称", 6), "名称  ");
        assert_eq!(pad("name", 6), "name  ");
        assert_eq!(pad_left("合计", 6), "  合计");
        assert_eq!(pad("toolong", 3), "toolong");
    }

    #[test]
    fn truncation_never_cuts_a_character_in_half() {
        assert_eq!(truncate("生产环境密钥", 5), "生产");
        assert_eq!(truncate("生产环境密钥", 6), "生产环");
        assert_eq!(truncate("prod-键", 6), "prod-");
        assert_eq!(truncate("short", 24), "short");
    }
}
