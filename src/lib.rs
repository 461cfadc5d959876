//! keydesk: manage the API keys of an AI service from the terminal.
//!
//! The library is what services link to check keys ([`Store::verify`]); the
//! `keydesk` binary adds the TUI and a scriptable CLI on top of it.
//!
//! Layout: [`domain`] is the vocabulary (key format, names, records; no I/O),
//! [`store`] persists it in redb.

pub mod domain;
pub mod store;
pub mod verifier;

pub use domain::{KeyId, KeyName, KeyRecord, NameError, SecretKey};
pub use store::{Listing, Store, StoreError};
pub use verifier::Verifier;
