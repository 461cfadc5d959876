//! The create dialog: the name field, the expiry, the agreement box and
//! OK / Cancel.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::expiry_field::{self, Drawn, Focus};
use super::{Rows, Theme, buttons, dialog, wrap};
use crate::domain::KeyRecord;
use crate::tui::app::App;
use crate::tui::app::{CreateDialog, CreateFocus};
use crate::tui::keymap::{self, Action, Screen};
use crate::tui::mouse::{HitMap, Target};
use crate::tui::name_field::NameField;
use crate::tui::sanitize;

/// "> [x] " before the agreement's label.
const CHECKBOX_INDENT: usize = 6;

pub fn render(frame: &mut Frame, area: Rect, d: &CreateDialog, app: &App, theme: &Theme, hits: &mut HitMap) {
    let records: &[KeyRecord] = &app.records;
    let width = area.width.saturating_sub(2).min(78);
    let inner_width = width.saturating_sub(4) as usize;
    let feedback = d.name.feedback(records.iter());
    let name_height = NameField::height(&feedback, inner_width, theme);
    let checkbox = wrap(
        &tr!("dialog-create-agreement"),
        inner_width.saturating_sub(CHECKBOX_INDENT),
    );
    let error = d
        .error
        .as_deref()
        .map(|e| wrap(&sanitize::sanitize(e), inner_width))
        .unwrap_or_default();
    // Name, blank, checkbox, its Ctrl-O line, blank, expiry, blank, error
    // (or blank), buttons: in the order Tab visits them. In a short terminal
    // the blanks, the Ctrl-O line (also in the hints) and the expiry's
    // outcome go, so the buttons stay on screen.
    let full = name_height as usize
        + 1
        + checkbox.len()
        + 1
        + 1
        + expiry_field::height(&d.expiry, true) as usize
        + 1
        + error.len().max(1)
        + 1;
    let compact = full + 2 > area.height as usize;
    let height = if compact {
        name_height as usize + checkbox.len() + expiry_field::height(&d.expiry, false) as usize + error.len() + 1
    } else {
        full
    };
    let gap = u16::from(!compact);
    let inner = dialog(
        frame.buffer_mut(),
        area,
        width,
        height as u16 + 2,
        &tr!("dialog-create-title"),
        theme,
    );
    let mut rows = Rows::new(inner);
    let name_area = rows.take(name_height);
    let name_focused = d.focus == CreateFocus::Name;
    let label = tr!("dialog-create-name");
    let mut cursor = d
        .name
        .render(frame.buffer_mut(), name_area, &label, name_focused, &feedback, theme);
    rows.skip(gap);
    let agreement = render_agreement(frame.buffer_mut(), &mut rows, d, checkbox, !compact, theme);
    hits.add(agreement, Target::CreateField(CreateFocus::Agreement));
    hits.add(name_area, Target::CreateField(CreateFocus::Name));
    rows.skip(gap);
    let how = Drawn {
        focus: match d.focus {
            CreateFocus::Expiry => Focus::Choice,
            CreateFocus::Date => Focus::Date,
            _ => Focus::None,
        },
        screen: Screen::Create,
        now: app.now,
        offset: app.utc_offset,
        outcome: !compact,
    };
    cursor = cursor.or(expiry_field::render(
        frame.buffer_mut(),
        &mut rows,
        &d.expiry,
        how,
        theme,
        hits,
    ));
    rows.skip(gap);
    if error.is_empty() {
        rows.skip(gap);
    }
    for text in error {
        rows.line(frame.buffer_mut(), Line::styled(text, theme.error()));
    }
    for (rect, button) in render_buttons(frame.buffer_mut(), rows.take(1), d.focus, theme) {
        hits.add(rect, Target::CreateField(button));
    }
    if let Some(cursor) = cursor {
        frame.set_cursor_position(cursor);
    }
}

/// The checkbox with its label wrapped under it, and how to read the
/// agreement. Returns the rows of the box and its label (a click there ticks it).
fn render_agreement(
    buf: &mut Buffer,
    rows: &mut Rows,
    d: &CreateDialog,
    label: Vec<String>,
    read: bool,
    theme: &Theme,
) -> Rect {
    let focused = d.focus == CreateFocus::Agreement;
    let mut clickable: Option<Rect> = None;
    for (i, text) in label.into_iter().enumerate() {
        let line = if i == 0 {
            let mark = if d.agreed { "[x]" } else { "[ ]" };
            let box_style = if focused { theme.selected() } else { theme.text() };
            Line::from(vec![
                Span::raw(if focused { "> " } else { "  " }),
                Span::styled(mark, box_style),
                Span::raw(" "),
                Span::raw(text),
            ])
        } else {
            Line::from(format!("{:CHECKBOX_INDENT$}{text}", ""))
        };
        let row = rows.take(1);
        if !row.is_empty() {
            line.render(row, buf);
        }
        clickable = Some(clickable.map_or(row, |rows| rows.union(row)));
    }
    let clickable = clickable.unwrap_or_default();
    if !read {
        return clickable;
    }
    let read = keymap::key_name(Screen::Create, Action::ReadAgreement);
    rows.line(
        buf,
        Line::from(vec![
            Span::raw(" ".repeat(CHECKBOX_INDENT)),
            Span::styled(read, theme.hint_key()),
            Span::styled(format!(" {}", tr!("dialog-create-read-agreement")), theme.dim()),
        ]),
    );
    clickable
}

fn render_buttons(buf: &mut Buffer, row: Rect, focus: CreateFocus, theme: &Theme) -> Vec<(Rect, CreateFocus)> {
    if row.is_empty() {
        return Vec::new();
    }
    let ok = focus == CreateFocus::Ok;
    let cancel = focus == CreateFocus::Cancel;
    let (ok_label, cancel_label) = (tr!("dialog-ok"), tr!("dialog-cancel"));
    let drawn = buttons(
        buf,
        row,
        &[
            (&ok_label, ok, theme.button(ok)),
            (&cancel_label, cancel, theme.button(cancel)),
        ],
    );
    drawn.into_iter().zip([CreateFocus::Ok, CreateFocus::Cancel]).collect()
}
