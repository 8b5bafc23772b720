//! JWK Sets (RFC 7517 §5) and [`KeySet`], the verifier that picks a key by `kid`.

use std::collections::HashMap;
use std::sync::Arc;

use jot_codec::{Algorithm, AlgorithmFamily, Verifier, VerifyError};
use serde::{Deserialize, Serialize};

use crate::{Jwk, KeyError, VerifyingKey};

/// A JWK Set document: `{"keys": [...]}` plus any other members.
///
/// ```
/// use jot_algorithms::JwkSet;
///
/// let set: JwkSet = r#"{"keys":[{"kty":"oct","k":"c2VjcmV0"}],"x":1}"#.parse()?;
/// assert_eq!(set.keys.len(), 1);
/// # Ok::<(), jot_algorithms::KeyError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JwkSet {
    /// The keys.
    pub keys: Vec<Jwk>,
    /// Members other than `keys`, kept as they were.
    #[serde(flatten)]
    pub other: std::collections::BTreeMap<String, serde_json::Value>,
}

impl JwkSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a JWK Set from JSON.
    pub fn from_json(json: &str) -> Result<Self, KeyError> {
        serde_json::from_str(json).map_err(|_| KeyError::InvalidJwk {
            reason: "not a JWK Set ({\"keys\": [...]})",
        })
    }

    /// Serializes the set as compact JSON.
    pub fn to_json(&self) -> String {
        // A JwkSet holds strings and JSON values only; serializing to a String cannot fail.
        #[allow(clippy::expect_used)]
        serde_json::to_string(self).expect("a JwkSet always serializes")
    }

    /// The key with this `kid`, if any (the first, if several).
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }
}

impl std::str::FromStr for JwkSet {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JwkSet::from_json(s)
    }
}

/// A JWK of a set that [`KeySet`] could not use, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnusableKey {
    /// Its position in the set's `keys`.
    pub index: usize,
    /// Its `kid`, if it had one.
    pub kid: Option<String>,
    /// Why it cannot be used.
    pub error: KeyError,
}

/// A set of [`VerifyingKey`]s that implements [`Verifier`], picking the key by
/// the token's `kid`.
///
/// # Key selection rules
///
/// - A token **with** a `kid` is verified only with the set's keys whose `kid` is
///   exactly that string (a hash-map lookup, no allocation). If none has it:
///   [`VerifyError::UnknownKey`]. Keys without a `kid` are never picked for it.
/// - **Duplicate `kid`s**: the same key may appear under one `kid` for several
///   algorithms (e.g. RS256 and PS256); the entry for the token's `alg` is used. Two
///   *different* keys under one `kid` make it ambiguous which one the issuer meant:
///   all of them are set aside ([`KeyError::DuplicateKid`]), as is every shared secret
///   in a set that also holds public keys ([`KeyError::MixedKeySet`]). If no key under
///   the `kid` is for the token's `alg`: [`VerifyError::AlgorithmNotAllowed`].
/// - A token **without** a `kid` is verified only if the set holds exactly one key
///   for the token's `alg`; otherwise [`VerifyError::UnknownKey`] (jot does not try
///   every key, which would multiply the verification cost an attacker can cause).
/// - Each key keeps its own algorithm: the header's `alg` never changes how a key is
///   used. An OKP key published without `alg` is entered twice, for `EdDSA` and for
///   its curve's fully-specified name (`Ed25519` or `Ed448`, RFC 9864): one
///   algorithm under two names. JWKs that cannot be used for signature verification (`use: "enc"`,
///   `key_ops` without `verify`, unknown `kty` or curve, no determinable algorithm,
///   weak or malformed) are set aside and reported by [`KeySet::unusable`]; they
///   never make the whole set fail.
///
/// Built once; cloning is cheap (one [`Arc`]).
///
/// # Example
///
/// ```
/// use jot_algorithms::{Algorithm, KeySet, SigningKey, Signer, Verifier, VerifyError};
///
/// let a = SigningKey::generate(Algorithm::ES256)?.with_kid("a");
/// let b = SigningKey::generate(Algorithm::EdDSA)?.with_kid("b");
/// let set = KeySet::from_keys([a.verifying_key(), b.verifying_key()]);
///
/// let mut sig = Vec::new();
/// b.sign(b"input", &mut sig)?;
/// assert_eq!(set.verify(Algorithm::EdDSA, Some("b"), b"input", &sig), Ok(()));
/// assert_eq!(set.verify(Algorithm::EdDSA, Some("c"), b"input", &sig), Err(VerifyError::UnknownKey));
/// assert_eq!(set.verify(Algorithm::ES256, Some("b"), b"input", &sig), Err(VerifyError::AlgorithmNotAllowed));
///
/// // From a JWK Set document (the public keys only).
/// let jwks = set.to_jwk_set()?.to_json();
/// let again = KeySet::from_jwks_json(&jwks)?;
/// assert_eq!(again.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    keys: Vec<VerifyingKey>,
    by_kid: HashMap<Box<str>, Vec<usize>>,
    /// For each algorithm, the one key for it, or `None` when there are several.
    sole_by_alg: HashMap<Algorithm, Option<usize>>,
    unusable: Vec<UnusableKey>,
}

impl KeySet {
    /// A set of the given keys.
    pub fn from_keys(keys: impl IntoIterator<Item = VerifyingKey>) -> Self {
        Self::build(keys.into_iter().enumerate().collect(), Vec::new())
    }

    /// A set of the usable keys of a JWK Set. Keys without an `alg` member are used
    /// only if their curve implies one (EC, OKP); RSA and oct keys without `alg` are
    /// reported as unusable — see [`KeySet::from_jwk_set_assuming`].
    pub fn from_jwk_set(set: &JwkSet) -> Self {
        Self::from_jwk_set_assuming(set, &[])
    }

    /// Like [`KeySet::from_jwk_set`], but a JWK without `alg` whose algorithm the key
    /// does not imply gets the first algorithm of `assume` that fits its type — e.g.
    /// `&[Algorithm::RS256]` for issuers that publish RSA keys without `alg`.
    pub fn from_jwk_set_assuming(set: &JwkSet, assume: &[Algorithm]) -> Self {
        let mut keys = Vec::with_capacity(set.keys.len());
        let mut unusable = Vec::new();
        for (index, jwk) in set.keys.iter().enumerate() {
            match key_from_jwk(jwk, assume) {
                Ok(key) => {
                    // An OKP key without `alg` serves its curve's fully-specified
                    // name (RFC 9864 `Ed25519`/`Ed448`) as well as `EdDSA`: the same
                    // algorithm on the same key under either name.
                    if jwk.alg.is_none() && key.algorithm() == Algorithm::EdDSA {
                        if let Some(named) = [Algorithm::Ed25519, Algorithm::Ed448]
                            .into_iter()
                            .find_map(|alg| key.for_algorithm(alg).ok())
                        {
                            keys.push((index, named));
                        }
                    }
                    keys.push((index, key));
                }
                Err(error) => unusable.push(UnusableKey {
                    index,
                    kid: jwk.kid.clone(),
                    error,
                }),
            }
        }
        Self::build(keys, unusable)
    }

    /// Parses a JWK Set document and builds the set from it. Only a document that is
    /// not a JWK Set at all is an error; unusable keys are reported by [`KeySet::unusable`].
    pub fn from_jwks_json(json: &str) -> Result<Self, KeyError> {
        Ok(Self::from_jwk_set(&JwkSet::from_json(json)?))
    }

    /// The usable keys, in set order.
    pub fn keys(&self) -> &[VerifyingKey] {
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
    pub fn unusable(&self) -> &[UnusableKey] {
        &self.inner.unusable
    }

    /// The keys with this `kid`.
    pub fn get(&self, kid: &str) -> impl Iterator<Item = &VerifyingKey> {
        self.inner
            .by_kid
            .get(kid)
            .into_iter()
            .flatten()
            .map(|&i| &self.inner.keys[i])
    }

    /// The public keys as a JWK Set document (e.g. for `/.well-known/jwks.json`).
    /// Fails if the set holds an HMAC key, which has no public form.
    pub fn to_jwk_set(&self) -> Result<JwkSet, KeyError> {
        let keys = self
            .inner
            .keys
            .iter()
            .map(VerifyingKey::to_jwk)
            .collect::<Result<_, _>>()?;
        Ok(JwkSet {
            keys,
            ..JwkSet::default()
        })
    }

    /// Sets aside what makes a set ambiguous, then indexes the rest:
    /// - keys that share a `kid` (all of them: which one the issuer meant is unknowable);
    /// - shared secrets (`oct`) in a set that also holds public keys, which is how a
    ///   published key set ends up verifying with a secret.
    fn build(candidates: Vec<(usize, VerifyingKey)>, mut unusable: Vec<UnusableKey>) -> Self {
        let has_public = candidates
            .iter()
            .any(|(_, k)| k.algorithm().family() != AlgorithmFamily::Hmac);
        // Keys under one kid must be one key (e.g. the same RSA key for RS256 and PS256).
        let mut prints: HashMap<&str, Vec<Option<String>>> = HashMap::new();
        for (_, key) in &candidates {
            if let Some(kid) = key.kid() {
                prints.entry(kid).or_default().push(key.thumbprint().ok());
            }
        }
        // A kid also borne by a malformed or weak entry is ambiguous too: which key the
        // issuer meant cannot be known. Entries set aside by policy (for encryption, an
        // unsupported type) do not count.
        for u in &unusable {
            let policy = matches!(
                u.error,
                KeyError::JwkUsage { .. }
                    | KeyError::UnsupportedKeyType { .. }
                    | KeyError::AlgorithmRequired { .. }
                    | KeyError::AlgorithmDisabled { .. }
                    | KeyError::AlgorithmMismatch { .. }
            );
            if let (false, Some(kid)) = (policy, u.kid.as_deref()) {
                if let Some(p) = prints.get_mut(kid) {
                    p.push(None);
                }
            }
        }
        let ambiguous = |kid: &str| {
            prints
                .get(kid)
                .is_some_and(|p| p.len() > 1 && (p[0].is_none() || p.iter().any(|x| *x != p[0])))
        };
        let mut set_aside = Vec::new();
        for (index, key) in &candidates {
            let error = if key.kid().is_some_and(ambiguous) {
                Some(KeyError::DuplicateKid)
            } else if has_public && key.algorithm().family() == AlgorithmFamily::Hmac {
                Some(KeyError::MixedKeySet)
            } else {
                None
            };
            if let Some(error) = error {
                set_aside.push((*index, key.kid().map(String::from), error));
            }
        }
        let keys: Vec<VerifyingKey> = candidates
            .into_iter()
            .filter(|(index, _)| !set_aside.iter().any(|(i, _, _)| i == index))
            .map(|(_, key)| key)
            .collect();
        unusable.extend(
            set_aside
                .into_iter()
                .map(|(index, kid, error)| UnusableKey { index, kid, error }),
        );
        unusable.sort_by_key(|u| u.index);
        let mut by_kid: HashMap<Box<str>, Vec<usize>> = HashMap::new();
        let mut sole_by_alg: HashMap<Algorithm, Option<usize>> = HashMap::new();
        for (i, key) in keys.iter().enumerate() {
            if let Some(kid) = key.kid() {
                by_kid.entry(kid.into()).or_default().push(i);
            }
            sole_by_alg
                .entry(key.algorithm())
                .and_modify(|sole| *sole = None)
                .or_insert(Some(i));
        }
        KeySet {
            inner: Arc::new(Inner {
                keys,
                by_kid,
                sole_by_alg,
                unusable,
            }),
        }
    }
}

impl Verifier for KeySet {
    fn verify(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), VerifyError> {
        let inner = &*self.inner;
        match kid {
            Some(kid) => {
                let candidates = inner.by_kid.get(kid).ok_or(VerifyError::UnknownKey)?;
                let mut alg_matched = false;
                for &i in candidates {
                    let key = &inner.keys[i];
                    if key.algorithm() != alg {
                        continue;
                    }
                    alg_matched = true;
                    if key.verify_signature(signing_input, signature) {
                        return Ok(());
                    }
                }
                Err(if alg_matched {
                    VerifyError::InvalidSignature
                } else {
                    VerifyError::AlgorithmNotAllowed
                })
            }
            None => match inner.sole_by_alg.get(&alg) {
                Some(Some(i)) => {
                    if inner.keys[*i].verify_signature(signing_input, signature) {
                        Ok(())
                    } else {
                        Err(VerifyError::InvalidSignature)
                    }
                }
                _ => Err(VerifyError::UnknownKey),
            },
        }
    }
}

impl FromIterator<VerifyingKey> for KeySet {
    fn from_iter<I: IntoIterator<Item = VerifyingKey>>(iter: I) -> Self {
        Self::from_keys(iter)
    }
}

fn key_from_jwk(jwk: &Jwk, assume: &[Algorithm]) -> Result<VerifyingKey, KeyError> {
    match VerifyingKey::from_jwk_infer(jwk) {
        Err(KeyError::AlgorithmRequired { key_type }) => {
            let fits = |alg: &&Algorithm| match key_type {
                "RSA" => matches!(
                    alg.family(),
                    AlgorithmFamily::RsaPkcs1 | AlgorithmFamily::RsaPss
                ),
                "oct" => alg.family() == AlgorithmFamily::Hmac,
                _ => false,
            };
            match assume.iter().find(fits) {
                Some(&alg) => VerifyingKey::from_jwk(alg, jwk),
                None => Err(KeyError::AlgorithmRequired { key_type }),
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SigningKey;
    use jot_codec::Signer;

    fn sign(key: &SigningKey, input: &[u8]) -> Vec<u8> {
        let mut sig = Vec::new();
        key.sign(input, &mut sig).unwrap();
        sig
    }

    #[test]
    fn duplicate_kids_are_set_aside() {
        let a = SigningKey::generate(Algorithm::ES256)
            .unwrap()
            .with_kid("k");
        let b = SigningKey::generate(Algorithm::ES256)
            .unwrap()
            .with_kid("k");
        let c = SigningKey::generate(Algorithm::EdDSA)
            .unwrap()
            .with_kid("other");
        let set = KeySet::from_keys([a.verifying_key(), b.verifying_key(), c.verifying_key()]);
        let sig = sign(&a, b"in");
        assert_eq!(
            set.verify(Algorithm::ES256, Some("k"), b"in", &sig),
            Err(VerifyError::UnknownKey)
        );
        assert_eq!(set.len(), 1);
        let aside: Vec<_> = set
            .unusable()
            .iter()
            .map(|u| (u.index, u.error.clone()))
            .collect();
        assert_eq!(
            aside,
            [(0, KeyError::DuplicateKid), (1, KeyError::DuplicateKid)]
        );
        let sig = sign(&c, b"in");
        assert_eq!(
            set.verify(Algorithm::EdDSA, Some("other"), b"in", &sig),
            Ok(())
        );
        assert_eq!(set.verify(Algorithm::EdDSA, None, b"in", &sig), Ok(()));
    }

    #[test]
    fn one_key_under_one_kid_for_two_algorithms_is_fine() {
        let rs = SigningKey::from_pem(
            Algorithm::RS256,
            include_str!("../tests/data/rsa2048.pkcs8.pem"),
        )
        .unwrap();
        let public = rs.verifying_key().with_kid("r");
        let set = KeySet::from_keys([
            public.clone(),
            public.for_algorithm(Algorithm::PS256).unwrap(),
        ]);
        assert!(set.unusable().is_empty());
        assert_eq!(
            set.verify(Algorithm::RS256, Some("r"), b"in", &sign(&rs, b"in")),
            Ok(())
        );
    }

    #[test]
    fn secrets_beside_public_keys_are_set_aside() {
        let secret = SigningKey::hmac(Algorithm::HS256, [9u8; 32])
            .unwrap()
            .with_kid("s");
        let public = SigningKey::generate(Algorithm::ES256)
            .unwrap()
            .with_kid("p");
        let set = KeySet::from_keys([secret.verifying_key(), public.verifying_key()]);
        let sig = sign(&secret, b"in");
        assert_eq!(
            set.verify(Algorithm::HS256, Some("s"), b"in", &sig),
            Err(VerifyError::UnknownKey)
        );
        assert_eq!(set.unusable()[0].error, KeyError::MixedKeySet);
        // A set of secrets only is fine.
        let secrets = KeySet::from_keys([secret.verifying_key()]);
        assert_eq!(
            secrets.verify(Algorithm::HS256, Some("s"), b"in", &sig),
            Ok(())
        );
    }

    #[test]
    fn unusable_keys_are_reported_not_fatal() {
        let good = SigningKey::generate(Algorithm::ES256)
            .unwrap()
            .with_kid("good");
        let mut jwks = JwkSet::new();
        jwks.keys.push(good.verifying_key().to_jwk().unwrap());
        let mut enc = good.verifying_key().to_jwk().unwrap();
        enc.key_use = Some("enc".into());
        enc.kid = Some("enc".into());
        jwks.keys.push(enc);
        jwks.keys.push(Jwk {
            kty: "RSA".into(),
            kid: Some("no-alg".into()),
            n: Some("AQAB".into()),
            e: Some("AQAB".into()),
            ..Jwk::default()
        });
        jwks.keys.push(Jwk {
            kty: "XYZ".into(),
            ..Jwk::default()
        });
        let set = KeySet::from_jwks_json(&jwks.to_json()).unwrap();
        assert_eq!(set.len(), 1);
        let unusable: Vec<_> = set.unusable().iter().map(|u| u.index).collect();
        assert_eq!(unusable, [1, 2, 3]);
        assert_eq!(
            set.unusable()[0].error,
            KeyError::JwkUsage { needed: "verify" }
        );
        assert_eq!(
            set.unusable()[1].error,
            KeyError::AlgorithmRequired { key_type: "RSA" }
        );
        let sig = sign(&good, b"x");
        assert_eq!(
            set.verify(Algorithm::ES256, Some("good"), b"x", &sig),
            Ok(())
        );
        assert_eq!(
            set.verify(Algorithm::ES256, Some("enc"), b"x", &sig),
            Err(VerifyError::UnknownKey)
        );
    }

    #[test]
    fn hmac_jwk_in_a_set_keeps_its_algorithm() {
        let jwks = r#"{"keys":[{"kty":"oct","kid":"h","alg":"HS256","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}]}"#;
        let set = KeySet::from_jwks_json(jwks).unwrap();
        assert_eq!(set.keys()[0].algorithm(), Algorithm::HS256);
        let assumed = KeySet::from_jwk_set_assuming(
            &r#"{"keys":[{"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}]}"#
                .parse()
                .unwrap(),
            &[Algorithm::RS256, Algorithm::HS256],
        );
        assert_eq!(assumed.keys()[0].algorithm(), Algorithm::HS256);
    }

    #[test]
    fn an_okp_key_without_alg_serves_eddsa_and_its_fully_specified_name() {
        let mut curves = vec![Algorithm::Ed25519];
        if cfg!(feature = "ed448") {
            curves.push(Algorithm::Ed448);
        }
        for named in curves {
            let signer = SigningKey::generate(named).unwrap().with_kid("k");
            let mut jwk = signer.verifying_key().to_jwk().unwrap();
            jwk.alg = None;
            let set = KeySet::from_jwk_set(&JwkSet {
                keys: vec![jwk.clone()],
                ..JwkSet::default()
            });
            assert!(set.unusable().is_empty(), "{named}: {:?}", set.unusable());
            let sig = sign(&signer, b"input");
            // The signature is the same whichever name the token carries.
            for alg in [named, Algorithm::EdDSA] {
                set.verify(alg, Some("k"), b"input", &sig)
                    .unwrap_or_else(|e| panic!("{named} key as {alg}: {e}"));
                set.verify(alg, None, b"input", &sig)
                    .unwrap_or_else(|e| panic!("{named} key as {alg}, no kid: {e}"));
                assert!(set.verify(alg, Some("k"), b"other", &sig).is_err());
            }
            let other = if named == Algorithm::Ed25519 {
                Algorithm::Ed448
            } else {
                Algorithm::Ed25519
            };
            assert!(matches!(
                set.verify(other, Some("k"), b"input", &sig),
                Err(VerifyError::AlgorithmNotAllowed)
            ));
            // A key published with `alg` keeps to it.
            jwk.alg = Some("EdDSA".into());
            let strict = KeySet::from_jwk_set(&JwkSet {
                keys: vec![jwk],
                ..JwkSet::default()
            });
            assert_eq!(strict.keys().len(), 1);
            assert!(matches!(
                strict.verify(named, Some("k"), b"input", &sig),
                Err(VerifyError::AlgorithmNotAllowed)
            ));
        }
    }
}
