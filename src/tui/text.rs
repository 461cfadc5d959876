//! Plain-text layout for the TUI: word wrapping and re-flowing, measured in
//! terminal columns. Pure string functions, so both the view (to draw) and the
//! state (to know how far an overlay scrolls) can use them.

use unicode_width::UnicodeWidthStr;

/// `text` wrapped to `width` after a `marker` (e.g. "✗ "), continuation
/// lines indented to line up after the marker.
pub fn wrap_marked(marker: &str, text: &str, width: usize) -> Vec<String> {
    let indent = marker.width();
    wrap(text, width.saturating_sub(indent))
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            if i == 0 {
                format!("{marker}{line}")
            } else {
                format!("{:indent$}{line}", "")
            }
        })
        .collect()
}

/// Greedy word wrap to `width` columns; words longer than a line are cut.
/// Paragraph breaks (`\n`) are kept; the result borrows nothing.
///
/// Chinese has no spaces: a run of it may break between its characters, so
/// it fills the line instead of moving down whole; but not inside a Latin
/// word within it (`set-clipboard`), not before closing punctuation (`，`,
/// `。`, `）`) and not after opening punctuation (`（`), which a Chinese
/// line never starts or ends with.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = Filling::default();
        for word in paragraph.split(' ') {
            for (i, piece) in pieces(word).into_iter().enumerate() {
                line.place(piece, i == 0, width, &mut lines);
            }
        }
        lines.push(line.text);
    }
    lines
}

/// The line being filled by [`wrap`].
#[derive(Default)]
struct Filling {
    text: String,
    width: usize,
}

impl Filling {
    /// Adds `piece` (which no line breaks inside, unless it is wider than a
    /// line), after a space if it starts a word; moves to a new line first
    /// when it does not fit.
    fn place(&mut self, piece: &str, starts_word: bool, width: usize, lines: &mut Vec<String>) {
        let piece_width = piece.width();
        let space = usize::from(starts_word && self.width > 0);
        if self.width + space + piece_width <= width {
            self.push(&" ".repeat(space), space);
            self.push(piece, piece_width);
            return;
        }
        if piece_width <= width {
            self.break_line(lines);
            self.push(piece, piece_width);
            return;
        }
        // Longer than a line: cut between characters, from where the line
        // has got to.
        if space == 1 {
            if self.width < width {
                self.push(" ", 1);
            } else {
                self.break_line(lines);
            }
        }
        for c in piece.chars() {
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if self.width + w > width {
                self.break_line(lines);
            }
            self.push(c.encode_utf8(&mut [0; 4]), w);
        }
    }

    fn push(&mut self, text: &str, width: usize) {
        self.text.push_str(text);
        self.width += width;
    }

    fn break_line(&mut self, lines: &mut Vec<String>) {
        lines.push(std::mem::take(&mut self.text));
        self.width = 0;
    }
}

/// A word cut where a line may break inside it: between two characters of
/// which one is wide (Chinese), unless the second may not start a line or
/// the first may not end one. A word without Chinese stays whole.
fn pieces(word: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut chars = word.char_indices().peekable();
    while let Some((_, a)) = chars.next() {
        if let Some(&(at, b)) = chars.peek()
            && (is_wide(a) || is_wide(b))
            && !CLOSING.contains(b)
            && !OPENING.contains(a)
        {
            pieces.push(&word[start..at]);
            start = at;
        }
    }
    pieces.push(&word[start..]);
    pieces
}

/// Punctuation a line does not start with.
const CLOSING: &str = "，。、；：？！）」』》〉】…,.;:?!)]%";
/// Punctuation a line does not end with.
const OPENING: &str = "（「『《〈【([";

/// Re-wraps hard-wrapped text to `width`: paragraphs are separated by blank
/// lines, and a paragraph's continuation lines keep the indentation of its
/// second line (the hanging indent of a numbered item).
pub fn reflow(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.trim_end().split("\n\n") {
        let lines: Vec<&str> = paragraph.lines().collect();
        let indent = lines.get(1).map_or(0, |l| l.len() - l.trim_start().len());
        let joined = join_lines(lines.iter().map(|l| l.trim()));
        let first_indent = lines.first().map_or(0, |l| l.len() - l.trim_start().len());
        let body_width = width.saturating_sub(indent.max(first_indent)).max(10);
        for (i, line) in wrap(&joined, body_width).into_iter().enumerate() {
            let pad = if i == 0 { first_indent } else { indent };
            out.push(format!("{:pad$}{line}", ""));
        }
        out.push(String::new());
    }
    out.pop();
    out
}

/// Joins the lines of a hard-wrapped paragraph: with a space, as the line
/// break stood for one, except where either side is Chinese, which has none.
fn join_lines<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let mut joined = String::new();
    for line in lines {
        let wide_seam = joined.chars().next_back().is_some_and(is_wide) || line.chars().next().is_some_and(is_wide);
        if !joined.is_empty() && !wide_seam {
            joined.push(' ');
        }
        joined.push_str(line);
    }
    joined
}

/// A character two columns wide (Chinese, Japanese, Korean, full-width
/// punctuation).
fn is_wide(c: char) -> bool {
    unicode_width::UnicodeWidthChar::width(c) == Some(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_and_paragraphs() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("a\n\nb", 5), ["a", "", "b"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap_marked("✗ ", "one two three", 9), ["✗ one two", "  three"]);
    }

    #[test]
    fn chinese_breaks_between_characters_and_never_inside_one() {
        // 10 columns: five characters a line; the run fills the line after
        // "ab" instead of starting a new one.
        assert_eq!(wrap("ab 一二三四五六七", 10), ["ab 一二三", "四五六七"]);
        for line in wrap("密钥仅显示一次。keydesk 只保存其单向哈希值，无法再次显示。", 9) {
            assert!(line.width() <= 9, "{line:?}");
        }
        // An odd width never splits a two-column character.
        assert_eq!(wrap("一二三", 3), ["一", "二", "三"]);
    }

    #[test]
    fn chinese_after_a_full_line_starts_the_next_one() {
        assert_eq!(wrap("abc 一", 3), ["abc", "一"]);
        assert_eq!(wrap("ab 一二", 4), ["ab", "一二"]);
    }

    #[test]
    fn no_chinese_line_starts_with_closing_or_ends_with_opening_punctuation() {
        // "出，" moves down whole rather than leave "，" to start a line.
        assert_eq!(wrap("无论由谁发出，都计入", 12), ["无论由谁发", "出，都计入"]);
        assert_eq!(wrap("将于（UTC+8）失效", 10), ["将于", "（UTC+8）", "失效"]);
        for width in 4..40 {
            for line in wrap("使用该密钥发出的请求及其费用，无论由谁发出，都将计入您的账户。", width)
            {
                assert!(!line.starts_with(['，', '。']), "{width}: {line:?}");
                assert!(line.width() <= width, "{width}: {line:?}");
            }
        }
    }

    #[test]
    fn a_latin_word_inside_chinese_stays_whole() {
        assert_eq!(
            wrap("需要 `set-clipboard on`）——如果", 22),
            ["需要 `set-clipboard", "on`）——如果"]
        );
        assert_eq!(wrap("请按YYYY-MM-DD格式", 12), ["请按", "YYYY-MM-DD格", "式"]);
    }

    #[test]
    fn reflow_joins_chinese_lines_without_a_space() {
        let text = "1. 请对密钥保密。任何持有\n   该密钥的人都能调用。keydesk\n   stores hashes\n";
        assert_eq!(
            reflow(text, 80),
            ["1. 请对密钥保密。任何持有该密钥的人都能调用。keydesk stores hashes"]
        );
    }

    #[test]
    fn reflow_keeps_hanging_indents_and_paragraphs() {
        let text = "TITLE\n\n1. Keep the key\n   secret always.\n\nEnd.\n";
        assert_eq!(
            reflow(text, 14),
            ["TITLE", "", "1. Keep the", "   key secret", "   always.", "", "End."]
        );
        assert_eq!(
            reflow(text, 80),
            ["TITLE", "", "1. Keep the key secret always.", "", "End."]
        );
    }
}
