//! Slow senders against the real `jot serve`: cut off by the header timeout,
//! never locking other clients out of a full server, even under a 64-file
//! limit; a slow body gets `408`. Every loop is bounded, everything on 127.0.0.1.

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use super::{SVC, socket_addr, token};
use crate::support::{Jot, http};

/// What a slow sender saw: how long until the server closed, and what it said.
struct Outcome {
    closed_after: Option<Duration>,
    answer: String,
}

/// Connects and sends `head` one byte every 2 s (at most 15 bytes), reading
/// between bytes, until the server closes the connection.
fn trickle(addr: SocketAddr, head: &'static [u8]) -> Outcome {
    let opened = Instant::now();
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    let closed = |answer: &[u8]| Outcome {
        closed_after: Some(opened.elapsed()),
        answer: String::from_utf8_lossy(answer).into_owned(),
    };
    for byte in head.iter().take(15) {
        if stream.write_all(&[*byte]).is_err() {
            return closed(&answer);
        }
        loop {
            match stream.read(&mut buf) {
                Ok(0) => return closed(&answer),
                Ok(n) => answer.extend_from_slice(&buf[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    break;
                }
                Err(_) => return closed(&answer),
            }
        }
    }
    Outcome {
        closed_after: None,
        answer: String::from_utf8_lossy(&answer).into_owned(),
    }
}

const HEAD: &[u8] = b"GET /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\n";

/// A JWKS request on a new connection answers 200 within 2 s.
async fn jwks_answers(url: &str) {
    let started = Instant::now();
    let response = http()
        .get(format!("{url}/.well-known/jwks.json"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("the JWK Set answers");
    assert_eq!(response.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_senders_are_cut_off_and_a_full_server_still_answers() {
    let jot = Jot::start(
        None,
        &[
            "--client",
            SVC,
            "--header-timeout",
            "2s",
            "--max-connections",
            "8",
        ],
        &[],
    );
    let addr = socket_addr(&jot.url);
    // Twelve slow senders for eight places.
    let senders: Vec<_> = (0..12)
        .map(|_| std::thread::spawn(move || trickle(addr, HEAD)))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    // While they trickle, other clients are answered.
    for _ in 0..3 {
        jwks_answers(&jot.url).await;
        let client = http();
        token(&client, &jot.url, "svc", "svc-secret-123").await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut made_room = 0;
    for sender in senders {
        let outcome = sender.join().unwrap();
        let after = outcome
            .closed_after
            .expect("a slow sender was never cut off");
        assert!(after < Duration::from_secs(8), "cut off after {after:?}");
        let status = outcome.answer.get(..12).unwrap_or_default();
        assert!(
            matches!(status, "HTTP/1.1 408" | "HTTP/1.1 503"),
            "{:?}",
            outcome.answer
        );
        made_room += usize::from(status == "HTTP/1.1 503");
    }
    assert!(made_room >= 4, "{made_room} slow senders made room");
}

/// The case: 70 half-sent requests under a 64-file limit locked every
/// client out until they closed. Now the connection cap fits the limit, and the
/// connections waiting longest make room for new ones.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn under_a_64_file_limit_70_idle_half_requests_lock_nobody_out() {
    let mut jot = Jot::start_with_file_limit(
        64,
        &["--client", SVC, "--header-timeout", "60s"],
        &[("RUST_LOG", "warn")],
    );
    let lowered = jot.read_until(|l| l.contains("connection cap lowered"));
    assert!(
        lowered
            .last()
            .is_some_and(|l| l.contains("max_connections=32")),
        "{lowered:?}"
    );
    let addr = socket_addr(&jot.url);
    let mut idle = Vec::new();
    for _ in 0..70 {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream.write_all(b"GET / HTTP/1.1\r\nHo").unwrap();
        idle.push(stream);
    }
    let client = http();
    for _ in 0..3 {
        jwks_answers(&jot.url).await;
        let started = Instant::now();
        token(&client, &jot.url, "svc", "svc-secret-123").await;
        assert!(started.elapsed() < Duration::from_secs(3));
    }
    // At least the 38 over the cap were closed with 503.
    let mut closed = 0;
    for stream in &mut idle {
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let mut answer = [0u8; 12];
        if matches!(stream.read(&mut answer), Ok(12) if &answer == b"HTTP/1.1 503") {
            closed += 1;
        }
    }
    assert!(closed >= 38, "{closed}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_body_gets_408() {
    let jot = Jot::start(None, &["--body-timeout", "1s"], &[]);
    let started = Instant::now();
    let mut stream = TcpStream::connect(socket_addr(&jot.url)).unwrap();
    stream
        .write_all(
            b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100\r\n\r\ngrant_type=",
        )
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));
}
