//! The state behind a key's token rules: `tpm` over a sliding minute, and
//! what a budget (`token-budget`, `spend-limit`) has used of its period.
//!
//! Tokens are known only once an answer ends, so these rules cannot reserve
//! anything for a request: a request is refused when the key has *already*
//! reached its rule (used ≥ limit), and its own tokens are counted when its
//! answer ends. Requests in flight when a rule is reached overshoot it by at
//! most their own tokens.
//!
//! `tpm` is a sliding window of one-second slots ([`TokenWindow`]): the
//! tokens of an answer count in the second it ended, and leave the window 60
//! seconds later. That is exact to the second and takes a fixed 960 bytes
//! per key however many answers there are (a log of answers, like the
//! request rates', would grow with them).

use std::time::Duration;

use time::{OffsetDateTime, UtcOffset};

use crate::domain::TokenTotals;
use crate::domain::budget::{Budget, Period, Span};
use crate::domain::policy::{Policy, Rule};
use crate::domain::prices::PriceList;

/// Seconds in a `tpm` window.
const SLOTS: usize = 60;

/// One key's tokens in the last 60 seconds, by the second they were
/// counted in.
#[derive(Debug, Clone)]
pub struct TokenWindow {
    /// (Unix second, tokens counted in it), at `second % 60`.
    slots: [(i64, u64); SLOTS],
}

impl Default for TokenWindow {
    fn default() -> TokenWindow {
        TokenWindow { slots: [(0, 0); SLOTS] }
    }
}

impl TokenWindow {
    /// Counts `tokens` at Unix second `now`.
    pub fn add(&mut self, now: i64, tokens: u64) {
        let slot = &mut self.slots[now.rem_euclid(SLOTS as i64) as usize];
        if slot.0 != now {
            *slot = (now, 0);
        }
        slot.1 = slot.1.saturating_add(tokens);
    }

    /// The tokens counted in the 60 seconds ending with second `now`.
    pub fn used(&self, now: i64) -> u64 {
        self.live(now).map(|(_, tokens)| tokens).fold(0, u64::saturating_add)
    }

    /// How long after second `now` began the tokens in the window fall
    /// below `limit` (zero when they already are).
    pub fn retry_after(&self, now: i64, limit: u64) -> Duration {
        let mut live: Vec<(i64, u64)> = self.live(now).collect();
        live.sort_unstable();
        let mut used = self.used(now);
        for (second, tokens) in live {
            if used < limit {
                break;
            }
            used -= tokens;
            if used < limit {
                return Duration::from_secs((second + SLOTS as i64 - now).max(1) as u64);
            }
        }
        Duration::ZERO
    }

    /// How long until every token now in the window has left it.
    pub fn reset(&self, now: i64) -> Duration {
        let newest = self.live(now).map(|(second, _)| second).max();
        newest.map_or(Duration::ZERO, |second| {
            Duration::from_secs((second + SLOTS as i64 - now).max(0) as u64)
        })
    }

    /// The slots in the window at `now` counted in second `from` or later,
    /// as (Unix second, tokens).
    pub fn since(&self, from: i64, now: i64) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.live(now).filter(move |(second, _)| *second >= from)
    }

    /// This window and `other` together, at `now`.
    pub fn combined(&self, other: &TokenWindow, now: i64) -> TokenWindow {
        let mut both = TokenWindow::default();
        for (second, tokens) in self.live(now).chain(other.live(now)) {
            both.add(second, tokens);
        }
        both
    }

    /// Whether no tokens are left in the window at `now`.
    pub fn is_empty(&self, now: i64) -> bool {
        self.used(now) == 0
    }

    fn live(&self, now: i64) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.slots
            .iter()
            .copied()
            .filter(move |(second, tokens)| *tokens > 0 && *second <= now && now - *second < SLOTS as i64)
    }
}

/// A budget rule of a key, where its period now is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetRule {
    /// [`Rule::TokenBudget`] or [`Rule::SpendLimit`].
    pub rule: Rule,
    /// Its amount and period.
    pub budget: Budget,
    /// The current period; `None` for the key's life.
    pub span: Option<Span>,
}

/// The budget rules of `policy` at `now`, periods in `offset`.
pub fn budget_rules(policy: &Policy, now: OffsetDateTime, offset: UtcOffset) -> Vec<BudgetRule> {
    policy
        .budgets()
        .map(|(rule, budget)| BudgetRule {
            rule,
            budget,
            span: budget.period.span(now, offset),
        })
        .collect()
}

/// What `rule` has used of its budget, from the key's `totals` since the
/// period's first hour (for the key's life, its lifetime total): tokens, or
/// for a spend limit micro-units of the price list's currency. Tokens of a
/// model no price matches cost nothing.
pub fn budget_used(rule: &BudgetRule, totals: &TokenTotals, prices: Option<&PriceList>) -> u64 {
    match (rule.rule, rule.budget.period) {
        (Rule::SpendLimit, _) => totals
            .by_model
            .iter()
            .filter_map(|(model, counts)| prices?.cost(model.as_deref(), counts))
            .fold(0, u64::saturating_add),
        (_, Period::Life) => totals.lifetime.total(),
        _ => totals.since.total(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_leave_the_window_sixty_seconds_after_the_second_they_were_counted_in() {
        let mut window = TokenWindow::default();
        window.add(1_000, 300);
        window.add(1_030, 500);
        window.add(1_030, 200);
        assert_eq!(window.used(1_030), 1_000);
        assert_eq!(window.used(1_059), 1_000);
        assert_eq!(window.used(1_060), 700, "the first answer left at 1060");
        assert_eq!(window.used(1_090), 0);
        assert!(window.is_empty(1_090));
        assert_eq!(window.used(999), 0, "nothing counted after the second asked about");
    }

    #[test]
    fn retry_after_waits_for_enough_tokens_to_leave_not_all_of_them() {
        let mut window = TokenWindow::default();
        window.add(1_000, 600);
        window.add(1_020, 600);
        // 1,200 used of 1,000 at 1,030: below once the first 600 leave, at 1,060.
        assert_eq!(window.retry_after(1_030, 1_000), Duration::from_secs(30));
        assert_eq!(window.retry_after(1_030, 100), Duration::from_secs(50));
        assert_eq!(window.retry_after(1_030, 5_000), Duration::ZERO);
        assert_eq!(window.reset(1_030), Duration::from_secs(50));
    }

    #[test]
    fn a_combined_window_adds_the_other_gateways_seconds_to_this_ones() {
        let (mut mine, mut others) = (TokenWindow::default(), TokenWindow::default());
        mine.add(1_000, 300);
        others.add(1_000, 200);
        others.add(1_010, 500);
        others.add(900, 999);
        let both = mine.combined(&others, 1_010);
        assert_eq!(both.used(1_010), 1_000, "the second 900 had left the window");
        assert_eq!(both.retry_after(1_010, 1_000), Duration::from_secs(50));
        assert_eq!(mine.since(1_000, 1_010).collect::<Vec<_>>(), vec![(1_000, 300)]);
        assert_eq!(mine.since(1_001, 1_010).count(), 0);
    }

    #[test]
    fn a_slot_reused_a_minute_later_starts_from_zero() {
        let mut window = TokenWindow::default();
        window.add(1_000, 10);
        window.add(1_060, 5);
        assert_eq!(window.used(1_060), 5);
    }

    #[test]
    fn budgets_use_the_period_tokens_the_lifetime_or_the_priced_cost() {
        use crate::domain::TokenCounts;
        use crate::domain::prices::Price;
        let counts = |input, output| TokenCounts {
            input,
            output,
            ..TokenCounts::default()
        };
        let totals = TokenTotals {
            since: counts(1_500, 500),
            by_model: vec![
                (Some("gpt-4o-mini".into()), counts(1_000_000, 0)),
                (Some("unpriced".into()), counts(500, 500)),
            ],
            lifetime: counts(9_000, 1_000),
        };
        let policy = Policy::parse("token-budget=5000/day spend-limit=20/month").unwrap();
        let now = time::macros::datetime!(2026-03-15 12:00 UTC);
        let rules = budget_rules(&policy, now, UtcOffset::UTC);
        let mut prices = PriceList::new("USD").unwrap();
        let price = Price {
            input: 150_000,
            output: 600_000,
            cached_input: None,
        };
        prices.add("gpt-4o-mini*", price).unwrap();
        assert_eq!(budget_used(&rules[0], &totals, Some(&prices)), 2_000);
        assert_eq!(budget_used(&rules[1], &totals, Some(&prices)), 150_000);
        assert_eq!(budget_used(&rules[1], &totals, None), 0);
        let life = budget_rules(&Policy::parse("token-budget=5000").unwrap(), now, UtcOffset::UTC);
        assert_eq!((life[0].span, budget_used(&life[0], &totals, None)), (None, 10_000));
    }
}
