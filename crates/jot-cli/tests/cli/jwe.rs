//! JWE through the binary: `jot encrypt` / `jot decrypt` for every key management
//! family, nested tokens (`encode --encrypt-to`, `verify --decrypt-with`), the
//! refusals (wrong key, a JWS where a JWE is expected and the reverse), `--json`
//! shapes, and `jot keygen` for the JWE algorithms.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use crate::harness::{jot, json, keys, ok, path_str, run, run_stdin, scratch, text, token};

/// A plaintext with a newline, non-ASCII text and JSON punctuation.
const PLAINTEXT: &str = "line one\nzwei — drei \u{1F511} {\"a\":[1,2]}\n";

/// JWE keys made once by `jot keygen`, in one directory.
struct JweKeys {
    dir: PathBuf,
}

impl JweKeys {
    fn file(&self, name: &str) -> String {
        path_str(&self.dir.join(name)).to_owned()
    }
}

/// `{stem}.jwk` (private) and `{stem}.pub.jwk` or `.pem` / `.pub.pem` for each key:
/// - `a128kw`, `a192kw`, `a256kw`, `a128gcmkw`, `a192gcmkw`, `a256gcmkw` (oct JWK);
/// - `dir-a128gcm`, `dir-a256cbc` (oct JWK bound to its enc);
/// - `ecdh-p256` (ECDH-ES), `ecdh-x25519` (ECDH-ES+A128KW), `ecdh-p384`
///   (ECDH-ES+A192KW), `ecdh-p521` (ECDH-ES+A256KW), `ecdh-pem` (ECDH-ES+A256KW, PEM);
/// - `rsa-oaep` (RSA-OAEP, JWK), `rsa-oaep-256` (RSA-OAEP-256, PEM).
fn jwe_keys() -> &'static JweKeys {
    static KEYS: OnceLock<JweKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = scratch();
        let d = |name: &str| path_str(&dir.join(name)).to_owned();
        let gen_secret = |alg: &str, stem: &str, extra: &[&str]| {
            let out = d(&format!("{stem}.jwk"));
            let mut args = vec!["keygen", alg, "--out", &out];
            args.extend_from_slice(extra);
            ok(&args);
        };
        for alg in [
            "A128KW",
            "A192KW",
            "A256KW",
            "A128GCMKW",
            "A192GCMKW",
            "A256GCMKW",
        ] {
            gen_secret(alg, &alg.to_lowercase(), &[]);
        }
        gen_secret("dir", "dir-a128gcm", &["--enc", "A128GCM"]);
        gen_secret("dir", "dir-a256cbc", &["--enc", "A256CBC-HS512"]);
        let gen_pair = |alg: &str, stem: &str, extra: &[&str], pem: bool| {
            let ext = if pem { "pem" } else { "jwk" };
            let (private, public) = (d(&format!("{stem}.{ext}")), d(&format!("{stem}.pub.{ext}")));
            let mut args = vec!["keygen", alg, "--out", &private, "--public-out", &public];
            if pem {
                args.extend_from_slice(&["--format", "pem"]);
            }
            args.extend_from_slice(extra);
            ok(&args);
        };
        gen_pair("ECDH-ES", "ecdh-p256", &[], false);
        gen_pair(
            "ECDH-ES+A128KW",
            "ecdh-x25519",
            &["--curve", "X25519"],
            false,
        );
        gen_pair("ECDH-ES+A192KW", "ecdh-p384", &["--curve", "P-384"], false);
        gen_pair("ECDH-ES+A256KW", "ecdh-p521", &["--curve", "P-521"], false);
        gen_pair("ECDH-ES+A256KW", "ecdh-pem", &[], true);
        gen_pair("RSA-OAEP", "rsa-oaep", &[], false);
        gen_pair("RSA-OAEP-256", "rsa-oaep-256", &[], true);
        JweKeys { dir }
    })
}

/// Runs `jot args...` and returns the raw output.
fn raw(args: &[&str]) -> Output {
    jot().args(args).output().expect("jot runs")
}

/// Encrypts `plaintext` with `enc_args` (key and algorithm), decrypts it with
/// `dec_args`, for each `enc`; checks the bytes and the header.
fn round_trip(alg: &str, enc_args: &[&str], dec_args: &[&str], encs: &[&str]) {
    for enc in encs {
        let mut args = vec!["encrypt", "--enc", enc];
        args.extend_from_slice(enc_args);
        args.push(PLAINTEXT);
        let token = ok(&args).trim_end().to_owned();
        assert_eq!(token.split('.').count(), 5, "{alg}/{enc}: {token}");

        let mut args = vec!["decrypt"];
        args.extend_from_slice(dec_args);
        args.push(&token);
        let out = raw(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{alg}/{enc}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stdout), PLAINTEXT, "{alg}/{enc}: exact bytes");
        assert!(out.stderr.is_empty(), "{alg}/{enc}: {}", text(&out.stderr));

        args.insert(1, "--json");
        let v = json(&ok(&args));
        assert_eq!(v["header"]["alg"], *alg, "{v}");
        assert_eq!(v["header"]["enc"], *enc, "{v}");
        assert_eq!(v["plaintext"], PLAINTEXT);
    }
}

#[test]
fn symmetric_keys_round_trip() {
    let k = jwe_keys();
    for (alg, encs) in [
        ("A128KW", ["A128GCM", "A128CBC-HS256"]),
        ("A192KW", ["A192GCM", "A192CBC-HS384"]),
        ("A256KW", ["A256GCM", "A256CBC-HS512"]),
        ("A128GCMKW", ["A256GCM", "A128CBC-HS256"]),
        ("A192GCMKW", ["A128GCM", "A256CBC-HS512"]),
        ("A256GCMKW", ["A192GCM", "A256GCM"]),
    ] {
        let key = k.file(&format!("{}.jwk", alg.to_lowercase()));
        round_trip(alg, &["--key", &key], &["--key", &key], &encs);
    }
    // dir: the key is the CEK of exactly one enc, which the key's JWK names.
    let key = k.file("dir-a128gcm.jwk");
    round_trip("dir", &["--key", &key], &["--key", &key], &["A128GCM"]);
    let key = k.file("dir-a256cbc.jwk");
    round_trip(
        "dir",
        &["--key", &key],
        &["--key", &key],
        &["A256CBC-HS512"],
    );
    // Without --enc the dir key's own enc is used.
    let t = ok(&["encrypt", "--key", &key, "x"]);
    let v = json(&ok(&["decrypt", "--json", "--key", &key, t.trim()]));
    assert_eq!(v["header"]["enc"], "A256CBC-HS512");
    // Any other enc is refused on both sides.
    let (code, _, err) = run(&["encrypt", "--key", &key, "--enc", "A128GCM", "x"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("A128GCM is not allowed"), "{err}");
}

#[test]
fn ecdh_es_round_trips_on_every_curve() {
    let k = jwe_keys();
    for (alg, stem) in [
        ("ECDH-ES", "ecdh-p256"),
        ("ECDH-ES+A128KW", "ecdh-x25519"),
        ("ECDH-ES+A192KW", "ecdh-p384"),
        ("ECDH-ES+A256KW", "ecdh-p521"),
    ] {
        let (private, public) = (
            k.file(&format!("{stem}.jwk")),
            k.file(&format!("{stem}.pub.jwk")),
        );
        round_trip(
            alg,
            &["--key", &public],
            &["--key", &private],
            &["A128GCM", "A256CBC-HS512"],
        );
    }
    // PEM keys name no algorithm: --alg is required on both sides.
    let (private, public) = (k.file("ecdh-pem.pem"), k.file("ecdh-pem.pub.pem"));
    round_trip(
        "ECDH-ES+A256KW",
        &["--alg", "ECDH-ES+A256KW", "--key", &public],
        &["--alg", "ECDH-ES+A256KW", "--key", &private],
        &["A256GCM", "A192CBC-HS384"],
    );
    let (code, _, err) = run(&["encrypt", "--key", &public, "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("pass --alg"), "{err}");
}

#[test]
fn rsa_oaep_round_trips_from_jwk_and_pem() {
    let k = jwe_keys();
    round_trip(
        "RSA-OAEP",
        &["--key", &k.file("rsa-oaep.pub.jwk")],
        &["--key", &k.file("rsa-oaep.jwk")],
        &["A128GCM", "A128CBC-HS256"],
    );
    round_trip(
        "RSA-OAEP-256",
        &[
            "--alg",
            "RSA-OAEP-256",
            "--key",
            &k.file("rsa-oaep-256.pub.pem"),
        ],
        &[
            "--alg",
            "rsa-oaep-256",
            "--key",
            &k.file("rsa-oaep-256.pem"),
        ],
        &["A256GCM", "A256CBC-HS512"],
    );
    // The private key encrypts too (its public part is used).
    round_trip(
        "RSA-OAEP",
        &["--key", &k.file("rsa-oaep.jwk")],
        &["--key", &k.file("rsa-oaep.jwk")],
        &["A192GCM"],
    );
}

#[test]
fn pbes2_password_from_env_and_file_never_argv() {
    let dir = scratch();
    let pw_file = dir.join("pw.txt");
    std::fs::write(&pw_file, "correct horse battery staple\n").unwrap();
    let pw_file = path_str(&pw_file);
    for alg in [
        "PBES2-HS256+A128KW",
        "PBES2-HS384+A192KW",
        "PBES2-HS512+A256KW",
    ] {
        let out = jot()
            .env("JOT_PW", "correct horse battery staple")
            .args([
                "encrypt",
                "--alg",
                alg,
                "--password-env",
                "JOT_PW",
                PLAINTEXT,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let token = text(&out.stdout).trim().to_owned();
        // The file's trailing newline is ignored: the same password.
        let out = raw(&["decrypt", "--alg", alg, "--password-file", pw_file, &token]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), PLAINTEXT);
        let v = json(&ok(&[
            "decrypt",
            "--json",
            "--alg",
            alg,
            "--password-file",
            pw_file,
            &token,
        ]));
        assert_eq!(v["header"]["p2c"], 10_000);
        // A wrong password is a wrong key.
        let out = jot()
            .env("JOT_PW", "incorrect horse")
            .args(["decrypt", "--alg", alg, "--password-env", "JOT_PW", &token])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            text(&out.stderr).trim_end(),
            "jot: token rejected: decryption failed"
        );
    }
    // There is no flag for a password on the command line.
    let (code, _, err) = run(&["encrypt", "--password", "hunter2", "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("unexpected argument"), "{err}");
    // Passwords go with PBES2 only, and PBES2 needs --alg.
    let (code, _, err) = run(&["encrypt", "--password-file", pw_file, "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("--alg is required with a password"), "{err}");
    let (code, _, err) = run(&[
        "encrypt",
        "--alg",
        "A128KW",
        "--password-file",
        pw_file,
        "x",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("only for the PBES2 algorithms"), "{err}");
    let (code, _, err) = run(&[
        "decrypt",
        "--alg",
        "PBES2-HS256+A128KW",
        "--password-env",
        "UNSET_PW",
        "x.y.z.a.b",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("UNSET_PW is not set"), "{err}");
}

#[test]
fn nested_encode_then_verify_runs_every_check() {
    let k = keys();
    let jk = jwe_keys();
    let (sign, verify_key) = (k.private("ES256"), k.public("ES256"));
    let (to, with) = (jk.file("ecdh-x25519.pub.jwk"), jk.file("ecdh-x25519.jwk"));
    let nested = |extra: &[&str]| {
        let mut args = vec![
            "encode",
            "--key",
            &sign,
            "--sub",
            "alice",
            "--aud",
            "api",
            "--encrypt-to",
            &to,
        ];
        args.extend_from_slice(extra);
        ok(&args).trim_end().to_owned()
    };
    let verify = |token: &str, extra: &[&str]| {
        let mut args = vec!["verify", "--key", &verify_key, "--decrypt-with", &with];
        args.extend_from_slice(extra);
        args.push(token);
        run(&args)
    };

    let t = nested(&["--enc", "A128CBC-HS256"]);
    assert_eq!(t.split('.').count(), 5);
    let (code, out, err) = verify(&t, &["--aud", "api", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["claims"]["sub"], "alice");
    assert_eq!(v["header"]["alg"], "ES256");
    assert_eq!(v["header"]["typ"], "JWT");
    assert_eq!(v["jwe_header"]["alg"], "ECDH-ES+A128KW");
    assert_eq!(v["jwe_header"]["enc"], "A128CBC-HS256");
    assert_eq!(v["jwe_header"]["cty"], "JWT");
    assert_eq!(
        v["jwe_header"]["kid"],
        json(&std::fs::read_to_string(&to).unwrap())["kid"],
        "the recipient key's kid"
    );
    let (code, out, _) = verify(&t, &["--aud", "api"]);
    assert_eq!(code, 0);
    assert!(out.contains("\"sub\": \"alice\""), "{out}");

    // The inner JWS gets every usual check and message.
    let (code, _, err) = verify(&t, &["--aud", "web"]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim_end(),
        "jot: token rejected: audience mismatch: expected web, got api"
    );
    let expired = nested(&["--exp=-2h", "--allow-expired"]);
    let (code, _, err) = verify(&expired, &["--aud", "api"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("jot: token rejected: expired 2 h ago"),
        "{err}"
    );
    let (code, out, _) = verify(&t, &["--aud", "api", "--iss", "me", "--json"]);
    assert_eq!(code, 1);
    assert_eq!(json(&out)["error"]["kind"], "missing_claim");
    // Signed by another key: the signature check still runs after decryption.
    let (code, _, err) = run(&[
        "verify",
        "--key",
        &k.public("EdDSA"),
        "--decrypt-with",
        &with,
        "--aud",
        "api",
        &t,
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim_end(),
        "jot: token rejected: algorithm ES256 not allowed: expected EdDSA"
    );

    // A nested token to plain verify: a clear refusal, never a silent pass.
    let (code, out, err) = run(&["verify", "--key", &verify_key, "--aud", "api", &t]);
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("encrypted (a JWE, 5 segments)"), "{err}");
    assert!(err.contains("--decrypt-with"), "{err}");

    // --decrypt-with insists on encryption: a bare JWS is refused.
    let jws = token("ES256", &["--aud", "api"]);
    let (code, out, _) = verify(&jws, &["--aud", "api", "--json"]);
    assert_eq!(code, 1);
    assert_eq!(json(&out)["error"]["kind"], "signed");

    // A JWE that is not a nested JWT (no cty: JWT).
    let plain = ok(&["encrypt", "--key", &to, "{\"sub\":\"alice\"}"]);
    let (code, out, _) = verify(plain.trim(), &["--json"]);
    assert_eq!(code, 1);
    assert_eq!(json(&out)["error"]["kind"], "nesting");

    // An HMAC signer and a dir key, with --enc checked on the way in.
    let dir_key = jk.file("dir-a256cbc.jwk");
    let t = ok(&[
        "encode",
        "--alg",
        "HS256",
        "--secret-file",
        &k.secret(),
        "--encrypt-to",
        &dir_key,
    ])
    .trim()
    .to_owned();
    let (code, _, err) = run(&[
        "verify",
        "--alg",
        "HS256",
        "--secret-file",
        &k.secret(),
        "--decrypt-with",
        &dir_key,
        &t,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&[
        "verify",
        "--alg",
        "HS256",
        "--secret-file",
        &k.secret(),
        "--decrypt-with",
        &dir_key,
        "--enc",
        "A128GCM",
        &t,
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim_end(),
        "jot: token rejected: content encryption A256CBC-HS512 not allowed: expected A128GCM"
    );

    // RSA-OAEP-256 from PEM needs --key-alg, like --alg for a PEM signing key.
    let pem_to = jk.file("rsa-oaep-256.pub.pem");
    let (code, _, err) = run(&["encode", "--key", &sign, "--encrypt-to", &pem_to]);
    assert_eq!(code, 2);
    assert!(err.contains("pass --key-alg"), "{err}");
    let t = ok(&[
        "encode",
        "--key",
        &sign,
        "--encrypt-to",
        &pem_to,
        "--key-alg",
        "RSA-OAEP-256",
    ]);
    let (code, _, err) = run(&[
        "verify",
        "--key",
        &verify_key,
        "--decrypt-with",
        &jk.file("rsa-oaep-256.pem"),
        "--key-alg",
        "RSA-OAEP-256",
        t.trim(),
    ]);
    assert_eq!(code, 0, "{err}");
    // --enc and --key-alg belong to --encrypt-to / --decrypt-with.
    let (code, _, err) = run(&["encode", "--key", &sign, "--enc", "A128GCM"]);
    assert_eq!(code, 2);
    assert!(err.contains("--encrypt-to"), "{err}");
}

#[test]
fn wrong_key_or_tampering_is_decryption_failed() {
    let jk = jwe_keys();
    let dir = scratch();
    let other = dir.join("other.jwk");
    let other = path_str(&other);
    ok(&["keygen", "ECDH-ES+A256KW", "--no-kid", "--out", other]);
    let t = ok(&[
        "encrypt",
        "--key",
        &jk.file("ecdh-pem.pub.pem"),
        "--alg",
        "ECDH-ES+A256KW",
        "secret",
    ])
    .trim()
    .to_owned();
    let (code, out, err) = run(&["decrypt", "--key", other, &t]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(err, "jot: token rejected: decryption failed\n");
    let (code, out, err) = run(&["decrypt", "--json", "--key", other, &t]);
    assert_eq!(code, 1);
    assert!(err.is_empty(), "{err}");
    assert_eq!(
        json(&out),
        serde_json::json!({"error": {"kind": "decryption_failed", "message": "decryption failed"}})
    );

    // A changed ciphertext, tag or encrypted key is the same one failure.
    let key = jk.file("a256kw.jwk");
    let t = ok(&["encrypt", "--key", &key, "--enc", "A256CBC-HS512", "secret"]);
    let parts: Vec<String> = t.trim().split('.').map(str::to_owned).collect();
    for i in [1, 3, 4] {
        let mut p = parts.clone();
        let first = if p[i].starts_with('A') { "B" } else { "A" };
        p[i].replace_range(0..1, first);
        let tampered = p.join(".");
        let (code, _, err) = run(&["decrypt", "--key", &key, &tampered]);
        assert_eq!(code, 1, "part {i}");
        assert_eq!(err, "jot: token rejected: decryption failed\n", "part {i}");
    }

    // A nested token with the wrong decryption key.
    let k = keys();
    let nested = ok(&[
        "encode",
        "--key",
        &k.private("ES256"),
        "--encrypt-to",
        &jk.file("ecdh-p521.pub.jwk"),
    ]);
    let wrong = jk.file("a256kw.jwk");
    let (code, _, err) = run(&[
        "verify",
        "--key",
        &k.public("ES256"),
        "--decrypt-with",
        &wrong,
        nested.trim(),
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim_end(),
        "jot: token rejected: algorithm ECDH-ES+A256KW not allowed: the key is for A256KW"
    );
    // A key of the same algorithm on another curve: the ephemeral key does not fit.
    let (code, _, err) = run(&[
        "verify",
        "--key",
        &k.public("ES256"),
        "--decrypt-with",
        other,
        nested.trim(),
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "jot: token rejected: invalid ephemeral public key: \"crv\" is not the key's curve\n"
    );
    // The same curve and algorithm, another key: decryption failed.
    let nested = ok(&[
        "encode",
        "--key",
        &k.private("ES256"),
        "--encrypt-to",
        &jk.file("ecdh-pem.pub.pem"),
        "--key-alg",
        "ECDH-ES+A256KW",
    ]);
    let (code, _, err) = run(&[
        "verify",
        "--key",
        &k.public("ES256"),
        "--decrypt-with",
        other,
        nested.trim(),
    ]);
    assert_eq!(code, 1);
    assert_eq!(err, "jot: token rejected: decryption failed\n");
}

#[test]
fn jws_to_decrypt_and_jwe_to_verify_are_refused() {
    let k = keys();
    let jk = jwe_keys();
    let jws = token("ES256", &[]);
    let (code, out, err) = run(&["decrypt", "--key", &jk.file("a128kw.jwk"), &jws]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err.trim_end(),
        "jot: token rejected: the token is a JWS (3 segments), not a JWE: it is signed, \
         not encrypted (use `jot verify`)"
    );
    let (code, out, _) = run(&["decrypt", "--json", "--key", &jk.file("a128kw.jwk"), &jws]);
    assert_eq!(code, 1);
    assert_eq!(json(&out)["error"]["kind"], "signed");

    let jwe = ok(&["encrypt", "--key", &jk.file("a128kw.jwk"), "{}"]);
    let (code, out, err) = run(&["verify", "--key", &k.public("ES256"), jwe.trim()]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err.trim_end(),
        "jot: token rejected: the token is encrypted (a JWE, 5 segments), not a JWS: verify \
         a nested token with --decrypt-with KEYFILE, or read it with `jot decrypt`"
    );
    let (code, out, _) = run(&["verify", "--json", "--key", &k.public("ES256"), jwe.trim()]);
    assert_eq!(code, 1);
    assert_eq!(json(&out)["error"]["kind"], "encrypted");

    // Malformed JWEs: segments, base64url, alg of another key.
    for (token, kind) in [
        ("a.b.c.d", "malformed"),
        ("a.b.c.d.e.f", "malformed"),
        ("e30=.a.b.c.d", "base64"),
    ] {
        let (code, out, _) = run(&["decrypt", "--json", "--key", &jk.file("a128kw.jwk"), token]);
        assert_eq!(code, 1, "{token}");
        assert_eq!(json(&out)["error"]["kind"], kind, "{token}: {out}");
    }
    let (code, _, err) = run(&["decrypt", "--key", &jk.file("a256kw.jwk"), jwe.trim()]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim_end(),
        "jot: token rejected: algorithm A128KW not allowed: the key is for A256KW"
    );
}

#[test]
fn decrypt_json_and_byte_output() {
    let jk = jwe_keys();
    let key = jk.file("a192gcmkw.jwk");
    let t = ok(&[
        "encrypt",
        "--key",
        &key,
        "--kid",
        "k-1",
        "--typ",
        "JWT",
        "--cty",
        "text/plain",
        "--zip",
        "hello",
    ]);
    let v = json(&ok(&["decrypt", "--json", "--key", &key, t.trim()]));
    let obj = v.as_object().unwrap();
    assert_eq!(obj.len(), 2, "{v}");
    assert_eq!(v["plaintext"], "hello");
    let h = &v["header"];
    assert_eq!(h["alg"], "A192GCMKW");
    assert_eq!(h["enc"], "A256GCM", "the default enc");
    assert_eq!(h["kid"], "k-1");
    assert_eq!(h["typ"], "JWT");
    assert_eq!(h["cty"], "text/plain");
    assert_eq!(h["zip"], "DEF");
    assert!(h["iv"].is_string() && h["tag"].is_string(), "{h}");

    // Bytes that are not UTF-8, from a file: exact on stdout, base64url in JSON.
    let dir = scratch();
    let bin = dir.join("bin");
    let bytes: Vec<u8> = (0u8..=255).rev().collect();
    std::fs::write(&bin, &bytes).unwrap();
    let at = format!("@{}", path_str(&bin));
    let t = ok(&["encrypt", "--key", &key, &at]);
    let out = raw(&["decrypt", "--key", &key, t.trim()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, bytes);
    let v = json(&ok(&["decrypt", "--json", "--key", &key, t.trim()]));
    assert!(v.get("plaintext").is_none(), "{v}");
    assert_eq!(
        v["plaintext_base64url"],
        jot_codec::base64url::encode(&bytes)
    );

    // Plaintext and token from stdin.
    let (code, t, err) = run_stdin(&["encrypt", "--key", &key, "-"], "from stdin");
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run_stdin(&["decrypt", "--key", &key], &t);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "from stdin");
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn keygen_for_jwe_algorithms() {
    let dir = scratch();
    let f = |name: &str| dir.join(name);
    // Private 0600, public not writable by others, never overwritten.
    for (alg, extra) in [
        ("ECDH-ES", &["--curve", "P-384"][..]),
        ("RSA-OAEP-256", &[][..]),
    ] {
        let (p, q) = (f(&format!("{alg}.jwk")), f(&format!("{alg}.pub.jwk")));
        let mut args = vec![
            "keygen",
            alg,
            "--out",
            path_str(&p),
            "--public-out",
            path_str(&q),
        ];
        args.extend_from_slice(extra);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{err}");
        assert!(out.is_empty());
        assert_eq!(mode(&p), 0o600, "{alg}");
        assert_eq!(mode(&q) & 0o022, 0, "{alg}");
        let private = json(&std::fs::read_to_string(&p).unwrap());
        let public = json(&std::fs::read_to_string(&q).unwrap());
        assert_eq!(private["alg"], alg);
        assert_eq!(private["use"], "enc");
        assert!(private["d"].is_string());
        assert!(public.get("d").is_none(), "{public}");
        assert_eq!(public["kid"], private["kid"]);
        let (code, _, err) = run(&args);
        assert_eq!(code, 2);
        assert!(err.contains("already exists"), "{err}");
    }
    let p = f("kw.jwk");
    ok(&["keygen", "A256KW", "--kid", "wrap-1", "--out", path_str(&p)]);
    assert_eq!(mode(&p), 0o600);
    let v = json(&std::fs::read_to_string(&p).unwrap());
    assert_eq!(
        (v["kty"].as_str(), v["kid"].as_str()),
        (Some("oct"), Some("wrap-1"))
    );
    assert_eq!(
        jot_codec::base64url::decode(v["k"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );

    // The default kid is the RFC 7638 thumbprint of the public part.
    let v = json(&ok(&["keygen", "ECDH-ES+A128KW", "--curve", "X25519"]));
    assert_eq!(
        (v["kty"].as_str(), v["crv"].as_str()),
        (Some("OKP"), Some("X25519"))
    );
    assert_eq!(v["kid"].as_str().unwrap().len(), 43);
    // PEM for every asymmetric family; the private PEM file is 0600.
    for (alg, extra) in [
        ("ECDH-ES", &["--curve", "P-521"][..]),
        ("ECDH-ES", &["--curve", "X25519"][..]),
        ("RSA-OAEP", &["--bits", "2048"][..]),
    ] {
        let p = f(&format!("{alg}-{}.pem", extra[1]));
        let mut args = vec!["keygen", alg, "--format", "pem", "--out", path_str(&p)];
        args.extend_from_slice(extra);
        let public = ok(&args);
        assert!(
            public.starts_with("-----BEGIN PUBLIC KEY-----\n"),
            "{public}"
        );
        assert!(
            std::fs::read_to_string(&p)
                .unwrap()
                .starts_with("-----BEGIN PRIVATE KEY-----\n")
        );
        assert_eq!(mode(&p), 0o600);
    }

    // Refusals, each with the reason (exit 2).
    for (args, needle) in [
        (
            &["keygen", "PBES2-HS256+A128KW"][..],
            "--password-env NAME or --password-file FILE",
        ),
        (&["keygen", "dir"], "dir needs --enc"),
        (
            &["keygen", "A128KW", "--enc", "A128GCM"],
            "--enc applies to dir keys only",
        ),
        (
            &["keygen", "A128KW", "--curve", "P-256"],
            "--curve applies to ECDH-ES keys only",
        ),
        (&["keygen", "ES256", "--curve", "P-256"], "JWE keys only"),
        (
            &["keygen", "ECDH-ES", "--bits", "3072"],
            "--bits applies to RSA keys only",
        ),
        (&["keygen", "A256GCMKW", "--format", "pem"], "no PEM form"),
        (
            &["keygen", "dir", "--enc", "A128GCM", "--public-out", "x"],
            "no public part",
        ),
        (&["keygen", "RSA-OAEP", "--bits", "1024"], "RSA"),
        (&["keygen", "RSA1_5"], "invalid value 'RSA1_5'"),
        (
            &["encrypt", "--alg", "RSA1_5", "--key", "k", "x"],
            "invalid value 'RSA1_5'",
        ),
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn key_errors_exit_2() {
    let k = keys();
    let jk = jwe_keys();
    let dir = scratch();
    // An RSA JWK that asks for RSA1_5, which jot does not offer.
    let mut rsa15 = json(&std::fs::read_to_string(jk.file("rsa-oaep.pub.jwk")).unwrap());
    rsa15["alg"] = "RSA1_5".into();
    let rsa15_file = dir.join("rsa15.jwk");
    std::fs::write(&rsa15_file, rsa15.to_string()).unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "decrypt".into(),
                "--key".into(),
                jk.file("ecdh-p256.pub.jwk"),
                "a.b.c.d.e".into(),
            ],
            "decryption needs the private key",
        ),
        (
            vec![
                "encrypt".into(),
                "--key".into(),
                path_str(&rsa15_file).into(),
                "x".into(),
            ],
            "RSA1_5 is not offered by jot",
        ),
        (
            vec![
                "encrypt".into(),
                "--key".into(),
                k.public("ES256"),
                "x".into(),
            ],
            "not for encrypt",
        ),
        (
            vec![
                "decrypt".into(),
                "--key".into(),
                jk.file("rsa-oaep-256.pem"),
                "a.b.c.d.e".into(),
            ],
            "pass --alg",
        ),
        (
            vec![
                "encrypt".into(),
                "--alg".into(),
                "A128KW".into(),
                "--key".into(),
                jk.file("a256kw.jwk"),
                "x".into(),
            ],
            "the key is for A256KW, not for A128KW",
        ),
        (
            vec![
                "encrypt".into(),
                "--key".into(),
                "/nonexistent.jwk".into(),
                "x".into(),
            ],
            "cannot open the key file",
        ),
        (vec!["encrypt".into(), "x".into()], "required"),
        (
            vec![
                "verify".into(),
                "--key".into(),
                jk.file("ecdh-p256.pub.jwk"),
                "a.b.c".into(),
            ],
            "not for verify",
        ),
    ];
    for (args, needle) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(
            err.contains(needle),
            "{args:?}: expected {needle:?} in {err}"
        );
    }
}

/// Keys made by openssl, as users have them: a P-256 key from `openssl ecparam
/// -genkey` (an `EC PARAMETERS` block before the key) and X.509 certificates. `jot
/// encrypt` reads them exactly as `jot encode` and `jot verify` do.
#[test]
fn openssl_keys_and_certificates_encrypt_and_decrypt() {
    let dir = scratch();
    let openssl = |args: &[&str]| crate::harness::run_openssl(&dir, args);
    openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-out",
        "ec.pem",
    ]);
    openssl(&[
        "req",
        "-new",
        "-x509",
        "-key",
        "ec.pem",
        "-subj",
        "/CN=jot",
        "-days",
        "1",
        "-out",
        "ec-cert.pem",
    ]);
    openssl(&[
        "x509",
        "-in",
        "ec-cert.pem",
        "-outform",
        "DER",
        "-out",
        "ec-cert.der",
    ]);
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "rsa.pem",
        "-subj",
        "/CN=jot",
        "-days",
        "1",
        "-out",
        "rsa-cert.pem",
    ]);
    let f = |name: &str| path_str(&dir.join(name)).to_owned();
    let ec = std::fs::read_to_string(dir.join("ec.pem")).unwrap();
    assert!(ec.starts_with("-----BEGIN EC PARAMETERS-----"), "{ec}");

    let alg = "ECDH-ES+A128KW";
    for to in ["ec-cert.pem", "ec-cert.der", "ec.pem"] {
        round_trip(
            alg,
            &["--alg", alg, "--key", &f(to)],
            &["--alg", alg, "--key", &f("ec.pem")],
            &["A128GCM"],
        );
    }
    round_trip(
        "RSA-OAEP-256",
        &["--alg", "RSA-OAEP-256", "--key", &f("rsa-cert.pem")],
        &["--alg", "RSA-OAEP-256", "--key", &f("rsa.pem")],
        &["A256GCM"],
    );
    // A certificate holds no private key.
    let token = ok(&["encrypt", "--alg", alg, "--key", &f("ec-cert.pem"), "x"]);
    let (code, _, err) = run(&[
        "decrypt",
        "--alg",
        alg,
        "--key",
        &f("ec-cert.pem"),
        token.trim(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("decryption needs the private key"), "{err}");
    // The same files sign and verify.
    let signed = ok(&[
        "encode",
        "--alg",
        "ES256",
        "--key",
        &f("ec.pem"),
        "--sub",
        "42",
    ]);
    let (code, out, err) = run(&["verify", "--key", &f("ec-cert.pem"), signed.trim()]);
    assert_eq!(code, 0, "{out}{err}");
}
