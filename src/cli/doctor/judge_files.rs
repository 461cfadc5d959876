//! Judging keydesk's own files: the config file, the database file and its
//! audit chain. Pure functions of [`facts`](super::facts): a problem here
//! is a warning or an error, since keydesk cannot be trusted to work (or to
//! keep keys private) until it is fixed.

use super::facts::{AuditFacts, ConfigFacts, FileFacts, FileMeta, Unchecked};
use super::finding::{Check, Finding};
use crate::StoreError;
use crate::hardening::Untrusted;
use crate::i18n::words::Worded;
use crate::store::{SCHEMA_VERSION, SchemaPeek};

/// The least free space that leaves a database room: redb copies the pages
/// a write changes before freeing the old ones.
const LEAST_FREE_BYTES: u64 = 64 * 1024 * 1024;

pub fn config(facts: &ConfigFacts) -> Vec<Finding> {
    let path = facts.path.display().to_string();
    let meta = match &facts.file {
        Err(error) => {
            let message = tr!("doctor-config-unreadable", path = path.clone(), error = error.clone());
            return vec![Finding::error(
                Check::ConfigFile,
                message,
                tr!("doctor-config-fix-path", path = path),
            )];
        }
        Ok(None) if facts.explicit => {
            let message = tr!("doctor-config-named-missing", path = path);
            return vec![Finding::error(
                Check::ConfigFile,
                message,
                tr!("doctor-config-named-missing-fix"),
            )];
        }
        Ok(None) => return vec![Finding::ok(Check::ConfigFile, tr!("doctor-config-none", path = path))],
        Ok(Some(meta)) => meta,
    };
    if let Some(kind) = &meta.not_a_file {
        let message = tr!("doctor-config-not-a-file", path = path.clone(), kind = kind.clone());
        return vec![Finding::error(
            Check::ConfigFile,
            message,
            tr!("doctor-config-fix-path", path = path),
        )];
    }
    let mut findings = vec![config_permissions(meta, &path)];
    for unknown in &facts.unknown_keys {
        let message = tr!(
            "doctor-config-unknown-key",
            path = path.clone(),
            line = unknown.line,
            key = unknown.key.clone()
        );
        let fix = match unknown.nearest {
            Some(known) => tr!("doctor-config-rename-key", line = unknown.line, known = known),
            None => tr!(
                "doctor-config-remove-key",
                line = unknown.line,
                keys = crate::config::KEYS.join(", ")
            ),
        };
        findings.push(Finding::error(Check::ConfigKeys, message, fix));
    }
    // An unknown key or a permission problem is the same error reading
    // found, said already.
    let said = !facts.unknown_keys.is_empty() || meta.untrusted.is_some();
    match &facts.problem {
        Some(problem) if !said => findings.push(Finding::error(
            Check::ConfigFile,
            problem.to_string(),
            tr!("doctor-config-fix-line", path = path),
        )),
        Some(_) => {}
        None => findings.push(Finding::ok(Check::ConfigFile, tr!("doctor-config-read", path = path))),
    }
    findings
}

/// Whoever may change the config file chooses the database: keydesk
/// refuses one that another user owns (other than root) or may write.
fn config_permissions(meta: &FileMeta, path: &str) -> Finding {
    match &meta.untrusted {
        Some(Untrusted::Owner { owner, me }) => Finding::error(
            Check::ConfigPermissions,
            tr!("doctor-file-owner", path = path, owner = *owner, me = *me),
            tr!("doctor-file-owner-fix", path = path, me = *me),
        ),
        Some(_) => Finding::error(
            Check::ConfigPermissions,
            tr!("doctor-config-writable", path = path, mode = octal(meta.mode)),
            tr!("doctor-chmod", mode = "644", path = path),
        ),
        None => Finding::ok(
            Check::ConfigPermissions,
            tr!("doctor-config-mode-ok", mode = octal(meta.mode)),
        ),
    }
}

pub fn database_file(facts: &FileFacts) -> Vec<Finding> {
    let path = facts.path.display().to_string();
    let meta = match &facts.file {
        Err(error) => {
            let message = tr!("doctor-db-unreadable", path = path.clone(), error = error.clone());
            return vec![Finding::error(Check::DatabasePath, message, tr!("doctor-db-path-fix"))];
        }
        Ok(None) if facts.named => {
            let message = tr!("doctor-db-missing", path = path);
            return vec![Finding::error(Check::DatabasePath, message, tr!("doctor-db-path-fix"))];
        }
        Ok(None) => {
            return vec![Finding::info(
                Check::DatabasePath,
                tr!("doctor-db-none-yet", path = path),
                None,
            )];
        }
        Ok(Some(meta)) => meta,
    };
    if let Some(kind) = &meta.not_a_file {
        let message = tr!("doctor-db-not-a-file", path = path, kind = kind.clone());
        return vec![Finding::error(Check::DatabasePath, message, tr!("doctor-db-path-fix"))];
    }
    if meta.len == 0 {
        let message = tr!("doctor-db-empty", path = path.clone());
        return vec![Finding::error(
            Check::DatabasePath,
            message,
            tr!("doctor-db-empty-fix", path = path),
        )];
    }
    let mut findings = vec![
        Finding::ok(
            Check::DatabasePath,
            tr!("doctor-db-path", path = path.clone(), size = size(meta.len)),
        ),
        database_owner(meta, &path),
        database_mode(meta, &path),
    ];
    findings.extend(schema_and_lock(facts, &path));
    findings.extend(space(facts));
    findings
}

fn database_owner(meta: &FileMeta, path: &str) -> Finding {
    match &meta.untrusted {
        Some(Untrusted::Owner { owner, me }) => Finding::error(
            Check::DatabaseOwner,
            tr!("doctor-file-owner", path = path, owner = *owner, me = *me),
            tr!("doctor-file-owner-fix", path = path, me = *me),
        ),
        _ => Finding::ok(Check::DatabaseOwner, tr!("doctor-db-owner-ok")),
    }
}

/// Writable by others: keydesk refuses the file (whoever can write it
/// decides which keys verify), an error. Readable by others: keydesk
/// works, but other users can read every key's name, policy, usage and the
/// audit log (not secrets: only their hashes are kept), which keydesk never
/// allows when it makes the file (0600); a warning.
fn database_mode(meta: &FileMeta, path: &str) -> Finding {
    let mode = octal(meta.mode);
    if matches!(meta.untrusted, Some(Untrusted::Writable { .. })) {
        return Finding::error(
            Check::DatabaseMode,
            tr!("doctor-db-mode-writable", mode = mode),
            tr!("doctor-chmod", mode = "600", path = path),
        );
    }
    if meta.mode & 0o044 != 0 {
        return Finding::warning(
            Check::DatabaseMode,
            tr!("doctor-db-mode-readable", mode = mode),
            tr!("doctor-chmod", mode = "600", path = path),
        );
    }
    Finding::ok(Check::DatabaseMode, tr!("doctor-db-mode-ok", mode = mode))
}

fn schema_and_lock(facts: &FileFacts, path: &str) -> Vec<Finding> {
    let Some(schema) = &facts.schema else {
        return Vec::new();
    };
    let lock_free = || Finding::ok(Check::DatabaseLock, tr!("doctor-db-lock-free"));
    match schema {
        Ok(SchemaPeek::Version(SCHEMA_VERSION)) => vec![
            Finding::ok(
                Check::DatabaseSchema,
                tr!("doctor-db-schema-current", version = SCHEMA_VERSION),
            ),
            lock_free(),
        ],
        Ok(SchemaPeek::Version(found)) if *found < SCHEMA_VERSION => vec![
            Finding::warning(
                Check::DatabaseSchema,
                tr!("doctor-db-schema-older", found = *found, current = SCHEMA_VERSION),
                tr!("doctor-db-schema-older-fix"),
            ),
            lock_free(),
        ],
        Ok(SchemaPeek::Version(found)) => vec![Finding::error(
            Check::DatabaseSchema,
            tr!("doctor-db-schema-newer", found = *found, current = SCHEMA_VERSION),
            tr!("doctor-db-schema-newer-fix"),
        )],
        Ok(SchemaPeek::NeedsOpening) => vec![Finding::warning(
            Check::DatabaseSchema,
            tr!("doctor-db-needs-recovery"),
            tr!("doctor-db-needs-recovery-fix"),
        )],
        Err(StoreError::Busy { .. }) => vec![Finding::warning(
            Check::DatabaseLock,
            tr!(
                "doctor-db-lock-held",
                seconds = format!("{:.1}", facts.busy_timeout.as_secs_f64())
            ),
            tr!("doctor-db-lock-held-fix", path = path),
        )],
        Err(error) => vec![Finding::error(
            Check::DatabaseSchema,
            error.worded(),
            tr!("doctor-db-damaged-fix"),
        )],
    }
}

fn space(facts: &FileFacts) -> Option<Finding> {
    let free = facts.free_bytes?;
    let len = facts
        .file
        .as_ref()
        .ok()
        .and_then(Option::as_ref)
        .map_or(0, |meta| meta.len);
    let least = LEAST_FREE_BYTES.max(len.saturating_mul(2));
    Some(if free < least {
        Finding::warning(
            Check::DatabaseSpace,
            tr!("doctor-db-space-low", free = size(free)),
            tr!("doctor-db-space-low-fix", least = size(least)),
        )
    } else {
        Finding::ok(Check::DatabaseSpace, tr!("doctor-db-space-ok", free = size(free)))
    })
}

pub fn audit(facts: &AuditFacts) -> Vec<Finding> {
    match facts {
        AuditFacts::Checked(report) => {
            let key_file = &report.key_file;
            if let Some(found) = &report.broken {
                return vec![Finding::error(
                    Check::AuditChain,
                    tr!("doctor-audit-broken", found = found.worded()),
                    tr!("doctor-audit-broken-fix"),
                )];
            }
            let intact = Finding::ok(Check::AuditChain, tr!("doctor-audit-intact", count = report.entries));
            let key = match report.keyed_from {
                Some(_) if !report.seals_checked => Finding::warning(
                    Check::AuditKey,
                    tr!("doctor-audit-key-missing", path = key_file.display().to_string()),
                    tr!("doctor-audit-key-missing-fix", path = key_file.display().to_string()),
                ),
                Some(first) => Finding::ok(Check::AuditKey, tr!("doctor-audit-sealed", first = first)),
                None => Finding::info(Check::AuditKey, tr!("doctor-audit-not-keyed"), None),
            };
            vec![intact, key]
        }
        AuditFacts::KeyFileUnusable(message) => vec![Finding::error(
            Check::AuditKey,
            message.clone(),
            tr!("doctor-audit-key-unusable-fix"),
        )],
        AuditFacts::Failed(message) => vec![Finding::error(
            Check::AuditChain,
            message.clone(),
            tr!("doctor-audit-failed-fix"),
        )],
        AuditFacts::NotChecked(why) => {
            let message = match why {
                Unchecked::NoDatabase => tr!("doctor-audit-no-database"),
                Unchecked::DatabaseUnready => tr!("doctor-audit-unready"),
                Unchecked::NotPermitted => tr!("doctor-audit-not-permitted"),
            };
            vec![Finding::info(Check::AuditChain, message, None)]
        }
    }
}

/// Permission bits as chmod takes them.
fn octal(mode: u32) -> String {
    format!("{:03o}", mode & 0o777)
}

/// A size in bytes, in the largest binary unit that keeps it at least 1.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}
