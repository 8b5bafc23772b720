//! DER key formats: PKCS#8, SPKI, PKCS#1 (RSA), SEC1 (EC) and X.509 certificates.
//!
//! Parsing turns any of them into one [`KeyMaterial`] (raw key components), which
//! [`crate::key`] turns into a typed key; encoding goes the other way for export.

use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier, OctetStringRef, UintRef};
use der::{Decode, Encode};
use pkcs1::{RsaPrivateKeyRef, RsaPublicKeyRef};
use pkcs8::PrivateKeyInfoRef;
use sec1::{EcParameters, EcPrivateKey};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

use crate::KeyError;
use crate::ecdsa::Curve;

// `new_unwrap` runs at compile time in these const/static items: a typo in an
// OID fails the build, never a running program.
/// `rsaEncryption` (RFC 8017).
const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-ecPublicKey` (RFC 5480).
const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `id-Ed25519` (RFC 8410).
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// `id-Ed448` (RFC 8410), recognised only to say it is unsupported.
const OID_ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");
/// `id-RSASSA-PSS` (RFC 4055), recognised only to say it is unsupported.
const OID_RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

/// Raw key components, whatever format they came from. Nothing here is checked
/// beyond the encoding; the typed keys check sizes, curves and consistency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum KeyMaterial {
    /// An RSA private key as PKCS#1 `RSAPrivateKey` DER (what ring loads).
    RsaPrivate { pkcs1: Vec<u8> },
    /// An RSA public key: big-endian modulus and exponent without leading zeros.
    RsaPublic { n: Vec<u8>, e: Vec<u8> },
    /// An EC private scalar (left-padded to the field size) and, when known, the
    /// uncompressed public point.
    EcPrivate {
        curve: Curve,
        d: Vec<u8>,
        q: Option<Vec<u8>>,
    },
    /// An EC public point in SEC1 form (uncompressed, or compressed for the RustCrypto curves).
    EcPublic { curve: Curve, q: Vec<u8> },
    /// An Ed25519 seed and, when known, its public key.
    Ed25519Private {
        seed: Vec<u8>,
        public: Option<Vec<u8>>,
    },
    /// An Ed25519 public key.
    Ed25519Public { x: Vec<u8> },
}

impl KeyMaterial {
    /// Whether this holds a private key.
    pub(crate) fn is_private(&self) -> bool {
        matches!(
            self,
            KeyMaterial::RsaPrivate { .. }
                | KeyMaterial::EcPrivate { .. }
                | KeyMaterial::Ed25519Private { .. }
        )
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
        DerKind::Certificate => parse_spki(certificate_spki(der)?),
    }
}

/// Parses DER of an unknown kind by trying each structure in turn. The structures
/// differ in their first members, so at most one can match.
pub(crate) fn parse_any(der: &[u8]) -> Result<KeyMaterial, KeyError> {
    detect(der)
        .map(|kind| parse(kind, der))
        .ok_or(KeyError::InvalidDer {
            reason: "not PKCS#8, SPKI, PKCS#1, SEC1 or an X.509 certificate",
        })?
}

/// Which structure `der` decodes as, if any.
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

/// Encodes a private key as PKCS#8 `PrivateKeyInfo` DER.
pub(crate) fn encode_pkcs8(material: &KeyMaterial) -> Result<Vec<u8>, KeyError> {
    let (algorithm, inner) = match material {
        KeyMaterial::RsaPrivate { pkcs1 } => (rsa_algorithm(), pkcs1.clone()),
        KeyMaterial::EcPrivate { curve, d, q } => {
            let sec1 = EcPrivateKey {
                private_key: d,
                parameters: None,
                public_key: q.as_deref(),
            };
            (
                ec_algorithm(curve),
                sec1.to_der().map_err(|_| KeyError::Encoding)?,
            )
        }
        KeyMaterial::Ed25519Private { seed, .. } => {
            let inner = OctetStringRef::new(seed)
                .and_then(|o| o.to_der())
                .map_err(|_| KeyError::Encoding)?;
            (ed25519_algorithm(), inner)
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

/// Encodes the public part of a key as SPKI DER.
pub(crate) fn encode_spki(material: &KeyMaterial) -> Result<Vec<u8>, KeyError> {
    let (algorithm, key) = match material {
        KeyMaterial::RsaPublic { n, e } => (rsa_algorithm(), encode_pkcs1_public(n, e)?),
        KeyMaterial::EcPublic { curve, q } => (ec_algorithm(curve), q.clone()),
        KeyMaterial::Ed25519Public { x } => (ed25519_algorithm(), x.clone()),
        _ => return Err(KeyError::Encoding),
    };
    let spki = SubjectPublicKeyInfoRef {
        algorithm,
        subject_public_key: BitStringRef::from_bytes(&key).map_err(|_| KeyError::Encoding)?,
    };
    spki.to_der().map_err(|_| KeyError::Encoding)
}

/// The eight integers of a two-prime RSA private key, big-endian.
pub(crate) struct RsaPrivateParts<'a> {
    pub(crate) n: &'a [u8],
    pub(crate) e: &'a [u8],
    pub(crate) d: &'a [u8],
    pub(crate) p: &'a [u8],
    pub(crate) q: &'a [u8],
    pub(crate) dp: &'a [u8],
    pub(crate) dq: &'a [u8],
    pub(crate) qi: &'a [u8],
}

/// Builds PKCS#1 `RSAPrivateKey` DER from its integers (used for JWK import).
pub(crate) fn encode_pkcs1_private(parts: &RsaPrivateParts<'_>) -> Result<Vec<u8>, KeyError> {
    let key = RsaPrivateKeyRef {
        modulus: uint(parts.n)?,
        public_exponent: uint(parts.e)?,
        private_exponent: uint(parts.d)?,
        prime1: uint(parts.p)?,
        prime2: uint(parts.q)?,
        exponent1: uint(parts.dp)?,
        exponent2: uint(parts.dq)?,
        coefficient: uint(parts.qi)?,
        other_prime_infos: None,
    };
    key.to_der().map_err(|_| KeyError::Encoding)
}

fn uint(bytes: &[u8]) -> Result<UintRef<'_>, KeyError> {
    UintRef::new(bytes).map_err(|_| KeyError::Encoding)
}

/// Reads the integers of a PKCS#1 `RSAPrivateKey` (for JWK export).
pub(crate) fn with_pkcs1_private<T>(
    pkcs1: &[u8],
    f: impl FnOnce(&RsaPrivateParts<'_>) -> T,
) -> Result<T, KeyError> {
    let key = RsaPrivateKeyRef::from_der(pkcs1).map_err(|_| KeyError::InvalidDer {
        reason: "malformed PKCS#1 RSAPrivateKey",
    })?;
    Ok(f(&RsaPrivateParts {
        n: key.modulus.as_bytes(),
        e: key.public_exponent.as_bytes(),
        d: key.private_exponent.as_bytes(),
        p: key.prime1.as_bytes(),
        q: key.prime2.as_bytes(),
        dp: key.exponent1.as_bytes(),
        dq: key.exponent2.as_bytes(),
        qi: key.coefficient.as_bytes(),
    }))
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
    } else if oid == OID_ED25519 {
        if info.algorithm.parameters.is_some() {
            return Err(KeyError::InvalidDer {
                reason: "Ed25519 algorithm identifier must have no parameters",
            });
        }
        let seed = <&OctetStringRef>::from_der(inner).map_err(|_| KeyError::InvalidDer {
            reason: "malformed Ed25519 private key",
        })?;
        if seed.as_bytes().len() != 32 {
            return Err(KeyError::InvalidDer {
                reason: "Ed25519 private key must be 32 bytes",
            });
        }
        let public = info.public_key.map(|bits| bits.raw_bytes().to_vec());
        Ok(KeyMaterial::Ed25519Private {
            seed: seed.as_bytes().to_vec(),
            public,
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
    } else if oid == OID_EC {
        let curve = curve_from_params(spki.algorithm.parameters)?;
        Ok(KeyMaterial::EcPublic {
            curve,
            q: key.to_vec(),
        })
    } else if oid == OID_ED25519 {
        Ok(KeyMaterial::Ed25519Public { x: key.to_vec() })
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
    Ok(KeyMaterial::RsaPrivate {
        pkcs1: der.to_vec(),
    })
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
fn parse_sec1(der: &[u8], outer: Option<Curve>) -> Result<KeyMaterial, KeyError> {
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
        q: key.public_key.map(<[u8]>::to_vec),
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

fn curve_from_params(params: Option<AnyRef<'_>>) -> Result<Curve, KeyError> {
    let oid = params
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
        .ok_or(KeyError::InvalidDer {
            reason: "EC key parameters must be a named curve",
        })?;
    curve_from_oid(oid)
}

fn curve_from_oid(oid: ObjectIdentifier) -> Result<Curve, KeyError> {
    Curve::ALL
        .into_iter()
        .find(|c| c.oid() == oid)
        .ok_or(KeyError::UnsupportedKeyType {
            what: "unknown elliptic curve",
        })
}

fn unsupported_oid(oid: ObjectIdentifier) -> KeyError {
    KeyError::UnsupportedKeyType {
        what: if oid == OID_ED448 {
            "Ed448"
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

fn ec_algorithm(curve: &Curve) -> AlgorithmIdentifierRef<'static> {
    AlgorithmIdentifierRef {
        oid: OID_EC,
        parameters: Some(AnyRef::from(curve.oid_ref())),
    }
}

fn ed25519_algorithm() -> AlgorithmIdentifierRef<'static> {
    AlgorithmIdentifierRef {
        oid: OID_ED25519,
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

/// Finds the `subjectPublicKeyInfo` of an X.509 certificate (RFC 5280 §4.1) with a
/// minimal DER walk: `Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version
/// OPTIONAL, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, .. } .. }`.
/// The certificate's signature, validity and extensions are not checked: jot takes
/// only the public key, as from a PEM file.
fn certificate_spki(der: &[u8]) -> Result<&[u8], KeyError> {
    const BAD: KeyError = KeyError::InvalidDer {
        reason: "malformed X.509 certificate",
    };
    let (cert, rest) = tlv(der, 0x30).ok_or(BAD)?;
    if !rest.is_empty() {
        return Err(BAD);
    }
    let (tbs, _) = tlv(cert.content, 0x30).ok_or(BAD)?;
    let mut body = tbs.content;
    if body.first() == Some(&0xa0) {
        body = tlv(body, 0xa0).ok_or(BAD)?.1;
    }
    for tag in [0x02, 0x30, 0x30, 0x30, 0x30] {
        body = tlv(body, tag).ok_or(BAD)?.1;
    }
    let (spki, _) = tlv(body, 0x30).ok_or(BAD)?;
    Ok(spki.whole)
}

struct Tlv<'a> {
    whole: &'a [u8],
    content: &'a [u8],
}

/// Reads one definite-length DER element with the expected tag; returns it and the rest.
fn tlv(input: &[u8], tag: u8) -> Option<(Tlv<'_>, &[u8])> {
    let (&t, rest) = input.split_first()?;
    if t != tag {
        return None;
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (len_bytes, after) = rest.split_at(n);
        rest = after;
        len_bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    if rest.len() < len {
        return None;
    }
    let header_len = input.len() - rest.len();
    let (content, after) = rest.split_at(len);
    Some((
        Tlv {
            whole: &input[..header_len + len],
            content,
        },
        after,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlv_reads_short_and_long_lengths() {
        let short = [0x30, 0x02, 0x05, 0x00, 0xff];
        let (t, rest) = tlv(&short, 0x30).unwrap();
        assert_eq!(t.content, &[0x05, 0x00]);
        assert_eq!(rest, &[0xff]);
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend(std::iter::repeat_n(7u8, 0x80));
        let (t, rest) = tlv(&long, 0x04).unwrap();
        assert_eq!(t.content.len(), 0x80);
        assert!(rest.is_empty());
        assert!(tlv(&[0x30, 0x05, 0x00], 0x30).is_none());
        assert!(tlv(&[0x31, 0x00], 0x30).is_none());
    }

    #[test]
    fn garbage_is_not_a_key() {
        assert!(!looks_like_key(b"0123456789abcdef0123456789abcdef"));
        assert!(parse_any(&[0x30, 0x00]).is_err());
    }

    #[test]
    fn left_pad_pads_and_refuses_long_scalars() {
        assert_eq!(left_pad(&[1, 2], 4), Some(vec![0, 0, 1, 2]));
        assert_eq!(left_pad(&[0, 0, 0, 1, 2], 4), Some(vec![0, 0, 1, 2]));
        assert_eq!(left_pad(&[1, 2, 3, 4, 5], 4), None);
    }
}
