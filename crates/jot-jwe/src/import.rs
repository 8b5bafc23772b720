//! Reading key material from JWK (RFC 7517/7518/8037), PEM and DER (PKCS#8, SPKI,
//! PKCS#1, SEC1), before it becomes a typed [`crate::EncryptionKey`] or
//! [`crate::DecryptionKey`].

use jot_algorithms::Jwk;
use zeroize::Zeroizing;

use crate::ecdh::{EcPrivate, EcPublic};
use crate::{ContentEncryption, Curve, KeyAlgorithm, KeyError, base64url};

/// Key material of any kind, not yet tied to an algorithm.
pub(crate) enum Material {
    /// An `oct` secret (or a PBES2 password).
    Secret(Zeroizing<Vec<u8>>),
    /// An EC or X25519 public key.
    EcPublic(EcPublic),
    /// An EC or X25519 private key.
    EcPrivate(EcPrivate),
    /// An RSA public key.
    #[cfg(feature = "rsa")]
    RsaPublic(rsa::PublicKey),
    /// An RSA private key.
    #[cfg(feature = "rsa")]
    RsaPrivate(Box<rsa::PrivateKey>),
}

impl Material {
    /// A short name of the key type, for errors.
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Material::Secret(_) => "symmetric",
            Material::EcPublic(_) | Material::EcPrivate(_) => "EC/OKP",
            #[cfg(feature = "rsa")]
            Material::RsaPublic(_) | Material::RsaPrivate(_) => "RSA",
        }
    }
}

/// What a JWK's `alg` says.
pub(crate) enum JwkAlg {
    /// No `alg`.
    None,
    /// A key management algorithm.
    Key(KeyAlgorithm),
    /// A content encryption algorithm: a `dir` key for exactly that `enc`.
    Dir(ContentEncryption),
}

/// Reads the JWK's `alg`, and checks `use` and `key_ops` allow `op`
/// (`"encrypt"` or `"decrypt"`).
pub(crate) fn jwk_alg(jwk: &Jwk, op: &'static str) -> Result<JwkAlg, KeyError> {
    if let Some(key_use) = &jwk.key_use {
        if key_use != "enc" {
            return Err(KeyError::JwkUsage { needed: op });
        }
    }
    if let Some(ops) = &jwk.key_ops {
        for (i, a) in ops.iter().enumerate() {
            if ops[..i].contains(a) {
                return Err(KeyError::InvalidJwk {
                    reason: "duplicate key_ops value",
                });
            }
        }
        let accepted: [&str; 3] = if op == "encrypt" {
            ["encrypt", "wrapKey", "deriveKey"]
        } else {
            ["decrypt", "unwrapKey", "deriveKey"]
        };
        if !ops
            .iter()
            .any(|o| accepted.contains(&o.as_str()) || o == "deriveBits")
        {
            return Err(KeyError::JwkUsage { needed: op });
        }
    }
    Ok(match jwk.alg.as_deref() {
        None => JwkAlg::None,
        Some(name) => {
            if let Some(alg) = KeyAlgorithm::from_name(name) {
                JwkAlg::Key(alg)
            } else if let Some(enc) = ContentEncryption::from_name(name) {
                JwkAlg::Dir(enc)
            } else {
                return Err(KeyError::AlgorithmMismatch {
                    key: crate::error::clip(name),
                    requested: "a JWE algorithm",
                });
            }
        }
    })
}

fn b64(value: &str, reason: &'static str) -> Result<Vec<u8>, KeyError> {
    base64url::decode(value).map_err(|_| KeyError::InvalidJwk { reason })
}

fn member<'a>(m: &'a Option<String>, reason: &'static str) -> Result<&'a str, KeyError> {
    m.as_deref().ok_or(KeyError::InvalidJwk { reason })
}

/// Decodes the key members of a JWK.
pub(crate) fn jwk_material(jwk: &Jwk) -> Result<Material, KeyError> {
    match jwk.kty.as_str() {
        "oct" => {
            let k = member(&jwk.k, "oct JWK needs \"k\"")?;
            Ok(Material::Secret(Zeroizing::new(b64(
                k,
                "\"k\" is not strict base64url",
            )?)))
        }
        "EC" | "OKP" => {
            let crv = member(&jwk.crv, "EC/OKP JWK needs \"crv\"")?;
            let curve = Curve::from_name(crv).ok_or(KeyError::Unsupported {
                what: "curve (jot encrypts to P-256, P-384, P-521 and X25519)",
            })?;
            if (jwk.kty == "OKP") != (curve == Curve::X25519) {
                return Err(KeyError::InvalidJwk {
                    reason: "\"kty\" does not match \"crv\"",
                });
            }
            let x = b64(member(&jwk.x, "JWK needs \"x\"")?, "\"x\" is not base64url")?;
            let y = match &jwk.y {
                Some(y) => Some(b64(y, "\"y\" is not base64url")?),
                None => None,
            };
            let public = EcPublic::from_coordinates(curve, &x, y.as_deref())?;
            match &jwk.d {
                None => Ok(Material::EcPublic(public)),
                Some(d) => {
                    let d = Zeroizing::new(b64(d, "\"d\" is not base64url")?);
                    Ok(Material::EcPrivate(EcPrivate::from_d(
                        curve,
                        &d,
                        Some(&public),
                    )?))
                }
            }
        }
        "RSA" => rsa_jwk(jwk),
        "" => Err(KeyError::InvalidJwk {
            reason: "missing \"kty\"",
        }),
        _ => Err(KeyError::Unsupported { what: "JWK kty" }),
    }
}

#[cfg(feature = "rsa")]
fn rsa_jwk(jwk: &Jwk) -> Result<Material, KeyError> {
    let n = b64(
        member(&jwk.n, "RSA JWK needs \"n\"")?,
        "\"n\" is not base64url",
    )?;
    let e = b64(
        member(&jwk.e, "RSA JWK needs \"e\"")?,
        "\"e\" is not base64url",
    )?;
    if n.first() == Some(&0) || e.first() == Some(&0) || n.is_empty() || e.is_empty() {
        return Err(KeyError::InvalidJwk {
            reason: "\"n\" and \"e\" must be minimal big-endian integers",
        });
    }
    let Some(d) = &jwk.d else {
        return Ok(Material::RsaPublic(crate::rsa_kw::public_from_components(
            &n, &e,
        )?));
    };
    if jwk.oth.is_some() {
        return Err(KeyError::Unsupported {
            what: "multi-prime RSA",
        });
    }
    let secret = |m: &Option<String>| -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let v = m.as_deref().ok_or(KeyError::Unsupported {
            what: "RSA private JWK without p and q",
        })?;
        b64(v, "an RSA private member is not base64url").map(Zeroizing::new)
    };
    let d = Zeroizing::new(b64(d, "\"d\" is not base64url")?);
    let key =
        crate::rsa_kw::private_from_components(&n, &e, &d, &secret(&jwk.p)?, &secret(&jwk.q)?)?;
    Ok(Material::RsaPrivate(Box::new(key)))
}

#[cfg(not(feature = "rsa"))]
fn rsa_jwk(_: &Jwk) -> Result<Material, KeyError> {
    Err(KeyError::Disabled {
        what: "RSA",
        feature: "rsa",
    })
}

/// The bit length of a big-endian integer.
pub(crate) fn bit_len(n: &[u8]) -> usize {
    match n.iter().position(|b| *b != 0) {
        None => 0,
        Some(i) => (n.len() - i) * 8 - n[i].leading_zeros() as usize,
    }
}

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_X25519: &str = "1.3.101.110";

fn curve_from_oid(oid: &str) -> Result<Curve, KeyError> {
    match oid {
        "1.2.840.10045.3.1.7" => Ok(Curve::P256),
        "1.3.132.0.34" => Ok(Curve::P384),
        "1.3.132.0.35" => Ok(Curve::P521),
        _ => Err(KeyError::Unsupported { what: "EC curve" }),
    }
}

/// Reads a PEM key: `PRIVATE KEY`, `PUBLIC KEY`, `RSA PRIVATE KEY`, `RSA PUBLIC KEY`
/// or `EC PRIVATE KEY`.
pub(crate) fn pem_material(pem: &[u8]) -> Result<Material, KeyError> {
    let (label, der) = pem_rfc7468::decode_vec(pem)
        .map_err(|_| KeyError::InvalidEncoding { reason: "not PEM" })?;
    let der = Zeroizing::new(der);
    match label {
        "PRIVATE KEY" => pkcs8_material(&der),
        "PUBLIC KEY" => spki_material(&der),
        "RSA PRIVATE KEY" => rsa_der(&der, false, true),
        "RSA PUBLIC KEY" => rsa_der(&der, false, false),
        "EC PRIVATE KEY" => sec1_material(&der),
        _ => Err(KeyError::InvalidEncoding {
            reason: "PEM label is not a key jot reads",
        }),
    }
}

/// Reads a DER key of any of the PEM kinds, trying each structure.
pub(crate) fn der_material(der: &[u8]) -> Result<Material, KeyError> {
    pkcs8_material(der)
        .or_else(|_| spki_material(der))
        .or_else(|_| sec1_material(der))
        .or_else(|_| rsa_der(der, false, true))
        .or_else(|_| rsa_der(der, false, false))
        .map_err(|_| KeyError::InvalidEncoding {
            reason: "DER is no key structure jot reads",
        })
}

fn pkcs8_material(der: &[u8]) -> Result<Material, KeyError> {
    let bad = KeyError::InvalidEncoding {
        reason: "malformed PKCS#8",
    };
    let info = pkcs8::PrivateKeyInfoRef::try_from(der).map_err(|_| bad.clone())?;
    match info.algorithm.oid.to_string().as_str() {
        OID_RSA => rsa_der(der, true, true),
        OID_EC => {
            let curve = curve_from_oid(
                &info
                    .algorithm
                    .parameters_oid()
                    .map_err(|_| bad.clone())?
                    .to_string(),
            )?;
            let ec = sec1::EcPrivateKey::try_from(info.private_key.as_bytes())
                .map_err(|_| bad.clone())?;
            ec_private(curve, ec.private_key, ec.public_key)
        }
        OID_X25519 => {
            let inner = info.private_key.as_bytes();
            match inner {
                [0x04, 0x20, d @ ..] if d.len() == 32 => Ok(Material::EcPrivate(
                    EcPrivate::from_d(Curve::X25519, d, None)?,
                )),
                _ => Err(bad),
            }
        }
        _ => Err(KeyError::Unsupported {
            what: "PKCS#8 key algorithm",
        }),
    }
}

fn spki_material(der: &[u8]) -> Result<Material, KeyError> {
    let bad = KeyError::InvalidEncoding {
        reason: "malformed SPKI",
    };
    let info = spki::SubjectPublicKeyInfoRef::try_from(der).map_err(|_| bad.clone())?;
    let key = info.subject_public_key.as_bytes().ok_or(bad.clone())?;
    match info.algorithm.oid.to_string().as_str() {
        OID_RSA => rsa_der(der, true, false),
        OID_EC => {
            let curve = curve_from_oid(
                &info
                    .algorithm
                    .parameters_oid()
                    .map_err(|_| bad.clone())?
                    .to_string(),
            )?;
            Ok(Material::EcPublic(EcPublic::from_sec1(curve, key)?))
        }
        OID_X25519 => Ok(Material::EcPublic(EcPublic::from_coordinates(
            Curve::X25519,
            key,
            None,
        )?)),
        _ => Err(KeyError::Unsupported {
            what: "SPKI key algorithm",
        }),
    }
}

fn sec1_material(der: &[u8]) -> Result<Material, KeyError> {
    let ec = sec1::EcPrivateKey::try_from(der).map_err(|_| KeyError::InvalidEncoding {
        reason: "malformed SEC1",
    })?;
    let Some(sec1::EcParameters::NamedCurve(oid)) = ec.parameters else {
        return Err(KeyError::InvalidEncoding {
            reason: "SEC1 key without a named curve",
        });
    };
    ec_private(
        curve_from_oid(&oid.to_string())?,
        ec.private_key,
        ec.public_key,
    )
}

fn ec_private(curve: Curve, d: &[u8], public: Option<&[u8]>) -> Result<Material, KeyError> {
    let len = curve.field_len();
    if d.len() > len {
        return Err(KeyError::InvalidPoint);
    }
    let mut padded = Zeroizing::new(vec![0u8; len]);
    padded[len - d.len()..].copy_from_slice(d);
    let public = match public {
        Some(point) => Some(EcPublic::from_sec1(curve, point)?),
        None => None,
    };
    Ok(Material::EcPrivate(EcPrivate::from_d(
        curve,
        &padded,
        public.as_ref(),
    )?))
}

#[cfg(feature = "rsa")]
fn rsa_der(der: &[u8], wrapped: bool, private: bool) -> Result<Material, KeyError> {
    if private {
        crate::rsa_kw::private_from_der(der, wrapped).map(|k| Material::RsaPrivate(Box::new(k)))
    } else {
        crate::rsa_kw::public_from_der(der, wrapped).map(Material::RsaPublic)
    }
}

#[cfg(not(feature = "rsa"))]
fn rsa_der(_: &[u8], _: bool, _: bool) -> Result<Material, KeyError> {
    Err(KeyError::Disabled {
        what: "RSA",
        feature: "rsa",
    })
}
