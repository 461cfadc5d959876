//! Durations and instants on the command line and in the config file:
//! `--expires-in 30d`, `--grace 24h`, `--busy-timeout 500ms`,
//! `--at 2026-12-31T23:59:59Z`. Anything else is a usage
//! error that names the accepted forms, never a guess.

use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::domain::duration::{self, DurationError};
use crate::domain::{MAX_AHEAD_DAYS as MAX_DAYS, within_reach};
use crate::i18n::words::echoed as shown;
pub use crate::i18n::words::{duration_forms, parse_duration as parse_any_duration};

/// The accepted forms of an instant, for error messages.
pub fn instant_forms() -> String {
    tr!("cli-instant-forms")
}

/// A positive duration ahead of now, such as `30d`, at most [`MAX_DAYS`].
/// Expiries are kept in whole seconds, so a fraction of a second is rounded
/// up, like an instant's.
pub fn parse_duration(input: &str) -> Result<Duration, String> {
    let exact = match duration::parse(input) {
        Err(DurationError::Overflow) => return Err(too_far_ahead(input)),
        _ => parse_any_duration(input)?,
    };
    if exact.is_zero() {
        return Err(tr!("cli-duration-zero", forms = duration_forms()));
    }
    let seconds = exact.as_secs() + u64::from(exact.subsec_nanos() != 0);
    match i64::try_from(seconds) {
        Ok(seconds) if seconds <= MAX_DAYS * 86_400 => Ok(Duration::seconds(seconds)),
        _ => Err(too_far_ahead(input)),
    }
}

/// A rotation's grace: a duration, or `now` for none (the previous secret
/// stops verifying at once). `0s` is refused like every zero duration, as a
/// likely slip; `now` says it on purpose.
pub fn parse_grace(input: &str) -> Result<Duration, String> {
    if input == "now" {
        return Ok(Duration::ZERO);
    }
    parse_duration(input).map_err(|e| tr!("cli-grace-invalid", error = e))
}

/// An instant in the future, in RFC 3339, at most [`MAX_DAYS`] ahead like
/// every duration. Expiries are kept in whole seconds, so a fraction of a
/// second is rounded up, never down: a key never expires before the instant
/// given. A leap second (`23:59:60`) is the instant after `23:59:59`.
pub fn parse_future_instant(input: &str, now: OffsetDateTime) -> Result<OffsetDateTime, String> {
    let at = OffsetDateTime::parse(input, &Rfc3339)
        .map_err(|_| tr!("cli-instant-invalid", input = shown(input), forms = instant_forms()))?;
    let at = round_up_to_second(at).ok_or_else(|| too_far_ahead(input))?;
    if at <= now {
        return Err(tr!("cli-instant-past", input = shown(input), forms = instant_forms()));
    }
    if !within_reach(now, at) {
        return Err(too_far_ahead(input));
    }
    Ok(at)
}

/// `at`, or the next whole second when it has a fraction. The `time` crate
/// reads a leap second as `:59.999999999`, so it lands on the next minute.
fn round_up_to_second(at: OffsetDateTime) -> Option<OffsetDateTime> {
    match at.nanosecond() {
        0 => Some(at),
        nanos => at.checked_add(Duration::nanoseconds(1_000_000_000 - i64::from(nanos))),
    }
}

fn too_far_ahead(input: &str) -> String {
    tr!("cli-too-far-ahead", input = shown(input), max = MAX_DAYS)
}

/// `now + duration`, which [`parse_duration`]'s cap keeps in range.
pub fn after(now: OffsetDateTime, duration: Duration) -> Result<OffsetDateTime, String> {
    now.checked_add(duration)
        .ok_or_else(|| tr!("cli-too-far", forms = duration_forms()))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn durations_take_a_whole_number_and_one_unit() {
        assert_eq!(parse_duration("90s"), Ok(Duration::seconds(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::minutes(15)));
        assert_eq!(parse_duration("24h"), Ok(Duration::hours(24)));
        assert_eq!(parse_duration("30d"), Ok(Duration::days(30)));
        assert_eq!(parse_duration("36500d"), Ok(Duration::days(MAX_DAYS)));
        assert_eq!(parse_duration("1500ms"), Ok(Duration::seconds(2)));
    }

    #[test]
    fn zero_negative_malformed_and_overflowing_durations_name_the_accepted_forms() {
        for bad in [
            "0d", "0s", "0ms", "-1d", "30x", "1e9d", "30", "d", "", "1.5h", "+3d", "3 d", "3dd", "٣d",
        ] {
            let error = parse_duration(bad).unwrap_err();
            assert!(error.contains("e.g. 250ms, 30s, 5m, 24h, 30d"), "{bad}: {error}");
        }
        assert!(
            parse_duration("30")
                .unwrap_err()
                .contains("'30' has no unit: write 30s")
        );
        for too_long in ["36501d", "99999999999999999999d", "9223372036854775807s"] {
            let error = parse_duration(too_long).unwrap_err();
            assert!(
                error.contains("too far ahead: at most 36500 days"),
                "{too_long}: {error}"
            );
        }
    }

    #[test]
    fn a_grace_may_be_now_but_not_zero() {
        assert_eq!(parse_grace("now"), Ok(Duration::ZERO));
        assert_eq!(parse_grace("24h"), Ok(Duration::hours(24)));
        assert!(parse_grace("0h").unwrap_err().contains("`now` for no grace period"));
    }

    #[test]
    fn instants_are_rfc3339_and_in_the_future() {
        let now = datetime!(2026-05-01 10:00:00 UTC);
        assert_eq!(
            parse_future_instant("2026-05-01T18:00:01+08:00", now),
            Ok(datetime!(2026-05-01 10:00:01 UTC))
        );
        for bad in [
            "2026-05-01T10:00:00Z",
            "2020-01-01T00:00:00Z",
            "2026-12-31",
            "tomorrow",
            "2026-13-01T00:00:00Z",
        ] {
            let error = parse_future_instant(bad, now).unwrap_err();
            assert!(error.contains("e.g. 2026-12-31T23:59:59Z"), "{bad}: {error}");
        }
    }

    #[test]
    fn a_leap_second_or_a_fraction_is_rounded_up_never_down() {
        let now = datetime!(2026-05-01 10:00:00 UTC);
        assert_eq!(
            parse_future_instant("2030-06-30T23:59:60Z", now),
            Ok(datetime!(2030-07-01 00:00:00 UTC))
        );
        assert_eq!(
            parse_future_instant("2030-06-30T23:59:58.2Z", now),
            Ok(datetime!(2030-06-30 23:59:59 UTC))
        );
        assert_eq!(
            parse_future_instant("2030-06-30T23:59:58Z", now),
            Ok(datetime!(2030-06-30 23:59:58 UTC))
        );
        // A fraction of a second before now is rounded to now: not in the future.
        assert!(parse_future_instant("2026-05-01T09:59:59.5Z", now).is_err());
    }

    #[test]
    fn instants_and_durations_share_one_bound_and_one_message() {
        let now = datetime!(2026-05-01 10:00:00 UTC);
        let century = now + Duration::days(MAX_DAYS);
        assert_eq!(parse_future_instant("2126-04-07T10:00:00Z", now), Ok(century));
        let instant = parse_future_instant("2126-04-07T10:00:01Z", now).unwrap_err();
        let duration = parse_duration("36501d").unwrap_err();
        let far = parse_future_instant("9999-12-31T23:59:59Z", now).unwrap_err();
        for error in [&instant, &duration, &far] {
            assert!(error.contains("too far ahead: at most 36500 days from now"), "{error}");
        }
    }

    #[test]
    fn echoed_input_is_short_and_printable() {
        let key = keydesk_like_secret();
        let error = parse_duration(&key).unwrap_err();
        assert!(!error.contains(&key[3..9]), "{error}");
        let error = parse_duration("3\u{1b}[31md").unwrap_err();
        assert!(!error.contains('\u{1b}'), "{error}");
        assert!(parse_duration("30x").unwrap_err().contains("'30x'"));
    }

    fn keydesk_like_secret() -> String {
        crate::SecretKey::generate().expose().to_owned()
    }
}
