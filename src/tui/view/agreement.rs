//! A scrollable viewer for the agreement shipped in `assets/` (one file per
//! language, see [`crate::agreement`]).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::{Theme, more_below, overlay_backdrop};
use crate::tui::layout;

pub fn render(frame: &mut Frame, area: Rect, scroll: u16, theme: &Theme) {
    let outer = layout::agreement_box(area);
    let text: Vec<Line> = layout::agreement_lines(outer)
        .into_iter()
        .map(|l| Line::raw(format!(" {l}")))
        .collect();
    let total = text.len();
    let page = layout::bordered_inner(outer).height as usize;
    let position = if total <= page {
        String::new()
    } else {
        format!(
            " {}%{}",
            ((scroll as usize + page).min(total) * 100) / total,
            more_below(scroll, total as u16, page as u16)
        )
    };
    let block = Block::bordered()
        .border_set(theme.glyphs().rounded)
        .border_style(theme.border(true))
        .title(Span::styled(
            format!(" {} ", tr!("dialog-agreement-title")),
            theme.title(),
        ))
        .title_bottom(Line::raw(format!("{position} ")).right_aligned());
    let buf = frame.buffer_mut();
    overlay_backdrop(buf, area);
    Paragraph::new(text).block(block).scroll((scroll, 0)).render(outer, buf);
}
