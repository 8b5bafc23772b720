//! Runs one verify path many times, for instruction-level profiling:
//! `valgrind --tool=callgrind target/release/examples/profile jot|floor`.
#![allow(clippy::expect_used, missing_docs)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jot_algorithms::{
    Algorithm, Claims, Header, NumericDate, SigningKey, Validation, VerifyingKey,
};
use serde::{Deserialize, Serialize};
use std::hint::black_box;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Serialize, Deserialize)]
struct Profile {
    name: String,
    email: String,
    roles: Vec<String>,
    tenant: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
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
}

#[derive(Deserialize)]
struct MiniHeader<'a> {
    #[serde(borrow)]
    alg: &'a str,
}

fn main() {
    let secret = b"0123456789abcdef0123456789abcdef-bench-secret";
    let key = SigningKey::hmac(Algorithm::HS256, secret).expect("key");
    let vkey = VerifyingKey::hmac(Algorithm::HS256, secret).expect("key");
    let ring_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let claims = Claims::new(Profile {
        name: "Ada Lovelace".into(),
        email: "ada@example.com".into(),
        roles: vec!["admin".into(), "dev".into()],
        tenant: "acme".into(),
    })
    .issuer("https://auth.example.com")
    .subject("user-1234567890")
    .audience("api")
    .issued_at(NumericDate::from_seconds(now).unwrap_or_default())
    .expires_at(NumericDate::from_seconds(now + 3600).unwrap_or_default());
    let token = jot_algorithms::encode(&key, &Header::jwt(), &claims).expect("encode");
    let validation = Validation::new()
        .issuer("https://auth.example.com")
        .audience("api");
    let which = std::env::args().nth(1).unwrap_or_default();
    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    for _ in 0..rounds {
        if which == "floor" {
            let (input, sig_b64) = token.rsplit_once('.').expect("dots");
            let mut sig = [0u8; 512];
            let n = B64.decode_slice(sig_b64, &mut sig).expect("b64");
            ring::hmac::verify(&ring_key, input.as_bytes(), &sig[..n]).expect("verify");
            let (h, p) = input.split_once('.').expect("dot");
            let mut hb = [0u8; 256];
            let hn = B64.decode_slice(h, &mut hb).expect("b64");
            let header: MiniHeader<'_> = serde_json::from_slice(&hb[..hn]).expect("json");
            assert_eq!(header.alg, "HS256");
            let payload = B64.decode(p).expect("b64");
            let c: Flat = serde_json::from_slice(&payload).expect("json");
            let t = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            assert!(c.exp > t);
            black_box(c);
        } else {
            black_box(
                jot_algorithms::decode::<Profile>(black_box(&token), &vkey, &validation)
                    .expect("decode"),
            );
        }
    }
}
