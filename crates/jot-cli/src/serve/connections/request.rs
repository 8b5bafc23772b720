//! [`Handler`]: one request on its way to the router — marked in progress on its
//! connection's [`Tracker`], its body read whole under the body timeout and the
//! size limit, the router's answer awaited under the request timeout — and the
//! answers the server gives itself ([`Refusal`]).

use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody as _};
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use hyper::body::Incoming;
use tokio::time::Instant;
use tower::ServiceExt as _;

use super::limits::{Limits, MAX_BODY};
use super::tracker::Tracker;

/// The service hyper calls for each request of one connection.
#[derive(Clone, Debug)]
pub(crate) struct Handler {
    app: Router,
    peer: SocketAddr,
    tracker: Arc<Tracker>,
    limits: Limits,
}

/// An answer the server gives without the router.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The request head did not arrive within the header timeout.
    HeadTimeout,
    /// The body did not arrive within the body timeout.
    BodyTimeout,
    /// No answer within the request timeout.
    RequestTimeout,
    /// A body over [`MAX_BODY`].
    TooLarge,
    /// A body that could not be read (a broken chunked encoding, say).
    Unreadable,
    /// Every connection is in a request.
    Busy,
}

impl Handler {
    pub(crate) fn new(
        app: Router,
        peer: SocketAddr,
        tracker: Arc<Tracker>,
        limits: Limits,
    ) -> Handler {
        Handler {
            app,
            peer,
            tracker,
            limits,
        }
    }
}

impl hyper::service::Service<Request<Incoming>> for Handler {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let in_progress = self.tracker.begin_request();
        let this = self.clone();
        Box::pin(async move {
            let response = this.handle(request).await;
            drop(in_progress);
            Ok(response)
        })
    }
}

impl Handler {
    async fn handle(self, request: Request<Incoming>) -> Response {
        let started = Instant::now();
        let (mut parts, body) = request.into_parts();
        // The peer address, for the issuer's per-address throttling.
        parts.extensions.insert(ConnectInfo(self.peer));
        let body = match read_body(body, started + self.limits.body_timeout).await {
            Ok(body) => body,
            Err(refusal) => {
                tracing::debug!(target: "jot::serve", peer = %self.peer, ?refusal, "request body refused");
                return refusal.response();
            }
        };
        let request = Request::from_parts(parts, Body::from(body));
        let deadline = started + self.limits.request_timeout;
        match tokio::time::timeout_at(deadline, self.app.oneshot(request)).await {
            Ok(Ok(response)) => response,
            Ok(Err(never)) => match never {},
            Err(_) => {
                tracing::debug!(target: "jot::serve", peer = %self.peer, "request timed out");
                Refusal::RequestTimeout.response()
            }
        }
    }
}

/// Reads the whole body, at most [`MAX_BODY`] bytes, before `deadline`.
async fn read_body(mut body: Incoming, deadline: Instant) -> Result<Bytes, Refusal> {
    if body.size_hint().lower() > MAX_BODY as u64 {
        return Err(Refusal::TooLarge);
    }
    let mut buffer = Vec::new();
    let read = async {
        while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            let frame = frame.map_err(|_| Refusal::Unreadable)?;
            if let Ok(data) = frame.into_data() {
                if buffer.len() + data.len() > MAX_BODY {
                    return Err(Refusal::TooLarge);
                }
                buffer.extend_from_slice(&data);
            }
        }
        Ok(())
    };
    match tokio::time::timeout_at(deadline, read).await {
        Ok(result) => result.map(|()| Bytes::from(buffer)),
        Err(_) => Err(Refusal::BodyTimeout),
    }
}

impl Refusal {
    /// The status and the one line of text that explains it.
    fn status_and_text(self) -> (StatusCode, &'static str) {
        match self {
            Refusal::HeadTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                "the request head took too long to arrive",
            ),
            Refusal::BodyTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                "the request body took too long to arrive",
            ),
            Refusal::RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                "the request took too long to answer",
            ),
            Refusal::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request body is larger than 64 KiB",
            ),
            Refusal::Unreadable => (StatusCode::BAD_REQUEST, "the request body is malformed"),
            Refusal::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                "the server has no free connection; try again",
            ),
        }
    }

    /// The answer, for hyper to write; the connection closes after it.
    pub(crate) fn response(self) -> Response {
        let (status, text) = self.status_and_text();
        let mut response = (status, format!("{text}\n")).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self == Refusal::Busy {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }

    /// The same answer as bytes on the wire (HTTP/1.1), for a connection hyper
    /// no longer holds.
    pub(crate) fn wire(self) -> Vec<u8> {
        let (status, text) = self.status_and_text();
        let retry = if self == Refusal::Busy {
            "Retry-After: 1\r\n"
        } else {
            ""
        };
        format!(
            "HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\
             Connection: close\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n{retry}\r\n{text}\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or(""),
            text.len() + 1,
        )
        .into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_on_the_wire_are_complete_http_responses() {
        let wire = String::from_utf8(Refusal::Busy.wire()).unwrap();
        assert!(
            wire.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
            "{wire}"
        );
        assert!(wire.contains("\r\nRetry-After: 1\r\n"), "{wire}");
        let (head, body) = wire.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
        let wire = String::from_utf8(Refusal::HeadTimeout.wire()).unwrap();
        assert!(
            wire.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
            "{wire}"
        );
        assert!(!wire.contains("Retry-After"));
        let response = Refusal::TooLarge.response();
        assert_eq!(response.status(), 413);
        assert_eq!(response.headers()[header::CONNECTION], "close");
    }
}
