//! [`JwtAuth`]: the configuration shared by the layer and the extractors, and the
//! verification of one request.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use http::HeaderMap;
use http::header::HeaderName;
use jot_codec::{Clock, SystemClock, Token, UntrustedToken, Validation};
use serde::de::DeserializeOwned;

use jot_algorithms::{KeySet, VerifyingKey};

use crate::dpop::{Dpop, DpopVerifier};
use crate::error::{AuthError, AuthErrorKind, Challenge, ErrorHook, scope_list};
use crate::keys::{KeySource, KeySourceError, Keys};
use crate::resource::{Resource, ResourceSettings};
use crate::token_cache::{AlreadyVerified, Hit, TokenCache, VerifiedCache};
use crate::token_source::TokenSource;
use crate::{JwtLayer, Verified};

/// How to authenticate requests: the key source, the [`Validation`], where tokens
/// are found, the realm and the response hook. Cheap to clone (one [`Arc`]); put it
/// in the router state (for [`Verified`]) or turn it into a [`JwtLayer`].
///
/// `T` is the application's own claims type (`Claims<T>` flattens it beside the
/// registered claims); use `()` when the registered claims are enough, or
/// `serde_json::Map<String, serde_json::Value>` to keep everything.
///
/// ```
/// use jot_axum::JwtAuth;
/// use jot_algorithms::{Algorithm, VerifyingKey};
/// use jot_codec::Validation;
///
/// let key = VerifyingKey::hmac(Algorithm::HS256, b"an example secret of 32+ bytes!!")?;
/// let auth: JwtAuth<()> = JwtAuth::builder(key)
///     .validation(Validation::new().issuer("https://auth.example").audience("api"))
///     .realm("api")
///     .token_from_cookie("access_token")
///     .build();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct JwtAuth<T> {
    pub(crate) inner: Arc<Inner>,
    _claims: PhantomData<fn() -> T>,
}

/// Builds a [`JwtAuth`]; from [`JwtAuth::builder`].
#[must_use]
pub struct JwtAuthBuilder<T> {
    keys: Arc<dyn KeySource>,
    fixed_keys: bool,
    validation: Validation,
    sources: Vec<TokenSource>,
    challenge: Challenge,
    cache: TokenCache,
    clock: Arc<dyn Clock + Send + Sync>,
    pub(crate) resource: ResourceSettings,
    pub(crate) dpop: Option<Dpop>,
    pub(crate) require_dpop: bool,
    _claims: PhantomData<fn() -> T>,
}

pub(crate) struct Inner {
    keys: Arc<dyn KeySource>,
    /// The source is a [`VerifyingKey`] or a [`KeySet`] owned here: its keys never
    /// change, so a cache hit needs no check that its key is still held.
    fixed_keys: bool,
    validation: Validation,
    sources: Vec<TokenSource>,
    challenge: Arc<Challenge>,
    cache: Option<VerifiedCache>,
    pub(crate) clock: Arc<dyn Clock + Send + Sync>,
    /// The RFC 9728 resource, when an identifier is configured.
    pub(crate) resource: Option<Resource>,
    /// The DPoP checks, when DPoP is on.
    pub(crate) dpop: Option<DpopVerifier>,
    /// Bearer tokens refused.
    pub(crate) require_dpop: bool,
}

impl<T> Clone for JwtAuth<T> {
    fn clone(&self) -> Self {
        JwtAuth {
            inner: Arc::clone(&self.inner),
            _claims: PhantomData,
        }
    }
}

impl<T> fmt::Debug for JwtAuth<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtAuth")
            .field("validation", &self.inner.validation)
            .field("sources", &self.inner.sources)
            .field("challenge", &self.inner.challenge)
            .field("cache", &self.inner.cache)
            .finish_non_exhaustive()
    }
}

impl<T> JwtAuth<T> {
    /// Starts a configuration that takes its keys from `keys` (a [`VerifyingKey`](jot_algorithms::VerifyingKey),
    /// a [`KeySet`](jot_algorithms::KeySet), a [`JwksFile`](crate::JwksFile), a
    /// [`RemoteJwks`](crate::RemoteJwks), a [`MultiIssuer`](crate::MultiIssuer) or
    /// your own [`KeySource`]).
    ///
    /// Defaults: [`Validation::new()`] (exp required, 60 s leeway, tokens carrying
    /// `aud` refused until an audience is configured), tokens from
    /// `Authorization: Bearer` only, no realm, the verified-token cache on
    /// ([`TokenCache::default`]), the system clock.
    pub fn builder(keys: impl KeySource) -> JwtAuthBuilder<T> {
        let any: &dyn std::any::Any = &keys;
        let fixed_keys = any.is::<VerifyingKey>() || any.is::<KeySet>();
        JwtAuthBuilder {
            keys: Arc::new(keys),
            fixed_keys,
            validation: Validation::new(),
            sources: vec![TokenSource::AuthorizationBearer],
            challenge: Challenge::default(),
            cache: TokenCache::default(),
            clock: Arc::new(SystemClock),
            resource: ResourceSettings::default(),
            dpop: None,
            require_dpop: false,
            _claims: PhantomData,
        }
    }

    /// A layer that authenticates every request and rejects those without a valid token.
    pub fn layer(&self) -> JwtLayer<T> {
        JwtLayer::new(self.clone(), false)
    }

    /// A layer that lets requests **without** a token through unauthenticated (a
    /// present but invalid token is still rejected). Handlers use `Option<Verified<T>>`.
    pub fn optional_layer(&self) -> JwtLayer<T> {
        JwtLayer::new(self.clone(), true)
    }

    /// The validation rules.
    pub fn validation(&self) -> &Validation {
        &self.inner.validation
    }

    /// Finds the token in `headers`: `Ok(None)` when there is none, an
    /// `invalid_request` error when it is sent in a malformed way.
    pub fn find_token<'h>(&self, headers: &'h HeaderMap) -> Result<Option<&'h str>, AuthError> {
        for source in &self.inner.sources {
            match source.find(headers) {
                Ok(Some(token)) => return Ok(Some(token)),
                Ok(None) => {}
                Err(reason) => {
                    tracing::info!(target: "jot_axum", outcome = "invalid_request", reason, "request rejected");
                    return Err(self.error(AuthErrorKind::InvalidRequest { reason }));
                }
            }
        }
        Ok(None)
    }

    /// The rejection for a request that carries no token (401, bare challenge).
    pub fn missing_token(&self) -> AuthError {
        self.error(AuthErrorKind::MissingToken)
    }

    pub(crate) fn error(&self, kind: AuthErrorKind) -> AuthError {
        AuthError::new(kind, &self.inner.challenge)
    }
}

impl<T> JwtAuth<T>
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    /// Authenticates a request by its headers: `Ok(None)` when it carries no token.
    ///
    /// Headers do not say the request's method and URL, which a DPoP proof is
    /// checked against: with DPoP on, a `DPoP` request is refused here. Use
    /// [`JwtAuth::authenticate_parts`] (as the layer and the extractor do).
    pub async fn authenticate(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<Verified<T>>, AuthError> {
        self.authenticate_request(None, headers).await
    }

    /// Verifies and validates one token presented as a bearer token (e.g. from a
    /// WebSocket message): a DPoP-bound token (`cnf.jkt`) is refused, and so is any
    /// token when DPoP is required.
    pub async fn verify(&self, token: &str) -> Result<Verified<T>, AuthError> {
        let result = self
            .verify_inner(token)
            .await
            .and_then(|v| self.check_bearer(v));
        match &result {
            Ok(v) => tracing::debug!(
                target: "jot_axum",
                outcome = "accepted",
                alg = %v.token().algorithm,
                kid = v.token().header.kid.as_deref(),
                "token accepted"
            ),
            Err(e) => match e.kind() {
                AuthErrorKind::KeysUnavailable(reason) => tracing::warn!(
                    target: "jot_axum",
                    outcome = "keys_unavailable",
                    reason = %reason,
                    "token not verified: keys unavailable"
                ),
                AuthErrorKind::InvalidToken(reason) => tracing::info!(
                    target: "jot_axum",
                    outcome = "invalid_token",
                    kind = reason.kind(),
                    "token rejected"
                ),
                other => tracing::info!(
                    target: "jot_axum",
                    outcome = "invalid_token",
                    kind = ?other,
                    "token rejected"
                ),
            },
        }
        result
    }

    pub(crate) async fn verify_inner(&self, token: &str) -> Result<Verified<T>, AuthError> {
        let inner = &*self.inner;
        let invalid = |e: jot_codec::Error| self.error(AuthErrorKind::InvalidToken(e));
        let untrusted = UntrustedToken::parse_with_limit(token, inner.validation.token_len_limit())
            .map_err(invalid)?;
        // Refuse what the validation refuses before any key lookup (and so any fetch).
        let alg = untrusted.algorithm().map_err(invalid)?;
        if !inner.validation.allows(alg) {
            return Err(invalid(jot_codec::Error::AlgorithmNotAllowed { alg }));
        }
        let cache = inner
            .cache
            .as_ref()
            .map(|cache| (cache, VerifiedCache::digest(token)));
        let mut looked_up = None;
        if let Some((cache, digest)) = &cache {
            if let Some(hit) = cache.get(digest) {
                let (held, keys) = self.still_held(&untrusted, hit).await?;
                if held {
                    crate::meter::count(crate::meter::TOKEN_CACHE_HITS);
                    // Same bytes as a token whose signature verified with a key that is
                    // still held: re-run every claim check.
                    return match untrusted.decode::<T, _, _>(
                        &AlreadyVerified(hit.alg),
                        &inner.validation,
                        &*inner.clock,
                    ) {
                        Ok(verified) => Ok(self.verified(token, verified)),
                        Err(e) => {
                            cache.remove(digest);
                            Err(invalid(e))
                        }
                    };
                }
                tracing::debug!(
                    target: "jot_axum",
                    alg = %hit.alg,
                    "the key of a cached token is no longer held: verifying it again"
                );
                cache.remove(digest);
                looked_up = keys;
            }
        }
        if cache.is_some() {
            crate::meter::count(crate::meter::TOKEN_CACHE_MISSES);
        }
        let keys = match looked_up {
            Some(keys) => keys,
            None => self.keys_for(&untrusted).await?,
        };
        // The token was parsed once, above: verify and decode that parse.
        let verified = untrusted
            .decode::<T, _, _>(&keys, &inner.validation, &*inner.clock)
            .map_err(invalid)?;
        if let Some((cache, digest)) = cache {
            let key = if inner.fixed_keys {
                Some(None)
            } else {
                // A custom verifier cannot say which key verified: not cached.
                keys.print_for(verified.algorithm, verified.header.kid.as_deref())
                    .map(Some)
            };
            if let Some(key) = key {
                let alg = verified.algorithm;
                cache.insert(digest, Hit { alg, key });
            }
        }
        Ok(self.verified(token, verified))
    }

    /// Whether the key that verified a cached token would still be the one to verify
    /// it: the source's keys held now pick, for the token's `alg` and `kid`, a key
    /// with the same thumbprint. Asks [`KeySource::keys_now`], which never fetches;
    /// only a source that cannot answer it is asked [`KeySource::keys_for`], and
    /// those keys are returned to be reused.
    async fn still_held(
        &self,
        untrusted: &UntrustedToken<'_>,
        hit: Hit,
    ) -> Result<(bool, Option<Keys>), AuthError> {
        let Some(print) = hit.key else {
            // A fixed source: its keys never go.
            return Ok((true, None));
        };
        let kid = untrusted.header().kid.as_deref();
        if let Some(keys) = self.inner.keys.keys_now(untrusted) {
            return Ok((keys.print_for(hit.alg, kid) == Some(print), None));
        }
        let keys = self.keys_for(untrusted).await?;
        Ok((keys.print_for(hit.alg, kid) == Some(print), Some(keys)))
    }

    async fn keys_for(&self, untrusted: &UntrustedToken<'_>) -> Result<Keys, AuthError> {
        self.inner.keys.keys_for(untrusted).await.map_err(|e| {
            self.error(match e {
                KeySourceError::Unavailable(reason) => AuthErrorKind::KeysUnavailable(reason),
                KeySourceError::UnknownIssuer => AuthErrorKind::UnknownIssuer,
                KeySourceError::Token(e) => AuthErrorKind::InvalidToken(e),
            })
        })
    }

    fn verified(&self, raw: &str, token: Token<T>) -> Verified<T> {
        Verified::new(
            Arc::new(token),
            AuthContext::new(raw, &self.inner.challenge),
        )
    }
}

impl<T> JwtAuthBuilder<T> {
    /// The rules every token must meet besides its signature.
    pub fn validation(mut self, validation: Validation) -> Self {
        self.validation = validation;
        self
    }

    /// Also looks for the token in this cookie (after the sources already set).
    pub fn token_from_cookie(mut self, name: impl Into<String>) -> Self {
        self.sources.push(TokenSource::Cookie(name.into()));
        self
    }

    /// Also looks for the token as the whole value of this header (after the
    /// sources already set).
    pub fn token_from_header(mut self, name: HeaderName) -> Self {
        self.sources.push(TokenSource::Header(name));
        self
    }

    /// Replaces the token sources (the default is `[AuthorizationBearer]`).
    pub fn token_sources(mut self, sources: impl IntoIterator<Item = TokenSource>) -> Self {
        self.sources = sources.into_iter().collect();
        self
    }

    /// The `realm` named in every challenge.
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.challenge.realm = Some(realm.into().into_boxed_str());
        self
    }

    /// Builds every rejection's response with `hook` (e.g. a JSON problem
    /// document). The `WWW-Authenticate` header is added unless the hook set one.
    pub fn on_error<F>(mut self, hook: F) -> Self
    where
        F: Fn(&AuthError) -> axum::response::Response + Send + Sync + 'static,
    {
        self.challenge.hook = Some(Arc::new(hook) as ErrorHook);
        self
    }

    /// Configures the verified-token cache (on by default, see [`TokenCache`]).
    pub fn token_cache(mut self, cache: TokenCache) -> Self {
        self.cache = cache;
        self
    }

    /// The clock for claim validation (the system clock by default).
    pub fn clock(mut self, clock: impl Clock + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Finishes the configuration.
    pub fn build(mut self) -> JwtAuth<T> {
        let dpop = match (self.dpop, self.require_dpop) {
            (None, false) => None,
            (dpop, _) => Some(dpop.unwrap_or_default()),
        };
        let url = self.resource.identifier.as_ref().map(|(_, url)| url);
        let dpop = dpop.map(|dpop| dpop.verifier(url));
        let resource = self.resource.identifier.take().map(|(id, url)| {
            let sources = &self.sources;
            Resource::new(
                id,
                url,
                &self.resource,
                dpop.as_ref(),
                self.require_dpop,
                sources,
            )
        });
        let mut validation = self.validation;
        if let Some(resource) = &resource {
            validation = validation.audience(resource.identifier());
        }
        let challenge = Challenge {
            resource_metadata: resource.as_ref().map(|r| r.metadata_url().into()),
            scope: Some(scope_list(&self.resource.scopes_supported))
                .filter(|s| !s.is_empty())
                .map(Into::into),
            dpop_algs: dpop.as_ref().map(|d| d.algs().into()),
            bearer: !self.require_dpop,
            ..self.challenge
        };
        JwtAuth {
            inner: Arc::new(Inner {
                keys: self.keys,
                fixed_keys: self.fixed_keys,
                validation,
                sources: self.sources,
                challenge: Arc::new(challenge),
                cache: self.cache.build(),
                clock: self.clock,
                resource,
                dpop,
                require_dpop: self.require_dpop,
            }),
            _claims: PhantomData,
        }
    }
}

impl<T> fmt::Debug for JwtAuthBuilder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtAuthBuilder")
            .field("validation", &self.validation)
            .field("sources", &self.sources)
            .finish_non_exhaustive()
    }
}

/// What the authorization guards see of a verified request, whatever the claims
/// type: the verified claims as JSON. [`JwtLayer`] puts it in the request
/// extensions next to [`Verified<T>`].
#[derive(Clone)]
pub struct AuthContext {
    inner: Arc<ContextInner>,
}

#[derive(Clone)]
struct ContextInner {
    raw: Box<str>,
    challenge: Arc<Challenge>,
    claims: std::sync::OnceLock<serde_json::Map<String, serde_json::Value>>,
    /// The thumbprint of the key of the request's DPoP proof.
    dpop_jkt: Option<Box<str>>,
}

impl AuthContext {
    fn new(raw: &str, challenge: &Arc<Challenge>) -> AuthContext {
        AuthContext {
            inner: Arc::new(ContextInner {
                raw: raw.into(),
                challenge: Arc::clone(challenge),
                claims: std::sync::OnceLock::new(),
                dpop_jkt: None,
            }),
        }
    }

    /// The RFC 7638 thumbprint of the key the token is bound to (its `cnf.jkt`)
    /// when the request proved possession of that key with a DPoP proof; `None`
    /// for a bearer token.
    pub fn dpop_thumbprint(&self) -> Option<&str> {
        self.inner.dpop_jkt.as_deref()
    }

    pub(crate) fn set_dpop_thumbprint(&mut self, jkt: String) {
        Arc::make_mut(&mut self.inner).dpop_jkt = Some(jkt.into());
    }

    /// Every claim of the verified token, as JSON (decoded on first use).
    pub fn claims(&self) -> &serde_json::Map<String, serde_json::Value> {
        self.inner.claims.get_or_init(|| {
            // Only built for a token that verified and decoded, so its payload is
            // a JSON object; an empty map is a safe fallback all the same.
            self.inner
                .raw
                .split('.')
                .nth(1)
                .and_then(|payload| jot_codec::base64url::decode(payload).ok())
                .and_then(|json| serde_json::from_slice(&json).ok())
                .unwrap_or_default()
        })
    }

    /// The scopes granted: the space-separated `scope` claim (RFC 8693 §4.2) and the
    /// `scp` claim (an array, or a space-separated string).
    pub fn scopes(&self) -> Vec<&str> {
        let claims = self.claims();
        let mut out: Vec<&str> = Vec::new();
        for name in ["scope", "scp"] {
            out.extend(strings(claims.get(name)));
        }
        out
    }

    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().contains(&scope)
    }

    /// The strings at a claim path such as `roles` or `realm_access.roles` (an
    /// array of strings, or a space-separated string).
    pub fn strings_at(&self, path: &str) -> Vec<&str> {
        let mut value = None;
        let mut map = Some(self.claims());
        for part in path.split('.') {
            value = map.and_then(|m| m.get(part));
            map = value.and_then(serde_json::Value::as_object);
        }
        strings(value).collect()
    }

    /// The raw token (handy to forward it). Never log it.
    pub fn token(&self) -> &str {
        &self.inner.raw
    }

    /// An error for this request, with the realm and hook of its [`JwtAuth`] (and
    /// in the `DPoP` challenge for a DPoP request).
    pub fn error(&self, kind: AuthErrorKind) -> AuthError {
        let error = AuthError::new(kind, &self.inner.challenge);
        if self.dpop_thumbprint().is_some() {
            error.on_dpop_request()
        } else {
            error
        }
    }

    /// Checks that every scope in `required` is granted; otherwise a 403
    /// `insufficient_scope` naming them.
    pub fn require_scopes<S: AsRef<str>>(&self, required: &[S]) -> Result<(), AuthError> {
        let granted = self.scopes();
        if required.iter().all(|s| granted.contains(&s.as_ref())) {
            Ok(())
        } else {
            Err(self.error(AuthErrorKind::InsufficientScope {
                required: required.iter().map(|s| s.as_ref().to_owned()).collect(),
            }))
        }
    }

    /// Checks that the `roles` claim holds `role`; otherwise a 403.
    pub fn require_role(&self, role: &str) -> Result<(), AuthError> {
        if self.strings_at("roles").contains(&role) {
            Ok(())
        } else {
            Err(self.error(AuthErrorKind::Forbidden {
                reason: Cow::Owned(format!("role {role} required")),
            }))
        }
    }
}

impl fmt::Debug for AuthContext {
    /// Never shows the token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthContext").finish_non_exhaustive()
    }
}

fn strings(value: Option<&serde_json::Value>) -> Box<dyn Iterator<Item = &str> + '_> {
    match value {
        Some(serde_json::Value::String(s)) => Box::new(s.split_ascii_whitespace()),
        Some(serde_json::Value::Array(items)) => {
            Box::new(items.iter().filter_map(serde_json::Value::as_str))
        }
        _ => Box::new(std::iter::empty()),
    }
}
