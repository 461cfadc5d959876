//! The help overlay: every key of the screen it was opened from, generated
//! from the same keymap that drives dispatch and the status bar.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget};
use unicode_width::UnicodeWidthStr;

use super::{Theme, more_below, overlay_backdrop, overlay_inner};
use crate::tui::keymap::{self, Screen};

/// Lines of content: a heading, a blank line, one per binding.
pub fn line_count(screen: Screen) -> u16 {
    keymap::help_lines(screen).count() as u16 + 2
}

/// The overlay's frame within the whole terminal `area` (the last row stays
/// free for the hints).
pub fn box_area(area: Rect, screen: Screen) -> Rect {
    let backdrop = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    backdrop.centered(
        Constraint::Length(area.width.saturating_sub(4).min(76)),
        Constraint::Length((line_count(screen) + 2).min(backdrop.height)),
    )
}

pub fn render(frame: &mut Frame, area: Rect, screen: Screen, scroll: u16, theme: &Theme) {
    let outer = box_area(area, screen);
    let entries: Vec<(String, &str)> = keymap::help_lines(screen).collect();
    let key_width = entries.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(" Keys for: ", theme.dim()),
            Span::styled(screen.title(), theme.title()),
        ]),
        Line::raw(""),
    ];
    for (keys, help) in entries {
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<key_width$}"), theme.hint_key()),
            Span::raw("   "),
            Span::raw(help),
        ]));
    }
    let page = overlay_inner(outer).height;
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border(true))
        .title(Span::styled(" Help ", theme.title()))
        .title_bottom(Line::raw(more_below(scroll, line_count(screen), page)).right_aligned());
    let buf = frame.buffer_mut();
    overlay_backdrop(buf, area);
    Paragraph::new(lines)
        .block(block)
        .scroll((scroll, 0))
        .render(outer, buf);
}
