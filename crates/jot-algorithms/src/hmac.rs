//! HS256, HS384 and HS512 on the crypto provider, with the algorithm-confusion
//! guard on secrets.

use jot_codec::Algorithm;

use crate::KeyError;
use crate::provider::{self, Hash};

/// An HMAC secret with its key schedule computed once.
#[derive(Clone)]
pub(crate) struct HmacKey {
    key: provider::HmacKey,
    secret: Vec<u8>,
}

impl HmacKey {
    /// Checks the secret (length, not an encoded key) and precomputes the key.
    pub(crate) fn new(alg: Algorithm, secret: &[u8]) -> Result<Self, KeyError> {
        let (hash, min_bytes) = match alg {
            Algorithm::HS256 => (Hash::Sha256, 32),
            Algorithm::HS384 => (Hash::Sha384, 48),
            Algorithm::HS512 => (Hash::Sha512, 64),
            other => {
                return Err(KeyError::AlgorithmMismatch {
                    key: "HMAC secret",
                    requested: other,
                });
            }
        };
        refuse_encoded_key(secret)?;
        if secret.len() < min_bytes {
            return Err(KeyError::WeakHmacSecret {
                alg,
                min_bytes,
                got: secret.len(),
            });
        }
        Ok(HmacKey {
            key: provider::HmacKey::new(hash, secret),
            secret: secret.to_vec(),
        })
    }

    /// Draws a random secret of the hash size.
    pub(crate) fn generate(alg: Algorithm) -> Result<Self, KeyError> {
        let len = match alg {
            Algorithm::HS256 => 32,
            Algorithm::HS384 => 48,
            _ => 64,
        };
        let mut secret = vec![0u8; len];
        loop {
            provider::fill_random(&mut secret).map_err(|_| KeyError::Random)?;
            // A random secret that happens to start like PEM/JSON/DER is drawn again.
            if refuse_encoded_key(&secret).is_ok() {
                return HmacKey::new(alg, &secret);
            }
        }
    }

    pub(crate) fn secret(&self) -> &[u8] {
        &self.secret
    }

    pub(crate) fn sign(&self, input: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(self.key.sign(input).as_ref());
    }

    /// Constant-time comparison (the provider's).
    pub(crate) fn verify(&self, input: &[u8], tag: &[u8]) -> bool {
        self.key.verify(input, tag)
    }
}

/// Refuses secrets that are really encoded keys: PEM, a JSON JWK, or DER of a
/// key structure. Feeding a public key to HMAC is the algorithm-confusion attack.
pub(crate) fn refuse_encoded_key(secret: &[u8]) -> Result<(), KeyError> {
    let trimmed = secret.trim_ascii_start();
    let looks_like = if trimmed.starts_with(b"-----BEGIN") {
        Some("PEM")
    } else if trimmed.starts_with(b"{") {
        Some("JWK")
    } else if crate::der::looks_like_key(secret) {
        Some("DER")
    } else {
        None
    };
    match looks_like {
        Some(looks_like) => Err(KeyError::SecretLooksLikeKey { looks_like }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimum_lengths() {
        for (alg, min) in [
            (Algorithm::HS256, 32),
            (Algorithm::HS384, 48),
            (Algorithm::HS512, 64),
        ] {
            assert!(HmacKey::new(alg, &vec![7; min]).is_ok());
            assert_eq!(
                HmacKey::new(alg, &vec![7; min - 1]).err(),
                Some(KeyError::WeakHmacSecret {
                    alg,
                    min_bytes: min,
                    got: min - 1
                })
            );
        }
    }

    #[test]
    fn encoded_keys_are_not_secrets() {
        let pem = b"  \n-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";
        assert_eq!(
            HmacKey::new(Algorithm::HS256, pem).err(),
            Some(KeyError::SecretLooksLikeKey { looks_like: "PEM" })
        );
        let jwk =
            br#"{"kty":"EC","crv":"P-256","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#;
        assert_eq!(
            HmacKey::new(Algorithm::HS256, jwk).err(),
            Some(KeyError::SecretLooksLikeKey { looks_like: "JWK" })
        );
    }

    #[test]
    fn sign_verify() {
        let key = HmacKey::generate(Algorithm::HS384).unwrap();
        let mut tag = Vec::new();
        key.sign(b"x", &mut tag);
        assert_eq!(tag.len(), 48);
        assert!(key.verify(b"x", &tag));
        assert!(!key.verify(b"y", &tag));
        assert!(!key.verify(b"x", &tag[..47]));
    }
}
