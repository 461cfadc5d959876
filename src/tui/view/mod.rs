//! Rendering only: every function here reads the app state and draws; none
//! changes state. One file per screen or dialog.

pub mod actions_menu;
pub mod agreement;
#[cfg(test)]
mod ascii_snapshot_tests;
pub mod cleanup_view;
pub mod create_dialog;
pub mod delete_dialog;
pub mod details_pane;
pub mod disable_dialog;
pub mod expiry_dialog;
pub mod expiry_field;
pub mod glyphs;
pub mod help;
#[cfg(test)]
mod lifecycle_snapshot_tests;
pub mod log_view;
pub mod main_view;
pub mod name_field;
pub mod parts;
pub mod policy_dialog;
pub mod rename_dialog;
pub mod rotate_dialog;
pub mod secret_dialog;
#[cfg(test)]
mod snapshot_tests;
pub mod status_bar;
#[cfg(test)]
mod table_snapshot_tests;
pub mod theme;
#[cfg(test)]
mod zh_dialog_snapshot_tests;
#[cfg(test)]
mod zh_main_snapshot_tests;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};
use unicode_width::UnicodeWidthStr;

use super::app::{App, Dialog, Overlay};
use super::keymap::{self, Screen};
use super::layout::{self, MIN_HEIGHT, MIN_WIDTH};
use super::mouse::{HitMap, Target};
pub use super::text::{wrap, wrap_marked};
pub use crate::display::{format_instant as format_time, offset_label};
pub use glyphs::Glyphs;
pub use theme::Theme;

/// Columns taken by a formatted time.
pub const TIME_WIDTH: usize = 19;

/// Draws the whole app, and says where it drew what a click can act on.
pub fn render(frame: &mut Frame, app: &App, theme: &Theme) -> HitMap {
    let mut hits = HitMap::default();
    let area = frame.area();
    if layout::too_small((area.width, area.height)) {
        let too_small = TooSmall {
            area,
            ignored_keys: app.ignored_keys,
        };
        frame.render_widget(&too_small, area);
        return hits;
    }
    main_view::render(frame, area, app, theme, &mut hits);
    if app.log.is_some() || app.cleanup.is_some() || app.dialog.is_some() || app.overlay.is_some() {
        // Modal, for the mouse as for the keys.
        hits.clear();
    }
    if let Some(log) = &app.log {
        log_view::render(frame, area, app, log, theme);
    }
    if let Some(cleanup) = &app.cleanup {
        cleanup_view::render(frame, area, app, cleanup, theme, &mut hits);
    }
    match &app.dialog {
        None => {}
        Some(Dialog::Actions(menu)) => actions_menu::render(frame, area, menu, app, theme, &mut hits),
        Some(Dialog::Create(d)) => create_dialog::render(frame, area, d, app, theme, &mut hits),
        Some(Dialog::Secret(d)) => secret_dialog::render(frame, area, d, app, theme),
        Some(Dialog::Rename(d)) => rename_dialog::render(frame, area, d, &app.records, theme, &mut hits),
        Some(Dialog::Delete(d)) => delete_dialog::render(frame, area, d, app, theme, &mut hits),
        Some(Dialog::Rotate(d)) => rotate_dialog::render(frame, area, d, app, theme, &mut hits),
        Some(Dialog::Expiry(d)) => expiry_dialog::render(frame, area, d, app, theme, &mut hits),
        Some(Dialog::Disable(d)) => disable_dialog::render(frame, area, d, app, theme, &mut hits),
        Some(Dialog::Policy(d)) => policy_dialog::render(frame, area, d, theme, &mut hits),
    }
    match app.overlay {
        None => {}
        Some(Overlay::Help { screen, scroll }) => help::render(frame, area, screen, scroll, theme),
        Some(Overlay::Agreement { scroll }) => agreement::render(frame, area, scroll, theme),
    }
    if app.overlay.is_some() {
        hits.clear();
    }
    hits
}

/// A centred dialog of the given outer size (clamped to `area`), cleared and
/// framed. Returns the inner area, with one column of padding on each side.
pub fn dialog(buf: &mut Buffer, area: Rect, width: u16, height: u16, title: &str, theme: &Theme) -> Rect {
    let outer = layout::dialog_box(area, width, height);
    // A blank column either side, so what is underneath does not run into
    // the border.
    let margin = Rect {
        x: outer.x.saturating_sub(1),
        width: outer.width + 2,
        ..outer
    }
    .intersection(area);
    Clear.render(margin, buf);
    blank_cut_wide_chars(buf, margin);
    let block = Block::bordered()
        .border_set(theme.glyphs().rounded)
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

/// Blanks a two-column character (Chinese) just left of `cleared` whose
/// right half was cleared with it: the terminal would draw it whole, across
/// what was drawn there, leaving half a character beside a dialog's border.
fn blank_cut_wide_chars(buf: &mut Buffer, cleared: Rect) {
    let Some(x) = cleared.x.checked_sub(1) else {
        return;
    };
    for y in cleared.top()..cleared.bottom() {
        if let Some(cell) = buf.cell_mut((x, y))
            && cell.symbol().width() > 1
        {
            cell.set_symbol(" ");
        }
    }
}

/// Where an overlay may draw: everything but the hints line, which keeps
/// showing the overlay's keys. Clears it, so nothing underneath shows.
pub fn overlay_backdrop(buf: &mut Buffer, area: Rect) -> Rect {
    let backdrop = layout::overlay_backdrop(area);
    Clear.render(backdrop, buf);
    backdrop
}

/// "↓ more" while there is more below, for an overlay's bottom border.
pub fn more_below(scroll: u16, lines: u16, page: u16) -> String {
    if scroll.saturating_add(page) < lines {
        format!(" {} ", tr!("tui-more-below"))
    } else {
        String::new()
    }
}

/// A row of buttons, centred; the focused one is reversed and marked
/// `> label <`, the others are `[ label ]`, so focus shows without colour.
/// Returns where each button was drawn, for clicks.
pub fn buttons(buf: &mut Buffer, area: Rect, items: &[(&str, bool, Style)]) -> Vec<Rect> {
    const GAP: &str = "   ";
    let texts: Vec<String> = items
        .iter()
        .map(|&(label, focused, _)| match focused {
            true => format!("> {label} <"),
            false => format!("[ {label} ]"),
        })
        .collect();
    let spans: Vec<Span> = texts
        .iter()
        .zip(items)
        .enumerate()
        .flat_map(|(i, (text, &(_, _, style)))| {
            let gap = if i == 0 { "" } else { GAP };
            [Span::raw(gap), Span::styled(text.as_str(), style)]
        })
        .collect();
    let line = Line::from(spans).centered();
    // Where `centered` puts the line: half the spare columns before it.
    let mut x = area.x + area.width.saturating_sub(line.width() as u16) / 2;
    line.render(area, buf);
    texts
        .iter()
        .map(|text| {
            let width = text.width() as u16;
            let rect = Rect::new(x, area.y, width, 1).intersection(area);
            x = x.saturating_add(width + GAP.len() as u16);
            rect
        })
        .collect()
}

/// A dialog's own line of keys: every key of each hint (`Enter/Esc close`),
/// with `reword` to say a hint otherwise for the dialog's state (`None`: the
/// hint's own text).
pub fn dialog_hints(screen: Screen, reword: impl Fn(&keymap::Hint) -> Option<String>, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for hint in keymap::hints(screen) {
        if !spans.is_empty() {
            spans.push(Span::raw("    "));
        }
        spans.push(Span::styled(hint.all_keys(), theme.hint_key()));
        let text = reword(&hint).unwrap_or(hint.text);
        spans.push(Span::raw(format!(" {text}")));
    }
    Line::from(spans)
}

/// Makes each key of a [`dialog_hints`] line drawn in `row` clickable, as
/// [`Target::Press`] of its action. Reads the drawn spans themselves (a
/// hint's keys, then its text, hints apart by a gap), so the click areas are
/// where the hints are whatever their language.
pub fn hint_hits(row: Rect, line: &Line, screen: Screen, hits: &mut HitMap) {
    let mut x = row.x;
    let mut spans = line.spans.iter();
    for (i, action) in keymap::hint_actions(screen).enumerate() {
        if i > 0 {
            let gap = spans.next().map_or(0, Span::width);
            x = x.saturating_add(gap as u16);
        }
        let (Some(keys), Some(text)) = (spans.next(), spans.next()) else {
            break;
        };
        let width = (keys.width() + text.width()) as u16;
        hits.add(Rect::new(x, row.y, width, 1).intersection(row), Target::Press(action));
        x = x.saturating_add(width);
    }
}

/// Lays rows out downwards from the top of `area`; rows past its bottom are
/// dropped, so a dialog cut short by a small terminal never draws outside.
pub struct Rows {
    area: Rect,
    y: u16,
}

impl Rows {
    pub fn new(area: Rect) -> Self {
        Rows { area, y: area.y }
    }

    /// The next `height` rows (cut to the area), moving past them.
    pub fn take(&mut self, height: u16) -> Rect {
        let rect = Rect::new(self.area.x, self.y, self.area.width, height).intersection(self.area);
        self.y = self.y.saturating_add(height);
        rect
    }

    pub fn line(&mut self, buf: &mut Buffer, line: Line) {
        let row = self.take(1);
        if !row.is_empty() {
            line.render(row, buf);
        }
    }

    pub fn skip(&mut self, rows: u16) {
        self.y = self.y.saturating_add(rows);
    }
}

/// One-line "label  value" rows for detail blocks.
pub fn detail_line<'a>(label: &str, value: impl Into<std::borrow::Cow<'a, str>>, theme: &Theme) -> Line<'a> {
    // Padded by display width: `{:<13}` counts characters, and a Chinese
    // label's are two columns wide.
    let pad = " ".repeat(13usize.saturating_sub(label.width()));
    Line::from(vec![
        Span::styled(format!("{label}{pad}"), theme.dim()),
        Span::raw(value.into()),
    ])
}

/// `text` and spaces up to `width` columns (a Chinese character takes two;
/// `{:<w$}` would count it as one), at least one space when it is that wide
/// or wider, so a label never runs into its value.
pub fn pad(text: &str, width: usize) -> String {
    crate::display::text::pad(text, width.max(text.width() + 1))
}

/// Shown instead of everything else when the terminal is below the minimum.
pub struct TooSmall {
    pub area: Rect,
    /// Whether to say that keys pressed meanwhile were ignored.
    pub ignored_keys: bool,
}

impl Widget for &TooSmall {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let size = |(width, height): (u16, u16)| format!("{width}×{height}");
        let mut text = vec![
            Line::from(tr!("tui-too-small")).centered(),
            Line::from(tr!(
                "tui-too-small-size",
                size = size((self.area.width, self.area.height)),
                need = size((MIN_WIDTH, MIN_HEIGHT))
            ))
            .centered(),
            Line::from(tr!(
                "tui-too-small-quit",
                key = keymap::global_key_name(keymap::Action::Quit).into_owned()
            ))
            .centered(),
        ];
        if self.ignored_keys {
            text.push(Line::from(tr!("tui-too-small-keys-ignored")).centered());
        }
        let height = (text.len() as u16).min(area.height);
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
