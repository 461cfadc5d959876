//! Delete confirmation: what the key is, what deleting it breaks, and Cancel
//! focused by default so Enter alone never deletes. "Disable instead" offers
//! the reversible first step.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::{Theme, buttons, detail_line, dialog, offset_label, wrap};
use crate::display::columns::{Clock, Column, NEVER_USED};
use crate::tui::app::{App, DeleteDialog, DeleteFocus};
use crate::tui::mouse::{HitMap, Target};

pub fn render(frame: &mut Frame, area: Rect, d: &DeleteDialog, app: &App, theme: &Theme, hits: &mut HitMap) {
    let width = area.width.saturating_sub(2).min(68);
    let inner_width = width.saturating_sub(4) as usize;
    let r = &d.record;
    // Either secret's: deleting a key whose old secret is busy breaks it too.
    let last_used = match r.last_used_any() {
        Some(_) => format!(
            "{} ({})",
            Column::LastUsed.cell(
                r,
                Clock {
                    now: app.now,
                    offset: app.utc_offset
                }
            ),
            offset_label(app.utc_offset)
        ),
        None => NEVER_USED.to_owned(),
    };
    // Indented under the question.
    let label = |text: String| format!("  {text}");
    let mut lines = vec![
        Line::from(tr!("dialog-delete-question")),
        Line::raw(""),
        detail_line(
            &label(tr!("dialog-delete-name")),
            theme.glyphs().fit(&r.name, inner_width.saturating_sub(11)),
            theme,
        ),
        detail_line(&label(tr!("dialog-delete-id")), r.id.as_str(), theme),
        detail_line(
            &label(tr!("dialog-delete-api-key")),
            theme.glyphs().fit(&r.masked, 32),
            theme,
        ),
        detail_line(&label(tr!("dialog-delete-last-used")), last_used, theme),
        Line::raw(""),
    ];
    lines.extend(
        wrap(&tr!("dialog-delete-warning"), inner_width)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.warning()))),
    );
    lines.push(Line::raw(""));
    if d.buttons().contains(&DeleteFocus::Disable) {
        lines.extend(
            wrap(&tr!("dialog-delete-instead"), inner_width)
                .into_iter()
                .map(Line::raw),
        );
        lines.push(Line::raw(""));
    }
    let height = lines.len() as u16 + 1 + 2;
    let inner = dialog(
        frame.buffer_mut(),
        area,
        width,
        height,
        &tr!("dialog-delete-title"),
        theme,
    );
    let buf = frame.buffer_mut();
    Paragraph::new(lines).render(inner, buf);
    if inner.height > 0 {
        let row = Rect::new(inner.x, inner.bottom() - 1, inner.width, 1);
        let labels: Vec<(String, bool, _)> = d
            .buttons()
            .iter()
            .map(|&button| {
                let focused = d.focus == button;
                match button {
                    DeleteFocus::Cancel => (tr!("dialog-cancel"), focused, theme.button(focused)),
                    DeleteFocus::Disable => (tr!("dialog-delete-button-disable"), focused, theme.button(focused)),
                    DeleteFocus::Delete => (
                        tr!("dialog-delete-button-delete"),
                        focused,
                        theme.danger_button(focused),
                    ),
                }
            })
            .collect();
        let items: Vec<_> = labels
            .iter()
            .map(|(label, focused, style)| (label.as_str(), *focused, *style))
            .collect();
        for (rect, &button) in buttons(buf, row, &items).into_iter().zip(d.buttons()) {
            hits.add(rect, Target::DeleteButton(button));
        }
    }
}
