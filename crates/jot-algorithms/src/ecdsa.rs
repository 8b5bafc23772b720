//! ECDSA: the curves jot knows, and ES256/ES384 on `ring`.
//!
//! JOSE signatures are the fixed-size concatenation `r || s` (RFC 7518 §3.4); a DER
//! signature or one of the wrong length is refused.

use der::asn1::ObjectIdentifier;
use jot_codec::Algorithm;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, UnparsedPublicKey};

use crate::KeyError;

/// An elliptic curve jot can use for ECDSA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Curve {
    /// NIST P-256 (secp256r1), for ES256.
    P256,
    /// NIST P-384 (secp384r1), for ES384.
    P384,
    /// NIST P-521 (secp521r1), for ES512.
    P521,
    /// secp256k1, for ES256K.
    Secp256k1,
}

// `new_unwrap` runs at compile time in these const/static items: a typo in an
// OID fails the build, never a running program.
static OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
static OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
static OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
static OID_SECP256K1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.10");

impl Curve {
    pub(crate) const ALL: [Curve; 4] = [Curve::P256, Curve::P384, Curve::P521, Curve::Secp256k1];

    /// The named-curve OID (RFC 5480, SEC 2).
    pub(crate) fn oid(self) -> ObjectIdentifier {
        *self.oid_ref()
    }

    pub(crate) fn oid_ref(self) -> &'static ObjectIdentifier {
        match self {
            Curve::P256 => &OID_P256,
            Curve::P384 => &OID_P384,
            Curve::P521 => &OID_P521,
            Curve::Secp256k1 => &OID_SECP256K1,
        }
    }

    /// The JWK `crv` name (RFC 7518 §6.2.1.1, RFC 8812 §3.1).
    pub(crate) fn jwk_name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
            Curve::Secp256k1 => "secp256k1",
        }
    }

    pub(crate) fn from_jwk_name(name: &str) -> Option<Curve> {
        Curve::ALL.into_iter().find(|c| c.jwk_name() == name)
    }

    /// Bytes of a field element or scalar (also each half of a JOSE signature).
    pub(crate) fn field_len(self) -> usize {
        match self {
            Curve::P256 | Curve::Secp256k1 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }

    /// The one JOSE algorithm that uses this curve.
    pub(crate) fn algorithm(self) -> Algorithm {
        match self {
            Curve::P256 => Algorithm::ES256,
            Curve::P384 => Algorithm::ES384,
            Curve::P521 => Algorithm::ES512,
            Curve::Secp256k1 => Algorithm::ES256K,
        }
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

/// An ES256/ES384 private key on ring.
pub(crate) struct EcSigning {
    curve: Curve,
    pair: EcdsaKeyPair,
    d: Vec<u8>,
}

/// An ES256/ES384 public key (uncompressed SEC1 point, validated on construction).
pub(crate) struct EcVerifying {
    curve: Curve,
    q: Vec<u8>,
}

impl EcSigning {
    /// Builds a key pair from the private scalar and the uncompressed public point;
    /// ring checks that they belong together.
    pub(crate) fn new(curve: Curve, d: &[u8], q: Option<&[u8]>) -> Result<Self, KeyError> {
        let q = q.ok_or(KeyError::InvalidDer {
            reason: "EC private key without its public key (ring needs both)",
        })?;
        let (signing, _) = ring_algorithms(curve)?;
        validate_point(curve, q)?;
        let pair =
            EcdsaKeyPair::from_private_key_and_public_key(signing, d, q, &SystemRandom::new())
                .map_err(|_| KeyError::InconsistentKey)?;
        Ok(EcSigning {
            curve,
            pair,
            d: d.to_vec(),
        })
    }

    /// Generates a fresh key pair.
    pub(crate) fn generate(curve: Curve) -> Result<Self, KeyError> {
        let (signing, _) = ring_algorithms(curve)?;
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(signing, &rng).map_err(|_| KeyError::Random)?;
        match crate::der::parse(crate::der::DerKind::Pkcs8, pkcs8.as_ref())? {
            crate::der::KeyMaterial::EcPrivate { curve: c, d, q } if c == curve => {
                EcSigning::new(curve, &d, q.as_deref())
            }
            _ => Err(KeyError::Encoding),
        }
    }

    pub(crate) fn curve(&self) -> Curve {
        self.curve
    }

    /// The matching public key (ring produced the point, so it is valid).
    pub(crate) fn verifying(&self) -> EcVerifying {
        EcVerifying {
            curve: self.curve,
            q: self.public_point().to_vec(),
        }
    }

    pub(crate) fn d(&self) -> &[u8] {
        &self.d
    }

    pub(crate) fn public_point(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    pub(crate) fn sign(&self, input: &[u8], out: &mut Vec<u8>) -> Result<(), ()> {
        let sig = self
            .pair
            .sign(&SystemRandom::new(), input)
            .map_err(|_| ())?;
        out.extend_from_slice(sig.as_ref());
        Ok(())
    }
}

impl EcVerifying {
    /// Takes an uncompressed SEC1 point and checks it is on the curve.
    pub(crate) fn new(curve: Curve, q: &[u8]) -> Result<Self, KeyError> {
        ring_algorithms(curve)?;
        if q.first() != Some(&0x04) {
            return Err(KeyError::UnsupportedKeyType {
                what: "compressed EC point (ring needs the uncompressed form)",
            });
        }
        validate_point(curve, q)?;
        Ok(EcVerifying {
            curve,
            q: q.to_vec(),
        })
    }

    pub(crate) fn curve(&self) -> Curve {
        self.curve
    }

    pub(crate) fn point(&self) -> &[u8] {
        &self.q
    }

    pub(crate) fn verify(&self, input: &[u8], sig: &[u8]) -> bool {
        let verification = match self.curve {
            Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
            Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
            _ => return false,
        };
        if sig.len() != 2 * self.curve.field_len() {
            return false;
        }
        UnparsedPublicKey::new(verification, &self.q)
            .verify(input, sig)
            .is_ok()
    }
}

/// Splits an uncompressed SEC1 point `04 || x || y` into its coordinates.
pub(crate) fn split_point(curve: Curve, q: &[u8]) -> Option<(&[u8], &[u8])> {
    let n = curve.field_len();
    match q.split_first() {
        Some((&0x04, xy)) if xy.len() == 2 * n => Some(xy.split_at(n)),
        _ => None,
    }
}

fn ring_algorithms(
    curve: Curve,
) -> Result<
    (
        &'static signature::EcdsaSigningAlgorithm,
        &'static ring::agreement::Algorithm,
    ),
    KeyError,
> {
    match curve {
        Curve::P256 => Ok((
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &ring::agreement::ECDH_P256,
        )),
        Curve::P384 => Ok((
            &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            &ring::agreement::ECDH_P384,
        )),
        _ => Err(KeyError::UnsupportedKeyType {
            what: "curve not handled by ring",
        }),
    }
}

/// Checks that `q` is a valid point of `curve` (on the curve, not the identity).
/// ring has no public-key validation call, but its ECDH validates the peer's point
/// fully, so one ephemeral agreement at key construction does the check.
fn validate_point(curve: Curve, q: &[u8]) -> Result<(), KeyError> {
    let (_, agreement) = ring_algorithms(curve)?;
    let rng = SystemRandom::new();
    let ephemeral = ring::agreement::EphemeralPrivateKey::generate(agreement, &rng)
        .map_err(|_| KeyError::Random)?;
    let peer = ring::agreement::UnparsedPublicKey::new(agreement, q);
    ring::agreement::agree_ephemeral(ephemeral, &peer, |_| ()).map_err(|_| KeyError::InvalidPoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_refuse_der_and_wrong_length() {
        for curve in [Curve::P256, Curve::P384] {
            let key = EcSigning::generate(curve).unwrap();
            let public = EcVerifying::new(curve, key.public_point()).unwrap();
            let mut sig = Vec::new();
            key.sign(b"input", &mut sig).unwrap();
            assert_eq!(sig.len(), 2 * curve.field_len());
            assert!(public.verify(b"input", &sig));
            assert!(!public.verify(b"inpuT", &sig));
            assert!(!public.verify(b"input", &sig[1..]));
            let mut longer = sig.clone();
            longer.push(0);
            assert!(!public.verify(b"input", &longer));
            // The same signature in DER form is refused.
            let der = to_der(&sig);
            assert!(!public.verify(b"input", &der));
        }
    }

    #[test]
    fn off_curve_point_is_refused() {
        let key = EcSigning::generate(Curve::P256).unwrap();
        let mut q = key.public_point().to_vec();
        q[40] ^= 1;
        assert_eq!(
            EcVerifying::new(Curve::P256, &q).err(),
            Some(KeyError::InvalidPoint)
        );
    }

    #[test]
    fn mismatched_private_and_public_is_refused() {
        let a = EcSigning::generate(Curve::P256).unwrap();
        let b = EcSigning::generate(Curve::P256).unwrap();
        assert_eq!(
            EcSigning::new(Curve::P256, a.d(), Some(b.public_point())).err(),
            Some(KeyError::InconsistentKey)
        );
    }

    /// Encodes `r || s` as an ASN.1 `ECDSA-Sig-Value` (short lengths only).
    fn to_der(sig: &[u8]) -> Vec<u8> {
        let (r, s) = sig.split_at(sig.len() / 2);
        let int = |v: &[u8]| {
            let v = crate::der::trim_leading_zeros(v);
            let mut out = vec![0x02];
            let pad = v[0] & 0x80 != 0;
            out.push((v.len() + usize::from(pad)) as u8);
            if pad {
                out.push(0);
            }
            out.extend_from_slice(v);
            out
        };
        let body = [int(r), int(s)].concat();
        let mut out = vec![0x30, body.len() as u8];
        out.extend(body);
        out
    }
}
