//! Databases written by earlier releases open in this one: the committed
//! fixture of every earlier schema (`tests/fixtures/`) is upgraded, and every
//! key, name, time and secret survives — seen through the CLI, the store and
//! the Verifier (the TUI's listing is checked in `tui_e2e.rs`).

mod common;

use std::process::Command;

use common::{FixtureKey, fixture_copy, keydesk, run_with_stdin, stderr, stdout};
use keydesk::store::SCHEMA_VERSION;
use keydesk::{KeyStore, Store, Verifier};
use unicode_normalization::UnicodeNormalization;

/// Every schema that has a fixture: all before the current one.
fn earlier_versions() -> std::ops::Range<u64> {
    1..SCHEMA_VERSION
}

fn expected_name(key: &FixtureKey) -> String {
    // Schema 2 stores names in normal form C.
    key.name.nfc().collect()
}

#[test]
fn every_earlier_schema_upgrades_with_every_key_intact() {
    for version in earlier_versions() {
        let (_dir, db, keys) = fixture_copy(version);
        let out = keydesk(&db).args(["list", "--json"]).output().unwrap();
        assert!(out.status.success(), "schema {version}: {}", stderr(&out));
        let listed: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(listed.len(), keys.len(), "schema {version}");
        for key in &keys {
            let row = listed
                .iter()
                .find(|row| row["id"] == key.id.as_str())
                .unwrap_or_else(|| panic!("schema {version}: {} is missing", key.id));
            assert_eq!(row["name"], expected_name(key).as_str());
            assert_eq!(row["masked_key"], key.masked_key.as_str());
            assert_eq!(row["created_at"], key.created_at.as_str());
            assert_eq!(row["last_used"].as_str(), key.last_used.as_deref(), "{}", key.id);
            // Schema 3: every key comes out active and never-expiring.
            assert_eq!(row["status"], "active", "{}", key.id);
            assert_eq!(row["expires_at"], serde_json::Value::Null, "{}", key.id);
            assert_eq!(row["rotation"], serde_json::Value::Null, "{}", key.id);
        }
    }
}

#[test]
fn every_key_of_an_upgraded_database_is_active_never_expiring_and_unrotated() {
    for version in earlier_versions() {
        let (_dir, db, keys) = fixture_copy(version);
        let store = Store::open(&db).unwrap();
        let records = store.list().unwrap();
        assert_eq!(records.len(), keys.len(), "schema {version}");
        for record in &records {
            assert_eq!(record.expires_at, None, "schema {version}: {}", record.id);
            assert_eq!(record.disabled_at, None, "schema {version}: {}", record.id);
            assert_eq!(record.previous, None, "schema {version}: {}", record.id);
        }
        // The lifecycle works on an upgraded key, and the upgrade is whole.
        let key = &keys[0];
        let id = keydesk::KeyId::parse(&key.id).unwrap();
        store.disable(&id).unwrap();
        assert_eq!(store.verify(&key.secret).unwrap(), None);
        store.enable(&id).unwrap();
        let (new, _) = store.rotate(&id, time::Duration::HOUR).unwrap();
        assert_eq!(store.verify(&key.secret).unwrap(), Some(id.clone()));
        assert_eq!(store.verify(new.expose()).unwrap(), Some(id));
    }
}

#[test]
fn every_secret_of_an_upgraded_database_still_verifies() {
    for version in earlier_versions() {
        let (_dir, db, keys) = fixture_copy(version);
        for key in &keys {
            let out = run_with_stdin(keydesk(&db).arg("verify"), &format!("{}\n", key.secret));
            assert!(out.status.success(), "schema {version}, {}: {}", key.id, stderr(&out));
            assert_eq!(stdout(&out).trim(), key.id);
        }
        let store = Store::open(&db).unwrap();
        let verifier = Verifier::new(store.clone()).unwrap();
        for key in &keys {
            assert_eq!(store.verify(&key.secret).unwrap().unwrap().as_str(), key.id);
            assert_eq!(verifier.verify(&key.secret).unwrap().as_str(), key.id);
        }
    }
}

#[test]
fn an_upgraded_database_is_at_the_current_schema_and_upgrades_once() {
    for version in earlier_versions() {
        let (_dir, db, _) = fixture_copy(version);
        let store = Store::open(&db).unwrap();
        let after_first = std::fs::read(&db).unwrap();
        let counter = store.change_counter().unwrap();
        // A second open finds nothing to do and writes nothing.
        Store::open(&db).unwrap();
        assert_eq!(std::fs::read(&db).unwrap(), after_first, "schema {version}");
        assert_eq!(store.change_counter().unwrap(), counter);
    }
}

/// Runs `keydesk list` on `db` without write access to it: a read-only bind
/// mount for root (who may write any file), mode 0400 for anyone else.
fn list_without_write_access(db: &std::path::Path) -> Option<std::process::Output> {
    let dir = db.parent().unwrap();
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        std::fs::set_permissions(db, std::os::unix::fs::PermissionsExt::from_mode(0o400)).unwrap();
        return Some(keydesk(db).arg("list").output().unwrap());
    }
    let script = r#"mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && exec "$2" list"#;
    let out = Command::new("unshare")
        .args(["--mount", "sh", "-c", script, "sh"])
        .arg(dir)
        .arg(common::BIN)
        .env("KEYDESK_DB", db)
        .output()
        .ok()?;
    // The mount itself failing (no privilege here) leaves nothing to test.
    let err = stderr(&out);
    (!err.contains("mount:") && !err.contains("unshare:")).then_some(out)
}

#[test]
fn an_older_schema_without_write_access_is_refused_with_a_clear_message_and_untouched() {
    let (_dir, db, _) = fixture_copy(1);
    let before = std::fs::read(&db).unwrap();
    let Some(out) = list_without_write_access(&db) else {
        common::skip("cannot make a read-only mount here (unshare/mount not permitted)");
        return;
    };
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("needs an upgrade"), "{}", stderr(&out));
    assert!(stderr(&out).contains("write access"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file was modified");
}

/// A process killed at a random moment of an upgrade leaves a file that the
/// next opener finishes upgrading, with nothing lost or half-converted. The
/// kill points are random; each lands before, during or after the upgrade
/// transaction, and every outcome must pass the same checks.
#[test]
fn an_upgrade_killed_at_any_moment_leaves_the_old_schema_or_the_new_one() {
    use rand::Rng;
    const KILLS: usize = 25;
    for _ in 0..KILLS {
        let (_dir, db, keys) = fixture_copy(1);
        let mut child = keydesk(&db)
            .arg("list")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Not synchronisation: a random point in the victim's life to kill it at.
        std::thread::sleep(std::time::Duration::from_micros(rand::rng().random_range(0..8_000)));
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();

        let store = Store::open(&db).unwrap();
        assert!(store.check_integrity().unwrap(), "redb found the file inconsistent");
        let listed = store.list().unwrap();
        assert_eq!(listed.len(), keys.len());
        for key in &keys {
            let record = listed.iter().find(|r| r.id.as_str() == key.id).unwrap();
            assert_eq!(record.name, expected_name(key));
            assert_eq!(store.verify(&key.secret).unwrap().unwrap().as_str(), key.id);
        }
    }
}

#[test]
fn an_upgraded_database_records_each_upgrade_since_schema_4_in_its_audit_log() {
    use keydesk::domain::{Actor, AuditEvent, AuditQuery, Interface};
    for version in earlier_versions() {
        let (_dir, db, _) = fixture_copy(version);
        // What the fixture's own audit log held (schema 4 and later have one).
        let before = if version >= 4 { fixture_audit_len(&db) } else { 0 };
        let actor = Actor::from_process(Interface::Cli);
        let retry = keydesk::store::RetryPolicy::default();
        let store = Store::open_as(&db, retry, actor.clone()).unwrap();
        let entries = store.audit_entries(&AuditQuery::default()).unwrap();
        let upgrades: Vec<_> = (version.max(3)..SCHEMA_VERSION)
            .rev()
            .map(|from| AuditEvent::SchemaUpgraded { from, to: from + 1 })
            .collect();
        assert_eq!(entries.len(), before + upgrades.len(), "schema {version}: {entries:#?}");
        let newest: Vec<_> = entries[..upgrades.len()].iter().map(|e| e.event.clone()).collect();
        assert_eq!(
            newest, upgrades,
            "schema {version}: the upgrades are the newest entries"
        );
        for upgrade in &entries[..upgrades.len()] {
            assert_eq!(upgrade.key, None);
            assert_eq!(upgrade.actor, actor, "the upgrade is recorded as its opener's");
        }
        if version < 4 {
            let first = entries.last().unwrap();
            assert_eq!(
                (first.seq, first.previous_hash),
                (1, [0; 32]),
                "the chain starts at the upgrade"
            );
        }
        // Opening again upgrades nothing, so records nothing.
        Store::open(&db).unwrap();
        assert_eq!(
            store.audit_entries(&AuditQuery::default()).unwrap().len(),
            entries.len()
        );
        assert_eq!(store.check_audit_chain().unwrap(), None, "schema {version}");
    }
}

/// The number of audit entries in a fixture file, read without upgrading it
/// (redb directly: keydesk would upgrade it first).
fn fixture_audit_len(db: &std::path::Path) -> usize {
    use redb::{ReadableDatabase, ReadableTableMetadata};
    let file = redb::Database::open(db).unwrap();
    let txn = file.begin_read().unwrap();
    let audit: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("audit");
    txn.open_table(audit).unwrap().len().unwrap() as usize
}

#[test]
fn an_upgraded_database_starts_with_empty_usage_counts_that_then_count() {
    use keydesk::domain::UsageQuery;
    for version in earlier_versions() {
        let (_dir, db, keys) = fixture_copy(version);
        let store = Store::open(&db).unwrap();
        let now = time::OffsetDateTime::now_utc();
        let all = UsageQuery::last(None, 400, 14 * 24, now);
        assert_eq!(store.usage(&all).unwrap(), vec![], "schema {version}");
        assert!(store.verify(&keys[0].secret).unwrap().is_some());
        let counted = store.usage(&all).unwrap();
        assert_eq!(counted.len(), 1, "schema {version}");
        assert_eq!(counted[0].0.as_str(), keys[0].id);
        assert_eq!(counted[0].1.total().accepted, 1, "schema {version}");
    }
}
