//! One connection's life: hyper serves it while a watchdog holds it to the
//! deadline of what it is doing ([`Tracker::deadline`]), closes it when the
//! accept loop needs its place ([`Tracker::evict`]), and ends it when the server
//! stops. With TLS, the handshake comes first, under the same watchdog: it
//! counts against the header timeout of a new connection, and a connection in
//! its handshake may be closed to make room like one that sent nothing.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use super::Shared;
use super::request::{Handler, Refusal};
use super::slots::Slot;
use super::stream::Stream;
use super::tracker::{Expiry, Tracker, Watched};

/// How long a `408` may take to be written, and the client's remaining bytes to
/// be read and dropped, before the socket is closed (closing with unread bytes
/// would reset the connection and could destroy the answer before the client
/// reads it).
const LINGER: Duration = Duration::from_secs(2);

/// How long a `503` may take to be written: it goes to a connection that is
/// making room (or finds none), so it waits for nothing more.
const QUICK: Duration = Duration::from_millis(100);

/// What to do with a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Close {
    /// Close the socket now: nothing was asked, or nothing more can be sent.
    Now,
    /// Let hyper finish the request in progress (or close an idle kept-alive
    /// connection), then close.
    Gently,
    /// Answer this in place of hyper, then close.
    Answer(Refusal),
}

/// Serves one accepted connection until it closes; `slot` is its place under the
/// cap, `stop` turns true when the server stops.
pub(crate) async fn run(
    stream: TcpStream,
    peer: SocketAddr,
    slot: Slot,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let tracker = Arc::clone(slot.tracker());
    let limits = shared.limits;
    // Small answers go out at once.
    let _ = stream.set_nodelay(true);
    let stream = match &shared.tls {
        None => Stream::Plain(stream),
        Some(config) => {
            let acceptor = TlsAcceptor::from(Arc::clone(config));
            let Some(tls) = handshake(&acceptor, stream, peer, &tracker, &shared, &mut stop).await
            else {
                return;
            };
            tls
        }
    };
    let io = TokioIo::new(Watched::new(stream, Arc::clone(&tracker)));
    let handler = Handler::new(shared.app.clone(), peer, Arc::clone(&tracker), limits);
    let mut conn = shared.http.serve_connection(io, handler);
    let mut gentle = false;
    let mut stopping = false;
    // Held until the connection is closed (dropped on return).
    let _slot = slot;
    loop {
        let (deadline, expiry) = tracker.deadline(&limits);
        let close = tokio::select! {
            biased;
            result = &mut conn => {
                if let Err(error) = result {
                    tracing::debug!(target: "jot::serve", %peer, %error, "connection ended");
                }
                return;
            }
            () = tracker.changed() => continue,
            () = tracker.evicted() => on_evict(&tracker),
            _ = stop.wait_for(|stopped| *stopped), if !stopping => {
                stopping = true;
                if tracker.is_active() || tracker.has_served() {
                    Close::Gently
                } else {
                    Close::Now
                }
            }
            () = tokio::time::sleep_until(deadline) => {
                // The deadline may have moved since it was read.
                if tracker.deadline(&limits).0 > tokio::time::Instant::now() {
                    continue;
                }
                tracing::debug!(target: "jot::serve", %peer, ?expiry, "connection timed out");
                match expiry {
                    Expiry::Head => Close::Answer(Refusal::HeadTimeout),
                    Expiry::Idle | Expiry::Request => Close::Now,
                }
            }
        };
        match close {
            Close::Now => return,
            Close::Gently if !gentle => {
                gentle = true;
                Pin::new(&mut conn).graceful_shutdown();
            }
            Close::Gently => {}
            Close::Answer(refusal) => {
                let stream = conn.into_parts().io.into_inner().into_stream();
                if refusal == Refusal::Busy {
                    answer_quickly(stream, &refusal.wire()).await;
                } else {
                    answer_and_linger(stream, &refusal.wire()).await;
                }
                return;
            }
        }
    }
}

/// The TLS handshake of a new connection, cut (`None`) at the header timeout,
/// when the accept loop needs its place, when the server stops, or when it fails.
async fn handshake(
    acceptor: &TlsAcceptor,
    stream: TcpStream,
    peer: SocketAddr,
    tracker: &Tracker,
    shared: &Shared,
    stop: &mut watch::Receiver<bool>,
) -> Option<Stream> {
    // A new connection's deadline is the header timeout from its accept.
    let (deadline, _) = tracker.deadline(&shared.limits);
    tokio::select! {
        biased;
        accepted = acceptor.accept(stream) => match accepted {
            Ok(tls) => Some(Stream::Tls(Box::new(tls))),
            Err(error) => {
                tracing::debug!(target: "jot::serve", %peer, %error, "TLS handshake failed");
                None
            }
        },
        () = tracker.evicted() => None,
        _ = stop.wait_for(|stopped| *stopped) => None,
        () = tokio::time::sleep_until(deadline) => {
            tracing::debug!(target: "jot::serve", %peer, "TLS handshake timed out");
            None
        }
    }
}

/// What an evicted connection does: finish a request it has begun (or close
/// quietly if kept alive), answer `503` to a head it began to send, close if it
/// sent nothing.
fn on_evict(tracker: &Tracker) -> Close {
    if tracker.is_active() || tracker.has_served() {
        Close::Gently
    } else if tracker.head_begun() {
        Close::Answer(Refusal::Busy)
    } else {
        Close::Now
    }
}

/// Writes `answer`, ends the sending side, and drops what the client still sends,
/// for at most [`LINGER`]; then closes.
async fn answer_and_linger(mut stream: Stream, answer: &[u8]) {
    let _ = tokio::time::timeout(LINGER, async {
        stream.write_all(answer).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 1024];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<(), io::Error>(())
    })
    .await;
}

/// Writes `answer` (for at most [`QUICK`]), ends the sending side, drops what
/// already arrived, and closes: no waiting on the client.
async fn answer_quickly(mut stream: Stream, answer: &[u8]) {
    let written = tokio::time::timeout(QUICK, async {
        stream.write_all(answer).await?;
        stream.shutdown().await
    })
    .await;
    if matches!(written, Ok(Ok(()))) {
        stream.drain_ready();
    }
}

/// Answers a connection the accept loop has no place for with `answer`, quickly:
/// with TLS, after a handshake of at most [`QUICK`] (closed without an answer
/// past it).
pub(crate) async fn refuse(
    stream: TcpStream,
    tls: Option<Arc<rustls::ServerConfig>>,
    answer: &[u8],
) {
    let stream = match tls {
        None => Stream::Plain(stream),
        Some(config) => {
            match tokio::time::timeout(QUICK, TlsAcceptor::from(config).accept(stream)).await {
                Ok(Ok(tls)) => Stream::Tls(Box::new(tls)),
                Ok(Err(_)) | Err(_) => return,
            }
        }
    };
    answer_quickly(stream, answer).await;
}
