//! Tokens in the TUI: the details pane's token totals, sparkline and budget
//! gauges, the list sorted by 30-day tokens, and the clean-up view by
//! spend; the figures asserted (a budget over a month boundary in UTC+8,
//! the orders), and snapshots of each screen at 120×40, 80×24 and 60×15,
//! in English, Chinese and ASCII.

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use time::macros::{datetime, offset};
use time::{Duration, OffsetDateTime};

use super::app::{App, SortColumn, budget_gauges};
use super::event::{Event, Key};
use super::testing::*;
use super::update::update;
use crate::domain::budget::Period;
use crate::domain::policy::{Policy, Rule};
use crate::domain::prices::{Price, PriceList, parse_amount};
use crate::domain::{Day, Hour, KeyUsage, TokenCounts, UsageQuery};
use crate::i18n::{Lang, with_ascii, with_lang};

use Key::*;

fn counts(input: u64, output: u64) -> TokenCounts {
    TokenCounts {
        input,
        output,
        answers: 1,
        ..TokenCounts::default()
    }
}

fn price(input: &str, output: &str) -> Price {
    Price {
        input: parse_amount(input).unwrap(),
        output: parse_amount(output).unwrap(),
        cached_input: None,
    }
}

/// gpt-4o-mini cheap, gpt-4o dear, claude not priced.
fn prices() -> PriceList {
    let mut list = PriceList::new("USD").unwrap();
    list.add("gpt-4o-mini*", price("0.15", "0.60")).unwrap();
    list.add("gpt-4o*", price("2.50", "10")).unwrap();
    list
}

/// A key's usage from hourly token buckets (`model`, `at`, counts): the
/// daily buckets and the lifetime total are their sums, as a store keeps
/// them.
fn usage_of(hours: &[(&str, OffsetDateTime, TokenCounts)]) -> KeyUsage {
    let mut usage = KeyUsage::default();
    for (model, at, c) in hours {
        let model = Some((*model).to_owned());
        usage.tokens_hourly.push((Hour::of(*at), model.clone(), *c));
        match usage
            .tokens_daily
            .iter_mut()
            .find(|(day, m, _)| *day == Day::of(*at) && *m == model)
        {
            Some((_, _, sum)) => *sum += *c,
            None => usage.tokens_daily.push((Day::of(*at), model, *c)),
        }
        usage.tokens_lifetime += *c;
    }
    usage.tokens_daily.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    usage
}

/// The CJK key (1) busy with gpt-4o-mini every 3 hours for 30 days (a
/// ramp), and claude-3-5-haiku now and then, under a 10M tokens/month
/// budget and a 20 USD/month spend limit; the analytics key (5) with few
/// tokens of the dear gpt-4o; ci-runner (3) with a little gpt-4o-mini.
fn tokens_usage() -> Vec<(crate::domain::KeyId, KeyUsage)> {
    let mut busy = Vec::new();
    for step in 0..240u64 {
        let at = NOW - Duration::hours(3 * (239 - step as i64));
        busy.push(("gpt-4o-mini", at, counts(5_000 + 200 * step, 1_000 + 40 * step)));
        if step % 16 == 0 {
            busy.push(("claude-3-5-haiku", at, counts(30_000, 2_000)));
        }
    }
    let dear = [("gpt-4o", NOW - Duration::days(2), counts(400_000, 200_000))];
    let little = [("gpt-4o-mini", NOW - Duration::days(20), counts(1_500, 500))];
    vec![
        (id(1), usage_of(&busy)),
        (id(5), usage_of(&dear)),
        (id(3), usage_of(&little)),
    ]
}

/// [`app`] with [`tokens_usage`], the budgets on the CJK key, and `prices`.
fn app_with_tokens(prices: Option<PriceList>) -> App {
    let mut records = records();
    records[0].policy = Policy::parse("rpm=600 token-budget=10000000/month spend-limit=20/month").unwrap();
    let mut app = app_with(records);
    app.prices = prices;
    let query = UsageQuery::last(None, 30, 24, NOW);
    update(&mut app, Event::UsageLoaded(query, Ok(tokens_usage())));
    app
}

fn names(app: &App, ids: &[crate::domain::KeyId]) -> Vec<String> {
    ids.iter().map(|id| app.record(id).unwrap().name.clone()).collect()
}

#[test]
fn a_month_budget_in_utc_plus_8_counts_only_the_hours_since_the_1st_there() {
    // 1 April 02:00 in UTC+8 is 31 March 18:00 UTC; April began there at
    // 31 March 16:00 UTC.
    let now = datetime!(2026-03-31 18:00 UTC);
    let usage = usage_of(&[
        ("m", datetime!(2026-03-31 15:59 UTC), counts(1_000, 0)), // 23:59 on 31 March, UTC+8
        ("m", datetime!(2026-03-31 16:00 UTC), counts(200, 0)),   // 00:00 on 1 April
        ("m", datetime!(2026-03-31 17:30 UTC), counts(20, 10)),
    ]);
    let policy = Policy::parse("token-budget=5000/month").unwrap();
    let [gauge] = budget_gauges(&policy, &usage, None, now, offset!(+8))[..] else {
        panic!("one budget")
    };
    assert_eq!((gauge.rule, gauge.budget.period), (Rule::TokenBudget, Period::Month));
    assert_eq!(gauge.used, 230, "31 March 23:59 in UTC+8 is March's");
    assert_eq!(gauge.reset, Some(datetime!(2026-05-01 00:00 +8)));
    // The same instant in UTC is still March: every token counts.
    let [utc] = budget_gauges(&policy, &usage, None, now, offset!(UTC))[..] else {
        panic!("one budget")
    };
    assert_eq!(utc.used, 1_230);
    assert_eq!(utc.reset, Some(datetime!(2026-04-01 00:00 UTC)));
}

#[test]
fn a_spend_limit_prices_each_model_of_the_period_and_a_lifetime_budget_takes_the_lifetime_total() {
    let now = datetime!(2026-03-31 18:00 UTC);
    let usage = usage_of(&[
        (
            "gpt-4o-mini-2024",
            datetime!(2026-03-31 16:00 UTC),
            counts(1_000_000, 500_000),
        ),
        ("claude", datetime!(2026-03-31 16:00 UTC), counts(9_000_000, 0)),
        ("gpt-4o", datetime!(2026-03-02 16:00 UTC), counts(1_000_000, 0)),
    ]);
    let policy = Policy::parse("token-budget=20000000 spend-limit=20/day").unwrap();
    let gauges = budget_gauges(&policy, &usage, Some(&prices()), now, offset!(+8));
    let by_rule = |rule| gauges.iter().find(|g| g.rule == rule).unwrap();
    // 0.15 + 0.30 for gpt-4o-mini today (UTC+8); claude has no price.
    assert_eq!(by_rule(Rule::SpendLimit).used, 450_000);
    assert_eq!(by_rule(Rule::TokenBudget).used, 11_500_000, "the key's life");
    assert_eq!(by_rule(Rule::TokenBudget).reset, None);
}

#[test]
fn the_details_pane_gauge_uses_the_loaded_buckets_of_this_month_only() {
    let app = app_with_tokens(Some(prices()));
    let record = app.record(&id(1)).unwrap();
    let gauges = app.budgets_of(&record.id, &record.policy);
    let month_start = datetime!(2026-03-01 00:00 +8);
    let usage = tokens_usage().remove(0).1;
    let expected: u64 = (usage.tokens_hourly.iter())
        .filter(|(hour, _, _)| *hour >= Hour::of(month_start))
        .map(|(_, _, c)| c.total())
        .sum();
    let all: u64 = usage.tokens_hourly.iter().map(|(_, _, c)| c.total()).sum();
    assert!(expected < all, "the fixture has tokens before March (UTC+8)");
    assert_eq!(gauges[0].used, expected);
    assert_eq!(gauges[0].reset, Some(datetime!(2026-04-01 00:00 +8)));
}

#[test]
fn s_sorts_the_list_by_30_day_tokens_most_first_and_capital_s_reverses() {
    let mut app = app_with_tokens(None);
    press(&mut app, &[Char('s'); 3]);
    assert_eq!((app.sort, app.descending), (SortColumn::Tokens, true));
    let rows: Vec<&str> = (0..5).map(|r| app.visible_record(r).unwrap().name.as_str()).collect();
    // Then the keys without tokens, newest first.
    assert_eq!(
        rows,
        [
            "生产-gateway_01",
            "Analytics_Export",
            "ci-runner",
            "test-key",
            "staging"
        ]
    );
    assert!(app.tokens_of(&id(1)) > app.tokens_of(&id(5)));
    assert_eq!(app.tokens_of(&id(5)), 600_000);
    assert_eq!(app.tokens_of(&id(3)), 2_000);
    press(&mut app, &[Char('S')]);
    assert_eq!(app.visible_record(4).unwrap().name, "生产-gateway_01");
}

#[test]
fn the_clean_up_view_by_spend_puts_the_dearest_key_first_and_by_tokens_without_prices() {
    let mut app = app_with_tokens(Some(prices()));
    press(&mut app, &[Char('C'), Char('s')]);
    let cleanup = app.cleanup.as_ref().unwrap();
    assert!(cleanup.by_spend);
    // gpt-4o: 400k × 2.50 + 200k × 10 per million = 3.00 USD, above the
    // busy key's gpt-4o-mini.
    let busy = app.spend_of(&id(1)).cost.unwrap();
    assert_eq!(app.spend_of(&id(5)).cost, Some(3_000_000));
    assert!(busy < 3_000_000, "{busy}");
    assert_eq!(
        names(&app, &cleanup.rows),
        ["Analytics_Export", "生产-gateway_01", "ci-runner"]
    );
    // Without prices: by tokens.
    let mut app = app_with_tokens(None);
    press(&mut app, &[Char('C'), Char('s')]);
    let rows = &app.cleanup.as_ref().unwrap().rows;
    assert_eq!(names(&app, rows), ["生产-gateway_01", "Analytics_Export", "ci-runner"]);
    // And back to the unused keys.
    press(&mut app, &[Char('s')]);
    assert!(!app.cleanup.as_ref().unwrap().by_spend);
}

#[test]
fn details_pane_with_tokens_and_budgets_beside_the_table_at_120x40() {
    let mut app = app_with_tokens(Some(prices()));
    press(&mut app, &[Down]);
    let screen = draw(&mut app, 120, 40);
    assert!(screen.contains("/ 10M tokens this month"), "{screen}");
    assert!(screen.contains("resets 1 Apr 00:00 UTC+8"), "{screen}");
    assert!(screen.contains("/ 20.00 USD this month"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn details_pane_with_tokens_and_budgets_below_the_table_at_80x24() {
    let mut app = app_with_tokens(Some(prices()));
    press(&mut app, &[Down, Char('i')]);
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("uses · none refused · tokens 7.4M in"), "{screen}");
    assert!(screen.contains("tokens/day, 30 d (peak 507k)"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn details_pane_with_tokens_in_chinese_at_120x40_and_80x24() {
    let mut app = app_with_tokens(Some(prices()));
    let wide = with_lang(Lang::ZhCn, || {
        press(&mut app, &[Down]);
        draw(&mut app, 120, 40)
    });
    assert!(wide.contains("本月词元"), "{wide}");
    assert_snapshot!("details_pane_with_tokens_zh_at_120x40", wide);
    let mut app = app_with_tokens(Some(prices()));
    let narrow = with_lang(Lang::ZhCn, || {
        press(&mut app, &[Down, Char('i')]);
        draw(&mut app, 80, 24)
    });
    assert!(narrow.contains("近 30 天每日词元"), "{narrow}");
    assert_snapshot!("details_pane_with_tokens_zh_at_80x24", narrow);
}

/// The screen in English and ASCII, as on a terminal without UTF-8; fails
/// on any cell outside ASCII.
fn ascii(app: &mut App, keys: &[Key], width: u16, height: u16) -> String {
    with_lang(Lang::En, || {
        with_ascii(true, || {
            press(app, keys);
            update(app, Event::Resize { width, height });
            let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
            let theme = super::view::Theme::new(false).ascii();
            terminal
                .draw(|frame| drop(super::view::render(frame, app, &theme)))
                .unwrap();
            let screen = terminal.backend().to_string();
            let buffer = terminal.backend().buffer();
            assert!(buffer.content.iter().all(|c| c.symbol().is_ascii()), "{screen}");
            screen
        })
    })
}

#[test]
fn details_pane_with_tokens_and_the_clean_up_by_spend_in_ascii() {
    let mut app = app_with_tokens(Some(prices()));
    let pane = ascii(&mut app, &[Down], 120, 40);
    assert!(pane.contains("#") && pane.contains("-"), "the gauge in ASCII:\n{pane}");
    assert_snapshot!("details_pane_with_tokens_ascii_at_120x40", pane);
    let cleanup = ascii(&mut app, &[Char('C'), Char('s')], 80, 24);
    assert_snapshot!("cleanup_by_spend_ascii_at_80x24", cleanup);
}

#[test]
fn list_sorted_by_tokens_at_80x24_and_60x15() {
    let mut app = app_with_tokens(None);
    press(&mut app, &[Char('s'); 3]);
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("Tokens (30 d)▼"), "{screen}");
    assert!(screen.contains("600k"), "{screen}");
    assert_snapshot!("list_sorted_by_tokens_at_80x24", screen);
    let narrow = draw(&mut app, 60, 15);
    assert!(narrow.contains("Tokens (30 d)▼"), "{narrow}");
    assert_snapshot!("list_sorted_by_tokens_at_60x15", narrow);
}

#[test]
fn cleanup_by_spend_at_80x24_120x40_and_60x15() {
    let mut app = app_with_tokens(Some(prices()));
    press(&mut app, &[Char('C'), Char('s')]);
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("by spend"), "{screen}");
    assert_snapshot!("cleanup_by_spend_at_80x24", screen);
    assert_snapshot!("cleanup_by_spend_at_120x40", draw(&mut app, 120, 40));
    assert_snapshot!("cleanup_by_spend_at_60x15", draw(&mut app, 60, 15));
}

#[test]
fn cleanup_by_tokens_without_prices_at_80x24_and_in_chinese() {
    let mut app = app_with_tokens(None);
    press(&mut app, &[Char('C'), Char('s')]);
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("by tokens"), "{screen}");
    assert_snapshot!("cleanup_by_tokens_at_80x24", screen);
    let mut app = app_with_tokens(Some(prices()));
    let zh = with_lang(Lang::ZhCn, || {
        press(&mut app, &[Char('C'), Char('s')]);
        draw(&mut app, 80, 24)
    });
    assert!(zh.contains("按 30 天花费"), "{zh}");
    assert_snapshot!("cleanup_by_spend_zh_at_80x24", zh);
}
