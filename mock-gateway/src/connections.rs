//! Connections, bounded in number and in time (docs/security.md, "The HTTP layer").
//!
//! `axum::serve` accepts every connection and waits for a request head as long as a
//! client likes, so a few hundred slow clients (slowloris) hold the gateway. This accept
//! loop serves [`app`](crate::app) over hyper's HTTP/1 with [`HttpLimits`]:
//!
//! - at most `max_connections` at once; one more is answered `503 SERVER_BUSY` (unsigned
//!   JSON, `Retry-After: 1`) before anything is read, and closed;
//! - hyper closes a connection whose request head has not fully arrived `header_timeout`
//!   after the connection opened or the previous response was sent (idle keep-alive
//!   connections included): there is no request to answer yet;
//! - a body that has not arrived within `body_timeout` is the handlers' to answer
//!   (`408 REQUEST_TIMEOUT`, [`request_body`](crate::request_body));
//! - a connection older than `max_connection_age` finishes its request in flight and
//!   closes, and is dropped [`CLOSE_GRACE`] later if it has not (a client that never
//!   reads its response).
//!
//! A request head hyper cannot parse at all (not HTTP/1.x, a `Content-Length` that is
//! not a number below 2^64, two different `Content-Length`s, a transfer coding other than
//! chunked, a head over hyper's buffer) is answered by hyper itself — `400`, `414` or
//! `431`, no body, connection closed — before any route exists to answer in the
//! protocol's shape.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::config::HttpLimits;
use crate::error::{ApiError, Code};

/// How long a closing connection may take to finish its response.
pub(crate) const CLOSE_GRACE: Duration = Duration::from_secs(5);
/// Connections over the limit answered at once; past these, closed without an answer
/// (each answer takes at most [`BUSY_ANSWER_TIME`]).
const BUSY_ANSWERS: usize = 64;
/// Time to write a `503` and read what the client had sent, so that closing does not
/// reset the connection before the client read the answer.
const BUSY_ANSWER_TIME: Duration = Duration::from_secs(1);

/// Serves `router` on `listener` until `stop` changes (or its sender is dropped), then
/// asks every connection to finish its request in flight and close, and waits for them.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    mut stop: watch::Receiver<()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let busy_slots = Arc::new(Semaphore::new(BUSY_ANSWERS));
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors and the like: wait instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                if let Ok(slot) = slots.clone().try_acquire_owned() {
                    let connection = Connection {
                        peer,
                        router: router.clone(),
                        limits: limits.clone(),
                        stop: stop.clone(),
                        _slot: slot,
                    };
                    connections.spawn(connection.serve(stream));
                } else if let Ok(slot) = busy_slots.clone().try_acquire_owned() {
                    connections.spawn(answer_busy(stream, slot));
                }
                // else: dropped, closed at once.
            }
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

/// One accepted connection and what it holds.
struct Connection {
    peer: SocketAddr,
    router: Router,
    limits: HttpLimits,
    stop: watch::Receiver<()>,
    _slot: OwnedSemaphorePermit,
}

impl Connection {
    async fn serve(mut self, stream: TcpStream) {
        let peer = self.peer;
        let router = self.router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            // The admin API's loopback check reads the peer (`admin::loopback_only`).
            request.extensions_mut().insert(ConnectInfo(peer));
            let router = router.clone();
            router.oneshot(request)
        });
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.limits.header_timeout)
            .keep_alive(true);
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        tokio::pin!(connection);
        let why = tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                return;
            }
            () = tokio::time::sleep(self.limits.max_connection_age) => "reached its maximum age",
            _ = self.stop.changed() => "server stopping",
        };
        connection.as_mut().graceful_shutdown();
        if tokio::time::timeout(CLOSE_GRACE, connection).await.is_err() {
            tracing::debug!(%peer, why, "connection dropped: its last response did not finish");
        }
    }
}

/// Answers a connection over the limit with `503 SERVER_BUSY`, before reading anything.
async fn answer_busy(mut stream: TcpStream, _slot: OwnedSemaphorePermit) {
    let error = ApiError::new(
        Code::ServerBusy,
        "every connection slot is taken; retry in a second",
    );
    let body = serde_json::json!({"code": error.code.as_str(), "message": error.message});
    let body = body.to_string();
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(BUSY_ANSWER_TIME, async {
        stream.write_all(answer.as_bytes()).await?;
        stream.shutdown().await?;
        // Read what the client sent until it closes: closing with unread bytes would
        // reset the connection, and a reset can discard the answer before it is read.
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<(), std::io::Error>(())
    })
    .await;
}
