//! Writes the upgrade-test fixture for the schema this build writes: a small
//! database and, beside it, a JSON file with what the database must still
//! hold after any later upgrade — including each key's secret, so the test can
//! check that every key still verifies. Test data only: these keys guard
//! nothing.
//!
//! ```sh
//! cargo run --example make_fixture -- tests/fixtures
//! ```
//!
//! Run it once per schema version, when the version is bumped, and commit both
//! files; never regenerate an old version's fixture (it stands for the files
//! users have).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use keydesk::{KeyName, KeyStore, Store};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;

/// Names that exercise the stored text: ASCII, Chinese, a compatibility
/// ideograph (U+F900, which later schemas may normalise), a long name.
const KEYS: [(&str, Option<OffsetDateTime>); 5] = [
    ("billing-prod", Some(datetime!(2026-05-02 08:30:00 UTC))),
    ("生产环境_网关", Some(datetime!(2026-05-03 23:59:00 UTC))),
    ("never-used", None),
    ("兼容\u{F900}字", Some(datetime!(2026-05-04 00:00:00 UTC))),
    ("a-very-long-name-0123456789-0123456789-0123456789-0123456789-abc", None),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).ok_or("usage: make_fixture DIR")?);
    let version = keydesk::store::SCHEMA_VERSION;
    let db = dir.join(format!("schema-v{version}.redb"));
    if db.exists() {
        return Err(format!(
            "{} exists: fixtures of a released schema are never rewritten",
            db.display()
        )
        .into());
    }
    let now = Arc::new(Mutex::new(datetime!(2026-05-01 12:00:00 UTC)));
    let clock_now = now.clone();
    let store = Store::builder(&db)
        .clock(Arc::new(move || *clock_now.lock().unwrap()))
        .open()?;
    let mut expected = Vec::new();
    for (i, (name, used)) in KEYS.iter().enumerate() {
        *now.lock().unwrap() = datetime!(2026-05-01 12:00:00 UTC) + time::Duration::minutes(i as i64);
        let (secret, record) = store.create(&KeyName::parse(name)?)?;
        if let Some(used) = used {
            *now.lock().unwrap() = *used;
            store.verify(secret.expose())?.ok_or("a new key verifies")?;
        }
        expected.push(serde_json::json!({
            "id": record.id.as_str(),
            "name": name,
            "secret": secret.expose(),
            "masked_key": record.masked,
            "created_at": record.created_at.format(&Rfc3339)?,
            "last_used": used.map(|t| t.format(&Rfc3339)).transpose()?,
        }));
    }
    let json = serde_json::json!({ "schema_version": version, "keys": expected });
    std::fs::write(
        dir.join(format!("schema-v{version}.json")),
        serde_json::to_string_pretty(&json)? + "\n",
    )?;
    println!("wrote {}", db.display());
    Ok(())
}
