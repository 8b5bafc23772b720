//! [`SigningKey`] and [`VerifyingKey`]: typed keys bound to exactly one algorithm.
//!
//! A key is built once (parsing, checks and precomputation happen here) and then
//! signs or verifies any number of tokens. Clones are cheap: the key material is
//! behind an [`Arc`].

use std::fmt;
use std::sync::Arc;

use jot_codec::{Algorithm, SignError, Signer, Verifier, VerifyError};

use crate::ecdsa::{EcSigning, EcVerifying};
#[cfg(feature = "es256k")]
use crate::ecdsa_rustcrypto::k256_impl;
#[cfg(feature = "es512")]
use crate::ecdsa_rustcrypto::p521_impl;
#[cfg(feature = "ed448")]
use crate::ed448::{Ed448Signing, Ed448Verifying};
use crate::eddsa::{EdSigning, EdVerifying};
use crate::hmac::HmacKey;
#[cfg(feature = "ml-dsa")]
use crate::ml_dsa::{MlDsaSigning, MlDsaVerifying};
use crate::rsa::{RsaSigning, RsaVerifying};
use crate::{KeyError, KeyMaterial, OkpCurve};

/// A private key or HMAC secret that signs for exactly one [`Algorithm`].
///
/// ```
/// use jot_algorithms::{Algorithm, SigningKey, Signer, Verifier};
///
/// let key = SigningKey::generate(Algorithm::ES256)?.with_kid("2024-06");
/// let mut signature = Vec::new();
/// key.sign(b"header.payload", &mut signature)?;
///
/// let public = key.verifying_key();
/// public.verify(Algorithm::ES256, Some("2024-06"), b"header.payload", &signature)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    alg: Algorithm,
    kid: Option<Arc<str>>,
    inner: Arc<SigningInner>,
    // ML-DSA only: FIPS 204's deterministic variant instead of the hedged one.
    deterministic: bool,
}

/// A public key or HMAC secret that verifies exactly one [`Algorithm`].
///
/// As a [`Verifier`] it refuses every other algorithm with
/// [`VerifyError::AlgorithmNotAllowed`], and a token whose `kid` differs from the
/// key's `kid` (when both are set) with [`VerifyError::UnknownKey`].
///
/// ```
/// use jot_algorithms::{Algorithm, SigningKey, Signer, Verifier, VerifyError, VerifyingKey};
///
/// let secret = b"a secret of at least thirty-two bytes!!";
/// let signer = SigningKey::hmac(Algorithm::HS256, secret)?;
/// let verifier = VerifyingKey::hmac(Algorithm::HS256, secret)?;
/// let mut tag = Vec::new();
/// signer.sign(b"input", &mut tag)?;
/// assert_eq!(verifier.verify(Algorithm::HS256, None, b"input", &tag), Ok(()));
/// assert_eq!(
///     verifier.verify(Algorithm::HS512, None, b"input", &tag),
///     Err(VerifyError::AlgorithmNotAllowed)
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct VerifyingKey {
    alg: Algorithm,
    kid: Option<Arc<str>>,
    inner: Arc<VerifyingInner>,
}

pub(crate) enum SigningInner {
    Hmac(HmacKey),
    Rsa(RsaSigning),
    Ec(EcSigning),
    #[cfg(feature = "es512")]
    P521(p521_impl::Signing),
    #[cfg(feature = "es256k")]
    K256(k256_impl::Signing),
    Ed25519(EdSigning),
    #[cfg(feature = "ed448")]
    Ed448(Ed448Signing),
    #[cfg(feature = "ml-dsa")]
    MlDsa(MlDsaSigning),
}

pub(crate) enum VerifyingInner {
    Hmac(HmacKey),
    Rsa(RsaVerifying),
    Ec(EcVerifying),
    #[cfg(feature = "es512")]
    P521(p521_impl::Verifying),
    #[cfg(feature = "es256k")]
    K256(k256_impl::Verifying),
    Ed25519(EdVerifying),
    #[cfg(feature = "ed448")]
    Ed448(Ed448Verifying),
    #[cfg(feature = "ml-dsa")]
    MlDsa(MlDsaVerifying),
}

impl SigningKey {
    /// An HMAC key (HS256, HS384 or HS512) from a shared secret.
    ///
    /// The secret must be at least as long as the hash (32, 48 or 64 bytes), and must
    /// not look like an encoded key (PEM, JSON or DER): that would be a public key used
    /// as a secret, the algorithm-confusion attack.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, KeyError, SigningKey};
    ///
    /// assert!(SigningKey::hmac(Algorithm::HS256, [7u8; 32]).is_ok());
    /// let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n";
    /// assert_eq!(
    ///     SigningKey::hmac(Algorithm::HS256, pem).unwrap_err(),
    ///     KeyError::SecretLooksLikeKey { looks_like: "PEM" }
    /// );
    /// ```
    pub fn hmac(alg: Algorithm, secret: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        let key = HmacKey::new(alg, secret.as_ref())?;
        Ok(Self::new(alg, SigningInner::Hmac(key)))
    }

    /// An ML-DSA key (ML-DSA-44, ML-DSA-65 or ML-DSA-87, feature `ml-dsa`) from its
    /// 32-byte seed ξ, the private key form of RFC 9964 (FIPS 204 key generation from
    /// the seed). The public key is derived; [`SigningKey::to_jwk`] writes both.
    ///
    /// ```
    /// # #[cfg(feature = "ml-dsa")] {
    /// use jot_algorithms::{Algorithm, SigningKey};
    ///
    /// let key = SigningKey::ml_dsa(Algorithm::MlDsa44, [0u8; 32])?;
    /// // RFC 9964 Appendix A: the all-zero seed's key and its thumbprint.
    /// assert_eq!(key.thumbprint()?, "T4xl70S7MT6Zeq6r9V9fPJGVn76wfnXJ21-gyo0Gu6o");
    /// assert!(key.to_jwk()?.public.unwrap().starts_with("unH59k4RuutY-pxvu24U5h8YZD2r"));
    /// # }
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn ml_dsa(alg: Algorithm, seed: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        #[cfg(feature = "ml-dsa")]
        {
            let key = MlDsaSigning::new(alg, seed.as_ref(), None)?;
            Ok(Self::new(alg, SigningInner::MlDsa(key)))
        }
        #[cfg(not(feature = "ml-dsa"))]
        {
            let _ = seed;
            Err(disabled(alg))
        }
    }

    /// The algorithm this key signs for.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The key id, if set.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Sets the key id, written into the `kid` header of tokens it signs.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(Arc::from(kid.into()));
        self
    }

    /// The matching verifying key (public key, or the same HMAC secret), with the same
    /// algorithm and key id.
    pub fn verifying_key(&self) -> VerifyingKey {
        let inner = match &*self.inner {
            SigningInner::Hmac(key) => VerifyingInner::Hmac(key.clone()),
            SigningInner::Rsa(key) => VerifyingInner::Rsa(key.verifying()),
            SigningInner::Ec(key) => VerifyingInner::Ec(key.verifying()),
            #[cfg(feature = "es512")]
            SigningInner::P521(key) => VerifyingInner::P521(key.verifying()),
            #[cfg(feature = "es256k")]
            SigningInner::K256(key) => VerifyingInner::K256(key.verifying()),
            SigningInner::Ed25519(key) => VerifyingInner::Ed25519(key.verifying()),
            #[cfg(feature = "ed448")]
            SigningInner::Ed448(key) => VerifyingInner::Ed448(key.verifying()),
            #[cfg(feature = "ml-dsa")]
            SigningInner::MlDsa(key) => VerifyingInner::MlDsa(key.verifying()),
        };
        VerifyingKey {
            alg: self.alg,
            kid: self.kid.clone(),
            inner: Arc::new(inner),
        }
    }

    /// The same key, signing with the deterministic variant of ML-DSA (FIPS 204
    /// §3.4: the random `rnd` is all zero), so that one input always gives one
    /// signature. Only ML-DSA keys have the choice; by default they sign hedged (fresh
    /// randomness mixed in), which FIPS 204 recommends against fault and side-channel
    /// attacks. Deterministic signatures are for reproducible output and test vectors.
    ///
    /// ```
    /// # #[cfg(feature = "ml-dsa")] {
    /// use jot_algorithms::{Algorithm, SigningKey, Signer};
    ///
    /// let key = SigningKey::generate(Algorithm::MlDsa44)?.with_deterministic_signing()?;
    /// let (mut a, mut b) = (Vec::new(), Vec::new());
    /// key.sign(b"header.payload", &mut a)?;
    /// key.sign(b"header.payload", &mut b)?;
    /// assert_eq!(a, b);
    /// assert!(SigningKey::generate(Algorithm::ES256)?.with_deterministic_signing().is_err());
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_deterministic_signing(self) -> Result<Self, KeyError> {
        #[cfg(feature = "ml-dsa")]
        if matches!(*self.inner, SigningInner::MlDsa(_)) {
            return Ok(SigningKey {
                deterministic: true,
                ..self
            });
        }
        Err(KeyError::UnsupportedKeyType {
            what: "deterministic signing is an ML-DSA option",
        })
    }

    pub(crate) fn new(alg: Algorithm, inner: SigningInner) -> Self {
        SigningKey {
            alg,
            kid: None,
            inner: Arc::new(inner),
            deterministic: false,
        }
    }

    pub(crate) fn inner(&self) -> &SigningInner {
        &self.inner
    }
}

impl VerifyingKey {
    /// An HMAC key (HS256, HS384 or HS512) from a shared secret; the same checks as
    /// [`SigningKey::hmac`].
    pub fn hmac(alg: Algorithm, secret: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        let key = HmacKey::new(alg, secret.as_ref())?;
        Ok(Self::new(alg, VerifyingInner::Hmac(key)))
    }

    /// The algorithm this key verifies.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The key id, if set.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Sets the key id. A token whose `kid` differs is then refused with
    /// [`VerifyError::UnknownKey`]; a token without `kid` is still accepted.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(Arc::from(kid.into()));
        self
    }

    /// The same key bound to another algorithm of its family (e.g. an RSA key for
    /// PS256 instead of RS256), checked like a new key.
    pub fn for_algorithm(&self, alg: Algorithm) -> Result<Self, KeyError> {
        let key = Self::from_material(Some(alg), self.public_material()?)?;
        Ok(VerifyingKey {
            kid: self.kid.clone(),
            ..key
        })
    }

    /// Checks the signature only (no algorithm or kid check).
    pub(crate) fn verify_signature(&self, input: &[u8], sig: &[u8]) -> bool {
        match &*self.inner {
            VerifyingInner::Hmac(key) => key.verify(input, sig),
            VerifyingInner::Rsa(key) => key.verify(input, sig),
            VerifyingInner::Ec(key) => key.verify(input, sig),
            #[cfg(feature = "es512")]
            VerifyingInner::P521(key) => key.verify(input, sig),
            #[cfg(feature = "es256k")]
            VerifyingInner::K256(key) => key.verify(input, sig),
            VerifyingInner::Ed25519(key) => key.verify(input, sig),
            #[cfg(feature = "ed448")]
            VerifyingInner::Ed448(key) => key.verify(input, sig),
            #[cfg(feature = "ml-dsa")]
            VerifyingInner::MlDsa(key) => key.verify(input, sig),
        }
    }

    pub(crate) fn new(alg: Algorithm, inner: VerifyingInner) -> Self {
        VerifyingKey {
            alg,
            kid: None,
            inner: Arc::new(inner),
        }
    }

    pub(crate) fn inner(&self) -> &VerifyingInner {
        &self.inner
    }

    /// The public key as raw material (HMAC secrets have none).
    pub(crate) fn public_material(&self) -> Result<KeyMaterial, KeyError> {
        Ok(match &*self.inner {
            VerifyingInner::Hmac(_) => {
                return Err(KeyError::UnsupportedKeyType {
                    what: "an HMAC secret has no public key",
                });
            }
            VerifyingInner::Rsa(key) => KeyMaterial::RsaPublic {
                n: key.n().to_vec(),
                e: key.e().to_vec(),
            },
            VerifyingInner::Ec(key) => KeyMaterial::EcPublic {
                curve: key.curve(),
                point: key.point().to_vec(),
            },
            #[cfg(feature = "es512")]
            VerifyingInner::P521(key) => KeyMaterial::EcPublic {
                curve: crate::EcCurve::P521,
                point: key.point().to_vec(),
            },
            #[cfg(feature = "es256k")]
            VerifyingInner::K256(key) => KeyMaterial::EcPublic {
                curve: crate::EcCurve::Secp256k1,
                point: key.point().to_vec(),
            },
            VerifyingInner::Ed25519(key) => KeyMaterial::OkpPublic {
                curve: OkpCurve::Ed25519,
                x: key.public_key().to_vec(),
            },
            #[cfg(feature = "ed448")]
            VerifyingInner::Ed448(key) => KeyMaterial::OkpPublic {
                curve: OkpCurve::Ed448,
                x: key.public_key().to_vec(),
            },
            #[cfg(feature = "ml-dsa")]
            VerifyingInner::MlDsa(key) => KeyMaterial::AkpPublic {
                alg: self.alg,
                public: key.public_key().to_vec(),
            },
        })
    }
}

impl Signer for SigningKey {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn key_id(&self) -> Option<&str> {
        self.kid()
    }

    fn sign(&self, signing_input: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> {
        match &*self.inner {
            SigningInner::Hmac(key) => {
                key.sign(signing_input, out);
                Ok(())
            }
            SigningInner::Rsa(key) => key.sign(signing_input, out).map_err(|()| SignError::new()),
            SigningInner::Ec(key) => key.sign(signing_input, out).map_err(|()| SignError::new()),
            #[cfg(feature = "es512")]
            SigningInner::P521(key) => key.sign(signing_input, out).map_err(|()| SignError::new()),
            #[cfg(feature = "es256k")]
            SigningInner::K256(key) => key.sign(signing_input, out).map_err(|()| SignError::new()),
            SigningInner::Ed25519(key) => {
                key.sign(signing_input, out);
                Ok(())
            }
            #[cfg(feature = "ed448")]
            SigningInner::Ed448(key) => {
                key.sign(signing_input, out);
                Ok(())
            }
            #[cfg(feature = "ml-dsa")]
            SigningInner::MlDsa(key) => key
                .sign(signing_input, self.deterministic, out)
                .map_err(|()| SignError::new()),
        }
    }

    fn signature_len_hint(&self) -> usize {
        match &*self.inner {
            SigningInner::Rsa(key) => key.signature_len(),
            SigningInner::Hmac(_) => match self.alg {
                Algorithm::HS256 => 32,
                Algorithm::HS384 => 48,
                _ => 64,
            },
            SigningInner::Ec(key) => 2 * key.curve().field_len(),
            #[cfg(feature = "es512")]
            SigningInner::P521(_) => 132,
            #[cfg(feature = "es256k")]
            SigningInner::K256(_) => 64,
            SigningInner::Ed25519(_) => 64,
            #[cfg(feature = "ed448")]
            SigningInner::Ed448(_) => crate::ed448::SIGNATURE_LEN,
            #[cfg(feature = "ml-dsa")]
            SigningInner::MlDsa(_) => crate::ml_dsa::signature_len(self.alg).unwrap_or(0),
        }
    }
}

impl Verifier for VerifyingKey {
    fn verify(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), VerifyError> {
        if alg != self.alg {
            return Err(VerifyError::AlgorithmNotAllowed);
        }
        if let (Some(token_kid), Some(key_kid)) = (kid, self.kid.as_deref()) {
            if token_kid != key_kid {
                return Err(VerifyError::UnknownKey);
            }
        }
        if self.verify_signature(signing_input, signature) {
            Ok(())
        } else {
            Err(VerifyError::InvalidSignature)
        }
    }
}

impl fmt::Debug for SigningKey {
    /// Shows the algorithm and key id, never the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("deterministic", &self.deterministic)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for VerifyingKey {
    /// Shows the algorithm and key id, never the key (it may be an HMAC secret).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Whether this build signs and verifies `alg`. Most algorithms are always there;
/// ES512, ES256K and ML-DSA-44/65/87 need the cargo features `es512`, `es256k` and
/// `ml-dsa` (`es512` and `es256k` are on by default). EdDSA and Ed25519 are in every
/// build; Ed448 (and EdDSA with an Ed448 key) needs `ed448` (on by default).
///
/// ```
/// use jot_algorithms::{Algorithm, supports};
/// assert!(supports(Algorithm::ES256));
/// assert!(supports(Algorithm::Ed25519));
/// assert_eq!(supports(Algorithm::Ed448), cfg!(feature = "ed448"));
/// assert_eq!(supports(Algorithm::MlDsa65), cfg!(feature = "ml-dsa"));
/// ```
// One arm per feature reads better than `matches!`, whatever the features make of it.
#[allow(clippy::match_like_matches_macro)]
pub fn supports(alg: Algorithm) -> bool {
    match alg {
        Algorithm::Ed448 => cfg!(feature = "ed448"),
        Algorithm::ES512 => cfg!(feature = "es512"),
        Algorithm::ES256K => cfg!(feature = "es256k"),
        Algorithm::MlDsa44 | Algorithm::MlDsa65 | Algorithm::MlDsa87 => cfg!(feature = "ml-dsa"),
        _ => true,
    }
}

pub(crate) fn disabled(alg: Algorithm) -> KeyError {
    KeyError::AlgorithmDisabled {
        alg,
        feature: match alg {
            Algorithm::EdDSA | Algorithm::Ed448 => "ed448",
            Algorithm::ES512 => "es512",
            Algorithm::ES256K => "es256k",
            Algorithm::MlDsa44 | Algorithm::MlDsa65 | Algorithm::MlDsa87 => "ml-dsa",
            _ => "rsa-keygen",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jot_codec::AlgorithmFamily;

    const RSA_PKCS8: &str = include_str!("../tests/data/rsa2048.pkcs8.pem");
    const RSA_SPKI: &str = include_str!("../tests/data/rsa2048.spki.pem");

    fn keys_for_every_algorithm() -> Vec<SigningKey> {
        Algorithm::ALL
            .into_iter()
            .filter_map(|alg| match alg.family() {
                AlgorithmFamily::RsaPkcs1 | AlgorithmFamily::RsaPss => {
                    Some(SigningKey::from_pem(alg, RSA_PKCS8).unwrap())
                }
                _ => match SigningKey::generate(alg) {
                    Ok(key) => Some(key),
                    Err(KeyError::AlgorithmDisabled { .. }) => None,
                    Err(e) => panic!("{alg}: {e}"),
                },
            })
            .collect()
    }

    #[test]
    fn every_algorithm_round_trips_and_refuses_tampering() {
        let keys = keys_for_every_algorithm();
        assert!(keys.len() >= if cfg!(feature = "ml-dsa") { 15 } else { 12 });
        for key in keys {
            let alg = key.algorithm();
            let key = key.with_kid("k1");
            let public = key.verifying_key();
            let mut sig = Vec::new();
            key.sign(b"header.payload", &mut sig).unwrap();
            assert_eq!(sig.len(), key.signature_len_hint(), "{alg}");
            assert_eq!(
                public.verify(alg, Some("k1"), b"header.payload", &sig),
                Ok(()),
                "{alg}"
            );
            assert_eq!(
                public.verify(alg, None, b"header.payload", &sig),
                Ok(()),
                "{alg}"
            );
            assert_eq!(
                public.verify(alg, Some("k2"), b"header.payload", &sig),
                Err(VerifyError::UnknownKey)
            );
            assert_eq!(
                public.verify(alg, None, b"header.payloaD", &sig),
                Err(VerifyError::InvalidSignature),
                "{alg}"
            );
            let mut tampered = sig.clone();
            tampered[sig.len() / 2] ^= 0x01;
            assert_eq!(
                public.verify(alg, None, b"header.payload", &tampered),
                Err(VerifyError::InvalidSignature),
                "{alg}"
            );
            assert_eq!(
                public.verify(alg, None, b"header.payload", &[]),
                Err(VerifyError::InvalidSignature)
            );
            for other in Algorithm::ALL.into_iter().filter(|&a| a != alg) {
                assert_eq!(
                    public.verify(other, None, b"header.payload", &sig),
                    Err(VerifyError::AlgorithmNotAllowed),
                    "{alg} key, {other} token"
                );
            }
        }
    }

    #[test]
    fn public_keys_never_become_hmac_secrets() {
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            assert_eq!(
                VerifyingKey::from_pem(alg, RSA_SPKI).unwrap_err(),
                KeyError::AlgorithmMismatch {
                    key: "RSA",
                    requested: alg
                }
            );
            assert_eq!(
                VerifyingKey::hmac(alg, RSA_SPKI).unwrap_err(),
                KeyError::SecretLooksLikeKey { looks_like: "PEM" }
            );
            let der = VerifyingKey::from_pem(Algorithm::RS256, RSA_SPKI)
                .unwrap()
                .to_spki_der()
                .unwrap();
            assert_eq!(
                VerifyingKey::hmac(alg, &der).unwrap_err(),
                KeyError::SecretLooksLikeKey { looks_like: "DER" }
            );
            let jwk = VerifyingKey::from_pem(Algorithm::RS256, RSA_SPKI)
                .unwrap()
                .to_jwk()
                .unwrap()
                .to_json();
            assert_eq!(
                SigningKey::hmac(alg, &jwk).unwrap_err(),
                KeyError::SecretLooksLikeKey { looks_like: "JWK" }
            );
            assert!(matches!(
                VerifyingKey::from_any_bytes(alg, RSA_SPKI),
                Err(KeyError::AlgorithmMismatch { .. })
            ));
            assert!(matches!(
                VerifyingKey::from_jwk(alg, &jwk.parse().unwrap()),
                Err(KeyError::AlgorithmMismatch { .. })
            ));
        }
    }

    #[test]
    fn key_must_fit_the_algorithm() {
        let p384 = SigningKey::generate(Algorithm::ES384)
            .unwrap()
            .to_pkcs8_pem()
            .unwrap();
        assert_eq!(
            SigningKey::from_pem(Algorithm::ES256, &p384).unwrap_err(),
            KeyError::AlgorithmMismatch {
                key: "P-384",
                requested: Algorithm::ES256
            }
        );
        assert!(matches!(
            SigningKey::from_pem(Algorithm::EdDSA, RSA_PKCS8),
            Err(KeyError::AlgorithmMismatch { .. })
        ));
        assert_eq!(
            SigningKey::from_pem_infer(RSA_PKCS8).unwrap_err(),
            KeyError::AlgorithmRequired { key_type: "RSA" }
        );
        assert_eq!(
            SigningKey::from_pem(Algorithm::RS256, RSA_SPKI).unwrap_err(),
            KeyError::LooksLikePublicKey
        );
    }

    #[test]
    fn for_algorithm_rebinds_within_the_family() {
        let key = SigningKey::from_pem(Algorithm::PS256, RSA_PKCS8)
            .unwrap()
            .with_kid("r");
        let rs = key.verifying_key().for_algorithm(Algorithm::RS256).unwrap();
        assert_eq!((rs.algorithm(), rs.kid()), (Algorithm::RS256, Some("r")));
        let mut sig = Vec::new();
        key.sign(b"x", &mut sig).unwrap();
        assert_eq!(
            rs.verify(Algorithm::RS256, None, b"x", &sig),
            Err(VerifyError::InvalidSignature)
        );
        assert!(key.verifying_key().for_algorithm(Algorithm::HS256).is_err());
    }

    #[test]
    fn debug_shows_no_key_material() {
        let key = SigningKey::hmac(Algorithm::HS256, [b'z'; 32]).unwrap();
        let text = format!("{key:?} {:?}", key.verifying_key());
        assert!(!text.contains("zzzz") && !text.contains("122"), "{text}");
    }
}
