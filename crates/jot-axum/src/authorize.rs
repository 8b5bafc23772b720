//! Authorization guards: [`Policy`] and the layers that apply it.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::response::{IntoResponse, Response};
use http::Request;
use tower::{Layer, Service};

use crate::{AuthContext, AuthError, AuthErrorKind};

/// Authorization guards: required scopes, roles, or any claim predicate, as tower
/// layers for a route or a whole router.
///
/// A guard reads the [`AuthContext`] that [`JwtLayer`](crate::JwtLayer) put in the
/// request, so it must sit **inside** that layer (added before it, or on a route of
/// a router the layer wraps). A request that reached a guard unauthenticated (no
/// layer, or an optional layer and no token) gets 401; a failed check gets 403.
///
/// ```no_run
/// use axum::{routing::{get, post}, Router};
/// use jot_axum::{JwtAuth, RequireClaims, RequireRoles, RequireScopes};
///
/// # fn app(auth: JwtAuth<()>) -> Router {
/// Router::new()
///     .route("/items", get(|| async { "items" }).layer(RequireScopes::all(["items:read"])))
///     .route("/items", post(|| async { "ok" }).layer(RequireScopes::all(["items:write"])))
///     .route("/admin", get(|| async { "admin" }).layer(RequireRoles::any(["admin"])))
///     .route(
///         "/tenant",
///         get(|| async { "acme" }).layer(RequireClaims::new("tenant acme required", |claims| {
///             claims.get("tenant").and_then(|t| t.as_str()) == Some("acme")
///         })),
///     )
///     .layer(auth.layer())
/// # }
/// ```
///
/// A check on a verified request. Implemented by the guards below; implement it for
/// your own and wrap it in [`Authorize`] with [`AuthorizeLayer`].
pub trait Policy: Send + Sync + 'static {
    /// `Ok` to let the request through, else the rejection (use [`AuthContext::error`]
    /// so it carries the realm).
    fn check(&self, context: &AuthContext) -> Result<(), AuthError>;
}

/// Requires scopes (from the `scope` claim, space-separated, and the `scp` claim).
#[derive(Clone, Debug)]
pub struct RequireScopes {
    scopes: Arc<[String]>,
    any: bool,
}

impl RequireScopes {
    /// Every one of these scopes is required.
    pub fn all<S: Into<String>>(
        scopes: impl IntoIterator<Item = S>,
    ) -> AuthorizeLayer<RequireScopes> {
        AuthorizeLayer::new(RequireScopes {
            scopes: scopes.into_iter().map(Into::into).collect(),
            any: false,
        })
    }

    /// At least one of these scopes is required.
    pub fn any<S: Into<String>>(
        scopes: impl IntoIterator<Item = S>,
    ) -> AuthorizeLayer<RequireScopes> {
        AuthorizeLayer::new(RequireScopes {
            scopes: scopes.into_iter().map(Into::into).collect(),
            any: true,
        })
    }
}

impl Policy for RequireScopes {
    fn check(&self, context: &AuthContext) -> Result<(), AuthError> {
        let granted = context.scopes();
        let has = |s: &String| granted.contains(&s.as_str());
        let ok = if self.any {
            self.scopes.iter().any(has)
        } else {
            self.scopes.iter().all(has)
        };
        if ok {
            Ok(())
        } else {
            Err(context.error(AuthErrorKind::InsufficientScope {
                required: self.scopes.to_vec(),
            }))
        }
    }
}

/// Requires roles, read from a claim (default `roles`; a dotted path such as
/// `realm_access.roles` reaches into objects) holding an array of strings or a
/// space-separated string.
#[derive(Clone, Debug)]
pub struct RequireRoles {
    roles: Arc<[String]>,
    claim: Arc<str>,
    any: bool,
}

impl RequireRoles {
    /// Every one of these roles is required.
    pub fn all<S: Into<String>>(
        roles: impl IntoIterator<Item = S>,
    ) -> AuthorizeLayer<RequireRoles> {
        AuthorizeLayer::new(RequireRoles {
            roles: roles.into_iter().map(Into::into).collect(),
            claim: Arc::from("roles"),
            any: false,
        })
    }

    /// At least one of these roles is required.
    pub fn any<S: Into<String>>(
        roles: impl IntoIterator<Item = S>,
    ) -> AuthorizeLayer<RequireRoles> {
        AuthorizeLayer::new(RequireRoles {
            roles: roles.into_iter().map(Into::into).collect(),
            claim: Arc::from("roles"),
            any: true,
        })
    }
}

impl AuthorizeLayer<RequireRoles> {
    /// Reads the roles from this claim path instead of `roles`.
    #[must_use]
    pub fn claim(self, path: &str) -> Self {
        AuthorizeLayer::new(RequireRoles {
            claim: Arc::from(path),
            ..(*self.policy).clone()
        })
    }
}

impl Policy for RequireRoles {
    fn check(&self, context: &AuthContext) -> Result<(), AuthError> {
        let granted = context.strings_at(&self.claim);
        let has = |r: &String| granted.contains(&r.as_str());
        let ok = if self.any {
            self.roles.iter().any(has)
        } else {
            self.roles.iter().all(has)
        };
        if ok {
            Ok(())
        } else {
            let mode = if self.any {
                "one of the roles"
            } else {
                "the roles"
            };
            Err(context.error(AuthErrorKind::Forbidden {
                reason: Cow::Owned(format!("{mode} {} required", self.roles.join(", "))),
            }))
        }
    }
}

/// Requires any predicate over the verified claims (as JSON).
pub struct RequireClaims {
    reason: &'static str,
    predicate: Box<ClaimsPredicate>,
}

/// The verified claims as JSON.
pub type JsonClaims = serde_json::Map<String, serde_json::Value>;

type ClaimsPredicate = dyn Fn(&JsonClaims) -> bool + Send + Sync;

impl RequireClaims {
    /// Lets a request through when `predicate` holds; otherwise 403 with `reason`
    /// as the (public) description.
    pub fn new<F>(reason: &'static str, predicate: F) -> AuthorizeLayer<RequireClaims>
    where
        F: Fn(&JsonClaims) -> bool + Send + Sync + 'static,
    {
        AuthorizeLayer::new(RequireClaims {
            reason,
            predicate: Box::new(predicate),
        })
    }
}

impl std::fmt::Debug for RequireClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequireClaims")
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

impl Policy for RequireClaims {
    fn check(&self, context: &AuthContext) -> Result<(), AuthError> {
        if (self.predicate)(context.claims()) {
            Ok(())
        } else {
            Err(context.error(AuthErrorKind::Forbidden {
                reason: Cow::Borrowed(self.reason),
            }))
        }
    }
}

/// The layer of a [`Policy`].
#[derive(Debug)]
pub struct AuthorizeLayer<P> {
    policy: Arc<P>,
}

impl<P> Clone for AuthorizeLayer<P> {
    fn clone(&self) -> Self {
        AuthorizeLayer {
            policy: Arc::clone(&self.policy),
        }
    }
}

impl<P: Policy> AuthorizeLayer<P> {
    /// A layer that enforces `policy`.
    pub fn new(policy: P) -> Self {
        AuthorizeLayer {
            policy: Arc::new(policy),
        }
    }
}

impl<S, P> Layer<S> for AuthorizeLayer<P> {
    type Service = Authorize<S, P>;

    fn layer(&self, inner: S) -> Self::Service {
        Authorize {
            inner,
            policy: Arc::clone(&self.policy),
        }
    }
}

/// The service of [`AuthorizeLayer`].
#[derive(Debug)]
pub struct Authorize<S, P> {
    inner: S,
    policy: Arc<P>,
}

impl<S: Clone, P> Clone for Authorize<S, P> {
    fn clone(&self) -> Self {
        Authorize {
            inner: self.inner.clone(),
            policy: Arc::clone(&self.policy),
        }
    }
}

impl<S, P, B> Service<Request<B>> for Authorize<S, P>
where
    S: Service<Request<B>, Response = Response> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    P: Policy,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let verdict = match req.extensions().get::<AuthContext>() {
            Some(context) => self.policy.check(context),
            None => Err(AuthError::from(AuthErrorKind::MissingToken)),
        };
        match verdict {
            Ok(()) => Box::pin(self.inner.call(req)),
            Err(e) => {
                tracing::info!(target: "jot_axum", outcome = "forbidden", status = e.status().as_u16(), "request not authorized");
                Box::pin(std::future::ready(Ok(e.into_response())))
            }
        }
    }
}
