//! `keydesk migrate --from FILE --to postgres://…`: a file's keys and audit
//! log copied into PostgreSQL, with the counts checked on both sides.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use super::exit::{Exit, Failure};
use super::store::{db_password, load_audit_key, refuse_password_on_command_line};
use crate::config::Settings;
use crate::domain::{Actor, AuditQuery, Interface, KeyId, KeyUsage, TokenCounts, UsageCounts, UsageQuery};
use crate::{KeyStore, Store};
use keydesk_postgres::{Imported, PgStore};

pub fn run(from: &Path, to: &str, settings: &Settings) -> Result<Exit, Failure> {
    if !keydesk_postgres::is_postgres_url(to) {
        return Err(Failure::usage(tr!("cli-migrate-to-not-postgres")));
    }
    refuse_password_on_command_line(to, "--to")?;
    let actor = Actor::from_process(Interface::Cli);
    let source = Store::builder(from)
        .create_if_missing(false)
        .actor(actor.clone())
        .open()?;
    let records = source.list()?;
    let mut entries = source.audit_entries(&AuditQuery::default())?;
    entries.reverse(); // oldest first, as they are chained
    // One window for both sides, so an hour turning over meanwhile does not
    // make them differ.
    let window = all_retained_usage();
    let usage = source.usage(&window)?;
    let buckets: usize = usage.iter().map(|(_, u)| u.hourly.len() + u.daily.len()).sum();
    // Keyed entries are sealed again with the key (the same bytes): the
    // check below says whether it is the key they were sealed with.
    let target = PgStore::open(to, db_password(settings)?, actor)?;
    let target = match load_audit_key(settings, super::audit_key::KeyFile::IfPresent)? {
        Some(key) => target.with_audit_key(key),
        None => target,
    };
    let imported = target.import(&records, &entries, &usage)?;

    // Checked on the other side, after the commit: every key is there, the
    // log holds every entry and its chain is intact.
    let there: HashSet<_> = target.list()?.into_iter().map(|r| r.id).collect();
    let missing = records.iter().filter(|r| !there.contains(&r.id)).count();
    let chain = target.check_audit_chain()?;
    let counted = covers(&target.usage(&window)?, &usage);
    let checks_out = missing == 0 && imported.entries_total >= entries.len() && chain.is_none() && counted;
    report(&imported, (records.len(), entries.len(), buckets), checks_out).map_err(Failure::from)?;
    if !checks_out {
        return Err(Failure {
            exit: Exit::Database,
            message: tr!(
                "cli-migrate-mismatch",
                missing = missing,
                copied = imported.entries_total,
                entries = entries.len(),
                chain = chain.map_or_else(
                    || tr!("cli-migrate-chain-intact"),
                    |b| crate::i18n::words::Worded::worded(&b)
                ),
                counts = if counted {
                    tr!("cli-migrate-counts-equal")
                } else {
                    tr!("cli-migrate-counts-different")
                }
            ),
        });
    }
    Ok(Exit::Ok)
}

/// Whether every bucket of `file` is in `there` with at least its counts
/// (PostgreSQL may have counted more since: gateways verify against it).
fn covers(there: &[(KeyId, KeyUsage)], file: &[(KeyId, KeyUsage)]) -> bool {
    let there: HashMap<&KeyId, &KeyUsage> = there.iter().map(|(id, usage)| (id, usage)).collect();
    let at_least = |a: &UsageCounts, b: &UsageCounts| a.to_array().iter().zip(b.to_array()).all(|(a, b)| *a >= b);
    file.iter().all(|(id, usage)| {
        let Some(found) = there.get(id) else { return false };
        let hours_ok = usage
            .hourly
            .iter()
            .all(|(h, c)| found.hourly.iter().any(|(fh, fc)| fh == h && at_least(fc, c)));
        let days_ok = usage
            .daily
            .iter()
            .all(|(d, c)| found.daily.iter().any(|(fd, fc)| fd == d && at_least(fc, c)));
        hours_ok && days_ok && tokens_covered(found, usage)
    })
}

/// Whether every token bucket and the lifetime of `file` are in `there`
/// with at least their counts.
fn tokens_covered(there: &KeyUsage, file: &KeyUsage) -> bool {
    let at_least = |a: &TokenCounts, b: &TokenCounts| {
        let ((a_tokens, a_answers), (b_tokens, b_answers)) = (a.to_stored(), b.to_stored());
        a_tokens.iter().zip(b_tokens).all(|(a, b)| *a >= b) && a_answers.iter().zip(b_answers).all(|(a, b)| *a >= b)
    };
    let hours = file.tokens_hourly.iter().all(|(h, m, c)| {
        there
            .tokens_hourly
            .iter()
            .any(|(th, tm, tc)| th == h && tm == m && at_least(tc, c))
    });
    let days = file.tokens_daily.iter().all(|(d, m, c)| {
        there
            .tokens_daily
            .iter()
            .any(|(td, tm, tc)| td == d && tm == m && at_least(tc, c))
    });
    hours && days && at_least(&there.tokens_lifetime, &file.tokens_lifetime)
}

/// Every usage and token bucket still retained, of every key (token hours
/// are kept longer than request hours; each store cuts to its own).
fn all_retained_usage() -> UsageQuery {
    use crate::domain::token_counts::TOKEN_HOURLY_RETENTION_HOURS;
    use crate::domain::usage::{DAILY_RETENTION_DAYS, HOURLY_RETENTION_HOURS};
    UsageQuery::last(
        None,
        DAILY_RETENTION_DAYS + 1,
        HOURLY_RETENTION_HOURS.max(TOKEN_HOURLY_RETENTION_HOURS) + 1,
        time::OffsetDateTime::now_utc(),
    )
}

/// What was copied; `(keys, entries, buckets)` are the file's.
fn report(
    imported: &Imported,
    (keys, entries, buckets): (usize, usize, usize),
    checks_out: bool,
) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let keys = tr!(
        "cli-migrate-keys",
        keys = keys,
        copied = imported.keys_copied,
        present = imported.keys_present,
        differing = imported.keys_differing
    );
    let entries = tr!(
        "cli-migrate-audit",
        entries = entries,
        copied = imported.entries_copied,
        present = imported.entries_present
    );
    let buckets = tr!(
        "cli-migrate-usage",
        buckets = buckets,
        copied = imported.buckets_copied,
        present = imported.buckets_present
    );
    let verdict = if checks_out {
        tr!("cli-migrate-checks-out")
    } else {
        tr!("cli-migrate-check-failed")
    };
    let total = tr!(
        "cli-migrate-total",
        keys = imported.keys_total,
        entries = imported.entries_total,
        verdict = verdict
    );
    writeln!(out, "{keys}\n{entries}\n{buckets}\n{total}")
}
