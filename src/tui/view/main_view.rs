//! The key list: title, table (only the visible window of rows is built),
//! filter and legend line, status and hints.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Widget};
use unicode_width::UnicodeWidthStr;

use ratatui::buffer::Buffer;
use time::UtcOffset;

use super::{Glyphs, TIME_WIDTH, Theme, status_bar};
use crate::display::columns::{Clock, Column, Flag, Status, last_used_within};
use crate::display::count::compact;
use crate::domain::KeyRecord;
use crate::tui::app::{App, SortColumn};
use crate::tui::keymap::{self, Action, Screen};
use crate::tui::layout::MainAreas;
use crate::tui::mouse::{HitMap, Target};
use crate::tui::sanitize;

const ID_FULL: u16 = 19;
const ID_MIN: u16 = 7;
const KEY_WIDTH: u16 = 15;
/// "expires in 365d" fits; longer is cut.
const STATUS_WIDTH: u16 = 15;
/// Selection marker and clean-up flag before each name.
const NAME_PREFIX: u16 = 2;
const NAME_MIN: u16 = NAME_PREFIX + 6;
/// Name shrinks before the ID does, down to this (14 characters).
const NAME_KEEP: u16 = NAME_PREFIX + 14;
/// Room Name and ID keep beyond their minimums before an optional column
/// is dropped: a table of 6-character names is no use.
const OPTIONAL_SLACK: u16 = 6;
const SPACING: u16 = 1;
/// Columns the header gives the database's name.
const DATABASE_WIDTH: usize = 24;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, hits: &mut HitMap) {
    let areas = MainAreas::with_details(area, app.show_details);
    render_title(frame, areas.title, app, theme);
    render_table(frame, &areas, app, theme, hits);
    if let Some(details) = areas.details {
        super::details_pane::render(frame.buffer_mut(), details, app, theme);
    }
    render_selected(frame, areas.selected, app, theme);
    render_info(frame, areas.info, app, theme);
    status_bar::render_status(frame.buffer_mut(), areas.status, app, theme);
    status_bar::render_hints(frame.buffer_mut(), areas.hints, app, theme);
}

fn render_title(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let glyphs = theme.glyphs();
    let total = app.records.len();
    let mut left = vec![Span::styled(" keydesk", theme.title())];
    if let Some(database) = &app.database {
        // Named as k9s names its context; a long name is cut, visibly.
        let name = glyphs.fit(database, DATABASE_WIDTH);
        left.push(Span::raw(format!(" {} ", glyphs.separator)));
        left.push(Span::styled(name.into_owned(), theme.hint_key()));
    }
    left.push(Span::raw(format!(" {} ", glyphs.separator)));
    left.push(Span::raw(tr!("tui-title-keys", count = total)));
    if app.has_filter() {
        let shown = tr!("tui-title-shown", count = app.view().len());
        left.push(Span::raw(format!(" {} {shown}", glyphs.separator)));
    }
    let arrow = if app.descending {
        glyphs.descending
    } else {
        glyphs.ascending
    };
    let right = Line::from(vec![
        Span::styled(tr!("tui-title-sorted-by"), theme.dim()),
        Span::raw(format!("{} {arrow} ", app.sort.label())),
    ]);
    let left = Line::from(left);
    let buf = frame.buffer_mut();
    if left.width() + right.width() + 2 <= area.width as usize {
        right.right_aligned().render(area, buf);
    }
    left.render(area, buf);
}

/// A column of the TUI's table: one of the shared key columns, or the
/// 30-day uses or tokens, which only the TUI counts and shows only while
/// sorting by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableColumn {
    Key(Column),
    Uses,
    Tokens,
}

impl TableColumn {
    /// The sort its header stands for, if it can be sorted by.
    fn sorting(self) -> Option<SortColumn> {
        match self {
            TableColumn::Key(column) => SortColumn::sorting(column),
            TableColumn::Uses => Some(SortColumn::Uses),
            TableColumn::Tokens => Some(SortColumn::Tokens),
        }
    }
}

/// Column widths for a table `width` columns wide.
#[derive(Debug, PartialEq, Eq)]
struct Columns {
    name: u16,
    id: u16,
    /// The optional columns that fit, in the order they were offered.
    optional: Vec<(TableColumn, u16)>,
}

/// Lays out a table `width` wide: Name, ID and Status always; of the
/// `optional` columns (most important first) those that leave Name and ID
/// room. Then the ID is whole unless Name would go below [`NAME_KEEP`]:
/// Name gives way first, as its full text is on the selected-key line. An
/// ID that cannot be whole is cut to what Name leaves: a longer prefix of
/// it helps no one as much as the name does.
fn columns(width: u16, name_need: u16, optional: &[(TableColumn, u16)]) -> Columns {
    let room = |shown: &[(TableColumn, u16)]| {
        let fixed = STATUS_WIDTH + shown.iter().map(|&(_, w)| w).sum::<u16>() + SPACING * (shown.len() as u16 + 2);
        width.saturating_sub(fixed)
    };
    // Most important first; one that does not fit is skipped, so a narrow
    // table may still show a smaller one after it.
    let mut shown = Vec::new();
    for &column in optional {
        shown.push(column);
        if room(&shown) < NAME_MIN + ID_MIN + OPTIONAL_SLACK {
            shown.pop();
        }
    }
    let avail = room(&shown);
    let name_need = name_need.max(NAME_MIN);
    let id = if avail >= name_need.min(NAME_KEEP) + ID_FULL {
        ID_FULL
    } else {
        avail.saturating_sub(name_need).clamp(ID_MIN, ID_FULL)
    };
    Columns {
        name: avail.saturating_sub(id),
        id,
        optional: shown,
    }
}

fn render_table(frame: &mut Frame, areas: &MainAreas, app: &App, theme: &Theme, hits: &mut HitMap) {
    let (area, actions) = match app.mouse {
        // The `⋯` that opens a row's actions menu, as in the web console.
        true => {
            let [table, gap_and_dots] = areas
                .table
                .layout(&Layout::horizontal([Constraint::Fill(1), Constraint::Length(2)]));
            (
                table,
                Some(Rect {
                    x: gap_and_dots.x + 1,
                    width: 1,
                    ..gap_and_dots
                }),
            )
        }
        false => (areas.table, None),
    };
    let (scroll, window) = visible_window(app, areas.table_rows());
    let clock = Clock {
        now: app.now,
        offset: app.utc_offset,
    };
    let shown = shown_columns(app, window, area.width, clock);
    let widths: Vec<Constraint> = shown.iter().map(|&(_, w)| Constraint::Length(w)).collect();
    let glyphs = theme.glyphs();
    let direction = if app.descending {
        glyphs.descending
    } else {
        glyphs.ascending
    };
    let sorted = sorted_column(app);
    let header = Row::new(
        shown
            .iter()
            .map(|&(column, _)| header_cell(column, clock.offset, (column == sorted).then_some(direction))),
    );
    let rows = window.iter().enumerate().map(|(n, &i)| {
        let selected = scroll + n == app.selected;
        row(app, &app.records[i], selected, &shown, theme)
    });
    let table = Table::new(rows, widths)
        .header(header.style(theme.header()))
        .column_spacing(SPACING)
        .row_highlight_style(theme.selected());
    let len = app.view().len();
    let mut state = TableState::default().with_selected((len > 0).then(|| app.selected - scroll));
    frame.render_stateful_widget(table, area, &mut state);
    if len == 0 {
        render_empty(frame, area, app, theme);
    }
    record_hits(hits, area, actions, &shown, scroll, window.len());
    if let Some(actions) = actions {
        for n in 0..window.len() as u16 {
            let cell = Rect {
                y: actions.y + 1 + n,
                height: 1,
                ..actions
            };
            let style = if scroll + n as usize == app.selected {
                theme.selected()
            } else {
                theme.dim()
            };
            Span::styled(theme.glyphs().more, style).render(cell.intersection(actions), frame.buffer_mut());
        }
    }
}

/// What a click on the table does: a row selects its key, `⋯` opens its
/// actions, a sortable header sorts. Rectangles as the table drew them.
fn record_hits(
    hits: &mut HitMap,
    area: Rect,
    actions: Option<Rect>,
    shown: &[(TableColumn, u16)],
    scroll: usize,
    rows: usize,
) {
    let mut x = area.x;
    for &(column, width) in shown {
        if let Some(sort) = column.sorting() {
            hits.add(Rect::new(x, area.y, width, 1).intersection(area), Target::Header(sort));
        }
        x = x.saturating_add(width + SPACING);
    }
    for n in 0..rows.min(area.height.saturating_sub(1) as usize) {
        let y = area.y + 1 + n as u16;
        hits.add(Rect::new(area.x, y, area.width, 1), Target::Row(scroll + n));
        if let Some(actions) = actions {
            // The gap column too: a one-cell target is hard to hit.
            let dots = Rect::new(actions.x.saturating_sub(1), y, 2, 1);
            hits.add(dots, Target::RowActions(scroll + n));
        }
    }
}

/// The first row on screen and the rows shown: kept around the selection
/// even if the state's idea of the page size is stale.
fn visible_window(app: &App, rows: usize) -> (usize, &[usize]) {
    let len = app.view().len();
    let mut scroll = app.scroll.min(len.saturating_sub(1));
    if app.selected >= scroll + rows {
        scroll = app.selected + 1 - rows;
    }
    if app.selected < scroll {
        scroll = app.selected;
    }
    let end = (scroll + rows).min(len);
    (scroll, &app.view()[scroll..end])
}

/// The columns that fit in `width`, with their widths, in table order. The
/// name column is as wide as the longest name on screen needs, if there is
/// room; the column sorted by is always offered first, so a narrow table
/// shows it in place of another.
fn shown_columns(app: &App, window: &[usize], width: u16, clock: Clock) -> Vec<(TableColumn, u16)> {
    let name_need = window
        .iter()
        .map(|&i| name_width(&app.records[i], clock))
        .max()
        .unwrap_or(0)
        .max(Column::Name.title().width()) as u16
        + NAME_PREFIX;
    let sorted = sorted_column(app);
    let header_width = |column: TableColumn| {
        let mark = u16::from(column == sorted);
        header_text(column, clock.offset).width() as u16 + mark
    };
    let time = |column: Column| {
        let column = TableColumn::Key(column);
        (column, header_width(column).max(TIME_WIDTH as u16))
    };
    let mut optional = Vec::new();
    if matches!(sorted, TableColumn::Uses | TableColumn::Tokens) {
        optional.push((sorted, header_width(sorted)));
    }
    optional.push((TableColumn::Key(Column::ApiKey), KEY_WIDTH));
    optional.push(time(Column::LastUsed));
    optional.push(time(Column::CreatedAt));
    // The column sorted by goes first, so it is the last to be dropped.
    if let Some(at) = optional.iter().position(|&(c, _)| c == sorted) {
        let column = optional.remove(at);
        optional.insert(0, column);
    }
    let cols = columns(width, name_need, &optional);
    let mut shown = vec![
        (TableColumn::Key(Column::Name), cols.name),
        (TableColumn::Key(Column::Id), cols.id),
    ];
    for column in TABLE_ORDER {
        shown.extend(cols.optional.iter().find(|&&(c, _)| c == column));
    }
    shown.push((TableColumn::Key(Column::Status), STATUS_WIDTH));
    shown
}

/// The optional columns in the order the table shows them.
const TABLE_ORDER: [TableColumn; 5] = [
    TableColumn::Key(Column::ApiKey),
    TableColumn::Key(Column::CreatedAt),
    TableColumn::Key(Column::LastUsed),
    TableColumn::Uses,
    TableColumn::Tokens,
];

/// The column the table is sorted by.
fn sorted_column(app: &App) -> TableColumn {
    match app.sort {
        SortColumn::Uses => TableColumn::Uses,
        SortColumn::Tokens => TableColumn::Tokens,
        sort => sort.column().map_or(TableColumn::Uses, TableColumn::Key),
    }
}

fn header_text(column: TableColumn, offset: UtcOffset) -> Cow<'static, str> {
    match column {
        TableColumn::Key(column) => column.header(offset),
        TableColumn::Uses => Cow::Owned(tr!("tui-sort-uses")),
        TableColumn::Tokens => Cow::Owned(tr!("tui-sort-tokens")),
    }
}

/// A column's header; the column sorted by is marked with its direction
/// (its width allows for the mark).
fn header_cell(column: TableColumn, offset: UtcOffset, mark: Option<&'static str>) -> Cell<'static> {
    let mark = mark.unwrap_or("");
    match column {
        // Over the names, not over the selection marker and clean-up mark.
        TableColumn::Key(Column::Name) => Cell::from(format!(
            "{:width$}{}{mark}",
            "",
            Column::Name.title(),
            width = NAME_PREFIX as usize
        )),
        _ => Cell::from(format!("{}{mark}", header_text(column, offset))),
    }
}

/// Columns after the name taken by the mark of a key with rules (` ≡`).
const RULES_MARK: u16 = 2;

/// The columns `record`'s name needs, its rules mark included.
fn name_width(record: &KeyRecord, clock: Clock) -> usize {
    let mark = if record.policy.is_empty() { 0 } else { RULES_MARK };
    Column::Name.cell(record, clock).width() + mark as usize
}

fn row<'a>(app: &App, record: &'a KeyRecord, selected: bool, shown: &[(TableColumn, u16)], theme: &Theme) -> Row<'a> {
    let clock = Clock {
        now: app.now,
        offset: app.utc_offset,
    };
    Row::new(shown.iter().map(|&(column, width)| match column {
        TableColumn::Key(Column::Name) => {
            let marked = !record.policy.is_empty();
            let room = width.saturating_sub(NAME_PREFIX + if marked { RULES_MARK } else { 0 });
            let mut spans = vec![
                Span::raw(if selected { ">" } else { " " }),
                Span::styled(Column::Mark.cell(record, clock), theme.flag()),
                Span::raw(theme.glyphs().fit(&record.name, room as usize)),
            ];
            if marked {
                spans.push(Span::styled(format!(" {}", theme.glyphs().rules), theme.dim()));
            }
            Cell::from(Line::from(spans))
        }
        TableColumn::Key(Column::Status) => {
            let status = Status::of(record, clock.now);
            Cell::from(Span::styled(
                fit_cell(status.text_within(width as usize), width, theme.glyphs()),
                theme.status(status.tone()),
            ))
        }
        TableColumn::Key(Column::LastUsed) => Cell::from(fit_cell(
            last_used_within(record, clock.offset, width as usize),
            width,
            theme.glyphs(),
        )),
        TableColumn::Key(column) => Cell::from(fit_cell(column.cell(record, clock), width, theme.glyphs())),
        // A count, right-aligned under its header.
        TableColumn::Uses => Cell::from(Line::from(app.uses_of(&record.id).to_string()).right_aligned()),
        // Short (`1.2M`): the exact figure is in `keydesk usage`.
        TableColumn::Tokens => Cell::from(Line::from(compact(app.tokens_of(&record.id))).right_aligned()),
    }))
}

/// A cell's text cut to its column.
fn fit_cell<'a>(text: Cow<'a, str>, width: u16, glyphs: &Glyphs) -> Cow<'a, str> {
    match text {
        Cow::Borrowed(text) => glyphs.fit(text, width as usize),
        Cow::Owned(text) => Cow::Owned(glyphs.fit(&text, width as usize).into_owned()),
    }
}

/// Why the table is empty, and what to do, in the middle of its body.
fn render_empty(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    // The list's own keys, even under a dialog: the text is about the list.
    let screen = if app.filtering { Screen::Filter } else { Screen::Main };
    let message = if app.change_counter.is_none() {
        Line::from(tr!("tui-list-loading"))
    } else if app.has_filter() {
        let filter = sanitize::sanitize(app.filter.text()).into_owned();
        let text = tr!("tui-list-no-match", filter = filter, key = KEY_MARK);
        with_key(&text, keymap::key_name(screen, Action::ClearFilter), theme)
    } else if screen == Screen::Main {
        let text = tr!("tui-list-empty-press", key = KEY_MARK);
        with_key(&text, keymap::key_name(screen, Action::NewKey), theme)
    } else {
        // While a filter is typed, the create key would be typed too.
        Line::from(tr!("tui-list-empty"))
    };
    let body = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    let middle = body.centered_vertically(Constraint::Length(1));
    Paragraph::new(message.centered()).render(middle, frame.buffer_mut());
}

/// Stands for a key in a message, where the key is drawn in its own style:
/// a control character, which neither a translation nor sanitised text
/// (the filter) can contain.
const KEY_MARK: &str = "\u{1}";

/// `text` with each [`KEY_MARK`] replaced by `key`, styled as a key.
fn with_key<'a>(text: &str, key: std::borrow::Cow<'static, str>, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    for (i, part) in text.split(KEY_MARK).enumerate() {
        if i > 0 {
            spans.push(Span::styled(key.clone(), theme.hint_key()));
        }
        if !part.is_empty() {
            spans.push(Span::raw(part.to_owned()));
        }
    }
    Line::from(spans)
}

/// The selected key in full: at 80 columns the table has to shorten names
/// and IDs, and the ID is what `keydesk rename/delete` and support requests
/// need. Then its lifecycle (when it was disabled, when it expires, until
/// when a rotated-out secret works), and Created and Last Used, each when
/// there is room.
fn render_selected(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(record) = app.selected_record() else { return };
    let width = area.width.saturating_sub(1) as usize;
    let glyphs = theme.glyphs();
    let separator = glyphs.separator;
    let name = glyphs.fit(&record.name, width.saturating_sub(record.id.as_str().len() + 4).max(8));
    let mut spans = vec![
        Span::raw(" "),
        Span::styled(name.into_owned(), theme.title()),
        Span::styled(format!(" {separator} "), theme.dim()),
        Span::raw(record.id.to_string()),
    ];
    let clock = Clock {
        now: app.now,
        offset: app.utc_offset,
    };
    // Created At first: at 80 columns it is not a table column.
    let mut parts = lifecycle_details(record, clock, separator);
    let created = tr!(
        "tui-selected-created",
        at = Column::CreatedAt.cell(record, clock).into_owned()
    );
    let used = tr!(
        "tui-selected-last-used",
        at = Column::LastUsed.cell(record, clock).into_owned()
    );
    parts.push((format!(" {separator} {created}"), theme.dim()));
    parts.push((format!(" {separator} {used}"), theme.dim()));
    for (text, style) in parts {
        if Line::from(spans.clone()).width() + text.width() <= width {
            spans.push(Span::styled(text, style));
        }
    }
    Line::from(spans).render(area, frame.buffer_mut());
}

/// The selected key's lifecycle, most important first: " · disabled since
/// …", " · expires …", " · old secret works until … (last used …)".
fn lifecycle_details(record: &KeyRecord, clock: Clock, separator: &str) -> Vec<(String, ratatui::style::Style)> {
    let theme_less = ratatui::style::Style::default();
    let at = |t| crate::display::format_instant(t, clock.offset);
    let mut parts = Vec::new();
    let mut push = |text: String| parts.push((format!(" {separator} {text}"), theme_less));
    if let Some(since) = record.disabled_at {
        push(tr!("tui-selected-disabled-since", at = at(since)));
    }
    // The expiry before the rotation: the row's Status says "rotating, 5h"
    // and has no room for a rotating key's expiry, so this line must.
    match record.expires_at {
        Some(t) if record.is_expired(clock.now) => push(tr!("tui-selected-expired", at = at(t))),
        Some(t) => push(tr!("tui-selected-expires", at = at(t))),
        None => {}
    }
    let rotating = record.grace_running(clock.now);
    if let Some(previous) = rotating {
        push(tr!("tui-selected-old-secret-until", at = at(previous.grace_until)));
    }
    // Traffic on the old secret falling to zero says the switch-over is done.
    if let Some(previous) = rotating {
        let used = previous.last_used.map_or_else(|| tr!("tui-never"), at);
        push(tr!("tui-selected-old-secret-used", at = used));
    }
    parts
}

/// The line under the table: the filter (while typing or when set) on the
/// left, the clean-up legend on the right.
fn render_info(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let used = if app.filtering || app.has_filter() {
        render_filter(frame, area, app, theme)
    } else {
        0
    };
    render_legend(frame.buffer_mut(), area, used, app, theme);
}

/// The filter's label and input; returns the columns taken.
fn render_filter(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) -> u16 {
    let label = Span::styled(format!(" {}", tr!("tui-filter-label")), theme.hint_key());
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
    label_width + input_width + 1
}

/// What the clean-up marks mean and how many keys have each, right-aligned
/// after the first `used` columns; the brief form when the long one does not
/// fit.
fn render_legend(buf: &mut Buffer, area: Rect, used: u16, app: &App, theme: &Theme) {
    let counts = [(Flag::Unused, app.unused_count), (Flag::Idle, app.idle_count)];
    let present: Vec<(Flag, usize)> = counts.into_iter().filter(|&(_, n)| n > 0).collect();
    let (mut long, mut short) = rules_legend(app, theme);
    if !present.is_empty() {
        long.push(Span::styled(tr!("tui-legend-title"), theme.dim()));
    }
    for (flag, count) in present {
        if !short.is_empty() {
            short.push(Span::raw("  "));
        }
        if long.last().is_some_and(|span| span.content != tr!("tui-legend-title")) {
            long.push(Span::raw("  "));
        }
        long.push(Span::styled(flag.symbol(), theme.flag()));
        long.push(Span::raw(format!(
            " {}",
            tr!("tui-legend-count", count = count, meaning = flag.meaning())
        )));
        short.push(Span::styled(flag.symbol(), theme.flag()));
        short.push(Span::raw(format!(" {}", flag.brief())));
    }
    if long.is_empty() {
        return;
    }
    long.push(Span::raw(" "));
    short.push(Span::raw(" "));
    let room = area.width.saturating_sub(used) as usize;
    let legend = [Line::from(long), Line::from(short)]
        .into_iter()
        .find(|l| l.width() <= room);
    if let Some(legend) = legend {
        legend.right_aligned().render(area, buf);
    }
}

/// The legend's first part, long and short, when some keys have rules:
/// what their mark means (before the clean-up marks, which it is not one of).
fn rules_legend(app: &App, theme: &Theme) -> (Vec<Span<'static>>, Vec<Span<'static>>) {
    if app.with_rules == 0 {
        return (Vec::new(), Vec::new());
    }
    let mark = theme.glyphs().rules;
    let long = vec![
        Span::styled(mark, theme.dim()),
        Span::raw(format!(" {}  ", tr!("tui-legend-rules", count = app.with_rules))),
    ];
    let short = vec![
        Span::styled(mark, theme.dim()),
        Span::raw(format!(" {}", tr!("tui-legend-rules-brief"))),
    ];
    (long, short)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: (TableColumn, u16) = (TableColumn::Key(Column::ApiKey), KEY_WIDTH);
    const CREATED: (TableColumn, u16) = (TableColumn::Key(Column::CreatedAt), 19);
    const LAST_USED: (TableColumn, u16) = (TableColumn::Key(Column::LastUsed), 19);
    /// Sorted by Created At: it is offered first, then the usual order.
    const BY_CREATED: [(TableColumn, u16); 3] = [CREATED, KEY, LAST_USED];
    const BY_NAME: [(TableColumn, u16); 3] = [KEY, LAST_USED, CREATED];

    fn total(cols: &Columns) -> u16 {
        let optional: u16 = cols.optional.iter().map(|&(_, w)| w).sum();
        cols.name + cols.id + optional + STATUS_WIDTH + SPACING * (cols.optional.len() as u16 + 2)
    }

    #[test]
    fn at_80_columns_the_one_time_column_is_the_one_sorted_by() {
        // 生产-gateway_01 is 14 columns, plus the marker and flag.
        let cols = columns(80, 16, &BY_CREATED);
        assert_eq!(cols.optional, [CREATED, KEY], "{cols:?}");
        assert_eq!(total(&cols), 80);
        assert_eq!(cols.name, 16, "{cols:?}");
        assert_eq!(cols.id, 80 - 16 - 15 - 19 - 15 - 4, "{cols:?}");
        let cols = columns(80, 16, &BY_NAME);
        assert_eq!(cols.optional, [KEY, LAST_USED], "{cols:?}");
    }

    #[test]
    fn wide_terminals_show_every_column_and_full_ids() {
        let cols = columns(120, 16, &BY_NAME);
        assert_eq!(cols.optional.len(), 3);
        assert_eq!(cols.id, ID_FULL);
        assert_eq!(cols.name, 120 - 19 - 15 - 19 - 19 - STATUS_WIDTH - 5);
    }

    #[test]
    fn long_names_shrink_before_the_id_does() {
        // 120 columns with the details pane hidden: room for a whole ID and
        // a 26-character name, though the longest name wants 38.
        let cols = columns(120, 40, &BY_NAME);
        assert_eq!(cols.id, ID_FULL, "{cols:?}");
        assert_eq!(total(&cols), 120);
        assert_eq!(cols.name, 120 - 19 - 15 - 19 - 19 - STATUS_WIDTH - 5);
        // Beside the details pane no ID can be whole: Name takes its need.
        let cols = columns(78, 24, &BY_NAME);
        assert_eq!((cols.name, cols.id), (78 - 15 - 19 - 15 - 4 - ID_MIN, ID_MIN));
    }

    #[test]
    fn narrow_terminals_keep_the_sorted_column_longest() {
        let cols = columns(70, 16, &BY_NAME);
        assert_eq!(cols.optional, [KEY], "{cols:?}");
        assert!(cols.name >= NAME_MIN);
        let cols = columns(60, 16, &BY_CREATED);
        assert_eq!(cols.optional, [CREATED], "{cols:?}");
        assert!(cols.name >= NAME_MIN && cols.id >= ID_MIN);
        assert_eq!(total(&cols), 60);
        // Where the sorted column cannot fit, a smaller one still may.
        let cols = columns(56, 16, &BY_CREATED);
        assert_eq!(cols.optional, [KEY], "{cols:?}");
        let cols = columns(40, 16, &BY_CREATED);
        assert!(cols.optional.is_empty(), "{cols:?}");
    }
}
