//! [`AuthError`]: the typed rejection, rendered as an RFC 6750 challenge.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderValue, StatusCode};

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
            | AuthErrorKind::UnknownIssuer => StatusCode::UNAUTHORIZED,
            AuthErrorKind::InvalidRequest { .. } => StatusCode::BAD_REQUEST,
            AuthErrorKind::KeysUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AuthErrorKind::InsufficientScope { .. } | AuthErrorKind::Forbidden { .. } => {
                StatusCode::FORBIDDEN
            }
        }
    }

    /// The RFC 6750 error code (`invalid_request`, `invalid_token`,
    /// `insufficient_scope`), or `None` for a missing token and for a key outage.
    pub fn error_code(&self) -> Option<&'static str> {
        match &self.kind {
            AuthErrorKind::MissingToken | AuthErrorKind::KeysUnavailable(_) => None,
            AuthErrorKind::InvalidRequest { .. } => Some("invalid_request"),
            AuthErrorKind::InvalidToken(_) | AuthErrorKind::UnknownIssuer => Some("invalid_token"),
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
        }
    }

    /// The realm the challenge names, if one was configured.
    pub fn realm(&self) -> Option<&str> {
        self.challenge.as_ref().and_then(|c| c.realm.as_deref())
    }

    /// The `WWW-Authenticate` value this error sends, or `None` for 503.
    pub fn challenge(&self) -> Option<String> {
        if matches!(self.kind, AuthErrorKind::KeysUnavailable(_)) {
            return None;
        }
        let mut params: Vec<(&str, Cow<'_, str>)> = Vec::with_capacity(4);
        if let Some(realm) = self.realm() {
            params.push(("realm", Cow::Borrowed(realm)));
        }
        if let Some(code) = self.error_code() {
            params.push(("error", Cow::Borrowed(code)));
            params.push(("error_description", self.description()));
        }
        if let AuthErrorKind::InsufficientScope { required } = &self.kind {
            let scope = required
                .iter()
                .map(|s| scope_token(s))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            params.push(("scope", Cow::Owned(scope)));
        }
        let mut out = String::from("Bearer");
        for (i, (name, value)) in params.iter().enumerate() {
            out.push_str(if i == 0 { " " } else { ", " });
            out.push_str(name);
            out.push_str("=\"");
            push_quoted(&mut out, value);
            out.push('"');
        }
        Some(out)
    }

    pub(crate) fn new(kind: AuthErrorKind, challenge: &Arc<Challenge>) -> Self {
        AuthError {
            kind,
            challenge: Some(Arc::clone(challenge)),
        }
    }
}

impl From<AuthErrorKind> for AuthError {
    fn from(kind: AuthErrorKind) -> Self {
        AuthError {
            kind,
            challenge: None,
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
            _ => f.write_str(&self.description()),
        }
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            AuthErrorKind::InvalidToken(e) => Some(e),
            AuthErrorKind::KeysUnavailable(e) => Some(e),
            _ => None,
        }
    }
}

impl IntoResponse for AuthError {
    /// The response; counted in `jot_axum_refusals_total` by reason.
    fn into_response(self) -> Response {
        crate::meter::refused(&self.kind);
        let challenge = self
            .challenge()
            .and_then(|c| HeaderValue::from_str(&c).ok());
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
        if let Some(challenge) = challenge {
            if !response.headers().contains_key(WWW_AUTHENTICATE) {
                response.headers_mut().insert(WWW_AUTHENTICATE, challenge);
            }
        }
        response
    }
}

/// What every rejection of one [`JwtAuth`](crate::JwtAuth) shares: the realm and
/// the response hook.
#[derive(Default)]
pub(crate) struct Challenge {
    pub(crate) realm: Option<Box<str>>,
    pub(crate) hook: Option<ErrorHook>,
}

impl fmt::Debug for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Challenge")
            .field("realm", &self.realm)
            .field("hook", &self.hook.is_some())
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
            hook: None,
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
