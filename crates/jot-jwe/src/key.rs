//! [`EncryptionKey`] and [`DecryptionKey`]: typed keys, each bound to exactly one
//! key management algorithm (and, for `dir` keys from a JWK naming an `enc`, to one
//! content encryption).

mod checks;

use std::fmt;

use jot_algorithms::{AnyKey, Jwk, KeyMaterial};
use zeroize::Zeroizing;

use self::checks::{check_enabled, check_secret, resolve};
use crate::ecdh::{EcPrivate, EcPublic};
use crate::material::{JwkAlg, Material, jwk_alg};
use crate::{ContentEncryption, Curve, KeyAlgorithm, KeyError, KeyFamily};

/// The PBES2 iteration count jot writes by default (`p2c`); it is also the largest
/// count [`crate::DecryptionPolicy`] accepts by default.
pub const DEFAULT_PBES2_ITERATIONS: u32 = 10_000;

/// The smallest PBES2 iteration count jot writes or accepts.
pub const MIN_PBES2_ITERATIONS: u32 = 1_000;

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

    /// A key for `alg` from a JWK; the JWK's `alg`, if present, must agree. Public or
    /// private JWKs work; only the public part is kept.
    pub fn from_jwk(alg: KeyAlgorithm, jwk: &Jwk) -> Result<Self, KeyError> {
        Self::jwk_inner(Some(alg), jwk, false)
    }

    /// A key from a JWK whose `alg` names the algorithm (a JWK whose `alg` is an
    /// `enc` name, like `A128GCM`, is a `dir` key for that `enc`); otherwise as
    /// [`EncryptionKey::from_jwk`].
    pub fn from_jwk_infer(jwk: &Jwk) -> Result<Self, KeyError> {
        Self::jwk_inner(None, jwk, false)
    }

    /// A key for `alg` from PEM: `PUBLIC KEY` (RSA, EC, X25519), `RSA PUBLIC KEY`,
    /// `CERTIFICATE` (its public key), or any private key PEM (its public part is
    /// used); an `EC PARAMETERS` block before the key is skipped. Read by
    /// [`KeyMaterial::from_pem`], so exactly what jot-algorithms reads.
    pub fn from_pem(alg: KeyAlgorithm, pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(
            alg,
            None,
            Material::new(KeyMaterial::from_pem(pem)?)?,
            false,
        )
    }

    /// A key for `alg` from DER (SPKI, PKCS#1, an X.509 certificate, or a private
    /// key structure), read by [`KeyMaterial::from_der`].
    pub fn from_der(alg: KeyAlgorithm, der: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(
            alg,
            None,
            Material::new(KeyMaterial::from_der(der)?)?,
            false,
        )
    }

    /// A key for `alg` from PEM, a JWK (JSON) or DER, whichever `bytes` is
    /// ([`AnyKey::parse`]); a JWK's `alg`, if present, must agree.
    ///
    /// ```
    /// use jot_jwe::{DecryptionKey, EncryptionKey, KeyAlgorithm};
    ///
    /// let alg = KeyAlgorithm::ECDH_ES_A128KW;
    /// let key = DecryptionKey::generate(alg)?;
    /// let pem = key.encryption_key().to_pem()?;
    /// let json = key.encryption_key().to_jwk()?.to_json();
    /// assert_eq!(EncryptionKey::from_any_bytes(alg, &pem)?.to_pem()?, pem);
    /// assert_eq!(EncryptionKey::from_any_bytes(alg, &json)?.to_pem()?, pem);
    /// # Ok::<(), jot_jwe::KeyError>(())
    /// ```
    pub fn from_any_bytes(alg: KeyAlgorithm, bytes: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_any_key(Some(alg), AnyKey::parse(bytes)?)
    }

    /// A key from PEM, a JWK or DER, with the algorithm taken from a JWK's `alg` (PEM
    /// and DER name none: [`KeyError::AlgorithmRequired`]).
    pub fn from_any_bytes_infer(bytes: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_any_key(None, AnyKey::parse(bytes)?)
    }

    fn from_any_key(alg: Option<KeyAlgorithm>, key: AnyKey) -> Result<Self, KeyError> {
        match (key, alg) {
            (AnyKey::Jwk(jwk), _) => Self::jwk_inner(alg, &jwk, false),
            (AnyKey::Material(material), Some(alg)) => {
                Self::from_material(alg, None, Material::new(material)?, false)
            }
            (AnyKey::Material(_), None) => Err(KeyError::AlgorithmRequired),
            _ => Err(KeyError::Unsupported { what: "key format" }),
        }
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
            Material::new(KeyMaterial::from_pem(pem)?)?,
            true,
        )
    }

    fn jwk_inner(
        requested: Option<KeyAlgorithm>,
        jwk: &Jwk,
        danger: bool,
    ) -> Result<Self, KeyError> {
        let (alg, enc) = resolve(requested, jwk_alg(jwk, "encrypt")?, danger)?;
        let key = Self::from_material(
            alg,
            enc,
            Material::new(KeyMaterial::from_jwk(jwk)?)?,
            danger,
        )?;
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

    /// A key for `alg` from a private JWK (or an `oct` JWK); the JWK's `alg`, if
    /// present, must agree.
    pub fn from_jwk(alg: KeyAlgorithm, jwk: &Jwk) -> Result<Self, KeyError> {
        Self::jwk_inner(Some(alg), jwk, false)
    }

    /// A key from a private JWK (or an `oct` JWK) whose `alg` names the algorithm.
    pub fn from_jwk_infer(jwk: &Jwk) -> Result<Self, KeyError> {
        Self::jwk_inner(None, jwk, false)
    }

    /// A key for `alg` from a private-key PEM: `PRIVATE KEY` (PKCS#8: RSA, EC,
    /// X25519), `RSA PRIVATE KEY` (PKCS#1) or `EC PRIVATE KEY` (SEC1, with or without
    /// the `EC PARAMETERS` block `openssl ecparam -genkey` writes before it). Read by
    /// [`KeyMaterial::from_pem`], so exactly what jot-algorithms reads.
    pub fn from_pem(alg: KeyAlgorithm, pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(
            alg,
            None,
            Material::new(KeyMaterial::from_pem(pem)?)?,
            false,
        )
    }

    /// A key for `alg` from private-key DER (PKCS#8, PKCS#1 or SEC1), read by
    /// [`KeyMaterial::from_der`].
    pub fn from_der(alg: KeyAlgorithm, der: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_material(
            alg,
            None,
            Material::new(KeyMaterial::from_der(der)?)?,
            false,
        )
    }

    /// A key for `alg` from private-key PEM, a private JWK (JSON) or DER, whichever
    /// `bytes` is ([`AnyKey::parse`]); a JWK's `alg`, if present, must agree.
    pub fn from_any_bytes(alg: KeyAlgorithm, bytes: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_any_key(Some(alg), AnyKey::parse(bytes)?)
    }

    /// A key from PEM, a JWK or DER, with the algorithm taken from a JWK's `alg` (PEM
    /// and DER name none: [`KeyError::AlgorithmRequired`]).
    pub fn from_any_bytes_infer(bytes: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_any_key(None, AnyKey::parse(bytes)?)
    }

    fn from_any_key(alg: Option<KeyAlgorithm>, key: AnyKey) -> Result<Self, KeyError> {
        match (key, alg) {
            (AnyKey::Jwk(jwk), _) => Self::jwk_inner(alg, &jwk, false),
            (AnyKey::Material(material), Some(alg)) => {
                Self::from_material(alg, None, Material::new(material)?, false)
            }
            (AnyKey::Material(_), None) => Err(KeyError::AlgorithmRequired),
            _ => Err(KeyError::Unsupported { what: "key format" }),
        }
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
            Material::new(KeyMaterial::from_pem(pem)?)?,
            true,
        )
    }

    fn jwk_inner(
        requested: Option<KeyAlgorithm>,
        jwk: &Jwk,
        danger: bool,
    ) -> Result<Self, KeyError> {
        let (alg, enc) = resolve(requested, jwk_alg(jwk, "decrypt")?, danger)?;
        let key = Self::from_material(
            alg,
            enc,
            Material::new(KeyMaterial::from_jwk(jwk)?)?,
            danger,
        )?;
        Ok(match &jwk.kid {
            Some(kid) => key.with_kid(kid.clone()),
            None => key,
        })
    }

    pub(crate) fn from_material(
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
