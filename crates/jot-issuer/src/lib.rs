#![doc = include_str!("../README.md")]
//!
//! ## Cargo features in detail
//!
#![doc = document_features::document_features!()]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use jot_algorithms::{Algorithm, JwkSet, KeySet};
use jot_codec::{Clock, UntrustedToken, Validation};

use jot_axum::{KeySource, Keys, KeysFuture};

use crate::store::IssuerStore;
use crate::users::{NewUser, User};

mod builder;
mod claims;
mod client_auth;
mod client_ip;
mod client_metadata;
mod clients;
mod dpop;
mod endpoints;
mod error;
mod grant;
mod hash_pool;
mod health;
pub mod home;
pub mod kek;
mod keyring;
mod login;
mod meter;
mod oidc;
mod password;
mod redirect;
mod registration;
mod request;
mod resource;
mod response_headers;
mod rotation;
mod secret;
pub mod store;
mod throttle;
mod untrusted;
pub mod users;

pub use builder::IssuerBuilder;
pub use claims::{ClaimsHook, ClaimsRequest, TokenKind};
pub use client_metadata::{
    ClientMetadataDocuments, ClientMetadataError, MAX_CLIENT_METADATA_BYTES,
};
pub use clients::{ClientCredentials, MAX_CLIENT_ID_LEN, NewClient};
pub use error::{IssuerError, OAuthError, OAuthErrorCode, STORE_RETRY_AFTER};
pub use grant::{Introspection, TokenResponse, UserGrant};
pub use health::READY_TIMEOUT;
pub use login::{AuthFuture, Authenticator, DEFAULT_SESSION_LIFETIME, Login};
pub use meter::{METRICS, describe as describe_metrics};
pub use registration::{ClientRegistration, MAX_REGISTRATION_BYTES};
pub use rotation::{KeyRotation, RotatedKey, stored_algorithm};

use kek::Kek;
use keyring::KeyRing;

/// Default access-token lifetime: 15 minutes.
pub const DEFAULT_ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Default refresh-token lifetime (sliding: each refresh starts a new one): 30 days.
pub const DEFAULT_REFRESH_TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// Default scheduled key rotation: every 30 days.
pub const DEFAULT_ROTATION_INTERVAL: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// Default time between two maintenance ticks (key reload, promotion of the next
/// key, scheduled rotation).
pub const DEFAULT_MAINTENANCE_INTERVAL: Duration = Duration::from_secs(30);
/// Default `max-age` of the JWK Set's `Cache-Control`: 5 minutes.
pub const DEFAULT_JWKS_MAX_AGE: Duration = Duration::from_secs(5 * 60);
/// Default cost of client-secret hashes: argon2id with the parameters of user
/// passwords (19 MiB, 2 passes, 1 lane). A lower cost given to
/// [`IssuerBuilder::client_secret_hash_iterations`] scales the memory down in
/// proportion, a higher one the passes up. (The name is from when the hashes were
/// PBKDF2, whose iterations this figure counted.)
pub const DEFAULT_SECRET_HASH_ITERATIONS: u32 = secret::DEFAULT_COST;
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
    /// The JWK Set's `max-age`, in seconds.
    jwks_max_age: u64,
    /// `Cache-Control` of the JWK Set.
    jwks_cache_control: http::HeaderValue,
    /// Seals the private keys at rest.
    kek: Option<Kek>,
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
    /// The RFC 8707 resources tokens may be asked for.
    resources: Vec<String>,
    /// The DPoP proof checks of the token and userinfo endpoints.
    dpop: jot_axum::DpopProofs,
    /// Resolves Client ID Metadata Documents, when they are on.
    client_metadata: Option<client_metadata::Resolver>,
    /// Dynamic Client Registration, when it is on.
    registration: Option<registration::RegistrationState>,
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
    /// [`Issuer::rotate_key`] and [`Issuer::rotate_key_now`]. A scheduled rotation keeps the current key's
    /// algorithm instead ([`Issuer::signing_algorithm`]).
    pub fn algorithm(&self) -> Algorithm {
        self.inner.alg
    }

    /// The algorithm of the current signing key (after a [`KeyRotation`] to
    /// another algorithm, that one, once it signs).
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

    /// The `kid` of the next signing key, published and waiting to be promoted,
    /// if there is one.
    pub fn next_kid(&self) -> Option<String> {
        self.ring().next.as_ref().map(|(kid, _)| kid.clone())
    }

    /// How long a next key is published before it signs: the JWK Set's
    /// `max-age` plus the maintenance interval ([`IssuerBuilder::jwks_max_age`],
    /// [`IssuerBuilder::maintenance_interval`]) plus one second, since the store
    /// keeps times in whole seconds. Every instance sharing the store should have
    /// the same settings.
    pub fn rotation_lead(&self) -> Duration {
        Duration::from_secs(self.lead())
    }

    /// Rotates the signing key on the timeline (see [`KeyRotation`]): a new key
    /// of the issuer's algorithm is published at once as the next key, and
    /// becomes current once [`rotation_lead`](Issuer::rotation_lead) has passed
    /// (on the maintenance tick of whichever instance gets there first); the old
    /// key stays published until the tokens it signed expire. While a next key
    /// waits, returns it.
    pub async fn rotate_key(&self) -> Result<RotatedKey, IssuerError> {
        self.publish_next(self.inner.alg).await
    }

    /// Replaces the signing key at once by a new key of the issuer's algorithm:
    /// the emergency switch for a compromised key (verifiers see an unknown `kid`
    /// and refetch the JWK Set). A next key waiting is dropped; the old key stays
    /// published until its tokens expire (use [`KeyRotation::drop_old`] to
    /// unpublish it at once).
    pub async fn rotate_key_now(&self) -> Result<RotatedKey, IssuerError> {
        let _one_at_a_time = self.inner.rotating.lock().await;
        let kek = self.inner.kek.as_ref();
        let rotated =
            rotation::rotate_now(&*self.inner.store, self.inner.alg, self.now(), kek, false)
                .await?;
        self.reload_keys().await?;
        Ok(rotated)
    }

    /// Publishes a new `alg` key as the next key (or finds the one waiting).
    async fn publish_next(&self, alg: Algorithm) -> Result<RotatedKey, IssuerError> {
        let _one_at_a_time = self.inner.rotating.lock().await;
        let kek = self.inner.kek.as_ref();
        let mut rotated = rotation::publish_next(&*self.inner.store, alg, self.now(), kek).await?;
        rotated.signs_from = Some(rotated.published_at.saturating_add(self.lead()));
        self.reload_keys().await?;
        Ok(rotated)
    }

    /// Promotes the next key if it has been published for the rotation lead:
    /// whether this call did.
    async fn promote_when_due(&self, now: u64) -> Result<bool, IssuerError> {
        let ring = self.ring();
        let Some((next, published)) = ring.next.clone() else {
            return Ok(false);
        };
        if now < published.saturating_add(self.lead()) {
            return Ok(false);
        }
        let _one_at_a_time = self.inner.rotating.lock().await;
        // Its private key must open with this issuer's KEK before anyone signs with it.
        let keys = self.inner.store.load_keys().await?;
        if let Some(stored) = keys
            .iter()
            .find(|k| k.kid == next && k.next)
            .and_then(|k| k.private_pem.as_ref())
        {
            kek::open(self.inner.kek.as_ref(), &next, stored)?;
        }
        let current = ring.current.kid().unwrap_or_default().to_owned();
        let promoted = self.inner.store.promote_key(&next, &current, now).await?;
        if promoted {
            tracing::info!(target: "jot_issuer", kid = %next, previous = %current, "next signing key promoted");
        }
        drop(_one_at_a_time);
        self.reload_keys().await?;
        Ok(promoted)
    }

    /// Reloads the keys from the store (to pick up a rotation done elsewhere).
    pub async fn reload_keys(&self) -> Result<(), IssuerError> {
        let keys = self.inner.store.load_keys().await?;
        let ring = KeyRing::build(
            &keys,
            self.now(),
            self.publication_window(),
            self.inner.kek.as_ref(),
        )?;
        let before = self.ring();
        let after = ring.current.kid().unwrap_or_default().to_owned();
        let next = ring.next.as_ref().map(|(kid, _)| kid.clone());
        *self.inner.keys.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(ring);
        if before.current.kid() != Some(after.as_str()) {
            tracing::info!(target: "jot_issuer", kid = %after, previous = ?before.current.kid(), "signing key changed");
        }
        if let Some(next) = next.filter(|n| before.next.as_ref().is_none_or(|(b, _)| b != n)) {
            tracing::info!(target: "jot_issuer", kid = %next, "next signing key published");
        }
        Ok(())
    }

    /// One maintenance pass: reload the keys; promote the next key once it has
    /// been published for the [rotation lead](Issuer::rotation_lead); publish a
    /// next key (of the current key's algorithm, so a rotation to another
    /// algorithm sticks) when the current key will have signed for the rotation
    /// interval by the time it is promoted; forget retired keys no token can need
    /// any more; and (at most hourly) prune expired refresh tokens and
    /// revocations.
    pub async fn maintain(&self) -> Result<(), IssuerError> {
        self.reload_keys().await?;
        let now = self.now();
        self.promote_when_due(now).await?;
        if let Some(every) = self.inner.rotation {
            let ring = self.ring();
            let due = ring
                .current_since
                .saturating_add(every.saturating_sub(self.lead()));
            if ring.next.is_none() && now >= due {
                let rotated = self.publish_next(ring.current_alg).await?;
                tracing::info!(target: "jot_issuer", kid = %rotated.kid, "scheduled key rotation: next key published");
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
    /// signed stays valid, plus the verifiers' leeway, plus one maintenance
    /// interval (other instances may sign with it until their next tick).
    fn publication_window(&self) -> u64 {
        publication_window(self.inner.access_ttl, self.inner.maintenance)
    }

    /// [`Issuer::rotation_lead`] in seconds. The extra second covers the whole-second
    /// timestamps: a key published at 10.9 s is stored as published at 10 s, and
    /// the promotion check at 12.0 s reads 12; without it the lead could fall
    /// short by up to a second.
    fn lead(&self) -> u64 {
        self.inner.jwks_max_age + ceil_secs(self.inner.maintenance) + 1
    }

    /// The `Cache-Control` of the JWK Set.
    pub(crate) fn jwks_cache_control(&self) -> http::HeaderValue {
        self.inner.jwks_cache_control.clone()
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

/// See [`Issuer::publication_window`].
fn publication_window(access_ttl: u64, maintenance: Duration) -> u64 {
    access_ttl + VERIFIER_LEEWAY + ceil_secs(maintenance)
}

/// A duration in whole seconds, rounded up.
fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}
