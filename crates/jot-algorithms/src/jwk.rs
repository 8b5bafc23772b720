//! JSON Web Key (RFC 7517), with the key types of RFC 7518 (RSA, EC, oct),
//! RFC 8037 (OKP: Ed25519, Ed448, X25519) and RFC 9964 (AKP: ML-DSA), and its
//! conversion to and from [`KeyMaterial`].

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jot_codec::{Algorithm, base64url};
use serde::{Deserialize, Serialize};

use crate::{EcCurve, KeyError, KeyMaterial, OkpCurve, RsaPrivateParts};

/// A JSON Web Key: every registered member as found, plus unknown members, kept so
/// that a key reads and writes back unchanged. Values are the base64url strings of
/// the JSON; they are decoded and checked strictly when the JWK becomes a key.
///
/// ```
/// use jot_algorithms::{Algorithm, Jwk, VerifyingKey};
///
/// // RFC 8037 §A.2
/// let jwk: Jwk = r#"{"kty":"OKP","crv":"Ed25519",
///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#.parse()?;
/// let key = VerifyingKey::from_jwk_infer(&jwk)?;
/// assert_eq!(key.algorithm(), Algorithm::EdDSA);
/// # Ok::<(), jot_algorithms::KeyError>(())
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Jwk {
    /// Key type: `RSA`, `EC`, `oct`, `OKP` or `AKP`.
    pub kty: String,
    /// Intended use: `sig` or `enc`.
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub key_use: Option<String>,
    /// Permitted operations (`sign`, `verify`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<String>>,
    /// The algorithm the key is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Key id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// X.509 URL (never fetched by jot).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x5u: Option<String>,
    /// X.509 certificate chain (base64, not base64url), kept but not checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x5c: Option<Vec<String>>,
    /// X.509 SHA-1 thumbprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x5t: Option<String>,
    /// X.509 SHA-256 thumbprint.
    #[serde(rename = "x5t#S256", skip_serializing_if = "Option::is_none")]
    pub x5t_s256: Option<String>,
    /// Curve (`EC`, `OKP`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// X coordinate (`EC`) or public key (`OKP`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// Y coordinate (`EC`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// Modulus (`RSA`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// Public exponent (`RSA`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// Private exponent (`RSA`) or private key (`EC`, `OKP`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub d: Option<String>,
    /// First prime factor (`RSA`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p: Option<String>,
    /// Second prime factor (`RSA`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// First factor CRT exponent (`RSA`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dp: Option<String>,
    /// Second factor CRT exponent (`RSA`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dq: Option<String>,
    /// First CRT coefficient (`RSA`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qi: Option<String>,
    /// Other primes info (`RSA`); jot does not support multi-prime keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oth: Option<serde_json::Value>,
    /// Key value (`oct`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<String>,
    /// Public key (`AKP`, RFC 9964): for ML-DSA, the encoded public key.
    #[serde(rename = "pub", skip_serializing_if = "Option::is_none")]
    pub public: Option<String>,
    /// Private key (`AKP`, RFC 9964): for ML-DSA, the 32-byte seed.
    #[serde(rename = "priv", skip_serializing_if = "Option::is_none")]
    pub private: Option<String>,
    /// Members jot does not know, kept as they were.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl Jwk {
    /// Parses a JWK from JSON text.
    pub fn from_json(json: &str) -> Result<Jwk, KeyError> {
        Self::from_json_bytes(json.as_bytes())
    }

    /// Parses a JWK from JSON bytes.
    pub fn from_json_bytes(json: &[u8]) -> Result<Jwk, KeyError> {
        serde_json::from_slice(json).map_err(|_| KeyError::InvalidJwk {
            reason: "not a JSON object with the members of a JWK",
        })
    }

    /// Serializes the JWK as compact JSON.
    pub fn to_json(&self) -> String {
        // Serializing strings, string lists and JSON values to a String cannot fail.
        #[allow(clippy::expect_used)]
        serde_json::to_string(self).expect("a Jwk always serializes")
    }

    /// Whether this JWK has private members (`d`, `k` or `priv`).
    pub fn is_private(&self) -> bool {
        self.d.is_some() || self.k.is_some() || self.private.is_some()
    }

    /// This JWK without its private members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`,
    /// `priv`).
    /// An `oct` key has no public part; its `k` is removed too.
    #[must_use]
    pub fn to_public(&self) -> Jwk {
        Jwk {
            d: None,
            p: None,
            q: None,
            dp: None,
            dq: None,
            qi: None,
            oth: None,
            k: None,
            private: None,
            ..self.clone()
        }
    }

    /// The `alg` member as an [`Algorithm`], if present. A value that is not a JWS
    /// algorithm (e.g. `RSA-OAEP`) is an error: such a key is not for signatures.
    pub fn algorithm(&self) -> Result<Option<Algorithm>, KeyError> {
        match self.alg.as_deref() {
            None => Ok(None),
            Some(name) => Algorithm::from_name(name)
                .map(Some)
                .ok_or(KeyError::JwkUsage {
                    needed: "a JWS algorithm",
                }),
        }
    }

    /// Whether the JWK may be used as `key_use` says (`sig` or `enc`) for one of
    /// `ops`: `use`, when present, must be `key_use`, and `key_ops`, when present, must
    /// name one of `ops`. A `key_ops` that names a value twice is malformed (RFC 7517
    /// §4.3), whatever the operation.
    ///
    /// ```
    /// use jot_algorithms::Jwk;
    ///
    /// let jwk: Jwk = r#"{"kty":"oct","k":"AAAA","use":"enc","key_ops":["wrapKey"]}"#.parse()?;
    /// assert_eq!(jwk.permits("enc", &["encrypt", "wrapKey"]), Ok(true));
    /// assert_eq!(jwk.permits("sig", &["verify"]), Ok(false));
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn permits(&self, key_use: &str, ops: &[&str]) -> Result<bool, KeyError> {
        if let Some(listed) = &self.key_ops {
            for (i, op) in listed.iter().enumerate() {
                if listed[..i].contains(op) {
                    return Err(KeyError::InvalidJwk {
                        reason: "duplicate key_ops value",
                    });
                }
            }
        }
        let use_ok = self.key_use.as_deref().is_none_or(|u| u == key_use);
        let ops_ok = self
            .key_ops
            .as_ref()
            .is_none_or(|listed| listed.iter().any(|op| ops.contains(&op.as_str())));
        Ok(use_ok && ops_ok)
    }
}

impl KeyMaterial {
    /// Reads the key members of a JWK for its `kty` (`oct`, `RSA`, `EC`, `OKP` or
    /// `AKP`), strictly: every value strict base64url, RSA integers minimal, EC
    /// coordinates and scalars of the curve's length, OKP keys of the curve's length
    /// (32 bytes, 57 for Ed448), AKP keys with the `alg` they require (ML-DSA-44, -65
    /// or -87), a `pub` of that algorithm's length and a 32-byte `priv`. Otherwise
    /// `alg`, `use`, `key_ops` and `kid` are not looked at: the typed keys check them.
    ///
    /// ```
    /// use jot_algorithms::{Jwk, KeyMaterial};
    ///
    /// let jwk: Jwk = r#"{"kty":"oct","k":"c2VjcmV0"}"#.parse()?;
    /// assert_eq!(KeyMaterial::from_jwk(&jwk)?, KeyMaterial::Secret(b"secret".to_vec()));
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn from_jwk(jwk: &Jwk) -> Result<KeyMaterial, KeyError> {
        match jwk.kty.as_str() {
            "RSA" => rsa_from_jwk(jwk),
            "EC" => ec_from_jwk(jwk),
            "OKP" => okp_from_jwk(jwk),
            "AKP" => akp_from_jwk(jwk),
            "oct" => {
                let k = member(&jwk.k, "oct JWK needs \"k\"")?;
                Ok(KeyMaterial::Secret(b64(
                    k,
                    "\"k\" is not strict base64url",
                )?))
            }
            "" => Err(KeyError::InvalidJwk {
                reason: "missing \"kty\"",
            }),
            _ => Err(KeyError::UnsupportedKeyType { what: "JWK kty" }),
        }
    }

    /// The key as a JWK: `kty` and the key members (the private ones too, for a
    /// private key or a secret), without `use` or `kid`, and without `alg` except for
    /// an AKP key, which always names its algorithm. An EC or OKP private
    /// key read without its public key, or a compressed EC point, has no JWK form.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, KeyMaterial, SigningKey};
    ///
    /// let key = SigningKey::generate(Algorithm::ES384)?;
    /// let jwk = KeyMaterial::from_pem(key.to_pkcs8_pem()?)?.to_jwk()?;
    /// assert_eq!((jwk.kty.as_str(), jwk.crv.as_deref()), ("EC", Some("P-384")));
    /// assert!(jwk.d.is_some() && jwk.alg.is_none());
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn to_jwk(&self) -> Result<Jwk, KeyError> {
        let enc = |bytes: &[u8]| Some(base64url::encode(bytes));
        let mut jwk = Jwk {
            kty: self.kty().into(),
            ..Jwk::default()
        };
        match self {
            KeyMaterial::Secret(k) => jwk.k = enc(k),
            KeyMaterial::RsaPublic { n, e } => {
                jwk.n = enc(n);
                jwk.e = enc(e);
            }
            KeyMaterial::RsaPrivate(parts) => {
                jwk.n = enc(&parts.n);
                jwk.e = enc(&parts.e);
                jwk.d = enc(&parts.d);
                jwk.p = enc(&parts.p);
                jwk.q = enc(&parts.q);
                jwk.dp = enc(&parts.dp);
                jwk.dq = enc(&parts.dq);
                jwk.qi = enc(&parts.qi);
            }
            KeyMaterial::EcPublic { curve, point }
            | KeyMaterial::EcPrivate {
                curve,
                point: Some(point),
                ..
            } => {
                let (x, y) = split_point(*curve, point).ok_or(KeyError::InvalidPoint)?;
                jwk.crv = Some(curve.jwk_name().into());
                jwk.x = enc(x);
                jwk.y = enc(y);
                if let KeyMaterial::EcPrivate { d, .. } = self {
                    jwk.d = enc(d);
                }
            }
            KeyMaterial::OkpPublic { curve, x }
            | KeyMaterial::OkpPrivate {
                curve, x: Some(x), ..
            } => {
                jwk.crv = Some(curve.jwk_name().into());
                jwk.x = enc(x);
                if let KeyMaterial::OkpPrivate { d, .. } = self {
                    jwk.d = enc(d);
                }
            }
            KeyMaterial::AkpPublic { alg, public } => {
                jwk.alg = Some(alg.as_str().into());
                jwk.public = enc(public);
            }
            KeyMaterial::AkpPrivate {
                alg,
                seed,
                public: Some(public),
            } => {
                jwk.alg = Some(alg.as_str().into());
                jwk.public = enc(public);
                jwk.private = enc(seed);
            }
            KeyMaterial::EcPrivate { point: None, .. }
            | KeyMaterial::OkpPrivate { x: None, .. }
            | KeyMaterial::AkpPrivate { public: None, .. } => {
                return Err(KeyError::UnsupportedKeyType {
                    what: "a private key read without its public key has no JWK form",
                });
            }
        }
        Ok(jwk)
    }
}

/// Splits an uncompressed SEC1 point `04 || x || y` into its coordinates.
pub(crate) fn split_point(curve: EcCurve, point: &[u8]) -> Option<(&[u8], &[u8])> {
    let n = curve.field_len();
    match point.split_first() {
        Some((&0x04, xy)) if xy.len() == 2 * n => Some(xy.split_at(n)),
        _ => None,
    }
}

fn rsa_from_jwk(jwk: &Jwk) -> Result<KeyMaterial, KeyError> {
    let n = b64(
        member(&jwk.n, "RSA JWK needs \"n\"")?,
        "\"n\" is not strict base64url",
    )?;
    let e = b64(
        member(&jwk.e, "RSA JWK needs \"e\"")?,
        "\"e\" is not strict base64url",
    )?;
    if n.first() == Some(&0) || e.first() == Some(&0) || n.is_empty() || e.is_empty() {
        return Err(KeyError::InvalidJwk {
            reason: "\"n\" and \"e\" must be minimal big-endian integers",
        });
    }
    let Some(d) = &jwk.d else {
        return Ok(KeyMaterial::RsaPublic { n, e });
    };
    if jwk.oth.is_some() {
        return Err(KeyError::UnsupportedKeyType {
            what: "multi-prime RSA",
        });
    }
    let crt = |m: &Option<String>| -> Result<Vec<u8>, KeyError> {
        let value = m.as_deref().ok_or(KeyError::UnsupportedKeyType {
            what: "RSA private JWK without p, q, dp, dq and qi",
        })?;
        b64(value, "an RSA private member is not strict base64url")
    };
    Ok(KeyMaterial::RsaPrivate(Box::new(RsaPrivateParts {
        d: b64(d, "\"d\" is not strict base64url")?,
        p: crt(&jwk.p)?,
        q: crt(&jwk.q)?,
        dp: crt(&jwk.dp)?,
        dq: crt(&jwk.dq)?,
        qi: crt(&jwk.qi)?,
        n,
        e,
    })))
}

fn ec_from_jwk(jwk: &Jwk) -> Result<KeyMaterial, KeyError> {
    let crv = member(&jwk.crv, "EC JWK needs \"crv\"")?;
    let curve =
        EcCurve::from_jwk_name(crv).ok_or(KeyError::UnsupportedKeyType { what: "EC curve" })?;
    let len = curve.field_len();
    let x = b64(
        member(&jwk.x, "EC JWK needs \"x\"")?,
        "\"x\" is not strict base64url",
    )?;
    let y = b64(
        member(&jwk.y, "EC JWK needs \"y\"")?,
        "\"y\" is not strict base64url",
    )?;
    if x.len() != len || y.len() != len {
        return Err(KeyError::InvalidJwk {
            reason: "EC coordinate has the wrong length for the curve",
        });
    }
    let mut point = Vec::with_capacity(1 + 2 * len);
    point.push(0x04);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    match &jwk.d {
        None => Ok(KeyMaterial::EcPublic { curve, point }),
        Some(d) => {
            let d = b64(d, "\"d\" is not strict base64url")?;
            if d.len() != len {
                return Err(KeyError::InvalidJwk {
                    reason: "EC \"d\" has the wrong length for the curve",
                });
            }
            Ok(KeyMaterial::EcPrivate {
                curve,
                d,
                point: Some(point),
            })
        }
    }
}

fn okp_from_jwk(jwk: &Jwk) -> Result<KeyMaterial, KeyError> {
    let crv = member(&jwk.crv, "OKP JWK needs \"crv\"")?;
    let curve = OkpCurve::from_jwk_name(crv).ok_or(KeyError::UnsupportedKeyType {
        what: "OKP curve other than Ed25519, Ed448 and X25519",
    })?;
    let x = b64(
        member(&jwk.x, "OKP JWK needs \"x\"")?,
        "\"x\" is not strict base64url",
    )?;
    if x.len() != curve.key_len() {
        return Err(KeyError::InvalidJwk {
            reason: "OKP \"x\" has the wrong length for its curve (32 bytes, 57 for Ed448)",
        });
    }
    match &jwk.d {
        None => Ok(KeyMaterial::OkpPublic { curve, x }),
        Some(d) => {
            let d = b64(d, "\"d\" is not strict base64url")?;
            if d.len() != curve.key_len() {
                return Err(KeyError::InvalidJwk {
                    reason: "OKP \"d\" has the wrong length for its curve (32 bytes, 57 for Ed448)",
                });
            }
            Ok(KeyMaterial::OkpPrivate {
                curve,
                d,
                x: Some(x),
            })
        }
    }
}

/// An AKP JWK (RFC 9964 §3): `alg` is required and fixes the lengths of `pub`
/// (required) and `priv` (the 32-byte ML-DSA seed, in private keys only). Only the
/// ML-DSA algorithms are AKP algorithms here.
fn akp_from_jwk(jwk: &Jwk) -> Result<KeyMaterial, KeyError> {
    let name = member(&jwk.alg, "AKP JWK needs \"alg\"")?;
    let alg = Algorithm::from_name(name).ok_or(KeyError::UnsupportedKeyType {
        what: "AKP algorithm other than ML-DSA-44, ML-DSA-65 and ML-DSA-87",
    })?;
    let public_len = akp_public_len(alg).ok_or(KeyError::UnsupportedKeyType {
        what: "AKP algorithm other than ML-DSA-44, ML-DSA-65 and ML-DSA-87",
    })?;
    let public = b64(
        member(&jwk.public, "AKP JWK needs \"pub\"")?,
        "\"pub\" is not strict base64url",
    )?;
    if public.len() != public_len {
        return Err(KeyError::InvalidJwk {
            reason: "ML-DSA \"pub\" has the wrong length for its \"alg\" (1312, 1952 or 2592 bytes)",
        });
    }
    match &jwk.private {
        None => Ok(KeyMaterial::AkpPublic { alg, public }),
        Some(private) => {
            let seed = b64(private, "\"priv\" is not strict base64url")?;
            if seed.len() != 32 {
                return Err(KeyError::InvalidJwk {
                    reason: "ML-DSA \"priv\" must be the 32-byte seed",
                });
            }
            Ok(KeyMaterial::AkpPrivate {
                alg,
                seed,
                public: Some(public),
            })
        }
    }
}

/// The public key length of an AKP algorithm (FIPS 204 Table 2 for ML-DSA).
pub(crate) const fn akp_public_len(alg: Algorithm) -> Option<usize> {
    match alg {
        Algorithm::MlDsa44 => Some(1312),
        Algorithm::MlDsa65 => Some(1952),
        Algorithm::MlDsa87 => Some(2592),
        _ => None,
    }
}

impl FromStr for Jwk {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Jwk::from_json(s)
    }
}

impl fmt::Debug for Jwk {
    /// Shows the public members; private ones are shown as `<redacted>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |m: &Option<String>| m.as_ref().map(|_| "<redacted>");
        f.debug_struct("Jwk")
            .field("kty", &self.kty)
            .field("use", &self.key_use)
            .field("key_ops", &self.key_ops)
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("crv", &self.crv)
            .field("x", &self.x)
            .field("y", &self.y)
            .field("n", &self.n)
            .field("e", &self.e)
            .field("d", &redact(&self.d))
            .field("k", &redact(&self.k))
            .field("pub", &self.public)
            .field("priv", &redact(&self.private))
            .finish_non_exhaustive()
    }
}

fn member<'a>(value: &'a Option<String>, missing: &'static str) -> Result<&'a str, KeyError> {
    value
        .as_deref()
        .ok_or(KeyError::InvalidJwk { reason: missing })
}

fn b64(value: &str, reason: &'static str) -> Result<Vec<u8>, KeyError> {
    base64url::decode(value).map_err(|_| KeyError::InvalidJwk { reason })
}

#[cfg(test)]
mod tests;
