//! The ceiling for `keydesk serve --upstream` in scripts/bench-serve.sh: a
//! minimal hyper reverse proxy with no key check and no header rewriting,
//! built on the same upstream connections as keydesk's proxy
//! (`keydesk_serve::upstream`: one upstream connection per client
//! connection, driven on the same task) and the same runtime (tokio,
//! one worker thread per core). What it reaches is what hyper and tokio
//! allow a separate proxy process on this machine; keydesk's own work is the
//! gap between the two.
//!
//! ```sh
//! cargo run --release -p keydesk-serve --example bare_proxy -- 127.0.0.1:8081 127.0.0.1:8000
//! cargo run --release -p keydesk-serve --example bare_proxy -- 127.0.0.1:8081 127.0.0.1:8000 per-core
//! ```
//!
//! `per-core` runs one single-threaded runtime per core instead, each with
//! its own `SO_REUSEPORT` listener (the kernel spreads connections over
//! them, and a connection never moves between threads), to measure that
//! runtime shape against tokio's default work-stealing one.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use keydesk_serve::upstream::{Paired, Target, run_paired};
use tokio::net::TcpListener;

type Body = http_body_util::Either<http_body_util::Empty<hyper::body::Bytes>, Incoming>;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(listen), Some(upstream)) = (args.next(), args.next()) else {
        eprintln!("usage: bare_proxy LISTEN_ADDR UPSTREAM_ADDR");
        std::process::exit(2);
    };
    let target = Arc::new(Target {
        resolved: upstream.parse().ok(),
        address: upstream,
        connect_timeout: Duration::from_secs(5),
    });
    let listener = TcpListener::bind(&listen)
        .await
        .expect("the address can be listened on");
    eprintln!("bare_proxy: listening on {listen}");
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let target = target.clone();
        tokio::spawn(async move {
            let (paired, drivers) = Paired::new();
            let paired = Arc::new(paired);
            let service = service_fn(move |request| forward(target.clone(), paired.clone(), request));
            let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            let _ = run_paired(connection, drivers).await;
        });
    }
}

async fn forward(
    target: Arc<Target>,
    paired: Arc<Paired>,
    request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    Ok(
        match paired.send(&target, request.map(http_body_util::Either::Left)).await {
            Ok(response) => response.map(http_body_util::Either::Right),
            Err(_) => {
                let mut response = Response::new(http_body_util::Either::Left(http_body_util::Empty::new()));
                *response.status_mut() = StatusCode::BAD_GATEWAY;
                response
            }
        },
    )
}
