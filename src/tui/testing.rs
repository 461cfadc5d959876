//! Fixtures for the TUI's unit and snapshot tests: fixed records, a fixed
//! "now" and a fixed offset, so everything is deterministic.

use time::macros::{datetime, offset};
use time::{OffsetDateTime, UtcOffset};

use super::app::App;
use super::event::{Command, Event, Key};
use super::update::update;
use crate::domain::{Actor, Interface, KeyHash, KeyId, KeyRecord, SshClient};

pub const NOW: OffsetDateTime = datetime!(2026-03-15 12:00:00 UTC);
pub const OFFSET: UtcOffset = offset!(+8);

pub fn id(n: u32) -> KeyId {
    KeyId::parse(&format!("ak-{n:016}")).expect("well-formed test ID")
}

pub fn record(n: u32, name: &str, created_at: OffsetDateTime, last_used: Option<OffsetDateTime>) -> KeyRecord {
    KeyRecord {
        last_used,
        ..KeyRecord::new(
            id(n),
            name.to_owned(),
            KeyHash::of(name),
            format!("sk-Ab{:02}****Yz{:02}", n % 100, n % 100),
            created_at,
        )
    }
}

/// Five keys covering the interesting cases: CJK name, never used (old and
/// new), idle for months, recently used.
pub fn records() -> Vec<KeyRecord> {
    vec![
        record(
            1,
            "生产-gateway_01",
            datetime!(2026-03-10 09:30:00 UTC),
            Some(datetime!(2026-03-15 11:58:20 UTC)),
        ),
        record(2, "staging", datetime!(2026-01-02 08:00:00 UTC), None),
        record(
            3,
            "ci-runner",
            datetime!(2025-10-01 00:00:00 UTC),
            Some(datetime!(2025-11-20 17:45:00 UTC)),
        ),
        record(4, "test-key", datetime!(2026-03-14 23:10:05 UTC), None),
        record(
            5,
            "Analytics_Export",
            datetime!(2026-02-20 06:00:00 UTC),
            Some(datetime!(2026-03-01 10:00:00 UTC)),
        ),
    ]
}

/// An app at 80×24 with `records` loaded.
pub fn app_with(records: Vec<KeyRecord>) -> App {
    let mut app = App::new(OFFSET, NOW);
    update(&mut app, Event::Resize { width: 80, height: 24 });
    update(
        &mut app,
        Event::Loaded {
            change_counter: 1,
            records,
        },
    );
    app
}

pub fn app() -> App {
    app_with(records())
}

/// Presses each key in turn; returns all commands produced.
pub fn press(app: &mut App, keys: &[Key]) -> Vec<Command> {
    keys.iter().flat_map(|&k| update(app, Event::Key(k))).collect()
}

/// Types `text` one character at a time.
pub fn type_text(app: &mut App, text: &str) -> Vec<Command> {
    text.chars()
        .flat_map(|c| update(app, Event::Key(Key::Char(c))))
        .collect()
}

/// Names of the table's rows, top to bottom.
pub fn row_names(app: &App) -> Vec<String> {
    app.view().iter().map(|&i| app.records[i].name.clone()).collect()
}

pub fn selected_name(app: &App) -> Option<String> {
    app.selected_record().map(|r| r.name.clone())
}

/// Keys in every lifecycle state at [`NOW`]: disabled, expiring in 3 days
/// (highlighted), expiring in 60 days, expired, rotating (old secret valid
/// for 5 more hours), and active.
pub fn lifecycle_records() -> Vec<KeyRecord> {
    use crate::domain::PreviousSecret;
    use time::Duration;
    let created = datetime!(2026-02-01 09:00:00 UTC);
    let used = Some(datetime!(2026-03-15 11:00:00 UTC));
    vec![
        record(11, "active-key", created, used),
        KeyRecord {
            disabled_at: Some(datetime!(2026-03-14 08:00:00 UTC)),
            ..record(12, "switched-off", created + Duration::hours(1), used)
        },
        KeyRecord {
            expires_at: Some(NOW + Duration::days(3) + Duration::hours(2)),
            ..record(13, "expires-soon", created + Duration::hours(2), used)
        },
        KeyRecord {
            expires_at: Some(NOW + Duration::days(60)),
            ..record(14, "expires-later", created + Duration::hours(3), used)
        },
        KeyRecord {
            expires_at: Some(NOW - Duration::days(2)),
            ..record(15, "long-gone", created + Duration::hours(4), used)
        },
        KeyRecord {
            previous: Some(Box::new(PreviousSecret {
                hash: KeyHash::of("old secret"),
                masked: "sk-Old6****Ol16".to_owned(),
                grace_until: NOW + Duration::hours(5),
                last_used: Some(NOW - Duration::minutes(3)),
            })),
            ..record(16, "rotating-key", created + Duration::hours(5), None)
        },
    ]
}

/// [`lifecycle_records`] at 120×40, where rotating-key (selected: it is the
/// newest) also expires on 2026-12-12 (UTC+8) and its old secret verified
/// once in the last 30 days: both its states, and "1 use".
pub fn rotating_with_an_expiry_and_one_use() -> App {
    use crate::domain::{Day, KeyUsage, Outcome, UsageCounts, UsageQuery};
    let mut records = lifecycle_records();
    let rotating = records.iter_mut().find(|r| r.name == "rotating-key").unwrap();
    rotating.expires_at = Some(datetime!(2026-12-11 16:00:00 UTC));
    let mut app = app_with(records);
    let query = UsageQuery::last(None, 30, 24, NOW);
    let usage = KeyUsage {
        daily: vec![(Day::of(NOW), UsageCounts::of(Outcome::Accepted, 1))],
        ..KeyUsage::default()
    };
    update(&mut app, Event::UsageLoaded(query, Ok(vec![(id(16), usage)])));
    app
}

/// Who made an audit entry: a user (uid 1001), maybe through sudo, maybe
/// over SSH (port 52114), with keydesk 0.1.0.
pub fn actor(user: &str, sudo: Option<&str>, ssh: Option<&str>, interface: Interface) -> Actor {
    Actor {
        user: Some(user.to_owned()),
        uid: Some(1001),
        sudo_user: sudo.map(str::to_owned),
        ssh_client: ssh.map(|address| SshClient {
            address: address.to_owned(),
            port: 52114,
        }),
        interface,
        version: "0.1.0".to_owned(),
    }
}

/// `app` drawn on a `width` × `height` test terminal (after the resize that
/// a real terminal would report), without colour.
pub fn terminal(app: &mut App, width: u16, height: u16) -> ratatui::Terminal<ratatui::backend::TestBackend> {
    use ratatui::{Terminal, backend::TestBackend};
    update(app, Event::Resize { width, height });
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let theme = super::view::Theme::new(false);
    terminal
        .draw(|frame| drop(super::view::render(frame, app, &theme)))
        .unwrap();
    terminal
}

/// The text of [`terminal`]'s screen.
pub fn draw(app: &mut App, width: u16, height: u16) -> String {
    terminal(app, width, height).backend().to_string()
}

/// A made-up key, well-formed so the dialogs take it (its checksum is
/// right): never a real one, and the same in every run.
pub fn demo_secret() -> crate::domain::SecretKey {
    let body = "sk-DEMOdemo0123456789DEMOdemo456789";
    let checksum = crate::domain::base62::encode_fixed(u64::from(crc32fast::hash(body.as_bytes())), 6);
    crate::domain::SecretKey::parse(format!("{body}{checksum}")).unwrap()
}
