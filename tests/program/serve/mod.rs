//! `keydesk serve`, tested through the real binary over real sockets: the
//! forward-auth endpoint, proxy mode, TLS, bad input, and the real nginx and Caddy
//! in front of it (skipped, saying so, when they are not installed).

mod abuse;
mod access_log;
pub mod api_stub;
mod budgets;
mod gateways;
mod logging;
mod openai_sdk;
mod policy;
mod proxy;
pub mod support;
mod tls;
mod tokens;
mod verify;
mod websocket;
