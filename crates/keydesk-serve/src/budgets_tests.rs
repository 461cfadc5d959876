use std::sync::atomic::{AtomicI64, Ordering};

use keydesk_core::domain::KeyName;
use keydesk_core::store::Store;
use keydesk_core::verifier::Settings;
use time::macros::{datetime, offset};

use super::*;

/// A clock the test moves: Unix seconds in an atomic.
fn clock_at(start: OffsetDateTime) -> (Clock, Arc<AtomicI64>) {
    let now = Arc::new(AtomicI64::new(start.unix_timestamp()));
    let read = now.clone();
    let clock: Clock =
        Arc::new(move || OffsetDateTime::from_unix_timestamp(read.load(Ordering::SeqCst)).expect("in range"));
    (clock, now)
}

fn usage(model: &str, input: u64, output: u64) -> TokenUsage {
    TokenUsage {
        model: Some(model.to_owned()),
        input,
        output,
        known: true,
        complete: true,
        ..TokenUsage::default()
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    limits: TokenLimits,
    verifier: Arc<Verifier>,
    id: KeyId,
    now: Arc<AtomicI64>,
}

fn fixture(start: OffsetDateTime, at: UtcOffset, prices: Option<PriceList>) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (clock, now) = clock_at(start);
    let builder = Store::builder(dir.path().join("keys.redb")).create_if_missing(true);
    let store = Arc::new(builder.clock(clock.clone()).open().unwrap());
    let (_, record) = store.create(&KeyName::parse("budgeted").unwrap()).unwrap();
    let verifier = Arc::new(Verifier::with_settings(store, Settings::default().clock(clock.clone())).unwrap());
    Fixture {
        _dir: dir,
        limits: TokenLimits::new(verifier.clone(), prices, at, clock),
        verifier,
        id: record.id,
        now,
    }
}

/// An answer's tokens, as `Tokens::answer_counted` hands them over: to the
/// Verifier's tally (which flushes them to the store) and to the limits.
fn answer(f: &Fixture, usage: &TokenUsage) {
    f.verifier.count_tokens(&f.id, usage);
    f.limits.counted(&f.id, usage);
}

fn checked(f: &Fixture, policy: &Policy) -> Result<Option<TokenQuota>, TokenDenial> {
    if f.limits.needs_read(&f.id, policy) {
        f.limits.read(&f.id, policy).unwrap();
    }
    f.limits.check(&f.id, policy)
}

#[test]
fn a_spent_daily_budget_refuses_until_local_midnight_then_lets_the_key_through() {
    // 23:00 on 15 March in UTC+8.
    let f = fixture(datetime!(2026-03-15 15:00 UTC), offset!(+8), None);
    let policy = Policy::parse("token-budget=100/day").unwrap();
    let quota = checked(&f, &policy).unwrap().unwrap();
    assert_eq!((quota.limit, quota.remaining), (100, 100));
    assert_eq!(quota.reset, Duration::from_secs(3_600));
    answer(&f, &usage("m", 70, 30));
    let denial = checked(&f, &policy).unwrap_err();
    assert_eq!((denial.rule, denial.limit), (Rule::TokenBudget, 100));
    assert_eq!(denial.retry_after, Duration::from_secs(3_600));
    // Flushed and read back from the store: still spent.
    f.limits.sync();
    assert_eq!(f.limits.check(&f.id, &policy).unwrap_err().rule, Rule::TokenBudget);
    // Midnight in UTC+8: a new day, read from the store again.
    f.now.fetch_add(3_600, Ordering::SeqCst);
    assert!(f.limits.needs_read(&f.id, &policy));
    let quota = checked(&f, &policy).unwrap().unwrap();
    assert_eq!(quota.remaining, 100);
}

#[test]
fn tokens_counted_during_a_sync_are_never_lost() {
    let f = fixture(datetime!(2026-03-15 12:00 UTC), UtcOffset::UTC, None);
    let policy = Policy::parse("token-budget=1000/month").unwrap();
    checked(&f, &policy).unwrap();
    answer(&f, &usage("m", 100, 0));
    f.limits.sync();
    answer(&f, &usage("m", 200, 0));
    let quota = f.limits.check(&f.id, &policy).unwrap().unwrap();
    assert_eq!(quota.remaining, 700);
    f.limits.sync();
    f.limits.sync();
    assert_eq!(f.limits.check(&f.id, &policy).unwrap().unwrap().remaining, 700);
}

#[test]
fn tpm_refuses_while_the_last_minute_holds_n_tokens_and_says_when_enough_leave() {
    let f = fixture(datetime!(2026-03-15 12:00 UTC), UtcOffset::UTC, None);
    let policy = Policy::parse("tpm=1000").unwrap();
    checked(&f, &policy).unwrap();
    answer(&f, &usage("m", 400, 200));
    f.now.fetch_add(20, Ordering::SeqCst);
    answer(&f, &usage("m", 300, 100));
    let denial = checked(&f, &policy).unwrap_err();
    assert_eq!((denial.rule, denial.limit), (Rule::Tpm, 1000));
    assert_eq!(denial.retry_after, Duration::from_secs(40));
    f.now.fetch_add(40, Ordering::SeqCst);
    assert_eq!(checked(&f, &policy).unwrap().unwrap().remaining, 600);
}

#[test]
fn a_spend_limit_prices_each_model_and_leaves_unpriced_ones_free() {
    use keydesk_core::domain::prices::Price;
    let mut prices = PriceList::new("USD").unwrap();
    let price = Price {
        input: 1_000_000,
        output: 2_000_000,
        cached_input: None,
    };
    prices.add("gpt-*", price).unwrap();
    let f = fixture(datetime!(2026-03-15 12:00 UTC), UtcOffset::UTC, Some(prices));
    let policy = Policy::parse("spend-limit=1/month").unwrap();
    checked(&f, &policy).unwrap();
    answer(&f, &usage("llama3", 5_000_000, 0));
    assert!(checked(&f, &policy).is_ok(), "no price, no cost");
    answer(&f, &usage("gpt-4o", 500_000, 250_000));
    let denial = checked(&f, &policy).unwrap_err();
    assert_eq!((denial.rule, denial.period), (Rule::SpendLimit, Some(Period::Month)));
    assert_eq!(
        denial.retry_after,
        Duration::try_from(datetime!(2026-04-01 00:00 UTC) - datetime!(2026-03-15 12:00 UTC)).unwrap()
    );
}

#[test]
fn a_spend_limit_on_a_gateway_without_prices_is_refused_not_unmetered() {
    let f = fixture(datetime!(2026-03-15 12:00 UTC), UtcOffset::UTC, None);
    let policy = Policy::parse("spend-limit=1/month").unwrap();
    let denial = checked(&f, &policy).unwrap_err();
    assert!(denial.unpriced && denial.rule == Rule::SpendLimit, "{denial:?}");
    assert!(checked(&f, &Policy::parse("token-budget=10/day").unwrap()).is_ok());
}

#[test]
fn keys_without_token_rules_take_no_state() {
    let f = fixture(datetime!(2026-03-15 12:00 UTC), UtcOffset::UTC, None);
    answer(&f, &usage("m", 1, 1));
    assert_eq!(f.limits.sync(), 0);
}

/// The fleet's table of `tpm` seconds, in memory: what `PgTokenWindows`
/// keeps in PostgreSQL (tested against a real server in
/// `tests/program/postgres/fleet.rs`), here to drive two gateways' syncs
/// step by step, and to fail on demand like a server that does not answer.
#[derive(Default)]
struct Seconds {
    rows: Mutex<HashMap<(KeyId, i64, usize), u64>>,
    down: std::sync::atomic::AtomicBool,
}

struct Gateway(Arc<Seconds>, usize);

impl SharedTokens for Gateway {
    fn exchange(
        &self,
        mine: &[SecondTokens],
        keys: &[KeyId],
        now: i64,
    ) -> Result<Vec<SecondTokens>, keydesk_core::limit::SharedError> {
        if self.0.down.load(Ordering::SeqCst) {
            return Err(keydesk_core::limit::SharedError::Unreachable);
        }
        let mut rows = lock(&self.0.rows);
        for s in mine {
            rows.insert((s.key.clone(), s.second, self.1), s.tokens);
        }
        let others = rows
            .iter()
            .filter(|((key, second, gateway), _)| *gateway != self.1 && keys.contains(key) && now - second < 60);
        Ok(others
            .map(|((key, second, _), tokens)| SecondTokens {
                key: key.clone(),
                second: *second,
                tokens: *tokens,
            })
            .collect())
    }
}

#[test]
fn tpm_adds_the_other_gateways_tokens_at_each_sync_and_keeps_its_own_window_when_the_fleet_is_down() {
    let seconds = Arc::new(Seconds::default());
    let start = datetime!(2026-03-15 12:00 UTC);
    let gateway = |n| {
        let f = fixture(start, offset!(+0), None);
        let limits = TokenLimits::new(f.verifier.clone(), None, offset!(+0), clock_at(start).0);
        (f, limits.with_fleet(Some(Arc::new(Gateway(seconds.clone(), n)))))
    };
    let ((fa, a), (_fb, b)) = (gateway(0), gateway(1));
    let id = fa.id.clone();
    let policy = Policy::parse("tpm=1000").unwrap();
    let check = |limits: &TokenLimits| {
        if limits.needs_read(&id, &policy) {
            limits.read(&id, &policy).unwrap();
        }
        limits.check(&id, &policy)
    };
    assert!(check(&a).is_ok() && check(&b).is_ok());
    a.counted(&id, &usage("m", 500, 300));
    assert_eq!(check(&b).unwrap().unwrap().remaining, 1_000, "not seen before A's sync");
    a.sync();
    b.sync();
    assert_eq!(check(&b).unwrap().unwrap().remaining, 200, "A's 800, after both syncs");
    b.counted(&id, &usage("m", 150, 50));
    assert_eq!(check(&b).unwrap_err().rule, Rule::Tpm);
    b.sync();
    a.sync();
    assert_eq!(check(&a).unwrap_err().rule, Rule::Tpm, "A sees B's 200");
    seconds.down.store(true, Ordering::SeqCst);
    let c = {
        let limits = TokenLimits::new(fa.verifier.clone(), None, offset!(+0), clock_at(start).0);
        limits.with_fleet(Some(Arc::new(Gateway(seconds.clone(), 2))))
    };
    assert!(
        check(&c).is_ok(),
        "a new gateway with the fleet down judges on its own window"
    );
    c.counted(&id, &usage("m", 1_000, 0));
    c.sync();
    assert_eq!(check(&c).unwrap_err().rule, Rule::Tpm, "its own window still holds");
}
