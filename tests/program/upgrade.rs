//! Databases written by earlier releases open in this one: the committed
//! fixture of every earlier schema (`tests/fixtures/`) is upgraded, and every
//! key, name, time and secret survives — seen through the CLI, the store and
//! the Verifier (the TUI's listing is checked in `tui_e2e.rs`).

use crate::common;

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
            // Schema 6: every key comes out without rules.
            assert!(record.policy.is_empty(), "schema {version}: {}", record.id);
        }
        // The lifecycle works on an upgraded key, and the upgrade is whole.
        let key = &keys[0];
        let id = keydesk::KeyId::parse(&key.id).unwrap();
        store.disable(&id).unwrap();
        assert_eq!(store.verify(&key.secret).unwrap(), None);
        store.enable(&id).unwrap();
        let (new, _) = store.rotate(&id, time::Duration::HOUR).unwrap();
        assert_eq!(store.verify(&key.secret).unwrap(), Some(id.clone()));
        assert_eq!(store.verify(new.expose()).unwrap(), Some(id.clone()));
        let rules = keydesk::domain::Policy::parse("rpm=60 methods=GET").unwrap();
        assert_eq!(store.set_policy(&id, &rules).unwrap().policy, rules);
        assert_eq!(Store::open(&db).unwrap().get(&id).unwrap().unwrap().policy, rules);
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
#[allow(unsafe_code)]
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
        .env("KEYDESK_LANG", "en")
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
    use rand::RngExt;
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

/// Audit entries in a fixture before its upgrade: the schema-4 one has the
/// creates of its keys; earlier ones have no log.
fn entries_before_upgrade(version: u64, keys: &[FixtureKey]) -> usize {
    if version >= 4 { keys.len() } else { 0 }
}

#[test]
fn an_upgrade_writes_one_audit_entry_with_the_versions_it_went_from_and_to() {
    use keydesk::domain::{Actor, AuditEvent, AuditQuery, Interface};
    for version in earlier_versions() {
        let (_dir, db, keys) = fixture_copy(version);
        let before = entries_before_upgrade(version, &keys);
        let actor = Actor::from_process(Interface::Cli);
        let at = time::macros::datetime!(2031-02-03 04:05:06 UTC);
        let store = Store::builder(&db)
            .actor(actor.clone())
            .clock(std::sync::Arc::new(move || at))
            .audit_key(keydesk::domain::AuditKey::generate())
            .open()
            .unwrap();
        let entries = store.audit_entries(&AuditQuery::default()).unwrap();
        assert_eq!(entries.len(), before + 1, "schema {version}: {entries:#?}");
        let upgrade = &entries[0];
        assert_eq!(upgrade.seq, before as u64 + 1);
        let expected = AuditEvent::SchemaUpgraded {
            from: version,
            to: SCHEMA_VERSION,
        };
        assert_eq!(upgrade.event, expected, "schema {version}");
        assert_eq!(upgrade.key, None);
        assert_eq!(upgrade.actor, actor, "the upgrade is recorded as its opener's");
        assert_eq!(upgrade.at, at, "and dated by its clock");
        assert!(!upgrade.keyed, "an upgrade is written before the audit key applies");
        if before == 0 {
            assert_eq!(upgrade.previous_hash, [0; 32], "the first entry anchors the chain");
        }
        // Opening again upgrades nothing, so records nothing.
        Store::open(&db).unwrap();
        assert_eq!(store.audit_entries(&AuditQuery::default()).unwrap().len(), before + 1);
        assert_eq!(store.check_audit_chain().unwrap(), None, "schema {version}");
    }
}

#[test]
fn a_fixture_key_s_history_is_read_through_the_key_index_after_the_upgrade() {
    use keydesk::domain::AuditQuery;
    use redb::{ReadableDatabase, ReadableTableMetadata};
    let (_dir, db, keys) = fixture_copy(4);
    let store = Store::open(&db).unwrap();
    // The upgrade indexed every entry the fixture already had.
    {
        let index: redb::TableDefinition<(&str, u64), ()> = redb::TableDefinition::new("audit_by_key");
        let file = redb::Database::open(&db).unwrap();
        let txn = file.begin_read().unwrap();
        assert_eq!(txn.open_table(index).unwrap().len().unwrap(), keys.len() as u64);
    }
    let history = |id: &keydesk::KeyId| {
        let query = AuditQuery {
            key: Some(id.clone()),
            ..AuditQuery::default()
        };
        store.audit_entries(&query).unwrap()
    };
    for key in &keys {
        let id = keydesk::KeyId::parse(&key.id).unwrap();
        let entries = history(&id);
        assert_eq!(entries.len(), 1, "{}", key.id);
        assert_eq!(entries[0].event.action(), "create");
        assert_eq!(entries[0].name.as_deref(), Some(expected_name(key).as_str()));
    }
    // A change after the upgrade joins the same history, newest first.
    let id = keydesk::KeyId::parse(&keys[0].id).unwrap();
    store.disable(&id).unwrap();
    let actions: Vec<&str> = history(&id).iter().map(|e| e.event.action()).collect();
    assert_eq!(actions, ["disable", "create"]);
    let out = keydesk(&db).args(["log", "--key", &keys[0].id]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
    assert_eq!(store.check_audit_chain().unwrap(), None);
}

#[test]
fn an_upgraded_database_starts_with_empty_usage_counts_that_then_count() {
    use keydesk::domain::UsageQuery;
    // Schema 5 is the first to count usage.
    for version in 1..5 {
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

/// The fixtures' keys were verified once each at their `last_used` (see
/// `examples/make_fixture.rs`): from schema 5 on, those counts are in the
/// file, and every later upgrade keeps them, in the same hour and day.
#[test]
fn usage_counts_of_an_earlier_schema_survive_the_upgrade() {
    use keydesk::domain::{Day, Hour, Outcome, UsageQuery};
    // Read at a time when the fixture's buckets are all still retained.
    let then = time::macros::datetime!(2026-05-05 00:00 UTC);
    for version in 5..SCHEMA_VERSION {
        let (_dir, db, keys) = fixture_copy(version);
        let store = Store::builder(&db)
            .clock(std::sync::Arc::new(move || then))
            .open()
            .unwrap();
        let usage = store.usage(&UsageQuery::last(None, 30, 14 * 24, then)).unwrap();
        let used: Vec<&FixtureKey> = keys.iter().filter(|k| k.last_used.is_some()).collect();
        assert_eq!(usage.len(), used.len(), "schema {version}: {usage:?}");
        for key in used {
            let at = time::OffsetDateTime::parse(
                key.last_used.as_deref().unwrap(),
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap();
            let (_, counts) = usage.iter().find(|(id, _)| id.as_str() == key.id).unwrap();
            assert_eq!(counts.daily.len(), 1, "schema {version}, {}", key.id);
            assert_eq!(counts.daily[0].0, Day::of(at));
            assert_eq!(counts.hourly.len(), 1, "schema {version}, {}", key.id);
            assert_eq!(counts.hourly[0].0, Hour::of(at));
            let total = counts.total();
            assert_eq!(total.get(Outcome::Accepted), 1, "schema {version}, {}", key.id);
            assert_eq!(total.refused(), 0, "schema {version}, {}", key.id);
        }
    }
}

/// Schema 7 counts tokens: every earlier file comes out with none (no
/// earlier release counted them), its usage counts as they were, and tokens
/// written afterwards are read back per model and for the key's life.
#[test]
fn every_earlier_schema_upgrades_to_empty_token_counts_that_then_count() {
    use keydesk::domain::{Hour, TokenCounts, TokenDelta, UsageQuery};
    let now = time::OffsetDateTime::now_utc();
    for version in earlier_versions() {
        let (_dir, db, keys) = fixture_copy(version);
        let store = Store::open(&db).unwrap();
        let id = keydesk::KeyId::parse(&keys[0].id).unwrap();
        let all = UsageQuery::last(None, 400, 32 * 24, now);
        let before = store.usage(&all).unwrap();
        assert!(
            before
                .iter()
                .all(|(_, u)| u.tokens_daily.is_empty() && u.tokens_lifetime.is_zero()),
            "schema {version}"
        );
        assert_eq!(store.token_totals(&id, Hour(0)).unwrap(), Default::default());
        let counts = TokenCounts {
            input: 40,
            output: 2,
            answers: 1,
            ..TokenCounts::default()
        };
        let delta = TokenDelta {
            id: id.clone(),
            hour: Hour::of(now),
            model: Some("gpt-4o-mini".into()),
            counts,
        };
        store.record_usage_and_tokens(&[], &[], &[delta]).unwrap();
        let totals = Store::open(&db).unwrap().token_totals(&id, Hour::of(now)).unwrap();
        assert_eq!(
            totals.by_model,
            vec![(Some("gpt-4o-mini".into()), counts)],
            "schema {version}"
        );
        assert_eq!(totals.lifetime, counts, "schema {version}");
    }
}
