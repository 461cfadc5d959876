//! A key's policy: one row per rule (its name, its value as `keydesk limit`
//! takes it, ✓ or ✗ as it is typed), under them what the focused rule means
//! or what is wrong with it, then Save and Cancel. Every row is clickable.
//! On a short terminal the key's ID line and the blank rows go first, then
//! (below 16 rows) the explanation and the error lines, so the rules, their
//! ✓ or ✗, and the buttons always show.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::parts::Parts;
use super::{Theme, buttons, detail_line, dialog, wrap, wrap_marked};
use crate::display::policy::NAME_WIDTH;
use crate::domain::policy::Rule;
use crate::tui::app::{PolicyDialog, PolicyFocus};
use crate::tui::mouse::{HitMap, Target};
use crate::tui::sanitize;

/// Rows besides the rules: the borders, the explanation and the buttons.
const LEAST_CHROME: u16 = 4;

pub fn render(frame: &mut Frame, area: Rect, d: &PolicyDialog, theme: &Theme, hits: &mut HitMap) {
    let width = area.width.saturating_sub(2).min(72);
    let inner_width = width.saturating_sub(4) as usize;
    let roomy = area.height >= Rule::ALL.len() as u16 + LEAST_CHROME + 3;
    let explained = area.height >= Rule::ALL.len() as u16 + LEAST_CHROME;
    let parts = parts(d, inner_width, (roomy, explained), theme);
    let name = theme.glyphs().fit(&d.record.name, inner_width.saturating_sub(12));
    let inner = dialog(
        frame.buffer_mut(),
        area,
        width,
        parts.height() + 2,
        &tr!("dialog-policy-title", name = name.into_owned()),
        theme,
    );
    if let Some(cursor) = parts.draw(frame.buffer_mut(), inner, hits) {
        frame.set_cursor_position(cursor);
    }
}

/// The ID and a blank (when `roomy`), the rules, the explanation and the
/// save error (when `explained`), a blank (when `roomy`), the buttons.
fn parts<'a>(d: &'a PolicyDialog, width: usize, (roomy, explained): (bool, bool), theme: &'a Theme) -> Parts<'a> {
    let mut parts = Parts::new();
    if roomy {
        parts.line(detail_line(&tr!("dialog-policy-key"), d.record.id.as_str(), theme));
        parts.blank();
    }
    for at in 0..Rule::ALL.len() {
        parts.rows(1, move |buf, row, hits| {
            hits.add(row, Target::PolicyField(PolicyFocus::Field(at)));
            field_row(buf, row, d, at, theme)
        });
    }
    if explained {
        let (marker, text, style) = explanation(d, theme);
        for line in wrap_marked(marker, &text, width) {
            parts.line(Line::styled(line, style));
        }
        let error = (d.error.as_deref())
            .map(|e| wrap(&sanitize::sanitize(e), width))
            .unwrap_or_default();
        for text in error {
            parts.line(Line::styled(text, theme.error()));
        }
    }
    if roomy {
        parts.blank();
    }
    let focus = d.focus;
    parts.rows(1, move |buf, row, hits| {
        if row.is_empty() {
            return None;
        }
        let (save, cancel) = (focus == PolicyFocus::Save, focus == PolicyFocus::Cancel);
        let (save_label, cancel_label) = (tr!("dialog-policy-save"), tr!("dialog-cancel"));
        let items = [
            (save_label.as_str(), save, theme.button(save)),
            (cancel_label.as_str(), cancel, theme.button(cancel)),
        ];
        for (rect, button) in buttons(buf, row, &items)
            .into_iter()
            .zip([PolicyFocus::Save, PolicyFocus::Cancel])
        {
            hits.add(rect, Target::PolicyField(button));
        }
        None
    });
    parts
}

/// One rule's row: `> rpm           [60        ] ✓`. Returns the cursor's
/// place when the field has the focus.
fn field_row(buf: &mut Buffer, row: Rect, d: &PolicyDialog, at: usize, theme: &Theme) -> Option<Position> {
    if row.is_empty() {
        return None;
    }
    let focused = d.focus == PolicyFocus::Field(at);
    let glyphs = theme.glyphs();
    let label_style = if focused { theme.title() } else { theme.text() };
    let label = format!("{:<NAME_WIDTH$}", Rule::ALL[at].name());
    Line::from(vec![
        Span::raw(if focused { "> " } else { "  " }),
        Span::styled(label, label_style),
        Span::styled(" [", theme.border(focused)),
    ])
    .render(row, buf);
    // Label, " [", then the field, "]" and the mark (two columns each side).
    let start = 2 + NAME_WIDTH as u16 + 2;
    let field = Rect {
        x: row.x + start,
        width: row.width.saturating_sub(start + 4),
        ..row
    };
    let input = &d.fields[at];
    let cursor = if focused {
        let column = input.render_line(field, buf, theme.text());
        Some(Position::new(field.x + column, field.y))
    } else if input.is_empty() {
        let none = glyphs
            .fit(&tr!("dialog-policy-no-rule"), field.width as usize)
            .into_owned();
        buf.set_stringn(field.x, field.y, none, field.width as usize, theme.dim());
        None
    } else {
        let text = glyphs.fit(input.text(), field.width as usize).into_owned();
        buf.set_stringn(field.x, field.y, text, field.width as usize, theme.text());
        None
    };
    let (mark, style) = match d.field(at) {
        Err(_) => (glyphs.invalid, theme.error()),
        Ok(Some(_)) => (glyphs.valid, theme.success()),
        Ok(None) => ("", theme.dim()),
    };
    let end = Line::from(vec![
        Span::styled("] ", theme.border(focused)),
        Span::styled(mark, style),
    ]);
    end.render(
        Rect {
            x: field.right(),
            width: 4,
            ..row
        }
        .intersection(row),
        buf,
    );
    cursor.filter(|_| field.width > 0)
}

/// The line under the rules: what is wrong with the focused field, or how
/// to fill it in; with a button focused, what saving does.
fn explanation(d: &PolicyDialog, theme: &Theme) -> (&'static str, String, ratatui::style::Style) {
    let PolicyFocus::Field(at) = d.focus else {
        return ("", tr!("dialog-policy-explain"), theme.dim());
    };
    match d.field(at) {
        Err(error) => (
            theme.glyphs().invalid,
            crate::i18n::words::Worded::worded(&error),
            theme.error(),
        ),
        Ok(_) => ("", rule_hint(Rule::ALL[at]), theme.dim()),
    }
}

/// How to fill in `rule`'s field.
fn rule_hint(rule: Rule) -> String {
    match rule {
        Rule::Rps => tr!("dialog-policy-hint-rps"),
        Rule::Rpm => tr!("dialog-policy-hint-rpm"),
        Rule::Rph => tr!("dialog-policy-hint-rph"),
        Rule::Rpd => tr!("dialog-policy-hint-rpd"),
        Rule::MaxParallel => tr!("dialog-policy-hint-max-parallel"),
        Rule::Tpm => tr!("dialog-policy-hint-tpm"),
        Rule::TokenBudget => tr!("dialog-policy-hint-token-budget"),
        Rule::SpendLimit => tr!("dialog-policy-hint-spend-limit"),
        Rule::Methods => tr!("dialog-policy-hint-methods"),
        Rule::Paths => tr!("dialog-policy-hint-paths"),
        Rule::Models => tr!("dialog-policy-hint-models"),
        Rule::Ips => tr!("dialog-policy-hint-ips"),
    }
}
