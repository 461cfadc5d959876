//! `tpm` shared by a fleet of gateways: each publishes the tokens it
//! counted per key and second to a store all of them reach (PostgreSQL, in
//! `keydesk-postgres`), and reads the others' back, off the request path.
//!
//! Unlike request rates ([`super::shared`]), tokens cannot be leased: a
//! request's tokens are known only when its answer ends, so nothing can be
//! reserved for it. A gateway therefore checks a `tpm` rule against its own
//! window ([`super::tokens::TokenWindow`]) plus the others' tokens of the
//! last 60 seconds as last read; the bound this gives (a function of the
//! gateways, the sync interval and the answers in flight) is stated where
//! the exchange runs, in `keydesk-serve`'s `budgets.rs`, and in
//! `docs/limits.md`.

use crate::domain::KeyId;

use super::shared::SharedError;

/// Tokens of one key counted in one Unix second (by the counting
/// gateway's clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondTokens {
    /// The key whose answers they were.
    pub key: KeyId,
    /// The Unix second they were counted in.
    pub second: i64,
    /// Input and output tokens, together.
    pub tokens: u64,
}

/// The store through which a fleet's gateways share their `tpm` windows.
///
/// Called off the request path (a sync, or a key's first check on a
/// blocking thread); an implementation may wait for its store, within its
/// call deadline.
pub trait SharedTokens: Send + Sync {
    /// Publishes this gateway's `mine` (a second published again replaces
    /// its count: it grew), and returns the other gateways' tokens of
    /// `keys` counted in the 60 seconds ending with Unix second `now`, by
    /// key and second. Forgets what is too old to matter.
    fn exchange(&self, mine: &[SecondTokens], keys: &[KeyId], now: i64) -> Result<Vec<SecondTokens>, SharedError>;
}
