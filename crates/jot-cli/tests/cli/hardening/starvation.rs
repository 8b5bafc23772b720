//! Wrong secrets in parallel, each from a new client id and (on Linux) a new
//! loopback address, so that throttling does not stop them and every one costs
//! a full PBKDF2: the JWK Set, which needs no hash, stays quick, and a client
//! whose secret verified before still gets tokens. Latency is measured in the
//! benchmarks; this only holds a generous bound.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::{SVC, loopback, raw_status, socket_addr, token};
use crate::support::{Jot, http};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_secrets_in_parallel_do_not_starve_the_jwks() {
    let jot = Jot::start(None, &["--client", SVC], &[]);
    let url = jot.url.clone();
    let addr = socket_addr(&url);
    let client = http();
    // Verified once: remembered, so later requests skip the hash.
    token(&client, &url, "svc", "svc-secret-123").await;

    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let mut attackers = Vec::new();
    for attacker in 0..4u8 {
        let (stop, sent) = (Arc::clone(&stop), Arc::clone(&sent));
        attackers.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for n in 0..10_000u32 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let body = format!(
                    "grant_type=client_credentials&client_id=attacker-{attacker}-{n}&client_secret=wrong"
                );
                let request = format!(
                    "POST /token HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
                     Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                let from = loopback(2 + ((u32::from(attacker) * 61 + n) % 250) as u8);
                statuses.push(raw_status(addr, from, request.as_bytes()).await);
                sent.fetch_add(1, Ordering::Relaxed);
            }
            statuses
        }));
    }

    // Six seconds of attack: the JWK Set and a known client stay quick.
    let deadline = Instant::now() + Duration::from_secs(6);
    let mut slowest = Duration::ZERO;
    let mut answered = 0;
    while Instant::now() < deadline {
        let started = Instant::now();
        let response = client
            .get(format!("{url}/.well-known/jwks.json"))
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .expect("the JWK Set answers");
        assert_eq!(response.status(), 200);
        slowest = slowest.max(started.elapsed());
        answered += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let started = Instant::now();
    token(&client, &url, "svc", "svc-secret-123").await;
    let known_client = started.elapsed();
    stop.store(true, Ordering::Relaxed);

    let mut statuses = Vec::new();
    for attacker in attackers {
        statuses.extend(attacker.await.unwrap());
    }
    assert!(
        sent.load(Ordering::Relaxed) >= 8,
        "the attack ran: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| matches!(s, 401 | 429 | 503)),
        "wrong secrets are refused, never a 500: {statuses:?}"
    );
    if cfg!(target_os = "linux") {
        // New ids from many addresses: mostly checked with a full hash, not throttled.
        let hashed = statuses.iter().filter(|s| **s == 401).count();
        assert!(hashed * 2 >= statuses.len(), "{statuses:?}");
    }
    assert!(
        slowest < Duration::from_secs(2),
        "slowest JWKS answer {slowest:?} of {answered}"
    );
    assert!(
        known_client < Duration::from_secs(2),
        "a known client waited {known_client:?}"
    );
}
