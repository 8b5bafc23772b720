//! What a key must satisfy for its algorithm: secret lengths, the cargo feature
//! that enables it, and a JWK's `alg` against the one requested.

use crate::material::JwkAlg;
use crate::{ContentEncryption, KeyAlgorithm, KeyError, KeyFamily};

/// The lengths a `dir` key may have: the key lengths of the six `enc` algorithms.
const DIR_LENGTHS: [usize; 5] = [16, 24, 32, 48, 64];

/// Checks that a symmetric secret fits `alg` (and `enc`, for `dir`).
pub(super) fn check_secret(
    alg: KeyAlgorithm,
    enc: Option<ContentEncryption>,
    secret: &[u8],
) -> Result<(), KeyError> {
    match alg.family() {
        KeyFamily::Password => {
            if secret.is_empty() {
                return Err(KeyError::WeakPassword {
                    reason: "the password is empty",
                });
            }
            Ok(())
        }
        KeyFamily::Symmetric => {
            let (ok, expected) = match (alg, enc) {
                (KeyAlgorithm::Dir, Some(enc)) => {
                    (secret.len() == enc.key_len(), "the enc's key length")
                }
                (KeyAlgorithm::Dir, None) => {
                    (DIR_LENGTHS.contains(&secret.len()), "16, 24, 32, 48 or 64")
                }
                _ => {
                    let len = alg.wrap_key_len().unwrap_or(0);
                    (
                        secret.len() == len,
                        match len {
                            16 => "16",
                            24 => "24",
                            _ => "32",
                        },
                    )
                }
            };
            if ok {
                Ok(())
            } else {
                Err(KeyError::WrongLength {
                    alg: alg.as_str(),
                    expected,
                    got: secret.len(),
                })
            }
        }
        _ => Err(KeyError::WrongKeyType {
            key: "symmetric",
            alg: alg.as_str(),
        }),
    }
}

pub(super) fn check_enabled(alg: KeyAlgorithm) -> Result<(), KeyError> {
    let needs_aes = matches!(
        alg,
        KeyAlgorithm::A128KW
            | KeyAlgorithm::A192KW
            | KeyAlgorithm::A256KW
            | KeyAlgorithm::A192GCMKW
            | KeyAlgorithm::ECDH_ES_A128KW
            | KeyAlgorithm::ECDH_ES_A192KW
            | KeyAlgorithm::ECDH_ES_A256KW
            | KeyAlgorithm::PBES2_HS256_A128KW
            | KeyAlgorithm::PBES2_HS384_A192KW
            | KeyAlgorithm::PBES2_HS512_A256KW
    );
    if needs_aes && !cfg!(feature = "aes") {
        return Err(KeyError::Disabled {
            what: alg.as_str(),
            feature: "aes",
        });
    }
    Ok(())
}

/// Resolves the algorithm from the request and the JWK's `alg`.
pub(super) fn resolve(
    requested: Option<KeyAlgorithm>,
    own: JwkAlg,
    danger: bool,
) -> Result<(KeyAlgorithm, Option<ContentEncryption>), KeyError> {
    let (alg, enc) = match (requested, own) {
        (Some(r), JwkAlg::Key(o)) if r != o => {
            return Err(KeyError::AlgorithmMismatch {
                key: o.as_str().to_owned(),
                requested: r.as_str(),
            });
        }
        (Some(r), JwkAlg::Dir(e)) if r != KeyAlgorithm::Dir => {
            return Err(KeyError::AlgorithmMismatch {
                key: e.as_str().to_owned(),
                requested: r.as_str(),
            });
        }
        (_, JwkAlg::Dir(e)) => (KeyAlgorithm::Dir, Some(e)),
        (Some(alg), _) | (None, JwkAlg::Key(alg)) => (alg, None),
        (None, JwkAlg::None) => return Err(KeyError::AlgorithmRequired),
    };
    if (alg == KeyAlgorithm::RSA1_5) != danger {
        return Err(if danger {
            KeyError::AlgorithmMismatch {
                key: alg.as_str().to_owned(),
                requested: "RSA1_5",
            }
        } else {
            KeyError::DangerousAlgorithm
        });
    }
    check_enabled(alg)?;
    Ok((alg, enc))
}
