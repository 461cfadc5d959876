//! The key list: title, table (only the visible window of rows is built),
//! filter and legend line, status and hints.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Widget};
use unicode_width::UnicodeWidthStr;

use super::{TIME_WIDTH, Theme, format_time, offset_label, status_bar};
use crate::domain::KeyRecord;
use crate::tui::app::{App, Flag, flag_of};
use crate::tui::layout::MainAreas;
use crate::tui::sanitize;

const ID_FULL: u16 = 19;
const ID_MIN: u16 = 7;
const KEY_WIDTH: u16 = 15;
/// Selection marker and clean-up flag before each name.
const NAME_PREFIX: u16 = 2;
const NAME_MIN: u16 = NAME_PREFIX + 6;
const SPACING: u16 = 1;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let areas = MainAreas::new(area);
    render_title(frame, areas.title, app, theme);
    render_table(frame, &areas, app, theme);
    render_selected(frame, areas.selected, app, theme);
    render_info(frame, areas.info, app, theme);
    status_bar::render_status(frame.buffer_mut(), areas.status, app, theme);
    status_bar::render_hints(frame.buffer_mut(), areas.hints, app.screen(), theme);
}

fn render_title(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let total = app.records.len();
    let mut left = vec![
        Span::styled(" keydesk", theme.title()),
        Span::raw(" · "),
        Span::raw(match total {
            1 => "1 key".to_owned(),
            n => format!("{n} keys"),
        }),
    ];
    if app.has_filter() {
        left.push(Span::raw(format!(" · {} shown", app.view().len())));
    }
    let arrow = if app.descending { "↓" } else { "↑" };
    let right = Line::from(vec![
        Span::styled("sorted by ", theme.dim()),
        Span::raw(format!("{} {arrow} ", app.sort.label())),
    ]);
    let left = Line::from(left);
    let buf = frame.buffer_mut();
    if left.width() + right.width() + 2 <= area.width as usize {
        right.right_aligned().render(area, buf);
    }
    left.render(area, buf);
}

/// Column widths for a table `width` columns wide.
#[derive(Debug, PartialEq, Eq)]
struct Columns {
    name: u16,
    id: u16,
    created: Option<u16>,
    last_used: Option<u16>,
}

fn columns(width: u16, name_need: u16, created_header: u16, used_header: u16) -> Columns {
    let created = created_header.max(TIME_WIDTH as u16);
    let used = used_header.max(TIME_WIDTH as u16);
    let mut show_created = true;
    let mut show_used = true;
    let avail = loop {
        let shown = 3 + u16::from(show_created) + u16::from(show_used);
        let fixed = KEY_WIDTH
            + if show_created { created } else { 0 }
            + if show_used { used } else { 0 }
            + SPACING * (shown - 1);
        let avail = width.saturating_sub(fixed);
        if avail >= NAME_MIN + ID_MIN || !show_used {
            break avail;
        }
        // Drop the least important columns first when narrow.
        if show_created {
            show_created = false;
        } else {
            show_used = false;
        }
    };
    let name_need = name_need.max(NAME_MIN);
    let id = if avail >= name_need + ID_FULL {
        ID_FULL
    } else {
        avail.saturating_sub(name_need).clamp(ID_MIN, ID_FULL)
    };
    Columns {
        name: avail.saturating_sub(id),
        id,
        created: show_created.then_some(created),
        last_used: show_used.then_some(used),
    }
}

fn render_table(frame: &mut Frame, areas: &MainAreas, app: &App, theme: &Theme) {
    let area = areas.table;
    let rows_area_height = areas.table_rows();
    let len = app.view().len();
    // The window of rows on screen; kept around the selection even if the
    // state's idea of the page size is stale.
    let mut scroll = app.scroll.min(len.saturating_sub(1));
    if app.selected >= scroll + rows_area_height {
        scroll = app.selected + 1 - rows_area_height;
    }
    if app.selected < scroll {
        scroll = app.selected;
    }
    let end = (scroll + rows_area_height).min(len);
    let window = &app.view()[scroll..end];

    let offset = offset_label(app.utc_offset);
    // The sort order is in the title, so headers keep their width.
    let name_h = "Name";
    let id_h = "ID";
    let created_h = format!("Created At ({offset})");
    let used_h = format!("Last Used ({offset})");

    let name_need = window
        .iter()
        .map(|&i| sanitize::sanitize(&app.records[i].name).width())
        .max()
        .unwrap_or(0)
        .max(name_h.width()) as u16
        + NAME_PREFIX;
    let cols = columns(area.width, name_need, created_h.width() as u16, used_h.width() as u16);

    let mut widths = vec![
        Constraint::Length(cols.name),
        Constraint::Length(cols.id),
        Constraint::Length(KEY_WIDTH),
    ];
    let mut header = vec![
        Cell::from(format!("{:width$}{name_h}", "", width = NAME_PREFIX as usize)),
        Cell::from(id_h),
        Cell::from("API Key"),
    ];
    if let Some(w) = cols.created {
        widths.push(Constraint::Length(w));
        header.push(Cell::from(created_h));
    }
    if let Some(w) = cols.last_used {
        widths.push(Constraint::Length(w));
        header.push(Cell::from(used_h));
    }

    let rows: Vec<Row> = window
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let record = &app.records[i];
            row(record, scroll + n == app.selected, &cols, app, theme)
        })
        .collect();

    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header()))
        .column_spacing(SPACING)
        .row_highlight_style(theme.selected());
    let mut state = TableState::default().with_selected((len > 0).then(|| app.selected - scroll));
    frame.render_stateful_widget(table, area, &mut state);

    if len == 0 {
        let message = if app.change_counter.is_none() {
            Line::from("loading…")
        } else if app.has_filter() {
            Line::from(vec![
                Span::raw("No key matches “"),
                Span::raw(sanitize::sanitize(app.filter.text()).into_owned()),
                Span::raw("” — press Esc to clear the filter"),
            ])
        } else {
            Line::from(vec![
                Span::raw("No keys yet — press "),
                Span::styled("n", theme.hint_key()),
                Span::raw(" to create one"),
            ])
        };
        let body = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1),
            ..area
        };
        let middle = body.centered_vertically(Constraint::Length(1));
        Paragraph::new(message.centered()).render(middle, frame.buffer_mut());
    }
}

fn row<'a>(record: &'a KeyRecord, selected: bool, cols: &Columns, app: &App, theme: &Theme) -> Row<'a> {
    let flag = match flag_of(record, app.now) {
        Some(Flag::Unused) => "!",
        Some(Flag::Idle) => "~",
        None => " ",
    };
    let name_width = cols.name.saturating_sub(NAME_PREFIX) as usize;
    let name = Line::from(vec![
        Span::raw(if selected { ">" } else { " " }),
        Span::styled(flag, theme.flag()),
        Span::raw(sanitize::fit(&record.name, name_width)),
    ]);
    let id: Cow<str> = sanitize::fit(record.id.as_str(), cols.id as usize);
    let mut cells = vec![
        Cell::from(name),
        Cell::from(id),
        Cell::from(sanitize::fit(&record.masked, KEY_WIDTH as usize)),
    ];
    if cols.created.is_some() {
        cells.push(Cell::from(format_time(record.created_at, app.utc_offset)));
    }
    if cols.last_used.is_some() {
        cells.push(Cell::from(match record.last_used {
            Some(t) => format_time(t, app.utc_offset),
            None => "-".to_owned(),
        }));
    }
    Row::new(cells)
}

/// The line under the table: the filter (while typing or when set) on the
/// left, the clean-up legend on the right.
/// The selected key in full: at 80 columns the table has to shorten names
/// and IDs, and the ID is what `keydesk rename/delete` and support requests
/// need. Created and Last Used follow when there is room.
fn render_selected(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(record) = app.selected_record() else { return };
    let width = area.width.saturating_sub(1) as usize;
    let name = sanitize::fit(&record.name, width.saturating_sub(record.id.as_str().len() + 4).max(8));
    let mut spans = vec![
        Span::raw(" "),
        Span::styled(name.into_owned(), theme.title()),
        Span::styled(" · ", theme.dim()),
        Span::raw(record.id.to_string()),
    ];
    let offset = app.utc_offset;
    let times = format!(
        " · created {} · last used {}",
        format_time(record.created_at, offset),
        record
            .last_used
            .map_or_else(|| "never".to_owned(), |t| format_time(t, offset))
    );
    if Line::from(spans.clone()).width() + times.width() <= width {
        spans.push(Span::styled(times, theme.dim()));
    }
    Line::from(spans).render(area, frame.buffer_mut());
}

fn render_info(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut used = 0;
    if app.filtering || app.has_filter() {
        let label = Span::styled(" Filter: ", theme.hint_key());
        let label_width = label.width() as u16;
        label.render(area, frame.buffer_mut());
        let input_width = (area.width.saturating_sub(label_width)).min(32);
        let input_area = Rect {
            x: area.x + label_width,
            width: input_width,
            ..area
        };
        let style = if app.filtering {
            theme.text().add_modifier(ratatui::style::Modifier::UNDERLINED)
        } else {
            theme.text()
        };
        let cursor = app.filter.render_line(input_area, frame.buffer_mut(), style);
        if app.filtering {
            frame.set_cursor_position(Position::new(input_area.x + cursor, area.y));
        }
        used = label_width + input_width + 1;
    }

    if app.unused_count == 0 && app.idle_count == 0 {
        return;
    }
    let room = area.width.saturating_sub(used) as usize;
    let mut long = vec![Span::styled("clean-up candidates: ", theme.dim())];
    let mut short = Vec::new();
    if app.unused_count > 0 {
        long.push(Span::styled("!", theme.flag()));
        long.push(Span::raw(format!(" {} never used after 7 days", app.unused_count)));
        short.push(Span::styled("!", theme.flag()));
        short.push(Span::raw(" unused 7d+"));
    }
    if app.idle_count > 0 {
        if app.unused_count > 0 {
            long.push(Span::raw("  "));
            short.push(Span::raw("  "));
        }
        long.push(Span::styled("~", theme.flag()));
        long.push(Span::raw(format!(" {} idle over 90 days", app.idle_count)));
        short.push(Span::styled("~", theme.flag()));
        short.push(Span::raw(" idle 90d+"));
    }
    long.push(Span::raw(" "));
    short.push(Span::raw(" "));
    let legend = [Line::from(long), Line::from(short)]
        .into_iter()
        .find(|l| l.width() <= room);
    if let Some(legend) = legend {
        legend.right_aligned().render(area, frame.buffer_mut());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_five_columns_fit_at_80() {
        // 生产-gateway_01 is 14 columns, plus the marker and flag.
        let cols = columns(80, 16, 18, 17);
        assert!(cols.created.is_some() && cols.last_used.is_some());
        let total = cols.name + cols.id + KEY_WIDTH + 19 + 19 + 4 * SPACING;
        assert_eq!(total, 80);
        assert_eq!(cols.name, 16, "{cols:?}");
        assert_eq!(cols.id, ID_MIN, "{cols:?}");
        // Short names leave more of the ID visible.
        assert_eq!(columns(80, 8, 18, 17).id, 15);
    }

    #[test]
    fn wide_terminals_show_full_ids() {
        let cols = columns(120, 16, 18, 17);
        assert_eq!(cols.id, ID_FULL);
        assert_eq!(cols.name, 120 - 19 - 15 - 19 - 19 - 4);
    }

    #[test]
    fn narrow_terminals_drop_created_first() {
        let cols = columns(60, 16, 18, 17);
        assert_eq!(cols.created, None);
        assert_eq!(cols.last_used, Some(19));
        assert!(cols.name >= NAME_MIN);
    }
}
