//! [`KeyError`]: everything that can go wrong while building, importing, exporting or
//! generating a key.
//!
//! Every variant names what was wrong with named fields; none wraps a third-party
//! type, so upgrading a parsing crate never changes this public API.

use jot_codec::Algorithm;

/// Why a key could not be built, imported, exported or generated.
///
/// ```
/// use jot_algorithms::{Algorithm, KeyError, SigningKey};
///
/// let err = SigningKey::hmac(Algorithm::HS256, b"too short").unwrap_err();
/// assert_eq!(err, KeyError::WeakHmacSecret { alg: Algorithm::HS256, min_bytes: 32, got: 9 });
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// An HMAC secret shorter than the hash output (RFC 7518 §3.2).
    #[error("{alg} needs a secret of at least {min_bytes} bytes, got {got}")]
    WeakHmacSecret {
        /// The algorithm the secret was meant for.
        alg: Algorithm,
        /// The minimum length in bytes.
        min_bytes: usize,
        /// The length given.
        got: usize,
    },
    /// Bytes given as an HMAC secret look like an encoded public or private key
    /// (PEM, JWK JSON or DER). Using a public key as an HMAC secret is the classic
    /// algorithm-confusion attack, so jot refuses it; load the key with `from_pem`,
    /// `from_der` or `from_jwk` instead.
    #[error(
        "the HMAC secret looks like an encoded {looks_like} key; load it as a key, not as a secret"
    )]
    SecretLooksLikeKey {
        /// What the bytes look like: `"PEM"`, `"JWK"` or `"DER"`.
        looks_like: &'static str,
    },
    /// An RSA modulus shorter than 2048 bits.
    #[error("RSA key of {bits} bits is too small; at least 2048 bits are required")]
    RsaTooSmall {
        /// The modulus length in bits.
        bits: usize,
    },
    /// An RSA modulus longer than jot supports (4096 bits for private keys, 8192 for
    /// public keys).
    #[error("RSA key of {bits} bits is too large; at most {max_bits} bits are supported")]
    RsaTooLarge {
        /// The modulus length in bits.
        bits: usize,
        /// The largest supported length.
        max_bits: usize,
    },
    /// An RSA public exponent that is even, smaller than 3 (public keys) or smaller than
    /// 65537 (private keys), or larger than 2^33 - 1.
    #[error("RSA public exponent is not acceptable: {reason}")]
    RsaBadExponent {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An RSA key with a known generation flaw (e.g. the ROCA fingerprint of CVE-2017-15361).
    #[error("RSA key is known to be weak: {cve}")]
    RsaVulnerable {
        /// The weakness.
        cve: &'static str,
    },
    /// Several keys of a key set share this key's `kid`: all of them are set aside.
    #[error("several keys of the set share this kid")]
    DuplicateKid,
    /// A shared secret (`oct`) in a key set that also holds public keys: set aside.
    #[error("a shared secret in a set of public keys")]
    MixedKeySet,
    /// The private key's parts do not agree with each other or with its public key.
    #[error("the private key is inconsistent with its public key")]
    InconsistentKey,
    /// The key is a kind jot does not support (e.g. RSA multi-prime, DSA, X448, an
    /// unknown curve).
    #[error("unsupported key type: {what}")]
    UnsupportedKeyType {
        /// What was found.
        what: &'static str,
    },
    /// The algorithm or key is compiled out (cargo feature `es512`, `es256k` or
    /// `ed448` is off).
    #[error("{alg} support is not enabled (cargo feature {feature:?})")]
    AlgorithmDisabled {
        /// The algorithm asked for.
        alg: Algorithm,
        /// The cargo feature that enables it.
        feature: &'static str,
    },
    /// The key cannot be used with the requested algorithm (e.g. a P-384 key for
    /// ES256, an RSA key for HS256, a JWK whose `alg` says RS256 for PS256).
    #[error("the key is for {key}, not for {requested}")]
    AlgorithmMismatch {
        /// What the key is for (an algorithm name, or a key type such as `"P-384"`).
        key: &'static str,
        /// The algorithm requested.
        requested: Algorithm,
    },
    /// The algorithm cannot be inferred from an RSA key or an HMAC secret; it must be given.
    #[error("the algorithm cannot be inferred from the {key_type} key; give it explicitly")]
    AlgorithmRequired {
        /// The key type.
        key_type: &'static str,
    },
    /// A public key was given where a private key is needed (e.g. to build a
    /// [`SigningKey`](crate::SigningKey)).
    #[error("a private key is needed, but this is a public key")]
    LooksLikePublicKey,
    /// The input is not valid PEM, or its label is not a key jot reads.
    #[error("invalid PEM: {reason}")]
    InvalidPem {
        /// What is wrong.
        reason: &'static str,
    },
    /// The DER is malformed or is not the structure its label or position promises.
    #[error("invalid DER: {reason}")]
    InvalidDer {
        /// What is wrong.
        reason: &'static str,
    },
    /// The JWK is malformed or fails a check of RFC 7517/7518/8037.
    #[error("invalid JWK: {reason}")]
    InvalidJwk {
        /// What is wrong.
        reason: &'static str,
    },
    /// The JWK says it is not for signatures (`use` other than `sig`, or `key_ops`
    /// without the operation needed).
    #[error("the JWK is not for {needed} (use/key_ops)")]
    JwkUsage {
        /// The operation needed: `"sign"` or `"verify"`.
        needed: &'static str,
    },
    /// The elliptic-curve public point is not a valid point of its curve.
    #[error("the public point is not on the curve")]
    InvalidPoint,
    /// The system random generator failed.
    #[error("the system random generator failed")]
    Random,
    /// Encoding a key for export failed (only with inputs jot never produces).
    #[error("encoding the key failed")]
    Encoding,
}

/// The `Display` sentence: what `fn main() -> Result<(), KeyError>` prints after
/// `Error: `, what is wrong with the key and what to do, rather than a variant name.
impl std::fmt::Debug for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fn main() -> Result<(), KeyError>` prints the `Debug` form: a sentence.
    #[test]
    fn debug_is_the_sentence() {
        let err = KeyError::WeakHmacSecret {
            alg: Algorithm::HS256,
            min_bytes: 32,
            got: 9,
        };
        assert_eq!(format!("{err:?}"), err.to_string());
        assert_eq!(
            format!("{err:?}"),
            "HS256 needs a secret of at least 32 bytes, got 9"
        );
    }
}
