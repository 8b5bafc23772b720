//! JWE key material: what jot-algorithms' one key reader ([`KeyMaterial`]) read from
//! PEM, DER or a JWK, bound to the ECDH and RSA backends of this crate; and what a
//! JWK's `alg`, `use` and `key_ops` say about encryption. No key format is parsed
//! here.

use jot_algorithms::{Jwk, KeyMaterial};
use zeroize::Zeroizing;

use crate::ecdh::{EcPrivate, EcPublic};
use crate::{ContentEncryption, KeyAlgorithm, KeyError};

/// Key material of any kind, not yet tied to an algorithm.
pub(crate) enum Material {
    /// An `oct` secret (or a PBES2 password).
    Secret(Zeroizing<Vec<u8>>),
    /// An EC or X25519 public key.
    EcPublic(EcPublic),
    /// An EC or X25519 private key.
    EcPrivate(EcPrivate),
    /// An RSA public key.
    #[cfg(feature = "rsa")]
    RsaPublic(rsa::PublicKey),
    /// An RSA private key.
    #[cfg(feature = "rsa")]
    RsaPrivate(Box<rsa::PrivateKey>),
}

impl Material {
    /// Binds what the key reader read to this crate's backends, checking what they
    /// check (points on the curve, consistent private keys, RSA sizes).
    pub(crate) fn new(material: KeyMaterial) -> Result<Material, KeyError> {
        Ok(match material {
            KeyMaterial::Secret(secret) => Material::Secret(Zeroizing::new(secret)),
            public @ (KeyMaterial::EcPublic { .. } | KeyMaterial::OkpPublic { .. }) => {
                Material::EcPublic(EcPublic::from_key_material(public)?)
            }
            private @ (KeyMaterial::EcPrivate { .. } | KeyMaterial::OkpPrivate { .. }) => {
                Material::EcPrivate(EcPrivate::from_key_material(private)?)
            }
            KeyMaterial::RsaPublic { n, e } => rsa_public(&n, &e)?,
            KeyMaterial::RsaPrivate(parts) => rsa_private(&parts)?,
            _ => return Err(KeyError::Unsupported { what: "key type" }),
        })
    }

    /// A short name of the key type, for errors.
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Material::Secret(_) => "symmetric",
            Material::EcPublic(_) | Material::EcPrivate(_) => "EC/OKP",
            #[cfg(feature = "rsa")]
            Material::RsaPublic(_) | Material::RsaPrivate(_) => "RSA",
        }
    }
}

#[cfg(feature = "rsa")]
fn rsa_public(n: &[u8], e: &[u8]) -> Result<Material, KeyError> {
    crate::rsa_kw::public_from_components(n, e).map(Material::RsaPublic)
}

#[cfg(feature = "rsa")]
fn rsa_private(parts: &jot_algorithms::RsaPrivateParts) -> Result<Material, KeyError> {
    let key =
        crate::rsa_kw::private_from_components(&parts.n, &parts.e, &parts.d, &parts.p, &parts.q)?;
    Ok(Material::RsaPrivate(Box::new(key)))
}

#[cfg(not(feature = "rsa"))]
fn rsa_public(_: &[u8], _: &[u8]) -> Result<Material, KeyError> {
    Err(KeyError::Disabled {
        what: "RSA",
        feature: "rsa",
    })
}

#[cfg(not(feature = "rsa"))]
fn rsa_private(_: &jot_algorithms::RsaPrivateParts) -> Result<Material, KeyError> {
    rsa_public(&[], &[])
}

/// What a JWK's `alg` says.
pub(crate) enum JwkAlg {
    /// No `alg`.
    None,
    /// A key management algorithm.
    Key(KeyAlgorithm),
    /// A content encryption algorithm: a `dir` key for exactly that `enc`.
    Dir(ContentEncryption),
}

/// Reads the JWK's `alg`, and checks `use` and `key_ops` allow `op`
/// (`"encrypt"` or `"decrypt"`).
pub(crate) fn jwk_alg(jwk: &Jwk, op: &'static str) -> Result<JwkAlg, KeyError> {
    let ops: [&str; 4] = if op == "encrypt" {
        ["encrypt", "wrapKey", "deriveKey", "deriveBits"]
    } else {
        ["decrypt", "unwrapKey", "deriveKey", "deriveBits"]
    };
    if !jwk.permits("enc", &ops)? {
        return Err(KeyError::JwkUsage { needed: op });
    }
    Ok(match jwk.alg.as_deref() {
        None => JwkAlg::None,
        Some(name) => {
            if let Some(alg) = KeyAlgorithm::from_name(name) {
                JwkAlg::Key(alg)
            } else if let Some(enc) = ContentEncryption::from_name(name) {
                JwkAlg::Dir(enc)
            } else {
                return Err(KeyError::AlgorithmMismatch {
                    key: jot_codec::clip_untrusted(name),
                    requested: "a JWE algorithm",
                });
            }
        }
    })
}
