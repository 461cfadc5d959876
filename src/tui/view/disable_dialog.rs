//! The question before disabling a key used lately: which key, when it was
//! last used, what disabling does, and the keys (`n`, the default, keeps it).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

use super::{Theme, dialog, dialog_hints, hint_hits, wrap};
use crate::display::columns::span_words;
use crate::tui::app::{App, DisableDialog};
use crate::tui::keymap::{self, Action, Screen};
use crate::tui::mouse::HitMap;

pub fn render(frame: &mut Frame, area: Rect, d: &DisableDialog, app: &App, theme: &Theme, hits: &mut HitMap) {
    let width = area.width.saturating_sub(2).min(60);
    let inner_width = width.saturating_sub(4) as usize;
    let question = tr!(
        "dialog-disable-used",
        name = theme.glyphs().fit(&d.record.name, 32).into_owned(),
        ago = span_words(app.now - d.used_at),
        yes = keymap::key_name(Screen::DisableConfirm, Action::Yes),
        no = keymap::key_name(Screen::DisableConfirm, Action::No)
    );
    let mut lines: Vec<Line> = wrap(&question, inner_width)
        .into_iter()
        .map(|l| Line::styled(l, theme.warning()))
        .collect();
    lines.push(Line::raw(""));
    lines.extend(
        wrap(&tr!("dialog-disable-explain"), inner_width)
            .into_iter()
            .map(|l| Line::styled(l, theme.dim())),
    );
    lines.push(Line::raw(""));
    lines.push(dialog_hints(Screen::DisableConfirm, |_| None, theme));
    let height = lines.len() as u16 + 2;
    let inner = dialog(
        frame.buffer_mut(),
        area,
        width,
        height,
        &tr!("dialog-disable-title"),
        theme,
    );
    let last = lines.len() - 1;
    let row = Rect {
        y: inner.y + last as u16,
        height: 1,
        ..inner
    }
    .intersection(inner);
    hint_hits(row, &lines[last], Screen::DisableConfirm, hits);
    Paragraph::new(lines).render(inner, frame.buffer_mut());
}
