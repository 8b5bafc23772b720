//! Dynamic Client Registration (RFC 7591): `POST /register`, off by default.
//!
//! Anyone may register a public client (`token_endpoint_auth_method: none`, the
//! authorization code flow with PKCE); a confidential client (with a generated
//! `client_secret`, hashed like every client's) needs the initial access token as
//! `Authorization: Bearer`. Redirect URIs are `https`, or `http` on a loopback
//! host. A refused request stores nothing; requests are counted per client
//! address (20 free, then an exponential backoff) and bodies are capped at
//! [`MAX_REGISTRATION_BYTES`].

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::json;

use crate::error::no_store;
use crate::throttle::{Key, Throttle};
use crate::{Issuer, IssuerError, NewClient, secret};

mod metadata;

use metadata::Requested;

/// The largest registration request body read, in bytes.
pub const MAX_REGISTRATION_BYTES: usize = 16 * 1024;

/// The settings of Dynamic Client Registration:
/// [`IssuerBuilder::dynamic_client_registration`](crate::IssuerBuilder::dynamic_client_registration).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use jot_issuer::{ClientRegistration, Issuer, Login};
///
/// let issuer = Issuer::builder("https://auth.example.com")
///     .login(Login::new())
///     .dynamic_client_registration(
///         ClientRegistration::new()
///             .initial_access_token("a long random token for confidential clients")
///             .scopes(["invoices:read"]),
///     )
///     .build()
///     .await?;
/// # let _ = issuer;
/// # Ok::<(), jot_issuer::IssuerError>(()) }).unwrap();
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct ClientRegistration {
    initial_access_token: Option<String>,
    scopes: Vec<String>,
}

impl ClientRegistration {
    /// Public clients only, with the OpenID Connect scopes.
    pub fn new() -> Self {
        Self::default()
    }

    /// The initial access token (RFC 7591 §3): a request that carries it as
    /// `Authorization: Bearer` may register a confidential client
    /// (`client_secret_basic`, `client_secret_post`, the `client_credentials`
    /// grant). An empty token is ignored.
    pub fn initial_access_token(mut self, token: impl Into<String>) -> Self {
        self.initial_access_token = Some(token.into()).filter(|t| !t.is_empty());
        self
    }

    /// Scopes registered clients may ask for besides the OpenID Connect ones.
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }
}

impl fmt::Debug for ClientRegistration {
    /// Never shows the token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientRegistration")
            .field(
                "initial_access_token",
                &self.initial_access_token.as_ref().map(|_| "…"),
            )
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// The settings and the per-address counter.
pub(crate) struct RegistrationState {
    settings: ClientRegistration,
    throttle: Throttle,
}

impl RegistrationState {
    pub(crate) fn new(settings: ClientRegistration) -> Self {
        RegistrationState {
            settings,
            throttle: Throttle::default(),
        }
    }
}

impl Issuer {
    /// Whether `POST /register` is served.
    pub(crate) fn registration_enabled(&self) -> bool {
        self.inner.registration.is_some()
    }
}

/// `POST /register`.
pub(crate) async fn register(State(issuer): State<Issuer>, request: Request) -> Response {
    let Some(state) = &issuer.inner.registration else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (parts, body) = request.into_parts();
    let ip = issuer
        .client_ip(&parts.headers, crate::client_ip::peer(&parts.extensions))
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let now = issuer.now();
    let keys = [Key::Ip(ip)];
    if let Err(wait) = state.throttle.check(&keys, now) {
        tracing::warn!(target: "jot_issuer", %ip, wait, "client registration throttled");
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            "invalid_client_metadata",
            "too many registrations from this address; try again later",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return response;
    }
    // Every request counts, accepted or not: registering is rare.
    state.throttle.failed(&keys, now);
    let Ok(privileged) = initial_access_token(&parts.headers, &state.settings) else {
        tracing::info!(target: "jot_issuer", %ip, "client registration: wrong initial access token");
        let mut response = error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "the initial access token is not valid",
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
        return response;
    };
    let is_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            "the request body must be application/json",
        );
    }
    let Ok(body) = to_bytes(body, MAX_REGISTRATION_BYTES).await else {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_client_metadata",
            "the request body is too large",
        );
    };
    let requested = match metadata::read(&body, privileged, &state.settings.scopes)
        .and_then(|r| metadata::check_login(r, issuer.login_enabled()))
    {
        Ok(requested) => requested,
        Err(e) => {
            tracing::info!(target: "jot_issuer", %ip, error = e.code(), description = %e, "client registration refused");
            return error(StatusCode::BAD_REQUEST, e.code(), &e.to_string());
        }
    };
    match issuer.store_registration(&requested).await {
        Ok(response) => response,
        Err(IssuerError::InvalidClient { reason, .. }) => {
            error(StatusCode::BAD_REQUEST, "invalid_client_metadata", reason)
        }
        Err(e) => {
            tracing::error!(target: "jot_issuer", error = %e, "client registration failed");
            crate::OAuthError::from(e).into_response()
        }
    }
}

impl Issuer {
    /// Registers the client of a checked request and answers `201` with its
    /// credentials and metadata.
    async fn store_registration(&self, requested: &Requested) -> Result<Response, IssuerError> {
        let client_id = secret::random_token(16)?;
        let mut client = NewClient::new(client_id.clone())
            .scopes(requested.scopes.clone())
            .redirect_uris(requested.redirect_uris.clone());
        if let Some(name) = &requested.client_name {
            client = client.name(name.clone());
        }
        if requested.public() {
            client = client.public();
        }
        let credentials = self.register_client(client).await?;
        let issued_at = self.now();
        tracing::info!(target: "jot_issuer", %client_id, method = requested.auth_method, "client registered dynamically");
        let mut body = json!({
            "client_id": credentials.client_id,
            "client_id_issued_at": issued_at,
            "redirect_uris": requested.redirect_uris,
            "grant_types": requested.grant_types,
            "response_types": requested.response_types,
            "token_endpoint_auth_method": requested.auth_method,
            "scope": requested.scopes.join(" "),
        });
        if let Some(name) = &requested.client_name {
            body["client_name"] = json!(name);
        }
        if !requested.public() {
            body["client_secret"] = json!(credentials.client_secret);
            body["client_secret_expires_at"] = json!(0);
        }
        let mut response = (StatusCode::CREATED, axum::Json(body)).into_response();
        no_store(response.headers_mut());
        Ok(response)
    }
}

/// Whether the request carries the initial access token; `Err` for a wrong one
/// (or any token when none is configured).
fn initial_access_token(headers: &HeaderMap, settings: &ClientRegistration) -> Result<bool, ()> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(false);
    };
    let presented = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match (presented, &settings.initial_access_token) {
        (Some(token), Some(expected)) if secret::constant_time_eq(token, expected) => Ok(true),
        _ => Err(()),
    }
}

/// An RFC 7591 §3.2.2 error.
fn error(status: StatusCode, code: &str, description: &str) -> Response {
    let mut response = (
        status,
        axum::Json(json!({ "error": code, "error_description": description })),
    )
        .into_response();
    no_store(response.headers_mut());
    response
}
