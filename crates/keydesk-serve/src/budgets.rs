//! Token rules enforced by a gateway: `tpm`, `token-budget` and
//! `spend-limit` ([`keydesk_core::limit::tokens`] holds the arithmetic).
//!
//! **What a key has used** is what the store holds for its periods (read
//! with [`KeyStore::token_totals`], one call per period) plus what this
//! gateway counted since and the store may not hold yet. Each answer's
//! tokens come through [`TokenLimits::counted`] (from
//! [`super::tokens::Tokens::answer_counted`]) before that key's next request
//! is checked, so within one gateway nothing is missed.
//!
//! **Sync, off the request path** ([`TokenLimits::sync`], every
//! [`SYNC_INTERVAL`]): the tokens counted so far are sealed, the Verifier is
//! flushed (so the store holds them, with the request counts), then each
//! key's totals are read again and the sealed tokens dropped. A fleet on
//! PostgreSQL so sees every gateway's tokens within two intervals (its
//! flush, then this gateway's read). Tokens counted between the seal and
//! the read may be counted twice until the next sync (never too few). A
//! failed flush keeps the sealed tokens; a failed read keeps the old
//! totals. A key seen for the first time, or whose period just changed,
//! is read on its request's path (on a blocking thread), once.
//!
//! **Bounds.** A request is refused once a rule is reached (used ≥ limit);
//! its tokens are known only when its answer ends. So one gateway overshoots
//! a budget by at most the tokens of the key's requests in flight when it
//! was reached. A fleet of G gateways adds what the others counted within
//! the last 2 × [`SYNC_INTERVAL`] (plus a flush's and a read's duration):
//! at most the tokens of the answers that ended on the other G − 1 gateways
//! in that time, as well as their requests in flight.
//!
//! **`tpm` across a fleet** (PostgreSQL: a [`SharedTokens`] source, see
//! `keydesk_core::limit::shared_tokens`; on a redb file there is none and
//! `tpm` holds per `serve` process). Each sync first publishes this
//! gateway's tokens per key and second counted since the last one, for
//! the keys with a `tpm` rule, and reads the other gateways' seconds of
//! those keys in the last 60 s; a key's first check reads them too, before
//! it is judged. A request is refused once its own window plus the
//! others' as read reaches N. The others' tokens are seen at most
//! 2 × [`SYNC_INTERVAL`] + D late (D: an exchange's duration, within the
//! store's call deadline): the other's publish, then this gateway's read.
//! So in any 60 s the fleet of G gateways lets through at most
//! **N + the tokens of the key's answers that ended on the other G − 1
//! gateways within the last 2 × [`SYNC_INTERVAL`] + D, + the tokens of its
//! requests in flight on all G gateways when N was reached** — the same
//! statement as for budgets. Seconds are each gateway's own clock: a skew
//! of S seconds between two gateways moves the other's tokens S seconds in
//! the window (keep clocks synchronised). While the store does not answer,
//! each gateway keeps enforcing its own window (plus the others' last read,
//! which leaves the window with time): then the fleet allows up to G × N
//! tokens a minute, plus the answers in flight.
//!
//! Forward-auth never sees answers, so it counts no tokens: it enforces the
//! budgets from what proxies counted into the same database (read as
//! above), and on PostgreSQL `tpm` from the seconds proxies published;
//! alone (or on a redb file) nothing fills its `tpm` window.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use keydesk_core::domain::budget::Period;
use keydesk_core::domain::policy::{Policy, Rule};
use keydesk_core::domain::prices::PriceList;
use keydesk_core::domain::{Hour, TokenCounts, TokenTotals, TokenUsage};
use keydesk_core::limit::tokens::{BudgetRule, TokenWindow, budget_rules, budget_used};
use keydesk_core::limit::{SecondTokens, SharedTokens};
use keydesk_core::store::Clock;
use keydesk_core::{KeyId, KeyStore, StoreError, Verifier};
use time::{OffsetDateTime, UtcOffset};

/// How often counted tokens are flushed and totals read again.
pub const SYNC_INTERVAL: Duration = Duration::from_secs(1);
/// A key with no request for this long, and nothing left in its `tpm`
/// window, is forgotten (its next request reads its totals again).
const IDLE: Duration = Duration::from_secs(120);

/// Every key's token state, for one gateway.
pub struct TokenLimits {
    verifier: Arc<Verifier>,
    prices: Option<PriceList>,
    offset: UtcOffset,
    clock: Clock,
    keys: Mutex<HashMap<KeyId, Arc<Mutex<KeyTokens>>>>,
    /// Where `tpm` windows are shared with the fleet, if they are.
    fleet: Option<Arc<dyn SharedTokens>>,
}

/// One key's state.
#[derive(Default)]
struct KeyTokens {
    /// `tpm`'s window: what this gateway counted.
    window: TokenWindow,
    /// The other gateways' `tpm` tokens, as last read from the fleet.
    others: TokenWindow,
    /// Whether the others' tokens were read at least once.
    others_read: bool,
    /// The first second of [`KeyTokens::window`] not yet published whole.
    published_from: i64,
    /// The store's totals, by the first hour they were read since.
    reads: Vec<(Hour, TokenTotals)>,
    /// Tokens counted here since, by hour and model; `sealed` ones are
    /// being flushed.
    local: Vec<Local>,
    /// The policy last checked, so a sync knows which periods to read.
    policy: Policy,
    last_seen: Option<OffsetDateTime>,
}

struct Local {
    hour: Hour,
    model: Option<String>,
    counts: TokenCounts,
    sealed: bool,
}

/// A request refused by a token rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenDenial {
    /// [`Rule::Tpm`], [`Rule::TokenBudget`] or [`Rule::SpendLimit`].
    pub rule: Rule,
    /// The rule's limit (tokens, or micro-units for spend).
    pub limit: u64,
    /// The budget's period (`None` for `tpm`).
    pub period: Option<Period>,
    /// Until the rule lets a request through again (for a budget, its
    /// reset; for the key's life, a day: it never resets).
    pub retry_after: Duration,
    /// A `spend-limit` this gateway cannot judge: it has no prices. Fails
    /// closed rather than letting spend go unmetered.
    pub unpriced: bool,
}

/// Where a key stands against its token rules, for the answer's headers:
/// the token rule closest to refusing (`tpm` or `token-budget`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenQuota {
    pub limit: u64,
    pub remaining: u64,
    /// Until the tokens now used are whole again (the window's tokens gone,
    /// or the budget's reset).
    pub reset: Duration,
}

impl TokenLimits {
    /// Token rules read through `verifier`'s store, periods in `offset`,
    /// spend priced by `prices`, time from `clock`.
    pub fn new(verifier: Arc<Verifier>, prices: Option<PriceList>, offset: UtcOffset, clock: Clock) -> TokenLimits {
        TokenLimits {
            verifier,
            prices,
            offset,
            clock,
            keys: Mutex::new(HashMap::new()),
            fleet: None,
        }
    }

    /// These limits, with `tpm` windows shared through `fleet`.
    pub fn with_fleet(mut self, fleet: Option<Arc<dyn SharedTokens>>) -> TokenLimits {
        self.fleet = fleet;
        self
    }

    /// Whether `policy`'s totals for key `id` must be read before it is
    /// checked (first sight, or a period that changed): then call
    /// [`TokenLimits::read`] on a blocking thread first.
    pub fn needs_read(&self, id: &KeyId, policy: &Policy) -> bool {
        let now = (self.clock)();
        let state = self.state(id);
        let state = lock(&state);
        let fleet_unread = self.fleet.is_some() && policy.tpm.is_some() && !state.others_read;
        fleet_unread
            || needed_hours(policy, now, self.offset)
                .iter()
                .any(|hour| !state.reads.iter().any(|(read, _)| read == hour))
    }

    /// Reads key `id`'s totals for `policy`'s periods from the store.
    pub fn read(&self, id: &KeyId, policy: &Policy) -> Result<(), StoreError> {
        let now = (self.clock)();
        let hours = needed_hours(policy, now, self.offset);
        let reads = read_totals(self.verifier.store(), id, &hours)?;
        let state = self.state(id);
        if let Some(fleet) = self.fleet.as_ref().filter(|_| policy.tpm.is_some()) {
            // A failed read leaves this gateway's own window alone in force
            // until a sync reads the others.
            let second = now.unix_timestamp();
            let others = fleet
                .exchange(&[], std::slice::from_ref(id), second)
                .unwrap_or_default();
            let mut state = lock(&state);
            state.others = TokenWindow::default();
            for seen in others {
                state.others.add(seen.second.min(second), seen.tokens);
            }
            state.others_read = true;
        }
        lock(&state).reads = reads;
        Ok(())
    }

    /// Checks a request of key `id` under `policy`'s token rules (its
    /// totals already read: [`TokenLimits::needs_read`]).
    pub fn check(&self, id: &KeyId, policy: &Policy) -> Result<Option<TokenQuota>, TokenDenial> {
        let now = (self.clock)();
        let second = now.unix_timestamp();
        let state = self.state(id);
        let mut state = lock(&state);
        state.policy = policy.clone();
        state.last_seen = Some(now);
        let mut tightest: Option<TokenQuota> = None;
        let mut consider = |quota: TokenQuota| {
            if tightest.is_none_or(|t| quota.remaining < t.remaining) {
                tightest = Some(quota);
            }
        };
        if let Some(tpm) = policy.tpm {
            let window = state.window.combined(&state.others, second);
            let used = window.used(second);
            if used >= tpm {
                return Err(TokenDenial {
                    rule: Rule::Tpm,
                    limit: tpm,
                    period: None,
                    retry_after: window.retry_after(second, tpm),
                    unpriced: false,
                });
            }
            consider(TokenQuota {
                limit: tpm,
                remaining: tpm - used,
                reset: window.reset(second),
            });
        }
        for rule in budget_rules(policy, now, self.offset) {
            let used = budget_used(&rule, &state.totals(&rule, now), self.prices.as_ref());
            let until = until_reset(&rule, now);
            let unpriced = rule.rule == Rule::SpendLimit && self.prices.as_ref().is_none_or(PriceList::is_empty);
            if used >= rule.budget.amount || unpriced {
                return Err(TokenDenial {
                    rule: rule.rule,
                    limit: rule.budget.amount,
                    period: Some(rule.budget.period),
                    retry_after: until,
                    unpriced,
                });
            }
            if rule.rule == Rule::TokenBudget {
                consider(TokenQuota {
                    limit: rule.budget.amount,
                    remaining: rule.budget.amount - used,
                    reset: until,
                });
            }
        }
        Ok(tightest)
    }

    /// Counts one answer's tokens for key `id`, if it has token rules (a
    /// key without them has no state here and takes none).
    pub fn counted(&self, id: &KeyId, usage: &TokenUsage) {
        let state = match lock(&self.keys).get(id) {
            Some(state) => Arc::clone(state),
            None => return,
        };
        let now = (self.clock)();
        let mut state = lock(&state);
        state
            .window
            .add(now.unix_timestamp(), usage.input.saturating_add(usage.output));
        let hour = Hour::of(now);
        let counts = TokenCounts::of(usage);
        match state
            .local
            .iter_mut()
            .find(|l| !l.sealed && l.hour == hour && l.model == usage.model)
        {
            Some(local) => local.counts += counts,
            None => state.local.push(Local {
                hour,
                model: usage.model.clone(),
                counts,
                sealed: false,
            }),
        }
    }

    /// One sync (see the module docs); run it on a blocking thread every
    /// [`SYNC_INTERVAL`]. Returns how many keys are kept.
    pub fn sync(&self) -> usize {
        let now = (self.clock)();
        let keys: Vec<(KeyId, Arc<Mutex<KeyTokens>>)> = {
            let mut keys = lock(&self.keys);
            keys.retain(|_, state| !lock(state).idle(now));
            keys.iter().map(|(id, state)| (id.clone(), Arc::clone(state))).collect()
        };
        self.share_tpm(now.unix_timestamp(), &keys);
        let mut sealed_any = false;
        for (_, state) in &keys {
            for local in &mut lock(state).local {
                local.sealed = true;
                sealed_any = true;
            }
        }
        if sealed_any && self.verifier.flush().is_err() {
            return keys.len();
        }
        for (id, state) in &keys {
            let policy = lock(state).policy.clone();
            let hours = needed_hours(&policy, now, self.offset);
            // A failed read keeps the old totals and the sealed tokens.
            if let Ok(reads) = read_totals(self.verifier.store(), id, &hours) {
                let mut state = lock(state);
                state.reads = reads;
                state.local.retain(|local| !local.sealed);
            }
        }
        keys.len()
    }

    /// Publishes this gateway's `tpm` tokens counted since the last
    /// exchange and reads the others' (see the module docs). When the
    /// fleet does not answer, nothing changes: what was read before stays
    /// (it leaves the window with time) and is published again next time.
    fn share_tpm(&self, second: i64, keys: &[(KeyId, Arc<Mutex<KeyTokens>>)]) {
        let Some(fleet) = &self.fleet else { return };
        let mut mine = Vec::new();
        let mut ids = Vec::new();
        for (id, state) in keys {
            let state = lock(state);
            if state.policy.tpm.is_none() {
                continue;
            }
            ids.push(id.clone());
            let unpublished = state.window.since(state.published_from, second);
            mine.extend(unpublished.map(|(at, tokens)| SecondTokens {
                key: id.clone(),
                second: at,
                tokens,
            }));
        }
        if ids.is_empty() {
            return;
        }
        let Ok(others) = fleet.exchange(&mine, &ids, second) else {
            return;
        };
        let mut windows: HashMap<KeyId, TokenWindow> = ids.into_iter().map(|id| (id, TokenWindow::default())).collect();
        for seen in others {
            if let Some(window) = windows.get_mut(&seen.key) {
                window.add(seen.second.min(second), seen.tokens);
            }
        }
        for (id, state) in keys {
            if let Some(window) = windows.remove(id) {
                let mut state = lock(state);
                state.others = window;
                state.others_read = true;
                // This second may still grow: it is published again next time.
                state.published_from = second;
            }
        }
    }

    fn state(&self, id: &KeyId) -> Arc<Mutex<KeyTokens>> {
        let mut keys = lock(&self.keys);
        Arc::clone(keys.entry(id.clone()).or_default())
    }
}

impl KeyTokens {
    /// The key's totals for `rule`'s period: the store's, and what was
    /// counted here since.
    fn totals(&self, rule: &BudgetRule, now: OffsetDateTime) -> TokenTotals {
        let first = rule.span.map_or(Hour::of(now), |span| span.first_hour());
        let mut totals = self
            .reads
            .iter()
            .find(|(hour, _)| *hour == first)
            .or(self.reads.first())
            .map(|(_, totals)| totals.clone())
            .unwrap_or_default();
        for local in &self.local {
            totals.lifetime += local.counts;
            if local.hour < first {
                continue;
            }
            totals.since += local.counts;
            match totals.by_model.iter_mut().find(|(model, _)| *model == local.model) {
                Some((_, counts)) => *counts += local.counts,
                None => totals.by_model.push((local.model.clone(), local.counts)),
            }
        }
        totals
    }

    fn idle(&self, now: OffsetDateTime) -> bool {
        let quiet = self
            .last_seen
            .is_none_or(|seen| now - seen > time::Duration::try_from(IDLE).unwrap_or(time::Duration::MAX));
        quiet && self.window.is_empty(now.unix_timestamp()) && self.local.is_empty()
    }
}

/// The hours a policy's budgets are read since: each period's first; for
/// a lifetime budget alone, the current hour (its read carries the
/// lifetime total).
fn needed_hours(policy: &Policy, now: OffsetDateTime, offset: UtcOffset) -> Vec<Hour> {
    let mut hours: Vec<Hour> = Vec::new();
    for rule in budget_rules(policy, now, offset) {
        let hour = rule.span.map_or(Hour::of(now), |span| span.first_hour());
        if !hours.contains(&hour) && (rule.span.is_some() || hours.is_empty()) {
            hours.push(hour);
        }
    }
    hours
}

fn read_totals(store: &dyn KeyStore, id: &KeyId, hours: &[Hour]) -> Result<Vec<(Hour, TokenTotals)>, StoreError> {
    hours
        .iter()
        .map(|hour| store.token_totals(id, *hour).map(|totals| (*hour, totals)))
        .collect()
}

fn until_reset(rule: &BudgetRule, now: OffsetDateTime) -> Duration {
    match rule.span {
        Some(span) => Duration::try_from(span.reset - now).unwrap_or(Duration::ZERO),
        None => Duration::from_secs(86_400),
    }
}

/// The state stays consistent whatever a panicking holder did.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
#[path = "budgets_tests.rs"]
mod tests;
