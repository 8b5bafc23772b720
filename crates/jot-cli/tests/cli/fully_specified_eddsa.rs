//! The fully-specified EdDSA algorithms of RFC 9864 from the command line: `jot keygen
//! Ed25519` and `jot keygen Ed448`, tokens that name them, the refusals between them
//! and the polymorphic `EdDSA`, and interop both ways with joserfc (Python).

use serde_json::{Value, json};

use crate::deps;
use crate::harness::{json, keys, ok, path_str, python_json, run, scratch};

const CURVES: [&str; 2] = ["Ed25519", "Ed448"];

/// Verifies jot's tokens with jot's public JWKs (joserfc allows only the token's own
/// algorithm), checks that joserfc refuses them as `EdDSA` or as the other curve, and
/// signs a token of its own with a fresh key per curve.
const SCRIPT: &str = r#"
import json, sys, time
from joserfc import jws
from joserfc.jwk import OKPKey
req = json.load(sys.stdin)
out = {}
for alg, item in req.items():
    public = OKPKey.import_key(item["pub"])
    obj = jws.deserialize_compact(item["token"], public, algorithms=[alg])
    refused = []
    for other in ["EdDSA", "Ed25519" if alg == "Ed448" else "Ed448"]:
        try:
            jws.deserialize_compact(item["token"], public, algorithms=[other])
            refused.append(False)
        except Exception:
            refused.append(True)
    own = OKPKey.generate_key(alg)
    token = jws.serialize_compact({"alg": alg, "typ": "JWT"}, json.dumps({"sub": "from-joserfc-" + alg, "exp": int(time.time()) + 600}), own, algorithms=[alg])
    out[alg] = {
        "payload": json.loads(obj.payload),
        "header_alg": obj.protected["alg"],
        "refused": refused,
        "token": token,
        "pub": own.as_dict(private=False),
    }
print(json.dumps(out))
"#;

#[test]
fn keygen_names_the_curve_and_the_algorithm() {
    for alg in CURVES {
        let v = json(&ok(&["keygen", alg]));
        assert_eq!(v["kty"], "OKP", "{alg}");
        assert_eq!(v["crv"], alg);
        assert_eq!(v["alg"], alg);
        assert!(v["d"].is_string() && v["x"].is_string());
        // Repeating the curve is harmless; another curve is refused.
        let v = json(&ok(&["keygen", alg, "--curve", alg]));
        assert_eq!(
            (v["crv"].as_str(), v["alg"].as_str()),
            (Some(alg), Some(alg))
        );
        let other = if alg == "Ed448" { "Ed25519" } else { "Ed448" };
        let (code, _, err) = run(&["keygen", alg, "--curve", other]);
        assert_eq!(code, 2, "{alg} --curve {other}: {err}");
        assert!(err.contains("name their curve"), "{err}");
    }
    // The polymorphic EdDSA still takes either curve.
    let v = json(&ok(&["keygen", "EdDSA", "--curve", "Ed448"]));
    assert_eq!(
        (v["crv"].as_str(), v["alg"].as_str()),
        (Some("Ed448"), Some("EdDSA"))
    );
    let v = json(&ok(&["keygen", "EdDSA"]));
    assert_eq!(
        (v["crv"].as_str(), v["alg"].as_str()),
        (Some("Ed25519"), Some("EdDSA"))
    );
}

#[test]
fn pem_keys_take_the_algorithm_from_the_command_line() {
    let dir = scratch();
    for alg in CURVES {
        let (private, public) = (
            dir.join(format!("{alg}.pem")),
            dir.join(format!("{alg}.pub.pem")),
        );
        ok(&[
            "keygen",
            alg,
            "--format",
            "pem",
            "--out",
            path_str(&private),
            "--public-out",
            path_str(&public),
        ]);
        // A PEM has no `alg`: without --alg the key is for EdDSA, as before.
        let t = ok(&["encode", "--key", path_str(&private), "--sub", "pem"]);
        let out = ok(&["verify", "--key", path_str(&public), "--json", t.trim()]);
        assert_eq!(json(&out)["header"]["alg"], "EdDSA");
        let t = ok(&[
            "encode",
            "--alg",
            alg,
            "--key",
            path_str(&private),
            "--sub",
            "pem",
        ]);
        let out = ok(&[
            "verify",
            "--alg",
            alg,
            "--key",
            path_str(&public),
            "--json",
            t.trim(),
        ]);
        assert_eq!(json(&out)["header"]["alg"], alg);
        assert_eq!(json(&out)["claims"]["sub"], "pem");
        // The same PEM refuses the other curve's algorithm.
        let other = if alg == "Ed448" { "Ed25519" } else { "Ed448" };
        let (code, _, err) = run(&["encode", "--alg", other, "--key", path_str(&private)]);
        assert_ne!(code, 0, "{alg} key signed {other}");
        assert!(err.contains(alg), "{err}");
    }
}

#[test]
fn eddsa_and_fully_specified_tokens_do_not_cross() {
    let k = keys();
    let claims = ["--sub", "x"];
    let sign = |alg: &str| {
        let mut args = vec!["encode", "--key"];
        let key = k.private(alg);
        args.push(&key);
        args.extend_from_slice(&claims);
        ok(&args).trim().to_owned()
    };
    let (eddsa, ed25519, ed448) = (sign("EdDSA"), sign("Ed25519"), sign("Ed448"));
    for (token, alg) in [(&eddsa, "EdDSA"), (&ed25519, "Ed25519"), (&ed448, "Ed448")] {
        let out = ok(&["decode", "--json", token]);
        assert_eq!(json(&out)["header"]["alg"], alg);
        let out = ok(&["verify", "--key", &k.public(alg), "--json", token]);
        assert_eq!(json(&out)["claims"]["sub"], "x", "{alg}");
    }
    // Each key refuses the other tokens: another algorithm (or curve) entirely.
    for (token, key) in [
        (&eddsa, "Ed25519"),
        (&ed25519, "EdDSA"),
        (&ed448, "Ed25519"),
        (&ed25519, "Ed448"),
        (&ed448, "EdDSA"),
    ] {
        let (code, out, err) = run(&["verify", "--key", &k.public(key), token]);
        assert_ne!(code, 0, "{key} key accepted {token}: {out}");
        assert!(!err.is_empty());
    }
    // Asking for EdDSA with the Ed25519-bound key is refused before any signature.
    let (code, _, err) = run(&[
        "verify",
        "--alg",
        "EdDSA",
        "--key",
        &k.public("Ed25519"),
        &ed25519,
    ]);
    assert_ne!(code, 0, "{err}");
}

#[test]
fn interop_with_joserfc_both_ways() {
    if let Err(e) = deps::ensure_python(&[deps::JOSERFC]) {
        panic!("joserfc could not be installed: {e}");
    }
    let k = keys();
    let mut request = serde_json::Map::new();
    for alg in CURVES {
        let token = ok(&[
            "encode",
            "--key",
            &k.private(alg),
            "--sub",
            &format!("to-{alg}"),
        ]);
        let public: Value = json(&std::fs::read_to_string(k.public(alg)).unwrap());
        assert_eq!(public["alg"], alg);
        request.insert(alg.into(), json!({"token": token.trim(), "pub": public}));
    }
    let answer = python_json(SCRIPT, &Value::Object(request), "joserfc");
    let dir = scratch();
    for alg in CURVES {
        let item = &answer[alg];
        // jot signs, joserfc verifies, and refuses the token as EdDSA or the other curve.
        assert_eq!(item["header_alg"], alg);
        assert_eq!(item["payload"]["sub"], format!("to-{alg}"));
        assert_eq!(item["refused"], json!([true, true]), "{alg}");

        // joserfc signs, jot verifies with joserfc's public JWK (which has no `alg`,
        // so the key is bound to EdDSA unless --alg says otherwise).
        let token = item["token"].as_str().unwrap();
        let plain = dir.join(format!("{alg}.jwk"));
        std::fs::write(&plain, item["pub"].to_string()).unwrap();
        let out = ok(&[
            "verify",
            "--alg",
            alg,
            "--key",
            path_str(&plain),
            "--json",
            token,
        ]);
        assert_eq!(json(&out)["claims"]["sub"], format!("from-joserfc-{alg}"));
        let (code, _, _) = run(&["verify", "--key", path_str(&plain), token]);
        assert_ne!(code, 0, "{alg}: an EdDSA-bound key accepted an {alg} token");
        // The same JWK with `"alg"` needs no --alg.
        let mut with_alg = item["pub"].clone();
        with_alg["alg"] = json!(alg);
        let named = dir.join(format!("{alg}.alg.jwk"));
        std::fs::write(&named, with_alg.to_string()).unwrap();
        let out = ok(&["verify", "--key", path_str(&named), "--json", token]);
        assert_eq!(json(&out)["header"]["alg"], alg);
        // A tampered signature is refused.
        // (A character inside the signature, whose six bits all count.)
        let at = token.rfind('.').unwrap() + 3;
        let flipped = if &token[at..=at] == "A" { "B" } else { "A" };
        let tampered = format!("{}{flipped}{}", &token[..at], &token[at + 1..]);
        let (code, _, _) = run(&["verify", "--key", path_str(&named), &tampered]);
        assert_ne!(code, 0, "{alg}: tampered token accepted");
    }
}
