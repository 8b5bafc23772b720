//! The verified-token cache on the hot path: a hit hands back the token decoded by
//! the verification that cached it, and still refuses it once the clock says so, once
//! its key is gone, and under load from several threads.

use std::sync::{Arc, Mutex};

use jot_algorithms::{KeySet, SigningKey};
use jot_axum::{
    AuthError, AuthErrorKind, JwtAuth, KeySource, Keys, KeysFuture, TokenCache, Verified,
};
use jot_codec::{Error, UntrustedToken, Validation};
use serde::Deserialize;
use serde_json::json;

use crate::support::*;

/// The application's own claims.
#[derive(Clone, Debug, Deserialize, PartialEq)]
struct Custom {
    tenant: String,
    level: u32,
}

fn auth(cache: TokenCache, clock: &TestClock, validation: Validation) -> JwtAuth<Custom> {
    JwtAuth::<Custom>::builder(hs256().verifying_key())
        .validation(validation)
        .token_cache(cache)
        .clock(clock.clone())
        .build()
}

/// The refusal of a token, which must be `invalid_token`.
fn refusal(result: Result<Verified<Custom>, AuthError>) -> AuthError {
    let e = result.map(|_| ()).unwrap_err();
    assert!(matches!(e.kind(), AuthErrorKind::InvalidToken(_)), "{e:?}");
    e
}

fn token_error(e: &AuthError) -> &Error {
    match e.kind() {
        AuthErrorKind::InvalidToken(e) => e,
        other => panic!("not an invalid token: {other:?}"),
    }
}

#[tokio::test]
async fn a_hit_returns_the_same_claims_without_decoding_again() {
    let clock = TestClock::at(now());
    let cached = auth(TokenCache::default(), &clock, Validation::new());
    let fresh = auth(TokenCache::disabled(), &clock, Validation::new());
    let token = mint(&hs256(), claims(json!({"tenant": "acme", "level": 3})));

    let first = cached.verify(&token).await.unwrap();
    let hit = cached.verify(&token).await.unwrap();
    // The very token the first verification decoded: no signature check, no
    // base64, no JSON on the hit.
    assert!(std::ptr::eq(first.token(), hit.token()));
    // And exactly what a fresh verification gives.
    let uncached = fresh.verify(&token).await.unwrap();
    assert!(!std::ptr::eq(
        uncached.token(),
        fresh.verify(&token).await.unwrap().token()
    ));
    assert_eq!(hit.claims(), uncached.claims());
    assert_eq!(hit.header(), uncached.header());
    assert_eq!(hit.token().algorithm, uncached.token().algorithm);
    assert_eq!(
        hit.claims().custom,
        Custom {
            tenant: "acme".into(),
            level: 3
        }
    );
    assert_eq!(hit.context().token(), token);
    assert_eq!(hit.context().claims()["tenant"], "acme");
    // Another token is not this one's hit.
    let other = mint(&hs256(), claims(json!({"tenant": "other", "level": 1})));
    let other = cached.verify(&other).await.unwrap();
    assert_eq!(other.claims().custom.tenant, "other");
}

#[tokio::test]
async fn an_expired_cached_token_is_refused() {
    let t0 = now();
    let clock = TestClock::at(t0);
    let auth = auth(TokenCache::default(), &clock, Validation::new().leeway(10));
    let exp = t0 + 100;
    let token = mint(
        &hs256(),
        json!({"tenant": "acme", "level": 1, "iat": t0, "exp": exp}),
    );
    let first = auth.verify(&token).await.unwrap();
    // Within the leeway after `exp`: still a hit.
    clock.advance(109);
    let hit = auth.verify(&token).await.unwrap();
    assert!(std::ptr::eq(first.token(), hit.token()));
    // At `exp` + leeway: refused, with the error a full verification gives.
    clock.advance(1);
    let e = refusal(auth.verify(&token).await);
    assert!(
        matches!(token_error(&e), Error::Expired { exp: at, .. } if at.seconds() == exp),
        "{e:?}"
    );
    // And again (the entry is gone; a full verification refuses it the same way).
    let again = refusal(auth.verify(&token).await);
    assert!(
        matches!(token_error(&again), Error::Expired { .. }),
        "{again:?}"
    );
}

#[tokio::test]
async fn not_before_and_max_age_are_checked_on_hits() {
    let t0 = now();
    let clock = TestClock::at(t0);
    let validation = Validation::new().leeway(0).max_age(50);
    let auth = auth(TokenCache::default(), &clock, validation);
    let token = mint(
        &hs256(),
        json!({"tenant": "acme", "level": 1, "iat": t0, "nbf": t0, "exp": t0 + 1000}),
    );
    auth.verify(&token).await.unwrap();
    // A clock set back before `nbf` (and `iat`): refused through the cache.
    clock.0.store(t0 - 5, std::sync::atomic::Ordering::SeqCst);
    let e = refusal(auth.verify(&token).await);
    assert!(
        matches!(token_error(&e), Error::NotYetValid { .. }),
        "{e:?}"
    );
    // Back in range: accepted (and cached) again; past the maximum age: refused.
    clock.0.store(t0, std::sync::atomic::Ordering::SeqCst);
    let first = auth.verify(&token).await.unwrap();
    clock.advance(50);
    let hit = auth.verify(&token).await.unwrap();
    assert!(std::ptr::eq(first.token(), hit.token()));
    clock.advance(1);
    let e = refusal(auth.verify(&token).await);
    assert!(matches!(token_error(&e), Error::TooOld { .. }), "{e:?}");
}

/// A key source whose keys the test replaces.
#[derive(Clone)]
struct Rotating(Arc<Mutex<KeySet>>);

impl Rotating {
    fn new(keys: &[&SigningKey]) -> Self {
        Rotating(Arc::new(Mutex::new(key_set(keys))))
    }

    fn set(&self, keys: &[&SigningKey]) {
        *self.0.lock().unwrap() = key_set(keys);
    }
}

fn key_set(keys: &[&SigningKey]) -> KeySet {
    KeySet::from_keys(keys.iter().map(|k| k.verifying_key()))
}

impl KeySource for Rotating {
    fn keys_for<'a>(&'a self, token: &'a UntrustedToken<'a>) -> KeysFuture<'a> {
        let keys = self.keys_now(token);
        Box::pin(async move { Ok(keys.expect("always known")) })
    }

    fn keys_now(&self, _: &UntrustedToken<'_>) -> Option<Keys> {
        Some(Keys::from(self.0.lock().unwrap().clone()))
    }
}

#[tokio::test]
async fn rotation_ends_hits_at_once() {
    let a = es256("a");
    let b = es256("b");
    let keys = Rotating::new(&[&a, &b]);
    let auth = JwtAuth::<()>::builder(keys.clone()).build();
    let token_a = mint(&a, claims(json!({})));
    let token_b = mint(&b, claims(json!({})));
    let first_a = auth.verify(&token_a).await.unwrap();
    let first_b = auth.verify(&token_b).await.unwrap();
    assert!(std::ptr::eq(
        first_a.token(),
        auth.verify(&token_a).await.unwrap().token()
    ));

    // A is rotated out: its cached token is refused on the next request.
    keys.set(&[&b]);
    let refused = auth.verify(&token_a).await.map(|_| ()).unwrap_err();
    assert!(
        matches!(
            refused.kind(),
            AuthErrorKind::InvalidToken(Error::UnknownKey { .. })
        ),
        "{refused:?}"
    );
    // B stays, and its token is still a hit.
    let hit_b = auth.verify(&token_b).await.unwrap();
    assert!(std::ptr::eq(first_b.token(), hit_b.token()));
    // A comes back: verified afresh (not the old entry), then cached again.
    keys.set(&[&a, &b]);
    let again = auth.verify(&token_a).await.unwrap();
    assert!(!std::ptr::eq(first_a.token(), again.token()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_hits_from_several_threads_are_correct() {
    let clock = TestClock::at(now());
    let auth = auth(TokenCache::new(64), &clock, Validation::new());
    let tokens: Vec<String> = (0..16)
        .map(|i| {
            mint(
                &hs256(),
                claims(json!({"tenant": format!("t{i}"), "level": i})),
            )
        })
        .collect();
    let tokens = Arc::new(tokens);
    let tasks: Vec<_> = (0..8)
        .map(|worker| {
            let auth = auth.clone();
            let tokens = Arc::clone(&tokens);
            tokio::spawn(async move {
                for round in 0..500 {
                    let i = (worker * 7 + round) % tokens.len();
                    let v = auth.verify(&tokens[i]).await.unwrap();
                    assert_eq!(v.claims().custom.tenant, format!("t{i}"));
                    assert_eq!(v.claims().custom.level as usize, i);
                    assert_eq!(v.context().token(), tokens[i]);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    // Every token is now a hit: the same decoded token twice in a row.
    for token in tokens.iter() {
        let a = auth.verify(token).await.unwrap();
        let b = auth.verify(token).await.unwrap();
        assert!(std::ptr::eq(a.token(), b.token()));
    }
}
