//! The connection limits over real sockets on 127.0.0.1, with short timeouts and
//! a toy router: what a slow, silent, idle, greedy or patient client gets.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{get, post};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::{Limits, serve};

fn limits() -> Limits {
    Limits {
        header_timeout: Duration::from_millis(500),
        body_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_millis(800),
        idle_timeout: Duration::from_millis(700),
        max_connections: 8,
    }
}

/// A server of the toy router: `/fast`, `/slow` (2 s), `POST /echo` (the body's length).
async fn start(limits: Limits) -> (SocketAddr, oneshot::Sender<()>, JoinHandle<()>) {
    let app = Router::new()
        .route("/fast", get(|| async { "ok" }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(2)).await;
                "slow"
            }),
        )
        .route(
            "/echo",
            post(|body: axum::body::Bytes| async move { body.len().to_string() }),
        );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, app, limits, None, async {
        let _ = stopped.await;
    }));
    (addr, stop, server)
}

const FAST: &[u8] = b"GET /fast HTTP/1.1\r\nHost: x\r\n\r\n";

/// What arrives on `stream` until it closes (or `within` passes: `closed` false).
async fn read_all(
    stream: &mut (impl tokio::io::AsyncRead + Unpin),
    within: Duration,
) -> (String, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return (String::from_utf8_lossy(&out).into_owned(), true),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&out).into_owned(), false),
        }
    }
}

/// The first response on `stream` (its head and a short body), without waiting
/// for the connection to close.
async fn response(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("an answer within 5 s")
            .unwrap();
        out.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&out).into_owned();
        if n == 0 || text.contains("\r\n\r\n") && !text.ends_with("\r\n\r\n") {
            return text;
        }
    }
}

async fn fast(addr: SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(FAST).await.unwrap();
    response(&mut stream).await
}

#[tokio::test]
async fn a_slow_request_head_gets_408_and_a_silent_connection_is_closed() {
    let (addr, _stop, _server) = start(limits()).await;
    let started = Instant::now();
    // A byte every 100 ms: never silent, never done.
    let (mut slow, mut trickle) = TcpStream::connect(addr).await.unwrap().into_split();
    tokio::spawn(async move {
        for byte in b"GET /fast HTTP/1.1\r\nHost: x\r\nX-Slow: "
            .iter()
            .cycle()
            .take(100)
        {
            if trickle.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let (text, closed) = read_all(&mut slow, Duration::from_secs(4)).await;
    assert!(closed, "still open: {text}");
    assert!(
        text.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{text}"
    );
    let (text, closed) = read_all(&mut silent, Duration::from_secs(4)).await;
    assert!(closed && text.is_empty(), "{text}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(fast(addr).await.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn a_kept_alive_connection_has_the_idle_timeout_then_the_header_timeout() {
    let limits = Limits {
        header_timeout: Duration::from_secs(5),
        idle_timeout: Duration::from_millis(400),
        ..limits()
    };
    let (addr, _stop, _server) = start(limits).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(FAST).await.unwrap();
    assert!(response(&mut stream).await.starts_with("HTTP/1.1 200"));
    let idle = Instant::now();
    let (text, closed) = read_all(&mut stream, Duration::from_secs(3)).await;
    assert!(closed && text.is_empty(), "{text}");
    assert!(
        idle.elapsed() < Duration::from_secs(2),
        "{:?}",
        idle.elapsed()
    );

    // A second request begun in time has the header timeout from its first byte.
    let limits = Limits {
        header_timeout: Duration::from_millis(1200),
        idle_timeout: Duration::from_millis(300),
        ..limits
    };
    let (addr, _stop, _server) = start(limits).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(FAST).await.unwrap();
    assert!(response(&mut stream).await.starts_with("HTTP/1.1 200"));
    let begun = Instant::now();
    stream.write_all(b"GET /fa").await.unwrap();
    let (text, closed) = read_all(&mut stream, Duration::from_secs(3)).await;
    assert!(closed && text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(
        begun.elapsed() > Duration::from_millis(900),
        "{:?}",
        begun.elapsed()
    );
}

#[tokio::test]
async fn slow_bodies_big_bodies_and_slow_answers_are_refused() {
    let (addr, _stop, _server) = start(limits()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
        .await
        .unwrap();
    let text = response(&mut stream).await;
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("body took too long"), "{text}");

    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        .await
        .unwrap();
    assert!(response(&mut stream).await.starts_with("HTTP/1.1 413"));

    let mut stream = TcpStream::connect(addr).await.unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 40_000, "a".repeat(40_000));
    let request = format!(
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{chunk}{chunk}0\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    assert!(response(&mut stream).await.starts_with("HTTP/1.1 413"));

    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        .await
        .unwrap();
    let text = response(&mut stream).await;
    assert!(
        text.starts_with("HTTP/1.1 200") && text.ends_with('5'),
        "{text}"
    );

    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let text = response(&mut stream).await;
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("took too long to answer"), "{text}");
}

#[tokio::test]
async fn at_the_cap_slow_senders_make_room_and_busy_connections_do_not() {
    let limits = Limits {
        header_timeout: Duration::from_secs(30),
        request_timeout: Duration::from_secs(30),
        max_connections: 3,
        ..limits()
    };
    let (addr, _stop, _server) = start(limits).await;
    // Three slow senders fill the server; each new request still gets through,
    // by taking the place of the one that waited longest.
    let mut slow = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"GET /fast HTTP/1.1\r\nHo").await.unwrap();
        slow.push(stream);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // (Each stays open, kept alive, so that the next must make room too.)
    let mut kept = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(FAST).await.unwrap();
        assert!(response(&mut stream).await.starts_with("HTTP/1.1 200"));
        kept.push(stream);
    }
    // The slow senders were told why.
    for stream in &mut slow {
        let (text, closed) = read_all(stream, Duration::from_secs(4)).await;
        assert!(closed, "a slow sender kept its place: {text}");
        assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    }

    // Three requests in progress (in the places of the kept-alive connections):
    // a fourth connection is answered 503 at once.
    let mut busy = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        busy.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let text = fast(addr).await;
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("Retry-After: 1"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(1));
    // The requests in progress were not cut.
    for stream in &mut busy {
        let text = response(stream).await;
        assert!(
            text.starts_with("HTTP/1.1 200") && text.ends_with("slow"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn shutdown_finishes_requests_in_progress_and_closes_the_rest() {
    let limits = Limits {
        header_timeout: Duration::from_secs(30),
        request_timeout: Duration::from_secs(30),
        ..limits()
    };
    let (addr, stop, server) = start(limits).await;
    let mut idle = TcpStream::connect(addr).await.unwrap();
    let mut busy = TcpStream::connect(addr).await.unwrap();
    busy.write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    let (text, closed) = read_all(&mut idle, Duration::from_secs(1)).await;
    assert!(closed && text.is_empty(), "{text}");
    let (text, closed) = read_all(&mut busy, Duration::from_secs(5)).await;
    assert!(closed && text.starts_with("HTTP/1.1 200"), "{text}");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("serve returns once the last request is done")
        .unwrap();
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer listening"
    );
}
