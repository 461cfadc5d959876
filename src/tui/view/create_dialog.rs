//! The create dialog: name input with live validation, the agreement box and
//! OK / Cancel.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Widget};

use super::{Theme, buttons, dialog, wrap, wrap_marked};
use crate::domain::name::RULE;
use crate::tui::app::{CreateDialog, CreateFocus};
use crate::tui::keymap::{self, Action, Screen};
use crate::tui::sanitize;

pub const AGREEMENT_LABEL: &str = "I have agreed to the agreement and understand the associated risks";

pub fn render(frame: &mut Frame, area: Rect, d: &CreateDialog, theme: &Theme) {
    let width = area.width.saturating_sub(2).min(78);
    let inner_width = width.saturating_sub(4) as usize;

    let (marker, validation, validation_style) = validation_line(d, theme);
    let validation = wrap_marked(marker, &validation, inner_width);
    // "> [x] " then the label, continuation lines indented under the label.
    let checkbox = wrap(AGREEMENT_LABEL, inner_width.saturating_sub(6));
    let error = d
        .error
        .as_deref()
        .map(|e| wrap(&sanitize::sanitize(e), inner_width))
        .unwrap_or_default();
    let height = 1 + 3 + validation.len() + 1 + checkbox.len() + 1 + 1 + error.len().max(1) + 1;
    let inner = dialog(
        frame.buffer_mut(),
        area,
        width,
        height as u16 + 2,
        "Create API key",
        theme,
    );
    let buf = frame.buffer_mut();
    let mut y = inner.y;
    let bottom = inner.bottom();
    let line = |buf: &mut ratatui::buffer::Buffer, l: Line, y: &mut u16| {
        if *y < bottom {
            l.render(Rect::new(inner.x, *y, inner.width, 1), buf);
        }
        *y += 1;
    };

    // Name label and input box.
    let name_focused = d.focus == CreateFocus::Name;
    line(buf, focus_label("Name", name_focused, theme), &mut y);
    let box_area = Rect::new(inner.x, y, inner.width, 3).intersection(inner);
    let block = Block::bordered()
        .border_type(BorderType::Plain)
        .border_style(theme.border(name_focused));
    let field = block.inner(box_area);
    block.render(box_area, buf);
    let cursor = d.name.render_line(field, buf, theme.text());
    y += 3;
    for text in validation {
        line(buf, Line::styled(text, validation_style), &mut y);
    }
    y += 1;

    // Agreement checkbox.
    let agree_focused = d.focus == CreateFocus::Agreement;
    for (i, text) in checkbox.into_iter().enumerate() {
        let l = if i == 0 {
            let mark = if d.agreed { "[x]" } else { "[ ]" };
            let box_style = if agree_focused { theme.selected() } else { theme.text() };
            Line::from(vec![
                Span::raw(if agree_focused { "> " } else { "  " }),
                Span::styled(mark, box_style),
                Span::raw(" "),
                Span::raw(text),
            ])
        } else {
            Line::from(format!("      {text}"))
        };
        line(buf, l, &mut y);
    }
    line(
        buf,
        Line::from(vec![
            Span::raw("      "),
            Span::styled(
                keymap::key_name(Screen::Create, Action::ReadAgreement),
                theme.hint_key(),
            ),
            Span::styled(" read the agreement", theme.dim()),
        ]),
        &mut y,
    );
    y += 1;
    if error.is_empty() {
        y += 1;
    }
    for text in error {
        line(buf, Line::styled(text, theme.error()), &mut y);
    }
    if y < bottom {
        buttons(
            buf,
            Rect::new(inner.x, y, inner.width, 1),
            &[
                (
                    "OK",
                    d.focus == CreateFocus::Ok,
                    theme.button(d.focus == CreateFocus::Ok),
                ),
                (
                    "Cancel",
                    d.focus == CreateFocus::Cancel,
                    theme.button(d.focus == CreateFocus::Cancel),
                ),
            ],
        );
    }
    if name_focused && field.width > 0 && field.height > 0 {
        frame.set_cursor_position(Position::new(field.x + cursor, field.y));
    }
}

/// What the line under the name says: the rule until something is typed,
/// then what is wrong, or that the name is fine.
fn validation_line(d: &CreateDialog, theme: &Theme) -> (&'static str, String, ratatui::style::Style) {
    match d.validation() {
        Ok(_) => ("✓ ", "valid name".to_owned(), theme.success()),
        Err(_) if !d.touched && d.name.is_empty() => ("", RULE.to_owned(), theme.dim()),
        Err(e) => ("✗ ", e.to_string(), theme.error()),
    }
}

pub fn focus_label<'a>(label: &'a str, focused: bool, theme: &Theme) -> Line<'a> {
    let style = if focused { theme.title() } else { theme.text() };
    Line::from(vec![
        Span::raw(if focused { "> " } else { "  " }),
        Span::styled(label, style),
    ])
}
