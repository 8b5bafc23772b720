#![doc = include_str!("../README.md")]
//!
//! ## Cargo features in detail
//!
#![doc = document_features::document_features!()]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod any_key;
mod certificate;
mod curve;
mod der;
mod ecdsa;
mod ecdsa_rustcrypto;
#[cfg(feature = "ed448")]
mod ed448;
mod eddsa;
mod error;
mod export;
mod generate;
mod hmac;
mod import;
mod jwk;
mod jwk_set;
mod key;
mod material;
#[cfg(feature = "ml-dsa")]
mod ml_dsa;
mod pem;
pub mod provider;
#[cfg(feature = "rand-core")]
mod rng;
mod rsa;
mod thumbprint;
mod x5c;

pub use any_key::{AnyKey, KeyFile};
pub use curve::{EcCurve, OkpCurve};
pub use error::KeyError;
pub use jwk::Jwk;
pub use jwk_set::{JwkSet, KeySet, UnusableKey};
pub use key::{SigningKey, VerifyingKey, supports};
pub use material::{KeyMaterial, RsaPrivateParts};
#[cfg(feature = "rand-core")]
pub use rng::SystemRng;
pub use x5c::{PathError, X5cError, X5cVerifier};

pub use jot_codec::{
    Algorithm, AlgorithmFamily, SignError, Signer, Verifier, VerifyError, base64url,
};

pub use jot_codec::{
    Audience, ClaimValueError, Claims, Clock, Error, FixedClock, Header, HeaderError,
    JsonErrorKind, NumericDate, Segment, SystemClock, Token, UntrustedToken, Validation, dangerous,
    unsecured,
};

pub use jot_codec::{
    JwsJson, JwsJsonError, JwsSignature, SignatureCheck, SignaturePolicy, SignatureSpec,
    VerifiedJws,
};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Signs `claims` with `key` and returns the compact JWT.
///
/// `alg` comes from the key (the header has no say), `kid` from the header or else
/// from the key.
///
/// ```
/// use jot_algorithms::{encode, Algorithm, Claims, Header, SigningKey};
///
/// let key = SigningKey::hmac(Algorithm::HS256, b"a secret of at least thirty-two bytes")?;
/// let token = encode(&key, &Header::jwt(), &Claims::new(()).subject("42").valid_for(900))?;
/// assert!(token.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn encode<C: Serialize + ?Sized>(
    key: &(impl Signer + ?Sized),
    header: &Header,
    claims: &C,
) -> Result<String, Error> {
    jot_codec::encode(key, header, claims)
}

/// Verifies the signature with `key` (a [`VerifyingKey`], a [`KeySet`], or any
/// [`Verifier`]), then decodes and validates the claims against the system clock.
///
/// ```
/// use jot_algorithms::{decode, encode, Algorithm, Claims, Error, Header, SigningKey, Validation};
///
/// let key = SigningKey::generate(Algorithm::EdDSA)?;
/// let token = encode(&key, &Header::jwt(), &Claims::new(()).subject("42").valid_for(900))?;
/// let verified = decode::<()>(&token, &key.verifying_key(), &Validation::new())?;
/// assert_eq!(verified.claims.sub.as_deref(), Some("42"));
///
/// let other = SigningKey::generate(Algorithm::EdDSA)?.verifying_key();
/// assert!(matches!(decode::<()>(&token, &other, &Validation::new()), Err(Error::InvalidSignature)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[inline]
pub fn decode<T: DeserializeOwned>(
    token: &str,
    key: &(impl Verifier + ?Sized),
    validation: &Validation,
) -> Result<Token<T>, Error> {
    jot_codec::decode_with_clock(token, key, validation, &SystemClock)
}
