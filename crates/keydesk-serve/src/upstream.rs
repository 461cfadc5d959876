//! The connections to the upstream in proxy mode: each client connection is
//! paired with its own upstream connection, opened on its first forwarded
//! request and driven on the client connection's own task.
//!
//! Why not a pool: with hyper's pooled client every request went through a
//! pool checkout, and every upstream connection had a task of its own with
//! channels between it and the request (and the response body passed through
//! one more), so one proxied request woke several tasks, often on the other
//! worker thread. Paired, a request and its answer stay on one task: the
//! client connection, its service, the upstream connection and both bodies
//! are polled together. nginx's `proxy_pass` with `keepalive` holds about the
//! same number of upstream connections (one per busy client connection).
//!
//! An upstream connection that closed (the upstream ended keep-alive) is
//! replaced on the next request; a request the old connection never took is
//! sent again on the new one. Upgrades (WebSocket) get a connection of their
//! own, spawned on a task, which is handed over to the upgraded stream.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use http_body_util::{Either, Full};
use hyper::Request;
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1::{self, Connection, SendRequest};
use hyper::http::Response;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// A forwarded request's body: the client's, streamed through, or one read
/// whole first (to find the model a key's policy limits) and sent unchanged.
pub type Outgoing = Either<Incoming, Full<Bytes>>;

type Driver = Pin<Box<Connection<TokioIo<TcpStream>, Outgoing>>>;

/// Where the upstream is and how long a connection may take.
#[derive(Debug, Clone)]
pub struct Target {
    /// `host:port`, resolved on each connect unless it is an IP address.
    pub address: String,
    /// The address itself when it is an IP address and port: no lookup.
    pub resolved: Option<SocketAddr>,
    /// How long one connection attempt may take before the request fails.
    pub connect_timeout: Duration,
}

/// Why a request could not be forwarded.
#[derive(Debug)]
pub enum Failure {
    /// Could not connect, or the connection failed: 502.
    Unreachable,
}

impl Target {
    async fn connect(&self) -> Result<TcpStream, Failure> {
        let connecting = async {
            match self.resolved {
                Some(addr) => TcpStream::connect(addr).await,
                None => TcpStream::connect(self.address.as_str()).await,
            }
        };
        let stream = tokio::time::timeout(self.connect_timeout, connecting)
            .await
            .map_err(|_| Failure::Unreachable)?
            .map_err(|_| Failure::Unreachable)?;
        // Requests and answers are small and must not wait for Nagle's timer.
        let _ = stream.set_nodelay(true);
        Ok(stream)
    }

    async fn handshake(&self) -> Result<(SendRequest<Outgoing>, Connection<TokioIo<TcpStream>, Outgoing>), Failure> {
        let stream = self.connect().await?;
        http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|_| Failure::Unreachable)
    }

    /// Sends an upgrade request (WebSocket) on a connection of its own,
    /// whose driver runs on its own task so that it outlives the client
    /// connection's HTTP phase and hands its stream to the upgrade.
    pub async fn send_upgrade(&self, request: Request<Outgoing>) -> Result<Response<Incoming>, Failure> {
        let (mut sender, connection) = self.handshake().await?;
        tokio::spawn(async move {
            let _ = connection.with_upgrades().await;
        });
        sender.send_request(request).await.map_err(|_| Failure::Unreachable)
    }
}

/// One client connection's upstream connection.
pub struct Paired {
    sender: Mutex<Option<SendRequest<Outgoing>>>,
    drivers: UnboundedSender<Driver>,
}

/// The receiving end of [`Paired`]: the upstream connections to drive on
/// the client connection's task, polled by [`run_paired`].
pub struct Drivers {
    new: UnboundedReceiver<Driver>,
    running: Vec<Driver>,
}

impl Paired {
    /// A pairing of client connections to upstream ones, and the drivers
    /// of the upstream connections it opens, to be run beside it.
    pub fn new() -> (Paired, Drivers) {
        let (drivers, new) = unbounded_channel();
        let paired = Paired {
            sender: Mutex::new(None),
            drivers,
        };
        (
            paired,
            Drivers {
                new,
                running: Vec::new(),
            },
        )
    }

    /// Sends a request on this client connection's upstream connection,
    /// opening it (again) when there is none or it has closed.
    pub async fn send(&self, target: &Target, request: Request<Outgoing>) -> Result<Response<Incoming>, Failure> {
        let mut request = request;
        let reused = self.sender.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(mut sender) = reused
            && sender.ready().await.is_ok()
        {
            match sender.try_send_request(request).await {
                Ok(response) => {
                    self.put_back(sender);
                    return Ok(response);
                }
                // The connection closed before it took the request (an
                // upstream ending keep-alive): send it on a new one.
                Err(mut error) => match error.take_message() {
                    Some(unsent) => request = unsent,
                    None => return Err(Failure::Unreachable),
                },
            }
        }
        let (mut sender, connection) = target.handshake().await?;
        // The client connection's task polls it from now on; if that task
        // has ended there is no one to answer anyway.
        let _ = self.drivers.send(Box::pin(connection));
        let response = sender.send_request(request).await.map_err(|_| Failure::Unreachable)?;
        self.put_back(sender);
        Ok(response)
    }

    fn put_back(&self, sender: SendRequest<Outgoing>) {
        *self.sender.lock().unwrap_or_else(|e| e.into_inner()) = Some(sender);
    }
}

impl Drivers {
    fn poll(&mut self, cx: &mut Context<'_>) {
        while let Poll::Ready(Some(driver)) = self.new.poll_recv(cx) {
            self.running.push(driver);
        }
        // A connection's errors (the upstream closed it) surface to the
        // request that was using it; here a finished driver is just dropped.
        self.running.retain_mut(|driver| driver.as_mut().poll(cx).is_pending());
    }
}

/// Runs a client connection until it ends, polling the upstream
/// connections paired with it on the same task. When the client connection
/// ends, its upstream connections are closed with it.
pub async fn run_paired<F: Future>(connection: F, mut drivers: Drivers) -> F::Output {
    let mut connection = std::pin::pin!(connection);
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(output) = connection.as_mut().poll(cx) {
            return Poll::Ready(output);
        }
        drivers.poll(cx);
        // A driver that just made progress may have woken the client
        // connection (an answer arrived): it was woken through this task's
        // waker, so the task is polled again.
        Poll::Pending
    })
    .await
}
