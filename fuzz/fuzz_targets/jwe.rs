//! The JWE compact parser and decryption: `decrypt`, `decrypt_claims` and
//! `decrypt_then_verify_with` with fixed keys of every key-management family
//! (AES key wrap, AES-GCM key wrap, `dir` with GCM and CBC-HMAC, PBES2, ECDH-ES on
//! P-256 and X25519, RSA-OAEP-256).
//!
//! Input: the first byte picks the key, the second what is called, the rest is the
//! token. Seeds in `fuzz/seeds/jwe` are valid tokens for each key, so mutations
//! reach the protected header, the key unwrap and the content decryption.
//!
//! Invariants besides "no panic": a token that decrypts says the key's algorithm,
//! and its plaintext re-encrypts (same key, same `enc`) and decrypts back equal.

#![no_main]

use std::sync::OnceLock;

use jot_algorithms::{Algorithm, SigningKey, VerifyingKey};
use jot_jwe::{
    ContentEncryption, DecryptionKey, DecryptionPolicy, FixedClock, HeaderOptions, KeyAlgorithm,
    KeyFamily, Validation, decrypt, decrypt_claims, decrypt_then_verify_with, encrypt,
};
use libfuzzer_sys::fuzz_target;

/// Test keys for the fuzzer only.
const P256_PEM: &str = include_str!("../../crates/jot-algorithms/tests/data/p256.pkcs8.pem");
const RSA_PEM: &str = include_str!("../../crates/jot-algorithms/tests/data/rsa2048.pkcs8.pem");
const X25519_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VuBCIEIODRf5p//7QC7lxHklbLwNNc6Bo8u4UznzVauLN4zdNw
-----END PRIVATE KEY-----
";
/// The largest PBES2 count a token may ask for here (the minimum): each iteration
/// is time the fuzzer does not spend elsewhere.
const MAX_P2C: u32 = 1_000;

struct Fixed {
    keys: Vec<DecryptionKey>,
    signer: VerifyingKey,
    policy: DecryptionPolicy,
    strict: DecryptionPolicy,
}

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| Fixed {
        keys: vec![
            DecryptionKey::symmetric(KeyAlgorithm::A128KW, [0x11; 16]).unwrap(),
            DecryptionKey::symmetric(KeyAlgorithm::A256GCMKW, [0x22; 32]).unwrap(),
            DecryptionKey::dir(ContentEncryption::A128GCM, [0x33; 16]).unwrap(),
            DecryptionKey::dir(ContentEncryption::A128CBC_HS256, [0x44; 32]).unwrap(),
            DecryptionKey::password(KeyAlgorithm::PBES2_HS256_A128KW, "a fuzzing password")
                .unwrap(),
            DecryptionKey::from_pem(KeyAlgorithm::ECDH_ES, P256_PEM).unwrap(),
            DecryptionKey::from_pem(KeyAlgorithm::ECDH_ES_A128KW, X25519_PEM).unwrap(),
            DecryptionKey::from_pem(KeyAlgorithm::RSA_OAEP_256, RSA_PEM).unwrap(),
        ],
        signer: SigningKey::hmac(Algorithm::HS256, [0x55; 32])
            .unwrap()
            .verifying_key(),
        policy: DecryptionPolicy::new().max_pbes2_iterations(MAX_P2C),
        strict: DecryptionPolicy::new()
            .max_pbes2_iterations(MAX_P2C)
            .encryptions([ContentEncryption::A256GCM, ContentEncryption::A128GCM])
            .refuse_compression()
            .max_decompressed_len(1024)
            .understand_critical("exp"),
    })
}

fuzz_target!(|data: &[u8]| {
    let [which, mode, rest @ ..] = data else {
        return;
    };
    let Ok(token) = std::str::from_utf8(rest) else {
        return;
    };
    let fixed = fixed();
    let key = &fixed.keys[usize::from(*which) % fixed.keys.len()];
    let clock = FixedClock::at(1_800_000_000);
    match mode % 4 {
        0 | 1 => {
            let policy = if mode % 4 == 0 {
                &fixed.policy
            } else {
                &fixed.strict
            };
            if let Ok(out) = decrypt(key, token, policy) {
                assert_eq!(out.header.alg, key.algorithm());
                let _ = (out.header.members().len(), out.header.is_nested());
                let mut encryption_key = key.encryption_key();
                if key.algorithm().family() == KeyFamily::Password {
                    encryption_key = encryption_key.with_pbes2_iterations(MAX_P2C).unwrap();
                }
                let again = encrypt(
                    &encryption_key,
                    out.header.enc,
                    &HeaderOptions::new(),
                    &out.plaintext,
                )
                .expect("a decrypted plaintext re-encrypts");
                let back = decrypt(key, &again, &fixed.policy).expect("and decrypts");
                assert_eq!(back.plaintext, out.plaintext);
            }
        }
        2 => {
            let validation = Validation::new().require_exp(false);
            let _ =
                decrypt_claims::<serde_json::Value>(key, token, &fixed.policy, &validation, &clock);
        }
        _ => {
            let validation = Validation::new().require_exp(false);
            let _ = decrypt_then_verify_with::<serde_json::Value>(
                key,
                &fixed.signer,
                token,
                &fixed.policy,
                &validation,
                &clock,
            );
        }
    }
});
