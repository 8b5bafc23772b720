//! [`Verified<T>`]: the extractor of a verified token.

use std::ops::Deref;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;
use jot_codec::{Claims, Header, Token};
use serde::de::DeserializeOwned;

use crate::{AuthContext, AuthError, JwtAuth};

/// A verified and validated token, as an axum extractor.
///
/// - If a [`JwtLayer`](crate::JwtLayer) with the same `T` ran, it is taken from the
///   request extensions.
/// - Otherwise the extractor verifies the request itself with the [`JwtAuth<T>`]
///   of the router state (through [`FromRef`]).
///
/// `Option<Verified<T>>` is `None` only when the request carries no token at all; a
/// present but invalid token is still rejected.
///
/// Without router state, a route behind a [`JwtLayer`](crate::JwtLayer) can take
/// `axum::Extension<Verified<T>>` instead.
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use jot_axum::{JwtAuth, Verified};
///
/// async fn me(token: Verified<()>) -> String {
///     token.claims().sub.clone().unwrap_or_default()
/// }
///
/// async fn hello(token: Option<Verified<()>>) -> &'static str {
///     if token.is_some() { "hello, you" } else { "hello, stranger" }
/// }
///
/// # fn app(auth: JwtAuth<()>) -> Router {
/// Router::new()
///     .route("/me", get(me))
///     .route("/hello", get(hello))
///     .with_state(auth)
/// # }
/// ```
pub struct Verified<T> {
    token: Arc<Token<T>>,
    context: AuthContext,
}

impl<T> Verified<T> {
    pub(crate) fn new(token: Arc<Token<T>>, context: AuthContext) -> Self {
        Verified { token, context }
    }

    /// The verified token: algorithm, header and claims.
    pub fn token(&self) -> &Token<T> {
        &self.token
    }

    /// The claims.
    pub fn claims(&self) -> &Claims<T> {
        &self.token.claims
    }

    /// The protected header.
    pub fn header(&self) -> &Header {
        &self.token.header
    }

    /// The untyped view the guards use (scopes, roles, any claim as JSON).
    pub fn context(&self) -> &AuthContext {
        &self.context
    }

    /// The RFC 7638 thumbprint of the key this DPoP request proved possession of
    /// (the token's `cnf.jkt`); `None` for a bearer token.
    pub fn dpop_thumbprint(&self) -> Option<&str> {
        self.context.dpop_thumbprint()
    }

    pub(crate) fn bind_dpop(&mut self, jkt: String) {
        self.context.set_dpop_thumbprint(jkt);
    }

    /// Checks that every scope in `required` is granted; otherwise an
    /// [`AuthError`] that answers 403 `insufficient_scope`. For use in handlers
    /// that return `Result<_, AuthError>`.
    pub fn require_scopes<S: AsRef<str>>(&self, required: &[S]) -> Result<(), AuthError> {
        self.context.require_scopes(required)
    }

    /// Checks that the `roles` claim holds `role`; otherwise a 403.
    pub fn require_role(&self, role: &str) -> Result<(), AuthError> {
        self.context.require_role(role)
    }

    /// The token, taken out of its shared handle (cloned only if it is still shared).
    pub fn into_token(self) -> Token<T>
    where
        T: Clone,
    {
        Arc::try_unwrap(self.token).unwrap_or_else(|shared| (*shared).clone())
    }
}

impl<T> Deref for Verified<T> {
    type Target = Claims<T>;

    fn deref(&self) -> &Claims<T> {
        &self.token.claims
    }
}

impl<T> Clone for Verified<T> {
    fn clone(&self) -> Self {
        Verified {
            token: Arc::clone(&self.token),
            context: self.context.clone(),
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Verified<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verified")
            .field("token", &self.token)
            .finish()
    }
}

impl<S, T> FromRequestParts<S> for Verified<T>
where
    JwtAuth<T>: FromRef<S>,
    S: Send + Sync,
    T: DeserializeOwned + Send + Sync + 'static,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AuthError> {
        let auth = JwtAuth::<T>::from_ref(state);
        match <Self as OptionalFromRequestParts<S>>::from_request_parts(parts, state).await? {
            Some(verified) => Ok(verified),
            None => Err(auth.missing_token()),
        }
    }
}

impl<S, T> OptionalFromRequestParts<S> for Verified<T>
where
    JwtAuth<T>: FromRef<S>,
    S: Send + Sync,
    T: DeserializeOwned + Send + Sync + 'static,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>, AuthError> {
        if let Some(verified) = parts.extensions.get::<Verified<T>>() {
            return Ok(Some(verified.clone()));
        }
        let auth = JwtAuth::<T>::from_ref(state);
        let verified = auth.authenticate_parts(parts).await?;
        if let Some(v) = &verified {
            parts.extensions.insert(v.clone());
            parts.extensions.insert(v.context().clone());
        }
        Ok(verified)
    }
}
