//! Usage counts in PostgreSQL (schema 2; by policy reason too since schema
//! 3): the same buckets and retention as
//! the redb file's (see [`keydesk_core::domain::usage`]), as rows of
//! `keydesk_usage_hourly` and `keydesk_usage_daily`. A delta is added to its
//! hour and its day with an upsert in the caller's write transaction, and a
//! key's buckets past the retention are deleted when it gets a new one.

use std::collections::BTreeMap;

use super::client::{Client, Transaction};
use time::OffsetDateTime;

use super::Fail;
use keydesk_core::domain::usage::{COUNTS, retained_from};
use keydesk_core::domain::{Day, Hour, KeyId, KeyUsage, Outcome, UsageCounts, UsageDelta, UsageQuery};

/// The bucket tables: `bucket` counts hours, or days, since the epoch.
const HOURLY: &str = "keydesk_usage_hourly";
const DAILY: &str = "keydesk_usage_daily";
/// The largest count a bucket holds, as in the file.
const MAX_COUNT: &str = "4294967295";

/// The count columns, in [`Outcome::ALL`] order: each is named as its
/// outcome (`accepted`, `refused_disabled`, …, `refused_rate`, …).
fn count_columns() -> String {
    Outcome::ALL.map(Outcome::as_str).join(", ")
}

/// `$first, $first+1, …`, `n` of them.
fn count_params(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A bucket's counts as query parameters.
fn count_values(counts: &UsageCounts) -> [i64; COUNTS] {
    counts.to_array().map(i64::from)
}

/// Adds `deltas` (of keys that exist, to buckets still retained at `now`).
/// Returns whether anything was added.
pub(super) fn add(txn: &mut Transaction<'_>, deltas: &[UsageDelta], now: OffsetDateTime) -> Result<bool, Fail> {
    let (first_hour, first_day) = retained_from(now);
    let mut added = false;
    let mut pruned: Vec<&KeyId> = Vec::new();
    for UsageDelta { id, hour, counts } in deltas {
        if counts.is_zero() {
            continue;
        }
        let mut created = false;
        if *hour >= first_hour {
            let bumped = bump(txn, HOURLY, id, hour.0, *counts)?;
            created |= bumped == Some(true);
            added |= bumped.is_some();
        }
        if hour.day() >= first_day {
            let bumped = bump(txn, DAILY, id, hour.day().0, *counts)?;
            created |= bumped == Some(true);
            added |= bumped.is_some();
        }
        // Only a new bucket can take a key past its bound, so the old ones
        // are looked for then, not on every write.
        if created && !pruned.contains(&id) {
            pruned.push(id);
            prune(txn, HOURLY, id, first_hour.0)?;
            prune(txn, DAILY, id, first_day.0)?;
        }
    }
    Ok(added)
}

/// Adds to a bucket of a key that exists, as [`UsageCounts::added_to`]
/// does in the file: `Some(true)` when the bucket is new, `Some(false)` when
/// it was added to, `None` when the key is gone. Counts saturate at
/// `u32::MAX`, as in the file.
fn bump(
    txn: &mut Transaction<'_>,
    table: &str,
    id: &KeyId,
    bucket: u32,
    counts: UsageCounts,
) -> Result<Option<bool>, Fail> {
    let values = count_values(&counts);
    let taken_back = counts.refused_by_policy_total().min(u64::from(u32::MAX)) as i64;
    let taken = format!("${}::bigint", 3 + COUNTS);
    // The new row's accepted is the delta's net of what it takes back; an
    // existing row's is the sum's (the acceptance may be in it already).
    let inserted = format!("GREATEST($3::bigint - {taken}, 0), {}", count_params(4, COUNTS - 1));
    let updates = Outcome::ALL
        .iter()
        .enumerate()
        .map(|(i, outcome)| {
            let (column, param) = (outcome.as_str(), i + 3);
            match outcome {
                Outcome::Accepted => {
                    format!("{column} = GREATEST(LEAST(t.{column} + ${param}, {MAX_COUNT}) - {taken}, 0)")
                }
                _ => format!("{column} = LEAST(t.{column} + ${param}, {MAX_COUNT})"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let (key, bucket) = (id.as_str(), bucket as i32);
    let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vec![&key, &bucket];
    params.extend(values.iter().map(|v| v as &(dyn tokio_postgres::types::ToSql + Sync)));
    params.push(&taken_back);
    let row = txn.query_opt(
        &format!(
            "INSERT INTO {table} AS t (key_id, bucket, {columns}) \
             SELECT $1, $2, {inserted} WHERE EXISTS (SELECT 1 FROM keydesk_keys WHERE id = $1) \
             ON CONFLICT (key_id, bucket) DO UPDATE SET {updates} \
             RETURNING (xmax = 0)",
            columns = count_columns(),
        ),
        &params,
    )?;
    Ok(row.map(|row| row.get::<_, bool>(0)))
}

/// Copies buckets as they are (`keydesk migrate`): each one not there yet is
/// inserted, one already there is left alone, so a second run adds nothing.
/// Buckets of keys not in PostgreSQL are skipped. Returns (copied, present).
pub(super) fn import(txn: &mut Transaction<'_>, usage: &[(KeyId, KeyUsage)]) -> Result<(usize, usize), Fail> {
    let (mut copied, mut present) = (0, 0);
    for (id, key_usage) in usage {
        let hours = key_usage.hourly.iter().map(|(hour, counts)| (HOURLY, hour.0, counts));
        let days = key_usage.daily.iter().map(|(day, counts)| (DAILY, day.0, counts));
        for (table, bucket, counts) in hours.chain(days) {
            let values = count_values(counts);
            let (key, bucket) = (id.as_str(), bucket as i32);
            let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vec![&key, &bucket];
            params.extend(values.iter().map(|v| v as &(dyn tokio_postgres::types::ToSql + Sync)));
            let inserted = txn.execute(
                &format!(
                    "INSERT INTO {table} (key_id, bucket, {columns}) SELECT $1, $2, {values} \
                     WHERE EXISTS (SELECT 1 FROM keydesk_keys WHERE id = $1) ON CONFLICT DO NOTHING",
                    columns = count_columns(),
                    values = count_params(3, COUNTS),
                ),
                &params,
            )?;
            if inserted == 1 {
                copied += 1;
            } else {
                present += 1;
            }
        }
    }
    Ok((copied, present))
}

/// Deletes `id`'s buckets before `first`.
fn prune(txn: &mut Transaction<'_>, table: &str, id: &KeyId, first: u32) -> Result<(), Fail> {
    txn.execute(
        &format!("DELETE FROM {table} WHERE key_id = $1 AND bucket < $2"),
        &[&id.as_str(), &(first as i32)],
    )?;
    Ok(())
}

/// The counts `query` asks for, limited to what is retained at `now`: in
/// key ID order, each key's buckets ascending, keys without a count left out.
pub(super) fn read(
    client: &mut Client,
    query: &UsageQuery,
    now: OffsetDateTime,
) -> Result<Vec<(KeyId, KeyUsage)>, Fail> {
    let (days, hours) = query.retained(now);
    let mut found: BTreeMap<String, KeyUsage> = BTreeMap::new();
    for (id, day, counts) in buckets(client, DAILY, query.key.as_ref(), days)? {
        found.entry(id).or_default().daily.push((Day(day), counts));
    }
    for (id, hour, counts) in buckets(client, HOURLY, query.key.as_ref(), hours)? {
        found.entry(id).or_default().hourly.push((Hour(hour), counts));
    }
    super::tokens::read_into(client, query.key.as_ref(), query.retained_tokens(now), &mut found)?;
    Ok(found
        .into_iter()
        .filter(|(_, usage)| usage.has_counts())
        .map(|(id, usage)| (keydesk_core::store::backend::key_id_from_stored(&id), usage))
        .collect())
}

/// The buckets of `table` in `range` (of one key, or all), in
/// (key, bucket) order.
fn buckets(
    client: &mut Client,
    table: &str,
    key: Option<&KeyId>,
    range: std::ops::Range<u32>,
) -> Result<Vec<(String, u32, UsageCounts)>, Fail> {
    if range.is_empty() {
        return Ok(Vec::new());
    }
    let rows = client.query(
        &format!(
            "SELECT key_id, bucket, {columns} FROM {table} \
             WHERE bucket >= $1 AND bucket < $2 AND ($3::text IS NULL OR key_id = $3) ORDER BY key_id, bucket",
            columns = count_columns(),
        ),
        &[
            &(range.start as i32),
            &(range.end.min(i32::MAX as u32) as i32),
            &key.map(KeyId::as_str),
        ],
    )?;
    let count = |row: &tokio_postgres::Row, i: usize| row.get::<_, i64>(i).clamp(0, i64::from(u32::MAX)) as u32;
    Ok(rows
        .iter()
        .map(|row| {
            let counts = UsageCounts::from_array(std::array::from_fn(|i| count(row, i + 2)));
            (row.get::<_, String>(0), row.get::<_, i32>(1) as u32, counts)
        })
        .collect())
}
