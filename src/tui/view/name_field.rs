//! Draws the key-name field shared by the create and rename dialogs: a label,
//! the bordered input, and under it the rule, what is wrong, or that the name
//! is fine (with a warning when another key already has it).

use std::borrow::Cow;

use ratatui::layout::Position;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use super::parts::Parts;
use super::{Glyphs, Theme, wrap_marked};
use crate::tui::name_field::{Feedback, NameField};
use crate::tui::sanitize;

impl NameField {
    /// The field's rows in a dialog `width` columns wide: the label, the
    /// bordered input (with the cursor when the field has focus), and the
    /// feedback under it.
    pub fn parts<'a>(
        &'a self,
        parts: &mut Parts<'a>,
        label: String,
        focused: bool,
        feedback: &Feedback,
        width: usize,
        theme: &'a Theme,
    ) {
        parts.line(focus_label(label, focused, theme));
        parts.rows(3, move |buf, box_area, _| {
            let block = Block::bordered()
                .border_set(theme.glyphs().plain)
                .border_style(theme.border(focused));
            let field = block.inner(box_area);
            block.render(box_area, buf);
            let cursor = self.input.render_line(field, buf, theme.text());
            (focused && field.width > 0 && field.height > 0).then(|| Position::new(field.x + cursor, field.y))
        });
        let (marker, text) = feedback_text(feedback, theme.glyphs());
        let style = feedback_style(feedback, theme);
        for line in wrap_marked(marker, &text, width) {
            parts.line(Line::styled(line, style));
        }
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
pub fn focus_label<'a>(label: impl Into<Cow<'a, str>>, focused: bool, theme: &Theme) -> Line<'a> {
    let style = if focused { theme.title() } else { theme.text() };
    Line::from(vec![
        Span::raw(if focused { "> " } else { "  " }),
        Span::styled(label, style),
    ])
}
