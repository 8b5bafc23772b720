//! [`Error`] (encrypting and decrypting) and [`KeyError`] (building keys).
//!
//! Every failure that depends on a secret — a key that does not unwrap, an RSA
//! ciphertext that does not decrypt, a wrong length of the recovered key, an
//! authentication tag that does not match, bad padding — is the one variant
//! [`Error::Decryption`], so a caller can never become a padding or tag oracle.

use crate::{ContentEncryption, KeyAlgorithm};

/// A part of a compact JWE (RFC 7516 §7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Part {
    /// The protected header.
    Header,
    /// The encrypted key.
    EncryptedKey,
    /// The initialization vector.
    Iv,
    /// The ciphertext.
    Ciphertext,
    /// The authentication tag.
    Tag,
    /// The additional authenticated data (`aad`) of the JSON serialization.
    Aad,
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Part::Header => "protected header",
            Part::EncryptedKey => "encrypted key",
            Part::Iv => "initialization vector",
            Part::Ciphertext => "ciphertext",
            Part::Tag => "authentication tag",
            Part::Aad => "additional authenticated data",
        })
    }
}

/// A JWE header that is well-formed JSON but not acceptable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// A required member (`alg`, `enc`, `epk`, `iv`, `tag`, `p2s`, `p2c`) is missing.
    #[error("header has no {name:?}")]
    Missing {
        /// The member.
        name: &'static str,
    },
    /// A registered member has the wrong JSON type or an invalid value.
    #[error("header member {name:?} is invalid")]
    Invalid {
        /// The member.
        name: &'static str,
    },
    /// `alg` names no JWE key management algorithm jot knows (JWS names included).
    #[error("unsupported JWE algorithm {name:?}")]
    UnsupportedAlgorithm {
        /// The name as found (at most 64 characters).
        name: String,
    },
    /// `enc` names no content encryption algorithm jot knows.
    #[error("unsupported JWE encryption {name:?}")]
    UnsupportedEncryption {
        /// The name as found (at most 64 characters).
        name: String,
    },
    /// `zip` is not `DEF`, or compression is disabled (cargo feature `zip` or policy).
    #[error("unsupported or disallowed compression {name:?}")]
    UnsupportedCompression {
        /// The name as found (at most 64 characters).
        name: String,
    },
    /// `crit` is empty, names a registered parameter, an absent one, or one not understood.
    #[error("unacceptable \"crit\": {name:?}")]
    Critical {
        /// The offending name (empty when `crit` is empty).
        name: String,
    },
    /// `zip` outside the protected header (RFC 7516 §4.1.3).
    #[error("\"zip\" must be integrity protected")]
    UnprotectedZip,
    /// PBES2 `p2c` outside the policy's bounds.
    #[error("PBES2 iteration count {p2c} is outside {min}..={max}")]
    Pbes2Iterations {
        /// The count in the token.
        p2c: u64,
        /// The minimum accepted.
        min: u32,
        /// The maximum accepted.
        max: u32,
    },
    /// PBES2 `p2s` shorter than 8 bytes (RFC 7518 §4.8.1.1).
    #[error("PBES2 salt of {len} bytes is shorter than 8")]
    Pbes2Salt {
        /// The salt length in bytes.
        len: usize,
    },
}

/// Every way encrypting or decrypting a JWE can fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The token is longer than the policy's maximum; nothing was decoded.
    #[error("token is {len} bytes, more than the limit of {max}")]
    TooLarge {
        /// Length in bytes.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// The token has three segments: it is a JWS, which a JWE API never accepts.
    #[error("token is a JWS (3 segments), expected a JWE")]
    Signed,
    /// The token is not a compact JWE (5 segments; a JSON serialization goes to
    /// [`crate::decrypt_json`]).
    #[error("token has {segments} segments, a compact JWE has 5")]
    Malformed {
        /// How many segments were found.
        segments: usize,
    },
    /// A part is not strict base64url.
    #[error("{part} is not valid base64url")]
    Base64 {
        /// Which part.
        part: Part,
    },
    /// The header is not valid JSON of the expected shape.
    #[error("{what} is not valid JSON")]
    Json {
        /// What was being parsed.
        what: &'static str,
    },
    /// A JSON object names a member twice.
    #[error("member {name:?} appears twice")]
    DuplicateMember {
        /// The member (at most 64 characters).
        name: String,
    },
    /// The header is well-formed JSON but not acceptable.
    #[error("invalid JWE header: {0}")]
    Header(#[from] HeaderError),
    /// The token's `alg` is not the one the key was built for.
    #[error("algorithm {found} is not allowed for this key (it is for {expected})")]
    AlgorithmNotAllowed {
        /// The key's algorithm.
        expected: KeyAlgorithm,
        /// The token's algorithm.
        found: KeyAlgorithm,
    },
    /// The token's `kid` names no usable key of the [`crate::DecryptionKeySet`].
    /// Decided from the header and the set's key ids alone: it reveals no secret.
    #[error("no key of the set has kid {kid:?}")]
    UnknownKid {
        /// The token's `kid` (at most 64 characters).
        kid: String,
    },
    /// The [`crate::DecryptionKeySet`] has no usable key for the token's `alg` (under
    /// its `kid`, if it has one; for its `enc` and `epk` curve, where they matter).
    #[error("no key of the set is for {alg}{}", kid.as_ref().map(|k| format!(" under kid {k:?}")).unwrap_or_default())]
    NoKeyForAlgorithm {
        /// The token's key management algorithm.
        alg: KeyAlgorithm,
        /// The token's `kid` (at most 64 characters), if it has one.
        kid: Option<String>,
    },
    /// The token has no `kid` and the [`crate::DecryptionKeySet`] has several keys
    /// for its `alg`: jot does not try them one after the other.
    #[error("the token has no kid and the set has several keys for {alg}")]
    AmbiguousKey {
        /// The token's key management algorithm.
        alg: KeyAlgorithm,
    },
    /// The token's `enc` is not allowed by the policy or the key (a `dir` key fixes it).
    #[error("content encryption {enc} is not allowed here")]
    EncryptionNotAllowed {
        /// The token's (or requested) content encryption.
        enc: ContentEncryption,
    },
    /// The ephemeral public key (`epk`) is malformed, on another curve than the key,
    /// not on its curve, or gives an all-zero X25519 shared secret.
    #[error("invalid ephemeral public key: {reason}")]
    InvalidEphemeralKey {
        /// What is wrong.
        reason: &'static str,
    },
    /// Decryption failed. Deliberately says nothing more: a wrong key, a modified
    /// token, a bad tag or bad padding all look the same.
    #[error("decryption failed")]
    Decryption,
    /// The decompressed plaintext would exceed the policy's maximum.
    #[error("decompressed plaintext exceeds {max} bytes")]
    DecompressedTooLarge {
        /// The maximum.
        max: usize,
    },
    /// The plaintext is not valid DEFLATE data although the token says `zip: DEF`.
    #[error("plaintext is not valid DEFLATE data")]
    Decompression,
    /// The algorithm is compiled out.
    #[error("{what} support is not enabled (cargo feature {feature:?})")]
    Disabled {
        /// What was asked for.
        what: &'static str,
        /// The cargo feature that enables it.
        feature: &'static str,
    },
    /// A nested token was expected (`cty: JWT`), or a nested one was given where
    /// claims were expected.
    #[error("{0}")]
    Nesting(&'static str),
    /// The claims (or the inner JWS of a nested token) failed to decode, verify or
    /// validate; the inner error says which check.
    #[error(transparent)]
    Jwt(#[from] jot_codec::Error),
    /// A JWE JSON serialization (RFC 7516 §7.2) that is not acceptable, or that
    /// has no recipient for the key.
    #[error("JWE JSON serialization: {0}")]
    JweJson(#[from] JweJsonError),
    /// A key could not be used (e.g. a `dir` key whose length fits no `enc`).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The system random generator failed.
    #[error("the system random generator failed")]
    Random,
    /// Encryption failed (only with inputs that exceed the primitive's limits).
    #[error("encryption failed")]
    Encryption,
}

impl Error {
    /// A short description that is safe to show to an untrusted client.
    pub fn public_description(&self) -> &'static str {
        match self {
            Error::TooLarge { .. } | Error::DecompressedTooLarge { .. } => "token too large",
            Error::Signed
            | Error::Malformed { .. }
            | Error::Base64 { .. }
            | Error::Json { .. }
            | Error::DuplicateMember { .. }
            | Error::Header(_)
            | Error::InvalidEphemeralKey { .. }
            | Error::Nesting(_)
            | Error::Decompression => "malformed token",
            Error::AlgorithmNotAllowed { .. } | Error::EncryptionNotAllowed { .. } => {
                "algorithm not allowed"
            }
            Error::Decryption => "decryption failed",
            Error::UnknownKid { .. }
            | Error::NoKeyForAlgorithm { .. }
            | Error::AmbiguousKey { .. }
            | Error::JweJson(JweJsonError::NoRecipient { .. }) => "unknown key",
            Error::JweJson(_) => "malformed token",
            Error::Jwt(e) => e.public_description(),
            Error::Disabled { .. } | Error::Key(_) | Error::Random | Error::Encryption => {
                "internal error"
            }
        }
    }
}

/// Why a JWE JSON serialization ([`crate::JweJson`]) is refused, when parsing,
/// decrypting or encrypting it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JweJsonError {
    /// A required member is missing (`ciphertext`).
    #[error("member {name:?} is missing")]
    MissingMember {
        /// The member.
        name: &'static str,
    },
    /// A member has the wrong JSON type (a string, an object or an array expected).
    #[error("member {name:?} has the wrong type")]
    InvalidMember {
        /// The member.
        name: &'static str,
    },
    /// A document with `recipients` also has the flattened members `header` or
    /// `encrypted_key`.
    #[error("the general and the flattened syntax are mixed")]
    MixedSyntax,
    /// `recipients` is empty, or no recipient was given to encrypt to.
    #[error("there is no recipient")]
    NoRecipients,
    /// More recipients than [`crate::JweJson::MAX_RECIPIENTS`] (or, for the
    /// flattened syntax, more than one).
    #[error("more than {max} recipients")]
    TooManyRecipients {
        /// The maximum.
        max: usize,
    },
    /// A header parameter appears in more than one of the protected header, the
    /// shared unprotected header and a recipient's header (RFC 7516 §7.2.1).
    #[error("header parameter {name:?} appears in two header sets (recipient {recipient})")]
    HeaderConflict {
        /// The parameter (at most 64 characters).
        name: String,
        /// The recipient's index.
        recipient: usize,
    },
    /// `crit` in an unprotected header: it must be integrity protected (RFC 7516 §4.1.13).
    #[error("\"crit\" must be integrity protected")]
    UnprotectedCrit,
    /// A recipient's header set lacks `alg` or `enc`.
    #[error("recipient {recipient} has no {name:?}")]
    MissingParameter {
        /// `alg` or `enc`.
        name: &'static str,
        /// The recipient's index.
        recipient: usize,
    },
    /// The recipients do not all have the same `enc` (one ciphertext has one).
    #[error("the recipients disagree on \"enc\"")]
    EncDiffers,
    /// No recipient fits the key (or, for a key set, none names a key of the set).
    /// Decided from the headers and the keys' public attributes alone.
    #[error("none of the {recipients} recipients is for this key")]
    NoRecipient {
        /// How many recipients the document has.
        recipients: usize,
    },
    /// `dir` or `ECDH-ES` (direct key agreement) among several recipients: the CEK
    /// is then the recipient's own and cannot be shared (RFC 7516 §7.2.1).
    #[error("{alg} can only be used with a single recipient")]
    DirectWithSeveral {
        /// The algorithm.
        alg: KeyAlgorithm,
    },
    /// A shared `kid` ([`crate::HeaderOptions::kid`]) for several recipients: each
    /// recipient's `kid` comes from its key.
    #[error("a shared kid cannot name several recipients")]
    SharedKid,
}

/// Why an encryption or decryption key could not be built, imported, exported or generated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key has the wrong length for the algorithm.
    #[error("{alg} needs a key of {expected} bytes, got {got}")]
    WrongLength {
        /// The algorithm.
        alg: &'static str,
        /// The lengths accepted, as text (e.g. `"16"`, `"16, 24, 32, 48 or 64"`).
        expected: &'static str,
        /// The length given.
        got: usize,
    },
    /// The key is of a type the algorithm cannot use (e.g. an RSA key for ECDH-ES).
    #[error("a {key} key cannot be used for {alg}")]
    WrongKeyType {
        /// What the key is.
        key: &'static str,
        /// The algorithm.
        alg: &'static str,
    },
    /// The JWK's `alg` disagrees with the requested algorithm.
    #[error("the key is for {key}, not for {requested}")]
    AlgorithmMismatch {
        /// The JWK's `alg` (at most 64 characters).
        key: String,
        /// The algorithm requested.
        requested: &'static str,
    },
    /// The algorithm cannot be inferred from the key (no JWK `alg`); give it explicitly.
    #[error("the algorithm cannot be inferred from this key; give it explicitly")]
    AlgorithmRequired,
    /// `RSA1_5` asked through an ordinary constructor: use a `danger_rsa1_5` one.
    #[error("RSA1_5 is refused; use a danger_rsa1_5 constructor if you must")]
    DangerousAlgorithm,
    /// Several different keys of a [`crate::DecryptionKeySet`] share this key's `kid`:
    /// all of them are set aside.
    #[error("several keys of the set share this kid")]
    DuplicateKid,
    /// A public key was given where a private key is needed.
    #[error("a private key is needed, but this is a public key")]
    LooksLikePublicKey,
    /// The JWK says it is not for encryption (`use` other than `enc`, or `key_ops`
    /// without the operation needed).
    #[error("the JWK is not for {needed} (use/key_ops)")]
    JwkUsage {
        /// The operation needed.
        needed: &'static str,
    },
    /// The key could not be read: malformed PEM, DER or JWK members, or a key type
    /// or curve no jot crate reads. jot-jwe reads keys with jot-algorithms' one key
    /// reader ([`jot_algorithms::KeyMaterial`]), so this is its error.
    #[error(transparent)]
    Material(#[from] jot_algorithms::KeyError),
    /// The key is of a type or on a curve JWE does not use (e.g. an Ed25519 or
    /// secp256k1 key for ECDH-ES).
    #[error("unsupported key: {what}")]
    Unsupported {
        /// What was found.
        what: &'static str,
    },
    /// The public point is not a valid point of its curve, or the private key does
    /// not match it.
    #[error("the EC key is invalid (point not on the curve or inconsistent)")]
    InvalidPoint,
    /// An RSA key that is invalid, or shorter than 2048 or longer than 8192 bits.
    #[error("invalid RSA key: {reason}")]
    InvalidRsa {
        /// What is wrong.
        reason: &'static str,
    },
    /// A PBES2 password that is empty, or an iteration count below 1,000.
    #[error("PBES2: {reason}")]
    WeakPassword {
        /// What is wrong.
        reason: &'static str,
    },
    /// The algorithm is compiled out.
    #[error("{what} support is not enabled (cargo feature {feature:?})")]
    Disabled {
        /// What was asked for.
        what: &'static str,
        /// The cargo feature that enables it.
        feature: &'static str,
    },
    /// The system random generator failed.
    #[error("the system random generator failed")]
    Random,
    /// Exporting the key failed.
    #[error("encoding the key failed")]
    Encoding,
}
