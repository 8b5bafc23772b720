//! EdDSA with Ed25519 (RFC 8037) on `ring`.

use ring::signature::{self, Ed25519KeyPair, KeyPair, UnparsedPublicKey};

use crate::KeyError;

/// An Ed25519 private key; the seed is kept for export.
pub(crate) struct EdSigning {
    pair: Ed25519KeyPair,
    seed: Vec<u8>,
}

/// An Ed25519 public key.
pub(crate) struct EdVerifying {
    x: Vec<u8>,
}

impl EdSigning {
    /// Builds the key from its 32-byte seed; when the public key is given, ring checks
    /// that it matches.
    pub(crate) fn new(seed: &[u8], public: Option<&[u8]>) -> Result<Self, KeyError> {
        if seed.len() != 32 {
            return Err(KeyError::InvalidJwk {
                reason: "Ed25519 private key must be 32 bytes",
            });
        }
        let pair = match public {
            Some(public) => Ed25519KeyPair::from_seed_and_public_key(seed, public)
                .map_err(|_| KeyError::InconsistentKey)?,
            None => {
                Ed25519KeyPair::from_seed_unchecked(seed).map_err(|_| KeyError::InconsistentKey)?
            }
        };
        Ok(EdSigning {
            pair,
            seed: seed.to_vec(),
        })
    }

    /// Generates a fresh key.
    pub(crate) fn generate() -> Result<Self, KeyError> {
        use ring::rand::SecureRandom as _;
        let mut seed = [0u8; 32];
        ring::rand::SystemRandom::new()
            .fill(&mut seed)
            .map_err(|_| KeyError::Random)?;
        EdSigning::new(&seed, None)
    }

    /// The matching public key.
    pub(crate) fn verifying(&self) -> EdVerifying {
        EdVerifying {
            x: self.public_key().to_vec(),
        }
    }

    pub(crate) fn seed(&self) -> &[u8] {
        &self.seed
    }

    pub(crate) fn public_key(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    pub(crate) fn sign(&self, input: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(self.pair.sign(input).as_ref());
    }
}

impl EdVerifying {
    /// Takes the 32-byte public key.
    pub(crate) fn new(x: &[u8]) -> Result<Self, KeyError> {
        if x.len() != 32 {
            return Err(KeyError::InvalidPoint);
        }
        Ok(EdVerifying { x: x.to_vec() })
    }

    pub(crate) fn public_key(&self) -> &[u8] {
        &self.x
    }

    pub(crate) fn verify(&self, input: &[u8], sig: &[u8]) -> bool {
        UnparsedPublicKey::new(&signature::ED25519, &self.x)
            .verify(input, sig)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_consistency() {
        let key = EdSigning::generate().unwrap();
        let public = EdVerifying::new(key.public_key()).unwrap();
        let mut sig = Vec::new();
        key.sign(b"m", &mut sig);
        assert!(public.verify(b"m", &sig));
        assert!(!public.verify(b"n", &sig));
        let other = EdSigning::generate().unwrap();
        assert_eq!(
            EdSigning::new(key.seed(), Some(other.public_key())).err(),
            Some(KeyError::InconsistentKey)
        );
        assert_eq!(
            EdVerifying::new(&[0; 31]).err(),
            Some(KeyError::InvalidPoint)
        );
    }
}
