//! RFC 9728: the metadata document and its routes, `resource_metadata` and `scope`
//! in challenges, the resource identifier as the default audience, and 403
//! `insufficient_scope` naming every scope a route needs.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use jot_algorithms::Algorithm;
use jot_axum::{Dpop, JwtAuth, RequireScopes};
use jot_codec::Validation;
use serde_json::{Value, json};

use crate::dpop::challenges;
use crate::support::{bearer, claims, es256, mint, plain, send};

const METADATA: &str = "https://api.example.com/.well-known/oauth-protected-resource/mcp";

fn auth(issuer: &jot_algorithms::SigningKey) -> jot_axum::JwtAuthBuilder<()> {
    JwtAuth::<()>::builder(issuer.verifying_key())
        .resource("https://api.example.com/mcp")
        .unwrap()
        .authorization_servers(["https://auth.example.com"])
        .scopes_supported(["mcp:tools", "mcp:admin"])
}

fn app(auth: &JwtAuth<()>) -> Router {
    Router::new()
        .route("/mcp", get(|| async { "tools" }))
        .route(
            "/mcp/admin",
            get(|| async { "admin" }).layer(RequireScopes::all(["mcp:tools", "mcp:admin"])),
        )
        .layer(auth.layer())
        .merge(auth.resource_metadata_router())
}

#[tokio::test]
async fn the_metadata_document_is_served_at_both_well_known_paths() {
    let issuer = es256("k");
    let auth = auth(&issuer).build();
    let app = app(&auth);
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        let reply = send(&app, plain(path)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.headers["content-type"], "application/json");
        assert_eq!(reply.headers["access-control-allow-origin"], "*");
        let doc: Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(
            doc,
            json!({
                "resource": "https://api.example.com/mcp",
                "authorization_servers": ["https://auth.example.com"],
                "scopes_supported": ["mcp:tools", "mcp:admin"],
                "bearer_methods_supported": ["header"],
            })
        );
        assert_eq!(auth.resource_metadata(), Some(&doc));
    }
    assert_eq!(auth.resource_metadata_url(), Some(METADATA));
    assert_eq!(auth.resource(), Some("https://api.example.com/mcp"));
}

#[tokio::test]
async fn the_metadata_says_what_dpop_accepts() {
    let issuer = es256("k");
    let auth = auth(&issuer)
        .dpop(Dpop::new().algorithms([Algorithm::ES256, Algorithm::EdDSA]))
        .build();
    let doc = auth.resource_metadata().unwrap();
    assert_eq!(
        doc["dpop_signing_alg_values_supported"],
        json!(["ES256", "EdDSA"])
    );
    assert_eq!(doc["dpop_bound_access_tokens_required"], json!(false));
    let auth = auth_required(&issuer);
    let doc = auth.resource_metadata().unwrap();
    assert_eq!(doc["dpop_bound_access_tokens_required"], json!(true));
    assert_eq!(doc["bearer_methods_supported"], json!(["header"]));
}

fn auth_required(issuer: &jot_algorithms::SigningKey) -> JwtAuth<()> {
    auth(issuer).require_dpop().build()
}

#[tokio::test]
async fn without_a_resource_no_metadata_is_served() {
    let issuer = es256("k");
    let auth = JwtAuth::<()>::builder(issuer.verifying_key()).build();
    assert_eq!(auth.resource_metadata(), None);
    let app = Router::new().merge(auth.resource_metadata_router());
    let reply = send(&app, plain("/.well-known/oauth-protected-resource")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    // The challenge is as before.
    let reply = send(
        &Router::new()
            .route("/", get(|| async {}))
            .layer(auth.layer()),
        plain("/"),
    )
    .await;
    assert_eq!(challenges(&reply), ["Bearer"]);
}

#[tokio::test]
async fn every_401_points_to_the_metadata_with_the_scopes() {
    let issuer = es256("k");
    let app = app(&auth(&issuer).realm("mcp").build());
    let reply = send(&app, plain("/mcp")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenges(&reply),
        [format!(
            r#"Bearer realm="mcp", scope="mcp:tools mcp:admin", resource_metadata="{METADATA}""#
        )]
    );
    let reply = send(&app, bearer("/mcp", "not.a.token")).await;
    assert_eq!(
        challenges(&reply),
        [format!(
            r#"Bearer realm="mcp", error="invalid_token", error_description="malformed token", scope="mcp:tools mcp:admin", resource_metadata="{METADATA}""#
        )]
    );
}

#[tokio::test]
async fn with_dpop_a_401_offers_both_schemes() {
    let issuer = es256("k");
    let auth = auth(&issuer)
        .dpop(Dpop::new().algorithms([Algorithm::ES256, Algorithm::EdDSA]))
        .build();
    let reply = send(&app(&auth), plain("/mcp")).await;
    assert_eq!(
        challenges(&reply),
        [
            format!(r#"Bearer scope="mcp:tools mcp:admin", resource_metadata="{METADATA}""#),
            format!(
                r#"DPoP scope="mcp:tools mcp:admin", resource_metadata="{METADATA}", algs="ES256 EdDSA""#
            ),
        ]
    );
}

#[tokio::test]
async fn insufficient_scope_names_every_scope_the_route_needs() {
    let issuer = es256("k");
    let app = app(&auth(&issuer).build());
    let token = mint(
        &issuer,
        claims(json!({"aud": "https://api.example.com/mcp", "scope": "mcp:tools"})),
    );
    assert_eq!(
        send(&app, bearer("/mcp", &token)).await.status,
        StatusCode::OK
    );
    let reply = send(&app, bearer("/mcp/admin", &token)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        challenges(&reply),
        [format!(
            r#"Bearer error="insufficient_scope", error_description="insufficient scope", scope="mcp:tools mcp:admin", resource_metadata="{METADATA}""#
        )]
    );
}

#[tokio::test]
async fn the_resource_is_the_default_audience() {
    let issuer = es256("k");
    let app = app(&auth(&issuer).build());
    let for_us = mint(
        &issuer,
        claims(json!({"aud": "https://api.example.com/mcp"})),
    );
    assert_eq!(
        send(&app, bearer("/mcp", &for_us)).await.status,
        StatusCode::OK
    );
    let among_others = mint(
        &issuer,
        claims(json!({"aud": ["https://other.example.com", "https://api.example.com/mcp"]})),
    );
    assert_eq!(
        send(&app, bearer("/mcp", &among_others)).await.status,
        StatusCode::OK
    );
    for other in [
        json!({"aud": "https://api.example.com/other"}),
        json!({"aud": "https://api.example.com/mcp/"}),
        json!({"aud": "https://other.example.com"}),
        json!({}),
    ] {
        let token = mint(&issuer, claims(other.clone()));
        let reply = send(&app, bearer("/mcp", &token)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{other}");
    }
    // An audience configured in the validation is accepted too.
    let app = app_with(
        auth(&issuer)
            .validation(Validation::new().audience("legacy-api"))
            .build(),
    );
    let legacy = mint(&issuer, claims(json!({"aud": "legacy-api"})));
    assert_eq!(
        send(&app, bearer("/mcp", &legacy)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, bearer("/mcp", &for_us)).await.status,
        StatusCode::OK
    );
}

fn app_with(auth: JwtAuth<()>) -> Router {
    app(&auth)
}

#[test]
fn a_resource_identifier_must_name_this_server_safely() {
    let issuer = es256("k");
    for bad in [
        "api.example.com/mcp",
        "http://api.example.com/mcp",
        "https://api.example.com/mcp#frag",
        "https://api.example.com/mcp?x=1",
        "https://user@api.example.com/mcp",
    ] {
        assert!(
            JwtAuth::<()>::builder(issuer.verifying_key())
                .resource(bad)
                .is_err(),
            "{bad}"
        );
    }
}
