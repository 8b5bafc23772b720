//! The metrics jot-axum reports through the `metrics` facade, read back from a
//! Prometheus recorder: remote JWKS fetches and failures, JWKS and token cache
//! hits and misses, refusals by reason. Each test runs in a process of its own
//! (nextest), and the counters only grow: the assertions are on how far they moved.

use std::sync::OnceLock;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use jot_axum::{JwtAuth, RemoteJwks, RequireScopes, Verified};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::json;

use crate::support::*;

fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| PrometheusBuilder::new().install_recorder().unwrap())
}

/// The value of the series `name{labels}`, 0 when absent.
fn series(text: &str, name: &str, labels: &str) -> f64 {
    let prefix = if labels.is_empty() {
        format!("{name} ")
    } else {
        format!("{name}{{{labels}}} ")
    };
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

#[tokio::test]
async fn fetches_caches_and_refusals_are_counted() {
    let metrics = recorder();
    let key = es256("k1");
    let server = JwksServer::start(&[&key]).await;
    let keys = RemoteJwks::builder(server.url()).build().unwrap();
    let auth = JwtAuth::<()>::builder(keys.clone()).build();
    async fn ok(_: Verified<()>) -> &'static str {
        "ok"
    }
    let app = Router::new()
        .route("/", get(ok))
        .route("/admin", get(ok).layer(RequireScopes::all(["admin"])))
        .layer(auth.layer())
        .with_state(auth);
    let before = metrics.render();

    let first = mint(&key, claims(json!({})));
    // No set yet: a miss, a fetch; then the token verified in full.
    assert_eq!(send(&app, bearer("/", &first)).await.status, StatusCode::OK);
    // The same token: a token-cache hit.
    assert_eq!(send(&app, bearer("/", &first)).await.status, StatusCode::OK);
    // Another token of the same key: a JWKS hit, a token-cache miss.
    let second = mint(&key, claims(json!({"n": 2})));
    assert_eq!(
        send(&app, bearer("/", &second)).await.status,
        StatusCode::OK
    );
    // Refusals.
    assert_eq!(
        send(&app, plain("/")).await.status,
        StatusCode::UNAUTHORIZED
    );
    let expired = mint(
        &key,
        json!({"sub": "a", "iat": now() - 100, "exp": now() - 90}),
    );
    assert_eq!(
        send(&app, bearer("/", &expired)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&app, bearer("/admin", &second)).await.status,
        StatusCode::FORBIDDEN
    );
    // A failed fetch.
    server.set_mode(Mode::Error500);
    assert!(keys.refresh_now().await.is_err());

    let after = metrics.render();
    let moved =
        |name: &str, labels: &str| series(&after, name, labels) - series(&before, name, labels);
    assert!(moved("jot_axum_jwks_fetches_total", "") >= 2.0, "{after}");
    assert!(moved("jot_axum_jwks_fetch_failures_total", "") >= 1.0);
    assert!(moved("jot_axum_jwks_cache_misses_total", "") >= 1.0);
    assert!(moved("jot_axum_jwks_cache_hits_total", "") >= 1.0);
    assert!(moved("jot_axum_token_cache_hits_total", "") >= 1.0);
    assert!(moved("jot_axum_token_cache_misses_total", "") >= 2.0);
    for reason in ["missing_token", "expired", "insufficient_scope"] {
        assert!(
            moved("jot_axum_refusals_total", &format!("reason=\"{reason}\"")) >= 1.0,
            "{reason}: {after}"
        );
    }
}
