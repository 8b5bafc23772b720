//! Several issuers chosen by `iss`, and the verified-token cache.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use jot_algorithms::KeySet;
use jot_axum::{JwtAuth, MultiIssuer, TokenCache, Verified};
use jot_codec::Validation;
use serde_json::json;

use crate::support::*;

async fn who(v: Verified<()>) -> String {
    format!(
        "{} from {}",
        v.sub.as_deref().unwrap_or("?"),
        v.iss.as_deref().unwrap_or("?")
    )
}

#[tokio::test]
async fn multiple_issuers_by_iss() {
    let a = es256("a1");
    let b = es256("b1");
    let calls_a = Arc::new(AtomicUsize::new(0));
    let calls_b = Arc::new(AtomicUsize::new(0));
    let keys = MultiIssuer::new()
        .issuer(
            "https://a.example",
            Counting {
                inner: KeySet::from_keys([a.verifying_key()]),
                calls: calls_a.clone(),
            },
        )
        .issuer(
            "https://b.example",
            Counting {
                inner: KeySet::from_keys([b.verifying_key()]),
                calls: calls_b.clone(),
            },
        );
    let auth = JwtAuth::<()>::builder(keys).realm("api").build();
    let app = Router::new().route("/", get(who)).with_state(auth);

    let ta = mint(&a, claims(json!({"iss": "https://a.example"})));
    let tb = mint(&b, claims(json!({"iss": "https://b.example"})));
    assert_eq!(
        send(&app, bearer("/", &ta)).await.body,
        "alice from https://a.example"
    );
    assert_eq!(
        send(&app, bearer("/", &tb)).await.body,
        "alice from https://b.example"
    );
    assert_eq!(
        (
            calls_a.load(Ordering::SeqCst),
            calls_b.load(Ordering::SeqCst)
        ),
        (1, 1)
    );

    // Signed by A's key but claiming to be from B: B's keys refuse it.
    let forged = mint(&a, claims(json!({"iss": "https://b.example"})));
    let r = send(&app, bearer("/", &forged)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.challenge().unwrap().contains(r#"error="invalid_token""#));

    // Unknown or missing issuer: 401 before any key lookup.
    let before = (
        calls_a.load(Ordering::SeqCst),
        calls_b.load(Ordering::SeqCst),
    );
    for token in [
        mint(&a, claims(json!({"iss": "https://evil.example"}))),
        mint(&a, claims(json!({}))),
    ] {
        let r = send(&app, bearer("/", &token)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            r.challenge(),
            Some(
                r#"Bearer realm="api", error="invalid_token", error_description="issuer not accepted""#
            )
        );
    }
    assert_eq!(
        before,
        (
            calls_a.load(Ordering::SeqCst),
            calls_b.load(Ordering::SeqCst)
        )
    );
}

#[tokio::test]
async fn cache_skips_key_lookup_but_rechecks_time() {
    let clock = TestClock::at(now());
    let calls = Arc::new(AtomicUsize::new(0));
    let key = es256("k");
    let auth = JwtAuth::<()>::builder(Counting {
        inner: key.verifying_key(),
        calls: calls.clone(),
    })
    .validation(Validation::new().leeway(0))
    .clock(clock.clone())
    .build();
    let token = mint(&key, json!({"sub": "alice", "exp": now() + 100}));
    for _ in 0..5 {
        auth.verify(&token).await.unwrap();
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1, "four cache hits");
    clock.advance(200);
    let err = auth.verify(&token).await.unwrap_err();
    assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(err.description(), "token expired");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "refused from the cache, still no key lookup"
    );
    // A token differing in one byte of its signature is not a cache hit.
    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert!(auth.verify(&tampered).await.is_err());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn cache_can_be_disabled() {
    let calls = Arc::new(AtomicUsize::new(0));
    let auth = JwtAuth::<()>::builder(Counting {
        inner: hs256().verifying_key(),
        calls: calls.clone(),
    })
    .token_cache(TokenCache::disabled())
    .build();
    let token = mint(&hs256(), claims(json!({})));
    for _ in 0..3 {
        auth.verify(&token).await.unwrap();
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}
