//! Delete confirmation: what the key is, what deleting it breaks, and Cancel
//! focused by default so Enter alone never deletes. "Disable instead" offers
//! the reversible first step.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::{Theme, buttons, detail_line, dialog, format_time, offset_label, wrap};
use crate::display::columns::NEVER_USED;
use crate::tui::app::{App, DeleteDialog, DeleteFocus};
use crate::tui::mouse::{HitMap, Target};
use crate::tui::sanitize;

const WARNING: &str = "Applications or scripts using this key will no longer be able to call \
the service. This cannot be undone.";

const INSTEAD: &str = "Not sure? Disable it instead: it stops working the same way, and can be \
enabled again.";

pub fn render(frame: &mut Frame, area: Rect, d: &DeleteDialog, app: &App, theme: &Theme, hits: &mut HitMap) {
    let width = area.width.saturating_sub(2).min(68);
    let inner_width = width.saturating_sub(4) as usize;
    let r = &d.record;
    let last_used = match r.last_used {
        Some(t) => format!("{} ({})", format_time(t, app.utc_offset), offset_label(app.utc_offset)),
        None => NEVER_USED.to_owned(),
    };
    let mut lines = vec![
        Line::from("Delete this key?"),
        Line::raw(""),
        detail_line("  Name", sanitize::fit(&r.name, inner_width.saturating_sub(11)), theme),
        detail_line("  ID", r.id.as_str(), theme),
        detail_line("  API Key", sanitize::fit(&r.masked, 32), theme),
        detail_line("  Last Used", last_used, theme),
        Line::raw(""),
    ];
    lines.extend(
        wrap(WARNING, inner_width)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.warning()))),
    );
    lines.push(Line::raw(""));
    if d.buttons().contains(&DeleteFocus::Disable) {
        lines.extend(wrap(INSTEAD, inner_width).into_iter().map(Line::raw));
        lines.push(Line::raw(""));
    }
    let height = lines.len() as u16 + 1 + 2;
    let inner = dialog(frame.buffer_mut(), area, width, height, "Delete key", theme);
    let buf = frame.buffer_mut();
    Paragraph::new(lines).render(inner, buf);
    if inner.height > 0 {
        let row = Rect::new(inner.x, inner.bottom() - 1, inner.width, 1);
        let items: Vec<_> = d
            .buttons()
            .iter()
            .map(|&button| {
                let focused = d.focus == button;
                match button {
                    DeleteFocus::Cancel => ("Cancel", focused, theme.button(focused)),
                    DeleteFocus::Disable => ("Disable instead", focused, theme.button(focused)),
                    DeleteFocus::Delete => ("Delete", focused, theme.danger_button(focused)),
                }
            })
            .collect();
        for (rect, &button) in buttons(buf, row, &items).into_iter().zip(d.buttons()) {
            hits.add(rect, Target::DeleteButton(button));
        }
    }
}
