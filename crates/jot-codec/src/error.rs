//! The one error type of jot, and the smaller enums it carries.
//!
//! The variants are precise for the programmer (which check failed, by how
//! much), while [`Error::public_description`] gives a short text that is safe to
//! hand to an untrusted client: it never says why a signature failed.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

use crate::Algorithm;
use crate::NumericDate;

/// A segment of a compact token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// The protected header (first segment).
    Header,
    /// The payload, i.e. the claims (second segment).
    Payload,
    /// The signature (third segment).
    Signature,
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Segment::Header => "header",
            Segment::Payload => "payload",
            Segment::Signature => "signature",
        })
    }
}

/// What was wrong with the JSON of a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// Not valid JSON (including invalid UTF-8, lone surrogates, nesting deeper than 128).
    Syntax,
    /// Valid JSON whose shape does not fit (e.g. not an object, a member of the wrong type).
    Data,
    /// The JSON ended early.
    Eof,
}

/// A problem with a JOSE header that is well-formed JSON.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// The `alg` member is missing.
    #[error("header has no \"alg\"")]
    MissingAlgorithm,
    /// The `alg` member names an algorithm jot does not know (including any spelling of `none`
    /// outside the unsecured API).
    #[error("unsupported algorithm {name:?}")]
    UnsupportedAlgorithm {
        /// The name as found (truncated to 64 characters).
        name: String,
    },
    /// `crit` is present but empty (RFC 7515 §4.1.11).
    #[error("\"crit\" must not be empty")]
    EmptyCritical,
    /// `crit` names a parameter defined by RFC 7515/7518, which it must not.
    #[error("\"crit\" names the registered parameter {name:?}")]
    RegisteredCritical {
        /// The parameter.
        name: String,
    },
    /// `crit` names a parameter that is not in the header.
    #[error("\"crit\" names {name:?}, which is not in the header")]
    MissingCritical {
        /// The parameter.
        name: String,
    },
    /// `crit` names a parameter this verifier does not understand.
    #[error("unknown critical header parameter {name:?}")]
    UnknownCritical {
        /// The parameter.
        name: String,
    },
    /// `crit` names a parameter twice.
    #[error("\"crit\" names {name:?} twice")]
    DuplicateCritical {
        /// The parameter.
        name: String,
    },
    /// `b64: false` (RFC 7797) was found where it does not apply: JWTs never use it,
    /// and it is only valid when `crit` lists `b64`.
    #[error("unencoded payload (\"b64\": false) is not allowed here")]
    UnencodedPayload,
    /// `b64` (RFC 7797) in a JWS header whose `crit` does not list it; RFC 7797 §6
    /// requires it to be critical, so that a verifier that does not know `b64`
    /// refuses the JWS instead of checking the wrong signing input.
    #[error("\"b64\" must be listed in \"crit\"")]
    NonCriticalB64,
    /// A registered member has the wrong JSON type.
    #[error("header member {name:?} has the wrong type")]
    InvalidMember {
        /// The member.
        name: &'static str,
    },
}

/// Why a registered claim's value was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClaimValueError {
    /// A NumericDate (`exp`, `nbf`, `iat`) that is not a JSON number.
    NotANumber,
    /// A NumericDate outside `0..=253402300799` (year 9999), or not finite.
    OutOfRange,
    /// A string claim (`iss`, `sub`, `jti`) that is not a string.
    NotAString,
    /// `aud` that is neither a string nor an array of strings.
    InvalidAudience,
}

impl fmt::Display for ClaimValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClaimValueError::NotANumber => "not a number",
            ClaimValueError::OutOfRange => "out of range",
            ClaimValueError::NotAString => "not a string",
            ClaimValueError::InvalidAudience => "not a string or an array of strings",
        })
    }
}

/// Every way encoding, decoding or validating a token can fail.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The token is longer than the configured maximum; nothing was decoded.
    #[error("token is {len} bytes, more than the limit of {max}")]
    TooLarge {
        /// Length of the token in bytes.
        len: usize,
        /// The configured maximum.
        max: usize,
    },
    /// The token does not have three dot-separated segments.
    #[error("token has {segments} segments, a JWS has 3")]
    Malformed {
        /// How many segments were found.
        segments: usize,
    },
    /// The token has five segments: it is a JWE, which a JWS API never accepts.
    #[error("token is a JWE (5 segments), expected a JWS")]
    Encrypted,
    /// A segment is not strict base64url (padding, whitespace, `+`, `/`, trailing bits, empty).
    #[error("{segment} is not valid base64url")]
    Base64 {
        /// Which segment.
        segment: Segment,
    },
    /// A segment is not valid JSON of the expected shape.
    #[error("{segment} is not valid JSON ({kind:?} at line {line}, column {column})")]
    Json {
        /// Which segment.
        segment: Segment,
        /// The class of the failure.
        kind: JsonErrorKind,
        /// Line of the failure in the decoded JSON.
        line: usize,
        /// Column of the failure in the decoded JSON.
        column: usize,
    },
    /// A JSON object names a member twice (RFC 7515 §5.2, RFC 7519 §4).
    #[error("{segment} has the member {name:?} twice")]
    DuplicateMember {
        /// Which segment.
        segment: Segment,
        /// The member name.
        name: String,
    },
    /// The header is well-formed but not acceptable.
    #[error("invalid header: {0}")]
    Header(#[from] HeaderError),
    /// A registered claim has a value of the wrong type or range.
    #[error("claim {claim:?} is {reason}")]
    InvalidClaim {
        /// The claim.
        claim: &'static str,
        /// What is wrong with it.
        reason: ClaimValueError,
    },
    /// `alg: none` (an unsecured JWS) outside the explicitly unsecured API.
    #[error("unsecured token (\"alg\": \"none\") refused")]
    Unsecured,
    /// The token's algorithm is not one the key or the validation allows.
    #[error("algorithm {alg} is not allowed for this key")]
    AlgorithmNotAllowed {
        /// The algorithm the token named.
        alg: Algorithm,
    },
    /// No key matches the token's `kid` (or the token has none and the key set needs one).
    #[error("no key for kid {kid:?}")]
    UnknownKey {
        /// The `kid` of the token, if any (truncated to 64 characters).
        kid: Option<String>,
    },
    /// The signature does not verify. Deliberately says nothing more.
    #[error("signature invalid")]
    InvalidSignature,
    /// The token has expired (`exp`).
    #[error("token expired {}s ago", now.seconds().saturating_sub(exp.seconds()))]
    Expired {
        /// The `exp` claim.
        exp: NumericDate,
        /// The time of the check.
        now: NumericDate,
    },
    /// The token is not valid yet (`nbf`).
    #[error("token not valid for another {}s", nbf.seconds().saturating_sub(now.seconds()))]
    NotYetValid {
        /// The `nbf` claim.
        nbf: NumericDate,
        /// The time of the check.
        now: NumericDate,
    },
    /// The token claims to be issued in the future (`iat`).
    #[error("token issued {}s in the future", iat.seconds().saturating_sub(now.seconds()))]
    IssuedInFuture {
        /// The `iat` claim.
        iat: NumericDate,
        /// The time of the check.
        now: NumericDate,
    },
    /// The token is older than the configured maximum age (from `iat`).
    #[error("token is {}s old, more than the maximum of {max_age}s", now.seconds().saturating_sub(iat.seconds()))]
    TooOld {
        /// The `iat` claim.
        iat: NumericDate,
        /// The time of the check.
        now: NumericDate,
        /// The configured maximum age in seconds.
        max_age: u64,
    },
    /// The `iss` claim is not one of the accepted issuers.
    #[error("issuer mismatch: got {found:?}")]
    WrongIssuer {
        /// The token's issuer (truncated to 64 characters).
        found: String,
    },
    /// No `aud` of the token is an accepted audience, or the token has an audience
    /// and the validation accepts none.
    #[error("audience mismatch")]
    WrongAudience,
    /// The `sub` claim is not the expected subject.
    #[error("subject mismatch: got {found:?}")]
    WrongSubject {
        /// The token's subject (truncated to 64 characters).
        found: String,
    },
    /// The `typ` header is not the expected type.
    #[error("type mismatch: got {found:?}")]
    WrongType {
        /// The token's `typ`, if any.
        found: Option<String>,
    },
    /// A claim the validation requires is missing.
    #[error("missing required claim {claim:?}")]
    MissingClaim {
        /// The claim.
        claim: String,
    },
    /// The signer failed to produce a signature; its cause, if the signer gave one
    /// (e.g. a remote signer's error), is the [`source`](core::error::Error::source).
    #[error(transparent)]
    Signing(SignError),
    /// The claims or header could not be serialized to JSON.
    #[error("could not serialize {segment} to JSON")]
    Serialize {
        /// Which segment.
        segment: Segment,
    },
    /// A custom check supplied by the application failed.
    #[error("{0}")]
    Custom(Box<str>),
    /// A JWS JSON serialization (RFC 7515 §7.2) is malformed or its signatures do not
    /// satisfy the policy.
    #[error(transparent)]
    JwsJson(#[from] JwsJsonError),
}

/// A problem specific to the JWS JSON serialization (RFC 7515 §7.2): its structure,
/// its split headers, or the signature policy.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum JwsJsonError {
    /// The document is not valid JSON, or not a JSON object.
    #[error("JWS JSON is not valid JSON ({kind:?} at line {line}, column {column})")]
    Json {
        /// What was wrong.
        kind: JsonErrorKind,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The document (or one of its signature objects) has a member twice.
    #[error("JWS JSON has the member {name:?} twice")]
    DuplicateMember {
        /// The member (truncated to 64 characters).
        name: String,
    },
    /// A member of the document has the wrong JSON type.
    #[error("JWS JSON member {name:?} has the wrong type")]
    InvalidMember {
        /// The member.
        name: &'static str,
    },
    /// A required member is missing (`signature`, or `signatures` in a general JWS).
    #[error("JWS JSON has no {name:?} member")]
    MissingMember {
        /// The member.
        name: &'static str,
    },
    /// A flattened member (`protected`, `header`, `signature`) beside `signatures`
    /// (RFC 7515 §7.2.2).
    #[error("JWS JSON mixes the general and the flattened syntax")]
    MixedSyntax,
    /// `signatures` is an empty array.
    #[error("JWS JSON has no signature")]
    NoSignatures,
    /// `signatures` has more entries than the limit.
    #[error("JWS JSON has more than {max} signatures")]
    TooManySignatures {
        /// The limit.
        max: usize,
    },
    /// A header parameter is in both the protected and the unprotected header of one
    /// signature (RFC 7515 §7.2.1).
    #[error("signature {index}: header parameter {name:?} is both protected and unprotected")]
    DuplicateHeaderParameter {
        /// The signature's position in `signatures` (0 for a flattened JWS).
        index: usize,
        /// The parameter.
        name: String,
    },
    /// `crit` in an unprotected header (RFC 7515 §4.1.11: it must be protected).
    #[error("signature {index}: \"crit\" must be in the protected header")]
    UnprotectedCritical {
        /// The signature's position.
        index: usize,
    },
    /// `b64` (RFC 7797) in an unprotected header: it must be protected.
    #[error("signature {index}: \"b64\" must be in the protected header")]
    UnprotectedB64 {
        /// The signature's position.
        index: usize,
    },
    /// The signatures of one JWS disagree on `b64` (RFC 7797): the payload is
    /// either encoded for all of them or for none.
    #[error("the signatures disagree on \"b64\"")]
    InconsistentB64,
    /// An unencoded payload (RFC 7797 `b64: false`) that contains `.` in the
    /// compact serialization, where it must be detached instead (RFC 7797 §5.2).
    #[error("an unencoded payload with '.' cannot be attached to a compact JWS; detach it")]
    UnencodedPayloadDot,
    /// Only a JWS with one signature, a protected header (with `alg`) and no
    /// unprotected header has a compact serialization (RFC 7515 §7.1).
    #[error(
        "this JWS has no compact serialization (it needs one signature, a protected alg and no unprotected header)"
    )]
    NotCompactable,
    /// A header of one signature is invalid; `source` says how.
    #[error("signature {index}: {source}")]
    Signature {
        /// The signature's position.
        index: usize,
        /// What was wrong.
        source: Box<Error>,
    },
    /// The payload is detached (no `payload` member) and none was supplied.
    #[error("JWS JSON has a detached payload and none was supplied")]
    DetachedPayload,
    /// A payload was supplied for a JWS that carries its own.
    #[error("JWS JSON carries its payload; a detached one was supplied too")]
    PayloadPresent,
    /// The flattened syntax holds exactly one signature.
    #[error("the flattened syntax holds one signature, this JWS has {count}")]
    NotFlattenable {
        /// How many signatures there are.
        count: usize,
    },
    /// Under [`SignaturePolicy::Any`](crate::SignaturePolicy::Any): no signature verified.
    #[error("none of the {total} signatures verified")]
    NoValidSignature {
        /// How many signatures there are.
        total: usize,
    },
    /// Under [`SignaturePolicy::All`](crate::SignaturePolicy::All): this signature did
    /// not verify (the first one that did not).
    #[error("signature {index} did not verify: {source}")]
    SignatureFailed {
        /// The signature's position.
        index: usize,
        /// Why it did not verify.
        source: Box<Error>,
    },
}

impl fmt::Debug for JwsJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl JwsJsonError {
    fn public_description(&self) -> &'static str {
        match self {
            JwsJsonError::NoValidSignature { .. } | JwsJsonError::SignatureFailed { .. } => {
                "invalid signature"
            }
            JwsJsonError::Signature { source, .. } => source.public_description(),
            _ => "malformed token",
        }
    }
}

/// The `Display` sentence: what `fn main() -> Result<(), Error>` prints after
/// `Error: `, the failed check in words rather than a variant name.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Error {
    /// A short description that is safe to show to an untrusted client: no key
    /// material, no detail on why a signature failed. Suitable for RFC 6750
    /// `error_description`.
    ///
    /// ```
    /// use jot_codec::Error;
    /// assert_eq!(Error::InvalidSignature.public_description(), "invalid signature");
    /// ```
    pub fn public_description(&self) -> &'static str {
        match self {
            Error::TooLarge { .. } => "token too large",
            Error::Malformed { .. }
            | Error::Encrypted
            | Error::Base64 { .. }
            | Error::Json { .. }
            | Error::DuplicateMember { .. }
            | Error::Header(_)
            | Error::InvalidClaim { .. } => "malformed token",
            Error::Unsecured | Error::AlgorithmNotAllowed { .. } => "algorithm not allowed",
            Error::UnknownKey { .. } => "unknown key",
            Error::InvalidSignature => "invalid signature",
            Error::Expired { .. } => "token expired",
            Error::NotYetValid { .. } => "token not yet valid",
            Error::IssuedInFuture { .. } => "token issued in the future",
            Error::TooOld { .. } => "token too old",
            Error::WrongIssuer { .. } => "issuer not accepted",
            Error::WrongAudience => "audience not accepted",
            Error::WrongSubject { .. } => "subject not accepted",
            Error::WrongType { .. } => "token type not accepted",
            Error::MissingClaim { .. } => "missing required claim",
            Error::Signing(_) | Error::Serialize { .. } => "internal error",
            Error::Custom(_) => "token rejected",
            Error::JwsJson(e) => e.public_description(),
        }
    }

    /// A stable machine-readable name of the variant (`"expired"`, `"invalid_signature"`, ...).
    ///
    /// ```
    /// use jot_codec::Error;
    /// assert_eq!(Error::InvalidSignature.kind(), "invalid_signature");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Error::TooLarge { .. } => "too_large",
            Error::Malformed { .. } => "malformed",
            Error::Encrypted => "encrypted",
            Error::Base64 { .. } => "base64",
            Error::Json { .. } => "json",
            Error::DuplicateMember { .. } => "duplicate_member",
            Error::Header(_) => "header",
            Error::InvalidClaim { .. } => "invalid_claim",
            Error::Unsecured => "unsecured",
            Error::AlgorithmNotAllowed { .. } => "algorithm_not_allowed",
            Error::UnknownKey { .. } => "unknown_key",
            Error::InvalidSignature => "invalid_signature",
            Error::Expired { .. } => "expired",
            Error::NotYetValid { .. } => "not_yet_valid",
            Error::IssuedInFuture { .. } => "issued_in_future",
            Error::TooOld { .. } => "too_old",
            Error::WrongIssuer { .. } => "wrong_issuer",
            Error::WrongAudience => "wrong_audience",
            Error::WrongSubject { .. } => "wrong_subject",
            Error::WrongType { .. } => "wrong_type",
            Error::MissingClaim { .. } => "missing_claim",
            Error::Signing(_) => "signing",
            Error::Serialize { .. } => "serialize",
            Error::Custom(_) => "custom",
            Error::JwsJson(_) => "jws_json",
        }
    }

    /// True when the token failed a time check (`exp`, `nbf`, `iat`, max age).
    pub fn is_time(&self) -> bool {
        matches!(
            self,
            Error::Expired { .. }
                | Error::NotYetValid { .. }
                | Error::IssuedInFuture { .. }
                | Error::TooOld { .. }
        )
    }
}

/// A [`Signer`](crate::Signer) could not sign (e.g. the random generator failed, or a remote
/// signer such as a KMS or HSM refused). Opaque to the token's recipient, but it
/// may carry the cause as its [`source`](core::error::Error::source), so that a
/// remote signer's error reaches the logs.
///
/// ```
/// use core::error::Error as _;
/// use jot_codec::SignError;
///
/// assert!(SignError::new().source().is_none());
///
/// #[derive(Debug)]
/// struct KmsUnavailable;
/// impl core::fmt::Display for KmsUnavailable {
///     fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
///         f.write_str("the KMS did not answer")
///     }
/// }
/// impl core::error::Error for KmsUnavailable {}
///
/// let err = SignError::from_source(KmsUnavailable);
/// assert_eq!(err.to_string(), "signing failed");
/// assert_eq!(err.source().map(|s| s.to_string()).as_deref(), Some("the KMS did not answer"));
/// ```
#[derive(Debug, Default)]
pub struct SignError {
    source: Option<Box<dyn core::error::Error + Send + Sync + 'static>>,
}

impl SignError {
    /// A signing failure without a cause to report.
    pub fn new() -> Self {
        Self::default()
    }

    /// A signing failure caused by `source` (kept for [`core::error::Error::source`]).
    pub fn from_source(
        source: impl Into<Box<dyn core::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        SignError {
            source: Some(source.into()),
        }
    }
}

impl core::fmt::Display for SignError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("signing failed")
    }
}

impl core::error::Error for SignError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn core::error::Error + 'static))
    }
}

/// Shortens untrusted text (a header value, a claim, a name from a token) to at most
/// 64 bytes, cut at a character boundary and marked with `…`, before an error keeps
/// it: an attacker cannot make errors or logs huge. Every jot crate clips with it.
///
/// ```
/// assert_eq!(jot_codec::clip_untrusted("short"), "short");
/// let long = "x".repeat(100);
/// assert_eq!(jot_codec::clip_untrusted(&long), format!("{}…", "x".repeat(64)));
/// ```
pub fn clip_untrusted(s: &str) -> String {
    const MAX: usize = 64;
    if s.len() <= MAX {
        return String::from(s);
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::from(&s[..end]);
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::ToString;

    use super::*;

    /// `fn main() -> Result<(), Error>` prints the `Debug` form: the failed check
    /// in words.
    #[test]
    fn debug_is_the_sentence() {
        for err in [
            Error::InvalidSignature,
            Error::TooLarge {
                len: 70_000,
                max: 65_536,
            },
        ] {
            assert_eq!(format!("{err:?}"), err.to_string());
        }
        assert_eq!(
            format!(
                "{:?}",
                Error::TooLarge {
                    len: 70_000,
                    max: 65_536
                }
            ),
            "token is 70000 bytes, more than the limit of 65536"
        );
    }
}
