//! PEM (RFC 7468) armour around the DER formats of [`crate::der`].

use crate::der::{self, DerKind};
use crate::{KeyError, KeyMaterial};

impl KeyMaterial {
    /// Reads the first key (or certificate) of a PEM text: `PRIVATE KEY` (PKCS#8),
    /// `PUBLIC KEY` (SPKI), `RSA PRIVATE KEY`, `RSA PUBLIC KEY`, `EC PRIVATE KEY` or
    /// `CERTIFICATE` (its public key; the certificate itself is not checked). An
    /// `EC PARAMETERS` block, as `openssl ecparam -genkey` writes before the key, and
    /// text around the blocks are skipped.
    ///
    /// ```
    /// use jot_algorithms::{EcCurve, KeyMaterial};
    ///
    /// let pem = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n\
    ///            -----BEGIN EC PRIVATE KEY-----\n\
    ///            MHcCAQEEICuL/cJz3uqO6TMfmCcSq8QY3tXqDl+dFEqbSexDa6iYoAoGCCqGSM49\n\
    ///            AwEHoUQDQgAEJ64JOsJaR0oiyOXNqSHnStEECTju8m3uQ8u37ek0rudIyZNzIvVQ\n\
    ///            bQsLtpnRV0ICVJbOJqUAIPzc/HgIxXNGdQ==\n-----END EC PRIVATE KEY-----\n";
    /// let material = KeyMaterial::from_pem(pem)?;
    /// assert!(matches!(material, KeyMaterial::EcPrivate { curve: EcCurve::P256, .. }));
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn from_pem(pem: impl AsRef<[u8]>) -> Result<KeyMaterial, KeyError> {
        parse(pem.as_ref())
    }

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pkcs8_pem(&self) -> Result<String, KeyError> {
        encode("PRIVATE KEY", &self.to_pkcs8_der()?)
    }

    /// The public key (of a private key: its public part) as SPKI PEM
    /// (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_spki_pem(&self) -> Result<String, KeyError> {
        encode("PUBLIC KEY", &self.to_spki_der()?)
    }
}

/// Parses the first key (or certificate) in a PEM text, skipping `EC PARAMETERS`.
fn parse(pem: &[u8]) -> Result<KeyMaterial, KeyError> {
    let mut rest = pem;
    loop {
        let Some(start) = find(rest, b"-----BEGIN ") else {
            return Err(KeyError::InvalidPem {
                reason: "no key found (expected -----BEGIN ...-----)",
            });
        };
        let block_and_rest = &rest[start..];
        let end_marker = find(block_and_rest, b"-----END ").ok_or(KeyError::InvalidPem {
            reason: "missing -----END line",
        })?;
        let after_end = &block_and_rest[end_marker + 9..];
        let close = find(after_end, b"-----").ok_or(KeyError::InvalidPem {
            reason: "unterminated -----END line",
        })?;
        let block_len = end_marker + 9 + close + 5;
        let block = &block_and_rest[..block_len];
        rest = &block_and_rest[block_len..];

        let (label, bytes) = pem_rfc7468::decode_vec(block).map_err(|_| KeyError::InvalidPem {
            reason: "malformed PEM block",
        })?;
        let kind = match label {
            "PRIVATE KEY" => DerKind::Pkcs8,
            "PUBLIC KEY" => DerKind::Spki,
            "RSA PRIVATE KEY" => DerKind::Pkcs1Private,
            "RSA PUBLIC KEY" => DerKind::Pkcs1Public,
            "EC PRIVATE KEY" => DerKind::Sec1,
            "CERTIFICATE" => DerKind::Certificate,
            "EC PARAMETERS" => continue,
            "ENCRYPTED PRIVATE KEY" => {
                return Err(KeyError::InvalidPem {
                    reason: "encrypted private keys are not supported; decrypt it first",
                });
            }
            _ => {
                return Err(KeyError::InvalidPem {
                    reason: "unsupported PEM label",
                });
            }
        };
        return der::parse(kind, &bytes);
    }
}

/// Wraps DER in PEM with the given label and LF line endings.
pub(crate) fn encode(label: &str, der: &[u8]) -> Result<String, KeyError> {
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der)
        .map_err(|_| KeyError::Encoding)
}

/// Whether the bytes start (after whitespace) like PEM.
pub(crate) fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.trim_ascii_start().starts_with(b"-----BEGIN")
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_pem_is_refused_with_reasons() {
        assert!(matches!(parse(b"hello"), Err(KeyError::InvalidPem { .. })));
        assert!(matches!(
            parse(b"-----BEGIN PUBLIC KEY-----\nAAAA\n"),
            Err(KeyError::InvalidPem { .. })
        ));
        assert!(matches!(
            parse(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"),
            Err(KeyError::InvalidPem { .. })
        ));
        assert!(matches!(
            parse(b"-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n"),
            Err(KeyError::InvalidDer { .. })
        ));
    }
}

/// Import of every PEM/DER format, from fixtures made once with the openssl CLI.
#[cfg(test)]
mod import_tests {
    use jot_codec::{Algorithm, Signer, Verifier};

    use crate::{KeyError, SigningKey, VerifyingKey};

    macro_rules! data {
        ($name:literal) => {
            include_bytes!(concat!("../tests/data/", $name)).as_slice()
        };
    }

    fn assert_pair(signing: &SigningKey, verifying: &VerifyingKey) {
        let mut sig = Vec::new();
        signing.sign(b"input", &mut sig).unwrap();
        assert_eq!(
            verifying.verify(signing.algorithm(), None, b"input", &sig),
            Ok(())
        );
    }

    #[test]
    fn rsa_formats() {
        let pkcs8 = SigningKey::from_pem(Algorithm::RS256, data!("rsa2048.pkcs8.pem")).unwrap();
        let pkcs1 = SigningKey::from_pem(Algorithm::RS256, data!("rsa2048.pkcs1.pem")).unwrap();
        let der = SigningKey::from_der(Algorithm::RS256, data!("rsa2048.pkcs8.der")).unwrap();
        for public in [
            VerifyingKey::from_pem(Algorithm::RS256, data!("rsa2048.spki.pem")).unwrap(),
            VerifyingKey::from_pem(Algorithm::RS256, data!("rsa2048.pkcs1-public.pem")).unwrap(),
            VerifyingKey::from_pem(Algorithm::RS256, data!("rsa2048.cert.pem")).unwrap(),
            VerifyingKey::from_der(Algorithm::RS256, data!("rsa2048.cert.der")).unwrap(),
            VerifyingKey::from_any_bytes(Algorithm::RS256, data!("rsa2048.cert.der")).unwrap(),
            VerifyingKey::from_pem(Algorithm::RS256, data!("rsa2048.pkcs1.pem")).unwrap(),
        ] {
            for key in [&pkcs8, &pkcs1, &der] {
                assert_pair(key, &public);
            }
        }
        // Export reproduces openssl's encodings byte for byte.
        let spki = std::str::from_utf8(data!("rsa2048.spki.pem")).unwrap();
        assert_eq!(pkcs1.verifying_key().to_pem().unwrap(), spki);
        assert!(pkcs1.to_pkcs8_der().unwrap() == data!("rsa2048.pkcs8.der"));
        let from_pkcs1_der =
            SigningKey::from_der(Algorithm::PS256, data!("rsa2048.pkcs1.der")).unwrap();
        assert!(from_pkcs1_der.to_pkcs8_der().unwrap() == data!("rsa2048.pkcs8.der"));
    }

    #[test]
    fn weak_rsa_is_refused() {
        assert_eq!(
            VerifyingKey::from_pem(Algorithm::RS256, data!("rsa1024.spki.pem")).unwrap_err(),
            KeyError::RsaTooSmall { bits: 1024 }
        );
        assert!(matches!(
            SigningKey::from_pem(Algorithm::RS256, data!("rsa2048-e3.pkcs8.pem")),
            Err(KeyError::RsaBadExponent { .. })
        ));
    }

    #[test]
    fn ec_and_ed25519_formats() {
        /// PKCS#8 PEM, SEC1 PEM, SPKI PEM, algorithm.
        type Case = (&'static [u8], &'static [u8], &'static [u8], Algorithm);
        let cases: &[Case] = &[
            (
                data!("p256.pkcs8.pem"),
                data!("p256.sec1.pem"),
                data!("p256.spki.pem"),
                Algorithm::ES256,
            ),
            (
                data!("p384.pkcs8.pem"),
                data!("p384.sec1.pem"),
                data!("p384.spki.pem"),
                Algorithm::ES384,
            ),
            (
                data!("p521.pkcs8.pem"),
                data!("p521.sec1.pem"),
                data!("p521.spki.pem"),
                Algorithm::ES512,
            ),
            (
                data!("secp256k1.pkcs8.pem"),
                data!("secp256k1.sec1.pem"),
                data!("secp256k1.spki.pem"),
                Algorithm::ES256K,
            ),
            (
                data!("ed25519.pkcs8.pem"),
                data!("ed25519.pkcs8.pem"),
                data!("ed25519.spki.pem"),
                Algorithm::EdDSA,
            ),
        ];
        for &(pkcs8, sec1, spki, alg) in cases {
            let signing = match SigningKey::from_pem_infer(pkcs8) {
                Err(KeyError::AlgorithmDisabled { .. }) => continue,
                other => other.unwrap(),
            };
            assert_eq!(signing.algorithm(), alg);
            let from_sec1 = SigningKey::from_pem(alg, sec1).unwrap();
            let public = VerifyingKey::from_pem_infer(spki).unwrap();
            assert_eq!(public.algorithm(), alg);
            assert_pair(&signing, &public);
            assert_pair(&from_sec1, &public);
            // Export round trips: the public PEM is openssl's, the PKCS#8 reloads.
            assert_eq!(signing.verifying_key().to_pem().unwrap().as_bytes(), spki);
            let again = SigningKey::from_pem_infer(signing.to_pkcs8_pem().unwrap()).unwrap();
            assert_pair(&again, &public);
            let any = SigningKey::from_any_bytes_infer(signing.to_pkcs8_der().unwrap()).unwrap();
            assert_pair(&any, &public);
        }
        let cert = VerifyingKey::from_pem_infer(data!("p256.cert.pem")).unwrap();
        assert_pair(
            &SigningKey::from_pem_infer(data!("p256.sec1.pem")).unwrap(),
            &cert,
        );
        assert_eq!(
            VerifyingKey::from_der(Algorithm::ES256, data!("p256.spki.der"))
                .unwrap()
                .to_spki_der()
                .unwrap(),
            data!("p256.spki.der")
        );
    }

    #[test]
    fn ed448_formats() {
        let pkcs8 = data!("ed448.pkcs8.pem");
        let spki = data!("ed448.spki.pem");
        #[cfg(feature = "ed448")]
        {
            let key = SigningKey::from_pem_infer(pkcs8).unwrap();
            assert_eq!(key.algorithm(), Algorithm::EdDSA);
            assert_eq!(key.to_jwk().unwrap().crv.as_deref(), Some("Ed448"));
            // The public key openssl derived is the one jot derives.
            let public = VerifyingKey::from_pem_infer(spki).unwrap();
            assert_eq!(key.verifying_key().to_pem().unwrap().as_bytes(), spki);
            assert_eq!(public.to_pem().unwrap().as_bytes(), spki);
            // openssl writes PKCS#8 without the public key, as jot does.
            assert_eq!(key.to_pkcs8_pem().unwrap().as_bytes(), pkcs8);
            let mut sig = Vec::new();
            key.sign(b"input", &mut sig).unwrap();
            assert_eq!(
                public.verify(Algorithm::EdDSA, None, b"input", &sig),
                Ok(())
            );
            assert!(matches!(
                SigningKey::from_pem(Algorithm::ES256, pkcs8),
                Err(KeyError::AlgorithmMismatch { key: "Ed448", .. })
            ));
        }
        #[cfg(not(feature = "ed448"))]
        for pem in [pkcs8, spki] {
            assert_eq!(
                VerifyingKey::from_pem_infer(pem).unwrap_err(),
                KeyError::AlgorithmDisabled {
                    alg: Algorithm::EdDSA,
                    feature: "ed448"
                }
            );
        }
    }

    #[test]
    fn unsupported_keys_say_so() {
        assert!(matches!(
            SigningKey::from_der_infer(b"not a key"),
            Err(KeyError::InvalidDer { .. })
        ));
    }
}
