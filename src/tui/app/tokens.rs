//! What the TUI shows of a key's tokens, from the usage the worker loaded:
//! the 30-day totals and their cost (for the details pane, the list's
//! Tokens sort and the clean-up view's "by spend"), and where each budget
//! of the key's policy stands.
//!
//! A budget's period comes from [`crate::domain::budget`] (through
//! [`budget_rules`]) and what it has used from [`budget_used`], the same
//! functions the gateway enforces with, applied to the hourly token
//! buckets loaded since the period's first hour; so the pane and the
//! gateway agree on what "this month" is in the shown UTC offset.

use time::{OffsetDateTime, UtcOffset};

use crate::domain::budget::Budget;
use crate::domain::policy::{Policy, Rule};
use crate::domain::prices::PriceList;
use crate::domain::{Hour, KeyId, KeyUsage, TokenCounts, TokenTotals};
use keydesk_core::limit::tokens::{budget_rules, budget_used};

use super::App;

/// A key's tokens over the usage window, and their cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spend {
    /// Every model together.
    pub counts: TokenCounts,
    /// In micro-units of the price list's currency: `None` without a price
    /// list, or when none of the key's models with tokens has a price.
    pub cost: Option<u64>,
}

impl Spend {
    /// The tokens in `usage` (its daily buckets: the window it was read
    /// for) and what the priced ones cost.
    pub fn of(usage: &KeyUsage, prices: Option<&PriceList>) -> Spend {
        let by_model = usage.tokens_by_model();
        let cost = prices.and_then(|prices| {
            let costs: Vec<u64> = by_model
                .iter()
                .filter(|(_, counts)| !counts.is_zero())
                .filter_map(|(model, counts)| prices.cost(model.as_deref(), counts))
                .collect();
            (!costs.is_empty()).then(|| costs.into_iter().fold(0, u64::saturating_add))
        });
        Spend {
            counts: usage.tokens_total(),
            cost,
        }
    }

    /// The clean-up view's order, highest first: cost, then tokens (so
    /// without prices, tokens alone).
    pub fn rank(&self) -> (u64, u64) {
        (self.cost.unwrap_or(0), self.counts.total())
    }
}

/// One budget of a key's policy and where it stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetGauge {
    /// [`Rule::TokenBudget`] or [`Rule::SpendLimit`].
    pub rule: Rule,
    pub budget: Budget,
    /// Tokens, or micro-units for a spend limit, used in the current period.
    pub used: u64,
    /// When the period resets; `None` for the key's life.
    pub reset: Option<OffsetDateTime>,
}

impl BudgetGauge {
    /// How much of the budget is used, from 0 to 1 (1 when over it).
    pub fn ratio(&self) -> f64 {
        (self.used as f64 / self.budget.amount.max(1) as f64).clamp(0.0, 1.0)
    }
}

/// The budgets of `policy` at `now` (periods in `offset`), each with what
/// `usage`'s hourly token buckets and lifetime total say it has used.
pub fn budget_gauges(
    policy: &Policy,
    usage: &KeyUsage,
    prices: Option<&PriceList>,
    now: OffsetDateTime,
    offset: UtcOffset,
) -> Vec<BudgetGauge> {
    budget_rules(policy, now, offset)
        .into_iter()
        .map(|rule| {
            let first_hour = rule.span.map(|span| span.first_hour());
            let totals = totals_since(usage, first_hour);
            BudgetGauge {
                rule: rule.rule,
                budget: rule.budget,
                used: budget_used(&rule, &totals, prices),
                reset: rule.span.map(|span| span.reset),
            }
        })
        .collect()
}

/// The key's tokens from the hourly buckets since `first_hour` (all of
/// them, per model too), and its lifetime total: what a store's
/// `token_totals` answers, from what the TUI already holds.
fn totals_since(usage: &KeyUsage, first_hour: Option<Hour>) -> TokenTotals {
    let mut totals = TokenTotals {
        lifetime: usage.tokens_lifetime,
        ..TokenTotals::default()
    };
    let Some(first_hour) = first_hour else {
        return totals;
    };
    for (hour, model, counts) in &usage.tokens_hourly {
        if *hour < first_hour {
            continue;
        }
        totals.since += *counts;
        match totals.by_model.iter_mut().find(|(m, _)| m == model) {
            Some((_, sum)) => *sum += *counts,
            None => totals.by_model.push((model.clone(), *counts)),
        }
    }
    totals
}

impl App {
    /// The key's tokens in the usage window and their cost (nothing before
    /// the usage is read).
    pub fn spend_of(&self, id: &KeyId) -> Spend {
        self.usage
            .get(id)
            .map(|usage| Spend::of(usage, self.prices.as_ref()))
            .unwrap_or_default()
    }

    /// Input and output tokens of the key in the usage window: the list's
    /// Tokens column and sort.
    pub fn tokens_of(&self, id: &KeyId) -> u64 {
        self.usage.get(id).map_or(0, |usage| usage.tokens_total().total())
    }

    /// The selected key's budgets, now, in the shown offset.
    pub fn budgets_of(&self, id: &KeyId, policy: &Policy) -> Vec<BudgetGauge> {
        let empty = KeyUsage::default();
        let usage = self.usage.get(id).unwrap_or(&empty);
        budget_gauges(policy, usage, self.prices.as_ref(), self.now, self.utc_offset)
    }
}
