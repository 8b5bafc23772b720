//! EdDSA with Ed25519 (RFC 8037) on the crypto provider.

use crate::KeyError;
use crate::provider;

pub(crate) struct EdSigning {
    pair: provider::Ed25519KeyPair,
    public: EdVerifying,
}

#[derive(Clone)]
pub(crate) struct EdVerifying {
    key: std::sync::Arc<provider::Ed25519PublicKey>,
    x: Vec<u8>,
}

impl EdSigning {
    pub(crate) fn new(seed: &[u8], public: Option<&[u8]>) -> Result<Self, KeyError> {
        if seed.len() != 32 {
            return Err(KeyError::InvalidJwk {
                reason: "Ed25519 private key must be 32 bytes",
            });
        }
        let pair = provider::Ed25519KeyPair::from_seed(seed, public)
            .map_err(|_| KeyError::InconsistentKey)?;
        EdSigning::from_pair(pair)
    }

    pub(crate) fn generate() -> Result<Self, KeyError> {
        EdSigning::from_pair(provider::Ed25519KeyPair::generate().map_err(|_| KeyError::Random)?)
    }

    fn from_pair(pair: provider::Ed25519KeyPair) -> Result<Self, KeyError> {
        let public = EdVerifying::new(pair.public_key())?;
        Ok(EdSigning { pair, public })
    }

    pub(crate) fn verifying(&self) -> EdVerifying {
        self.public.clone()
    }

    pub(crate) fn seed(&self) -> &[u8] {
        self.pair.seed()
    }

    pub(crate) fn public_key(&self) -> &[u8] {
        self.pair.public_key()
    }

    pub(crate) fn sign(&self, input: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(&self.pair.sign(input));
    }
}

impl EdVerifying {
    pub(crate) fn new(x: &[u8]) -> Result<Self, KeyError> {
        let key = provider::Ed25519PublicKey::new(x).map_err(|_| KeyError::InvalidPoint)?;
        Ok(EdVerifying {
            key: std::sync::Arc::new(key),
            x: x.to_vec(),
        })
    }

    pub(crate) fn public_key(&self) -> &[u8] {
        &self.x
    }

    pub(crate) fn verify(&self, input: &[u8], sig: &[u8]) -> bool {
        self.key.verify(input, sig)
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
