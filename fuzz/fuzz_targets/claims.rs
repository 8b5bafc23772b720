//! Claims validation: the input is the payload JSON of a token validly signed with a
//! fixed HS256 key, decoded into several claim types under several validations.
//!
//! Invariant besides "no panic": claims that pass are re-encoded by jot and pass again.

#![no_main]

use jot_algorithms::{Algorithm, Claims, Header, SigningKey, base64url};
use jot_codec::{FixedClock, Signer, Validation};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use serde_json::Value;
use std::sync::OnceLock;

const NOW: u64 = 1_700_000_000;

fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        SigningKey::hmac(Algorithm::HS256, b"0123456789abcdef0123456789abcdef").unwrap()
    })
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Profile {
    name: Option<String>,
    admin: Option<bool>,
    scope: Option<String>,
    roles: Option<Vec<String>>,
}

fn validations() -> [Validation; 3] {
    [
        Validation::new(),
        Validation::new()
            .require_exp(false)
            .danger_ignore_audience(),
        Validation::new()
            .issuer("https://issuer.example")
            .audience("api")
            .subject("42")
            .max_age(3600)
            .require("scope")
            .leeway(0),
    ]
}

fuzz_target!(|payload: &[u8]| {
    // The header is fixed (or taken from the input after a NUL, to mix both).
    let (header, payload) = match payload.iter().position(|b| *b == 0) {
        Some(i) if i < 200 => (&payload[..i], &payload[i + 1..]),
        _ => (&br#"{"alg":"HS256","typ":"JWT"}"#[..], payload),
    };
    let input = format!(
        "{}.{}",
        base64url::encode(header),
        base64url::encode(payload)
    );
    let mut sig = Vec::new();
    key().sign(input.as_bytes(), &mut sig).unwrap();
    let token = format!("{input}.{}", base64url::encode(&sig));
    let clock = FixedClock::at(NOW);
    let verifier = key().verifying_key();
    for validation in validations() {
        let _ = jot_codec::decode_with_clock::<(), _, _>(&token, &verifier, &validation, &clock);
        let _ =
            jot_codec::decode_with_clock::<Profile, _, _>(&token, &verifier, &validation, &clock);
        if let Ok(first) =
            jot_codec::decode_with_clock::<Value, _, _>(&token, &verifier, &validation, &clock)
        {
            let claims: Claims<Value> = first.claims;
            let again = jot_algorithms::encode(key(), &Header::jwt(), &claims)
                .expect("decoded claims re-encode");
            let second =
                jot_codec::decode_with_clock::<Value, _, _>(&again, &verifier, &validation, &clock);
            assert!(second.is_ok(), "re-encoded claims refused: {second:?}");
        }
    }
});
