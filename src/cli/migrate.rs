//! `keydesk migrate --from FILE --to postgres://…`: a file's keys and audit
//! log copied into PostgreSQL, with the counts checked on both sides.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use super::{Exit, Failure, GlobalArgs, db_password, refuse_password_on_command_line};
use crate::domain::{Actor, AuditQuery, Interface};
use crate::store::postgres::{Imported, PgStore};
use crate::{KeyStore, Store};

pub fn run(from: &Path, to: &str, global: &GlobalArgs) -> Result<Exit, Failure> {
    if !crate::store::postgres::is_postgres_url(to) {
        return Err(Failure::usage("--to must be a PostgreSQL URL, postgres://user@host/db"));
    }
    refuse_password_on_command_line(to, "--to")?;
    let actor = Actor::from_process(Interface::Cli);
    let source = Store::open_existing_as(from, crate::store::RetryPolicy::default(), actor.clone())?;
    let records = source.list()?;
    let mut entries = source.audit_entries(&AuditQuery::default())?;
    entries.reverse(); // oldest first, as they are chained
    let target = PgStore::open(to, db_password(global)?, actor)?;
    let imported = target.import(&records, &entries)?;

    // Checked on the other side, after the commit: every key is there, the
    // log holds every entry and its chain is intact.
    let there: HashSet<_> = target.list()?.into_iter().map(|r| r.id).collect();
    let missing = records.iter().filter(|r| !there.contains(&r.id)).count();
    let chain = target.check_audit_chain()?;
    let checks_out = missing == 0 && imported.entries_total >= entries.len() && chain.is_none();
    report(&imported, records.len(), entries.len(), checks_out).map_err(Failure::from)?;
    if !checks_out {
        return Err(Failure {
            exit: Exit::Database,
            message: format!(
                "the copy does not check out: {missing} keys missing in PostgreSQL, {} of {} audit entries, chain: {}",
                imported.entries_total,
                entries.len(),
                chain.map_or("intact".to_owned(), |b| b.to_string())
            ),
        });
    }
    Ok(Exit::Ok)
}

fn report(imported: &Imported, keys: usize, entries: usize, checks_out: bool) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "keys: {keys} in the file; {} copied, {} already in PostgreSQL ({} of them differ there and were left as they are)",
        imported.keys_copied, imported.keys_present, imported.keys_differing
    )?;
    writeln!(
        out,
        "audit log: {entries} entries in the file; {} copied, {} already there",
        imported.entries_copied, imported.entries_present
    )?;
    let verdict = if checks_out {
        "every key of the file is there and the chain is intact"
    } else {
        "THE CHECK FAILED (below)"
    };
    writeln!(
        out,
        "PostgreSQL now holds {} keys and {} audit entries; {verdict}",
        imported.keys_total, imported.entries_total
    )
}
