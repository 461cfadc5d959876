//! Draws the expiry choice shared by the create and "Set expiry" dialogs: the
//! option (changed with ←/→), the date input when "On a date" is chosen, and
//! what the choice comes to.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use time::{OffsetDateTime, UtcOffset};
use unicode_width::UnicodeWidthStr;

use super::parts::Parts;
use super::{Theme, format_time, offset_label, pad};
use crate::tui::keymap::{self, Action, Screen};
use crate::tui::lifecycle_fields::{DATE_FORM, ExpiryField};
use crate::tui::mouse::{HitMap, Target};

/// Where the field has focus, if anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    None,
    Choice,
    Date,
}

/// How the field is drawn: where focus is, the dialog's screen (whose keys
/// the "←/→ change" hint names), the clock, and whether there is room for
/// the line saying what the choice comes to.
#[derive(Debug, Clone, Copy)]
pub struct Drawn {
    pub focus: Focus,
    pub screen: Screen,
    pub now: OffsetDateTime,
    pub offset: UtcOffset,
    pub outcome: bool,
}

/// Columns before a value, so the choice and the date line up: at least
/// ten, more when a label (with its `> ` and a space) is wider.
fn label_columns() -> usize {
    let widest = tr!("dialog-expiry-label")
        .width()
        .max(tr!("dialog-expiry-date-label").width());
    (widest + 3).max(10)
}

/// The field's rows: the choice, the date input when the choice wants one
/// (with the cursor when it has focus), and what the choice comes to when
/// there is room for it.
pub fn parts<'a>(parts: &mut Parts<'a>, field: &'a ExpiryField, how: Drawn, theme: &'a Theme) {
    let Drawn {
        focus,
        screen,
        now,
        offset,
        outcome,
    } = how;
    let chosen = Focus::Choice == focus;
    let marker = if chosen { "> " } else { "  " };
    let label = label_columns();
    let change = tr!(
        "dialog-expiry-change",
        left = keymap::key_name(screen, Action::CursorLeft),
        right = keymap::key_name(screen, Action::CursorRight)
    );
    let style = if chosen { theme.selected() } else { theme.text() };
    let (open, close) = theme.glyphs().choice;
    let line = Line::from(vec![
        Span::raw(marker),
        Span::styled(pad(&tr!("dialog-expiry-label"), label - 2), theme.dim()),
        Span::styled(format!("{open} {} {close}", field.option().label()), style),
        Span::raw("   "),
        Span::styled(change, theme.dim()),
    ]);
    parts.rows(1, move |buf, row, hits| {
        choice_hits(row, &line, hits);
        line.render(row, buf);
        None
    });
    if field.wants_date() {
        parts.rows(1, move |buf, row, hits| {
            hits.add(row, Target::ExpiryDate);
            render_date(buf, row, field, focus == Focus::Date, label, theme)
        });
    }
    if !outcome {
        return;
    }
    let outcome = match field.resolve(now, offset) {
        Ok(None) => Span::styled(tr!("dialog-expiry-never-expires"), theme.dim()),
        Ok(Some(at)) => Span::styled(
            tr!(
                "dialog-expiry-stops-at",
                at = format_time(at, offset),
                offset = offset_label(offset)
            ),
            theme.dim(),
        ),
        Err(reason) => Span::styled(reason, theme.warning()),
    };
    parts.line(Line::from(vec![Span::raw(" ".repeat(label)), outcome]));
}

/// `‹` and `›` of the choice line (its third span, after the marker and
/// the label) as the mouse's previous and next.
fn choice_hits(row: Rect, line: &Line, hits: &mut HitMap) {
    let before: usize = line.spans.iter().take(2).map(Span::width).sum();
    let spinner = line.spans.get(2).map_or(0, Span::width) as u16;
    let x = row.x.saturating_add(before as u16);
    hits.add(
        Rect::new(x, row.y, 2, 1).intersection(row),
        Target::ExpiryStep(Action::CursorLeft),
    );
    let next = x.saturating_add(spinner.saturating_sub(2));
    hits.add(
        Rect::new(next, row.y, 2, 1).intersection(row),
        Target::ExpiryStep(Action::CursorRight),
    );
}

fn render_date(
    buf: &mut Buffer,
    row: Rect,
    field: &ExpiryField,
    focused: bool,
    label: usize,
    theme: &Theme,
) -> Option<Position> {
    if row.is_empty() {
        return None;
    }
    let marker = if focused { "> " } else { "  " };
    Line::from(vec![
        Span::raw(format!("{marker}{}", pad(&tr!("dialog-expiry-date-label"), label - 2))),
        Span::styled(format!("{:<12}", ""), theme.dim()),
        Span::styled(DATE_FORM, theme.dim()),
    ])
    .render(row, buf);
    let input = Rect {
        x: row.x + label as u16,
        width: 11.min(row.width.saturating_sub(label as u16)),
        ..row
    };
    let style = theme.text().add_modifier(Modifier::UNDERLINED);
    let column = field.date.render_line(input, buf, style);
    focused.then(|| Position::new(input.x + column, row.y))
}
