//! Key generation for [`DecryptionKey`]: random secrets, ECDH-ES keys on every curve,
//! RSA-OAEP keys.

use crate::ecdh::EcPrivate;
use crate::material::Material;
use crate::{ContentEncryption, Curve, DecryptionKey, KeyAlgorithm, KeyError, KeyFamily};

impl DecryptionKey {
    /// Generates a random key for `A*KW` or `A*GCMKW` (16, 24 or 32 bytes, as the
    /// algorithm needs), an ECDH-ES key on P-256, or an RSA-OAEP key of 2048 bits.
    /// Use [`DecryptionKey::generate_dir`], [`DecryptionKey::generate_ec`] or
    /// [`DecryptionKey::generate_rsa`] to choose; PBES2 passwords are not generated.
    pub fn generate(alg: KeyAlgorithm) -> Result<Self, KeyError> {
        match alg.family() {
            KeyFamily::Symmetric if alg != KeyAlgorithm::Dir => {
                let len = alg.wrap_key_len().unwrap_or(32);
                let secret = crate::rng::secret(len).map_err(|()| KeyError::Random)?;
                Self::symmetric(alg, &*secret)
            }
            KeyFamily::Ecdh => Self::generate_ec(alg, Curve::P256),
            KeyFamily::Rsa => Self::generate_rsa(alg, 2048),
            _ => Err(KeyError::WrongKeyType {
                key: "generated",
                alg: alg.as_str(),
            }),
        }
    }

    /// Generates a random `dir` key for `enc` (its key length).
    pub fn generate_dir(enc: ContentEncryption) -> Result<Self, KeyError> {
        let secret = crate::rng::secret(enc.key_len()).map_err(|()| KeyError::Random)?;
        Self::dir(enc, &*secret)
    }

    /// Generates an ECDH-ES key on `curve` (P-256, P-384, P-521 or X25519).
    pub fn generate_ec(alg: KeyAlgorithm, curve: Curve) -> Result<Self, KeyError> {
        if alg.family() != KeyFamily::Ecdh {
            return Err(KeyError::WrongKeyType {
                key: "EC/OKP",
                alg: alg.as_str(),
            });
        }
        Self::from_material(
            alg,
            None,
            Material::EcPrivate(EcPrivate::generate(curve)?),
            false,
        )
    }

    /// Generates an RSA key of `bits` (2048 to 4096) for RSA-OAEP or RSA-OAEP-256.
    /// Takes from a fraction of a second to several seconds.
    pub fn generate_rsa(alg: KeyAlgorithm, bits: usize) -> Result<Self, KeyError> {
        #[cfg(feature = "rsa")]
        {
            if !matches!(alg, KeyAlgorithm::RSA_OAEP | KeyAlgorithm::RSA_OAEP_256) {
                return Err(KeyError::WrongKeyType {
                    key: "RSA",
                    alg: alg.as_str(),
                });
            }
            let key = crate::rsa_kw::generate(bits)?;
            Self::from_material(alg, None, Material::RsaPrivate(Box::new(key)), false)
        }
        #[cfg(not(feature = "rsa"))]
        {
            let _ = (alg, bits);
            Err(KeyError::Disabled {
                what: "RSA",
                feature: "rsa",
            })
        }
    }
}
