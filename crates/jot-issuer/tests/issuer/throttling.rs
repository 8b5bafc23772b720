//! Failed client authentication: hashed off the async workers on a bounded pool,
//! so wrong secrets cannot starve the endpoints that need no hash; throttled per
//! client id and per address with exponential backoff (429 and `Retry-After`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use jot_issuer::store::MemoryStore;

use crate::support::{Auth, CLIENT, SECRET, start_with};

/// Many wrong secrets at once, each from a new address and for a new client id
/// (so no throttle stops them: only the pool protects the server), at a cost of
/// a million PBKDF2 iterations each, against a server on one thread: the JWK
/// Set keeps answering. When the hash ran on the async worker, each JWKS request
/// waited for every queued hash (seconds). The bound asserted is generous; the
/// figures belong to a benchmark.
#[tokio::test]
async fn wrong_secrets_in_parallel_do_not_starve_the_jwks() {
    const ATTACKERS: usize = 16;
    let issuer = start_with(MemoryStore::new(), |b| {
        b.client_secret_hash_iterations(1_000_000)
            .client_ip_header("x-forwarded-for")
    })
    .await;
    let refused = Arc::new(AtomicUsize::new(0));
    let mut attackers = Vec::new();
    for a in 0..ATTACKERS {
        let (http, url, refused) = (issuer.http.clone(), issuer.url.clone(), refused.clone());
        attackers.push(tokio::spawn(async move {
            for n in 0u32.. {
                let reply = http
                    .post(format!("{url}/token"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("x-forwarded-for", format!("10.{a}.{}.{}", n / 256 % 256, n % 256))
                    .body(format!(
                        "grant_type=client_credentials&client_id=attacker-{a}-{n}&client_secret=guess"
                    ))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(reply.status(), 401);
                refused.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    // Wait for the first refusals: the hashing is under way.
    let started = Instant::now();
    while refused.load(Ordering::SeqCst) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no attack answered"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before = refused.load(Ordering::SeqCst);
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let start = Instant::now();
        let reply = issuer.get("/.well-known/jwks.json").await;
        assert_eq!(reply.status, 200);
        slowest = slowest.max(start.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let during = refused.load(Ordering::SeqCst) - before;
    for attacker in attackers {
        attacker.abort();
    }
    assert!(
        during >= 1,
        "the attack kept hashing while the JWKS was read"
    );
    assert!(
        slowest < Duration::from_millis(1500),
        "slowest JWKS answer under attack: {slowest:?}"
    );
    // The real client still gets its token.
    assert_eq!(
        issuer
            .post(
                "/token",
                "grant_type=client_credentials",
                Auth::Basic(CLIENT, SECRET)
            )
            .await
            .status,
        200
    );
}

fn from(ip: &str) -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", ip.parse().unwrap());
    headers
}

#[tokio::test]
async fn failed_client_authentication_is_throttled_per_client_and_per_address() {
    let issuer = start_with(MemoryStore::new(), |b| {
        b.client_ip_header("x-forwarded-for")
    })
    .await;
    let token = |id: &str, secret: &str, ip: &str| {
        let request = issuer
            .http
            .post(format!("{}/token", issuer.url))
            .headers(from(ip))
            .basic_auth(id, Some(secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials");
        async move { crate::support::reply(request.send().await.unwrap()).await }
    };

    // Per client id: five failures are free (from five addresses), the sixth
    // locks the id for 1 s, the next for 2 s…
    for i in 0..6 {
        token(CLIENT, "wrong", &format!("192.0.2.{i}"))
            .await
            .assert_error(401, "invalid_client");
    }
    let locked = token(CLIENT, SECRET, "192.0.2.100").await;
    locked.assert_error(429, "invalid_client");
    assert_eq!(locked.header("retry-after"), Some("1"));
    assert!(locked.header("www-authenticate").is_none());
    // An unknown id answers the same way once locked: no oracle on ids.
    for i in 0..6 {
        token("nobody", "wrong", &format!("198.51.100.{i}")).await;
    }
    let unknown = token("nobody", "wrong", "198.51.100.100").await;
    unknown.assert_error(429, "invalid_client");
    assert_eq!(unknown.json(), locked.json());

    issuer.clock.advance(1);
    assert_eq!(token(CLIENT, SECRET, "192.0.2.100").await.status, 200);
    // The client's secret verified: whoever keeps failing for its id locks the
    // id again, but the client itself, whose secret is remembered, gets through.
    for i in 0..8 {
        token(CLIENT, "wrong", &format!("203.0.113.{i}")).await;
    }
    token(CLIENT, "wrong", "203.0.113.50")
        .await
        .assert_error(429, "invalid_client");
    assert_eq!(token(CLIENT, SECRET, "203.0.113.51").await.status, 200);

    // Per address: twenty failures are free (any ids), then the address waits,
    // whatever id it tries; another address does not.
    for i in 0..21 {
        token(&format!("guess-{i}"), "wrong", "192.0.2.200")
            .await
            .assert_error(401, "invalid_client");
    }
    token("guess-x", "wrong", "192.0.2.200")
        .await
        .assert_error(429, "invalid_client");
    let overlong = "o".repeat(5_000);
    token(&overlong, "wrong", "192.0.2.200")
        .await
        .assert_error(429, "invalid_client");
    token("guess-x", "wrong", "192.0.2.201")
        .await
        .assert_error(401, "invalid_client");

    // Introspection and revocation authenticate the same way.
    let reply = issuer
        .http
        .post(format!("{}/introspect", issuer.url))
        .headers(from("192.0.2.200"))
        .basic_auth("guess-y", Some("wrong"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("token=t")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 429);
}
