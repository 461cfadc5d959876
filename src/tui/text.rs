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
            if line_width > 0 && line_width + 1 + word_width > width {
                lines.push(std::mem::take(&mut line));
                line_width = 0;
            }
            if line_width > 0 {
                line.push(' ');
                line_width += 1;
            }
            if word_width > width - line_width {
                // A single overlong word: hard-cut it.
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
        let joined = lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
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
