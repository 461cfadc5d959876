//! Edit a key's name: the shared name field, prefilled, with the same
//! validation as creating.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthStr;

use super::{Rows, Theme, dialog, dialog_hints, hint_hits, pad, wrap};
use crate::domain::KeyRecord;
use crate::tui::app::RenameDialog;
use crate::tui::keymap::Screen;
use crate::tui::mouse::HitMap;
use crate::tui::name_field::NameField;
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
    let name_height = NameField::height(&feedback, inner_width, theme);
    let error = d
        .error
        .as_deref()
        .map(|e| wrap(&sanitize::sanitize(e), inner_width))
        .unwrap_or_default();
    // Key, current name, the field, error, blank, hints.
    let height = 2 + name_height as usize + error.len() + 1 + 1;
    let inner = dialog(
        frame.buffer_mut(),
        area,
        width,
        height as u16 + 2,
        &tr!("dialog-rename-title"),
        theme,
    );
    let buf = frame.buffer_mut();
    let mut rows = Rows::new(inner);
    let (key, current) = (tr!("dialog-rename-key"), tr!("dialog-rename-current"));
    // The values line up after the wider label, and two spaces.
    let label_width = (key.width().max(current.width()) + 2).max(9);
    let detail = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(pad(label, label_width), theme.dim()),
            Span::raw(value),
        ])
    };
    rows.line(buf, detail(&key, d.record.id.to_string()));
    let name = theme
        .glyphs()
        .fit(&d.record.name, inner_width.saturating_sub(label_width));
    rows.line(buf, detail(&current, name.into_owned()));
    let new_name = tr!("dialog-rename-new-name");
    let cursor = d
        .name
        .render(buf, rows.take(name_height), &new_name, true, &feedback, theme);
    for text in error {
        rows.line(buf, Line::styled(text, theme.error()));
    }
    rows.skip(1);
    let hints = dialog_hints(Screen::Rename, |_| None, theme);
    let row = rows.take(1);
    hint_hits(row, &hints, Screen::Rename, hits);
    hints.render(row, buf);
    if let Some(cursor) = cursor {
        frame.set_cursor_position(cursor);
    }
}
