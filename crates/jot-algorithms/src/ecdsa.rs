//! ES256/ES384 (ECDSA on P-256 and P-384) on the crypto provider.
//!
//! JOSE signatures are the fixed-size concatenation `r || s` (RFC 7518 §3.4); a DER
//! signature or one of the wrong length is refused.

use crate::provider::{self, EcdsaCurve};
use crate::{EcCurve, KeyError};

pub(crate) struct EcSigning {
    pair: provider::EcdsaKeyPair,
    public: EcVerifying,
}

#[derive(Clone)]
pub(crate) struct EcVerifying {
    curve: EcCurve,
    key: std::sync::Arc<provider::EcdsaPublicKey>,
    q: Vec<u8>,
}

impl EcSigning {
    pub(crate) fn new(curve: EcCurve, d: &[u8], q: Option<&[u8]>) -> Result<Self, KeyError> {
        let q = q.ok_or(KeyError::InvalidDer {
            reason: "EC private key without its public key (the provider needs both)",
        })?;
        // The point is checked on its own first, so that a point off the curve is
        // told apart from a pair that does not belong together.
        let public = EcVerifying::new(curve, q)?;
        let pair = provider::EcdsaKeyPair::from_private(provider_curve(curve)?, d, q)
            .map_err(|_| KeyError::InconsistentKey)?;
        Ok(EcSigning { pair, public })
    }

    pub(crate) fn generate(curve: EcCurve) -> Result<Self, KeyError> {
        let pair = provider::EcdsaKeyPair::generate(provider_curve(curve)?)
            .map_err(|_| KeyError::Random)?;
        let public = EcVerifying::new(curve, pair.public_point())?;
        Ok(EcSigning { pair, public })
    }

    pub(crate) fn curve(&self) -> EcCurve {
        self.public.curve
    }

    pub(crate) fn verifying(&self) -> EcVerifying {
        self.public.clone()
    }

    pub(crate) fn d(&self) -> &[u8] {
        self.pair.private_scalar()
    }

    pub(crate) fn public_point(&self) -> &[u8] {
        self.pair.public_point()
    }

    pub(crate) fn sign(&self, input: &[u8], out: &mut Vec<u8>) -> Result<(), ()> {
        let sig = self.pair.sign(input).map_err(|_| ())?;
        out.extend_from_slice(&sig);
        Ok(())
    }
}

impl EcVerifying {
    pub(crate) fn new(curve: EcCurve, q: &[u8]) -> Result<Self, KeyError> {
        let provider_curve = provider_curve(curve)?;
        if q.first() != Some(&0x04) {
            return Err(KeyError::UnsupportedKeyType {
                what: "compressed EC point (the uncompressed form is needed)",
            });
        }
        let key =
            provider::EcdsaPublicKey::new(provider_curve, q).map_err(|_| KeyError::InvalidPoint)?;
        Ok(EcVerifying {
            curve,
            key: std::sync::Arc::new(key),
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
        sig.len() == 2 * self.curve.field_len() && self.key.verify(input, sig)
    }
}

fn provider_curve(curve: EcCurve) -> Result<EcdsaCurve, KeyError> {
    match curve {
        EcCurve::P256 => Ok(EcdsaCurve::P256),
        EcCurve::P384 => Ok(EcdsaCurve::P384),
        _ => Err(KeyError::UnsupportedKeyType {
            what: "curve not handled by the provider's ECDSA",
        }),
    }
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
