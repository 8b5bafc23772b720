//! ES512 (P-521) and ES256K (secp256k1) on the RustCrypto `p521` and `k256` crates,
//! which cover the curves ring lacks.
//!
//! Signing is deterministic (RFC 6979). Verification accepts both low-S and high-S
//! signatures, as JOSE does not require low-S (RFC 7518 §3.4, RFC 8812): `k256`
//! refuses high-S by itself, so the signature is normalised before verifying, which
//! is equivalent because `(r, s)` is valid if and only if `(r, n - s)` is. `r` or `s`
//! equal to zero or not below the group order are refused by the crates.

macro_rules! rustcrypto_curve {
    ($module:ident, $krate:ident, $curve:expr, $feature:literal) => {
        #[cfg(feature = $feature)]
        pub(crate) mod $module {
            use $krate::ecdsa::signature::{Signer as _, Verifier as _};
            use $krate::ecdsa::{Signature, SigningKey, VerifyingKey};

            use crate::EcCurve as Curve;
            use crate::KeyError;

            const CURVE: Curve = $curve;

            /// A private key, with its verifying key computed once.
            pub(crate) struct Signing {
                key: SigningKey,
                q: Vec<u8>,
            }

            /// A public key, parsed and validated once.
            pub(crate) struct Verifying {
                key: VerifyingKey,
                q: Vec<u8>,
            }

            impl Signing {
                /// Builds the key from the scalar; checks `q` against it when given.
                pub(crate) fn new(d: &[u8], q: Option<&[u8]>) -> Result<Self, KeyError> {
                    if d.len() != CURVE.field_len() {
                        return Err(KeyError::InvalidJwk {
                            reason: "private scalar has the wrong length",
                        });
                    }
                    let key = SigningKey::from_slice(d).map_err(|_| KeyError::InconsistentKey)?;
                    let derived = key.verifying_key().to_sec1_point(false).as_bytes().to_vec();
                    if let Some(q) = q {
                        let given = Verifying::new(q)?;
                        if given.q != derived {
                            return Err(KeyError::InconsistentKey);
                        }
                    }
                    Ok(Signing { key, q: derived })
                }

                /// Generates a key from the provider's system random generator, drawing
                /// again in the (negligibly rare) case the scalar is zero or out of range.
                pub(crate) fn generate() -> Result<Self, KeyError> {
                    let mut d = zeroize::Zeroizing::new(vec![0u8; CURVE.field_len()]);
                    loop {
                        crate::provider::fill_random(&mut d).map_err(|_| KeyError::Random)?;
                        if CURVE == Curve::P521 {
                            // The P-521 order is just under 2^521: keep 521 bits.
                            d[0] &= 0x01;
                        }
                        if let Ok(key) = Signing::new(&d, None) {
                            return Ok(key);
                        }
                    }
                }

                /// The matching public key.
                pub(crate) fn verifying(&self) -> Verifying {
                    Verifying {
                        key: *self.key.verifying_key(),
                        q: self.q.clone(),
                    }
                }

                pub(crate) fn d(&self) -> Vec<u8> {
                    self.key.to_bytes().to_vec()
                }

                pub(crate) fn public_point(&self) -> &[u8] {
                    &self.q
                }

                pub(crate) fn sign(&self, input: &[u8], out: &mut Vec<u8>) -> Result<(), ()> {
                    let sig: Signature = self.key.try_sign(input).map_err(|_| ())?;
                    out.extend_from_slice(&sig.to_bytes());
                    Ok(())
                }
            }

            impl Verifying {
                /// Parses a SEC1 point (compressed or not) and checks it is on the curve.
                pub(crate) fn new(q: &[u8]) -> Result<Self, KeyError> {
                    let key =
                        VerifyingKey::from_sec1_bytes(q).map_err(|_| KeyError::InvalidPoint)?;
                    let q = key.to_sec1_point(false).as_bytes().to_vec();
                    Ok(Verifying { key, q })
                }

                /// The uncompressed point.
                pub(crate) fn point(&self) -> &[u8] {
                    &self.q
                }

                pub(crate) fn verify(&self, input: &[u8], sig: &[u8]) -> bool {
                    if sig.len() != 2 * CURVE.field_len() {
                        return false;
                    }
                    match Signature::from_slice(sig) {
                        Ok(sig) => self.key.verify(input, &sig.normalize_s()).is_ok(),
                        Err(_) => false,
                    }
                }
            }

            #[cfg(test)]
            mod tests {
                use super::*;

                #[test]
                fn sign_verify_tamper_and_high_s() {
                    let key = Signing::generate().unwrap();
                    let public = Verifying::new(key.public_point()).unwrap();
                    let mut sig = Vec::new();
                    key.sign(b"input", &mut sig).unwrap();
                    assert_eq!(sig.len(), 2 * CURVE.field_len());
                    assert!(public.verify(b"input", &sig));
                    assert!(!public.verify(b"inpuT", &sig));
                    assert!(!public.verify(b"input", &sig[1..]));
                    // Zero r and s are refused.
                    assert!(!public.verify(b"input", &vec![0; sig.len()]));
                    // Re-importing the scalar gives the same key.
                    let again = Signing::new(&key.d(), Some(key.public_point())).unwrap();
                    assert_eq!(again.public_point(), key.public_point());
                    let other = Signing::generate().unwrap();
                    assert_eq!(
                        Signing::new(&key.d(), Some(other.public_point())).err(),
                        Some(KeyError::InconsistentKey)
                    );
                    // The high-S twin of a valid signature also verifies.
                    let parsed = Signature::from_slice(&sig).unwrap();
                    let (r, s) = parsed.split_scalars();
                    let high = Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
                    assert!(public.verify(b"input", &high.to_bytes()));
                }
            }
        }
    };
}

rustcrypto_curve!(p521_impl, p521, Curve::P521, "es512");
rustcrypto_curve!(k256_impl, k256, Curve::Secp256k1, "es256k");
