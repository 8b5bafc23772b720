//! What the attack modules share: a fixed clock, the keys, and a raw signer that
//! signs *any* header and payload bytes, so that a malicious token carries a valid
//! signature and the test reaches the check it is about.

use std::path::PathBuf;

use jot_algorithms::{
    Algorithm, Error, FixedClock, Signer, SigningKey, Token, Validation, Verifier, VerifyingKey,
    base64url,
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

/// The base64url (strict, unpadded) encoding of `bytes`.
pub(crate) fn b64(bytes: impl AsRef<[u8]>) -> String {
    base64url::encode(bytes.as_ref())
}

/// A well-formed payload that passes the default validation at [`NOW`].
pub(crate) fn payload() -> String {
    format!(r#"{{"sub":"42","exp":{}}}"#, NOW + 600)
}

/// `{"alg":"<alg>"}`.
pub(crate) fn header(alg: Algorithm) -> String {
    format!(r#"{{"alg":"{alg}"}}"#)
}

/// Signs the already encoded `header_b64.payload_b64` with `key`, whatever they hold.
pub(crate) fn sign_segments(key: &SigningKey, header_b64: &str, payload_b64: &str) -> String {
    let input = format!("{header_b64}.{payload_b64}");
    let mut sig = Vec::new();
    key.sign(input.as_bytes(), &mut sig).unwrap();
    format!("{input}.{}", b64(&sig))
}

/// Signs arbitrary header and payload bytes with `key` (which sets nothing in them:
/// the header says whatever the attacker wrote).
pub(crate) fn sign_bytes(key: &SigningKey, header: &[u8], payload: &[u8]) -> String {
    sign_segments(key, &b64(header), &b64(payload))
}

/// Signs arbitrary header and payload JSON text with `key`.
pub(crate) fn sign_raw(key: &SigningKey, header: &str, payload: &str) -> String {
    sign_bytes(key, header.as_bytes(), payload.as_bytes())
}

/// An HMAC tag computed by the attacker with any bytes as the secret (jot itself
/// refuses such secrets, so the attacker uses ring directly).
pub(crate) fn attacker_hmac(alg: Algorithm, secret: &[u8], input: &[u8]) -> Vec<u8> {
    let ring_alg = match alg {
        Algorithm::HS256 => ring::hmac::HMAC_SHA256,
        Algorithm::HS384 => ring::hmac::HMAC_SHA384,
        Algorithm::HS512 => ring::hmac::HMAC_SHA512,
        other => panic!("{other} is not HMAC"),
    };
    ring::hmac::sign(&ring::hmac::Key::new(ring_alg, secret), input)
        .as_ref()
        .to_vec()
}

/// A token whose header and payload JSON are given and whose HMAC tag the attacker
/// computed with `secret`.
pub(crate) fn hmac_token(alg: Algorithm, secret: &[u8], header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let tag = attacker_hmac(alg, secret, input.as_bytes());
    format!("{input}.{}", b64(tag))
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
