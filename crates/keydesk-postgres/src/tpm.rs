//! `tpm` windows shared by every gateway on one database: the
//! [`SharedTokens`] of `keydesk_core::limit::shared_tokens`, in PostgreSQL.
//!
//! `keydesk_tpm_seconds` holds, per (key, Unix second, gateway), the
//! tokens that gateway counted in that second. Each exchange (a gateway's
//! sync, once a second; or a key's first check) upserts this gateway's
//! seconds counted since its last exchange (the last one again: it may
//! have grown), deletes rows older than [`KEPT_SECONDS`], and sums the
//! other gateways' rows of the asked keys over the last 60 seconds. Rows
//! go by age, never by key, so an exchange waits on no key's row.
//!
//! It runs on the caller's (blocking) thread on a pooled connection of the
//! store, under its connect and call deadlines: a server that does not
//! answer makes the exchange fail, and the gateway then enforces its own
//! window (see `keydesk-serve`'s `budgets.rs`).

use std::sync::Arc;

use keydesk_core::domain::KeyId;
use keydesk_core::limit::shared::SharedError;
use keydesk_core::limit::{SecondTokens, SharedTokens};

use super::PgStore;
use super::client::{self, Client};
use super::connect::{self, Connector};
use super::leases::gateway_name;

/// Rows older than this many seconds are deleted: twice the window, so a
/// gateway whose clock is a little behind still finds the others' rows.
pub const KEPT_SECONDS: i64 = 120;
/// The `tpm` window, in seconds.
const WINDOW_SECONDS: i64 = 60;

/// One gateway's share of the fleet's `tpm` windows, on `PgStore`'s
/// database and connections.
pub struct PgTokenWindows {
    connector: Arc<Connector>,
    gateway: String,
}

impl std::fmt::Debug for PgTokenWindows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTokenWindows")
            .field("gateway", &self.gateway)
            .finish_non_exhaustive()
    }
}

impl PgTokenWindows {
    /// This gateway's share, under a name no other gateway has.
    pub fn new(store: &PgStore) -> PgTokenWindows {
        PgTokenWindows {
            connector: Arc::clone(&store.connector),
            gateway: gateway_name(),
        }
    }
}

impl SharedTokens for PgTokenWindows {
    fn exchange(&self, mine: &[SecondTokens], keys: &[KeyId], now: i64) -> Result<Vec<SecondTokens>, SharedError> {
        let location = self.connector.location().to_owned();
        self.connector
            .with_client(|client| {
                exchange(client, &self.gateway, mine, keys, now).map_err(|e| connect::error(&location, e))
            })
            .map_err(|e| SharedError::Failed(e.to_string()))
    }
}

fn exchange(
    client: &mut Client,
    gateway: &str,
    mine: &[SecondTokens],
    keys: &[KeyId],
    now: i64,
) -> Result<Vec<SecondTokens>, client::Error> {
    if !mine.is_empty() {
        let ids: Vec<&str> = mine.iter().map(|s| s.key.as_str()).collect();
        let seconds: Vec<i64> = mine.iter().map(|s| s.second).collect();
        let tokens: Vec<i64> = mine.iter().map(|s| s.tokens.min(i64::MAX as u64) as i64).collect();
        client.execute(
            "INSERT INTO keydesk_tpm_seconds (key_id, gateway, second, tokens) \
             SELECT k, $2, s, t FROM unnest($1::text[], $3::bigint[], $4::bigint[]) AS mine(k, s, t) \
             ON CONFLICT (key_id, second, gateway) DO UPDATE SET tokens = EXCLUDED.tokens",
            &[&ids, &gateway, &seconds, &tokens],
        )?;
    }
    client.execute(
        "DELETE FROM keydesk_tpm_seconds WHERE second < $1",
        &[&(now - KEPT_SECONDS)],
    )?;
    let ids: Vec<&str> = keys.iter().map(KeyId::as_str).collect();
    let rows = client.query(
        "SELECT key_id, second, sum(tokens)::bigint FROM keydesk_tpm_seconds \
         WHERE key_id = ANY($1) AND gateway <> $2 AND second > $3 \
         GROUP BY key_id, second",
        &[&ids, &gateway, &(now - WINDOW_SECONDS)],
    )?;
    let mut others = Vec::with_capacity(rows.len());
    for row in rows {
        others.push(SecondTokens {
            key: keydesk_core::store::backend::key_id_from_stored(row.get::<_, &str>(0)),
            second: row.get(1),
            tokens: row.get::<_, i64>(2).max(0) as u64,
        });
    }
    Ok(others)
}
