//! [`KeyMaterial`]: a key's components as read from PEM, DER or a JWK, before any
//! crypto backend sees them. It is the one meeting point of every key format and
//! every key type jot knows (`oct`, RSA, EC, OKP, AKP), for JWS keys and JWE keys alike.
//!
//! Reading: [`KeyMaterial::from_pem`], [`KeyMaterial::from_der`],
//! [`KeyMaterial::from_jwk`] and [`AnyKey::parse`](crate::AnyKey::parse). Writing:
//! [`KeyMaterial::to_jwk`], [`KeyMaterial::to_pkcs8_der`], [`KeyMaterial::to_spki_der`]
//! and their PEM forms. [`KeyMaterial::thumbprint`] is the RFC 7638 thumbprint.

use std::fmt;

use jot_codec::Algorithm;

use crate::{EcCurve, KeyError, OkpCurve};

/// The components of a key, whatever format they came from, checked only as far as
/// the format goes (strict encodings, lengths that fit the curve). The typed keys
/// built from it check the rest: RSA sizes and exponents, points on the curve,
/// private and public parts that agree.
///
/// ```
/// use jot_algorithms::{KeyMaterial, OkpCurve};
///
/// // RFC 8037 §A.6: Bob's X25519 public key, as a JWK.
/// let jwk = r#"{"kty":"OKP","crv":"X25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}"#;
/// let material = KeyMaterial::from_jwk(&jwk.parse()?)?;
/// assert!(matches!(material, KeyMaterial::OkpPublic { curve: OkpCurve::X25519, .. }));
/// // The same key as SPKI PEM, and back.
/// let pem = material.to_spki_pem()?;
/// assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
/// assert_eq!(KeyMaterial::from_pem(&pem)?, material);
/// # Ok::<(), jot_algorithms::KeyError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyMaterial {
    /// A shared secret (`kty: oct`). No PEM or DER form.
    Secret(Vec<u8>),
    /// An RSA public key: modulus and public exponent, big-endian, no leading zeros.
    RsaPublic {
        /// The modulus.
        n: Vec<u8>,
        /// The public exponent.
        e: Vec<u8>,
    },
    /// A two-prime RSA private key.
    RsaPrivate(Box<RsaPrivateParts>),
    /// An EC public key: the SEC1 point, uncompressed (`04 || x || y`) from a JWK,
    /// as found (possibly compressed) from DER.
    EcPublic {
        /// The curve.
        curve: EcCurve,
        /// The SEC1 point.
        point: Vec<u8>,
    },
    /// An EC private key: the scalar, left-padded to the field length, and the public
    /// point when the format carried it.
    EcPrivate {
        /// The curve.
        curve: EcCurve,
        /// The private scalar.
        d: Vec<u8>,
        /// The SEC1 public point, if known.
        point: Option<Vec<u8>>,
    },
    /// An OKP public key (RFC 8037): Ed25519, Ed448 or X25519.
    OkpPublic {
        /// The curve.
        curve: OkpCurve,
        /// The public key.
        x: Vec<u8>,
    },
    /// An OKP private key and, when the format carried it, its public key.
    OkpPrivate {
        /// The curve.
        curve: OkpCurve,
        /// The private key (the Ed25519 seed, or the X25519 scalar).
        d: Vec<u8>,
        /// The public key, if known.
        x: Option<Vec<u8>>,
    },
    /// An AKP public key (RFC 9964): the key of one algorithm, ML-DSA-44, ML-DSA-65
    /// or ML-DSA-87, whose length it has. Only a JWK carries one here.
    AkpPublic {
        /// The algorithm the key is for (AKP keys always name it).
        alg: Algorithm,
        /// The public key (`pub`), FIPS 204 `pkEncode`.
        public: Vec<u8>,
    },
    /// An AKP private key (RFC 9964): the 32-byte ML-DSA seed and its public key
    /// (both are required members of a private AKP JWK; PKCS#8 may omit the public key).
    AkpPrivate {
        /// The algorithm the key is for.
        alg: Algorithm,
        /// The private key (`priv`): the seed ξ of FIPS 204 key generation.
        seed: Vec<u8>,
        /// The public key (`pub`), if known.
        public: Option<Vec<u8>>,
    },
}

/// The integers of a two-prime RSA private key (RFC 8017 §3.2), big-endian, without
/// leading zeros.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPrivateParts {
    /// The modulus.
    pub n: Vec<u8>,
    /// The public exponent.
    pub e: Vec<u8>,
    /// The private exponent.
    pub d: Vec<u8>,
    /// The first prime factor.
    pub p: Vec<u8>,
    /// The second prime factor.
    pub q: Vec<u8>,
    /// `d mod (p - 1)`.
    pub dp: Vec<u8>,
    /// `d mod (q - 1)`.
    pub dq: Vec<u8>,
    /// `q^-1 mod p`.
    pub qi: Vec<u8>,
}

impl KeyMaterial {
    /// Whether this is a private key or a shared secret.
    pub fn is_private(&self) -> bool {
        !matches!(
            self,
            KeyMaterial::RsaPublic { .. }
                | KeyMaterial::EcPublic { .. }
                | KeyMaterial::OkpPublic { .. }
                | KeyMaterial::AkpPublic { .. }
        )
    }

    /// The JWK `kty`: `oct`, `RSA`, `EC`, `OKP` or `AKP`.
    pub fn kty(&self) -> &'static str {
        match self {
            KeyMaterial::Secret(_) => "oct",
            KeyMaterial::RsaPublic { .. } | KeyMaterial::RsaPrivate(_) => "RSA",
            KeyMaterial::EcPublic { .. } | KeyMaterial::EcPrivate { .. } => "EC",
            KeyMaterial::OkpPublic { .. } | KeyMaterial::OkpPrivate { .. } => "OKP",
            KeyMaterial::AkpPublic { .. } | KeyMaterial::AkpPrivate { .. } => "AKP",
        }
    }

    /// A short name of the key type for messages: `oct`, `RSA`, the curve name, or
    /// an AKP key's algorithm.
    pub fn key_type(&self) -> &'static str {
        match self {
            KeyMaterial::Secret(_) => "oct",
            KeyMaterial::RsaPublic { .. } | KeyMaterial::RsaPrivate(_) => "RSA",
            KeyMaterial::EcPublic { curve, .. } | KeyMaterial::EcPrivate { curve, .. } => {
                curve.jwk_name()
            }
            KeyMaterial::OkpPublic { curve, .. } | KeyMaterial::OkpPrivate { curve, .. } => {
                curve.jwk_name()
            }
            KeyMaterial::AkpPublic { alg, .. } | KeyMaterial::AkpPrivate { alg, .. } => {
                alg.as_str()
            }
        }
    }

    /// The public part of a private key (a public key is returned as it is). A shared
    /// secret has none, and an EC or OKP private key read without its public key
    /// needs the curve arithmetic of a typed key to get it.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, KeyMaterial, SigningKey};
    ///
    /// let key = SigningKey::generate(Algorithm::ES256)?;
    /// let private = KeyMaterial::from_der(key.to_pkcs8_der()?)?;
    /// let public = KeyMaterial::from_der(key.verifying_key().to_spki_der()?)?;
    /// assert_eq!(private.to_public()?, public);
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn to_public(&self) -> Result<KeyMaterial, KeyError> {
        const NO_PUBLIC: KeyError = KeyError::UnsupportedKeyType {
            what: "a private key read without its public key",
        };
        Ok(match self {
            KeyMaterial::Secret(_) => {
                return Err(KeyError::UnsupportedKeyType {
                    what: "a shared secret has no public part",
                });
            }
            KeyMaterial::RsaPrivate(parts) => KeyMaterial::RsaPublic {
                n: parts.n.clone(),
                e: parts.e.clone(),
            },
            KeyMaterial::EcPrivate { curve, point, .. } => KeyMaterial::EcPublic {
                curve: *curve,
                point: point.clone().ok_or(NO_PUBLIC)?,
            },
            KeyMaterial::OkpPrivate { curve, x, .. } => KeyMaterial::OkpPublic {
                curve: *curve,
                x: x.clone().ok_or(NO_PUBLIC)?,
            },
            KeyMaterial::AkpPrivate { alg, public, .. } => KeyMaterial::AkpPublic {
                alg: *alg,
                public: public.clone().ok_or(NO_PUBLIC)?,
            },
            public => public.clone(),
        })
    }
}

impl fmt::Debug for KeyMaterial {
    /// Shows the key type and public components; private ones are `<redacted>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const REDACTED: &str = "<redacted>";
        match self {
            KeyMaterial::Secret(_) => f.debug_tuple("Secret").field(&REDACTED).finish(),
            KeyMaterial::RsaPublic { n, e } => f
                .debug_struct("RsaPublic")
                .field("n", n)
                .field("e", e)
                .finish(),
            KeyMaterial::RsaPrivate(parts) => f.debug_tuple("RsaPrivate").field(parts).finish(),
            KeyMaterial::EcPublic { curve, point } => f
                .debug_struct("EcPublic")
                .field("curve", curve)
                .field("point", point)
                .finish(),
            KeyMaterial::EcPrivate { curve, point, .. } => f
                .debug_struct("EcPrivate")
                .field("curve", curve)
                .field("d", &REDACTED)
                .field("point", point)
                .finish(),
            KeyMaterial::OkpPublic { curve, x } => f
                .debug_struct("OkpPublic")
                .field("curve", curve)
                .field("x", x)
                .finish(),
            KeyMaterial::OkpPrivate { curve, x, .. } => f
                .debug_struct("OkpPrivate")
                .field("curve", curve)
                .field("d", &REDACTED)
                .field("x", x)
                .finish(),
            KeyMaterial::AkpPublic { alg, public } => f
                .debug_struct("AkpPublic")
                .field("alg", alg)
                .field("public", public)
                .finish(),
            KeyMaterial::AkpPrivate { alg, public, .. } => f
                .debug_struct("AkpPrivate")
                .field("alg", alg)
                .field("seed", &REDACTED)
                .field("public", public)
                .finish(),
        }
    }
}

impl fmt::Debug for RsaPrivateParts {
    /// Shows the public integers; the private ones are `<redacted>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPrivateParts")
            .field("n", &self.n)
            .field("e", &self.e)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_private_components() {
        let keys = [
            KeyMaterial::Secret(vec![0xab; 32]),
            KeyMaterial::EcPrivate {
                curve: EcCurve::P256,
                d: vec![0xab; 32],
                point: None,
            },
            KeyMaterial::OkpPrivate {
                curve: OkpCurve::X25519,
                d: vec![0xab; 32],
                x: None,
            },
            KeyMaterial::AkpPrivate {
                alg: Algorithm::MlDsa44,
                seed: vec![0xab; 32],
                public: Some(vec![1; 1312]),
            },
            KeyMaterial::RsaPrivate(Box::new(RsaPrivateParts {
                n: vec![1],
                e: vec![3],
                d: vec![0xab; 4],
                p: vec![0xab; 2],
                q: vec![0xab; 2],
                dp: vec![0xab],
                dq: vec![0xab],
                qi: vec![0xab],
            })),
        ];
        for key in keys {
            let text = format!("{key:?}");
            assert!(!text.contains("171"), "{text}");
            assert!(key.is_private());
        }
    }

    #[test]
    fn public_part() {
        let private = KeyMaterial::OkpPrivate {
            curve: OkpCurve::Ed25519,
            d: vec![1; 32],
            x: Some(vec![2; 32]),
        };
        assert_eq!(
            private.to_public(),
            Ok(KeyMaterial::OkpPublic {
                curve: OkpCurve::Ed25519,
                x: vec![2; 32]
            })
        );
        let without = KeyMaterial::EcPrivate {
            curve: EcCurve::P384,
            d: vec![1; 48],
            point: None,
        };
        assert!(without.to_public().is_err());
        assert!(KeyMaterial::Secret(vec![1; 32]).to_public().is_err());
        assert_eq!(without.kty(), "EC");
        assert_eq!(without.key_type(), "P-384");
    }
}
