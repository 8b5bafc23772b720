//! Import of keys from PEM, DER, JWK and "any bytes" (detected): the checks that
//! bind [`KeyMaterial`] (read by the one key reader) to one algorithm.

use jot_codec::{Algorithm, AlgorithmFamily};

use crate::ecdsa::{EcSigning, EcVerifying};
#[cfg(feature = "es256k")]
use crate::ecdsa_rustcrypto::k256_impl;
#[cfg(feature = "es512")]
use crate::ecdsa_rustcrypto::p521_impl;
#[cfg(feature = "ed448")]
use crate::ed448::{Ed448Signing, Ed448Verifying};
use crate::eddsa::{EdSigning, EdVerifying};
use crate::hmac::HmacKey;
use crate::key::{SigningInner, VerifyingInner, disabled};
#[cfg(feature = "ml-dsa")]
use crate::ml_dsa::{MlDsaSigning, MlDsaVerifying};
use crate::rsa::{RsaSigning, RsaVerifying};
use crate::{AnyKey, EcCurve, Jwk, KeyError, KeyMaterial, OkpCurve, SigningKey, VerifyingKey};

impl SigningKey {
    /// A private key from PEM (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`),
    /// for `alg`, which must fit the key.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, SigningKey};
    ///
    /// let pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
    /// let key = SigningKey::from_pem(Algorithm::EdDSA, pem)?;
    /// assert_eq!(key.algorithm(), Algorithm::EdDSA);
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn from_pem(alg: Algorithm, pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(Some(alg), KeyMaterial::from_pem(pem)?)
    }

    /// A private EC, Ed25519 or Ed448 key from PEM, with the algorithm taken from the curve.
    /// RSA keys need [`SigningKey::from_pem`].
    pub fn from_pem_infer(pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(None, KeyMaterial::from_pem(pem)?)
    }

    /// A private key from DER (PKCS#8, PKCS#1 `RSAPrivateKey` or SEC1
    /// `ECPrivateKey`, detected), for `alg`.
    pub fn from_der(alg: Algorithm, der: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(Some(alg), KeyMaterial::from_der(der)?)
    }

    /// A private EC, Ed25519 or Ed448 key from DER, with the algorithm taken from the curve.
    pub fn from_der_infer(der: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(None, KeyMaterial::from_der(der)?)
    }

    /// A private key for `alg` from PEM, a JWK (JSON) or DER, whichever `bytes` is —
    /// for tools that take a key file of any kind; a JWK's `alg`, if present, must be
    /// the same. Raw bytes are never taken as an HMAC secret here: use
    /// [`SigningKey::hmac`] for that (a JWK with `kty: oct` is fine).
    pub fn from_any_bytes(alg: Algorithm, bytes: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_any_key(Some(alg), AnyKey::parse(bytes)?)
    }

    /// A private key from PEM, a JWK or DER, with the algorithm taken from the key: an
    /// EC, Ed25519 or Ed448 key's curve, or a JWK's `alg`.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, SigningKey};
    ///
    /// let key = SigningKey::generate(Algorithm::ES384)?;
    /// let again = SigningKey::from_any_bytes_infer(key.to_pkcs8_der()?)?;
    /// assert_eq!(again.algorithm(), Algorithm::ES384);
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn from_any_bytes_infer(bytes: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_any_key(None, AnyKey::parse(bytes)?)
    }

    fn from_any_key(alg: Option<Algorithm>, key: AnyKey) -> Result<Self, KeyError> {
        match key {
            AnyKey::Jwk(jwk) => Self::from_jwk_inner(alg, &jwk),
            AnyKey::Material(material) => Self::from_material(alg, material),
        }
    }

    /// Builds a signing key from parsed material, for `alg` or the algorithm the key implies.
    pub(crate) fn from_material(
        alg: Option<Algorithm>,
        material: KeyMaterial,
    ) -> Result<Self, KeyError> {
        let alg = match alg {
            Some(alg) => alg,
            None => infer_algorithm(&material)?,
        };
        refuse_hmac_for_asymmetric(alg, &material)?;
        let inner = match material {
            KeyMaterial::Secret(secret) => {
                require_hmac(alg)?;
                SigningInner::Hmac(HmacKey::new(alg, &secret)?)
            }
            KeyMaterial::RsaPrivate(parts) => SigningInner::Rsa(RsaSigning::new(alg, &parts)?),
            KeyMaterial::EcPrivate { curve, d, point } => {
                curve.check_algorithm(alg)?;
                match curve {
                    EcCurve::P256 | EcCurve::P384 => {
                        SigningInner::Ec(EcSigning::new(curve, &d, point.as_deref())?)
                    }
                    #[cfg(feature = "es512")]
                    EcCurve::P521 => {
                        SigningInner::P521(p521_impl::Signing::new(&d, point.as_deref())?)
                    }
                    #[cfg(feature = "es256k")]
                    EcCurve::Secp256k1 => {
                        SigningInner::K256(k256_impl::Signing::new(&d, point.as_deref())?)
                    }
                    #[allow(unreachable_patterns)]
                    _ => return Err(disabled(alg)),
                }
            }
            KeyMaterial::OkpPrivate { curve, d, x } => {
                check_eddsa(curve, alg)?;
                match curve {
                    #[cfg(feature = "ed448")]
                    OkpCurve::Ed448 => SigningInner::Ed448(Ed448Signing::new(&d, x.as_deref())?),
                    OkpCurve::Ed25519 => SigningInner::Ed25519(EdSigning::new(&d, x.as_deref())?),
                    // X25519, and Ed448 without its feature, were refused by `check_eddsa`.
                    _ => return Err(disabled(alg)),
                }
            }
            KeyMaterial::AkpPrivate {
                alg: key_alg,
                seed,
                public,
            } => {
                check_akp(key_alg, alg)?;
                #[cfg(feature = "ml-dsa")]
                {
                    SigningInner::MlDsa(MlDsaSigning::new(alg, &seed, public.as_deref())?)
                }
                #[cfg(not(feature = "ml-dsa"))]
                {
                    let _ = (seed, public);
                    return Err(disabled(alg));
                }
            }
            KeyMaterial::RsaPublic { .. }
            | KeyMaterial::EcPublic { .. }
            | KeyMaterial::OkpPublic { .. }
            | KeyMaterial::AkpPublic { .. } => {
                return Err(KeyError::LooksLikePublicKey);
            }
        };
        Ok(Self::new(alg, inner))
    }
}

impl VerifyingKey {
    /// A public key from PEM (`PUBLIC KEY`, `RSA PUBLIC KEY`, `CERTIFICATE`, or any
    /// private key PEM, whose public part is taken), for `alg`.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, KeyError, VerifyingKey};
    ///
    /// let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n";
    /// let key = VerifyingKey::from_pem(Algorithm::EdDSA, pem)?;
    /// assert_eq!(key.algorithm(), Algorithm::EdDSA);
    /// // The same public key can never become an HMAC secret.
    /// assert!(matches!(
    ///     VerifyingKey::from_pem(Algorithm::HS256, pem),
    ///     Err(KeyError::AlgorithmMismatch { .. })
    /// ));
    /// # Ok::<(), KeyError>(())
    /// ```
    pub fn from_pem(alg: Algorithm, pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(Some(alg), KeyMaterial::from_pem(pem)?)
    }

    /// A public EC, Ed25519 or Ed448 key from PEM, with the algorithm taken from the curve.
    pub fn from_pem_infer(pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(None, KeyMaterial::from_pem(pem)?)
    }

    /// A public key from DER (SPKI, PKCS#1 `RSAPublicKey`, an X.509 certificate, or a
    /// private key whose public part is taken), for `alg`.
    pub fn from_der(alg: Algorithm, der: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(Some(alg), KeyMaterial::from_der(der)?)
    }

    /// A public EC, Ed25519 or Ed448 key from DER, with the algorithm taken from the curve.
    pub fn from_der_infer(der: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(None, KeyMaterial::from_der(der)?)
    }

    /// A verifying key for `alg` from PEM, a JWK (JSON) or DER, whichever `bytes` is;
    /// a JWK's `alg`, if present, must be the same. Raw bytes are never taken as an
    /// HMAC secret here (use [`VerifyingKey::hmac`]).
    pub fn from_any_bytes(alg: Algorithm, bytes: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_any_key(Some(alg), AnyKey::parse(bytes)?)
    }

    /// A verifying key from PEM, a JWK or DER, with the algorithm taken from the key:
    /// an EC, Ed25519 or Ed448 key's curve, or a JWK's `alg`.
    pub fn from_any_bytes_infer(bytes: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_any_key(None, AnyKey::parse(bytes)?)
    }

    fn from_any_key(alg: Option<Algorithm>, key: AnyKey) -> Result<Self, KeyError> {
        match key {
            AnyKey::Jwk(jwk) => Self::from_jwk_inner(alg, &jwk),
            AnyKey::Material(material) => Self::from_material(alg, material),
        }
    }

    /// Builds a verifying key from parsed material (a private key gives its public part).
    pub(crate) fn from_material(
        alg: Option<Algorithm>,
        material: KeyMaterial,
    ) -> Result<Self, KeyError> {
        if material.is_private() && !matches!(material, KeyMaterial::Secret(_)) {
            return Ok(SigningKey::from_material(alg, material)?.verifying_key());
        }
        let alg = match alg {
            Some(alg) => alg,
            None => infer_algorithm(&material)?,
        };
        refuse_hmac_for_asymmetric(alg, &material)?;
        let inner = match material {
            KeyMaterial::Secret(secret) => {
                require_hmac(alg)?;
                VerifyingInner::Hmac(HmacKey::new(alg, &secret)?)
            }
            KeyMaterial::RsaPublic { n, e } => VerifyingInner::Rsa(RsaVerifying::new(alg, &n, &e)?),
            KeyMaterial::EcPublic { curve, point } => {
                curve.check_algorithm(alg)?;
                match curve {
                    EcCurve::P256 | EcCurve::P384 => {
                        VerifyingInner::Ec(EcVerifying::new(curve, &point)?)
                    }
                    #[cfg(feature = "es512")]
                    EcCurve::P521 => VerifyingInner::P521(p521_impl::Verifying::new(&point)?),
                    #[cfg(feature = "es256k")]
                    EcCurve::Secp256k1 => VerifyingInner::K256(k256_impl::Verifying::new(&point)?),
                    #[allow(unreachable_patterns)]
                    _ => return Err(disabled(alg)),
                }
            }
            KeyMaterial::OkpPublic { curve, x } => {
                check_eddsa(curve, alg)?;
                match curve {
                    #[cfg(feature = "ed448")]
                    OkpCurve::Ed448 => VerifyingInner::Ed448(Ed448Verifying::new(&x)?),
                    OkpCurve::Ed25519 => VerifyingInner::Ed25519(EdVerifying::new(&x)?),
                    // X25519, and Ed448 without its feature, were refused by `check_eddsa`.
                    _ => return Err(disabled(alg)),
                }
            }
            KeyMaterial::AkpPublic {
                alg: key_alg,
                public,
            } => {
                check_akp(key_alg, alg)?;
                #[cfg(feature = "ml-dsa")]
                {
                    VerifyingInner::MlDsa(MlDsaVerifying::new(alg, &public)?)
                }
                #[cfg(not(feature = "ml-dsa"))]
                {
                    let _ = public;
                    return Err(disabled(alg));
                }
            }
            // Private material was handled above.
            KeyMaterial::RsaPrivate(_)
            | KeyMaterial::EcPrivate { .. }
            | KeyMaterial::OkpPrivate { .. }
            | KeyMaterial::AkpPrivate { .. } => {
                return Err(KeyError::UnsupportedKeyType {
                    what: "private key",
                });
            }
        };
        Ok(Self::new(alg, inner))
    }
}

/// The algorithm a key implies: EC curves, the EdDSA curves, and AKP keys (which
/// carry theirs) imply one. An Ed25519 or Ed448 key without a stated algorithm
/// is bound to the polymorphic `EdDSA`, as before RFC 9864; ask for `Ed25519` or
/// `Ed448` explicitly (or let the JWK's `alg` say it) to bind the fully-specified one.
fn infer_algorithm(material: &KeyMaterial) -> Result<Algorithm, KeyError> {
    match material {
        KeyMaterial::AkpPrivate { alg, .. } | KeyMaterial::AkpPublic { alg, .. } => Ok(*alg),
        KeyMaterial::EcPrivate { curve, .. } | KeyMaterial::EcPublic { curve, .. } => {
            Ok(curve.algorithm())
        }
        KeyMaterial::OkpPrivate { curve, .. } | KeyMaterial::OkpPublic { curve, .. } => {
            check_eddsa(*curve, Algorithm::EdDSA).map(|()| Algorithm::EdDSA)
        }
        KeyMaterial::RsaPrivate(_) | KeyMaterial::RsaPublic { .. } => {
            Err(KeyError::AlgorithmRequired { key_type: "RSA" })
        }
        KeyMaterial::Secret(_) => Err(KeyError::AlgorithmRequired { key_type: "oct" }),
    }
}

/// A public or private key never becomes an HMAC secret, whatever `alg` says.
fn refuse_hmac_for_asymmetric(alg: Algorithm, material: &KeyMaterial) -> Result<(), KeyError> {
    if alg.family() == AlgorithmFamily::Hmac && !matches!(material, KeyMaterial::Secret(_)) {
        return Err(KeyError::AlgorithmMismatch {
            key: material.key_type(),
            requested: alg,
        });
    }
    Ok(())
}

/// An OKP key signs only as Ed25519 or Ed448: for the polymorphic `EdDSA` (the
/// key's curve decides which) or for the fully-specified algorithm of its own curve
/// (RFC 9864: `Ed25519` for an Ed25519 key, `Ed448` for an Ed448 key, never
/// crossed); X25519 is for key agreement. Ed448 needs the `ed448` feature.
fn check_eddsa(curve: OkpCurve, alg: Algorithm) -> Result<(), KeyError> {
    let fits = match curve {
        OkpCurve::X25519 => {
            return Err(KeyError::UnsupportedKeyType {
                what: "X25519 (a key-agreement key, not for signatures)",
            });
        }
        OkpCurve::Ed25519 => matches!(alg, Algorithm::EdDSA | Algorithm::Ed25519),
        OkpCurve::Ed448 => matches!(alg, Algorithm::EdDSA | Algorithm::Ed448),
    };
    match curve {
        _ if !fits => Err(KeyError::AlgorithmMismatch {
            key: curve.jwk_name(),
            requested: alg,
        }),
        OkpCurve::Ed448 if cfg!(not(feature = "ed448")) => Err(disabled(alg)),
        _ => Ok(()),
    }
}

/// An AKP key is for its own algorithm only (RFC 9964 §3: `alg` is part of the
/// key): an ML-DSA-44 key never verifies an ML-DSA-65 token, nor any other.
fn check_akp(key_alg: Algorithm, alg: Algorithm) -> Result<(), KeyError> {
    if key_alg == alg {
        Ok(())
    } else {
        Err(KeyError::AlgorithmMismatch {
            key: key_alg.as_str(),
            requested: alg,
        })
    }
}

/// The algorithm of a JWK's key: the requested one (which must agree with the JWK's
/// `alg`), else the JWK's `alg`, else the one its curve implies.
fn resolve_jwk_algorithm(
    requested: Option<Algorithm>,
    jwk: &Jwk,
    material: &KeyMaterial,
) -> Result<Algorithm, KeyError> {
    match (requested, jwk.algorithm()?) {
        (Some(r), Some(o)) if r != o => Err(KeyError::AlgorithmMismatch {
            key: o.as_str(),
            requested: r,
        }),
        (Some(alg), _) | (None, Some(alg)) => Ok(alg),
        (None, None) => infer_algorithm(material),
    }
}

/// Checks that the JWK's `use` and `key_ops` allow `op` (`"sign"` or `"verify"`).
fn check_usage(jwk: &Jwk, op: &'static str) -> Result<(), KeyError> {
    if jwk.permits("sig", &[op])? {
        Ok(())
    } else {
        Err(KeyError::JwkUsage { needed: op })
    }
}

impl SigningKey {
    /// A signing key for `alg` from a private JWK (`kty` RSA, EC, OKP or oct); the
    /// JWK's `alg`, if present, must be the same. The JWK's `kid` becomes the key id;
    /// `use` must be `sig` and `key_ops` must contain `sign` when present.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, Jwk, KeyError, SigningKey};
    ///
    /// let jwk: Jwk = r#"{"kty":"oct","kid":"k1",
    ///     "k":"c2VjcmV0IHNlY3JldCBzZWNyZXQgc2VjcmV0IHNlY3JldCEh"}"#.parse()?;
    /// let key = SigningKey::from_jwk(Algorithm::HS256, &jwk)?;
    /// assert_eq!((key.algorithm(), key.kid()), (Algorithm::HS256, Some("k1")));
    /// assert!(matches!(
    ///     SigningKey::from_jwk(Algorithm::ES256, &jwk),
    ///     Err(KeyError::AlgorithmMismatch { .. })
    /// ));
    /// # Ok::<(), KeyError>(())
    /// ```
    pub fn from_jwk(alg: Algorithm, jwk: &Jwk) -> Result<Self, KeyError> {
        Self::from_jwk_inner(Some(alg), jwk)
    }

    /// A signing key from a private JWK, with the algorithm taken from the JWK's
    /// `alg`, or for EC/OKP from the curve; an RSA or oct JWK without `alg` needs
    /// [`SigningKey::from_jwk`]. Otherwise as [`SigningKey::from_jwk`].
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, Jwk, SigningKey};
    ///
    /// let jwk: Jwk = r#"{"kty":"oct","alg":"HS256","kid":"k1",
    ///     "k":"c2VjcmV0IHNlY3JldCBzZWNyZXQgc2VjcmV0IHNlY3JldCEh"}"#.parse()?;
    /// let key = SigningKey::from_jwk_infer(&jwk)?;
    /// assert_eq!((key.algorithm(), key.kid()), (Algorithm::HS256, Some("k1")));
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn from_jwk_infer(jwk: &Jwk) -> Result<Self, KeyError> {
        Self::from_jwk_inner(None, jwk)
    }

    fn from_jwk_inner(requested: Option<Algorithm>, jwk: &Jwk) -> Result<Self, KeyError> {
        check_usage(jwk, "sign")?;
        let material = KeyMaterial::from_jwk(jwk)?;
        let alg = resolve_jwk_algorithm(requested, jwk, &material)?;
        if !material.is_private() {
            return Err(KeyError::LooksLikePublicKey);
        }
        let signing = SigningKey::from_material(Some(alg), material)?;
        Ok(match &jwk.kid {
            Some(kid) => signing.with_kid(kid.clone()),
            None => signing,
        })
    }
}

impl VerifyingKey {
    /// A verifying key for `alg` from a JWK (public, or private whose public part is
    /// taken; `oct` gives an HMAC key); the JWK's `alg`, if present, must be the same.
    /// `use` must be `sig` and `key_ops` must contain `verify` when present.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, Jwk, KeyError, VerifyingKey};
    ///
    /// let jwk: Jwk = r#"{"kty":"EC","crv":"P-256","use":"enc",
    ///     "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    ///     "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#.parse()?;
    /// assert_eq!(
    ///     VerifyingKey::from_jwk(Algorithm::ES256, &jwk).unwrap_err(),
    ///     KeyError::JwkUsage { needed: "verify" }
    /// );
    /// # Ok::<(), KeyError>(())
    /// ```
    pub fn from_jwk(alg: Algorithm, jwk: &Jwk) -> Result<Self, KeyError> {
        Self::from_jwk_inner(Some(alg), jwk)
    }

    /// A verifying key from a JWK, with the algorithm taken as for
    /// [`SigningKey::from_jwk_infer`]. Otherwise as [`VerifyingKey::from_jwk`].
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, Jwk, VerifyingKey};
    ///
    /// let jwk: Jwk = r#"{"kty":"EC","crv":"P-256",
    ///     "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    ///     "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#.parse()?;
    /// assert_eq!(VerifyingKey::from_jwk_infer(&jwk)?.algorithm(), Algorithm::ES256);
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn from_jwk_infer(jwk: &Jwk) -> Result<Self, KeyError> {
        Self::from_jwk_inner(None, jwk)
    }

    fn from_jwk_inner(requested: Option<Algorithm>, jwk: &Jwk) -> Result<Self, KeyError> {
        check_usage(jwk, "verify")?;
        let material = KeyMaterial::from_jwk(jwk)?;
        let alg = resolve_jwk_algorithm(requested, jwk, &material)?;
        let verifying = VerifyingKey::from_material(Some(alg), material)?;
        Ok(match &jwk.kid {
            Some(kid) => verifying.with_kid(kid.clone()),
            None => verifying,
        })
    }
}

fn require_hmac(alg: Algorithm) -> Result<(), KeyError> {
    if alg.family() == AlgorithmFamily::Hmac {
        Ok(())
    } else {
        Err(KeyError::AlgorithmMismatch {
            key: "oct (HMAC secret)",
            requested: alg,
        })
    }
}
