//! Wycheproof `json_web_encryption_test.json`: compact JWEs decrypted with the
//! group's private JWK; `valid` must give `pt`, `invalid` must be refused.

use jot_jwe::{DecryptionKey, DecryptionPolicy, decrypt};
use serde_json::Value;

use crate::harness::{Tally, load, str_field, unhex};
use crate::jwk;

#[test]
fn json_web_encryption() {
    let path = "wycheproof/testvectors_v1/json_web_encryption_test.json";
    let file: Value = load(path);
    let mut tally = Tally::new("Wycheproof JWE", path);
    tally.expect_total(file["numberOfTests"].as_u64().unwrap() as usize);
    for group in file["testGroups"].as_array().unwrap() {
        let private = jwk(&group["private"]);
        let key = if private.alg.as_deref() == Some("RSA1_5") {
            DecryptionKey::danger_rsa1_5_from_jwk(&private)
        } else {
            DecryptionKey::from_jwk_infer(&private)
        };
        for test in group["tests"].as_array().unwrap() {
            let id = test["tcId"].as_u64().unwrap();
            let key = match &key {
                Ok(key) => key,
                Err(e) => {
                    tally.check(id, false, || format!("group key refused: {e}"));
                    continue;
                }
            };
            let token = match &test["jwe"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let out = decrypt(key, &token, &DecryptionPolicy::new());
            let ok = match str_field(test, "result") {
                "valid" => {
                    matches!(&out, Ok(d) if d.plaintext == unhex(str_field(test, "pt")))
                }
                _ => out.is_err(),
            };
            tally.check(id, ok, || {
                format!("{}: {out:?}", str_field(test, "comment"))
            });
        }
    }
    tally.finish();
}
