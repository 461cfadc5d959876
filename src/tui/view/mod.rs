//! Rendering only: every function here reads the app state and draws; none
//! changes state. One file per screen or dialog.

pub mod actions_menu;
pub mod agreement;
pub mod create_dialog;
pub mod delete_dialog;
pub mod help;
pub mod main_view;
pub mod rename_dialog;
pub mod secret_dialog;
#[cfg(test)]
mod snapshot_tests;
pub mod status_bar;
pub mod theme;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget, Wrap};
use unicode_width::UnicodeWidthStr;

use super::app::{App, Dialog, Overlay};
pub use crate::display::{format_instant as format_time, offset_label};
pub use theme::Theme;

/// Below this size the app shows "terminal too small" instead of its screens.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

/// Columns taken by a formatted time.
pub const TIME_WIDTH: usize = 19;

pub fn too_small(width: u16, height: u16) -> bool {
    width < MIN_WIDTH || height < MIN_HEIGHT
}

/// Draws the whole app.
pub fn render(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    if too_small(area.width, area.height) {
        frame.render_widget(&TooSmall { area }, area);
        return;
    }
    main_view::render(frame, area, app, theme);
    match &app.dialog {
        None => {}
        Some(Dialog::Actions(menu)) => actions_menu::render(frame, area, menu, app, theme),
        Some(Dialog::Create(d)) => create_dialog::render(frame, area, d, theme),
        Some(Dialog::Secret(d)) => secret_dialog::render(frame, area, d, theme),
        Some(Dialog::Rename(d)) => rename_dialog::render(frame, area, d, theme),
        Some(Dialog::Delete(d)) => delete_dialog::render(frame, area, d, app, theme),
    }
    match app.overlay {
        None => {}
        Some(Overlay::Help { screen, scroll }) => help::render(frame, area, screen, scroll, theme),
        Some(Overlay::Agreement { scroll }) => agreement::render(frame, area, scroll, theme),
    }
}

/// The largest scroll position and the page size of `overlay` at `size`, so
/// the update function can keep scrolling in range.
pub fn overlay_scroll_limits(overlay: Option<Overlay>, size: (u16, u16)) -> (u16, u16) {
    let area = Rect::new(0, 0, size.0, size.1);
    let (lines, box_area) = match overlay {
        None => return (0, 1),
        Some(Overlay::Help { screen, .. }) => {
            let area = help::box_area(area, screen);
            (help::line_count(screen), area)
        }
        Some(Overlay::Agreement { .. }) => {
            let area = agreement::box_area(area);
            (agreement::line_count(area), area)
        }
    };
    let page = overlay_inner(box_area).height.max(1);
    (lines.saturating_sub(page), page)
}

/// A centred dialog of the given outer size (clamped to `area`), cleared and
/// framed. Returns the inner area, with one column of padding on each side.
pub fn dialog(buf: &mut Buffer, area: Rect, width: u16, height: u16, title: &str, theme: &Theme) -> Rect {
    let outer = area.centered(
        Constraint::Length(width.min(area.width)),
        Constraint::Length(height.min(area.height)),
    );
    // A blank column either side, so what is underneath does not run into
    // the border.
    let margin = Rect {
        x: outer.x.saturating_sub(1),
        width: outer.width + 2,
        ..outer
    }
    .intersection(area);
    Clear.render(margin, buf);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border(true))
        .title(Span::styled(format!(" {title} "), theme.title()));
    let inner = block.inner(outer);
    block.render(outer, buf);
    Rect {
        x: inner.x.saturating_add(1),
        width: inner.width.saturating_sub(2),
        ..inner
    }
}

/// The area inside an overlay's frame (no padding).
pub fn overlay_inner(outer: Rect) -> Rect {
    Block::bordered().inner(outer)
}

/// Where an overlay may draw: everything but the hints line, which keeps
/// showing the overlay's keys. Clears it, so nothing underneath shows.
pub fn overlay_backdrop(buf: &mut Buffer, area: Rect) -> Rect {
    let backdrop = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    Clear.render(backdrop, buf);
    backdrop
}

/// "↓ more" while there is more below, for an overlay's bottom border.
pub fn more_below(scroll: u16, lines: u16, page: u16) -> &'static str {
    if scroll.saturating_add(page) < lines {
        " ↓ more "
    } else {
        ""
    }
}

/// `text` wrapped to `width` after a `marker` (e.g. "✗ "), continuation
/// lines indented to line up after the marker.
pub fn wrap_marked(marker: &str, text: &str, width: usize) -> Vec<String> {
    let indent = marker.width();
    wrap(text, width.saturating_sub(indent))
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            if i == 0 {
                format!("{marker}{line}")
            } else {
                format!("{:indent$}{line}", "")
            }
        })
        .collect()
}

/// Greedy word wrap to `width` columns; words longer than a line are cut.
/// Paragraph breaks (`\n`) are kept; the result borrows nothing.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut line_width = 0;
        for word in paragraph.split(' ') {
            let word_width = word.width();
            if line_width > 0 && line_width + 1 + word_width > width {
                lines.push(std::mem::take(&mut line));
                line_width = 0;
            }
            if line_width > 0 {
                line.push(' ');
                line_width += 1;
            }
            if word_width > width - line_width {
                // A single overlong word: hard-cut it.
                for c in word.chars() {
                    let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                    if line_width + w > width {
                        lines.push(std::mem::take(&mut line));
                        line_width = 0;
                    }
                    line.push(c);
                    line_width += w;
                }
            } else {
                line.push_str(word);
                line_width += word_width;
            }
        }
        lines.push(line);
    }
    lines
}

/// A row of buttons, centred; the focused one is reversed and marked
/// `> label <`, the others are `[ label ]`, so focus shows without colour.
pub fn buttons(buf: &mut Buffer, area: Rect, items: &[(&str, bool, Style)]) {
    let spans: Vec<Span> = items
        .iter()
        .enumerate()
        .flat_map(|(i, &(label, focused, style))| {
            let text = if focused {
                format!("> {label} <")
            } else {
                format!("[ {label} ]")
            };
            let gap = if i == 0 { "" } else { "   " };
            [Span::raw(gap), Span::styled(text, style)]
        })
        .collect();
    Line::from(spans).centered().render(area, buf);
}

/// One-line "label  value" rows for detail blocks.
pub fn detail_line<'a>(label: &'a str, value: impl Into<std::borrow::Cow<'a, str>>, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<13}"), theme.dim()),
        Span::raw(value.into()),
    ])
}

/// Shown instead of everything else when the terminal is below the minimum.
pub struct TooSmall {
    pub area: Rect,
}

impl Widget for &TooSmall {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let text = vec![
            Line::from("terminal too small").centered(),
            Line::from(format!(
                "{}×{} — need {MIN_WIDTH}×{MIN_HEIGHT}",
                self.area.width, self.area.height
            ))
            .centered(),
            Line::from("enlarge it, or Ctrl-C to quit").centered(),
        ];
        let height = 3.min(area.height);
        let top = area.y + area.height.saturating_sub(height) / 2;
        Paragraph::new(text).wrap(Wrap { trim: true }).render(
            Rect {
                y: top,
                height: area.height - (top - area.y),
                ..area
            },
            buf,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_and_paragraphs() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("a\n\nb", 5), ["a", "", "b"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap_marked("✗ ", "one two three", 9), ["✗ one two", "  three"]);
    }
}
