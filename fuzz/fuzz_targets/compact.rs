//! The compact parser and header decoding: `UntrustedToken::parse`,
//! `dangerous::decode_unverified`, and the signature check of whatever parsed.
//!
//! Invariants besides "no panic": a parsed token's three parts join back to the
//! input; a token that verifies under the fixed key decodes to the same claims as
//! the unverified read.

#![no_main]

use jot_algorithms::{Algorithm, SigningKey, UntrustedToken, VerifyingKey, dangerous};
use jot_codec::{FixedClock, Validation};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::OnceLock;

fn key() -> &'static VerifyingKey {
    static KEY: OnceLock<VerifyingKey> = OnceLock::new();
    KEY.get_or_init(|| {
        SigningKey::hmac(Algorithm::HS256, b"0123456789abcdef0123456789abcdef")
            .unwrap()
            .verifying_key()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(token) = UntrustedToken::parse(text) {
        let rebuilt = format!("{}.{}", token.signing_input(), token.signature_b64());
        assert_eq!(rebuilt, text);
        assert!(token.signing_input().ends_with(token.payload_b64()));
        let _ = token.header().kid.as_deref();
        let _ = serde_json::to_string(token.header()).unwrap();
        if let Ok(alg) = token.algorithm() {
            let _ = token.verify_signature(alg, key());
        }
        let _ = dangerous::claims_unverified::<()>(&token);
    }
    let unverified = dangerous::decode_unverified::<Value>(text);
    let _ = dangerous::decode_unverified::<()>(text);
    let validation = Validation::new()
        .require_exp(false)
        .danger_ignore_audience();
    if let Ok(verified) = jot_codec::decode_with_clock::<Value, _, _>(
        text,
        key(),
        &validation,
        &FixedClock::at(1_700_000_000),
    ) {
        let (_, claims) = unverified.expect("a verified token reads unverified");
        assert_eq!(claims, verified.claims);
    }
});
