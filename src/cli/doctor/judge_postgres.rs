//! Judging a PostgreSQL database: reached, encrypted where it leaves the
//! host, keydesk's schema, and what the login may do. Pure: the look at the
//! server is `gather`'s.

use keydesk_postgres::{PG_SCHEMA_VERSION, PgRole, PgSchema};

use super::facts::{PgFacts, PgProblem};
use super::finding::{Check, Finding};
use crate::StoreError;
use crate::i18n::words::Worded;

pub fn postgres(facts: &PgFacts) -> Vec<Finding> {
    let location = facts.location.clone();
    let inspection = match &facts.inspected {
        Err(PgProblem::Setup(message)) => {
            return vec![Finding::error(
                Check::PostgresReachable,
                message.clone(),
                tr!("doctor-pg-setup-fix"),
            )];
        }
        Err(PgProblem::Store(error @ StoreError::Unreachable { .. })) => {
            return vec![Finding::error(
                Check::PostgresReachable,
                error.worded(),
                tr!("doctor-pg-unreachable-fix", location = location),
            )];
        }
        Err(PgProblem::Store(error)) => {
            return vec![Finding::error(
                Check::PostgresReachable,
                error.worded(),
                tr!("doctor-pg-refused-fix"),
            )];
        }
        Ok(inspection) => inspection,
    };
    let mut findings = vec![
        Finding::ok(
            Check::PostgresReachable,
            tr!("doctor-pg-reachable", location = location),
        ),
        tls(inspection.encrypted, inspection.local),
        schema(inspection.schema),
    ];
    findings.extend(inspection.role.map(role));
    findings
}

/// Unencrypted across a network, the login's password and every key hash
/// pass in the clear: a warning. On a socket or loopback there is no
/// network to cross.
fn tls(encrypted: bool, local: bool) -> Finding {
    match (encrypted, local) {
        (true, _) => Finding::ok(Check::PostgresTls, tr!("doctor-pg-tls-on")),
        (false, true) => Finding::ok(Check::PostgresTls, tr!("doctor-pg-tls-local")),
        (false, false) => Finding::warning(
            Check::PostgresTls,
            tr!("doctor-pg-tls-off"),
            tr!("doctor-pg-tls-off-fix"),
        ),
    }
}

fn schema(schema: PgSchema) -> Finding {
    match schema {
        PgSchema::Current => Finding::ok(
            Check::PostgresSchema,
            tr!("doctor-db-schema-current", version = PG_SCHEMA_VERSION),
        ),
        PgSchema::Empty => Finding::error(
            Check::PostgresSchema,
            tr!("doctor-pg-schema-empty"),
            tr!("doctor-pg-schema-empty-fix"),
        ),
        PgSchema::Older(found) => Finding::warning(
            Check::PostgresSchema,
            tr!("doctor-db-schema-older", found = found, current = PG_SCHEMA_VERSION),
            tr!("doctor-pg-schema-older-fix"),
        ),
        PgSchema::Newer(found) => Finding::error(
            Check::PostgresSchema,
            tr!("doctor-db-schema-newer", found = found, current = PG_SCHEMA_VERSION),
            tr!("doctor-db-schema-newer-fix"),
        ),
    }
}

/// The owner works, with more power than a day's work needs: information,
/// with the roles that need less.
fn role(role: PgRole) -> Finding {
    match role {
        PgRole::Owner => Finding::info(
            Check::PostgresRole,
            tr!("doctor-pg-role-owner"),
            tr!("doctor-pg-role-owner-fix"),
        ),
        PgRole::Admin => Finding::ok(Check::PostgresRole, tr!("doctor-pg-role-admin")),
        PgRole::Verifier => Finding::ok(Check::PostgresRole, tr!("doctor-pg-role-verifier")),
        PgRole::Neither => Finding::error(
            Check::PostgresRole,
            tr!("doctor-pg-role-none"),
            tr!("doctor-pg-role-none-fix"),
        ),
    }
}
