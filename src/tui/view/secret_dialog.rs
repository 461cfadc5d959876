//! Shown once, right after creation: the full key, and nothing else ever.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::{Theme, dialog, wrap};
use crate::tui::app::SecretDialog;
use crate::tui::sanitize;

const WARNING: &str = "Copy it now and keep it somewhere safe: it will not be shown again. \
keydesk stores only a hash of it; if you lose it, delete it and create a new one.";

pub fn render(frame: &mut Frame, area: Rect, d: &SecretDialog, theme: &Theme) {
    let width = area.width.saturating_sub(2).min(72);
    let inner_width = width.saturating_sub(4) as usize;
    let warning = wrap(WARNING, inner_width);
    let mut lines: Vec<Line> = vec![
        Line::from(vec![
            Span::raw("Key "),
            Span::styled(sanitize::fit(&d.record.name, 32).into_owned(), theme.title()),
            Span::raw(format!(" ({}) was created:", d.record.id)),
        ]),
        Line::raw(""),
        // The secret is alone on its line, with nothing glued to either side,
        // so it can be selected by hand if copying is not possible.
        Line::styled(d.secret.expose(), theme.secret()).centered(),
        Line::raw(""),
    ];
    lines.extend(warning.into_iter().map(|l| Line::styled(l, theme.warning())));
    lines.push(Line::raw(""));
    if d.confirm_close {
        lines.push(Line::from(vec![Span::styled(
            "Close without copying? (y/n)",
            theme.error(),
        )]));
    } else if d.copied {
        lines.push(Line::from(vec![
            Span::styled("✓ copied", theme.success()),
            Span::raw("  —  "),
            Span::styled("Enter", theme.hint_key()),
            Span::raw(" close"),
        ]));
    } else {
        lines.push(Line::from(vec![
            Span::styled("c", theme.hint_key()),
            Span::raw(" copy    "),
            Span::styled("Enter", theme.hint_key()),
            Span::raw("/"),
            Span::styled("Esc", theme.hint_key()),
            Span::raw(" close"),
        ]));
    }
    let height = lines.len() as u16 + 2;
    let inner = dialog(frame.buffer_mut(), area, width, height, "Your new API key", theme);
    Paragraph::new(lines).render(inner, frame.buffer_mut());
}
