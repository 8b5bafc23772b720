//! [`RequireDpop`]: the guard of routes that accept DPoP-bound tokens only.

use crate::{AuthContext, AuthError, AuthErrorKind, AuthorizeLayer, DpopBinding, Policy};

/// Requires the request to have been authenticated with DPoP (a DPoP-bound token
/// and a valid proof); a bearer token gets 401 with a `DPoP` challenge. Like the
/// other guards it sits inside [`JwtLayer`](crate::JwtLayer). To require DPoP on
/// every route, use [`JwtAuthBuilder::require_dpop`](crate::JwtAuthBuilder::require_dpop).
///
/// ```no_run
/// use axum::{routing::{get, post}, Router};
/// use jot_axum::{JwtAuth, RequireDpop};
///
/// # fn app(auth: JwtAuth<()>) -> Router {
/// Router::new()
///     .route("/profile", get(|| async { "anyone with a token" }))
///     .route("/payments", post(|| async { "ok" }).layer(RequireDpop::new()))
///     .layer(auth.layer())
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct RequireDpop;

impl RequireDpop {
    /// The guard, as a layer.
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> AuthorizeLayer<RequireDpop> {
        AuthorizeLayer::new(RequireDpop)
    }
}

impl Policy for RequireDpop {
    fn check(&self, context: &AuthContext) -> Result<(), AuthError> {
        if context.dpop_thumbprint().is_some() {
            Ok(())
        } else {
            Err(context.error(AuthErrorKind::DpopBinding(DpopBinding::Required)))
        }
    }
}
