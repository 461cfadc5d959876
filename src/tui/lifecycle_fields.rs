//! The choices of the lifecycle dialogs: when a key expires (the create and
//! "Set expiry" dialogs) and how long a rotated-out secret keeps working (the
//! rotate dialog). State and parsing only; drawn by the views.

use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::input::TextInput;
use crate::domain::{MAX_AHEAD_DAYS, within_reach};
use crate::i18n::Msg;

/// The expiries offered, in order; the last one reads a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryOption {
    Never,
    Days(i64),
    Year,
    Date,
}

impl ExpiryOption {
    pub const ALL: [ExpiryOption; 6] = [
        ExpiryOption::Never,
        ExpiryOption::Days(7),
        ExpiryOption::Days(30),
        ExpiryOption::Days(90),
        ExpiryOption::Year,
        ExpiryOption::Date,
    ];

    pub fn label(self) -> String {
        match self {
            ExpiryOption::Never => tr!("dialog-expiry-option-never"),
            ExpiryOption::Days(days) => tr!("dialog-expiry-option-days", count = days),
            ExpiryOption::Year => tr!("dialog-expiry-option-year"),
            ExpiryOption::Date => tr!("dialog-expiry-option-date"),
        }
    }
}

/// An expiry being chosen: one of [`ExpiryOption::ALL`], and the date typed
/// when that is "On a date".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpiryField {
    pub choice: usize,
    pub date: TextInput,
}

/// The form a typed date takes, for the field's hint and errors.
pub const DATE_FORM: &str = "YYYY-MM-DD";

impl ExpiryField {
    pub fn option(&self) -> ExpiryOption {
        ExpiryOption::ALL[self.choice.min(ExpiryOption::ALL.len() - 1)]
    }

    /// Moves to the previous (-1) or next (+1) option, wrapping.
    pub fn step(&mut self, delta: isize) {
        let count = ExpiryOption::ALL.len();
        self.choice = (self.choice as isize + delta).rem_euclid(count as isize) as usize;
    }

    /// Whether the date input is in use (and so can take focus).
    pub fn wants_date(&self) -> bool {
        self.option() == ExpiryOption::Date
    }

    /// The instant chosen, judged at `now`; a date is its first instant
    /// (00:00) in `offset`, the offset the screen shows times in, and must be
    /// in the future. `Ok(None)`: never.
    pub fn resolve(&self, now: OffsetDateTime, offset: UtcOffset) -> Result<Option<OffsetDateTime>, String> {
        match self.option() {
            ExpiryOption::Never => Ok(None),
            ExpiryOption::Days(days) => Ok(Some(now + Duration::days(days))),
            ExpiryOption::Year => Ok(Some(now + Duration::days(365))),
            ExpiryOption::Date => {
                let at = parse_date(self.date.text().trim(), offset)?;
                if at <= now {
                    return Err(tr!("dialog-expiry-not-future", date = self.date.text().trim()));
                }
                if !within_reach(now, at) {
                    let date = self.date.text().trim();
                    return Err(tr!("dialog-expiry-too-far", date = date, max = MAX_AHEAD_DAYS));
                }
                Ok(Some(at))
            }
        }
    }
}

/// `2026-12-31` as 00:00 of that day in `offset`.
fn parse_date(text: &str, offset: UtcOffset) -> Result<OffsetDateTime, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let invalid = || tr!("dialog-expiry-date-form", form = DATE_FORM);
    if text.is_empty() {
        return Err(invalid());
    }
    let date = Date::parse(text, &format).map_err(|_| invalid())?;
    Ok(PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_offset(offset))
}

/// The grace periods offered when rotating, with their labels.
pub const GRACES: [(Msg, Duration); 4] = [
    (Msg("dialog-rotate-grace-now"), Duration::ZERO),
    (Msg("dialog-rotate-grace-hour"), Duration::HOUR),
    (Msg("dialog-rotate-grace-day"), Duration::DAY),
    (Msg("dialog-rotate-grace-week"), Duration::WEEK),
];

/// Which grace is chosen by default: a day, enough to roll a key out to
/// services without hurry, short enough that the old one does not linger.
pub const DEFAULT_GRACE: usize = 2;

#[cfg(test)]
mod tests {
    use time::macros::{datetime, offset};

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-03-15 12:00:00 UTC);

    fn field(choice: usize, date: &str) -> ExpiryField {
        ExpiryField {
            choice,
            date: TextInput::with_text(date),
        }
    }

    #[test]
    fn the_offered_expiries_resolve_from_now() {
        let utc = UtcOffset::UTC;
        assert_eq!(field(0, "").resolve(NOW, utc), Ok(None));
        assert_eq!(field(1, "").resolve(NOW, utc), Ok(Some(NOW + Duration::days(7))));
        assert_eq!(field(2, "").resolve(NOW, utc), Ok(Some(NOW + Duration::days(30))));
        assert_eq!(field(3, "").resolve(NOW, utc), Ok(Some(NOW + Duration::days(90))));
        assert_eq!(field(4, "").resolve(NOW, utc), Ok(Some(NOW + Duration::days(365))));
        let labels: Vec<_> = ExpiryOption::ALL.iter().map(|o| o.label()).collect();
        assert_eq!(labels, ["Never", "7 days", "30 days", "90 days", "1 year", "On a date"]);
    }

    #[test]
    fn a_date_is_its_midnight_in_the_shown_offset_and_must_be_in_the_future() {
        let date = |text: &str| field(5, text).resolve(NOW, offset!(+8));
        assert_eq!(date("2026-12-31"), Ok(Some(datetime!(2026-12-30 16:00:00 UTC))));
        assert!(date("2026-03-15").unwrap_err().contains("not in the future"));
        for bad in ["", "31/12/2026", "2026-13-01", "2026-02-30", "tomorrow"] {
            assert!(date(bad).unwrap_err().contains("YYYY-MM-DD"), "{bad}");
        }
    }

    #[test]
    fn a_date_more_than_a_century_ahead_is_refused_like_on_the_command_line() {
        let date = |text: &str| field(5, text).resolve(NOW, UtcOffset::UTC);
        assert_eq!(date("2126-02-18"), Ok(Some(datetime!(2126-02-18 00:00:00 UTC))));
        for far in ["2126-02-20", "9999-12-31"] {
            let error = date(far).unwrap_err();
            assert_eq!(error, format!("{far} is too far ahead: at most 36500 days from now"));
        }
    }

    #[test]
    fn stepping_wraps_around_the_options() {
        let mut f = ExpiryField::default();
        f.step(-1);
        assert_eq!(f.option(), ExpiryOption::Date);
        assert!(f.wants_date());
        f.step(1);
        assert_eq!(f.option(), ExpiryOption::Never);
    }
}
