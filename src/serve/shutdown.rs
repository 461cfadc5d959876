//! Ending cleanly on SIGTERM (systemd, Kubernetes, `docker stop`) and SIGINT
//! (Ctrl-C): stop accepting, let requests in flight finish (up to
//! `--shutdown-timeout`), then write the Last Used times the Verifier holds
//! in memory. Without this a restart would lose up to 30 s of usage.

use tokio::signal::unix::{SignalKind, signal};

/// Which signal asked the server to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Terminate,
    Interrupt,
}

impl Stop {
    pub fn name(self) -> &'static str {
        match self {
            Stop::Terminate => "SIGTERM",
            Stop::Interrupt => "SIGINT",
        }
    }
}

/// Handlers for both signals, installed at once so that a signal arriving
/// while the server starts is not lost (the default action would kill the
/// process without flushing).
pub struct Signals {
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
}

impl Signals {
    pub fn install() -> std::io::Result<Signals> {
        Ok(Signals {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    /// Waits for the first of SIGTERM or SIGINT.
    pub async fn recv(&mut self) -> Stop {
        tokio::select! {
            _ = self.terminate.recv() => Stop::Terminate,
            _ = self.interrupt.recv() => Stop::Interrupt,
        }
    }
}
