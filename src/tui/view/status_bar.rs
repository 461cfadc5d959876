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
            format!(" {}", theme.glyphs().fit_words(&status.text, width)),
            style,
        ))
    } else if let Some(note) = &app.note {
        Line::from(Span::styled(
            format!(" {}", theme.glyphs().fit_words(note, width)),
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

/// `key hint` pairs of the current screen that apply now (the screen's
/// state, and what the selected key's state allows: [`App::allows`]), as
/// many as fit (a wide bar shows the extras too); help and quit are the last
/// to go.
pub fn render_hints(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    let screen = app.screen();
    let mut hints: Vec<Hint> = keymap::hints_now(screen, app.shown())
        .filter(|h| app.allows(h.action))
        .collect();
    if screen != Screen::Help && !hints.iter().any(|h| h.action == Action::Help) {
        // Screens with a text input have no `?`; the global key works everywhere.
        hints.push(keymap::global_help_hint());
    }
    // After the leading blank; the last hint's two trailing blanks may fall
    // off the edge.
    let shown = fitting(&hints, (area.width as usize + 2).saturating_sub(1));
    let mut spans = vec![Span::raw(" ")];
    for (hint, _) in hints.iter().zip(shown).filter(|(_, shown)| *shown) {
        spans.push(Span::styled(hint.key(), theme.hint_key()));
        spans.push(Span::styled(format!(" {}  ", hint.text), theme.dim()));
    }
    Line::from(spans).render(area, buf);
}

/// Which of `hints` fit in `room` columns, taken by rank — help, quit, the
/// others, the extras — each rank in table order; one that does not fit is
/// skipped, so a shorter one after it may still be shown.
fn fitting(hints: &[Hint], mut room: usize) -> Vec<bool> {
    let rank = |h: &Hint| match h.action {
        Action::Help => 0,
        Action::Quit => 1,
        _ if !h.extra => 2,
        _ => 3,
    };
    let mut order: Vec<usize> = (0..hints.len()).collect();
    order.sort_by_key(|&i| rank(&hints[i]));
    let mut shown = vec![false; hints.len()];
    for i in order {
        // Display width: a Chinese hint takes two columns a character.
        let width = hints[i].key().width() + 1 + hints[i].text.width() + 2;
        if width <= room {
            room -= width;
            shown[i] = true;
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use ratatui::buffer::Buffer;

    use super::*;
    use crate::tui::testing::{app, app_with};

    fn bar(app: &App, width: u16) -> String {
        let area = Rect::new(0, 0, width, 1);
        let mut buf = Buffer::empty(area);
        render_hints(&mut buf, area, app, &Theme::new(false));
        (0..width).map(|x| buf[(x, 0)].symbol()).collect::<String>()
    }

    #[test]
    fn a_wider_bar_shows_more_hints_and_help_and_quit_go_last() {
        let app = app();
        let (narrow, normal, wide) = (bar(&app, 60), bar(&app, 80), bar(&app, 120));
        for hint in ["t disable/enable", "r rotate", "x expiry"] {
            assert!(
                wide.contains(hint) && !normal.contains(hint),
                "{hint}:\n{normal}\n{wide}"
            );
        }
        assert!(normal.contains("/ filter") && normal.contains("s sort"), "{normal}");
        assert!(wide.contains("L log"), "{wide}");
        for bar in [&narrow, &normal, &wide] {
            assert!(bar.contains("? help") && bar.contains("q quit"), "{bar}");
        }
    }

    #[test]
    fn the_empty_list_offers_only_what_it_can_do() {
        let bar = bar(&app_with(Vec::new()), 120);
        for gone in [
            "Enter actions",
            "e edit",
            "d delete",
            "t disable",
            "r rotate",
            "c copy ID",
        ] {
            assert!(!bar.contains(gone), "{gone}: {bar}");
        }
        assert!(bar.contains("n new") && bar.contains("L log"), "{bar}");
    }

    #[test]
    fn a_status_is_cut_between_words_with_an_ellipsis() {
        let glyphs = Theme::new(false).glyphs();
        let cut = glyphs.fit_words("copied (OSC 52 via tmux) clipboard", 20);
        assert_eq!(cut, "copied (OSC 52 via…");
        assert_eq!(glyphs.fit_words("fits", 20), "fits");
    }
}
