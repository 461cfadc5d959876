//! The symbols the views draw with, as one table per character set: Unicode
//! (rounded borders, `…`, `·`, `‹ ›`, arrows, block sparklines) and ASCII for
//! a terminal whose locale is not UTF-8. A terminal multiplexer such as GNU
//! screen decodes what it is sent by the locale, so in the POSIX locale every
//! byte above 127 turns into garbage; there only [`Glyphs::ASCII`] draws
//! intact. Chosen once at start and handed to the views with the
//! [`Theme`](super::Theme), so no view asks which set is in use.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::symbols::{bar, border};

use crate::i18n::to_ascii;
use crate::tui::sanitize;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, PartialEq, Eq)]
pub struct Glyphs {
    /// Dialogs and overlays.
    pub rounded: border::Set<'static>,
    /// Input boxes.
    pub plain: border::Set<'static>,
    /// Ends text cut short to fit its column.
    pub ellipsis: &'static str,
    /// A row's actions button, one column.
    pub more: &'static str,
    /// Between the parts of a line (`keydesk · 3 keys`).
    pub separator: &'static str,
    /// Around a choice changed with the left and right keys.
    pub choice: (&'static str, &'static str),
    /// The sort order: ascending, descending.
    pub ascending: &'static str,
    pub descending: &'static str,
    /// From one value to another (`old → new`).
    pub to: &'static str,
    /// Width by height (`80×24`).
    pub times: &'static str,
    /// Before a name that is, or is not, allowed.
    pub valid: &'static str,
    pub invalid: &'static str,
    /// After the name of a key that has policy rules.
    pub rules: &'static str,
    /// The usage sparkline's levels, lowest first.
    pub bars: bar::Set<'static>,
    /// A budget gauge's used and unused parts.
    pub gauge: (&'static str, &'static str),
    /// Whether text from outside (names, typed text) must be made ASCII.
    ascii_only: bool,
}

impl Glyphs {
    pub const UNICODE: Glyphs = Glyphs {
        rounded: border::ROUNDED,
        plain: border::PLAIN,
        ellipsis: "…",
        more: "⋯",
        separator: "·",
        choice: ("‹", "›"),
        ascending: "▲",
        descending: "▼",
        to: "→",
        times: "×",
        valid: "✓ ",
        invalid: "✗ ",
        rules: "≡",
        bars: bar::NINE_LEVELS,
        gauge: ("━", "─"),
        ascii_only: false,
    };

    pub const ASCII: Glyphs = Glyphs {
        rounded: ASCII_BORDER,
        plain: ASCII_BORDER,
        ellipsis: "..",
        more: "=",
        separator: "|",
        choice: ("<", ">"),
        ascending: "^",
        descending: "v",
        to: "->",
        times: "x",
        valid: "+ ",
        invalid: "x ",
        rules: "#",
        bars: ASCII_BARS,
        gauge: ("#", "-"),
        ascii_only: true,
    };

    /// Whether this set draws ASCII only.
    pub fn is_ascii(&self) -> bool {
        self.ascii_only
    }

    /// Text from outside keydesk (a name, a filter) as this set can show it:
    /// sanitised, and in ASCII every other character a `?`.
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let clean = sanitize::sanitize(text);
        if !self.ascii_only {
            return clean;
        }
        match clean {
            Cow::Borrowed(text) => to_ascii(text),
            Cow::Owned(text) => Cow::Owned(to_ascii(&text).into_owned()),
        }
    }

    /// [`Glyphs::text`] cut to at most `width` columns, ending in the
    /// ellipsis when something was cut.
    pub fn fit<'a>(&self, text: &'a str, width: usize) -> Cow<'a, str> {
        match self.text(text) {
            Cow::Borrowed(text) => sanitize::fit(text, width, self.ellipsis),
            Cow::Owned(text) => Cow::Owned(sanitize::fit(&text, width, self.ellipsis).into_owned()),
        }
    }
}

impl Glyphs {
    /// [`Glyphs::text`] cut to at most `width` columns between words (or
    /// between Chinese characters), never inside one, ending in the ellipsis
    /// when something was cut: for sentences, where half a word misleads.
    pub fn fit_words(&self, text: &str, width: usize) -> String {
        let text = self.text(text);
        if text.width() <= width {
            return text.into_owned();
        }
        let room = width.saturating_sub(self.ellipsis.width());
        let lines = crate::tui::text::wrap(&text, room.max(1));
        let first = lines.first().map_or("", |l| l.trim_end());
        if first.width() > room {
            // One word wider than the room: nothing sensible to keep.
            return sanitize::fit(&text, width, self.ellipsis).into_owned();
        }
        format!("{first}{}", self.ellipsis)
    }
}

/// In ASCII, turns every cell still holding anything else into `?`: text
/// typed or pasted into a field is drawn as it is, and one byte above 127
/// would garble the rest of a line on such a terminal. A wide character's
/// second column is blank already, so the layout stays as drawn.
pub fn keep_ascii_only(buf: &mut Buffer) {
    for cell in &mut buf.content {
        if !cell.symbol().is_ascii() {
            cell.set_symbol("?");
        }
    }
}

const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

/// A ramp from empty to full: ` .:-=+*#@`.
const ASCII_BARS: bar::Set<'static> = bar::Set {
    empty: " ",
    one_eighth: ".",
    one_quarter: ":",
    three_eighths: "-",
    half: "=",
    five_eighths: "+",
    three_quarters: "*",
    seven_eighths: "#",
    full: "@",
};

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(g: &Glyphs) -> Vec<&'static str> {
        let b = |s: &border::Set<'static>| {
            [s.top_left, s.top_right, s.bottom_left, s.bottom_right]
                .into_iter()
                .chain([s.vertical_left, s.vertical_right, s.horizontal_top, s.horizontal_bottom])
                .collect::<Vec<_>>()
        };
        let bars = &g.bars;
        let mut all = b(&g.rounded);
        all.extend(b(&g.plain));
        all.extend([
            g.ellipsis,
            g.more,
            g.separator,
            g.choice.0,
            g.choice.1,
            g.ascending,
            g.descending,
        ]);
        all.extend([g.to, g.times, g.valid, g.invalid]);
        all.extend([
            bars.empty,
            bars.one_eighth,
            bars.one_quarter,
            bars.three_eighths,
            bars.half,
        ]);
        all.extend([bars.five_eighths, bars.three_quarters, bars.seven_eighths, bars.full]);
        all
    }

    #[test]
    fn the_ascii_set_is_ascii_and_as_wide_as_the_unicode_one_where_a_column_is_fixed() {
        use unicode_width::UnicodeWidthStr;
        let (ascii, unicode) = (strings(&Glyphs::ASCII), strings(&Glyphs::UNICODE));
        assert!(ascii.iter().all(|s| s.is_ascii() && !s.is_empty()), "{ascii:?}");
        assert!(!unicode.iter().all(|s| s.is_ascii()));
        // Borders, the actions button and the bars have the columns they are
        // drawn in: one each.
        for (a, u) in ascii.iter().zip(&unicode).filter(|(_, u)| u.width() == 1) {
            if ![Glyphs::UNICODE.to, Glyphs::UNICODE.ellipsis].contains(u) {
                assert_eq!(a.width(), 1, "{a:?} for {u:?}");
            }
        }
    }

    #[test]
    fn a_cell_left_outside_ascii_becomes_a_question_mark_keeping_its_columns() {
        use ratatui::layout::Rect;
        let mut buf = Buffer::empty(Rect::new(0, 0, 8, 1));
        buf.set_string(0, 0, "a生b…", ratatui::style::Style::new());
        keep_ascii_only(&mut buf);
        let row: String = buf.content.iter().map(|cell| cell.symbol()).collect();
        assert_eq!(row, "a? b?   ");
    }

    #[test]
    fn names_show_in_ascii_with_a_question_mark_per_other_character() {
        assert_eq!(Glyphs::ASCII.fit("生产-gateway_01", 40), "??-gateway_01");
        assert_eq!(Glyphs::ASCII.fit("生产-gateway_01", 6), "??-g..");
        assert_eq!(Glyphs::ASCII.fit("a\u{1b}b", 6), "a?b");
        assert_eq!(Glyphs::UNICODE.fit("生产-gateway_01", 6), "生产-…");
        assert!(matches!(Glyphs::ASCII.fit("gateway", 7), Cow::Borrowed("gateway")));
    }
}
