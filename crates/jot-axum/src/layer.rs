//! [`JwtLayer`]: authenticates every request of the routes under it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::response::{IntoResponse, Response};
use http::Request;
use serde::de::DeserializeOwned;
use tower::{Layer, Service};

use crate::JwtAuth;
use crate::dpop::DPOP_NONCE;

/// A tower layer that verifies each request's token and puts [`Verified<T>`](crate::Verified)
/// and [`AuthContext`](crate::AuthContext) in its extensions, or answers with the
/// [`AuthError`](crate::AuthError) response. From [`JwtAuth::layer`] (a token is
/// required) or [`JwtAuth::optional_layer`] (requests without a token pass through
/// unauthenticated).
///
/// ```no_run
/// use axum::{routing::get, Extension, Router};
/// use jot_axum::{JwtAuth, Verified};
///
/// async fn me(Extension(token): Extension<Verified<()>>) -> String {
///     token.claims().sub.clone().unwrap_or_default()
/// }
/// # fn app(auth: JwtAuth<()>) -> Router {
/// Router::new().route("/me", get(me)).layer(auth.layer())
/// # }
/// ```
pub struct JwtLayer<T> {
    auth: JwtAuth<T>,
    optional: bool,
}

impl<T> JwtLayer<T> {
    pub(crate) fn new(auth: JwtAuth<T>, optional: bool) -> Self {
        JwtLayer { auth, optional }
    }
}

impl<T> Clone for JwtLayer<T> {
    fn clone(&self) -> Self {
        JwtLayer {
            auth: self.auth.clone(),
            optional: self.optional,
        }
    }
}

impl<T> std::fmt::Debug for JwtLayer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtLayer")
            .field("auth", &self.auth)
            .field("optional", &self.optional)
            .finish()
    }
}

impl<S, T> Layer<S> for JwtLayer<T> {
    type Service = JwtService<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        JwtService {
            inner,
            auth: self.auth.clone(),
            optional: self.optional,
        }
    }
}

/// The service of [`JwtLayer`].
pub struct JwtService<S, T> {
    inner: S,
    auth: JwtAuth<T>,
    optional: bool,
}

impl<S: Clone, T> Clone for JwtService<S, T> {
    fn clone(&self) -> Self {
        JwtService {
            inner: self.inner.clone(),
            auth: self.auth.clone(),
            optional: self.optional,
        }
    }
}

impl<S: std::fmt::Debug, T> std::fmt::Debug for JwtService<S, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtService")
            .field("inner", &self.inner)
            .field("optional", &self.optional)
            .finish_non_exhaustive()
    }
}

impl<S, T, B> Service<Request<B>> for JwtService<S, T>
where
    S: Service<Request<B>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    T: DeserializeOwned + Send + Sync + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        // The clone that was polled ready handles this request (tower's usual dance).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let auth = self.auth.clone();
        let optional = self.optional;
        let (mut parts, body) = req.into_parts();
        Box::pin(async move {
            match auth.authenticate_parts(&parts).await {
                Ok(Some(verified)) => {
                    let nonce = auth.next_dpop_nonce(verified.context());
                    parts.extensions.insert(verified.context().clone());
                    parts.extensions.insert(verified);
                    let mut response = inner.call(Request::from_parts(parts, body)).await?;
                    if let Some(nonce) = nonce {
                        response.headers_mut().entry(DPOP_NONCE).or_insert(nonce);
                    }
                    Ok(response)
                }
                Ok(None) if optional => inner.call(Request::from_parts(parts, body)).await,
                Ok(None) => {
                    tracing::debug!(target: "jot_axum", outcome = "missing_token", "request without token");
                    Ok(auth.missing_token().into_response())
                }
                Err(e) => Ok(e.into_response()),
            }
        })
    }
}
