//! The JOSE cookbook (RFC 7520): section 5 JWE examples, the X25519 ECDH-ES example,
//! and section 6 (a JWS nested in a JWE), in every published serialization (compact,
//! general and flattened JSON). Decryption of the published outputs; the
//! cookbook's "generated" CEKs and IVs are not injected into jot (which draws its own),
//! so encryption is covered by round trips and interop instead.

use jot_algorithms::{Algorithm, VerifyingKey};
use jot_jwe::{
    Decrypter, DecryptionKey, DecryptionKeySet, DecryptionPolicy, FixedClock, KeyAlgorithm,
    Validation, decrypt, decrypt_json, decrypt_then_verify_with,
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

/// The serializations a cookbook file publishes, in this order.
const FORMS: [&str; 3] = ["compact", "json", "json_flat"];

/// A plaintext, the recipient's index and the `aad`.
type Opened = (Vec<u8>, usize, Option<Vec<u8>>);

/// Decrypts one published form: the compact string, or a JSON (general or
/// flattened) document. Returns the plaintext, the decrypted recipient's index (0 for
/// compact) and the `aad`.
fn decrypt_form(
    key: &(impl Decrypter + ?Sized),
    form: &str,
    token: &Value,
) -> Result<Opened, jot_jwe::Error> {
    let policy = DecryptionPolicy::new();
    if form == "compact" {
        let out = decrypt(key, token.as_str().unwrap(), &policy)?;
        return Ok((out.plaintext, 0, None));
    }
    let out = decrypt_json(key, &token.to_string(), &policy)?;
    Ok((out.plaintext, out.recipient, out.aad))
}

/// The example's keys with their algorithms: one, or one per recipient (5.13).
fn example_keys(input: &Value) -> Vec<DecryptionKey> {
    match (&input["alg"], &input["key"]) {
        (Value::Array(algs), Value::Array(keys)) => algs
            .iter()
            .zip(keys)
            .map(|(alg, key)| key_for(alg.as_str().unwrap(), key))
            .collect(),
        _ => {
            let alg = str_field(input, "alg");
            vec![match input.get("pwd") {
                Some(pwd) => {
                    DecryptionKey::password(alg.parse().unwrap(), pwd.as_str().unwrap()).unwrap()
                }
                None => key_for(alg, &input["key"]),
            }]
        }
    }
}

/// Every published form of every section 5 example: each recipient's key decrypts its
/// own recipient to the plaintext, and the `aad` (5.10) comes out as published.
#[test]
fn rfc7520_section5_jwe() {
    let mut tally = Tally::new(
        "RFC 7520 section 5 (cookbook JWE), compact, general and flattened JSON",
        "jose-cookbook/jwe, curve25519",
    );
    let docs: Vec<(&str, Value)> = FILES
        .iter()
        .map(|file| (*file, load(&format!("jose-cookbook/{file}"))))
        .collect();
    tally.expect_total(
        docs.iter()
            .map(|(_, v)| {
                FORMS
                    .iter()
                    .filter(|f| v["output"].get(**f).is_some())
                    .count()
            })
            .sum(),
    );
    for (file, v) in &docs {
        let input = &v["input"];
        let plaintext = str_field(input, "plaintext").as_bytes();
        // The cookbook gives the aad as JSON text; the document carries its UTF-8 bytes.
        let aad = input
            .get("aad")
            .map(|_| str_field(input, "aad").as_bytes().to_vec());
        let keys = example_keys(input);
        for form in FORMS {
            let Some(token) = v["output"].get(form) else {
                continue;
            };
            let mut detail = Vec::new();
            let mut ok = true;
            for (i, key) in keys.iter().enumerate() {
                let out = decrypt_form(key, form, token);
                let this = match &out {
                    Ok((p, recipient, got_aad)) => {
                        p == plaintext
                            && *recipient == i
                            && got_aad
                                .as_ref()
                                .map(|a| serde_json::from_slice::<Value>(a).unwrap())
                                == aad
                                    .as_ref()
                                    .map(|a| serde_json::from_slice::<Value>(a).unwrap())
                    }
                    Err(_) => false,
                };
                ok &= this;
                detail.push(format!("{out:?}"));
            }
            tally.check(format!("{file} {form}"), ok, || detail.join("; "));
        }
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
    tally.expect_total(FORMS.len());
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
    // The JSON forms: the plaintext is the inner JWS (`cty: JWT`), which then verifies.
    for form in ["json", "json_flat"] {
        let doc = v["encrypt"]["output"][form].to_string();
        let out = decrypt_json(&key, &doc, &DecryptionPolicy::new()).and_then(|d| {
            let nested = d.header.is_nested();
            let inner = String::from_utf8(d.plaintext).unwrap();
            let token = jot_codec::decode_with_clock::<Value, _, _>(
                &inner,
                &verifier,
                &Validation::new(),
                &FixedClock::at(1_300_819_000),
            )?;
            Ok((nested, token.claims.iss))
        });
        let ok = matches!(&out, Ok((true, Some(iss))) if iss == "hobbiton.example");
        tally.check(form, ok, || format!("{out:?}"));
    }
    tally.finish();
}

/// The same compact examples, decrypted with a key set holding the example's key among
/// keys of other families (and, when the token names a `kid`, another key for its `alg`).
#[test]
fn rfc7520_section5_with_a_key_set() {
    let mut tally = Tally::new(
        "RFC 7520 section 5 (cookbook JWE) with a DecryptionKeySet, compact form",
        "jose-cookbook/jwe, curve25519",
    );
    tally.expect_total(FILES.len());
    for file in FILES {
        let v: Value = load(&format!("jose-cookbook/{file}"));
        let input = &v["input"];
        let Some(compact) = v["output"]["compact"].as_str() else {
            tally.exclude(
                file,
                "no compact form; its JSON forms run in rfc7520_section5_jwe and \
                 rfc7520_section5_json_with_a_key_set",
            );
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

/// The JSON forms, decrypted with one key set holding every key of the example (for
/// 5.13, all three recipients' keys) among keys of other families: the set picks a
/// recipient by `kid` (or by `alg`) and decrypts it.
#[test]
fn rfc7520_section5_json_with_a_key_set() {
    let mut tally = Tally::new(
        "RFC 7520 section 5 (cookbook JWE) with a DecryptionKeySet, JSON forms",
        "jose-cookbook/jwe, curve25519",
    );
    for file in FILES {
        let v: Value = load(&format!("jose-cookbook/{file}"));
        let input = &v["input"];
        let mut keys = example_keys(input);
        keys.push(
            DecryptionKey::generate(KeyAlgorithm::RSA_OAEP_256)
                .unwrap()
                .with_kid("other-rsa"),
        );
        keys.push(
            DecryptionKey::generate(KeyAlgorithm::ECDH_ES_A128KW)
                .unwrap()
                .with_kid("other-ec"),
        );
        let set = DecryptionKeySet::from_keys(keys);
        for form in ["json", "json_flat"] {
            let Some(token) = v["output"].get(form) else {
                continue;
            };
            let out = decrypt_form(&set, form, token);
            let ok = matches!(&out, Ok((p, _, _)) if p == str_field(input, "plaintext").as_bytes());
            tally.check(format!("{file} {form}"), ok, || format!("{out:?}"));
        }
    }
    tally.finish();
}
