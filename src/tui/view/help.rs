//! The help overlay: every key of the screen it was opened from, generated
//! from the same keymap that drives dispatch and the status bar.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};
use unicode_width::UnicodeWidthStr;

use super::{Theme, more_below, overlay_backdrop};
use crate::tui::keymap::Screen;
use crate::tui::layout;

pub fn render(frame: &mut Frame, area: Rect, screen: Screen, scroll: u16, theme: &Theme) {
    let outer = layout::help_box(area, screen);
    let (key_width, entries) = layout::help_rows(screen, outer.width);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!(" {}", tr!("tui-help-keys-for")), theme.dim()),
            Span::styled(screen.title(), theme.title()),
        ]),
        Line::raw(""),
    ];
    for (keys, help) in entries {
        // Padded by display width: `{:<w$}` would count characters.
        let pad = " ".repeat(key_width.saturating_sub(keys.width()));
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys}{pad}"), theme.hint_key()),
            Span::raw("   "),
            Span::raw(help),
        ]));
    }
    let page = layout::bordered_inner(outer).height;
    let block = Block::bordered()
        .border_set(theme.glyphs().rounded)
        .border_style(theme.border(true))
        .title(Span::styled(format!(" {} ", tr!("tui-help-title")), theme.title()))
        .title_bottom(Line::raw(more_below(scroll, layout::help_line_count(screen, area), page)).right_aligned());
    let buf = frame.buffer_mut();
    overlay_backdrop(buf, area);
    Paragraph::new(lines)
        .block(block)
        .scroll((scroll, 0))
        .render(outer, buf);
}
