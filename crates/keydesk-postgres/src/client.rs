//! A blocking PostgreSQL connection in which every call has a deadline.
//!
//! The `postgres` crate's blocking client waits for the server as long as
//! it takes. A server that hangs (stopped, its host frozen, a partition that
//! drops packets) or a port that accepts and then says nothing holds the
//! caller for ever, and with it every lock the caller holds: a gateway kept
//! answering from an index it could no longer refresh, and a command hung
//! for minutes. TCP keepalives and `TCP_USER_TIMEOUT` do not help against a
//! frozen server, whose kernel still acknowledges everything.
//!
//! So this is that client's own design — a tokio-postgres connection driven
//! by a single-threaded runtime on the calling thread — with each call run
//! under a timeout: the start-up (TCP connect, TLS and login together)
//! within the connect deadline, every statement within the call deadline.
//! A call that runs out drops the connection, which closes its socket (the
//! server rolls back whatever it had begun), and marks the client closed,
//! so the pool makes a new one for the next call.

use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::ops::{Deref, DerefMut};
use std::pin::pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::types::ToSql;
use tokio_postgres::{AsyncMessage, Config, Notification, Row, Socket, ToStatement};

/// Why a call failed.
#[derive(Debug)]
pub enum Error {
    /// The server's or the client's own error.
    Pg(tokio_postgres::Error),
    /// The start-up did not finish within this.
    ConnectTimedOut(Duration),
    /// The server did not answer a call within this.
    TimedOut(Duration),
    /// The connection was closed (by a timeout, or by the server).
    Closed,
    /// No runtime could be made for the connection (out of threads or
    /// file descriptors).
    Runtime(std::io::Error),
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        Error::Pg(e)
    }
}

/// A statement's parameters.
pub type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// The connection's messages that are not answers to a call.
trait Messages: Send {
    fn poll_message(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<AsyncMessage, tokio_postgres::Error>>>;
}

impl<S, T> Messages for tokio_postgres::Connection<S, T>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send,
{
    fn poll_message(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<AsyncMessage, tokio_postgres::Error>>> {
        tokio_postgres::Connection::poll_message(self, cx)
    }
}

/// Drives the connection while a call waits, under the call's deadline.
struct Driver {
    runtime: Runtime,
    connection: Box<dyn Messages>,
    notifications: VecDeque<Notification>,
    deadline: Duration,
    /// A call ran out of time or the connection ended: never used again.
    closed: bool,
}

impl Driver {
    /// Runs `call` to its end or its deadline, reading the connection's
    /// other messages meanwhile (notifications are kept).
    fn run<T>(&mut self, call: impl Future<Output = Result<T, tokio_postgres::Error>>) -> Result<T, Error> {
        let deadline = self.deadline;
        self.run_until(deadline, call).unwrap_or(Err(Error::TimedOut(deadline)))
    }

    /// `None` when `limit` passed first; the connection is then closed.
    fn run_until<T>(
        &mut self,
        limit: Duration,
        call: impl Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> Option<Result<T, Error>> {
        if self.closed {
            return Some(Err(Error::Closed));
        }
        let mut call = pin!(call);
        let Driver {
            runtime,
            connection,
            notifications,
            closed,
            ..
        } = self;
        let driven = poll_fn(|cx| {
            if let Poll::Ready(Err(error)) = drive(connection.as_mut(), notifications, closed, cx) {
                return Poll::Ready(Err(error));
            }
            call.as_mut().poll(cx).map_err(Error::Pg)
        });
        let outcome = runtime.block_on(async { tokio::time::timeout(limit, driven).await });
        if outcome.is_err() {
            self.closed = true;
        }
        outcome.ok()
    }

    /// Waits up to `limit` for a notification; whether one came.
    fn wait_for_notification(&mut self, limit: Duration) -> Result<bool, Error> {
        if !self.notifications.is_empty() {
            return Ok(true);
        }
        if self.closed {
            return Err(Error::Closed);
        }
        let Driver {
            runtime,
            connection,
            notifications,
            closed,
            ..
        } = self;
        let arrived = poll_fn(|cx| match drive(connection.as_mut(), notifications, closed, cx) {
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            _ if !notifications.is_empty() => Poll::Ready(Ok(())),
            _ if *closed => Poll::Ready(Err(Error::Closed)),
            _ => Poll::Pending,
        });
        match runtime.block_on(async { tokio::time::timeout(limit, arrived).await }) {
            Ok(Ok(())) => Ok(true),
            Ok(Err(error)) => Err(error),
            Err(_) => Ok(false),
        }
    }
}

/// How long dropping a connection may take to say goodbye (a `Terminate`
/// message, then the socket's shutdown; neither waits for the server).
const GOODBYE: Duration = Duration::from_secs(1);

impl Drop for Driver {
    /// Runs after the client's handle is dropped (see [`Client`]), so the
    /// connection sees no more calls can come and ends the session as the
    /// protocol asks, rather than leaving the server to find the socket gone.
    fn drop(&mut self) {
        if self.closed {
            return;
        }
        let Driver {
            runtime, connection, ..
        } = self;
        let ended = poll_fn(|cx| {
            loop {
                match connection.poll_message(cx) {
                    Poll::Ready(Some(Ok(_))) => {}
                    Poll::Ready(_) => return Poll::Ready(()),
                    Poll::Pending => return Poll::Pending,
                }
            }
        });
        let _ = runtime.block_on(async { tokio::time::timeout(GOODBYE, ended).await });
    }
}

/// Reads what the connection has: notifications are kept, notices dropped.
/// Ready with an error when the connection failed; `closed` set when it ended.
fn drive(
    connection: &mut dyn Messages,
    notifications: &mut VecDeque<Notification>,
    closed: &mut bool,
    cx: &mut Context<'_>,
) -> Poll<Result<(), Error>> {
    while !*closed {
        match connection.poll_message(cx) {
            Poll::Ready(Some(Ok(AsyncMessage::Notification(notification)))) => notifications.push_back(notification),
            Poll::Ready(Some(Ok(_))) => {}
            Poll::Ready(Some(Err(error))) => {
                *closed = true;
                return Poll::Ready(Err(Error::Pg(error)));
            }
            Poll::Ready(None) => *closed = true,
            Poll::Pending => break,
        }
    }
    Poll::Pending
}

/// A connection to the server.
pub struct Client {
    /// Declared first so it is dropped first: the driver's own drop then
    /// ends the session.
    client: tokio_postgres::Client,
    driver: Driver,
}

impl Client {
    /// Connects: the TCP connect, TLS and login together within
    /// `connect_deadline`; each later call within `call_deadline`.
    pub fn connect<T>(
        config: &Config,
        tls: T,
        connect_deadline: Duration,
        call_deadline: Duration,
    ) -> Result<Client, Error>
    where
        T: MakeTlsConnect<Socket> + 'static + Send,
        T::TlsConnect: Send,
        T::Stream: Send,
        <T::TlsConnect as tokio_postgres::tls::TlsConnect<Socket>>::Future: Send,
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        let connecting = runtime.block_on(async { tokio::time::timeout(connect_deadline, config.connect(tls)).await });
        let (client, connection) = connecting.map_err(|_| Error::ConnectTimedOut(connect_deadline))??;
        Ok(Client {
            driver: Driver {
                runtime,
                connection: Box::new(connection),
                notifications: VecDeque::new(),
                deadline: call_deadline,
                closed: false,
            },
            client,
        })
    }

    /// Whether the connection can no longer be used.
    pub fn is_closed(&self) -> bool {
        self.driver.closed || self.client.is_closed()
    }

    /// One round trip within `limit`, to tell a live connection from one
    /// that died unnoticed (a server restart).
    pub fn is_valid(&mut self, limit: Duration) -> Result<(), Error> {
        self.driver
            .run_until(limit, self.client.check_connection())
            .unwrap_or(Err(Error::TimedOut(limit)))
    }

    pub fn execute<S: ?Sized + ToStatement>(&mut self, statement: &S, params: Params<'_>) -> Result<u64, Error> {
        self.driver.run(self.client.execute(statement, params))
    }

    pub fn query<S: ?Sized + ToStatement>(&mut self, statement: &S, params: Params<'_>) -> Result<Vec<Row>, Error> {
        self.driver.run(self.client.query(statement, params))
    }

    pub fn query_one<S: ?Sized + ToStatement>(&mut self, statement: &S, params: Params<'_>) -> Result<Row, Error> {
        self.driver.run(self.client.query_one(statement, params))
    }

    pub fn query_opt<S: ?Sized + ToStatement>(
        &mut self,
        statement: &S,
        params: Params<'_>,
    ) -> Result<Option<Row>, Error> {
        self.driver.run(self.client.query_opt(statement, params))
    }

    /// Statements separated by `;`, without parameters or results.
    pub fn batch_execute(&mut self, sql: &str) -> Result<(), Error> {
        self.driver.run(self.client.batch_execute(sql))
    }

    /// A read-write transaction, rolled back unless committed.
    pub fn transaction(&mut self) -> Result<Transaction<'_>, Error> {
        self.begin("BEGIN")
    }

    /// A read-only transaction that sees one snapshot throughout.
    pub fn snapshot(&mut self) -> Result<Transaction<'_>, Error> {
        self.begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    }

    fn begin(&mut self, sql: &str) -> Result<Transaction<'_>, Error> {
        self.batch_execute(sql)?;
        Ok(Transaction {
            client: self,
            open: true,
        })
    }

    /// Waits up to `limit` for a notification (after `LISTEN`); whether one
    /// came. Those that came are taken with [`Client::take_notifications`].
    pub fn wait_for_notification(&mut self, limit: Duration) -> Result<bool, Error> {
        self.driver.wait_for_notification(limit)
    }

    /// Forgets the notifications received so far.
    pub fn take_notifications(&mut self) -> usize {
        std::mem::take(&mut self.driver.notifications).len()
    }
}

/// A transaction on a [`Client`]: its statements are the client's; rolled
/// back when dropped uncommitted.
pub struct Transaction<'a> {
    client: &'a mut Client,
    open: bool,
}

impl Transaction<'_> {
    pub fn commit(mut self) -> Result<(), Error> {
        self.open = false;
        self.client.batch_execute("COMMIT")
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        // A closed connection has already ended the transaction on the
        // server; an open one may be reused, so it must not stay inside it.
        if self.open && !self.client.is_closed() {
            let _ = self.client.batch_execute("ROLLBACK");
        }
    }
}

impl Deref for Transaction<'_> {
    type Target = Client;

    fn deref(&self) -> &Client {
        self.client
    }
}

impl DerefMut for Transaction<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client
    }
}
