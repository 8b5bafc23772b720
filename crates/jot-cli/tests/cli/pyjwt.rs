//! Interoperability with PyJWT: tokens from `jot encode` verify under PyJWT, and
//! tokens from PyJWT verify under `jot verify`, for HS256, RS256, PS256, ES256,
//! ES384 and EdDSA. PyJWT is installed from PyPI when missing (by `cargo xtask deps`'s
//! code); if that fails the test fails (it never skips silently).

use serde_json::{Value, json};

use crate::deps;
use crate::harness::{keys, ok, python_json, run, scratch};

const ALGS: [&str; 6] = ["HS256", "RS256", "PS256", "ES256", "ES384", "EdDSA"];
const SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Verifies each jot token and signs one token per algorithm with PyJWT.
const SCRIPT: &str = r#"
import json, sys, time
import jwt
req = json.load(sys.stdin)
out = {"verified": {}, "tokens": {}}
for alg, case in req.items():
    verify_key, sign_key = case["verify_key"], case["sign_key"]
    out["verified"][alg] = jwt.decode(case["token"], verify_key, algorithms=[alg], audience="api", issuer="jot")
    now = int(time.time())
    claims = {"sub": "from-pyjwt", "aud": "api", "iss": "pyjwt", "iat": now, "exp": now + 600}
    out["tokens"][alg] = jwt.encode(claims, sign_key, algorithm=alg, headers={"kid": "py-" + alg})
print(json.dumps(out))
"#;

/// Makes sure `import jwt, cryptography` works, installing `pyjwt[crypto]` if needed
/// (through the project's one installer, `cargo xtask deps`).
fn ensure_pyjwt() {
    if let Err(e) = deps::ensure_python(&[deps::PYJWT]) {
        panic!("PyJWT interop test: {e}");
    }
}

#[test]
fn jot_and_pyjwt_verify_each_others_tokens() {
    ensure_pyjwt();
    let k = keys();
    let dir = scratch();
    let mut request = serde_json::Map::new();
    let mut public_keys = Vec::new();
    for alg in ALGS {
        let (token, sign_key, verify_key, public_path) = if alg == "HS256" {
            let t = ok(&[
                "encode",
                "--alg",
                alg,
                "--secret-file",
                &k.secret(),
                "--iss",
                "jot",
                "--aud",
                "api",
                "--sub",
                "from-jot",
            ]);
            (t, SECRET.to_owned(), SECRET.to_owned(), None)
        } else {
            let private_pem = ok(&["jwk", "convert", "--to", "pem", &k.private(alg)]);
            let public_pem = ok(&["jwk", "public", "--format", "pem", &k.private(alg)]);
            let public_path = dir.join(format!("{alg}.pub.pem"));
            std::fs::write(&public_path, &public_pem).unwrap();
            let t = ok(&[
                "encode",
                "--alg",
                alg,
                "--key",
                &k.private(alg),
                "--iss",
                "jot",
                "--aud",
                "api",
                "--sub",
                "from-jot",
            ]);
            (t, private_pem, public_pem, Some(public_path))
        };
        request.insert(
            alg.to_owned(),
            json!({"token": token.trim(), "sign_key": sign_key, "verify_key": verify_key}),
        );
        public_keys.push((alg, public_path));
    }

    let result = python_json(SCRIPT, &Value::Object(request), "PyJWT refused a jot token");

    for (alg, public_path) in public_keys {
        assert_eq!(
            result["verified"][alg]["sub"], "from-jot",
            "PyJWT verified the {alg} token"
        );
        let token = result["tokens"][alg].as_str().unwrap();
        let secret = k.secret();
        let key_args: Vec<&str> = match &public_path {
            None => vec!["--secret-file", &secret],
            Some(path) => vec!["--key", path.to_str().unwrap()],
        };
        let mut args = vec![
            "verify", "--alg", alg, "--aud", "api", "--iss", "pyjwt", "--json",
        ];
        args.extend(key_args);
        args.push(token);
        let (code, stdout, err) = run(&args);
        assert_eq!(code, 0, "jot refused PyJWT's {alg} token: {err}");
        let v: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(v["claims"]["sub"], "from-pyjwt");
        assert_eq!(v["header"]["kid"], format!("py-{alg}"));
        assert_eq!(v["header"]["alg"], alg);
    }
}
