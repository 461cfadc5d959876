//! Render-time text hygiene for the TUI, built on [`crate::display`]'s
//! sanitiser (shared with the CLI): nothing stored reaches the terminal
//! unfiltered, and text is cut to its column without splitting a character.

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

pub use crate::display::sanitize;

/// Whether `c` must not be written to the terminal as is.
pub fn is_unsafe(c: char) -> bool {
    !crate::display::is_safe(c)
}

/// Sanitised `text` cut to at most `width` terminal columns, ending in
/// `ellipsis` (the glyph set's) when something was cut. Never
/// splits a grapheme or a wide character. Borrows (no allocation) when the
/// text is clean and fits.
pub fn fit<'a>(text: &'a str, width: usize, ellipsis: &str) -> Cow<'a, str> {
    let clean = sanitize(text);
    if clean.width() <= width {
        return clean;
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let budget = width.saturating_sub(ellipsis.width());
    let mut used = 0;
    let mut out = String::with_capacity(width * 3);
    for grapheme in clean.graphemes(true) {
        let w = grapheme.width();
        if used + w > budget {
            break;
        }
        used += w;
        out.push_str(grapheme);
    }
    out.push_str(ellipsis);
    Cow::Owned(out)
}

/// What may go into a one-line input: newlines, tabs and every other control
/// character are removed (so a pasted escape sequence is defused), and so are
/// invisible formatting characters that could not be seen or edited.
pub fn for_input(text: &str) -> String {
    text.chars().filter(|&c| !is_unsafe(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_by_columns_with_an_ellipsis() {
        assert!(matches!(fit("gateway", 7, "…"), Cow::Borrowed("gateway")));
        assert_eq!(fit("gateway", 5, "…"), "gate…");
        // 生 and 产 are two columns each: never split one.
        assert_eq!(fit("生产-gateway", 4, "…"), "生…");
        assert_eq!(fit("生产-gateway", 5, "…"), "生产…");
        assert_eq!(fit("生产", 1, "…"), "…");
        assert_eq!(fit("abc", 0, "…"), "");
        assert_eq!(fit("gateway", 5, ".."), "gat..");
    }

    #[test]
    fn fit_sanitises_first() {
        assert_eq!(fit("a\u{1b}bcdef", 4, "…"), "a\u{FFFD}b…");
        assert_eq!(fit("\u{1b}]52;c;aGk=\u{7}", 40, "…"), "\u{FFFD}]52;c;aGk=\u{FFFD}");
        assert_eq!(fit("x\u{202E}y", 10, "…"), "x\u{FFFD}y");
    }

    #[test]
    fn input_filter_strips_newlines_and_controls() {
        assert_eq!(for_input("my\r\nkey\tname\u{1b}[0m"), "mykeyname[0m");
        assert_eq!(for_input("生产\u{200B}-1"), "生产-1");
    }
}
