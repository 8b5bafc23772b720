//! EdDSA with Ed448 (RFC 8032 §5.2, RFC 8037) on the RustCrypto `ed448-goldilocks`
//! crate, whichever crypto provider is chosen: none of them has Ed448.
//!
//! JOSE `EdDSA` with an Ed448 key is "pure" Ed448 with an empty context. Keys are
//! 57 bytes (the private key is the RFC 8032 seed), signatures 114 bytes.
//! Verification refuses a non-canonical `S`, a point that does not decode, and
//! the identity as public key.

use ed448_goldilocks::{PUBLIC_KEY_LENGTH, SECRET_KEY_LENGTH, SIGNATURE_LENGTH};

use crate::KeyError;

/// Bytes of an Ed448 public or private key.
pub(crate) const KEY_LEN: usize = SECRET_KEY_LENGTH;

/// Bytes of an Ed448 signature.
pub(crate) const SIGNATURE_LEN: usize = SIGNATURE_LENGTH;

// Both key forms have one length, which `OkpCurve::key_len` relies on.
const _: () = assert!(PUBLIC_KEY_LENGTH == SECRET_KEY_LENGTH);

/// A private key, with its public key computed once.
pub(crate) struct Ed448Signing {
    // Boxed: the expanded key is large, and sits in an enum of smaller keys.
    key: Box<ed448_goldilocks::SigningKey>,
    public: Ed448Verifying,
}

/// A public key, decoded and checked once.
#[derive(Clone)]
pub(crate) struct Ed448Verifying {
    // Shared: the decoded point is large, and clones of a key share it.
    key: std::sync::Arc<ed448_goldilocks::VerifyingKey>,
}

impl Ed448Signing {
    /// A key from its 57-byte seed; checks `public` against it when given.
    pub(crate) fn new(seed: &[u8], public: Option<&[u8]>) -> Result<Self, KeyError> {
        let key =
            ed448_goldilocks::SigningKey::try_from(seed).map_err(|_| KeyError::InvalidJwk {
                reason: "Ed448 private key must be 57 bytes",
            })?;
        let derived = Ed448Verifying {
            key: std::sync::Arc::new(key.verifying_key()),
        };
        if let Some(public) = public {
            if public != derived.public_key() {
                return Err(KeyError::InconsistentKey);
            }
        }
        Ok(Ed448Signing {
            key: Box::new(key),
            public: derived,
        })
    }

    /// A fresh key from the provider's system random generator.
    pub(crate) fn generate() -> Result<Self, KeyError> {
        let mut seed = zeroize::Zeroizing::new([0u8; KEY_LEN]);
        crate::provider::fill_random(seed.as_mut()).map_err(|_| KeyError::Random)?;
        Ed448Signing::new(seed.as_ref(), None)
    }

    /// The matching public key.
    pub(crate) fn verifying(&self) -> Ed448Verifying {
        self.public.clone()
    }

    /// The 57-byte seed.
    pub(crate) fn seed(&self) -> Vec<u8> {
        self.key.as_bytes().to_vec()
    }

    /// The 57-byte public key.
    pub(crate) fn public_key(&self) -> &[u8] {
        self.public.public_key()
    }

    pub(crate) fn sign(&self, input: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(&self.key.sign_raw(input).to_bytes());
    }
}

impl Ed448Verifying {
    /// Decodes a 57-byte public key, refusing bytes that are not a point and the
    /// identity.
    pub(crate) fn new(x: &[u8]) -> Result<Self, KeyError> {
        let bytes = <&[u8; PUBLIC_KEY_LENGTH]>::try_from(x).map_err(|_| KeyError::InvalidPoint)?;
        if !canonical_point_tail(bytes) {
            return Err(KeyError::InvalidPoint);
        }
        let key = ed448_goldilocks::VerifyingKey::from_bytes(bytes)
            .map_err(|_| KeyError::InvalidPoint)?;
        Ok(Ed448Verifying {
            key: std::sync::Arc::new(key),
        })
    }

    /// The 57-byte public key, as given.
    pub(crate) fn public_key(&self) -> &[u8] {
        self.key.as_bytes().as_slice()
    }

    pub(crate) fn verify(&self, input: &[u8], sig: &[u8]) -> bool {
        let Some(r) = sig.first_chunk::<PUBLIC_KEY_LENGTH>() else {
            return false;
        };
        if !canonical_point_tail(r) {
            return false;
        }
        let Ok(sig) = ed448_goldilocks::Signature::try_from(sig) else {
            return false;
        };
        self.key.verify_raw(&sig, input).is_ok()
    }
}

/// Whether bits 448 to 454 of an encoded point (`R` of a signature, or a public
/// key) are zero, as RFC 8032 §5.2.3 requires: with any of them set, the
/// y-coordinate is at least 2^448, above the field prime, and decoding must fail.
/// `ed448-goldilocks` ignores these bits, so they are checked here.
fn canonical_point_tail(point: &[u8; PUBLIC_KEY_LENGTH]) -> bool {
    point[PUBLIC_KEY_LENGTH - 1] & 0x7f == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8032 §7.4, the "1 octet" test: the seed, public key and signature of
    /// message `03` with an empty context.
    const SEED: &str = "c4eab05d357007c632f3dbb48489924d552b08fe0c353a0d4a1f00acda2c463a\
                        fbea67c5e8d2877c5e3bc397a659949ef8021e954e0a12274e";
    const PUBLIC: &str = "43ba28f430cdff456ae531545f7ecd0ac834a55d9358c0372bfa0c6c6798c086\
                          6aea01eb00742802b8438ea4cb82169c235160627b4c3a9480";
    const SIGNATURE: &str = "26b8f91727bd62897af15e41eb43c377efb9c610d48f2335cb0bd0087810f435\
                             2541b143c4b981b7e18f62de8ccdf633fc1bf037ab7cd779805e0dbcc0aae1cb\
                             cee1afb2e027df36bc04dcecbf154336c19f0af7e0a6472905e799f1953d2a0f\
                             f3348ab21aa4adafd1d234441cf807c03a00";

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn rfc8032_vector() {
        let key = Ed448Signing::new(&unhex(SEED), Some(&unhex(PUBLIC))).unwrap();
        assert_eq!(key.public_key(), unhex(PUBLIC));
        let mut sig = Vec::new();
        key.sign(&[0x03], &mut sig);
        assert_eq!(sig, unhex(SIGNATURE));
        assert!(
            Ed448Verifying::new(&unhex(PUBLIC))
                .unwrap()
                .verify(&[0x03], &sig)
        );
    }

    #[test]
    fn sign_verify_tamper_and_consistency() {
        let key = Ed448Signing::generate().unwrap();
        let public = Ed448Verifying::new(key.public_key()).unwrap();
        let mut sig = Vec::new();
        key.sign(b"m", &mut sig);
        assert_eq!(sig.len(), SIGNATURE_LEN);
        assert!(public.verify(b"m", &sig));
        assert!(!public.verify(b"n", &sig));
        assert!(!public.verify(b"m", &sig[1..]));
        let mut tampered = sig.clone();
        tampered[10] ^= 1;
        assert!(!public.verify(b"m", &tampered));
        let again = Ed448Signing::new(&key.seed(), Some(key.public_key())).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        let other = Ed448Signing::generate().unwrap();
        assert_eq!(
            Ed448Signing::new(&key.seed(), Some(other.public_key())).err(),
            Some(KeyError::InconsistentKey)
        );
        assert!(matches!(
            Ed448Signing::new(&[7; 32], None),
            Err(KeyError::InvalidJwk { .. })
        ));
        assert_eq!(
            Ed448Verifying::new(&[0; 32]).err(),
            Some(KeyError::InvalidPoint)
        );
        // Bits 448 to 454 of R, or of the public key, set: not a valid encoding.
        for bit in [0x01, 0x02, 0x40] {
            let mut bad_r = sig.clone();
            bad_r[56] ^= bit;
            assert!(!public.verify(b"m", &bad_r));
            let mut bad_key = key.public_key().to_vec();
            bad_key[56] ^= bit;
            assert_eq!(
                Ed448Verifying::new(&bad_key).err(),
                Some(KeyError::InvalidPoint)
            );
        }
        // The identity (y = 1) is refused as a public key.
        let mut identity = [0u8; KEY_LEN];
        identity[0] = 1;
        assert_eq!(
            Ed448Verifying::new(&identity).err(),
            Some(KeyError::InvalidPoint)
        );
    }
}
