//! The clean-up view: keys unused for the chosen number of days (or never
//! used a week after they were made), least recently active first, each with
//! its marks, last use, creation, 30-day uses and status; or (`s`) the keys
//! with tokens in 30 days, the highest spend first, with their tokens in
//! and out and their cost; and the question asked before disabling or
//! deleting the marked ones.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Clear, Row, Table, Widget};
use unicode_width::UnicodeWidthStr;

use super::details_pane::refusals_text;
use super::{TIME_WIDTH, Theme, format_time, status_bar};
use crate::display::columns::with_offset;
use crate::display::columns::{Status, last_used_within};
use crate::display::count::{compact, money};
use crate::domain::usage::never_used;
use crate::tui::app::{App, CLEANUP_DAYS, CleanupConfirm, CleanupScreen, NEVER_USED_AFTER};
use crate::tui::layout;
use crate::tui::mouse::{HitMap, Target};

pub fn render(frame: &mut Frame, area: Rect, app: &App, cleanup: &CleanupScreen, theme: &Theme, hits: &mut HitMap) {
    Clear.render(area, frame.buffer_mut());
    let [title, body, info, status, hints] = layout::cleanup_areas(area);
    render_title(frame.buffer_mut(), title, app, cleanup, theme);
    let drawn = if cleanup.by_spend {
        render_spend_rows(frame.buffer_mut(), body, app, cleanup, theme)
    } else {
        render_rows(frame.buffer_mut(), body, app, cleanup, theme)
    };
    // A click on a row marks or unmarks it, like Space.
    for (n, row) in drawn.into_iter().enumerate() {
        let line = Rect::new(body.x, body.y + 1 + n as u16, body.width, 1);
        hits.add(line.intersection(body), Target::CleanupRow(row));
    }
    render_info(frame, info, app, cleanup, theme);
    status_bar::render_status(frame.buffer_mut(), status, app, theme);
    status_bar::render_hints(frame.buffer_mut(), hints, app, theme);
}

fn render_title(buf: &mut Buffer, area: Rect, app: &App, cleanup: &CleanupScreen, theme: &Theme) {
    if cleanup.by_spend {
        let count = cleanup.rows.len();
        let rest = match app.prices {
            Some(_) => tr!("tui-cleanup-by-spend", count = count),
            None => tr!("tui-cleanup-by-tokens", count = count),
        };
        Line::from(vec![
            Span::styled(format!(" {}", tr!("tui-cleanup-title")), theme.title()),
            Span::raw(format!(" {} {rest}", theme.glyphs().separator)),
        ])
        .render(area, buf);
        return;
    }
    let unused_for = tr!("tui-cleanup-unused-for");
    let mut spans = vec![
        Span::styled(format!(" {}", tr!("tui-cleanup-title")), theme.title()),
        Span::raw(format!(" {} {unused_for} ", theme.glyphs().separator)),
    ];
    for (i, days) in CLEANUP_DAYS.iter().enumerate() {
        let text = format!("{days}");
        spans.push(if i == cleanup.days {
            Span::styled(format!("[{text}]"), theme.selected())
        } else {
            Span::styled(format!(" {text} "), theme.dim())
        });
    }
    let rest = tr!(
        "tui-cleanup-title-rest",
        days = NEVER_USED_AFTER.whole_days(),
        count = cleanup.rows.len()
    );
    spans.push(Span::raw(format!(" {rest}")));
    Line::from(spans).render(area, buf);
}

/// Draws the candidates; returns which rows (positions in `cleanup.rows`)
/// were drawn, top to bottom.
fn render_rows(buf: &mut Buffer, area: Rect, app: &App, cleanup: &CleanupScreen, theme: &Theme) -> Vec<usize> {
    if cleanup.rows.is_empty() {
        let text = format!(" {}", tr!("tui-cleanup-none", days = CLEANUP_DAYS[cleanup.days]));
        Line::styled(text, theme.dim()).render(area, buf);
        return Vec::new();
    }
    // Created from 100 columns; below 72 the ID gives its room to the name.
    let (wide, with_id) = (area.width >= 100, area.width >= 72);
    let mut header = vec![String::new(), tr!("tui-column-name")];
    if with_id {
        header.push(tr!("tui-column-id"));
    }
    header.push(with_offset(&tr!("tui-cleanup-last-used"), app.utc_offset));
    if wide {
        header.push(with_offset(&tr!("tui-cleanup-created"), app.utc_offset));
    }
    let uses = tr!("tui-cleanup-uses");
    let uses_width = uses.width().max(8) as u16;
    header.extend([uses, tr!("tui-column-status")]);
    let per_page = area.height.saturating_sub(1) as usize;
    let first = (cleanup.selected + 1).saturating_sub(per_page);
    let rows = cleanup
        .rows
        .iter()
        .enumerate()
        .skip(first)
        .take(per_page)
        .filter_map(|(i, id)| {
            let record = app.record(id)?;
            // The selection is marked in text too, for terminals without colour.
            let pointer = if i == cleanup.selected { ">" } else { " " };
            let mark = format!("{pointer}[{}]", if cleanup.marked.contains(id) { "x" } else { " " });
            let last = if never_used(record) {
                tr!("tui-never")
            } else {
                // The list's Last Used, "(old)" mark and all.
                last_used_within(record, app.utc_offset, TIME_WIDTH).into_owned()
            };
            let mut cells = vec![
                Cell::from(mark),
                Cell::from(theme.glyphs().fit(&record.name, 24).into_owned()),
            ];
            if with_id {
                cells.push(Cell::from(record.id.to_string()));
            }
            cells.push(Cell::from(last));
            if wide {
                cells.push(Cell::from(format_time(record.created_at, app.utc_offset)));
            }
            cells.push(Cell::from(app.uses_of(id).to_string()));
            cells.push(Cell::from(Status::of(record, app.now).brief().into_owned()));
            let style = if i == cleanup.selected {
                theme.selected()
            } else {
                theme.text()
            };
            Some((i, Row::new(cells).style(style)))
        });
    let (drawn, rows): (Vec<usize>, Vec<Row>) = rows.unzip();
    let mut widths = vec![Constraint::Length(4), Constraint::Min(8)];
    if with_id {
        widths.push(Constraint::Length(19));
    }
    widths.push(Constraint::Length(19));
    if wide {
        widths.push(Constraint::Length(19));
    }
    widths.extend([Constraint::Length(uses_width), Constraint::Length(10)]);
    let header = Row::new(header).style(theme.header());
    Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .render(area, buf);
    drawn
}

/// The keys by spend: tokens in and out over 30 days, and their cost where
/// prices apply (`-` where none of the key's models has a price); returns
/// which rows were drawn, top to bottom.
fn render_spend_rows(buf: &mut Buffer, area: Rect, app: &App, cleanup: &CleanupScreen, theme: &Theme) -> Vec<usize> {
    if cleanup.rows.is_empty() {
        Line::styled(format!(" {}", tr!("tui-cleanup-no-tokens")), theme.dim()).render(area, buf);
        return Vec::new();
    }
    let with_id = area.width >= 72;
    let mut header = vec![String::new(), tr!("tui-column-name")];
    if with_id {
        header.push(tr!("tui-column-id"));
    }
    header.extend([tr!("tui-cleanup-tokens-in"), tr!("tui-cleanup-tokens-out")]);
    if let Some(prices) = &app.prices {
        let currency = theme.glyphs().fit(prices.currency(), 8).into_owned();
        header.push(tr!("tui-cleanup-cost", currency = currency));
    }
    header.push(tr!("tui-column-status"));
    let per_page = area.height.saturating_sub(1) as usize;
    let first = (cleanup.selected + 1).saturating_sub(per_page);
    let rows = cleanup.rows.iter().enumerate().skip(first).take(per_page);
    let rows = rows.filter_map(|(i, id)| {
        let record = app.record(id)?;
        let spend = app.spend_of(id);
        let pointer = if i == cleanup.selected { ">" } else { " " };
        let mark = format!("{pointer}[{}]", if cleanup.marked.contains(id) { "x" } else { " " });
        let mut cells = vec![
            Cell::from(mark),
            Cell::from(theme.glyphs().fit(&record.name, 24).into_owned()),
        ];
        if with_id {
            cells.push(Cell::from(record.id.to_string()));
        }
        let right = |text: String| Cell::from(Line::from(text).right_aligned());
        cells.push(right(compact(spend.counts.input)));
        cells.push(right(compact(spend.counts.output)));
        if app.prices.is_some() {
            cells.push(right(spend.cost.map_or_else(|| "-".to_owned(), money)));
        }
        cells.push(Cell::from(Status::of(record, app.now).brief().into_owned()));
        let style = if i == cleanup.selected {
            theme.selected()
        } else {
            theme.text()
        };
        Some((i, Row::new(cells).style(style)))
    });
    let (drawn, rows): (Vec<usize>, Vec<Row>) = rows.unzip();
    let width = |at: usize| header[at].width().max(6) as u16;
    let mut widths = vec![Constraint::Length(4), Constraint::Min(8)];
    if with_id {
        widths.push(Constraint::Length(19));
    }
    let figures = header.len() - 1 - widths.len();
    widths.extend((widths.len()..widths.len() + figures).map(|at| Constraint::Length(width(at))));
    widths.push(Constraint::Length(10));
    let header = Row::new(header).style(theme.header());
    Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .render(area, buf);
    drawn
}

/// What is marked and the selected key's refusals in 30 days (a key
/// unused because its policy refuses every request shows why), or the
/// question before the bulk change.
fn render_info(frame: &mut Frame, area: Rect, app: &App, cleanup: &CleanupScreen, theme: &Theme) {
    let n = cleanup.marked.len();
    let line = match &cleanup.confirm {
        None => {
            let mut text = format!(" {}", tr!("tui-cleanup-marked", count = n, total = cleanup.rows.len()));
            if let Some(id) = cleanup.rows.get(cleanup.selected) {
                let total = app.usage.get(id).map(|usage| usage.total()).unwrap_or_default();
                let refusals = refusals_text(&total);
                text.push_str(&format!(
                    " {} {}{refusals}",
                    theme.glyphs().separator,
                    tr!("tui-details-30-days")
                ));
            }
            Line::styled(text, theme.dim())
        }
        Some(CleanupConfirm::Disable) => Line::styled(
            format!(" {}", tr!("tui-cleanup-ask-disable", count = n)),
            theme.warning(),
        ),
        Some(CleanupConfirm::Delete { typed }) => {
            // The number to type as text: "1234", never "1,234".
            let prompt = format!(" {} ", tr!("tui-cleanup-ask-delete", count = n, number = n.to_string()));
            let cursor_x = area.x + Line::from(prompt.as_str()).width() as u16 + typed.cursor_column() as u16;
            frame.set_cursor_position(Position::new(cursor_x.min(area.right().saturating_sub(1)), area.y));
            Line::from(vec![
                Span::styled(prompt, theme.error()),
                Span::raw(typed.text().to_owned()),
            ])
        }
    };
    line.render(area, frame.buffer_mut());
}
