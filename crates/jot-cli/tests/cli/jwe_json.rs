//! `jot decrypt` on the JWE JSON serialization (RFC 7516 §7.2): a general document
//! with two recipients made by jwcrypto (Python, installed by the tests' dependency
//! code when missing; the test fails if it cannot be), decrypted for each recipient,
//! through a JWK Set, in flattened form; an unknown recipient and a tampered
//! protected header refused.

use std::path::Path;

use serde_json::{Value, json};

use crate::harness::{json, ok, path_str, python_json, run, scratch};

const JWCRYPTO_SCRIPT: &str = r#"
import json, sys
from jwcrypto import jwk, jwe
from jwcrypto.common import json_encode
req = json.load(sys.stdin)
out = {}
general = jwe.JWE(req["plaintext"].encode(),
                  protected=json_encode({"enc": "A256GCM", "cty": "text/plain"}),
                  unprotected=json_encode({"jku": "https://jot.example/keys"}),
                  aad=req["aad"].encode())
for pub in req["recipients"]:
    general.add_recipient(jwk.JWK(**pub), header=json_encode({"alg": pub["alg"], "kid": pub["kid"]}))
out["general"] = general.serialize()
flat = jwe.JWE(req["plaintext"].encode(),
               protected=json_encode({"enc": "A128CBC-HS256"}))
first = req["recipients"][0]
flat.add_recipient(jwk.JWK(**first), header=json_encode({"alg": first["alg"], "kid": first["kid"]}))
out["flattened"] = flat.serialize()
print(json.dumps(out))
"#;

/// A JWE key pair made by `jot keygen`: (private file, public JWK).
fn keypair(dir: &Path, alg: &str, kid: &str) -> (String, Value) {
    let private = dir.join(format!("{kid}.jwk"));
    let public = dir.join(format!("{kid}.pub.jwk"));
    ok(&[
        "keygen",
        alg,
        "--kid",
        kid,
        "--out",
        path_str(&private),
        "--public-out",
        path_str(&public),
    ]);
    let public = json(&std::fs::read_to_string(&public).unwrap());
    (path_str(&private).to_owned(), public)
}

fn jwcrypto(request: &Value) -> Value {
    if let Err(e) = crate::deps::ensure_python(&[crate::deps::JWCRYPTO]) {
        panic!("jwcrypto interop: {e}");
    }
    python_json(JWCRYPTO_SCRIPT, request, "jwcrypto")
}

#[test]
fn decrypt_takes_jwcrypto_general_and_flattened_documents() {
    let dir = scratch();
    let (ec, ec_pub) = keypair(&dir, "ECDH-ES+A128KW", "ec-recipient");
    let (rsa, rsa_pub) = keypair(&dir, "RSA-OAEP-256", "rsa-recipient");
    let (stranger, _) = keypair(&dir, "ECDH-ES+A128KW", "stranger");
    let answer = jwcrypto(&json!({
        "plaintext": "for two recipients",
        "aad": "shared context",
        "recipients": [ec_pub, rsa_pub],
    }));
    let general = answer["general"].as_str().unwrap();
    assert!(general.contains("\"recipients\""), "{general}");

    // Each recipient's key decrypts, and says which recipient it was.
    for (key, index, alg) in [(&ec, 0, "ECDH-ES+A128KW"), (&rsa, 1, "RSA-OAEP-256")] {
        let out = json(&ok(&["decrypt", "--key", key, "--json", general]));
        assert_eq!(out["plaintext"], "for two recipients", "{out}");
        assert_eq!(out["recipient"], index, "{out}");
        assert_eq!(out["header"]["alg"], alg, "{out}");
        assert_eq!(out["header"]["cty"], "text/plain", "{out}");
        assert_eq!(out["header"]["jku"], "https://jot.example/keys", "{out}");
        assert_eq!(
            out["aad"],
            jot_codec::base64url::encode(b"shared context"),
            "{out}"
        );
    }
    // Plain output is the plaintext, byte for byte.
    assert_eq!(
        ok(&["decrypt", "--key", &rsa, general]),
        "for two recipients"
    );

    // A JWK Set picks the recipient by kid.
    let set = dir.join("both.jwks");
    let private = |p: &str| json(&std::fs::read_to_string(p).unwrap());
    std::fs::write(
        &set,
        json!({ "keys": [private(&stranger), private(&rsa)] }).to_string(),
    )
    .unwrap();
    let out = json(&ok(&[
        "decrypt",
        "--key",
        path_str(&set),
        "--json",
        general,
    ]));
    assert_eq!(out["recipient"], 1, "{out}");

    // The flattened form.
    let flattened = answer["flattened"].as_str().unwrap();
    assert!(!flattened.contains("\"recipients\""), "{flattened}");
    let out = json(&ok(&["decrypt", "--key", &ec, "--json", flattened]));
    assert_eq!(out["plaintext"], "for two recipients", "{out}");
    assert_eq!(out["header"]["enc"], "A128CBC-HS256", "{out}");
    assert_eq!(out["aad"], Value::Null, "{out}");

    // A key for none of the recipients: refused, nothing printed but the error.
    let (code, out, _) = run(&["decrypt", "--key", &stranger, "--json", general]);
    assert_ne!(code, 0, "{out}");
    let report = json(&out);
    assert!(report["error"]["kind"].is_string(), "{out}");
    assert!(report.get("plaintext").is_none(), "{out}");

    // A tampered protected header (another `enc`) fails authentication for every key.
    let mut doc = json(general);
    let protected = jot_codec::base64url::encode(br#"{"enc":"A128GCM","cty":"text/plain"}"#);
    doc["protected"] = Value::String(protected);
    let tampered = doc.to_string();
    for key in [&ec, &rsa] {
        let (code, out, _) = run(&["decrypt", "--key", key, "--json", &tampered]);
        assert_ne!(code, 0, "{out}");
        assert!(json(&out)["error"]["kind"].is_string(), "{out}");
    }
    // So does a changed `aad`.
    let mut doc = json(general);
    doc["aad"] = Value::String(jot_codec::base64url::encode(b"other context"));
    let (code, out, _) = run(&["decrypt", "--key", &ec, "--json", &doc.to_string()]);
    assert_ne!(code, 0, "{out}");
}
