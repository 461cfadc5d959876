//! Edit a key's name: the shared name field, prefilled, with the same
//! validation as creating.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthStr;

use super::parts::Parts;
use super::{Theme, dialog, dialog_hints, hint_hits, pad, wrap};
use crate::domain::KeyRecord;
use crate::tui::app::RenameDialog;
use crate::tui::keymap::Screen;
use crate::tui::mouse::HitMap;
use crate::tui::name_field::Feedback;
use crate::tui::sanitize;

pub fn render(
    frame: &mut Frame,
    area: Rect,
    d: &RenameDialog,
    records: &[KeyRecord],
    theme: &Theme,
    hits: &mut HitMap,
) {
    let width = area.width.saturating_sub(2).min(72);
    let inner_width = width.saturating_sub(4) as usize;
    // Only other keys clash: this one is still under its old name.
    let feedback = d.name.feedback(records.iter().filter(|r| r.id != d.record.id));
    let parts = parts(d, &feedback, inner_width, theme);
    let inner = dialog(
        frame.buffer_mut(),
        area,
        width,
        parts.height() + 2,
        &tr!("dialog-rename-title"),
        theme,
    );
    if let Some(cursor) = parts.draw(frame.buffer_mut(), inner, hits) {
        frame.set_cursor_position(cursor);
    }
}

/// Key, current name, the field, error, blank, hints.
fn parts<'a>(d: &'a RenameDialog, feedback: &Feedback, width: usize, theme: &'a Theme) -> Parts<'a> {
    let mut parts = Parts::new();
    let (key, current) = (tr!("dialog-rename-key"), tr!("dialog-rename-current"));
    // The values line up after the wider label, and two spaces.
    let label_width = (key.width().max(current.width()) + 2).max(9);
    let detail = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(pad(label, label_width), theme.dim()),
            Span::raw(value),
        ])
    };
    parts.line(detail(&key, d.record.id.to_string()));
    let name = theme.glyphs().fit(&d.record.name, width.saturating_sub(label_width));
    parts.line(detail(&current, name.into_owned()));
    d.name
        .parts(&mut parts, tr!("dialog-rename-new-name"), true, feedback, width, theme);
    let error = (d.error.as_deref())
        .map(|e| wrap(&sanitize::sanitize(e), width))
        .unwrap_or_default();
    for text in error {
        parts.line(Line::styled(text, theme.error()));
    }
    parts.blank();
    let hints = dialog_hints(Screen::Rename, |_| None, theme);
    parts.rows(1, move |buf, row, hits| {
        hint_hits(row, &hints, Screen::Rename, hits);
        hints.render(row, buf);
        None
    });
    parts
}
