//! [`EncryptionKey`] and [`DecryptionKey`]: typed keys, each bound to exactly one
//! key management algorithm (and, for `dir` keys from a JWK naming an `enc`, to one
//! content encryption).

use std::fmt;

use jot_algorithms::Jwk;
use zeroize::Zeroizing;

use crate::ecdh::{EcPrivate, EcPublic};
use crate::import::{self, JwkAlg, Material};
use crate::{ContentEncryption, Curve, KeyAlgorithm, KeyError, KeyFamily, base64url};

/// The PBES2 iteration count jot writes by default (`p2c`); it is also the largest
/// count [`crate::DecryptionPolicy`] accepts by default.
pub const DEFAULT_PBES2_ITERATIONS: u32 = 10_000;

/// The smallest PBES2 iteration count jot writes or accepts.
pub const MIN_PBES2_ITERATIONS: u32 = 1_000;

/// The lengths a `dir` key may have: the key lengths of the six `enc` algorithms.
const DIR_LENGTHS: [usize; 5] = [16, 24, 32, 48, 64];

/// A key that encrypts JWEs for one key management algorithm: the recipient's
/// public key (RSA, EC, X25519), a shared secret (`dir`, `A*KW`, `A*GCMKW`) or a
/// password (PBES2).
///
/// ```
/// use jot_jwe::{EncryptionKey, KeyAlgorithm};
/// let key = EncryptionKey::symmetric(KeyAlgorithm::A256KW, [7u8; 32])?;
/// assert_eq!(key.algorithm(), KeyAlgorithm::A256KW);
/// assert!(EncryptionKey::symmetric(KeyAlgorithm::A256KW, [7u8; 16]).is_err());
/// # Ok::<(), jot_jwe::KeyError>(())
/// ```
#[derive(Clone)]
pub struct EncryptionKey {
    pub(crate) alg: KeyAlgorithm,
    pub(crate) kid: Option<String>,
    pub(crate) enc: Option<ContentEncryption>,
    pub(crate) pbes2_iterations: u32,
    pub(crate) material: PublicMaterial,
}

/// A key that decrypts JWEs for one key management algorithm.
///
/// ```
/// use jot_jwe::{DecryptionKey, KeyAlgorithm, Curve};
/// let key = DecryptionKey::generate_ec(KeyAlgorithm::ECDH_ES_A256KW, Curve::P256)?;
/// let public_jwk = key.encryption_key().to_jwk()?; // publish this
/// assert_eq!(public_jwk.crv.as_deref(), Some("P-256"));
/// # Ok::<(), jot_jwe::KeyError>(())
/// ```
pub struct DecryptionKey {
    pub(crate) alg: KeyAlgorithm,
    pub(crate) kid: Option<String>,
    pub(crate) enc: Option<ContentEncryption>,
    pub(crate) material: PrivateMaterial,
}

#[derive(Clone)]
pub(crate) enum PublicMaterial {
    Secret(Zeroizing<Vec<u8>>),
    Ec(EcPublic),
    #[cfg(feature = "rsa")]
    Rsa(rsa::PublicKey),
}

pub(crate) enum PrivateMaterial {
    Secret(Zeroizing<Vec<u8>>),
    Ec(EcPrivate),
    #[cfg(feature = "rsa")]
    Rsa(Box<rsa::PrivateKey>),
}

/// Checks that a symmetric secret fits `alg` (and `enc`, for `dir`).
fn check_secret(
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

fn check_enabled(alg: KeyAlgorithm) -> Result<(), KeyError> {
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
fn resolve(
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

impl EncryptionKey {
    /// A shared secret for `dir` (16, 24, 32, 48 or 64 bytes: the `enc` is then
    /// checked at encryption), `A128KW`/`A192KW`/`A256KW` or `A128GCMKW`/`A192GCMKW`/
    /// `A256GCMKW` (exactly 16, 24 or 32 bytes).
    pub fn symmetric(alg: KeyAlgorithm, secret: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        check_enabled(alg)?;
        if alg.family() != KeyFamily::Symmetric {
            return Err(KeyError::WrongKeyType {
                key: "symmetric",
                alg: alg.as_str(),
            });
        }
        check_secret(alg, None, secret.as_ref())?;
        Ok(Self::secret(alg, None, secret.as_ref()))
    }

    /// A `dir` key for exactly one content encryption (the key is the CEK).
    pub fn dir(enc: ContentEncryption, secret: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        check_secret(KeyAlgorithm::Dir, Some(enc), secret.as_ref())?;
        Ok(Self::secret(KeyAlgorithm::Dir, Some(enc), secret.as_ref()))
    }

    /// A password for `PBES2-HS256+A128KW`, `PBES2-HS384+A192KW` or
    /// `PBES2-HS512+A256KW`; tokens get a fresh 16-byte salt and
    /// [`DEFAULT_PBES2_ITERATIONS`] iterations (see [`EncryptionKey::with_pbes2_iterations`]).
    pub fn password(alg: KeyAlgorithm, password: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        check_enabled(alg)?;
        if alg.family() != KeyFamily::Password {
            return Err(KeyError::WrongKeyType {
                key: "password",
                alg: alg.as_str(),
            });
        }
        check_secret(alg, None, password.as_ref())?;
        Ok(Self::secret(alg, None, password.as_ref()))
    }

    fn secret(alg: KeyAlgorithm, enc: Option<ContentEncryption>, secret: &[u8]) -> Self {
        EncryptionKey {
            alg,
            kid: None,
            enc,
            pbes2_iterations: DEFAULT_PBES2_ITERATIONS,
            material: PublicMaterial::Secret(Zeroizing::new(secret.to_vec())),
        }
    }

    /// Sets the PBES2 iteration count written into `p2c` (at least 1,000). A receiver
    /// with jot's default policy accepts at most 10,000.
    pub fn with_pbes2_iterations(mut self, iterations: u32) -> Result<Self, KeyError> {
        if iterations < MIN_PBES2_ITERATIONS {
            return Err(KeyError::WeakPassword {
                reason: "fewer than 1,000 iterations",
            });
        }
        self.pbes2_iterations = iterations;
        Ok(self)
    }

    /// A key from a JWK whose `alg` names the algorithm (a JWK whose `alg` is an
    /// `enc` name, like `A128GCM`, is a `dir` key for that `enc`). Public or private
    /// JWKs work; only the public part is kept.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, KeyError> {
        Self::jwk_inner(None, jwk, false)
    }

    /// A key from a JWK for `alg`; the JWK's `alg`, if present, must agree.
    pub fn from_jwk_with_alg(alg: KeyAlgorithm, jwk: &Jwk) -> Result<Self, KeyError> {
        Self::jwk_inner(Some(alg), jwk, false)
    }

    /// A key for `alg` from PEM: `PUBLIC KEY` (RSA, EC, X25519), `RSA PUBLIC KEY`,
    /// or any private key PEM (its public part is used).
    pub fn from_pem(alg: KeyAlgorithm, pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(alg, None, import::pem_material(pem.as_ref())?, false)
    }

    /// A key for `alg` from DER (SPKI, PKCS#1, or a private key structure).
    pub fn from_der(alg: KeyAlgorithm, der: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(alg, None, import::der_material(der.as_ref())?, false)
    }

    /// **Dangerous**: an RSA1_5 (RSAES-PKCS1-v1_5) key from a JWK. Only for peers that
    /// cannot do RSA-OAEP; see docs/JWE.md.
    #[cfg(feature = "danger-rsa1_5")]
    pub fn danger_rsa1_5_from_jwk(jwk: &Jwk) -> Result<Self, KeyError> {
        Self::jwk_inner(Some(KeyAlgorithm::RSA1_5), jwk, true)
    }

    /// **Dangerous**: an RSA1_5 key from PEM.
    #[cfg(feature = "danger-rsa1_5")]
    pub fn danger_rsa1_5_from_pem(pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(
            KeyAlgorithm::RSA1_5,
            None,
            import::pem_material(pem.as_ref())?,
            true,
        )
    }

    fn jwk_inner(
        requested: Option<KeyAlgorithm>,
        jwk: &Jwk,
        danger: bool,
    ) -> Result<Self, KeyError> {
        let (alg, enc) = resolve(requested, import::jwk_alg(jwk, "encrypt")?, danger)?;
        let key = Self::from_material(alg, enc, import::jwk_material(jwk)?, danger)?;
        Ok(match &jwk.kid {
            Some(kid) => key.with_kid(kid.clone()),
            None => key,
        })
    }

    fn from_material(
        alg: KeyAlgorithm,
        enc: Option<ContentEncryption>,
        material: Material,
        danger: bool,
    ) -> Result<Self, KeyError> {
        resolve(Some(alg), JwkAlg::None, danger)?;
        let wrong = |m: &Material| KeyError::WrongKeyType {
            key: m.describe(),
            alg: alg.as_str(),
        };
        let material = match (alg.family(), material) {
            (KeyFamily::Symmetric | KeyFamily::Password, Material::Secret(s)) => {
                check_secret(alg, enc, &s)?;
                PublicMaterial::Secret(s)
            }
            (KeyFamily::Ecdh, Material::EcPublic(p)) => PublicMaterial::Ec(p),
            (KeyFamily::Ecdh, Material::EcPrivate(p)) => PublicMaterial::Ec(p.public()),
            #[cfg(feature = "rsa")]
            (KeyFamily::Rsa, Material::RsaPublic(p)) => PublicMaterial::Rsa(p),
            #[cfg(feature = "rsa")]
            (KeyFamily::Rsa, Material::RsaPrivate(p)) => PublicMaterial::Rsa(p.to_public_key()),
            (_, m) => return Err(wrong(&m)),
        };
        Ok(EncryptionKey {
            alg,
            kid: None,
            enc,
            pbes2_iterations: DEFAULT_PBES2_ITERATIONS,
            material,
        })
    }

    /// The key management algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.alg
    }

    /// The one content encryption a `dir` key is bound to, if it is.
    pub fn content_encryption(&self) -> Option<ContentEncryption> {
        self.enc
    }

    /// The key id written into the `kid` header when the caller sets none.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Sets the key id.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The curve of an ECDH-ES key.
    pub fn curve(&self) -> Option<Curve> {
        match &self.material {
            PublicMaterial::Ec(p) => Some(p.curve()),
            _ => None,
        }
    }

    /// The key as a JWK with `alg`, `use: enc` and `kid`. For a public-key algorithm
    /// this is the public JWK to publish; for a shared secret or password it is the
    /// secret itself (`kty: oct`).
    pub fn to_jwk(&self) -> Result<Jwk, KeyError> {
        let mut jwk = match &self.material {
            PublicMaterial::Secret(s) => oct_jwk(s),
            PublicMaterial::Ec(p) => map_to_jwk(p.to_jwk_members())?,
            #[cfg(feature = "rsa")]
            PublicMaterial::Rsa(p) => {
                let mut jwk = Jwk::default();
                jwk.kty = "RSA".into();
                let [(_, n), (_, e)] = crate::rsa_kw::public_members(p);
                jwk.n = Some(base64url::encode(&n));
                jwk.e = Some(base64url::encode(&e));
                jwk
            }
        };
        annotate(&mut jwk, self.alg, self.enc, &self.kid);
        Ok(jwk)
    }
}

fn oct_jwk(secret: &[u8]) -> Jwk {
    let mut jwk = Jwk::default();
    jwk.kty = "oct".into();
    jwk.k = Some(base64url::encode(secret));
    jwk
}

fn map_to_jwk(map: serde_json::Map<String, serde_json::Value>) -> Result<Jwk, KeyError> {
    serde_json::from_value(serde_json::Value::Object(map)).map_err(|_| KeyError::Encoding)
}

fn annotate(
    jwk: &mut Jwk,
    alg: KeyAlgorithm,
    enc: Option<ContentEncryption>,
    kid: &Option<String>,
) {
    jwk.alg = Some(match enc {
        Some(enc) => enc.as_str().to_owned(),
        None => alg.as_str().to_owned(),
    });
    jwk.key_use = Some("enc".into());
    jwk.kid.clone_from(kid);
}

impl DecryptionKey {
    /// A shared secret (see [`EncryptionKey::symmetric`]).
    pub fn symmetric(alg: KeyAlgorithm, secret: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        EncryptionKey::symmetric(alg, secret.as_ref())?;
        Ok(Self::secret(alg, None, secret.as_ref()))
    }

    /// A `dir` key for exactly one content encryption.
    pub fn dir(enc: ContentEncryption, secret: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        EncryptionKey::dir(enc, secret.as_ref())?;
        Ok(Self::secret(KeyAlgorithm::Dir, Some(enc), secret.as_ref()))
    }

    /// A PBES2 password (see [`EncryptionKey::password`]).
    pub fn password(alg: KeyAlgorithm, password: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        EncryptionKey::password(alg, password.as_ref())?;
        Ok(Self::secret(alg, None, password.as_ref()))
    }

    fn secret(alg: KeyAlgorithm, enc: Option<ContentEncryption>, secret: &[u8]) -> Self {
        DecryptionKey {
            alg,
            kid: None,
            enc,
            material: PrivateMaterial::Secret(Zeroizing::new(secret.to_vec())),
        }
    }

    /// A key from a private JWK (or an `oct` JWK) whose `alg` names the algorithm.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, KeyError> {
        Self::jwk_inner(None, jwk, false)
    }

    /// A key from a private JWK for `alg`; the JWK's `alg`, if present, must agree.
    pub fn from_jwk_with_alg(alg: KeyAlgorithm, jwk: &Jwk) -> Result<Self, KeyError> {
        Self::jwk_inner(Some(alg), jwk, false)
    }

    /// A key for `alg` from a private-key PEM: `PRIVATE KEY` (PKCS#8: RSA, EC,
    /// X25519), `RSA PRIVATE KEY` (PKCS#1) or `EC PRIVATE KEY` (SEC1).
    pub fn from_pem(alg: KeyAlgorithm, pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(alg, None, import::pem_material(pem.as_ref())?, false)
    }

    /// A key for `alg` from private-key DER (PKCS#8, PKCS#1 or SEC1).
    pub fn from_der(alg: KeyAlgorithm, der: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(alg, None, import::der_material(der.as_ref())?, false)
    }

    /// **Dangerous**: an RSA1_5 (RSAES-PKCS1-v1_5) decryption key from a private JWK.
    /// Padding failures substitute a random CEK (RFC 7516 §11.5), and `rsa` uses
    /// implicit rejection, but PKCS#1 v1.5 decryption stays exposed to Bleichenbacher
    /// and Marvin-style timing attacks. See docs/JWE.md.
    #[cfg(feature = "danger-rsa1_5")]
    pub fn danger_rsa1_5_from_jwk(jwk: &Jwk) -> Result<Self, KeyError> {
        Self::jwk_inner(Some(KeyAlgorithm::RSA1_5), jwk, true)
    }

    /// **Dangerous**: an RSA1_5 decryption key from a private-key PEM.
    #[cfg(feature = "danger-rsa1_5")]
    pub fn danger_rsa1_5_from_pem(pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(
            KeyAlgorithm::RSA1_5,
            None,
            import::pem_material(pem.as_ref())?,
            true,
        )
    }

    fn jwk_inner(
        requested: Option<KeyAlgorithm>,
        jwk: &Jwk,
        danger: bool,
    ) -> Result<Self, KeyError> {
        let (alg, enc) = resolve(requested, import::jwk_alg(jwk, "decrypt")?, danger)?;
        let key = Self::from_material(alg, enc, import::jwk_material(jwk)?, danger)?;
        Ok(match &jwk.kid {
            Some(kid) => key.with_kid(kid.clone()),
            None => key,
        })
    }

    fn from_material(
        alg: KeyAlgorithm,
        enc: Option<ContentEncryption>,
        material: Material,
        danger: bool,
    ) -> Result<Self, KeyError> {
        resolve(Some(alg), JwkAlg::None, danger)?;
        let material = match (alg.family(), material) {
            (KeyFamily::Symmetric | KeyFamily::Password, Material::Secret(s)) => {
                check_secret(alg, enc, &s)?;
                PrivateMaterial::Secret(s)
            }
            (KeyFamily::Ecdh, Material::EcPrivate(p)) => PrivateMaterial::Ec(p),
            #[cfg(feature = "rsa")]
            (KeyFamily::Rsa, Material::RsaPrivate(p)) => PrivateMaterial::Rsa(p),
            (_, Material::EcPublic(_)) => return Err(KeyError::LooksLikePublicKey),
            #[cfg(feature = "rsa")]
            (_, Material::RsaPublic(_)) => return Err(KeyError::LooksLikePublicKey),
            (_, m) => {
                return Err(KeyError::WrongKeyType {
                    key: m.describe(),
                    alg: alg.as_str(),
                });
            }
        };
        Ok(DecryptionKey {
            alg,
            kid: None,
            enc,
            material,
        })
    }

    /// Generates a random key for `A*KW` or `A*GCMKW` (16, 24 or 32 bytes, as the
    /// algorithm needs), an ECDH-ES key on P-256, or an RSA-OAEP key of 2048 bits.
    /// Use [`DecryptionKey::generate_dir`], [`DecryptionKey::generate_ec`] or
    /// [`DecryptionKey::generate_rsa`] to choose; PBES2 passwords are not generated.
    pub fn generate(alg: KeyAlgorithm) -> Result<Self, KeyError> {
        match alg.family() {
            KeyFamily::Symmetric if alg != KeyAlgorithm::Dir => {
                let len = alg.wrap_key_len().unwrap_or(32);
                let secret = crate::rng::secret(len).map_err(|()| KeyError::Random)?;
                Self::symmetric(alg, &*secret)
            }
            KeyFamily::Ecdh => Self::generate_ec(alg, Curve::P256),
            KeyFamily::Rsa => Self::generate_rsa(alg, 2048),
            _ => Err(KeyError::WrongKeyType {
                key: "generated",
                alg: alg.as_str(),
            }),
        }
    }

    /// Generates a random `dir` key for `enc` (its key length).
    pub fn generate_dir(enc: ContentEncryption) -> Result<Self, KeyError> {
        let secret = crate::rng::secret(enc.key_len()).map_err(|()| KeyError::Random)?;
        Self::dir(enc, &*secret)
    }

    /// Generates an ECDH-ES key on `curve` (P-256, P-384, P-521 or X25519).
    pub fn generate_ec(alg: KeyAlgorithm, curve: Curve) -> Result<Self, KeyError> {
        if alg.family() != KeyFamily::Ecdh {
            return Err(KeyError::WrongKeyType {
                key: "EC/OKP",
                alg: alg.as_str(),
            });
        }
        Self::from_material(
            alg,
            None,
            Material::EcPrivate(EcPrivate::generate(curve)?),
            false,
        )
    }

    /// Generates an RSA key of `bits` (2048 to 4096) for RSA-OAEP or RSA-OAEP-256.
    /// Takes from a fraction of a second to several seconds.
    pub fn generate_rsa(alg: KeyAlgorithm, bits: usize) -> Result<Self, KeyError> {
        #[cfg(feature = "rsa")]
        {
            if !matches!(alg, KeyAlgorithm::RSA_OAEP | KeyAlgorithm::RSA_OAEP_256) {
                return Err(KeyError::WrongKeyType {
                    key: "RSA",
                    alg: alg.as_str(),
                });
            }
            let key = crate::rsa_kw::generate(bits)?;
            Self::from_material(alg, None, Material::RsaPrivate(Box::new(key)), false)
        }
        #[cfg(not(feature = "rsa"))]
        {
            let _ = (alg, bits);
            Err(KeyError::Disabled {
                what: "RSA",
                feature: "rsa",
            })
        }
    }

    /// The key that encrypts to this one: the public key, or the same secret.
    pub fn encryption_key(&self) -> EncryptionKey {
        let material = match &self.material {
            PrivateMaterial::Secret(s) => PublicMaterial::Secret(s.clone()),
            PrivateMaterial::Ec(p) => PublicMaterial::Ec(p.public()),
            #[cfg(feature = "rsa")]
            PrivateMaterial::Rsa(p) => PublicMaterial::Rsa(p.to_public_key()),
        };
        EncryptionKey {
            alg: self.alg,
            kid: self.kid.clone(),
            enc: self.enc,
            pbes2_iterations: DEFAULT_PBES2_ITERATIONS,
            material,
        }
    }

    /// The key management algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.alg
    }

    /// The one content encryption a `dir` key is bound to, if it is.
    pub fn content_encryption(&self) -> Option<ContentEncryption> {
        self.enc
    }

    /// The key id.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Sets the key id.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The curve of an ECDH-ES key.
    pub fn curve(&self) -> Option<Curve> {
        match &self.material {
            PrivateMaterial::Ec(p) => Some(p.curve()),
            _ => None,
        }
    }

    /// The private key (or secret) as a JWK with `alg`, `use: enc` and `kid`.
    pub fn to_jwk(&self) -> Result<Jwk, KeyError> {
        let mut jwk = match &self.material {
            PrivateMaterial::Secret(s) => oct_jwk(s),
            PrivateMaterial::Ec(p) => {
                let mut jwk = map_to_jwk(p.public().to_jwk_members())?;
                jwk.d = Some(base64url::encode(&p.d()));
                jwk
            }
            #[cfg(feature = "rsa")]
            PrivateMaterial::Rsa(p) => {
                let mut jwk = Jwk::default();
                jwk.kty = "RSA".into();
                for (name, value) in crate::rsa_kw::private_members(p)? {
                    let value = Some(base64url::encode(&value));
                    match name {
                        "n" => jwk.n = value,
                        "e" => jwk.e = value,
                        "d" => jwk.d = value,
                        "p" => jwk.p = value,
                        "q" => jwk.q = value,
                        "dp" => jwk.dp = value,
                        "dq" => jwk.dq = value,
                        _ => jwk.qi = value,
                    }
                }
                jwk
            }
        };
        annotate(&mut jwk, self.alg, self.enc, &self.kid);
        Ok(jwk)
    }
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptionKey")
            .field("alg", &self.alg)
            .field("enc", &self.enc)
            .field("kid", &self.kid)
            .field("curve", &self.curve())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptionKey")
            .field("alg", &self.alg)
            .field("enc", &self.enc)
            .field("kid", &self.kid)
            .field("curve", &self.curve())
            .finish_non_exhaustive()
    }
}
