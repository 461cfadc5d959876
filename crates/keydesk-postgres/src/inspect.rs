//! What `keydesk doctor` asks a server, read only: whether this connection
//! is encrypted and whether it leaves the host, which schema keydesk's
//! tables have, and what the login may do with them. Nothing is created or
//! upgraded here (opening a [`PgStore`](crate::PgStore) would upgrade an
//! older schema), so a doctor run never changes the database it examines.

use keydesk_core::store::StoreError;
use zeroize::Zeroizing;

use super::client::{Client, Error};
use super::connect::{Connector, error};
use super::schema::SCHEMA_VERSION;

/// What one look at the server found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// The server and database, as messages show them (never the password).
    pub location: String,
    /// Whether this connection uses TLS (`pg_stat_ssl`).
    pub encrypted: bool,
    /// Whether it stays on this host: a Unix socket or a loopback address.
    pub local: bool,
    /// keydesk's tables.
    pub schema: PgSchema,
    /// What the login may do with them; `None` when there are no tables.
    pub role: Option<PgRole>,
}

/// The schema version keydesk's tables record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PgSchema {
    /// The version this build writes.
    Current,
    /// No keydesk tables in this database.
    Empty,
    /// An older version: the owner's next `keydesk` run upgrades it.
    Older(u64),
    /// Set up by a newer keydesk: this build refuses it.
    Newer(u64),
}

/// What the login may do, judged by its privileges rather than by the names
/// of the roles in `sql/postgres-roles.sql`, so that any equivalent setup
/// is recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PgRole {
    /// Owns the tables: may upgrade the schema, and everything else.
    Owner,
    /// May manage keys and write the audit log (`keydesk_admin`).
    Admin,
    /// May read the hash index but not change keys (`keydesk_verifier`).
    Verifier,
    /// May not read the keys at all.
    Neither,
}

/// Connects to `url` once and looks; an error is the connection's (not
/// reached, refused, a bad certificate), worded as opening a store words it.
pub fn inspect(url: &str, password: Option<Zeroizing<String>>) -> Result<Inspection, StoreError> {
    let connector = Connector::new(url, password)?;
    let location = connector.location().to_owned();
    let mut client = connector.connect()?;
    let looked = look(&mut client).map_err(|e| error(&location, e))?;
    let (encrypted, schema, role) = looked;
    Ok(Inspection {
        local: connector.is_local(),
        location,
        encrypted,
        schema,
        role,
    })
}

fn look(client: &mut Client) -> Result<(bool, PgSchema, Option<PgRole>), Error> {
    let encrypted: Option<bool> = client
        .query_one("SELECT (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())", &[])?
        .get(0);
    let schema = schema(client)?;
    let role = match schema {
        PgSchema::Empty => None,
        _ => Some(role(client)?),
    };
    Ok((encrypted.unwrap_or(false), schema, role))
}

fn schema(client: &mut Client) -> Result<PgSchema, Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass('keydesk_schema_migrations') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(PgSchema::Empty);
    }
    let version: Option<i64> = client
        .query_one("SELECT max(version) FROM keydesk_schema_migrations", &[])?
        .get(0);
    Ok(match version.unwrap_or(0) as u64 {
        SCHEMA_VERSION => PgSchema::Current,
        newer if newer > SCHEMA_VERSION => PgSchema::Newer(newer),
        older => PgSchema::Older(older),
    })
}

fn role(client: &mut Client) -> Result<PgRole, Error> {
    let row = client.query_one(
        "SELECT coalesce((SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c
                          WHERE c.oid = to_regclass('keydesk_keys')), false),
                to_regclass('keydesk_keys') IS NOT NULL AND has_table_privilege('keydesk_keys', 'INSERT'),
                to_regclass('keydesk_audit') IS NOT NULL AND has_table_privilege('keydesk_audit', 'INSERT'),
                to_regclass('keydesk_keys') IS NOT NULL AND has_table_privilege('keydesk_keys', 'SELECT')",
        &[],
    )?;
    let (owner, create, audit, read): (bool, bool, bool, bool) = (row.get(0), row.get(1), row.get(2), row.get(3));
    Ok(match () {
        _ if owner => PgRole::Owner,
        _ if create && audit => PgRole::Admin,
        _ if read => PgRole::Verifier,
        _ => PgRole::Neither,
    })
}
