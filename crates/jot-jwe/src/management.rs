//! Key management (RFC 7518 §4): how the content encryption key (CEK) is produced
//! for the recipient, and recovered by it.

use std::num::NonZeroU32;

use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::key::{PrivateMaterial, PublicMaterial};
use crate::wrap::{aes_unwrap, aes_wrap, concat_kdf, pbes2_kek};
use crate::{
    ContentEncryption, DecryptionKey, DecryptionPolicy, EncryptionKey, Error, HeaderError,
    JweHeader, KeyAlgorithm, KeyFamily, base64url, content, rng,
};

/// The key management output of one recipient.
pub(crate) struct Managed {
    /// The content encryption key.
    pub(crate) cek: Zeroizing<Vec<u8>>,
    /// The JWE Encrypted Key (empty for `dir` and `ECDH-ES`).
    pub(crate) encrypted_key: Vec<u8>,
    /// Header parameters the algorithm adds (`epk`, `apu`, `apv`, `iv`, `tag`, `p2s`, `p2c`).
    pub(crate) params: Vec<(&'static str, Value)>,
}

fn random_cek(len: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
    rng::secret(len).map_err(|()| Error::Random)
}

/// Produces a CEK for `enc` (or reuses `cek`, for a second recipient of the JSON
/// serialization) and encrypts it to `key`.
pub(crate) fn wrap(
    key: &EncryptionKey,
    enc: ContentEncryption,
    apu: Option<&[u8]>,
    apv: Option<&[u8]>,
    cek: Option<&[u8]>,
) -> Result<Managed, Error> {
    let len = enc.key_len();
    let fresh = |cek: Option<&[u8]>| match cek {
        Some(c) => Ok(Zeroizing::new(c.to_vec())),
        None => random_cek(len),
    };
    let mut params = Vec::new();
    let (cek, encrypted_key) = match (&key.material, key.alg.family()) {
        (PublicMaterial::Secret(secret), KeyFamily::Symmetric) => match key.alg {
            KeyAlgorithm::Dir => {
                if secret.len() != len || cek.is_some_and(|c| c != secret.as_slice()) {
                    return Err(Error::EncryptionNotAllowed { enc });
                }
                (secret.clone(), Vec::new())
            }
            KeyAlgorithm::A128GCMKW | KeyAlgorithm::A192GCMKW | KeyAlgorithm::A256GCMKW => {
                let cek = fresh(cek)?;
                let mut iv = [0u8; 12];
                rng::fill(&mut iv).map_err(|()| Error::Random)?;
                let (ek, tag) = content::gcm_encrypt(secret, &iv, b"", &cek)?;
                params.push(("iv", json!(base64url::encode(&iv))));
                params.push(("tag", json!(base64url::encode(&tag))));
                (cek, ek)
            }
            _ => {
                let cek = fresh(cek)?;
                let ek = aes_wrap(secret, &cek)?;
                (cek, ek)
            }
        },
        (PublicMaterial::Secret(password), KeyFamily::Password) => {
            let mut p2s = [0u8; 16];
            rng::fill(&mut p2s).map_err(|()| Error::Random)?;
            let p2c = NonZeroU32::new(key.pbes2_iterations).ok_or(Error::Encryption)?;
            let kek = pbes2_kek(key.alg, password, &p2s, p2c);
            let cek = fresh(cek)?;
            let ek = aes_wrap(&kek, &cek)?;
            params.push(("p2s", json!(base64url::encode(&p2s))));
            params.push(("p2c", json!(p2c.get())));
            (cek, ek)
        }
        (PublicMaterial::Ec(public), _) => {
            let (z, epk) = public.agree_ephemeral()?;
            params.push(("epk", epk));
            if let Some(apu) = apu {
                params.push(("apu", json!(base64url::encode(apu))));
            }
            if let Some(apv) = apv {
                params.push(("apv", json!(base64url::encode(apv))));
            }
            let (apu, apv) = (apu.unwrap_or_default(), apv.unwrap_or_default());
            if key.alg == KeyAlgorithm::ECDH_ES {
                if cek.is_some() {
                    // Direct key agreement gives every recipient its own CEK.
                    return Err(Error::EncryptionNotAllowed { enc });
                }
                (concat_kdf(&z, enc.as_str(), apu, apv, len), Vec::new())
            } else {
                let kek_len = key.alg.wrap_key_len().ok_or(Error::Encryption)?;
                let kek = concat_kdf(&z, key.alg.as_str(), apu, apv, kek_len);
                let cek = fresh(cek)?;
                let ek = aes_wrap(&kek, &cek)?;
                (cek, ek)
            }
        }
        #[cfg(feature = "rsa")]
        (PublicMaterial::Rsa(public), _) => {
            let cek = fresh(cek)?;
            let ek = crate::rsa_kw::encrypt(key.alg, public, &cek)?;
            (cek, ek)
        }
        _ => return Err(Error::Encryption),
    };
    Ok(Managed {
        cek,
        encrypted_key,
        params,
    })
}

/// Recovers the CEK. Checks of public values (missing or malformed header
/// parameters, PBES2 bounds, the `epk`) fail with their own errors; every failure
/// that depends on the key (unwrap integrity, RSA padding, wrong length) yields a
/// random CEK instead (RFC 7516 §11.5), so decryption then fails at the tag, with
/// [`Error::Decryption`], at the same point whatever went wrong.
pub(crate) fn unwrap(
    key: &DecryptionKey,
    header: &JweHeader,
    encrypted_key: &[u8],
    policy: &DecryptionPolicy,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let len = header.enc.key_len();
    // Generated first, so the failure path costs the same as the success path.
    let substitute = random_cek(len)?;
    let missing = |name| Error::from(HeaderError::Missing { name });
    let recovered: Result<Zeroizing<Vec<u8>>, ()> = match (&key.material, key.alg.family()) {
        (PrivateMaterial::Secret(secret), KeyFamily::Symmetric) => match key.alg {
            KeyAlgorithm::Dir => {
                if secret.len() != len {
                    return Err(Error::EncryptionNotAllowed { enc: header.enc });
                }
                if encrypted_key.is_empty() {
                    Ok(secret.clone())
                } else {
                    Err(())
                }
            }
            KeyAlgorithm::A128GCMKW | KeyAlgorithm::A192GCMKW | KeyAlgorithm::A256GCMKW => {
                let iv = header.bytes("iv")?.ok_or_else(|| missing("iv"))?;
                let tag = header.bytes("tag")?.ok_or_else(|| missing("tag"))?;
                content::gcm_decrypt(secret, &iv, b"", encrypted_key, &tag).map(Zeroizing::new)
            }
            _ => aes_unwrap(secret, encrypted_key),
        },
        (PrivateMaterial::Secret(password), KeyFamily::Password) => {
            let p2s = header.bytes("p2s")?.ok_or_else(|| missing("p2s"))?;
            if p2s.len() < 8 {
                return Err(HeaderError::Pbes2Salt { len: p2s.len() }.into());
            }
            let p2c = header
                .get("p2c")
                .and_then(Value::as_u64)
                .ok_or_else(|| missing("p2c"))?;
            let (min, max) = (
                crate::key::MIN_PBES2_ITERATIONS,
                policy.max_pbes2_iterations,
            );
            let count = u32::try_from(p2c)
                .ok()
                .filter(|c| (min..=max).contains(c))
                .and_then(NonZeroU32::new)
                .ok_or(HeaderError::Pbes2Iterations { p2c, min, max })?;
            let kek = pbes2_kek(key.alg, password, &p2s, count);
            aes_unwrap(&kek, encrypted_key)
        }
        (PrivateMaterial::Ec(private), _) => {
            let epk = header.get("epk").ok_or_else(|| missing("epk"))?;
            let z = private.agree(epk)?;
            let apu = header.bytes("apu")?.unwrap_or_default();
            let apv = header.bytes("apv")?.unwrap_or_default();
            if key.alg == KeyAlgorithm::ECDH_ES {
                if encrypted_key.is_empty() {
                    Ok(concat_kdf(&z, header.enc.as_str(), &apu, &apv, len))
                } else {
                    Err(())
                }
            } else {
                let kek_len = key.alg.wrap_key_len().unwrap_or(32);
                let kek = concat_kdf(&z, key.alg.as_str(), &apu, &apv, kek_len);
                aes_unwrap(&kek, encrypted_key)
            }
        }
        #[cfg(feature = "rsa")]
        (PrivateMaterial::Rsa(private), _) => {
            crate::rsa_kw::decrypt(key.alg, private, encrypted_key)
        }
        _ => Err(()),
    };
    Ok(match recovered {
        Ok(cek) if cek.len() == len => cek,
        _ => substitute,
    })
}
