//! The JWE compact serialization (RFC 7516 §7.1): [`encrypt`] and [`decrypt`].

use serde_json::{Value, json};

use crate::header::{REGISTERED, parse_object, write_object};
use crate::{
    ContentEncryption, Decrypter, DecryptionKey, DecryptionPolicy, EncryptionKey, Error,
    HeaderError, HeaderOptions, JweHeader, Part, base64url, content, management, rng, zip,
};

/// A decrypted JWE: its protected header and the plaintext.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Decrypted {
    /// The protected header.
    pub header: JweHeader,
    /// The plaintext (decompressed, if the token said `zip: DEF`).
    pub plaintext: Vec<u8>,
}

/// Encrypts `plaintext` to `key` with content encryption `enc` and returns the
/// compact JWE.
///
/// `alg` comes from the key, `kid` from `opts` or else from the key; a fresh CEK
/// and IV are drawn from the system generator for every token (a `dir` key is the CEK).
///
/// ```
/// use jot_jwe::{decrypt, encrypt, ContentEncryption, DecryptionKey, DecryptionPolicy,
///               HeaderOptions, KeyAlgorithm};
///
/// let key = DecryptionKey::generate(KeyAlgorithm::A256KW)?;
/// let token = encrypt(&key.encryption_key(), ContentEncryption::A256GCM, &HeaderOptions::new(), b"secret")?;
/// assert_eq!(token.split('.').count(), 5);
/// let out = decrypt(&key, &token, &DecryptionPolicy::new())?;
/// assert_eq!(out.plaintext, b"secret");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn encrypt(
    key: &EncryptionKey,
    enc: ContentEncryption,
    opts: &HeaderOptions,
    plaintext: &[u8],
) -> Result<String, Error> {
    content::check_enabled(enc)?;
    if key.enc.is_some_and(|fixed| fixed != enc) {
        return Err(Error::EncryptionNotAllowed { enc });
    }
    let managed = management::wrap(key, enc, opts.apu.as_deref(), opts.apv.as_deref(), None)?;
    let header = protected_header(key, enc, opts, managed.params)?;
    let header_b64 = base64url::encode(&header);
    let (iv, ciphertext, tag) = seal(enc, &managed.cek, header_b64.as_bytes(), opts, plaintext)?;
    let mut token = header_b64;
    for part in [&managed.encrypted_key, &iv, &ciphertext, &tag] {
        token.push('.');
        base64url::encode_into(part, &mut token);
    }
    Ok(token)
}

/// The protected header JSON: `alg`, `enc`, `zip`, `kid`, `typ`, `cty`, the
/// algorithm's parameters, then the caller's custom members.
pub(crate) fn protected_header(
    key: &EncryptionKey,
    enc: ContentEncryption,
    opts: &HeaderOptions,
    params: Vec<(&'static str, Value)>,
) -> Result<Vec<u8>, Error> {
    let mut members: Vec<(&str, Value)> = vec![
        ("alg", json!(key.alg.as_str())),
        ("enc", json!(enc.as_str())),
    ];
    if opts.compress {
        members.push(("zip", json!("DEF")));
    }
    if let Some(kid) = opts.kid.as_deref().or(key.kid.as_deref()) {
        members.push(("kid", json!(kid)));
    }
    if let Some(typ) = &opts.typ {
        members.push(("typ", json!(typ)));
    }
    if let Some(cty) = &opts.cty {
        members.push(("cty", json!(cty)));
    }
    members.extend(params);
    for (name, value) in &opts.extra {
        if REGISTERED.contains(&name.as_str()) {
            return Err(Error::DuplicateMember {
                name: jot_codec::clip_untrusted(name),
            });
        }
        members.push((name, value.clone()));
    }
    Ok(write_object(&members))
}

/// `(iv, ciphertext, tag)`.
pub(crate) type Sealed = (Vec<u8>, Vec<u8>, Vec<u8>);

/// Compresses (if asked), draws an IV and encrypts. Returns `(iv, ciphertext, tag)`.
pub(crate) fn seal(
    enc: ContentEncryption,
    cek: &[u8],
    aad: &[u8],
    opts: &HeaderOptions,
    plaintext: &[u8],
) -> Result<Sealed, Error> {
    let compressed;
    let plaintext = if opts.compress {
        compressed = zip::compress(plaintext)?;
        &compressed[..]
    } else {
        plaintext
    };
    let mut iv = vec![0u8; enc.iv_len()];
    rng::fill(&mut iv).map_err(|()| Error::Random)?;
    let (ciphertext, tag) = content::encrypt(enc, cek, &iv, aad, plaintext)?;
    Ok((iv, ciphertext, tag))
}

/// Decrypts a compact JWE with `key` (a [`DecryptionKey`], or a
/// [`crate::DecryptionKeySet`] that picks the key by the header's `kid` or `alg`),
/// within `policy`.
///
/// In order: the length is checked; the token must have five segments (a
/// three-segment JWS is [`Error::Signed`]); the protected header is parsed strictly
/// (no duplicate members); a key set picks its one key (or says why none:
/// [`Error::UnknownKid`], [`Error::NoKeyForAlgorithm`], [`Error::AmbiguousKey`]);
/// `crit` must be understood; `alg` must be the key's and `enc` allowed; the CEK is recovered and the tag checked; only then is the plaintext
/// decompressed (capped). Every failure that depends on the key or the tag is
/// [`Error::Decryption`].
///
/// ```
/// use jot_jwe::{decrypt, DecryptionKey, DecryptionPolicy, Error, KeyAlgorithm};
///
/// let key = DecryptionKey::generate(KeyAlgorithm::A128KW)?;
/// let jws = "eyJhbGciOiJIUzI1NiJ9.e30.c2ln";
/// assert!(matches!(decrypt(&key, jws, &DecryptionPolicy::new()), Err(Error::Signed)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decrypt(
    key: &(impl Decrypter + ?Sized),
    token: &str,
    policy: &DecryptionPolicy,
) -> Result<Decrypted, Error> {
    if token.len() > policy.max_token_len {
        return Err(Error::TooLarge {
            len: token.len(),
            max: policy.max_token_len,
        });
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [header_b64, ek, iv, ciphertext, tag] = parts[..] else {
        return Err(if parts.len() == 3 {
            Error::Signed
        } else {
            Error::Malformed {
                segments: parts.len(),
            }
        });
    };
    let header_json = decode(header_b64, Part::Header)?;
    if header_json.is_empty() {
        return Err(Error::Base64 { part: Part::Header });
    }
    let header = JweHeader::from_members(parse_object(&header_json, "protected header")?)?;
    let key = key.key_for(&header)?;
    let ek = decode(ek, Part::EncryptedKey)?;
    let iv = decode(iv, Part::Iv)?;
    let ciphertext = decode(ciphertext, Part::Ciphertext)?;
    let tag = decode(tag, Part::Tag)?;
    open(
        key,
        header,
        &ek,
        header_b64.as_bytes(),
        &iv,
        &ciphertext,
        &tag,
        policy,
    )
}

fn decode(segment: &str, part: Part) -> Result<Vec<u8>, Error> {
    base64url::decode(segment).map_err(|_| Error::Base64 { part })
}

/// Checks the (merged) header against the key and policy, recovers the CEK,
/// decrypts, decompresses.
#[allow(clippy::too_many_arguments)]
pub(crate) fn open(
    key: &DecryptionKey,
    header: JweHeader,
    ek: &[u8],
    aad: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
    policy: &DecryptionPolicy,
) -> Result<Decrypted, Error> {
    header.check_critical(&policy.critical)?;
    if header.alg != key.alg {
        return Err(Error::AlgorithmNotAllowed {
            expected: key.alg,
            found: header.alg,
        });
    }
    let enc = header.enc;
    if !policy.allows(enc) || key.enc.is_some_and(|fixed| fixed != enc) {
        return Err(Error::EncryptionNotAllowed { enc });
    }
    content::check_enabled(enc)?;
    if header.compressed && (!policy.allow_compression || !cfg!(feature = "zip")) {
        return Err(HeaderError::UnsupportedCompression { name: "DEF".into() }.into());
    }
    let cek = management::unwrap(key, &header, ek, policy)?;
    let plaintext =
        content::decrypt(enc, &cek, iv, aad, ciphertext, tag).map_err(|()| Error::Decryption)?;
    let plaintext = if header.compressed {
        zip::decompress(&plaintext, policy.max_decompressed_len)?
    } else {
        plaintext
    };
    Ok(Decrypted { header, plaintext })
}
