//! Setting a key's expiry: the key, its expiry now, and the shared expiry
//! choice (Never / 7 / 30 / 90 days / 1 year / a date).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::expiry_field::{self, Drawn, Focus};
use super::parts::Parts;
use super::{Theme, detail_line, dialog, dialog_hints, format_time, hint_hits, offset_label, wrap};
use crate::tui::app::{App, ExpiryDialog, ExpiryFocus};
use crate::tui::keymap::Screen;
use crate::tui::mouse::HitMap;
use crate::tui::sanitize;

pub fn render(frame: &mut Frame, area: Rect, d: &ExpiryDialog, app: &App, theme: &Theme, hits: &mut HitMap) {
    let width = area.width.saturating_sub(2).min(72);
    let inner_width = width.saturating_sub(4) as usize;
    let parts = parts(d, app, inner_width, theme);
    let inner = dialog(
        frame.buffer_mut(),
        area,
        width,
        parts.height() + 2,
        &tr!("dialog-set-expiry-title"),
        theme,
    );
    if let Some(cursor) = parts.draw(frame.buffer_mut(), inner, hits) {
        frame.set_cursor_position(cursor);
    }
}

/// Key, ID, expires now, blank, the field, blank, error, hints.
fn parts<'a>(d: &'a ExpiryDialog, app: &App, width: usize, theme: &'a Theme) -> Parts<'a> {
    let mut parts = Parts::new();
    let r = &d.record;
    let now = match r.expires_at {
        Some(at) => format!("{} ({})", format_time(at, app.utc_offset), offset_label(app.utc_offset)),
        None => tr!("dialog-set-expiry-never"),
    };
    let name = theme.glyphs().fit(&r.name, width.saturating_sub(13));
    parts.line(detail_line(&tr!("dialog-set-expiry-key"), name, theme));
    parts.line(detail_line(&tr!("dialog-set-expiry-id"), r.id.as_str(), theme));
    parts.line(detail_line(&tr!("dialog-set-expiry-now"), now, theme));
    parts.blank();
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
    expiry_field::parts(&mut parts, &d.field, how, theme);
    parts.blank();
    let error = (d.error.as_deref())
        .map(|e| wrap(&sanitize::sanitize(e), width))
        .unwrap_or_default();
    for text in error {
        parts.line(Line::styled(text, theme.error()));
    }
    let hints = dialog_hints(Screen::Expiry, |_| None, theme);
    parts.rows(1, move |buf, row, hits| {
        hint_hits(row, &hints, Screen::Expiry, hits);
        hints.render(row, buf);
        None
    });
    parts
}
