//! keydesk: manage the API keys of an AI service from the terminal.
//!
//! The library is what services link to check keys ([`Store::verify`]); the
//! `keydesk` binary adds the TUI and a scriptable CLI on top of it.
//!
//! Layout: [`domain`] is the vocabulary (key format, names, records; no I/O),
//! [`store`] persists it in redb and [`verifier`] checks keys from memory for
//! long-running services. [`display`] is how values are shown to people
//! (times in a stated offset, safe text, the key table's columns), shared by
//! [`cli`], the scriptable command line, and [`tui`], the full-screen app.
//! [`clipboard`] gets a copied key to the user (desktop or SSH), [`agreement`]
//! is the text a user accepts before a key is made, and [`hardening`] keeps
//! secrets out of core dumps.

pub mod agreement;
pub mod cli;
pub mod clipboard;
pub mod display;
pub mod domain;
pub mod hardening;
pub mod store;
pub mod tui;
pub mod verifier;

pub use domain::{KeyId, KeyName, KeyRecord, NameError, SecretKey};
pub use store::{Listing, Store, StoreError};
pub use verifier::Verifier;
