//! The attack classes of docs/SECURITY.md through the real `jot verify`, one module
//! per class (named as in the library's security suite, `tests/security`): each test
//! sends what an attacker would and asserts the exit code (1: the token is refused,
//! 2: the key is refused) and the exact one-line message or `--json` error kind.
//!
//! Malicious tokens are forged with `jot-test-support`, which signs arbitrary header
//! and payload bytes with a `SigningKey` (the shared keys of the harness, or the
//! attacker's own), so that a token carries a valid signature and the test proves
//! the check it names rather than "the signature did not verify".

use jot_algorithms::{Algorithm, Jwk, SigningKey};
use jot_test_support::forge::{payload_at, sign_raw};

use crate::harness::{json, keys, now, ok, path_str, run_stdin};

mod alg_none;
mod b64;
mod base64;
mod claims_types;
mod confusion;
mod crit;
mod duplicates;
mod embedded_keys;
mod issuer;
mod key_misuse;
mod kid;
mod segments_jwe;
mod signatures;
mod sizes;
mod typ;
mod utf8;
mod weak_keys;

// ---------------------------------------------------------------------------
// Keys and tokens

/// A payload that passes every default check.
fn payload() -> String {
    payload_at(now())
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

/// A token of the real ES256 key whose payload passes every default check and has
/// `claim` set to the JSON `value`.
fn es256_with_claim(claim: &str, value: &str) -> String {
    let payload = format!(r#"{{"sub":"42","exp":{},"{claim}":{value}}}"#, now() + 600);
    sign_raw(&es256(), r#"{"alg":"ES256"}"#, &payload)
}

/// The attacker's own ES256 key.
fn attacker_es256() -> SigningKey {
    SigningKey::generate(Algorithm::ES256).expect("generates")
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
