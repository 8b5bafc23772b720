//! JWK and JWK Set parsing: `Jwk::from_json`, key construction from a JWK,
//! thumbprints, `JwkSet::from_json` and `KeySet::from_jwks_json`.
//!
//! Invariants besides "no panic": a JWK serializes and parses back equal; a key
//! built from a JWK exports a JWK that builds a key again.

#![no_main]

use jot_algorithms::{Algorithm, Jwk, JwkSet, KeySet, SigningKey, Verifier, VerifyingKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(jwk) = Jwk::from_json(text) {
        let back = Jwk::from_json(&jwk.to_json()).expect("a JWK re-parses");
        // Registered members round-trip exactly (free-form members hold JSON numbers,
        // whose float parsing is serde_json's business, not jot's).
        let (mut a, mut b) = (jwk.clone(), back);
        a.other.clear();
        b.other.clear();
        a.oth = None;
        b.oth = None;
        assert_eq!(a, b);
        let _ = jwk.thumbprint();
        let _ = jwk.to_public();
        if let Ok(key) = VerifyingKey::from_jwk_infer(&jwk) {
            let _ = key.thumbprint();
            if let Ok(exported) = key.to_jwk() {
                VerifyingKey::from_jwk_infer(&exported).expect("an exported JWK re-imports");
            }
        }
        for alg in [
            Algorithm::HS256,
            Algorithm::RS256,
            Algorithm::ES256,
            Algorithm::EdDSA,
        ] {
            let _ = VerifyingKey::from_jwk(alg, &jwk);
        }
        if let Ok(key) = SigningKey::from_jwk_infer(&jwk) {
            let _ = key.to_jwk();
        }
    }
    if let Ok(set) = JwkSet::from_json(text) {
        let _ = set.to_json();
        let _ = set.find("k1");
    }
    if let Ok(set) = KeySet::from_jwks_json(text) {
        let _ = set.unusable().len();
        let _ = set.to_jwk_set();
        let _ = set.verify(Algorithm::ES256, Some("k1"), b"input", &[0; 64]);
        let _ = set.verify(Algorithm::HS256, None, b"input", &[0; 32]);
    }
});
