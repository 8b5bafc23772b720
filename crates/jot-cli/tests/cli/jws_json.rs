//! The JWS JSON serialization (RFC 7515 §7.2) through the CLI: `jot encode --json`,
//! `jot decode` and `jot verify` on general and flattened documents, tampering, the
//! RFC 7515 A.6 and JOSE cookbook 4.8 examples, and interop with jwcrypto (Python,
//! installed by `cargo xtask deps`'s code when missing; the test fails if it cannot be).

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::harness::{json, keys, ok, path_str, python_json, run, run_stdin, scratch};

/// A general JWS signed by the ES256 key (its own kid) and the HMAC secret (kid "mac").
fn two_signers(extra: &[&str]) -> String {
    let k = keys();
    let (key, secret) = (k.private("ES256"), k.secret());
    let mut args = vec![
        "encode",
        "--json",
        "general",
        "--key",
        &key,
        "--secret-file",
        &secret,
        "--alg",
        "ES256",
        "--alg",
        "HS256",
        "--kid",
        "ES256-kid",
        "--kid",
        "mac",
        "--iss",
        "jot",
    ];
    args.extend_from_slice(extra);
    ok(&args).trim_end().to_owned()
}

#[test]
fn general_round_trip_verifies_per_signature() {
    let k = keys();
    let jws = two_signers(&[]);
    let doc = json(&jws);
    assert_eq!(doc["signatures"].as_array().unwrap().len(), 2, "{jws}");

    // One key of the two: accepted under "any", refused under "all" (the default).
    let es = k.public("ES256");
    let (code, out, err) = run(&["verify", "--key", &es, "--require-signatures", "any", &jws]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("signature 0 (kid ES256-kid, ES256): verified"),
        "{err}"
    );
    assert!(
        err.contains("signature 1 (kid mac, HS256): not verified:"),
        "{err}"
    );
    assert_eq!(json(&out)["iss"], "jot");
    let (code, _, err) = run(&["verify", "--key", &es, &jws]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("1 of 2 signatures did not verify"), "{err}");

    // The secret alone, from stdin, with --json.
    let secret = k.secret();
    let (code, out, err) = run_stdin(
        &[
            "verify",
            "--secret-file",
            &secret,
            "--alg",
            "HS256",
            "--require-signatures",
            "any",
            "--json",
        ],
        &jws,
    );
    assert_eq!(code, 0, "{err}");
    let report = json(&out);
    assert_eq!(report["claims"]["iss"], "jot");
    assert_eq!(report["signatures"][0]["verified"], false);
    assert_eq!(report["signatures"][0]["alg"], "ES256");
    assert_eq!(
        report["signatures"][1],
        json!({"index": 1, "kid": "mac", "alg": "HS256", "verified": true})
    );

    // Claim rules apply to a claims payload, as for a compact token.
    let (code, out, _) = run(&[
        "verify",
        "--key",
        &es,
        "--require-signatures",
        "any",
        "--iss",
        "other",
        "--json",
        &jws,
    ]);
    assert_eq!(code, 1);
    let refusal = json(&out);
    assert_eq!(refusal["error"]["kind"], "wrong_issuer", "{out}");
    assert_eq!(refusal["signatures"][0]["verified"], true);

    // Decode shows both signatures' headers and the payload, from @FILE.
    let file = scratch().join("jws.json");
    std::fs::write(&file, &jws).unwrap();
    let at = format!("@{}", path_str(&file));
    let shown = json(&ok(&["decode", "--json", &at]));
    assert_eq!(shown["serialization"], "general");
    assert_eq!(shown["signatures"][0]["protected"]["alg"], "ES256");
    assert_eq!(shown["signatures"][0]["protected"]["kid"], "ES256-kid");
    assert_eq!(shown["signatures"][1]["protected"]["alg"], "HS256");
    assert_eq!(shown["signatures"][1]["protected"]["kid"], "mac");
    assert_eq!(shown["signatures"][1]["header"], Value::Null);
    assert_eq!(shown["payload"]["iss"], "jot");
    // On a pipe without --json: the same members, indented.
    let piped = json(&ok(&["decode", &at]));
    assert_eq!(piped["signatures"], shown["signatures"]);
    assert_eq!(piped["payload"], shown["payload"]);
}

#[test]
fn flattened_round_trip() {
    let k = keys();
    let key = k.private("EdDSA");
    let jws = ok(&["encode", "--json", "flattened", "--key", &key, "--sub", "s"]);
    let doc = json(&jws);
    assert!(
        doc.get("signatures").is_none() && doc["signature"].is_string(),
        "{jws}"
    );
    let out = ok(&[
        "verify",
        "--key",
        &k.public("EdDSA"),
        "--sub",
        "s",
        "--json",
        jws.trim(),
    ]);
    assert_eq!(json(&out)["claims"]["sub"], "s");
    let shown = json(&ok(&["decode", "--json", jws.trim()]));
    assert_eq!(shown["serialization"], "flattened");
    assert_eq!(shown["signatures"][0]["protected"]["alg"], "EdDSA");

    // Flattened holds one signature; compact mode keeps one key.
    let es = k.private("ES256");
    let (code, _, err) = run(&["encode", "--json", "flattened", "--key", &key, "--key", &es]);
    assert_eq!(code, 2);
    assert!(err.contains("exactly one signature"), "{err}");
    let (code, _, err) = run(&["encode", "--key", &key, "--key", &es]);
    assert_eq!(code, 2);
    assert!(err.contains("only with --json"), "{err}");
    let (code, _, err) = run(&[
        "encode", "--json", "general", "--key", &key, "--key", &es, "--kid", "x",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--kid is given 1 times for 2 signers"),
        "{err}"
    );
}

#[test]
fn tampered_signatures_are_refused() {
    let k = keys();
    let jws = two_signers(&[]);
    let mut doc = json(&jws);
    let sig = doc["signatures"][1]["signature"]
        .as_str()
        .unwrap()
        .to_owned();
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    doc["signatures"][1]["signature"] = Value::String(format!("{flipped}{}", &sig[1..]));
    let tampered = doc.to_string();
    let secret = k.secret();
    let (code, out, _) = run(&[
        "verify",
        "--secret-file",
        &secret,
        "--alg",
        "HS256",
        "--require-signatures",
        "any",
        "--json",
        &tampered,
    ]);
    assert_eq!(code, 1, "{out}");
    let report = json(&out);
    assert_eq!(report["signatures"][1]["verified"], false);
    assert_eq!(
        report["signatures"][1]["error"]["kind"], "invalid_signature",
        "{out}"
    );

    // Another payload under the same signatures: none verifies.
    let mut doc = json(&jws);
    doc["payload"] = Value::String("eyJpc3MiOiJtYWxsb3J5In0".into());
    let (code, _, err) = run(&[
        "verify",
        "--key",
        &k.public("ES256"),
        "--require-signatures",
        "any",
        &doc.to_string(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("none of the 2 signatures verified"), "{err}");
    assert!(
        err.contains("signature 0 (kid ES256-kid, ES256): not verified: signature invalid"),
        "{err}"
    );
}

/// `$JOT_VECTORS_DIR`, else `<workspace root>/../shared/vectors`, as the conformance
/// tests read them.
fn vectors_dir() -> PathBuf {
    let dir = match std::env::var_os("JOT_VECTORS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors"),
    };
    assert!(
        dir.is_dir(),
        "vectors not found at {}: set JOT_VECTORS_DIR",
        dir.display()
    );
    dir
}

fn vector(path: &str) -> Value {
    let file = vectors_dir().join(path);
    json(&std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display())))
}

/// A JWK without its private members.
fn public_jwk(jwk: &Value) -> Value {
    let mut jwk = jwk.clone();
    if jwk["kty"] != "oct" {
        for name in ["d", "p", "q", "dp", "dq", "qi"] {
            jwk.as_object_mut().unwrap().remove(name);
        }
    }
    jwk
}

#[test]
fn cookbook_multiple_signatures_verify() {
    let case = vector("jose-cookbook/jws/4_8.multiple_signatures.json");
    let keys: Vec<Value> = case["input"]["key"]
        .as_array()
        .unwrap()
        .iter()
        .zip(case["input"]["alg"].as_array().unwrap())
        .map(|(jwk, alg)| {
            let mut jwk = public_jwk(jwk);
            jwk["alg"] = alg.clone();
            jwk
        })
        .collect();
    // The RSA and EC keys share a kid and the third is a shared secret, so no one JWK
    // Set holds them: each key in turn verifies its own signature ("any"), not all.
    let document = case["output"]["json"].to_string();
    let dir = scratch();
    for (i, key) in keys.iter().enumerate() {
        let file = dir.join(format!("key{i}.jwk"));
        std::fs::write(&file, key.to_string()).unwrap();
        let file = path_str(&file);
        let args = [
            "verify",
            "--key",
            file,
            "--require-signatures",
            "any",
            "--json",
            &document,
        ];
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "key {i}: {out}{err}");
        let report = json(&out);
        assert_eq!(report["payload_text"], case["input"]["payload"], "{out}");
        for j in 0..3 {
            assert_eq!(
                report["signatures"][j]["verified"],
                i == j,
                "key {i}: {out}"
            );
        }
        let (code, out, _) = run(&["verify", "--key", file, "--json", &document]);
        assert_eq!(code, 1, "key {i} alone, every signature required: {out}");
        assert_eq!(json(&out)["error"]["kind"], "signatures");
    }
    // Claim options need a claims set; this payload is text.
    let oct = path_str(&dir.join("key2.jwk")).to_owned();
    let args = [
        "verify",
        "--key",
        &oct,
        "--require-signatures",
        "any",
        "--iss",
        "x",
        &document,
    ];
    let (code, _, err) = run(&args);
    assert_eq!(code, 1);
    assert!(
        err.contains("the payload is not a JSON claims set, so --iss cannot apply"),
        "{err}"
    );

    let shown = json(&ok(&["decode", "--json", &document]));
    assert_eq!(shown["signatures"][1]["header"]["alg"], "ES512");
    assert_eq!(shown["payload_text"], case["input"]["payload"]);
}

#[test]
fn rfc7515_a6_signatures_verify_and_its_claims_are_checked() {
    let case = vector("rfc/rfc7515_a6_general_json.json");
    let keys: Vec<Value> = case["keys"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(kid, key)| {
            let mut jwk = key["public_jwk"].clone();
            jwk["kid"] = kid.as_str().into();
            jwk["alg"] = key["alg"].clone();
            jwk
        })
        .collect();
    let set = scratch().join("a6.jwks");
    std::fs::write(&set, json!({ "keys": keys }).to_string()).unwrap();
    let document = case["jws_json"].to_string();
    // Both signatures verify; the claims set expired in 2011, which the claim rules catch.
    let (code, out, err) = run(&["verify", "--jwks", path_str(&set), "--json", &document]);
    assert_eq!(code, 1, "{out}{err}");
    let report = json(&out);
    assert_eq!(report["error"]["kind"], "expired", "{out}");
    assert_eq!(report["signatures"][0]["verified"], true, "{out}");
    assert_eq!(report["signatures"][1]["verified"], true, "{out}");
}

const JWCRYPTO_SCRIPT: &str = r#"
import json, sys, time, base64
from jwcrypto import jwk, jws
from jwcrypto.common import json_encode
req = json.load(sys.stdin)
k = base64.urlsafe_b64encode(req["secret"].encode()).decode().rstrip("=")
oct_key = jwk.JWK(kty="oct", k=k)
ec_pub = jwk.JWK(**req["ec_pub"])
ec_priv = jwk.JWK(**req["ec_priv"])
out = {}
for name, key, alg in (("ec", ec_pub, "ES256"), ("mac", oct_key, "HS256")):
    t = jws.JWS()
    t.deserialize(req["jot"])
    t.verify(key, alg=alg)
    out["jot_iss_" + name] = json.loads(t.payload)["iss"]
claims = {"iss": "jwcrypto", "exp": int(time.time()) + 600}
s = jws.JWS(json.dumps(claims).encode())
s.add_signature(ec_priv, None, json_encode({"alg": "ES256", "kid": req["ec_pub"]["kid"]}))
s.add_signature(oct_key, None, json_encode({"alg": "HS256", "kid": "mac"}))
out["peer"] = s.serialize()
out["k"] = k
print(json.dumps(out))
"#;

#[test]
fn jwcrypto_interop() {
    if let Err(e) = crate::deps::ensure_python(&[crate::deps::JWCRYPTO]) {
        panic!("jwcrypto interop: {e}");
    }
    let k = keys();
    let read = |p: String| json(&std::fs::read_to_string(p).unwrap());
    let secret = std::fs::read_to_string(k.secret())
        .unwrap()
        .trim_end()
        .to_owned();
    let request = json!({
        "jot": two_signers(&[]),
        "secret": secret,
        "ec_pub": read(k.public("ES256")),
        "ec_priv": read(k.private("ES256")),
    });
    let answer = python_json(JWCRYPTO_SCRIPT, &request, "jwcrypto");
    assert_eq!(answer["jot_iss_ec"], "jot");
    assert_eq!(answer["jot_iss_mac"], "jot");

    // jwcrypto's general JWS: each signature verifies with its key (a JWK Set may not
    // mix a shared secret with public keys, so one key at a time, "any").
    let peer = answer["peer"].as_str().unwrap();
    let es = k.public("ES256");
    let out = ok(&[
        "verify",
        "--key",
        &es,
        "--iss",
        "jwcrypto",
        "--require-signatures",
        "any",
        "--json",
        peer,
    ]);
    let report = json(&out);
    assert_eq!(report["claims"]["iss"], "jwcrypto");
    assert_eq!(report["signatures"][0]["verified"], true, "{out}");
    let secret = k.secret();
    let out = ok(&[
        "verify",
        "--secret-file",
        &secret,
        "--alg",
        "HS256",
        "--iss",
        "jwcrypto",
        "--require-signatures",
        "any",
        "--json",
        peer,
    ]);
    let report = json(&out);
    assert_eq!(report["signatures"][1]["verified"], true, "{out}");
}
