//! [`Tracker`]: what one connection is doing, as its reads and its requests
//! tell it — waiting for a request (and since when), reading a request head, or
//! in a request — and the deadline that applies; [`Watched`], the socket that
//! reports its reads.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::limits::Limits;
use super::stream::Stream;

/// How long past the request timeout a response may take to be written before
/// the connection is closed (the client is not reading it).
pub(crate) const WRITE_GRACE: Duration = Duration::from_secs(5);

/// No time recorded.
const NONE: u64 = u64::MAX;

/// One connection's state, shared by its socket ([`Watched`]), its requests
/// ([`Tracker::begin_request`]), its task and the accept loop (which may ask it
/// to make room: [`Tracker::evict`]). Times are microseconds after `epoch`.
#[derive(Debug)]
pub(crate) struct Tracker {
    epoch: Instant,
    accepted: u64,
    /// A request is in the service (HTTP/1.1: one at a time).
    active: AtomicBool,
    /// Requests begun.
    served: AtomicU64,
    /// When the current wait for a request began: the accept, or the end of the
    /// last request.
    waiting_since: AtomicU64,
    /// The first byte read during the current wait (a request head begun).
    first_byte: AtomicU64,
    request_started: AtomicU64,
    /// Set once: the accept loop asked this connection to close.
    evicted: AtomicBool,
    evict: Notify,
    /// The deadline may have moved.
    changed: Notify,
}

/// Which deadline a connection passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expiry {
    /// Nothing received while waiting for a request (idle, or a new connection
    /// that sent nothing): closed without an answer.
    Idle,
    /// A request head begun and not finished in time: `408`.
    Head,
    /// A request whose answer was not written in time: closed.
    Request,
}

/// Marks a request as in progress until dropped.
#[derive(Debug)]
pub(crate) struct RequestGuard {
    tracker: Arc<Tracker>,
}

impl Tracker {
    /// A connection accepted now; `epoch` is the same for every connection, so
    /// that their waits compare.
    pub(crate) fn new(epoch: Instant) -> Tracker {
        let accepted = micros(epoch, Instant::now());
        Tracker {
            epoch,
            accepted,
            active: AtomicBool::new(false),
            served: AtomicU64::new(0),
            waiting_since: AtomicU64::new(accepted),
            first_byte: AtomicU64::new(NONE),
            request_started: AtomicU64::new(NONE),
            evicted: AtomicBool::new(false),
            evict: Notify::new(),
            changed: Notify::new(),
        }
    }

    /// A request's head was read and its handling begins.
    pub(crate) fn begin_request(self: &Arc<Self>) -> RequestGuard {
        self.request_started.store(self.now(), Ordering::Relaxed);
        self.served.fetch_add(1, Ordering::Relaxed);
        self.active.store(true, Ordering::Release);
        self.changed.notify_one();
        RequestGuard {
            tracker: Arc::clone(self),
        }
    }

    /// Whether a request is in progress.
    pub(crate) fn is_active(&self) -> bool {
        self.active.load(Ordering::Acquire)
    }

    /// Whether a request was ever begun on this connection.
    pub(crate) fn has_served(&self) -> bool {
        self.served.load(Ordering::Relaxed) > 0
    }

    /// Whether bytes of a request head arrived during the current wait.
    pub(crate) fn head_begun(&self) -> bool {
        self.first_byte.load(Ordering::Relaxed) != NONE
    }

    /// When the current wait for a request began (for choosing whom to evict).
    pub(crate) fn waiting_since(&self) -> u64 {
        self.waiting_since.load(Ordering::Relaxed)
    }

    /// The next deadline of this connection and what passing it means.
    pub(crate) fn deadline(&self, limits: &Limits) -> (Instant, Expiry) {
        let at = |us: u64, after: Duration| self.epoch + Duration::from_micros(us) + after;
        if self.is_active() {
            let started = self.request_started.load(Ordering::Relaxed);
            return (
                at(started, limits.request_timeout + WRITE_GRACE),
                Expiry::Request,
            );
        }
        let first_byte = self.first_byte.load(Ordering::Relaxed);
        let kind = if first_byte == NONE {
            Expiry::Idle
        } else {
            Expiry::Head
        };
        if !self.has_served() {
            // A new connection has the header timeout for everything up to its
            // first request head, whether it sends slowly or nothing at all.
            return (at(self.accepted, limits.header_timeout), kind);
        }
        match kind {
            Expiry::Head => (at(first_byte, limits.header_timeout), kind),
            _ => (at(self.waiting_since(), limits.idle_timeout), kind),
        }
    }

    /// Asks the connection to close to make room; `false` if it was asked before.
    pub(crate) fn evict(&self) -> bool {
        if self.evicted.swap(true, Ordering::AcqRel) {
            return false;
        }
        self.evict.notify_one();
        true
    }

    /// Whether [`Tracker::evict`] was called.
    pub(crate) fn is_evicted(&self) -> bool {
        self.evicted.load(Ordering::Acquire)
    }

    /// Resolves once [`Tracker::evict`] is called.
    pub(crate) async fn evicted(&self) {
        self.evict.notified().await;
    }

    /// Resolves when the deadline may have moved.
    pub(crate) async fn changed(&self) {
        self.changed.notified().await;
    }

    fn read_some(&self) {
        if !self.is_active() && self.first_byte.load(Ordering::Relaxed) == NONE {
            self.first_byte.store(self.now(), Ordering::Relaxed);
            self.changed.notify_one();
        }
    }

    fn now(&self) -> u64 {
        micros(self.epoch, Instant::now())
    }
}

impl Drop for RequestGuard {
    fn drop(&mut self) {
        let tracker = &self.tracker;
        tracker
            .waiting_since
            .store(tracker.now(), Ordering::Relaxed);
        tracker.first_byte.store(NONE, Ordering::Relaxed);
        tracker.active.store(false, Ordering::Release);
        tracker.changed.notify_one();
    }
}

fn micros(epoch: Instant, now: Instant) -> u64 {
    u64::try_from(now.saturating_duration_since(epoch).as_micros()).unwrap_or(NONE - 1)
}

/// A connection's socket that tells its [`Tracker`] when bytes arrive.
#[derive(Debug)]
pub(crate) struct Watched {
    stream: Stream,
    tracker: Arc<Tracker>,
}

impl Watched {
    pub(crate) fn new(stream: Stream, tracker: Arc<Tracker>) -> Watched {
        Watched { stream, tracker }
    }

    /// The socket, for a last answer.
    pub(crate) fn into_stream(self) -> Stream {
        self.stream
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.tracker.read_some();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            idle_timeout: Duration::from_secs(100),
            max_connections: 4,
        }
    }

    /// Asserts the deadline is `secs` after `epoch` (give or take 0.4 s of
    /// scheduling) and of this kind.
    fn assert_deadline(tracker: &Tracker, epoch: Instant, secs: f64, expiry: Expiry) {
        let (at, kind) = tracker.deadline(&limits());
        let actual = (at - epoch).as_secs_f64();
        assert!((actual - secs).abs() < 0.4, "{actual} s, expected {secs} s");
        assert_eq!(kind, expiry);
    }

    /// One second, the unit of the test's timeline.
    fn pause() {
        std::thread::sleep(Duration::from_secs(1));
    }

    #[test]
    fn each_phase_has_its_deadline() {
        let epoch = Instant::now();
        let tracker = Arc::new(Tracker::new(epoch));
        // A new connection: the header timeout from the accept, sent or not.
        assert_deadline(&tracker, epoch, 10.0, Expiry::Idle);
        pause();
        tracker.read_some();
        assert_deadline(&tracker, epoch, 10.0, Expiry::Head);
        // In a request: the request timeout and the write grace; body bytes are
        // no new head.
        let guard = tracker.begin_request();
        assert!(tracker.is_active() && tracker.has_served());
        tracker.read_some();
        assert_deadline(&tracker, epoch, 1.0 + 60.0 + 5.0, Expiry::Request);
        pause();
        drop(guard);
        assert!(!tracker.is_active() && !tracker.head_begun());
        // Kept alive: idle until a byte, then the header timeout from that byte.
        assert_deadline(&tracker, epoch, 2.0 + 100.0, Expiry::Idle);
        pause();
        tracker.read_some();
        assert_deadline(&tracker, epoch, 3.0 + 10.0, Expiry::Head);
        assert!(tracker.evict() && !tracker.evict() && tracker.is_evicted());
    }
}
