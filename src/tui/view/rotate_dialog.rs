//! Rotating a key: which key, the grace period for its old secret (Now /
//! 1 hour / 24 hours / 7 days), and, when a grace is already running, the
//! question before it is ended.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::{Theme, detail_line, dialog, dialog_hints, format_time, hint_hits, offset_label, wrap};
use crate::tui::app::{App, RotateDialog};
use crate::tui::keymap::{self, Action, Screen};
use crate::tui::lifecycle_fields::GRACES;
use crate::tui::mouse::{HitMap, Target};

pub fn render(frame: &mut Frame, area: Rect, d: &RotateDialog, app: &App, theme: &Theme, hits: &mut HitMap) {
    let width = area.width.saturating_sub(2).min(72);
    let inner_width = width.saturating_sub(4) as usize;
    let r = &d.record;
    let at = |t| {
        tr!(
            "dialog-rotate-time",
            time = format_time(t, app.utc_offset),
            offset = offset_label(app.utc_offset)
        )
    };
    let mut lines = vec![
        detail_line(
            &tr!("dialog-rotate-key"),
            theme.glyphs().fit(&r.name, inner_width.saturating_sub(13)),
            theme,
        ),
        detail_line(&tr!("dialog-rotate-id"), r.id.as_str(), theme),
        detail_line(&tr!("dialog-rotate-secret"), theme.glyphs().fit(&r.masked, 32), theme),
        Line::raw(""),
    ];
    let explain = wrap(&tr!("dialog-rotate-explain"), inner_width);
    let explain_at = lines.len();
    let explain_len = explain.len();
    lines.extend(explain.into_iter().map(Line::raw));
    lines.push(Line::raw(""));
    let mut grace_at = lines.len();
    lines.push(grace_choices(d.grace, theme));
    let grace = GRACES[d.grace].1;
    let ends = if grace.is_zero() {
        tr!("dialog-rotate-ends-now")
    } else {
        tr!("dialog-rotate-ends-at", at = at(app.now + grace))
    };
    lines.extend(
        wrap(&ends, inner_width)
            .into_iter()
            .map(|l| Line::styled(l, theme.dim()).centered()),
    );
    lines.push(Line::raw(""));
    if let Some(previous) = r.grace_running(app.now) {
        let running = tr!(
            "dialog-rotate-running",
            masked = theme.glyphs().fit(&previous.masked, 32),
            at = at(previous.grace_until)
        );
        lines.extend(
            wrap(&running, inner_width)
                .into_iter()
                .map(|l| Line::styled(l, theme.warning())),
        );
        lines.push(Line::raw(""));
    }
    if d.confirm {
        let question = tr!(
            "dialog-rotate-confirm",
            yes = keymap::key_name(Screen::RotateConfirm, Action::Yes),
            no = keymap::key_name(Screen::RotateConfirm, Action::No)
        );
        lines.push(Line::styled(question, theme.error()));
    } else {
        lines.push(dialog_hints(Screen::Rotate, |_| None, theme));
    }
    if lines.len() + 2 > area.height as usize {
        // In a short terminal the explanation and then the spacing go, so
        // the choice, the warning and the way on stay on screen.
        lines.drain(explain_at..explain_at + explain_len);
        grace_at -= explain_len;
        if lines.len() + 2 > area.height as usize {
            grace_at -= lines[..grace_at].iter().filter(|line| line.width() == 0).count();
            lines.retain(|line| line.width() > 0);
        }
    }
    let height = lines.len() as u16 + 2;
    let inner = dialog(
        frame.buffer_mut(),
        area,
        width,
        height,
        &tr!("dialog-rotate-title"),
        theme,
    );
    // One row per line (no wrapping), so a line's index is its row.
    let row = |index: usize| {
        Rect {
            y: inner.y + index as u16,
            height: 1,
            ..inner
        }
        .intersection(inner)
    };
    grace_hits(row(grace_at), &lines[grace_at], hits);
    if !d.confirm {
        let last = lines.len() - 1;
        hint_hits(row(last), &lines[last], Screen::Rotate, hits);
    }
    Paragraph::new(lines).render(inner, frame.buffer_mut());
}

/// Each grace period of the centred [`grace_choices`] line as a click
/// target: after the label, each choice is a space then its box.
fn grace_hits(row: Rect, line: &Line, hits: &mut HitMap) {
    let mut x = row.x + row.width.saturating_sub(line.width() as u16) / 2;
    let mut spans = line.spans.iter();
    x += spans.next().map_or(0, Span::width) as u16;
    for choice in 0..GRACES.len() {
        let (Some(space), Some(boxed)) = (spans.next(), spans.next()) else {
            break;
        };
        x += space.width() as u16;
        let width = boxed.width() as u16;
        hits.add(Rect::new(x, row.y, width, 1).intersection(row), Target::Grace(choice));
        x += width;
    }
}

/// "Grace:  [ Now ]  [ 1 hour ]  > 24 hours <  [ 7 days ]", the chosen one
/// marked so it shows without colour.
fn grace_choices(chosen: usize, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(format!("{} ", tr!("dialog-rotate-grace")), theme.dim())];
    for (i, (label, _)) in GRACES.iter().enumerate() {
        let label = label.text();
        spans.push(Span::raw(" "));
        if i == chosen {
            spans.push(Span::styled(format!("> {label} <"), theme.selected()));
        } else {
            spans.push(Span::raw(format!("[ {label} ]")));
        }
    }
    Line::from(spans).centered()
}
