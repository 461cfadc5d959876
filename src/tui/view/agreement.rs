//! A scrollable viewer for the agreement shipped in `assets/agreement.txt`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget};

use super::{Theme, more_below, overlay_backdrop, overlay_inner, wrap};

use crate::agreement::TEXT as AGREEMENT;

/// The viewer's frame within the whole terminal `area` (the last row stays
/// free for the hints).
pub fn box_area(area: Rect) -> Rect {
    let backdrop = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    backdrop.centered(
        Constraint::Length(area.width.saturating_sub(4).min(78)),
        Constraint::Length(backdrop.height),
    )
}

fn lines_for(outer: Rect) -> Vec<String> {
    let inner = overlay_inner(outer);
    reflow(AGREEMENT, inner.width.saturating_sub(2) as usize)
}

/// Re-wraps hard-wrapped text to `width`: paragraphs are separated by blank
/// lines, and a paragraph's continuation lines keep the indentation of its
/// second line (the hanging indent of a numbered item).
pub fn reflow(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.trim_end().split("\n\n") {
        let lines: Vec<&str> = paragraph.lines().collect();
        let indent = lines.get(1).map_or(0, |l| l.len() - l.trim_start().len());
        let joined = lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
        let first_indent = lines.first().map_or(0, |l| l.len() - l.trim_start().len());
        let body_width = width.saturating_sub(indent.max(first_indent)).max(10);
        for (i, line) in wrap(&joined, body_width).into_iter().enumerate() {
            let pad = if i == 0 { first_indent } else { indent };
            out.push(format!("{:pad$}{line}", ""));
        }
        out.push(String::new());
    }
    out.pop();
    out
}

pub fn line_count(outer: Rect) -> u16 {
    lines_for(outer).len() as u16
}

pub fn render(frame: &mut Frame, area: Rect, scroll: u16, theme: &Theme) {
    let outer = box_area(area);
    let text: Vec<Line> = lines_for(outer)
        .into_iter()
        .map(|l| Line::raw(format!(" {l}")))
        .collect();
    let total = text.len();
    let page = overlay_inner(outer).height as usize;
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
        .border_type(BorderType::Rounded)
        .border_style(theme.border(true))
        .title(Span::styled(" API key usage agreement ", theme.title()))
        .title_bottom(Line::raw(format!("{position} ")).right_aligned());
    let buf = frame.buffer_mut();
    overlay_backdrop(buf, area);
    Paragraph::new(text).block(block).scroll((scroll, 0)).render(outer, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflow_keeps_hanging_indents_and_paragraphs() {
        let text = "TITLE\n\n1. Keep the key\n   secret always.\n\nEnd.\n";
        assert_eq!(
            reflow(text, 14),
            ["TITLE", "", "1. Keep the", "   key secret", "   always.", "", "End."]
        );
        assert_eq!(
            reflow(text, 80),
            ["TITLE", "", "1. Keep the key secret always.", "", "End."]
        );
    }
}
