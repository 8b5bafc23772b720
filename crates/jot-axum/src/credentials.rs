//! How a request presents its token — `Bearer` or `DPoP` — and the checks that
//! tie the token to the way it came: a DPoP-bound token never passes as a bearer
//! token, and a `DPoP` request passes only with a proof by the token's key.

use axum::extract::OriginalUri;
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::dpop::{DpopBinding, DpopVerifier};
use crate::token_source;
use crate::{AuthContext, AuthError, AuthErrorKind, JwtAuth, Verified};

impl<T> JwtAuth<T>
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    /// Authenticates a request by its method, path and headers: `Ok(None)` when it
    /// carries no token. This is what [`JwtLayer`](crate::JwtLayer) and the
    /// [`Verified`] extractor call.
    ///
    /// - `Authorization: DPoP` (with DPoP on): the `DPoP` proof is checked against
    ///   the method and the URL (the configured origin followed by the request's
    ///   path, taken from axum's `OriginalUri` when the router is nested), the token
    ///   is verified, and its `cnf.jkt` must be the thumbprint of the proof's key;
    ///   [`Verified::dpop_thumbprint`] then says which key.
    /// - Otherwise a bearer token from the configured sources, which must not be
    ///   DPoP-bound (and is refused altogether when DPoP is required).
    pub async fn authenticate_parts(
        &self,
        parts: &Parts,
    ) -> Result<Option<Verified<T>>, AuthError> {
        let path = match parts.extensions.get::<OriginalUri>() {
            Some(original) => original.0.path(),
            None => parts.uri.path(),
        };
        self.authenticate_request(Some((&parts.method, path)), &parts.headers)
            .await
    }

    /// [`JwtAuth::authenticate_parts`], with the method and path when known.
    pub(crate) async fn authenticate_request(
        &self,
        line: Option<(&Method, &str)>,
        headers: &HeaderMap,
    ) -> Result<Option<Verified<T>>, AuthError> {
        if let Some(dpop) = &self.inner.dpop {
            match token_source::dpop(headers) {
                Ok(Some(token)) => {
                    return self
                        .authenticate_dpop(dpop, token, line, headers)
                        .await
                        .map(Some)
                        .map_err(AuthError::on_dpop_request);
                }
                Ok(None) => {}
                Err(reason) => {
                    tracing::info!(target: "jot_axum", outcome = "invalid_request", reason, "request rejected");
                    return Err(self
                        .error(AuthErrorKind::InvalidRequest { reason })
                        .on_dpop_request());
                }
            }
        }
        match self.find_token(headers)? {
            Some(_) if self.inner.require_dpop => {
                tracing::info!(target: "jot_axum", outcome = "invalid_token", kind = "dpop_required", "bearer token refused");
                Err(self.error(AuthErrorKind::DpopBinding(DpopBinding::Required)))
            }
            Some(token) => self.verify(token).await.map(Some),
            None => Ok(None),
        }
    }

    /// The checks of a token presented as a bearer token, after it verified.
    pub(crate) fn check_bearer(&self, verified: Verified<T>) -> Result<Verified<T>, AuthError> {
        let refused = if self.inner.require_dpop {
            Some(DpopBinding::Required)
        } else {
            match bound_key(verified.context()) {
                Ok(None) => None,
                Ok(Some(_)) => Some(DpopBinding::BoundTokenAsBearer),
                Err(e) => Some(e),
            }
        };
        match refused {
            None => Ok(verified),
            Some(binding) => Err(self.error(AuthErrorKind::DpopBinding(binding))),
        }
    }

    async fn authenticate_dpop(
        &self,
        dpop: &DpopVerifier,
        token: &str,
        line: Option<(&Method, &str)>,
        headers: &HeaderMap,
    ) -> Result<Verified<T>, AuthError> {
        let result = self.verify_dpop(dpop, token, line, headers).await;
        match &result {
            Ok(v) => tracing::debug!(
                target: "jot_axum",
                outcome = "accepted",
                scheme = "DPoP",
                alg = %v.token().algorithm,
                kid = v.token().header.kid.as_deref(),
                "token accepted"
            ),
            Err(e) => tracing::info!(
                target: "jot_axum",
                outcome = e.error_code().unwrap_or("unavailable"),
                scheme = "DPoP",
                kind = ?e.kind(),
                "token rejected"
            ),
        }
        result
    }

    async fn verify_dpop(
        &self,
        dpop: &DpopVerifier,
        token: &str,
        line: Option<(&Method, &str)>,
        headers: &HeaderMap,
    ) -> Result<Verified<T>, AuthError> {
        let now = self.inner.clock.now();
        let url = line.and_then(|(method, path)| Some((method, dpop.request_url(path)?)));
        let line = url.as_ref().map(|(method, url)| (*method, url.as_str()));
        let proof = dpop
            .check(headers, line, Some(token), now)
            .map_err(|kind| self.error(kind))?;
        let mut verified = self.verify_inner(token).await?;
        let binding = match bound_key(verified.context()) {
            Ok(Some(jkt)) if *jkt == proof.jkt => None,
            Ok(Some(_)) => Some(DpopBinding::KeyMismatch),
            Ok(None) => Some(DpopBinding::Unbound),
            Err(e) => Some(e),
        };
        if let Some(binding) = binding {
            return Err(self.error(AuthErrorKind::DpopBinding(binding)));
        }
        dpop.record(&proof, now)
            .await
            .map_err(|kind| self.error(kind))?;
        verified.bind_dpop(proof.jkt);
        Ok(verified)
    }
}

impl<T> JwtAuth<T> {
    /// The `DPoP-Nonce` to send with the response to a DPoP request, when nonces
    /// are on.
    pub(crate) fn next_dpop_nonce(&self, context: &AuthContext) -> Option<HeaderValue> {
        context.dpop_thumbprint()?;
        let nonce = self.inner.dpop.as_ref()?.nonce(self.inner.clock.now())?;
        HeaderValue::from_str(&nonce).ok()
    }
}

/// The token's `cnf.jkt`: `None` when it has no `cnf` or a `cnf` without `jkt`
/// (bound some other way jot does not check); an error when `cnf` is not an
/// object or `jkt` not a string.
///
/// Runs on every request: read once per verified token (a cached token's context
/// keeps it), reading only `cnf` and skipping every other member without building it.
fn bound_key(context: &AuthContext) -> Result<Option<&str>, DpopBinding> {
    match context
        .bound_key_cell()
        .get_or_init(|| read_bound_key(context.token()))
    {
        Ok(jkt) => Ok(jkt.as_deref()),
        Err(e) => Err(*e),
    }
}

fn read_bound_key(token: &str) -> Result<Option<Box<str>>, DpopBinding> {
    #[derive(Deserialize)]
    struct Payload {
        #[serde(default)]
        cnf: Option<Confirmation>,
    }
    #[derive(Deserialize)]
    struct Confirmation {
        #[serde(default)]
        jkt: Option<Box<str>>,
    }
    let payload = token
        .split('.')
        .nth(1)
        .and_then(|payload| jot_codec::base64url::decode(payload).ok())
        .unwrap_or_default();
    // The token verified and its payload decoded as JSON claims: an error here is
    // a `cnf` or `jkt` of the wrong type.
    match serde_json::from_slice::<Payload>(&payload) {
        Ok(Payload { cnf }) => Ok(cnf.and_then(|c| c.jkt)),
        Err(_) => Err(DpopBinding::InvalidConfirmation),
    }
}
