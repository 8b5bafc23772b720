//! Interop with `jwcrypto` (Python, PyPI): tokens jot encrypts decrypt in jwcrypto,
//! and tokens jwcrypto encrypts decrypt in jot, for RSA-OAEP-256 + A256GCM,
//! ECDH-ES+A256KW (P-256) + A128CBC-HS256, ECDH-ES (X25519) + A256GCM,
//! A256KW + A256GCM, dir + A256GCM, PBES2-HS256+A128KW + A128GCM, and a nested
//! sign-then-encrypt JWT (ES256 inside RSA-OAEP-256 + A256GCM); and a JWK Set that
//! jwcrypto generates and encrypts to, one key at a time, which jot decrypts with the
//! whole set ([`DecryptionKeySet`]).
//!
//! jwcrypto is installed with `python3 -m pip install jwcrypto` (by `cargo xtask deps`'s
//! code) when `python3 -c "import jwcrypto"` fails; if that fails too, the test fails
//! and says so.

use jot_algorithms::{Algorithm, SigningKey};
use jot_jwe::{
    Claims, ContentEncryption, Curve, DecryptionKey, DecryptionKeySet, DecryptionPolicy,
    EncryptionKey, Error, HeaderOptions, KeyAlgorithm, Validation, decrypt, decrypt_then_verify,
    encrypt, sign_then_encrypt,
};
use jot_test_support::python::python_json;
use serde_json::{Value, json};

const SCRIPT: &str = r#"
import json, sys
from jwcrypto import jwe, jwk, jws
from jwcrypto.common import json_encode

req = json.load(sys.stdin)
out = []
for case in req["cases"]:
    key = jwk.JWK(**case["key"])
    alg, enc = case["alg"], case["enc"]
    res = {"name": case["name"]}
    # 1. decrypt jot's token
    t = jwe.JWE()
    t.allowed_algs = [alg, enc]
    t.deserialize(case["jot_token"], key=key)
    payload = t.payload
    if "verify_key" in case:
        s = jws.JWS()
        s.deserialize(payload.decode(), key=jwk.JWK(**case["verify_key"]))
        payload = s.payload
    res["jot_plaintext"] = payload.decode()
    # 2. encrypt for jot
    plaintext = case["plaintext"].encode()
    header = {"alg": alg, "enc": enc}
    if "sign_key" in case:
        s = jws.JWS(plaintext)
        s.add_signature(jwk.JWK(**case["sign_key"]), alg="ES256",
                        protected=json_encode({"alg": "ES256", "typ": "JWT"}))
        plaintext = s.serialize(compact=True).encode()
        header["cty"] = "JWT"
    e = jwe.JWE(plaintext, json_encode(header))
    e.add_recipient(key)
    res["peer_token"] = e.serialize(compact=True)
    out.append(res)
json.dump(out, sys.stdout)
"#;

/// Installs jwcrypto when missing, through the project's one installer
/// (`cargo xtask deps`).
pub(crate) fn ensure_jwcrypto() {
    if let Err(e) = crate::deps::ensure_python(&[crate::deps::JWCRYPTO]) {
        panic!("interop: {e}");
    }
}

struct Case {
    name: &'static str,
    key: DecryptionKey,
    enc: ContentEncryption,
    nested: Option<SigningKey>,
}

#[test]
fn jwcrypto_round_trips() {
    ensure_jwcrypto();
    let rsa = DecryptionKey::generate_rsa(KeyAlgorithm::RSA_OAEP_256, 2048).unwrap();
    let rsa_jwk = rsa.to_jwk().unwrap();
    let cases = vec![
        Case {
            name: "RSA-OAEP-256 + A256GCM",
            key: rsa,
            enc: ContentEncryption::A256GCM,
            nested: None,
        },
        Case {
            name: "ECDH-ES+A256KW P-256 + A128CBC-HS256",
            key: DecryptionKey::generate_ec(KeyAlgorithm::ECDH_ES_A256KW, Curve::P256).unwrap(),
            enc: ContentEncryption::A128CBC_HS256,
            nested: None,
        },
        Case {
            name: "ECDH-ES X25519 + A256GCM",
            key: DecryptionKey::generate_ec(KeyAlgorithm::ECDH_ES, Curve::X25519).unwrap(),
            enc: ContentEncryption::A256GCM,
            nested: None,
        },
        Case {
            name: "A256KW + A256GCM",
            key: DecryptionKey::generate(KeyAlgorithm::A256KW).unwrap(),
            enc: ContentEncryption::A256GCM,
            nested: None,
        },
        Case {
            name: "dir + A256GCM",
            key: DecryptionKey::generate_dir(ContentEncryption::A256GCM).unwrap(),
            enc: ContentEncryption::A256GCM,
            nested: None,
        },
        Case {
            name: "PBES2-HS256+A128KW + A128GCM",
            key: DecryptionKey::password(
                KeyAlgorithm::PBES2_HS256_A128KW,
                "correct horse battery staple",
            )
            .unwrap(),
            enc: ContentEncryption::A128GCM,
            nested: None,
        },
        Case {
            name: "nested ES256 in RSA-OAEP-256 + A256GCM",
            key: DecryptionKey::from_jwk_infer(&rsa_jwk).unwrap(),
            enc: ContentEncryption::A256GCM,
            nested: Some(SigningKey::generate(Algorithm::ES256).unwrap()),
        },
    ];
    let claims = Claims::new(json!({"scope": "read"}))
        .subject("42")
        .valid_for(600);
    let claims_json = serde_json::to_string(&claims).unwrap();
    let mut request = Vec::new();
    for case in &cases {
        let to = case.key.encryption_key();
        let mut key_json = serde_json::to_value(case.key.to_jwk().unwrap()).unwrap();
        key_json.as_object_mut().unwrap().remove("use");
        let mut entry = json!({
            "name": case.name,
            "key": key_json,
            "alg": case.key.algorithm().as_str(),
            "enc": case.enc.as_str(),
            "plaintext": claims_json,
        });
        entry["jot_token"] = match &case.nested {
            None => encrypt(&to, case.enc, &HeaderOptions::jwt(), claims_json.as_bytes()).unwrap(),
            Some(signer) => {
                let private = serde_json::to_value(signer.to_jwk().unwrap()).unwrap();
                let public =
                    serde_json::to_value(signer.verifying_key().to_jwk().unwrap()).unwrap();
                entry["sign_key"] = private;
                entry["verify_key"] = public;
                sign_then_encrypt(signer, &to, case.enc, &claims).unwrap()
            }
        }
        .into();
        request.push(entry);
    }
    let results: Vec<Value> = serde_json::from_value(python_json(
        SCRIPT,
        &json!({ "cases": request }),
        "jwcrypto",
    ))
    .unwrap();
    assert_eq!(results.len(), cases.len());
    for (case, result) in cases.iter().zip(&results) {
        assert_eq!(
            result["jot_plaintext"],
            claims_json.as_str(),
            "jwcrypto read jot's {}",
            case.name
        );
        let token = result["peer_token"].as_str().unwrap();
        match &case.nested {
            None => {
                let out = decrypt(&case.key, token, &DecryptionPolicy::new())
                    .unwrap_or_else(|e| panic!("jot reading jwcrypto's {}: {e}", case.name));
                assert_eq!(out.plaintext, claims_json.as_bytes(), "{}", case.name);
            }
            Some(signer) => {
                let nested = decrypt_then_verify::<Value>(
                    &case.key,
                    &signer.verifying_key(),
                    token,
                    &Validation::new(),
                )
                .unwrap_or_else(|e| panic!("jot reading jwcrypto's {}: {e}", case.name));
                assert_eq!(nested.token.claims.sub.as_deref(), Some("42"));
                assert_eq!(nested.token.claims.custom["scope"], "read");
            }
        }
        eprintln!("interop jwcrypto: {} both ways", case.name);
    }
    // jot reads jwcrypto's public JWK the other way round too.
    let _ =
        EncryptionKey::from_jwk_infer(&cases[0].key.encryption_key().to_jwk().unwrap()).unwrap();
}

const SET_SCRIPT: &str = r#"
import json
from jwcrypto import jwe, jwk
from jwcrypto.common import json_encode

ks = jwk.JWKSet()
ks.add(jwk.JWK.generate(kty="RSA", size=2048, kid="r1", alg="RSA-OAEP-256", use="enc"))
ks.add(jwk.JWK.generate(kty="EC", crv="P-256", kid="e1", alg="ECDH-ES+A256KW", use="enc"))
ks.add(jwk.JWK.generate(kty="oct", size=256, kid="k1", alg="A256KW"))
ks.add(jwk.JWK.generate(kty="EC", crv="P-256", kid="s1", alg="ES256", use="sig"))
tokens = []
for kid, alg, enc, with_kid in [
    ("r1", "RSA-OAEP-256", "A256GCM", True),
    ("e1", "ECDH-ES+A256KW", "A128CBC-HS256", True),
    ("k1", "A256KW", "A256GCM", True),
    ("e1", "ECDH-ES+A256KW", "A256GCM", False),
]:
    header = {"alg": alg, "enc": enc}
    if with_kid:
        header["kid"] = kid
    e = jwe.JWE(("to " + kid).encode(), json_encode(header))
    e.add_recipient(ks.get_key(kid))
    tokens.append({"kid": kid, "with_kid": with_kid, "token": e.serialize(compact=True)})
print(json.dumps({"jwks": json.loads(ks.export(private_keys=True)), "tokens": tokens}))
"#;

#[test]
fn jwcrypto_encrypts_to_one_key_of_a_set_jot_decrypts_with_the_set() {
    ensure_jwcrypto();
    let out = python_json(SET_SCRIPT, &json!({}), "jwcrypto");
    let set = DecryptionKeySet::from_jwks_json(&out["jwks"].to_string()).unwrap();
    let mut kids = set.kids();
    kids.sort_unstable();
    assert_eq!(kids, ["e1", "k1", "r1"]);
    let aside: Vec<_> = set.unusable().iter().map(|u| u.kid.as_deref()).collect();
    assert_eq!(aside, [Some("s1")], "the signature key is set aside");
    let tokens = out["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 4);
    for t in tokens {
        let kid = t["kid"].as_str().unwrap();
        let token = t["token"].as_str().unwrap();
        let d = decrypt(&set, token, &DecryptionPolicy::new())
            .unwrap_or_else(|e| panic!("jot reading jwcrypto's token to {kid}: {e}"));
        assert_eq!(d.plaintext, format!("to {kid}").as_bytes());
        assert_eq!(d.header.kid.is_some(), t["with_kid"].as_bool().unwrap());
        // Without the key it was encrypted to, the set cannot decrypt it.
        let without: Vec<Value> = out["jwks"]["keys"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| k["kid"] != kid)
            .cloned()
            .collect();
        let rest =
            DecryptionKeySet::from_jwks_json(&json!({ "keys": without }).to_string()).unwrap();
        let err = decrypt(&rest, token, &DecryptionPolicy::new()).unwrap_err();
        assert!(
            matches!(
                err,
                Error::UnknownKid { .. } | Error::NoKeyForAlgorithm { .. }
            ),
            "{kid}: {err}"
        );
    }
}
