//! **Hazardous materials**: the building blocks under [`crate::encrypt`] and
//! [`crate::decrypt`], exposed for conformance testing against primitive test
//! vectors (Wycheproof) and for debugging interop. Applications should not need
//! them: they skip every check of the token format and of the key's algorithm, and
//! used wrongly (a reused IV, an unchecked key) they break the encryption.
//!
//! ```
//! use jot_jwe::{hazmat, ContentEncryption};
//! let cek = [1u8; 32];
//! let iv = [2u8; 16];
//! let (ct, tag) = hazmat::content_encrypt(ContentEncryption::A128CBC_HS256, &cek, &iv, b"aad", b"hi")?;
//! let pt = hazmat::content_decrypt(ContentEncryption::A128CBC_HS256, &cek, &iv, b"aad", &ct, &tag)?;
//! assert_eq!(pt, b"hi");
//! # Ok::<(), jot_jwe::Error>(())
//! ```

use serde_json::Value;

use crate::key::PrivateMaterial;
use crate::{ContentEncryption, DecryptionKey, Error, KeyAlgorithm, content, wrap};

pub use crate::wrap::concat_kdf;

/// Encrypts with `enc` (`cek` of `enc.key_len()` bytes, `iv` of `enc.iv_len()` bytes),
/// returning `(ciphertext, tag)`.
pub fn content_encrypt(
    enc: ContentEncryption,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), Error> {
    content::check_enabled(enc)?;
    if cek.len() != enc.key_len() || iv.len() != enc.iv_len() {
        return Err(Error::Encryption);
    }
    content::encrypt(enc, cek, iv, aad, plaintext)
}

/// Checks the tag and decrypts; every failure is [`Error::Decryption`].
pub fn content_decrypt(
    enc: ContentEncryption,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Vec<u8>, Error> {
    content::check_enabled(enc)?;
    content::decrypt(enc, cek, iv, aad, ciphertext, tag).map_err(|()| Error::Decryption)
}

/// AES key wrap (RFC 3394) of `key` (a multiple of 8 bytes, at least 16) with `kek`
/// (16, 24 or 32 bytes).
pub fn aes_key_wrap(kek: &[u8], key: &[u8]) -> Result<Vec<u8>, Error> {
    if key.len() < 16 || !key.len().is_multiple_of(8) {
        return Err(Error::Encryption);
    }
    wrap::aes_wrap(kek, key)
}

/// AES key unwrap; every failure is [`Error::Decryption`].
pub fn aes_key_unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Vec<u8>, Error> {
    wrap::aes_unwrap(kek, wrapped)
        .map(|k| k.to_vec())
        .map_err(|()| Error::Decryption)
}

/// The ECDH shared secret `Z` of an ECDH-ES `key` with a peer's public JWK, after
/// the same checks `decrypt` applies to an `epk` (key type, curve, point on the curve,
/// no all-zero X25519 secret).
pub fn ecdh_shared_secret(key: &DecryptionKey, peer: &Value) -> Result<Vec<u8>, Error> {
    match &key.material {
        PrivateMaterial::Ec(private) => private.agree(peer).map(|z| z.to_vec()),
        _ => Err(Error::Key(crate::KeyError::WrongKeyType {
            key: "non-EC",
            alg: "ECDH-ES",
        })),
    }
}

/// Decrypts an RSA-encrypted key (RSA-OAEP, RSA-OAEP-256, or RSA1_5 for a
/// `danger_rsa1_5` key); every failure is [`Error::Decryption`]. Unlike `decrypt`,
/// no random CEK is substituted.
pub fn rsa_decrypt(key: &DecryptionKey, ciphertext: &[u8]) -> Result<Vec<u8>, Error> {
    match &key.material {
        #[cfg(feature = "rsa")]
        PrivateMaterial::Rsa(private)
            if matches!(
                key.alg,
                KeyAlgorithm::RSA_OAEP | KeyAlgorithm::RSA_OAEP_256 | KeyAlgorithm::RSA1_5
            ) =>
        {
            crate::rsa_kw::decrypt(key.alg, private, ciphertext)
                .map(|k| k.to_vec())
                .map_err(|()| Error::Decryption)
        }
        _ => {
            let _ = (ciphertext, KeyAlgorithm::RSA_OAEP);
            Err(Error::Key(crate::KeyError::WrongKeyType {
                key: "non-RSA",
                alg: "RSA-OAEP",
            }))
        }
    }
}
