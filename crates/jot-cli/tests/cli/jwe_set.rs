//! JWE with a JWK Set through the binary: `jot decrypt --key SET` and
//! `jot verify --decrypt-with SET` pick the key by the token's `kid`, else by its
//! `alg`; unknown kids, algorithms without a key and ambiguous sets are refused with
//! their own kinds; public and signature keys are set aside.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::harness::{json, keys, ok, path_str, run, scratch};

/// Keys made once by `jot keygen`: `{stem}.jwk` (private) and `{stem}.pub.jwk`.
/// - `rsa` (RSA-OAEP-256, kid `rsa`), `ec` (ECDH-ES+A128KW on P-256, kid `ec`),
///   `x25519` (ECDH-ES on X25519, kid `x25519`), `kw` (A256KW, kid `kw`), `dir`
///   (dir for A128GCM, kid `dir`): the set `set.json` holds all five;
/// - `anon` (A192KW, no kid), also in `set.json`;
/// - `gone` (A256KW, kid `gone`), `anon2` (A192KW, no kid) and `a128kw` (A128KW,
///   no kid), not in the set.
struct SetKeys {
    dir: PathBuf,
}

impl SetKeys {
    fn file(&self, name: &str) -> String {
        path_str(&self.dir.join(name)).to_owned()
    }

    fn private_jwk(&self, stem: &str) -> Value {
        json(&std::fs::read_to_string(self.dir.join(format!("{stem}.jwk"))).unwrap())
    }

    /// Writes `{"keys": keys}` to `name` and returns its path.
    fn write_set(&self, name: &str, keys: Vec<Value>) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, json!({ "keys": keys }).to_string()).unwrap();
        path_str(&path).to_owned()
    }
}

fn set_keys() -> &'static SetKeys {
    static KEYS: OnceLock<SetKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = scratch();
        let d = |name: &str| path_str(&dir.join(name)).to_owned();
        let gen_key = |alg: &str, stem: &str, extra: &[&str]| {
            let (private, public) = (d(&format!("{stem}.jwk")), d(&format!("{stem}.pub.jwk")));
            let mut args = vec!["keygen", alg, "--out", &private];
            // A shared secret has no public half: its one file encrypts too.
            let shared_secret = alg == "dir" || alg.starts_with('A');
            if !shared_secret {
                args.extend_from_slice(&["--public-out", &public]);
            }
            args.extend_from_slice(extra);
            ok(&args);
        };
        gen_key("RSA-OAEP-256", "rsa", &["--kid", "rsa"]);
        gen_key("ECDH-ES+A128KW", "ec", &["--kid", "ec"]);
        gen_key(
            "ECDH-ES",
            "x25519",
            &["--kid", "x25519", "--curve", "X25519"],
        );
        gen_key("A256KW", "kw", &["--kid", "kw"]);
        gen_key("dir", "dir", &["--kid", "dir", "--enc", "A128GCM"]);
        gen_key("A192KW", "anon", &["--no-kid"]);
        gen_key("A256KW", "gone", &["--kid", "gone"]);
        gen_key("A192KW", "anon2", &["--no-kid"]);
        gen_key("A128KW", "a128kw", &["--no-kid"]);
        let keys = SetKeys { dir };
        let all = ["rsa", "ec", "x25519", "kw", "dir", "anon"]
            .iter()
            .map(|stem| keys.private_jwk(stem))
            .collect();
        keys.write_set("set.json", all);
        keys
    })
}

/// Encrypts `plaintext` to the public key `{stem}` (oct keys: the one file).
fn encrypt_to(stem: &str, plaintext: &str) -> String {
    let k = set_keys();
    let public = k.file(&format!("{stem}.pub.jwk"));
    let key = if std::path::Path::new(&public).exists() {
        public
    } else {
        k.file(&format!("{stem}.jwk"))
    };
    ok(&["encrypt", "--key", &key, plaintext])
        .trim_end()
        .to_owned()
}

#[test]
fn jwe_decrypt_with_a_set_picks_the_key_by_kid() {
    let k = set_keys();
    let set = k.file("set.json");
    for stem in ["rsa", "ec", "x25519", "kw", "dir"] {
        let token = encrypt_to(stem, &format!("to {stem}"));
        let (code, out, err) = run(&["decrypt", "--key", &set, &token]);
        assert_eq!(code, 0, "{stem}: {err}");
        assert_eq!(out, format!("to {stem}"));
        let v = json(&ok(&["decrypt", "--json", "--key", &set, &token]));
        assert_eq!(v["header"]["kid"], stem);
    }
}

#[test]
fn jwe_decrypt_with_a_set_picks_the_key_by_alg_without_kid() {
    let k = set_keys();
    let token = encrypt_to("anon", "no kid");
    let v = json(&ok(&[
        "decrypt",
        "--json",
        "--key",
        &k.file("set.json"),
        &token,
    ]));
    assert_eq!(v["plaintext"], "no kid");
    assert_eq!(v["header"]["alg"], "A192KW");
    assert!(v["header"].get("kid").is_none());
}

#[test]
fn jwe_decrypt_with_a_set_names_what_is_missing() {
    let k = set_keys();
    let set = k.file("set.json");
    // An unknown kid: the set's kids are listed.
    let token = encrypt_to("gone", "x");
    let (code, out, err) = run(&["decrypt", "--key", &set, &token]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        "jot: token rejected: no key of the JWK Set has kid \"gone\" \
         (the set's kids: \"rsa\", \"ec\", \"x25519\", \"kw\", \"dir\")\n"
    );
    let (code, out, _) = run(&["decrypt", "--json", "--key", &set, &token]);
    assert_eq!(code, 1);
    assert_eq!(json(&out)["error"]["kind"], "unknown_key");

    // No kid, and no key for the token's alg.
    let token = encrypt_to("a128kw", "x");
    let (code, out, _) = run(&["decrypt", "--json", "--key", &set, &token]);
    assert_eq!(code, 1);
    assert_eq!(
        json(&out),
        json!({"error": {"kind": "no_key_for_algorithm",
                         "message": "the JWK Set has no key for alg A128KW"}})
    );

    // No kid, and two keys for the token's alg: neither is tried.
    let two = k.write_set(
        "two-a192kw.json",
        vec![k.private_jwk("anon"), k.private_jwk("anon2")],
    );
    let token = encrypt_to("anon", "x");
    let (code, out, _) = run(&["decrypt", "--json", "--key", &two, &token]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(json(&out)["error"]["kind"], "ambiguous_key");
}

#[test]
fn jwe_a_wrong_key_in_a_set_is_decryption_failed() {
    let k = set_keys();
    // A key under the kid "kw" that is not the sender's.
    let mut wrong = k.private_jwk("gone");
    wrong["kid"] = "kw".into();
    let set = k.write_set("wrong-kw.json", vec![wrong, k.private_jwk("rsa")]);
    let token = encrypt_to("kw", "x");
    let (code, out, err) = run(&["decrypt", "--key", &set, &token]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(err, "jot: token rejected: decryption failed\n");
}

#[test]
fn jwe_public_and_signature_keys_are_set_aside() {
    let k = set_keys();
    let mut sig = k.private_jwk("ec");
    sig["use"] = "sig".into();
    let public = json(&std::fs::read_to_string(k.file("rsa.pub.jwk")).unwrap());
    let only_unusable = k.write_set("unusable.json", vec![public.clone(), sig.clone()]);
    let (code, _, err) = run(&["decrypt", "--key", &only_unusable, &encrypt_to("rsa", "x")]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("the JWK Set has no private key for decryption")
            && err.contains("key #0 (kid \"rsa\")")
            && err.contains("decryption needs the private key")
            && err.contains("key #1 (kid \"ec\")"),
        "{err}"
    );
    // Beside a usable key, they are skipped: the kid "rsa" is then unknown.
    let mixed = k.write_set("mixed.json", vec![public, sig, k.private_jwk("kw")]);
    let (code, out, _) = run(&[
        "decrypt",
        "--json",
        "--key",
        &mixed,
        &encrypt_to("rsa", "x"),
    ]);
    assert_eq!(code, 1);
    assert_eq!(json(&out)["error"]["kind"], "unknown_key");
    let (code, out, _) = run(&["decrypt", "--key", &mixed, &encrypt_to("kw", "kw ok")]);
    assert_eq!((code, out.as_str()), (0, "kw ok"));
}

#[test]
fn jwe_verify_decrypt_with_a_set() {
    let k = set_keys();
    let sk = keys();
    let (sign, verify_key) = (sk.private("ES256"), sk.public("ES256"));
    let set = k.file("set.json");
    for stem in ["ec", "rsa"] {
        let nested = ok(&[
            "encode",
            "--key",
            &sign,
            "--sub",
            "alice",
            "--encrypt-to",
            &k.file(&format!("{stem}.pub.jwk")),
        ]);
        let (code, out, err) = run(&[
            "verify",
            "--key",
            &verify_key,
            "--decrypt-with",
            &set,
            "--json",
            nested.trim(),
        ]);
        assert_eq!(code, 0, "{stem}: {err}");
        let v = json(&out);
        assert_eq!(v["claims"]["sub"], "alice");
        assert_eq!(v["jwe_header"]["kid"], stem);
    }
    // A nested token to a key the set does not have.
    let nested = ok(&[
        "encode",
        "--key",
        &sign,
        "--sub",
        "alice",
        "--encrypt-to",
        &k.file("gone.jwk"),
    ]);
    let (code, out, _) = run(&[
        "verify",
        "--key",
        &verify_key,
        "--decrypt-with",
        &set,
        "--json",
        nested.trim(),
    ]);
    assert_eq!(code, 1);
    assert_eq!(json(&out)["error"]["kind"], "unknown_key");
}
