//! JSON Web Encryption: conformance of `jot-jwe` against the RFC examples
//! (RFC 7516 Appendix A, RFC 7518 Appendix C, RFC 7519 A.1–A.2, RFC 8037 A.6), the
//! JOSE cookbook (RFC 7520 §5–6) and Project Wycheproof (the JWE suite and the
//! primitive suites), its refusals, and interop with `jwcrypto` (Python).
//!
//! The vectors are read from `$JOT_VECTORS_DIR`, else from
//! `<workspace root>/../shared/vectors`, exactly as the `conformance` binary does
//! (its harness is shared); they are never copied into the repository. Each suite
//! prints how many vectors ran, passed and were excluded (and why); see the "JWE"
//! section of `docs/CONFORMANCE.md`. Run with
//! `cargo test -p jot-tests --test jwe -- --nocapture`.

// Test helpers outside #[test] functions panic on purpose: a failed step fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../conformance/harness.rs"]
#[allow(dead_code)]
mod harness;

mod behaviour;
mod cookbook;
// The one installer of the Python packages the tests drive (`cargo xtask deps`).
#[path = "../../xtask/src/deps.rs"]
#[allow(dead_code, unreachable_pub)]
mod deps;
mod interop;
mod interop_json;
mod key_formats;
mod key_set;
mod rfc;
mod wycheproof_jwe;
mod wycheproof_primitives;

use jot_jwe::{DecryptionKey, Jwk};
use serde_json::Value;

/// A JWK from a JSON value of a vector file.
pub(crate) fn jwk(v: &Value) -> Jwk {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("not a JWK: {e}: {v}"))
}

/// A decryption key from a private JWK whose `alg` is given separately.
pub(crate) fn key_for(alg: &str, v: &Value) -> DecryptionKey {
    let alg = alg.parse().unwrap_or_else(|_| panic!("unknown alg {alg}"));
    if alg == jot_jwe::KeyAlgorithm::RSA1_5 {
        let mut jwk = jwk(v);
        jwk.alg = Some("RSA1_5".into());
        return DecryptionKey::danger_rsa1_5_from_jwk(&jwk).unwrap();
    }
    DecryptionKey::from_jwk(alg, &jwk(v)).unwrap_or_else(|e| panic!("{alg}: {e}"))
}
