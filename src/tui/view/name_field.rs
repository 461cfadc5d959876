//! Draws the key-name field shared by the create and rename dialogs: a label,
//! the bordered input, and under it the rule, what is wrong, or that the name
//! is fine (with a warning when another key already has it).

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use super::{Glyphs, Rows, Theme, wrap_marked};
use crate::tui::name_field::{Feedback, NameField};
use crate::tui::sanitize;

impl NameField {
    /// Rows the field takes in a dialog `width` columns wide: label, input
    /// box, feedback.
    pub fn height(feedback: &Feedback, width: usize, theme: &Theme) -> u16 {
        let (marker, text) = feedback_text(feedback, theme.glyphs());
        4 + wrap_marked(marker, &text, width).len() as u16
    }

    /// Draws the field at the top of `area`; returns where the cursor goes
    /// when the field has focus.
    pub fn render(
        &self,
        buf: &mut Buffer,
        area: Rect,
        label: &str,
        focused: bool,
        feedback: &Feedback,
        theme: &Theme,
    ) -> Option<Position> {
        let mut rows = Rows::new(area);
        rows.line(buf, focus_label(label, focused, theme));
        let box_area = rows.take(3);
        let block = Block::bordered()
            .border_set(theme.glyphs().plain)
            .border_style(theme.border(focused));
        let field = block.inner(box_area);
        block.render(box_area, buf);
        let cursor = self.input.render_line(field, buf, theme.text());
        let (marker, text) = feedback_text(feedback, theme.glyphs());
        let style = feedback_style(feedback, theme);
        for line in wrap_marked(marker, &text, area.width as usize) {
            rows.line(buf, Line::styled(line, style));
        }
        (focused && field.width > 0 && field.height > 0).then(|| Position::new(field.x + cursor, field.y))
    }
}

fn feedback_text(feedback: &Feedback, glyphs: &Glyphs) -> (&'static str, String) {
    match feedback {
        // The rule as the name's own errors state it, in the screen's language.
        Feedback::Rule => ("", crate::i18n::words::name_rule()),
        Feedback::Invalid(error) => (glyphs.invalid, crate::i18n::words::Worded::worded(error)),
        Feedback::Unchanged => ("", tr!("dialog-name-unchanged")),
        Feedback::Valid => (glyphs.valid, tr!("dialog-name-valid")),
        Feedback::Duplicate(name) => ("! ", tr!("dialog-name-duplicate", name = sanitize::sanitize(name))),
    }
}

fn feedback_style(feedback: &Feedback, theme: &Theme) -> Style {
    match feedback {
        Feedback::Rule | Feedback::Unchanged => theme.dim(),
        Feedback::Invalid(_) => theme.error(),
        Feedback::Valid => theme.success(),
        Feedback::Duplicate(_) => theme.warning(),
    }
}

/// A field's label, marked `> ` and emphasised when the field has focus.
pub fn focus_label<'a>(label: &'a str, focused: bool, theme: &Theme) -> Line<'a> {
    let style = if focused { theme.title() } else { theme.text() };
    Line::from(vec![
        Span::raw(if focused { "> " } else { "  " }),
        Span::styled(label, style),
    ])
}
