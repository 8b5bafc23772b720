//! What ties a token to the way it is presented (bearer downgrade, unbound tokens,
//! key mismatch, DPoP required), server nonces, and the replay cache behind its
//! trait.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use jot_algorithms::Algorithm;
use jot_axum::{
    AuthErrorKind, Dpop, DpopBinding, HmacNonces, JwtAuth, MemoryReplayCache, ReplayCache,
    ReplayCacheError, ReplayFuture, RequireDpop, Verified,
};
use jot_codec::NumericDate;
use serde_json::json;

use crate::dpop::{assert_dpop_error, challenges, setup, setup_for, setup_with};
use crate::proofs::{Proof, RESOURCE, access_token, client_key, dpop_request, jkt, proof};
use crate::support::{bearer, es256, send};

#[tokio::test]
async fn a_bound_token_sent_as_bearer_is_refused() {
    let s = setup(Dpop::new());
    let token = access_token(&s.issuer, Some(&s.client), json!({}));
    let reply = send(&s.app, bearer("/mcp", &token)).await;
    assert_dpop_error(
        &reply,
        "invalid_token",
        "DPoP-bound token must be sent with DPoP",
    );
    // An unbound token as bearer is fine.
    let plain = access_token(&s.issuer, None, json!({}));
    let reply = send(&s.app, bearer("/mcp", &plain)).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, "bearer")
    );
}

#[tokio::test]
async fn a_bound_token_is_refused_as_bearer_even_without_dpop_configured() {
    let issuer = es256("k");
    let client = client_key(Algorithm::ES256);
    let auth = JwtAuth::<()>::builder(issuer.verifying_key())
        .resource(RESOURCE)
        .unwrap()
        .build();
    let token = access_token(&issuer, Some(&client), json!({}));
    let err = auth.verify(&token).await.unwrap_err();
    assert!(matches!(
        err.kind(),
        AuthErrorKind::DpopBinding(DpopBinding::BoundTokenAsBearer)
    ));
    assert_eq!(
        err.challenge().unwrap(),
        format!(
            "Bearer error=\"invalid_token\", error_description=\"DPoP-bound token must be sent with DPoP\", \
             resource_metadata=\"https://api.example.com/.well-known/oauth-protected-resource/mcp\""
        )
    );
    // A cnf that is not an object, or a jkt that is not a string, is refused too.
    for cnf in [json!("jkt"), json!({"jkt": 5})] {
        let token = access_token(&issuer, None, json!({"cnf": cnf}));
        let err = auth.verify(&token).await.unwrap_err();
        assert!(matches!(
            err.kind(),
            AuthErrorKind::DpopBinding(DpopBinding::InvalidConfirmation)
        ));
    }
    // A cnf bound some other way (mTLS) carries no jkt: not DPoP's to refuse.
    let token = access_token(&issuer, None, json!({"cnf": {"x5t#S256": "abc"}}));
    assert!(auth.verify(&token).await.is_ok());
}

#[tokio::test]
async fn an_unbound_token_sent_with_dpop_is_refused() {
    let s = setup(Dpop::new());
    let token = access_token(&s.issuer, None, json!({}));
    let p = proof(&s.client, "GET", RESOURCE, &token);
    let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&p])).await;
    assert_dpop_error(&reply, "invalid_token", "token is not DPoP-bound");
}

#[tokio::test]
async fn the_proof_key_must_be_the_token_key() {
    let s = setup(Dpop::new());
    let other = client_key(Algorithm::ES256);
    let token = access_token(&s.issuer, Some(&other), json!({}));
    let p = proof(&s.client, "GET", RESOURCE, &token);
    let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&p])).await;
    assert_dpop_error(&reply, "invalid_token", "invalid DPoP key binding");
    // A jkt that is not a thumbprint at all.
    let token = access_token(&s.issuer, None, json!({"cnf": {"jkt": "not-a-thumbprint"}}));
    let p = proof(&s.client, "GET", RESOURCE, &token);
    let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&p])).await;
    assert_dpop_error(&reply, "invalid_token", "invalid DPoP key binding");
}

#[tokio::test]
async fn require_dpop_refuses_bearer_tokens_and_says_so() {
    let s = setup_with(|b| b.require_dpop());
    let plain = access_token(&s.issuer, None, json!({}));
    let reply = send(&s.app, bearer("/mcp", &plain)).await;
    assert_dpop_error(&reply, "invalid_token", "DPoP-bound token required");
    // Only the DPoP scheme is offered.
    let reply = send(&s.app, crate::support::plain("/mcp")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let all = challenges(&reply);
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(all[0].starts_with("DPoP resource_metadata="), "{all:?}");
    // Every asymmetric algorithm the build verifies, by default: with `ml-dsa`,
    // the post-quantum ones too.
    let post_quantum = if cfg!(feature = "ml-dsa") {
        " ML-DSA-44 ML-DSA-65 ML-DSA-87"
    } else {
        ""
    };
    assert!(
        all[0].ends_with(&format!(
            r#"algs="RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 ES256K EdDSA Ed25519 Ed448{post_quantum}""#
        )),
        "{all:?}"
    );
    // With DPoP, a bound token passes (require_dpop turned DPoP on with defaults).
    let token = access_token(&s.issuer, Some(&s.client), json!({}));
    let p = proof(&s.client, "GET", RESOURCE, &token);
    let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&p])).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn the_require_dpop_guard_protects_single_routes() {
    let issuer = es256("k");
    let client = client_key(Algorithm::ES256);
    let auth = JwtAuth::<()>::builder(issuer.verifying_key())
        .resource("https://api.example.com")
        .unwrap()
        .dpop(Dpop::new())
        .build();
    async fn me(token: Verified<()>) -> String {
        token.dpop_thumbprint().unwrap_or("bearer").to_owned()
    }
    let app = Router::new()
        .route("/open", get(me))
        .route("/payments", get(me).layer(RequireDpop::new()))
        .layer(auth.layer())
        .with_state(auth);
    let plain = crate::support::mint(
        &issuer,
        crate::support::claims(json!({"aud": "https://api.example.com"})),
    );
    assert_eq!(
        send(&app, bearer("/open", &plain)).await.status,
        StatusCode::OK
    );
    let reply = send(&app, bearer("/payments", &plain)).await;
    assert_dpop_error(&reply, "invalid_token", "DPoP-bound token required");
    let bound = crate::support::mint(
        &issuer,
        crate::support::claims(
            json!({"aud": "https://api.example.com", "cnf": {"jkt": jkt(&client)}}),
        ),
    );
    let p = proof(&client, "GET", "https://api.example.com/payments", &bound);
    let reply = send(&app, dpop_request("GET", "/payments", &bound, &[&p])).await;
    assert_eq!((reply.status, reply.body), (StatusCode::OK, jkt(&client)));
}

#[tokio::test]
async fn nonces_missing_then_retried() {
    let nonces = HmacNonces::new([9; 32]).rotation(Duration::from_secs(60));
    let s = setup(Dpop::new().nonces(nonces));
    let token = access_token(&s.issuer, Some(&s.client), json!({}));
    // No nonce: 401 use_dpop_nonce with the nonce to use.
    let p = proof(&s.client, "GET", RESOURCE, &token);
    let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&p])).await;
    assert_dpop_error(
        &reply,
        "use_dpop_nonce",
        "the DPoP proof must carry the nonce this server gave",
    );
    let nonce = reply.headers["dpop-nonce"].to_str().unwrap().to_owned();
    // A made-up nonce: the same answer.
    let p = Proof::new(&s.client, "GET", RESOURCE, &token)
        .claim("nonce", json!("made-up"))
        .sign(&s.client);
    let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&p])).await;
    assert_dpop_error(
        &reply,
        "use_dpop_nonce",
        "the DPoP proof must carry the nonce this server gave",
    );
    // The retry with the nonce passes, and the response carries the current nonce.
    let p = Proof::new(&s.client, "GET", RESOURCE, &token)
        .claim("nonce", json!(nonce))
        .sign(&s.client);
    let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&p])).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.headers.contains_key("dpop-nonce"));
    // Two windows later the nonce is stale: a new one is handed out.
    s.clock.advance(121);
    let token = access_token(
        &s.issuer,
        Some(&s.client),
        json!({"iat": s.clock.0.load(Ordering::SeqCst), "exp": s.clock.0.load(Ordering::SeqCst) + 300}),
    );
    let p = Proof::new(&s.client, "GET", RESOURCE, &token)
        .claim("nonce", json!(nonce))
        .claim("iat", json!(s.clock.0.load(Ordering::SeqCst)))
        .sign(&s.client);
    let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&p])).await;
    assert_dpop_error(
        &reply,
        "use_dpop_nonce",
        "the DPoP proof must carry the nonce this server gave",
    );
    assert_ne!(reply.headers["dpop-nonce"].to_str().unwrap(), nonce);
}

/// A shared store, as several instances would use: counts calls, can fail.
#[derive(Clone)]
struct SharedStore {
    cache: Arc<MemoryReplayCache>,
    calls: Arc<AtomicUsize>,
    down: bool,
}

impl ReplayCache for SharedStore {
    fn first_use(&self, jti: &[u8; 32], until: NumericDate, now: NumericDate) -> ReplayFuture<'_> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.down {
            return Box::pin(async {
                Err(ReplayCacheError::Store(Box::new(std::io::Error::other(
                    "connection refused",
                ))))
            });
        }
        self.cache.first_use(jti, until, now)
    }
}

#[tokio::test]
async fn instances_sharing_a_replay_cache_refuse_each_others_proofs() {
    let store = SharedStore {
        cache: Arc::new(MemoryReplayCache::new(100)),
        calls: Arc::new(AtomicUsize::new(0)),
        down: false,
    };
    let issuer = es256("shared-issuer");
    let a = setup_for(issuer.clone(), |b| {
        b.dpop(Dpop::new().replay_cache(store.clone()))
    });
    let b = setup_for(issuer.clone(), |b| {
        b.dpop(Dpop::new().replay_cache(store.clone()))
    });
    let token = access_token(&issuer, Some(&a.client), json!({}));
    let p = proof(&a.client, "GET", RESOURCE, &token);
    let reply = send(&a.app, dpop_request("GET", "/mcp", &token, &[&p])).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(store.calls.load(Ordering::SeqCst), 1);
    // The same proof at the other instance: a replay.
    let reply = send(&b.app, dpop_request("GET", "/mcp", &token, &[&p])).await;
    assert_dpop_error(&reply, "invalid_dpop_proof", "DPoP proof replayed");
    assert_eq!(store.calls.load(Ordering::SeqCst), 2);
    // A fresh proof passes there.
    let p = proof(&a.client, "GET", RESOURCE, &token);
    let reply = send(&b.app, dpop_request("GET", "/mcp", &token, &[&p])).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn a_replay_cache_that_cannot_answer_is_a_503_never_a_pass() {
    let down = SharedStore {
        cache: Arc::new(MemoryReplayCache::new(100)),
        calls: Arc::new(AtomicUsize::new(0)),
        down: true,
    };
    let s = setup(Dpop::new().replay_cache(down));
    let token = access_token(&s.issuer, Some(&s.client), json!({}));
    let p = proof(&s.client, "GET", RESOURCE, &token);
    let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&p])).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!reply.headers.contains_key("www-authenticate"));
    // A full in-memory cache: the same.
    let s = setup(Dpop::new().replay_cache(MemoryReplayCache::new(1)));
    let token = access_token(&s.issuer, Some(&s.client), json!({}));
    let p = proof(&s.client, "GET", RESOURCE, &token);
    assert_eq!(
        send(&s.app, dpop_request("GET", "/mcp", &token, &[&p]))
            .await
            .status,
        StatusCode::OK
    );
    let p = proof(&s.client, "GET", RESOURCE, &token);
    let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&p])).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn authenticate_with_headers_only_cannot_check_a_proof() {
    let issuer = es256("k");
    let client = client_key(Algorithm::ES256);
    let auth = JwtAuth::<()>::builder(issuer.verifying_key())
        .resource(RESOURCE)
        .unwrap()
        .dpop(Dpop::new())
        .build();
    let token = access_token(&issuer, Some(&client), json!({}));
    let p = proof(&client, "GET", RESOURCE, &token);
    let request = dpop_request("GET", "/mcp", &token, &[&p]);
    let err = auth.authenticate(request.headers()).await.unwrap_err();
    assert!(matches!(
        err.kind(),
        AuthErrorKind::InvalidDpopProof(jot_axum::DpopError::UnknownRequestUrl)
    ));
    let (parts, _) = request.into_parts();
    let verified = auth.authenticate_parts(&parts).await.unwrap().unwrap();
    assert_eq!(verified.dpop_thumbprint(), Some(jkt(&client).as_str()));
    assert_eq!(
        verified.context().dpop_thumbprint(),
        Some(jkt(&client).as_str())
    );
}
