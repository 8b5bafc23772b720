//! Unencoded payloads (RFC 7797 `"b64": false`) and detached payloads through the
//! CLI: `jot encode --unencoded-payload` / `--detached` / `--payload-file`,
//! `jot verify --payload-file`, `jot decode`, in the compact and the JSON forms; and
//! interop both ways with joserfc (Python, installed by `cargo xtask deps`'s code
//! when missing; the test fails if it cannot be).

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::harness::{json, keys, ok, path_str, python_json, run, scratch};

/// A file holding `content`.
fn file(content: &[u8]) -> PathBuf {
    let path = scratch().join("payload");
    std::fs::write(&path, content).unwrap();
    path
}

/// `jot encode` with the HMAC secret (HS256) and `extra`.
fn encode_hs256(extra: &[&str]) -> (i32, String, String) {
    let secret = keys().secret();
    let mut args = vec!["encode", "--secret-file", &secret, "--alg", "HS256"];
    args.extend_from_slice(extra);
    run(&args)
}

/// `jot verify --json` with the HMAC secret and `extra`.
fn verify_hs256(extra: &[&str]) -> (i32, String, String) {
    let secret = keys().secret();
    let mut args = vec![
        "verify",
        "--secret-file",
        &secret,
        "--alg",
        "HS256",
        "--json",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn compact_attached_and_detached() {
    let plain = file(b"hello world");
    let (code, token, err) =
        encode_hs256(&["--payload-file", path_str(&plain), "--unencoded-payload"]);
    assert_eq!(code, 0, "{err}");
    let token = token.trim_end();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts[1], "hello world", "{token}");
    let header = json(&String::from_utf8(jot_codec::base64url::decode(parts[0]).unwrap()).unwrap());
    // No claims set, so no "typ": JWT.
    assert_eq!(header, json!({"alg":"HS256","b64":false,"crit":["b64"]}));
    let (code, out, err) = verify_hs256(&[token]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(json(&out)["payload_text"], "hello world");
    // decode shows the payload as it is.
    let out = ok(&["decode", "--json", token]);
    assert_eq!(json(&out)["claims"], "hello world");
    // Changing the payload breaks the signature.
    let tampered = token.replace("hello world", "hello World");
    let (code, out, _) = verify_hs256(&[&tampered]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(json(&out)["signatures"][0]["verified"], false, "{out}");

    // A payload with '.' cannot be attached (RFC 7797 §5.2): --detached.
    let dotted = file(b"$.02");
    let (code, _, err) =
        encode_hs256(&["--payload-file", path_str(&dotted), "--unencoded-payload"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--detached"), "{err}");
    let (code, token, err) = encode_hs256(&[
        "--payload-file",
        path_str(&dotted),
        "--unencoded-payload",
        "--detached",
    ]);
    assert_eq!(code, 0, "{err}");
    let token = token.trim_end();
    assert!(token.contains(".."), "{token}");
    let (code, out, _) = verify_hs256(&[token]);
    assert_eq!(code, 1, "{out}");
    assert!(
        json(&out)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--payload-file"),
        "{out}"
    );
    let (code, out, err) = verify_hs256(&["--payload-file", path_str(&dotted), token]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(json(&out)["payload_text"], "$.02");
    let (code, out, _) = verify_hs256(&["--payload-file", path_str(&plain), token]);
    assert_eq!(code, 1, "{out}");
    // A plain compact JWS with a detached (encoded) payload verifies the same way.
    let (code, token, err) = encode_hs256(&["--payload-file", path_str(&dotted), "--detached"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = verify_hs256(&["--payload-file", path_str(&dotted), token.trim_end()]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn json_forms_and_claims() {
    // Claims as an unencoded payload: the JSON member is the claims' JSON itself,
    // and the claim rules still apply.
    let (code, flat, err) = encode_hs256(&[
        "--json",
        "flattened",
        "--unencoded-payload",
        "--iss",
        "https://issuer.example",
    ]);
    assert_eq!(code, 0, "{err}");
    let doc = json(&flat);
    let claims = json(doc["payload"].as_str().unwrap());
    assert_eq!(claims["iss"], "https://issuer.example", "{flat}");
    let (code, out, err) = verify_hs256(&["--iss", "https://issuer.example", flat.trim_end()]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(json(&out)["claims"]["iss"], "https://issuer.example");
    let (code, out, _) = verify_hs256(&["--iss", "other", flat.trim_end()]);
    assert_eq!(code, 1, "{out}");
    let out = ok(&["decode", "--json", flat.trim_end()]);
    assert_eq!(json(&out)["payload"]["iss"], "https://issuer.example");

    // Two signers, general, detached.
    let k = keys();
    let es = k.private("ES256");
    let content = file("any bytes \u{e9} . here".as_bytes());
    let (code, _, err) = encode_hs256(&[
        "--json",
        "general",
        "--key",
        &es,
        "--alg",
        "HS256",
        "--alg",
        "ES256",
        "--payload-file",
        path_str(&content),
        "--unencoded-payload",
        "--detached",
    ]);
    // --alg is given once per signer: the key first, then the secret.
    assert_eq!(code, 2, "{err}");
    let secret = k.secret();
    let general = ok(&[
        "encode",
        "--json",
        "general",
        "--key",
        &es,
        "--secret-file",
        &secret,
        "--alg",
        "ES256",
        "--alg",
        "HS256",
        "--payload-file",
        path_str(&content),
        "--unencoded-payload",
        "--detached",
    ]);
    let doc = json(&general);
    assert!(doc.get("payload").is_none(), "{general}");
    assert_eq!(doc["signatures"].as_array().unwrap().len(), 2);
    let public = k.public("ES256");
    let out = ok(&[
        "verify",
        "--key",
        &public,
        "--require-signatures",
        "any",
        "--payload-file",
        path_str(&content),
        "--json",
        general.trim_end(),
    ]);
    let report = json(&out);
    assert_eq!(report["payload_text"], "any bytes \u{e9} . here");
    assert_eq!(report["signatures"][0]["verified"], true, "{out}");
    assert_eq!(report["signatures"][1]["verified"], false, "{out}");
}

const JOSERFC_SCRIPT: &str = r#"
import json, sys
from joserfc import jws
from joserfc.jwk import OctKey, ECKey
req = json.load(sys.stdin)
mac = OctKey.import_key({"kty": "oct", "k": req["k"]})
ec_pub = ECKey.import_key(req["ec_pub"])
ec_priv = ECKey.import_key(req["ec_priv"])
keys = {"mac": mac, "ec": ec_pub}
out = {"verified": {}}
# jot's tokens: [name, form, key, token or document, detached payload or null]
for name, form, key, value, detached in req["jot"]:
    if form == "compact":
        obj = jws.deserialize_compact(value, keys[key], payload=detached)
        assert obj.protected.get("b64") is False and obj.protected.get("crit") == ["b64"], obj.protected
    else:
        doc = dict(value)
        if detached is not None:
            doc["payload"] = detached
        obj = jws.deserialize_json(doc, keys[key])
    out["verified"][name] = obj.payload.decode()
header = {"alg": "HS256", "b64": False, "crit": ["b64"]}
ec_header = {"alg": "ES256", "b64": False, "crit": ["b64"]}
# joserfc detaches a payload with characters outside base64url's by itself.
out["compact"] = jws.serialize_compact(header, "from_joserfc", mac)
out["compact_detached"] = jws.detach_content(jws.serialize_compact(ec_header, "$.02 from joserfc", ec_priv))
out["general"] = jws.serialize_json({"protected": header}, "general.from.joserfc", mac)
out["flattened_detached"] = jws.detach_content(
    jws.serialize_json({"protected": ec_header}, "flat.detached", ec_priv))
print(json.dumps(out))
"#;

/// `jot encode` of the file's bytes as an unencoded payload, with the key
/// arguments and `rest`.
fn unencoded_jws(key: &[&str], payload: &std::path::Path, rest: &[&str]) -> String {
    let mut args = vec!["encode"];
    args.extend_from_slice(key);
    args.extend_from_slice(&["--payload-file", path_str(payload), "--unencoded-payload"]);
    args.extend_from_slice(rest);
    ok(&args).trim_end().to_owned()
}

#[test]
fn joserfc_interop() {
    if let Err(e) = crate::deps::ensure_python(&[crate::deps::JOSERFC]) {
        panic!("joserfc interop: {e}");
    }
    let k = keys();
    let read = |p: String| json(&std::fs::read_to_string(p).unwrap());
    let secret = std::fs::read_to_string(k.secret()).unwrap();
    let secret = secret.trim_end();
    let (es, es_pub) = (k.private("ES256"), k.public("ES256"));
    let hello = file(b"hello from jot");
    let dotted = file(b"$.02 from jot");
    let secret_file = k.secret();
    let mac = ["--secret-file", secret_file.as_str(), "--alg", "HS256"];
    let ec = ["--key", es.as_str()];
    let compact = unencoded_jws(&mac, &hello, &[]);
    let compact_detached = unencoded_jws(&ec, &dotted, &["--detached"]);
    let general = unencoded_jws(&mac, &dotted, &["--json", "general"]);
    let flattened_detached = unencoded_jws(&ec, &hello, &["--json", "flattened", "--detached"]);
    let request = json!({
        "k": jot_codec::base64url::encode(secret.as_bytes()),
        "ec_pub": read(es_pub.clone()),
        "ec_priv": read(es.clone()),
        "jot": [
            ["compact", "compact", "mac", compact, null],
            ["compact_detached", "compact", "ec", compact_detached, "$.02 from jot"],
            ["general", "json", "mac", json(&general), null],
            ["flattened_detached", "json", "ec", json(&flattened_detached), "hello from jot"],
        ],
    });
    let answer = python_json(JOSERFC_SCRIPT, &request, "joserfc");
    assert_eq!(
        answer["verified"],
        json!({
            "compact": "hello from jot",
            "compact_detached": "$.02 from jot",
            "general": "$.02 from jot",
            "flattened_detached": "hello from jot",
        })
    );

    // joserfc's tokens, verified by jot.
    let text = |v: &Value| {
        v.as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| v.to_string())
    };
    let (code, out, err) = verify_hs256(&[&text(&answer["compact"])]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(json(&out)["payload_text"], "from_joserfc");
    let (code, out, err) = verify_hs256(&[&text(&answer["general"])]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(json(&out)["payload_text"], "general.from.joserfc");
    for (name, payload) in [
        ("compact_detached", "$.02 from joserfc"),
        ("flattened_detached", "flat.detached"),
    ] {
        let content = file(payload.as_bytes());
        let out = ok(&[
            "verify",
            "--key",
            &es_pub,
            "--payload-file",
            path_str(&content),
            "--json",
            &text(&answer[name]),
        ]);
        assert_eq!(json(&out)["payload_text"], payload, "{name}");
        let wrong = file(b"something else");
        let (code, out, _) = run(&[
            "verify",
            "--key",
            &es_pub,
            "--payload-file",
            path_str(&wrong),
            "--json",
            &text(&answer[name]),
        ]);
        assert_eq!(code, 1, "{name}: {out}");
    }
}
