//! keydesk's core: what a service links to check API keys, and what every
//! keydesk front-end (the TUI, the command line, `keydesk serve`) works
//! through. The [`domain`] vocabulary (key format, names, records; no I/O),
//! the [`store`] behind the [`KeyStore`] trait (an embedded redb file here;
//! PostgreSQL in keydesk-postgres), the audit chain, and the long-lived
//! [`Verifier`]. [`hardening`] keeps secrets out of core dumps and refuses
//! files others could have written.

pub mod domain;
pub mod hardening;
pub mod store;
pub mod verifier;

pub use domain::{KeyId, KeyName, KeyRecord, NameError, SecretKey};
pub use store::{KeyStore, Listing, Store, StoreError};
pub use verifier::Verifier;
