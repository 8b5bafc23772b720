//! The layer, the extractors, the optional forms and the token sources.

use axum::body::Body;
use axum::extract::FromRef;
use axum::http::{HeaderName, Request, StatusCode, header};
use axum::routing::get;
use axum::{Extension, Router};
use jot_axum::{AuthContext, JwtAuth, Verified};
use serde::Deserialize;
use serde_json::json;

use crate::support::*;

#[derive(Clone, Debug, Deserialize)]
struct Profile {
    name: String,
    #[serde(default)]
    admin: bool,
}

#[derive(Clone)]
struct AppState {
    auth: JwtAuth<Profile>,
    greeting: &'static str,
}

impl FromRef<AppState> for JwtAuth<Profile> {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

async fn greet(
    axum::extract::State(state): axum::extract::State<AppState>,
    token: Verified<Profile>,
) -> String {
    format!(
        "{} {} admin={}",
        state.greeting,
        token.claims().custom.name,
        token.custom.admin
    )
}

#[tokio::test]
async fn extractor_uses_app_state_through_from_ref() {
    let auth = JwtAuth::<Profile>::builder(hs256().verifying_key()).build();
    let app = Router::new().route("/", get(greet)).with_state(AppState {
        auth,
        greeting: "hi",
    });
    let token = mint(&hs256(), claims(json!({"name": "Ada", "admin": true})));
    let r = send(&app, bearer("/", &token)).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, "hi Ada admin=true")
    );
    // A token whose custom claims do not fit the type is malformed.
    let token = mint(&hs256(), claims(json!({"admin": true})));
    let r = send(&app, bearer("/", &token)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn layer_puts_the_token_in_extensions() {
    let auth = JwtAuth::<Profile>::builder(hs256().verifying_key())
        .realm("r")
        .build();
    async fn h(
        Extension(v): Extension<Verified<Profile>>,
        Extension(ctx): Extension<AuthContext>,
    ) -> String {
        format!("{} {}", v.claims().custom.name, ctx.claims()["sub"])
    }
    let app = Router::new().route("/", get(h)).layer(auth.layer());
    let token = mint(&hs256(), claims(json!({"name": "Ada"})));
    let r = send(&app, bearer("/", &token)).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, "Ada \"alice\"")
    );
    let r = send(&app, plain("/")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.challenge(), Some(r#"Bearer realm="r""#));
}

#[tokio::test]
async fn layer_and_state_extractor_verify_once() {
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let keys = Counting {
        inner: hs256().verifying_key(),
        calls: calls.clone(),
    };
    let auth = JwtAuth::<Profile>::builder(keys)
        .token_cache(jot_axum::TokenCache::disabled())
        .build();
    async fn h(v: Verified<Profile>) -> String {
        v.claims().custom.name.clone()
    }
    let app = Router::new()
        .route("/", get(h))
        .layer(auth.layer())
        .with_state(auth.clone());
    let token = mint(&hs256(), claims(json!({"name": "Ada"})));
    assert_eq!(send(&app, bearer("/", &token)).await.body, "Ada");
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
}

async fn maybe(token: Option<Verified<()>>) -> String {
    match token {
        Some(t) => format!("hello {}", t.claims().sub.as_deref().unwrap_or("?")),
        None => "hello stranger".to_owned(),
    }
}

#[tokio::test]
async fn optional_extractor_is_none_only_without_a_token() {
    let auth = JwtAuth::<()>::builder(hs256().verifying_key()).build();
    let app = Router::new().route("/", get(maybe)).with_state(auth);
    assert_eq!(send(&app, plain("/")).await.body, "hello stranger");
    let good = mint(&hs256(), claims(json!({})));
    assert_eq!(send(&app, bearer("/", &good)).await.body, "hello alice");
    let expired = mint(&hs256(), json!({"sub": "alice", "exp": now() - 3600}));
    let r = send(&app, bearer("/", &expired)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.challenge().unwrap().contains("token expired"));
    let req = Request::get("/")
        .header(header::AUTHORIZATION, "Bearer")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, req).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn optional_layer_lets_anonymous_requests_through() {
    let auth = JwtAuth::<()>::builder(hs256().verifying_key()).build();
    let app = Router::new()
        .route("/", get(maybe))
        .layer(auth.optional_layer())
        .with_state(auth);
    assert_eq!(send(&app, plain("/")).await.body, "hello stranger");
    let good = mint(&hs256(), claims(json!({})));
    assert_eq!(send(&app, bearer("/", &good)).await.body, "hello alice");
    let bad = mint(&hs256(), json!({"sub": "alice", "exp": now() - 3600}));
    assert_eq!(
        send(&app, bearer("/", &bad)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn cookie_and_header_sources() {
    let auth = JwtAuth::<()>::builder(hs256().verifying_key())
        .token_from_cookie("access_token")
        .token_from_header(HeaderName::from_static("x-access-token"))
        .build();
    let app = Router::new().route("/", get(maybe)).with_state(auth);
    let token = mint(&hs256(), claims(json!({})));

    let req = Request::get("/")
        .header(
            header::COOKIE,
            format!("theme=dark; access_token={token}; other=1"),
        )
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, req).await.body, "hello alice");

    let req = Request::get("/")
        .header("x-access-token", token.as_str())
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, req).await.body, "hello alice");

    // The Authorization header comes first: a bad bearer token is not rescued by the cookie.
    let req = Request::get("/")
        .header(header::AUTHORIZATION, "Bearer x.y.z")
        .header(header::COOKIE, format!("access_token={token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, req).await.status, StatusCode::UNAUTHORIZED);

    // A cookie of another name is no token.
    let req = Request::get("/")
        .header(header::COOKIE, format!("session={token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, req).await.body, "hello stranger");
}

#[tokio::test]
async fn verify_is_usable_directly() {
    let auth =
        JwtAuth::<serde_json::Map<String, serde_json::Value>>::builder(hs256().verifying_key())
            .build();
    let token = mint(&hs256(), claims(json!({"tenant": "acme"})));
    let v = auth.verify(&token).await.unwrap();
    assert_eq!(v.claims().custom["tenant"], "acme");
    assert_eq!(v.claims().sub.as_deref(), Some("alice"));
    assert!(auth.verify("nope").await.is_err());
}
