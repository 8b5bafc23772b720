//! Scopes, roles and claim predicates, as layers and in handlers.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use jot_axum::{AuthError, JwtAuth, RequireClaims, RequireRoles, RequireScopes, Verified};
use serde_json::json;

use crate::support::*;

fn app() -> Router {
    let auth = JwtAuth::<()>::builder(hs256().verifying_key())
        .realm("api")
        .build();
    async fn write(v: Verified<()>) -> Result<&'static str, AuthError> {
        v.require_scopes(&["items:write"])?;
        Ok("written")
    }
    Router::new()
        .route(
            "/read",
            get(|| async { "read" }).layer(RequireScopes::all(["items:read"])),
        )
        .route(
            "/either",
            get(|| async { "either" }).layer(RequireScopes::any(["a", "b"])),
        )
        .route(
            "/both",
            get(|| async { "both" }).layer(RequireScopes::all(["a", "b"])),
        )
        .route("/write", get(write))
        .route(
            "/admin",
            get(|| async { "admin" }).layer(RequireRoles::any(["admin"])),
        )
        .route(
            "/realm-admin",
            get(|| async { "ok" }).layer(RequireRoles::all(["admin"]).claim("realm_access.roles")),
        )
        .route(
            "/acme",
            get(|| async { "acme" }).layer(RequireClaims::new("tenant acme only", |c| {
                c.get("tenant").and_then(|t| t.as_str()) == Some("acme")
            })),
        )
        .layer(auth.layer())
        .with_state(auth)
}

async fn status(uri: &str, extra: serde_json::Value) -> (StatusCode, Option<String>) {
    let r = send(&app(), bearer(uri, &mint(&hs256(), claims(extra)))).await;
    (r.status, r.challenge().map(str::to_owned))
}

#[tokio::test]
async fn scope_claim_space_separated() {
    assert_eq!(
        status("/read", json!({"scope": "openid items:read"}))
            .await
            .0,
        StatusCode::OK
    );
    let (code, challenge) = status("/read", json!({"scope": "openid"})).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    assert_eq!(
        challenge.as_deref(),
        Some(
            r#"Bearer realm="api", error="insufficient_scope", error_description="insufficient scope", scope="items:read""#
        )
    );
}

#[tokio::test]
async fn scp_array() {
    assert_eq!(
        status("/read", json!({"scp": ["items:read"]})).await.0,
        StatusCode::OK
    );
    assert_eq!(
        status("/either", json!({"scp": ["b"]})).await.0,
        StatusCode::OK
    );
    let (code, challenge) = status("/both", json!({"scp": ["b"]})).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    assert!(challenge.unwrap().ends_with(r#"scope="a b""#));
    assert_eq!(
        status("/both", json!({"scp": ["b"], "scope": "a"})).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn handler_level_scope_check() {
    assert_eq!(
        status("/write", json!({"scope": "items:write"})).await.0,
        StatusCode::OK
    );
    let (code, challenge) = status("/write", json!({"scope": "items:read"})).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    assert!(challenge.unwrap().contains(r#"scope="items:write""#));
}

#[tokio::test]
async fn roles_and_predicates() {
    assert_eq!(
        status("/admin", json!({"roles": ["user", "admin"]}))
            .await
            .0,
        StatusCode::OK
    );
    let (code, challenge) = status("/admin", json!({"roles": ["user"]})).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    assert!(challenge.unwrap().contains(r#"error="insufficient_scope""#));
    assert_eq!(
        status(
            "/realm-admin",
            json!({"realm_access": {"roles": ["admin"]}})
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        status("/realm-admin", json!({"roles": ["admin"]})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status("/acme", json!({"tenant": "acme"})).await.0,
        StatusCode::OK
    );
    let (code, challenge) = status("/acme", json!({"tenant": "evil"})).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    assert!(
        challenge
            .unwrap()
            .contains(r#"error_description="tenant acme only""#)
    );
}

#[tokio::test]
async fn guard_without_authentication_is_401() {
    let app = Router::new().route(
        "/read",
        get(|| async { "read" }).layer(RequireScopes::all(["items:read"])),
    );
    let r = send(&app, plain("/read")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.challenge(), Some("Bearer"));
    // And the guards never let a request through the JwtLayer without a token.
    let r = send(&self::app(), plain("/read")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
