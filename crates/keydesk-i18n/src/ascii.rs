//! Messages for a terminal that shows ASCII only (its locale's character set
//! is not UTF-8): the few non-ASCII characters of keydesk's English texts get
//! their usual ASCII spelling, anything else a `?`. Here rather than with the
//! TUI's text helpers because the messages are made here, and the library
//! without the TUI has them too.

use std::borrow::Cow;

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
}
