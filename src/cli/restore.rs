//! `keydesk restore PATH`: a backup put back as the database. Everything is
//! checked on a copy of the backup beside the database (schema, redb's
//! integrity check, every record, the audit chain) before the database is
//! touched; a database already there is replaced only with `--force`, and
//! kept as `<db>.before-restore`.
//!
//! No audit entry records the restore: the log's events are a closed,
//! versioned encoding that keydesk of the same schema must be able to read,
//! so a new kind of event needs a schema change. The restored log is the
//! backup's, as it was (its head is printed for the operator's records);
//! the replaced database, with its whole log, is kept beside it.

use std::path::{Path, PathBuf};

use super::audit_key::KeyFile;
use super::backup::{chain_lines, exists, refuse_same_file};
use super::exit::{Exit, Failure};
use super::output::write_stdout;
use super::store::{file_store, load_audit_key, postgres_url, store_path};
use crate::config::Settings;
use crate::domain::Interface;

pub fn run(backup: &Path, force: bool, settings: &Settings) -> Result<Exit, Failure> {
    if postgres_url(settings).is_some() {
        return Err(Failure::usage(tr!("cli-restore-postgres")));
    }
    let db = store_path(settings)?;
    refuse_same_file(backup, &db)?;
    let replacing = exists(&db);
    let keep_as = kept_name(&db);
    if replacing && !force {
        return Err(Failure::usage(tr!("cli-restore-exists", db = db.display().to_string())));
    }
    if replacing && exists(&keep_as) {
        return Err(Failure::usage(tr!(
            "cli-restore-kept-exists",
            kept = keep_as.display().to_string()
        )));
    }
    let key = load_audit_key(settings, KeyFile::IfPresent)?;
    let staged = file_store(settings, Interface::Cli)?
        .audit_key(key)
        .stage_restore(backup)?;
    let report = staged.report().clone();
    if let Some(found) = report.audit.broken {
        return Err(Failure {
            exit: Exit::Invalid,
            message: tr!(
                "cli-restore-chain-broken",
                path = backup.display().to_string(),
                found = crate::i18n::words::Worded::worded(&found)
            ),
        });
    }
    match replacing {
        true => staged.replace(&keep_as)?,
        false => staged.keep(false)?,
    }
    let mut out = tr!(
        "cli-restore-done",
        keys = report.keys,
        entries = report.audit.entries,
        schema = report.schema_found,
        path = backup.display().to_string(),
        db = db.display().to_string()
    ) + "\n";
    if report.schema_found != report.schema_version {
        out += &(tr!(
            "cli-restore-upgraded",
            from = report.schema_found,
            to = report.schema_version
        ) + "\n");
    }
    out += &chain_lines(&report, settings);
    if replacing {
        out += &(tr!("cli-restore-kept", kept = keep_as.display().to_string()) + "\n");
    }
    write_stdout(&out)?;
    Ok(Exit::Ok)
}

/// `<db>.before-restore`.
fn kept_name(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".before-restore");
    PathBuf::from(name)
}
