//! The curves of JWK `crv` (RFC 7518 §6.2.1.1, RFC 8037 §2, RFC 8812 §3.1): the
//! elliptic curves of `kty: EC` and the octet key pair curves of `kty: OKP`.

use std::fmt;

use der::asn1::ObjectIdentifier;
use jot_codec::Algorithm;

use crate::KeyError;

/// An elliptic curve of a `kty: EC` key.
///
/// ```
/// use jot_algorithms::EcCurve;
///
/// assert_eq!(EcCurve::from_jwk_name("P-384"), Some(EcCurve::P384));
/// assert_eq!(EcCurve::P521.field_len(), 66);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcCurve {
    /// NIST P-256 (secp256r1): ES256, ECDH-ES.
    P256,
    /// NIST P-384 (secp384r1): ES384, ECDH-ES.
    P384,
    /// NIST P-521 (secp521r1): ES512, ECDH-ES.
    P521,
    /// secp256k1: ES256K (RFC 8812).
    Secp256k1,
}

/// The curve of a `kty: OKP` key (RFC 8037).
///
/// ```
/// use jot_algorithms::OkpCurve;
///
/// assert_eq!(OkpCurve::from_jwk_name("X25519"), Some(OkpCurve::X25519));
/// assert_eq!(OkpCurve::Ed25519.jwk_name(), "Ed25519");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OkpCurve {
    /// Ed25519 signatures (EdDSA).
    Ed25519,
    /// X25519 key agreement (ECDH-ES).
    X25519,
    /// Ed448 signatures (EdDSA); signing and verifying need the `ed448` feature.
    Ed448,
}

// `new_unwrap` runs at compile time in these static items: a typo in an OID fails
// the build, never a running program.
static OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
static OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
static OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
static OID_SECP256K1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.10");
/// `id-Ed25519` (RFC 8410).
static OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// `id-X25519` (RFC 8410).
static OID_X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
/// `id-Ed448` (RFC 8410).
static OID_ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");

impl EcCurve {
    /// Every curve, in a stable order.
    pub const ALL: [EcCurve; 4] = [
        EcCurve::P256,
        EcCurve::P384,
        EcCurve::P521,
        EcCurve::Secp256k1,
    ];

    /// The JWK `crv` name: `P-256`, `P-384`, `P-521` or `secp256k1`.
    pub const fn jwk_name(self) -> &'static str {
        match self {
            EcCurve::P256 => "P-256",
            EcCurve::P384 => "P-384",
            EcCurve::P521 => "P-521",
            EcCurve::Secp256k1 => "secp256k1",
        }
    }

    /// The curve of a JWK `crv` name (exact spelling).
    pub fn from_jwk_name(name: &str) -> Option<EcCurve> {
        EcCurve::ALL.into_iter().find(|c| c.jwk_name() == name)
    }

    /// Bytes of a coordinate or scalar (also of each half of a JOSE ECDSA signature).
    pub const fn field_len(self) -> usize {
        match self {
            EcCurve::P256 | EcCurve::Secp256k1 => 32,
            EcCurve::P384 => 48,
            EcCurve::P521 => 66,
        }
    }

    /// The one JWS algorithm that signs with this curve.
    pub const fn algorithm(self) -> Algorithm {
        match self {
            EcCurve::P256 => Algorithm::ES256,
            EcCurve::P384 => Algorithm::ES384,
            EcCurve::P521 => Algorithm::ES512,
            EcCurve::Secp256k1 => Algorithm::ES256K,
        }
    }

    /// The named-curve OID (RFC 5480, SEC 2).
    pub(crate) fn oid(self) -> &'static ObjectIdentifier {
        match self {
            EcCurve::P256 => &OID_P256,
            EcCurve::P384 => &OID_P384,
            EcCurve::P521 => &OID_P521,
            EcCurve::Secp256k1 => &OID_SECP256K1,
        }
    }

    /// The curve of a named-curve OID.
    pub(crate) fn from_oid(oid: &ObjectIdentifier) -> Option<EcCurve> {
        EcCurve::ALL.into_iter().find(|c| c.oid() == oid)
    }

    /// Checks that `alg` is this curve's algorithm.
    pub(crate) fn check_algorithm(self, alg: Algorithm) -> Result<(), KeyError> {
        if self.algorithm() == alg {
            Ok(())
        } else {
            Err(KeyError::AlgorithmMismatch {
                key: self.jwk_name(),
                requested: alg,
            })
        }
    }
}

impl OkpCurve {
    /// Every curve, in a stable order.
    pub const ALL: [OkpCurve; 3] = [OkpCurve::Ed25519, OkpCurve::X25519, OkpCurve::Ed448];

    /// The JWK `crv` name: `Ed25519`, `X25519` or `Ed448`.
    pub const fn jwk_name(self) -> &'static str {
        match self {
            OkpCurve::Ed25519 => "Ed25519",
            OkpCurve::X25519 => "X25519",
            OkpCurve::Ed448 => "Ed448",
        }
    }

    /// Whether the curve signs (EdDSA) rather than agrees keys.
    pub const fn is_signature_curve(self) -> bool {
        matches!(self, OkpCurve::Ed25519 | OkpCurve::Ed448)
    }

    /// The curve of a JWK `crv` name (exact spelling).
    pub fn from_jwk_name(name: &str) -> Option<OkpCurve> {
        OkpCurve::ALL.into_iter().find(|c| c.jwk_name() == name)
    }

    /// Bytes of a public or private key: 32, or 57 for Ed448.
    ///
    /// ```
    /// use jot_algorithms::OkpCurve;
    ///
    /// assert_eq!(OkpCurve::Ed448.key_len(), 57);
    /// ```
    pub const fn key_len(self) -> usize {
        match self {
            OkpCurve::Ed25519 | OkpCurve::X25519 => 32,
            OkpCurve::Ed448 => 57,
        }
    }

    /// The algorithm OID of RFC 8410, which names the curve.
    pub(crate) fn oid(self) -> &'static ObjectIdentifier {
        match self {
            OkpCurve::Ed25519 => &OID_ED25519,
            OkpCurve::X25519 => &OID_X25519,
            OkpCurve::Ed448 => &OID_ED448,
        }
    }

    /// The curve of an RFC 8410 algorithm OID.
    pub(crate) fn from_oid(oid: &ObjectIdentifier) -> Option<OkpCurve> {
        OkpCurve::ALL.into_iter().find(|c| c.oid() == oid)
    }
}

impl fmt::Display for EcCurve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.jwk_name())
    }
}

impl fmt::Display for OkpCurve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.jwk_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_oids_round_trip() {
        for curve in EcCurve::ALL {
            assert_eq!(EcCurve::from_jwk_name(curve.jwk_name()), Some(curve));
            assert_eq!(EcCurve::from_oid(curve.oid()), Some(curve));
            assert_eq!(curve.check_algorithm(curve.algorithm()), Ok(()));
        }
        for curve in OkpCurve::ALL {
            assert_eq!(OkpCurve::from_jwk_name(curve.jwk_name()), Some(curve));
            assert_eq!(OkpCurve::from_oid(curve.oid()), Some(curve));
        }
        assert_eq!(EcCurve::from_jwk_name("p-256"), None);
        assert_eq!(OkpCurve::from_jwk_name("X448"), None);
        assert_eq!(OkpCurve::from_jwk_name("Ed448"), Some(OkpCurve::Ed448));
        assert!(OkpCurve::Ed448.is_signature_curve() && !OkpCurve::X25519.is_signature_curve());
        assert!(EcCurve::P256.check_algorithm(Algorithm::ES384).is_err());
    }
}
