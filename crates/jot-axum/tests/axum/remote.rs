//! Remote JWKS over real sockets on 127.0.0.1: rotation, cooldown, single flight,
//! stale serving, bad bodies, discovery; and the JWK Set file.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use jot_axum::{FetchError, JwksFile, JwtAuth, RemoteJwks, TokenCache, Verified};
use serde_json::json;

use crate::support::*;

fn remote(server: &JwksServer, cooldown: Duration) -> RemoteJwks {
    RemoteJwks::builder(server.url())
        .cooldown(cooldown)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

fn auth(keys: RemoteJwks) -> JwtAuth<()> {
    // No token cache: every request goes to the key source.
    JwtAuth::builder(keys)
        .token_cache(TokenCache::disabled())
        .build()
}

fn app(auth: JwtAuth<()>) -> Router {
    async fn ok(_: Verified<()>) -> &'static str {
        "ok"
    }
    Router::new().route("/", get(ok)).with_state(auth)
}

async fn status(app: &Router, token: &str) -> StatusCode {
    send(app, bearer("/", token)).await.status
}

#[tokio::test]
async fn rotation_is_picked_up_on_a_new_kid() {
    let k1 = es256("k1");
    let k2 = es256("k2");
    let server = JwksServer::start(&[&k1]).await;
    let keys = remote(&server, Duration::from_millis(500));
    let app = app(auth(keys.clone()));

    assert_eq!(
        status(&app, &mint(&k1, claims(json!({})))).await,
        StatusCode::OK
    );
    assert_eq!(server.hits(), 1);
    assert_eq!(keys.stats().key_ids, ["k1"]);

    server.set_keys(&[&k2]);
    tokio::time::sleep(Duration::from_millis(550)).await;
    assert_eq!(
        status(&app, &mint(&k2, claims(json!({})))).await,
        StatusCode::OK
    );
    assert_eq!(server.hits(), 2, "one refetch for the new kid");
    assert_eq!(keys.stats().key_ids, ["k2"]);

    // k1 is gone: refused as an unknown key (inside the cooldown, without a fetch).
    let r = send(&app, bearer("/", &mint(&k1, claims(json!({}))))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.challenge().unwrap().contains("unknown key"));
    assert_eq!(server.hits(), 2);
}

/// A post-quantum issuer: its ML-DSA-65 key comes as an `AKP` JWK in the remote
/// set, and the key's `alg` is the only one it verifies.
#[cfg(feature = "ml-dsa")]
#[tokio::test]
async fn ml_dsa_tokens_verify_against_a_remote_akp_key() {
    use jot_algorithms::Algorithm;
    let key = jot_algorithms::SigningKey::generate(Algorithm::MlDsa65)
        .unwrap()
        .with_kid("pq");
    let server = JwksServer::start(&[&key]).await;
    let published: serde_json::Value = serde_json::from_str(&jwks_of(&[&key])).unwrap();
    assert_eq!(published["keys"][0]["kty"], "AKP");
    assert_eq!(published["keys"][0]["alg"], "ML-DSA-65");
    let app = app(auth(remote(&server, Duration::from_millis(500))));

    let token = mint(&key, claims(json!({})));
    assert_eq!(status(&app, &token).await, StatusCode::OK);

    // One changed signature byte: refused.
    let mut forged = token.into_bytes();
    let at = forged.len() - 10;
    forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    assert_eq!(status(&app, &forged).await, StatusCode::UNAUTHORIZED);

    // The same `kid` with another ML-DSA parameter set is not this key's algorithm.
    let other = jot_algorithms::SigningKey::generate(Algorithm::MlDsa44)
        .unwrap()
        .with_kid("pq");
    let r = send(&app, bearer("/", &mint(&other, claims(json!({}))))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unknown_kid_flood_is_rate_limited() {
    let key = es256("real");
    let server = JwksServer::start(&[&key]).await;
    let cooldown = Duration::from_millis(1000);
    let keys = remote(&server, cooldown);
    keys.refresh_now().await.unwrap();
    assert_eq!(server.hits(), 1);
    tokio::time::sleep(cooldown + Duration::from_millis(50)).await;

    let app = app(auth(keys.clone()));
    let started = Instant::now();
    let mut handles = Vec::new();
    for worker in 0..16 {
        let app = app.clone();
        let key = key.clone();
        handles.push(tokio::spawn(async move {
            let mut codes = Vec::new();
            for i in 0..(1000 / 16 + 1) {
                if worker * 63 + i >= 1000 {
                    break;
                }
                let kid = random_kid();
                codes.push(status(&app, &mint_kid(&key, &kid, claims(json!({})))).await);
            }
            codes
        }));
    }
    let mut count = 0;
    for h in handles {
        for code in h.await.unwrap() {
            assert_eq!(code, StatusCode::UNAUTHORIZED);
            count += 1;
        }
    }
    let elapsed = started.elapsed();
    assert_eq!(count, 1000);
    let extra = server.hits() - 1;
    eprintln!("flood: {count} requests, {extra} extra fetches in {elapsed:?}");
    let windows = (elapsed.as_millis() / cooldown.as_millis()) as usize + 1;
    assert!(extra >= 1, "the first unknown kid refetched");
    assert!(
        extra <= windows,
        "{extra} extra fetches in {elapsed:?} ({windows} windows)"
    );
    // The real key still works.
    assert_eq!(
        status(&app, &mint(&key, claims(json!({})))).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn concurrent_requests_share_one_fetch() {
    let key = es256("k");
    let server = JwksServer::start(&[&key]).await;
    server.set_delay(Duration::from_millis(300));
    let keys = remote(&server, Duration::from_millis(100));
    let app = app(auth(keys.clone()));
    let token = mint(&key, claims(json!({})));
    let mut handles = Vec::new();
    for _ in 0..50 {
        let (app, token) = (app.clone(), token.clone());
        handles.push(tokio::spawn(async move { status(&app, &token).await }));
    }
    for h in handles {
        assert_eq!(h.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(server.hits(), 1, "cold start: one fetch for 50 requests");

    // The same for an unknown kid after the cooldown: 50 waiters, one refetch.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let k2 = es256("k2");
    server.set_keys(&[&key, &k2]);
    let token2 = mint(&k2, claims(json!({})));
    let mut handles = Vec::new();
    for _ in 0..50 {
        let (app, token) = (app.clone(), token2.clone());
        handles.push(tokio::spawn(async move { status(&app, &token).await }));
    }
    for h in handles {
        assert_eq!(h.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(server.hits(), 2);
    assert_eq!(keys.stats().fetches, 2);
}

#[tokio::test]
async fn stale_keys_are_served_when_the_issuer_fails_or_is_gone() {
    let key = es256("k");
    let server = JwksServer::start(&[&key]).await;
    let keys = RemoteJwks::builder(server.url())
        .cooldown(Duration::from_millis(50))
        .min_ttl(Duration::ZERO)
        .default_ttl(Duration::from_millis(100))
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let app = app(auth(keys.clone()));
    let token = mint(&key, claims(json!({})));
    assert_eq!(status(&app, &token).await, StatusCode::OK);

    server.set_mode(Mode::Error500);
    assert_eq!(
        keys.refresh_now().await,
        Err(FetchError::Status { status: 500 })
    );
    tokio::time::sleep(Duration::from_millis(150)).await; // the set is stale now
    assert_eq!(status(&app, &token).await, StatusCode::OK);
    let stats = keys.stats();
    assert_eq!(stats.key_ids, ["k"]);
    assert!(matches!(
        stats.last_error,
        Some((_, FetchError::Status { status: 500 }))
    ));
    assert!(stats.failures >= 1);

    server.stop();
    tokio::time::sleep(Duration::from_millis(60)).await;
    let err = keys.refresh_now().await.unwrap_err();
    assert!(
        matches!(err, FetchError::Connect | FetchError::Request),
        "{err:?}"
    );
    assert_eq!(status(&app, &token).await, StatusCode::OK);
    assert_eq!(keys.stats().key_count, 1);
}

#[tokio::test]
async fn oversized_and_malformed_bodies_keep_the_good_set() {
    let key = es256("k");
    let server = JwksServer::start(&[&key]).await;
    let keys = remote(&server, Duration::from_millis(10));
    keys.refresh_now().await.unwrap();
    let app = app(auth(keys.clone()));
    let token = mint(&key, claims(json!({})));

    let cases = [
        (Mode::Oversized, FetchError::TooLarge { limit: 1024 * 1024 }),
        (
            Mode::OversizedChunked,
            FetchError::TooLarge { limit: 1024 * 1024 },
        ),
        (Mode::NotJson, FetchError::NotJson),
        (Mode::NotJwkSet, FetchError::NotJwkSet),
    ];
    for (mode, expected) in cases {
        server.set_mode(mode.clone());
        assert_eq!(keys.refresh_now().await, Err(expected), "{mode:?}");
        assert_eq!(status(&app, &token).await, StatusCode::OK, "{mode:?}");
        assert_eq!(keys.stats().key_ids, ["k"]);
    }
}

#[tokio::test]
async fn symmetric_keys_in_a_remote_set_are_ignored() {
    let server = JwksServer::start(&[]).await;
    server.set_raw_jwks(
        json!({"keys": [{"kty": "oct", "kid": "h", "alg": "HS256",
            "k": jot_algorithms::base64url::encode(SECRET)}]})
        .to_string(),
    );
    let keys = remote(&server, Duration::from_secs(30));
    keys.refresh_now().await.unwrap();
    assert_eq!(keys.stats().key_count, 0);
    let app = app(auth(keys));
    let token = mint_kid(&hs256(), "h", claims(json!({})));
    assert_eq!(status(&app, &token).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn duplicate_kids_in_a_remote_set_are_set_aside() {
    // Two different keys published under one kid: which one the issuer meant cannot
    // be known, so neither verifies; a third key under its own kid still does.
    let a = es256("dup");
    let b = es256("dup");
    let good = es256("good");
    let server = JwksServer::start(&[&a, &b, &good]).await;
    let keys = remote(&server, Duration::from_secs(30));
    keys.refresh_now().await.unwrap();
    assert_eq!(keys.stats().key_count, 1);
    let app = app(auth(keys));
    for key in [&a, &b] {
        let token = mint(key, claims(json!({})));
        assert_eq!(status(&app, &token).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        status(&app, &mint(&good, claims(json!({})))).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn cache_control_bounds_and_refresh_ahead() {
    let key = es256("k");
    let server = JwksServer::start(&[&key]).await;
    server.set_cache_control("public, max-age=1");
    let keys = RemoteJwks::builder(server.url())
        .min_ttl(Duration::ZERO)
        .cooldown(Duration::from_millis(100))
        .build()
        .unwrap();
    keys.refresh_now().await.unwrap();
    let left = keys.stats().expires_in.unwrap();
    assert!(
        left <= Duration::from_secs(1) && left > Duration::from_millis(500),
        "{left:?}"
    );
    // No request at all: the background task refetches before expiry (at 0.9 s).
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert!(
        server.hits() >= 2,
        "refreshed ahead: {} fetches",
        server.hits()
    );
    assert!(keys.stats().expires_in.unwrap() > Duration::ZERO);

    // The lower bound wins over a short max-age.
    let server = JwksServer::start(&[&key]).await;
    server.set_cache_control("max-age=1");
    let keys = remote(&server, Duration::from_secs(30));
    keys.refresh_now().await.unwrap();
    assert!(keys.stats().expires_in.unwrap() > Duration::from_secs(299));
}

#[tokio::test]
async fn discovery_openid_then_rfc8414() {
    let key = es256("k");
    let server = JwksServer::start(&[&key]).await;
    let keys = RemoteJwks::discover(server.base()).build().unwrap();
    keys.refresh_now().await.unwrap();
    assert_eq!(
        keys.stats().jwks_uri.as_deref(),
        Some(server.url().as_str())
    );
    let app = app(auth(keys));
    assert_eq!(
        status(&app, &mint(&key, claims(json!({})))).await,
        StatusCode::OK
    );

    // Without an OpenID configuration, the RFC 8414 document is used.
    *server.state.oidc_enabled.lock().unwrap() = false;
    let keys = RemoteJwks::discover(server.base()).build().unwrap();
    keys.refresh_now().await.unwrap();
    assert_eq!(keys.stats().key_ids, ["k"]);
    assert_eq!(server.state.discovery_hits.load(Ordering::SeqCst), 2);

    // A document for another issuer is refused: no keys, 503.
    *server.state.issuer.lock().unwrap() = "https://evil.example".into();
    let keys = RemoteJwks::discover(server.base()).build().unwrap();
    assert!(matches!(
        keys.refresh_now().await,
        Err(FetchError::IssuerMismatch { .. })
    ));
    let app = self::app(auth(keys));
    assert_eq!(
        status(&app, &mint(&key, claims(json!({})))).await,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn jwks_file_reloads_on_demand() {
    let a = es256("a");
    let b = es256("b");
    let path = std::env::temp_dir().join(format!(
        "jot-axum-test-{}-{}.json",
        std::process::id(),
        random_kid()
    ));
    std::fs::write(&path, jwk_set(&[&a]).to_json()).unwrap();
    let file = JwksFile::load(&path).unwrap();
    let app = Router::new()
        .route("/", get(|_: Verified<()>| async { "ok" }))
        .with_state(JwtAuth::<()>::builder(file.clone()).build());
    assert_eq!(
        status(&app, &mint(&a, claims(json!({})))).await,
        StatusCode::OK
    );
    assert_eq!(
        status(&app, &mint(&b, claims(json!({})))).await,
        StatusCode::UNAUTHORIZED
    );

    std::fs::write(&path, jwk_set(&[&b]).to_json()).unwrap();
    assert_eq!(file.reload().await, Ok(1));
    assert_eq!(
        status(&app, &mint(&b, claims(json!({})))).await,
        StatusCode::OK
    );

    std::fs::write(&path, "not json").unwrap();
    assert_eq!(file.reload().await, Err(FetchError::NotJson));
    assert_eq!(
        status(&app, &mint(&b, claims(json!({})))).await,
        StatusCode::OK,
        "kept the last good keys"
    );
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(file.reload().await, Err(FetchError::Io { .. })));
}

fn random_kid() -> String {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 12];
    ring::rand::SystemRandom::new().fill(&mut bytes).unwrap();
    jot_algorithms::base64url::encode(&bytes)
}

#[tokio::test]
async fn a_failed_tls_handshake_is_a_tls_error() {
    // The server speaks plain HTTP: its answer to the TLS ClientHello is no TLS record.
    let key = es256("k");
    let server = JwksServer::start(&[&key]).await;
    let keys = RemoteJwks::builder(format!("https://{}/jwks.json", server.addr))
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    assert_eq!(keys.refresh_now().await, Err(FetchError::Tls));
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn plain_http_to_loopback_without_opt_in_elsewhere_refused() {
    let key = es256("k");
    let server = JwksServer::start(&[&key]).await;
    let keys = RemoteJwks::builder(server.url()).build().unwrap();
    keys.refresh_now().await.unwrap();
    assert_eq!(keys.stats().key_ids, ["k"]);
    assert_eq!(
        RemoteJwks::builder("http://a.example/jwks.json")
            .build()
            .unwrap_err(),
        jot_axum::ConfigError::InsecureUrl
    );
    assert!(
        RemoteJwks::builder("http://a.example/jwks.json")
            .allow_insecure_http()
            .build()
            .is_ok()
    );
    // Through discovery too: the loopback issuer's plain-HTTP jwks_uri is allowed.
    let discovered = RemoteJwks::discover(server.base()).build().unwrap();
    discovered.refresh_now().await.unwrap();
    assert_eq!(discovered.stats().key_ids, ["k"]);
}
