//! Token counts in PostgreSQL (schema 5): the same buckets, retention and
//! bound on models as the redb file's (see
//! [`keydesk_core::domain::token_counts`]), as rows of
//! `keydesk_tokens_hourly` and `keydesk_tokens_daily` keyed by (key, bucket,
//! model; the empty name: none), and `keydesk_tokens_lifetime` per key. A
//! delta is added to its hour, its day and the lifetime with upserts in the
//! caller's write transaction (writers queue on the change counter's row,
//! so counting a bucket's models and adding one is never raced); a key's
//! buckets past the retention are deleted when it gets a new one.

use std::collections::BTreeMap;

use super::client::{Client, Transaction};
use time::OffsetDateTime;

use super::Fail;
use keydesk_core::domain::token_counts::{
    OTHER_MODELS, bounded_row, model_from_stored, stored_model, token_days_from, token_hours_from,
};
use keydesk_core::domain::{Day, Hour, KeyId, KeyUsage, TokenCounts, TokenDelta, TokenTotals};

const HOURLY: &str = "keydesk_tokens_hourly";
const DAILY: &str = "keydesk_tokens_daily";
const LIFETIME: &str = "keydesk_tokens_lifetime";
/// The count columns, in [`TokenCounts::to_stored`] order.
const COLUMNS: &str = "input, output, cache_read, cache_creation, answers, unknown, incomplete";
/// Each column added to, saturating as in the file (u64 counts at the
/// largest bigint, u32 ones at `u32::MAX`), parameters from `$4`.
const ADDED: &str = "input = LEAST(t.input::numeric + $4, 9223372036854775807)::bigint, \
     output = LEAST(t.output::numeric + $5, 9223372036854775807)::bigint, \
     cache_read = LEAST(t.cache_read::numeric + $6, 9223372036854775807)::bigint, \
     cache_creation = LEAST(t.cache_creation::numeric + $7, 9223372036854775807)::bigint, \
     answers = LEAST(t.answers + $8, 4294967295), unknown = LEAST(t.unknown + $9, 4294967295), \
     incomplete = LEAST(t.incomplete + $10, 4294967295)";

/// A row read back: key ID, bucket, model, counts.
type Row = (String, u32, Option<String>, TokenCounts);

type Param<'a> = &'a (dyn tokio_postgres::types::ToSql + Sync);

/// The counts as query parameters (u64 counts clamped to bigint).
fn values(counts: &TokenCounts) -> [i64; 7] {
    let (tokens, answers) = counts.to_stored();
    let big = |n: u64| n.min(i64::MAX as u64) as i64;
    [
        big(tokens[0]),
        big(tokens[1]),
        big(tokens[2]),
        big(tokens[3]),
        i64::from(answers[0]),
        i64::from(answers[1]),
        i64::from(answers[2]),
    ]
}

fn counts_from(row: &tokio_postgres::Row, first: usize) -> TokenCounts {
    let big = |i: usize| row.get::<_, i64>(first + i).max(0) as u64;
    let small = |i: usize| row.get::<_, i64>(first + i).clamp(0, i64::from(u32::MAX)) as u32;
    TokenCounts::from_stored(([big(0), big(1), big(2), big(3)], [small(4), small(5), small(6)]))
}

/// Adds `deltas` of keys that exist (buckets only where still retained at
/// `now`; the lifetime always). Returns whether anything was added.
pub(super) fn add(txn: &mut Transaction<'_>, deltas: &[TokenDelta], now: OffsetDateTime) -> Result<bool, Fail> {
    let (first_hour, first_day) = (token_hours_from(now), token_days_from(now));
    let mut added = false;
    let mut pruned: Vec<&KeyId> = Vec::new();
    for TokenDelta {
        id,
        hour,
        model,
        counts,
    } in deltas
    {
        if counts.is_zero() {
            continue;
        }
        let model = stored_model(model.as_deref());
        let Some(_) = upsert(txn, LIFETIME, id, None, *counts)? else {
            continue; // the key is gone
        };
        added = true;
        let mut created = false;
        if *hour >= first_hour {
            created |= bump(txn, HOURLY, id, hour.0, &model, *counts)?;
        }
        if hour.day() >= first_day {
            created |= bump(txn, DAILY, id, hour.day().0, &model, *counts)?;
        }
        if created && !pruned.contains(&id) {
            pruned.push(id);
            for (table, first) in [(HOURLY, first_hour.0), (DAILY, first_day.0)] {
                txn.execute(
                    &format!("DELETE FROM {table} WHERE key_id = $1 AND bucket < $2"),
                    &[&id.as_str(), &(first as i32)],
                )?;
            }
        }
    }
    Ok(added)
}

/// Adds to the row of `model` in a bucket, or, when it has none and the
/// bucket is full, to its [`OTHER_MODELS`] row. Returns whether a row was
/// made.
fn bump(
    txn: &mut Transaction<'_>,
    table: &str,
    id: &KeyId,
    bucket: u32,
    model: &str,
    counts: TokenCounts,
) -> Result<bool, Fail> {
    let (key, bucket_i) = (id.as_str(), bucket as i32);
    let there: Option<tokio_postgres::Row> = txn.query_opt(
        &format!("SELECT 1 FROM {table} WHERE key_id = $1 AND bucket = $2 AND model = $3"),
        &[&key, &bucket_i, &model],
    )?;
    let row = if there.is_some() {
        model
    } else {
        let named: i64 = txn
            .query_one(
                &format!("SELECT count(*) FROM {table} WHERE key_id = $1 AND bucket = $2 AND model <> $3"),
                &[&key, &bucket_i, &OTHER_MODELS],
            )?
            .get(0);
        bounded_row(model, named as usize)
    };
    Ok(upsert(txn, table, id, Some((bucket, row)), counts)? == Some(true))
}

/// Adds `counts` to a row of a key that exists (a bucket's, or with `None`
/// the lifetime's): `Some(true)` when the row is new, `Some(false)` when
/// it was added to, `None` when the key is gone.
fn upsert(
    txn: &mut Transaction<'_>,
    table: &str,
    id: &KeyId,
    bucket: Option<(u32, &str)>,
    counts: TokenCounts,
) -> Result<Option<bool>, Fail> {
    let values = values(&counts);
    let key = id.as_str();
    let (bucket_i, model) = bucket.map_or((0, ""), |(b, m)| (b as i32, m));
    let mut params: Vec<Param<'_>> = vec![&key, &bucket_i, &model];
    params.extend(values.iter().map(|v| v as Param<'_>));
    let (columns, selected) = match bucket {
        Some(_) => ("key_id, bucket, model", "$1, $2, $3"),
        // The lifetime row has no bucket or model: $2 and $3 only typed.
        None => ("key_id", "$1"),
    };
    let row = txn.query_opt(
        &format!(
            "INSERT INTO {table} AS t ({columns}, {COLUMNS}) \
             SELECT {selected}, $4, $5, $6, $7, $8, $9, $10 \
             WHERE $2::integer IS NOT NULL AND $3::text IS NOT NULL \
             AND EXISTS (SELECT 1 FROM keydesk_keys WHERE id = $1) \
             ON CONFLICT ({columns}) DO UPDATE SET {ADDED} RETURNING (xmax = 0)"
        ),
        &params,
    )?;
    Ok(row.map(|row| row.get::<_, bool>(0)))
}

/// Adds the token buckets in `days` and `hours` (already cut to what is
/// retained) to `found`: of one key, or every key's. Every key in `found`
/// afterwards gets its lifetime total.
pub(super) fn read_into(
    client: &mut Client,
    key: Option<&KeyId>,
    (days, hours): (std::ops::Range<u32>, std::ops::Range<u32>),
    found: &mut BTreeMap<String, KeyUsage>,
) -> Result<(), Fail> {
    for (id, day, model, counts) in rows(client, DAILY, key, days)? {
        found
            .entry(id)
            .or_default()
            .tokens_daily
            .push((Day(day), model, counts));
    }
    for (id, hour, model, counts) in rows(client, HOURLY, key, hours)? {
        found
            .entry(id)
            .or_default()
            .tokens_hourly
            .push((Hour(hour), model, counts));
    }
    let ids: Vec<&str> = found.keys().map(String::as_str).collect();
    let lifetimes = client.query(
        &format!("SELECT key_id, {COLUMNS} FROM {LIFETIME} WHERE key_id = ANY($1)"),
        &[&ids],
    )?;
    let lifetimes: Vec<(String, TokenCounts)> = lifetimes
        .iter()
        .map(|row| (row.get::<_, String>(0), counts_from(row, 1)))
        .collect();
    for (id, counts) in lifetimes {
        if let Some(usage) = found.get_mut(&id) {
            usage.tokens_lifetime = counts;
        }
    }
    Ok(())
}

/// The rows of `table` in `range` (of one key, or all), in (key, bucket,
/// model) order.
fn rows(client: &mut Client, table: &str, key: Option<&KeyId>, range: std::ops::Range<u32>) -> Result<Vec<Row>, Fail> {
    if range.is_empty() {
        return Ok(Vec::new());
    }
    let rows = client.query(
        &format!(
            "SELECT key_id, bucket, model, {COLUMNS} FROM {table} \
             WHERE bucket >= $1 AND bucket < $2 AND ($3::text IS NULL OR key_id = $3) \
             ORDER BY key_id, bucket, model"
        ),
        &[
            &(range.start.min(i32::MAX as u32) as i32),
            &(range.end.min(i32::MAX as u32) as i32),
            &key.map(KeyId::as_str),
        ],
    )?;
    Ok(rows
        .iter()
        .map(|row| {
            let model: String = row.get(2);
            (
                row.get::<_, String>(0),
                row.get::<_, i32>(1) as u32,
                model_from_stored(&model),
                counts_from(row, 3),
            )
        })
        .collect())
}

/// `id`'s tokens in its hourly buckets from `since` (cut to the retention
/// at `now`) and its lifetime total.
pub(super) fn totals(client: &mut Client, id: &KeyId, since: Hour, now: OffsetDateTime) -> Result<TokenTotals, Fail> {
    let first = since.max(token_hours_from(now));
    let mut totals = TokenTotals::default();
    let mut by_model: BTreeMap<Option<String>, TokenCounts> = BTreeMap::new();
    for (_, _, model, counts) in rows(client, HOURLY, Some(id), first.0..u32::MAX)? {
        totals.since += counts;
        *by_model.entry(model).or_default() += counts;
    }
    totals.by_model = by_model.into_iter().collect();
    let lifetime = client.query_opt(
        &format!("SELECT {COLUMNS} FROM {LIFETIME} WHERE key_id = $1"),
        &[&id.as_str()],
    )?;
    if let Some(row) = lifetime {
        totals.lifetime = counts_from(&row, 0);
    }
    Ok(totals)
}

/// Copies token rows as they are (`keydesk migrate`): each bucket not there
/// yet is inserted, one already there is left alone; the lifetime likewise.
/// Rows of keys not in PostgreSQL are skipped. Returns how many were copied.
pub(super) fn import(txn: &mut Transaction<'_>, usage: &[(KeyId, KeyUsage)]) -> Result<usize, Fail> {
    let mut copied = 0;
    for (id, key_usage) in usage {
        let hours = key_usage.tokens_hourly.iter().map(|(h, m, c)| (HOURLY, h.0, m, c));
        let days = key_usage.tokens_daily.iter().map(|(d, m, c)| (DAILY, d.0, m, c));
        for (table, bucket, model, counts) in hours.chain(days) {
            let values = values(counts);
            let (key, bucket, model) = (id.as_str(), bucket as i32, stored_model(model.as_deref()));
            let mut params: Vec<Param<'_>> = vec![&key, &bucket, &model];
            params.extend(values.iter().map(|v| v as Param<'_>));
            copied += txn.execute(
                &format!(
                    "INSERT INTO {table} (key_id, bucket, model, {COLUMNS}) \
                     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 \
                     WHERE EXISTS (SELECT 1 FROM keydesk_keys WHERE id = $1) ON CONFLICT DO NOTHING"
                ),
                &params,
            )? as usize;
        }
        if !key_usage.tokens_lifetime.is_zero() {
            let values = values(&key_usage.tokens_lifetime);
            let key = id.as_str();
            let mut params: Vec<Param<'_>> = vec![&key];
            params.extend(values.iter().map(|v| v as Param<'_>));
            copied += txn.execute(
                &format!(
                    "INSERT INTO {LIFETIME} (key_id, {COLUMNS}) SELECT $1, $2, $3, $4, $5, $6, $7, $8 \
                     WHERE EXISTS (SELECT 1 FROM keydesk_keys WHERE id = $1) ON CONFLICT DO NOTHING"
                ),
                &params,
            )? as usize;
        }
    }
    Ok(copied)
}
