//! Import of keys from PEM, DER and "any bytes" (PEM, JWK or DER, detected), and the
//! checks that bind parsed key material to one algorithm.

use jot_codec::{Algorithm, AlgorithmFamily};

use crate::der::{self, KeyMaterial};
use crate::ecdsa::{Curve, EcSigning, EcVerifying};
#[cfg(feature = "es256k")]
use crate::ecdsa_rustcrypto::k256_impl;
#[cfg(feature = "es512")]
use crate::ecdsa_rustcrypto::p521_impl;
use crate::eddsa::{EdSigning, EdVerifying};
use crate::hmac::HmacKey;
use crate::jwk::JwkKey;
use crate::key::{SigningInner, VerifyingInner, disabled};
use crate::rsa::{RsaSigning, RsaVerifying};
use crate::{Jwk, JwkSet, KeyError, SigningKey, VerifyingKey, pem};

/// What a key file holds, told apart by its first bytes: for tools that take a key
/// file of any kind and must know whether it is one key or a set before building keys.
///
/// ```
/// use jot_algorithms::KeyFile;
///
/// let set = KeyFile::sniff(br#"{"keys":[]}"#.to_vec())?;
/// assert!(matches!(set, KeyFile::Set(s) if s.keys.is_empty()));
/// let jwk = KeyFile::sniff(br#" {"kty":"oct","k":"c2VjcmV0"}"#.to_vec())?;
/// assert!(matches!(jwk, KeyFile::Jwk(_)));
/// let pem = KeyFile::sniff(b"-----BEGIN PRIVATE KEY-----\n".to_vec())?;
/// assert!(matches!(pem, KeyFile::Encoded(_)));
/// assert_eq!(format!("{pem:?}"), "Encoded(28 bytes)"); // never the key itself
/// // Only JSON is parsed, so only JSON is refused here.
/// assert!(KeyFile::sniff(b"{not json".to_vec()).is_err());
/// assert!(KeyFile::sniff(br#"{"keys":{}}"#.to_vec()).is_err());
/// # Ok::<(), jot_algorithms::KeyError>(())
/// ```
#[derive(Clone)]
pub enum KeyFile {
    /// One JWK: a JSON object without a `keys` member.
    Jwk(Box<Jwk>),
    /// A JWK Set: a JSON object with a `keys` member.
    Set(JwkSet),
    /// Anything else: PEM or DER, for [`SigningKey::from_any_bytes`] or
    /// [`VerifyingKey::from_any_bytes`] (which tell the two apart).
    Encoded(Vec<u8>),
}

impl KeyFile {
    /// Sorts `bytes`: JSON (starting with `{` after whitespace) is parsed as a JWK or,
    /// when it has a `keys` member, as a JWK Set; the rest is returned as it is.
    /// Only JSON is parsed here, so only JSON can fail ([`KeyError::InvalidJwk`]).
    pub fn sniff(bytes: Vec<u8>) -> Result<KeyFile, KeyError> {
        if !is_json(&bytes) {
            return Ok(KeyFile::Encoded(bytes));
        }
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|_| KeyError::InvalidJwk {
                reason: "not valid JSON",
            })?;
        if value.get("keys").is_some() {
            serde_json::from_slice(&bytes)
                .map(KeyFile::Set)
                .map_err(|_| KeyError::InvalidJwk {
                    reason: "not a JWK Set ({\"keys\": [...]})",
                })
        } else {
            Jwk::from_json_bytes(&bytes).map(|jwk| KeyFile::Jwk(Box::new(jwk)))
        }
    }
}

/// PEM or DER bytes may be a private key: only their length is shown.
impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyFile::Jwk(jwk) => f.debug_tuple("Jwk").field(jwk).finish(),
            KeyFile::Set(set) => f.debug_tuple("Set").field(set).finish(),
            KeyFile::Encoded(bytes) => write!(f, "Encoded({} bytes)", bytes.len()),
        }
    }
}

/// Whether a key file is JSON (a JWK or a JWK Set) rather than PEM or DER.
fn is_json(bytes: &[u8]) -> bool {
    bytes.trim_ascii_start().starts_with(b"{")
}

/// A key file of any kind, told apart by its first bytes.
enum AnyKey {
    Jwk(Box<Jwk>),
    Material(KeyMaterial),
}

/// JSON (`{`) is a JWK, `-----BEGIN` is PEM, anything else is tried as DER.
fn sniff(bytes: &[u8]) -> Result<AnyKey, KeyError> {
    if is_json(bytes) {
        return Ok(AnyKey::Jwk(Box::new(Jwk::from_json_bytes(bytes)?)));
    }
    Ok(AnyKey::Material(if pem::looks_like_pem(bytes) {
        pem::parse(bytes)?
    } else {
        der::parse_any(bytes)?
    }))
}

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
        Self::from_material(Some(alg), pem::parse(pem.as_ref())?)
    }

    /// A private EC or Ed25519 key from PEM, with the algorithm taken from the curve.
    /// RSA keys need [`SigningKey::from_pem`].
    pub fn from_pem_infer(pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(None, pem::parse(pem.as_ref())?)
    }

    /// A private key from DER (PKCS#8, PKCS#1 `RSAPrivateKey` or SEC1
    /// `ECPrivateKey`, detected), for `alg`.
    pub fn from_der(alg: Algorithm, der: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(Some(alg), der::parse_any(der.as_ref())?)
    }

    /// A private EC or Ed25519 key from DER, with the algorithm taken from the curve.
    pub fn from_der_infer(der: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(None, der::parse_any(der.as_ref())?)
    }

    /// A private key from PEM, a JWK (JSON) or DER, whichever `bytes` is — for tools
    /// that take a key file of any kind. `alg` may be `None` for EC and Ed25519 keys
    /// and for JWKs with an `alg`. Raw bytes are never taken as an HMAC secret here:
    /// use [`SigningKey::hmac`] for that (a JWK with `kty: oct` is fine).
    pub fn from_any_bytes(
        alg: Option<Algorithm>,
        bytes: impl AsRef<[u8]>,
    ) -> Result<Self, KeyError> {
        match sniff(bytes.as_ref())? {
            AnyKey::Jwk(jwk) => match alg {
                Some(alg) => Self::from_jwk_with_alg(alg, &jwk),
                None => Self::from_jwk(&jwk),
            },
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
        if alg.family() == AlgorithmFamily::Hmac {
            return Err(KeyError::AlgorithmMismatch {
                key: key_type(&material),
                requested: alg,
            });
        }
        let inner = match material {
            KeyMaterial::RsaPrivate { pkcs1 } => SigningInner::Rsa(RsaSigning::new(alg, &pkcs1)?),
            KeyMaterial::EcPrivate { curve, d, q } => {
                curve.check_algorithm(alg)?;
                match curve {
                    Curve::P256 | Curve::P384 => {
                        SigningInner::Ec(EcSigning::new(curve, &d, q.as_deref())?)
                    }
                    #[cfg(feature = "es512")]
                    Curve::P521 => SigningInner::P521(p521_impl::Signing::new(&d, q.as_deref())?),
                    #[cfg(feature = "es256k")]
                    Curve::Secp256k1 => {
                        SigningInner::K256(k256_impl::Signing::new(&d, q.as_deref())?)
                    }
                    #[allow(unreachable_patterns)]
                    _ => return Err(disabled(alg)),
                }
            }
            KeyMaterial::Ed25519Private { seed, public } => {
                check_eddsa(alg)?;
                SigningInner::Ed25519(EdSigning::new(&seed, public.as_deref())?)
            }
            KeyMaterial::RsaPublic { .. }
            | KeyMaterial::EcPublic { .. }
            | KeyMaterial::Ed25519Public { .. } => {
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
        Self::from_material(Some(alg), pem::parse(pem.as_ref())?)
    }

    /// A public EC or Ed25519 key from PEM, with the algorithm taken from the curve.
    pub fn from_pem_infer(pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(None, pem::parse(pem.as_ref())?)
    }

    /// A public key from DER (SPKI, PKCS#1 `RSAPublicKey`, an X.509 certificate, or a
    /// private key whose public part is taken), for `alg`.
    pub fn from_der(alg: Algorithm, der: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(Some(alg), der::parse_any(der.as_ref())?)
    }

    /// A public EC or Ed25519 key from DER, with the algorithm taken from the curve.
    pub fn from_der_infer(der: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(None, der::parse_any(der.as_ref())?)
    }

    /// A verifying key from PEM, a JWK (JSON) or DER, whichever `bytes` is. Raw bytes
    /// are never taken as an HMAC secret here (use [`VerifyingKey::hmac`]).
    pub fn from_any_bytes(
        alg: Option<Algorithm>,
        bytes: impl AsRef<[u8]>,
    ) -> Result<Self, KeyError> {
        match sniff(bytes.as_ref())? {
            AnyKey::Jwk(jwk) => match alg {
                Some(alg) => Self::from_jwk_with_alg(alg, &jwk),
                None => Self::from_jwk(&jwk),
            },
            AnyKey::Material(material) => Self::from_material(alg, material),
        }
    }

    /// Builds a verifying key from parsed material (a private key gives its public part).
    pub(crate) fn from_material(
        alg: Option<Algorithm>,
        material: KeyMaterial,
    ) -> Result<Self, KeyError> {
        if material.is_private() {
            return Ok(SigningKey::from_material(alg, material)?.verifying_key());
        }
        let alg = match alg {
            Some(alg) => alg,
            None => infer_algorithm(&material)?,
        };
        if alg.family() == AlgorithmFamily::Hmac {
            return Err(KeyError::AlgorithmMismatch {
                key: key_type(&material),
                requested: alg,
            });
        }
        let inner = match material {
            KeyMaterial::RsaPublic { n, e } => VerifyingInner::Rsa(RsaVerifying::new(alg, &n, &e)?),
            KeyMaterial::EcPublic { curve, q } => {
                curve.check_algorithm(alg)?;
                match curve {
                    Curve::P256 | Curve::P384 => VerifyingInner::Ec(EcVerifying::new(curve, &q)?),
                    #[cfg(feature = "es512")]
                    Curve::P521 => VerifyingInner::P521(p521_impl::Verifying::new(&q)?),
                    #[cfg(feature = "es256k")]
                    Curve::Secp256k1 => VerifyingInner::K256(k256_impl::Verifying::new(&q)?),
                    #[allow(unreachable_patterns)]
                    _ => return Err(disabled(alg)),
                }
            }
            KeyMaterial::Ed25519Public { x } => {
                check_eddsa(alg)?;
                VerifyingInner::Ed25519(EdVerifying::new(&x)?)
            }
            // Private material was handled above.
            KeyMaterial::RsaPrivate { .. }
            | KeyMaterial::EcPrivate { .. }
            | KeyMaterial::Ed25519Private { .. } => {
                return Err(KeyError::UnsupportedKeyType {
                    what: "private key",
                });
            }
        };
        Ok(Self::new(alg, inner))
    }
}

/// The algorithm a key implies: only EC curves and Ed25519 imply one.
pub(crate) fn infer_algorithm(material: &KeyMaterial) -> Result<Algorithm, KeyError> {
    match material {
        KeyMaterial::EcPrivate { curve, .. } | KeyMaterial::EcPublic { curve, .. } => {
            Ok(curve.algorithm())
        }
        KeyMaterial::Ed25519Private { .. } | KeyMaterial::Ed25519Public { .. } => {
            Ok(Algorithm::EdDSA)
        }
        KeyMaterial::RsaPrivate { .. } | KeyMaterial::RsaPublic { .. } => {
            Err(KeyError::AlgorithmRequired { key_type: "RSA" })
        }
    }
}

fn key_type(material: &KeyMaterial) -> &'static str {
    match material {
        KeyMaterial::RsaPrivate { .. } | KeyMaterial::RsaPublic { .. } => "RSA",
        KeyMaterial::EcPrivate { curve, .. } | KeyMaterial::EcPublic { curve, .. } => {
            curve.jwk_name()
        }
        KeyMaterial::Ed25519Private { .. } | KeyMaterial::Ed25519Public { .. } => "Ed25519",
    }
}

fn check_eddsa(alg: Algorithm) -> Result<(), KeyError> {
    if alg == Algorithm::EdDSA {
        Ok(())
    } else {
        Err(KeyError::AlgorithmMismatch {
            key: "Ed25519",
            requested: alg,
        })
    }
}

impl SigningKey {
    /// A signing key from a private JWK (`kty` RSA, EC, OKP or oct). The algorithm is
    /// the JWK's `alg`, or for EC/OKP the one the curve implies; an RSA or oct JWK
    /// without `alg` needs [`SigningKey::from_jwk_with_alg`]. The JWK's `kid` becomes
    /// the key id; `use` must be `sig` and `key_ops` must contain `sign` when present.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, Jwk, SigningKey};
    ///
    /// let jwk: Jwk = r#"{"kty":"oct","alg":"HS256","kid":"k1",
    ///     "k":"c2VjcmV0IHNlY3JldCBzZWNyZXQgc2VjcmV0IHNlY3JldCEh"}"#.parse()?;
    /// let key = SigningKey::from_jwk(&jwk)?;
    /// assert_eq!((key.algorithm(), key.kid()), (Algorithm::HS256, Some("k1")));
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, KeyError> {
        Self::from_jwk_inner(None, jwk)
    }

    /// A signing key from a private JWK for `alg`; the JWK's `alg`, if present, must
    /// be the same.
    pub fn from_jwk_with_alg(alg: Algorithm, jwk: &Jwk) -> Result<Self, KeyError> {
        Self::from_jwk_inner(Some(alg), jwk)
    }

    fn from_jwk_inner(requested: Option<Algorithm>, jwk: &Jwk) -> Result<Self, KeyError> {
        jwk.check_usage("sign")?;
        let key = jwk.decode()?;
        let alg = jwk.resolve_algorithm(requested, &key)?;
        let signing = match key {
            JwkKey::Secret(secret) => {
                require_hmac(alg)?;
                SigningKey::new(alg, SigningInner::Hmac(HmacKey::new(alg, &secret)?))
            }
            JwkKey::Material(material) => {
                if !material.is_private() {
                    return Err(KeyError::LooksLikePublicKey);
                }
                SigningKey::from_material(Some(alg), material)?
            }
        };
        Ok(match &jwk.kid {
            Some(kid) => signing.with_kid(kid.clone()),
            None => signing,
        })
    }
}

impl VerifyingKey {
    /// A verifying key from a JWK (public, or private whose public part is taken; `oct`
    /// gives an HMAC key). The algorithm comes as for [`SigningKey::from_jwk`]; `use`
    /// must be `sig` and `key_ops` must contain `verify` when present.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, Jwk, KeyError, VerifyingKey};
    ///
    /// let jwk: Jwk = r#"{"kty":"EC","crv":"P-256","use":"enc",
    ///     "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    ///     "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#.parse()?;
    /// assert_eq!(VerifyingKey::from_jwk(&jwk).unwrap_err(), KeyError::JwkUsage { needed: "verify" });
    /// # Ok::<(), KeyError>(())
    /// ```
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, KeyError> {
        Self::from_jwk_inner(None, jwk)
    }

    /// A verifying key from a JWK for `alg`; the JWK's `alg`, if present, must be the same.
    pub fn from_jwk_with_alg(alg: Algorithm, jwk: &Jwk) -> Result<Self, KeyError> {
        Self::from_jwk_inner(Some(alg), jwk)
    }

    fn from_jwk_inner(requested: Option<Algorithm>, jwk: &Jwk) -> Result<Self, KeyError> {
        jwk.check_usage("verify")?;
        let key = jwk.decode()?;
        let alg = jwk.resolve_algorithm(requested, &key)?;
        let verifying = match key {
            JwkKey::Secret(secret) => {
                require_hmac(alg)?;
                VerifyingKey::new(alg, VerifyingInner::Hmac(HmacKey::new(alg, &secret)?))
            }
            JwkKey::Material(material) => VerifyingKey::from_material(Some(alg), material)?,
        };
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
