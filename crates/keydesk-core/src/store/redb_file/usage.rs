//! Usage counts in the redb file (token counts: `tokens.rs`, read here with
//! them) (since schema 5; by policy reason too since
//! schema 6): two tables keyed by (key ID,
//! bucket), one of hours and one of days. A delta is added to both in the
//! caller's write transaction, and the key's buckets past the retention are
//! deleted in the same transaction, so a key never holds more than
//! [`MAX_BUCKETS_PER_KEY`](crate::domain::usage::MAX_BUCKETS_PER_KEY).

use std::collections::BTreeMap;

use redb::{ReadTransaction, ReadableTable, Table, WriteTransaction};
use time::OffsetDateTime;

use super::Fail;
use super::tables::{KEYS, USAGE_DAILY, USAGE_HOURLY};
use crate::domain::usage::retained_from;
use crate::domain::{Day, Hour, KeyId, KeyUsage, UsageCounts, UsageDelta, UsageQuery};

type Buckets<'txn> = Table<'txn, (&'static str, u32), [u32; crate::domain::usage::COUNTS]>;

/// Adds `deltas` (of keys that exist, in buckets still retained at `now`).
/// Returns whether anything was added.
pub(super) fn add(txn: &WriteTransaction, deltas: &[UsageDelta], now: OffsetDateTime) -> Result<bool, Fail> {
    let (first_hour, first_day) = retained_from(now);
    let keys = txn.open_table(KEYS)?;
    let mut hourly = txn.open_table(USAGE_HOURLY)?;
    let mut daily = txn.open_table(USAGE_DAILY)?;
    let mut added = false;
    let mut pruned: Vec<&KeyId> = Vec::new();
    for UsageDelta { id, hour, counts } in deltas {
        if counts.is_zero() || keys.get(id.as_str())?.is_none() {
            continue;
        }
        let mut created = false;
        if *hour >= first_hour {
            created |= bump(&mut hourly, id.as_str(), hour.0, *counts)?;
            added = true;
        }
        if hour.day() >= first_day {
            created |= bump(&mut daily, id.as_str(), hour.day().0, *counts)?;
            added = true;
        }
        // Only a new bucket can take a key past its bound, so the old ones
        // are looked for then (about once per key per hour), not per write.
        if created && !pruned.contains(&id) {
            pruned.push(id);
            prune(&mut hourly, id.as_str(), first_hour.0)?;
            prune(&mut daily, id.as_str(), first_day.0)?;
        }
    }
    Ok(added)
}

/// Adds to a bucket ([`UsageCounts::added_to`]); returns whether it is new.
fn bump(table: &mut Buckets<'_>, id: &str, bucket: u32, counts: UsageCounts) -> Result<bool, Fail> {
    let old = table.get((id, bucket))?.map(|v| UsageCounts::from_array(v.value()));
    table.insert((id, bucket), counts.added_to(old.unwrap_or_default()).to_array())?;
    Ok(old.is_none())
}

/// Deletes `id`'s buckets before `first`.
fn prune(table: &mut Buckets<'_>, id: &str, first: u32) -> Result<(), Fail> {
    table.retain_in((id, 0)..(id, first), |_, _| false)?;
    Ok(())
}

/// Deletes every count of `id` (the key is being deleted).
pub(super) fn remove_key(txn: &WriteTransaction, id: &str) -> Result<(), Fail> {
    for table in [USAGE_HOURLY, USAGE_DAILY] {
        txn.open_table(table)?
            .retain_in((id, 0)..=(id, u32::MAX), |_, _| false)?;
    }
    Ok(())
}

/// The counts `query` asks for, limited to what is retained at `now`.
pub(super) fn read(
    txn: &ReadTransaction,
    query: &UsageQuery,
    now: OffsetDateTime,
) -> Result<Vec<(KeyId, KeyUsage)>, Fail> {
    let (days, hours) = query.retained(now);
    let mut found: BTreeMap<String, KeyUsage> = BTreeMap::new();
    let daily = txn.open_table(USAGE_DAILY)?;
    let hourly = txn.open_table(USAGE_HOURLY)?;
    match &query.key {
        Some(id) => {
            for entry in daily.range((id.as_str(), days.start)..(id.as_str(), days.end.max(days.start)))? {
                let (key, counts) = entry?;
                let usage = found.entry(id.to_string()).or_default();
                usage
                    .daily
                    .push((Day(key.value().1), UsageCounts::from_array(counts.value())));
            }
            for entry in hourly.range((id.as_str(), hours.start)..(id.as_str(), hours.end.max(hours.start)))? {
                let (key, counts) = entry?;
                let usage = found.entry(id.to_string()).or_default();
                usage
                    .hourly
                    .push((Hour(key.value().1), UsageCounts::from_array(counts.value())));
            }
        }
        None => {
            for entry in daily.iter()? {
                let (key, counts) = entry?;
                let (id, day) = key.value();
                if days.contains(&day) {
                    let usage = found.entry(id.to_owned()).or_default();
                    usage.daily.push((Day(day), UsageCounts::from_array(counts.value())));
                }
            }
            for entry in hourly.iter()? {
                let (key, counts) = entry?;
                let (id, hour) = key.value();
                if hours.contains(&hour) {
                    let usage = found.entry(id.to_owned()).or_default();
                    usage.hourly.push((Hour(hour), UsageCounts::from_array(counts.value())));
                }
            }
        }
    }
    super::tokens::read_into(txn, query.key.as_ref(), query.retained_tokens(now), &mut found)?;
    Ok(found
        .into_iter()
        .filter(|(_, usage)| usage.has_counts())
        .map(|(id, usage)| (KeyId::from_stored(&id), usage))
        .collect())
}
