//! RSA key encryption (RFC 7518 §4.2–4.3) on RustCrypto `rsa`: RSA-OAEP (SHA-1),
//! RSA-OAEP-256, and the dangerous RSA1_5 behind the `danger-rsa1_5` feature.
//!
//! Decryption is blinded (the provider's generator feeds `rsa`), and every failure is
//! `Err(())`: the caller substitutes a random CEK (RFC 7516 §11.5) so that a bad
//! encrypted key and a bad tag fail at the same place, with the same error.

use jot_algorithms::{KeyMaterial, SystemRng};
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::traits::PublicKeyParts as _;
use rsa::{BoxedUint, PrivateKey, PublicKey};
use zeroize::Zeroizing;

use crate::{Error, KeyAlgorithm, KeyError};

/// The smallest RSA modulus jot accepts, in bits (as for signatures).
pub(crate) const MIN_BITS: usize = 2048;

/// Encrypts the CEK for the recipient.
pub(crate) fn encrypt(alg: KeyAlgorithm, key: &PublicKey, cek: &[u8]) -> Result<Vec<u8>, Error> {
    let rng = &mut SystemRng;
    match alg {
        KeyAlgorithm::RSA_OAEP => key.oaep_encrypt_with_rng::<sha1::Sha1, _>(rng, cek),
        KeyAlgorithm::RSA_OAEP_256 => key.oaep_encrypt_with_rng::<sha2::Sha256, _>(rng, cek),
        #[cfg(feature = "danger-rsa1_5")]
        KeyAlgorithm::RSA1_5 => key.pkcs1v15_encrypt_with_rng(rng, cek),
        _ => return Err(Error::Encryption),
    }
    .map_err(|_| Error::Encryption)
}

/// Decrypts the encrypted key; `Err(())` on any failure.
pub(crate) fn decrypt(
    alg: KeyAlgorithm,
    key: &PrivateKey,
    encrypted_key: &[u8],
) -> Result<Zeroizing<Vec<u8>>, ()> {
    if encrypted_key.len() != key.size() {
        return Err(());
    }
    let rng = &mut SystemRng;
    match alg {
        KeyAlgorithm::RSA_OAEP => key.oaep_decrypt_with_rng::<sha1::Sha1, _>(rng, encrypted_key),
        KeyAlgorithm::RSA_OAEP_256 => {
            key.oaep_decrypt_with_rng::<sha2::Sha256, _>(rng, encrypted_key)
        }
        // `rsa` 0.10 uses implicit rejection: bad padding gives a synthetic message,
        // and a CEK of the wrong length is replaced by a random one by the caller.
        #[cfg(feature = "danger-rsa1_5")]
        KeyAlgorithm::RSA1_5 => key.pkcs1v15_decrypt_with_rng(rng, encrypted_key),
        _ => return Err(()),
    }
    .map(Zeroizing::new)
    .map_err(|_| ())
}

fn check_size(bits: usize) -> Result<(), KeyError> {
    if bits < MIN_BITS {
        return Err(KeyError::InvalidRsa {
            reason: "the modulus is shorter than 2048 bits",
        });
    }
    Ok(())
}

fn uint(bytes: &[u8], bits: usize) -> Result<BoxedUint, KeyError> {
    let bits = u32::try_from(bits).map_err(|_| KeyError::InvalidRsa {
        reason: "an integer is too large",
    })?;
    BoxedUint::from_be_slice(bytes, bits).map_err(|_| KeyError::InvalidRsa {
        reason: "an integer is larger than the modulus",
    })
}

/// A public key from the JWK `n` and `e`.
pub(crate) fn public_from_components(n: &[u8], e: &[u8]) -> Result<PublicKey, KeyError> {
    let bits = n.len() * 8;
    check_size(bit_len(n))?;
    PublicKey::new(uint(n, bits)?, uint(e, e.len() * 8)?).map_err(|_| KeyError::InvalidRsa {
        reason: "the modulus or exponent is not acceptable",
    })
}

/// A private key from the JWK members (two primes required).
pub(crate) fn private_from_components(
    n: &[u8],
    e: &[u8],
    d: &[u8],
    p: &[u8],
    q: &[u8],
) -> Result<PrivateKey, KeyError> {
    let bits = n.len() * 8;
    check_size(bit_len(n))?;
    PrivateKey::from_components(
        uint(n, bits)?,
        uint(e, e.len() * 8)?,
        uint(d, bits)?,
        vec![uint(p, bits)?, uint(q, bits)?],
    )
    .map_err(|_| KeyError::InvalidRsa {
        reason: "the private key is inconsistent or not acceptable",
    })
}

/// Generates a key of `bits` (2048 to 4096).
pub(crate) fn generate(bits: usize) -> Result<PrivateKey, KeyError> {
    check_size(bits)?;
    if bits > 4096 {
        return Err(KeyError::InvalidRsa {
            reason: "generation is limited to 4096 bits",
        });
    }
    PrivateKey::new(&mut SystemRng, bits).map_err(|_| KeyError::Random)
}

/// A public key as the shared key reader's [`KeyMaterial`] (for JWK, PEM and DER).
pub(crate) fn public_material(key: &PublicKey) -> KeyMaterial {
    KeyMaterial::RsaPublic {
        n: trim(&key.n().to_be_bytes()).to_vec(),
        e: trim(&key.e().to_be_bytes()).to_vec(),
    }
}

/// A private key as the shared key reader's [`KeyMaterial`]: `rsa` writes PKCS#1,
/// jot-algorithms reads it.
pub(crate) fn private_material(key: &PrivateKey) -> Result<KeyMaterial, KeyError> {
    let der = key.to_pkcs1_der().map_err(|_| KeyError::Encoding)?;
    Ok(KeyMaterial::from_der(der.as_bytes())?)
}

/// The bit length of a big-endian integer.
fn bit_len(n: &[u8]) -> usize {
    match n.iter().position(|b| *b != 0) {
        None => 0,
        Some(i) => (n.len() - i) * 8 - n[i].leading_zeros() as usize,
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    &bytes[start..]
}
