#![doc = include_str!("../README.md")]
//!
//! ## Cargo features in detail
//!
#![doc = document_features::document_features!()]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod algorithm;
mod compact;
mod content;
mod ecdh;
mod error;
mod export;
mod generate;
pub mod hazmat;
mod header;
mod json;
mod jwt;
mod key;
mod key_set;
mod management;
mod material;
mod policy;
mod rng;
#[cfg(feature = "rsa")]
mod rsa_kw;
mod wrap;
mod zip;

pub use algorithm::{ContentEncryption, Curve, KeyAlgorithm, KeyFamily, UnknownName};
pub use compact::{Decrypted, decrypt, encrypt};
pub use error::{Error, HeaderError, JweJsonError, KeyError, Part};
pub use header::{HeaderOptions, JweHeader};
pub use json::{DecryptedJson, JweJson, decrypt_json};
pub use jwt::{
    DecryptedClaims, NestedToken, decrypt_claims, decrypt_then_verify, decrypt_then_verify_with,
    encrypt_claims, sign_then_encrypt, sign_then_encrypt_with,
};
pub use key::{DEFAULT_PBES2_ITERATIONS, DecryptionKey, EncryptionKey, MIN_PBES2_ITERATIONS};
pub use key_set::{Decrypter, DecryptionKeySet, UnusableDecryptionKey};
pub use policy::{DEFAULT_MAX_DECOMPRESSED_LEN, DEFAULT_MAX_TOKEN_LEN, DecryptionPolicy};
pub use wrap::concat_kdf;

pub use jot_algorithms::{Algorithm, Jwk, JwkSet, SigningKey, VerifyingKey};
pub use jot_codec::{Claims, Clock, FixedClock, SystemClock, Validation, base64url};
