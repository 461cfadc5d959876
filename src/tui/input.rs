//! A single-line text input. The cursor is a byte offset that always sits on a
//! grapheme boundary, so `生`, `é` (e + combining accent) or a flag move and
//! delete as one unit; positions on screen are measured in terminal columns.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::sanitize;
use crate::i18n::Msg;

/// How many characters an input takes. A name is at most 64 characters
/// ([`crate::domain::name::MAX_CHARS`]), and the filter matches inside names
/// and IDs, so longer text is of no use in either; the small margin lets a
/// name pasted a little too long be seen and trimmed rather than silently
/// cut. The cap also bounds the work per key: a flood of key presses (a
/// paste in a terminal without bracketed paste) costs constant time per
/// key once the input is full, instead of growing with the text.
pub const MAX_CHARS: usize = 80;

/// What to tell the user when the input is full.
pub const FULL: Msg = Msg("dialog-input-full");

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    /// Byte offset into `text`, on a grapheme boundary.
    cursor: usize,
    /// `text.chars().count()`, kept so the cap costs nothing to check.
    chars: usize,
}

impl TextInput {
    /// An input holding `text` (sanitised) with the cursor at the end.
    pub fn with_text(text: &str) -> Self {
        let text = sanitize::for_input(text);
        let cursor = text.len();
        let chars = text.chars().count();
        TextInput { text, cursor, chars }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Typed character. Control and invisible characters are ignored.
    /// Returns false, changing nothing, when the input is full
    /// ([`MAX_CHARS`]).
    #[must_use = "a full input should be reported"]
    pub fn insert_char(&mut self, c: char) -> bool {
        if self.chars >= MAX_CHARS {
            return false;
        }
        if sanitize::is_unsafe(c) {
            return true;
        }
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
        self.chars += 1;
        self.snap_to_boundary();
        true
    }

    /// Pasted text, with newlines and control characters removed, as much
    /// as fits; returns false if some of it did not fit.
    #[must_use = "a full input should be reported"]
    pub fn insert_str(&mut self, pasted: &str) -> bool {
        let clean = sanitize::for_input(pasted);
        let room = MAX_CHARS.saturating_sub(self.chars);
        let (fits, end) = match clean.char_indices().nth(room) {
            Some((end, _)) => (false, end),
            None => (true, clean.len()),
        };
        self.text.insert_str(self.cursor, &clean[..end]);
        self.cursor += end;
        self.chars += clean[..end].chars().count();
        self.snap_to_boundary();
        fits
    }

    pub fn move_left(&mut self) {
        if let Some((start, _)) = self.text[..self.cursor].grapheme_indices(true).next_back() {
            self.cursor = start;
        }
    }

    pub fn move_right(&mut self) {
        if let Some(g) = self.text[self.cursor..].graphemes(true).next() {
            self.cursor += g.len();
        }
    }

    pub fn move_home(&mut self) {
        self.cursor = 0;
    }

    pub fn move_end(&mut self) {
        self.cursor = self.text.len();
    }

    /// Backspace: removes the grapheme before the cursor.
    pub fn delete_back(&mut self) {
        let end = self.cursor;
        self.move_left();
        self.remove(self.cursor..end);
    }

    /// Delete: removes the grapheme under the cursor.
    pub fn delete_forward(&mut self) {
        if let Some(g) = self.text[self.cursor..].graphemes(true).next() {
            let len = g.len();
            self.remove(self.cursor..self.cursor + len);
        }
    }

    /// Ctrl-U: removes everything before the cursor.
    pub fn clear_to_start(&mut self) {
        self.remove(0..self.cursor);
        self.cursor = 0;
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
        self.chars = 0;
    }

    fn remove(&mut self, range: std::ops::Range<usize>) {
        self.chars -= self.text[range.clone()].chars().count();
        self.text.replace_range(range, "");
    }

    /// Columns between the start of the text and the cursor.
    pub fn cursor_column(&self) -> usize {
        self.text[..self.cursor].width()
    }

    /// After an insertion the new character may have joined the grapheme before
    /// it (a combining accent); keep the cursor after the whole grapheme.
    fn snap_to_boundary(&mut self) {
        let mut boundary = 0;
        for (start, g) in self.text.grapheme_indices(true) {
            let end = start + g.len();
            if start < self.cursor && self.cursor < end {
                boundary = end;
                break;
            }
            if end >= self.cursor {
                return;
            }
        }
        if boundary != 0 {
            self.cursor = boundary;
        }
    }

    /// Draws the text into one row of `area`, scrolled horizontally so the
    /// cursor stays visible, and returns the cursor's column offset from
    /// `area.x`. Wide characters are never cut in half: one that would straddle
    /// the left edge is replaced by a space.
    pub fn render_line(&self, area: Rect, buf: &mut Buffer, style: Style) -> u16 {
        let width = area.width as usize;
        if width == 0 || area.height == 0 {
            return 0;
        }
        // Keep one column free for the cursor after the last character.
        let cursor_col = self.cursor_column();
        let scroll = (cursor_col + 1).saturating_sub(width);
        let mut x = 0usize; // column in the unscrolled text
        let mut line = String::with_capacity(self.text.len() + 2);
        for g in self.text.graphemes(true) {
            let w = g.width();
            if x + w <= scroll {
                x += w;
                continue;
            }
            if x < scroll {
                // Straddles the left edge.
                line.extend(std::iter::repeat_n(' ', x + w - scroll));
            } else if x + w - scroll > width {
                break;
            } else {
                line.push_str(g);
            }
            x += w;
        }
        buf.set_style(area.rows().next().unwrap_or(area), style);
        buf.set_stringn(area.x, area.y, &line, width, style);
        (cursor_col - scroll) as u16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(s: &str) -> TextInput {
        let mut input = TextInput::default();
        for c in s.chars() {
            assert!(input.insert_char(c));
        }
        input
    }

    #[test]
    fn a_full_input_takes_no_more_characters_typed_or_pasted() {
        let mut input = TextInput::default();
        let taken = (0..10_000).filter(|_| input.insert_char('生')).count();
        assert_eq!(taken, MAX_CHARS);
        assert_eq!(input.text().chars().count(), MAX_CHARS);
        input.delete_back();
        input.move_home();
        assert!(!input.insert_str("abc"), "one fits, the rest is cut");
        assert!(input.text().starts_with("a生"));
        assert_eq!(input.text().chars().count(), MAX_CHARS);
        input.clear_to_start();
        input.move_end();
        input.delete_back();
        assert!(input.insert_str("xy"));
        assert_eq!(input.text().chars().count(), MAX_CHARS);
        input.clear();
        assert!(!input.insert_str(&"k".repeat(100_000)));
        assert_eq!(input.text(), "k".repeat(MAX_CHARS));
    }

    #[test]
    fn wide_characters_move_the_cursor_two_columns() {
        let mut input = typed("生产-gateway_01");
        assert_eq!(input.text(), "生产-gateway_01");
        assert_eq!(input.cursor_column(), 15);
        input.move_home();
        input.move_right();
        assert_eq!(input.cursor_column(), 2);
        input.move_right();
        assert_eq!(input.cursor_column(), 4);
        assert!(input.insert_char('x'));
        assert_eq!(input.text(), "生产x-gateway_01");
        assert_eq!(input.cursor_column(), 5);
        input.move_left();
        input.delete_back();
        assert_eq!(input.text(), "生x-gateway_01");
        assert_eq!(input.cursor_column(), 2);
        input.delete_forward();
        assert_eq!(input.text(), "生-gateway_01");
    }

    #[test]
    fn combining_marks_are_one_unit() {
        let mut input = typed("cafe\u{301}");
        assert_eq!(input.cursor_column(), 4);
        input.move_left();
        assert_eq!(input.cursor_column(), 3);
        input.move_end();
        input.delete_back();
        assert_eq!(input.text(), "caf");
    }

    #[test]
    fn paste_strips_newlines_and_control_characters() {
        let mut input = typed("ab");
        input.move_home();
        assert!(input.insert_str("x\r\ny\u{1b}[2J\tz"));
        assert_eq!(input.text(), "xy[2Jzab");
        assert_eq!(input.cursor_column(), 6);
    }

    #[test]
    fn typed_control_characters_are_ignored() {
        let input = typed("a\u{7}\u{1b}b\u{202E}");
        assert_eq!(input.text(), "ab");
    }

    #[test]
    fn boundaries_are_safe() {
        let mut input = TextInput::default();
        input.move_left();
        input.delete_back();
        input.delete_forward();
        input.move_right();
        assert_eq!(input.text(), "");
        let mut input = TextInput::with_text("abc");
        input.move_left();
        input.clear_to_start();
        assert_eq!(input.text(), "c");
        assert_eq!(input.cursor_column(), 0);
    }

    #[test]
    fn rendering_scrolls_to_keep_the_cursor_visible() {
        let input = typed("生产-gateway_01");
        let area = Rect::new(0, 0, 8, 1);
        let mut buf = Buffer::empty(area);
        let x = input.render_line(area, &mut buf, Style::default());
        assert_eq!(x, 7);
        let shown: String = buf.content.iter().map(|c| c.symbol()).collect();
        assert_eq!(shown, "eway_01 ");

        let mut input = input;
        input.move_home();
        input.move_right();
        let mut buf = Buffer::empty(area);
        let x = input.render_line(area, &mut buf, Style::default());
        assert_eq!(x, 2);
        let shown: String = buf.content.iter().map(|c| c.symbol()).collect();
        // 生 takes two cells; the second one is a placeholder with an empty symbol.
        assert!(shown.starts_with("生"), "{shown:?}");
    }

    #[test]
    fn a_wide_char_straddling_the_left_edge_becomes_a_space() {
        // "生生a": the cursor at the end is column 5; a width of 3 scrolls by 3
        // columns, which cuts the second 生 (columns 2-3) in half.
        let input = typed("生生a");
        let area = Rect::new(0, 0, 3, 1);
        let mut buf = Buffer::empty(area);
        let x = input.render_line(area, &mut buf, Style::default());
        assert_eq!(x, 2);
        assert_eq!(buf.content[0].symbol(), " ");
        assert_eq!(buf.content[1].symbol(), "a");
    }
}
