//! keydesk: manage the API keys of an AI service from the terminal.
//!
//! The library is what services link to check keys: the [`domain`] vocabulary
//! (key format, names, records; no I/O), the [`store`] behind the
//! [`KeyStore`] trait (an embedded redb file by default), and the long-lived
//! [`Verifier`]. With `default-features = false` that is all it is:
//!
//! ```toml
//! keydesk = { version = "0.1", default-features = false }
//! ```
//!
//! The default `tui` feature adds what the `keydesk` program is made of: the
//! full-screen TUI, the scriptable [`cli`], the [`clipboard`] (desktop or SSH),
//! and [`display`] (how stored values are shown).
//!
//! The default `serve` feature adds `keydesk serve` (the `serve` module): an
//! HTTP forward-auth endpoint and authenticating proxy on tokio and hyper.
//!
//! [`display`] is how values are shown to people
//! (times in a stated offset, safe text, the key table's columns), shared by
//! [`cli`], the scriptable command line, and [`tui`], the full-screen app.
//! [`clipboard`] gets a copied key to the user (desktop or SSH), [`agreement`]
//! is the text a user accepts before a key is made, and [`hardening`] keeps
//! secrets out of core dumps.

// First, so that `tr!` is in scope in every module below.
#[macro_use]
pub mod i18n;

pub mod domain;
pub mod hardening;
pub mod store;
pub mod verifier;

#[cfg(feature = "tui")]
pub mod agreement;
#[cfg(feature = "tui")]
pub mod cli;
#[cfg(feature = "tui")]
pub mod clipboard;
#[cfg(feature = "tui")]
pub mod config;
#[cfg(feature = "tui")]
pub mod display;
#[cfg(feature = "tui")]
pub mod tui;

#[cfg(feature = "serve")]
pub mod serve;

pub use domain::{KeyId, KeyName, KeyRecord, NameError, SecretKey};
pub use store::{KeyStore, Listing, Store, StoreError};
pub use verifier::Verifier;
