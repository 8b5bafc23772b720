//! Key rotation on a store: the next key published before it signs, or (in an
//! emergency) a new key at once; [`KeyRotation`] for a store no issuer runs in,
//! and the steps [`Issuer`](crate::Issuer) takes itself.

use jot_algorithms::Algorithm;
use jot_codec::{Clock, SystemClock};

use crate::IssuerError;
use crate::kek::{self, Kek, KekError};
use crate::keyring;
use crate::store::{self, IssuerStore, StoredKey};

/// How many times a rotation retries when another writer changed the keys
/// between its read and its compare-and-set.
const ATTEMPTS: usize = 3;

/// The result of a key rotation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RotatedKey {
    /// The new key's `kid`.
    pub kid: String,
    /// The `kid` of the key it replaces (or replaced), still published until its
    /// tokens expire (unless dropped).
    pub previous: Option<String>,
    /// The algorithm of the new key.
    pub alg: Algorithm,
    /// When the new key was published (seconds since the epoch).
    pub published_at: u64,
    /// When it signs from: its publication for an immediate rotation; for a next
    /// key, when the issuer that made it promotes it. `None` when it is up to the
    /// running issuers (a [`KeyRotation`] on a store): their
    /// [rotation lead](crate::Issuer::rotation_lead) after its publication.
    pub signs_from: Option<u64>,
    /// Whether it is the next key (published, not signing yet).
    pub next: bool,
    /// Whether the previous key was removed from the JWK Set ([`KeyRotation::drop_old`]).
    pub dropped: bool,
}

/// A key rotation on a store, without a running [`Issuer`](crate::Issuer): what
/// `jot rotate-key` does to a data directory or a database. Issuers serving from
/// the store follow on their maintenance ticks.
///
/// # The timeline
///
/// A planned rotation ([`Issuer::rotate_key`](crate::Issuer::rotate_key), the
/// scheduled one, `jot rotate-key`) adds a **next key**: published in the JWK Set
/// from now on, not signing. Every instance reloads its keys on each maintenance
/// tick, so within one maintenance interval every instance publishes it; a
/// verifier that fetched the JWK Set just before then keeps that copy for one
/// JWKS `max-age`. Once both have passed since the next key was published, the
/// first instance whose maintenance tick sees it promotes it
/// ([`IssuerStore::promote_key`], a compare-and-set: one promotion whatever the
/// number of instances), and from then on every instance signs with it within one
/// tick. No verifier ever sees a `kid` it could not have fetched already. The old
/// key stays published until the tokens it signed expire.
///
/// An **immediate** rotation ([`KeyRotation::now`], `jot rotate-key --now`) is the
/// emergency switch for a compromised key: the new key signs at once (verifiers
/// refetch the JWK Set on the unknown `kid`), a next key waiting is dropped, and
/// with [`KeyRotation::drop_old`] the old key leaves the JWK Set at once, so the
/// tokens it signed stop verifying as soon as verifiers refetch.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use jot_algorithms::Algorithm;
/// use jot_issuer::{Issuer, KeyRotation, store::MemoryStore};
///
/// let store = std::sync::Arc::new(MemoryStore::new());
/// let issuer = Issuer::builder("https://auth.example.com").shared_store(store.clone()).build().await?;
/// let first = issuer.current_kid();
///
/// // Planned: published now, signing once verifiers can have fetched it.
/// let next = KeyRotation::new().algorithm(Algorithm::EdDSA).run(&*store).await?;
/// assert!(next.next);
/// issuer.reload_keys().await?;
/// assert_eq!(issuer.current_kid(), first);
/// assert_eq!(issuer.next_kid(), Some(next.kid.clone()));
///
/// // Emergency: a new key signs at once and the old one leaves the JWK Set.
/// let now = KeyRotation::new().now(true).drop_old(true).run(&*store).await?;
/// issuer.reload_keys().await?;
/// assert_eq!(issuer.current_kid(), now.kid);
/// assert_eq!(issuer.next_kid(), None, "the next key waiting was dropped");
/// assert_eq!(issuer.jwks().keys.len(), 1);
/// # Ok::<(), jot_issuer::IssuerError>(()) }).unwrap();
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct KeyRotation {
    alg: Option<Algorithm>,
    kek: Option<Kek>,
    now: bool,
    drop_old: bool,
}

impl KeyRotation {
    /// A planned rotation to a key of the current key's algorithm (ES256 on an
    /// empty store).
    pub fn new() -> Self {
        Self::default()
    }

    /// The algorithm of the new key.
    pub fn algorithm(mut self, alg: Algorithm) -> Self {
        self.alg = Some(alg);
        self
    }

    /// The key-encryption key that seals the store's private keys (required when
    /// they are sealed, or when the store [requires one](IssuerStore::requires_kek)).
    /// It must open the current key: a key sealed under another KEK would leave
    /// the running issuers unable to sign with it.
    pub fn kek(mut self, kek: Kek) -> Self {
        self.kek = Some(kek);
        self
    }

    /// `true`: the new key signs at once (the emergency switch for a compromised
    /// key); a next key waiting is dropped. Default `false`: the timeline.
    pub fn now(mut self, now: bool) -> Self {
        self.now = now;
        self
    }

    /// `true`: also remove the old key from the JWK Set at once, so the tokens it
    /// signed stop verifying once verifiers refetch. Implies [`now`](Self::now).
    pub fn drop_old(mut self, drop: bool) -> Self {
        self.drop_old = drop;
        self
    }

    /// Rotates the key of `store`. A planned rotation while a next key already
    /// waits returns that key, unchanged.
    pub async fn run(&self, store: &dyn IssuerStore) -> Result<RotatedKey, IssuerError> {
        let alg = match self.alg {
            Some(alg) => alg,
            None => stored_algorithm(store).await?.unwrap_or(Algorithm::ES256),
        };
        keyring::check_algorithm(alg)?;
        let kek = self.kek.as_ref();
        let now = SystemClock.now().seconds();
        if self.now || self.drop_old {
            rotate_now(store, alg, now, kek, self.drop_old).await
        } else {
            publish_next(store, alg, now, kek).await
        }
    }
}

/// The algorithm of the newest key of `store` that signs or will sign: the next
/// key's, else the current key's; `None` on an empty store.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use jot_issuer::{stored_algorithm, store::MemoryStore};
///
/// assert_eq!(stored_algorithm(&MemoryStore::new()).await?, None);
/// # Ok::<(), jot_issuer::IssuerError>(()) }).unwrap();
/// ```
pub async fn stored_algorithm(store: &dyn IssuerStore) -> Result<Option<Algorithm>, IssuerError> {
    let keys = store.load_keys().await?;
    Ok(store::next_key(&keys)
        .or_else(|| store::current_key(&keys))
        .map(|k| k.alg))
}

/// Adds a new `alg` key to `store` as the next key (or returns the one waiting).
pub(crate) async fn publish_next(
    store: &dyn IssuerStore,
    alg: Algorithm,
    now: u64,
    kek: Option<&Kek>,
) -> Result<RotatedKey, IssuerError> {
    require_kek(store, kek)?;
    for _ in 0..ATTEMPTS {
        let keys = store.load_keys().await?;
        let current = store::current_key(&keys).ok_or(IssuerError::NoSigningKey)?;
        check_kek(current, kek)?;
        if let Some(next) = store::next_key(&keys) {
            return Ok(next_rotated(next, &current.kid));
        }
        let key = keyring::generate(alg, now, kek)?;
        if store.add_next_key(key.clone(), &current.kid).await? {
            crate::meter::key_rotated();
            tracing::info!(target: "jot_issuer", kid = %key.kid, current = %current.kid, %alg, "next signing key published");
            return Ok(next_rotated(&key, &current.kid));
        }
        // Another writer added a next key or rotated: read again.
    }
    Err(IssuerError::RotationContended)
}

/// Replaces the current key of `store` by a new `alg` key at once; with
/// `drop_old`, the old key is removed from the store (and the JWK Set) too.
pub(crate) async fn rotate_now(
    store: &dyn IssuerStore,
    alg: Algorithm,
    now: u64,
    kek: Option<&Kek>,
    drop_old: bool,
) -> Result<RotatedKey, IssuerError> {
    require_kek(store, kek)?;
    let keys = store.load_keys().await?;
    let current = store::current_key(&keys);
    if let Some(current) = current.filter(|k| k.private_pem.is_some()) {
        check_kek(current, kek)?;
    }
    let previous = current.map(|k| k.kid.clone());
    let key = keyring::generate(alg, now, kek)?;
    let kid = key.kid.clone();
    if !store.add_key(key, previous.as_deref(), now).await? {
        // Another writer rotated between our read and write: theirs stands.
        let keys = store.load_keys().await?;
        let current = store::current_key(&keys).ok_or(IssuerError::NoSigningKey)?;
        return Ok(RotatedKey {
            kid: current.kid.clone(),
            previous,
            alg: current.alg,
            published_at: current.created_at,
            signs_from: Some(current.signing_since()),
            next: false,
            dropped: false,
        });
    }
    let mut dropped = false;
    if let Some(old) = previous.as_deref().filter(|_| drop_old) {
        store.remove_key(old).await?;
        dropped = true;
        tracing::warn!(target: "jot_issuer", kid = %old, "old signing key removed from the JWK Set");
    }
    crate::meter::key_rotated();
    tracing::info!(target: "jot_issuer", %kid, previous = previous.as_deref(), %alg, "signing key replaced at once");
    Ok(RotatedKey {
        kid,
        previous,
        alg,
        published_at: now,
        signs_from: Some(now),
        next: false,
        dropped,
    })
}

/// A store that needs a KEK gets one.
fn require_kek(store: &dyn IssuerStore, kek: Option<&Kek>) -> Result<(), KekError> {
    if store.requires_kek() && kek.is_none() {
        return Err(KekError::Required);
    }
    Ok(())
}

/// The KEK given is the one the current key is sealed with (or there is none
/// and the key is plain); a current key without its private key cannot rotate
/// on the timeline (it cannot sign until the next key is promoted).
fn check_kek(current: &StoredKey, kek: Option<&Kek>) -> Result<(), IssuerError> {
    let stored = current
        .private_pem
        .as_ref()
        .ok_or_else(|| IssuerError::MissingPrivateKey {
            kid: current.kid.clone(),
        })?;
    kek::open(kek, &current.kid, stored)?;
    Ok(())
}

fn next_rotated(next: &StoredKey, current: &str) -> RotatedKey {
    RotatedKey {
        kid: next.kid.clone(),
        previous: Some(current.to_owned()),
        alg: next.alg,
        published_at: next.created_at,
        signs_from: None,
        next: true,
        dropped: false,
    }
}
