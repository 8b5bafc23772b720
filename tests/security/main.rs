//! The attack suite of jot: one module per attack class, each test asserting the
//! *specific* rejection (the exact [`jot_algorithms::Error`] or
//! [`jot_algorithms::KeyError`] variant) of a token or key an attacker would craft.
//!
//! Malicious tokens are validly signed wherever possible (with the attacker's key,
//! or with the real key for checks that come after the signature), so that a test
//! proves the check it names and not merely "the signature did not verify".
//! `docs/SECURITY.md` maps every test here to the RFC 8725 requirement or attack
//! class it proves. Run with `cargo test -p jot-tests --test security`.

// Test helpers outside #[test] functions panic on purpose: a failed step fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod alg_none;
mod b64;
mod base64;
mod claims_types;
mod confusion;
mod crit;
mod duplicates;
mod embedded_keys;
mod fuzz_regressions;
mod issuer;
mod key_misuse;
mod kid;
mod properties;
mod segments_jwe;
mod signatures;
mod sizes;
mod typ;
mod utf8;
mod weak_keys;
