//! The HTTP endpoints: token, introspection, revocation, JWKS and discovery (and,
//! with a login, those of [`oidc`](crate::oidc)).

use std::net::IpAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::json;

use crate::error::{OAuthErrorCode, no_store};
use crate::grant::TOKEN_EXCHANGE;
use crate::request::{Form, presented};
use crate::untrusted::escaped;
use crate::{Introspection, Issuer, OAuthError};

/// `Cache-Control` of the discovery documents, which change only with the configuration.
const DISCOVERY_CACHE: &str = "public, max-age=3600";

pub(crate) fn router(issuer: Issuer) -> Router {
    let login = issuer
        .login_enabled()
        .then(|| crate::oidc::router(issuer.clone()));
    let router = Router::new()
        .route("/token", post(token))
        .route("/introspect", post(introspect))
        .route("/revoke", post(revoke))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/.well-known/oauth-authorization-server", get(discovery));
    let router = if issuer.registration_enabled() {
        router.route("/register", post(crate::registration::register))
    } else {
        router
    };
    let router = router
        .with_state(issuer.clone())
        .merge(issuer.health_router());
    let router = match login {
        Some(login) => router.merge(login),
        None => router,
    };
    let router = router.layer(axum::middleware::from_fn(crate::meter::http));
    crate::response_headers::layer(router, issuer)
}

/// A request's headers, body and client IP.
fn split(issuer: &Issuer, request: Request) -> (HeaderMap, Body, Option<IpAddr>) {
    let (parts, body) = request.into_parts();
    let ip = issuer.client_ip(&parts.headers, crate::client_ip::peer(&parts.extensions));
    (parts.headers, body, ip)
}

async fn token(State(issuer): State<Issuer>, request: Request) -> Response {
    let (headers, body, ip) = split(&issuer, request);
    let result = async {
        let form = Form::read(&headers, body).await?;
        let grant_type = form.require("grant_type")?;
        let login = issuer.login_enabled();
        let supported = match grant_type {
            "client_credentials" | "refresh_token" | TOKEN_EXCHANGE => true,
            "authorization_code" => login,
            _ => false,
        };
        if !supported {
            return Err(OAuthError::new(
                OAuthErrorCode::UnsupportedGrantType,
                if login {
                    "supported grant types: authorization_code, client_credentials, refresh_token, \
                     urn:ietf:params:oauth:grant-type:token-exchange"
                } else {
                    "supported grant types: client_credentials, refresh_token, \
                     urn:ietf:params:oauth:grant-type:token-exchange"
                },
            ));
        }
        let presented = presented(&headers, &form)?;
        // Every grant takes a DPoP proof (RFC 9449 §5); its `jti` is recorded
        // here, so a proof is good for one token request.
        let jkt = issuer.token_proof(&headers).await?;
        let jkt = jkt.as_deref();
        let resource = form.get("resource");
        match grant_type {
            "client_credentials" => {
                let client = issuer.authenticate(presented, ip).await?;
                if client.public {
                    return Err(OAuthError::new(
                        OAuthErrorCode::UnauthorizedClient,
                        "a public client cannot use client_credentials",
                    ));
                }
                let issued =
                    issuer.client_credentials(&client, form.get("scope"), resource, jkt)?;
                Ok(("client_credentials", issued))
            }
            "authorization_code" => {
                let issued = issuer.code_grant(&form, presented, ip, jkt).await?;
                Ok(("authorization_code", issued))
            }
            TOKEN_EXCHANGE => {
                let client = issuer.authenticate(presented, ip).await?;
                let issued = issuer.token_exchange(&client, &form, jkt).await?;
                Ok(("token_exchange", issued))
            }
            _ => {
                let refresh_token = form.require("refresh_token")?;
                let issued = issuer
                    .refresh_grant(
                        refresh_token,
                        form.get("scope"),
                        resource,
                        presented,
                        ip,
                        jkt,
                    )
                    .await?;
                Ok(("refresh_token", issued))
            }
        }
    }
    .await;
    let with_nonce = |mut response: Response| {
        // RFC 9449 §8.2: a fresh nonce with every answer to a DPoP request.
        if headers.contains_key(crate::dpop::DPOP) {
            if let Some(nonce) = issuer.next_dpop_nonce() {
                response
                    .headers_mut()
                    .entry(http::HeaderName::from_static("dpop-nonce"))
                    .or_insert(nonce);
            }
        }
        response
    };
    match result {
        Ok((grant, response)) => {
            crate::meter::token_issued(grant);
            with_nonce(json_no_store(serde_json::to_value(response)))
        }
        Err(e) => with_nonce(refused("token", e)),
    }
}

/// RFC 7662 for the authenticated client: about its own tokens, or about any
/// token for a client registered with [`NewClient::introspect`](crate::NewClient::introspect);
/// every other token is `{"active": false}`, as if it were invalid.
async fn introspect(State(issuer): State<Issuer>, request: Request) -> Response {
    let (headers, body, ip) = split(&issuer, request);
    let result = async {
        let form = Form::read(&headers, body).await?;
        let client = issuer.authenticate(presented(&headers, &form)?, ip).await?;
        let token = form.require("token")?;
        let introspection = issuer.introspect(token).await?;
        let allowed = client.introspect
            || introspection.client_id.as_deref() == Some(client.client_id.as_str());
        if introspection.active && !allowed {
            tracing::info!(
                target: "jot_issuer",
                client_id = %client.client_id,
                "introspection of another client's token answered inactive"
            );
            return Ok(Introspection::default());
        }
        Ok::<_, OAuthError>(introspection)
    }
    .await;
    match result {
        Ok(introspection) => json_no_store(serde_json::to_value(introspection)),
        Err(e) => refused("introspect", e),
    }
}

async fn revoke(State(issuer): State<Issuer>, request: Request) -> Response {
    let (headers, body, ip) = split(&issuer, request);
    let result = async {
        let form = Form::read(&headers, body).await?;
        let client = issuer.authenticate(presented(&headers, &form)?, ip).await?;
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
    // `max-age` from `IssuerBuilder::jwks_max_age`: part of the rotation lead, so
    // a next key reaches every cache before it signs.
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/jwk-set+json"),
            ),
            (header::CACHE_CONTROL, issuer.jwks_cache_control()),
        ],
        body,
    )
        .into_response()
}

async fn discovery(State(issuer): State<Issuer>) -> Response {
    let url = issuer.url();
    let auth_methods = ["client_secret_basic", "client_secret_post"];
    let mut document = json!({
        "issuer": url,
        "jwks_uri": format!("{url}/.well-known/jwks.json"),
        "token_endpoint": format!("{url}/token"),
        "introspection_endpoint": format!("{url}/introspect"),
        "revocation_endpoint": format!("{url}/revoke"),
        "grant_types_supported": ["client_credentials", "refresh_token", TOKEN_EXCHANGE],
        "dpop_signing_alg_values_supported": issuer.dpop_algorithms(),
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": auth_methods,
        "introspection_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "subject_types_supported": ["public"],
        // What the published keys sign with, the current key's first: after a
        // rotation to another algorithm, both until the old key is unpublished.
        "id_token_signing_alg_values_supported": issuer
            .ring()
            .algorithms
            .iter()
            .map(|alg| alg.as_str())
            .collect::<Vec<_>>(),
    });
    if issuer.login_enabled() {
        let scopes: Vec<&str> = crate::oidc::STANDARD_SCOPES
            .iter()
            .map(|(s, _)| *s)
            .collect();
        let login = json!({
            "authorization_endpoint": format!("{url}/authorize"),
            "userinfo_endpoint": format!("{url}/userinfo"),
            "end_session_endpoint": format!("{url}/logout"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token", TOKEN_EXCHANGE],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": scopes,
            "claims_supported": [
                "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "sid",
                "name", "preferred_username", "email", "email_verified"
            ],
            "claims_parameter_supported": true,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "prompt_values_supported": ["none", "login", "consent"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "authorization_response_iss_parameter_supported": true,
        });
        if let (Some(document), serde_json::Value::Object(login)) =
            (document.as_object_mut(), login)
        {
            document.extend(login);
        }
    }
    if let Some(document) = document.as_object_mut() {
        if issuer.client_metadata_enabled() {
            document.insert("client_id_metadata_document_supported".into(), true.into());
        }
        if issuer.registration_enabled() {
            document.insert(
                "registration_endpoint".into(),
                format!("{url}/register").into(),
            );
        }
    }
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
        description = %escaped(e.description()),
        "request refused"
    );
    e.into_response()
}
