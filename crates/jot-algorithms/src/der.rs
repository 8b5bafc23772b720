//! DER key formats: PKCS#8, SPKI, PKCS#1 (RSA), SEC1 (EC) and X.509 certificates,
//! read into and written from [`KeyMaterial`]; ML-DSA keys (RFC 9881) in `der/akp.rs`.

mod akp;

use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier, OctetStringRef, UintRef};
use der::{Decode, Encode};
use pkcs1::{RsaPrivateKeyRef, RsaPublicKeyRef};
use pkcs8::PrivateKeyInfoRef;
use sec1::{EcParameters, EcPrivateKey};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

use crate::certificate::certificate_spki;
use crate::{EcCurve, KeyError, KeyMaterial, OkpCurve, RsaPrivateParts};

// `new_unwrap` runs at compile time in these const items: a typo in an OID fails
// the build, never a running program.
/// `rsaEncryption` (RFC 8017).
const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-ecPublicKey` (RFC 5480).
const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `id-X448` (RFC 8410), recognised only to say it is unsupported.
const OID_X448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.111");
/// `id-RSASSA-PSS` (RFC 4055), recognised only to say it is unsupported.
const OID_RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

impl KeyMaterial {
    /// Reads a DER key of any kind jot knows, told apart by its structure: PKCS#8
    /// `PrivateKeyInfo`, SPKI `SubjectPublicKeyInfo`, PKCS#1 `RSAPrivateKey` or
    /// `RSAPublicKey`, SEC1 `ECPrivateKey`, or an X.509 certificate (its public key;
    /// the certificate itself is not checked).
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, KeyMaterial, SigningKey};
    ///
    /// let key = SigningKey::generate(Algorithm::EdDSA)?;
    /// let material = KeyMaterial::from_der(key.to_pkcs8_der()?)?;
    /// assert!(material.is_private());
    /// assert_eq!(material.key_type(), "Ed25519");
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn from_der(der: impl AsRef<[u8]>) -> Result<KeyMaterial, KeyError> {
        let der = der.as_ref();
        detect(der)
            .map(|kind| parse(kind, der))
            .ok_or(KeyError::InvalidDer {
                reason: "not PKCS#8, SPKI, PKCS#1, SEC1 or an X.509 certificate",
            })?
    }

    /// The private key as PKCS#8 `PrivateKeyInfo` DER (RSA, EC, Ed25519, Ed448, X25519,
    /// or ML-DSA in the seed form of RFC 9881).
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, KeyError> {
        let (algorithm, inner) = match self {
            KeyMaterial::RsaPrivate(parts) => (rsa_algorithm(), encode_pkcs1_private(parts)?),
            KeyMaterial::EcPrivate { curve, d, point } => {
                let sec1 = EcPrivateKey {
                    private_key: d,
                    parameters: None,
                    public_key: point.as_deref(),
                };
                (
                    ec_algorithm(*curve),
                    sec1.to_der().map_err(|_| KeyError::Encoding)?,
                )
            }
            KeyMaterial::OkpPrivate { curve, d, .. } => {
                let inner = OctetStringRef::new(d)
                    .and_then(|o| o.to_der())
                    .map_err(|_| KeyError::Encoding)?;
                (okp_algorithm(*curve), inner)
            }
            KeyMaterial::Secret(_) => {
                return Err(KeyError::UnsupportedKeyType {
                    what: "a shared secret has no PKCS#8 form",
                });
            }
            KeyMaterial::AkpPrivate { alg, seed, .. } => {
                (akp::identifier(*alg)?, akp::seed_form(seed))
            }
            _ => return Err(KeyError::LooksLikePublicKey),
        };
        let info = PrivateKeyInfoRef {
            algorithm,
            private_key: OctetStringRef::new(&inner).map_err(|_| KeyError::Encoding)?,
            public_key: None,
        };
        info.to_der().map_err(|_| KeyError::Encoding)
    }

    /// The public key (of a private key: its public part) as SPKI
    /// `SubjectPublicKeyInfo` DER.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, KeyError> {
        let (algorithm, key) = match self.to_public()? {
            KeyMaterial::RsaPublic { n, e } => (rsa_algorithm(), encode_pkcs1_public(&n, &e)?),
            KeyMaterial::EcPublic { curve, point } => (ec_algorithm(curve), point),
            KeyMaterial::OkpPublic { curve, x } => (okp_algorithm(curve), x),
            KeyMaterial::AkpPublic { alg, public } => (akp::identifier(alg)?, public),
            _ => return Err(KeyError::Encoding),
        };
        let spki = SubjectPublicKeyInfoRef {
            algorithm,
            subject_public_key: BitStringRef::from_bytes(&key).map_err(|_| KeyError::Encoding)?,
        };
        spki.to_der().map_err(|_| KeyError::Encoding)
    }
}

/// What a DER blob is, when the caller knows (from a PEM label).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DerKind {
    Pkcs8,
    Spki,
    Pkcs1Private,
    Pkcs1Public,
    Sec1,
    Certificate,
}

/// Parses DER of a known kind.
pub(crate) fn parse(kind: DerKind, der: &[u8]) -> Result<KeyMaterial, KeyError> {
    match kind {
        DerKind::Pkcs8 => parse_pkcs8(der),
        DerKind::Spki => parse_spki(der),
        DerKind::Pkcs1Private => parse_pkcs1_private(der),
        DerKind::Pkcs1Public => parse_pkcs1_public(der),
        DerKind::Sec1 => parse_sec1(der, None),
        DerKind::Certificate => parse_spki(&certificate_spki(der)?),
    }
}

/// Which structure `der` decodes as, if any. The structures differ in their first
/// members, so at most one can match.
pub(crate) fn detect(der: &[u8]) -> Option<DerKind> {
    if PrivateKeyInfoRef::from_der(der).is_ok() {
        Some(DerKind::Pkcs8)
    } else if SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        Some(DerKind::Spki)
    } else if RsaPrivateKeyRef::from_der(der).is_ok() {
        Some(DerKind::Pkcs1Private)
    } else if RsaPublicKeyRef::from_der(der).is_ok() {
        Some(DerKind::Pkcs1Public)
    } else if EcPrivateKey::from_der(der).is_ok() {
        Some(DerKind::Sec1)
    } else if certificate_spki(der).is_ok() {
        Some(DerKind::Certificate)
    } else {
        None
    }
}

/// Builds PKCS#1 `RSAPrivateKey` DER from its integers (what every provider loads).
pub(crate) fn encode_pkcs1_private(parts: &RsaPrivateParts) -> Result<Vec<u8>, KeyError> {
    let key = RsaPrivateKeyRef {
        modulus: uint(&parts.n)?,
        public_exponent: uint(&parts.e)?,
        private_exponent: uint(&parts.d)?,
        prime1: uint(&parts.p)?,
        prime2: uint(&parts.q)?,
        exponent1: uint(&parts.dp)?,
        exponent2: uint(&parts.dq)?,
        coefficient: uint(&parts.qi)?,
        other_prime_infos: None,
    };
    key.to_der().map_err(|_| KeyError::Encoding)
}

fn uint(bytes: &[u8]) -> Result<UintRef<'_>, KeyError> {
    UintRef::new(bytes).map_err(|_| KeyError::Encoding)
}

/// Strips leading zero bytes from a big-endian unsigned integer.
pub(crate) fn trim_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Whether `bytes` decode as one of the key structures jot reads (used to refuse
/// DER given as an HMAC secret).
pub(crate) fn looks_like_key(bytes: &[u8]) -> bool {
    detect(bytes).is_some()
}

fn parse_pkcs8(der: &[u8]) -> Result<KeyMaterial, KeyError> {
    let info = PrivateKeyInfoRef::from_der(der).map_err(|_| KeyError::InvalidDer {
        reason: "malformed PKCS#8 PrivateKeyInfo",
    })?;
    let inner = info.private_key.as_bytes();
    let oid = info.algorithm.oid;
    if oid == OID_RSA {
        parse_pkcs1_private(inner)
    } else if oid == OID_EC {
        let curve = curve_from_params(info.algorithm.parameters)?;
        parse_sec1(inner, Some(curve))
    } else if let Some(alg) = akp::algorithm_of(&oid) {
        akp::private(
            alg,
            info.algorithm.parameters.is_some(),
            inner,
            info.public_key.map(|bits| bits.raw_bytes()),
        )
    } else if let Some(curve) = OkpCurve::from_oid(&oid) {
        if info.algorithm.parameters.is_some() {
            return Err(KeyError::InvalidDer {
                reason: "an Ed25519, Ed448 or X25519 algorithm identifier must have no parameters",
            });
        }
        let d = <&OctetStringRef>::from_der(inner).map_err(|_| KeyError::InvalidDer {
            reason: "malformed Ed25519, Ed448 or X25519 private key",
        })?;
        if d.as_bytes().len() != curve.key_len() {
            return Err(KeyError::InvalidDer {
                reason: "an OKP private key has the wrong length for its curve (32 bytes, 57 for Ed448)",
            });
        }
        Ok(KeyMaterial::OkpPrivate {
            curve,
            d: d.as_bytes().to_vec(),
            x: info.public_key.map(|bits| bits.raw_bytes().to_vec()),
        })
    } else {
        Err(unsupported_oid(oid))
    }
}

fn parse_spki(der: &[u8]) -> Result<KeyMaterial, KeyError> {
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| KeyError::InvalidDer {
        reason: "malformed SubjectPublicKeyInfo",
    })?;
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or(KeyError::InvalidDer {
            reason: "public key bit string has unused bits",
        })?;
    let oid = spki.algorithm.oid;
    if oid == OID_RSA {
        parse_pkcs1_public(key)
    } else if let Some(alg) = akp::algorithm_of(&oid) {
        akp::public(alg, spki.algorithm.parameters.is_some(), key)
    } else if oid == OID_EC {
        let curve = curve_from_params(spki.algorithm.parameters)?;
        Ok(KeyMaterial::EcPublic {
            curve,
            point: key.to_vec(),
        })
    } else if let Some(curve) = OkpCurve::from_oid(&oid) {
        Ok(KeyMaterial::OkpPublic {
            curve,
            x: key.to_vec(),
        })
    } else {
        Err(unsupported_oid(oid))
    }
}

fn parse_pkcs1_private(der: &[u8]) -> Result<KeyMaterial, KeyError> {
    let key = RsaPrivateKeyRef::from_der(der).map_err(|_| KeyError::InvalidDer {
        reason: "malformed PKCS#1 RSAPrivateKey",
    })?;
    if key.other_prime_infos.is_some() {
        return Err(KeyError::UnsupportedKeyType {
            what: "multi-prime RSA",
        });
    }
    let int = |u: UintRef<'_>| trim_leading_zeros(u.as_bytes()).to_vec();
    Ok(KeyMaterial::RsaPrivate(Box::new(RsaPrivateParts {
        n: int(key.modulus),
        e: int(key.public_exponent),
        d: int(key.private_exponent),
        p: int(key.prime1),
        q: int(key.prime2),
        dp: int(key.exponent1),
        dq: int(key.exponent2),
        qi: int(key.coefficient),
    })))
}

fn parse_pkcs1_public(der: &[u8]) -> Result<KeyMaterial, KeyError> {
    let key = RsaPublicKeyRef::from_der(der).map_err(|_| KeyError::InvalidDer {
        reason: "malformed PKCS#1 RSAPublicKey",
    })?;
    Ok(KeyMaterial::RsaPublic {
        n: trim_leading_zeros(key.modulus.as_bytes()).to_vec(),
        e: trim_leading_zeros(key.public_exponent.as_bytes()).to_vec(),
    })
}

/// Parses SEC1 `ECPrivateKey`; `outer` is the curve named by an enclosing PKCS#8.
fn parse_sec1(der: &[u8], outer: Option<EcCurve>) -> Result<KeyMaterial, KeyError> {
    let key = EcPrivateKey::from_der(der).map_err(|_| KeyError::InvalidDer {
        reason: "malformed SEC1 ECPrivateKey",
    })?;
    let inner = match key.parameters {
        Some(EcParameters::NamedCurve(oid)) => Some(curve_from_oid(oid)?),
        None => None,
    };
    let curve = match (outer, inner) {
        (Some(a), Some(b)) if a != b => {
            return Err(KeyError::InvalidDer {
                reason: "PKCS#8 and SEC1 name different curves",
            });
        }
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => {
            return Err(KeyError::InvalidDer {
                reason: "EC private key names no curve",
            });
        }
    };
    let d = left_pad(key.private_key, curve.field_len()).ok_or(KeyError::InvalidDer {
        reason: "EC private scalar longer than the curve order",
    })?;
    Ok(KeyMaterial::EcPrivate {
        curve,
        d,
        point: key.public_key.map(<[u8]>::to_vec),
    })
}

fn left_pad(bytes: &[u8], len: usize) -> Option<Vec<u8>> {
    let bytes = if bytes.len() > len {
        trim_leading_zeros(bytes)
    } else {
        bytes
    };
    if bytes.len() > len {
        return None;
    }
    let mut out = vec![0; len - bytes.len()];
    out.extend_from_slice(bytes);
    Some(out)
}

fn curve_from_params(params: Option<AnyRef<'_>>) -> Result<EcCurve, KeyError> {
    let oid = params
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
        .ok_or(KeyError::InvalidDer {
            reason: "EC key parameters must be a named curve",
        })?;
    curve_from_oid(oid)
}

fn curve_from_oid(oid: ObjectIdentifier) -> Result<EcCurve, KeyError> {
    EcCurve::from_oid(&oid).ok_or(KeyError::UnsupportedKeyType {
        what: "unknown elliptic curve",
    })
}

fn unsupported_oid(oid: ObjectIdentifier) -> KeyError {
    KeyError::UnsupportedKeyType {
        what: if oid == OID_X448 {
            "X448"
        } else if oid == OID_RSA_PSS {
            "RSA-PSS-restricted key (id-RSASSA-PSS); use an rsaEncryption key"
        } else {
            "unknown key algorithm"
        },
    }
}

fn rsa_algorithm() -> AlgorithmIdentifierRef<'static> {
    AlgorithmIdentifierRef {
        oid: OID_RSA,
        parameters: Some(AnyRef::NULL),
    }
}

fn ec_algorithm(curve: EcCurve) -> AlgorithmIdentifierRef<'static> {
    AlgorithmIdentifierRef {
        oid: OID_EC,
        parameters: Some(AnyRef::from(curve.oid())),
    }
}

fn okp_algorithm(curve: OkpCurve) -> AlgorithmIdentifierRef<'static> {
    AlgorithmIdentifierRef {
        oid: *curve.oid(),
        parameters: None,
    }
}

fn encode_pkcs1_public(n: &[u8], e: &[u8]) -> Result<Vec<u8>, KeyError> {
    let key = RsaPublicKeyRef {
        modulus: UintRef::new(n).map_err(|_| KeyError::Encoding)?,
        public_exponent: UintRef::new(e).map_err(|_| KeyError::Encoding)?,
    };
    key.to_der().map_err(|_| KeyError::Encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_a_key() {
        assert!(!looks_like_key(b"0123456789abcdef0123456789abcdef"));
        assert!(KeyMaterial::from_der([0x30, 0x00]).is_err());
    }

    #[test]
    fn left_pad_pads_and_refuses_long_scalars() {
        assert_eq!(left_pad(&[1, 2], 4), Some(vec![0, 0, 1, 2]));
        assert_eq!(left_pad(&[0, 0, 0, 1, 2], 4), Some(vec![0, 0, 1, 2]));
        assert_eq!(left_pad(&[1, 2, 3, 4, 5], 4), None);
    }

    #[test]
    fn x25519_pkcs8_and_spki_round_trip() {
        // RFC 8410 §10.3: an X25519 private key in PKCS#8 (as openssl writes it).
        let pkcs8 = [
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22,
            0x04, 0x20, 0xd4, 0xee, 0x72, 0xdb, 0xf9, 0x13, 0x58, 0x4a, 0xd5, 0xb6, 0xd8, 0xf1,
            0xf7, 0x69, 0xf8, 0xad, 0x3a, 0xfe, 0x7c, 0x28, 0xcb, 0xf1, 0xd4, 0xfb, 0xe0, 0x97,
            0xa8, 0x8f, 0x44, 0x75, 0x58, 0x42,
        ];
        let material = KeyMaterial::from_der(pkcs8).unwrap();
        let KeyMaterial::OkpPrivate { curve, d, x } = &material else {
            panic!("{material:?}");
        };
        assert_eq!((*curve, d.len(), x), (OkpCurve::X25519, 32, &None));
        assert_eq!(material.to_pkcs8_der().unwrap(), pkcs8);
        // No public key was given: there is no SPKI without curve arithmetic.
        assert!(material.to_spki_der().is_err());
        let public = KeyMaterial::OkpPublic {
            curve: OkpCurve::X25519,
            x: vec![9; 32],
        };
        let spki = public.to_spki_der().unwrap();
        assert_eq!(
            &spki[..12],
            &[
                0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00
            ]
        );
        assert_eq!(KeyMaterial::from_der(&spki).unwrap(), public);
    }
}
