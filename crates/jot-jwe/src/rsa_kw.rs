//! RSA key encryption (RFC 7518 §4.2–4.3) on RustCrypto `rsa`: RSA-OAEP (SHA-1),
//! RSA-OAEP-256, and the dangerous RSA1_5 behind the `danger-rsa1_5` feature.
//!
//! Decryption is blinded (ring's generator feeds `rsa`), and every failure is
//! `Err(())`: the caller substitutes a random CEK (RFC 7516 §11.5) so that a bad
//! encrypted key and a bad tag fail at the same place, with the same error.

use rsa::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _, EncodeRsaPrivateKey as _};
use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use rsa::traits::PublicKeyParts as _;
use rsa::{BoxedUint, PrivateKey, PublicKey};
use zeroize::Zeroizing;

use crate::rng::RingRng;
use crate::{Error, KeyAlgorithm, KeyError};

/// The smallest RSA modulus jot accepts, in bits (as for signatures).
pub(crate) const MIN_BITS: usize = 2048;

/// Encrypts the CEK for the recipient.
pub(crate) fn encrypt(alg: KeyAlgorithm, key: &PublicKey, cek: &[u8]) -> Result<Vec<u8>, Error> {
    let rng = &mut RingRng;
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
    let rng = &mut RingRng;
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
    check_size(crate::import::bit_len(n))?;
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
    check_size(crate::import::bit_len(n))?;
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

/// Checks a key read from DER.
pub(crate) fn checked_private(key: PrivateKey) -> Result<PrivateKey, KeyError> {
    check_size(key.n().bit_width_vartime() as usize)?;
    Ok(key)
}

/// Checks a public key read from DER.
pub(crate) fn checked_public(key: PublicKey) -> Result<PublicKey, KeyError> {
    check_size(key.n().bit_width_vartime() as usize)?;
    Ok(key)
}

/// A private key from PKCS#1 or PKCS#8 DER.
pub(crate) fn private_from_der(der: &[u8], pkcs8: bool) -> Result<PrivateKey, KeyError> {
    let key = if pkcs8 {
        PrivateKey::from_pkcs8_der(der).map_err(|_| KeyError::InvalidEncoding {
            reason: "not an acceptable PKCS#8 RSA private key",
        })?
    } else {
        PrivateKey::from_pkcs1_der(der).map_err(|_| KeyError::InvalidEncoding {
            reason: "not an acceptable PKCS#1 RSA private key",
        })?
    };
    checked_private(key)
}

/// A public key from SPKI or PKCS#1 DER.
pub(crate) fn public_from_der(der: &[u8], spki: bool) -> Result<PublicKey, KeyError> {
    let key = if spki {
        PublicKey::from_public_key_der(der).map_err(|_| KeyError::InvalidEncoding {
            reason: "not an acceptable RSA public key",
        })?
    } else {
        PublicKey::from_pkcs1_der(der).map_err(|_| KeyError::InvalidEncoding {
            reason: "not an acceptable PKCS#1 RSA public key",
        })?
    };
    checked_public(key)
}

/// Generates a key of `bits` (2048 to 4096).
pub(crate) fn generate(bits: usize) -> Result<PrivateKey, KeyError> {
    check_size(bits)?;
    if bits > 4096 {
        return Err(KeyError::InvalidRsa {
            reason: "generation is limited to 4096 bits",
        });
    }
    PrivateKey::new(&mut RingRng, bits).map_err(|_| KeyError::Random)
}

/// The JWK members `n`, `e` of a public key.
pub(crate) fn public_members(key: &PublicKey) -> [(&'static str, Vec<u8>); 2] {
    [
        ("n", trim(&key.n().to_be_bytes()).to_vec()),
        ("e", trim(&key.e().to_be_bytes()).to_vec()),
    ]
}

/// A JWK member name and its big-endian value.
pub(crate) type Member = (&'static str, Zeroizing<Vec<u8>>);

/// The JWK members of a private key (`n`, `e`, `d`, `p`, `q`, `dp`, `dq`, `qi`).
pub(crate) fn private_members(key: &PrivateKey) -> Result<Vec<Member>, KeyError> {
    let der = key.to_pkcs1_der().map_err(|_| KeyError::Encoding)?;
    let parts =
        rsa::pkcs1::RsaPrivateKeyRef::try_from(der.as_bytes()).map_err(|_| KeyError::Encoding)?;
    let v = |u: rsa::pkcs1::UintRef<'_>| Zeroizing::new(trim(u.as_bytes()).to_vec());
    Ok(vec![
        ("n", v(parts.modulus)),
        ("e", v(parts.public_exponent)),
        ("d", v(parts.private_exponent)),
        ("p", v(parts.prime1)),
        ("q", v(parts.prime2)),
        ("dp", v(parts.exponent1)),
        ("dq", v(parts.exponent2)),
        ("qi", v(parts.coefficient)),
    ])
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    &bytes[start..]
}
