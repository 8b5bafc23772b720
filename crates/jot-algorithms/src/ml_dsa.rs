//! ML-DSA (FIPS 204) under its JOSE names ML-DSA-44, ML-DSA-65 and ML-DSA-87
//! (RFC 9964), on the RustCrypto `ml-dsa` crate whichever crypto provider is chosen.
//!
//! RFC 9964 profile: pure ML-DSA (FIPS 204 Algorithm 2 and 3, not HashML-DSA) with
//! an empty context string; the private key is the 32-byte seed ξ (`priv`), the
//! public key the FIPS 204 `pkEncode` bytes (`pub`). Signing is hedged (fresh
//! randomness from the provider's system generator mixed in, as FIPS 204
//! recommends) unless the key was switched to the deterministic variant.

use std::sync::Arc;

use jot_codec::Algorithm;
use ml_dsa::{
    B32, EncodedVerifyingKey, ExpandedSigningKey, MlDsa44, MlDsa65, MlDsa87, MlDsaParams, Signature,
};
use zeroize::Zeroizing;

use crate::KeyError;

/// Bytes of an ML-DSA private key in JOSE: the seed ξ.
pub(crate) const SEED_LEN: usize = 32;

/// A private key: the seed, the expanded key, and the public key computed once.
pub(crate) struct MlDsaSigning {
    seed: Zeroizing<[u8; SEED_LEN]>,
    key: ExpandedKey,
    public: MlDsaVerifying,
}

/// A public key, decoded once (its matrix expanded), shared by clones.
#[derive(Clone)]
pub(crate) struct MlDsaVerifying {
    encoded: Arc<[u8]>,
    key: Arc<DecodedKey>,
}

// Boxed: an expanded key is tens of KiB.
enum ExpandedKey {
    P44(Box<ExpandedSigningKey<MlDsa44>>),
    P65(Box<ExpandedSigningKey<MlDsa65>>),
    P87(Box<ExpandedSigningKey<MlDsa87>>),
}

enum DecodedKey {
    P44(ml_dsa::VerifyingKey<MlDsa44>),
    P65(ml_dsa::VerifyingKey<MlDsa65>),
    P87(ml_dsa::VerifyingKey<MlDsa87>),
}

/// Bytes of a signature (FIPS 204 Table 2) of `alg`, `None` if `alg` is not ML-DSA.
pub(crate) const fn signature_len(alg: Algorithm) -> Option<usize> {
    match alg {
        Algorithm::MlDsa44 => Some(2420),
        Algorithm::MlDsa65 => Some(3309),
        Algorithm::MlDsa87 => Some(4627),
        _ => None,
    }
}

impl MlDsaSigning {
    /// A key for `alg` from its 32-byte seed (FIPS 204 `ML-DSA.KeyGen_internal`);
    /// checks `public` against the derived public key when given.
    pub(crate) fn new(
        alg: Algorithm,
        seed: &[u8],
        public: Option<&[u8]>,
    ) -> Result<Self, KeyError> {
        let seed: Zeroizing<[u8; SEED_LEN]> =
            Zeroizing::new(seed.try_into().map_err(|_| KeyError::InvalidJwk {
                reason: "ML-DSA \"priv\" must be the 32-byte seed",
            })?);
        let xi = B32::from(*seed);
        let (key, decoded) = match alg {
            Algorithm::MlDsa44 => {
                let key = ExpandedSigningKey::<MlDsa44>::from_seed(&xi);
                let public = key.verifying_key();
                (ExpandedKey::P44(Box::new(key)), DecodedKey::P44(public))
            }
            Algorithm::MlDsa65 => {
                let key = ExpandedSigningKey::<MlDsa65>::from_seed(&xi);
                let public = key.verifying_key();
                (ExpandedKey::P65(Box::new(key)), DecodedKey::P65(public))
            }
            Algorithm::MlDsa87 => {
                let key = ExpandedSigningKey::<MlDsa87>::from_seed(&xi);
                let public = key.verifying_key();
                (ExpandedKey::P87(Box::new(key)), DecodedKey::P87(public))
            }
            _ => return Err(not_ml_dsa(alg)),
        };
        let encoded: Arc<[u8]> = match &decoded {
            DecodedKey::P44(k) => k.encode().as_slice().into(),
            DecodedKey::P65(k) => k.encode().as_slice().into(),
            DecodedKey::P87(k) => k.encode().as_slice().into(),
        };
        if let Some(public) = public {
            if public != &*encoded {
                return Err(KeyError::InconsistentKey);
            }
        }
        Ok(MlDsaSigning {
            seed,
            key,
            public: MlDsaVerifying {
                encoded,
                key: Arc::new(decoded),
            },
        })
    }

    /// A fresh key for `alg`: a seed from the provider's system random generator.
    pub(crate) fn generate(alg: Algorithm) -> Result<Self, KeyError> {
        let mut seed = Zeroizing::new([0u8; SEED_LEN]);
        crate::provider::fill_random(seed.as_mut()).map_err(|_| KeyError::Random)?;
        MlDsaSigning::new(alg, seed.as_ref(), None)
    }

    /// The matching public key.
    pub(crate) fn verifying(&self) -> MlDsaVerifying {
        self.public.clone()
    }

    /// The 32-byte seed.
    pub(crate) fn seed(&self) -> Vec<u8> {
        self.seed.to_vec()
    }

    /// The encoded public key.
    pub(crate) fn public_key(&self) -> &[u8] {
        self.public.public_key()
    }

    /// Signs `input` with pure ML-DSA and an empty context: hedged (FIPS 204
    /// Algorithm 2 with 32 fresh random bytes), or deterministic (the same with
    /// `rnd` all zero). Fails only if the random generator does.
    pub(crate) fn sign(
        &self,
        input: &[u8],
        deterministic: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), ()> {
        match &self.key {
            ExpandedKey::P44(key) => sign_with(key, input, deterministic, out),
            ExpandedKey::P65(key) => sign_with(key, input, deterministic, out),
            ExpandedKey::P87(key) => sign_with(key, input, deterministic, out),
        }
    }
}

impl MlDsaVerifying {
    /// Decodes a public key of `alg` (FIPS 204 `pkDecode`); only its length can be
    /// wrong: every byte string of the right length is a public key.
    pub(crate) fn new(alg: Algorithm, public: &[u8]) -> Result<Self, KeyError> {
        let wrong_length = KeyError::InvalidJwk {
            reason: "ML-DSA \"pub\" has the wrong length for the algorithm (1312, 1952 or 2592 bytes)",
        };
        let key = match alg {
            Algorithm::MlDsa44 => DecodedKey::P44(decode(public).ok_or(wrong_length)?),
            Algorithm::MlDsa65 => DecodedKey::P65(decode(public).ok_or(wrong_length)?),
            Algorithm::MlDsa87 => DecodedKey::P87(decode(public).ok_or(wrong_length)?),
            _ => return Err(not_ml_dsa(alg)),
        };
        Ok(MlDsaVerifying {
            encoded: public.into(),
            key: Arc::new(key),
        })
    }

    /// The encoded public key, as given.
    pub(crate) fn public_key(&self) -> &[u8] {
        &self.encoded
    }

    /// Verifies a pure ML-DSA signature with an empty context (FIPS 204 Algorithm 3).
    /// A signature of the wrong length or with a malformed hint is refused.
    pub(crate) fn verify(&self, input: &[u8], sig: &[u8]) -> bool {
        match &*self.key {
            DecodedKey::P44(key) => verify_with(key, input, sig),
            DecodedKey::P65(key) => verify_with(key, input, sig),
            DecodedKey::P87(key) => verify_with(key, input, sig),
        }
    }
}

fn decode<P: MlDsaParams>(public: &[u8]) -> Option<ml_dsa::VerifyingKey<P>> {
    let encoded = EncodedVerifyingKey::<P>::try_from(public).ok()?;
    Some(ml_dsa::VerifyingKey::<P>::decode(&encoded))
}

fn sign_with<P: MlDsaParams>(
    key: &ExpandedSigningKey<P>,
    input: &[u8],
    deterministic: bool,
    out: &mut Vec<u8>,
) -> Result<(), ()> {
    let signature: Signature<P> = if deterministic {
        key.sign_deterministic(input, &[])
    } else {
        key.sign_randomized(input, &[], &mut crate::SystemRng)
    }
    .map_err(|_| ())?;
    out.extend_from_slice(signature.encode().as_slice());
    Ok(())
}

fn verify_with<P: MlDsaParams>(key: &ml_dsa::VerifyingKey<P>, input: &[u8], sig: &[u8]) -> bool {
    match Signature::<P>::try_from(sig) {
        Ok(sig) => key.verify_with_context(input, &[], &sig),
        Err(_) => false,
    }
}

fn not_ml_dsa(alg: Algorithm) -> KeyError {
    KeyError::AlgorithmMismatch {
        key: "AKP (ML-DSA)",
        requested: alg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALGS: [Algorithm; 3] = [Algorithm::MlDsa44, Algorithm::MlDsa65, Algorithm::MlDsa87];

    #[test]
    fn sizes_sign_verify_tamper_and_consistency() {
        for alg in ALGS {
            let key = MlDsaSigning::generate(alg).unwrap();
            assert_eq!(
                key.public_key().len(),
                crate::jwk::akp_public_len(alg).unwrap()
            );
            let public = MlDsaVerifying::new(alg, key.public_key()).unwrap();
            let mut sig = Vec::new();
            key.sign(b"m", false, &mut sig).unwrap();
            assert_eq!(sig.len(), signature_len(alg).unwrap(), "{alg}");
            assert!(public.verify(b"m", &sig));
            assert!(!public.verify(b"n", &sig));
            assert!(!public.verify(b"m", &sig[1..]));
            assert!(!public.verify(b"m", &[]));
            let mut tampered = sig.clone();
            tampered[10] ^= 1;
            assert!(!public.verify(b"m", &tampered));

            // Hedged signatures differ; deterministic ones repeat, and all verify.
            let mut again = Vec::new();
            key.sign(b"m", false, &mut again).unwrap();
            assert_ne!(sig, again);
            let (mut d1, mut d2) = (Vec::new(), Vec::new());
            key.sign(b"m", true, &mut d1).unwrap();
            key.sign(b"m", true, &mut d2).unwrap();
            assert_eq!(d1, d2);
            assert!(public.verify(b"m", &d1));

            let same = MlDsaSigning::new(alg, &key.seed(), Some(key.public_key())).unwrap();
            assert_eq!(same.public_key(), key.public_key());
            let other = MlDsaSigning::generate(alg).unwrap();
            assert_eq!(
                MlDsaSigning::new(alg, &key.seed(), Some(other.public_key())).err(),
                Some(KeyError::InconsistentKey)
            );
            assert!(matches!(
                MlDsaSigning::new(alg, &[7; 31], None),
                Err(KeyError::InvalidJwk { .. })
            ));
            assert!(matches!(
                MlDsaVerifying::new(alg, &key.public_key()[1..]),
                Err(KeyError::InvalidJwk { .. })
            ));
        }
    }

    #[test]
    fn a_key_of_one_parameter_set_is_not_another() {
        let key = MlDsaSigning::generate(Algorithm::MlDsa44).unwrap();
        assert!(MlDsaVerifying::new(Algorithm::MlDsa65, key.public_key()).is_err());
        assert!(MlDsaSigning::new(Algorithm::EdDSA, &key.seed(), None).is_err());
    }
}
