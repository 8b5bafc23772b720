//! [`JwtAuth`]: the configuration shared by the layer and the extractors, and the
//! verification of one request.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use http::header::HeaderName;
use jot_codec::{Algorithm, Clock, NumericDate, SystemClock, Token, UntrustedToken, Validation};
use serde::de::DeserializeOwned;

use jot_algorithms::{KeySet, VerifyingKey};

use crate::dpop::{Dpop, DpopVerifier};
use crate::error::{AuthError, AuthErrorKind, Challenge, ErrorHook, scope_list};
use crate::keys::{KeyPrint, KeySource, KeySourceError, Keys};
use crate::resource::{Resource, ResourceSettings};
use crate::token_cache::{Hit, TokenCache, VerifiedCache};
use crate::token_source::TokenSource;
use crate::{AuthContext, JwtLayer, Verified};

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
        let limit = inner.validation.token_len_limit();
        // Every cached token is within the limit: a longer one is not even hashed.
        let cache = (token.len() <= limit)
            .then_some(inner.cache.as_ref())
            .flatten()
            .map(|cache| (cache, cache.slot::<T>(token)));
        let mut parsed = None;
        let mut looked_up = None;
        if let Some((cache, slot)) = cache {
            if let Some((verified, hit)) = cache.get::<T>(slot, token) {
                let held = match hit.key {
                    // A fixed source: its keys never go.
                    None => true,
                    Some(print) => {
                        let untrusted =
                            UntrustedToken::parse_with_limit(token, limit).map_err(invalid)?;
                        let (held, keys) = self.still_held(&untrusted, hit.alg, print).await?;
                        looked_up = keys;
                        parsed = Some(untrusted);
                        held
                    }
                };
                if held {
                    crate::meter::count(crate::meter::TOKEN_CACHE_HITS);
                    // The same bytes as a token that passed every check, verified by a
                    // key still held: only the checks that depend on the time can
                    // answer differently now.
                    return match inner
                        .validation
                        .check_times(verified.claims(), &*inner.clock)
                    {
                        Ok(()) => Ok(verified),
                        Err(e) => {
                            cache.remove(slot);
                            Err(invalid(e))
                        }
                    };
                }
                tracing::debug!(
                    target: "jot_axum",
                    alg = %hit.alg,
                    "the key of a cached token is no longer held: verifying it again"
                );
                cache.remove(slot);
            }
            crate::meter::count(crate::meter::TOKEN_CACHE_MISSES);
        }
        let untrusted = match parsed {
            Some(untrusted) => untrusted,
            None => UntrustedToken::parse_with_limit(token, limit).map_err(invalid)?,
        };
        // Refuse what the validation refuses before any key lookup (and so any fetch).
        let alg = untrusted.algorithm().map_err(invalid)?;
        if !inner.validation.allows(alg) {
            return Err(invalid(jot_codec::Error::AlgorithmNotAllowed { alg }));
        }
        let keys = match looked_up {
            Some(keys) => keys,
            None => self.keys_for(&untrusted).await?,
        };
        // The token was parsed once, above: verify and decode that parse.
        let verified = untrusted
            .decode::<T, _, _>(&keys, &inner.validation, &*inner.clock)
            .map_err(invalid)?;
        let verified = self.verified(token, verified);
        if let Some((cache, slot)) = cache {
            let key = if inner.fixed_keys {
                Some(None)
            } else {
                // A custom verifier cannot say which key verified: not cached.
                keys.print_for(verified.token().algorithm, verified.header().kid.as_deref())
                    .map(Some)
            };
            if let Some(key) = key {
                let alg = verified.token().algorithm;
                let lifetime = lifetime(verified.claims().exp, inner.clock.now());
                cache.insert(slot, verified.clone(), Hit { alg, key }, lifetime);
            }
        }
        Ok(verified)
    }

    /// Whether the key that verified a cached token would still be the one to verify
    /// it: the source's keys held now pick, for the token's `alg` and `kid`, a key
    /// with the same thumbprint. Asks [`KeySource::keys_now`], which never fetches;
    /// only a source that cannot answer it is asked [`KeySource::keys_for`], and
    /// those keys are returned to be reused.
    async fn still_held(
        &self,
        untrusted: &UntrustedToken<'_>,
        alg: Algorithm,
        print: KeyPrint,
    ) -> Result<(bool, Option<Keys>), AuthError> {
        let kid = untrusted.header().kid.as_deref();
        if let Some(keys) = self.inner.keys.keys_now(untrusted) {
            return Ok((keys.print_for(alg, kid) == Some(print), None));
        }
        let keys = self.keys_for(untrusted).await?;
        Ok((keys.print_for(alg, kid) == Some(print), Some(keys)))
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

/// How long a token verified at `now` stays unexpired: up to its `exp` (without the
/// leeway), or without end when it has none.
fn lifetime(exp: Option<NumericDate>, now: NumericDate) -> Duration {
    let at = |t: NumericDate| Duration::new(t.seconds(), t.subsec_nanos());
    exp.map_or(Duration::MAX, |exp| at(exp).saturating_sub(at(now)))
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
