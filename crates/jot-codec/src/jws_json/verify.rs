//! The outcome of verifying a JWS JSON serialization: the policy, each signature's
//! result and the verified payload.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::Algorithm;
use crate::error::{Error, JwsJsonError};

/// Which signatures of a JWS must verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignaturePolicy {
    /// At least one signature must verify.
    Any,
    /// Every signature must verify.
    All,
}

/// What became of one signature in [`JwsJson::check_signatures`](crate::JwsJson::check_signatures).
#[derive(Debug)]
#[non_exhaustive]
pub struct SignatureCheck {
    /// The signature's position in `signatures` (0 for a flattened JWS).
    pub index: usize,
    /// The `kid` of its JOSE header, if any, as the verifier was given it. It may
    /// come from the unprotected header, which the signature does not cover: a
    /// `KeySet` verifies only with the key of that `kid`, but a single key without a
    /// `kid` of its own ignores it.
    pub kid: Option<String>,
    /// The algorithm it verified with, or why it did not verify.
    pub result: Result<Algorithm, Error>,
}

impl SignatureCheck {
    /// Whether the signature verified.
    pub fn is_verified(&self) -> bool {
        self.result.is_ok()
    }
}

/// A JWS whose signatures satisfied a [`SignaturePolicy`]: its payload and what
/// became of each signature.
#[derive(Debug)]
pub struct VerifiedJws {
    pub(super) payload: Vec<u8>,
    pub(super) checks: Vec<SignatureCheck>,
}

impl VerifiedJws {
    /// The payload (decoded from base64url, or the detached payload as supplied).
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Every signature's outcome, in document order.
    pub fn checks(&self) -> &[SignatureCheck] {
        &self.checks
    }

    /// The signatures that verified.
    pub fn verified(&self) -> impl Iterator<Item = &SignatureCheck> {
        self.checks.iter().filter(|c| c.is_verified())
    }

    /// The payload, consuming the result.
    pub fn into_payload(self) -> Vec<u8> {
        self.payload
    }
}

pub(super) fn apply_policy(
    checks: &[SignatureCheck],
    policy: SignaturePolicy,
) -> Result<(), Error> {
    match policy {
        SignaturePolicy::Any if !checks.iter().any(SignatureCheck::is_verified) => {
            Err(JwsJsonError::NoValidSignature {
                total: checks.len(),
            }
            .into())
        }
        SignaturePolicy::All => match checks.iter().find(|c| !c.is_verified()) {
            Some(SignatureCheck {
                index,
                result: Err(e),
                ..
            }) => Err(JwsJsonError::SignatureFailed {
                index: *index,
                source: Box::new(copy_error(e)),
            }
            .into()),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// The errors a signature check gives, copied for the policy error (`Error` is not
/// `Clone`: some variants carry a boxed source).
fn copy_error(e: &Error) -> Error {
    match e {
        Error::Unsecured => Error::Unsecured,
        Error::AlgorithmNotAllowed { alg } => Error::AlgorithmNotAllowed { alg: *alg },
        Error::UnknownKey { kid } => Error::UnknownKey { kid: kid.clone() },
        Error::Base64 { segment } => Error::Base64 { segment: *segment },
        Error::Header(h) => Error::Header(h.clone()),
        _ => Error::InvalidSignature,
    }
}
