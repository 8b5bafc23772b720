//! The HTTP endpoints: token, introspection, revocation, JWKS and discovery.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::json;

use crate::error::{OAuthErrorCode, no_store};
use crate::request::{Form, presented};
use crate::{Issuer, OAuthError};

/// `Cache-Control` of the JWK Set: short, so a rotation reaches caches quickly
/// (verifiers also refetch at once on an unknown `kid`).
const JWKS_CACHE: &str = "public, max-age=300";
/// `Cache-Control` of the discovery documents, which change only with the configuration.
const DISCOVERY_CACHE: &str = "public, max-age=3600";

pub(crate) fn router(issuer: Issuer) -> Router {
    Router::new()
        .route("/token", post(token))
        .route("/introspect", post(introspect))
        .route("/revoke", post(revoke))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/.well-known/oauth-authorization-server", get(discovery))
        .with_state(issuer)
}

async fn token(State(issuer): State<Issuer>, headers: HeaderMap, body: Body) -> Response {
    let result = async {
        let form = Form::read(&headers, body).await?;
        let grant_type = form.require("grant_type")?;
        if !matches!(grant_type, "client_credentials" | "refresh_token") {
            return Err(OAuthError::new(
                OAuthErrorCode::UnsupportedGrantType,
                "supported grant types: client_credentials, refresh_token",
            ));
        }
        let presented = presented(&headers, &form)?;
        if grant_type == "client_credentials" {
            let client = issuer.authenticate(presented).await?;
            issuer.client_credentials(&client, form.get("scope"))
        } else {
            let refresh_token = form.require("refresh_token")?;
            issuer
                .refresh_grant(refresh_token, form.get("scope"), presented)
                .await
        }
    }
    .await;
    match result {
        Ok(response) => json_no_store(serde_json::to_value(response)),
        Err(e) => refused("token", e),
    }
}

async fn introspect(State(issuer): State<Issuer>, headers: HeaderMap, body: Body) -> Response {
    let result = async {
        let form = Form::read(&headers, body).await?;
        issuer.authenticate(presented(&headers, &form)?).await?;
        let token = form.require("token")?;
        Ok::<_, OAuthError>(issuer.introspect(token).await?)
    }
    .await;
    match result {
        Ok(introspection) => json_no_store(serde_json::to_value(introspection)),
        Err(e) => refused("introspect", e),
    }
}

async fn revoke(State(issuer): State<Issuer>, headers: HeaderMap, body: Body) -> Response {
    let result = async {
        let form = Form::read(&headers, body).await?;
        let client = issuer.authenticate(presented(&headers, &form)?).await?;
        let token = form.require("token")?;
        issuer.revoke_as(token, Some(&client.client_id)).await
    }
    .await;
    match result {
        Ok(()) => {
            let mut response = StatusCode::OK.into_response();
            no_store(response.headers_mut());
            response
        }
        Err(e) => refused("revoke", e),
    }
}

async fn jwks(State(issuer): State<Issuer>) -> Response {
    let body = issuer.ring().jwks_json.clone();
    (
        [
            (header::CONTENT_TYPE, "application/jwk-set+json"),
            (header::CACHE_CONTROL, JWKS_CACHE),
        ],
        body,
    )
        .into_response()
}

async fn discovery(State(issuer): State<Issuer>) -> Response {
    let url = issuer.url();
    let auth_methods = ["client_secret_basic", "client_secret_post"];
    let document = json!({
        "issuer": url,
        "jwks_uri": format!("{url}/.well-known/jwks.json"),
        "token_endpoint": format!("{url}/token"),
        "introspection_endpoint": format!("{url}/introspect"),
        "revocation_endpoint": format!("{url}/revoke"),
        "grant_types_supported": ["client_credentials", "refresh_token"],
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": auth_methods,
        "introspection_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [issuer.algorithm().as_str()],
    });
    let mut response = axum::Json(document).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(DISCOVERY_CACHE),
    );
    response
}

fn json_no_store(value: Result<serde_json::Value, serde_json::Error>) -> Response {
    match value {
        Ok(value) => {
            let mut response = axum::Json(value).into_response();
            no_store(response.headers_mut());
            response
        }
        // Plain structs of strings and numbers always serialize.
        Err(_) => OAuthError::server_error().into_response(),
    }
}

fn refused(endpoint: &'static str, e: OAuthError) -> Response {
    tracing::debug!(
        target: "jot_issuer",
        endpoint,
        error = e.code().as_str(),
        description = e.description(),
        "request refused"
    );
    e.into_response()
}
