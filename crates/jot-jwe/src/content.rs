//! Content encryption (RFC 7518 §5): AES-GCM (the crypto provider for 128/256,
//! RustCrypto `aes-gcm` for 192) and AES-CBC + HMAC-SHA-2 (RustCrypto `cbc`, HMAC on
//! the provider, tag compared
//! in constant time with `subtle`).
//!
//! Every failure of [`decrypt`] is `Err(())`, which the caller turns into the one
//! uniform [`crate::Error::Decryption`].

use crate::{ContentEncryption, Error};
use jot_algorithms::provider::{self, AesGcm, Hash};

/// Encrypts `plaintext` with `cek` (exactly `enc.key_len()` bytes) and `iv`
/// (`enc.iv_len()` bytes), authenticating `aad`. Returns `(ciphertext, tag)`.
pub(crate) fn encrypt(
    enc: ContentEncryption,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), Error> {
    debug_assert_eq!(cek.len(), enc.key_len());
    debug_assert_eq!(iv.len(), enc.iv_len());
    match enc {
        ContentEncryption::A128GCM | ContentEncryption::A192GCM | ContentEncryption::A256GCM => {
            gcm_encrypt(cek, iv, aad, plaintext)
        }
        _ => cbc_hs_encrypt(enc, cek, iv, aad, plaintext),
    }
}

/// Checks the tag and decrypts. `Err(())` for every failure, whatever its cause.
pub(crate) fn decrypt(
    enc: ContentEncryption,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Vec<u8>, ()> {
    if cek.len() != enc.key_len() || iv.len() != enc.iv_len() || tag.len() != enc.tag_len() {
        return Err(());
    }
    if enc.is_gcm() {
        gcm_decrypt(cek, iv, aad, ciphertext, tag)
    } else {
        cbc_hs_decrypt(enc, cek, iv, aad, ciphertext, tag)
    }
}

/// AES-GCM with a 96-bit IV and a 128-bit tag, any of the three key sizes.
pub(crate) fn gcm_encrypt(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let mut buf = plaintext.to_vec();
    let tag = match key.len() {
        16 | 32 => provider::aes_gcm_seal(gcm_alg(key), key, iv, aad, &mut buf)
            .map_err(|_| Error::Encryption)?
            .to_vec(),
        24 => aes192_gcm::seal(key, iv, aad, &mut buf)?,
        _ => return Err(Error::Encryption),
    };
    Ok((buf, tag))
}

/// AES-GCM decryption; `Err(())` on any failure.
pub(crate) fn gcm_decrypt(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Vec<u8>, ()> {
    if iv.len() != 12 || tag.len() != 16 {
        return Err(());
    }
    match key.len() {
        16 | 32 => {
            let mut buf = Vec::with_capacity(ciphertext.len() + tag.len());
            buf.extend_from_slice(ciphertext);
            provider::aes_gcm_open(gcm_alg(key), key, iv, aad, &mut buf, tag).map_err(|_| ())?;
            Ok(buf)
        }
        24 => aes192_gcm::open(key, iv, aad, ciphertext, tag),
        _ => Err(()),
    }
}

/// The provider's AES-GCM for a 16- or 32-byte key.
fn gcm_alg(key: &[u8]) -> AesGcm {
    if key.len() == 16 {
        AesGcm::Aes128
    } else {
        AesGcm::Aes256
    }
}

#[cfg(feature = "aes")]
mod aes192_gcm {
    use aes_gcm::aead::consts::U12;
    use aes_gcm::{AeadInOut as _, AesGcm, KeyInit as _, Nonce, Tag};

    use crate::Error;

    type Aes192Gcm = AesGcm<aes_gcm::aes::Aes192, U12>;

    pub(super) fn seal(
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<Vec<u8>, Error> {
        let cipher = Aes192Gcm::new_from_slice(key).map_err(|_| Error::Encryption)?;
        let nonce = Nonce::<U12>::try_from(iv).map_err(|_| Error::Encryption)?;
        let tag = cipher
            .encrypt_inout_detached(&nonce, aad, buf.into())
            .map_err(|_| Error::Encryption)?;
        Ok(tag.to_vec())
    }

    pub(super) fn open(
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
    ) -> Result<Vec<u8>, ()> {
        let cipher = Aes192Gcm::new_from_slice(key).map_err(|_| ())?;
        let nonce = Nonce::<U12>::try_from(iv).map_err(|_| ())?;
        let tag = Tag::try_from(tag).map_err(|_| ())?;
        let mut buf = ciphertext.to_vec();
        cipher
            .decrypt_inout_detached(&nonce, aad, buf.as_mut_slice().into(), &tag)
            .map_err(|_| ())?;
        Ok(buf)
    }
}

#[cfg(not(feature = "aes"))]
mod aes192_gcm {
    use crate::Error;

    pub(super) fn seal(_: &[u8], _: &[u8], _: &[u8], _: &mut [u8]) -> Result<Vec<u8>, Error> {
        Err(Error::Disabled {
            what: "AES-192-GCM",
            feature: "aes",
        })
    }

    pub(super) fn open(_: &[u8], _: &[u8], _: &[u8], _: &[u8], _: &[u8]) -> Result<Vec<u8>, ()> {
        Err(())
    }
}

/// The HMAC of RFC 7518 §5.2.2.1 over `AAD || IV || ciphertext || AL`, truncated.
fn cbc_hs_tag(enc: ContentEncryption, mac_key: &[u8], aad: &[u8], iv: &[u8], ct: &[u8]) -> Vec<u8> {
    let hash = match enc {
        ContentEncryption::A128CBC_HS256 => Hash::Sha256,
        ContentEncryption::A192CBC_HS384 => Hash::Sha384,
        _ => Hash::Sha512,
    };
    let al = (aad.len() as u64).wrapping_mul(8);
    let mut tag = provider::HmacKey::new(hash, mac_key)
        .sign_parts(&[aad, iv, ct, &al.to_be_bytes()])
        .as_ref()
        .to_vec();
    tag.truncate(enc.tag_len());
    tag
}

fn cbc_hs_encrypt(
    enc: ContentEncryption,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let (mac_key, enc_key) = cek.split_at(cek.len() / 2);
    let ct = cbc::encrypt(enc_key, iv, plaintext)?;
    let tag = cbc_hs_tag(enc, mac_key, aad, iv, &ct);
    Ok((ct, tag))
}

fn cbc_hs_decrypt(
    enc: ContentEncryption,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Vec<u8>, ()> {
    use subtle::ConstantTimeEq as _;

    let (mac_key, enc_key) = cek.split_at(cek.len() / 2);
    let expected = cbc_hs_tag(enc, mac_key, aad, iv, ciphertext);
    if !bool::from(expected.ct_eq(tag)) {
        return Err(());
    }
    // Encrypt-then-MAC: the padding is only looked at once the tag is known good, so
    // a padding failure here can only come from the holder of the key.
    cbc::decrypt(enc_key, iv, ciphertext)
}

#[cfg(feature = "aes")]
mod cbc {
    use ::cbc::cipher::block_padding::Pkcs7;
    use ::cbc::cipher::{BlockModeDecrypt as _, BlockModeEncrypt as _, KeyIvInit as _};

    use crate::Error;

    pub(super) fn encrypt(key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        fn run<C>(key: &[u8], iv: &[u8], pt: &[u8]) -> Result<Vec<u8>, Error>
        where
            C: aes::cipher::BlockCipherEncrypt + aes::cipher::KeyInit,
        {
            Ok(::cbc::Encryptor::<C>::new_from_slices(key, iv)
                .map_err(|_| Error::Encryption)?
                .encrypt_padded_vec::<Pkcs7>(pt))
        }
        match key.len() {
            16 => run::<aes::Aes128>(key, iv, plaintext),
            24 => run::<aes::Aes192>(key, iv, plaintext),
            32 => run::<aes::Aes256>(key, iv, plaintext),
            _ => Err(Error::Encryption),
        }
    }

    pub(super) fn decrypt(key: &[u8], iv: &[u8], ct: &[u8]) -> Result<Vec<u8>, ()> {
        fn run<C>(key: &[u8], iv: &[u8], ct: &[u8]) -> Result<Vec<u8>, ()>
        where
            C: aes::cipher::BlockCipherDecrypt + aes::cipher::KeyInit,
        {
            ::cbc::Decryptor::<C>::new_from_slices(key, iv)
                .map_err(|_| ())?
                .decrypt_padded_vec::<Pkcs7>(ct)
                .map_err(|_| ())
        }
        match key.len() {
            16 => run::<aes::Aes128>(key, iv, ct),
            24 => run::<aes::Aes192>(key, iv, ct),
            32 => run::<aes::Aes256>(key, iv, ct),
            _ => Err(()),
        }
    }
}

#[cfg(not(feature = "aes"))]
mod cbc {
    use crate::Error;

    pub(super) fn encrypt(_: &[u8], _: &[u8], _: &[u8]) -> Result<Vec<u8>, Error> {
        Err(Error::Disabled {
            what: "AES-CBC-HMAC-SHA2",
            feature: "aes",
        })
    }

    pub(super) fn decrypt(_: &[u8], _: &[u8], _: &[u8]) -> Result<Vec<u8>, ()> {
        Err(())
    }
}

/// Whether `enc` is compiled in.
pub(crate) fn check_enabled(enc: ContentEncryption) -> Result<(), Error> {
    let needs_aes_crate = !matches!(enc, ContentEncryption::A128GCM | ContentEncryption::A256GCM);
    if needs_aes_crate && !cfg!(feature = "aes") {
        return Err(Error::Disabled {
            what: enc.as_str(),
            feature: "aes",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enc_round_trips_and_rejects_a_flipped_bit() {
        for enc in ContentEncryption::ALL {
            let cek = vec![7u8; enc.key_len()];
            let iv = vec![9u8; enc.iv_len()];
            let (ct, tag) = encrypt(enc, &cek, &iv, b"aad", b"hello world").unwrap();
            assert_eq!(tag.len(), enc.tag_len());
            assert_eq!(
                decrypt(enc, &cek, &iv, b"aad", &ct, &tag).unwrap(),
                b"hello world"
            );
            let mut bad = tag.clone();
            bad[0] ^= 1;
            assert!(decrypt(enc, &cek, &iv, b"aad", &ct, &bad).is_err());
            assert!(decrypt(enc, &cek, &iv, b"aae", &ct, &tag).is_err());
            assert!(decrypt(enc, &cek, &iv, b"aad", &ct, &tag[..tag.len() - 1]).is_err());
        }
    }
}
