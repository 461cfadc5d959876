//! The selected key's details and usage: beside the table on a wide
//! terminal, below it when `i` asks on a small one. Lifecycle facts, the
//! 30-day totals (uses; tokens in and out, and their cost where prices
//! apply), each budget of the key's policy as a gauge, and sparklines of
//! daily uses and tokens (30 days) and hourly uses (24 hours), read by the
//! storage worker. Token figures are short (`1.2M`): the exact ones are in
//! `keydesk usage --json`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, LineGauge, Sparkline, Widget};

use super::{Rows, Theme, detail_line, format_time};
use crate::display::columns::{Clock, Column, Status};
use crate::display::count::{compact, money};
use crate::display::offset_label;
use crate::display::policy::meanings;
use crate::domain::policy::Reason;
use crate::domain::policy::Rule;
use crate::domain::{Day, Hour};
use crate::domain::{KeyRecord, KeyUsage, Outcome, UsageCounts, UsageQuery};
use crate::tui::app::App;
use crate::tui::app::{BudgetGauge, Spend};
use crate::tui::worker::USAGE_HOURS;
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
    usage_rows(buf, &mut rows, app, record, query, (tall, inner.width as usize), theme);
}

/// The key's usage: uses and refusals, tokens and their cost, its budgets'
/// gauges, and the sparklines (tokens per day first: for a key that has
/// tokens they matter most, and below the table the last rows are cut).
/// `shape`: whether the pane is tall, and its width.
fn usage_rows(
    buf: &mut Buffer,
    rows: &mut Rows,
    app: &App,
    record: &KeyRecord,
    query: &UsageQuery,
    shape: (bool, usize),
    theme: &Theme,
) {
    let (tall, width) = shape;
    let none = KeyUsage::default();
    let usage = app.usage.get(&record.id).unwrap_or(&none);
    let mut lines = totals(usage, width, theme);
    let spend = app.spend_of(&record.id);
    let budgets = app.budgets_of(&record.id, &record.policy);
    // Tokens only for a key that has some, or budgets to spend them on.
    let has_tokens = !spend.counts.is_zero() || !usage.tokens_lifetime.is_zero() || !budgets.is_empty();
    if has_tokens {
        let tokens = tokens_lines(&spend, app, width, theme);
        // Below the table, uses and tokens share a line when they fit.
        match (&mut lines[..], &tokens[..]) {
            ([uses], [one]) if !tall && uses.width() + one.width() + 3 <= width => {
                let separator = format!(" {} ", theme.glyphs().separator);
                uses.push_span(Span::styled(separator, theme.text()));
                // Without its own "30 d:".
                uses.spans.extend(one.spans.iter().skip(1).cloned());
            }
            _ => lines.extend(tokens),
        }
    }
    for line in lines {
        rows.line(buf, line);
    }
    for gauge in &budgets {
        budget(buf, rows, gauge, app, shape, theme);
    }
    let spark_height = if tall { 3 } else { 1 };
    if has_tokens {
        let daily = tokens_per_day(usage, query.days.clone());
        let peak = compact(daily.iter().copied().max().unwrap_or(0));
        let label = tr!("tui-details-tokens-per-day");
        sparkline(buf, rows, &label, &peak, &daily, spark_height, theme);
    }
    let daily = usage.daily_series(query.days.clone(), Outcome::Accepted);
    let peak = daily.iter().copied().max().unwrap_or(0);
    let label = tr!("tui-details-uses-per-day");
    sparkline(buf, rows, &label, &peak.to_string(), &daily, spark_height, theme);
    // The worker reads token hours a month back; the pane shows the last day.
    let hours = Hour(query.hours.end.0.saturating_sub(USAGE_HOURS))..query.hours.end;
    let hourly = usage.hourly_series(hours, Outcome::Accepted);
    let peak = hourly.iter().copied().max().unwrap_or(0);
    let label = tr!("tui-details-uses-per-hour");
    sparkline(buf, rows, &label, &peak.to_string(), &hourly, spark_height, theme);
}

/// Input and output tokens per day over `days` (every model together).
fn tokens_per_day(usage: &KeyUsage, days: std::ops::Range<Day>) -> Vec<u64> {
    let mut series = vec![0u64; days.end.0.saturating_sub(days.start.0) as usize];
    for (day, _, counts) in &usage.tokens_daily {
        if days.contains(day) {
            let slot = &mut series[(day.0 - days.start.0) as usize];
            *slot = slot.saturating_add(counts.total());
        }
    }
    series
}

/// "30 d: tokens 1.2M in · 340k out · cost 3.20 USD": the 30-day tokens
/// and, where prices apply, their cost; the cost on a line of its own when
/// both do not fit in `width`.
fn tokens_lines<'a>(spend: &Spend, app: &App, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let tokens = tr!(
        "tui-details-tokens",
        input = compact(spend.counts.input),
        output = compact(spend.counts.output)
    );
    let mut one = Line::from(vec![
        Span::styled(tr!("tui-details-30-days"), theme.dim()),
        Span::styled(tokens, theme.text()),
    ]);
    let (Some(cost), Some(prices)) = (spend.cost, &app.prices) else {
        return vec![one];
    };
    let money = tr!("tui-money", amount = money(cost), currency = prices.currency());
    let cost = theme
        .glyphs()
        .text(&tr!("tui-details-cost", money = money))
        .into_owned();
    let joined = format!(" {} {cost}", theme.glyphs().separator);
    if one.width() + joined.width() <= width {
        one.push_span(Span::styled(joined, theme.text()));
        return vec![one];
    }
    vec![one, Line::styled(cost, theme.text())]
}

/// One budget: "1.2M / 5M tokens this month", when it resets, and a gauge
/// of what is used; below the table (`tall` false) the gauge carries the
/// figures on one line. `shape`: whether the pane is tall, and its width.
fn budget(buf: &mut Buffer, rows: &mut Rows, gauge: &BudgetGauge, app: &App, shape: (bool, usize), theme: &Theme) {
    let (tall, width) = shape;
    let glyphs = theme.glyphs();
    let figures = budget_figures(gauge, app);
    let resets = gauge.reset.map(|at| resets_text(at, app.utc_offset));
    let over = gauge.used >= gauge.budget.amount;
    let style = if over { theme.error() } else { theme.success() };
    let percent = format!("{:>3}%", (gauge.ratio() * 100.0).floor() as u32);
    let label = if tall {
        let mut text = figures;
        if let Some(resets) = resets {
            // "…, resets 1 Jan 00:00 UTC+8" when it fits, else on a line of its own.
            let joined = with_reset(&text, &resets);
            if joined.width() <= width {
                text = joined;
            } else {
                rows.line(buf, Line::styled(glyphs.fit(&text, width).into_owned(), theme.text()));
                text = resets;
            }
        }
        rows.line(buf, Line::styled(glyphs.fit(&text, width).into_owned(), theme.text()));
        percent
    } else {
        // One line: the reset too when it leaves the gauge a dozen columns.
        let short = format!("{percent} {figures}");
        match resets {
            Some(resets) if short.width() + resets.width() + 14 <= width => with_reset(&short, &resets),
            _ => short,
        }
    };
    let area = rows.take(1);
    let label = glyphs.fit(&label, (area.width as usize).saturating_sub(4)).into_owned();
    LineGauge::default()
        .ratio(gauge.ratio())
        .label(Span::styled(label, theme.text()))
        .filled_symbol(glyphs.gauge.0)
        .unfilled_symbol(glyphs.gauge.1)
        .filled_style(style)
        .unfilled_style(theme.dim())
        .render(area, buf);
}

/// "1.2M / 5M tokens this month, resets 1 Jan 00:00 UTC+8".
fn with_reset(figures: &str, resets: &str) -> String {
    tr!("tui-details-budget-with-reset", figures = figures, resets = resets)
}

/// "1.2M / 5M tokens this month" or "3.20 / 20.00 USD this month".
fn budget_figures(gauge: &BudgetGauge, app: &App) -> String {
    let period = gauge.budget.period.name();
    if gauge.rule == Rule::SpendLimit {
        let Some(prices) = &app.prices else {
            return tr!("tui-details-budget-no-prices");
        };
        let amount = |micros| tr!("tui-money", amount = money(micros), currency = prices.currency());
        return tr!(
            "tui-details-budget-spend",
            used = amount(gauge.used),
            amount = amount(gauge.budget.amount),
            period = period
        );
    }
    tr!(
        "tui-details-budget-tokens",
        used = compact(gauge.used),
        amount = compact(gauge.budget.amount),
        period = period
    )
}

/// "resets 1 Jan 00:00 UTC+8": the period's end in the shown offset.
fn resets_text(at: time::OffsetDateTime, offset: time::UtcOffset) -> String {
    let local = at.checked_to_offset(offset).unwrap_or(at);
    tr!(
        "tui-details-budget-resets",
        day = local.day().to_string(),
        // A number, for the message's choice of the month's name.
        month = u8::from(local.month()),
        time = format!("{:02}:{:02}", local.hour(), local.minute()),
        offset = offset_label(offset)
    )
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
fn sparkline(buf: &mut Buffer, rows: &mut Rows, label: &str, peak: &str, series: &[u64], height: u16, theme: &Theme) {
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
