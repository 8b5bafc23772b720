//! The verified-token cache against a key set that changes: a key dropped from the
//! set stops working at once through the cache, a key that stays keeps its tokens
//! cached. Remote sets are served over real sockets on 127.0.0.1.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use jot_algorithms::Algorithm;
use jot_axum::{JwksFile, JwtAuth, KeySource, Keys, MultiIssuer, RemoteJwks, Verified};
use jot_codec::UntrustedToken;
use serde_json::json;

use crate::support::*;

/// The app, and how many times the key source was asked for keys (`keys_for`):
/// a cache hit does not ask.
fn app(keys: impl KeySource) -> (Router, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    // The default cache: on, entries trusted for up to 5 minutes.
    let auth = JwtAuth::<()>::builder(Counting {
        inner: keys,
        calls: Arc::clone(&calls),
    })
    .build();
    let app = Router::new()
        .route("/", get(|_: Verified<()>| async { "ok" }))
        .with_state(auth);
    (app, calls)
}

fn remote(server: &JwksServer) -> RemoteJwks {
    remote_cooling(server, Duration::from_millis(200))
}

fn remote_cooling(server: &JwksServer, cooldown: Duration) -> RemoteJwks {
    RemoteJwks::builder(server.url())
        .min_ttl(Duration::ZERO)
        .cooldown(cooldown)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

async fn status(app: &Router, token: &str) -> StatusCode {
    send(app, bearer("/", token)).await.status
}

/// Sends `token` and expects 401 `unknown key`.
async fn refused_as_unknown_key(app: &Router, token: &str) {
    let r = send(app, bearer("/", token)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let challenge = r.challenge().unwrap();
    assert!(challenge.contains("unknown key"), "{challenge}");
}

#[tokio::test]
async fn a_key_dropped_from_the_remote_set_stops_working_through_the_cache() {
    let a = es256("a");
    let b = es256("b");
    let server = JwksServer::start(&[&a]).await;
    // A one-second lifetime: the background task refetches at 0.9 s.
    server.set_cache_control("max-age=1");
    let keys = remote(&server);
    let (app, calls) = app(keys.clone());

    let token_a = mint(&a, claims(json!({})));
    for _ in 0..3 {
        assert_eq!(status(&app, &token_a).await, StatusCode::OK);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1, "two cache hits");

    // The issuer drops A (say, after a compromise) and publishes only B.
    server.set_keys(&[&b]);
    let fetched = server.hits();
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert!(server.hits() > fetched, "the set refreshed on its own");
    assert_eq!(keys.stats().key_ids, ["b"]);

    // The very token that was cached is refused, long before the entry would lapse.
    refused_as_unknown_key(&app, &token_a).await;
    refused_as_unknown_key(&app, &token_a).await;
    // As is a new one signed by A, and B's tokens work.
    refused_as_unknown_key(&app, &mint(&a, claims(json!({"n": 1})))).await;
    assert_eq!(
        status(&app, &mint(&b, claims(json!({})))).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_new_kid_refetch_also_ends_a_dropped_keys_cached_tokens() {
    // The refresh is the one a token with B's new kid causes (no Cache-Control).
    let a = es256("a");
    let b = es256("b");
    let server = JwksServer::start(&[&a]).await;
    let keys = remote_cooling(&server, Duration::from_secs(1));
    let (app, calls) = app(keys.clone());
    let token_a = mint(&a, claims(json!({})));
    assert_eq!(status(&app, &token_a).await, StatusCode::OK);
    assert_eq!(status(&app, &token_a).await, StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    server.set_keys(&[&b]);
    tokio::time::sleep(Duration::from_millis(1050)).await; // past the cooldown
    assert_eq!(
        status(&app, &mint(&b, claims(json!({})))).await,
        StatusCode::OK
    );
    assert_eq!(server.hits(), 2, "one refetch for the new kid");
    refused_as_unknown_key(&app, &token_a).await;
    assert_eq!(server.hits(), 2, "refused without another fetch (cooldown)");
}

#[tokio::test]
async fn rotation_keeps_the_remaining_keys_tokens_cached() {
    let a = es256("a");
    let b = es256("b");
    let server = JwksServer::start(&[&a, &b]).await;
    let keys = remote(&server);
    let (app, calls) = app(keys.clone());
    let token_a = mint(&a, claims(json!({})));
    let token_b = mint(&b, claims(json!({})));
    for token in [&token_a, &token_b, &token_a, &token_b] {
        assert_eq!(status(&app, token).await, StatusCode::OK);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2, "one lookup per token");
    assert_eq!(server.hits(), 1);

    // A is retired: the set is B alone.
    server.set_keys(&[&b]);
    keys.refresh_now().await.unwrap();
    assert_eq!(keys.stats().key_ids, ["b"]);

    // B's token is still served from the cache: no lookup, no fetch.
    for _ in 0..3 {
        assert_eq!(status(&app, &token_b).await, StatusCode::OK);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2, "B's token hit the cache");
    // A's is verified again, and refused.
    refused_as_unknown_key(&app, &token_a).await;
    assert_eq!(calls.load(Ordering::SeqCst), 3);

    // A refetch of the same set keeps B's entry (same key, same thumbprint).
    keys.refresh_now().await.unwrap();
    assert_eq!(status(&app, &token_b).await, StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn another_key_under_the_same_kid_is_not_the_cached_key() {
    // The issuer replaces the key behind kid "k": tokens of the old key are refused
    // (bad signature), though their kid is still in the set.
    let old = es256("k");
    let new = es256("k");
    let server = JwksServer::start(&[&old]).await;
    let keys = remote(&server);
    let (app, _) = app(keys.clone());
    let token = mint(&old, claims(json!({})));
    assert_eq!(status(&app, &token).await, StatusCode::OK);
    server.set_keys(&[&new]);
    keys.refresh_now().await.unwrap();
    let r = send(&app, bearer("/", &token)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let challenge = r.challenge().unwrap();
    assert!(challenge.contains("invalid signature"), "{challenge}");
    assert_eq!(
        status(&app, &mint(&new, claims(json!({})))).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn through_several_issuers() {
    let a = es256("a");
    let b = es256("b");
    let server = JwksServer::start(&[&a, &b]).await;
    let keys = remote(&server);
    let (app, calls) = app(MultiIssuer::new().issuer("https://issuer.example", keys.clone()));
    let iss = json!({"iss": "https://issuer.example"});
    let token_a = mint(&a, claims(iss.clone()));
    let token_b = mint(&b, claims(iss));
    for token in [&token_a, &token_b, &token_a, &token_b] {
        assert_eq!(status(&app, token).await, StatusCode::OK);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    server.set_keys(&[&b]);
    keys.refresh_now().await.unwrap();
    assert_eq!(status(&app, &token_b).await, StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 2, "B's token hit the cache");
    refused_as_unknown_key(&app, &token_a).await;
}

#[tokio::test]
async fn a_key_removed_from_a_jwks_file_stops_working_through_the_cache() {
    let a = es256("a");
    let b = es256("b");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jwks.json");
    std::fs::write(&path, jwk_set(&[&a, &b]).to_json()).unwrap();
    let file = JwksFile::load(&path).unwrap();
    let (app, calls) = app(file.clone());
    let token_a = mint(&a, claims(json!({})));
    let token_b = mint(&b, claims(json!({})));
    for token in [&token_a, &token_b, &token_a, &token_b] {
        assert_eq!(status(&app, token).await, StatusCode::OK);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    std::fs::write(&path, jwk_set(&[&b]).to_json()).unwrap();
    assert_eq!(file.reload().await, Ok(1));
    refused_as_unknown_key(&app, &token_a).await;
    assert_eq!(status(&app, &token_b).await, StatusCode::OK);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "only A's token was looked up"
    );
}

/// Keys a source cannot describe without I/O (`keys_now` not implemented), and a
/// set it swaps by hand.
struct Swappable {
    keys: std::sync::Mutex<Keys>,
    calls: Arc<AtomicUsize>,
}

impl KeySource for Swappable {
    fn keys_for<'a>(&'a self, _: &'a UntrustedToken<'a>) -> jot_axum::KeysFuture<'a> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let keys = self.keys.lock().unwrap().clone();
        Box::pin(std::future::ready(Ok(keys)))
    }
}

#[tokio::test]
async fn a_source_without_keys_now_is_asked_on_every_hit() {
    let a = es256("a");
    let b = es256("b");
    let set = |keys: &[&jot_algorithms::SigningKey]| {
        Keys::from(jot_algorithms::KeySet::from_keys(
            keys.iter().map(|k| k.verifying_key()),
        ))
    };
    let calls = Arc::new(AtomicUsize::new(0));
    let source = Arc::new(Swappable {
        keys: std::sync::Mutex::new(set(&[&a, &b])),
        calls: Arc::clone(&calls),
    });
    let auth = JwtAuth::<()>::builder(Arc::clone(&source)).build();
    let token_a = mint(&a, claims(json!({})));
    let token_b = mint(&b, claims(json!({})));
    for token in [&token_a, &token_b, &token_a, &token_b] {
        auth.verify(token).await.unwrap();
    }
    assert_eq!(calls.load(Ordering::SeqCst), 4, "asked on hits too");
    *source.keys.lock().unwrap() = set(&[&b]);
    assert_eq!(
        auth.verify(&token_a).await.unwrap_err().description(),
        "unknown key"
    );
    auth.verify(&token_b).await.unwrap();
}

#[tokio::test]
async fn tokens_a_custom_verifier_accepts_are_not_cached() {
    // A custom verifier cannot say which key verified, so a removal could not be
    // noticed: its tokens are verified every time.
    let key = es256("k");
    let calls = Arc::new(AtomicUsize::new(0));
    let verifier = Keys::custom(Arc::new(key.verifying_key()));
    let auth = JwtAuth::<()>::builder(Swappable {
        keys: std::sync::Mutex::new(verifier),
        calls: Arc::clone(&calls),
    })
    .build();
    let token = mint(&key, claims(json!({})));
    for _ in 0..3 {
        let v = auth.verify(&token).await.unwrap();
        assert_eq!(v.token().algorithm, Algorithm::ES256);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}
