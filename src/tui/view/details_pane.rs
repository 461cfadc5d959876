//! The selected key's details and usage: beside the table on a wide
//! terminal, below it when `i` asks on a small one. Lifecycle facts, the
//! 30-day totals, and sparklines of daily uses (30 days) and hourly uses
//! (24 hours), read by the storage worker.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Sparkline, Widget};

use super::{Rows, Theme, detail_line, format_time};
use crate::display::columns::{Clock, Column, Status};
use crate::display::policy::meanings;
use crate::domain::policy::Reason;
use crate::domain::{KeyRecord, KeyUsage, Outcome, UsageCounts};
use crate::tui::app::App;
use unicode_width::UnicodeWidthStr;

pub fn render(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    Clear.render(area, buf);
    // A closed, rounded box like every dialog: beside the table its right
    // side is the screen's edge, below it its bottom meets the selected line.
    let block = Block::new()
        .borders(Borders::ALL)
        .border_set(theme.glyphs().rounded)
        .border_style(theme.dim())
        .title(Span::styled(format!(" {} ", tr!("tui-details-title")), theme.title()));
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(record) = app.selected_record() else {
        Line::styled(format!(" {}", tr!("tui-details-none")), theme.dim()).render(inner, buf);
        return;
    };
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(1),
        ..inner
    };
    let mut rows = Rows::new(inner);
    let name = theme.glyphs().fit(&record.name, inner.width.saturating_sub(1) as usize);
    rows.line(buf, Line::styled(name.into_owned(), theme.title()));
    // Below the table the pane is short: the facts go on fewer lines.
    let tall = inner.height >= 14;
    for line in facts(record, app, theme, tall) {
        rows.line(buf, line);
    }
    for line in rules(record, inner.width as usize, theme, tall) {
        rows.line(buf, line);
    }
    let Some(query) = &app.usage_query else {
        rows.line(buf, Line::styled(tr!("tui-details-usage-reading"), theme.dim()));
        return;
    };
    let usage = app.usage.get(&record.id).cloned().unwrap_or_default();
    for line in totals(&usage, inner.width as usize, theme) {
        rows.line(buf, line);
    }
    let spark_height = if tall { 3 } else { 1 };
    let daily = usage.daily_series(query.days.clone(), Outcome::Accepted);
    sparkline(
        buf,
        &mut rows,
        &tr!("tui-details-uses-per-day"),
        &daily,
        spark_height,
        theme,
    );
    let hourly = usage.hourly_series(query.hours.clone(), Outcome::Accepted);
    sparkline(
        buf,
        &mut rows,
        &tr!("tui-details-uses-per-hour"),
        &hourly,
        spark_height,
        theme,
    );
}

/// Status, expiry, rotation, created and last used: one per line when the
/// pane is tall, two a line otherwise.
fn facts<'a>(record: &KeyRecord, app: &App, theme: &Theme, tall: bool) -> Vec<Line<'a>> {
    let clock = Clock {
        now: app.now,
        offset: app.utc_offset,
    };
    let at = |t| format_time(t, app.utc_offset);
    let mut facts: Vec<(String, String)> = vec![
        (tr!("tui-details-id"), record.id.to_string()),
        (
            tr!("tui-details-status"),
            // The expiry has its own line below.
            Status::of(record, app.now).brief().into_owned(),
        ),
    ];
    if let Some(expiry) = record.expires_at {
        facts.push((tr!("tui-details-expires"), at(expiry)));
    }
    if let Some(previous) = record.grace_running(app.now) {
        let until = tr!("tui-details-until", at = at(previous.grace_until));
        facts.push((tr!("tui-details-old-secret"), until));
    }
    facts.push((
        tr!("tui-details-created"),
        Column::CreatedAt.cell(record, clock).into_owned(),
    ));
    facts.push((
        tr!("tui-details-last-used"),
        Column::LastUsed.cell(record, clock).into_owned(),
    ));
    if tall {
        return facts
            .into_iter()
            .map(|(label, value)| detail_line(&label, value, theme))
            .collect();
    }
    facts
        .chunks(2)
        .map(|pair| {
            let text: Vec<String> = pair
                .iter()
                .map(|(label, value)| tr!("tui-details-fact", label = label.as_str(), value = value.as_str()))
                .collect();
            Line::styled(text.join("  "), theme.text())
        })
        .collect()
}

/// The key's policy rules, if it has any: one a line (`rpm  60 requests
/// per minute`) when the pane is tall, else the text form on one line.
fn rules<'a>(record: &KeyRecord, width: usize, theme: &Theme, tall: bool) -> Vec<Line<'a>> {
    if record.policy.is_empty() {
        return Vec::new();
    }
    if !tall {
        let label = tr!("tui-details-rules");
        let text = record.policy.to_string();
        let text = theme.glyphs().fit(&text, width.saturating_sub(label.width() + 2));
        return vec![Line::from(vec![
            Span::styled(format!("{label}  "), theme.dim()),
            Span::raw(text.into_owned()),
        ])];
    }
    meanings(&record.policy)
        .into_iter()
        .map(|(rule, meaning)| {
            let meaning = theme.glyphs().fit(&meaning, width.saturating_sub(13)).into_owned();
            detail_line(rule.name(), meaning, theme)
        })
        .collect()
}

/// "30 d: 1,234 uses · 8 refused (disabled 5, rate 3)": refusals by the
/// key's state, then by its policy's rules, each reason with a count.
/// The refusals go on a line of their own when both do not fit in `width`.
fn totals<'a>(usage: &KeyUsage, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let total = usage.total();
    let refused = refusals_text(&total);
    let uses = vec![
        Span::styled(tr!("tui-details-30-days"), theme.dim()),
        Span::styled(tr!("tui-details-uses", count = total.accepted), theme.title()),
    ];
    let mut one = Line::from(uses.clone());
    one.push_span(Span::styled(
        format!(" {} {refused}", theme.glyphs().separator),
        theme.text(),
    ));
    if one.width() <= width {
        return vec![one];
    }
    vec![Line::from(uses), Line::styled(refused, theme.text())]
}

/// "8 refused (disabled 5, rate 3)", or "none refused": refusals by the
/// key's state, then by its policy's rules, each reason with its count.
/// The details pane and the clean-up view say it alike.
pub(super) fn refusals_text(total: &UsageCounts) -> String {
    let by_policy = Reason::ALL.map(|reason| (refusal_word(reason), total.by_policy(reason)));
    let by_state = [
        (tr!("tui-details-refused-disabled"), total.refused_disabled),
        (tr!("tui-details-refused-expired"), total.refused_expired),
        (tr!("tui-details-refused-old-secret"), total.refused_previous_ended),
    ];
    let reasons: Vec<String> = by_state
        .into_iter()
        .chain(by_policy)
        .filter(|(_, n)| *n > 0)
        .map(|(what, n)| format!("{what} {n}"))
        .collect();
    match total.refused() {
        0 => tr!("tui-details-none-refused"),
        n => tr!(
            "tui-details-refused",
            count = n,
            reasons = reasons.join(&tr!("tui-list-separator"))
        ),
    }
}

/// A policy refusal's reason in a list of refusals ("rate 3").
fn refusal_word(reason: Reason) -> String {
    match reason {
        Reason::Rate => tr!("tui-details-refused-rate"),
        Reason::Concurrency => tr!("tui-details-refused-concurrency"),
        Reason::Method => tr!("tui-details-refused-method"),
        Reason::Path => tr!("tui-details-refused-path"),
        Reason::Model => tr!("tui-details-refused-model"),
        Reason::Address => tr!("tui-details-refused-address"),
    }
}

/// A label with the series' peak, then the sparkline (newest at the right).
fn sparkline(buf: &mut Buffer, rows: &mut Rows, label: &str, series: &[u64], height: u16, theme: &Theme) {
    let peak = series.iter().copied().max().unwrap_or(0);
    rows.line(
        buf,
        Line::from(vec![
            Span::styled(label.to_owned(), theme.dim()),
            Span::styled(tr!("tui-details-peak", peak = peak), theme.dim()),
        ]),
    );
    let area = rows.take(height);
    // The newest values at the right edge, however narrow the pane.
    let shown = &series[series.len().saturating_sub(area.width as usize)..];
    Sparkline::default()
        .data(shown)
        .bar_set(theme.glyphs().bars.clone())
        .style(theme.success())
        .render(area, buf);
}
