//! The actions menu for one key (Enter or `.` on the list).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::{Theme, dialog, pad};
use crate::tui::app::{ActionsMenu, App};
use crate::tui::keymap::{self, Screen};
use crate::tui::mouse::{HitMap, Target};

pub fn render(frame: &mut Frame, area: Rect, menu: &ActionsMenu, _app: &App, theme: &Theme, hits: &mut HitMap) {
    let width = area.width.saturating_sub(2).min(40);
    let inner_width = width.saturating_sub(4) as usize;
    let mut lines = vec![
        Line::styled(
            theme.glyphs().fit(&menu.record.name, inner_width).into_owned(),
            theme.title(),
        ),
        Line::styled(menu.record.id.to_string(), theme.dim()),
        Line::raw(""),
    ];
    for (i, item) in menu.items.iter().enumerate() {
        let selected = i == menu.selected;
        // Padded to the whole row, so the selection's colour spans it.
        let text = format!(
            "{} {}  {}",
            if selected { ">" } else { " " },
            keymap::key_name(Screen::Actions, item.action()),
            pad(&item.label(&menu.record), inner_width.saturating_sub(5))
        );
        let style = if selected { theme.selected() } else { theme.text() };
        lines.push(Line::from(Span::styled(text, style)));
    }
    let height = lines.len() as u16 + 2;
    let inner = dialog(
        frame.buffer_mut(),
        area,
        width,
        height,
        &tr!("dialog-actions-title"),
        theme,
    );
    Paragraph::new(lines).render(inner, frame.buffer_mut());
    for i in 0..menu.items.len() {
        // Below the name, the ID and a blank line.
        let row = Rect {
            y: inner.y + 3 + i as u16,
            height: 1,
            ..inner
        };
        hits.add(row.intersection(inner), Target::MenuItem(i));
    }
}
