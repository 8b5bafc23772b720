#![doc = include_str!("../README.md")]
//!
//! ## Cargo features in detail
//!
#![doc = document_features::document_features!()]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

mod algorithm;
pub mod base64url;
mod claims;
mod compact;
pub mod dangerous;
mod error;
mod header;
mod json;
mod jws_json;
mod signature;
mod time;
pub mod unsecured;
mod validation;

pub use algorithm::{Algorithm, AlgorithmFamily, UnknownAlgorithm};
pub use claims::{Audience, Claims, REGISTERED_CLAIMS};
pub use compact::{Token, UntrustedToken, decode_with_clock, encode};
pub use error::{
    ClaimValueError, Error, HeaderError, JsonErrorKind, JwsJsonError, Segment, SignError,
    clip_untrusted,
};
pub use header::Header;
pub use jws_json::{
    JwsJson, JwsSignature, SignatureCheck, SignaturePolicy, SignatureSpec, VerifiedJws,
};
pub use signature::{Signer, Verifier, VerifyError};
#[cfg(feature = "std")]
pub use time::SystemClock;
pub use time::{Clock, FixedClock, NumericDate};
pub use validation::{DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_LEN, Validation};

/// Re-exported so that users of the codec name the same serde_json types.
pub use serde_json;
