//! How stored values are shown to people: timestamps in a stated UTC offset,
//! and text made safe for a terminal. Shared by the TUI and the CLI so both
//! always agree; [`columns`] is the key table both print, [`text`] pads and
//! cuts by terminal columns.

pub mod columns;
pub mod count;
pub mod policy;
pub mod text;

use std::borrow::Cow;

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use crate::domain::AuditEvent;

const TIMESTAMP: &[FormatItem<'static>] = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

const BRIEF: &[FormatItem<'static>] = format_description!("[month]-[day] [hour]:[minute]");

/// `MM-DD HH:MM` in `offset`, where a full time leaves no room for a mark.
pub fn format_brief(instant: OffsetDateTime, offset: UtcOffset) -> String {
    instant
        .checked_to_offset(offset)
        .and_then(|t| t.format(BRIEF).ok())
        .unwrap_or_else(|| "?".to_owned())
}

/// `YYYY-MM-DD HH:MM:SS` in `offset`.
pub fn format_instant(instant: OffsetDateTime, offset: UtcOffset) -> String {
    // `checked_`: a record written by something else may hold a time at the
    // edge of the representable range, and `to_offset` would panic there.
    instant
        .checked_to_offset(offset)
        .and_then(|t| t.format(TIMESTAMP).ok())
        .unwrap_or_else(|| "?".to_owned())
}

/// `UTC`, `UTC+8`, `UTC-5:30`: the label that tells the reader which clock a
/// column uses.
pub fn offset_label(offset: UtcOffset) -> String {
    let (hours, minutes, _) = offset.as_hms();
    match (hours, minutes) {
        (0, 0) => "UTC".to_owned(),
        (h, 0) => format!("UTC{h:+}"),
        (h, m) => {
            let sign = if h < 0 || m < 0 { '-' } else { '+' };
            format!("UTC{sign}{}:{:02}", h.abs(), m.abs())
        }
    }
}

/// The offsets in use on Earth run from UTC-12:00 (Baker Island) to UTC+14:00
/// (Line Islands). `time::UtcOffset` would take up to ±25:59:59, but beyond
/// the real range an offset is a typo, and is refused as one (the error
/// message `tui-offset-out-of-range` names these bounds too).
pub const OFFSET_RANGE: &str = "from -12:00 to +14:00";
const MIN_OFFSET_MINUTES: i32 = -12 * 60;
const MAX_OFFSET_MINUTES: i32 = 14 * 60;

/// Parses a UTC offset: `±HH:MM` or `±H:MM`, the minutes optional (`+08:00`,
/// `+8:00`, `+8`, `-05:30`), also after `UTC` so that column labels such as
/// `UTC+8` or `UTC-5:30` read back, and `Z` or `UTC` for UTC itself. Hours
/// take one or two digits, minutes always two; see [`OFFSET_RANGE`].
pub fn parse_offset(input: &str) -> Result<UtcOffset, String> {
    let trimmed = input.trim();
    let body = trimmed
        .strip_prefix("UTC")
        .or_else(|| trimmed.strip_prefix("utc"))
        .unwrap_or(trimmed);
    if body.is_empty() || body == "Z" || body == "z" {
        return Ok(UtcOffset::UTC);
    }
    let invalid = || tr!("tui-offset-invalid", input = format!("{input:?}"));
    let (sign, digits) = match body.as_bytes()[0] {
        b'+' => (1, &body[1..]),
        b'-' => (-1, &body[1..]),
        _ => return Err(invalid()),
    };
    let (hours, minutes) = digits.split_once(':').unwrap_or((digits, "00"));
    let digits_only = |s: &str, lengths: &[usize]| lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !digits_only(hours, &[1, 2]) || !digits_only(minutes, &[2]) {
        return Err(invalid());
    }
    let (hours, minutes): (i32, i32) = (
        hours.parse().map_err(|_| invalid())?,
        minutes.parse().map_err(|_| invalid())?,
    );
    let total = sign * (hours * 60 + minutes);
    if minutes >= 60 || !(MIN_OFFSET_MINUTES..=MAX_OFFSET_MINUTES).contains(&total) {
        return Err(tr!(
            "tui-offset-out-of-range",
            input = format!("{input:?}"),
            min = "-12:00",
            max = "+14:00"
        ));
    }
    UtcOffset::from_whole_seconds(total * 60).map_err(|_| invalid())
}

/// One event of each kind: every action word there is.
pub const AUDIT_ACTIONS: [AuditEvent; 9] = [
    AuditEvent::Created {
        expires_at: None,
        policy: String::new(),
    },
    AuditEvent::Renamed { from: String::new() },
    AuditEvent::Deleted,
    AuditEvent::Disabled,
    AuditEvent::Enabled,
    AuditEvent::Rotated {
        grace_until: OffsetDateTime::UNIX_EPOCH,
    },
    AuditEvent::ExpiryChanged { expires_at: None },
    AuditEvent::PolicyChanged {
        from: String::new(),
        to: String::new(),
    },
    AuditEvent::SchemaUpgraded { from: 0, to: 0 },
];

/// The action's word in the current language. `AuditEvent::action` is the
/// stable English name `log --json` prints; this is for people.
pub fn audit_action(event: &AuditEvent) -> String {
    match event {
        AuditEvent::Created { .. } => tr!("tui-log-action-create"),
        AuditEvent::Renamed { .. } => tr!("tui-log-action-rename"),
        AuditEvent::Deleted => tr!("tui-log-action-delete"),
        AuditEvent::Disabled => tr!("tui-log-action-disable"),
        AuditEvent::Enabled => tr!("tui-log-action-enable"),
        AuditEvent::Rotated { .. } => tr!("tui-log-action-rotate"),
        AuditEvent::ExpiryChanged { .. } => tr!("tui-log-action-expire"),
        AuditEvent::PolicyChanged { .. } => tr!("tui-log-action-policy"),
        AuditEvent::SchemaUpgraded { .. } => tr!("tui-log-action-upgrade"),
    }
}

/// Makes stored text safe to print: control characters (which could start an
/// escape sequence) and invisible or bidi-reordering characters are replaced
/// by `�`. Names are validated on the way in, but the database may have been
/// written by something else, so everything shown passes through here.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_safe) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().map(|c| if is_safe(c) { c } else { '\u{FFFD}' }).collect())
    }
}

/// Whether `c` may be written to a terminal as is: not a control character,
/// and not an invisible or bidi-reordering one (zero-width and format
/// characters, line/paragraph separators, variation selectors, tags).
pub fn is_safe(c: char) -> bool {
    !(c.is_control() || crate::domain::name::is_invisible_format(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    #[test]
    fn formats_in_the_given_offset() {
        let t = datetime!(2026-03-01 20:30:05 UTC);
        assert_eq!(format_instant(t, offset!(+8)), "2026-03-02 04:30:05");
        assert_eq!(format_instant(t, UtcOffset::UTC), "2026-03-01 20:30:05");
        // At the edge of the range a shift would overflow: no panic, a `?`.
        assert_eq!(format_instant(datetime!(9999-12-31 23:00 UTC), offset!(+14)), "?");
    }

    #[test]
    fn labels_offsets() {
        assert_eq!(offset_label(UtcOffset::UTC), "UTC");
        assert_eq!(offset_label(offset!(+8)), "UTC+8");
        assert_eq!(offset_label(offset!(-5)), "UTC-5");
        assert_eq!(offset_label(offset!(+5:30)), "UTC+5:30");
        assert_eq!(offset_label(offset!(-3:30)), "UTC-3:30");
    }

    #[test]
    fn parses_offsets_and_explains_bad_ones() {
        assert_eq!(parse_offset("+08:00"), Ok(offset!(+8)));
        assert_eq!(parse_offset("+8"), Ok(offset!(+8)));
        assert_eq!(parse_offset("UTC+8"), Ok(offset!(+8)));
        assert_eq!(parse_offset("-05:30"), Ok(offset!(-5:30)));
        assert_eq!(parse_offset("Z"), Ok(UtcOffset::UTC));
        assert_eq!(parse_offset("UTC"), Ok(UtcOffset::UTC));
        for bad in ["8", "+xx", "-", "++8", "+８", "+08:0", "+008:00", "+8:", "+8:000"] {
            assert!(parse_offset(bad).unwrap_err().contains("use ±HH:MM or ±H:MM"), "{bad}");
        }
    }

    #[test]
    fn accepts_one_or_two_hour_digits_everywhere_and_column_labels() {
        for (input, expected) in [
            ("+8:00", offset!(+8)),
            ("-5:30", offset!(-5:30)),
            ("UTC-5:30", offset!(-5:30)),
            ("UTC+5:45", offset!(+5:45)),
            ("-09", offset!(-9)),
        ] {
            assert_eq!(parse_offset(input), Ok(expected), "{input}");
        }
        for label in [offset!(+8), offset!(-3:30), offset!(+14), offset!(-12)] {
            assert_eq!(parse_offset(&offset_label(label)), Ok(label));
        }
    }

    #[test]
    fn offsets_outside_the_real_world_range_are_refused_with_the_range() {
        assert_eq!(parse_offset("+14:00"), Ok(offset!(+14)));
        assert_eq!(parse_offset("-12:00"), Ok(offset!(-12)));
        for bad in ["+15:00", "+14:30", "-12:30", "-14", "+25", "+99", "+08:60"] {
            let error = parse_offset(bad).unwrap_err();
            assert!(
                error.contains("out of range") && error.contains("from -12:00 to +14:00"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn sanitize_removes_escapes_and_bidi_but_keeps_cjk() {
        assert!(matches!(sanitize("生产-gateway_01"), Cow::Borrowed(_)));
        assert_eq!(sanitize("a\u{1b}[31mb"), "a\u{FFFD}[31mb");
        assert_eq!(sanitize("x\u{202E}y\u{7}z\u{9b}"), "x\u{FFFD}y\u{FFFD}z\u{FFFD}");
        assert_eq!(sanitize("line\nbreak"), "line\u{FFFD}break");
        assert_eq!(sanitize("a\u{2028}b\u{AD}c\u{FE0F}"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}");
    }
}
