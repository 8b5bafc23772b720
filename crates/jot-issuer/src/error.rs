//! [`IssuerError`] (what the embedding application sees) and [`OAuthError`] (what an
//! OAuth client sees: RFC 6749 §5.2 JSON).

use std::borrow::Cow;
use std::fmt;

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use jot_algorithms::{Algorithm, KeyError};

use crate::kek::KekError;
use crate::store::StoreError;

/// Why an issuer operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssuerError {
    /// The store failed.
    #[error("issuer store: {0}")]
    Store(#[from] StoreError),
    /// A signing key could not be generated, loaded or exported.
    #[error("signing key: {0}")]
    Key(#[from] KeyError),
    /// The algorithm cannot sign the issuer's tokens: HMAC (its keys are published),
    /// Ed448 and ML-DSA (no OpenID Connect `at_hash` the issuer computes for them).
    #[error("{alg} cannot be used by the issuer: {reason}")]
    UnsupportedAlgorithm {
        /// The algorithm.
        alg: Algorithm,
        /// Why.
        reason: &'static str,
    },
    /// The issuer URL is not an absolute `http(s)` URL without query or fragment.
    #[error("invalid issuer URL {url:?}: {reason}")]
    InvalidIssuerUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A custom claim would overwrite one the issuer sets.
    #[error("claim {name:?} is set by the issuer and cannot be overridden")]
    ReservedClaim {
        /// The claim name.
        name: String,
    },
    /// A client id, secret or scope is unusable.
    #[error("invalid client {client_id:?}: {reason}")]
    InvalidClient {
        /// The client id.
        client_id: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A token could not be signed.
    #[error("token signing: {0}")]
    Sign(jot_codec::Error),
    /// The system random generator failed.
    #[error("the system random generator failed")]
    Random,
    /// The store holds no current signing key (it was deleted under the issuer).
    #[error("the store holds no current signing key")]
    NoSigningKey,
    /// The store lists a current signing key whose private key is gone (a deleted
    /// `.key.pem` file, say). The issuer does not quietly make a new key: restore
    /// the private key, or rotate to a new one on purpose.
    #[error(
        "the current signing key {kid:?} has lost its private key: restore it, or replace it by a new key \
         at once (`jot rotate-key --now`, `KeyRotation::now`, or `IssuerBuilder::replace_missing_key(true)`)"
    )]
    MissingPrivateKey {
        /// The key's `kid`.
        kid: String,
    },
    /// A private key could not be sealed or opened with the key-encryption key
    /// (none given, the wrong one, a damaged record), or the store needs one.
    #[error("{0}")]
    Kek(#[from] KekError),
    /// The keys kept changing under a rotation (other writers rotating at the
    /// same time, over and over): try again.
    #[error("the signing keys changed under the rotation several times; try again")]
    RotationContended,
    /// An origin given to [`IssuerBuilder::cors_origins`](crate::IssuerBuilder::cors_origins)
    /// is not a web origin.
    #[error("invalid CORS origin {origin:?}: {reason}")]
    InvalidCorsOrigin {
        /// The origin given.
        origin: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An entry of [`IssuerBuilder::trusted_proxies`](crate::IssuerBuilder::trusted_proxies)
    /// is not an address block (`10.0.0.0/8`, `2001:db8::/32`) or an address.
    #[error("invalid trusted proxy {cidr:?}: {reason}")]
    InvalidTrustedProxy {
        /// The entry given.
        cidr: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The HTTP client that fetches client metadata documents could not be built
    /// (its TLS configuration).
    #[error("the HTTP client for client metadata documents could not be built")]
    HttpClient,
    /// The refresh token (or other OAuth input) was refused.
    #[error("{0}")]
    OAuth(OAuthError),
    /// A resource identifier given to [`IssuerBuilder::resources`](crate::IssuerBuilder::resources)
    /// is not an absolute URI without fragment (RFC 8707 §2).
    #[error("invalid resource {resource:?}: {reason}")]
    InvalidResource {
        /// The resource identifier.
        resource: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A user with this username (compared case-insensitively) exists already.
    #[error("user {username:?} exists already")]
    UserExists {
        /// The username.
        username: String,
    },
    /// No user has this username.
    #[error("no user {username:?}")]
    NoSuchUser {
        /// The username.
        username: String,
    },
    /// A username, password or user attribute is unusable.
    #[error("invalid user {username:?}: {reason}")]
    InvalidUser {
        /// The username.
        username: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A password could not be hashed.
    #[error("password hashing failed")]
    PasswordHashing,
    /// Too many password checks are waiting for the hashing pool: try again.
    #[error("too many password checks at once; try again")]
    Busy,
    /// A login feature was used on an issuer built without
    /// [`IssuerBuilder::login`](crate::IssuerBuilder::login).
    #[error("the login is not enabled on this issuer")]
    LoginDisabled,
    /// An [`Authenticator`](crate::Authenticator) of the application failed.
    #[error("authenticator: {0}")]
    Authenticator(Box<dyn std::error::Error + Send + Sync>),
}

impl IssuerError {
    /// Whether the store could not be reached ([`StoreError::is_unavailable`]):
    /// the same call may succeed later. The endpoints answer it with `503`
    /// `temporarily_unavailable` and `Retry-After` ([`STORE_RETRY_AFTER`] seconds).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, IssuerError::Store(e) if e.is_unavailable())
    }
}

impl From<ring::error::Unspecified> for IssuerError {
    fn from(_: ring::error::Unspecified) -> Self {
        IssuerError::Random
    }
}

impl From<OAuthError> for IssuerError {
    fn from(e: OAuthError) -> Self {
        IssuerError::OAuth(e)
    }
}

/// The `Retry-After` (seconds) of the answers given while the store is
/// unavailable (a database down): `503` `temporarily_unavailable` on the token,
/// introspection and revocation endpoints, `503` pages on the login's.
pub const STORE_RETRY_AFTER: u64 = 5;

/// An RFC 6749 §5.2 error response: `{"error": CODE, "error_description": …}` with
/// status 400, or 401 and `WWW-Authenticate` for `invalid_client`, 500 for
/// `server_error`, 503 for `temporarily_unavailable`; 429 with `Retry-After` when
/// a client failed to authenticate too often; always `Cache-Control: no-store`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    code: OAuthErrorCode,
    description: Cow<'static, str>,
    status: StatusCode,
    retry_after: Option<u64>,
    /// The `DPoP-Nonce` to send (RFC 9449 §8), with `use_dpop_nonce`.
    dpop_nonce: Option<String>,
}

/// The `error` codes of RFC 6749 §5.2 and RFC 7009 §2.2.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// A parameter is missing, repeated or malformed, or the body is not a form.
    InvalidRequest,
    /// Client authentication failed (401).
    InvalidClient,
    /// The refresh token is invalid, expired, revoked or reused, or belongs to another client.
    InvalidGrant,
    /// The client may not use this grant, or may not act on this token.
    UnauthorizedClient,
    /// The grant type is not supported.
    UnsupportedGrantType,
    /// A requested scope is unknown, malformed or not allowed.
    InvalidScope,
    /// The issuer failed (a store error): 500.
    ServerError,
    /// The issuer is too busy (its hashing pool is full) or cannot reach its
    /// store (a database down): 503 with `Retry-After`, try again.
    TemporarilyUnavailable,
    /// `invalid_target` (RFC 8707 §2): the `resource` is not one this issuer
    /// issues tokens for.
    InvalidTarget,
    /// `invalid_dpop_proof` (RFC 9449 §5): the DPoP proof failed a check.
    InvalidDpopProof,
    /// `use_dpop_nonce` (RFC 9449 §8): retry with the nonce of the `DPoP-Nonce`
    /// header.
    UseDpopNonce,
    /// `invalid_client_metadata` (RFC 7591 §3.2.2).
    InvalidClientMetadata,
    /// `invalid_redirect_uri` (RFC 7591 §3.2.2).
    InvalidRedirectUri,
}

impl OAuthErrorCode {
    /// The registered name, e.g. `invalid_grant`.
    pub fn as_str(self) -> &'static str {
        match self {
            OAuthErrorCode::InvalidRequest => "invalid_request",
            OAuthErrorCode::InvalidClient => "invalid_client",
            OAuthErrorCode::InvalidGrant => "invalid_grant",
            OAuthErrorCode::UnauthorizedClient => "unauthorized_client",
            OAuthErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            OAuthErrorCode::InvalidScope => "invalid_scope",
            OAuthErrorCode::ServerError => "server_error",
            OAuthErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            OAuthErrorCode::InvalidTarget => "invalid_target",
            OAuthErrorCode::InvalidDpopProof => "invalid_dpop_proof",
            OAuthErrorCode::UseDpopNonce => "use_dpop_nonce",
            OAuthErrorCode::InvalidClientMetadata => "invalid_client_metadata",
            OAuthErrorCode::InvalidRedirectUri => "invalid_redirect_uri",
        }
    }
}

impl OAuthError {
    /// An error with this code and description (the description is sent to the client).
    pub fn new(code: OAuthErrorCode, description: impl Into<Cow<'static, str>>) -> Self {
        let status = match code {
            OAuthErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
            OAuthErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            OAuthErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        OAuthError {
            code,
            description: description.into(),
            status,
            retry_after: None,
            dpop_nonce: None,
        }
    }

    /// `use_dpop_nonce` with the nonce to use (RFC 9449 §8): `400`, `DPoP-Nonce: nonce`.
    pub(crate) fn use_dpop_nonce(nonce: String) -> Self {
        OAuthError {
            dpop_nonce: Some(nonce),
            ..Self::new(
                OAuthErrorCode::UseDpopNonce,
                "the DPoP proof must carry the server nonce",
            )
        }
    }

    /// `invalid_target` (RFC 8707 §2).
    pub(crate) fn invalid_target(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(OAuthErrorCode::InvalidTarget, description)
    }

    /// Client authentication refused without checking the secret, because the
    /// client id or the caller's address failed too often: `429`, `invalid_client`,
    /// `Retry-After: wait`.
    pub(crate) fn throttled(wait: u64) -> Self {
        OAuthError {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after: Some(wait),
            ..Self::new(
                OAuthErrorCode::InvalidClient,
                format!("too many failed client authentications; retry in {wait} s"),
            )
        }
    }

    /// The hashing pool is full: `503`, `temporarily_unavailable`, `Retry-After: 1`.
    pub(crate) fn busy() -> Self {
        OAuthError {
            retry_after: Some(1),
            ..Self::new(
                OAuthErrorCode::TemporarilyUnavailable,
                "the issuer is busy; try again",
            )
        }
    }

    /// The store cannot be reached (a database down): `503`,
    /// `temporarily_unavailable`, `Retry-After: STORE_RETRY_AFTER`.
    pub(crate) fn unavailable() -> Self {
        OAuthError {
            retry_after: Some(STORE_RETRY_AFTER),
            ..Self::new(
                OAuthErrorCode::TemporarilyUnavailable,
                "the issuer cannot reach its store; try again",
            )
        }
    }

    pub(crate) fn invalid_request(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(OAuthErrorCode::InvalidRequest, description)
    }

    pub(crate) fn invalid_client() -> Self {
        Self::new(
            OAuthErrorCode::InvalidClient,
            "client authentication failed",
        )
    }

    pub(crate) fn invalid_grant(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(OAuthErrorCode::InvalidGrant, description)
    }

    pub(crate) fn invalid_scope(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(OAuthErrorCode::InvalidScope, description)
    }

    pub(crate) fn server_error() -> Self {
        Self::new(OAuthErrorCode::ServerError, "the issuer failed")
    }

    /// The error code.
    pub fn code(&self) -> OAuthErrorCode {
        self.code
    }

    /// The description sent as `error_description`.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The HTTP status: 401 for `invalid_client` (429 when throttled), 500 for
    /// `server_error`, 503 for `temporarily_unavailable`, else 400.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Seconds the client should wait before trying again (the `Retry-After`
    /// header), for throttled, busy and store-unavailable answers.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.description)
    }
}

impl std::error::Error for OAuthError {}

impl From<StoreError> for OAuthError {
    fn from(e: StoreError) -> Self {
        if e.is_unavailable() {
            tracing::warn!(target: "jot_issuer", error = %e, "store unavailable");
            return OAuthError::unavailable();
        }
        tracing::error!(target: "jot_issuer", error = %e, "store failure");
        OAuthError::server_error()
    }
}

impl From<IssuerError> for OAuthError {
    fn from(e: IssuerError) -> Self {
        match e {
            IssuerError::OAuth(e) => e,
            IssuerError::ReservedClaim { .. } | IssuerError::InvalidClient { .. } => {
                OAuthError::invalid_request(e.to_string())
            }
            IssuerError::Busy => OAuthError::busy(),
            IssuerError::Store(e) => e.into(),
            other => {
                tracing::error!(target: "jot_issuer", error = %other, "issuer failure");
                OAuthError::server_error()
            }
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": self.code.as_str(),
            "error_description": self.description,
        });
        let mut response = (self.status(), axum::Json(body)).into_response();
        let headers = response.headers_mut();
        no_store(headers);
        if let Some(wait) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(wait));
        }
        if let Some(nonce) = self.dpop_nonce.and_then(|n| HeaderValue::from_str(&n).ok()) {
            headers.insert(http::HeaderName::from_static("dpop-nonce"), nonce);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Basic realm="jot", charset="UTF-8""#),
            );
        }
        response
    }
}

/// `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1).
pub(crate) fn no_store(headers: &mut http::HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}
