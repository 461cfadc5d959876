//! Where everything goes on screen, computed from the terminal size alone.
//!
//! Pure geometry, no drawing and no app state: the view draws into these
//! rectangles, and the state and update function take their page sizes and
//! scroll limits from the same functions, so what is drawn and what scrolling
//! assumes cannot drift apart.

use ratatui::layout::{Constraint, Layout, Margin, Rect};

use super::keymap::{self, Screen};
use super::text::reflow;
use unicode_width::UnicodeWidthStr;

/// Below this size the app shows "terminal too small" instead of its screens.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

/// Lines of the help overlay before the keys: a heading and a blank line.
pub const HELP_HEADING_LINES: u16 = 2;

/// Whether a terminal of `(width, height)` is below the minimum size.
pub fn too_small((width, height): (u16, u16)) -> bool {
    width < MIN_WIDTH || height < MIN_HEIGHT
}

/// The whole terminal.
pub fn screen((width, height): (u16, u16)) -> Rect {
    Rect::new(0, 0, width, height)
}

/// The key list's lines, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MainAreas {
    pub title: Rect,
    /// The table: one header row, then the keys.
    pub table: Rect,
    /// The selected key in full.
    pub selected: Rect,
    /// The filter on the left, the clean-up legend on the right.
    pub info: Rect,
    pub status: Rect,
    pub hints: Rect,
    /// The selected key's details and usage, when shown.
    pub details: Option<Rect>,
}

/// From this size the details pane is beside the table unless `i` hides it.
pub const DETAILS_BESIDE_MIN: (u16, u16) = (120, 20);
/// The details pane's width beside the table, and its height below it
/// (its border's two rows and the nine lines of a rotating key with an expiry).
pub const DETAILS_WIDTH: u16 = 42;
pub const DETAILS_HEIGHT: u16 = 11;
/// Table rows (with its header) that must remain for the pane to go below.
const TABLE_MIN_BESIDE_DETAILS: u16 = 4;

/// Where the details pane goes in a terminal of `size`, given the user's
/// choice (`show`, from `i`; `None` until pressed: shown when wide).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailsPlace {
    Beside,
    Below,
    Hidden,
}

pub fn details_place(size: (u16, u16), show: Option<bool>) -> DetailsPlace {
    let (_, height) = size;
    let wide = details_shown_by_default(size);
    // Title, selected line, info, status and hints: five lines of chrome.
    let room_below = height.saturating_sub(5) >= DETAILS_HEIGHT + TABLE_MIN_BESIDE_DETAILS;
    // `i` is one preference, "show details"; the size only decides where.
    match (show.unwrap_or(wide), wide) {
        (false, _) => DetailsPlace::Hidden,
        (true, true) => DetailsPlace::Beside,
        (true, false) if room_below => DetailsPlace::Below,
        (true, false) => DetailsPlace::Hidden,
    }
}

/// Whether a terminal of `size` shows the details pane before `i` is pressed:
/// when it fits beside the table.
pub fn details_shown_by_default((width, height): (u16, u16)) -> bool {
    width >= DETAILS_BESIDE_MIN.0 && height >= DETAILS_BESIDE_MIN.1
}

impl MainAreas {
    /// The key list with the details pane placed for `area`'s size.
    pub fn with_details(area: Rect, show: Option<bool>) -> Self {
        let mut areas = MainAreas::new(area);
        match details_place((area.width, area.height), show) {
            DetailsPlace::Beside => {
                let [table, details] = areas.table.layout(&Layout::horizontal([
                    Constraint::Min(1),
                    Constraint::Length(DETAILS_WIDTH),
                ]));
                areas.table = table;
                areas.details = Some(details);
            }
            DetailsPlace::Below => {
                let [table, details] = areas.table.layout(&Layout::vertical([
                    Constraint::Min(1),
                    Constraint::Length(DETAILS_HEIGHT),
                ]));
                areas.table = table;
                areas.details = Some(details);
            }
            DetailsPlace::Hidden => {}
        }
        areas
    }

    pub fn new(area: Rect) -> Self {
        let [title, table, selected, info, status, hints] = area.layout(&Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ]));
        MainAreas {
            title,
            table,
            selected,
            info,
            status,
            hints,
            details: None,
        }
    }

    /// Rows of keys the table shows: its height less the header.
    pub fn table_rows(&self) -> usize {
        self.table.height.saturating_sub(1) as usize
    }
}

/// The log screen's lines: title, entries (two lines each), filter, status, hints.
pub fn log_areas(area: Rect) -> [Rect; 5] {
    area.layout(&Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ]))
}

/// Log entries on one page of a terminal of `size` (each takes two lines).
pub fn log_entries_per_page(size: (u16, u16)) -> usize {
    (log_areas(screen(size))[1].height / 2).max(1) as usize
}

/// Rows of keys the table shows in a terminal of `size` without the
/// details pane: a page.
#[cfg(test)]
pub fn table_rows(size: (u16, u16)) -> usize {
    MainAreas::new(screen(size)).table_rows()
}

/// [`table_rows`] with the details pane placed as `show` says.
pub fn table_rows_with_details(size: (u16, u16), show: Option<bool>) -> usize {
    MainAreas::with_details(screen(size), show).table_rows()
}

/// The clean-up view's lines: title, candidates (a header, then one per key),
/// what is marked, status, hints.
pub fn cleanup_areas(area: Rect) -> [Rect; 5] {
    log_areas(area)
}

/// Candidates on one page of the clean-up view.
pub fn cleanup_rows_per_page(size: (u16, u16)) -> usize {
    (cleanup_areas(screen(size))[1].height.saturating_sub(1)).max(1) as usize
}

/// Where an overlay may draw: everything but the hints line, which keeps
/// showing the overlay's keys.
pub fn overlay_backdrop(area: Rect) -> Rect {
    Rect {
        height: area.height.saturating_sub(1),
        ..area
    }
}

/// The area inside an overlay's (or dialog's) one-cell border.
pub fn bordered_inner(outer: Rect) -> Rect {
    outer.inner(Margin::new(1, 1))
}

/// Lines of the help overlay for `screen`: the heading, then one per binding.
pub fn help_line_count(screen: Screen, area: Rect) -> u16 {
    help_rows(screen, help_width(area)).1.len() as u16 + HELP_HEADING_LINES
}

/// The help overlay's outer width in the whole terminal `area`.
fn help_width(area: Rect) -> u16 {
    area.width.saturating_sub(4).min(76)
}

/// The help overlay's key lines in a frame `width` wide: the widest keys'
/// columns, and (keys, one line of help) per row, each help text wrapped
/// under itself so a narrow terminal cuts nothing (keys empty on a
/// continuation row).
pub fn help_rows(screen: Screen, width: u16) -> (usize, Vec<(String, String)>) {
    let entries: Vec<(String, String)> = keymap::help_lines(screen).collect();
    let key_width = entries.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
    // Borders, the two columns before the keys, three after them, and one
    // blank before the right border.
    let text_width = (width as usize).saturating_sub(2 + 2 + key_width + 3 + 1);
    let mut rows = Vec::new();
    for (keys, help) in entries {
        for (i, line) in crate::tui::text::wrap(&help, text_width).into_iter().enumerate() {
            let keys = if i == 0 { keys.clone() } else { String::new() };
            rows.push((keys, line));
        }
    }
    (key_width, rows)
}

/// The help overlay's frame within the whole terminal `area`.
pub fn help_box(area: Rect, screen: Screen) -> Rect {
    let backdrop = overlay_backdrop(area);
    backdrop.centered(
        Constraint::Length(help_width(area)),
        Constraint::Length((help_line_count(screen, area) + 2).min(backdrop.height)),
    )
}

/// The agreement viewer's frame within the whole terminal `area`.
pub fn agreement_box(area: Rect) -> Rect {
    let backdrop = overlay_backdrop(area);
    backdrop.centered(
        Constraint::Length(area.width.saturating_sub(4).min(78)),
        Constraint::Length(backdrop.height),
    )
}

/// The agreement re-wrapped to the viewer's frame `outer` (one column of
/// padding either side).
pub fn agreement_lines(outer: Rect) -> Vec<String> {
    reflow(
        crate::agreement::text(),
        bordered_inner(outer).width.saturating_sub(2) as usize,
    )
}

/// The largest scroll position and the page size of the help overlay for
/// `screen` in a terminal of `size`.
pub fn help_scroll_limits(size: (u16, u16), screen: Screen) -> (u16, u16) {
    let area = self::screen(size);
    scroll_limits(help_line_count(screen, area), help_box(area, screen))
}

/// The largest scroll position and the page size of the agreement viewer in a
/// terminal of `size`.
pub fn agreement_scroll_limits(size: (u16, u16)) -> (u16, u16) {
    let outer = agreement_box(screen(size));
    scroll_limits(agreement_lines(outer).len() as u16, outer)
}

fn scroll_limits(lines: u16, outer: Rect) -> (u16, u16) {
    let page = bordered_inner(outer).height.max(1);
    (lines.saturating_sub(page), page)
}

/// A centred dialog frame of `width`×`height`, clamped to `area`.
pub fn dialog_box(area: Rect, width: u16, height: u16) -> Rect {
    area.centered(
        Constraint::Length(width.min(area.width)),
        Constraint::Length(height.min(area.height)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_gets_every_row_but_the_six_lines_of_chrome() {
        // Title, table header, selected key, filter/legend, status, hints.
        assert_eq!(table_rows((80, 24)), 18);
        assert_eq!(table_rows((60, MIN_HEIGHT)), 9);
        let areas = MainAreas::new(screen((80, 24)));
        assert_eq!(areas.hints.y, 23);
        assert_eq!(areas.table.y, 1);
    }

    #[test]
    fn the_details_pane_is_beside_when_wide_and_below_only_when_asked() {
        assert_eq!(details_place((120, 40), None), DetailsPlace::Beside);
        assert_eq!(details_place((120, 40), Some(false)), DetailsPlace::Hidden);
        assert_eq!(details_place((80, 24), None), DetailsPlace::Hidden);
        assert_eq!(details_place((80, 24), Some(true)), DetailsPlace::Below);
        assert_eq!(details_place((60, 15), Some(true)), DetailsPlace::Hidden, "no room");
        let areas = MainAreas::with_details(screen((80, 24)), Some(true));
        assert_eq!(areas.details.unwrap().height, DETAILS_HEIGHT);
        assert_eq!(areas.table_rows(), 18 - DETAILS_HEIGHT as usize);
        assert_eq!(table_rows_with_details((120, 40), Some(false)), table_rows((120, 40)));
        let wide = MainAreas::with_details(screen((120, 40)), None);
        assert_eq!(wide.table.width + DETAILS_WIDTH, 120);
    }

    #[test]
    fn hiding_the_details_pane_holds_whatever_the_size() {
        for size in [(120, 40), (80, 24), (60, 15)] {
            assert_eq!(details_place(size, Some(false)), DetailsPlace::Hidden, "{size:?}");
        }
        assert_eq!(details_place((120, 40), Some(true)), DetailsPlace::Beside);
    }

    #[test]
    fn too_small_is_below_either_minimum() {
        assert!(!too_small((MIN_WIDTH, MIN_HEIGHT)));
        assert!(too_small((MIN_WIDTH - 1, 40)));
        assert!(too_small((200, MIN_HEIGHT - 1)));
    }

    #[test]
    fn help_scrolls_only_as_far_as_its_last_line() {
        let lines = help_line_count(Screen::Main, screen((80, 15)));
        // Tall enough: no scrolling.
        assert_eq!(help_scroll_limits((80, 60), Screen::Main).0, 0);
        // 15 rows: the backdrop is 14, the box's inside 12.
        let (max, page) = help_scroll_limits((80, 15), Screen::Main);
        assert_eq!(page, 12);
        assert_eq!(max, lines - 12);
    }

    #[test]
    fn the_agreement_page_is_the_viewer_s_inside() {
        let (max, page) = agreement_scroll_limits((80, 24));
        assert_eq!(page, 24 - 1 - 2);
        assert_eq!(
            max as usize,
            agreement_lines(agreement_box(screen((80, 24)))).len() - page as usize
        );
    }
}
