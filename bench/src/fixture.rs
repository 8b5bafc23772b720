//! The shared inputs: claims, keys and the tokens every contender verifies.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jot_algorithms::{Algorithm, Claims, Header, NumericDate, SigningKey};
use serde::{Deserialize, Serialize};

pub(crate) const ISS: &str = "https://auth.example.com";
pub(crate) const AUD: &str = "api";
pub(crate) const SUB: &str = "user-1234567890";
pub(crate) const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-bench-secret";

/// Test keys of jot-algorithms (the same files its own tests use).
macro_rules! data {
    ($file:literal) => {
        include_str!(concat!("../../crates/jot-algorithms/tests/data/", $file))
    };
}

/// jot's custom claims (the registered ones live in `Claims`).
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Profile {
    pub(crate) roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) permissions: Vec<String>,
}

/// The same claims as one flat struct: the user's struct for the floor and jsonwebtoken.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Flat {
    pub(crate) iss: String,
    pub(crate) sub: String,
    pub(crate) aud: String,
    pub(crate) exp: u64,
    pub(crate) iat: u64,
    pub(crate) roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) permissions: Vec<String>,
}

/// Claims, keys in every form a contender's API takes, and the tokens (made by jot
/// once) that every contender verifies.
pub struct Fixture {
    // Read by the peers that take the times apart; not every build has one.
    #[allow(dead_code)]
    pub(crate) iat: u64,
    #[allow(dead_code)]
    pub(crate) exp: u64,
    pub(crate) jot_small: Claims<Profile>,
    pub(crate) jot_large: Claims<Profile>,
    pub(crate) flat_small: Flat,
    pub(crate) flat_large: Flat,
    pub(crate) hs_small: String,
    pub(crate) hs_large: String,
    pub(crate) rs256: String,
    pub(crate) ps256: String,
    pub(crate) es256: String,
    pub(crate) eddsa: String,
    pub(crate) rsa: KeyForms,
    pub(crate) ec: KeyForms,
    pub(crate) ed: KeyForms,
}

/// One key pair as PEM and DER, plus the raw forms some APIs take.
pub(crate) struct KeyForms {
    pub(crate) pkcs8_pem: &'static str,
    pub(crate) pkcs8_der: Vec<u8>,
    #[allow(dead_code)] // read by the peers
    pub(crate) spki_pem: &'static str,
    /// RSA: PKCS#1 `RSAPrivateKey`; EC: the 32-byte scalar; Ed25519: the 32-byte seed.
    #[allow(dead_code)] // read by the RustCrypto floor and jwt-compact
    pub(crate) private_raw: Vec<u8>,
    /// RSA: PKCS#1 `RSAPublicKey`; EC: the uncompressed point; Ed25519: the 32 bytes.
    pub(crate) public_raw: Vec<u8>,
}

impl Fixture {
    /// Builds the claims (issued now, valid for an hour), keys and tokens.
    ///
    /// # Panics
    /// If a test key fails to parse (they are fixed files).
    #[allow(clippy::expect_used)] // fixed inputs; a failure is a broken checkout
    pub fn new() -> Self {
        let iat = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let exp = iat + 3600;
        let profile = |large: bool| Profile {
            roles: vec!["admin".into(), "dev".into()],
            permissions: if large {
                (0..80).map(|i| format!("resource:{i:03}:read")).collect()
            } else {
                Vec::new()
            },
        };
        let jot = |large: bool| {
            Claims::new(profile(large))
                .issuer(ISS)
                .subject(SUB)
                .audience(AUD)
                .issued_at(NumericDate::from_seconds(iat).expect("now is a valid date"))
                .expires_at(NumericDate::from_seconds(exp).expect("now + 1 h is a valid date"))
        };
        let flat = |large: bool| {
            let p = profile(large);
            Flat {
                iss: ISS.into(),
                sub: SUB.into(),
                aud: AUD.into(),
                exp,
                iat,
                roles: p.roles,
                permissions: p.permissions,
            }
        };

        let rsa = KeyForms {
            pkcs8_pem: data!("rsa2048.pkcs8.pem"),
            pkcs8_der: pem_der(data!("rsa2048.pkcs8.pem")),
            spki_pem: data!("rsa2048.spki.pem"),
            private_raw: pem_der(data!("rsa2048.pkcs1.pem")),
            public_raw: pem_der(data!("rsa2048.pkcs1-public.pem")),
        };
        let ec_sec1 = pem_block(data!("p256.sec1.pem"), "EC PRIVATE KEY");
        let ec_spki = pem_der(data!("p256.spki.pem"));
        let ec = KeyForms {
            pkcs8_pem: data!("p256.pkcs8.pem"),
            pkcs8_der: pem_der(data!("p256.pkcs8.pem")),
            spki_pem: data!("p256.spki.pem"),
            private_raw: sec1::EcPrivateKey::try_from(ec_sec1.as_slice())
                .expect("SEC1 key")
                .private_key
                .to_vec(),
            // The SPKI's BIT STRING ends the structure: the last 65 bytes are the point.
            public_raw: ec_spki[ec_spki.len() - 65..].to_vec(),
        };
        let ed_pkcs8 = pem_der(data!("ed25519.pkcs8.pem"));
        let ed_spki = pem_der(data!("ed25519.spki.pem"));
        let ed = KeyForms {
            pkcs8_pem: data!("ed25519.pkcs8.pem"),
            // RFC 8410 §7: a v1 PKCS#8 Ed25519 key ends with the 32-byte seed, the SPKI
            // with the 32-byte public key.
            private_raw: ed_pkcs8[ed_pkcs8.len() - 32..].to_vec(),
            pkcs8_der: ed_pkcs8,
            spki_pem: data!("ed25519.spki.pem"),
            public_raw: ed_spki[ed_spki.len() - 32..].to_vec(),
        };

        let hs = SigningKey::hmac(Algorithm::HS256, SECRET).expect("HMAC key");
        let sign = |key: &SigningKey, large: bool| {
            jot_algorithms::encode(key, &Header::jwt(), &jot(large)).expect("encode")
        };
        let pem_key = |alg, pem| SigningKey::from_pem(alg, pem).expect("test key");
        Fixture {
            iat,
            exp,
            hs_small: sign(&hs, false),
            hs_large: sign(&hs, true),
            rs256: sign(&pem_key(Algorithm::RS256, rsa.pkcs8_pem), false),
            ps256: sign(&pem_key(Algorithm::PS256, rsa.pkcs8_pem), false),
            es256: sign(&pem_key(Algorithm::ES256, ec.pkcs8_pem), false),
            eddsa: sign(&pem_key(Algorithm::EdDSA, ed.pkcs8_pem), false),
            jot_small: jot(false),
            jot_large: jot(true),
            flat_small: flat(false),
            flat_large: flat(true),
            rsa,
            ec,
            ed,
        }
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

/// The DER of a one-block PEM file.
fn pem_der(pem: &str) -> Vec<u8> {
    let label = pem
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("-----BEGIN "))
        .and_then(|l| l.strip_suffix("-----"))
        .unwrap_or_default();
    pem_block(pem, label)
}

/// The DER of the block labelled `label` in a PEM file.
#[allow(clippy::expect_used)] // fixed test files
fn pem_block(pem: &str, label: &str) -> Vec<u8> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let body: String = pem
        .lines()
        .skip_while(|l| *l != begin)
        .skip(1)
        .take_while(|l| *l != end)
        .collect();
    STANDARD.decode(body).expect("PEM body")
}
