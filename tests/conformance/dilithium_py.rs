//! ML-DSA interop with dilithium-py, an independent pure-Python FIPS 204
//! implementation (installed by `deps::ensure_python`), both ways, for the three
//! parameter sets: from one seed both derive the same public key; jot's
//! deterministic JWS signature is byte for byte dilithium-py's deterministic
//! signature of the same signing input; dilithium-py verifies jot's (hedged) JWTs,
//! and jot verifies JWTs whose signature dilithium-py made, refusing them once
//! tampered. Keys cross as SPKI and PKCS#8 (seed form, RFC 9881) too, both ways.

use jot_algorithms::{
    Algorithm, Claims, Error, Header, SigningKey, Validation, VerifyingKey, base64url, decode,
    encode,
};
use serde_json::{Value, json};

use crate::deps::{DILITHIUM_PY, ensure_python};

/// Reads `{"cases": [{"set", "seed", "input", "jot_sig", "jot_det_sig"}]}` (hex) and
/// answers, per case, the public key it derives, its deterministic and hedged
/// signatures of `input`, and whether jot's hedged signature verifies.
const SCRIPT: &str = r#"
import json, sys
from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87
sets = {"ML-DSA-44": ML_DSA_44, "ML-DSA-65": ML_DSA_65, "ML-DSA-87": ML_DSA_87}
out = []
for case in json.load(sys.stdin)["cases"]:
    scheme = sets[case["set"]]
    pk, sk = scheme.key_derive(bytes.fromhex(case["seed"]))
    message = bytes.fromhex(case["input"])
    out.append({
        "pub": pk.hex(),
        "det_sig": scheme.sign(sk, message, deterministic=True).hex(),
        "sig": scheme.sign(sk, message).hex(),
        "jot_sig_ok": scheme.verify(pk, message, bytes.fromhex(case["jot_sig"])),
        "jot_sig_other_message": scheme.verify(pk, message + b"!", bytes.fromhex(case["jot_sig"])),
    })
print(json.dumps(out))
"#;

fn python(request: &Value) -> Value {
    run_python(SCRIPT, request)
}

fn run_python(script: &str, request: &Value) -> Value {
    jot_test_support::python::python_json(script, request, "dilithium-py")
}

/// The JWS signing input and signature of a compact token.
fn split(token: &str) -> (&str, Vec<u8>) {
    let (input, sig) = token.rsplit_once('.').expect("a compact JWS");
    (input, base64url::decode(sig).expect("base64url signature"))
}

#[test]
fn ml_dsa_interop_with_dilithium_py_both_ways() {
    if let Err(e) = ensure_python(&[DILITHIUM_PY]) {
        panic!("dilithium-py could not be installed: {e}");
    }
    let algs = [Algorithm::MlDsa44, Algorithm::MlDsa65, Algorithm::MlDsa87];
    let mut keys = Vec::new();
    let mut cases = Vec::new();
    for alg in algs {
        let key = SigningKey::generate(alg).unwrap().with_kid(alg.as_str());
        let jwk = key.to_jwk().unwrap();
        let seed = base64url::decode(jwk.private.as_deref().unwrap()).unwrap();
        let claims = Claims::new(json!({"set": alg.as_str()}))
            .subject("interop")
            .valid_for(600);
        let hedged = encode(&key, &Header::jwt(), &claims).unwrap();
        let deterministic = key.clone().with_deterministic_signing().unwrap();
        let det_token = encode(&deterministic, &Header::jwt(), &claims).unwrap();
        // The same header and claims: one signing input for both tokens.
        let (input, hedged_sig) = split(&hedged);
        let (det_input, det_sig) = split(&det_token);
        assert_eq!(input, det_input);
        cases.push(json!({
            "set": alg.as_str(),
            "seed": hex::encode(&seed),
            "input": hex::encode(input),
            "jot_sig": hex::encode(&hedged_sig),
        }));
        keys.push((key, jwk, input.to_string(), det_sig));
    }
    let answers = python(&json!({ "cases": cases }));
    for ((key, jwk, input, det_sig), answer) in keys.into_iter().zip(answers.as_array().unwrap()) {
        let alg = key.algorithm();
        // One seed, one public key.
        let public = hex::decode(answer["pub"].as_str().unwrap()).unwrap();
        assert_eq!(
            jwk.public.as_deref(),
            Some(&*base64url::encode(&public)),
            "{alg}"
        );
        // jot -> Python: the hedged signature verifies, not over another message.
        assert_eq!(answer["jot_sig_ok"], true, "{alg}");
        assert_eq!(answer["jot_sig_other_message"], false, "{alg}");
        // Deterministic signing is the same function on both sides.
        let python_det = hex::decode(answer["det_sig"].as_str().unwrap()).unwrap();
        assert_eq!(
            det_sig, python_det,
            "{alg}: deterministic signatures differ"
        );
        // Python -> jot: its signature, as the JWT's, verifies with the public JWK.
        let python_sig = hex::decode(answer["sig"].as_str().unwrap()).unwrap();
        let token = format!("{input}.{}", base64url::encode(&python_sig));
        let verifier = VerifyingKey::from_jwk_infer(&jwk.to_public()).unwrap();
        let verified = decode::<Value>(&token, &verifier, &Validation::new()).unwrap();
        assert_eq!(verified.claims.custom["set"], alg.as_str());
        let mut tampered = python_sig.clone();
        tampered[7] ^= 0x20;
        let bad = format!("{input}.{}", base64url::encode(&tampered));
        assert!(
            matches!(
                decode::<Value>(&bad, &verifier, &Validation::new()),
                Err(Error::InvalidSignature)
            ),
            "{alg}"
        );
    }
}

/// Reads `{"cases": [{"seed", "spki", "pkcs8"}]}` (jot's PEM) and answers, per case,
/// what it reads from jot's PEM and its own DER of the same seed.
const PEM_SCRIPT: &str = r#"
import json, sys
from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87
from dilithium_py.ml_dsa import pkcs
names = {id(ML_DSA_44): "ML-DSA-44", id(ML_DSA_65): "ML-DSA-65", id(ML_DSA_87): "ML-DSA-87"}
sets = {"ML-DSA-44": ML_DSA_44, "ML-DSA-65": ML_DSA_65, "ML-DSA-87": ML_DSA_87}
out = []
for case in json.load(sys.stdin)["cases"]:
    scheme, pk = pkcs.pk_from_pem(case["spki"])
    scheme2, _, seed, pk2 = pkcs.sk_from_pem(case["pkcs8"])
    mine = sets[case["set"]]
    out.append({
        "spki_set": names[id(scheme)],
        "spki_pub": pk.hex(),
        "pkcs8_set": names[id(scheme2)],
        "pkcs8_seed": seed.hex(),
        "pkcs8_pub": pk2.hex(),
        "own_spki": pkcs.pk_to_der(mine, pk).hex(),
        "own_pkcs8": pkcs.sk_to_der(mine, seed=bytes.fromhex(case["seed"]), form="seed").hex(),
    })
print(json.dumps(out))
"#;

#[test]
fn ml_dsa_pem_keys_cross_with_dilithium_py_both_ways() {
    if let Err(e) = ensure_python(&[DILITHIUM_PY]) {
        panic!("dilithium-py could not be installed: {e}");
    }
    let mut keys = Vec::new();
    let mut cases = Vec::new();
    for alg in [Algorithm::MlDsa44, Algorithm::MlDsa65, Algorithm::MlDsa87] {
        let key = SigningKey::generate(alg).unwrap();
        let jwk = key.to_jwk().unwrap();
        let seed = base64url::decode(jwk.private.as_deref().unwrap()).unwrap();
        cases.push(json!({
            "set": alg.as_str(),
            "seed": hex::encode(&seed),
            "spki": key.verifying_key().to_pem().unwrap(),
            "pkcs8": key.to_pkcs8_pem().unwrap(),
        }));
        keys.push((key, seed));
    }
    let answers = run_python(PEM_SCRIPT, &json!({ "cases": cases }));
    for ((key, seed), answer) in keys.into_iter().zip(answers.as_array().unwrap()) {
        let alg = key.algorithm();
        let public = base64url::decode(key.to_jwk().unwrap().public.as_deref().unwrap()).unwrap();
        // jot's PEM, read by dilithium-py.
        assert_eq!(answer["spki_set"], alg.as_str());
        assert_eq!(answer["pkcs8_set"], alg.as_str());
        assert_eq!(
            hex::decode(answer["spki_pub"].as_str().unwrap()).unwrap(),
            public
        );
        assert_eq!(
            hex::decode(answer["pkcs8_seed"].as_str().unwrap()).unwrap(),
            seed
        );
        assert_eq!(
            hex::decode(answer["pkcs8_pub"].as_str().unwrap()).unwrap(),
            public
        );
        // dilithium-py's DER (its PEM wraps lines at 76 columns, which jot's strict
        // RFC 7468 reader refuses for every key type), read by jot: the algorithm
        // from the OID, the same key.
        let der = |field: &str| hex::decode(answer[field].as_str().unwrap()).unwrap();
        let spki = VerifyingKey::from_der_infer(der("own_spki")).unwrap();
        assert_eq!(spki.algorithm(), alg);
        assert_eq!(spki.thumbprint().unwrap(), key.thumbprint().unwrap());
        let pkcs8 = SigningKey::from_der_infer(der("own_pkcs8")).unwrap();
        assert_eq!(
            der("own_pkcs8"),
            key.to_pkcs8_der().unwrap(),
            "{alg}: the same seed form"
        );
        assert_eq!(pkcs8.algorithm(), alg);
        assert_eq!(pkcs8.to_jwk().unwrap(), key.to_jwk().unwrap());
    }
}
