//! DPoP proofs (RFC 9449 §4.3): a good proof passes and the handler sees its key;
//! each check, broken alone, refuses the request with `invalid_dpop_proof` in a
//! `DPoP` challenge.

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use jot_algorithms::{Algorithm, SigningKey};
use jot_axum::{Dpop, JwtAuth, Verified};
use serde_json::{Value, json};

use crate::proofs::{
    Proof, RESOURCE, access_token, ath, client_key, dpop_request, jkt, proof, public_jwk,
};
use crate::support::{Reply, TestClock, es256, now, send};

pub struct Setup {
    pub issuer: SigningKey,
    pub client: SigningKey,
    pub clock: TestClock,
    pub app: Router,
}

async fn me(token: Verified<()>) -> String {
    token.dpop_thumbprint().unwrap_or("bearer").to_owned()
}

/// A resource at `RESOURCE` with `dpop`, on a clock the test moves; `/mcp`
/// answers the DPoP key's thumbprint (or `bearer`).
pub fn setup(dpop: Dpop) -> Setup {
    setup_with(|b| b.dpop(dpop))
}

pub fn setup_with(
    configure: impl FnOnce(jot_axum::JwtAuthBuilder<()>) -> jot_axum::JwtAuthBuilder<()>,
) -> Setup {
    setup_for(es256("issuer-key"), configure)
}

/// [`setup_with`] for tokens of `issuer`.
pub fn setup_for(
    issuer: SigningKey,
    configure: impl FnOnce(jot_axum::JwtAuthBuilder<()>) -> jot_axum::JwtAuthBuilder<()>,
) -> Setup {
    let clock = TestClock::at(now());
    let builder = JwtAuth::<()>::builder(issuer.verifying_key())
        .resource(RESOURCE)
        .unwrap()
        .clock(clock.clone());
    let auth = configure(builder).build();
    let app = Router::new()
        .route("/mcp", get(me).post(me))
        .layer(auth.layer())
        .with_state(auth);
    Setup {
        issuer,
        client: client_key(Algorithm::ES256),
        clock,
        app,
    }
}

/// The `WWW-Authenticate` values of a reply.
pub fn challenges(reply: &Reply) -> Vec<String> {
    reply
        .headers
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// Asserts a 401 whose first challenge is `DPoP` with `error` and `description`.
pub fn assert_dpop_error(reply: &Reply, error: &str, description: &str) {
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    let first = challenges(reply).into_iter().next().unwrap_or_default();
    assert!(first.starts_with("DPoP "), "{first}");
    assert!(first.contains(&format!("error=\"{error}\"")), "{first}");
    assert!(
        first.contains(&format!("error_description=\"{description}\"")),
        "{first}"
    );
}

async fn refused(s: &Setup, proof: &str, token: &str, description: &str) {
    let reply = send(&s.app, dpop_request("GET", "/mcp", token, &[proof])).await;
    assert_dpop_error(&reply, "invalid_dpop_proof", description);
}

#[tokio::test]
async fn a_good_proof_passes_and_the_handler_sees_the_key() {
    for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::EdDSA] {
        let s = setup(Dpop::new());
        let client = client_key(alg);
        let token = access_token(&s.issuer, Some(&client), json!({}));
        let p = proof(&client, "GET", RESOURCE, &token);
        let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&p])).await;
        assert_eq!(reply.status, StatusCode::OK, "{alg}: {}", reply.body);
        assert_eq!(reply.body, jkt(&client));
        assert!(!reply.headers.contains_key("dpop-nonce"));
    }
}

#[tokio::test]
async fn the_proof_must_be_typed_dpop_jwt() {
    let s = setup(Dpop::new());
    let token = access_token(&s.issuer, Some(&s.client), json!({}));
    for typ in [Some("JWT"), Some("at+jwt"), Some("dpop"), None] {
        let mut p = Proof::new(&s.client, "GET", RESOURCE, &token);
        p.header.typ = typ.map(Into::into);
        refused(
            &s,
            &p.sign(&s.client),
            &token,
            "DPoP proof typ must be dpop+jwt",
        )
        .await;
    }
    // The media type may carry its `application/` prefix (RFC 7515 §4.1.9).
    let mut p = Proof::new(&s.client, "GET", RESOURCE, &token);
    p.header.typ = Some("application/dpop+jwt".into());
    let reply = send(
        &s.app,
        dpop_request("GET", "/mcp", &token, &[&p.sign(&s.client)]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn the_jwk_must_be_a_public_key_only() {
    let s = setup(Dpop::new());
    let token = access_token(&s.issuer, Some(&s.client), json!({}));
    // The whole private JWK in the header.
    let mut p = Proof::new(&s.client, "GET", RESOURCE, &token);
    let private = serde_json::to_value(s.client.to_jwk().unwrap()).unwrap();
    p.header.jwk = private.as_object().cloned();
    refused(
        &s,
        &p.sign(&s.client),
        &token,
        "DPoP proof jwk must be a public key",
    )
    .await;
    // One private member is enough.
    let mut p = Proof::new(&s.client, "GET", RESOURCE, &token);
    p.header
        .jwk
        .as_mut()
        .unwrap()
        .insert("d".into(), json!("AAAA"));
    refused(
        &s,
        &p.sign(&s.client),
        &token,
        "DPoP proof jwk must be a public key",
    )
    .await;
    // No jwk at all.
    let mut p = Proof::new(&s.client, "GET", RESOURCE, &token);
    p.header.jwk = None;
    refused(&s, &p.sign(&s.client), &token, "DPoP proof has no jwk").await;
    // A jwk of another key type than the algorithm.
    let mut p = Proof::new(&s.client, "GET", RESOURCE, &token);
    p.header.jwk = Some(public_jwk(&client_key(Algorithm::EdDSA)));
    refused(&s, &p.sign(&s.client), &token, "DPoP proof jwk unusable").await;
}

#[tokio::test]
async fn symmetric_and_unlisted_algorithms_are_refused() {
    let s = setup(Dpop::new().algorithms([Algorithm::ES256, Algorithm::HS256]));
    let token = access_token(&s.issuer, Some(&s.client), json!({}));
    // HS256 with the secret as an `oct` jwk: never a DPoP key, even when listed.
    let secret = SigningKey::hmac(Algorithm::HS256, [7u8; 32]).unwrap();
    let mut p = Proof::new(&s.client, "GET", RESOURCE, &token);
    p.header.jwk = Some(
        json!({"kty": "oct", "k": jot_codec::base64url::encode(&[7u8; 32])})
            .as_object()
            .unwrap()
            .clone(),
    );
    refused(
        &s,
        &p.sign(&secret),
        &token,
        "DPoP proof algorithm not accepted",
    )
    .await;
    // EdDSA is not in the list.
    let ed = client_key(Algorithm::EdDSA);
    let token = access_token(&s.issuer, Some(&ed), json!({}));
    refused(
        &s,
        &proof(&ed, "GET", RESOURCE, &token),
        &token,
        "DPoP proof algorithm not accepted",
    )
    .await;
    // The challenge lists what is accepted.
    let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[])).await;
    assert!(
        challenges(&reply)[0].ends_with(r#"algs="ES256""#),
        "{:?}",
        challenges(&reply)
    );
}

#[tokio::test]
async fn the_signature_must_be_by_the_jwk() {
    let s = setup(Dpop::new());
    let token = access_token(&s.issuer, Some(&s.client), json!({}));
    let other = client_key(Algorithm::ES256);
    let p = Proof::new(&s.client, "GET", RESOURCE, &token).sign(&other);
    refused(&s, &p, &token, "invalid DPoP proof signature").await;
}

#[tokio::test]
async fn htm_must_be_the_request_method() {
    let s = setup(Dpop::new());
    let token = access_token(&s.issuer, Some(&s.client), json!({}));
    for htm in ["POST", "get", "PUT"] {
        let p = Proof::new(&s.client, htm, RESOURCE, &token).sign(&s.client);
        refused(&s, &p, &token, "DPoP proof htm does not match the request").await;
    }
    let p = proof(&s.client, "POST", RESOURCE, &token);
    let reply = send(&s.app, dpop_request("POST", "/mcp", &token, &[&p])).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn htu_must_be_the_request_url_after_normalisation() {
    let s = setup(Dpop::new());
    let token = access_token(&s.issuer, Some(&s.client), json!({}));
    for other in [
        "https://api.example.com/other",
        "https://evil.example/mcp",
        "http://api.example.com/mcp",
        "https://api.example.com:8443/mcp",
        "https://api.example.com/mcp/",
        "/mcp",
        "not a url",
    ] {
        let p = proof(&s.client, "GET", other, &token);
        refused(&s, &p, &token, "DPoP proof htu does not match the request").await;
    }
    for same in [
        "HTTPS://API.EXAMPLE.COM/mcp",
        "https://api.example.com:443/mcp",
        "https://api.example.com/mcp?page=2",
        "https://api.example.com/mcp#top",
        "https://api.example.com/./mcp",
    ] {
        let p = proof(&s.client, "GET", same, &token);
        let reply = send(&s.app, dpop_request("GET", "/mcp?page=3", &token, &[&p])).await;
        assert_eq!(reply.status, StatusCode::OK, "{same}: {}", reply.body);
    }
}

#[tokio::test]
async fn the_host_header_never_decides_the_request_url() {
    let s = setup(Dpop::new());
    let token = access_token(&s.issuer, Some(&s.client), json!({}));
    let p = proof(&s.client, "GET", "https://evil.example/mcp", &token);
    let mut request = dpop_request("GET", "/mcp", &token, &[&p]);
    request
        .headers_mut()
        .insert("host", "evil.example".parse().unwrap());
    let reply = send(&s.app, request).await;
    assert_dpop_error(
        &reply,
        "invalid_dpop_proof",
        "DPoP proof htu does not match the request",
    );
    // Nor does an absolute URL in the request line.
    let p = proof(&s.client, "GET", "https://evil.example/mcp", &token);
    let request = dpop_request("GET", "https://evil.example/mcp", &token, &[&p]);
    let reply = send(&s.app, request).await;
    assert_dpop_error(
        &reply,
        "invalid_dpop_proof",
        "DPoP proof htu does not match the request",
    );
}

#[tokio::test]
async fn iat_must_be_recent_and_not_ahead() {
    let s = setup(
        Dpop::new()
            .max_age(Duration::from_secs(60))
            .leeway(Duration::from_secs(5)),
    );
    let token = access_token(&s.issuer, Some(&s.client), json!({}));
    let t = s.clock.0.load(std::sync::atomic::Ordering::SeqCst);
    let at = |iat: u64| {
        Proof::new(&s.client, "GET", RESOURCE, &token)
            .claim("iat", json!(iat))
            .sign(&s.client)
    };
    refused(&s, &at(t - 66), &token, "DPoP proof is too old").await;
    refused(&s, &at(t + 6), &token, "DPoP proof is issued in the future").await;
    for ok in [t - 64, t + 5] {
        let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&at(ok)])).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    // A good proof goes stale as the clock moves.
    let p = at(t);
    s.clock.advance(66);
    refused(&s, &p, &token, "DPoP proof is too old").await;
}

#[tokio::test]
async fn a_proof_is_accepted_once() {
    let s = setup(Dpop::new());
    let token = access_token(&s.issuer, Some(&s.client), json!({}));
    let p = proof(&s.client, "GET", RESOURCE, &token);
    let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&p])).await;
    assert_eq!(reply.status, StatusCode::OK);
    refused(&s, &p, &token, "DPoP proof replayed").await;
    // The same jti in a new proof is a replay too.
    let jti = serde_json::from_slice::<Value>(
        &jot_codec::base64url::decode(p.split('.').nth(1).unwrap()).unwrap(),
    )
    .unwrap()["jti"]
        .clone();
    let again = Proof::new(&s.client, "POST", RESOURCE, &token)
        .claim("jti", jti)
        .sign(&s.client);
    let reply = send(&s.app, dpop_request("POST", "/mcp", &token, &[&again])).await;
    assert_dpop_error(&reply, "invalid_dpop_proof", "DPoP proof replayed");
}

#[tokio::test]
async fn a_refused_proof_is_not_remembered() {
    let s = setup(Dpop::new());
    // A token bound to another key: the proof passes its own checks, then the
    // binding fails. Had its jti been recorded, the second try would be a replay.
    let token = access_token(&s.issuer, Some(&client_key(Algorithm::ES256)), json!({}));
    let p = proof(&s.client, "GET", RESOURCE, &token);
    for _ in 0..2 {
        let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&p])).await;
        assert_dpop_error(&reply, "invalid_token", "invalid DPoP key binding");
    }
}

#[tokio::test]
async fn ath_must_hash_the_access_token() {
    let s = setup(Dpop::new());
    let token = access_token(&s.issuer, Some(&s.client), json!({}));
    let other = access_token(&s.issuer, Some(&s.client), json!({"jti": "other"}));
    let p = Proof::new(&s.client, "GET", RESOURCE, &token)
        .claim("ath", json!(ath(&other)))
        .sign(&s.client);
    refused(
        &s,
        &p,
        &token,
        "DPoP proof ath does not match the access token",
    )
    .await;
    let p = Proof::new(&s.client, "GET", RESOURCE, &token)
        .claim("ath", Value::Null)
        .sign(&s.client);
    refused(&s, &p, &token, "DPoP proof lacks ath").await;
}

#[tokio::test]
async fn required_claims_and_headers() {
    let s = setup(Dpop::new());
    let token = access_token(&s.issuer, Some(&s.client), json!({}));
    for (claim, description) in [
        ("jti", "DPoP proof lacks jti"),
        ("htm", "DPoP proof lacks htm"),
        ("htu", "DPoP proof lacks htu"),
        ("iat", "DPoP proof lacks iat"),
    ] {
        let p = Proof::new(&s.client, "GET", RESOURCE, &token)
            .claim(claim, Value::Null)
            .sign(&s.client);
        refused(&s, &p, &token, description).await;
    }
    // No DPoP header, two of them, or not a JWS.
    let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[])).await;
    assert_dpop_error(&reply, "invalid_dpop_proof", "no DPoP proof");
    let (a, b) = (
        proof(&s.client, "GET", RESOURCE, &token),
        proof(&s.client, "GET", RESOURCE, &token),
    );
    let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&a, &b])).await;
    assert_dpop_error(&reply, "invalid_dpop_proof", "more than one DPoP proof");
    refused(&s, "not.a.proof", &token, "malformed DPoP proof").await;
}

#[tokio::test]
async fn an_invalid_token_with_dpop_is_an_invalid_token_in_the_dpop_challenge() {
    let s = setup(Dpop::new());
    let expired = access_token(
        &s.issuer,
        Some(&s.client),
        json!({"iat": now() - 1000, "exp": now() - 500}),
    );
    let p = proof(&s.client, "GET", RESOURCE, &expired);
    let reply = send(&s.app, dpop_request("GET", "/mcp", &expired, &[&p])).await;
    assert_dpop_error(&reply, "invalid_token", "token expired");
    // Both schemes are named; the error is in the one the client used.
    let all = challenges(&reply);
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(
        all[1].starts_with("Bearer ") && !all[1].contains("error="),
        "{all:?}"
    );
}

#[tokio::test]
async fn the_extractor_checks_the_path_of_a_nested_router() {
    let issuer = es256("k");
    let client = client_key(Algorithm::ES256);
    let auth = JwtAuth::<()>::builder(issuer.verifying_key())
        .resource("https://api.example.com/api/mcp")
        .unwrap()
        .dpop(Dpop::new())
        .build();
    let app = Router::new()
        .nest("/api", Router::new().route("/mcp", get(me)))
        .with_state(auth);
    let token = crate::support::mint(
        &issuer,
        crate::support::claims(
            json!({"aud": "https://api.example.com/api/mcp", "cnf": {"jkt": jkt(&client)}}),
        ),
    );
    let p = proof(&client, "GET", "https://api.example.com/api/mcp", &token);
    let reply = send(&app, dpop_request("GET", "/api/mcp", &token, &[&p])).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, jkt(&client));
    let p = proof(&client, "GET", "https://api.example.com/mcp", &token);
    let reply = send(&app, dpop_request("GET", "/api/mcp", &token, &[&p])).await;
    assert_dpop_error(
        &reply,
        "invalid_dpop_proof",
        "DPoP proof htu does not match the request",
    );
}

#[tokio::test]
async fn the_origin_can_be_configured_without_a_resource() {
    let issuer = es256("k");
    let client = client_key(Algorithm::ES256);
    let dpop = Dpop::new().origin("https://api.example.com:8443").unwrap();
    let auth = JwtAuth::<()>::builder(issuer.verifying_key())
        .dpop(dpop)
        .build();
    let app = Router::new().route("/v1/me", get(me)).with_state(auth);
    let token = crate::support::mint(
        &issuer,
        crate::support::claims(json!({"cnf": {"jkt": jkt(&client)}})),
    );
    let p = proof(&client, "GET", "https://api.example.com:8443/v1/me", &token);
    let reply = send(&app, dpop_request("GET", "/v1/me", &token, &[&p])).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(Dpop::new().origin("https://api.example.com/path").is_err());
    assert!(Dpop::new().origin("http://api.example.com").is_err());

    // Without an origin, DPoP requests are refused: the URL cannot be checked.
    let auth = JwtAuth::<()>::builder(issuer.verifying_key())
        .dpop(Dpop::new())
        .build();
    let app = Router::new().route("/v1/me", get(me)).with_state(auth);
    let p = proof(&client, "GET", "https://api.example.com:8443/v1/me", &token);
    let reply = send(&app, dpop_request("GET", "/v1/me", &token, &[&p])).await;
    assert_dpop_error(
        &reply,
        "invalid_dpop_proof",
        "DPoP proofs cannot be checked here",
    );
}
