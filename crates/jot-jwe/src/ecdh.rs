//! ECDH-ES (RFC 7518 §4.6, RFC 8037 §3.2): the recipient's keys, ephemeral key
//! agreement for encryption (the crypto provider on P-256, P-384 and X25519; RustCrypto `p521` on
//! P-521) and static-key agreement for decryption (RustCrypto `p256`, `p384`, `p521`,
//! `x25519-dalek`), with every ephemeral public key validated.

// With neither curve feature, the key enums are uninhabited and most code is dead.
#![cfg_attr(
    not(any(feature = "ec", feature = "x25519")),
    allow(unused, unreachable_code)
)]
#[cfg(any(feature = "ec", feature = "x25519"))]
use jot_algorithms::provider::{self, AgreementCurve};
use jot_algorithms::{EcCurve, Jwk, KeyMaterial, OkpCurve};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::{Curve, Error, KeyError};

/// A recipient's public key for ECDH-ES, checked to be a valid point of its curve.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum EcPublic {
    /// P-256 or P-384: the uncompressed SEC1 point, validated.
    #[cfg(feature = "ec")]
    Nist { curve: Curve, point: Vec<u8> },
    /// An X25519 public key.
    #[cfg(feature = "x25519")]
    X25519([u8; 32]),
    /// No curve is compiled in.
    #[cfg(not(any(feature = "ec", feature = "x25519")))]
    Disabled(std::convert::Infallible),
}

/// A recipient's private key for ECDH-ES.
pub(crate) enum EcPrivate {
    #[cfg(feature = "ec")]
    P256(p256::SecretKey),
    #[cfg(feature = "ec")]
    P384(p384::SecretKey),
    #[cfg(feature = "ec")]
    P521(p521::SecretKey),
    #[cfg(feature = "x25519")]
    X25519(x25519_dalek::StaticSecret),
    /// No curve is compiled in.
    #[cfg(not(any(feature = "ec", feature = "x25519")))]
    Disabled(std::convert::Infallible),
}

fn disabled_key(curve: Curve) -> KeyError {
    KeyError::Disabled {
        what: curve.as_str(),
        feature: if curve == Curve::X25519 {
            "x25519"
        } else {
            "ec"
        },
    }
}

const UNSUPPORTED_CURVE: KeyError = KeyError::Unsupported {
    what: "curve (jot encrypts to P-256, P-384, P-521 and X25519)",
};

/// The ECDH-ES curve of an EC key.
fn from_ec_curve(curve: EcCurve) -> Result<Curve, KeyError> {
    match curve {
        EcCurve::P256 => Ok(Curve::P256),
        EcCurve::P384 => Ok(Curve::P384),
        EcCurve::P521 => Ok(Curve::P521),
        _ => Err(UNSUPPORTED_CURVE),
    }
}

/// The ECDH-ES curve of an OKP key.
fn from_okp_curve(curve: OkpCurve) -> Result<Curve, KeyError> {
    match curve {
        OkpCurve::X25519 => Ok(Curve::X25519),
        _ => Err(UNSUPPORTED_CURVE),
    }
}

impl EcPublic {
    /// A public key from what the shared key reader read (an EC or OKP public key),
    /// validated.
    pub(crate) fn from_key_material(material: KeyMaterial) -> Result<EcPublic, KeyError> {
        match material {
            KeyMaterial::EcPublic { curve, point } => {
                EcPublic::from_sec1(from_ec_curve(curve)?, &point)
            }
            KeyMaterial::OkpPublic { curve, x } => {
                from_okp_curve(curve)?;
                EcPublic::x25519(&x)
            }
            _ => Err(UNSUPPORTED_CURVE),
        }
    }

    /// An X25519 public key (32 bytes; every such string is a valid key, and
    /// small-order points are caught when the shared secret is computed).
    pub(crate) fn x25519(x: &[u8]) -> Result<EcPublic, KeyError> {
        #[cfg(feature = "x25519")]
        {
            let bytes: [u8; 32] = x.try_into().map_err(|_| KeyError::InvalidPoint)?;
            Ok(EcPublic::X25519(bytes))
        }
        #[cfg(not(feature = "x25519"))]
        {
            let _ = x;
            Err(disabled_key(Curve::X25519))
        }
    }

    /// Builds and validates a NIST-curve public key from a SEC1 point.
    pub(crate) fn from_sec1(curve: Curve, point: &[u8]) -> Result<EcPublic, KeyError> {
        #[cfg(feature = "ec")]
        {
            use p256::elliptic_curve::sec1::ToSec1Point as _;
            let point = match curve {
                Curve::P256 => p256::PublicKey::from_sec1_bytes(point)
                    .map(|k| k.as_affine().to_sec1_point(false).as_bytes().to_vec()),
                Curve::P384 => p384::PublicKey::from_sec1_bytes(point)
                    .map(|k| k.as_affine().to_sec1_point(false).as_bytes().to_vec()),
                Curve::P521 => p521::PublicKey::from_sec1_bytes(point)
                    .map(|k| k.as_affine().to_sec1_point(false).as_bytes().to_vec()),
                Curve::X25519 => return Err(KeyError::InvalidPoint),
            }
            .map_err(|_| KeyError::InvalidPoint)?;
            Ok(EcPublic::Nist { curve, point })
        }
        #[cfg(not(feature = "ec"))]
        {
            let _ = point;
            Err(disabled_key(curve))
        }
    }

    /// The curve.
    pub(crate) fn curve(&self) -> Curve {
        match self {
            #[cfg(feature = "ec")]
            EcPublic::Nist { curve, .. } => *curve,
            #[cfg(feature = "x25519")]
            EcPublic::X25519(_) => Curve::X25519,
            #[cfg(not(any(feature = "ec", feature = "x25519")))]
            EcPublic::Disabled(never) => match *never {},
        }
    }

    /// The key as the shared key reader's [`KeyMaterial`] (for JWK, PEM and DER).
    pub(crate) fn to_key_material(&self) -> KeyMaterial {
        match self {
            #[cfg(feature = "ec")]
            EcPublic::Nist { curve, point } => KeyMaterial::EcPublic {
                curve: ec_curve(*curve),
                point: point.clone(),
            },
            #[cfg(feature = "x25519")]
            EcPublic::X25519(x) => KeyMaterial::OkpPublic {
                curve: OkpCurve::X25519,
                x: x.to_vec(),
            },
            #[cfg(not(any(feature = "ec", feature = "x25519")))]
            EcPublic::Disabled(never) => match *never {},
        }
    }

    /// The key as the JWK object of an `epk` header member.
    fn to_epk(&self) -> Result<Value, Error> {
        let jwk = self
            .to_key_material()
            .to_jwk()
            .map_err(|_| Error::Encryption)?;
        serde_json::to_value(jwk).map_err(|_| Error::Encryption)
    }

    /// Agrees on a shared secret with a fresh ephemeral key. Returns the shared
    /// secret `Z` and the ephemeral public key as the `epk` JWK object.
    pub(crate) fn agree_ephemeral(&self) -> Result<(Zeroizing<Vec<u8>>, Value), Error> {
        match self {
            #[cfg(feature = "ec")]
            EcPublic::Nist { curve, point } => match curve {
                Curve::P521 => p521_ephemeral(point),
                _ => {
                    let alg = if *curve == Curve::P256 {
                        AgreementCurve::P256
                    } else {
                        AgreementCurve::P384
                    };
                    let (z, epk) = provider_ephemeral(alg, point)?;
                    let epk = EcPublic::from_sec1(*curve, &epk).map_err(|_| Error::Encryption)?;
                    Ok((z, epk.to_epk()?))
                }
            },
            #[cfg(feature = "x25519")]
            EcPublic::X25519(x) => {
                let (z, epk) = provider_ephemeral(AgreementCurve::X25519, x)?;
                if z.iter().all(|b| *b == 0) {
                    return Err(Error::InvalidEphemeralKey {
                        reason: "all-zero X25519 shared secret",
                    });
                }
                let epk = EcPublic::x25519(&epk).map_err(|_| Error::Encryption)?;
                Ok((z, epk.to_epk()?))
            }
            #[cfg(not(any(feature = "ec", feature = "x25519")))]
            EcPublic::Disabled(never) => match *never {},
        }
    }
}

#[cfg(any(feature = "ec", feature = "x25519"))]
fn provider_ephemeral(
    alg: AgreementCurve,
    peer: &[u8],
) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Error> {
    provider::ecdh_ephemeral(alg, peer).map_err(|_| Error::Encryption)
}

#[cfg(feature = "ec")]
fn p521_ephemeral(peer: &[u8]) -> Result<(Zeroizing<Vec<u8>>, Value), Error> {
    let peer = p521::PublicKey::from_sec1_bytes(peer).map_err(|_| Error::Encryption)?;
    let secret = random_p521()?;
    let z = p521::ecdh::diffie_hellman(secret.to_nonzero_scalar(), peer.as_affine());
    let z = Zeroizing::new(z.raw_secret_bytes().to_vec());
    let epk = EcPrivate::P521(secret).public();
    Ok((z, epk.to_epk()?))
}

#[cfg(feature = "ec")]
fn random_p521() -> Result<p521::SecretKey, Error> {
    // Rejection sampling of a 521-bit scalar; each draw succeeds with probability
    // close to 1, so 64 draws failing means the generator is broken.
    for _ in 0..64 {
        let mut bytes = Zeroizing::new([0u8; 66]);
        crate::rng::fill(&mut bytes[..]).map_err(|()| Error::Random)?;
        bytes[0] &= 0x01;
        if let Ok(key) = p521::SecretKey::from_slice(&bytes[..]) {
            return Ok(key);
        }
    }
    Err(Error::Random)
}

impl EcPrivate {
    /// A private key from what the shared key reader read (an EC or OKP private key),
    /// checked against its public key when the format carried one.
    pub(crate) fn from_key_material(material: KeyMaterial) -> Result<EcPrivate, KeyError> {
        let (curve, d, public) = match material {
            KeyMaterial::EcPrivate { curve, d, point } => {
                let curve = from_ec_curve(curve)?;
                let public = match point {
                    Some(point) => Some(EcPublic::from_sec1(curve, &point)?),
                    None => None,
                };
                (curve, Zeroizing::new(d), public)
            }
            KeyMaterial::OkpPrivate { curve, d, x } => {
                let curve = from_okp_curve(curve)?;
                let public = match x {
                    Some(x) => Some(EcPublic::x25519(&x)?),
                    None => None,
                };
                (curve, Zeroizing::new(d), public)
            }
            _ => return Err(UNSUPPORTED_CURVE),
        };
        EcPrivate::from_d(curve, &d, public.as_ref())
    }

    /// Builds a private key from the JWK `d` (and checks it against `public`, if given).
    pub(crate) fn from_d(
        curve: Curve,
        d: &[u8],
        public: Option<&EcPublic>,
    ) -> Result<EcPrivate, KeyError> {
        if d.len() != curve.field_len() {
            return Err(KeyError::InvalidPoint);
        }
        let key: EcPrivate = match curve {
            #[cfg(feature = "ec")]
            Curve::P256 => {
                EcPrivate::P256(p256::SecretKey::from_slice(d).map_err(|_| KeyError::InvalidPoint)?)
            }
            #[cfg(feature = "ec")]
            Curve::P384 => {
                EcPrivate::P384(p384::SecretKey::from_slice(d).map_err(|_| KeyError::InvalidPoint)?)
            }
            #[cfg(feature = "ec")]
            Curve::P521 => {
                EcPrivate::P521(p521::SecretKey::from_slice(d).map_err(|_| KeyError::InvalidPoint)?)
            }
            #[cfg(feature = "x25519")]
            Curve::X25519 => {
                let mut bytes = Zeroizing::new([0u8; 32]);
                bytes.copy_from_slice(d);
                EcPrivate::X25519(x25519_dalek::StaticSecret::from(*bytes))
            }
            #[allow(unreachable_patterns)]
            _ => return Err(disabled_key(curve)),
        };
        if public.is_some_and(|public| *public != key.public()) {
            return Err(KeyError::InvalidPoint);
        }
        Ok(key)
    }

    /// Generates a key on `curve`.
    pub(crate) fn generate(curve: Curve) -> Result<EcPrivate, KeyError> {
        match curve {
            #[cfg(feature = "ec")]
            Curve::P521 => random_p521()
                .map(EcPrivate::P521)
                .map_err(|_| KeyError::Random),
            _ => {
                // Rejection sampling as for P-521; a 0 or out-of-range scalar is rare.
                for _ in 0..64 {
                    let mut d =
                        crate::rng::secret(curve.field_len()).map_err(|()| KeyError::Random)?;
                    if curve == Curve::X25519 {
                        d[0] &= 248;
                        d[31] &= 127;
                        d[31] |= 64;
                    }
                    match EcPrivate::from_d(curve, &d, None) {
                        Ok(key) => return Ok(key),
                        Err(KeyError::InvalidPoint) => continue,
                        Err(e) => return Err(e),
                    }
                }
                Err(KeyError::Random)
            }
        }
    }

    /// The curve.
    pub(crate) fn curve(&self) -> Curve {
        match self {
            #[cfg(feature = "ec")]
            EcPrivate::P256(_) => Curve::P256,
            #[cfg(feature = "ec")]
            EcPrivate::P384(_) => Curve::P384,
            #[cfg(feature = "ec")]
            EcPrivate::P521(_) => Curve::P521,
            #[cfg(feature = "x25519")]
            EcPrivate::X25519(_) => Curve::X25519,
            #[cfg(not(any(feature = "ec", feature = "x25519")))]
            EcPrivate::Disabled(never) => match *never {},
        }
    }

    /// The private scalar (`d` of the JWK).
    pub(crate) fn d(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(match self {
            #[cfg(feature = "ec")]
            EcPrivate::P256(k) => k.to_bytes().to_vec(),
            #[cfg(feature = "ec")]
            EcPrivate::P384(k) => k.to_bytes().to_vec(),
            #[cfg(feature = "ec")]
            EcPrivate::P521(k) => k.to_bytes().to_vec(),
            #[cfg(feature = "x25519")]
            EcPrivate::X25519(k) => k.to_bytes().to_vec(),
            #[cfg(not(any(feature = "ec", feature = "x25519")))]
            EcPrivate::Disabled(never) => match *never {},
        })
    }

    /// The key as the shared key reader's [`KeyMaterial`], with its public key.
    pub(crate) fn to_key_material(&self) -> KeyMaterial {
        let d = self.d().to_vec();
        match self.public().to_key_material() {
            KeyMaterial::OkpPublic { curve, x } => KeyMaterial::OkpPrivate {
                curve,
                d,
                x: Some(x),
            },
            KeyMaterial::EcPublic { curve, point } => KeyMaterial::EcPrivate {
                curve,
                d,
                point: Some(point),
            },
            other => other,
        }
    }

    /// The public key.
    pub(crate) fn public(&self) -> EcPublic {
        #[cfg(feature = "ec")]
        use p256::elliptic_curve::sec1::ToSec1Point as _;
        #[allow(unreachable_code)]
        match self {
            #[cfg(feature = "ec")]
            EcPrivate::P256(k) => EcPublic::Nist {
                curve: Curve::P256,
                point: k
                    .public_key()
                    .as_affine()
                    .to_sec1_point(false)
                    .as_bytes()
                    .to_vec(),
            },
            #[cfg(feature = "ec")]
            EcPrivate::P384(k) => EcPublic::Nist {
                curve: Curve::P384,
                point: k
                    .public_key()
                    .as_affine()
                    .to_sec1_point(false)
                    .as_bytes()
                    .to_vec(),
            },
            #[cfg(feature = "ec")]
            EcPrivate::P521(k) => EcPublic::Nist {
                curve: Curve::P521,
                point: k
                    .public_key()
                    .as_affine()
                    .to_sec1_point(false)
                    .as_bytes()
                    .to_vec(),
            },
            #[cfg(feature = "x25519")]
            EcPrivate::X25519(k) => EcPublic::X25519(x25519_dalek::PublicKey::from(k).to_bytes()),
            #[cfg(not(any(feature = "ec", feature = "x25519")))]
            EcPrivate::Disabled(never) => match *never {},
        }
    }

    /// Agrees with the sender's ephemeral public key `epk` (a JWK object from the
    /// header), after checking it: same key type and curve as this key, coordinates
    /// of the right length, a point on the curve (not the identity), and for X25519 a
    /// shared secret that is not all zero (a small-order point).
    pub(crate) fn agree(&self, epk: &Value) -> Result<Zeroizing<Vec<u8>>, Error> {
        let bad = |reason| Error::InvalidEphemeralKey { reason };
        if !epk.is_object() {
            return Err(bad("not a JSON object"));
        }
        let epk: Jwk =
            serde_json::from_value(epk.clone()).map_err(|_| bad("a member has the wrong type"))?;
        let curve = self.curve();
        let expected_kty = if curve == Curve::X25519 { "OKP" } else { "EC" };
        if epk.kty != expected_kty {
            return Err(bad("wrong \"kty\" for the key's curve"));
        }
        if epk.crv.as_deref() != Some(curve.as_str()) {
            return Err(bad("\"crv\" is not the key's curve"));
        }
        if epk.d.is_some() {
            return Err(bad("holds a private key"));
        }
        let material = KeyMaterial::from_jwk(&epk).map_err(|_| bad("malformed coordinates"))?;
        let public = EcPublic::from_key_material(material).map_err(|e| match e {
            KeyError::InvalidPoint => bad("point not on the curve"),
            _ => bad("malformed coordinates"),
        })?;
        self.agree_with(&public)
    }

    fn agree_with(&self, public: &EcPublic) -> Result<Zeroizing<Vec<u8>>, Error> {
        #[allow(unreachable_patterns)]
        match (self, public) {
            #[cfg(feature = "ec")]
            (EcPrivate::P256(k), EcPublic::Nist { point, .. }) => {
                let p = p256::PublicKey::from_sec1_bytes(point).map_err(|_| Error::Decryption)?;
                let z = p256::ecdh::diffie_hellman(k.to_nonzero_scalar(), p.as_affine());
                Ok(Zeroizing::new(z.raw_secret_bytes().to_vec()))
            }
            #[cfg(feature = "ec")]
            (EcPrivate::P384(k), EcPublic::Nist { point, .. }) => {
                let p = p384::PublicKey::from_sec1_bytes(point).map_err(|_| Error::Decryption)?;
                let z = p384::ecdh::diffie_hellman(k.to_nonzero_scalar(), p.as_affine());
                Ok(Zeroizing::new(z.raw_secret_bytes().to_vec()))
            }
            #[cfg(feature = "ec")]
            (EcPrivate::P521(k), EcPublic::Nist { point, .. }) => {
                let p = p521::PublicKey::from_sec1_bytes(point).map_err(|_| Error::Decryption)?;
                let z = p521::ecdh::diffie_hellman(k.to_nonzero_scalar(), p.as_affine());
                Ok(Zeroizing::new(z.raw_secret_bytes().to_vec()))
            }
            #[cfg(feature = "x25519")]
            (EcPrivate::X25519(k), EcPublic::X25519(x)) => {
                let z = k.diffie_hellman(&x25519_dalek::PublicKey::from(*x));
                if !z.was_contributory() {
                    return Err(Error::InvalidEphemeralKey {
                        reason: "all-zero X25519 shared secret (small-order point)",
                    });
                }
                Ok(Zeroizing::new(z.as_bytes().to_vec()))
            }
            _ => Err(Error::InvalidEphemeralKey {
                reason: "\"crv\" is not the key's curve",
            }),
        }
    }
}

/// The shared key reader's name of a NIST curve.
#[cfg(feature = "ec")]
fn ec_curve(curve: Curve) -> EcCurve {
    match curve {
        // A `Nist` key is never on X25519: `from_sec1` refuses that curve.
        Curve::P256 | Curve::X25519 => EcCurve::P256,
        Curve::P384 => EcCurve::P384,
        Curve::P521 => EcCurve::P521,
    }
}
