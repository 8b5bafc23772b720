//! What the attack modules share: a fixed clock and the keys. Tokens are forged
//! with `jot-test-support` (re-exported here), which signs *any* header and payload
//! bytes, so that a malicious token carries a valid signature and the test reaches
//! the check it is about; the CLI's attack tests forge theirs with it too.

use std::path::PathBuf;

use jot_algorithms::{
    Algorithm, Error, FixedClock, SigningKey, Token, Validation, Verifier, VerifyingKey,
};
use jot_test_support::forge::payload_at;
pub(crate) use jot_test_support::forge::{
    b64, header, hmac_token, sign_bytes, sign_raw, sign_segments,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The time of every check: 2023-11-14T22:13:20Z.
pub(crate) const NOW: u64 = 1_700_000_000;

/// The secret of the "real" HS256 key (32 bytes, the minimum).
pub(crate) const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

/// The clock of every check.
pub(crate) fn clock() -> FixedClock {
    FixedClock::at(NOW)
}

/// A well-formed payload that passes the default validation at [`NOW`].
pub(crate) fn payload() -> String {
    payload_at(NOW)
}

/// Decodes with the default validation at [`NOW`].
pub(crate) fn decode<V: Verifier + ?Sized>(token: &str, key: &V) -> Result<Token<Value>, Error> {
    decode_with(token, key, &Validation::new())
}

/// Decodes with `validation` at [`NOW`].
pub(crate) fn decode_with<V: Verifier + ?Sized>(
    token: &str,
    key: &V,
    validation: &Validation,
) -> Result<Token<Value>, Error> {
    decode_as::<Value, V>(token, key, validation)
}

/// Decodes into the custom claims type `T` with `validation` at [`NOW`].
pub(crate) fn decode_as<T: DeserializeOwned, V: Verifier + ?Sized>(
    token: &str,
    key: &V,
    validation: &Validation,
) -> Result<Token<T>, Error> {
    jot_codec::decode_with_clock::<T, V, FixedClock>(token, key, validation, &clock())
}

/// The error of a decode that must fail.
pub(crate) fn rejected<T: std::fmt::Debug>(result: Result<Token<T>, Error>) -> Error {
    match result {
        Ok(token) => panic!("the token was accepted: {token:?}"),
        Err(err) => err,
    }
}

/// The real HS256 key (signing and verifying with [`SECRET`]).
pub(crate) fn hs256() -> SigningKey {
    SigningKey::hmac(Algorithm::HS256, SECRET).unwrap()
}

/// Another HS256 key of the same length: the attacker's.
pub(crate) fn attacker_hs256() -> SigningKey {
    SigningKey::hmac(Algorithm::HS256, b"attacker-attacker-attacker-attac").unwrap()
}

/// Path of a key fixture of `crates/jot-algorithms/tests/data`.
pub(crate) fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/jot-algorithms/tests/data")
        .join(name)
}

/// The bytes of a key fixture.
pub(crate) fn data(name: &str) -> Vec<u8> {
    std::fs::read(data_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The RSA-2048 fixture key, for `alg` (an RS* or PS* algorithm).
pub(crate) fn rsa(alg: Algorithm) -> SigningKey {
    SigningKey::from_pem(alg, data("rsa2048.pkcs8.pem")).unwrap()
}

/// A fresh key for `alg` (not RSA).
pub(crate) fn generate(alg: Algorithm) -> SigningKey {
    SigningKey::generate(alg).unwrap()
}

/// One signing key for every algorithm family jot supports, with its algorithm.
pub(crate) fn every_signing_key() -> Vec<SigningKey> {
    vec![
        hs256(),
        SigningKey::hmac(Algorithm::HS384, [7u8; 48]).unwrap(),
        SigningKey::hmac(Algorithm::HS512, [7u8; 64]).unwrap(),
        rsa(Algorithm::RS256),
        rsa(Algorithm::RS384),
        rsa(Algorithm::RS512),
        rsa(Algorithm::PS256),
        rsa(Algorithm::PS384),
        rsa(Algorithm::PS512),
        generate(Algorithm::ES256),
        generate(Algorithm::ES384),
        generate(Algorithm::ES512),
        generate(Algorithm::ES256K),
        generate(Algorithm::EdDSA),
        generate(Algorithm::Ed25519),
        generate(Algorithm::Ed448),
    ]
}

/// Asserts that a well-formed token signed by `key` is accepted by `verifier`:
/// the control that shows a test's rejection comes from the check under test.
pub(crate) fn assert_control<V: Verifier + ?Sized>(key: &SigningKey, verifier: &V) {
    let token = sign_raw(key, &header(key.algorithm()), &payload());
    if let Err(err) = decode(&token, verifier) {
        panic!("control token for {} refused: {err:?}", key.algorithm());
    }
}

/// The verifying key of `key`.
pub(crate) fn public(key: &SigningKey) -> VerifyingKey {
    key.verifying_key()
}
