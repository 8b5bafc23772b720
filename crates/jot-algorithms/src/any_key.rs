//! [`AnyKey`]: a key file of any kind (a JWK, PEM or DER), told apart by its first
//! bytes. The `from_any_bytes` constructors of every key type start here.

use crate::{Jwk, KeyError, KeyMaterial, pem};

/// A key read from bytes whose format is not known in advance: a JWK (which keeps its
/// `alg`, `use`, `key_ops` and `kid` for the key constructor to check), or the key
/// material of PEM or DER.
///
/// ```
/// use jot_algorithms::{Algorithm, AnyKey, SigningKey};
///
/// let key = SigningKey::generate(Algorithm::ES256)?;
/// assert!(matches!(AnyKey::parse(key.to_jwk()?.to_json())?, AnyKey::Jwk(_)));
/// assert!(matches!(AnyKey::parse(key.to_pkcs8_pem()?)?, AnyKey::Material(_)));
/// assert!(matches!(AnyKey::parse(key.to_pkcs8_der()?)?, AnyKey::Material(_)));
/// # Ok::<(), jot_algorithms::KeyError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum AnyKey {
    /// A JWK (JSON object).
    Jwk(Box<Jwk>),
    /// The key of a PEM or DER file.
    Material(KeyMaterial),
}

impl AnyKey {
    /// JSON (`{`, after whitespace) is read as a JWK, `-----BEGIN` as PEM
    /// ([`KeyMaterial::from_pem`]), anything else as DER ([`KeyMaterial::from_der`]).
    /// Raw bytes are never taken as a shared secret.
    pub fn parse(bytes: impl AsRef<[u8]>) -> Result<AnyKey, KeyError> {
        let bytes = bytes.as_ref();
        if bytes.trim_ascii_start().starts_with(b"{") {
            return Ok(AnyKey::Jwk(Box::new(Jwk::from_json_bytes(bytes)?)));
        }
        Ok(AnyKey::Material(if pem::looks_like_pem(bytes) {
            KeyMaterial::from_pem(bytes)?
        } else {
            KeyMaterial::from_der(bytes)?
        }))
    }
}
