//! The keydesk program's tests: the real `keydesk` binary run as a user,
//! script or gateway would run it (command line, full-screen TUI in a
//! pseudo-terminal, `keydesk serve` over real sockets, both stores), and the
//! program's own modules (the clipboard). What only exercises keydesk-core's
//! API is tested in that crate (`crates/keydesk-core/tests/api/`).
//!
//! One test binary with a module per area, rather than a binary per file:
//! each binary links the whole program, and one link is far cheaper than
//! thirty. The tests are threads of one process, so none may change what is
//! process-wide (environment, current directory, umask, signal handlers,
//! language): a child process gets its environment through
//! `Command::env`, and a test that needs a process of its own re-runs this
//! binary with only itself selected (see `common::only`).

mod common;
// Every backend's checks, stated once in keydesk-core's tests and run here
// against the PostgreSQL store (see `postgres`).
#[macro_use]
#[path = "../../crates/keydesk-core/tests/api/conformance/mod.rs"]
mod conformance;
mod serve;
// `keydesk serve` run on a database, shared by the `serve` tests (as
// `crate::support`) and the PostgreSQL ones.
use serve::support;

mod cli;
mod cli_concurrency;
mod cli_config;
mod cli_gateway;
mod cli_i18n;
mod cli_lifecycle;
mod cli_limit;
mod cli_log;
mod cli_terminal;
mod cli_usage;
mod cli_usage_tokens;
mod clipboard_osc52;
mod clipboard_tmux;
mod file_safety;
mod list_lang;
mod postgres;
mod secret_hygiene;
mod terminal_restore;
mod tui_ascii;
mod tui_e2e;
mod tui_lifecycle_e2e;
mod tui_log;
mod tui_mouse_e2e;
mod tui_runtime;
mod tui_usage_e2e;
mod tui_zh_e2e;
mod upgrade;
mod verifier_lifecycle;
