//! The keys in use: the current signing key and every public key still published.

use jot_algorithms::{Algorithm, KeySet, SigningKey, VerifyingKey};

use crate::IssuerError;
use crate::store::{PrivateKeyPem, StoredKey, current_key};

/// A snapshot of the keys, rebuilt from the store after each rotation or reload.
#[derive(Debug)]
pub(crate) struct KeyRing {
    /// Signs new tokens.
    pub(crate) current: SigningKey,
    /// When the current key was created.
    pub(crate) current_created: u64,
    /// The current key's algorithm: a scheduled rotation keeps it.
    pub(crate) current_alg: Algorithm,
    /// The algorithms of the published keys, the current key's first, each once:
    /// what discovery advertises.
    pub(crate) algorithms: Vec<Algorithm>,
    /// The current key and the retired keys still published.
    pub(crate) published: KeySet,
    /// `{"keys":[…]}` of `published`.
    pub(crate) jwks_json: String,
    /// Retired keys past their publication window (to remove from the store).
    pub(crate) expired: Vec<String>,
}

impl KeyRing {
    /// Builds the ring from stored keys. A retired key stays published until
    /// `retired_at + window` (the longest a token it signed can still be accepted).
    pub(crate) fn build(keys: &[StoredKey], now: u64, window: u64) -> Result<KeyRing, IssuerError> {
        let current = current_key(keys).ok_or(IssuerError::NoSigningKey)?;
        let pem = current
            .private_pem
            .as_ref()
            .ok_or_else(|| IssuerError::MissingPrivateKey {
                kid: current.kid.clone(),
            })?;
        let signing = SigningKey::from_pem(current.alg, &pem.0)?.with_kid(current.kid.clone());
        let mut published = vec![signing.verifying_key()];
        let mut algorithms = vec![current.alg];
        let mut expired = Vec::new();
        let mut others: Vec<&StoredKey> = keys.iter().filter(|k| k.kid != current.kid).collect();
        others.sort_by_key(|k| std::cmp::Reverse(k.created_at));
        for key in others {
            let until = key
                .retired_at
                .unwrap_or(key.created_at)
                .saturating_add(window);
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
            current_created: current.created_at,
            current_alg: current.alg,
            algorithms,
            published,
            jwks_json,
            expired,
        })
    }
}

/// Generates a key for `alg` with its RFC 7638 thumbprint as `kid`, as stored.
pub(crate) fn generate(alg: Algorithm, now: u64) -> Result<StoredKey, IssuerError> {
    check_algorithm(alg)?;
    let key = SigningKey::generate(alg)?.with_thumbprint_kid()?;
    let kid = key.kid().unwrap_or_default().to_owned();
    Ok(StoredKey {
        kid,
        alg,
        created_at: now,
        retired_at: None,
        public_jwk: key.verifying_key().to_jwk()?,
        private_pem: Some(PrivateKeyPem(key.to_pkcs8_pem()?)),
    })
}

/// The issuer publishes its keys, so it signs with asymmetric algorithms only.
pub(crate) fn check_algorithm(alg: Algorithm) -> Result<(), IssuerError> {
    if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
        return Err(IssuerError::UnsupportedAlgorithm { alg });
    }
    Ok(())
}
