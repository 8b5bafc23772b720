//! jot vs jsonwebtoken vs the floor (raw ring + base64url + serde_json on the same bytes).
//!
//! Groups are named `<operation>`, functions `jot`, `jsonwebtoken`, `floor`;
//! `cargo xtask bench` reads the medians back and prints the ratios.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::type_complexity,
    missing_docs
)]

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64};
use criterion::{Criterion, criterion_group, criterion_main};
use jot_algorithms::{
    Algorithm, Claims, Header, KeySet, NumericDate, SigningKey, Validation, VerifyingKey,
};
use ring::signature::{self, KeyPair as _};
use serde::{Deserialize, Serialize};

const ISS: &str = "https://auth.example.com";
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-bench-secret";

#[derive(Clone, Serialize, Deserialize)]
struct Profile {
    name: String,
    email: String,
    roles: Vec<String>,
    tenant: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    permissions: Vec<String>,
}

/// The same claims, flat, for jsonwebtoken and the floor.
#[derive(Clone, Serialize, Deserialize)]
struct Flat {
    iss: String,
    sub: String,
    aud: String,
    exp: u64,
    iat: u64,
    name: String,
    email: String,
    roles: Vec<String>,
    tenant: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    permissions: Vec<String>,
}

#[derive(Deserialize)]
struct MiniHeader<'a> {
    #[serde(borrow)]
    alg: &'a str,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn profile(large: bool) -> Profile {
    Profile {
        name: "Ada Lovelace".into(),
        email: "ada@example.com".into(),
        roles: vec!["admin".into(), "dev".into()],
        tenant: "acme".into(),
        permissions: if large {
            (0..80).map(|i| format!("resource:{i:03}:read")).collect()
        } else {
            vec![]
        },
    }
}

fn jot_claims(large: bool) -> Claims<Profile> {
    let t = now();
    Claims::new(profile(large))
        .issuer(ISS)
        .subject("user-1234567890")
        .audience("api")
        .issued_at(NumericDate::from_seconds(t).unwrap_or_default())
        .expires_at(NumericDate::from_seconds(t + 3600).unwrap_or_default())
}

fn flat_claims(large: bool) -> Flat {
    let p = profile(large);
    let t = now();
    Flat {
        iss: ISS.into(),
        sub: "user-1234567890".into(),
        aud: "api".into(),
        exp: t + 3600,
        iat: t,
        name: p.name,
        email: p.email,
        roles: p.roles,
        tenant: p.tenant,
        permissions: p.permissions,
    }
}

fn jot_validation() -> Validation {
    Validation::new().issuer(ISS).audience("api")
}

fn jwt_validation(alg: jsonwebtoken::Algorithm) -> jsonwebtoken::Validation {
    let mut v = jsonwebtoken::Validation::new(alg);
    v.set_issuer(&[ISS]);
    v.set_audience(&["api"]);
    v
}

/// The floor's decode after the signature: header read, payload into the struct,
/// one clock read and the exp check.
fn floor_decode(input: &str, alg: &str) -> Flat {
    let (h, p) = input.split_once('.').expect("two segments");
    let mut hb = [0u8; 256];
    let hn = B64.decode_slice(h, &mut hb).expect("header base64");
    let header: MiniHeader<'_> = serde_json::from_slice(&hb[..hn]).expect("header json");
    assert_eq!(header.alg, alg);
    let payload = B64.decode(p).expect("payload base64");
    let claims: Flat = serde_json::from_slice(&payload).expect("claims json");
    assert!(claims.exp > now());
    claims
}

fn floor_split(token: &str) -> (&str, [u8; 512], usize) {
    let (input, sig_b64) = token.rsplit_once('.').expect("three segments");
    let mut sig = [0u8; 512];
    let n = B64
        .decode_slice(sig_b64, &mut sig)
        .expect("signature base64");
    (input, sig, n)
}

fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).expect("pem body")
}

fn hs256(c: &mut Criterion) {
    let key = SigningKey::hmac(Algorithm::HS256, SECRET).expect("key");
    let vkey = VerifyingKey::hmac(Algorithm::HS256, SECRET).expect("key");
    let ring_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET);
    let jwt_enc = jsonwebtoken::EncodingKey::from_secret(SECRET).expect("jsonwebtoken key");
    let jwt_dec = jsonwebtoken::DecodingKey::from_secret(SECRET).expect("jsonwebtoken key");
    let jwt_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);

    let mut g = c.benchmark_group("hs256_sign");
    let claims = jot_claims(false);
    let flat = flat_claims(false);
    let header = Header::jwt();
    g.bench_function("jot", |b| {
        b.iter(|| jot_algorithms::encode(&key, &header, black_box(&claims)).expect("encode"))
    });
    g.bench_function("jsonwebtoken", |b| {
        b.iter(|| jsonwebtoken::encode(&jwt_header, black_box(&flat), &jwt_enc).expect("encode"))
    });
    g.bench_function("floor", |b| {
        b.iter(|| {
            let mut out = String::with_capacity(512);
            B64.encode_string(br#"{"alg":"HS256","typ":"JWT"}"#, &mut out);
            out.push('.');
            let json = serde_json::to_vec(black_box(&flat)).expect("json");
            B64.encode_string(&json, &mut out);
            let tag = ring::hmac::sign(&ring_key, out.as_bytes());
            out.push('.');
            B64.encode_string(tag.as_ref(), &mut out);
            out
        })
    });
    g.finish();

    for (name, large) in [("hs256_verify", false), ("hs256_verify_2kb", true)] {
        let token = jot_algorithms::encode(&key, &header, &jot_claims(large)).expect("encode");
        let jv = jot_validation();
        let wv = jwt_validation(jsonwebtoken::Algorithm::HS256);
        let mut g = c.benchmark_group(name);
        g.bench_function("jot", |b| {
            b.iter(|| {
                jot_algorithms::decode::<Profile>(black_box(&token), &vkey, &jv).expect("decode")
            })
        });
        g.bench_function("jsonwebtoken", |b| {
            b.iter(|| {
                jsonwebtoken::decode::<Flat>(black_box(token.as_str()), &jwt_dec, &wv)
                    .expect("decode")
            })
        });
        g.bench_function("floor", |b| {
            b.iter(|| {
                let (input, sig, n) = floor_split(black_box(&token));
                ring::hmac::verify(&ring_key, input.as_bytes(), &sig[..n]).expect("verify");
                floor_decode(input, "HS256")
            })
        });
        g.finish();
    }
}

fn asymmetric(c: &mut Criterion) {
    let rsa_pem = include_str!("../../crates/jot-algorithms/tests/data/rsa2048.pkcs8.pem");
    let rsa_der = pem_der(rsa_pem);
    let rsa_ring = signature::RsaKeyPair::from_pkcs8(&rsa_der).expect("rsa");
    let rng = ring::rand::SystemRandom::new();
    let ec_pkcs8 =
        signature::EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .expect("ec");
    let ec_ring = signature::EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        ec_pkcs8.as_ref(),
        &rng,
    )
    .expect("ec");
    let ed_pkcs8 = signature::Ed25519KeyPair::generate_pkcs8(&rng).expect("ed");
    let ed_ring = signature::Ed25519KeyPair::from_pkcs8(ed_pkcs8.as_ref()).expect("ed");

    type RingAlg = &'static dyn signature::VerificationAlgorithm;
    let cases: [(
        &str,
        Algorithm,
        Vec<u8>,
        Vec<u8>,
        RingAlg,
        jsonwebtoken::Algorithm,
    ); 4] = [
        (
            "rs256_verify",
            Algorithm::RS256,
            rsa_der.clone(),
            rsa_ring.public().as_ref().to_vec(),
            &signature::RSA_PKCS1_2048_8192_SHA256,
            jsonwebtoken::Algorithm::RS256,
        ),
        (
            "ps256_verify",
            Algorithm::PS256,
            rsa_der.clone(),
            rsa_ring.public().as_ref().to_vec(),
            &signature::RSA_PSS_2048_8192_SHA256,
            jsonwebtoken::Algorithm::PS256,
        ),
        (
            "es256_verify",
            Algorithm::ES256,
            ec_pkcs8.as_ref().to_vec(),
            ec_ring.public_key().as_ref().to_vec(),
            &signature::ECDSA_P256_SHA256_FIXED,
            jsonwebtoken::Algorithm::ES256,
        ),
        (
            "eddsa_verify",
            Algorithm::EdDSA,
            ed_pkcs8.as_ref().to_vec(),
            ed_ring.public_key().as_ref().to_vec(),
            &signature::ED25519,
            jsonwebtoken::Algorithm::EdDSA,
        ),
    ];
    for (name, alg, pkcs8, public_raw, ring_alg, jwt_alg) in cases {
        let key = SigningKey::from_der(alg, &pkcs8).expect("signing key");
        let vkey = key.verifying_key();
        let token =
            jot_algorithms::encode(&key, &Header::jwt(), &jot_claims(false)).expect("encode");
        let spki_pem = vkey.to_pem().expect("pem");
        let jwt_dec = match alg {
            Algorithm::RS256 | Algorithm::PS256 => {
                jsonwebtoken::DecodingKey::from_rsa_pem(spki_pem.as_bytes())
            }
            Algorithm::ES256 => jsonwebtoken::DecodingKey::from_ec_pem(spki_pem.as_bytes()),
            _ => jsonwebtoken::DecodingKey::from_ed_pem(spki_pem.as_bytes()),
        }
        .expect("jsonwebtoken key");
        let jv = jot_validation();
        let wv = jwt_validation(jwt_alg);
        let ring_key = signature::UnparsedPublicKey::new(ring_alg, public_raw);
        let mut g = c.benchmark_group(name);
        g.bench_function("jot", |b| {
            b.iter(|| {
                jot_algorithms::decode::<Profile>(black_box(&token), &vkey, &jv).expect("decode")
            })
        });
        g.bench_function("jsonwebtoken", |b| {
            b.iter(|| {
                jsonwebtoken::decode::<Flat>(black_box(token.as_str()), &jwt_dec, &wv)
                    .expect("decode")
            })
        });
        g.bench_function("floor", |b| {
            b.iter(|| {
                let (input, sig, n) = floor_split(black_box(&token));
                ring_key
                    .verify(input.as_bytes(), &sig[..n])
                    .expect("verify");
                floor_decode(input, alg.as_str())
            })
        });
        g.finish();
    }
}

fn keys(c: &mut Criterion) {
    let rsa_pem = include_str!("../../crates/jot-algorithms/tests/data/rsa2048.pkcs8.pem");
    let ec_pem = include_str!("../../crates/jot-algorithms/tests/data/p256.pkcs8.pem");
    let ec_jwk = SigningKey::from_pem(Algorithm::ES256, ec_pem)
        .expect("ec")
        .verifying_key()
        .to_jwk()
        .expect("jwk");
    let ec_jwk_json = serde_json::to_string(&ec_jwk).expect("json");
    let mut g = c.benchmark_group("key_construction");
    g.bench_function("rs256_private_pem", |b| {
        b.iter(|| SigningKey::from_pem(Algorithm::RS256, black_box(rsa_pem)).expect("rsa"))
    });
    g.bench_function("es256_private_pem", |b| {
        b.iter(|| SigningKey::from_pem(Algorithm::ES256, black_box(ec_pem)).expect("ec"))
    });
    g.bench_function("es256_public_jwk", |b| {
        b.iter(|| {
            let jwk: jot_algorithms::Jwk =
                serde_json::from_str(black_box(&ec_jwk_json)).expect("jwk");
            VerifyingKey::from_jwk_infer(&jwk).expect("ec")
        })
    });
    g.finish();

    // A 16-key set: decoding through the set costs one kid lookup more than through the key.
    let signers: Vec<SigningKey> = (0..16)
        .map(|i| {
            SigningKey::hmac(Algorithm::HS256, [i as u8 + 1; 32])
                .expect("key")
                .with_kid(format!("key-{i:02}"))
        })
        .collect();
    let set = KeySet::from_keys(signers.iter().map(SigningKey::verifying_key));
    let token =
        jot_algorithms::encode(&signers[11], &Header::jwt(), &jot_claims(false)).expect("encode");
    let jv = jot_validation();
    let mut g = c.benchmark_group("keyset_verify");
    g.bench_function("jot_keyset_16", |b| {
        b.iter(|| jot_algorithms::decode::<Profile>(black_box(&token), &set, &jv).expect("decode"))
    });
    g.bench_function("jot_single_key", |b| {
        let vkey = signers[11].verifying_key();
        b.iter(|| jot_algorithms::decode::<Profile>(black_box(&token), &vkey, &jv).expect("decode"))
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(2))
        .sample_size(60)
}

criterion_group! { name = benches; config = config(); targets = hs256, asymmetric, keys }
criterion_main!(benches);
