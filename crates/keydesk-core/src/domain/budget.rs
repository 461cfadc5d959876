//! Token budgets and spend limits: an amount per calendar period (`N/day`,
//! `N/week`, `N/month`) or for the key's life (`N`), and where the period
//! now begins and ends. Pure, no I/O.
//!
//! Periods are calendar periods in the UTC offset keydesk shows (the serve
//! process's `--utc-offset` or its config): a day from midnight, a week from
//! Monday midnight, a month from midnight on the 1st. Stores count tokens in
//! UTC hours, so a period is summed from the UTC hour its start falls in
//! ([`Span::first_hour`]): in an offset with minutes (`+05:30`, `+05:45`)
//! the hour that straddles the boundary is counted whole in the new period
//! (never too little: the last minutes of the old period count toward the
//! new one, at most 59). The reset itself is the true local midnight.

use std::fmt;

use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

use super::hours::Hour;

/// A budget's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// From midnight to midnight.
    Day,
    /// From Monday midnight to the next.
    Week,
    /// From midnight on the 1st to the next 1st.
    Month,
    /// The key's whole life: never resets.
    Life,
}

impl Period {
    /// The period's name in the text form (`day`, `week`, `month`; the
    /// lifetime has none: a bare amount).
    pub fn name(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Life => "life",
        }
    }

    /// The period that contains `now`, in `offset`; `None` for [`Period::Life`].
    pub fn span(self, now: OffsetDateTime, offset: UtcOffset) -> Option<Span> {
        let today = now.to_offset(offset).date();
        let (first, next) = match self {
            Period::Life => return None,
            Period::Day => (today, today.next_day()?),
            Period::Week => {
                let monday = today - Duration::days(i64::from(today.weekday().number_days_from_monday()));
                (monday, monday + Duration::days(7))
            }
            Period::Month => {
                let first = today.replace_day(1).ok()?;
                (first, next_month(first)?)
            }
        };
        Some(Span {
            start: midnight(first, offset),
            reset: midnight(next, offset),
        })
    }
}

/// One period: when it began and when it resets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The period's first instant (local midnight).
    pub start: OffsetDateTime,
    /// The next period's first instant.
    pub reset: OffsetDateTime,
}

impl Span {
    /// The first UTC hour whose tokens count toward the period: the one
    /// its start falls in (see the module docs).
    pub fn first_hour(&self) -> Hour {
        Hour::of(self.start)
    }
}

/// An amount per period: tokens for `token-budget`, micro-units of the
/// price list's currency for `spend-limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Budget {
    /// Tokens, or micro-units of money.
    pub amount: u64,
    /// The period it is spent over.
    pub period: Period,
}

/// What is wrong with a budget's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetProblem {
    /// The part after `/` is not `day`, `week` or `month`.
    Period,
    /// The amount is not a number of the right kind.
    Amount,
    /// The amount is 0.
    Zero,
    /// The amount is above the maximum.
    TooLarge,
}

impl Budget {
    /// Reads `AMOUNT/PERIOD` or `AMOUNT`, the amount read by `amount`.
    /// An error says which part is bad: the amount or the period.
    pub fn parse(
        text: &str,
        amount: impl Fn(&str) -> Result<u64, BudgetProblem>,
    ) -> Result<Budget, (String, BudgetProblem)> {
        let (number, period) = match text.split_once('/') {
            None => (text, Period::Life),
            Some((number, name)) => {
                let period = match name {
                    "day" => Period::Day,
                    "week" => Period::Week,
                    "month" => Period::Month,
                    _ => return Err((name.to_owned(), BudgetProblem::Period)),
                };
                (number, period)
            }
        };
        let amount = amount(number).map_err(|problem| (number.to_owned(), problem))?;
        if amount == 0 {
            return Err((number.to_owned(), BudgetProblem::Zero));
        }
        Ok(Budget { amount, period })
    }

    /// The text form with the amount shown by `shown`.
    pub fn shown(&self, shown: impl Fn(u64) -> String) -> String {
        match self.period {
            Period::Life => shown(self.amount),
            period => format!("{}/{}", shown(self.amount), period.name()),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn midnight(date: Date, offset: UtcOffset) -> OffsetDateTime {
    PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_offset(offset)
}

fn next_month(first: Date) -> Option<Date> {
    let (year, month) = match first.month() {
        time::Month::December => (first.year() + 1, time::Month::January),
        month => (first.year(), month.next()),
    };
    Date::from_calendar_date(year, month, 1).ok()
}

/// Whether `day` is a Monday (for tests and docs: weeks start on Monday).
pub fn is_monday(day: Date) -> bool {
    day.weekday() == Weekday::Monday
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    fn span(period: Period, now: OffsetDateTime, at: UtcOffset) -> (OffsetDateTime, OffsetDateTime) {
        let span = period.span(now, at).unwrap();
        (span.start, span.reset)
    }

    #[test]
    fn a_day_in_utc_plus_8_runs_from_local_midnight_which_is_4_pm_utc() {
        let now = datetime!(2026-03-15 17:00 UTC); // 01:00 on the 16th in UTC+8
        let (start, reset) = span(Period::Day, now, offset!(+8));
        assert_eq!(start, datetime!(2026-03-16 00:00 +8));
        assert_eq!(start, datetime!(2026-03-15 16:00 UTC));
        assert_eq!(reset, datetime!(2026-03-17 00:00 +8));
        assert_eq!(
            Period::Day.span(now, offset!(+8)).unwrap().first_hour(),
            Hour::of(start)
        );
        let before = datetime!(2026-03-15 15:59:59 UTC);
        assert_eq!(
            span(Period::Day, before, offset!(+8)).1,
            start,
            "a second before, the day ends then"
        );
    }

    #[test]
    fn a_week_starts_on_monday_in_a_negative_offset() {
        // Sunday 2026-03-15 22:00 in UTC-5 is Monday 03:00 UTC.
        let now = datetime!(2026-03-16 03:00 UTC);
        let (start, reset) = span(Period::Week, now, offset!(-5));
        assert_eq!(start, datetime!(2026-03-09 00:00 -5));
        assert!(is_monday(start.date()));
        assert_eq!(reset, datetime!(2026-03-16 00:00 -5));
        // In UTC the same instant is already in the next week.
        assert_eq!(
            span(Period::Week, now, UtcOffset::UTC).0,
            datetime!(2026-03-16 00:00 UTC)
        );
    }

    #[test]
    fn months_end_on_the_last_day_leap_february_and_december_included() {
        let (start, reset) = span(Period::Month, datetime!(2028-02-29 12:00 UTC), offset!(+8));
        assert_eq!(
            (start, reset),
            (datetime!(2028-02-01 00:00 +8), datetime!(2028-03-01 00:00 +8))
        );
        let (_, reset) = span(Period::Month, datetime!(2027-02-28 12:00 UTC), UtcOffset::UTC);
        assert_eq!(reset, datetime!(2027-03-01 00:00 UTC), "2027 is not a leap year");
        // 31 December 20:00 in UTC-5 is 1 January UTC: still December there.
        let (start, reset) = span(Period::Month, datetime!(2027-01-01 01:00 UTC), offset!(-5));
        assert_eq!(
            (start, reset),
            (datetime!(2026-12-01 00:00 -5), datetime!(2027-01-01 00:00 -5))
        );
        // In UTC+8, the 1st begins at 16:00 UTC on the last day of the month before.
        let (start, _) = span(Period::Month, datetime!(2026-03-31 16:00 UTC), offset!(+8));
        assert_eq!(start, datetime!(2026-04-01 00:00 +8));
    }

    #[test]
    fn an_offset_with_minutes_counts_from_the_utc_hour_its_start_falls_in() {
        let span = Period::Day
            .span(datetime!(2026-03-15 20:00 UTC), offset!(+5:30))
            .unwrap();
        assert_eq!(span.start, datetime!(2026-03-15 18:30 UTC));
        assert_eq!(span.first_hour(), Hour::of(datetime!(2026-03-15 18:00 UTC)));
        assert_eq!(span.reset, datetime!(2026-03-16 18:30 UTC));
    }

    #[test]
    fn the_lifetime_never_resets_and_budgets_read_back_what_they_wrote() {
        assert_eq!(Period::Life.span(datetime!(2026-03-15 20:00 UTC), UtcOffset::UTC), None);
        let number = |t: &str| t.parse::<u64>().map_err(|_| BudgetProblem::Amount);
        for text in ["1000/day", "5/week", "7000000/month", "123"] {
            let budget = Budget::parse(text, number).unwrap();
            assert_eq!(budget.shown(|n| n.to_string()), text);
        }
        assert_eq!(
            Budget::parse("10/fortnight", number),
            Err(("fortnight".into(), BudgetProblem::Period))
        );
        assert_eq!(Budget::parse("x/day", number), Err(("x".into(), BudgetProblem::Amount)));
        assert_eq!(Budget::parse("0/day", number), Err(("0".into(), BudgetProblem::Zero)));
    }
}
