//! keydesk's core: what a service links to check API keys, and what every
//! keydesk front-end (the TUI, the command line, `keydesk serve`) works
//! through. The [`domain`] vocabulary (key format, names, records; no I/O),
//! the [`store`] behind the [`KeyStore`] trait (an embedded redb file here;
//! PostgreSQL in keydesk-postgres), the audit chain, and the long-lived
//! [`Verifier`]. [`hardening`] keeps secrets out of core dumps and refuses
//! files others could have written.
//!
//! # A service checking keys
//!
//! A service opens the store its operators manage (with the TUI or
//! `keydesk create`), starts one [`Verifier`] and asks it about every key a
//! client presents. The verifier answers from memory, follows the store's
//! changes in the background and records Last Used and usage counts; its
//! answer is the key's ID or nothing, never why a key was refused, so a
//! caller learns no more than "yes" or "no".
//!
//! ```
//! use keydesk_core::{KeyName, KeyStore, Store, Verifier};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("keys.redb");
//!
//! // What an operator does once: create the store and a key, and hand the
//! // secret to the client (it is shown this once; only its hash is kept).
//! let (secret, record) = Store::open(&path)?.create(&KeyName::parse("billing-service")?)?;
//!
//! // The service: one verifier for the whole process, on the existing store.
//! let verifier = Verifier::open(&path)?;
//! for presented in [secret.expose(), "sk-not-a-key"] {
//!     let verdict = verifier.verify(presented);
//!     match verdict {
//!         Some(id) => {
//!             assert_eq!(id, record.id);
//!             println!("accepted: key {id}");
//!         }
//!         None => println!("refused"),
//!     }
//! }
//! assert_eq!(verifier.verify("sk-not-a-key"), None);
//!
//! // Health for a readiness probe; `close` writes the noted uses and says
//! // whether that worked.
//! assert!(verifier.health().is_ok());
//! assert_eq!(verifier.close()?, 1, "the accepted key's Last Used was written");
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

pub mod domain;
pub mod hardening;
pub mod limit;
pub mod store;
pub mod verifier;

pub use domain::{KeyId, KeyName, KeyRecord, NameError, SecretKey};
pub use store::{KeyStore, Listing, Store, StoreError};
pub use verifier::Verifier;
