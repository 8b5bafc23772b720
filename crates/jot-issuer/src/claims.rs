//! [`ClaimsHook`]: an application's own claims in the ID and access tokens of
//! people who sign in.

use serde_json::{Map, Value};

use crate::users::User;

/// Which token a [`ClaimsHook`] is asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenKind {
    /// An OpenID Connect ID token.
    IdToken,
    /// An RFC 9068 access token (its claims are kept for its refreshes).
    AccessToken,
}

/// What a [`ClaimsHook`] is asked about.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ClaimsRequest<'a> {
    /// The token being issued.
    pub token: TokenKind,
    /// The user who signed in.
    pub user: &'a User,
    /// The client the token is for.
    pub client_id: &'a str,
    /// The scopes granted.
    pub scopes: &'a [String],
}

/// Adds claims to the ID and access tokens of the authorization code flow; from
/// [`IssuerBuilder::claims`](crate::IssuerBuilder::claims). Any closure
/// `Fn(&ClaimsRequest) -> Map<String, Value>` is one. Claims the issuer sets
/// (`iss`, `sub`, `aud`, `exp`, `iat`, `jti`, `nonce`, `auth_time`, …) are dropped
/// with a warning.
///
/// ```
/// use jot_issuer::{ClaimsRequest, TokenKind};
/// use serde_json::{Map, Value, json};
///
/// let hook = |request: &ClaimsRequest<'_>| {
///     let mut claims = Map::new();
///     if request.token == TokenKind::AccessToken && request.user.username == "alice" {
///         claims.insert("roles".into(), json!(["admin"]));
///     }
///     claims
/// };
/// let builder = jot_issuer::Issuer::builder("https://auth.example.com").claims(hook);
/// # let _ = builder;
/// ```
pub trait ClaimsHook: Send + Sync + 'static {
    /// The claims to add.
    fn claims(&self, request: &ClaimsRequest<'_>) -> Map<String, Value>;
}

impl<F> ClaimsHook for F
where
    F: Fn(&ClaimsRequest<'_>) -> Map<String, Value> + Send + Sync + 'static,
{
    fn claims(&self, request: &ClaimsRequest<'_>) -> Map<String, Value> {
        self(request)
    }
}

/// Claims only the issuer sets, in ID tokens and access tokens.
pub(crate) const ISSUER_CLAIMS: [&str; 17] = [
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "client_id",
    "scope",
    "auth_time",
    "nonce",
    "at_hash",
    "c_hash",
    "sid",
    "azp",
    "acr",
    "amr",
];

/// The hook's claims without the ones the issuer sets.
pub(crate) fn allowed(mut claims: Map<String, Value>) -> Map<String, Value> {
    claims.retain(|name, _| {
        let reserved = ISSUER_CLAIMS.contains(&name.as_str());
        if reserved {
            tracing::warn!(target: "jot_issuer", claim = %name, "claims hook: a claim the issuer sets was dropped");
        }
        !reserved
    });
    claims
}
