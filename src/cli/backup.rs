//! `keydesk backup PATH`: a copy of the database file that is consistent
//! while the TUI, other commands and verifiers use it (how, and why it is a
//! copy of the bytes under a shared lock, is in keydesk-core's
//! `store::redb_file::backup`). The copy is checked before it is put at
//! PATH, and what it holds is printed from the copy itself.
//!
//! A PostgreSQL database is backed up by PostgreSQL's own tools (`pg_dump`),
//! which take a consistent snapshot of a running server: the command says so
//! rather than copying keys through the store API, which would leave out what
//! only the server knows (roles and grants).

use std::path::Path;

use super::audit_key::KeyFile;
use super::exit::{Exit, Failure};
use super::output::write_stdout;
use super::store::{file_store, load_audit_key, postgres_url, store_path};
use crate::config::Settings;
use crate::domain::{ChainReport, Interface};
use crate::store::CopyReport;

pub fn run(dest: &Path, force: bool, settings: &Settings) -> Result<Exit, Failure> {
    if postgres_url(settings).is_some() {
        return Err(Failure::usage(tr!("cli-backup-postgres")));
    }
    let db = store_path(settings)?;
    refuse_same_file(dest, &db)?;
    if !force && exists(dest) {
        return Err(Failure::usage(tr!(
            "cli-backup-exists",
            path = dest.display().to_string()
        )));
    }
    let key = load_audit_key(settings, KeyFile::IfPresent)?;
    let store = file_store(settings, Interface::Cli)?
        .create_if_missing(false)
        .audit_key(key)
        .open()?;
    let staged = store.backup_to(dest)?;
    let report = staged.report().clone();
    staged.keep(force)?;
    let path = dest.display().to_string();
    let mut out = tr!(
        "cli-backup-done",
        keys = report.keys,
        entries = report.audit.entries,
        schema = report.schema_version,
        path = path
    ) + "\n";
    out += &chain_lines(&report, settings);
    write_stdout(&out)?;
    if let Some(found) = report.audit.broken {
        return Err(Failure {
            exit: Exit::Invalid,
            message: tr!(
                "cli-backup-chain-broken",
                found = crate::i18n::words::Worded::worded(&found)
            ),
        });
    }
    Ok(Exit::Ok)
}

/// What the copy's audit chain check found, and whether the copy needed
/// recovery: the lines both `backup` and `restore` print.
pub(super) fn chain_lines(report: &CopyReport, settings: &Settings) -> String {
    let mut out = String::new();
    if !report.was_consistent {
        out += &(tr!("cli-copy-recovered") + "\n");
    }
    let ChainReport {
        broken,
        seals_checked,
        head,
        ..
    } = &report.audit;
    if broken.is_none() {
        out += &match head {
            Some(head) => tr!("cli-copy-chain-intact", head = head.to_string()),
            None => tr!("cli-copy-chain-empty"),
        };
        out.push('\n');
    }
    if !seals_checked {
        let path = settings.audit_key_file.value.display().to_string();
        out += &(tr!("cli-log-seals-not-checked", path = path) + "\n");
    }
    out
}

/// Whether anything (even a dangling symlink) is at `path`.
pub(super) fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Refuses `other` when it is the database file itself (by name or, when
/// both exist, by identity): a backup over the database, or a restore from
/// it, would replace the file with itself.
pub(super) fn refuse_same_file(other: &Path, db: &Path) -> Result<(), Failure> {
    let same = match (std::fs::canonicalize(other), std::fs::canonicalize(db)) {
        (Ok(a), Ok(b)) => a == b,
        _ => other == db,
    };
    if same {
        return Err(Failure::usage(tr!(
            "cli-copy-same-file",
            path = db.display().to_string()
        )));
    }
    Ok(())
}
