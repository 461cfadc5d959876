//! The two bottom lines: the status message (what just happened), and the key
//! hints of the current screen, generated from the keymap.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthStr;

use super::Theme;
use crate::tui::app::{App, StatusKind};
use crate::tui::keymap::{self, Action, Hint, Screen};

pub fn render_status(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    // What is going on in the background goes on the right and is never cut:
    // why nothing seems to happen, and how long a copied key stays on the
    // clipboard (the copy's own message is long and may be cut).
    let mut background = String::new();
    if let Some(seconds) = app.clipboard_clears_in {
        background.push_str(&format!(" {} ", tr!("tui-status-clipboard-clears", seconds = seconds)));
    }
    if app.working {
        // Shown while a storage operation takes a while (the database is busy).
        background.push_str(&format!(" {} ", tr!("tui-status-working")));
    }
    if app.unreachable {
        // The list is the last one read while the keys cannot be read.
        background.push_str(&format!(" {} ", tr!("tui-status-unreachable")));
    }
    let right = background.width();
    let width = (area.width.saturating_sub(1) as usize).saturating_sub(right);
    let line = if let Some(status) = &app.status {
        let style = match status.kind {
            StatusKind::Info => theme.text(),
            StatusKind::Success => theme.success(),
            StatusKind::Error => theme.error(),
        };
        Line::from(Span::styled(
            format!(" {}", theme.glyphs().fit(&status.text, width)),
            style,
        ))
    } else if let Some(note) = &app.note {
        Line::from(Span::styled(
            format!(" {}", theme.glyphs().fit(note, width)),
            theme.dim(),
        ))
    } else {
        Line::default()
    };
    line.render(area, buf);
    if right > 0 && area.width as usize > right {
        let x = area.x + area.width - right as u16;
        buf.set_string(x, area.y, &background, theme.hint_key());
    }
}

/// `key hint` pairs of `screen` that `allows` (what the selected key's state
/// allows, [`App::allows`]), as many as fit; the help hint is always kept.
pub fn render_hints(buf: &mut Buffer, area: Rect, screen: Screen, allows: impl Fn(Action) -> bool, theme: &Theme) {
    let mut hints: Vec<Hint> = keymap::hints(screen).filter(|h| allows(h.action)).collect();
    if screen != Screen::Help && !hints.iter().any(|h| h.action == Action::Help) {
        // Screens with a text input have no `?`; the global key works everywhere.
        hints.push(keymap::global_help_hint());
    }
    // Display width: a Chinese hint takes two columns a character.
    let width = |h: &Hint| h.key().width() + 1 + h.text.width() + 2;
    let reserved: usize = hints.iter().filter(|h| h.action == Action::Help).map(width).sum();
    let mut room = (area.width as usize).saturating_sub(1 + reserved);
    let mut spans = vec![Span::raw(" ")];
    for hint in &hints {
        if hint.action != Action::Help {
            let w = width(hint);
            if w > room {
                continue;
            }
            room -= w;
        }
        spans.push(Span::styled(hint.key(), theme.hint_key()));
        spans.push(Span::styled(format!(" {}  ", hint.text), theme.dim()));
    }
    Line::from(spans).render(area, buf);
}
