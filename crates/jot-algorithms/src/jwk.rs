//! JSON Web Key (RFC 7517), with the key types of RFC 7518 (RSA, EC, oct) and
//! RFC 8037 (OKP / Ed25519). Its import into keys is in `import.rs`.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jot_codec::{Algorithm, base64url};
use serde::{Deserialize, Serialize};

use crate::KeyError;
use crate::der::{self, KeyMaterial, RsaPrivateParts};
use crate::ecdsa::Curve;
use crate::import::infer_algorithm;

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
/// let key = VerifyingKey::from_jwk(&jwk)?;
/// assert_eq!(key.algorithm(), Algorithm::EdDSA);
/// # Ok::<(), jot_algorithms::KeyError>(())
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Jwk {
    /// Key type: `RSA`, `EC`, `oct` or `OKP`.
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
    /// Members jot does not know, kept as they were.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

/// What a JWK holds once decoded.
pub(crate) enum JwkKey {
    /// An `oct` secret.
    Secret(Vec<u8>),
    /// An asymmetric key.
    Material(KeyMaterial),
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

    /// Whether this JWK has private members (`d` or `k`).
    pub fn is_private(&self) -> bool {
        self.d.is_some() || self.k.is_some()
    }

    /// This JWK without its private members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`).
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

    /// Checks `use` and `key_ops` allow `op` (`"sign"` or `"verify"`).
    pub(crate) fn check_usage(&self, op: &'static str) -> Result<(), KeyError> {
        if let Some(key_use) = &self.key_use {
            if key_use != "sig" {
                return Err(KeyError::JwkUsage { needed: op });
            }
        }
        if let Some(ops) = &self.key_ops {
            for (i, a) in ops.iter().enumerate() {
                if ops[..i].contains(a) {
                    return Err(KeyError::InvalidJwk {
                        reason: "duplicate key_ops value",
                    });
                }
            }
            if !ops.iter().any(|o| o == op) {
                return Err(KeyError::JwkUsage { needed: op });
            }
        }
        Ok(())
    }

    /// The algorithm to use: the requested one (which must agree with the JWK's `alg`),
    /// else the JWK's `alg`, else the one its curve implies.
    pub(crate) fn resolve_algorithm(
        &self,
        requested: Option<Algorithm>,
        key: &JwkKey,
    ) -> Result<Algorithm, KeyError> {
        let own = self.algorithm()?;
        match (requested, own) {
            (Some(r), Some(o)) if r != o => Err(KeyError::AlgorithmMismatch {
                key: o.as_str(),
                requested: r,
            }),
            (Some(alg), _) | (None, Some(alg)) => Ok(alg),
            (None, None) => match key {
                JwkKey::Secret(_) => Err(KeyError::AlgorithmRequired { key_type: "oct" }),
                JwkKey::Material(material) => infer_algorithm(material),
            },
        }
    }

    /// Decodes and checks the key members for the `kty`.
    pub(crate) fn decode(&self) -> Result<JwkKey, KeyError> {
        match self.kty.as_str() {
            "RSA" => self.decode_rsa().map(JwkKey::Material),
            "EC" => self.decode_ec().map(JwkKey::Material),
            "OKP" => self.decode_okp().map(JwkKey::Material),
            "oct" => {
                let k = member(&self.k, "oct JWK needs \"k\"")?;
                Ok(JwkKey::Secret(b64(k, "\"k\" is not strict base64url")?))
            }
            "" => Err(KeyError::InvalidJwk {
                reason: "missing \"kty\"",
            }),
            _ => Err(KeyError::UnsupportedKeyType { what: "JWK kty" }),
        }
    }

    fn decode_rsa(&self) -> Result<KeyMaterial, KeyError> {
        let n = b64(
            member(&self.n, "RSA JWK needs \"n\"")?,
            "\"n\" is not strict base64url",
        )?;
        let e = b64(
            member(&self.e, "RSA JWK needs \"e\"")?,
            "\"e\" is not strict base64url",
        )?;
        if n.first() == Some(&0) || e.first() == Some(&0) || n.is_empty() || e.is_empty() {
            return Err(KeyError::InvalidJwk {
                reason: "\"n\" and \"e\" must be minimal big-endian integers",
            });
        }
        let Some(d) = &self.d else {
            return Ok(KeyMaterial::RsaPublic { n, e });
        };
        if self.oth.is_some() {
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
        let d = b64(d, "\"d\" is not strict base64url")?;
        let (p, q, dp, dq, qi) = (
            crt(&self.p)?,
            crt(&self.q)?,
            crt(&self.dp)?,
            crt(&self.dq)?,
            crt(&self.qi)?,
        );
        let pkcs1 = der::encode_pkcs1_private(&RsaPrivateParts {
            n: &n,
            e: &e,
            d: &d,
            p: &p,
            q: &q,
            dp: &dp,
            dq: &dq,
            qi: &qi,
        })?;
        Ok(KeyMaterial::RsaPrivate { pkcs1 })
    }

    fn decode_ec(&self) -> Result<KeyMaterial, KeyError> {
        let crv = member(&self.crv, "EC JWK needs \"crv\"")?;
        let curve =
            Curve::from_jwk_name(crv).ok_or(KeyError::UnsupportedKeyType { what: "EC curve" })?;
        let len = curve.field_len();
        let x = b64(
            member(&self.x, "EC JWK needs \"x\"")?,
            "\"x\" is not strict base64url",
        )?;
        let y = b64(
            member(&self.y, "EC JWK needs \"y\"")?,
            "\"y\" is not strict base64url",
        )?;
        if x.len() != len || y.len() != len {
            return Err(KeyError::InvalidJwk {
                reason: "EC coordinate has the wrong length for the curve",
            });
        }
        let mut q = Vec::with_capacity(1 + 2 * len);
        q.push(0x04);
        q.extend_from_slice(&x);
        q.extend_from_slice(&y);
        match &self.d {
            None => Ok(KeyMaterial::EcPublic { curve, q }),
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
                    q: Some(q),
                })
            }
        }
    }

    fn decode_okp(&self) -> Result<KeyMaterial, KeyError> {
        let crv = member(&self.crv, "OKP JWK needs \"crv\"")?;
        if crv != "Ed25519" {
            return Err(KeyError::UnsupportedKeyType {
                what: "OKP curve other than Ed25519",
            });
        }
        let x = b64(
            member(&self.x, "OKP JWK needs \"x\"")?,
            "\"x\" is not strict base64url",
        )?;
        if x.len() != 32 {
            return Err(KeyError::InvalidJwk {
                reason: "Ed25519 \"x\" must be 32 bytes",
            });
        }
        match &self.d {
            None => Ok(KeyMaterial::Ed25519Public { x }),
            Some(d) => {
                let seed = b64(d, "\"d\" is not strict base64url")?;
                if seed.len() != 32 {
                    return Err(KeyError::InvalidJwk {
                        reason: "Ed25519 \"d\" must be 32 bytes",
                    });
                }
                Ok(KeyMaterial::Ed25519Private {
                    seed,
                    public: Some(x),
                })
            }
        }
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
mod tests {
    use jot_codec::{AlgorithmFamily, Signer, Verifier};

    use crate::{SigningKey, VerifyingKey};

    use super::*;

    const RSA_PKCS8: &str = include_str!("../tests/data/rsa2048.pkcs8.pem");

    fn pair_verifies(signing: &SigningKey, verifying: &VerifyingKey) -> bool {
        let mut sig = Vec::new();
        signing.sign(b"in", &mut sig).unwrap();
        verifying
            .verify(signing.algorithm(), None, b"in", &sig)
            .is_ok()
    }

    #[test]
    fn private_jwk_round_trips_for_every_kty() {
        let mut keys = vec![
            SigningKey::from_pem(Algorithm::PS384, RSA_PKCS8).unwrap(),
            SigningKey::generate(Algorithm::HS512).unwrap(),
        ];
        for alg in [
            Algorithm::ES256,
            Algorithm::ES384,
            Algorithm::ES512,
            Algorithm::ES256K,
            Algorithm::EdDSA,
        ] {
            if let Ok(key) = SigningKey::generate(alg) {
                keys.push(key);
            }
        }
        for key in keys {
            let key = key.with_kid("kid-1");
            let jwk = key.to_jwk().unwrap();
            assert_eq!(jwk.key_use.as_deref(), Some("sig"));
            let json = jwk.to_json();
            let parsed: Jwk = json.parse().unwrap();
            assert_eq!(parsed, jwk);
            let again = SigningKey::from_jwk(&parsed).unwrap();
            assert_eq!(
                (again.algorithm(), again.kid()),
                (key.algorithm(), Some("kid-1"))
            );
            assert!(pair_verifies(&again, &key.verifying_key()));
            let public = VerifyingKey::from_jwk(&parsed.to_public());
            if key.algorithm().family() == AlgorithmFamily::Hmac {
                assert!(public.is_err());
            } else {
                assert!(pair_verifies(&key, &public.unwrap()));
                assert_eq!(key.verifying_key().to_jwk().unwrap(), parsed.to_public());
                assert_eq!(
                    SigningKey::from_jwk(&parsed.to_public()).unwrap_err(),
                    KeyError::LooksLikePublicKey
                );
            }
            assert_eq!(key.thumbprint().unwrap(), parsed.thumbprint().unwrap());
        }
    }

    #[test]
    fn alg_use_and_key_ops_are_honoured() {
        let key = SigningKey::from_pem(Algorithm::RS256, RSA_PKCS8).unwrap();
        let mut jwk = key.to_jwk().unwrap();
        assert_eq!(
            SigningKey::from_jwk_with_alg(Algorithm::PS256, &jwk).unwrap_err(),
            KeyError::AlgorithmMismatch {
                key: "RS256",
                requested: Algorithm::PS256
            }
        );
        assert!(SigningKey::from_jwk_with_alg(Algorithm::RS256, &jwk).is_ok());
        jwk.alg = None;
        assert_eq!(
            SigningKey::from_jwk(&jwk).unwrap_err(),
            KeyError::AlgorithmRequired { key_type: "RSA" }
        );
        assert!(SigningKey::from_jwk_with_alg(Algorithm::PS512, &jwk).is_ok());
        jwk.alg = Some("RSA-OAEP".into());
        assert!(matches!(
            SigningKey::from_jwk(&jwk),
            Err(KeyError::JwkUsage { .. })
        ));
        jwk.alg = Some("RS256".into());
        jwk.key_ops = Some(vec!["verify".into()]);
        assert_eq!(
            SigningKey::from_jwk(&jwk).unwrap_err(),
            KeyError::JwkUsage { needed: "sign" }
        );
        assert!(VerifyingKey::from_jwk(&jwk).is_ok());
        jwk.key_ops = Some(vec!["verify".into(), "verify".into()]);
        assert!(matches!(
            VerifyingKey::from_jwk(&jwk),
            Err(KeyError::InvalidJwk { .. })
        ));
        jwk.key_ops = None;
        jwk.key_use = Some("enc".into());
        assert_eq!(
            VerifyingKey::from_jwk(&jwk).unwrap_err(),
            KeyError::JwkUsage { needed: "verify" }
        );
    }

    #[test]
    fn strict_member_checks() {
        let key = SigningKey::generate(Algorithm::ES256).unwrap();
        let good = key.to_jwk().unwrap();
        let with = |f: &dyn Fn(&mut Jwk)| {
            let mut jwk = good.clone();
            f(&mut jwk);
            jwk
        };
        // Padding, wrong lengths, missing members.
        let padded = with(&|j| j.x = Some(format!("{}=", j.x.as_ref().unwrap())));
        assert!(matches!(
            VerifyingKey::from_jwk(&padded),
            Err(KeyError::InvalidJwk { .. })
        ));
        let short = with(&|j| j.y = Some(base64url::encode(&[1u8; 31])));
        assert!(matches!(
            VerifyingKey::from_jwk(&short),
            Err(KeyError::InvalidJwk { .. })
        ));
        let no_crv = with(&|j| j.crv = None);
        assert!(matches!(
            VerifyingKey::from_jwk(&no_crv),
            Err(KeyError::InvalidJwk { .. })
        ));
        let bad_crv = with(&|j| j.crv = Some("P-192".into()));
        assert!(matches!(
            VerifyingKey::from_jwk(&bad_crv),
            Err(KeyError::UnsupportedKeyType { .. })
        ));
        // Not on the curve.
        let off = with(&|j| j.y = Some(base64url::encode(&[1u8; 32])));
        assert_eq!(
            VerifyingKey::from_jwk(&off).unwrap_err(),
            KeyError::InvalidPoint
        );
        // Private part that does not match the public part.
        let other = SigningKey::generate(Algorithm::ES256)
            .unwrap()
            .to_jwk()
            .unwrap();
        let mixed = with(&|j| j.d = other.d.clone());
        assert_eq!(
            SigningKey::from_jwk(&mixed).unwrap_err(),
            KeyError::InconsistentKey
        );
        // The curve fixes the algorithm.
        assert!(matches!(
            VerifyingKey::from_jwk_with_alg(Algorithm::ES384, &with(&|j| j.alg = None)),
            Err(KeyError::AlgorithmMismatch { .. })
        ));
        // RSA: minimal integers only; weak keys refused.
        let rsa = SigningKey::from_pem(Algorithm::RS256, RSA_PKCS8)
            .unwrap()
            .verifying_key()
            .to_jwk()
            .unwrap();
        let mut padded_n = rsa.clone();
        let n = base64url::decode(rsa.n.as_deref().unwrap()).unwrap();
        padded_n.n = Some(base64url::encode(&[&[0u8][..], &n].concat()));
        assert!(matches!(
            VerifyingKey::from_jwk(&padded_n),
            Err(KeyError::InvalidJwk { .. })
        ));
        let mut weak = rsa.clone();
        weak.n = Some(base64url::encode(&n[..128]));
        assert_eq!(
            VerifyingKey::from_jwk(&weak).unwrap_err(),
            KeyError::RsaTooSmall { bits: 1024 }
        );
        // oct: the secret must be long enough and the alg HMAC.
        let oct: Jwk = r#"{"kty":"oct","alg":"HS256","k":"c2hvcnQ"}"#.parse().unwrap();
        assert!(matches!(
            VerifyingKey::from_jwk(&oct),
            Err(KeyError::WeakHmacSecret { .. })
        ));
        let oct_rs: Jwk =
            r#"{"kty":"oct","alg":"RS256","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}"#
                .parse()
                .unwrap();
        assert!(matches!(
            VerifyingKey::from_jwk(&oct_rs),
            Err(KeyError::AlgorithmMismatch { .. })
        ));
        assert!(matches!(
            "[1]".parse::<Jwk>(),
            Err(KeyError::InvalidJwk { .. })
        ));
    }

    #[test]
    fn rfc8037_ed25519_and_unknown_members() {
        let jwk: Jwk = r#"{"kty":"OKP","crv":"Ed25519","ext":true,"x5c":["MIIB"],
            "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
            "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#
            .parse()
            .unwrap();
        assert_eq!(jwk.other.get("ext"), Some(&serde_json::Value::Bool(true)));
        assert!(jwk.to_json().contains(r#""ext":true"#));
        assert!(!format!("{jwk:?}").contains("nWGxne"));
        let key = SigningKey::from_jwk(&jwk).unwrap();
        let mut sig = Vec::new();
        key.sign(
            b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc",
            &mut sig,
        )
        .unwrap();
        assert_eq!(
            base64url::encode(&sig),
            "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
        );
        let x448: Jwk = r#"{"kty":"OKP","crv":"Ed448","x":"AAAA"}"#.parse().unwrap();
        assert!(matches!(
            VerifyingKey::from_jwk(&x448),
            Err(KeyError::UnsupportedKeyType { .. })
        ));
    }
}
