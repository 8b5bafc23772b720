//! Key wrapping and derivation: AES key wrap (RFC 3394, RustCrypto `aes-kw`), the
//! Concat KDF of ECDH-ES (RFC 7518 §4.6.2, SHA-256) and PBES2 (RFC 7518 §4.8,
//! PBKDF2), both on the crypto provider.

use jot_algorithms::provider::{self, Hash};
use std::num::NonZeroU32;

use zeroize::Zeroizing;

use crate::{Error, KeyAlgorithm};

/// Wraps `cek` with the AES key-encryption key `kek` (16, 24 or 32 bytes).
pub(crate) fn aes_wrap(kek: &[u8], cek: &[u8]) -> Result<Vec<u8>, Error> {
    imp::wrap(kek, cek)
}

/// Unwraps with AES key wrap; `Err(())` on any failure (integrity check, length).
pub(crate) fn aes_unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, ()> {
    // RFC 3394: at least two 64-bit blocks of key data, plus the 64-bit check block.
    if wrapped.len() < 24 || !wrapped.len().is_multiple_of(8) {
        return Err(());
    }
    imp::unwrap(kek, wrapped)
}

#[cfg(feature = "aes")]
mod imp {
    use aes_kw::{KeyInit as _, KwAes128, KwAes192, KwAes256};
    use zeroize::Zeroizing;

    use crate::Error;

    pub(super) fn wrap(kek: &[u8], cek: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = vec![0u8; cek.len() + 8];
        let res = match kek.len() {
            16 => KwAes128::new_from_slice(kek)
                .map_err(|_| Error::Encryption)?
                .wrap_key(cek, &mut out)
                .map(|_| ()),
            24 => KwAes192::new_from_slice(kek)
                .map_err(|_| Error::Encryption)?
                .wrap_key(cek, &mut out)
                .map(|_| ()),
            32 => KwAes256::new_from_slice(kek)
                .map_err(|_| Error::Encryption)?
                .wrap_key(cek, &mut out)
                .map(|_| ()),
            _ => return Err(Error::Encryption),
        };
        res.map_err(|_| Error::Encryption)?;
        Ok(out)
    }

    pub(super) fn unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, ()> {
        let mut out = Zeroizing::new(vec![0u8; wrapped.len() - 8]);
        let res = match kek.len() {
            16 => KwAes128::new_from_slice(kek)
                .map_err(|_| ())?
                .unwrap_key(wrapped, &mut out)
                .map(|_| ()),
            24 => KwAes192::new_from_slice(kek)
                .map_err(|_| ())?
                .unwrap_key(wrapped, &mut out)
                .map(|_| ()),
            32 => KwAes256::new_from_slice(kek)
                .map_err(|_| ())?
                .unwrap_key(wrapped, &mut out)
                .map(|_| ()),
            _ => return Err(()),
        };
        res.map_err(|_| ())?;
        Ok(out)
    }
}

#[cfg(not(feature = "aes"))]
mod imp {
    use zeroize::Zeroizing;

    use crate::Error;

    pub(super) fn wrap(_: &[u8], _: &[u8]) -> Result<Vec<u8>, Error> {
        Err(Error::Disabled {
            what: "AES key wrap",
            feature: "aes",
        })
    }

    pub(super) fn unwrap(_: &[u8], _: &[u8]) -> Result<Zeroizing<Vec<u8>>, ()> {
        Err(())
    }
}

/// The Concat KDF of RFC 7518 §4.6.2 (NIST SP 800-56A, SHA-256): `key_len` bytes
/// from the shared secret `z`, for `algorithm_id` (the `enc` name for ECDH-ES, the
/// `alg` name for ECDH-ES+A*KW), with `apu`/`apv`.
pub fn concat_kdf(
    z: &[u8],
    algorithm_id: &str,
    apu: &[u8],
    apv: &[u8],
    key_len: usize,
) -> Zeroizing<Vec<u8>> {
    let mut other_info = Vec::with_capacity(16 + algorithm_id.len() + apu.len() + apv.len());
    for part in [algorithm_id.as_bytes(), apu, apv] {
        other_info.extend_from_slice(&len32(part.len()).to_be_bytes());
        other_info.extend_from_slice(part);
    }
    other_info.extend_from_slice(&len32(key_len * 8).to_be_bytes());
    let mut out = Zeroizing::new(Vec::with_capacity(key_len + 32));
    let mut counter: u32 = 1;
    while out.len() < key_len {
        let block = provider::digest_parts(Hash::Sha256, &[&counter.to_be_bytes(), z, &other_info]);
        out.extend_from_slice(block.as_ref());
        counter = counter.wrapping_add(1);
    }
    out.truncate(key_len);
    out
}

fn len32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// The PBES2 key-encryption key (RFC 7518 §4.8.1.1): PBKDF2 with the algorithm's
/// HMAC over `password`, salt `UTF8(alg) || 0x00 || p2s`, `p2c` iterations.
pub(crate) fn pbes2_kek(
    alg: KeyAlgorithm,
    password: &[u8],
    p2s: &[u8],
    p2c: NonZeroU32,
) -> Zeroizing<Vec<u8>> {
    let (prf, len) = match alg {
        KeyAlgorithm::PBES2_HS256_A128KW => (Hash::Sha256, 16),
        KeyAlgorithm::PBES2_HS384_A192KW => (Hash::Sha384, 24),
        _ => (Hash::Sha512, 32),
    };
    let mut salt = Vec::with_capacity(alg.as_str().len() + 1 + p2s.len());
    salt.extend_from_slice(alg.as_str().as_bytes());
    salt.push(0);
    salt.extend_from_slice(p2s);
    let mut kek = Zeroizing::new(vec![0u8; len]);
    // `p2c` is not zero (NonZeroU32) and the hash is a SHA-2 one: PBKDF2 cannot refuse.
    #[allow(clippy::expect_used)]
    provider::pbkdf2(prf, p2c.get(), &salt, password, &mut kek)
        .expect("PBKDF2 with a SHA-2 HMAC and a non-zero count cannot fail");
    kek
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7518_appendix_c() {
        // RFC 7518 Appendix C: Z from Alice/Bob, enc A128GCM, apu "Alice", apv "Bob".
        let z = [
            158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49,
            110, 163, 218, 128, 106, 72, 246, 218, 167, 121, 140, 254, 144, 196,
        ];
        let key = concat_kdf(&z, "A128GCM", b"Alice", b"Bob", 16);
        assert_eq!(jot_codec::base64url::encode(&key), "VqqN6vgjbSBcIijNcacQGg");
    }
}
