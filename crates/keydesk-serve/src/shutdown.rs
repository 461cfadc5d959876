//! Ending cleanly on SIGTERM (systemd, Kubernetes, `docker stop`) and SIGINT
//! (Ctrl-C): stop accepting, let requests in flight finish (up to
//! `--shutdown-timeout`), then write the Last Used times the Verifier holds
//! in memory. Without this a restart would lose up to 30 s of usage.

use std::future::Future;
use std::pin::Pin;

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

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

/// Graceful shutdown of open connections: each connection holds a
/// [`Watcher`]; [`Graceful::shutdown`] tells them all to finish the request
/// in flight and close, and waits until every one has. (hyper-util's
/// `GracefulShutdown` cannot watch a connection that allows upgrades, which
/// proxy mode needs for WebSocket.)
pub struct Graceful {
    stop: watch::Sender<bool>,
}

/// One connection's view of a [`Graceful`].
pub struct Watcher {
    stop: watch::Receiver<bool>,
}

/// A hyper connection that can be asked to finish and close.
pub trait GracefulConnection: Future {
    fn graceful_shutdown(self: Pin<&mut Self>);
}

impl Default for Graceful {
    fn default() -> Self {
        Graceful {
            stop: watch::Sender::new(false),
        }
    }
}

impl Graceful {
    pub fn watcher(&self) -> Watcher {
        Watcher {
            stop: self.stop.subscribe(),
        }
    }

    /// Asks every connection to finish and waits until all have closed.
    pub async fn shutdown(self) {
        self.stop.send_replace(true);
        self.stop.closed().await;
    }
}

impl Watcher {
    /// Runs `connection`, shutting it down gracefully when asked.
    pub async fn watch<C: GracefulConnection>(mut self, connection: C) -> C::Output {
        let mut connection = std::pin::pin!(connection);
        let mut asked = false;
        loop {
            tokio::select! {
                output = connection.as_mut() => return output,
                changed = self.stop.wait_for(|stop| *stop), if !asked => {
                    asked = true;
                    if changed.is_ok() {
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
        }
    }
}

impl<I, S, B> GracefulConnection for hyper::server::conn::http1::Connection<I, S>
where
    S: hyper::service::HttpService<hyper::body::Incoming, ResBody = B>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    I: hyper::rt::Read + hyper::rt::Write + Unpin + 'static,
    B: hyper::body::Body + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        hyper::server::conn::http1::Connection::graceful_shutdown(self);
    }
}

impl<I, S, B> GracefulConnection for hyper::server::conn::http1::UpgradeableConnection<I, S>
where
    S: hyper::service::HttpService<hyper::body::Incoming, ResBody = B>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    B: hyper::body::Body + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        hyper::server::conn::http1::UpgradeableConnection::graceful_shutdown(self);
    }
}
