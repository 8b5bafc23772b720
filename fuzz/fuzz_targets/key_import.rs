//! PEM/DER key import: `SigningKey::from_any_bytes(_infer)` and
//! `VerifyingKey::from_any_bytes(_infer)` (PEM, DER, JWK detected), with the
//! algorithm chosen by the first byte (or inferred).
//!
//! Invariant besides "no panic": an imported signing key's signature verifies with
//! its own verifying key, and its export re-imports.

#![no_main]

use jot_algorithms::{Algorithm, Signer, SigningKey, Verifier, VerifyingKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let all = Algorithm::ALL;
    let alg = match usize::from(selector) % (all.len() + 1) {
        0 => None,
        i => Some(all[i - 1]),
    };
    let verifying = match alg {
        Some(alg) => VerifyingKey::from_any_bytes(alg, bytes),
        None => VerifyingKey::from_any_bytes_infer(bytes),
    };
    if let Ok(key) = verifying {
        if let Ok(pem) = key.to_pem() {
            VerifyingKey::from_pem(key.algorithm(), pem).expect("an exported PEM re-imports");
        }
        let _ = key.to_jwk();
    }
    let signing = match alg {
        Some(alg) => SigningKey::from_any_bytes(alg, bytes),
        None => SigningKey::from_any_bytes_infer(bytes),
    };
    if let Ok(key) = signing {
        let mut sig = Vec::new();
        key.sign(b"input", &mut sig)
            .expect("an imported key signs (keys that cannot are refused at import)");
        key.verifying_key()
            .verify(key.algorithm(), None, b"input", &sig)
            .expect("its own signature verifies");
        if let Ok(der) = key.to_pkcs8_der() {
            SigningKey::from_der(key.algorithm(), der).expect("an exported PKCS#8 re-imports");
        }
    }
});
