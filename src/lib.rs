//! The keydesk program: the full-screen [`tui`], the scriptable [`cli`], the
//! [`config`] file, the [`clipboard`] (desktop or SSH) and [`display`] (how
//! stored values are shown, shared by the CLI and the TUI). [`agreement`] is
//! the text a user accepts before a key is made.
//!
//! This library target exists so that the program's tests and benchmarks can
//! drive its parts; it is not an API. Services link `keydesk-core`.

// First, so that `tr!` is in scope in every module below.
#[macro_use]
pub extern crate keydesk_i18n as i18n;

// The layers below the program, under the names the program's modules use.
pub use keydesk_core::{domain, hardening, store, verifier};
#[cfg(feature = "serve")]
pub use keydesk_serve as serve;

pub mod agreement;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod display;
pub mod tui;

pub use keydesk_core::{
    KeyId, KeyName, KeyRecord, KeyStore, Listing, NameError, SecretKey, Store, StoreError, Verifier,
};
