//! One function per subcommand. Each returns what to print or a [`Failure`];
//! `super::run` does the printing of errors and the exit code.

use std::borrow::Cow;
use std::io::{self, Write};

use serde_json::{Map, Value};

use time::{OffsetDateTime, UtcOffset};
use unicode_width::UnicodeWidthStr;

use unicode_normalization::UnicodeNormalization;

use super::args::StatusFilter;
use super::exit::{Exit, Failure};
use super::key_id::parse_id;
use super::lifecycle::{self, Expiry};
use super::output::{escape_for_terminal, rfc3339, write_stdout};
use super::prompt;
use crate::display::columns::{Clock, Column, LIST_COLUMNS};
use crate::display::sanitize;
use crate::domain::policy::Policy;
use crate::domain::{KeyId, KeyName, KeyRecord, KeyStatus, SecretKey};
use crate::{KeyStore, agreement};

/// What `verify` prints: the ID or `invalid`, nothing, or with `--explain`
/// the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyOutput {
    Normal,
    Quiet,
    Explain,
}

pub fn verify(store: &dyn KeyStore, output: VerifyOutput, offset: UtcOffset) -> Result<bool, Failure> {
    let candidate = prompt::read_secret()?;
    let verdict = store.verify_explained(&candidate)?;
    drop(candidate);
    let valid = matches!(verdict, crate::domain::Verdict::Valid { .. });
    match output {
        VerifyOutput::Quiet => {}
        VerifyOutput::Normal if valid => println!("{}", verdict.accepted().expect("valid")),
        VerifyOutput::Normal => println!("invalid"),
        VerifyOutput::Explain => {
            let record = match &verdict {
                crate::domain::Verdict::Valid { id, .. } => store.get(id)?,
                _ => None,
            };
            println!("{}", lifecycle::explain(&verdict, record.as_ref(), offset));
            if valid && let Some(record) = &record {
                print!("{}", lifecycle::explain_rules(&record.policy));
            }
        }
    }
    Ok(valid)
}

/// Which keys `list` shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListFilter {
    pub status: Option<StatusFilter>,
    /// Not yet expired, but expiring within this long.
    pub expiring_within: Option<time::Duration>,
}

impl ListFilter {
    fn keeps(&self, record: &KeyRecord, now: OffsetDateTime) -> bool {
        let status = record.status(now);
        let status_ok = self.status.is_none_or(|wanted| {
            status
                == match wanted {
                    StatusFilter::Active => KeyStatus::Active,
                    StatusFilter::Disabled => KeyStatus::Disabled,
                    StatusFilter::Expired => KeyStatus::Expired,
                }
        });
        let expiring_ok = self.expiring_within.is_none_or(|within| {
            record
                .expires_at
                .is_some_and(|at| at > now && now.checked_add(within).is_none_or(|limit| at <= limit))
        });
        status_ok && expiring_ok
    }
}

pub fn list<'a>(
    store: &dyn KeyStore,
    json: bool,
    filter: ListFilter,
    offset: UtcOffset,
    budgets: impl Fn(OffsetDateTime) -> super::budget_json::BudgetView<'a>,
) -> Result<(), Failure> {
    let now = OffsetDateTime::now_utc();
    let mut records = store.list()?;
    records.retain(|r| filter.keeps(r, now));
    records.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let out = if json {
        let mut policies = Vec::with_capacity(records.len());
        for record in &records {
            policies.push(super::budget_json::policy_with_budgets(store, record, budgets(now))?);
        }
        list_json(&records, policies, now)
    } else {
        list_table(&records, Clock { now, offset })
    };
    write_stdout(&out)
}

/// One key in `list --json`. The shape is a stable interface: fields are only
/// ever added, never renamed or removed.
#[derive(serde::Serialize)]
struct JsonKey<'a> {
    id: &'a str,
    name: &'a str,
    masked_key: &'a str,
    /// RFC 3339, UTC.
    created_at: String,
    /// RFC 3339, UTC; `null` when never used.
    last_used: Option<String>,
    /// `active`, `disabled` or `expired`, now.
    status: &'static str,
    /// RFC 3339, UTC: the first instant the key no longer verifies; `null`: never.
    expires_at: Option<String>,
    /// The previous secret of the latest rotation, while it is kept (until
    /// the next rotation); `null` if the key was never rotated. A
    /// `grace_until` in the past means it no longer verifies.
    rotation: Option<JsonRotation<'a>>,
    /// The key's rules, rule name → value (a number, or an array of
    /// strings); `{}` for none.
    policy: serde_json::Map<String, serde_json::Value>,
}

#[derive(serde::Serialize)]
struct JsonRotation<'a> {
    previous_masked_key: &'a str,
    grace_until: String,
    previous_last_used: Option<String>,
}

fn list_json(records: &[KeyRecord], policies: Vec<Map<String, Value>>, now: OffsetDateTime) -> String {
    let items: Vec<JsonKey> = records
        .iter()
        .zip(policies)
        .map(|(r, policy)| JsonKey {
            id: r.id.as_str(),
            name: &r.name,
            masked_key: &r.masked,
            created_at: rfc3339(r.created_at),
            last_used: r.last_used.map(rfc3339),
            status: r.status(now).as_str(),
            expires_at: r.expires_at.map(rfc3339),
            rotation: r.previous.as_ref().map(|p| JsonRotation {
                previous_masked_key: &p.masked,
                grace_until: rfc3339(p.grace_until),
                previous_last_used: p.last_used.map(rfc3339),
            }),
            policy,
        })
        .collect();
    let text = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_owned());
    let mut safe = escape_for_terminal(&text);
    safe.push('\n');
    safe
}

fn list_table(records: &[KeyRecord], clock: Clock) -> String {
    let header = Column::LIST.map(|c| c.header(clock.offset));
    let rows: Vec<[Cow<str>; LIST_COLUMNS]> = records.iter().map(|r| Column::LIST.map(|c| c.cell(r, clock))).collect();
    let mut widths = header.clone().map(|h| h.width());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                // Pad by display width, so CJK names keep the columns aligned.
                line.push_str(&" ".repeat(width - cell.width() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if records.is_empty() {
        out.push_str(&tr!("cli-list-empty"));
        out.push('\n');
    }
    out
}

/// What `create` was asked for.
pub struct CreateRequest<'a> {
    pub name: &'a str,
    pub accept_terms: bool,
    pub allow_duplicate_name: bool,
    pub expiry: Expiry,
    /// The policy flags: the new key is created with these rules, in the
    /// same write, so no gateway ever sees it without them.
    pub policy: &'a super::args::PolicyArgs,
    /// The config file's prices: a `spend-limit` needs some.
    pub prices: Option<&'a crate::domain::prices::PriceList>,
}

pub fn create(store: &dyn KeyStore, request: CreateRequest) -> Result<(), Failure> {
    let name = parse_name(request.name)?;
    if !request.accept_terms {
        return Err(Failure::usage(tr!("cli-create-needs-terms")));
    }
    let policy = super::limit::changed(&Policy::default(), request.policy, &[])?;
    super::budget_json::needs_prices(request.policy, request.prices)?;
    if !request.allow_duplicate_name {
        confirm_duplicate_name(store, &name, None)?;
    }
    // Judged again when the key is made: the agreement prompt may have waited.
    let expires_at = request.expiry.instant(OffsetDateTime::now_utc())?;
    let (secret, record) = if policy.is_empty() {
        store.create_expiring(&name, expires_at)?
    } else {
        store.create_with_policy(&name, expires_at, &policy)?
    };
    deliver_secret(&mut io::stdout().lock(), store, &secret, &record)?;
    eprintln!(
        "{}",
        tr!(
            "cli-created",
            name = sanitize(&record.name),
            id = record.id.to_string(),
            masked = record.masked.as_str()
        )
    );
    Ok(())
}

/// Writes a new key's secret, alone, to `out` (stdout, so that
/// `KEY=$(keydesk create …)` captures just it). Delivering the secret is part
/// of creating the key: if nobody received it, the key would be live with a
/// secret no one has, so it is deleted again — or, if even that fails, named
/// so the user can delete it.
fn deliver_secret(
    out: &mut impl Write,
    store: &dyn KeyStore,
    secret: &SecretKey,
    record: &KeyRecord,
) -> Result<(), Failure> {
    let Err(error) = writeln!(out, "{}", secret.expose()).and_then(|()| out.flush()) else {
        return Ok(());
    };
    let message = match store.delete(&record.id) {
        Ok(_) => tr!("cli-secret-undelivered-deleted", error = error.to_string()),
        Err(delete_error) => tr!(
            "cli-secret-lost",
            id = record.id.to_string(),
            error = error.to_string(),
            delete_error = crate::i18n::words::Worded::worded(&delete_error)
        ),
    };
    Err(Failure {
        exit: Exit::Output,
        message,
    })
}

pub fn rename(store: &dyn KeyStore, id: &str, new_name: &str, allow_duplicate_name: bool) -> Result<(), Failure> {
    let name = parse_name(new_name)?;
    let id = parse_id(id)?;
    if !allow_duplicate_name {
        confirm_duplicate_name(store, &name, Some(&id))?;
    }
    let record = store.rename(&id, &name)?;
    eprintln!(
        "{}",
        tr!("cli-renamed", id = record.id.to_string(), name = sanitize(&record.name))
    );
    Ok(())
}

/// Two keys may share a name (the product allows it), but it is usually a
/// mistake, and afterwards only the ID tells them apart. So a duplicate is
/// confirmed on a terminal and refused without one. `renaming` is the key
/// being renamed, which may keep its own name.
fn confirm_duplicate_name(store: &dyn KeyStore, name: &KeyName, renaming: Option<&KeyId>) -> Result<(), Failure> {
    let records = store.list()?;
    if let Some(id) = renaming
        && !records.iter().any(|r| &r.id == id)
    {
        return Err(crate::StoreError::NotFound { id: id.to_string() }.into());
    }
    // Stored names may predate normalisation, so compare their NFC form.
    let same_name = |r: &&KeyRecord| Some(&r.id) != renaming && r.name.nfc().eq(name.as_str().chars());
    let Some(other) = records.iter().find(same_name) else {
        return Ok(());
    };
    let existing = tr!(
        "cli-duplicate-name",
        id = other.id.to_string(),
        masked = other.masked.as_str(),
        name = sanitize(&other.name)
    );
    if !prompt::stdin_is_terminal() {
        return Err(Failure::usage(tr!("cli-duplicate-refused", existing = existing)));
    }
    if !prompt::confirm(&tr!("cli-duplicate-question", existing = existing))? {
        return Err(Failure::declined(tr!("cli-duplicate-declined")));
    }
    Ok(())
}

pub fn delete(store: &dyn KeyStore, id: &str, yes: bool) -> Result<(), Failure> {
    let id = parse_id(id)?;
    if !yes {
        if !prompt::stdin_is_terminal() {
            return Err(Failure::usage(tr!("cli-delete-needs-yes")));
        }
        let record = store
            .get(&id)?
            .ok_or_else(|| crate::StoreError::NotFound { id: id.to_string() })?;
        let question = tr!(
            "cli-delete-question",
            name = sanitize(&record.name),
            id = record.id.to_string(),
            masked = record.masked.as_str()
        );
        if !prompt::confirm(&question)? {
            return Err(Failure::declined(tr!("cli-delete-declined")));
        }
    }
    let record = store.delete(&id)?;
    eprintln!(
        "{}",
        tr!("cli-deleted", name = sanitize(&record.name), id = record.id.to_string())
    );
    Ok(())
}

pub fn agreement() -> Result<(), Failure> {
    write_stdout(agreement::text())
}

fn parse_name(input: &str) -> Result<KeyName, Failure> {
    KeyName::parse(input)
        .map_err(|e| Failure::usage(tr!("cli-invalid-name", error = crate::i18n::words::Worded::worded(&e))))
}

#[cfg(test)]
mod tests {
    use crate::cli::testing::Full;
    use std::time::Duration;

    use super::*;
    use crate::store::{RetryPolicy, Store};

    fn store_in(dir: &tempfile::TempDir) -> Store {
        let quick = RetryPolicy {
            window: Duration::from_millis(50),
            ..RetryPolicy::default()
        };
        Store::builder(dir.path().join("keys.redb"))
            .retry(quick)
            .open()
            .unwrap()
    }

    #[test]
    fn an_undelivered_secret_deletes_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(&dir);
        let (secret, record) = store.create(&KeyName::parse("lost").unwrap()).unwrap();
        let failure = deliver_secret(&mut Full, &store, &secret, &record).unwrap_err();
        assert_eq!(failure.exit, Exit::Output);
        assert!(
            failure.message.contains("so the key was deleted again"),
            "{}",
            failure.message
        );
        assert!(store.list().unwrap().is_empty());
    }

    #[test]
    fn an_undelivered_secret_whose_key_cannot_be_deleted_names_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(&dir);
        let (secret, record) = store.create(&KeyName::parse("lost").unwrap()).unwrap();
        // Another process holding the database makes the delete fail (busy).
        let held = redb::Database::open(store.path()).unwrap();
        let failure = deliver_secret(&mut Full, &store, &secret, &record).unwrap_err();
        drop(held);
        assert_eq!(failure.exit, Exit::Output);
        assert!(
            failure.message.contains(&format!(
                "key {} was created, but its secret was lost: delete it",
                record.id
            )),
            "{}",
            failure.message
        );
        assert!(!failure.message.contains(&secret.expose()[3..]));
        assert_eq!(store.list().unwrap().len(), 1, "the key is still there, and named");
    }
}
