//! `keydesk usage`: per-day counts by outcome, for one key or all; and
//! `keydesk cleanup`: keys unused for a while, listed, disabled or deleted in
//! one transaction.

use std::fmt::Write as _;

use time::{OffsetDateTime, UtcOffset};

use super::commands::{escape_for_terminal, parse_id, rfc3339, write_stdout};
use super::exit::Failure;
use super::prompt;
use crate::KeyStore;
use crate::display::{format_instant, sanitize};
use crate::domain::usage::{is_unused, last_activity, never_used};
use crate::domain::{Day, KeyId, KeyRecord, KeyUsage, UsageCounts, UsageQuery};

/// What `keydesk usage` was asked for.
pub struct UsageRequest<'a> {
    pub id: Option<&'a str>,
    pub days: u32,
    pub json: bool,
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
    let out = match (request.json, request.id.is_some()) {
        (true, _) => json(&rows, query.days),
        (false, true) => one_key(rows[0].0, &rows[0].1, query.days),
        (false, false) => all_keys(&rows, request.days),
    };
    write_stdout(&out)
}

const OUTCOME_HEADER: &str = "ACCEPTED  DISABLED  EXPIRED  PREV-ENDED";

fn counts_cells(c: &UsageCounts) -> String {
    format!(
        "{:>8}  {:>8}  {:>7}  {:>10}",
        c.accepted, c.refused_disabled, c.refused_expired, c.refused_previous_ended
    )
}

/// Every day of the range, zeros included, then the total.
fn one_key(record: &KeyRecord, usage: &KeyUsage, days: std::ops::Range<Day>) -> String {
    let mut out = format!(
        "{} ({})\nDAY (UTC)   {OUTCOME_HEADER}\n",
        sanitize(&record.name),
        record.id
    );
    for day in days.start.0..days.end.0 {
        let counts = usage.daily.iter().find(|(d, _)| d.0 == day).map(|(_, c)| *c);
        let _ = writeln!(
            out,
            "{}  {}",
            Day(day).date(),
            counts_cells(&counts.unwrap_or_default())
        );
    }
    let _ = writeln!(out, "{:<10}  {}", "total", counts_cells(&usage.total()));
    out
}

/// One line per key: its totals over the range.
fn all_keys(rows: &[(&KeyRecord, KeyUsage)], days: u32) -> String {
    if rows.is_empty() {
        return "no keys\n".to_owned();
    }
    let mut out = format!(
        "{:<20}  {:<24}  {OUTCOME_HEADER}   (last {days} days, UTC)\n",
        "ID", "NAME"
    );
    for (record, usage) in rows {
        let name: String = sanitize(&record.name).chars().take(24).collect();
        let _ = writeln!(
            out,
            "{:<20}  {:<24}  {}",
            record.id.as_str(),
            name,
            counts_cells(&usage.total())
        );
    }
    out
}

/// `usage --json`: a stable array, fields only ever added.
#[derive(serde::Serialize)]
struct JsonUsage<'a> {
    id: &'a str,
    name: &'a str,
    total: JsonCounts,
    /// Only days with a count, oldest first.
    days: Vec<JsonDay>,
}

#[derive(serde::Serialize)]
struct JsonDay {
    /// The UTC day, YYYY-MM-DD.
    date: String,
    #[serde(flatten)]
    counts: JsonCounts,
}

#[derive(serde::Serialize)]
struct JsonCounts {
    accepted: u64,
    refused_disabled: u64,
    refused_expired: u64,
    refused_previous_ended: u64,
}

impl From<UsageCounts> for JsonCounts {
    fn from(c: UsageCounts) -> Self {
        JsonCounts {
            accepted: c.accepted.into(),
            refused_disabled: c.refused_disabled.into(),
            refused_expired: c.refused_expired.into(),
            refused_previous_ended: c.refused_previous_ended.into(),
        }
    }
}

fn json(rows: &[(&KeyRecord, KeyUsage)], days: std::ops::Range<Day>) -> String {
    let items: Vec<JsonUsage> = rows
        .iter()
        .map(|(record, usage)| JsonUsage {
            id: record.id.as_str(),
            name: &record.name,
            total: usage.total().into(),
            days: usage
                .daily
                .iter()
                .filter(|(day, _)| days.contains(day))
                .map(|(day, counts)| JsonDay {
                    date: day.date().to_string(),
                    counts: (*counts).into(),
                })
                .collect(),
        })
        .collect();
    escape_for_terminal(&serde_json::to_string_pretty(&items).expect("JSON of plain values")) + "\n"
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
            CleanupAction::List => unreachable!("not acting"),
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
    if let Some(done) = done.filter(|_| !request.json) {
        eprintln!(
            "{} {} key{}.",
            capitalise(done),
            found.len(),
            if found.len() == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// Asks on a terminal; without one, refuses (exit 2) so a script never
/// disables or deletes keys it was not told to.
fn confirm_cleanup(found: &[KeyRecord], action: CleanupAction, idle: time::Duration) -> Result<(), Failure> {
    let verb = if action == CleanupAction::Delete {
        "delete"
    } else {
        "disable"
    };
    if !prompt::stdin_is_terminal() {
        return Err(Failure::usage(format!(
            "refusing to {verb} {} keys without confirmation: stdin is not a terminal, pass --yes",
            found.len()
        )));
    }
    let question = format!(
        "{} {} key{} unused for {} days or more?{}",
        capitalise(verb),
        found.len(),
        if found.len() == 1 { "" } else { "s" },
        idle.whole_days(),
        if action == CleanupAction::Delete {
            " Applications using them will no longer be able to call the service; this cannot be undone."
        } else {
            " They stop verifying until enabled again."
        }
    );
    if !prompt::confirm(&question)? {
        return Err(Failure::declined(format!("nothing {verb}d")));
    }
    Ok(())
}

fn cleanup_table(found: &[KeyRecord], offset: UtcOffset, now: OffsetDateTime, deleted: bool) -> String {
    if found.is_empty() {
        return "no unused keys\n".to_owned();
    }
    let zone = crate::display::offset_label(offset);
    let mut out = format!(
        "{:<20}  {:<24}  {:<19}  {:<19}  STATUS\n",
        "ID",
        "NAME",
        format!("LAST USED ({zone})"),
        format!("CREATED ({zone})")
    );
    for r in found {
        let name: String = sanitize(&r.name).chars().take(24).collect();
        let last = if never_used(r) {
            "never".to_owned()
        } else {
            format_instant(last_activity(r), offset)
        };
        let _ = writeln!(
            out,
            "{:<20}  {:<24}  {:<19}  {:<19}  {}",
            r.id.as_str(),
            name,
            last,
            format_instant(r.created_at, offset),
            if deleted { "deleted" } else { r.status(now).as_str() }
        );
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
