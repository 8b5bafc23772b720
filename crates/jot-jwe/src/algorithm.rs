//! The JWE algorithm identifiers: key management (`alg`, RFC 7518 §4) and content
//! encryption (`enc`, RFC 7518 §5), and the curves of ECDH-ES.

use std::fmt;
use std::str::FromStr;

/// A key management algorithm (`alg` of a JWE, RFC 7518 §4 and RFC 8037).
///
/// Variants are named after the registered names, with `-` and `+` written `_`.
/// [`KeyAlgorithm::RSA1_5`] exists so that a token naming it can be reported, but no
/// ordinary constructor builds a key for it: see the `danger_rsa1_5` constructors.
///
/// ```
/// use jot_jwe::KeyAlgorithm;
/// let alg: KeyAlgorithm = "ECDH-ES+A256KW".parse().unwrap();
/// assert_eq!(alg, KeyAlgorithm::ECDH_ES_A256KW);
/// assert_eq!(alg.as_str(), "ECDH-ES+A256KW");
/// ```
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// Direct use of a shared symmetric key as the content encryption key.
    Dir,
    /// AES-128 key wrap (RFC 3394).
    A128KW,
    /// AES-192 key wrap.
    A192KW,
    /// AES-256 key wrap.
    A256KW,
    /// Key wrapping with AES-128-GCM.
    A128GCMKW,
    /// Key wrapping with AES-192-GCM.
    A192GCMKW,
    /// Key wrapping with AES-256-GCM.
    A256GCMKW,
    /// ECDH-ES key agreement, the agreed key is the content encryption key.
    ECDH_ES,
    /// ECDH-ES, then AES-128 key wrap.
    ECDH_ES_A128KW,
    /// ECDH-ES, then AES-192 key wrap.
    ECDH_ES_A192KW,
    /// ECDH-ES, then AES-256 key wrap.
    ECDH_ES_A256KW,
    /// RSAES-OAEP with SHA-1 and MGF1-SHA-1.
    RSA_OAEP,
    /// RSAES-OAEP with SHA-256 and MGF1-SHA-256.
    RSA_OAEP_256,
    /// PBES2 with HMAC-SHA-256, then AES-128 key wrap.
    PBES2_HS256_A128KW,
    /// PBES2 with HMAC-SHA-384, then AES-192 key wrap.
    PBES2_HS384_A192KW,
    /// PBES2 with HMAC-SHA-512, then AES-256 key wrap.
    PBES2_HS512_A256KW,
    /// RSAES-PKCS1-v1_5: **dangerous** (Bleichenbacher and Marvin attacks); only keys
    /// built with a `danger_rsa1_5` constructor use it.
    RSA1_5,
}

/// What kind of key a [`KeyAlgorithm`] needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyFamily {
    /// A shared secret (`kty: oct`): `dir`, `A*KW`, `A*GCMKW`.
    Symmetric,
    /// A password (PBES2).
    Password,
    /// An elliptic-curve key (`kty: EC` or `OKP` with `crv: X25519`).
    Ecdh,
    /// An RSA key.
    Rsa,
}

impl KeyAlgorithm {
    /// Every algorithm except [`KeyAlgorithm::RSA1_5`], in registry order.
    pub const ALL: [KeyAlgorithm; 16] = [
        KeyAlgorithm::Dir,
        KeyAlgorithm::A128KW,
        KeyAlgorithm::A192KW,
        KeyAlgorithm::A256KW,
        KeyAlgorithm::A128GCMKW,
        KeyAlgorithm::A192GCMKW,
        KeyAlgorithm::A256GCMKW,
        KeyAlgorithm::ECDH_ES,
        KeyAlgorithm::ECDH_ES_A128KW,
        KeyAlgorithm::ECDH_ES_A192KW,
        KeyAlgorithm::ECDH_ES_A256KW,
        KeyAlgorithm::RSA_OAEP,
        KeyAlgorithm::RSA_OAEP_256,
        KeyAlgorithm::PBES2_HS256_A128KW,
        KeyAlgorithm::PBES2_HS384_A192KW,
        KeyAlgorithm::PBES2_HS512_A256KW,
    ];

    /// The registered name, as it appears in a JOSE header.
    pub const fn as_str(self) -> &'static str {
        match self {
            KeyAlgorithm::Dir => "dir",
            KeyAlgorithm::A128KW => "A128KW",
            KeyAlgorithm::A192KW => "A192KW",
            KeyAlgorithm::A256KW => "A256KW",
            KeyAlgorithm::A128GCMKW => "A128GCMKW",
            KeyAlgorithm::A192GCMKW => "A192GCMKW",
            KeyAlgorithm::A256GCMKW => "A256GCMKW",
            KeyAlgorithm::ECDH_ES => "ECDH-ES",
            KeyAlgorithm::ECDH_ES_A128KW => "ECDH-ES+A128KW",
            KeyAlgorithm::ECDH_ES_A192KW => "ECDH-ES+A192KW",
            KeyAlgorithm::ECDH_ES_A256KW => "ECDH-ES+A256KW",
            KeyAlgorithm::RSA_OAEP => "RSA-OAEP",
            KeyAlgorithm::RSA_OAEP_256 => "RSA-OAEP-256",
            KeyAlgorithm::PBES2_HS256_A128KW => "PBES2-HS256+A128KW",
            KeyAlgorithm::PBES2_HS384_A192KW => "PBES2-HS384+A192KW",
            KeyAlgorithm::PBES2_HS512_A256KW => "PBES2-HS512+A256KW",
            KeyAlgorithm::RSA1_5 => "RSA1_5",
        }
    }

    /// Parses a registered name exactly (names are case-sensitive). `RSA1_5` parses,
    /// but only a `danger_rsa1_5` key accepts it.
    pub fn from_name(name: &str) -> Option<KeyAlgorithm> {
        if name == "RSA1_5" {
            return Some(KeyAlgorithm::RSA1_5);
        }
        KeyAlgorithm::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The kind of key the algorithm needs.
    pub const fn family(self) -> KeyFamily {
        match self {
            KeyAlgorithm::Dir
            | KeyAlgorithm::A128KW
            | KeyAlgorithm::A192KW
            | KeyAlgorithm::A256KW
            | KeyAlgorithm::A128GCMKW
            | KeyAlgorithm::A192GCMKW
            | KeyAlgorithm::A256GCMKW => KeyFamily::Symmetric,
            KeyAlgorithm::ECDH_ES
            | KeyAlgorithm::ECDH_ES_A128KW
            | KeyAlgorithm::ECDH_ES_A192KW
            | KeyAlgorithm::ECDH_ES_A256KW => KeyFamily::Ecdh,
            KeyAlgorithm::RSA_OAEP | KeyAlgorithm::RSA_OAEP_256 | KeyAlgorithm::RSA1_5 => {
                KeyFamily::Rsa
            }
            KeyAlgorithm::PBES2_HS256_A128KW
            | KeyAlgorithm::PBES2_HS384_A192KW
            | KeyAlgorithm::PBES2_HS512_A256KW => KeyFamily::Password,
        }
    }

    /// The length in bytes of the AES key-wrapping key this algorithm uses
    /// (`A*KW`, `A*GCMKW`, `ECDH-ES+A*KW`, `PBES2-*+A*KW`), if any.
    pub const fn wrap_key_len(self) -> Option<usize> {
        match self {
            KeyAlgorithm::A128KW
            | KeyAlgorithm::A128GCMKW
            | KeyAlgorithm::ECDH_ES_A128KW
            | KeyAlgorithm::PBES2_HS256_A128KW => Some(16),
            KeyAlgorithm::A192KW
            | KeyAlgorithm::A192GCMKW
            | KeyAlgorithm::ECDH_ES_A192KW
            | KeyAlgorithm::PBES2_HS384_A192KW => Some(24),
            KeyAlgorithm::A256KW
            | KeyAlgorithm::A256GCMKW
            | KeyAlgorithm::ECDH_ES_A256KW
            | KeyAlgorithm::PBES2_HS512_A256KW => Some(32),
            _ => None,
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a registered JWE algorithm or encryption.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown JWE algorithm name")]
pub struct UnknownName;

impl FromStr for KeyAlgorithm {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KeyAlgorithm::from_name(s).ok_or(UnknownName)
    }
}

/// A content encryption algorithm (`enc` of a JWE, RFC 7518 §5).
///
/// ```
/// use jot_jwe::ContentEncryption;
/// let enc: ContentEncryption = "A128CBC-HS256".parse().unwrap();
/// assert_eq!(enc.key_len(), 32);
/// ```
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ContentEncryption {
    /// AES-128-CBC with HMAC-SHA-256 truncated to 128 bits.
    A128CBC_HS256,
    /// AES-192-CBC with HMAC-SHA-384 truncated to 192 bits.
    A192CBC_HS384,
    /// AES-256-CBC with HMAC-SHA-512 truncated to 256 bits.
    A256CBC_HS512,
    /// AES-128-GCM.
    A128GCM,
    /// AES-192-GCM.
    A192GCM,
    /// AES-256-GCM.
    A256GCM,
}

impl ContentEncryption {
    /// Every content encryption algorithm, in registry order.
    pub const ALL: [ContentEncryption; 6] = [
        ContentEncryption::A128CBC_HS256,
        ContentEncryption::A192CBC_HS384,
        ContentEncryption::A256CBC_HS512,
        ContentEncryption::A128GCM,
        ContentEncryption::A192GCM,
        ContentEncryption::A256GCM,
    ];

    /// The registered name, as it appears in a JOSE header.
    pub const fn as_str(self) -> &'static str {
        match self {
            ContentEncryption::A128CBC_HS256 => "A128CBC-HS256",
            ContentEncryption::A192CBC_HS384 => "A192CBC-HS384",
            ContentEncryption::A256CBC_HS512 => "A256CBC-HS512",
            ContentEncryption::A128GCM => "A128GCM",
            ContentEncryption::A192GCM => "A192GCM",
            ContentEncryption::A256GCM => "A256GCM",
        }
    }

    /// Parses a registered name exactly.
    pub fn from_name(name: &str) -> Option<ContentEncryption> {
        ContentEncryption::ALL
            .into_iter()
            .find(|e| e.as_str() == name)
    }

    /// The length in bytes of the content encryption key (for CBC-HMAC, the MAC key and
    /// the AES key together).
    pub const fn key_len(self) -> usize {
        match self {
            ContentEncryption::A128GCM => 16,
            ContentEncryption::A192GCM => 24,
            ContentEncryption::A256GCM | ContentEncryption::A128CBC_HS256 => 32,
            ContentEncryption::A192CBC_HS384 => 48,
            ContentEncryption::A256CBC_HS512 => 64,
        }
    }

    /// The length in bytes of the initialization vector.
    pub const fn iv_len(self) -> usize {
        if self.is_gcm() { 12 } else { 16 }
    }

    /// The length in bytes of the authentication tag.
    pub const fn tag_len(self) -> usize {
        match self {
            ContentEncryption::A128GCM
            | ContentEncryption::A192GCM
            | ContentEncryption::A256GCM
            | ContentEncryption::A128CBC_HS256 => 16,
            ContentEncryption::A192CBC_HS384 => 24,
            ContentEncryption::A256CBC_HS512 => 32,
        }
    }

    /// Whether this is an AES-GCM algorithm.
    pub const fn is_gcm(self) -> bool {
        matches!(
            self,
            ContentEncryption::A128GCM | ContentEncryption::A192GCM | ContentEncryption::A256GCM
        )
    }
}

impl fmt::Display for ContentEncryption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ContentEncryption {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ContentEncryption::from_name(s).ok_or(UnknownName)
    }
}

/// The curve of an ECDH-ES key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Curve {
    /// NIST P-256 (`kty: EC`, `crv: P-256`).
    P256,
    /// NIST P-384.
    P384,
    /// NIST P-521.
    P521,
    /// X25519 (`kty: OKP`, `crv: X25519`, RFC 8037).
    X25519,
}

impl Curve {
    /// The JWK `crv` name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
            Curve::X25519 => "X25519",
        }
    }

    /// Parses a JWK `crv` name.
    pub fn from_name(name: &str) -> Option<Curve> {
        [Curve::P256, Curve::P384, Curve::P521, Curve::X25519]
            .into_iter()
            .find(|c| c.as_str() == name)
    }

    /// The length of a coordinate (or of an X25519 key) in bytes.
    pub const fn field_len(self) -> usize {
        match self {
            Curve::P256 | Curve::X25519 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }
}

impl fmt::Display for Curve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for alg in KeyAlgorithm::ALL {
            assert_eq!(KeyAlgorithm::from_name(alg.as_str()), Some(alg));
        }
        for enc in ContentEncryption::ALL {
            assert_eq!(ContentEncryption::from_name(enc.as_str()), Some(enc));
        }
        assert_eq!(
            KeyAlgorithm::from_name("RSA1_5"),
            Some(KeyAlgorithm::RSA1_5)
        );
        assert_eq!(KeyAlgorithm::from_name("a128kw"), None);
        assert_eq!(KeyAlgorithm::from_name("none"), None);
        assert_eq!(ContentEncryption::from_name("A128CBC-H256"), None);
    }
}
