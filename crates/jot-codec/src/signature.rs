//! The traits a crypto backend implements: [`Signer`] and [`Verifier`].
//!
//! The codec never touches key material. `jot-algorithms` implements these traits
//! on `ring`; another backend can implement them without changing the codec.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::Algorithm;
use crate::error::SignError;

/// Produces JWS signatures with one key, for one algorithm.
///
/// ```
/// use jot_codec::{Algorithm, SignError, Signer};
///
/// /// A toy signer for the example: the "signature" is the input's length.
/// struct Len;
/// impl Signer for Len {
///     fn algorithm(&self) -> Algorithm { Algorithm::HS256 }
///     fn sign(&self, input: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> {
///         out.extend_from_slice(&(input.len() as u32).to_be_bytes());
///         Ok(())
///     }
/// }
/// let mut sig = Vec::new();
/// Len.sign(b"abc", &mut sig).unwrap();
/// assert_eq!(sig, [0, 0, 0, 3]);
/// ```
pub trait Signer {
    /// The algorithm this signer produces; it is written into the header's `alg`.
    fn algorithm(&self) -> Algorithm;

    /// The key id written into the header's `kid` when the caller sets none.
    fn key_id(&self) -> Option<&str> {
        None
    }

    /// Appends the raw signature (not base64url-encoded) over `signing_input` to `out`.
    fn sign(&self, signing_input: &[u8], out: &mut Vec<u8>) -> Result<(), SignError>;

    /// An upper bound of the signature length in bytes, used to pre-size buffers.
    fn signature_len_hint(&self) -> usize {
        64
    }
}

/// Verifies JWS signatures for the algorithms it was built for, and no others.
///
/// A verifier is handed the token's `alg` and `kid` as found in the header. It must
/// refuse an algorithm it was not built for (the header never chooses how a key
/// is used) and treat `kid` only as a lookup hint.
///
/// ```
/// use jot_codec::{Algorithm, Verifier, VerifyError};
///
/// struct Refuse;
/// impl Verifier for Refuse {
///     fn verify(&self, _: Algorithm, _: Option<&str>, _: &[u8], _: &[u8]) -> Result<(), VerifyError> {
///         Err(VerifyError::InvalidSignature)
///     }
/// }
/// assert_eq!(Refuse.verify(Algorithm::HS256, None, b"x", b"y"), Err(VerifyError::InvalidSignature));
/// ```
pub trait Verifier {
    /// Checks `signature` over `signing_input` for a token whose header says `alg` and `kid`.
    fn verify(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), VerifyError>;
}

/// Why a [`Verifier`] refused a signature. Deliberately coarse: it never says
/// *how* a signature failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The verifier was not built for the token's algorithm.
    #[error("algorithm not allowed for this key")]
    AlgorithmNotAllowed,
    /// No key matches the token's `kid`.
    #[error("no matching key")]
    UnknownKey,
    /// The signature does not verify.
    #[error("signature invalid")]
    InvalidSignature,
}

macro_rules! forward_impls {
    ($($ptr:ty),*) => {$(
        impl<S: Signer + ?Sized> Signer for $ptr {
            fn algorithm(&self) -> Algorithm {
                (**self).algorithm()
            }
            fn key_id(&self) -> Option<&str> {
                (**self).key_id()
            }
            fn sign(&self, signing_input: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> {
                (**self).sign(signing_input, out)
            }
            fn signature_len_hint(&self) -> usize {
                (**self).signature_len_hint()
            }
        }
        impl<S: Verifier + ?Sized> Verifier for $ptr {
            fn verify(
                &self,
                alg: Algorithm,
                kid: Option<&str>,
                signing_input: &[u8],
                signature: &[u8],
            ) -> Result<(), VerifyError> {
                (**self).verify(alg, kid, signing_input, signature)
            }
        }
    )*};
}

forward_impls!(&S, Box<S>, Arc<S>);
