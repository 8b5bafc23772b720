//! How `jot serve` takes connections: HTTP/1.1 on hyper, each connection held to
//! the [`Limits`] — a header timeout, a body timeout, a request timeout, an idle
//! timeout and a connection cap — so that slow or silent clients cannot hold
//! the server.
//!
//! **The cap never locks clients out.** When every place is taken, the new
//! connection gets the place of the open connection that has waited longest for
//! a request (kept alive, or still sending its request head: a slow sender);
//! that one is closed (`503` if it had begun a request head). Only when every
//! connection is in a request is the new one answered `503` (`Retry-After: 1`)
//! and closed — at once, never left hanging. A request in progress is never cut
//! for room; it has the body and request timeouts. When the process runs out of
//! file descriptors, the connection that waited longest is closed too; and the
//! cap is lowered below the open-file limit (`ulimit -n`) at start, keeping
//! [`limits::RESERVED_FILES`] descriptors for the store.
//!
//! **TLS** (when given a server configuration): each connection's handshake
//! happens in its place under the cap and within its header timeout; a
//! connection refused for want of a place gets its `503` after a short handshake.
//!
//! Each request's body is read whole (at most [`limits::MAX_BODY`]) before the
//! router sees it; a request head is at most [`limits::MAX_HEAD`].

mod connection;
mod limits;
mod request;
mod slots;
mod stream;
#[cfg(test)]
mod tests;
mod tracker;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

pub(crate) use limits::{LimitSettings, Limits, check_max_connections};

use request::Refusal;
use slots::Slots;

/// How long a new connection at the cap waits for the place an eviction frees.
const ADMIT_WAIT: Duration = Duration::from_millis(500);

/// At most this many `503` answers are written at once (each for at most 100 ms);
/// past them a connection with no place is closed without one.
const MAX_REFUSING: usize = 16;

/// What every connection of one server shares.
#[derive(Debug)]
pub(crate) struct Shared {
    app: Router,
    limits: Limits,
    http: hyper::server::conn::http1::Builder,
    /// TLS on every connection, when on.
    tls: Option<Arc<rustls::ServerConfig>>,
}

/// Serves `app` on `listener` under `limits` (over TLS with `tls`) until
/// `shutdown` resolves; then stops accepting, lets requests in progress finish
/// (at most the request timeout and the write grace) and closes the rest.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl Future<Output = ()>,
) {
    let fitted = limits.within_open_files(limits::open_file_limit());
    if fitted.max_connections < limits.max_connections {
        tracing::warn!(
            target: "jot::serve",
            max_connections = fitted.max_connections,
            configured = limits.max_connections,
            "connection cap lowered to fit the open-file limit (ulimit -n)"
        );
    }
    let limits = fitted;
    let mut http = hyper::server::conn::http1::Builder::new();
    // The header timeout is the watchdog's (hyper's would also cut idle
    // kept-alive connections, and answers nothing).
    http.header_read_timeout(None)
        .max_header_size(limits::MAX_HEAD)
        .keep_alive(true);
    let shared = Arc::new(Shared {
        app,
        limits,
        http,
        tls,
    });
    let slots = Slots::new(limits.max_connections);
    let refusing = Arc::new(Semaphore::new(MAX_REFUSING));
    let (stop, stopped) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(&error, &slots).await;
                    continue;
                }
            },
        };
        let slot = match slots.try_take() {
            Some(slot) => Some(slot),
            None if slots.evict_longest_waiting() => slots.take_within(ADMIT_WAIT).await,
            None => None,
        };
        match slot {
            Some(slot) => {
                tokio::spawn(connection::run(
                    stream,
                    peer,
                    slot,
                    Arc::clone(&shared),
                    stopped.clone(),
                ));
            }
            None => {
                slots.refused();
                if let Ok(permit) = Arc::clone(&refusing).try_acquire_owned() {
                    let tls = shared.tls.clone();
                    tokio::spawn(async move {
                        connection::refuse(stream, tls, &Refusal::Busy.wire()).await;
                        drop(permit);
                    });
                }
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let grace = limits.request_timeout + tracker::WRITE_GRACE;
    if !slots.drained(grace).await {
        tracing::warn!(target: "jot::serve", "requests still in progress at shutdown were cut");
    }
}

/// An `accept` that failed: the peer gave up (nothing to do), the process is out
/// of file descriptors (close the connection that waited longest, so the next
/// accept finds one), or something else (logged). Waits a little before the next.
async fn accept_failed(error: &std::io::Error, slots: &Slots) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    ) {
        return;
    }
    // EMFILE and ENFILE: 24 and 23 on Linux, the BSDs and macOS.
    if cfg!(unix) && matches!(error.raw_os_error(), Some(23 | 24)) {
        slots.out_of_descriptors();
        slots.evict_longest_waiting();
        tokio::time::sleep(Duration::from_millis(10)).await;
    } else {
        tracing::warn!(target: "jot::serve", %error, "accepting a connection failed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
