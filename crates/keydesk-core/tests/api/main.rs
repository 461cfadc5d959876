//! keydesk-core through its public API, as a service linking it would use
//! it: the redb store (with the conformance suite every backend passes), the
//! Verifier, the audit log, crash safety. The `keydesk` program's tests are
//! in the root package's `tests/program/`; they run the conformance suite
//! against the PostgreSQL store from these same files.
//!
//! One test binary with a module per area (one link instead of one per
//! file). The tests are threads of one process, so none may change what is
//! process-wide; a test that needs a process of its own re-runs this binary
//! with only itself selected (see `common::only`).

mod common;
#[macro_use]
mod conformance;

mod actor_lookup;
mod crash_safety;
mod store;
mod verifier;
mod verifier_tokens;
mod verifier_usage;
mod verify_abuse;
