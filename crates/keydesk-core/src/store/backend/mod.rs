//! For implementations of [`KeyStore`](super::KeyStore) other than the redb
//! file (keydesk-postgres is one): the parts of a store that must be the
//! same in every backend, so that a key behaves alike and an audit log
//! checks alike wherever it is kept, and `keydesk migrate` can move both
//! between backends.
//!
//! - [`rules`]: what each change does to a key's record and when it is
//!   refused (expiry is final, an expiry must be in the future, rotation's
//!   grace, when Last Used is due), and which secrets go into the hash
//!   index.
//! - [`chain`]: how an audit entry is encoded, sealed and chained, and how
//!   a chain is checked.
//! - Constructors a backend needs for the values it reads back and the
//!   errors it reports: [`key_id_from_stored`], [`audit_key_error`] (the
//!   other errors are [`StoreError`]'s variants, built directly).
//!
//! A program that only uses a store needs none of this.

pub mod chain;
pub mod rules;

use crate::domain::KeyId;
use crate::store::StoreError;

/// A key ID read back from a store, where it was validated when it was
/// written: not checked again, so that a record whose ID a newer keydesk
/// shaped differently stays readable.
pub fn key_id_from_stored(id: &str) -> KeyId {
    KeyId::from_stored(id)
}

/// Why the backend at `location` may not append to its audit log: the log
/// holds keyed entries and the store has no audit key, or another one.
pub fn audit_key_error(location: String, problem: chain::KeyProblem) -> StoreError {
    StoreError::audit_key(location, problem)
}
