//! [`AnyKey`]: a key file of any kind (a JWK, PEM or DER), told apart by its first
//! bytes. The `from_any_bytes` constructors of every key type start here.

use crate::{Jwk, JwkSet, KeyError, KeyMaterial, pem};

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
        if is_json(bytes) {
            return Ok(AnyKey::Jwk(Box::new(Jwk::from_json_bytes(bytes)?)));
        }
        Ok(AnyKey::Material(if pem::looks_like_pem(bytes) {
            KeyMaterial::from_pem(bytes)?
        } else {
            KeyMaterial::from_der(bytes)?
        }))
    }
}

/// What a key file holds, told apart by its first bytes: for tools that take a key
/// file of any kind and must know whether it is one key or a set before building keys.
///
/// ```
/// use jot_algorithms::KeyFile;
///
/// let set = KeyFile::sniff(br#"{"keys":[]}"#.to_vec())?;
/// assert!(matches!(set, KeyFile::Set(s) if s.keys.is_empty()));
/// let jwk = KeyFile::sniff(br#" {"kty":"oct","k":"c2VjcmV0"}"#.to_vec())?;
/// assert!(matches!(jwk, KeyFile::Jwk(_)));
/// let pem = KeyFile::sniff(b"-----BEGIN PRIVATE KEY-----\n".to_vec())?;
/// assert!(matches!(pem, KeyFile::Encoded(_)));
/// assert_eq!(format!("{pem:?}"), "Encoded(28 bytes)"); // never the key itself
/// // Only JSON is parsed, so only JSON is refused here.
/// assert!(KeyFile::sniff(b"{not json".to_vec()).is_err());
/// assert!(KeyFile::sniff(br#"{"keys":{}}"#.to_vec()).is_err());
/// # Ok::<(), jot_algorithms::KeyError>(())
/// ```
#[derive(Clone)]
pub enum KeyFile {
    /// One JWK: a JSON object without a `keys` member.
    Jwk(Box<Jwk>),
    /// A JWK Set: a JSON object with a `keys` member.
    Set(JwkSet),
    /// Anything else: PEM or DER, for [`SigningKey::from_any_bytes`](crate::SigningKey::from_any_bytes) or
    /// [`VerifyingKey::from_any_bytes`](crate::VerifyingKey::from_any_bytes) (which tell the two apart).
    Encoded(Vec<u8>),
}

impl KeyFile {
    /// Sorts `bytes`: JSON (starting with `{` after whitespace) is parsed as a JWK or,
    /// when it has a `keys` member, as a JWK Set; the rest is returned as it is.
    /// Only JSON is parsed here, so only JSON can fail ([`KeyError::InvalidJwk`]).
    pub fn sniff(bytes: Vec<u8>) -> Result<KeyFile, KeyError> {
        if !is_json(&bytes) {
            return Ok(KeyFile::Encoded(bytes));
        }
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|_| KeyError::InvalidJwk {
                reason: "not valid JSON",
            })?;
        if value.get("keys").is_some() {
            serde_json::from_slice(&bytes)
                .map(KeyFile::Set)
                .map_err(|_| KeyError::InvalidJwk {
                    reason: "not a JWK Set ({\"keys\": [...]})",
                })
        } else {
            Jwk::from_json_bytes(&bytes).map(|jwk| KeyFile::Jwk(Box::new(jwk)))
        }
    }
}

/// PEM or DER bytes may be a private key: only their length is shown.
impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyFile::Jwk(jwk) => f.debug_tuple("Jwk").field(jwk).finish(),
            KeyFile::Set(set) => f.debug_tuple("Set").field(set).finish(),
            KeyFile::Encoded(bytes) => write!(f, "Encoded({} bytes)", bytes.len()),
        }
    }
}

/// Whether a key file is JSON (a JWK or a JWK Set) rather than PEM or DER.
pub(crate) fn is_json(bytes: &[u8]) -> bool {
    bytes.trim_ascii_start().starts_with(b"{")
}
