//! JWE for the command line: encryption and decryption keys from key files or a
//! PBES2 password, what a refused JWE is called (kind and one-line message), and the
//! PEM export of `jot keygen` for the JWE algorithms.

use std::path::Path;

use anyhow::{Context as _, Result, anyhow, bail};
use jot_algorithms::Jwk;
use jot_jwe::{
    ContentEncryption, Decrypted, DecryptionKey, DecryptionKeySet, DecryptionPolicy, EncryptionKey,
    Error, KeyAlgorithm, KeyError, KeyFamily,
};

use crate::input::{self, SecretSource};
use crate::keys::{KeyFile, read_key_file};
use crate::pretty::clean;

/// The content encryption used when none is given and the key does not fix one.
pub(crate) const DEFAULT_ENC: ContentEncryption = ContentEncryption::A256GCM;

/// Where a JWE key comes from.
pub(crate) enum JweKeySource<'a> {
    /// A key file: JWK, JWK Set, PEM or DER.
    File(&'a Path),
    /// A PBES2 password.
    Password(SecretSource<'a>),
}

impl<'a> JweKeySource<'a> {
    /// The source of `--key FILE`, `--password-file FILE` or `--password-env NAME`.
    pub(crate) fn from_args(
        key: Option<&'a Path>,
        password_file: Option<&'a Path>,
        password_env: Option<&'a str>,
    ) -> Result<Self> {
        Ok(match (key, password_file, password_env) {
            (Some(path), ..) => JweKeySource::File(path),
            (None, Some(path), _) => JweKeySource::Password(SecretSource::File(path)),
            (None, None, Some(name)) => JweKeySource::Password(SecretSource::Env(name)),
            (None, None, None) => bail!("no key given (--key, --password-file or --password-env)"),
        })
    }
}

/// A jot-jwe [`KeyError`] with a hint on what to do about it; `flag` is the option
/// that names the algorithm (`--alg`, `--key-alg`).
pub(crate) fn explain(e: &KeyError, flag: &str) -> anyhow::Error {
    match e {
        KeyError::AlgorithmRequired => {
            anyhow!("the key does not name its JWE algorithm; pass {flag}")
        }
        KeyError::LooksLikePublicKey => {
            anyhow!("{e} (decryption needs the private key)")
        }
        KeyError::DangerousAlgorithm => {
            anyhow!("RSA1_5 is not offered by jot (use RSA-OAEP-256)")
        }
        _ => anyhow!("{e}"),
    }
}

fn password(
    source: &SecretSource<'_>,
    alg: Option<KeyAlgorithm>,
    flag: &str,
) -> Result<(KeyAlgorithm, Vec<u8>)> {
    let alg = alg.with_context(|| {
        format!(
            "{flag} is required with a password \
             (PBES2-HS256+A128KW, PBES2-HS384+A192KW or PBES2-HS512+A256KW)"
        )
    })?;
    if alg.family() != KeyFamily::Password {
        bail!("a password is only for the PBES2 algorithms, not for {alg}");
    }
    Ok((
        alg,
        input::read_secret(source).context("cannot read the password")?,
    ))
}

fn require_alg(alg: Option<KeyAlgorithm>, flag: &str) -> Result<KeyAlgorithm> {
    alg.with_context(|| format!("a PEM or DER key does not name its JWE algorithm; pass {flag}"))
}

/// The key that encrypts to the recipient: `alg` is the algorithm asked for (`flag`
/// names its option), `kid` picks a key from a JWK Set.
pub(crate) fn encryption_key(
    source: &JweKeySource<'_>,
    alg: Option<KeyAlgorithm>,
    kid: Option<&str>,
    flag: &str,
) -> Result<EncryptionKey> {
    let path = match source {
        JweKeySource::Password(secret) => {
            let (alg, password) = password(secret, alg, flag)?;
            return EncryptionKey::password(alg, password).map_err(|e| explain(&e, flag));
        }
        JweKeySource::File(path) => *path,
    };
    let origin = || format!("cannot load the encryption key {}", path.display());
    let from_jwk = |jwk: &Jwk| match alg {
        Some(alg) => EncryptionKey::from_jwk(alg, jwk),
        None => EncryptionKey::from_jwk_infer(jwk),
    };
    match read_key_file(path)? {
        KeyFile::Jwk(jwk) => from_jwk(&jwk)
            .map_err(|e| explain(&e, flag))
            .with_context(origin),
        KeyFile::Set(set) => {
            let mut usable = Vec::new();
            let mut reasons = Vec::new();
            for (i, jwk) in set.keys.iter().enumerate() {
                if kid.is_some() && jwk.kid.as_deref() != kid {
                    continue;
                }
                match from_jwk(jwk) {
                    Ok(key) => usable.push(key),
                    Err(e) => reasons.push(format!("key #{i}: {}", explain(&e, flag))),
                }
            }
            match usable.len() {
                1 => Ok(usable.remove(0)),
                0 => {
                    let which = kid.map_or_else(String::new, |k| format!(" with kid {k:?}"));
                    let why = if reasons.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", reasons.join("; "))
                    };
                    Err(anyhow!("the JWK Set has no key for encryption{which}{why}"))
                        .with_context(origin)
                }
                n => Err(anyhow!(
                    "the JWK Set has {n} keys for encryption; pick one with --kid"
                ))
                .with_context(origin),
            }
        }
        KeyFile::Encoded(bytes) => {
            let alg = require_alg(alg, flag).with_context(origin)?;
            EncryptionKey::from_any_bytes(alg, &bytes)
                .map_err(|e| explain(&e, flag))
                .with_context(origin)
        }
    }
}

/// What decrypts: one key, or the usable keys of a JWK Set (the token's `kid`, else
/// its `alg`, picks one).
pub(crate) enum Decryptor {
    /// One key (a key file, a JWK, a password).
    One(DecryptionKey),
    /// A JWK Set file.
    Set(DecryptionKeySet),
}

impl Decryptor {
    /// Decrypts the compact JWE.
    pub(crate) fn decrypt(
        &self,
        token: &str,
        policy: &DecryptionPolicy,
    ) -> Result<Decrypted, Error> {
        match self {
            Decryptor::One(key) => jot_jwe::decrypt(key, token, policy),
            Decryptor::Set(set) => jot_jwe::decrypt(set, token, policy),
        }
    }

    /// Decrypts a JWE in the JSON serialization (general or flattened), for the one
    /// recipient this key (or set) is for.
    pub(crate) fn decrypt_json(
        &self,
        json: &str,
        policy: &DecryptionPolicy,
    ) -> Result<jot_jwe::DecryptedJson, Error> {
        match self {
            Decryptor::One(key) => jot_jwe::decrypt_json(key, json, policy),
            Decryptor::Set(set) => jot_jwe::decrypt_json(set, json, policy),
        }
    }

    /// The one content encryption a single `dir` key is bound to.
    pub(crate) fn content_encryption(&self) -> Option<ContentEncryption> {
        match self {
            Decryptor::One(key) => key.content_encryption(),
            Decryptor::Set(_) => None,
        }
    }

    /// [`refusal`], naming the set's key ids when the token's `kid` is not one of them.
    pub(crate) fn refusal(&self, e: Error, encs: &[ContentEncryption]) -> Result<Refusal> {
        let mut r = refusal(e, encs)?;
        if let (Decryptor::Set(set), "unknown_key") = (self, r.kind) {
            let kids: Vec<String> = set
                .kids()
                .iter()
                .map(|k| format!("{:?}", clean(k)))
                .collect();
            if kids.is_empty() {
                r.message.push_str(" (its usable keys have no kid)");
            } else {
                r.message
                    .push_str(&format!(" (the set's kids: {})", kids.join(", ")));
            }
        }
        Ok(r)
    }
}

/// The key that decrypts: a private key or a shared secret from a file, the usable
/// keys of a JWK Set file, or a password. With a JWK Set, `alg` is assumed for the
/// keys that name no algorithm.
pub(crate) fn decryption_key(
    source: &JweKeySource<'_>,
    alg: Option<KeyAlgorithm>,
    flag: &str,
) -> Result<Decryptor> {
    let path = match source {
        JweKeySource::Password(secret) => {
            let (alg, password) = password(secret, alg, flag)?;
            return DecryptionKey::password(alg, password)
                .map(Decryptor::One)
                .map_err(|e| explain(&e, flag));
        }
        JweKeySource::File(path) => *path,
    };
    let origin = || format!("cannot load the decryption key {}", path.display());
    let from_jwk = |jwk: &Jwk| match alg {
        Some(alg) => DecryptionKey::from_jwk(alg, jwk),
        None => DecryptionKey::from_jwk_infer(jwk),
    };
    match read_key_file(path)? {
        KeyFile::Jwk(jwk) => from_jwk(&jwk)
            .map(Decryptor::One)
            .map_err(|e| explain(&e, flag))
            .with_context(origin),
        KeyFile::Set(set) => {
            let keys = DecryptionKeySet::from_jwk_set_assuming(&set, alg.as_slice());
            for u in keys.unusable() {
                tracing::debug!(index = u.index, kid = ?u.kid, error = %u.error, "JWK set aside");
            }
            if keys.is_empty() {
                let why: Vec<String> = keys
                    .unusable()
                    .iter()
                    .map(|u| {
                        let kid = u
                            .kid
                            .as_deref()
                            .map_or_else(String::new, |k| format!(" (kid {:?})", clean(k)));
                        format!("key #{}{kid}: {}", u.index, explain(&u.error, flag))
                    })
                    .collect();
                let why = if why.is_empty() {
                    String::new()
                } else {
                    format!(": {}", why.join("; "))
                };
                return Err(anyhow!(
                    "the JWK Set has no private key for decryption{why}"
                ))
                .with_context(origin);
            }
            Ok(Decryptor::Set(keys))
        }
        KeyFile::Encoded(bytes) => {
            let alg = require_alg(alg, flag).with_context(origin)?;
            DecryptionKey::from_any_bytes(alg, &bytes)
                .map(Decryptor::One)
                .map_err(|e| explain(&e, flag))
                .with_context(origin)
        }
    }
}

/// The content encryption to use: the one asked for, else the one a `dir` key is
/// bound to, else [`DEFAULT_ENC`].
pub(crate) fn choose_enc(
    asked: Option<ContentEncryption>,
    key: &EncryptionKey,
) -> ContentEncryption {
    asked.or(key.content_encryption()).unwrap_or(DEFAULT_ENC)
}

/// A refused JWE: the `--json` kind and the one-line message.
pub(crate) struct Refusal {
    pub(crate) kind: &'static str,
    pub(crate) message: String,
}

/// What a JWE failure means: a refused token (exit 1), or an error of the key or
/// the machine (exit 2). `encs` are the accepted content encryptions, for the message.
pub(crate) fn refusal(e: Error, encs: &[ContentEncryption]) -> Result<Refusal> {
    let (kind, message) = match &e {
        Error::TooLarge { len, max } => (
            "too_large",
            format!("the token is {len} bytes, more than the limit of {max}"),
        ),
        Error::Signed => (
            "signed",
            "the token is a JWS (3 segments), not a JWE: it is signed, not encrypted \
             (use `jot verify`)"
                .to_owned(),
        ),
        Error::Malformed { segments } => (
            "malformed",
            format!("the token has {segments} segment(s), a compact JWE has 5"),
        ),
        Error::Base64 { .. } => ("base64", e.to_string()),
        Error::Json { .. } => ("json", e.to_string()),
        Error::DuplicateMember { name } => (
            "duplicate_member",
            format!("the header has the member {} twice", clean(name)),
        ),
        Error::Header(_) => ("header", clean(&e.to_string())),
        Error::AlgorithmNotAllowed { expected, found } => (
            "algorithm_not_allowed",
            format!("algorithm {found} not allowed: the key is for {expected}"),
        ),
        Error::EncryptionNotAllowed { enc } => {
            let expected: Vec<&str> = encs.iter().map(|e| e.as_str()).collect();
            let expected = if expected.is_empty() {
                "the one the key is for".to_owned()
            } else {
                expected.join(" or ")
            };
            (
                "encryption_not_allowed",
                format!("content encryption {enc} not allowed: expected {expected}"),
            )
        }
        Error::InvalidEphemeralKey { .. } => ("invalid_ephemeral_key", e.to_string()),
        Error::Decryption => ("decryption_failed", "decryption failed".to_owned()),
        Error::UnknownKid { kid } => (
            "unknown_key",
            format!("no key of the JWK Set has kid {:?}", clean(kid)),
        ),
        Error::NoKeyForAlgorithm { alg, kid } => (
            "no_key_for_algorithm",
            match kid {
                Some(kid) => format!(
                    "the JWK Set has no key for alg {alg} under kid {:?}",
                    clean(kid)
                ),
                None => format!("the JWK Set has no key for alg {alg}"),
            },
        ),
        Error::AmbiguousKey { alg } => (
            "ambiguous_key",
            format!(
                "the token has no kid and the JWK Set has several keys for alg {alg}; \
                 jot does not try them in turn"
            ),
        ),
        Error::DecompressedTooLarge { .. } => ("too_large", e.to_string()),
        Error::Decompression => ("decompression", e.to_string()),
        Error::Nesting(_) => ("nesting", e.to_string()),
        Error::Jwt(inner) => (inner.kind(), clean(&inner.to_string())),
        _ => return Err(anyhow::Error::new(e).context("cannot decrypt")),
    };
    Ok(Refusal { kind, message })
}

/// The PEM forms (PKCS#8 private, SPKI public) of an ECDH-ES or RSA-OAEP key.
pub(crate) fn pem_pair(key: &DecryptionKey) -> Result<(String, String)> {
    let export = |e: KeyError| anyhow!("this key has no PEM form ({e}); use --format jwk");
    let private = key.to_pkcs8_pem().map_err(export)?;
    let public = key.encryption_key().to_pem().map_err(export)?;
    Ok((private, public))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_failure() {
        let r = refusal(Error::Decryption, &[]).unwrap();
        assert_eq!(
            (r.kind, r.message.as_str()),
            ("decryption_failed", "decryption failed")
        );
        let r = refusal(Error::Signed, &[]).unwrap();
        assert_eq!(r.kind, "signed");
        assert!(refusal(Error::Random, &[]).is_err());
    }
}
