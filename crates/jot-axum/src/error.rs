//! [`AuthError`]: the typed rejection, rendered as an RFC 6750 challenge.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderValue, StatusCode};

use crate::dpop::{DPOP_NONCE, DpopBinding, DpopError, ReplayCacheError};
use crate::keys::FetchError;

/// Why a request was not let through.
///
/// Each kind maps to one status and one RFC 6750 challenge (see [`AuthError::status`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum AuthErrorKind {
    /// No token was found in any configured place: 401 with a bare `Bearer realm="…"`
    /// challenge (RFC 6750 §3.1: no error code when the request has no credentials).
    MissingToken,
    /// The request carries credentials in a malformed way (two `Authorization`
    /// headers, `Bearer` with no token or with two, characters a token cannot have):
    /// 400 with `error="invalid_request"`.
    InvalidRequest {
        /// What was wrong, safe to show to the client.
        reason: &'static str,
    },
    /// The token is malformed, expired, wrongly signed or fails a claim check: 401
    /// with `error="invalid_token"`. The client sees only
    /// [`jot_codec::Error::public_description`]; the variant tells the programmer
    /// which check failed.
    InvalidToken(jot_codec::Error),
    /// The token's (unverified) `iss` is not one of the configured issuers: 401 with
    /// `error="invalid_token"`.
    UnknownIssuer,
    /// The keys could not be obtained at all (the JWKS was never fetched and the
    /// issuer is unreachable, the key file is unreadable): 503 with no challenge.
    /// This is our outage, never the client's fault, so it is never a 401.
    KeysUnavailable(FetchError),
    /// The token is valid but lacks a required scope: 403 with
    /// `error="insufficient_scope"` and `scope="…"` naming the scopes needed.
    InsufficientScope {
        /// The scopes the resource needs.
        required: Vec<String>,
    },
    /// The token is valid but a role or claim requirement failed: 403 with
    /// `error="insufficient_scope"` and no `scope` parameter.
    Forbidden {
        /// What was missing, safe to show to the client (e.g. `"role admin required"`).
        reason: Cow<'static, str>,
    },
    /// The `DPoP` proof of a request is missing, malformed, or fails one of the
    /// checks of RFC 9449 §4.3 (including a replayed `jti`): 401 with
    /// `WWW-Authenticate: DPoP error="invalid_dpop_proof"`.
    InvalidDpopProof(DpopError),
    /// The proof carries no server nonce, or one that is no longer current
    /// (RFC 9449 §9): 401 with `DPoP error="use_dpop_nonce"` and the nonce to use
    /// in a `DPoP-Nonce` header.
    UseDpopNonce {
        /// The nonce the client must put in its next proof.
        nonce: String,
    },
    /// The token and the way it was presented disagree (a DPoP-bound token sent as
    /// `Bearer`, an unbound token sent as `DPoP`, a proof signed by another key than
    /// the token's, a bearer token where DPoP is required): 401 with
    /// `error="invalid_token"`, in the `DPoP` challenge when DPoP is configured.
    DpopBinding(DpopBinding),
    /// The DPoP replay cache could not record a proof (full, or its shared store
    /// failed): 503 with no challenge. The request may be retried.
    ReplayCacheUnavailable(ReplayCacheError),
}

impl AuthErrorKind {
    /// Whether this failure concerns DPoP itself (its challenge carries the error).
    fn is_dpop(&self) -> bool {
        matches!(
            self,
            AuthErrorKind::InvalidDpopProof(_)
                | AuthErrorKind::UseDpopNonce { .. }
                | AuthErrorKind::DpopBinding(_)
        )
    }
}

/// A function that builds the response for a rejection, e.g. a JSON problem
/// document. The `WWW-Authenticate` challenge is added to what it returns unless it
/// set one itself.
pub type ErrorHook = Arc<dyn Fn(&AuthError) -> Response + Send + Sync>;

/// The typed rejection of the extractors, the layer and the guards.
///
/// It implements [`IntoResponse`]: the status from [`AuthError::status`], a
/// `WWW-Authenticate` header per RFC 6750 (`Bearer realm="…", error="…",
/// error_description="…"`), and a short plain-text body — or whatever the hook set
/// with [`JwtAuthBuilder::on_error`](crate::JwtAuthBuilder::on_error) builds.
///
/// ```
/// use axum::response::IntoResponse;
/// use jot_axum::{AuthError, AuthErrorKind};
///
/// let err = AuthError::from(AuthErrorKind::InvalidToken(jot_codec::Error::InvalidSignature));
/// assert_eq!(err.status(), 401);
/// assert_eq!(
///     err.challenge().unwrap(),
///     r#"Bearer error="invalid_token", error_description="invalid signature""#
/// );
/// let response = err.into_response();
/// assert!(response.headers().contains_key("www-authenticate"));
/// ```
pub struct AuthError {
    kind: AuthErrorKind,
    challenge: Option<Arc<Challenge>>,
    /// The request used the `DPoP` scheme: its challenge carries the error.
    dpop_request: bool,
}

impl AuthError {
    /// What went wrong, precisely (for logs and for a custom response hook).
    pub fn kind(&self) -> &AuthErrorKind {
        &self.kind
    }

    /// Consumes the error, returning its kind.
    pub fn into_kind(self) -> AuthErrorKind {
        self.kind
    }

    /// The HTTP status: 400, 401, 403 or 503.
    pub fn status(&self) -> StatusCode {
        match &self.kind {
            AuthErrorKind::MissingToken
            | AuthErrorKind::InvalidToken(_)
            | AuthErrorKind::UnknownIssuer
            | AuthErrorKind::InvalidDpopProof(_)
            | AuthErrorKind::UseDpopNonce { .. }
            | AuthErrorKind::DpopBinding(_) => StatusCode::UNAUTHORIZED,
            AuthErrorKind::InvalidRequest { .. } => StatusCode::BAD_REQUEST,
            AuthErrorKind::KeysUnavailable(_) | AuthErrorKind::ReplayCacheUnavailable(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            AuthErrorKind::InsufficientScope { .. } | AuthErrorKind::Forbidden { .. } => {
                StatusCode::FORBIDDEN
            }
        }
    }

    /// The RFC 6750 error code (`invalid_request`, `invalid_token`,
    /// `insufficient_scope`) or RFC 9449 one (`invalid_dpop_proof`,
    /// `use_dpop_nonce`), or `None` for a missing token and for an outage.
    pub fn error_code(&self) -> Option<&'static str> {
        match &self.kind {
            AuthErrorKind::MissingToken
            | AuthErrorKind::KeysUnavailable(_)
            | AuthErrorKind::ReplayCacheUnavailable(_) => None,
            AuthErrorKind::InvalidRequest { .. } => Some("invalid_request"),
            AuthErrorKind::InvalidToken(_)
            | AuthErrorKind::UnknownIssuer
            | AuthErrorKind::DpopBinding(_) => Some("invalid_token"),
            AuthErrorKind::InvalidDpopProof(_) => Some("invalid_dpop_proof"),
            AuthErrorKind::UseDpopNonce { .. } => Some("use_dpop_nonce"),
            AuthErrorKind::InsufficientScope { .. } | AuthErrorKind::Forbidden { .. } => {
                Some("insufficient_scope")
            }
        }
    }

    /// A description that is safe to show to the client (it never says why a
    /// signature failed beyond "invalid signature", never shows key material).
    pub fn description(&self) -> Cow<'static, str> {
        match &self.kind {
            AuthErrorKind::MissingToken => Cow::Borrowed("no access token"),
            AuthErrorKind::InvalidRequest { reason } => Cow::Borrowed(reason),
            AuthErrorKind::InvalidToken(e) => Cow::Borrowed(e.public_description()),
            AuthErrorKind::UnknownIssuer => Cow::Borrowed("issuer not accepted"),
            AuthErrorKind::KeysUnavailable(_) => {
                Cow::Borrowed("token verification keys are unavailable")
            }
            AuthErrorKind::InsufficientScope { .. } => Cow::Borrowed("insufficient scope"),
            AuthErrorKind::Forbidden { reason } => reason.clone(),
            AuthErrorKind::InvalidDpopProof(e) => Cow::Borrowed(e.public_description()),
            AuthErrorKind::UseDpopNonce { .. } => {
                Cow::Borrowed("the DPoP proof must carry the nonce this server gave")
            }
            AuthErrorKind::DpopBinding(e) => Cow::Borrowed(e.public_description()),
            AuthErrorKind::ReplayCacheUnavailable(_) => {
                Cow::Borrowed("DPoP proofs cannot be checked for replay now")
            }
        }
    }

    /// The realm the challenge names, if one was configured.
    pub fn realm(&self) -> Option<&str> {
        self.challenge.as_ref().and_then(|c| c.realm.as_deref())
    }

    /// The first (or only) `WWW-Authenticate` value this error sends, the one that
    /// carries the error; `None` for 503. See [`AuthError::challenges`].
    pub fn challenge(&self) -> Option<String> {
        self.challenges().into_iter().next()
    }

    /// Every `WWW-Authenticate` value this error sends, one per scheme, the one
    /// that carries the error first; empty for 503.
    ///
    /// - `Bearer` (RFC 6750) unless DPoP is required, and `DPoP` (RFC 9449 §7.1,
    ///   with `algs`) when DPoP is configured. A 401 names every accepted scheme;
    ///   the error goes in the challenge of the scheme the request used (DPoP
    ///   failures always in the `DPoP` one).
    /// - With a resource identifier configured, each challenge carries
    ///   `resource_metadata="…"` (RFC 9728 §5.1), and a 401 carries `scope="…"`
    ///   with the scopes the resource supports; a 403 `insufficient_scope` names
    ///   the scopes the route needs.
    pub fn challenges(&self) -> Vec<String> {
        if self.status() == StatusCode::SERVICE_UNAVAILABLE {
            return Vec::new();
        }
        let config = self.challenge.as_deref();
        let dpop = config.is_some_and(|c| c.dpop_algs.is_some());
        let bearer = config.is_none_or(|c| c.bearer);
        let primary = if dpop && (self.dpop_request || self.kind.is_dpop() || !bearer) {
            Scheme::Dpop
        } else {
            Scheme::Bearer
        };
        let mut out = vec![self.render(primary, true)];
        if self.status() == StatusCode::UNAUTHORIZED {
            match primary {
                Scheme::Bearer if dpop => out.push(self.render(Scheme::Dpop, false)),
                Scheme::Dpop if bearer => out.push(self.render(Scheme::Bearer, false)),
                _ => {}
            }
        }
        out
    }

    /// One challenge; `with_error` adds the error code, its description and, for
    /// `insufficient_scope`, the scopes required.
    fn render(&self, scheme: Scheme, with_error: bool) -> String {
        let config = self.challenge.as_deref();
        let mut params: Vec<(&str, Cow<'_, str>)> = Vec::with_capacity(6);
        if let Some(realm) = self.realm() {
            params.push(("realm", Cow::Borrowed(realm)));
        }
        if let (true, Some(code)) = (with_error, self.error_code()) {
            params.push(("error", Cow::Borrowed(code)));
            params.push(("error_description", self.description()));
        }
        match &self.kind {
            AuthErrorKind::InsufficientScope { required } if with_error => {
                params.push(("scope", Cow::Owned(scope_list(required))));
            }
            _ if self.status() == StatusCode::UNAUTHORIZED => {
                if let Some(scope) = config.and_then(|c| c.scope.as_deref()) {
                    params.push(("scope", Cow::Borrowed(scope)));
                }
            }
            _ => {}
        }
        if let Some(url) = config.and_then(|c| c.resource_metadata.as_deref()) {
            params.push(("resource_metadata", Cow::Borrowed(url)));
        }
        if let (Scheme::Dpop, Some(algs)) = (scheme, config.and_then(|c| c.dpop_algs.as_deref())) {
            params.push(("algs", Cow::Borrowed(algs)));
        }
        let mut out = String::from(match scheme {
            Scheme::Bearer => "Bearer",
            Scheme::Dpop => "DPoP",
        });
        for (i, (name, value)) in params.iter().enumerate() {
            out.push_str(if i == 0 { " " } else { ", " });
            out.push_str(name);
            out.push_str("=\"");
            push_quoted(&mut out, value);
            out.push('"');
        }
        out
    }

    pub(crate) fn new(kind: AuthErrorKind, challenge: &Arc<Challenge>) -> Self {
        AuthError {
            kind,
            challenge: Some(Arc::clone(challenge)),
            dpop_request: false,
        }
    }

    /// Marks the error as the answer to a request that used the `DPoP` scheme.
    pub(crate) fn on_dpop_request(mut self) -> Self {
        self.dpop_request = true;
        self
    }
}

#[derive(Clone, Copy)]
enum Scheme {
    Bearer,
    Dpop,
}

impl From<AuthErrorKind> for AuthError {
    fn from(kind: AuthErrorKind) -> Self {
        AuthError {
            kind,
            challenge: None,
            dpop_request: false,
        }
    }
}

impl fmt::Debug for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthError")
            .field("kind", &self.kind)
            .field("realm", &self.realm())
            .finish()
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            AuthErrorKind::InvalidToken(e) => write!(f, "invalid token: {e}"),
            AuthErrorKind::KeysUnavailable(e) => write!(f, "keys unavailable: {e}"),
            AuthErrorKind::InvalidDpopProof(e) => write!(f, "invalid DPoP proof: {e}"),
            AuthErrorKind::ReplayCacheUnavailable(e) => {
                write!(f, "DPoP replay cache unavailable: {e}")
            }
            _ => f.write_str(&self.description()),
        }
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            AuthErrorKind::InvalidToken(e) => Some(e),
            AuthErrorKind::KeysUnavailable(e) => Some(e),
            AuthErrorKind::InvalidDpopProof(e) => Some(e),
            AuthErrorKind::ReplayCacheUnavailable(e) => Some(e),
            _ => None,
        }
    }
}

impl IntoResponse for AuthError {
    /// The response; counted in `jot_axum_refusals_total` by reason.
    fn into_response(self) -> Response {
        crate::meter::refused(&self.kind);
        let challenges: Vec<HeaderValue> = self
            .challenges()
            .iter()
            .filter_map(|c| HeaderValue::from_str(c).ok())
            .collect();
        let nonce = match &self.kind {
            AuthErrorKind::UseDpopNonce { nonce } => HeaderValue::from_str(nonce).ok(),
            _ => None,
        };
        let hook = self.challenge.as_ref().and_then(|c| c.hook.clone());
        let mut response = match hook {
            Some(hook) => hook(&self),
            None => {
                let mut r = Response::new(Body::from(self.description().into_owned()));
                *r.status_mut() = self.status();
                r.headers_mut().insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
                r
            }
        };
        if !response.headers().contains_key(WWW_AUTHENTICATE) {
            for challenge in challenges {
                response.headers_mut().append(WWW_AUTHENTICATE, challenge);
            }
        }
        if let Some(nonce) = nonce {
            if !response.headers().contains_key(DPOP_NONCE) {
                response.headers_mut().insert(DPOP_NONCE, nonce);
            }
        }
        response
    }
}

/// What every rejection of one [`JwtAuth`](crate::JwtAuth) shares: the realm, the
/// response hook, and what the challenges say of the resource and of DPoP.
pub(crate) struct Challenge {
    pub(crate) realm: Option<Box<str>>,
    pub(crate) hook: Option<ErrorHook>,
    /// The RFC 9728 metadata URL, when a resource identifier is configured.
    pub(crate) resource_metadata: Option<Box<str>>,
    /// The `scope` of a 401 challenge: the scopes the resource supports.
    pub(crate) scope: Option<Box<str>>,
    /// The DPoP algorithms, space-separated, when DPoP is configured.
    pub(crate) dpop_algs: Option<Box<str>>,
    /// Whether bearer tokens are accepted (DPoP not required).
    pub(crate) bearer: bool,
}

impl Default for Challenge {
    fn default() -> Self {
        Challenge {
            realm: None,
            hook: None,
            resource_metadata: None,
            scope: None,
            dpop_algs: None,
            bearer: true,
        }
    }
}

impl fmt::Debug for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Challenge")
            .field("realm", &self.realm)
            .field("hook", &self.hook.is_some())
            .field("resource_metadata", &self.resource_metadata)
            .field("scope", &self.scope)
            .field("dpop_algs", &self.dpop_algs)
            .field("bearer", &self.bearer)
            .finish()
    }
}

/// Appends `value` as the inside of an RFC 9110 quoted-string: `"` and `\` are
/// escaped, characters a header cannot carry (controls, non-ASCII) become `?`.
fn push_quoted(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
}

/// Scopes as the value of a `scope` parameter: space-separated scope tokens.
pub(crate) fn scope_list<S: AsRef<str>>(scopes: &[S]) -> String {
    scopes
        .iter()
        .map(|s| scope_token(s.as_ref()))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Keeps only the characters RFC 6749 §3.3 allows in a scope token.
fn scope_token(scope: &str) -> String {
    scope
        .chars()
        .filter(|&c| c == '!' || ('#'..='[').contains(&c) || (']'..='~').contains(&c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_and_strips() {
        let mut s = String::new();
        push_quoted(&mut s, "a\"b\\c\u{7}é");
        assert_eq!(s, "a\\\"b\\\\c??");
        assert_eq!(scope_token("read\" \\write"), "readwrite");
    }

    #[test]
    fn challenge_with_realm_and_scope() {
        let challenge = Arc::new(Challenge {
            realm: Some("my \"api\"".into()),
            ..Challenge::default()
        });
        let err = AuthError::new(
            AuthErrorKind::InsufficientScope {
                required: vec!["read".into(), "write".into()],
            },
            &challenge,
        );
        assert_eq!(
            err.challenge().as_deref(),
            Some(
                r#"Bearer realm="my \"api\"", error="insufficient_scope", error_description="insufficient scope", scope="read write""#
            )
        );
        let missing = AuthError::new(AuthErrorKind::MissingToken, &challenge);
        assert_eq!(
            missing.challenge().as_deref(),
            Some(r#"Bearer realm="my \"api\"""#)
        );
        assert_eq!(
            AuthError::from(AuthErrorKind::MissingToken)
                .challenge()
                .as_deref(),
            Some("Bearer")
        );
    }
}
