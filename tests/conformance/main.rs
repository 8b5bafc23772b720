//! Conformance of jot against public test vectors: the RFC examples, the JOSE
//! cookbook (RFC 7520), Project Wycheproof and NIST's ACVP ML-DSA vectors; Ed448
//! interop with OpenSSL and ML-DSA interop with dilithium-py.
//!
//! The vectors are read from `$JOT_VECTORS_DIR`, else from
//! `<workspace root>/../shared/vectors`; they are never copied into the repository.
//! Each suite prints how many vectors ran, passed and were excluded (and why);
//! see `docs/CONFORMANCE.md`. Run with
//! `cargo test -p jot-tests --test conformance -- --nocapture`.

// Test helpers outside #[test] functions panic on purpose: a failed step fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod acvp_ml_dsa;
mod cookbook;
// The one installer of the programs the tests drive (`cargo xtask deps`).
#[path = "../../xtask/src/deps.rs"]
#[allow(dead_code, unreachable_pub)]
mod deps;
mod dilithium_py;
mod harness;
mod jws_json;
mod openssl_ed448;
mod provider;
mod rfc;
mod unencoded;
mod wycheproof;
mod wycheproof_ecdsa;
mod wycheproof_eddsa;
mod wycheproof_hmac;
mod wycheproof_jwk;
mod wycheproof_jws;
mod wycheproof_rsa_pkcs1;
mod wycheproof_rsa_pss;
