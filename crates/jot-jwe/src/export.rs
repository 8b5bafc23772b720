//! Key export: [`EncryptionKey`] and [`DecryptionKey`] as JWK, PEM or DER, and their
//! RFC 7638 thumbprints, all written by jot-algorithms' one key layer
//! ([`KeyMaterial`]).

use jot_algorithms::{Jwk, KeyMaterial};

use crate::key::{PrivateMaterial, PublicMaterial};
use crate::{ContentEncryption, DecryptionKey, EncryptionKey, KeyAlgorithm, KeyError};

impl EncryptionKey {
    /// The key as a JWK with `alg`, `use: enc` and `kid`. For a public-key algorithm
    /// this is the public JWK to publish; for a shared secret or password it is the
    /// secret itself (`kty: oct`).
    pub fn to_jwk(&self) -> Result<Jwk, KeyError> {
        let mut jwk = self.key_material().to_jwk()?;
        annotate(&mut jwk, self.alg, self.enc, &self.kid);
        Ok(jwk)
    }

    /// The public key as SPKI DER (RSA, EC, X25519). A shared secret has none.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, KeyError> {
        Ok(self.key_material().to_spki_der()?)
    }

    /// The public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    ///
    /// ```
    /// use jot_jwe::{Curve, DecryptionKey, KeyAlgorithm};
    ///
    /// let key = DecryptionKey::generate_ec(KeyAlgorithm::ECDH_ES, Curve::X25519)?;
    /// assert!(key.encryption_key().to_pem()?.starts_with("-----BEGIN PUBLIC KEY-----"));
    /// # Ok::<(), jot_jwe::KeyError>(())
    /// ```
    pub fn to_pem(&self) -> Result<String, KeyError> {
        Ok(self.key_material().to_spki_pem()?)
    }

    /// The RFC 7638 thumbprint of the public key (of the secret itself, for a shared
    /// secret or password), as jot-algorithms computes it for every key type.
    ///
    /// ```
    /// use jot_jwe::{Curve, DecryptionKey, KeyAlgorithm};
    ///
    /// let key = DecryptionKey::generate_ec(KeyAlgorithm::ECDH_ES, Curve::X25519)?;
    /// let public = key.encryption_key();
    /// assert_eq!(public.thumbprint()?, public.to_jwk()?.thumbprint()?);
    /// assert_eq!(key.thumbprint()?, public.thumbprint()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn thumbprint(&self) -> Result<String, KeyError> {
        Ok(self.key_material().thumbprint()?)
    }

    /// The key as the shared key layer's material.
    fn key_material(&self) -> KeyMaterial {
        match &self.material {
            PublicMaterial::Secret(s) => KeyMaterial::Secret(s.to_vec()),
            PublicMaterial::Ec(p) => p.to_key_material(),
            #[cfg(feature = "rsa")]
            PublicMaterial::Rsa(p) => crate::rsa_kw::public_material(p),
        }
    }
}

impl DecryptionKey {
    /// The private key (or secret) as a JWK with `alg`, `use: enc` and `kid`.
    pub fn to_jwk(&self) -> Result<Jwk, KeyError> {
        let mut jwk = self.key_material()?.to_jwk()?;
        annotate(&mut jwk, self.alg, self.enc, &self.kid);
        Ok(jwk)
    }

    /// The private key as PKCS#8 DER (RSA, EC, X25519). A shared secret has none.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, KeyError> {
        Ok(self.key_material()?.to_pkcs8_der()?)
    }

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    ///
    /// ```
    /// use jot_jwe::{Curve, DecryptionKey, KeyAlgorithm};
    ///
    /// let alg = KeyAlgorithm::ECDH_ES_A256KW;
    /// let key = DecryptionKey::generate_ec(alg, Curve::X25519)?;
    /// let again = DecryptionKey::from_pem(alg, key.to_pkcs8_pem()?)?;
    /// assert_eq!(again.encryption_key().to_jwk()?, key.encryption_key().to_jwk()?);
    /// # Ok::<(), jot_jwe::KeyError>(())
    /// ```
    pub fn to_pkcs8_pem(&self) -> Result<String, KeyError> {
        Ok(self.key_material()?.to_pkcs8_pem()?)
    }

    /// The RFC 7638 thumbprint of the public key (of the secret itself, for a shared
    /// secret or password): the same as its [`EncryptionKey`]'s.
    pub fn thumbprint(&self) -> Result<String, KeyError> {
        self.encryption_key().thumbprint()
    }

    /// The key as the shared key layer's material.
    fn key_material(&self) -> Result<KeyMaterial, KeyError> {
        Ok(match &self.material {
            PrivateMaterial::Secret(s) => KeyMaterial::Secret(s.to_vec()),
            PrivateMaterial::Ec(p) => p.to_key_material(),
            #[cfg(feature = "rsa")]
            PrivateMaterial::Rsa(p) => crate::rsa_kw::private_material(p)?,
        })
    }
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
