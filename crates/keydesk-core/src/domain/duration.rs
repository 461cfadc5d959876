//! The one duration syntax every flag and config key takes: a whole number
//! and exactly one unit, `250ms`, `30s`, `5m`, `24h`, `30d`. Nothing else:
//! a bare number (seconds? milliseconds?), a fraction, a sign, spaces or
//! `1h30m` are refused rather than guessed at, so a value means the same
//! wherever it is written. Each flag applies its own range afterwards. The
//! parser's error is typed; the front-ends word it (with the accepted forms)
//! through keydesk-i18n, so the CLI, `serve` and the config file say the same.

use std::time::Duration;

/// Why a text is not a duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DurationError {
    /// Digits with no unit, such as `30`: the unit must be said.
    BareNumber,
    /// Anything else that is not `<digits><unit>`.
    Malformed,
    /// Well formed, but more than a `Duration` holds.
    Overflow,
}

/// The units, longest suffix first so `ms` is not read as `m`.
const UNITS: [(&str, u64); 5] = [
    ("ms", 1),
    ("s", 1_000),
    ("m", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
];

/// Reads `<digits><unit>`, the unit one of `ms`, `s`, `m`, `h`, `d`.
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DurationError::BareNumber);
    }
    let (digits, millis_per_unit) = UNITS
        .iter()
        .find_map(|(unit, millis)| text.strip_suffix(unit).map(|digits| (digits, *millis)))
        .ok_or(DurationError::Malformed)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DurationError::Malformed);
    }
    let count: u64 = digits.parse().map_err(|_| DurationError::Overflow)?;
    count
        .checked_mul(millis_per_unit)
        .map(Duration::from_millis)
        .ok_or(DurationError::Overflow)
}

/// `duration` in the same syntax, in the largest unit that states it exactly
/// (`45s`, `1500ms`, `2h`); below a millisecond it is rounded up, so what is
/// printed can always be read back.
pub fn format(duration: Duration) -> String {
    let millis = duration.as_millis() + u128::from(!duration.subsec_nanos().is_multiple_of(1_000_000));
    let (unit, per) = UNITS
        .iter()
        .rev()
        .find(|(_, per)| millis.is_multiple_of(u128::from(*per)) && millis != 0)
        .copied()
        .unwrap_or(("s", 1_000));
    format!("{}{unit}", millis / u128::from(per))
}

impl std::fmt::Display for DurationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DurationError::BareNumber => "a duration needs a unit (ms, s, m, h or d)",
            DurationError::Malformed => "a duration is a whole number followed by ms, s, m, h or d",
            DurationError::Overflow => "the duration is too long",
        })
    }
}

impl std::error::Error for DurationError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_number_and_one_unit() {
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
        assert_eq!(parse("007s"), Ok(Duration::from_secs(7)));
    }

    #[test]
    fn a_bare_number_is_refused_as_such() {
        for bare in ["0", "30", "120"] {
            assert_eq!(parse(bare), Err(DurationError::BareNumber), "{bare}");
        }
    }

    #[test]
    fn anything_else_is_malformed_or_too_long() {
        for bad in [
            "", "s", "ms", "0.3s", "1.5h", "-1s", "+3d", " 3s", "3s ", "3 s", "1h30m", "1h 30m", "2hours", "3dd",
            "30x", "1e9d", "٣d", "3S", "3µs", "3us", "3ns", "0x10s",
        ] {
            assert_eq!(parse(bad), Err(DurationError::Malformed), "{bad:?}");
        }
        for huge in ["99999999999999999999s", "18446744073709551615d", "213503982334602d"] {
            assert_eq!(parse(huge), Err(DurationError::Overflow), "{huge}");
        }
    }

    #[test]
    fn format_prints_the_shortest_exact_form() {
        assert_eq!(format(Duration::from_secs(45)), "45s");
        assert_eq!(format(Duration::from_millis(1_500)), "1500ms");
        assert_eq!(format(Duration::from_secs(7_200)), "2h");
        assert_eq!(format(Duration::from_secs(90)), "90s");
        assert_eq!(format(Duration::from_secs(300)), "5m");
        assert_eq!(format(Duration::from_secs(172_800)), "2d");
        assert_eq!(format(Duration::ZERO), "0s");
        assert_eq!(format(Duration::from_micros(1_500)), "2ms");
    }

    #[test]
    fn what_is_printed_reads_back_the_same() {
        for millis in [1, 999, 1_000, 1_500, 60_000, 90_000, 3_600_000, 86_400_000, 86_400_001] {
            let duration = Duration::from_millis(millis);
            assert_eq!(parse(&format(duration)), Ok(duration), "{millis}");
        }
    }
}
