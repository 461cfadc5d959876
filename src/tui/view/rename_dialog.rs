//! Edit a key's name: the input is prefilled; same validation as creating.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use super::create_dialog::focus_label;
use super::{Theme, dialog, dialog_hints, wrap, wrap_marked};
use crate::tui::app::RenameDialog;
use crate::tui::keymap::Screen;
use crate::tui::sanitize;

pub fn render(frame: &mut Frame, area: Rect, d: &RenameDialog, theme: &Theme) {
    let width = area.width.saturating_sub(2).min(72);
    let inner_width = width.saturating_sub(4) as usize;
    let (marker, validation, style) = match d.validation() {
        Ok(name) if name.as_str() == d.record.name => ("", "unchanged".to_owned(), theme.dim()),
        Ok(_) => ("✓ ", "valid name".to_owned(), theme.success()),
        Err(e) => ("✗ ", e.to_string(), theme.error()),
    };
    let validation = wrap_marked(marker, &validation, inner_width);
    let error = d
        .error
        .as_deref()
        .map(|e| wrap(&sanitize::sanitize(e), inner_width))
        .unwrap_or_default();
    let height = 2 + 1 + 3 + validation.len() + error.len() + 1 + 1;
    let inner = dialog(frame.buffer_mut(), area, width, height as u16 + 2, "Edit name", theme);
    let buf = frame.buffer_mut();
    let mut y = inner.y;
    let line = |buf: &mut ratatui::buffer::Buffer, l: Line, y: &mut u16| {
        if *y < inner.bottom() {
            l.render(Rect::new(inner.x, *y, inner.width, 1), buf);
        }
        *y += 1;
    };
    line(
        buf,
        Line::from(vec![
            Span::styled("Key      ", theme.dim()),
            Span::raw(d.record.id.to_string()),
        ]),
        &mut y,
    );
    line(
        buf,
        Line::from(vec![
            Span::styled("Current  ", theme.dim()),
            Span::raw(sanitize::fit(&d.record.name, inner_width.saturating_sub(9))),
        ]),
        &mut y,
    );
    line(buf, focus_label("New name", true, theme), &mut y);
    let box_area = Rect::new(inner.x, y, inner.width, 3).intersection(inner);
    let block = Block::bordered().border_style(theme.border(true));
    let field = block.inner(box_area);
    block.render(box_area, buf);
    let cursor = d.name.render_line(field, buf, theme.text());
    y += 3;
    for text in validation {
        line(buf, Line::styled(text, style), &mut y);
    }
    for text in error {
        line(buf, Line::styled(text, theme.error()), &mut y);
    }
    y += 1;
    line(buf, dialog_hints(Screen::Rename, |h| h.text, theme), &mut y);
    if field.width > 0 && field.height > 0 {
        frame.set_cursor_position(Position::new(field.x + cursor, field.y));
    }
}
