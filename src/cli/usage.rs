//! `keydesk usage`: per-day counts by outcome, and tokens and their cost
//! (`usage_tokens.rs`), for one key or all; and
//! `keydesk cleanup`: keys unused for a while, listed, disabled or deleted in
//! one transaction.

use std::fmt::Write as _;

use time::{OffsetDateTime, UtcOffset};
use unicode_width::UnicodeWidthStr;

use super::exit::Failure;
use super::key_id::parse_id;
use super::output::{ID_WIDTH, NAME_WIDTH, escape_for_terminal, rfc3339, write_stdout};
use super::prompt;
use super::usage_tokens::{JsonTokens, Spend, TokenColumns, by_model_json, by_model_table, of_day, per_model};
use crate::KeyStore;
use crate::display::text::{pad, pad_left, truncate};
use crate::display::{format_instant, sanitize};
use crate::domain::policy::Reason;
use crate::domain::prices::PriceList;
use crate::domain::usage::{is_unused, last_activity, never_used};
use crate::domain::{Day, KeyId, KeyRecord, KeyStatus, KeyUsage, UsageCounts, UsageQuery};

/// What `keydesk usage` was asked for.
pub struct UsageRequest<'a> {
    pub id: Option<&'a str>,
    pub days: u32,
    pub json: bool,
    /// One row per key and model (`--by model`).
    pub by_model: bool,
    /// The config file's prices, if any.
    pub prices: Option<&'a PriceList>,
}

pub fn show(store: &dyn KeyStore, request: UsageRequest<'_>) -> Result<(), Failure> {
    let now = OffsetDateTime::now_utc();
    let id = request.id.map(parse_id).transpose()?;
    let records: Vec<KeyRecord> = match &id {
        Some(id) => vec![
            store
                .get(id)?
                .ok_or_else(|| crate::StoreError::NotFound { id: id.to_string() })?,
        ],
        None => store.list()?,
    };
    let query = UsageQuery::last(id, request.days, 0, now);
    let found = store.usage(&query)?;
    let usage_of = |id: &KeyId| {
        found
            .binary_search_by(|(found, _)| found.cmp(id))
            .map_or_else(|_| KeyUsage::default(), |at| found[at].1.clone())
    };
    let rows: Vec<(&KeyRecord, KeyUsage)> = records.iter().map(|r| (r, usage_of(&r.id))).collect();
    let prices = request.prices;
    let out = if request.by_model {
        let models: Vec<_> = rows.iter().map(|(r, u)| (*r, per_model(u, &query.days))).collect();
        match request.json {
            true => by_model_json(&models, prices),
            false => by_model_table(&models, prices, request.days),
        }
    } else {
        match (request.json, request.id.is_some()) {
            (true, _) => json(&rows, query.days, prices),
            (false, true) => one_key(rows[0].0, &rows[0].1, query.days, prices),
            (false, false) => all_keys(&rows, request.days, prices),
        }
    };
    write_stdout(&out)
}

/// The outcome columns: headers in the current language, each as wide as its
/// header or its widest count.
struct OutcomeColumns {
    headers: [String; 4],
    widths: [usize; 4],
}

impl OutcomeColumns {
    fn new<'a>(counts: impl IntoIterator<Item = &'a UsageCounts>) -> Self {
        let headers = [
            tr!("cli-usage-accepted"),
            tr!("cli-usage-disabled"),
            tr!("cli-usage-expired"),
            tr!("cli-usage-previous-ended"),
        ];
        let mut widths = headers.clone().map(|header| header.width());
        for c in counts {
            for (width, cell) in widths.iter_mut().zip(cells(c)) {
                *width = (*width).max(cell.len());
            }
        }
        OutcomeColumns { headers, widths }
    }

    fn header(&self) -> String {
        self.header_padded().trim_end().to_owned()
    }

    /// The header with its last column padded, for columns after it.
    fn header_padded(&self) -> String {
        let cells: Vec<String> = self.headers.iter().zip(self.widths).map(|(h, w)| pad(h, w)).collect();
        cells.join("  ")
    }

    fn row(&self, c: &UsageCounts) -> String {
        let cells: Vec<String> = cells(c).iter().zip(self.widths).map(|(n, w)| pad_left(n, w)).collect();
        cells.join("  ")
    }
}

fn cells(c: &UsageCounts) -> [String; 4] {
    [
        c.accepted.to_string(),
        c.refused_disabled.to_string(),
        c.refused_expired.to_string(),
        c.refused_previous_ended.to_string(),
    ]
}

/// Every day of the range, zeros included, then the total; with token
/// columns when the key has tokens in the range.
fn one_key(record: &KeyRecord, usage: &KeyUsage, days: std::ops::Range<Day>, prices: Option<&PriceList>) -> String {
    let per_day: Vec<(Day, UsageCounts)> = (days.start.0..days.end.0)
        .map(|day| {
            let counts = usage.daily.iter().find(|(d, _)| d.0 == day).map(|(_, c)| *c);
            (Day(day), counts.unwrap_or_default())
        })
        .collect();
    let total = usage.total();
    let columns = OutcomeColumns::new(per_day.iter().map(|(_, c)| c).chain([&total]));
    let total_spend = Spend::of(&per_model(usage, &days), prices);
    let spends: Vec<Spend> = per_day
        .iter()
        .map(|(day, _)| Spend::of(&of_day(usage, *day), prices))
        .collect();
    let tokens =
        (!total_spend.counts.is_zero()).then(|| TokenColumns::new(prices, spends.iter().chain([&total_spend])));
    let with_tokens = |line: String, spend: &Spend| match &tokens {
        Some(tokens) => format!("{line}  {}", tokens.row(spend)),
        None => line,
    };
    let (day_header, total_label) = (tr!("cli-usage-day"), tr!("cli-usage-total"));
    // A date is 10 columns wide.
    let first = [&day_header, &total_label]
        .iter()
        .map(|t| t.width())
        .max()
        .unwrap_or(0)
        .max(10);
    let mut out = format!("{} ({})\n", sanitize(&record.name), record.id);
    let header = match &tokens {
        Some(tokens) => format!("{}  {}", columns.header_padded(), tokens.header()),
        None => columns.header(),
    };
    let _ = writeln!(out, "{}  {}", pad(&day_header, first), header.trim_end());
    for ((day, counts), spend) in per_day.iter().zip(&spends) {
        let line = format!("{}  {}", pad(&day.date().to_string(), first), columns.row(counts));
        let _ = writeln!(out, "{}", with_tokens(line, spend));
    }
    let line = format!("{}  {}", pad(&total_label, first), columns.row(&total));
    let _ = writeln!(out, "{}", with_tokens(line, &total_spend));
    out
}

/// One line per key: its totals over the range, with token columns when
/// any key has tokens in it.
fn all_keys(rows: &[(&KeyRecord, KeyUsage)], days: u32, prices: Option<&PriceList>) -> String {
    if rows.is_empty() {
        return tr!("cli-usage-no-keys") + "\n";
    }
    let totals: Vec<UsageCounts> = rows.iter().map(|(_, usage)| usage.total()).collect();
    let columns = OutcomeColumns::new(&totals);
    let range = UsageQuery::last(None, days, 0, OffsetDateTime::now_utc()).days;
    let spends: Vec<Spend> = rows
        .iter()
        .map(|(_, u)| Spend::of(&per_model(u, &range), prices))
        .collect();
    let tokens = spends
        .iter()
        .any(|s| !s.counts.is_zero())
        .then(|| TokenColumns::new(prices, &spends));
    let header = match &tokens {
        Some(tokens) => format!("{}  {}", columns.header_padded(), tokens.header()),
        None => columns.header(),
    };
    let mut out = format!(
        "{}  {}  {}   {}\n",
        pad(&tr!("cli-usage-id"), ID_WIDTH),
        pad(&tr!("cli-usage-name"), NAME_WIDTH),
        header,
        tr!("cli-usage-range", days = days)
    );
    for (((record, _), total), spend) in rows.iter().zip(&totals).zip(&spends) {
        let name = truncate(&sanitize(&record.name), NAME_WIDTH);
        let mut line = format!(
            "{}  {}  {}",
            pad(record.id.as_str(), ID_WIDTH),
            pad(&name, NAME_WIDTH),
            columns.row(total)
        );
        if let Some(tokens) = &tokens {
            let _ = write!(line, "  {}", tokens.row(spend));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `usage --json`: a stable array, fields only ever added.
#[derive(serde::Serialize)]
struct JsonUsage<'a> {
    id: &'a str,
    name: &'a str,
    total: JsonCounts,
    /// Tokens and their cost over the range (`input_tokens`,
    /// `output_tokens`, `cost`, …).
    #[serde(flatten)]
    tokens: JsonTokens,
    /// Only days with a count or tokens, oldest first.
    days: Vec<JsonDay>,
}

#[derive(serde::Serialize)]
struct JsonDay {
    /// The UTC day, YYYY-MM-DD.
    date: String,
    #[serde(flatten)]
    counts: JsonCounts,
    #[serde(flatten)]
    tokens: JsonTokens,
}

/// Every count by its outcome's stable name ([`Outcome::as_str`]).
#[derive(serde::Serialize)]
struct JsonCounts {
    accepted: u64,
    refused_disabled: u64,
    refused_expired: u64,
    refused_previous_ended: u64,
    /// Requests that verified and a gateway then refused by the key's
    /// policy, by reason (none of them is in `accepted`).
    refused_rate: u64,
    refused_concurrency: u64,
    refused_method: u64,
    refused_path: u64,
    refused_model: u64,
    refused_address: u64,
}

impl From<UsageCounts> for JsonCounts {
    fn from(c: UsageCounts) -> Self {
        let by_policy = |reason| u64::from(c.by_policy(reason));
        JsonCounts {
            accepted: c.accepted.into(),
            refused_disabled: c.refused_disabled.into(),
            refused_expired: c.refused_expired.into(),
            refused_previous_ended: c.refused_previous_ended.into(),
            refused_rate: by_policy(Reason::Rate),
            refused_concurrency: by_policy(Reason::Concurrency),
            refused_method: by_policy(Reason::Method),
            refused_path: by_policy(Reason::Path),
            refused_model: by_policy(Reason::Model),
            refused_address: by_policy(Reason::Address),
        }
    }
}

fn json(rows: &[(&KeyRecord, KeyUsage)], days: std::ops::Range<Day>, prices: Option<&PriceList>) -> String {
    let items: Vec<JsonUsage> = rows
        .iter()
        .map(|(record, usage)| JsonUsage {
            id: record.id.as_str(),
            name: &record.name,
            total: usage.total().into(),
            tokens: JsonTokens::new(&Spend::of(&per_model(usage, &days), prices), prices),
            days: json_days(usage, &days, prices),
        })
        .collect();
    escape_for_terminal(&serde_json::to_string_pretty(&items).expect("JSON of plain values")) + "\n"
}

/// The days of `range` with a count or tokens, oldest first.
fn json_days(usage: &KeyUsage, range: &std::ops::Range<Day>, prices: Option<&PriceList>) -> Vec<JsonDay> {
    let mut days: Vec<Day> = usage.daily.iter().map(|(day, _)| *day).collect();
    days.extend(usage.tokens_daily.iter().map(|(day, _, _)| *day));
    days.sort_unstable();
    days.dedup();
    days.into_iter()
        .filter(|day| range.contains(day))
        .map(|day| {
            let counts = usage.daily.iter().find(|(d, _)| *d == day).map(|(_, c)| *c);
            JsonDay {
                date: day.date().to_string(),
                counts: counts.unwrap_or_default().into(),
                tokens: JsonTokens::new(&Spend::of(&of_day(usage, day), prices), prices),
            }
        })
        .collect()
}

/// What `keydesk cleanup` does with the keys it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CleanupAction {
    List,
    Disable,
    Delete,
}

pub struct CleanupRequest {
    pub unused_for: time::Duration,
    pub action: CleanupAction,
    pub dry_run: bool,
    pub yes: bool,
    pub json: bool,
}

pub fn cleanup(store: &dyn KeyStore, request: CleanupRequest, offset: UtcOffset) -> Result<(), Failure> {
    let now = OffsetDateTime::now_utc();
    let mut found: Vec<KeyRecord> = store
        .list()?
        .into_iter()
        .filter(|r| is_unused(r, now, request.unused_for))
        // Disabling a key that is not active changes nothing it could use.
        .filter(|r| request.action != CleanupAction::Disable || r.status(now) == crate::domain::KeyStatus::Active)
        .collect();
    found.sort_by_key(|r| (last_activity(r), r.id.clone()));
    let acting = request.action != CleanupAction::List && !request.dry_run && !found.is_empty();
    if acting && !request.yes {
        confirm_cleanup(&found, request.action, request.unused_for)?;
    }
    let ids: Vec<KeyId> = found.iter().map(|r| r.id.clone()).collect();
    if acting {
        // One transaction for all; shown as they are afterwards.
        found = match request.action {
            CleanupAction::Disable => store.disable_many(&ids)?,
            CleanupAction::Delete => store.delete_many(&ids)?,
            // Listing changes nothing (and is never `acting`).
            CleanupAction::List => found,
        };
    }
    let done = match (request.action, acting || request.dry_run) {
        (CleanupAction::Disable, true) if request.dry_run => Some("would disable"),
        (CleanupAction::Delete, true) if request.dry_run => Some("would delete"),
        (CleanupAction::Disable, true) => Some("disabled"),
        (CleanupAction::Delete, true) => Some("deleted"),
        _ => None,
    };
    let out = if request.json {
        cleanup_json(&found, done, request.unused_for, request.dry_run)
    } else {
        cleanup_table(&found, offset, now, request.action == CleanupAction::Delete && acting)
    };
    write_stdout(&out)?;
    if !request.json {
        let count = found.len();
        let said = match (request.action, acting || request.dry_run) {
            (CleanupAction::Disable, true) if request.dry_run => Some(tr!("cli-cleanup-would-disable", count = count)),
            (CleanupAction::Delete, true) if request.dry_run => Some(tr!("cli-cleanup-would-delete", count = count)),
            (CleanupAction::Disable, true) => Some(tr!("cli-cleanup-done-disable", count = count)),
            (CleanupAction::Delete, true) => Some(tr!("cli-cleanup-done-delete", count = count)),
            _ => None,
        };
        if let Some(said) = said {
            eprintln!("{said}");
        }
    }
    Ok(())
}

/// Asks on a terminal; without one, refuses (exit 2) so a script never
/// disables or deletes keys it was not told to.
fn confirm_cleanup(found: &[KeyRecord], action: CleanupAction, idle: time::Duration) -> Result<(), Failure> {
    let (count, days) = (found.len(), idle.whole_days());
    let deleting = action == CleanupAction::Delete;
    if !prompt::stdin_is_terminal() {
        return Err(Failure::usage(if deleting {
            tr!("cli-cleanup-refused-delete", count = count)
        } else {
            tr!("cli-cleanup-refused-disable", count = count)
        }));
    }
    let question = if deleting {
        tr!("cli-cleanup-question-delete", count = count, days = days)
    } else {
        tr!("cli-cleanup-question-disable", count = count, days = days)
    };
    if !prompt::confirm(&question)? {
        return Err(Failure::declined(if deleting {
            tr!("cli-cleanup-declined-delete")
        } else {
            tr!("cli-cleanup-declined-disable")
        }));
    }
    Ok(())
}

fn cleanup_table(found: &[KeyRecord], offset: UtcOffset, now: OffsetDateTime, deleted: bool) -> String {
    if found.is_empty() {
        return tr!("cli-cleanup-none") + "\n";
    }
    let zone = crate::display::offset_label(offset);
    let (last_used, created) = (
        tr!("cli-cleanup-last-used", zone = zone.as_str()),
        tr!("cli-cleanup-created", zone = zone),
    );
    let rows: Vec<[String; 5]> = found
        .iter()
        .map(|r| {
            let last = if never_used(r) {
                tr!("cli-cleanup-never")
            } else {
                format_instant(last_activity(r), offset)
            };
            let status = match r.status(now) {
                _ if deleted => tr!("cli-status-deleted"),
                KeyStatus::Active => tr!("cli-status-active"),
                KeyStatus::Disabled => tr!("cli-status-disabled"),
                KeyStatus::Expired => tr!("cli-status-expired"),
            };
            let name = truncate(&sanitize(&r.name), NAME_WIDTH);
            [
                r.id.to_string(),
                name,
                last,
                format_instant(r.created_at, offset),
                status,
            ]
        })
        .collect();
    // A time is at most 19 columns; a header may be wider.
    let time_width = |header: &str, column: usize| {
        rows.iter()
            .map(|row| row[column].width())
            .chain([header.width(), 19])
            .max()
            .unwrap_or(19)
    };
    let widths = [
        ID_WIDTH,
        NAME_WIDTH,
        time_width(&last_used, 2),
        time_width(&created, 3),
        0,
    ];
    let header = [
        tr!("cli-cleanup-id"),
        tr!("cli-cleanup-name"),
        last_used.clone(),
        created.clone(),
        tr!("cli-cleanup-status"),
    ];
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row.iter().zip(widths).map(|(cell, width)| pad(cell, width)).collect();
        out.push_str(&cells.join("  "));
        out.push('\n');
    }
    out
}

/// `cleanup --json`: a stable object, fields only ever added.
#[derive(serde::Serialize)]
struct JsonCleanup<'a> {
    unused_for_days: i64,
    /// `disabled`, `deleted`, `would disable`, `would delete`, or `null` (listed only).
    action: Option<&'static str>,
    dry_run: bool,
    keys: Vec<JsonCandidate<'a>>,
}

#[derive(serde::Serialize)]
struct JsonCandidate<'a> {
    id: &'a str,
    name: &'a str,
    created_at: String,
    /// The latest use of either secret; `null`: never used.
    last_used: Option<String>,
}

fn cleanup_json(found: &[KeyRecord], action: Option<&'static str>, idle: time::Duration, dry_run: bool) -> String {
    let keys = found
        .iter()
        .map(|r| JsonCandidate {
            id: r.id.as_str(),
            name: &r.name,
            created_at: rfc3339(r.created_at),
            last_used: (!never_used(r)).then(|| rfc3339(last_activity(r))),
        })
        .collect();
    let report = JsonCleanup {
        unused_for_days: idle.whole_days(),
        action,
        dry_run,
        keys,
    };
    escape_for_terminal(&serde_json::to_string_pretty(&report).expect("JSON of plain values")) + "\n"
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use unicode_width::UnicodeWidthStr;

    use super::*;
    use crate::domain::{KeyHash, KeyId};
    use crate::i18n::{Lang, with_lang};

    fn record(name: &str) -> KeyRecord {
        KeyRecord::new(
            KeyId::generate(),
            name.to_owned(),
            KeyHash::of(name),
            "sk-Abcd****wxyz".to_owned(),
            datetime!(2026-01-01 10:00 UTC),
        )
    }

    /// The display column where `needle` starts in `line`.
    fn column(line: &str, needle: &str) -> usize {
        let at = line
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in {line:?}"));
        line[..at].width()
    }

    #[test]
    fn the_cleanup_table_aligns_chinese_names_and_cuts_long_ones_between_characters() {
        let records = [
            record("ascii-name"),
            record("生产环境密钥"),
            // 1 + 2 × 11 columns fit in 24; the twelfth character would straddle the edge.
            record("a非常非常非常非常长的中文名称用于测试截断"),
        ];
        let now = datetime!(2026-06-01 10:00 UTC);
        for lang in Lang::ALL {
            let table = with_lang(lang, || cleanup_table(&records, UtcOffset::UTC, now, false));
            let lines: Vec<&str> = table.lines().collect();
            let status = with_lang(lang, || tr!("cli-cleanup-status"));
            let active = with_lang(lang, || tr!("cli-status-active"));
            let status_column = column(lines[0], &status);
            for line in &lines[1..] {
                assert_eq!(column(line, &active), status_column, "{lang}:\n{table}");
            }
            assert!(
                lines[3].contains("a非常非常非常非常长的中 "),
                "cut at 24 columns: {table}"
            );
            assert!(!lines[3].contains("中文"), "{table}");
        }
    }

    #[test]
    fn usage_counts_wider_than_their_header_widen_the_column() {
        let mut usage = KeyUsage::default();
        usage.daily.push((
            Day::of(datetime!(2026-06-01 10:00 UTC)),
            UsageCounts {
                accepted: 123_456_789,
                ..UsageCounts::default()
            },
        ));
        let rows = [(&record("名称"), usage)];
        for lang in Lang::ALL {
            let table = with_lang(lang, || all_keys(&rows, 30, None));
            let lines: Vec<&str> = table.lines().collect();
            let header_end = column(lines[0], &with_lang(lang, || tr!("cli-usage-previous-ended")))
                + with_lang(lang, || tr!("cli-usage-previous-ended")).width();
            assert_eq!(lines[1].width(), header_end, "{lang}:\n{table}");
        }
    }
}
