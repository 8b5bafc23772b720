//! The JOSE cookbook (RFC 7520): section 5 JWE examples, the X25519 ECDH-ES example,
//! and section 6 (a JWS nested in a JWE). Decryption of the published outputs; the
//! cookbook's "generated" CEKs and IVs are not injected into jot (which draws its own),
//! so encryption is covered by round trips and interop instead.

use jot_algorithms::{Algorithm, VerifyingKey};
use jot_jwe::{
    DecryptionKey, DecryptionKeySet, DecryptionPolicy, FixedClock, KeyAlgorithm, Validation,
    decrypt, decrypt_then_verify_with,
};
use serde_json::Value;

use crate::harness::{Tally, load, str_field};
use crate::{jwk, key_for};

const FILES: [&str; 14] = [
    "jwe/5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2.json",
    "jwe/5_2.key_encryption_using_rsa-oaep_with_aes-gcm.json",
    "jwe/5_3.key_wrap_using_pbes2-aes-keywrap_with-aes-cbc-hmac-sha2.json",
    "jwe/5_4.key_agreement_with_key_wrapping_using_ecdh-es_and_aes-keywrap_with_aes-gcm.json",
    "jwe/5_5.key_agreement_using_ecdh-es_with_aes-cbc-hmac-sha2.json",
    "jwe/5_6.direct_encryption_using_aes-gcm.json",
    "jwe/5_7.key_wrap_using_aes-gcm_keywrap_with_aes-cbc-hmac-sha2.json",
    "jwe/5_8.key_wrap_using_aes-keywrap_with_aes-gcm.json",
    "jwe/5_9.compressed_content.json",
    "jwe/5_10.including_additional_authentication_data.json",
    "jwe/5_11.protecting_specific_header_fields.json",
    "jwe/5_12.protecting_content_only.json",
    "jwe/5_13.encrypting_to_multiple_recipients.json",
    "curve25519/ecdh-es.json",
];

#[test]
fn rfc7520_section5_jwe() {
    let mut tally = Tally::new(
        "RFC 7520 section 5 (cookbook JWE)",
        "jose-cookbook/jwe, curve25519",
    );
    tally.expect_total(FILES.len());
    for file in FILES {
        let v: Value = load(&format!("jose-cookbook/{file}"));
        let input = &v["input"];
        let Some(compact) = v["output"]["compact"].as_str() else {
            tally.exclude(
                file,
                "JSON serialization only (external aad, unprotected headers or several recipients): \
                 jot implements the compact serialization",
            );
            continue;
        };
        let alg = str_field(input, "alg");
        let key = match input.get("pwd") {
            Some(pwd) => {
                DecryptionKey::password(alg.parse().unwrap(), pwd.as_str().unwrap()).unwrap()
            }
            None => key_for(alg, &input["key"]),
        };
        let out = decrypt(&key, compact, &DecryptionPolicy::new());
        let ok = matches!(&out, Ok(d) if d.plaintext == str_field(input, "plaintext").as_bytes());
        tally.check(file, ok, || format!("{out:?}"));
    }
    tally.finish();
}

#[test]
fn rfc7520_section6_nesting() {
    let path = "jose-cookbook/6.nesting_signatures_and_encryption.json";
    let v: Value = load(path);
    let mut tally = Tally::new("RFC 7520 section 6 (nesting)", path);
    let key = key_for("RSA-OAEP", &v["encrypt"]["input"]["key"]);
    let verifier = VerifyingKey::from_jwk(
        Algorithm::PS256,
        &jwk(&v["sign"]["input"]["key"]).to_public(),
    )
    .unwrap();
    let form = "compact";
    let token = str_field(&v["encrypt"]["output"], form);
    let out = decrypt_then_verify_with::<Value>(
        &key,
        &verifier,
        token,
        &DecryptionPolicy::new(),
        &Validation::new(),
        &FixedClock::at(1_300_819_000),
    );
    let ok = matches!(&out, Ok(n) if n.token.claims.iss.as_deref() == Some("hobbiton.example"));
    tally.check(form, ok, || format!("{out:?}"));
    tally.exclude(
        "json, json_flat",
        "JSON serialization: jot implements the compact serialization",
    );
    tally.finish();
}

/// The same compact examples, decrypted with a key set holding the example's key among
/// keys of other families (and, when the token names a `kid`, another key for its `alg`).
#[test]
fn rfc7520_section5_with_a_key_set() {
    let mut tally = Tally::new(
        "RFC 7520 section 5 (cookbook JWE) with a DecryptionKeySet",
        "jose-cookbook/jwe, curve25519",
    );
    tally.expect_total(FILES.len());
    for file in FILES {
        let v: Value = load(&format!("jose-cookbook/{file}"));
        let input = &v["input"];
        let Some(compact) = v["output"]["compact"].as_str() else {
            tally.exclude(file, "JSON serialization only");
            continue;
        };
        let alg: KeyAlgorithm = str_field(input, "alg").parse().unwrap();
        let right = match input.get("pwd") {
            Some(pwd) => DecryptionKey::password(alg, pwd.as_str().unwrap()).unwrap(),
            None => key_for(alg.as_str(), &input["key"]),
        };
        let has_kid = right.kid().is_some();
        let mut keys = vec![
            DecryptionKey::generate(KeyAlgorithm::RSA_OAEP_256)
                .unwrap()
                .with_kid("other-rsa"),
            DecryptionKey::generate(KeyAlgorithm::ECDH_ES_A128KW)
                .unwrap()
                .with_kid("other-ec"),
            DecryptionKey::generate(KeyAlgorithm::A128KW)
                .unwrap()
                .with_kid("other-kw"),
        ];
        if has_kid && alg != KeyAlgorithm::RSA1_5 && alg.family() != jot_jwe::KeyFamily::Password {
            let same_alg = match right.curve() {
                Some(curve) => DecryptionKey::generate_ec(alg, curve).unwrap(),
                None => match right.content_encryption() {
                    Some(enc) => DecryptionKey::generate_dir(enc).unwrap(),
                    None => DecryptionKey::generate(alg).unwrap(),
                },
            };
            keys.push(same_alg.with_kid("other-same-alg"));
        }
        keys.push(right);
        let set = DecryptionKeySet::from_keys(keys);
        let out = decrypt(&set, compact, &DecryptionPolicy::new());
        let ok = matches!(&out, Ok(d) if d.plaintext == str_field(input, "plaintext").as_bytes());
        tally.check(file, ok, || format!("{out:?}"));
    }
    tally.finish();
}
