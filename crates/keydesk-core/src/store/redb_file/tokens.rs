//! Token counts in the redb file (since schema 7): hourly and daily buckets
//! keyed by (key ID, bucket, model), and a lifetime row per key. A delta is
//! added to its hour, its day and the lifetime in the caller's write
//! transaction; a key's buckets past the retention are deleted in the same
//! transaction when it gets a new one, and a bucket never holds more than
//! [`MAX_MODELS_PER_BUCKET`](crate::domain::token_counts::MAX_MODELS_PER_BUCKET)
//! models, so a key stays within
//! [`MAX_TOKEN_BYTES_PER_KEY`](crate::domain::token_counts::MAX_TOKEN_BYTES_PER_KEY).

use std::collections::BTreeMap;

use redb::{ReadTransaction, ReadableTable, Table, WriteTransaction};
use time::OffsetDateTime;

use super::Fail;
use super::tables::{KEYS, StoredTokens, TOKENS_DAILY, TOKENS_HOURLY, TOKENS_LIFETIME};
use crate::domain::token_counts::{
    OTHER_MODELS, bounded_row, model_from_stored, stored_model, token_days_from, token_hours_from,
};
use crate::domain::{Day, Hour, KeyId, KeyUsage, TokenCounts, TokenDelta, TokenTotals};

/// A row read back: key ID, bucket, model, counts.
type Row = (String, u32, Option<String>, TokenCounts);

type Buckets<'txn> = Table<'txn, (&'static str, u32, &'static str), StoredTokens>;

/// Adds `deltas` of keys that exist (buckets only where still retained at
/// `now`; the lifetime always). Returns whether anything was added.
pub(super) fn add(txn: &WriteTransaction, deltas: &[TokenDelta], now: OffsetDateTime) -> Result<bool, Fail> {
    let (first_hour, first_day) = (token_hours_from(now), token_days_from(now));
    let keys = txn.open_table(KEYS)?;
    let mut hourly = txn.open_table(TOKENS_HOURLY)?;
    let mut daily = txn.open_table(TOKENS_DAILY)?;
    let mut lifetime = txn.open_table(TOKENS_LIFETIME)?;
    let mut added = false;
    let mut pruned: Vec<&KeyId> = Vec::new();
    for TokenDelta {
        id,
        hour,
        model,
        counts,
    } in deltas
    {
        if counts.is_zero() || keys.get(id.as_str())?.is_none() {
            continue;
        }
        let (id_str, model) = (id.as_str(), stored_model(model.as_deref()));
        let mut created = false;
        if *hour >= first_hour {
            created |= bump(&mut hourly, id_str, hour.0, &model, *counts)?;
        }
        if hour.day() >= first_day {
            created |= bump(&mut daily, id_str, hour.day().0, &model, *counts)?;
        }
        let old = lifetime.get(id_str)?.map(|v| TokenCounts::from_stored(v.value()));
        lifetime.insert(id_str, (old.unwrap_or_default() + *counts).to_stored())?;
        added = true;
        // Only a new bucket can take a key past its bound.
        if created && !pruned.contains(&id) {
            pruned.push(id);
            prune(&mut hourly, id_str, first_hour.0)?;
            prune(&mut daily, id_str, first_day.0)?;
        }
    }
    Ok(added)
}

/// Adds to the row of `model` in a bucket, or, when the bucket has no row
/// for it and is full, to its [`OTHER_MODELS`] row. Returns whether a row
/// was made.
fn bump(table: &mut Buckets<'_>, id: &str, bucket: u32, model: &str, counts: TokenCounts) -> Result<bool, Fail> {
    let mut row = model;
    let mut old = table
        .get((id, bucket, row))?
        .map(|v| TokenCounts::from_stored(v.value()));
    if old.is_none() {
        let mut named = 0;
        for entry in table.range((id, bucket, "")..(id, bucket + 1, ""))? {
            named += usize::from(entry?.0.value().2 != OTHER_MODELS);
        }
        row = bounded_row(model, named);
        if row != model {
            old = table
                .get((id, bucket, row))?
                .map(|v| TokenCounts::from_stored(v.value()));
        }
    }
    table.insert((id, bucket, row), (old.unwrap_or_default() + counts).to_stored())?;
    Ok(old.is_none())
}

/// Deletes `id`'s buckets before `first`.
fn prune(table: &mut Buckets<'_>, id: &str, first: u32) -> Result<(), Fail> {
    table.retain_in((id, 0, "")..(id, first, ""), |_, _| false)?;
    Ok(())
}

/// Deletes every token count of `id` (the key is being deleted).
pub(super) fn remove_key(txn: &WriteTransaction, id: &str) -> Result<(), Fail> {
    for table in [TOKENS_HOURLY, TOKENS_DAILY] {
        txn.open_table(table)?
            .retain_in((id, 0, "")..(id, u32::MAX, ""), |_, _| false)?;
    }
    txn.open_table(TOKENS_LIFETIME)?.remove(id)?;
    Ok(())
}

/// Adds the token buckets in `days` and `hours` (already cut to what is
/// retained) to `found`: of one key, or every key's. Every key in `found`
/// afterwards gets its lifetime total.
pub(super) fn read_into(
    txn: &ReadTransaction,
    key: Option<&KeyId>,
    (days, hours): (std::ops::Range<u32>, std::ops::Range<u32>),
    found: &mut BTreeMap<String, KeyUsage>,
) -> Result<(), Fail> {
    let daily = txn.open_table(TOKENS_DAILY)?;
    let hourly = txn.open_table(TOKENS_HOURLY)?;
    for (id, day, model, counts) in rows(&daily, key, days)? {
        found
            .entry(id)
            .or_default()
            .tokens_daily
            .push((Day(day), model, counts));
    }
    for (id, hour, model, counts) in rows(&hourly, key, hours)? {
        found
            .entry(id)
            .or_default()
            .tokens_hourly
            .push((Hour(hour), model, counts));
    }
    let lifetime = txn.open_table(TOKENS_LIFETIME)?;
    for (id, usage) in found.iter_mut() {
        if let Some(counts) = lifetime.get(id.as_str())? {
            usage.tokens_lifetime = TokenCounts::from_stored(counts.value());
        }
    }
    Ok(())
}

/// The rows of `table` whose bucket is in `range` (of one key, or all), in
/// (key, bucket, model) order, with the model name as given back.
fn rows(
    table: &impl ReadableTable<(&'static str, u32, &'static str), StoredTokens>,
    key: Option<&KeyId>,
    range: std::ops::Range<u32>,
) -> Result<Vec<Row>, Fail> {
    let mut out = Vec::new();
    if range.is_empty() {
        return Ok(out);
    }
    let mut push = |entry: (
        redb::AccessGuard<'_, (&str, u32, &str)>,
        redb::AccessGuard<'_, StoredTokens>,
    )| {
        let (id, bucket, model) = entry.0.value();
        if range.contains(&bucket) {
            let counts = TokenCounts::from_stored(entry.1.value());
            out.push((id.to_owned(), bucket, model_from_stored(model), counts));
        }
    };
    match key {
        Some(id) => {
            for entry in table.range((id.as_str(), range.start, "")..(id.as_str(), range.end, ""))? {
                push(entry?);
            }
        }
        None => {
            for entry in table.iter()? {
                push(entry?);
            }
        }
    }
    Ok(out)
}

/// `id`'s tokens in its hourly buckets from `since` (cut to the retention
/// at `now`) and its lifetime total.
pub(super) fn totals(txn: &ReadTransaction, id: &KeyId, since: Hour, now: OffsetDateTime) -> Result<TokenTotals, Fail> {
    let first = since.max(token_hours_from(now));
    let hourly = txn.open_table(TOKENS_HOURLY)?;
    let mut by_model: BTreeMap<Option<String>, TokenCounts> = BTreeMap::new();
    let mut totals = TokenTotals::default();
    for (_, _, model, counts) in rows(&hourly, Some(id), first.0..u32::MAX)? {
        totals.since += counts;
        *by_model.entry(model).or_default() += counts;
    }
    totals.by_model = by_model.into_iter().collect();
    if let Some(counts) = txn.open_table(TOKENS_LIFETIME)?.get(id.as_str())? {
        totals.lifetime = TokenCounts::from_stored(counts.value());
    }
    Ok(totals)
}
