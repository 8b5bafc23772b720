//! JWS algorithm identifiers (RFC 7518 §3, RFC 8037, RFC 8812, RFC 9864, RFC 9964).

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A JWS `alg` value that jot knows.
///
/// `none` is deliberately **not** an [`Algorithm`]: an unsecured token can only be
/// produced or read through [`crate::unsecured`], never through [`crate::decode_with_clock`].
///
/// ```
/// use jot_codec::Algorithm;
/// let alg: Algorithm = "ES256".parse().unwrap();
/// assert_eq!(alg, Algorithm::ES256);
/// assert_eq!(alg.as_str(), "ES256");
/// assert!("none".parse::<Algorithm>().is_err());
/// assert_eq!("ML-DSA-65".parse::<Algorithm>(), Ok(Algorithm::MlDsa65));
/// assert_eq!("Ed25519".parse::<Algorithm>(), Ok(Algorithm::Ed25519));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC using SHA-256.
    HS256,
    /// HMAC using SHA-384.
    HS384,
    /// HMAC using SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 using SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 using SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 using SHA-512.
    RS512,
    /// RSASSA-PSS using SHA-256 and MGF1 with SHA-256.
    PS256,
    /// RSASSA-PSS using SHA-384 and MGF1 with SHA-384.
    PS384,
    /// RSASSA-PSS using SHA-512 and MGF1 with SHA-512.
    PS512,
    /// ECDSA using P-256 and SHA-256.
    ES256,
    /// ECDSA using P-384 and SHA-384.
    ES384,
    /// ECDSA using P-521 and SHA-512.
    ES512,
    /// ECDSA using secp256k1 and SHA-256 (RFC 8812).
    ES256K,
    /// EdDSA (RFC 8037) with an Ed25519 or Ed448 key: the key's curve decides which.
    /// RFC 9864 deprecates this polymorphic name in favour of [`Algorithm::Ed25519`]
    /// and [`Algorithm::Ed448`]; jot still signs and verifies it.
    EdDSA,
    /// EdDSA with the Ed25519 curve (RFC 9864 §2.2, fully specified): only an
    /// Ed25519 key (`kty: "OKP"`, `crv: "Ed25519"`) signs or verifies it.
    Ed25519,
    /// EdDSA with the Ed448 curve (RFC 9864 §2.2, fully specified): only an Ed448
    /// key (`kty: "OKP"`, `crv: "Ed448"`) signs or verifies it.
    Ed448,
    /// ML-DSA-44 (FIPS 204, RFC 9964): a post-quantum lattice signature, security
    /// category 2. Keys are `kty: "AKP"`.
    MlDsa44,
    /// ML-DSA-65 (FIPS 204, RFC 9964), security category 3.
    MlDsa65,
    /// ML-DSA-87 (FIPS 204, RFC 9964), security category 5.
    MlDsa87,
}

/// The family an [`Algorithm`] belongs to, which fixes the kind of key it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AlgorithmFamily {
    /// HMAC with a shared secret (`kty: oct`).
    Hmac,
    /// RSASSA-PKCS1-v1_5 (`kty: RSA`).
    RsaPkcs1,
    /// RSASSA-PSS (`kty: RSA`).
    RsaPss,
    /// ECDSA (`kty: EC`).
    Ecdsa,
    /// EdDSA (`kty: OKP`): `EdDSA`, and the fully-specified `Ed25519` and `Ed448`.
    EdDsa,
    /// ML-DSA (`kty: AKP`, RFC 9964): one key per parameter set.
    MlDsa,
}

impl Algorithm {
    /// Every algorithm, in registry order.
    pub const ALL: [Algorithm; 19] = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::ES256K,
        Algorithm::EdDSA,
        Algorithm::Ed25519,
        Algorithm::Ed448,
        Algorithm::MlDsa44,
        Algorithm::MlDsa65,
        Algorithm::MlDsa87,
    ];

    /// The registered name, as it appears in a JOSE header.
    pub const fn as_str(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::ES512 => "ES512",
            Algorithm::ES256K => "ES256K",
            Algorithm::EdDSA => "EdDSA",
            Algorithm::Ed25519 => "Ed25519",
            Algorithm::Ed448 => "Ed448",
            Algorithm::MlDsa44 => "ML-DSA-44",
            Algorithm::MlDsa65 => "ML-DSA-65",
            Algorithm::MlDsa87 => "ML-DSA-87",
        }
    }

    /// The family, which fixes the key type.
    ///
    /// ```
    /// use jot_codec::{Algorithm, AlgorithmFamily};
    /// assert_eq!(Algorithm::PS384.family(), AlgorithmFamily::RsaPss);
    /// ```
    pub const fn family(self) -> AlgorithmFamily {
        match self {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => AlgorithmFamily::Hmac,
            Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => AlgorithmFamily::RsaPkcs1,
            Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512 => AlgorithmFamily::RsaPss,
            Algorithm::ES256 | Algorithm::ES384 | Algorithm::ES512 | Algorithm::ES256K => {
                AlgorithmFamily::Ecdsa
            }
            Algorithm::EdDSA | Algorithm::Ed25519 | Algorithm::Ed448 => AlgorithmFamily::EdDsa,
            Algorithm::MlDsa44 | Algorithm::MlDsa65 | Algorithm::MlDsa87 => AlgorithmFamily::MlDsa,
        }
    }

    /// Parses a registered name exactly (names are case-sensitive, RFC 7515 §4.1.1).
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Some(match name {
            "HS256" => Algorithm::HS256,
            "HS384" => Algorithm::HS384,
            "HS512" => Algorithm::HS512,
            "RS256" => Algorithm::RS256,
            "RS384" => Algorithm::RS384,
            "RS512" => Algorithm::RS512,
            "PS256" => Algorithm::PS256,
            "PS384" => Algorithm::PS384,
            "PS512" => Algorithm::PS512,
            "ES256" => Algorithm::ES256,
            "ES384" => Algorithm::ES384,
            "ES512" => Algorithm::ES512,
            "ES256K" => Algorithm::ES256K,
            "EdDSA" => Algorithm::EdDSA,
            "Ed25519" => Algorithm::Ed25519,
            "Ed448" => Algorithm::Ed448,
            "ML-DSA-44" => Algorithm::MlDsa44,
            "ML-DSA-65" => Algorithm::MlDsa65,
            "ML-DSA-87" => Algorithm::MlDsa87,
            _ => return None,
        })
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an [`Algorithm`] from a name jot does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown JWS algorithm")]
pub struct UnknownAlgorithm;

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::from_name(s).ok_or(UnknownAlgorithm)
    }
}

impl Serialize for Algorithm {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Algorithm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = crate::json::CowStr::deserialize(deserializer)?;
        Algorithm::from_name(&name).ok_or_else(|| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Str(&name), &"a JWS algorithm")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_case_sensitive() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(alg.as_str()), Some(alg));
            assert_eq!(Algorithm::from_name(&alg.as_str().to_lowercase()), None);
        }
        for bad in [
            "none",
            "None",
            "NONE",
            "nOnE",
            "",
            "HS257",
            "ES521",
            "ML-DSA-66",
            "MLDSA44",
            "ML_DSA_44",
            "ED25519",
            "ed448",
            "Ed25519ph",
            "X25519",
        ] {
            assert_eq!(Algorithm::from_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn fully_specified_eddsa_names_are_their_own_algorithms() {
        assert_eq!(Algorithm::from_name("Ed25519"), Some(Algorithm::Ed25519));
        assert_eq!(Algorithm::from_name("Ed448"), Some(Algorithm::Ed448));
        assert_eq!(Algorithm::Ed448.as_str(), "Ed448");
        for alg in [Algorithm::EdDSA, Algorithm::Ed25519, Algorithm::Ed448] {
            assert_eq!(alg.family(), AlgorithmFamily::EdDsa);
        }
        assert_ne!(Algorithm::Ed25519, Algorithm::EdDSA);
        let at = |alg| Algorithm::ALL.iter().position(|a| *a == alg).unwrap();
        assert_eq!(at(Algorithm::Ed25519), at(Algorithm::EdDSA) + 1);
        assert_eq!(at(Algorithm::Ed448), at(Algorithm::EdDSA) + 2);
        assert_eq!(at(Algorithm::MlDsa44), at(Algorithm::Ed448) + 1);
    }
}
