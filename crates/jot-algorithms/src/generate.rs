//! Key generation for every algorithm.
//!
//! HMAC secrets, P-256/P-384 and Ed25519 keys come from the crypto provider and its system random
//! generator; P-521 and secp256k1 scalars, Ed448 seeds and ML-DSA seeds are drawn from the same
//! generator. RSA
//! generation (which ring lacks) uses the RustCrypto `rsa` crate behind the `rsa-keygen`
//! feature; the key is then loaded into the provider like any imported key.

use jot_codec::{Algorithm, AlgorithmFamily};

use crate::ecdsa::EcSigning;
use crate::eddsa::EdSigning;
use crate::hmac::HmacKey;
use crate::key::{SigningInner, disabled};
use crate::{EcCurve, KeyError, OkpCurve, SigningKey};

impl SigningKey {
    /// Generates a new key for `alg`: a random secret of the hash size for HMAC, a
    /// fresh key pair otherwise (for ML-DSA, a random 32-byte seed). RSA (2048 bits)
    /// needs the `rsa-keygen` feature, see [`SigningKey::generate_rsa`] for other
    /// sizes; ML-DSA needs the `ml-dsa` feature. [`Algorithm::EdDSA`] and
    /// [`Algorithm::Ed25519`] give an Ed25519 key, [`Algorithm::Ed448`] an Ed448 key
    /// (feature `ed448`); for an Ed448 key bound to `EdDSA` see
    /// [`SigningKey::generate_eddsa`].
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, SigningKey};
    ///
    /// for alg in [Algorithm::HS256, Algorithm::ES384, Algorithm::EdDSA, Algorithm::Ed25519] {
    ///     assert_eq!(SigningKey::generate(alg)?.algorithm(), alg);
    /// }
    /// let key = SigningKey::generate(Algorithm::Ed25519)?;
    /// assert_eq!(key.to_jwk()?.crv.as_deref(), Some("Ed25519"));
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn generate(alg: Algorithm) -> Result<Self, KeyError> {
        generate(alg)
    }

    /// Generates an EdDSA key on `curve`: [`OkpCurve::Ed25519`] (what
    /// [`SigningKey::generate`] gives for [`Algorithm::EdDSA`]) or [`OkpCurve::Ed448`]
    /// (feature `ed448`, on by default). X25519 is a key-agreement curve and is
    /// refused.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, KeyMaterial, OkpCurve, SigningKey};
    ///
    /// let key = SigningKey::generate_eddsa(OkpCurve::Ed448)?;
    /// assert_eq!(key.algorithm(), Algorithm::EdDSA);
    /// assert_eq!(key.to_jwk()?.crv.as_deref(), Some("Ed448"));
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn generate_eddsa(curve: OkpCurve) -> Result<Self, KeyError> {
        let inner = match curve {
            OkpCurve::Ed25519 => SigningInner::Ed25519(EdSigning::generate()?),
            #[cfg(feature = "ed448")]
            OkpCurve::Ed448 => SigningInner::Ed448(crate::ed448::Ed448Signing::generate()?),
            #[cfg(not(feature = "ed448"))]
            OkpCurve::Ed448 => return Err(disabled(Algorithm::EdDSA)),
            _ => {
                return Err(KeyError::UnsupportedKeyType {
                    what: "X25519 (a key-agreement key, not for signatures)",
                });
            }
        };
        Ok(SigningKey::new(Algorithm::EdDSA, inner))
    }
}

fn generate(alg: Algorithm) -> Result<SigningKey, KeyError> {
    let inner = match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            SigningInner::Hmac(HmacKey::generate(alg)?)
        }
        Algorithm::ES256 => SigningInner::Ec(EcSigning::generate(EcCurve::P256)?),
        Algorithm::ES384 => SigningInner::Ec(EcSigning::generate(EcCurve::P384)?),
        #[cfg(feature = "es512")]
        Algorithm::ES512 => {
            SigningInner::P521(crate::ecdsa_rustcrypto::p521_impl::Signing::generate()?)
        }
        #[cfg(feature = "es256k")]
        Algorithm::ES256K => {
            SigningInner::K256(crate::ecdsa_rustcrypto::k256_impl::Signing::generate()?)
        }
        Algorithm::EdDSA | Algorithm::Ed25519 => SigningInner::Ed25519(EdSigning::generate()?),
        #[cfg(feature = "ed448")]
        Algorithm::Ed448 => SigningInner::Ed448(crate::ed448::Ed448Signing::generate()?),
        #[cfg(feature = "ml-dsa")]
        Algorithm::MlDsa44 | Algorithm::MlDsa65 | Algorithm::MlDsa87 => {
            SigningInner::MlDsa(crate::ml_dsa::MlDsaSigning::generate(alg)?)
        }
        _ if matches!(
            alg.family(),
            AlgorithmFamily::RsaPkcs1 | AlgorithmFamily::RsaPss
        ) =>
        {
            #[cfg(feature = "rsa-keygen")]
            return SigningKey::generate_rsa(alg, 2048);
            #[cfg(not(feature = "rsa-keygen"))]
            return Err(disabled(alg));
        }
        _ => return Err(disabled(alg)),
    };
    Ok(SigningKey::new(alg, inner))
}

#[cfg(feature = "rsa-keygen")]
impl SigningKey {
    /// Generates an RSA key of `bits` (2048 to 4096) for an RS* or PS* algorithm,
    /// with public exponent 65537. Feature `rsa-keygen`. Takes from a fraction of a
    /// second to several seconds.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, SigningKey};
    ///
    /// let key = SigningKey::generate_rsa(Algorithm::PS256, 2048)?;
    /// assert_eq!(key.algorithm(), Algorithm::PS256);
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn generate_rsa(alg: Algorithm, bits: usize) -> Result<Self, KeyError> {
        use rsa::pkcs1::EncodeRsaPrivateKey as _;

        if !matches!(
            alg.family(),
            AlgorithmFamily::RsaPkcs1 | AlgorithmFamily::RsaPss
        ) {
            return Err(KeyError::AlgorithmMismatch {
                key: "RSA",
                requested: alg,
            });
        }
        if bits < 2048 {
            return Err(KeyError::RsaTooSmall { bits });
        }
        if bits > 4096 {
            return Err(KeyError::RsaTooLarge {
                bits,
                max_bits: 4096,
            });
        }
        let key =
            rsa::PrivateKey::new(&mut crate::SystemRng, bits).map_err(|_| KeyError::Random)?;
        let pkcs1 = key.to_pkcs1_der().map_err(|_| KeyError::Encoding)?;
        SigningKey::from_material(Some(alg), crate::KeyMaterial::from_der(pkcs1.as_bytes())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_non_rsa_algorithm_generates() {
        for alg in Algorithm::ALL {
            let result = generate(alg);
            match alg.family() {
                AlgorithmFamily::RsaPkcs1 | AlgorithmFamily::RsaPss
                    if !cfg!(feature = "rsa-keygen") =>
                {
                    assert_eq!(
                        result.err(),
                        Some(KeyError::AlgorithmDisabled {
                            alg,
                            feature: "rsa-keygen"
                        })
                    );
                }
                AlgorithmFamily::RsaPkcs1 | AlgorithmFamily::RsaPss => {}
                _ => match result {
                    Ok(key) => assert_eq!(key.algorithm(), alg),
                    Err(err) => assert!(
                        matches!(err, KeyError::AlgorithmDisabled { .. })
                            && matches!(
                                alg,
                                Algorithm::ES512
                                    | Algorithm::ES256K
                                    | Algorithm::Ed448
                                    | Algorithm::MlDsa44
                                    | Algorithm::MlDsa65
                                    | Algorithm::MlDsa87
                            ),
                        "{alg}: {err}"
                    ),
                },
            }
        }
    }

    #[test]
    fn eddsa_curves_generate() {
        let ed25519 = SigningKey::generate_eddsa(OkpCurve::Ed25519).unwrap();
        assert_eq!(ed25519.to_jwk().unwrap().crv.as_deref(), Some("Ed25519"));
        #[cfg(feature = "ed448")]
        {
            let ed448 = SigningKey::generate_eddsa(OkpCurve::Ed448).unwrap();
            assert_eq!(ed448.algorithm(), Algorithm::EdDSA);
            let jwk = ed448.to_jwk().unwrap();
            assert_eq!(jwk.crv.as_deref(), Some("Ed448"));
            let other = SigningKey::generate_eddsa(OkpCurve::Ed448).unwrap();
            assert_ne!(jwk.d, other.to_jwk().unwrap().d);
        }
        assert!(matches!(
            SigningKey::generate_eddsa(OkpCurve::X25519),
            Err(KeyError::UnsupportedKeyType { .. })
        ));
    }

    #[test]
    fn fully_specified_eddsa_algorithms_generate_keys_of_their_curve() {
        let ed25519 = SigningKey::generate(Algorithm::Ed25519).unwrap();
        assert_eq!(ed25519.algorithm(), Algorithm::Ed25519);
        assert_eq!(ed25519.to_jwk().unwrap().crv.as_deref(), Some("Ed25519"));
        assert_eq!(ed25519.verifying_key().algorithm(), Algorithm::Ed25519);
        let ed448 = SigningKey::generate(Algorithm::Ed448);
        if cfg!(feature = "ed448") {
            let ed448 = ed448.unwrap();
            assert_eq!(ed448.algorithm(), Algorithm::Ed448);
            assert_eq!(ed448.to_jwk().unwrap().crv.as_deref(), Some("Ed448"));
        } else {
            assert_eq!(
                ed448.err(),
                Some(KeyError::AlgorithmDisabled {
                    alg: Algorithm::Ed448,
                    feature: "ed448"
                })
            );
        }
    }
}
