//! Interop of the JWE JSON serialization with `jwcrypto` (Python, PyPI): jwcrypto
//! encrypts one plaintext to three recipients (RSA-OAEP-256, ECDH-ES+A256KW on P-256,
//! A256KW) in a general JSON document, with a shared protected and unprotected header
//! and an `aad`, and a flattened one to a single recipient; jot decrypts each with
//! every key. jot encrypts the same way and jwcrypto decrypts with every key.
//!
//! jwcrypto is installed as for the compact interop test (`cargo xtask deps`'s code).

use jot_jwe::{
    ContentEncryption, DecryptionKey, DecryptionKeySet, DecryptionPolicy, Error, HeaderOptions,
    JweJson, JweJsonError, KeyAlgorithm, decrypt_json,
};
use jot_test_support::python::python_json;
use serde_json::{Value, json};

const SCRIPT: &str = r#"
import json, sys
from jwcrypto import jwe, jwk
from jwcrypto.common import json_encode

req = json.load(sys.stdin)
keys = [jwk.JWK(**k) for k in req["keys"]]
algs = [k["alg"] for k in req["keys"]] + [req["enc"]]
out = {"jot_plaintexts": []}
# 1. decrypt jot's documents with every key
for doc in [req["jot_general"], req["jot_flat"]]:
    for i, key in enumerate(keys):
        if doc is req["jot_flat"] and i > 0:
            break
        t = jwe.JWE()
        t.allowed_algs = algs
        t.deserialize(doc, key=key)
        out["jot_plaintexts"].append(t.payload.decode())
# 2. encrypt to all three, and to the first one (flattened)
e = jwe.JWE(req["plaintext"].encode(), protected=json_encode({"enc": req["enc"]}),
            unprotected=json_encode({"cty": "text/plain"}), aad=req["aad"].encode())
e.allowed_algs = algs
for k in req["keys"]:
    e.add_recipient(jwk.JWK(**k), header=json_encode({"alg": k["alg"], "kid": k["kid"]}))
out["peer_general"] = e.serialize()
f = jwe.JWE(req["plaintext"].encode(), protected=json_encode({"enc": req["enc"], "alg": req["keys"][0]["alg"]}))
f.allowed_algs = algs
f.add_recipient(keys[0])
out["peer_flat"] = f.serialize()
json.dump(out, sys.stdout)
"#;

#[test]
fn jwcrypto_json_multi_recipient_both_ways() {
    crate::interop::ensure_jwcrypto();
    let keys = [
        DecryptionKey::generate_rsa(KeyAlgorithm::RSA_OAEP_256, 2048)
            .unwrap()
            .with_kid("rsa"),
        DecryptionKey::generate(KeyAlgorithm::ECDH_ES_A256KW)
            .unwrap()
            .with_kid("ec"),
        DecryptionKey::generate(KeyAlgorithm::A256KW)
            .unwrap()
            .with_kid("kw"),
    ];
    let enc = ContentEncryption::A256GCM;
    let plaintext = "one plaintext, three recipients";
    let to: Vec<_> = keys.iter().map(DecryptionKey::encryption_key).collect();
    let to: Vec<_> = to.iter().collect();
    let opts = HeaderOptions::new().cty("text/plain");
    let general = JweJson::encrypt(&to, enc, &opts, Some(b"jot aad"), plaintext.as_bytes())
        .unwrap()
        .to_general_json();
    let flat = JweJson::encrypt(&to[..1], enc, &opts, None, plaintext.as_bytes())
        .unwrap()
        .to_flattened_json()
        .unwrap();
    let jwks: Vec<Value> = keys
        .iter()
        .map(|k| serde_json::to_value(k.to_jwk().unwrap()).unwrap())
        .collect();
    let request = json!({
        "keys": jwks, "enc": enc.as_str(), "plaintext": plaintext, "aad": "peer aad",
        "jot_general": general, "jot_flat": flat,
    });
    let out = python_json(SCRIPT, &request, "jwcrypto");
    // jwcrypto read jot's general document with each key, and the flattened one.
    assert_eq!(out["jot_plaintexts"], json!(vec![plaintext; 4]));

    let policy = DecryptionPolicy::new();
    let peer_general = out["peer_general"].as_str().unwrap();
    let parsed = JweJson::parse(peer_general).unwrap();
    assert_eq!(parsed.recipients(), 3);
    assert!(!parsed.is_flattened());
    for (i, key) in keys.iter().enumerate() {
        let d = decrypt_json(key, peer_general, &policy)
            .unwrap_or_else(|e| panic!("jot reading jwcrypto's document with {i}: {e}"));
        assert_eq!(d.plaintext, plaintext.as_bytes());
        assert_eq!(d.recipient, i);
        assert_eq!(d.aad.as_deref(), Some(&b"peer aad"[..]));
        assert_eq!(d.header.cty.as_deref(), Some("text/plain"));
    }
    let set = DecryptionKeySet::from_jwks_json(&json!({ "keys": jwks }).to_string()).unwrap();
    assert_eq!(
        decrypt_json(&set, peer_general, &policy).unwrap().plaintext,
        plaintext.as_bytes()
    );
    // A key for none of the recipients.
    let stranger = DecryptionKey::generate(KeyAlgorithm::A128KW).unwrap();
    assert!(matches!(
        decrypt_json(&stranger, peer_general, &policy),
        Err(Error::JweJson(JweJsonError::NoRecipient { recipients: 3 }))
    ));

    let peer_flat = out["peer_flat"].as_str().unwrap();
    assert!(JweJson::parse(peer_flat).unwrap().is_flattened());
    let d = decrypt_json(&keys[0], peer_flat, &policy).unwrap();
    assert_eq!(d.plaintext, plaintext.as_bytes());
}
