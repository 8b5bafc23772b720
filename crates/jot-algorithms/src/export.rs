//! Export: public keys to JWK and SPKI PEM/DER, private keys to JWK and PKCS#8 PEM/DER,
//! all through [`KeyMaterial`].

use crate::key::{SigningInner, VerifyingInner};
use crate::{Jwk, KeyError, KeyMaterial, OkpCurve, SigningKey, VerifyingKey};

impl SigningKey {
    /// The private key as a JWK, with `kid` (if set), `alg` and `use: "sig"`.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, SigningKey};
    ///
    /// let key = SigningKey::generate(Algorithm::EdDSA)?.with_kid("ed-1");
    /// let jwk = key.to_jwk()?;
    /// assert_eq!((jwk.kty.as_str(), jwk.crv.as_deref()), ("OKP", Some("Ed25519")));
    /// let again = SigningKey::from_jwk_infer(&jwk)?;
    /// assert_eq!(again.verifying_key().to_jwk()?, key.verifying_key().to_jwk()?);
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn to_jwk(&self) -> Result<Jwk, KeyError> {
        let mut jwk = self.private_material()?.to_jwk()?;
        decorate(&mut jwk, self.algorithm().as_str(), self.kid());
        Ok(jwk)
    }

    /// The private key as PKCS#8 DER (ML-DSA: the seed form of RFC 9881). HMAC
    /// secrets have no PKCS#8 form.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, KeyError> {
        self.private_material()?.to_pkcs8_der()
    }

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, SigningKey};
    ///
    /// let key = SigningKey::generate(Algorithm::ES256)?;
    /// let pem = key.to_pkcs8_pem()?;
    /// assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    /// let again = SigningKey::from_pem_infer(&pem)?;
    /// assert_eq!(again.verifying_key().to_pem()?, key.verifying_key().to_pem()?);
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn to_pkcs8_pem(&self) -> Result<String, KeyError> {
        self.private_material()?.to_pkcs8_pem()
    }

    /// The key's private material (an HMAC key's is its secret).
    pub(crate) fn private_material(&self) -> Result<KeyMaterial, KeyError> {
        Ok(match self.inner() {
            SigningInner::Hmac(key) => KeyMaterial::Secret(key.secret().to_vec()),
            SigningInner::Rsa(key) => KeyMaterial::RsaPrivate(Box::new(key.parts().clone())),
            SigningInner::Ec(key) => KeyMaterial::EcPrivate {
                curve: key.curve(),
                d: key.d().to_vec(),
                point: Some(key.public_point().to_vec()),
            },
            #[cfg(feature = "es512")]
            SigningInner::P521(key) => KeyMaterial::EcPrivate {
                curve: crate::EcCurve::P521,
                d: key.d(),
                point: Some(key.public_point().to_vec()),
            },
            #[cfg(feature = "es256k")]
            SigningInner::K256(key) => KeyMaterial::EcPrivate {
                curve: crate::EcCurve::Secp256k1,
                d: key.d(),
                point: Some(key.public_point().to_vec()),
            },
            SigningInner::Ed25519(key) => KeyMaterial::OkpPrivate {
                curve: OkpCurve::Ed25519,
                d: key.seed().to_vec(),
                x: Some(key.public_key().to_vec()),
            },
            #[cfg(feature = "ed448")]
            SigningInner::Ed448(key) => KeyMaterial::OkpPrivate {
                curve: OkpCurve::Ed448,
                d: key.seed(),
                x: Some(key.public_key().to_vec()),
            },
            #[cfg(feature = "ml-dsa")]
            SigningInner::MlDsa(key) => KeyMaterial::AkpPrivate {
                alg: self.algorithm(),
                seed: key.seed(),
                public: Some(key.public_key().to_vec()),
            },
        })
    }
}

impl VerifyingKey {
    /// The public key as a JWK, with `kid` (if set), `alg` and `use: "sig"`. An HMAC
    /// key has no public part and gives an error.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, SigningKey};
    ///
    /// let public = SigningKey::generate(Algorithm::ES256)?.with_kid("a").verifying_key();
    /// let json = public.to_jwk()?.to_json();
    /// assert!(json.starts_with(r#"{"kty":"EC","use":"sig","alg":"ES256","kid":"a","crv":"P-256","x":"#));
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn to_jwk(&self) -> Result<Jwk, KeyError> {
        let mut jwk = self.public_material()?.to_jwk()?;
        decorate(&mut jwk, self.algorithm().as_str(), self.kid());
        Ok(jwk)
    }

    /// The public key as SPKI DER.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, KeyError> {
        self.public_material()?.to_spki_der()
    }

    /// The public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_pem(&self) -> Result<String, KeyError> {
        self.public_material()?.to_spki_pem()
    }

    /// The HMAC secret, for an HMAC key (used by thumbprints).
    pub(crate) fn hmac_secret(&self) -> Option<&[u8]> {
        match self.inner() {
            VerifyingInner::Hmac(key) => Some(key.secret()),
            _ => None,
        }
    }
}

fn decorate(jwk: &mut Jwk, alg: &str, kid: Option<&str>) {
    jwk.key_use = Some("sig".into());
    jwk.alg = Some(alg.into());
    jwk.kid = kid.map(Into::into);
}
