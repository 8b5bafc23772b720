//! ES256/ES384 (ECDSA on P-256 and P-384) on `ring`.
//!
//! JOSE signatures are the fixed-size concatenation `r || s` (RFC 7518 §3.4); a DER
//! signature or one of the wrong length is refused.

use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, UnparsedPublicKey};

use crate::{EcCurve, KeyError, KeyMaterial};

/// An ES256/ES384 private key on ring.
pub(crate) struct EcSigning {
    curve: EcCurve,
    pair: EcdsaKeyPair,
    d: Vec<u8>,
}

/// An ES256/ES384 public key (uncompressed SEC1 point, validated on construction).
pub(crate) struct EcVerifying {
    curve: EcCurve,
    q: Vec<u8>,
}

impl EcSigning {
    /// Builds a key pair from the private scalar and the uncompressed public point;
    /// ring checks that they belong together.
    pub(crate) fn new(curve: EcCurve, d: &[u8], q: Option<&[u8]>) -> Result<Self, KeyError> {
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
    pub(crate) fn generate(curve: EcCurve) -> Result<Self, KeyError> {
        let (signing, _) = ring_algorithms(curve)?;
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(signing, &rng).map_err(|_| KeyError::Random)?;
        match KeyMaterial::from_der(pkcs8.as_ref())? {
            KeyMaterial::EcPrivate { curve: c, d, point } if c == curve => {
                EcSigning::new(curve, &d, point.as_deref())
            }
            _ => Err(KeyError::Encoding),
        }
    }

    pub(crate) fn curve(&self) -> EcCurve {
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
    pub(crate) fn new(curve: EcCurve, q: &[u8]) -> Result<Self, KeyError> {
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

    pub(crate) fn curve(&self) -> EcCurve {
        self.curve
    }

    pub(crate) fn point(&self) -> &[u8] {
        &self.q
    }

    pub(crate) fn verify(&self, input: &[u8], sig: &[u8]) -> bool {
        let verification = match self.curve {
            EcCurve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
            EcCurve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
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

fn ring_algorithms(
    curve: EcCurve,
) -> Result<
    (
        &'static signature::EcdsaSigningAlgorithm,
        &'static ring::agreement::Algorithm,
    ),
    KeyError,
> {
    match curve {
        EcCurve::P256 => Ok((
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &ring::agreement::ECDH_P256,
        )),
        EcCurve::P384 => Ok((
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
fn validate_point(curve: EcCurve, q: &[u8]) -> Result<(), KeyError> {
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
        for curve in [EcCurve::P256, EcCurve::P384] {
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
        let key = EcSigning::generate(EcCurve::P256).unwrap();
        let mut q = key.public_point().to_vec();
        q[40] ^= 1;
        assert_eq!(
            EcVerifying::new(EcCurve::P256, &q).err(),
            Some(KeyError::InvalidPoint)
        );
    }

    #[test]
    fn mismatched_private_and_public_is_refused() {
        let a = EcSigning::generate(EcCurve::P256).unwrap();
        let b = EcSigning::generate(EcCurve::P256).unwrap();
        assert_eq!(
            EcSigning::new(EcCurve::P256, a.d(), Some(b.public_point())).err(),
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
