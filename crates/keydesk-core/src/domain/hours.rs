//! Hours and days as usage and token buckets count them: whole hours and
//! days (UTC) since the Unix epoch. Pure, no I/O.

use time::OffsetDateTime;

/// An hour, as whole hours since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hour(pub u32);

/// A day, as whole days since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub u32);

impl Hour {
    /// The hour containing `at` (before 1970: hour 0).
    pub fn of(at: OffsetDateTime) -> Hour {
        Hour::of_unix(at.unix_timestamp())
    }

    /// The hour containing Unix second `unix` (before 1970: hour 0).
    pub fn of_unix(unix: i64) -> Hour {
        Hour((unix.max(0) / 3600).min(i64::from(u32::MAX)) as u32)
    }

    /// The UTC day this hour is in.
    pub fn day(self) -> Day {
        Day(self.0 / 24)
    }

    /// The hour's first instant.
    pub fn start(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(i64::from(self.0) * 3600).expect("u32 hours are in range")
    }
}

impl Day {
    /// The UTC day containing `at` (before 1970: day 0).
    pub fn of(at: OffsetDateTime) -> Day {
        Hour::of(at).day()
    }

    /// The day's first instant (midnight UTC).
    pub fn start(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(i64::from(self.0) * 86_400).expect("u32 days are in range")
    }

    /// The calendar date of the day.
    pub fn date(self) -> time::Date {
        self.start().date()
    }
}
