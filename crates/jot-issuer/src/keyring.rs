//! The keys in use: the current signing key and every public key still published.

use jot_algorithms::{Algorithm, KeySet, SigningKey, VerifyingKey};

use crate::IssuerError;
use crate::kek::{self, Kek};
use crate::store::{PrivateKeyPem, StoredKey, current_key, next_key};

/// A snapshot of the keys, rebuilt from the store after each rotation or reload.
#[derive(Debug)]
pub(crate) struct KeyRing {
    /// Signs new tokens.
    pub(crate) current: SigningKey,
    /// Since when the current key signs (its promotion, else its creation).
    pub(crate) current_since: u64,
    /// The next key, published but not signing yet: its `kid` and when it was
    /// published.
    pub(crate) next: Option<(String, u64)>,
    /// The current key's algorithm: a scheduled rotation keeps it.
    pub(crate) current_alg: Algorithm,
    /// The algorithms of the published keys, the current key's first, each once:
    /// what discovery advertises.
    pub(crate) algorithms: Vec<Algorithm>,
    /// The current key, the next key and the retired keys still published.
    pub(crate) published: KeySet,
    /// `{"keys":[…]}` of `published`.
    pub(crate) jwks_json: String,
    /// Retired keys past their publication window (to remove from the store).
    pub(crate) expired: Vec<String>,
}

impl KeyRing {
    /// Builds the ring from stored keys, opening the current key's private key
    /// with `kek` (a sealed one needs it). The next key is published; a retired
    /// key stays published until `retired_at + window` (the longest a token it
    /// signed can still be accepted).
    pub(crate) fn build(
        keys: &[StoredKey],
        now: u64,
        window: u64,
        kek: Option<&Kek>,
    ) -> Result<KeyRing, IssuerError> {
        let current = current_key(keys).ok_or(IssuerError::NoSigningKey)?;
        let stored =
            current
                .private_pem
                .as_ref()
                .ok_or_else(|| IssuerError::MissingPrivateKey {
                    kid: current.kid.clone(),
                })?;
        let pem = kek::open(kek, &current.kid, stored)?;
        let signing = SigningKey::from_pem(current.alg, &pem.0)?.with_kid(current.kid.clone());
        let next = next_key(keys);
        let mut published = vec![signing.verifying_key()];
        let mut algorithms = vec![current.alg];
        let mut expired = Vec::new();
        let mut others: Vec<&StoredKey> = keys.iter().filter(|k| k.kid != current.kid).collect();
        // The next key first, then the others, newest first.
        others.sort_by_key(|k| (!k.next, std::cmp::Reverse(k.created_at)));
        for key in others {
            let until = match key.retired_at {
                None if key.next => u64::MAX,
                retired => retired.unwrap_or(key.created_at).saturating_add(window),
            };
            if until <= now {
                expired.push(key.kid.clone());
                continue;
            }
            match VerifyingKey::from_jwk(key.alg, &key.public_jwk) {
                Ok(public) => {
                    published.push(public.with_kid(key.kid.clone()));
                    if !algorithms.contains(&key.alg) {
                        algorithms.push(key.alg);
                    }
                }
                Err(error) => tracing::warn!(
                    target: "jot_issuer",
                    kid = %key.kid,
                    %error,
                    "stored public key unusable; not published"
                ),
            }
        }
        let published = KeySet::from_keys(published);
        let jwks_json = published.to_jwk_set()?.to_json();
        Ok(KeyRing {
            current: signing,
            current_since: current.signing_since(),
            next: next.map(|k| (k.kid.clone(), k.created_at)),
            current_alg: current.alg,
            algorithms,
            published,
            jwks_json,
            expired,
        })
    }
}

/// Generates a key for `alg` with its RFC 7638 thumbprint as `kid`, as stored:
/// its private key sealed with `kek` when there is one.
pub(crate) fn generate(
    alg: Algorithm,
    now: u64,
    kek: Option<&Kek>,
) -> Result<StoredKey, IssuerError> {
    check_algorithm(alg)?;
    let key = SigningKey::generate(alg)?.with_thumbprint_kid()?;
    let kid = key.kid().unwrap_or_default().to_owned();
    let private = kek::seal(kek, &kid, PrivateKeyPem(key.to_pkcs8_pem()?))?;
    Ok(StoredKey {
        kid,
        alg,
        created_at: now,
        retired_at: None,
        next: false,
        promoted_at: None,
        public_jwk: key.verifying_key().to_jwk()?,
        private_pem: Some(private),
    })
}

/// Checks that every private key in `keys` (the current and the next key's)
/// opens with `kek`, so a wrong KEK is found at start, not at the next
/// promotion; and seals, under `kek`, those stored plain. Returns whether any
/// was sealed (the keys need reloading).
pub(crate) async fn check_and_seal(
    store: &dyn crate::store::IssuerStore,
    keys: &[StoredKey],
    kek: Option<&Kek>,
) -> Result<bool, IssuerError> {
    let mut sealed = false;
    // The current key first: its error is the one to report.
    let current = current_key(keys).map(|k| k.kid.as_str());
    let mut keys: Vec<&StoredKey> = keys.iter().collect();
    keys.sort_by_key(|k| Some(k.kid.as_str()) != current);
    for key in keys {
        let Some(stored) = &key.private_pem else {
            continue;
        };
        let plain = kek::open(kek, &key.kid, stored)?;
        if let Some(kek) = kek.filter(|_| !kek::is_sealed(stored)) {
            let new = kek.seal(&key.kid, &plain)?;
            if store.replace_private_key(&key.kid, stored, new).await? {
                tracing::info!(target: "jot_issuer", kid = %key.kid, kek = %kek.id(), "private key sealed with the KEK");
                sealed = true;
            }
        }
    }
    Ok(sealed)
}

/// The issuer publishes its keys, so it signs with asymmetric algorithms only. Its
/// ID tokens carry `at_hash`, whose hash OpenID Connect derives from the algorithm:
/// Ed448 would need SHAKE256, and ML-DSA has no hash defined for it yet, so neither
/// signs the issuer's tokens.
pub(crate) fn check_algorithm(alg: Algorithm) -> Result<(), IssuerError> {
    let reason = match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            "it needs a public key to publish"
        }
        Algorithm::Ed448 | Algorithm::MlDsa44 | Algorithm::MlDsa65 | Algorithm::MlDsa87 => {
            "OpenID Connect gives it no at_hash the issuer computes (Ed448 needs SHAKE256, ML-DSA has none defined)"
        }
        _ => return Ok(()),
    };
    Err(IssuerError::UnsupportedAlgorithm { alg, reason })
}
