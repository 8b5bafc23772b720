//! ML-DSA (RFC 9964) from the command line: `jot keygen ML-DSA-*` writes AKP JWKs,
//! `jot encode`/`verify`/`decode` and `jot jwk thumbprint` take them, and tokens
//! cross both ways with dilithium-py, an independent Python FIPS 204 implementation.

use serde_json::{Value, json};

use crate::deps;
use crate::harness::{json, keys, ok, path_str, python_json, run, scratch};

const ALGS: [(&str, usize); 3] = [
    ("ML-DSA-44", 1312),
    ("ML-DSA-65", 1952),
    ("ML-DSA-87", 2592),
];

/// Verifies jot's token with the public key of jot's JWK, then signs the same
/// signing input itself from a seed of its own and returns that key and signature.
const SCRIPT: &str = r#"
import base64, json, os, sys
from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87
sets = {"ML-DSA-44": ML_DSA_44, "ML-DSA-65": ML_DSA_65, "ML-DSA-87": ML_DSA_87}
def unb64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
request = json.load(sys.stdin)
scheme = sets[request["alg"]]
header, payload, signature = request["token"].split(".")
signing_input = (header + "." + payload).encode()
pk = unb64(request["pub"])
ok = scheme.verify(pk, signing_input, unb64(signature))
tampered = scheme.verify(pk, signing_input + b"x", unb64(signature))
seed = os.urandom(32)
own_pk, own_sk = scheme.key_derive(seed)
mine = b64(scheme.sign(own_sk, signing_input))
print(json.dumps({"verified": ok, "tampered": tampered, "pub": b64(own_pk), "input": signing_input.decode(), "signature": mine}))
"#;

#[test]
fn keygen_writes_akp_jwks() {
    for (alg, pub_len) in ALGS {
        let v = json(&ok(&["keygen", alg]));
        assert_eq!(v["kty"], "AKP", "{alg}");
        assert_eq!(v["alg"], alg);
        let public = jot_codec::base64url::decode(v["pub"].as_str().unwrap()).unwrap();
        let seed = jot_codec::base64url::decode(v["priv"].as_str().unwrap()).unwrap();
        assert_eq!((public.len(), seed.len()), (pub_len, 32), "{alg}");
        // The kid defaults to the RFC 9964 thumbprint, which `jot jwk thumbprint` gives.
        let dir = scratch();
        let file = dir.join("k.jwk");
        std::fs::write(&file, v.to_string()).unwrap();
        let thumbprint = ok(&["jwk", "thumbprint", path_str(&file)]);
        assert_eq!(thumbprint.trim(), v["kid"].as_str().unwrap(), "{alg}");
    }
}

#[test]
fn pem_keys_of_rfc_9881_work_too() {
    let dir = scratch();
    let (private, public) = (dir.join("k.pem"), dir.join("k.pub.pem"));
    ok(&[
        "keygen",
        "ML-DSA-65",
        "--format",
        "pem",
        "--out",
        path_str(&private),
        "--public-out",
        path_str(&public),
    ]);
    let pem = std::fs::read_to_string(&private).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "{pem}");
    // The algorithm comes from the key's OID.
    let token = ok(&["encode", "--key", path_str(&private), "--sub", "pem"]);
    let out = ok(&["verify", "--key", path_str(&public), "--json", token.trim()]);
    assert_eq!(json(&out)["header"]["alg"], "ML-DSA-65");
    // PEM to JWK and back.
    let jwk = json(&ok(&["jwk", "convert", "--to", "jwk", path_str(&private)]));
    assert_eq!(
        (jwk["kty"].as_str(), jwk["alg"].as_str()),
        (Some("AKP"), Some("ML-DSA-65"))
    );
    assert!(jwk["priv"].is_string() && jwk["pub"].is_string());
}

#[test]
fn decode_shows_and_verify_refuses_other_algorithms() {
    let k = keys();
    let token = ok(&["encode", "--key", &k.private("ML-DSA-44"), "--sub", "pq"]);
    let token = token.trim();
    let out = ok(&["decode", "--json", token]);
    assert_eq!(json(&out)["header"]["alg"], "ML-DSA-44");
    // The ML-DSA-65 key does not verify an ML-DSA-44 token, nor does the right key
    // when another algorithm is demanded.
    let (code, _, _) = run(&["verify", "--key", &k.public("ML-DSA-65"), token]);
    assert_ne!(code, 0);
    let (code, _, _) = run(&[
        "verify",
        "--alg",
        "ML-DSA-65",
        "--key",
        &k.public("ML-DSA-44"),
        token,
    ]);
    assert_ne!(code, 0);
    let out = ok(&["verify", "--key", &k.public("ML-DSA-44"), "--json", token]);
    assert_eq!(json(&out)["claims"]["sub"], "pq");
}

#[test]
fn interop_with_dilithium_py_both_ways() {
    if let Err(e) = deps::ensure_python(&[deps::DILITHIUM_PY]) {
        panic!("dilithium-py could not be installed: {e}");
    }
    let k = keys();
    let dir = scratch();
    for (alg, _) in ALGS {
        // jot signs, Python verifies.
        let token = ok(&["encode", "--key", &k.private(alg), "--sub", "to-python"]);
        let public: Value = json(&std::fs::read_to_string(k.public(alg)).unwrap());
        let answer = python_json(
            SCRIPT,
            &json!({"alg": alg, "token": token.trim(), "pub": public["pub"]}),
            "dilithium-py",
        );
        assert_eq!(
            answer["verified"], true,
            "{alg}: dilithium-py refused jot's token"
        );
        assert_eq!(answer["tampered"], false, "{alg}");

        // Python signs, jot verifies with the public JWK of Python's key.
        let jwk = json!({"kty": "AKP", "alg": alg, "pub": answer["pub"]});
        let file = dir.join(format!("{alg}.pub.jwk"));
        std::fs::write(&file, jwk.to_string()).unwrap();
        let python_token = format!(
            "{}.{}",
            answer["input"].as_str().unwrap(),
            answer["signature"].as_str().unwrap()
        );
        let out = ok(&["verify", "--key", path_str(&file), "--json", &python_token]);
        assert_eq!(json(&out)["claims"]["sub"], "to-python", "{alg}");
        // Not with jot's own key.
        let (code, _, _) = run(&["verify", "--key", &k.public(alg), &python_token]);
        assert_ne!(code, 0, "{alg}: another key verified Python's token");
    }
}
