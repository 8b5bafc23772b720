//! The HTTP endpoints: token, introspection, revocation, JWKS and discovery (and,
//! with a login, those of [`oidc`](crate::oidc)).

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
    let login = issuer
        .login_enabled()
        .then(|| crate::oidc::router(issuer.clone()));
    let router = Router::new()
        .route("/token", post(token))
        .route("/introspect", post(introspect))
        .route("/revoke", post(revoke))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/.well-known/oauth-authorization-server", get(discovery))
        .with_state(issuer);
    let router = match login {
        Some(login) => router.merge(login),
        None => router,
    };
    router.layer(axum::middleware::from_fn(cors))
}

/// The endpoints a single-page app calls from another origin: no cookies are
/// involved (credentials travel in the request), so any origin may call them. The
/// login pages never get CORS headers.
const CORS_PATHS: [&str; 5] = [
    "/token",
    "/userinfo",
    "/revoke",
    "/.well-known/jwks.json",
    "/.well-known/openid-configuration",
];

/// CORS for [`CORS_PATHS`]: `Access-Control-Allow-Origin: *`, and preflights
/// answered for `Authorization` and `Content-Type`.
async fn cors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = request.uri().path();
    let allowed = CORS_PATHS.contains(&path) || path == "/.well-known/oauth-authorization-server";
    if !allowed || !request.headers().contains_key(header::ORIGIN) {
        return next.run(request).await;
    }
    let mut response = if request.method() == http::Method::OPTIONS {
        let mut preflight = StatusCode::NO_CONTENT.into_response();
        let headers = preflight.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, content-type"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        preflight
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("www-authenticate"),
    );
    response
}

async fn token(State(issuer): State<Issuer>, headers: HeaderMap, body: Body) -> Response {
    let result = async {
        let form = Form::read(&headers, body).await?;
        let grant_type = form.require("grant_type")?;
        let login = issuer.login_enabled();
        let supported = match grant_type {
            "client_credentials" | "refresh_token" => true,
            "authorization_code" => login,
            _ => false,
        };
        if !supported {
            return Err(OAuthError::new(
                OAuthErrorCode::UnsupportedGrantType,
                if login {
                    "supported grant types: authorization_code, client_credentials, refresh_token"
                } else {
                    "supported grant types: client_credentials, refresh_token"
                },
            ));
        }
        let presented = presented(&headers, &form)?;
        match grant_type {
            "client_credentials" => {
                let client = issuer.authenticate(presented).await?;
                if client.public {
                    return Err(OAuthError::new(
                        OAuthErrorCode::UnauthorizedClient,
                        "a public client cannot use client_credentials",
                    ));
                }
                issuer.client_credentials(&client, form.get("scope"))
            }
            "authorization_code" => issuer.code_grant(&form, presented).await,
            _ => {
                let refresh_token = form.require("refresh_token")?;
                issuer
                    .refresh_grant(refresh_token, form.get("scope"), presented)
                    .await
            }
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
    let mut document = json!({
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
            "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
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
