//! The create dialog: the name field, the expiry, the agreement box and
//! OK / Cancel.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::expiry_field::{self, Drawn, Focus};
use super::parts::Parts;
use super::{Rows, Theme, buttons, dialog, wrap};
use crate::tui::app::App;
use crate::tui::app::{CreateDialog, CreateFocus};
use crate::tui::keymap::{self, Action, Screen};
use crate::tui::mouse::{HitMap, Target};
use crate::tui::name_field::Feedback;
use crate::tui::sanitize;

/// "> [x] " before the agreement's label.
const CHECKBOX_INDENT: usize = 6;

pub fn render(frame: &mut Frame, area: Rect, d: &CreateDialog, app: &App, theme: &Theme, hits: &mut HitMap) {
    let width = area.width.saturating_sub(2).min(78);
    let inner_width = width.saturating_sub(4) as usize;
    let feedback = d.name.feedback(app.records.iter());
    // In a short terminal the blanks and the expiry's outcome go, so the
    // buttons stay on screen; how to read the agreement stays with its box.
    let full = parts(d, app, &feedback, inner_width, false, theme);
    let parts = if usize::from(full.height()) + 2 > area.height as usize {
        parts(d, app, &feedback, inner_width, true, theme)
    } else {
        full
    };
    let inner = dialog(
        frame.buffer_mut(),
        area,
        width,
        parts.height() + 2,
        &tr!("dialog-create-title"),
        theme,
    );
    if let Some(cursor) = parts.draw(frame.buffer_mut(), inner, hits) {
        frame.set_cursor_position(cursor);
    }
}

/// Name, blank, checkbox, its Ctrl-O line, blank, expiry, blank, error (or
/// blank), buttons: in the order Tab visits them. `compact` leaves out the
/// blanks and the expiry's outcome.
fn parts<'a>(
    d: &'a CreateDialog,
    app: &App,
    feedback: &Feedback,
    width: usize,
    compact: bool,
    theme: &'a Theme,
) -> Parts<'a> {
    let mut parts = Parts::new();
    let gap = |parts: &mut Parts| {
        if !compact {
            parts.blank();
        }
    };
    let label = tr!("dialog-create-name");
    parts.clickable(Target::CreateField(CreateFocus::Name), |parts| {
        d.name
            .parts(parts, label, d.focus == CreateFocus::Name, feedback, width, theme)
    });
    gap(&mut parts);
    let checkbox = wrap(&tr!("dialog-create-agreement"), width.saturating_sub(CHECKBOX_INDENT));
    parts.rows(checkbox.len() as u16, move |buf, rows, hits| {
        let agreement = render_agreement(buf, &mut Rows::new(rows), d, checkbox, theme);
        hits.add(agreement, Target::CreateField(CreateFocus::Agreement));
        None
    });
    parts.line(read_agreement_line(theme));
    gap(&mut parts);
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
    expiry_field::parts(&mut parts, &d.expiry, how, theme);
    gap(&mut parts);
    let error = (d.error.as_deref())
        .map(|e| wrap(&sanitize::sanitize(e), width))
        .unwrap_or_default();
    if error.is_empty() {
        gap(&mut parts);
    }
    for text in error {
        parts.line(Line::styled(text, theme.error()));
    }
    let focus = d.focus;
    parts.rows(1, move |buf, row, hits| {
        for (rect, button) in render_buttons(buf, row, focus, theme) {
            hits.add(rect, Target::CreateField(button));
        }
        None
    });
    parts
}

/// The checkbox with its label wrapped under it. Returns the rows of the
/// box and its label (a click there ticks it).
fn render_agreement(buf: &mut Buffer, rows: &mut Rows, d: &CreateDialog, label: Vec<String>, theme: &Theme) -> Rect {
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
    clickable.unwrap_or_default()
}

/// How to read the agreement, under the checkbox.
fn read_agreement_line(theme: &Theme) -> Line<'static> {
    let read = keymap::key_name(Screen::Create, Action::ReadAgreement);
    Line::from(vec![
        Span::raw(" ".repeat(CHECKBOX_INDENT)),
        Span::styled(read, theme.hint_key()),
        Span::styled(format!(" {}", tr!("dialog-create-read-agreement")), theme.dim()),
    ])
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
