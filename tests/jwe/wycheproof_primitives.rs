//! Wycheproof primitive suites through `jot_jwe::hazmat`: AES-GCM (96-bit IV,
//! 128-bit tag only), AES key wrap, the JOSE AES-CBC-HMAC composites, ECDH with JWK
//! keys (P-256/384/521 WebCrypto, X25519), RSA-OAEP (empty label; SHA-1 and SHA-256).

use jot_jwe::{ContentEncryption, DecryptionKey, KeyAlgorithm, hazmat};
use serde_json::Value;

use crate::harness::{Tally, load, str_field, unhex};
use crate::jwk;

fn tests(group: &Value) -> &Vec<Value> {
    group["tests"].as_array().unwrap()
}

fn id(test: &Value) -> u64 {
    test["tcId"].as_u64().unwrap()
}

fn aead(path: &str, pick: impl Fn(&Value) -> Result<ContentEncryption, &'static str>) {
    let file: Value = load(path);
    let mut tally = Tally::new("Wycheproof AEAD", path);
    tally.expect_total(file["numberOfTests"].as_u64().unwrap() as usize);
    for group in file["testGroups"].as_array().unwrap() {
        let enc = pick(group);
        for t in tests(group) {
            let enc = match enc {
                Ok(enc) => enc,
                Err(reason) => {
                    tally.exclude(id(t), reason);
                    continue;
                }
            };
            let [key, iv, aad, msg, ct, tag] =
                ["key", "iv", "aad", "msg", "ct", "tag"].map(|f| unhex(str_field(t, f)));
            let opened = hazmat::content_decrypt(enc, &key, &iv, &aad, &ct, &tag);
            let ok = if str_field(t, "result") == "valid" {
                let sealed = hazmat::content_encrypt(enc, &key, &iv, &aad, &msg);
                matches!(&opened, Ok(pt) if *pt == msg)
                    && matches!(&sealed, Ok((c, g)) if *c == ct && *g == tag)
            } else {
                matches!(opened, Err(jot_jwe::Error::Decryption))
            };
            tally.check(id(t), ok, || {
                format!("{}: {opened:?}", str_field(t, "comment"))
            });
        }
    }
    tally.finish();
}

#[test]
fn aes_gcm() {
    aead("wycheproof/testvectors_v1/aes_gcm_test.json", |g| {
        if g["ivSize"] != 96 {
            return Err(
                "IV size other than 96 bits: JOSE AES-GCM uses a 96-bit IV (RFC 7518 §5.3)",
            );
        }
        if g["tagSize"] != 128 {
            return Err("tag size other than 128 bits");
        }
        Ok(match g["keySize"].as_u64() {
            Some(128) => ContentEncryption::A128GCM,
            Some(192) => ContentEncryption::A192GCM,
            _ => ContentEncryption::A256GCM,
        })
    });
}

#[test]
fn aes_cbc_hmac_sha2() {
    for (file, enc) in [
        ("a128cbc_hs256_test.json", ContentEncryption::A128CBC_HS256),
        ("a192cbc_hs384_test.json", ContentEncryption::A192CBC_HS384),
        ("a256cbc_hs512_test.json", ContentEncryption::A256CBC_HS512),
    ] {
        aead(&format!("wycheproof/testvectors_v1/{file}"), |g| {
            if g["ivSize"] != 128 {
                return Err("IV size other than 128 bits");
            }
            Ok(enc)
        });
    }
}

#[test]
fn aes_key_wrap() {
    let path = "wycheproof/testvectors_v1/aes_wrap_test.json";
    let file: Value = load(path);
    let mut tally = Tally::new("Wycheproof AES key wrap", path);
    tally.expect_total(file["numberOfTests"].as_u64().unwrap() as usize);
    for group in file["testGroups"].as_array().unwrap() {
        for t in tests(group) {
            let [kek, msg, ct] = ["key", "msg", "ct"].map(|f| unhex(str_field(t, f)));
            let unwrapped = hazmat::aes_key_unwrap(&kek, &ct);
            let ok = match str_field(t, "result") {
                "valid" => {
                    matches!(&unwrapped, Ok(k) if *k == msg)
                        && hazmat::aes_key_wrap(&kek, &msg).is_ok_and(|w| w == ct)
                }
                // `acceptable` here is ShortKey (an 8-byte key wrapped): no JOSE CEK is
                // that short, and RFC 3394 needs two blocks; jot refuses it.
                _ => unwrapped.is_err(),
            };
            tally.check(id(t), ok, || {
                format!("{}: {unwrapped:?}", str_field(t, "comment"))
            });
        }
    }
    tally.finish();
}

fn ecdh(path: &str, alg: KeyAlgorithm) {
    let file: Value = load(path);
    let mut tally = Tally::new("Wycheproof ECDH (JWK)", path);
    tally.expect_total(file["numberOfTests"].as_u64().unwrap() as usize);
    for group in file["testGroups"].as_array().unwrap() {
        for t in tests(group) {
            let flags: Vec<&str> = t["flags"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let private = DecryptionKey::from_jwk(alg, &jwk(&t["private"]));
            let shared = private.as_ref().map_err(|e| e.to_string()).and_then(|k| {
                hazmat::ecdh_shared_secret(k, &t["public"]).map_err(|e| e.to_string())
            });
            let expected = unhex(str_field(t, "shared"));
            let ok = match str_field(t, "result") {
                "valid" => matches!(&shared, Ok(z) if *z == expected),
                // X25519: a low-order public key gives the all-zero secret, which jot
                // refuses (RFC 7748 §6.1, RFC 8037 §3.2); twist and non-canonical points
                // are computed as RFC 7748 says.
                "acceptable" if flags.contains(&"ZeroSharedSecret") => shared.is_err(),
                "acceptable" => matches!(&shared, Ok(z) if *z == expected),
                _ => shared.is_err(),
            };
            tally.check(id(t), ok, || {
                format!("{} {flags:?}: {shared:?}", str_field(t, "comment"))
            });
        }
    }
    tally.finish();
}

// One test per curve, so that the harness runs them in parallel.
#[test]
fn ecdh_p256_webcrypto() {
    ecdh(
        "wycheproof/testvectors_v1/ecdh_secp256r1_webcrypto_test.json",
        KeyAlgorithm::ECDH_ES,
    );
}

#[test]
fn ecdh_p384_webcrypto() {
    ecdh(
        "wycheproof/testvectors_v1/ecdh_secp384r1_webcrypto_test.json",
        KeyAlgorithm::ECDH_ES,
    );
}

#[test]
fn ecdh_p521_webcrypto() {
    ecdh(
        "wycheproof/testvectors_v1/ecdh_secp521r1_webcrypto_test.json",
        KeyAlgorithm::ECDH_ES,
    );
}

#[test]
fn x25519_jwk() {
    ecdh(
        "wycheproof/testvectors_v1/x25519_jwk_test.json",
        KeyAlgorithm::ECDH_ES_A256KW,
    );
}

#[test]
fn rsa_oaep() {
    for (file, alg) in [
        (
            "rsa_oaep_2048_sha1_mgf1sha1_test.json",
            KeyAlgorithm::RSA_OAEP,
        ),
        (
            "rsa_oaep_2048_sha256_mgf1sha256_test.json",
            KeyAlgorithm::RSA_OAEP_256,
        ),
        (
            "rsa_oaep_3072_sha256_mgf1sha256_test.json",
            KeyAlgorithm::RSA_OAEP_256,
        ),
        (
            "rsa_oaep_4096_sha256_mgf1sha256_test.json",
            KeyAlgorithm::RSA_OAEP_256,
        ),
    ] {
        let path = format!("wycheproof/testvectors_v1/{file}");
        let data: Value = load(&path);
        let mut tally = Tally::new("Wycheproof RSA-OAEP", &path);
        tally.expect_total(data["numberOfTests"].as_u64().unwrap() as usize);
        for group in data["testGroups"].as_array().unwrap() {
            let mut private = jwk(&group["privateKeyJwk"]);
            private.alg = None;
            let key = DecryptionKey::from_jwk(alg, &private).unwrap();
            for t in tests(group) {
                if !str_field(t, "label").is_empty() {
                    tally.exclude(
                        id(t),
                        "non-empty OAEP label: JOSE always uses the empty label",
                    );
                    continue;
                }
                let out = hazmat::rsa_decrypt(&key, &unhex(str_field(t, "ct")));
                if str_field(t, "comment") == "First byte is 1" && out.is_ok() {
                    // rsa 0.10.0 does not check the leading 0x00 of the OAEP encoding
                    // (RFC 8017 §7.1.2 step 3.g); see docs/CONFORMANCE.md, "JWE".
                    tally.exclude(id(t), "rsa 0.10.0 defect: OAEP leading byte Y != 0 is not rejected (upstream); harmless in JWE, where the CEK is authenticated by the tag and every failure is Error::Decryption");
                    continue;
                }
                let ok = match str_field(t, "result") {
                    "valid" => matches!(&out, Ok(m) if *m == unhex(str_field(t, "msg"))),
                    _ => matches!(out, Err(jot_jwe::Error::Decryption)),
                };
                tally.check(id(t), ok, || {
                    format!("{}: {out:?}", str_field(t, "comment"))
                });
            }
        }
        tally.finish();
    }
}
