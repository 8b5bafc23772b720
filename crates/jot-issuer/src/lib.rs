#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use jot_algorithms::{Algorithm, JwkSet, KeySet};
use jot_codec::{Clock, SystemClock, UntrustedToken, Validation};

use jot_axum::{KeySource, Keys, KeysFuture};

use crate::store::IssuerStore;
use crate::users::{NewUser, User};

mod builder;
mod claims;
mod client_auth;
mod client_ip;
mod clients;
mod endpoints;
mod error;
mod grant;
mod hash_pool;
mod health;
pub mod home;
mod keyring;
mod login;
mod meter;
mod oidc;
mod password;
mod redirect;
mod request;
mod response_headers;
mod secret;
pub mod store;
mod throttle;
mod untrusted;
pub mod users;

pub use builder::IssuerBuilder;
pub use claims::{ClaimsHook, ClaimsRequest, TokenKind};
pub use clients::{ClientCredentials, MAX_CLIENT_ID_LEN, NewClient};
pub use error::{IssuerError, OAuthError, OAuthErrorCode, STORE_RETRY_AFTER};
pub use grant::{Introspection, TokenResponse, UserGrant};
pub use health::READY_TIMEOUT;
pub use login::{AuthFuture, Authenticator, DEFAULT_SESSION_LIFETIME, Login};
pub use meter::{METRICS, describe as describe_metrics};

use keyring::KeyRing;

/// Default access-token lifetime: 15 minutes.
pub const DEFAULT_ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Default refresh-token lifetime (sliding: each refresh starts a new one): 30 days.
pub const DEFAULT_REFRESH_TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// Default scheduled key rotation: every 30 days.
pub const DEFAULT_ROTATION_INTERVAL: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// Default time between two maintenance ticks (key reload, scheduled rotation).
pub const DEFAULT_MAINTENANCE_INTERVAL: Duration = Duration::from_secs(30);
/// Default PBKDF2 iterations for client secrets.
pub const DEFAULT_SECRET_HASH_ITERATIONS: u32 = secret::PBKDF2_ITERATIONS;
/// Clock skew allowed to verifiers, added to a retired key's publication window.
const VERIFIER_LEEWAY: u64 = jot_codec::DEFAULT_LEEWAY;
/// Expired records are pruned at most this often (seconds).
const PRUNE_EVERY: u64 = 60 * 60;

/// The token issuer: configuration, store and keys. Cheap to clone (one [`Arc`]).
///
/// Also a [`KeySource`] of its own published keys, so an app that embeds it can
/// protect its routes with [`JwtAuth`](jot_axum::JwtAuth) without an HTTP round trip
/// (use [`Issuer::validation`] for the matching rules).
#[derive(Clone)]
pub struct Issuer {
    inner: Arc<Inner>,
}

/// The result of a key rotation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RotatedKey {
    /// The new signing key's `kid`.
    pub kid: String,
    /// The `kid` of the key it replaced, still published until its tokens expire.
    pub previous: Option<String>,
    /// The algorithm of the new key.
    pub alg: Algorithm,
}

struct Inner {
    url: String,
    store: Arc<dyn IssuerStore>,
    clock: Arc<dyn Clock + Send + Sync>,
    alg: Algorithm,
    audience: Vec<String>,
    access_ttl: u64,
    refresh_ttl: u64,
    rotation: Option<u64>,
    maintenance: Duration,
    secret_iterations: u32,
    dummy_hash: tokio::sync::OnceCell<String>,
    keys: RwLock<Arc<KeyRing>>,
    rotating: tokio::sync::Mutex<()>,
    secrets: secret::VerifiedSecrets,
    client_throttle: throttle::Throttle,
    last_prune: AtomicU64,
    login: Option<login::LoginState>,
    claims: Option<Arc<dyn ClaimsHook>>,
    /// Origins allowed to call the browser endpoints (CORS), as browsers send them.
    cors_origins: Vec<String>,
    client_ip_header: Option<http::HeaderName>,
    /// The peers whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed.
    trusted_proxies: Vec<client_ip::IpNet>,
}

impl Issuer {
    /// Starts an issuer configuration for the issuer identifier `url` (the `iss` of
    /// its tokens and the base of its endpoint URLs, e.g. `https://auth.example.com`).
    ///
    /// Defaults: a [`MemoryStore`](crate::store::MemoryStore), ES256, audience = `url`, access tokens for 15
    /// minutes, refresh tokens for 30 days, key rotation every 30 days, the system
    /// clock.
    pub fn builder(url: impl Into<String>) -> IssuerBuilder {
        IssuerBuilder::new(url.into())
    }

    /// Whether people can sign in ([`IssuerBuilder::login`]).
    pub fn login_enabled(&self) -> bool {
        self.inner.login.is_some()
    }

    /// The store (shared with the issuer): for [`users`] administration, say.
    pub fn store(&self) -> &dyn IssuerStore {
        &*self.inner.store
    }

    /// Adds one of jot's own users to the issuer's store ([`users::add`]).
    pub async fn add_user(&self, user: NewUser) -> Result<User, IssuerError> {
        users::add(self.store(), user).await
    }

    /// Adds or updates one of jot's own users ([`users::ensure`]).
    pub async fn ensure_user(&self, user: NewUser) -> Result<bool, IssuerError> {
        users::ensure(self.store(), user).await
    }

    /// The router serving the endpoints listed in the [module documentation](self).
    /// Nest it, merge it, or serve it as it is.
    pub fn router(&self) -> axum::Router {
        endpoints::router(self.clone())
    }

    /// The issuer identifier (`iss`).
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// The algorithm configured for new keys: the first key, and those of
    /// [`Issuer::rotate_key`]. A scheduled rotation keeps the current key's
    /// algorithm instead ([`Issuer::signing_algorithm`]).
    pub fn algorithm(&self) -> Algorithm {
        self.inner.alg
    }

    /// The algorithm of the current signing key (after [`rotate_key`] to another
    /// algorithm, that one).
    pub fn signing_algorithm(&self) -> Algorithm {
        self.ring().current_alg
    }

    /// The `aud` of tokens whose client names none.
    pub fn default_audience(&self) -> &[String] {
        &self.inner.audience
    }

    /// The access-token lifetime, in seconds.
    pub fn access_token_lifetime(&self) -> u64 {
        self.inner.access_ttl
    }

    /// The URL of the JWK Set.
    pub fn jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.inner.url)
    }

    /// The rules a resource server should apply to this issuer's access tokens:
    /// `iss`, the default audience, `typ: at+jwt`.
    pub fn validation(&self) -> Validation {
        Validation::new()
            .issuer(self.inner.url.clone())
            .audiences(self.inner.audience.iter().cloned())
            .typ("at+jwt")
    }

    /// The published public keys (current and still-valid previous ones).
    pub fn published_keys(&self) -> KeySet {
        self.ring().published.clone()
    }

    /// The published keys as a JWK Set document.
    pub fn jwks(&self) -> JwkSet {
        // Built from a JwkSet this issuer serialized itself.
        JwkSet::from_json(&self.ring().jwks_json).unwrap_or_default()
    }

    /// The `kid` of the current signing key.
    pub fn current_kid(&self) -> String {
        self.ring().current.kid().unwrap_or_default().to_owned()
    }

    /// Replaces the signing key now: a new key of the issuer's algorithm becomes
    /// current, the old one stays published until the tokens it signed expire.
    pub async fn rotate_key(&self) -> Result<RotatedKey, IssuerError> {
        self.rotate_to(self.inner.alg).await
    }

    /// Replaces the signing key now by a new `alg` key.
    async fn rotate_to(&self, alg: Algorithm) -> Result<RotatedKey, IssuerError> {
        let _one_at_a_time = self.inner.rotating.lock().await;
        let rotated = rotate_in(&*self.inner.store, alg, self.now()).await?;
        self.reload_keys().await?;
        Ok(rotated)
    }

    /// Reloads the keys from the store (to pick up a rotation done elsewhere).
    pub async fn reload_keys(&self) -> Result<(), IssuerError> {
        let keys = self.inner.store.load_keys().await?;
        let ring = KeyRing::build(&keys, self.now(), self.publication_window())?;
        let before = self.current_kid();
        let after = ring.current.kid().unwrap_or_default().to_owned();
        *self.inner.keys.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(ring);
        if before != after {
            tracing::info!(target: "jot_issuer", kid = %after, previous = %before, "signing key changed");
        }
        Ok(())
    }

    /// One maintenance pass: reload the keys, rotate if the current key is older
    /// than the rotation interval (to a key of the current key's algorithm, so a
    /// rotation to another algorithm sticks), forget retired keys no token can
    /// need any more, and (at most hourly) prune expired refresh tokens and
    /// revocations.
    pub async fn maintain(&self) -> Result<(), IssuerError> {
        self.reload_keys().await?;
        let now = self.now();
        if let Some(every) = self.inner.rotation {
            let ring = self.ring();
            if now.saturating_sub(ring.current_created) >= every {
                let rotated = self.rotate_to(ring.current_alg).await?;
                tracing::info!(target: "jot_issuer", kid = %rotated.kid, "scheduled key rotation");
            }
        }
        let expired = self.ring().expired.clone();
        for kid in &expired {
            self.inner.store.remove_key(kid).await?;
            tracing::info!(target: "jot_issuer", %kid, "retired key unpublished");
        }
        let last = self.inner.last_prune.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= PRUNE_EVERY {
            self.prune().await?;
        }
        Ok(())
    }

    /// Deletes expired refresh tokens, revoked-family marks and revocations now.
    pub async fn prune(&self) -> Result<usize, IssuerError> {
        let now = self.now();
        self.inner.last_prune.store(now, Ordering::Relaxed);
        let removed = self.inner.store.prune(now).await?;
        if removed > 0 {
            tracing::debug!(target: "jot_issuer", removed, "expired records pruned");
        }
        Ok(removed)
    }

    /// Runs [`Issuer::maintain`] every maintenance interval, forever (spawn it; drop
    /// or abort the task to stop). Failures are logged and retried on the next tick.
    pub async fn run_maintenance(self) {
        let mut ticks = tokio::time::interval(self.inner.maintenance);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            if let Err(error) = self.maintain().await {
                tracing::warn!(target: "jot_issuer", %error, "maintenance failed");
            }
        }
    }

    fn ring(&self) -> Arc<KeyRing> {
        // The lock only guards an Arc swap; a poisoned lock still holds a valid ring.
        Arc::clone(&self.inner.keys.read().unwrap_or_else(|e| e.into_inner()))
    }

    fn now(&self) -> u64 {
        self.inner.clock.now().seconds()
    }

    /// How long a retired key stays published: the longest an access token it
    /// signed stays valid, plus the verifiers' leeway.
    fn publication_window(&self) -> u64 {
        self.inner.access_ttl + VERIFIER_LEEWAY
    }
}

impl fmt::Debug for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issuer")
            .field("url", &self.inner.url)
            .field("alg", &self.inner.alg)
            .field("audience", &self.inner.audience)
            .field("kid", &self.current_kid())
            .finish_non_exhaustive()
    }
}

/// The issuer's own published keys.
impl KeySource for Issuer {
    fn keys_for<'a>(&'a self, _: &'a UntrustedToken<'a>) -> KeysFuture<'a> {
        let keys = Keys::from(self.published_keys());
        Box::pin(std::future::ready(Ok(keys)))
    }

    /// The keys in memory: a verified-token cache hit is checked against them
    /// without a store read.
    fn keys_now(&self, _: &UntrustedToken<'_>) -> Option<Keys> {
        Some(Keys::from(self.published_keys()))
    }
}

/// The algorithm of the current signing key in `store`, if it holds one.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use jot_issuer::{stored_algorithm, store::MemoryStore};
///
/// assert_eq!(stored_algorithm(&MemoryStore::new()).await?, None);
/// # Ok::<(), jot_issuer::IssuerError>(()) }).unwrap();
/// ```
pub async fn stored_algorithm(store: &dyn IssuerStore) -> Result<Option<Algorithm>, IssuerError> {
    Ok(store::current_key(&store.load_keys().await?).map(|k| k.alg))
}

/// Rotates the signing key kept in `store` now, to `alg` (else the current key's
/// algorithm, else ES256), without a running [`Issuer`]: what `jot rotate-key` does
/// to a data directory. An issuer serving from the same store starts signing with
/// the new key on its next maintenance tick ([`Issuer::run_maintenance`]); the old
/// key stays published until its tokens expire.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use jot_algorithms::Algorithm;
/// use jot_issuer::{rotate_key, stored_algorithm, store::MemoryStore};
///
/// let store = MemoryStore::new();
/// let rotated = rotate_key(&store, Some(Algorithm::EdDSA)).await?;
/// assert_eq!(rotated.previous, None);
/// assert_eq!(stored_algorithm(&store).await?, Some(Algorithm::EdDSA));
/// # Ok::<(), jot_issuer::IssuerError>(()) }).unwrap();
/// ```
pub async fn rotate_key(
    store: &dyn IssuerStore,
    alg: Option<Algorithm>,
) -> Result<RotatedKey, IssuerError> {
    let alg = match alg {
        Some(alg) => alg,
        None => stored_algorithm(store).await?.unwrap_or(Algorithm::ES256),
    };
    keyring::check_algorithm(alg)?;
    rotate_in(store, alg, SystemClock.now().seconds()).await
}

/// Rotates the current key of `store` to a new `alg` key.
async fn rotate_in(
    store: &dyn IssuerStore,
    alg: Algorithm,
    now: u64,
) -> Result<RotatedKey, IssuerError> {
    let keys = store.load_keys().await?;
    let previous = store::current_key(&keys).map(|k| k.kid.clone());
    let key = keyring::generate(alg, now)?;
    let kid = key.kid.clone();
    if !store.add_key(key, previous.as_deref(), now).await? {
        // Another writer rotated between our read and write: theirs stands.
        let keys = store.load_keys().await?;
        let current = store::current_key(&keys).ok_or(IssuerError::NoSigningKey)?;
        return Ok(RotatedKey {
            kid: current.kid.clone(),
            previous,
            alg: current.alg,
        });
    }
    meter::key_rotated();
    tracing::info!(target: "jot_issuer", %kid, previous = previous.as_deref(), %alg, "signing key rotated");
    Ok(RotatedKey { kid, previous, alg })
}
