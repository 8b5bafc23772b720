//! Export: public keys to JWK and SPKI PEM/DER, private keys to JWK and PKCS#8 PEM/DER.

use jot_codec::base64url;

use crate::der::{self, KeyMaterial};
use crate::ecdsa::split_point;
use crate::key::{SigningInner, VerifyingInner};
use crate::{Jwk, KeyError, SigningKey, VerifyingKey, pem};

impl SigningKey {
    /// The private key as a JWK, with `kid` (if set), `alg` and `use: "sig"`.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, SigningKey};
    ///
    /// let key = SigningKey::generate(Algorithm::EdDSA)?.with_kid("ed-1");
    /// let jwk = key.to_jwk()?;
    /// assert_eq!((jwk.kty.as_str(), jwk.crv.as_deref()), ("OKP", Some("Ed25519")));
    /// let again = SigningKey::from_jwk(&jwk)?;
    /// assert_eq!(again.verifying_key().to_jwk()?, key.verifying_key().to_jwk()?);
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn to_jwk(&self) -> Result<Jwk, KeyError> {
        let mut jwk = match self.inner() {
            SigningInner::Hmac(key) => Jwk {
                kty: "oct".into(),
                k: Some(base64url::encode(key.secret())),
                ..Jwk::default()
            },
            _ => {
                let mut jwk = public_jwk(&self.verifying_key().public_material()?)?;
                match self.private_material()? {
                    KeyMaterial::RsaPrivate { pkcs1 } => der::with_pkcs1_private(&pkcs1, |p| {
                        jwk.d = Some(base64url::encode(der::trim_leading_zeros(p.d)));
                        jwk.p = Some(base64url::encode(der::trim_leading_zeros(p.p)));
                        jwk.q = Some(base64url::encode(der::trim_leading_zeros(p.q)));
                        jwk.dp = Some(base64url::encode(der::trim_leading_zeros(p.dp)));
                        jwk.dq = Some(base64url::encode(der::trim_leading_zeros(p.dq)));
                        jwk.qi = Some(base64url::encode(der::trim_leading_zeros(p.qi)));
                    })?,
                    KeyMaterial::EcPrivate { d, .. } => jwk.d = Some(base64url::encode(&d)),
                    KeyMaterial::Ed25519Private { seed, .. } => {
                        jwk.d = Some(base64url::encode(&seed))
                    }
                    _ => return Err(KeyError::Encoding),
                }
                jwk
            }
        };
        decorate(&mut jwk, self.algorithm().as_str(), self.kid());
        Ok(jwk)
    }

    /// The private key as PKCS#8 DER. HMAC secrets have no PKCS#8 form.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, KeyError> {
        der::encode_pkcs8(&self.private_material()?)
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
        pem::encode("PRIVATE KEY", &self.to_pkcs8_der()?)
    }

    /// The key's private material (not for HMAC).
    pub(crate) fn private_material(&self) -> Result<KeyMaterial, KeyError> {
        Ok(match self.inner() {
            SigningInner::Hmac(_) => {
                return Err(KeyError::UnsupportedKeyType {
                    what: "an HMAC secret has no PKCS#8 form",
                });
            }
            SigningInner::Rsa(key) => KeyMaterial::RsaPrivate {
                pkcs1: key.pkcs1().to_vec(),
            },
            SigningInner::Ec(key) => KeyMaterial::EcPrivate {
                curve: key.curve(),
                d: key.d().to_vec(),
                q: Some(key.public_point().to_vec()),
            },
            #[cfg(feature = "es512")]
            SigningInner::P521(key) => KeyMaterial::EcPrivate {
                curve: crate::ecdsa::Curve::P521,
                d: key.d(),
                q: Some(key.public_point().to_vec()),
            },
            #[cfg(feature = "es256k")]
            SigningInner::K256(key) => KeyMaterial::EcPrivate {
                curve: crate::ecdsa::Curve::Secp256k1,
                d: key.d(),
                q: Some(key.public_point().to_vec()),
            },
            SigningInner::Ed25519(key) => KeyMaterial::Ed25519Private {
                seed: key.seed().to_vec(),
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
        let mut jwk = public_jwk(&self.public_material()?)?;
        decorate(&mut jwk, self.algorithm().as_str(), self.kid());
        Ok(jwk)
    }

    /// The public key as SPKI DER.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, KeyError> {
        der::encode_spki(&self.public_material()?)
    }

    /// The public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_pem(&self) -> Result<String, KeyError> {
        pem::encode("PUBLIC KEY", &self.to_spki_der()?)
    }

    /// The HMAC secret, for an HMAC key (used by thumbprints).
    pub(crate) fn hmac_secret(&self) -> Option<&[u8]> {
        match self.inner() {
            VerifyingInner::Hmac(key) => Some(key.secret()),
            _ => None,
        }
    }
}

/// The public members of a JWK for a public key.
pub(crate) fn public_jwk(material: &KeyMaterial) -> Result<Jwk, KeyError> {
    Ok(match material {
        KeyMaterial::RsaPublic { n, e } => Jwk {
            kty: "RSA".into(),
            n: Some(base64url::encode(n)),
            e: Some(base64url::encode(e)),
            ..Jwk::default()
        },
        KeyMaterial::EcPublic { curve, q } => {
            let (x, y) = split_point(*curve, q).ok_or(KeyError::InvalidPoint)?;
            Jwk {
                kty: "EC".into(),
                crv: Some(curve.jwk_name().into()),
                x: Some(base64url::encode(x)),
                y: Some(base64url::encode(y)),
                ..Jwk::default()
            }
        }
        KeyMaterial::Ed25519Public { x } => Jwk {
            kty: "OKP".into(),
            crv: Some("Ed25519".into()),
            x: Some(base64url::encode(x)),
            ..Jwk::default()
        },
        _ => return Err(KeyError::Encoding),
    })
}

fn decorate(jwk: &mut Jwk, alg: &str, kid: Option<&str>) {
    jwk.key_use = Some("sig".into());
    jwk.alg = Some(alg.into());
    jwk.kid = kid.map(Into::into);
}
