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
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut line_width = 0;
        for word in paragraph.split(' ') {
            let word_width = word.width();
            // Chinese has no spaces: a line may break between any two of its
            // characters, so a run of it fills the line instead of moving
            // down whole.
            let fills = word_width > width || word.chars().any(is_wide);
            if line_width > 0 && line_width + 1 + word_width > width && !fills {
                lines.push(std::mem::take(&mut line));
                line_width = 0;
            }
            if line_width > 0 {
                line.push(' ');
                line_width += 1;
            }
            if word_width > width - line_width {
                // An overlong word, or Chinese: cut between characters.
                for c in word.chars() {
                    let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                    if line_width + w > width {
                        lines.push(std::mem::take(&mut line));
                        line_width = 0;
                    }
                    line.push(c);
                    line_width += w;
                }
            } else {
                line.push_str(word);
                line_width += word_width;
            }
        }
        lines.push(line);
    }
    lines
}

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
    fn reflow_joins_chinese_lines_without_a_space() {
        let text = "1. 请对密钥保密。任何持有\n   该密钥的人都能调用。keydesk\n   stores hashes\n";
        assert_eq!(reflow(text, 80), ["1. 请对密钥保密。任何持有该密钥的人都能调用。keydesk stores hashes"]);
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
