//! A key's budgets as `limit --json` and `list --json` show them: each
//! budget's limit, period, what the key has used of it and when it resets.
//! What is used comes from the store's token counts (what gateways flushed,
//! at most a few seconds old while they run), summed over the period in the
//! UTC offset shown (`--utc-offset`, the config file, or the system's) —
//! the offset `keydesk serve` must run with for the two to agree.

use serde_json::{Map, Value, json};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::exit::Failure;
use crate::KeyStore;
use crate::domain::KeyRecord;
use crate::domain::policy::Rule;
use crate::domain::prices::{PriceList, format_amount};
use keydesk_core::limit::tokens::{budget_rules, budget_used};

/// Where budgets are judged: now, in `offset`, spend priced by `prices`.
#[derive(Debug, Clone, Copy)]
pub struct BudgetView<'a> {
    pub now: OffsetDateTime,
    pub offset: UtcOffset,
    pub prices: Option<&'a PriceList>,
}

/// The key's budgets by rule name, each an object: `limit`, `period`
/// (`day`, `week`, `month`, `life`), `used`, `resets_at` (RFC 3339 in the
/// offset; `null` for the key's life). Token amounts are numbers; spend
/// amounts decimal strings, with `currency`. Empty without budgets.
pub fn budgets_json(store: &dyn KeyStore, record: &KeyRecord, view: BudgetView) -> Result<Map<String, Value>, Failure> {
    let mut out = Map::new();
    for rule in budget_rules(&record.policy, view.now, view.offset) {
        let first = rule
            .span
            .map_or(crate::domain::Hour::of(view.now), |span| span.first_hour());
        let totals = store.token_totals(&record.id, first)?;
        let used = budget_used(&rule, &totals, view.prices);
        let resets_at = rule
            .span
            .and_then(|span| span.reset.to_offset(view.offset).format(&Rfc3339).ok());
        let mut entry = json!({
            "period": rule.budget.period.name(),
            "resets_at": resets_at,
        });
        if rule.rule == Rule::SpendLimit {
            entry["limit"] = Value::from(format_amount(rule.budget.amount));
            entry["used"] = Value::from(format_amount(used));
            entry["currency"] = view.prices.map(|p| p.currency().to_owned()).into();
        } else {
            entry["limit"] = Value::from(rule.budget.amount);
            entry["used"] = Value::from(used);
        }
        out.insert(rule.rule.name().to_owned(), entry);
    }
    Ok(out)
}

/// The policy's JSON object with its budgets' entries made objects
/// ([`budgets_json`]).
pub fn policy_with_budgets(
    store: &dyn KeyStore,
    record: &KeyRecord,
    view: BudgetView,
) -> Result<Map<String, Value>, Failure> {
    let mut policy = super::limit::policy_json(&record.policy);
    policy.extend(budgets_json(store, record, view)?);
    Ok(policy)
}

/// A `spend-limit` cannot be judged without prices: refused before it is set.
pub fn needs_prices(set: &super::args::PolicyArgs, prices: Option<&PriceList>) -> Result<(), Failure> {
    if set.spend_limit.is_some() && prices.is_none_or(PriceList::is_empty) {
        return Err(Failure::usage(tr!("cli-limit-spend-needs-prices")));
    }
    Ok(())
}
