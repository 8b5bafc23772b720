//! Every status and challenge, through `Router` + `oneshot`.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use jot_algorithms::{Algorithm, SigningKey};
use jot_axum::{AuthErrorKind, JwtAuth, RemoteJwks, Verified};
use jot_codec::Validation;
use serde_json::json;

use crate::support::*;

async fn me(token: Verified<()>) -> String {
    token.claims().sub.clone().unwrap_or_default()
}

fn app(auth: JwtAuth<()>) -> Router {
    Router::new().route("/me", get(me)).with_state(auth)
}

fn hs_auth() -> JwtAuth<()> {
    JwtAuth::builder(hs256().verifying_key())
        .realm("api")
        .build()
}

#[tokio::test]
async fn valid_token_passes() {
    let app = app(hs_auth());
    let r = send(&app, bearer("/me", &mint(&hs256(), claims(json!({}))))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, "alice");
}

#[tokio::test]
async fn missing_token_is_a_bare_challenge() {
    let app = app(hs_auth());
    let r = send(&app, plain("/me")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.challenge(), Some(r#"Bearer realm="api""#));
}

#[tokio::test]
async fn another_scheme_counts_as_no_token() {
    let app = app(hs_auth());
    let req = Request::get("/me")
        .header(header::AUTHORIZATION, "Basic dXNlcjpwYXNz")
        .body(Body::empty())
        .unwrap();
    let r = send(&app, req).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.challenge(), Some(r#"Bearer realm="api""#));
}

#[tokio::test]
async fn malformed_authorization_is_invalid_request() {
    let app = app(hs_auth());
    let token = mint(&hs256(), claims(json!({})));
    for value in [
        "Bearer".to_owned(),
        format!("Bearer {token} {token}"),
        "Bearer a\"b".to_owned(),
    ] {
        let req = Request::get("/me")
            .header(header::AUTHORIZATION, value.as_str())
            .body(Body::empty())
            .unwrap();
        let r = send(&app, req).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{value}");
        let challenge = r.challenge().unwrap();
        assert!(
            challenge
                .starts_with(r#"Bearer realm="api", error="invalid_request", error_description=""#),
            "{challenge}"
        );
    }
    // Two Authorization headers.
    let req = Request::get("/me")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, req).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bad_tokens_are_invalid_token_with_a_safe_description() {
    let app = app(hs_auth());
    let other = SigningKey::hmac(Algorithm::HS256, b"another secret that is long enough!").unwrap();
    let es = es256("e");
    let cases = [
        (mint(&other, claims(json!({}))), "invalid signature"),
        (
            mint(&hs256(), json!({"sub": "alice", "exp": now() - 3600})),
            "token expired",
        ),
        (
            mint(&hs256(), json!({"sub": "alice"})),
            "missing required claim",
        ),
        (mint(&es, claims(json!({}))), "algorithm not allowed"),
        ("abc.def".to_owned(), "malformed token"),
        (
            "eyJhbGciOiJub25lIn0.e30.".to_owned(),
            "algorithm not allowed",
        ),
        (
            format!("{}.e30.c2ln", "a".repeat(70 * 1024)),
            "token too large",
        ),
    ];
    for (token, description) in cases {
        let r = send(&app, bearer("/me", &token)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{description}");
        assert_eq!(
            r.challenge(),
            Some(format!(r#"Bearer realm="api", error="invalid_token", error_description="{description}""#).as_str())
        );
    }
}

#[tokio::test]
async fn realm_is_quote_escaped() {
    let auth = JwtAuth::<()>::builder(hs256().verifying_key())
        .realm("the \"best\" api\\")
        .build();
    let r = send(&app(auth), plain("/me")).await;
    assert_eq!(r.challenge(), Some(r#"Bearer realm="the \"best\" api\\""#));
}

#[tokio::test]
async fn keys_unavailable_is_503_without_invalid_token() {
    let keys = RemoteJwks::builder(closed_port_url().await)
        .build()
        .unwrap();
    let auth = JwtAuth::<()>::builder(keys).realm("api").build();
    let r = send(
        &app(auth),
        bearer("/me", &mint(&es256("k"), claims(json!({})))),
    )
    .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.challenge(), None);
    assert!(!r.body.contains("invalid_token"));
}

#[tokio::test]
async fn error_hook_builds_the_body_and_keeps_the_challenge() {
    let auth = JwtAuth::<()>::builder(hs256().verifying_key())
        .realm("api")
        .on_error(|e| {
            let kind = match e.kind() {
                AuthErrorKind::InvalidToken(err) => err.kind(),
                _ => "other",
            };
            (
                e.status(),
                axum::Json(
                    json!({"title": e.description(), "status": e.status().as_u16(), "kind": kind}),
                ),
            )
                .into_response()
        })
        .build();
    let token = mint(&hs256(), json!({"sub": "alice", "exp": now() - 3600}));
    let r = send(&app(auth), bearer("/me", &token)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.challenge().unwrap().contains(r#"error="invalid_token""#));
    let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        body,
        json!({"title": "token expired", "status": 401, "kind": "expired"})
    );
}

#[tokio::test]
async fn validation_is_applied() {
    let auth = JwtAuth::<()>::builder(hs256().verifying_key())
        .validation(
            Validation::new()
                .issuer("https://a.example")
                .audience("api"),
        )
        .build();
    let app = app(auth);
    let good = mint(
        &hs256(),
        claims(json!({"iss": "https://a.example", "aud": "api"})),
    );
    assert_eq!(
        send(&app, bearer("/me", &good)).await.status,
        StatusCode::OK
    );
    let wrong_aud = mint(
        &hs256(),
        claims(json!({"iss": "https://a.example", "aud": "other"})),
    );
    let r = send(&app, bearer("/me", &wrong_aud)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.challenge().unwrap().contains("audience not accepted"));
}
