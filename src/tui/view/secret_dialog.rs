//! Shown once, right after creation or rotation: the full key, and nothing
//! else ever.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::{Theme, dialog, dialog_hints, format_time, offset_label, wrap};
use crate::tui::app::{App, SecretDialog};
use crate::tui::keymap::{self, Action, Screen};

/// Stands for the key's name in the sentence above the secret; a control
/// character, so no name (sanitised for the screen) can contain it.
const NAME_MARK: &str = "\u{1}";

pub fn render(frame: &mut Frame, area: Rect, d: &SecretDialog, app: &App, theme: &Theme) {
    let width = area.width.saturating_sub(2).min(72);
    let inner_width = width.saturating_sub(4) as usize;
    let mut lines = key_lines(d, inner_width, theme);
    if d.rotated {
        lines.extend(old_secret_lines(d, app, inner_width, theme));
    }
    if d.confirm_close {
        lines.push(confirm_line(theme));
    } else {
        lines.extend(copy_lines(d, inner_width, theme));
    }
    if lines.len() + 2 > area.height as usize {
        // In a short terminal the spacing goes first: the key, the warning,
        // the copy outcome and the way out all have to stay on screen.
        lines.retain(|line| line.width() > 0);
    }
    let height = lines.len() as u16 + 2;
    let title = if d.rotated {
        tr!("dialog-secret-title-rotated")
    } else {
        tr!("dialog-secret-title")
    };
    let inner = dialog(frame.buffer_mut(), area, width, height, &title, theme);
    Paragraph::new(lines).render(inner, frame.buffer_mut());
}

/// Which key was created, the secret, and the warning that it is shown once.
fn key_lines<'a>(d: &'a SecretDialog, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let name = Span::styled(theme.glyphs().fit(&d.record.name, 32).into_owned(), theme.title());
    // The name goes in as a mark, then the mark becomes the highlighted name,
    // so that each language puts it where its sentence wants it.
    let id = d.record.id.to_string();
    let said = if d.rotated {
        tr!("dialog-secret-rotated", name = NAME_MARK, id = id)
    } else {
        tr!("dialog-secret-created", name = NAME_MARK, id = id)
    };
    let (before, after) = said.split_once(NAME_MARK).unwrap_or((&said, ""));
    let mut lines: Vec<Line> = vec![
        Line::from(vec![Span::raw(before.to_owned()), name, Span::raw(after.to_owned())]),
        Line::raw(""),
        // The secret is alone on its line, with nothing glued to either side,
        // so it can be selected by hand if copying is not possible.
        Line::styled(d.secret.expose(), theme.secret()).centered(),
        Line::raw(""),
    ];
    lines.extend(
        wrap(&tr!("dialog-secret-warning"), width)
            .into_iter()
            .map(|l| Line::styled(l, theme.warning())),
    );
    lines.push(Line::raw(""));
    lines
}

/// After a rotation: until when the old secret keeps working.
fn old_secret_lines<'a>(d: &'a SecretDialog, app: &App, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let Some(previous) = &d.record.previous else {
        return Vec::new();
    };
    let masked = theme.glyphs().fit(&previous.masked, 32).into_owned();
    let text = if previous.grace_until <= app.now {
        tr!("dialog-secret-old-ended", masked = masked)
    } else {
        tr!(
            "dialog-secret-old-until",
            masked = masked,
            at = format_time(previous.grace_until, app.utc_offset),
            offset = offset_label(app.utc_offset)
        )
    };
    let mut lines: Vec<Line> = wrap(&text, width).into_iter().map(Line::raw).collect();
    lines.push(Line::raw(""));
    lines
}

/// "Close without copying? (y/n)", with the keys of the confirm screen.
fn confirm_line(theme: &Theme) -> Line<'static> {
    let question = tr!(
        "dialog-secret-confirm-close",
        yes = keymap::key_name(Screen::SecretConfirm, Action::Yes),
        no = keymap::key_name(Screen::SecretConfirm, Action::No)
    );
    Line::styled(question, theme.error())
}

/// The last copy's outcome in full, then the dialog's keys.
fn copy_lines<'a>(d: &'a SecretDialog, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if let Some(result) = &d.copy_result {
        // The whole message, wrapped: for a copy through the terminal it says
        // how to copy by hand if nothing arrived.
        let style = if result.is_copied() {
            theme.success()
        } else {
            theme.error()
        };
        lines.extend(
            wrap(result.message(), width)
                .into_iter()
                .map(|l| Line::styled(l, style)),
        );
        lines.push(Line::raw(""));
    }
    let copied_before = d.copy_result.is_some();
    lines.push(dialog_hints(
        Screen::Secret,
        |h| (h.action == Action::Copy && copied_before).then(|| tr!("dialog-secret-copy-again")),
        theme,
    ));
    lines
}
