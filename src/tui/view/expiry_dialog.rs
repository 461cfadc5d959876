//! Setting a key's expiry: the key, its expiry now, and the shared expiry
//! choice (Never / 7 / 30 / 90 days / 1 year / a date).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::expiry_field::{self, Drawn, Focus};
use super::{Rows, Theme, detail_line, dialog, dialog_hints, format_time, hint_hits, offset_label, wrap};
use crate::tui::app::{App, ExpiryDialog, ExpiryFocus};
use crate::tui::keymap::Screen;
use crate::tui::mouse::HitMap;
use crate::tui::sanitize;

pub fn render(frame: &mut Frame, area: Rect, d: &ExpiryDialog, app: &App, theme: &Theme, hits: &mut HitMap) {
    let width = area.width.saturating_sub(2).min(72);
    let inner_width = width.saturating_sub(4) as usize;
    let r = &d.record;
    let now = match r.expires_at {
        Some(at) => format!("{} ({})", format_time(at, app.utc_offset), offset_label(app.utc_offset)),
        None => tr!("dialog-set-expiry-never"),
    };
    let error = d
        .error
        .as_deref()
        .map(|e| wrap(&sanitize::sanitize(e), inner_width))
        .unwrap_or_default();
    // Key, ID, expires now, blank, the field, blank, error, hints.
    let height = 4 + expiry_field::height(&d.field, true) as usize + 1 + error.len() + 1;
    let inner = dialog(
        frame.buffer_mut(),
        area,
        width,
        height as u16 + 2,
        &tr!("dialog-set-expiry-title"),
        theme,
    );
    let buf = frame.buffer_mut();
    let mut rows = Rows::new(inner);
    let name = theme.glyphs().fit(&r.name, inner_width.saturating_sub(13));
    rows.line(buf, detail_line(&tr!("dialog-set-expiry-key"), name, theme));
    rows.line(buf, detail_line(&tr!("dialog-set-expiry-id"), r.id.as_str(), theme));
    rows.line(buf, detail_line(&tr!("dialog-set-expiry-now"), now, theme));
    rows.skip(1);
    let focus = match d.focus {
        ExpiryFocus::Choice => Focus::Choice,
        ExpiryFocus::Date => Focus::Date,
    };
    let how = Drawn {
        focus,
        screen: Screen::Expiry,
        now: app.now,
        offset: app.utc_offset,
        outcome: true,
    };
    let cursor = expiry_field::render(buf, &mut rows, &d.field, how, theme, hits);
    rows.skip(1);
    for text in error {
        rows.line(buf, Line::styled(text, theme.error()));
    }
    let hints = dialog_hints(Screen::Expiry, |_| None, theme);
    let row = rows.take(1);
    hint_hits(row, &hints, Screen::Expiry, hits);
    hints.render(row, buf);
    if let Some(cursor) = cursor {
        frame.set_cursor_position(cursor);
    }
}
