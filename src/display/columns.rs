//! The key table's columns, for everything that lists keys: `keydesk list`
//! and the TUI's table. A column has a header (the time columns name the UTC
//! offset they are shown in) and a cell for a record, given the time now and
//! that offset. The clean-up marks and their thresholds live here too, so the
//! CLI, the TUI and their legends all say the same thing; so do a key's
//! lifecycle state ([`Status`]) and its cell.
//!
//! Text only, no terminal library: layout (widths, cutting, styles) belongs to
//! whoever draws the table.

use std::borrow::Cow;

use time::{Duration, OffsetDateTime, UtcOffset};

use super::{format_instant, offset_label, sanitize};
use crate::domain::{KeyRecord, KeyStatus, SecretSlot};

/// What Last Used shows for a key that was never used.
pub const NEVER_USED: &str = "-";

/// A key created longer ago than this and never used is a clean-up candidate.
pub const UNUSED_AFTER: Duration = Duration::days(7);
/// A key last used longer ago than this is a clean-up candidate.
pub const IDLE_AFTER: Duration = Duration::days(90);

/// Why a key is marked as a clean-up candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// Created more than [`UNUSED_AFTER`] ago and never used.
    Unused,
    /// Last used more than [`IDLE_AFTER`] ago.
    Idle,
}

impl Flag {
    /// The record's mark at `now`, if it has one.
    pub fn of(record: &KeyRecord, now: OffsetDateTime) -> Option<Flag> {
        match record.last_used_any() {
            None if now - record.created_at > UNUSED_AFTER => Some(Flag::Unused),
            Some(used) if now - used > IDLE_AFTER => Some(Flag::Idle),
            _ => None,
        }
    }

    /// The one-character mark shown beside the name.
    pub fn symbol(self) -> &'static str {
        match self {
            Flag::Unused => "!",
            Flag::Idle => "~",
        }
    }

    /// What the mark means, for a legend: "never used after 7 days".
    pub fn meaning(self) -> String {
        match self {
            Flag::Unused => tr!("tui-flag-unused", days = UNUSED_AFTER.whole_days()),
            Flag::Idle => tr!("tui-flag-idle", days = IDLE_AFTER.whole_days()),
        }
    }

    /// The same, for a narrow legend: "unused 7d+".
    pub fn brief(self) -> String {
        match self {
            Flag::Unused => tr!("tui-flag-unused-brief", days = UNUSED_AFTER.whole_days()),
            Flag::Idle => tr!("tui-flag-idle-brief", days = IDLE_AFTER.whole_days()),
        }
    }
}

/// Last Used as a cell: the newer use of either secret
/// ([`KeyRecord::last_use`]), marked "(old)" when it was the old secret's,
/// with the time written by `format`; [`NEVER_USED`] if neither was used.
fn last_used_cell(
    record: &KeyRecord,
    offset: UtcOffset,
    format: fn(OffsetDateTime, UtcOffset) -> String,
) -> Cow<'static, str> {
    match record.last_use() {
        None => Cow::Borrowed(NEVER_USED),
        Some((at, SecretSlot::Current)) => Cow::Owned(format(at, offset)),
        Some((at, SecretSlot::Previous)) => Cow::Owned(tr!("tui-last-used-old", at = format(at, offset))),
    }
}

/// [`Column::LastUsed`]'s cell for a table column `width` wide: the old
/// secret's mark does not fit beside a full time, so there the time loses
/// its year and seconds ("03-15 20:56 (old)") rather than the mark.
pub fn last_used_within(record: &KeyRecord, offset: UtcOffset, width: usize) -> Cow<'static, str> {
    let full = last_used_cell(record, offset, format_instant);
    if unicode_width::UnicodeWidthStr::width(full.as_ref()) <= width {
        return full;
    }
    last_used_cell(record, offset, super::format_brief)
}

/// An expiry closer than this is highlighted: time to rotate or replace.
pub const EXPIRES_SOON: Duration = Duration::days(7);

/// What the Status column says about a key at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Disabled,
    Expired,
    /// Active, and will expire in this long.
    Expires(Duration),
    /// Active, and a previous secret still verifies for `left`; the key
    /// itself expires in `expires`, if it has an expiry.
    Rotating {
        left: Duration,
        expires: Option<Duration>,
    },
}

/// A key's state as the eye should tell it apart: each has its own style
/// in the theme, and its own words without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tone {
    Active,
    /// Expiring within [`EXPIRES_SOON`], rotating or not.
    ExpiringSoon,
    Expired,
    Disabled,
    Rotating,
}

impl Status {
    pub fn of(record: &KeyRecord, now: OffsetDateTime) -> Status {
        match record.status(now) {
            KeyStatus::Expired => Status::Expired,
            KeyStatus::Disabled => Status::Disabled,
            KeyStatus::Active => match (record.grace_running(now), record.expires_at) {
                (Some(previous), expires) => Status::Rotating {
                    left: previous.grace_until - now,
                    expires: expires.map(|at| at - now),
                },
                (None, Some(at)) => Status::Expires(at - now),
                (None, None) => Status::Active,
            },
        }
    }

    /// The state to style: an expiry within [`EXPIRES_SOON`] outranks a
    /// rotation, which ends by itself while an expiry takes the key offline.
    pub fn tone(self) -> Tone {
        let soon = |left: Duration| left <= EXPIRES_SOON;
        match self {
            Status::Active => Tone::Active,
            Status::Disabled => Tone::Disabled,
            Status::Expired => Tone::Expired,
            Status::Expires(left) if soon(left) => Tone::ExpiringSoon,
            Status::Expires(_) => Tone::Active,
            Status::Rotating {
                expires: Some(left), ..
            } if soon(left) => Tone::ExpiringSoon,
            Status::Rotating { .. } => Tone::Rotating,
        }
    }

    /// The whole state: [`Status::brief`], and for a rotating key with an
    /// expiry the expiry too ("rotating 5h, expires in 3d").
    pub fn text(self) -> Cow<'static, str> {
        match self {
            Status::Rotating {
                left,
                expires: Some(expires),
            } => Cow::Owned(tr!(
                "tui-status-rotating-expires",
                left = span_words(left),
                when = in_words(expires)
            )),
            _ => self.brief(),
        }
    }

    /// The cell: "active", "disabled", "expired", "expires in 5d",
    /// "rotating, 5h" (the old secret works 5 more hours). Short, for an
    /// 80-column table (at most 15 columns, in either language); the
    /// instants go on the selected-key line.
    pub fn brief(self) -> Cow<'static, str> {
        Cow::Owned(match self {
            Status::Active => tr!("tui-status-active"),
            Status::Disabled => tr!("tui-status-disabled"),
            Status::Expired => tr!("tui-status-expired"),
            Status::Rotating { left, .. } => tr!("tui-status-rotating", left = span_words(left)),
            Status::Expires(left) => tr!("tui-status-expires", when = in_words(left)),
        })
    }

    /// [`Status::text`] if it fits in `width` columns, else [`Status::brief`].
    pub fn text_within(self, width: usize) -> Cow<'static, str> {
        let text = self.text();
        if unicode_width::UnicodeWidthStr::width(text.as_ref()) <= width {
            text
        } else {
            self.brief()
        }
    }
}

/// "5d", "3h", "12m", "40s" ("5 天" in Chinese): days to the nearest day (as
/// a person would say "in 3 days" of 2 days 23 hours), shorter spans in the
/// largest unit rounded up (never "0m" of anything still to come).
pub fn span_words(left: Duration) -> String {
    let seconds = left.whole_seconds().max(1);
    let ceil = |unit: i64| (seconds + unit - 1) / unit;
    if seconds > 86_400 {
        tr!("tui-span-days", count = (seconds + 43_200) / 86_400)
    } else if seconds > 3_600 {
        tr!("tui-span-hours", count = ceil(3_600).min(24))
    } else if seconds > 60 {
        tr!("tui-span-minutes", count = ceil(60).min(60))
    } else {
        tr!("tui-span-seconds", count = seconds)
    }
}

/// "in 5d" ("5 天后"): [`span_words`] from now.
pub fn in_words(left: Duration) -> String {
    tr!("tui-in-span", span = span_words(left))
}

/// A time column's title with the offset its times are in: "Created At
/// (UTC+8)", "创建时间（UTC+8）".
pub fn with_offset(title: &str, offset: UtcOffset) -> String {
    tr!("tui-column-with-offset", title = title, offset = offset_label(offset))
}

/// When a table is drawn: the time now (for the marks) and the offset times
/// are shown in (for the time cells and headers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub now: OffsetDateTime,
    pub offset: UtcOffset,
}

/// How many columns `keydesk list` shows.
pub const LIST_COLUMNS: usize = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// The clean-up mark: [`Flag::symbol`], or a space.
    Mark,
    Name,
    Id,
    ApiKey,
    CreatedAt,
    LastUsed,
    /// The lifecycle state: [`Status::text`].
    Status,
    /// The names of the key's policy rules (`rpm,methods`), or a dash.
    Rules,
}

impl Column {
    /// The columns of `keydesk list`, in order.
    pub const LIST: [Column; LIST_COLUMNS] = [
        Column::Name,
        Column::Id,
        Column::ApiKey,
        Column::CreatedAt,
        Column::LastUsed,
        Column::Status,
        Column::Rules,
    ];

    /// The column's name in the current language, without the offset:
    /// "Created At".
    pub fn title(self) -> String {
        match self {
            Column::Mark => String::new(),
            Column::Name => tr!("tui-column-name"),
            Column::Id => tr!("tui-column-id"),
            Column::ApiKey => tr!("tui-column-api-key"),
            Column::CreatedAt => tr!("tui-column-created-at"),
            Column::LastUsed => tr!("tui-column-last-used"),
            Column::Status => tr!("tui-column-status"),
            Column::Rules => tr!("tui-column-rules"),
        }
    }

    /// The header: the title, and for times the offset they are shown in,
    /// e.g. "Created At (UTC+8)".
    pub fn header(self, offset: UtcOffset) -> Cow<'static, str> {
        match self {
            Column::CreatedAt | Column::LastUsed => Cow::Owned(with_offset(&self.title(), offset)),
            _ => Cow::Owned(self.title()),
        }
    }

    /// The column's text for `record`, safe to print (names and masked keys
    /// may come from a database written by something else).
    pub fn cell(self, record: &KeyRecord, clock: Clock) -> Cow<'_, str> {
        match self {
            Column::Mark => Cow::Borrowed(Flag::of(record, clock.now).map_or(" ", Flag::symbol)),
            Column::Name => sanitize(&record.name),
            Column::Id => Cow::Borrowed(record.id.as_str()),
            Column::ApiKey => sanitize(&record.masked),
            Column::CreatedAt => Cow::Owned(format_instant(record.created_at, clock.offset)),
            Column::LastUsed => last_used_cell(record, clock.offset, format_instant),
            Column::Status => Status::of(record, clock.now).text(),
            Column::Rules => rule_names(record),
        }
    }
}

/// [`Column::Rules`]' cell: the names of the rules the key has, or
/// [`NEVER_USED`]'s dash when it has none.
fn rule_names(record: &KeyRecord) -> Cow<'static, str> {
    let names: Vec<&str> = record.policy.rules().map(|(rule, _)| rule.name()).collect();
    if names.is_empty() {
        Cow::Borrowed(NEVER_USED)
    } else {
        Cow::Owned(names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{datetime, offset};

    use super::*;
    use crate::domain::{KeyHash, KeyId};

    const NOW: OffsetDateTime = datetime!(2026-03-15 12:00 UTC);
    const CLOCK: Clock = Clock {
        now: NOW,
        offset: offset!(+8),
    };

    fn record(name: &str, created_at: OffsetDateTime, last_used: Option<OffsetDateTime>) -> KeyRecord {
        KeyRecord {
            last_used,
            ..KeyRecord::new(
                KeyId::parse("ak-0000000000000001").unwrap(),
                name.to_owned(),
                KeyHash::of(name),
                "sk-Ab01****Yz01".to_owned(),
                created_at,
            )
        }
    }

    #[test]
    fn time_headers_name_the_offset_and_the_others_do_not() {
        let headers: Vec<_> = Column::LIST.iter().map(|c| c.header(offset!(+8))).collect();
        assert_eq!(
            headers,
            [
                "Name",
                "ID",
                "API Key",
                "Created At (UTC+8)",
                "Last Used (UTC+8)",
                "Status",
                "Rules"
            ]
        );
        assert_eq!(Column::LastUsed.header(UtcOffset::UTC), "Last Used (UTC)");
    }

    #[test]
    fn cells_show_times_in_the_offset_and_never_used_as_a_dash() {
        let r = record("billing", datetime!(2026-03-01 20:30:05 UTC), None);
        let cells: Vec<_> = Column::LIST.iter().map(|c| c.cell(&r, CLOCK)).collect();
        assert_eq!(
            cells,
            [
                "billing",
                "ak-0000000000000001",
                "sk-Ab01****Yz01",
                "2026-03-02 04:30:05",
                NEVER_USED,
                "active",
                "-"
            ]
        );
        assert_eq!(NEVER_USED, "-");
    }

    /// A key created long ago, rotated, its old secret last used at `old`.
    fn rotated(current: Option<OffsetDateTime>, old: Option<OffsetDateTime>) -> KeyRecord {
        KeyRecord {
            previous: Some(Box::new(crate::domain::PreviousSecret {
                hash: KeyHash::of("old"),
                masked: "sk-Old1****Ol11".to_owned(),
                grace_until: NOW + Duration::hours(24),
                last_used: old,
            })),
            ..record("rotated", NOW - Duration::days(200), current)
        }
    }

    #[test]
    fn last_used_is_either_secrets_and_marks_the_old_one() {
        let (earlier, later) = (NOW - Duration::hours(3), datetime!(2026-03-15 12:56:00 UTC));
        let busy = rotated(None, Some(later));
        assert_eq!(Column::LastUsed.cell(&busy, CLOCK), "2026-03-15 20:56:00 (old)");
        assert_eq!(Flag::of(&busy, NOW), None, "used, so neither unused nor idle");
        let moved_on = rotated(Some(later), Some(earlier));
        assert_eq!(Column::LastUsed.cell(&moved_on, CLOCK), "2026-03-15 20:56:00");
        assert_eq!(Column::LastUsed.cell(&rotated(None, None), CLOCK), NEVER_USED);
        assert_eq!(Flag::of(&rotated(None, None), NOW), Some(Flag::Unused));
        let idle = rotated(None, Some(NOW - IDLE_AFTER - Duration::SECOND));
        assert_eq!(Flag::of(&idle, NOW), Some(Flag::Idle));
    }

    #[test]
    fn a_narrow_last_used_cell_keeps_the_old_mark_and_drops_the_year() {
        let busy = rotated(None, Some(datetime!(2026-03-15 12:56:30 UTC)));
        assert_eq!(last_used_within(&busy, CLOCK.offset, 25), "2026-03-15 20:56:30 (old)");
        assert_eq!(last_used_within(&busy, CLOCK.offset, 19), "03-15 20:56 (old)");
        let current = rotated(Some(datetime!(2026-03-15 12:56:30 UTC)), None);
        assert_eq!(last_used_within(&current, CLOCK.offset, 19), "2026-03-15 20:56:30");
    }

    #[test]
    fn cells_are_safe_to_print() {
        let r = record("evil\u{1b}[31m\u{202E}", NOW, None);
        assert_eq!(Column::Name.cell(&r, CLOCK), "evil\u{FFFD}[31m\u{FFFD}");
    }

    #[test]
    fn marks_start_just_after_their_thresholds() {
        let unused = |age| record("k1", NOW - age, None);
        assert_eq!(Flag::of(&unused(UNUSED_AFTER), NOW), None);
        assert_eq!(
            Flag::of(&unused(UNUSED_AFTER + Duration::SECOND), NOW),
            Some(Flag::Unused)
        );
        let idle = |age| record("k2", NOW - Duration::days(400), Some(NOW - age));
        assert_eq!(Flag::of(&idle(IDLE_AFTER), NOW), None);
        assert_eq!(Flag::of(&idle(IDLE_AFTER + Duration::SECOND), NOW), Some(Flag::Idle));
        assert_eq!(Column::Mark.cell(&idle(IDLE_AFTER + Duration::SECOND), CLOCK), "~");
        assert_eq!(Column::Mark.cell(&unused(Duration::ZERO), CLOCK), " ");
    }

    #[test]
    fn the_status_cell_says_the_state_and_how_soon_an_expiry_comes() {
        use crate::domain::PreviousSecret;
        let key = |expires: Option<Duration>| KeyRecord {
            expires_at: expires.map(|left| NOW + left),
            ..record("k1", NOW - Duration::days(1), None)
        };
        let cell = |r: &KeyRecord| Column::Status.cell(r, CLOCK).into_owned();
        assert_eq!(cell(&key(None)), "active");
        assert_eq!(cell(&key(Some(Duration::days(30)))), "expires in 30d");
        assert_eq!(cell(&key(Some(Duration::hours(25)))), "expires in 1d");
        assert_eq!(cell(&key(Some(Duration::days(3) - Duration::SECOND))), "expires in 3d");
        assert_eq!(
            cell(&key(Some(Duration::hours(23) + Duration::SECOND))),
            "expires in 24h"
        );
        assert_eq!(cell(&key(Some(Duration::minutes(5)))), "expires in 5m");
        assert_eq!(cell(&key(Some(Duration::SECOND))), "expires in 1s");
        assert_eq!(cell(&key(Some(Duration::ZERO))), "expired");
        let disabled = KeyRecord {
            disabled_at: Some(NOW),
            ..key(None)
        };
        assert_eq!(cell(&disabled), "disabled");
        let rotating = KeyRecord {
            previous: Some(Box::new(PreviousSecret {
                hash: KeyHash::of("old"),
                masked: "sk-Old0****Old0".into(),
                grace_until: NOW + Duration::hours(2),
                last_used: Some(NOW - Duration::days(200)),
            })),
            ..key(Some(Duration::days(3)))
        };
        // Both states where there is room (`keydesk list`), else the rotation.
        assert_eq!(cell(&rotating), "rotating 2h, expires in 3d");
        let status = Status::of(&rotating, NOW);
        assert_eq!(status.text_within(15), "rotating, 2h");
        assert_eq!(status.text_within(26), "rotating 2h, expires in 3d");
        let without_expiry = KeyRecord {
            expires_at: None,
            ..rotating.clone()
        };
        assert_eq!(cell(&without_expiry), "rotating, 2h");
        assert_eq!(
            Flag::of(&rotating, NOW),
            Some(Flag::Idle),
            "the previous secret's use counts"
        );

        let tone = |r: &KeyRecord| Status::of(r, NOW).tone();
        assert_eq!(tone(&key(Some(EXPIRES_SOON + Duration::SECOND))), Tone::Active);
        assert_eq!(tone(&key(Some(EXPIRES_SOON))), Tone::ExpiringSoon);
        assert_eq!(tone(&key(Some(Duration::ZERO))), Tone::Expired);
        assert_eq!(tone(&key(None)), Tone::Active);
        assert_eq!(tone(&disabled), Tone::Disabled);
        assert_eq!(tone(&without_expiry), Tone::Rotating);
        assert_eq!(
            tone(&rotating),
            Tone::ExpiringSoon,
            "its expiry in 3d outranks the rotation"
        );
    }

    #[test]
    fn in_chinese_headers_cells_and_spans_are_chinese_and_fit_the_status_column() {
        use crate::i18n::{Lang, with_lang};
        use unicode_width::UnicodeWidthStr;
        with_lang(Lang::ZhCn, || {
            let headers: Vec<_> = Column::LIST.iter().map(|c| c.header(offset!(+8))).collect();
            assert_eq!(
                headers,
                [
                    "名称",
                    "ID",
                    "密钥",
                    "创建时间（UTC+8）",
                    "最近使用（UTC+8）",
                    "状态",
                    "规则"
                ]
            );
            let r = record("k1", NOW - Duration::days(1), None);
            assert_eq!(Column::Status.cell(&r, CLOCK), "正常");
            assert_eq!(Column::LastUsed.cell(&r, CLOCK), NEVER_USED);
            assert_eq!(Status::Expires(Duration::days(5)).text(), "5 天后过期");
            let rotating = |left, expires| Status::Rotating { left, expires };
            assert_eq!(rotating(Duration::hours(2), None).text(), "轮换剩 2 小时");
            assert_eq!(
                rotating(Duration::hours(2), Some(Duration::days(3))).text(),
                "轮换剩 2 小时，3 天后过期"
            );
            assert_eq!(in_words(Duration::minutes(12)), "12 分钟后");
            // The Status column is 15 wide: the longest cells still fit.
            for status in [
                Status::Expires(Duration::days(999)),
                rotating(Duration::days(999), Some(Duration::days(999))),
                rotating(Duration::hours(23), None),
                rotating(Duration::minutes(59), Some(Duration::hours(2))),
                Status::Disabled,
            ] {
                assert!(status.brief().width() <= 15, "{}", status.brief());
            }
            assert_eq!(Flag::Unused.meaning(), "创建 7 天后仍未使用");
        });
    }

    #[test]
    fn the_rules_cell_names_the_rules_a_key_has() {
        let mut r = record("limited", NOW, None);
        assert_eq!(Column::Rules.cell(&r, CLOCK), "-");
        r.policy = crate::domain::policy::Policy::parse("rpm=60 methods=GET ips=10.0.0.0/8").unwrap();
        assert_eq!(Column::Rules.cell(&r, CLOCK), "rpm,methods,ips");
    }

    #[test]
    fn legends_follow_the_thresholds() {
        assert_eq!(Flag::Unused.meaning(), "never used after 7 days");
        assert_eq!(Flag::Idle.meaning(), "idle over 90 days");
        assert_eq!(Flag::Unused.brief(), "unused 7d+");
        assert_eq!(Flag::Idle.brief(), "idle 90d+");
    }
}
