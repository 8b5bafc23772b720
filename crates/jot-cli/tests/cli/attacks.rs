//! The attack classes of docs/SECURITY.md through the real `jot verify`: each test
//! sends what an attacker would and asserts the exit code (1: the token is refused,
//! 2: the key is refused) and the exact one-line message or `--json` error kind.
//!
//! Malicious tokens are built here by signing arbitrary header and payload bytes
//! with jot-algorithms' `SigningKey` (the shared keys of the harness, or the
//! attacker's own), so that a token carries a valid signature and the test proves
//! the check it names rather than "the signature did not verify".

use std::io::ErrorKind;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use jot_algorithms::{Algorithm, Jwk, Signer as _, SigningKey};
use jot_codec::base64url;
use serde_json::{Value, json};

use crate::harness::{json, keys, now, ok, path_str, pem_to_der, run_stdin, scratch};

// ---------------------------------------------------------------------------
// Building tokens

fn b64(bytes: impl AsRef<[u8]>) -> String {
    base64url::encode(bytes.as_ref())
}

/// The raw signature of `input` by `key`.
fn signature(key: &SigningKey, input: &str) -> Vec<u8> {
    let mut sig = Vec::new();
    key.sign(input.as_bytes(), &mut sig).expect("signs");
    sig
}

/// Signs the segments as given (already encoded, canonical or not).
fn sign_segments(key: &SigningKey, header_b64: &str, payload_b64: &str) -> String {
    let input = format!("{header_b64}.{payload_b64}");
    let sig = signature(key, &input);
    format!("{input}.{}", b64(sig))
}

/// Signs arbitrary header and payload bytes.
fn sign_bytes(key: &SigningKey, header: &[u8], payload: &[u8]) -> String {
    sign_segments(key, &b64(header), &b64(payload))
}

/// Signs arbitrary header and payload JSON text.
fn sign_raw(key: &SigningKey, header: &str, payload: &str) -> String {
    sign_bytes(key, header.as_bytes(), payload.as_bytes())
}

/// A payload that passes every default check.
fn payload() -> String {
    format!(r#"{{"sub":"42","exp":{}}}"#, now() + 600)
}

/// The header and payload of a token with `sig` as its signature.
fn with_signature(token: &str, sig: &[u8]) -> String {
    let (input, _) = token.rsplit_once('.').expect("three segments");
    format!("{input}.{}", b64(sig))
}

fn jwk_file(name: &str) -> Jwk {
    Jwk::from_json(&std::fs::read_to_string(keys().file(name)).expect("key file")).expect("JWK")
}

/// The real ES256 key (`ES256-kid`).
fn es256() -> SigningKey {
    SigningKey::from_jwk_infer(&jwk_file("es256.jwk")).expect("ES256 key")
}

/// A key of the shared set, by file stem.
fn shared(stem: &str) -> SigningKey {
    SigningKey::from_jwk_infer(&jwk_file(&format!("{stem}.jwk"))).expect("key")
}

/// The real RSA key, for `alg`.
fn rsa(alg: Algorithm) -> SigningKey {
    let pem = std::fs::read(keys().file("rsa.pem")).expect("rsa.pem");
    SigningKey::from_any_bytes(alg, pem).expect("RSA key")
}

/// The real HMAC secret.
fn secret() -> Vec<u8> {
    let mut s = std::fs::read(keys().secret()).expect("secret");
    if s.last() == Some(&b'\n') {
        s.pop();
    }
    s
}

fn hs(alg: Algorithm) -> SigningKey {
    SigningKey::hmac(alg, secret()).expect("HMAC key")
}

/// The attacker's own ES256 key.
fn attacker_es256() -> SigningKey {
    SigningKey::generate(Algorithm::ES256).expect("generates")
}

/// An HMAC tag computed by the attacker with any bytes as the secret (jot refuses
/// such secrets, so the attacker uses ring directly).
fn attacker_hmac_token(secret: &[u8], header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    let tag = ring::hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", b64(tag.as_ref()))
}

// ---------------------------------------------------------------------------
// Running `jot verify`

/// `verify --key es256.pub.jwk` (the key implies ES256).
fn es256_args() -> Vec<String> {
    vec!["verify".into(), "--key".into(), keys().public("ES256")]
}

/// `verify --alg HS256 --secret-file secret.txt`.
fn hs256_args() -> Vec<String> {
    vec![
        "verify".into(),
        "--alg".into(),
        "HS256".into(),
        "--secret-file".into(),
        keys().secret(),
    ]
}

/// `verify --jwks` with a JWK Set of the real ES256 public key (kid `ES256-kid`).
fn jwks_args() -> Vec<String> {
    let set = keys().dir().join("attacks-es256.jwks");
    if !set.is_file() {
        let tmp = keys()
            .dir()
            .join(format!("attacks-es256.jwks.{}", std::process::id()));
        std::fs::write(&tmp, ok(&["jwk", "set", &keys().public("ES256")])).unwrap();
        std::fs::rename(&tmp, &set).unwrap();
    }
    vec!["verify".into(), "--jwks".into(), path_str(&set).to_owned()]
}

fn with(base: &[String], extra: &[&str]) -> Vec<String> {
    let mut args = base.to_vec();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

/// Verifies `token` (on stdin) with `args`: expects exit 1, nothing on stdout, one
/// line on stderr; again with `--json`: the same message and a kind. Returns
/// (message, kind).
fn refused(args: &[String], token: &str) -> (String, String) {
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = run_stdin(&argv, token);
    assert_eq!(code, 1, "{argv:?}: expected a rejection: {out}{err}");
    assert!(out.is_empty(), "{argv:?}: nothing on stdout: {out}");
    assert_eq!(err.lines().count(), 1, "{argv:?}: one line: {err}");
    let line = err
        .strip_suffix('\n')
        .and_then(|l| l.strip_prefix("jot: token rejected: "))
        .unwrap_or_else(|| panic!("{argv:?}: {err}"))
        .to_owned();
    let mut with_json = argv.clone();
    with_json.push("--json");
    let (code, out, err) = run_stdin(&with_json, token);
    assert_eq!(code, 1, "{argv:?} --json: {err}");
    assert!(err.is_empty(), "{argv:?} --json: nothing on stderr: {err}");
    let v = json(&out);
    let obj = v["error"].as_object().expect("{\"error\":{...}}");
    assert_eq!(obj.len(), 2, "{out}");
    assert_eq!(obj["message"], line.as_str(), "{argv:?}");
    (line, obj["kind"].as_str().expect("kind").to_owned())
}

/// Like [`refused`], for a message that must be exactly `message` of kind `kind`.
fn refused_as(args: &[String], token: &str, kind: &str, message: &str) {
    let (m, k) = refused(args, token);
    assert_eq!((m.as_str(), k.as_str()), (message, kind), "{args:?}");
}

/// Runs `args` with `token` on stdin: expects exit 2 (a key or usage error), nothing
/// on stdout; returns stderr.
fn key_error(args: &[String], token: &str) -> String {
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = run_stdin(&argv, token);
    assert_eq!(code, 2, "{argv:?}: expected a key error: {out}{err}");
    assert!(out.is_empty(), "{argv:?}: {out}");
    assert!(err.starts_with("jot: error: "), "{argv:?}: {err}");
    err
}

/// Verifies and expects success.
fn accepted(args: &[String], token: &str) {
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = run_stdin(&argv, token);
    assert_eq!(code, 0, "{argv:?}: expected acceptance: {out}{err}");
}

// ---------------------------------------------------------------------------
// alg: none

/// Every letter case of "none".
fn none_spellings() -> Vec<String> {
    (0..16u8)
        .map(|mask| {
            "none"
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if mask & (1 << i) != 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect()
        })
        .collect()
}

#[test]
fn alg_none_in_every_letter_case_is_refused() {
    let rsa_args = vec![
        "verify".to_owned(),
        "--alg".into(),
        "RS256".into(),
        "--key".into(),
        keys().public("RS256"),
    ];
    let verifiers = [es256_args(), hs256_args(), rsa_args, jwks_args()];
    let spellings = none_spellings();
    assert_eq!(spellings.len(), 16);
    for (i, alg) in spellings.iter().enumerate() {
        let header = b64(format!(r#"{{"alg":"{alg}"}}"#));
        // Empty signature, and a junk signature (one verifier each, to stay fast).
        for sig in ["", "c2ln"] {
            let token = format!("{header}.{}.{sig}", b64(payload()));
            let args = &verifiers[(i + sig.len()) % verifiers.len()];
            let (msg, kind) = refused(args, &token);
            if alg == "none" {
                assert_eq!(
                    (msg.as_str(), kind.as_str()),
                    ("unsecured token (alg none) refused", "unsecured")
                );
            } else {
                assert_eq!(
                    (msg, kind),
                    (format!("unsupported algorithm {alg}"), "header".to_owned())
                );
            }
        }
    }
    // "none" against every verifier.
    let token = format!("{}.{}.", b64(r#"{"alg":"none"}"#), b64(payload()));
    for args in &verifiers {
        refused_as(
            args,
            &token,
            "unsecured",
            "unsecured token (alg none) refused",
        );
    }
    // alg missing or not a string.
    for header in [
        r#"{}"#,
        r#"{"alg":null}"#,
        r#"{"alg":1}"#,
        r#"{"alg":["ES256"]}"#,
    ] {
        let token = format!("{}.{}.", b64(header), b64(payload()));
        let (msg, kind) = refused(&es256_args(), &token);
        assert_eq!(kind, "header", "{header}: {msg}");
        assert!(msg.contains("alg"), "{header}: {msg}");
    }
}

// ---------------------------------------------------------------------------
// Algorithm confusion: RS/ES/EdDSA -> HS

/// The public keys an attacker would offer as an HMAC secret, as files.
fn public_key_files() -> Vec<(String, String)> {
    let k = keys();
    let dir = scratch();
    let pem = std::fs::read_to_string(k.public("RS256")).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        path_str(&p).to_owned()
    };
    let es_pem = ok(&["jwk", "public", "--format", "pem", &k.public("ES256")]);
    vec![
        ("RSA SPKI PEM".into(), k.public("RS256")),
        (
            "PEM with leading whitespace".into(),
            write("lead.pem", format!(" \n\t{pem}").as_bytes()),
        ),
        (
            "PEM without its final newline".into(),
            write("trail.pem", pem.trim_end().as_bytes()),
        ),
        ("RSA SPKI DER".into(), write("rsa.der", &pem_to_der(&pem))),
        ("EC SPKI PEM".into(), write("ec.pem", es_pem.as_bytes())),
        ("EC SPKI DER".into(), write("ec.der", &pem_to_der(&es_pem))),
        ("ES256 JWK".into(), k.public("ES256")),
        ("EdDSA JWK".into(), k.public("EdDSA")),
        (
            "RSA JWK".into(),
            write(
                "rsa.jwk",
                ok(&["jwk", "public", "--alg", "RS256", &k.public("RS256")]).as_bytes(),
            ),
        ),
    ]
}

#[test]
fn public_key_as_hmac_secret_is_refused_with_exit_2() {
    let t = sign_raw(&hs(Algorithm::HS256), r#"{"alg":"HS256"}"#, &payload());
    for (what, file) in public_key_files() {
        for alg in ["HS256", "HS384", "HS512"] {
            let args: Vec<String> = ["verify", "--alg", alg, "--secret-file", &file]
                .map(String::from)
                .to_vec();
            let err = key_error(&args, &t);
            assert!(
                err.contains("the HMAC secret looks like an encoded")
                    && err.contains("key; load it as a key, not as a secret"),
                "{what} {alg}: {err}"
            );
        }
        // Nor can it sign.
        let args: Vec<String> = ["encode", "--alg", "HS256", "--secret-file", &file]
            .map(String::from)
            .to_vec();
        let err = key_error(&args, "");
        assert!(err.contains("looks like an encoded"), "{what}: {err}");
    }
    // A key file never becomes an HMAC key either: --alg HS256 with --key.
    for file in [keys().public("RS256"), keys().public("ES256")] {
        let args: Vec<String> = ["verify", "--alg", "HS256", "--key", &file]
            .map(String::from)
            .to_vec();
        let err = key_error(&args, &t);
        assert!(err.contains("not for HS256"), "{file}: {err}");
    }
}

#[test]
fn hs256_token_signed_with_the_public_key_is_refused_by_the_real_key() {
    let k = keys();
    let pem = std::fs::read(k.public("RS256")).unwrap();
    let der = pem_to_der(std::str::from_utf8(&pem).unwrap());
    let rsa_jwk = ok(&["jwk", "public", "--alg", "RS256", &k.public("RS256")]);
    let rsa_args = |extra: &[&str]| {
        with(
            &["verify".to_owned(), "--key".into(), k.public("RS256")],
            extra,
        )
    };
    for secret in [pem, der, rsa_jwk.into_bytes()] {
        for header in [r#"{"alg":"HS256"}"#, r#"{"alg":"HS256","typ":"JWT"}"#] {
            let t = attacker_hmac_token(&secret, header, &payload());
            refused_as(
                &rsa_args(&["--alg", "RS256"]),
                &t,
                "algorithm_not_allowed",
                "algorithm HS256 not allowed: expected RS256",
            );
            refused_as(
                &rsa_args(&["--alg", "RS256", "--alg", "PS256"]),
                &t,
                "algorithm_not_allowed",
                "algorithm HS256 not allowed: expected RS256 or PS256",
            );
        }
    }
    // EC and Ed25519 keys imply their algorithm; the HMAC token is refused.
    for (alg, expected) in [("ES256", "ES256"), ("EdDSA", "EdDSA")] {
        let file = k.public(alg);
        let secret = std::fs::read(&file).unwrap();
        let t = attacker_hmac_token(&secret, r#"{"alg":"HS256"}"#, &payload());
        refused_as(
            &["verify".to_owned(), "--key".into(), file],
            &t,
            "algorithm_not_allowed",
            &format!("algorithm HS256 not allowed: expected {expected}"),
        );
    }
    // A JWK Set of public keys, the token naming the real kid.
    let set_secret = std::fs::read(k.public("ES256")).unwrap();
    let t = attacker_hmac_token(
        &set_secret,
        r#"{"alg":"HS256","kid":"ES256-kid"}"#,
        &payload(),
    );
    refused_as(
        &jwks_args(),
        &t,
        "algorithm_not_allowed",
        "algorithm HS256 not allowed: expected ES256",
    );
}

// ---------------------------------------------------------------------------
// Keys the token carries or points at

#[test]
fn header_jwk_with_the_attackers_key_is_ignored() {
    let attacker = attacker_es256();
    let attacker_jwk: Value =
        serde_json::from_str(&attacker.verifying_key().to_jwk().unwrap().to_json()).unwrap();
    for kid in [None, Some("ES256-kid")] {
        let mut header = json!({"alg": "ES256", "jwk": attacker_jwk});
        if let Some(kid) = kid {
            header["kid"] = kid.into();
        }
        let t = sign_raw(&attacker, &header.to_string(), &payload());
        refused_as(&es256_args(), &t, "invalid_signature", "signature invalid");
        if kid.is_some() {
            refused_as(&jwks_args(), &t, "invalid_signature", "signature invalid");
        }
    }
    // The attacker's own kid in a key set: an unknown key, not the embedded one.
    let header = json!({"alg": "ES256", "kid": "attacker", "jwk": attacker_jwk});
    let t = sign_raw(&attacker, &header.to_string(), &payload());
    refused_as(&jwks_args(), &t, "unknown_key", "no key with kid attacker");
    // An embedded oct key with a token HMAC'd with it.
    let oct = b"attacker-attacker-attacker-attac";
    let header = json!({"alg": "HS256", "jwk": {"kty": "oct", "k": b64(oct)}});
    let t = attacker_hmac_token(oct, &header.to_string(), &payload());
    refused_as(
        &es256_args(),
        &t,
        "algorithm_not_allowed",
        "algorithm HS256 not allowed: expected ES256",
    );
    refused_as(&hs256_args(), &t, "invalid_signature", "signature invalid");
    // An x5c chain (the attacker's "certificate") is data, never a key.
    let header = json!({"alg": "ES256", "kid": "ES256-kid", "x5c": [b64(b"attacker certificate")]});
    let t = sign_raw(&attacker, &header.to_string(), &payload());
    refused_as(&es256_args(), &t, "invalid_signature", "signature invalid");
    refused_as(&jwks_args(), &t, "invalid_signature", "signature invalid");
}

#[test]
fn jwks_with_duplicate_kids_or_secrets_sets_them_aside() {
    let k = keys();
    let dir = scratch();
    let attacker = attacker_es256();
    let mut real = json(&std::fs::read_to_string(k.public("ES256")).unwrap());
    real["kid"] = "dup".into();
    let mut evil: Value =
        serde_json::from_str(&attacker.verifying_key().to_jwk().unwrap().to_json()).unwrap();
    evil["kid"] = "dup".into();
    let ed = json(&std::fs::read_to_string(k.public("EdDSA")).unwrap());
    let oct = json!({"kty": "oct", "kid": "h", "alg": "HS256", "k": b64(secret())});
    let set = dir.join("dup.jwks");
    std::fs::write(&set, json!({"keys": [real, evil, ed, oct]}).to_string()).unwrap();
    let set = path_str(&set).to_owned();
    let args = ["verify", "--jwks", &set];

    // Signed by the attacker or by the real key: "dup" names no key at all.
    for key in [&attacker, &es256()] {
        let t = sign_raw(key, r#"{"alg":"ES256","kid":"dup"}"#, &payload());
        let (code, out, err) = run_stdin(&args, &t);
        assert_eq!((code, out.as_str()), (1, ""), "{err}");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 4, "{err}");
        assert!(lines[0].contains("skipping key #0 (kid \"dup\")"), "{err}");
        assert!(
            lines[0].ends_with("several keys of the set share this kid"),
            "{err}"
        );
        assert!(lines[1].contains("skipping key #1 (kid \"dup\")"), "{err}");
        assert!(
            lines[2].ends_with("a shared secret in a set of public keys"),
            "{err}"
        );
        assert_eq!(
            lines[3],
            "jot: token rejected: algorithm ES256 not allowed: expected EdDSA"
        );
    }
    // The secret beside public keys is no key either.
    let hs = sign_raw(
        &hs(Algorithm::HS256),
        r#"{"alg":"HS256","kid":"h"}"#,
        &payload(),
    );
    let (code, _, err) = run_stdin(&args, &hs);
    assert_eq!(code, 1);
    assert!(
        err.ends_with("jot: token rejected: algorithm HS256 not allowed: expected EdDSA\n"),
        "{err}"
    );
    // Only the ambiguous keys: no usable key (exit 2).
    let only = dir.join("only-dup.jwks");
    std::fs::write(&only, json!({"keys": [real, evil]}).to_string()).unwrap();
    let t = sign_raw(&es256(), r#"{"alg":"ES256","kid":"dup"}"#, &payload());
    let err = key_error(&["verify", "--jwks", path_str(&only)].map(String::from), &t);
    assert!(err.contains("no usable key in the JWK Set"), "{err}");
    assert!(
        err.contains("several keys of the set share this kid"),
        "{err}"
    );
}

#[test]
fn jku_and_x5u_are_never_fetched() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/jwks.json");
    let attacker = attacker_es256();
    let real = es256();
    for member in ["jku", "x5u"] {
        for kid in ["attacker", "ES256-kid"] {
            let header = json!({"alg": "ES256", "kid": kid, member: url});
            let t = sign_raw(&attacker, &header.to_string(), &payload());
            let (msg, kind) = refused(&jwks_args(), &t);
            match kid {
                "attacker" => assert_eq!(
                    (msg.as_str(), kind.as_str()),
                    ("no key with kid attacker", "unknown_key")
                ),
                _ => assert_eq!(
                    (msg.as_str(), kind.as_str()),
                    ("signature invalid", "invalid_signature")
                ),
            }
            refused(&es256_args(), &t);
        }
        // Signed by the real key, the URL is only data: the token verifies, no fetch.
        let header = json!({"alg": "ES256", "kid": "ES256-kid", member: url});
        let t = sign_raw(&real, &header.to_string(), &payload());
        accepted(&es256_args(), &t);
        accepted(&jwks_args(), &t);
    }
    // Zero connections: nothing waits in the listener's accept queue.
    match listener.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        Ok((_, peer)) => panic!("jot connected to the jku/x5u listener from {peer}"),
        Err(e) => panic!("accept: {e}"),
    }
}

#[test]
fn hostile_kids_are_unknown_keys() {
    let real = es256();
    let long = "k".repeat(10 * 1024);
    let string_kids = [
        "../../../../../../dev/null",
        "/dev/null",
        "' OR '1'='1' --",
        "\"; DROP TABLE keys; --",
        "$(touch /tmp/jot-pwned)",
        "`id`",
        "ES256-kid\u{0}",
        "\u{0}",
        "ES256-KID",
        " ES256-kid",
        "ES256-kid ",
        "ЕS256-kid", // Cyrillic Е
        "",
        long.as_str(),
        "\u{1b}[31mred\u{1b}[0m",
    ];
    for kid in string_kids {
        let header = json!({"alg": "ES256", "kid": kid});
        let t = sign_raw(&real, &header.to_string(), &payload());
        for args in [jwks_args(), es256_args()] {
            let (msg, kind) = refused(&args, &t);
            assert_eq!(kind, "unknown_key", "{kid:?}: {msg}");
            assert!(msg.starts_with("no key with kid "), "{kid:?}: {msg}");
            assert!(msg.len() < 300, "the kid is clipped: {} bytes", msg.len());
            assert!(
                !msg.chars().any(char::is_control),
                "control characters escaped: {msg:?}"
            );
        }
    }
    let header = json!({"alg": "ES256", "kid": long});
    let t = sign_raw(&real, &header.to_string(), &payload());
    let (msg, _) = refused(&jwks_args(), &t);
    assert_eq!(msg, format!("no key with kid {}…", "k".repeat(64)));
    let header = json!({"alg": "ES256", "kid": "a\u{0}b"});
    let t = sign_raw(&real, &header.to_string(), &payload());
    refused_as(&jwks_args(), &t, "unknown_key", r#"no key with kid "a\0b""#);
    let header = json!({"alg": "ES256", "kid": "ES256-kid "});
    let t = sign_raw(&real, &header.to_string(), &payload());
    refused_as(
        &jwks_args(),
        &t,
        "unknown_key",
        r#"no key with kid "ES256-kid ""#,
    );

    // Not a string.
    for kid in [
        json!(1),
        json!(null),
        json!(true),
        json!(["ES256-kid"]),
        json!({"kid": "ES256-kid"}),
    ] {
        let header = json!({"alg": "ES256", "kid": kid});
        let t = sign_raw(&real, &header.to_string(), &payload());
        let (msg, kind) = refused(&jwks_args(), &t);
        assert_eq!(kind, "header", "{kid}: {msg}");
        assert!(msg.contains("\"kid\""), "{kid}: {msg}");
    }
    // The "key" a /dev/null kid would point at: an empty secret is no key.
    let args: Vec<String> = ["verify", "--alg", "HS256", "--secret-file", "/dev/null"]
        .map(String::from)
        .to_vec();
    let t = sign_raw(
        &hs(Algorithm::HS256),
        r#"{"alg":"HS256","kid":"/dev/null"}"#,
        &payload(),
    );
    assert!(key_error(&args, &t).contains("the secret is empty"));
}

// ---------------------------------------------------------------------------
// Signatures

#[test]
fn empty_truncated_and_over_long_signatures_are_invalid() {
    let rs_args = with(
        &["verify".to_owned(), "--key".into(), keys().public("RS256")],
        &["--alg", "RS256", "--alg", "PS256"],
    );
    let cases: Vec<(SigningKey, &str, Vec<String>)> = vec![
        (es256(), "ES256", es256_args()),
        (
            shared("es384"),
            "ES384",
            vec!["verify".into(), "--key".into(), keys().public("ES384")],
        ),
        (
            shared("eddsa"),
            "EdDSA",
            vec!["verify".into(), "--key".into(), keys().public("EdDSA")],
        ),
        (hs(Algorithm::HS256), "HS256", hs256_args()),
        (rsa(Algorithm::RS256), "RS256", rs_args.clone()),
        (rsa(Algorithm::PS256), "PS256", rs_args),
    ];
    for (key, alg, args) in cases {
        let header = format!(r#"{{"alg":"{alg}"}}"#);
        let good = sign_raw(&key, &header, &payload());
        accepted(&args, &good);
        let sig = base64url::decode(good.rsplit('.').next().unwrap()).unwrap();
        let other = sign_raw(
            &key,
            &header,
            &format!(r#"{{"sub":"43","exp":{}}}"#, now() + 600),
        );
        let other_sig = base64url::decode(other.rsplit('.').next().unwrap()).unwrap();
        let mut doubled = sig.clone();
        doubled.extend_from_slice(&sig);
        let mut longer = sig.clone();
        longer.push(0);
        let mut flipped = sig.clone();
        *flipped.last_mut().unwrap() ^= 1;
        let variants: Vec<(&str, Vec<u8>)> = vec![
            ("truncated by one byte", sig[..sig.len() - 1].to_vec()),
            ("first half", sig[..sig.len() / 2].to_vec()),
            ("one byte", sig[..1].to_vec()),
            ("one byte longer", longer),
            ("doubled", doubled),
            ("600 zero bytes", vec![0; 600]),
            ("all zero", vec![0; sig.len()]),
            ("last bit flipped", flipped),
            ("of another token", other_sig),
        ];
        for (what, bad) in variants {
            let t = with_signature(&good, &bad);
            let (msg, kind) = refused(&args, &t);
            assert_eq!(
                (msg.as_str(), kind.as_str()),
                ("signature invalid", "invalid_signature"),
                "{alg} {what}"
            );
        }
        // No signature segment content at all.
        let t = with_signature(&good, &[]);
        let (msg, kind) = refused(&args, &t);
        assert_eq!(
            (msg.as_str(), kind.as_str()),
            ("signature invalid", "invalid_signature"),
            "{alg} empty: {msg}"
        );
    }
}

/// A DER `Ecdsa-Sig-Value` of the fixed-size r ‖ s.
fn der_ecdsa(fixed: &[u8]) -> Vec<u8> {
    fn int(bytes: &[u8]) -> Vec<u8> {
        let mut v: Vec<u8> = bytes.iter().copied().skip_while(|&b| b == 0).collect();
        if v.first().is_none_or(|&b| b & 0x80 != 0) {
            v.insert(0, 0);
        }
        let mut out = vec![0x02, v.len() as u8];
        out.extend(v);
        out
    }
    let (r, s) = fixed.split_at(fixed.len() / 2);
    let body = [int(r), int(s)].concat();
    let mut out = vec![0x30];
    if body.len() >= 0x80 {
        out.push(0x81);
    }
    out.push(body.len() as u8);
    out.extend(body);
    out
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn der_encoded_and_psychic_ecdsa_signatures_are_invalid() {
    // The order n of P-256.
    let n = hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
    let mut n_minus_1 = n.clone();
    *n_minus_1.last_mut().unwrap() -= 1;
    let mut one = vec![0u8; 32];
    one[31] = 1;
    for (stem, alg) in [("es256", "ES256"), ("es384", "ES384"), ("es256k", "ES256K")] {
        let key = shared(stem);
        let args = vec!["verify".to_owned(), "--key".into(), keys().public(alg)];
        let good = sign_raw(&key, &format!(r#"{{"alg":"{alg}"}}"#), &payload());
        accepted(&args, &good);
        let fixed = base64url::decode(good.rsplit('.').next().unwrap()).unwrap();
        let zeros = vec![0u8; fixed.len()];
        for (what, sig) in [
            ("DER of the valid r, s", der_ecdsa(&fixed)),
            ("r = s = 0", zeros.clone()),
            ("DER of r = s = 0", der_ecdsa(&zeros)),
        ] {
            let (msg, kind) = refused(&args, &with_signature(&good, &sig));
            assert_eq!(
                (msg.as_str(), kind.as_str()),
                ("signature invalid", "invalid_signature"),
                "{alg}: {what}"
            );
        }
    }
    // "Psychic signatures" (CVE-2022-21449) on P-256: r, s in {n, n - 1, 1}.
    let good = sign_raw(&es256(), r#"{"alg":"ES256"}"#, &payload());
    for (what, r, s) in [
        ("r = s = n", &n, &n),
        ("r = s = n - 1", &n_minus_1, &n_minus_1),
        ("r = 1, s = n", &one, &n),
        ("r = n, s = 1", &n, &one),
    ] {
        let sig = [r.as_slice(), s.as_slice()].concat();
        let (msg, kind) = refused(&es256_args(), &with_signature(&good, &sig));
        assert_eq!(
            (msg.as_str(), kind.as_str()),
            ("signature invalid", "invalid_signature"),
            "{what}"
        );
    }
}

#[test]
fn malleated_rsa_and_ed25519_signatures_are_invalid() {
    // RSA: s = 0, 1, n - 1, n (n from the public key).
    let rsa_jwk = json(&ok(&[
        "jwk",
        "public",
        "--alg",
        "RS256",
        &keys().public("RS256"),
    ]));
    let n = base64url::decode(rsa_jwk["n"].as_str().unwrap()).unwrap();
    let mut n_minus_1 = n.clone();
    *n_minus_1.last_mut().unwrap() -= 1;
    let mut one = vec![0u8; n.len()];
    *one.last_mut().unwrap() = 1;
    let args = with(
        &["verify".to_owned(), "--key".into(), keys().public("RS256")],
        &["--alg", "RS256", "--alg", "PS256"],
    );
    for alg in [Algorithm::RS256, Algorithm::PS256] {
        let good = sign_raw(&rsa(alg), &format!(r#"{{"alg":"{alg}"}}"#), &payload());
        accepted(&args, &good);
        for (what, sig) in [
            ("s = 0", vec![0u8; n.len()]),
            ("s = 1", one.clone()),
            ("s = n - 1", n_minus_1.clone()),
            ("s = n", n.clone()),
        ] {
            let (msg, kind) = refused(&args, &with_signature(&good, &sig));
            assert_eq!(
                (msg.as_str(), kind.as_str()),
                ("signature invalid", "invalid_signature"),
                "{alg} {what}"
            );
        }
    }
    // Ed25519: S + L (the same signature, non-canonical S).
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let good = sign_raw(&shared("eddsa"), r#"{"alg":"EdDSA"}"#, &payload());
    let args = vec!["verify".to_owned(), "--key".into(), keys().public("EdDSA")];
    accepted(&args, &good);
    let mut sig = base64url::decode(good.rsplit('.').next().unwrap()).unwrap();
    let mut carry = 0u16;
    for (byte, l) in sig[32..].iter_mut().zip(L) {
        let sum = u16::from(*byte) + u16::from(l) + carry;
        *byte = (sum & 0xff) as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    refused_as(
        &args,
        &with_signature(&good, &sig),
        "invalid_signature",
        "signature invalid",
    );
}

// ---------------------------------------------------------------------------
// Header extensions

#[test]
fn crit_empty_unknown_and_registered_are_refused() {
    let key = es256();
    for (header, message) in [
        (
            r#"{"alg":"ES256","crit":[]}"#,
            r#"invalid header: "crit" must not be empty"#,
        ),
        (
            r#"{"alg":"ES256","crit":["exp"],"exp":1}"#,
            r#"invalid header: unknown critical header parameter "exp""#,
        ),
        (
            r#"{"alg":"ES256","crit":["urn:x-attacker"],"urn:x-attacker":true}"#,
            r#"invalid header: unknown critical header parameter "urn:x-attacker""#,
        ),
        (
            r#"{"alg":"ES256","crit":["alg"]}"#,
            r#"invalid header: "crit" names the registered parameter "alg""#,
        ),
        (
            r#"{"alg":"ES256","kid":"ES256-kid","crit":["kid"]}"#,
            r#"invalid header: "crit" names the registered parameter "kid""#,
        ),
        (
            r#"{"alg":"ES256","crit":["absent"]}"#,
            r#"invalid header: "crit" names "absent", which is not in the header"#,
        ),
    ] {
        let t = sign_raw(&key, header, &payload());
        refused_as(&es256_args(), &t, "header", message);
    }
    for header in [
        r#"{"alg":"ES256","crit":"x","x":1}"#,
        r#"{"alg":"ES256","crit":[1]}"#,
        r#"{"alg":"ES256","crit":["x","x"],"x":1}"#,
    ] {
        let t = sign_raw(&key, header, &payload());
        let (msg, kind) = refused(&es256_args(), &t);
        assert_eq!(kind, "header", "{header}: {msg}");
        assert!(msg.contains("crit"), "{header}: {msg}");
    }
}

#[test]
fn b64_false_is_refused() {
    let key = es256();
    let unencoded = "invalid header: unencoded payload (\"b64\": false) is not allowed here";
    for header in [
        r#"{"alg":"ES256","b64":false,"crit":["b64"]}"#,
        r#"{"alg":"ES256","b64":false}"#,
    ] {
        // Signed over the base64url payload, and over the raw payload (RFC 7797).
        let t = sign_raw(&key, header, &payload());
        refused_as(&es256_args(), &t, "header", unencoded);
        let raw_input = format!("{}.{}", b64(header), payload());
        let sig = signature(&key, &raw_input);
        let t = format!("{}.{}.{}", b64(header), b64(payload()), b64(sig));
        refused_as(&es256_args(), &t, "header", unencoded);
    }
    let t = sign_raw(&key, r#"{"alg":"ES256","b64":"false"}"#, &payload());
    let (msg, kind) = refused(&es256_args(), &t);
    assert_eq!(kind, "header");
    assert!(msg.contains("b64"), "{msg}");
}

// ---------------------------------------------------------------------------
// Encoding and structure

/// The last base64url character with one of its unused low bits set.
fn set_trailing_bit(segment: &str) -> Option<String> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let unused_mask = match segment.len() % 4 {
        2 => 0b1111,
        3 => 0b11,
        _ => return None,
    };
    let last = segment.chars().last()?;
    let index = ALPHABET.find(last)?;
    assert_eq!(index & unused_mask, 0, "canonical: unused bits are zero");
    let changed = ALPHABET.chars().nth(index | 1)?;
    Some(format!("{}{changed}", &segment[..segment.len() - 1]))
}

#[test]
fn non_canonical_base64url_is_refused_even_when_signed() {
    let key = es256();
    // A header and payload whose base64url holds '-' and '_' and is not a multiple
    // of 4 long, so that every non-canonical form exists.
    let mut found = None;
    for pad in 0..64 {
        let header = format!(r#"{{"alg":"ES256","x":"{}???>>>"}}"#, "~".repeat(pad % 8));
        let payload = format!(
            r#"{{"sub":"42","exp":{},"y":"{}???>>>"}}"#,
            now() + 600,
            "~".repeat(pad / 8)
        );
        let (h, p) = (b64(&header), b64(&payload));
        let shape = |s: &str| s.contains('-') && s.contains('_') && s.len() % 4 >= 2;
        if shape(&h) && shape(&p) {
            found = Some((h, p));
            break;
        }
    }
    let (h, p) = found.expect("a header and payload of the right shape");
    accepted(&es256_args(), &sign_segments(&key, &h, &p));
    let variants = |s: &str| -> Vec<(&'static str, String)> {
        let mid = s.len() / 2;
        let mut v = vec![
            ("padding", format!("{s}{}", "=".repeat(4 - s.len() % 4))),
            ("one '='", format!("{s}=")),
            ("'+' for '-'", s.replace('-', "+")),
            ("'/' for '_'", s.replace('_', "/")),
            ("a space inside", format!("{} {}", &s[..mid], &s[mid..])),
            ("CRLF inside", format!("{}\r\n{}", &s[..mid], &s[mid..])),
            ("a tab inside", format!("{}\t{}", &s[..mid], &s[mid..])),
            (
                "length 1 mod 4",
                format!("{s}{}", "A".repeat(5 - s.len() % 4)),
            ),
            ("'%3D' padding", format!("{s}%3D")),
            ("non-ASCII", format!("{s}é")),
        ];
        v.push((
            "a set trailing bit",
            set_trailing_bit(s).expect("len % 4 >= 2"),
        ));
        v
    };
    for (what, bad) in variants(&h) {
        let t = sign_segments(&key, &bad, &p);
        let (msg, kind) = refused(&es256_args(), &t);
        assert_eq!(
            (msg.as_str(), kind.as_str()),
            ("header is not valid base64url", "base64"),
            "header {what}"
        );
    }
    for (what, bad) in variants(&p) {
        let t = sign_segments(&key, &h, &bad);
        let (msg, kind) = refused(&es256_args(), &t);
        assert_eq!(
            (msg.as_str(), kind.as_str()),
            ("payload is not valid base64url", "base64"),
            "payload {what}"
        );
    }
    let good = sign_segments(&key, &h, &p);
    let sig = good.rsplit('.').next().unwrap().to_owned();
    for (what, bad) in variants(&sig) {
        if what == "'+' for '-'" && !sig.contains('-')
            || what == "'/' for '_'" && !sig.contains('_')
        {
            continue;
        }
        if sig.len() % 4 < 2 && what == "a set trailing bit" {
            continue;
        }
        let t = format!("{h}.{p}.{bad}");
        let (msg, kind) = refused(&es256_args(), &t);
        assert_eq!(
            (msg.as_str(), kind.as_str()),
            ("signature is not valid base64url", "base64"),
            "signature {what}"
        );
    }
    // Empty header or payload segments: nothing to parse.
    let t = sign_segments(&key, "", &p);
    refused_as(
        &es256_args(),
        &t,
        "json",
        "header is not valid JSON (Eof at line 1, column 0)",
    );
    let t = sign_segments(&key, &h, "");
    refused_as(
        &es256_args(),
        &t,
        "json",
        "payload is not valid JSON (Eof at line 1, column 0)",
    );
}

#[test]
fn wrong_segment_counts_and_jwes_are_refused() {
    let good = sign_raw(&es256(), r#"{"alg":"ES256"}"#, &payload());
    let parts: Vec<&str> = good.split('.').collect();
    for n in [1, 2, 4, 6, 7] {
        let t: Vec<&str> = (0..n).map(|i| parts[i % 3]).collect();
        refused_as(
            &es256_args(),
            &t.join("."),
            "malformed",
            &format!("token has {n} segments, a JWS has 3"),
        );
    }
    // A real JWE (five segments), made by `jot encrypt`.
    let dir = scratch();
    let key = dir.join("kw.jwk");
    ok(&["keygen", "A256KW", "--out", path_str(&key)]);
    let jwe = ok(&["encrypt", "--key", path_str(&key), &payload()]);
    refused_as(
        &es256_args(),
        jwe.trim(),
        "encrypted",
        "the token is encrypted (a JWE, 5 segments), not a JWS: verify a nested token with \
         --decrypt-with KEYFILE, or read it with `jot decrypt`",
    );
    refused_as(
        &es256_args(),
        "a.b.c.d.e",
        "encrypted",
        "the token is encrypted (a JWE, 5 segments), not a JWS: verify a nested token with \
         --decrypt-with KEYFILE, or read it with `jot decrypt`",
    );
    // A JWE header in a three-segment token: not a JWS algorithm.
    for alg in ["dir", "RSA-OAEP", "A256KW", "ECDH-ES", "PBES2-HS256+A128KW"] {
        let header = format!(r#"{{"alg":"{alg}","enc":"A256GCM"}}"#);
        let t = format!("{}.{}.{}", b64(&header), b64(payload()), parts[2]);
        refused_as(
            &es256_args(),
            &t,
            "header",
            &format!("unsupported algorithm {alg}"),
        );
    }
}

// ---------------------------------------------------------------------------
// Keys

#[test]
fn weak_keys_are_refused_with_exit_2() {
    let dir = scratch();
    let t = sign_raw(&hs(Algorithm::HS256), r#"{"alg":"HS256"}"#, &payload());
    for (alg, len, min) in [
        ("HS256", 31, 32),
        ("HS256", 20, 32),
        ("HS384", 47, 48),
        ("HS512", 63, 64),
    ] {
        let file = dir.join(format!("short-{alg}-{len}"));
        std::fs::write(&file, "s".repeat(len)).unwrap();
        let args: Vec<String> = ["verify", "--alg", alg, "--secret-file", path_str(&file)]
            .map(String::from)
            .to_vec();
        let err = key_error(&args, &t);
        assert!(
            err.contains(&format!(
                "{alg} needs a secret of at least {min} bytes, got {len}"
            )),
            "{err}"
        );
        assert!(!err.contains("sss"), "the secret is never echoed: {err}");
    }
    // An oct JWK that is too short.
    let file = dir.join("short.jwk");
    std::fs::write(
        &file,
        json!({"kty": "oct", "alg": "HS256", "k": b64([7u8; 16])}).to_string(),
    )
    .unwrap();
    let args: Vec<String> = ["verify", "--key", path_str(&file)]
        .map(String::from)
        .to_vec();
    assert!(key_error(&args, &t).contains("HS256 needs a secret of at least 32 bytes, got 16"));

    // RSA-1024 (a real key, its public part) and RSA with e = 1.
    let weak = dir.join("rsa1024.pub.pem");
    std::fs::write(&weak, RSA_1024_PUBLIC_PEM).unwrap();
    let rs = sign_raw(&rsa(Algorithm::RS256), r#"{"alg":"RS256"}"#, &payload());
    let args: Vec<String> = ["verify", "--alg", "RS256", "--key", path_str(&weak)]
        .map(String::from)
        .to_vec();
    let err = key_error(&args, &rs);
    assert!(
        err.contains("RSA key of 1024 bits is too small; at least 2048 bits are required"),
        "{err}"
    );
    let mut e1 = json(&ok(&[
        "jwk",
        "public",
        "--alg",
        "RS256",
        &keys().public("RS256"),
    ]));
    e1["e"] = "AQ".into();
    let file = dir.join("e1.jwk");
    std::fs::write(&file, e1.to_string()).unwrap();
    let args: Vec<String> = ["verify", "--key", path_str(&file)]
        .map(String::from)
        .to_vec();
    let err = key_error(&args, &rs);
    assert!(
        err.contains("RSA public exponent is not acceptable"),
        "{err}"
    );
}

/// A 1024-bit RSA public key (made with `openssl genpkey`; the private half was
/// thrown away).
const RSA_1024_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC+ISA7rdLXbze6JxSrGxKQRAOr
/NC8QKvtpvDAgc00lVsZi9i4A02nyu5bTqFsAqLPYMuj7yfekUzgrBhJkQJvw9lj
B5xzvaQ6tm3Ha5O/hg5a3CAqyR2EH5uqUXymzQ8YPoltC3yBNvWnUtxi60vkxApa
zHJdU3oZIAIh55TQVwIDAQAB
-----END PUBLIC KEY-----
";

#[test]
fn key_marked_for_another_algorithm_is_refused() {
    let k = keys();
    let dir = scratch();
    let write = |name: &str, v: &Value| {
        let p = dir.join(name);
        std::fs::write(&p, v.to_string()).unwrap();
        path_str(&p).to_owned()
    };
    let rs256_jwk = json(&ok(&[
        "jwk",
        "public",
        "--alg",
        "RS256",
        &k.public("RS256"),
    ]));
    assert_eq!(rs256_jwk["alg"], "RS256");
    let rs256_file = write("rs256.jwk", &rs256_jwk);
    let ps = sign_raw(&rsa(Algorithm::PS256), r#"{"alg":"PS256"}"#, &payload());
    // The key says RS256: a PS256 token is refused; asking for PS256 is a key error.
    refused_as(
        &["verify".to_owned(), "--key".into(), rs256_file.clone()],
        &ps,
        "algorithm_not_allowed",
        "algorithm PS256 not allowed: expected RS256",
    );
    let err = key_error(
        &["verify", "--key", &rs256_file, "--alg", "PS256"].map(String::from),
        &ps,
    );
    assert!(err.contains("the key is for RS256, not for PS256"), "{err}");
    let hs = sign_raw(&hs(Algorithm::HS256), r#"{"alg":"HS256"}"#, &payload());
    refused_as(
        &["verify".to_owned(), "--key".into(), rs256_file],
        &hs,
        "algorithm_not_allowed",
        "algorithm HS256 not allowed: expected RS256",
    );

    // use: enc, key_ops without verify, a JWE algorithm: not keys for signatures.
    let es = sign_raw(&es256(), r#"{"alg":"ES256"}"#, &payload());
    let mut enc = json(&std::fs::read_to_string(k.public("ES256")).unwrap());
    enc["use"] = "enc".into();
    let mut ops = json(&std::fs::read_to_string(k.public("ES256")).unwrap());
    ops["key_ops"] = json!(["encrypt"]);
    let mut ecdh = json(&std::fs::read_to_string(k.public("ES256")).unwrap());
    ecdh["alg"] = "ECDH-ES".into();
    for (name, v, needle) in [
        ("enc.jwk", enc, "not for verify"),
        ("ops.jwk", ops, "not for verify"),
        ("ecdh.jwk", ecdh, "not for a JWS algorithm"),
    ] {
        let file = write(name, &v);
        let err = key_error(&["verify", "--key", &file].map(String::from), &es);
        assert!(err.contains(needle), "{name}: {err}");
    }
    // A JWE key generated by jot is refused for verification.
    let jwe_key = dir.join("ecdh-es.pub.jwk");
    ok(&[
        "keygen",
        "ECDH-ES",
        "--out",
        path_str(&dir.join("ecdh-es.jwk")),
        "--public-out",
        path_str(&jwe_key),
    ]);
    let err = key_error(
        &["verify", "--key", path_str(&jwe_key)].map(String::from),
        &es,
    );
    assert!(err.contains("not for verify"), "{err}");

    // An Ed25519 or P-384 key for an ES256 token.
    refused_as(
        &["verify".to_owned(), "--key".into(), k.public("EdDSA")],
        &es,
        "algorithm_not_allowed",
        "algorithm ES256 not allowed: expected EdDSA",
    );
    let err = key_error(
        &["verify", "--key", &k.public("ES384"), "--alg", "ES256"].map(String::from),
        &es,
    );
    assert!(err.contains("not for ES256"), "{err}");
    // An oct JWK claiming RS256.
    let oct = write(
        "oct.jwk",
        &json!({"kty": "oct", "alg": "RS256", "k": b64([1u8; 64])}),
    );
    let err = key_error(&["verify", "--key", &oct].map(String::from), &es);
    assert!(err.contains("RS256"), "{err}");
}

// ---------------------------------------------------------------------------
// Claims

#[test]
fn numeric_dates_of_the_wrong_type_or_range_are_refused() {
    let key = es256();
    let future = now() + 600;
    for claim in ["exp", "nbf", "iat"] {
        for (value, reason) in [
            (format!("\"{future}\""), "not a number"),
            ("\"\"".into(), "not a number"),
            ("true".into(), "not a number"),
            ("false".into(), "not a number"),
            ("null".into(), "not a number"),
            (format!("[{future}]"), "not a number"),
            ("{}".into(), "not a number"),
            ("1e30".into(), "out of range"),
            ("-1".into(), "out of range"),
            ("-1.5".into(), "out of range"),
            ("253402300800".into(), "out of range"),
            ("18446744073709551616".into(), "out of range"),
        ] {
            let payload = if claim == "exp" {
                format!(r#"{{"sub":"42","exp":{value}}}"#)
            } else {
                format!(r#"{{"sub":"42","exp":{future},"{claim}":{value}}}"#)
            };
            let t = sign_raw(&key, r#"{"alg":"ES256"}"#, &payload);
            refused_as(
                &es256_args(),
                &t,
                "invalid_claim",
                &format!("claim \"{claim}\" is {reason}"),
            );
        }
        // 1e400 is no finite JSON number at all.
        let payload = if claim == "exp" {
            r#"{"sub":"42","exp":1e400}"#.to_owned()
        } else {
            format!(r#"{{"sub":"42","exp":{future},"{claim}":1e400}}"#)
        };
        let t = sign_raw(&key, r#"{"alg":"ES256"}"#, &payload);
        let (msg, kind) = refused(&es256_args(), &t);
        assert_eq!(kind, "json", "{claim}: {msg}");
        assert!(msg.starts_with("payload is not valid JSON"), "{msg}");
    }
}

#[test]
fn audience_of_the_wrong_shape_or_value_is_refused() {
    let key = es256();
    let future = now() + 600;
    let token = |aud: &str| {
        sign_raw(
            &key,
            r#"{"alg":"ES256"}"#,
            &format!(r#"{{"sub":"42","exp":{future},"aud":{aud}}}"#),
        )
    };
    let me = with(&es256_args(), &["--aud", "me"]);
    for aud in [
        r#"["me",1]"#,
        r#"[1,"me"]"#,
        r#"{"me":true}"#,
        "null",
        "1",
        "true",
        r#"[["me"]]"#,
    ] {
        refused_as(
            &me,
            &token(aud),
            "invalid_claim",
            "claim \"aud\" is not a string or an array of strings",
        );
    }
    for (aud, shown) in [
        ("[]", "no audience"),
        (r#""""#, r#""""#),
        (r#"[""]"#, r#""""#),
        (r#""ME""#, "ME"),
        (r#"" me""#, r#"" me""#),
        (r#""me ""#, r#""me ""#),
        (r#"["you"]"#, "you"),
        (r#"["you","me\t"]"#, r#"you, "me\t""#),
        (r#""me\u0000""#, r#""me\0""#),
    ] {
        refused_as(
            &me,
            &token(aud),
            "wrong_audience",
            &format!("audience mismatch: expected me, got {shown}"),
        );
    }
    // Missing when one is asked for; present when none is configured.
    let none = sign_raw(&key, r#"{"alg":"ES256"}"#, &payload());
    refused_as(&me, &none, "missing_claim", "missing required claim aud");
    refused_as(
        &es256_args(),
        &token(r#""me""#),
        "wrong_audience",
        "audience mismatch: the token is for me; pass --aud to accept it",
    );
    accepted(&me, &token(r#"["you","me"]"#));
}

#[test]
fn issuer_with_case_whitespace_or_array_is_refused() {
    let key = es256();
    let future = now() + 600;
    let token = |iss: &str| {
        sign_raw(
            &key,
            r#"{"alg":"ES256"}"#,
            &format!(r#"{{"sub":"42","exp":{future},"iss":{iss}}}"#),
        )
    };
    let args = with(&es256_args(), &["--iss", "https://issuer.example"]);
    accepted(&args, &token(r#""https://issuer.example""#));
    for (iss, shown) in [
        (r#""HTTPS://ISSUER.EXAMPLE""#, "HTTPS://ISSUER.EXAMPLE"),
        (r#""https://Issuer.example""#, "https://Issuer.example"),
        (
            r#"" https://issuer.example""#,
            r#"" https://issuer.example""#,
        ),
        (
            r#""https://issuer.example ""#,
            r#""https://issuer.example ""#,
        ),
        (r#""https://issuer.example/""#, "https://issuer.example/"),
        (r#""https://issuer.example.""#, "https://issuer.example."),
        (
            r#""https://issuer.example.evil""#,
            "https://issuer.example.evil",
        ),
        (
            r#""https://issuer.example\u0000""#,
            r#""https://issuer.example\0""#,
        ),
        (r#""https://іssuer.example""#, "https://іssuer.example"),
    ] {
        refused_as(
            &args,
            &token(iss),
            "wrong_issuer",
            &format!("issuer mismatch: expected https://issuer.example, got {shown}"),
        );
    }
    for iss in [
        r#"["https://issuer.example"]"#,
        "1",
        "null",
        r#"{"iss":"https://issuer.example"}"#,
    ] {
        refused_as(
            &args,
            &token(iss),
            "invalid_claim",
            "claim \"iss\" is not a string",
        );
    }
    let none = sign_raw(&key, r#"{"alg":"ES256"}"#, &payload());
    refused_as(&args, &none, "missing_claim", "missing required claim iss");
}

#[test]
fn typ_confusion_is_refused() {
    let key = es256();
    let at = with(&es256_args(), &["--typ", "at+jwt"]);
    for (header, found) in [
        (r#"{"alg":"ES256","typ":"JWT"}"#, "JWT"),
        (r#"{"alg":"ES256"}"#, "none"),
        (r#"{"alg":"ES256","typ":"at+jwt "}"#, r#""at+jwt ""#),
        (r#"{"alg":"ES256","typ":"at-jwt"}"#, "at-jwt"),
        (
            r#"{"alg":"ES256","typ":"application/jwt"}"#,
            "application/jwt",
        ),
        (r#"{"alg":"ES256","typ":"dpop+jwt"}"#, "dpop+jwt"),
    ] {
        refused_as(
            &at,
            &sign_raw(&key, header, &payload()),
            "wrong_type",
            &format!("type mismatch: expected at+jwt, got {found}"),
        );
    }
    // The type in the payload does not count.
    let t = sign_raw(
        &key,
        r#"{"alg":"ES256"}"#,
        &format!(r#"{{"sub":"42","exp":{},"typ":"at+jwt"}}"#, now() + 600),
    );
    refused_as(
        &at,
        &t,
        "wrong_type",
        "type mismatch: expected at+jwt, got none",
    );
    // Not a string.
    let t = sign_raw(&key, r#"{"alg":"ES256","typ":1}"#, &payload());
    let (msg, kind) = refused(&at, &t);
    assert_eq!(kind, "header");
    assert!(msg.contains("\"typ\""), "{msg}");
    // A media type compares case-insensitively, with or without "application/".
    for typ in ["at+jwt", "AT+JWT", "application/at+jwt"] {
        let header = format!(r#"{{"alg":"ES256","typ":"{typ}"}}"#);
        accepted(&at, &sign_raw(&key, &header, &payload()));
    }
}

#[test]
fn duplicate_members_are_refused() {
    let key = es256();
    let future = now() + 600;
    for (header, name) in [
        (r#"{"alg":"ES256","alg":"ES256"}"#, "alg"),
        (r#"{"alg":"ES256","kid":"a","kid":"ES256-kid"}"#, "kid"),
        (r#"{"alg":"ES256","typ":"JWT","typ":"at+jwt"}"#, "typ"),
        (r#"{"alg":"ES256","crit":["x"],"x":1,"crit":["y"]}"#, "crit"),
        (r#"{"alg":"ES256","\u0061lg":"ES256"}"#, "alg"),
    ] {
        refused_as(
            &es256_args(),
            &sign_raw(&key, header, &payload()),
            "duplicate_member",
            &format!("header has the member \"{name}\" twice"),
        );
    }
    for (claims, name) in [
        (format!(r#"{{"sub":"a","sub":"b","exp":{future}}}"#), "sub"),
        (format!(r#"{{"sub":"a","exp":{future},"exp":1}}"#), "exp"),
        (format!(r#"{{"aud":"x","aud":"me","exp":{future}}}"#), "aud"),
        (format!(r#"{{"iss":"x","iss":"y","exp":{future}}}"#), "iss"),
        (
            format!(r#"{{"admin":false,"admin":true,"exp":{future}}}"#),
            "admin",
        ),
        (
            format!(r#"{{"admin":false,"\u0061dmin":true,"exp":{future}}}"#),
            "admin",
        ),
    ] {
        refused_as(
            &with(&es256_args(), &["--aud", "me"]),
            &sign_raw(&key, r#"{"alg":"ES256"}"#, &claims),
            "duplicate_member",
            &format!("payload has the member \"{name}\" twice"),
        );
    }
}

// ---------------------------------------------------------------------------
// Sizes and encodings

#[test]
fn ten_megabyte_token_is_refused_quickly() {
    const TEN_MB: usize = 10 * 1024 * 1024;
    let dir = scratch();
    let key = es256();
    let signed = sign_raw(
        &key,
        r#"{"alg":"ES256"}"#,
        &format!(r#"{{"x":"{}"}}"#, "a".repeat(TEN_MB)),
    );
    for (what, token) in [
        ("garbage", format!("!{}.!.!", "A".repeat(TEN_MB))),
        ("validly signed", signed),
        ("ten million dots", ".".repeat(TEN_MB)),
    ] {
        let file = dir.join("big.jwt");
        std::fs::write(&file, &token).unwrap();
        let at = format!("@{}", path_str(&file));
        let args = with(&es256_args(), &[&at]);
        let started = Instant::now();
        let (msg, kind) = refused(&args, "");
        let elapsed = started.elapsed();
        assert_eq!(kind, "too_large", "{what}: {msg}");
        assert_eq!(
            msg,
            format!(
                "token is {} bytes, more than the limit of 65536",
                token.len()
            ),
            "{what}"
        );
        assert!(
            elapsed < Duration::from_secs(5),
            "{what}: two runs took {elapsed:?}"
        );
    }
    // On stdin too.
    let token = format!("eyJhbGciOiJFUzI1NiJ9.{}.c2ln", "A".repeat(TEN_MB));
    let (_, kind) = refused(&es256_args(), &token);
    assert_eq!(kind, "too_large");
}

/// `depth` levels of `[` … `]`.
fn nested_arrays(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn deep_nesting_is_a_clean_error() {
    let key = es256();
    let future = now() + 600;
    // 100,000 levels do not fit in a token: refused before any parsing.
    let deep = nested_arrays(100_000);
    let t = sign_raw(&key, r#"{"alg":"ES256"}"#, &format!(r#"{{"x":{deep}}}"#));
    let (_, kind) = refused(&es256_args(), &t);
    assert_eq!(kind, "too_large");
    // 20,000 levels fit (about 53 KB): in every position, a clean rejection (exit 1,
    // one line), never a stack overflow.
    let deep = nested_arrays(20_000);
    let objects = format!("{}1{}", r#"{"a":"#.repeat(5_000), "}".repeat(5_000));
    for (what, header, payload) in [
        (
            "header member",
            format!(r#"{{"alg":"ES256","x":{deep}}}"#),
            payload(),
        ),
        (
            "header kid",
            format!(r#"{{"alg":"ES256","kid":{deep}}}"#),
            payload(),
        ),
        (
            "header crit",
            format!(r#"{{"alg":"ES256","crit":{deep}}}"#),
            payload(),
        ),
        (
            "header jwk",
            format!(r#"{{"alg":"ES256","jwk":{objects}}}"#),
            payload(),
        ),
        ("header", deep.clone(), payload()),
        ("payload", r#"{"alg":"ES256"}"#.to_owned(), deep.clone()),
        (
            "custom claim",
            r#"{"alg":"ES256"}"#.to_owned(),
            format!(r#"{{"exp":{future},"x":{deep}}}"#),
        ),
        (
            "custom claim of objects",
            r#"{"alg":"ES256"}"#.to_owned(),
            format!(r#"{{"exp":{future},"x":{objects}}}"#),
        ),
        (
            "aud",
            r#"{"alg":"ES256"}"#.to_owned(),
            format!(r#"{{"exp":{future},"aud":{deep}}}"#),
        ),
        (
            "exp",
            r#"{"alg":"ES256"}"#.to_owned(),
            format!(r#"{{"exp":{deep}}}"#),
        ),
    ] {
        let t = sign_raw(&key, &header, &payload);
        let (msg, kind) = refused(&es256_args(), &t);
        assert!(
            ["json", "header", "invalid_claim"].contains(&kind.as_str()),
            "{what}: {kind}: {msg}"
        );
    }
}

#[test]
fn invalid_utf8_and_lone_surrogates_are_refused() {
    let key = es256();
    let future = now() + 600;
    let header = br#"{"alg":"ES256"}"#;
    let payload_with = |bytes: &[u8]| {
        let mut p = format!(r#"{{"exp":{future},"sub":""#).into_bytes();
        p.extend_from_slice(bytes);
        p.extend_from_slice(b"\"}");
        p
    };
    for (what, bytes) in [
        ("0xff", &b"\xff"[..]),
        ("overlong '/'", b"\xc0\xaf"),
        ("CESU-8 surrogate", b"\xed\xa0\x80"),
        ("above U+10FFFF", b"\xf4\x90\x80\x80"),
        ("truncated sequence", b"\xe2\x82"),
    ] {
        let t = sign_bytes(&key, header, &payload_with(bytes));
        let (msg, kind) = refused(&es256_args(), &t);
        assert_eq!(kind, "json", "payload {what}: {msg}");
        assert!(
            msg.starts_with("payload is not valid JSON"),
            "{what}: {msg}"
        );
        // In a header member nobody reads.
        let mut h = br#"{"alg":"ES256","x":""#.to_vec();
        h.extend_from_slice(bytes);
        h.extend_from_slice(b"\"}");
        let t = sign_bytes(&key, &h, payload().as_bytes());
        let (msg, kind) = refused(&es256_args(), &t);
        assert_eq!(kind, "json", "header {what}: {msg}");
        assert!(msg.starts_with("header is not valid JSON"), "{what}: {msg}");
    }
    for escaped in [
        r"\ud800",
        r"\udfff",
        r"\udc00\ud800",
        r"a\ud800b",
        r"\ud800\u0041",
    ] {
        for claim in ["sub", "x"] {
            let payload = format!(r#"{{"exp":{future},"{claim}":"{escaped}"}}"#);
            let t = sign_raw(&key, r#"{"alg":"ES256"}"#, &payload);
            let (msg, kind) = refused(&es256_args(), &t);
            assert_eq!(kind, "json", "{claim} {escaped}: {msg}");
        }
    }
    // A paired surrogate is fine.
    let payload = format!(r#"{{"exp":{future},"sub":"\ud83d\udd11"}}"#);
    accepted(
        &es256_args(),
        &sign_raw(&key, r#"{"alg":"ES256"}"#, &payload),
    );
}
