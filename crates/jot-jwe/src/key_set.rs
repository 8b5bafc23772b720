//! [`DecryptionKeySet`]: several [`DecryptionKey`]s, one picked per token by its
//! `kid` (or, without one, by its `alg`), and [`Decrypter`], what every decrypting
//! function of this crate takes.

use std::collections::HashMap;
use std::sync::Arc;

use jot_algorithms::{Jwk, JwkSet};

use crate::{Curve, DecryptionKey, Error, JweHeader, KeyAlgorithm, KeyError};

/// What decrypts a JWE: one [`DecryptionKey`], or a [`DecryptionKeySet`] that picks
/// the key for each token. Every decrypting function of this crate ([`crate::decrypt`],
/// [`crate::decrypt_claims`], [`crate::decrypt_then_verify`], ...) takes either.
///
/// The trait is sealed: jot implements it for its key types only.
///
/// ```
/// use jot_jwe::{decrypt, encrypt, ContentEncryption, Decrypter, DecryptionKey,
///               DecryptionKeySet, DecryptionPolicy, HeaderOptions, KeyAlgorithm};
///
/// fn open(with: &impl Decrypter, token: &str) -> Result<Vec<u8>, jot_jwe::Error> {
///     Ok(decrypt(with, token, &DecryptionPolicy::new())?.plaintext)
/// }
/// let key = DecryptionKey::generate(KeyAlgorithm::A256KW)?.with_kid("k1");
/// let token = encrypt(&key.encryption_key(), ContentEncryption::A256GCM, &HeaderOptions::new(), b"hi")?;
/// assert_eq!(open(&key, &token)?, b"hi");
/// let set = DecryptionKeySet::from_keys([key]);
/// assert_eq!(open(&set, &token)?, b"hi");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Decrypter: sealed::Sealed {
    /// The one key that decrypts the token with this protected header, or why there
    /// is none. A single [`DecryptionKey`] is always returned as is (its algorithm is
    /// checked afterwards, as [`Error::AlgorithmNotAllowed`]).
    fn key_for(&self, header: &JweHeader) -> Result<&DecryptionKey, Error>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::DecryptionKey {}
    impl Sealed for super::DecryptionKeySet {}
}

impl Decrypter for DecryptionKey {
    fn key_for(&self, _header: &JweHeader) -> Result<&DecryptionKey, Error> {
        Ok(self)
    }
}

/// A JWK of a set that [`DecryptionKeySet`] could not use, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnusableDecryptionKey {
    /// Its position in the set (the JWK Set's `keys`, or the list given).
    pub index: usize,
    /// Its `kid`, if it had one.
    pub kid: Option<String>,
    /// Why it cannot be used.
    pub error: KeyError,
}

/// A set of [`DecryptionKey`]s that picks, for each token, the one key to decrypt
/// it with.
///
/// # Key selection rules
///
/// - A token **with** a `kid` is decrypted only with the set's key whose `kid` is
///   exactly that string and whose algorithm is the token's `alg` (a `dir` key bound
///   to one `enc` must also match the token's `enc`). No key with the `kid`:
///   [`Error::UnknownKid`]; keys with the `kid` but none for the `alg`:
///   [`Error::NoKeyForAlgorithm`]. Keys without a `kid` are never picked for it.
/// - A token **without** a `kid` is decrypted only if the set holds exactly one key
///   for its `alg` (and its `enc`, for `dir` keys bound to one; and the curve of its
///   `epk`, for ECDH-ES). None: [`Error::NoKeyForAlgorithm`]; several:
///   [`Error::AmbiguousKey`]. jot does not try every key.
/// - **Duplicate `kid`s**: one key may appear under one `kid` for several
///   algorithms (an RSA key for `RSA-OAEP` and `RSA-OAEP-256`). Two *different* keys
///   under one `kid` make it unknowable which one the sender meant: all of them are
///   set aside ([`KeyError::DuplicateKid`]).
/// - JWKs that cannot decrypt are set aside and reported by
///   [`DecryptionKeySet::unusable`], never making the whole set fail: public keys
///   ([`KeyError::LooksLikePublicKey`]), keys for signatures (`use: "sig"`, `key_ops`
///   without `decrypt`/`unwrapKey`/`deriveKey`/`deriveBits`: [`KeyError::JwkUsage`]),
///   keys without `alg` ([`KeyError::AlgorithmRequired`], see
///   [`DecryptionKeySet::from_jwk_set_assuming`]), unsupported types or curves, weak
///   or malformed keys.
///
/// # No oracle
///
/// At most one key is ever tried, chosen from the header alone (`kid`, `alg`, `enc`,
/// the `epk`'s curve) and the set's public attributes. The selection errors therefore
/// tell nothing about any secret; once a key is chosen, every failure that depends on
/// it — a key that does not unwrap, a bad tag, bad padding — is the same
/// [`Error::Decryption`] as with a single key.
///
/// Built once; cloning is cheap (one [`Arc`]).
///
/// # Example
///
/// ```
/// use jot_jwe::{decrypt, encrypt, ContentEncryption, DecryptionKey, DecryptionKeySet,
///               DecryptionPolicy, Error, HeaderOptions, KeyAlgorithm};
///
/// let rsa = DecryptionKey::generate(KeyAlgorithm::RSA_OAEP_256)?.with_kid("rsa");
/// let ec = DecryptionKey::generate(KeyAlgorithm::ECDH_ES)?; // no kid
/// let to_rsa = rsa.encryption_key();
/// let to_ec = ec.encryption_key();
/// let set = DecryptionKeySet::from_keys([rsa, ec]);
/// let (policy, opts) = (DecryptionPolicy::new(), HeaderOptions::new());
///
/// // By kid: the token says "kid": "rsa".
/// let token = encrypt(&to_rsa, ContentEncryption::A256GCM, &opts, b"to rsa")?;
/// assert_eq!(decrypt(&set, &token, &policy)?.plaintext, b"to rsa");
/// // Without a kid: the set holds one key for ECDH-ES.
/// let token = encrypt(&to_ec, ContentEncryption::A256GCM, &opts, b"to ec")?;
/// assert_eq!(decrypt(&set, &token, &policy)?.plaintext, b"to ec");
/// // A kid the set does not have.
/// let token = encrypt(&to_rsa, ContentEncryption::A256GCM, &opts.clone().kid("old"), b"x")?;
/// assert!(matches!(decrypt(&set, &token, &policy), Err(Error::UnknownKid { .. })));
///
/// // From a JWK Set document (private keys).
/// let jwks = set.to_jwk_set()?.to_json();
/// assert_eq!(DecryptionKeySet::from_jwks_json(&jwks)?.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct DecryptionKeySet {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    keys: Vec<DecryptionKey>,
    by_kid: HashMap<Box<str>, Vec<usize>>,
    unusable: Vec<UnusableDecryptionKey>,
}

impl DecryptionKeySet {
    /// A set of the given keys (duplicate `kid`s are still set aside).
    pub fn from_keys(keys: impl IntoIterator<Item = DecryptionKey>) -> Self {
        Self::build(keys.into_iter().enumerate().collect(), Vec::new())
    }

    /// A set of the usable keys of a JWK Set (private keys and `oct` secrets whose
    /// `alg` names a JWE algorithm). Keys without `alg` are set aside
    /// ([`KeyError::AlgorithmRequired`]): an RSA or EC key does not say which JWE
    /// algorithm it is for. See [`DecryptionKeySet::from_jwk_set_assuming`].
    pub fn from_jwk_set(set: &JwkSet) -> Self {
        Self::from_jwk_set_assuming(set, &[])
    }

    /// Like [`DecryptionKeySet::from_jwk_set`], but a JWK without `alg` gets the first
    /// algorithm of `assume` its key fits (e.g. `&[KeyAlgorithm::RSA_OAEP_256,
    /// KeyAlgorithm::ECDH_ES_A256KW]`).
    pub fn from_jwk_set_assuming(set: &JwkSet, assume: &[KeyAlgorithm]) -> Self {
        let mut keys = Vec::with_capacity(set.keys.len());
        let mut unusable = Vec::new();
        for (index, jwk) in set.keys.iter().enumerate() {
            match key_from_jwk(jwk, assume) {
                Ok(key) => keys.push((index, key)),
                Err(error) => unusable.push(UnusableDecryptionKey {
                    index,
                    kid: jwk.kid.clone(),
                    error,
                }),
            }
        }
        Self::build(keys, unusable)
    }

    /// Parses a JWK Set document and builds the set from it. Only a document that is
    /// not a JWK Set at all is an error; unusable keys are reported by
    /// [`DecryptionKeySet::unusable`].
    pub fn from_jwks_json(json: &str) -> Result<Self, KeyError> {
        Ok(Self::from_jwk_set(&JwkSet::from_json(json)?))
    }

    /// The usable keys, in set order.
    pub fn keys(&self) -> &[DecryptionKey] {
        &self.inner.keys
    }

    /// The number of usable keys.
    pub fn len(&self) -> usize {
        self.inner.keys.len()
    }

    /// Whether there is no usable key.
    pub fn is_empty(&self) -> bool {
        self.inner.keys.is_empty()
    }

    /// The JWKs that were set aside, with the reason for each.
    pub fn unusable(&self) -> &[UnusableDecryptionKey] {
        &self.inner.unusable
    }

    /// The usable keys with this `kid`.
    pub fn get(&self, kid: &str) -> impl Iterator<Item = &DecryptionKey> {
        self.inner
            .by_kid
            .get(kid)
            .into_iter()
            .flatten()
            .map(|&i| &self.inner.keys[i])
    }

    /// The `kid`s of the usable keys, in set order, each once.
    pub fn kids(&self) -> Vec<&str> {
        let mut kids: Vec<&str> = Vec::new();
        for kid in self.inner.keys.iter().filter_map(DecryptionKey::kid) {
            if !kids.contains(&kid) {
                kids.push(kid);
            }
        }
        kids
    }

    /// The usable keys as a JWK Set document of **private** JWKs (for storing the set;
    /// publish `encryption_key().to_jwk()` of each key instead).
    pub fn to_jwk_set(&self) -> Result<JwkSet, KeyError> {
        let keys = self
            .inner
            .keys
            .iter()
            .map(DecryptionKey::to_jwk)
            .collect::<Result<_, _>>()?;
        let mut set = JwkSet::new();
        set.keys = keys;
        Ok(set)
    }

    /// Sets aside the keys that share a `kid` without being one key, then indexes the
    /// rest.
    fn build(
        candidates: Vec<(usize, DecryptionKey)>,
        mut unusable: Vec<UnusableDecryptionKey>,
    ) -> Self {
        let mut prints: HashMap<&str, Vec<Option<String>>> = HashMap::new();
        for (_, key) in &candidates {
            if let Some(kid) = key.kid() {
                prints.entry(kid).or_default().push(key.thumbprint().ok());
            }
        }
        // A kid also borne by a malformed or weak entry is ambiguous too. Entries set
        // aside by policy (public keys, keys for signatures, no algorithm) do not count.
        for u in &unusable {
            let policy = matches!(
                u.error,
                KeyError::JwkUsage { .. }
                    | KeyError::LooksLikePublicKey
                    | KeyError::AlgorithmRequired
                    | KeyError::AlgorithmMismatch { .. }
                    | KeyError::DangerousAlgorithm
                    | KeyError::Disabled { .. }
                    | KeyError::Unsupported { .. }
            );
            if let (false, Some(kid)) = (policy, u.kid.as_deref()) {
                if let Some(p) = prints.get_mut(kid) {
                    p.push(None);
                }
            }
        }
        let ambiguous: Vec<String> = prints
            .into_iter()
            .filter(|(_, p)| p.len() > 1 && (p[0].is_none() || p.iter().any(|x| *x != p[0])))
            .map(|(kid, _)| kid.to_owned())
            .collect();
        let ambiguous = |kid: &str| ambiguous.iter().any(|a| a == kid);
        let mut keys = Vec::with_capacity(candidates.len());
        for (index, key) in candidates {
            if key.kid().is_some_and(ambiguous) {
                unusable.push(UnusableDecryptionKey {
                    index,
                    kid: key.kid().map(String::from),
                    error: KeyError::DuplicateKid,
                });
            } else {
                keys.push(key);
            }
        }
        unusable.sort_by_key(|u| u.index);
        let mut by_kid: HashMap<Box<str>, Vec<usize>> = HashMap::new();
        for (i, key) in keys.iter().enumerate() {
            if let Some(kid) = key.kid() {
                by_kid.entry(kid.into()).or_default().push(i);
            }
        }
        DecryptionKeySet {
            inner: Arc::new(Inner {
                keys,
                by_kid,
                unusable,
            }),
        }
    }
}

impl Decrypter for DecryptionKeySet {
    fn key_for(&self, header: &JweHeader) -> Result<&DecryptionKey, Error> {
        let inner = &*self.inner;
        let fits = |key: &DecryptionKey| {
            key.alg == header.alg && key.enc.is_none_or(|enc| enc == header.enc)
        };
        match header.kid.as_deref() {
            Some(kid) => {
                let under_kid = inner.by_kid.get(kid).ok_or_else(|| Error::UnknownKid {
                    kid: jot_codec::clip_untrusted(kid),
                })?;
                // Keys under one kid are one key (see `build`), so at most one fits.
                under_kid
                    .iter()
                    .map(|&i| &inner.keys[i])
                    .find(|key| fits(key))
                    .ok_or_else(|| Error::NoKeyForAlgorithm {
                        alg: header.alg,
                        kid: Some(jot_codec::clip_untrusted(kid)),
                    })
            }
            None => {
                let curve = epk_curve(header);
                let mut found = inner.keys.iter().filter(|key| {
                    fits(key) && (curve.is_none() || key.curve().is_none() || key.curve() == curve)
                });
                match (found.next(), found.next()) {
                    (Some(key), None) => Ok(key),
                    (None, _) => Err(Error::NoKeyForAlgorithm {
                        alg: header.alg,
                        kid: None,
                    }),
                    (Some(_), Some(_)) => Err(Error::AmbiguousKey { alg: header.alg }),
                }
            }
        }
    }
}

impl FromIterator<DecryptionKey> for DecryptionKeySet {
    fn from_iter<I: IntoIterator<Item = DecryptionKey>>(iter: I) -> Self {
        Self::from_keys(iter)
    }
}

/// The curve named by the header's `epk`, if it has one jot knows.
fn epk_curve(header: &JweHeader) -> Option<Curve> {
    header
        .get("epk")
        .and_then(|epk| epk.get("crv"))
        .and_then(|crv| crv.as_str())
        .and_then(Curve::from_name)
}

fn key_from_jwk(jwk: &Jwk, assume: &[KeyAlgorithm]) -> Result<DecryptionKey, KeyError> {
    match DecryptionKey::from_jwk_infer(jwk) {
        Err(KeyError::AlgorithmRequired) => assume
            .iter()
            .find_map(|&alg| DecryptionKey::from_jwk(alg, jwk).ok())
            .ok_or(KeyError::AlgorithmRequired),
        other => other,
    }
}
