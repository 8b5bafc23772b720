//! `b64: false` (RFC 7797 unencoded payloads), with and without `crit`. `jot verify`
//! reads such a token as a JWS, never as a JWT: its payload is the middle segment
//! as it is, so a base64url claims set there is text, not claims, and the claim
//! rules refuse it.

use jot_algorithms::SigningKey;
use jot_test_support::forge::{b64, sign_raw, signature};
use serde_json::Value;

use super::{es256, es256_args, payload, refused, refused_as};
use crate::harness::{json, run_stdin};

/// `jot verify --json` with `extra`: (exit code, the JSON printed).
fn verify_json(extra: &[&str], token: &str) -> (i32, Value) {
    let args = es256_args();
    let mut argv: Vec<&str> = args.iter().map(String::as_str).collect();
    argv.extend_from_slice(extra);
    argv.push("--json");
    let (code, out, err) = run_stdin(&argv, token);
    assert!(err.is_empty(), "{err}");
    (code, json(&out))
}

#[test]
fn b64_false_is_refused() {
    let key = es256();
    // Without `crit`: refused whatever the signature covers (RFC 7797 §6).
    let header = r#"{"alg":"ES256","b64":false}"#;
    let uncritical = "not a valid JWS: invalid header: \"b64\" must be listed in \"crit\"";
    let t = sign_raw(&key, header, &payload());
    refused_as(&es256_args(), &t, "header", uncritical);
    let t = signed_raw_sent_encoded(&key, header);
    refused_as(&es256_args(), &t, "header", uncritical);

    // With `crit`, signed over the raw claims but sent with the base64url claims:
    // the signature covers other bytes.
    let header = r#"{"alg":"ES256","b64":false,"crit":["b64"]}"#;
    let t = signed_raw_sent_encoded(&key, header);
    let (code, out) = verify_json(&[], &t);
    assert_eq!(code, 1, "{out}");
    assert_eq!(out["error"]["kind"], "signatures", "{out}");
    assert_eq!(out["signatures"][0]["verified"], false, "{out}");

    // With `crit`, signed over its own segments: a JWS whose payload is the text of
    // the middle segment, not a claims set; a claim option refuses it.
    let t = sign_raw(&key, header, &payload());
    let (code, out) = verify_json(&["--sub", "alice"], &t);
    assert_eq!(code, 1, "{out}");
    assert_eq!(out["error"]["kind"], "not_claims", "{out}");
    let (code, out) = verify_json(&[], &t);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["payload_text"], b64(payload()), "{out}");
    assert!(out.get("claims").is_none(), "{out}");

    let t = sign_raw(&key, r#"{"alg":"ES256","b64":"false"}"#, &payload());
    let (msg, kind) = refused(&es256_args(), &t);
    assert_eq!(kind, "header");
    assert!(msg.contains("b64"), "{msg}");
}

/// A token whose signature covers the raw claims (as `b64: false` says) while the
/// claims travel base64url-encoded.
fn signed_raw_sent_encoded(key: &SigningKey, header: &str) -> String {
    let raw_input = format!("{}.{}", b64(header), payload());
    format!(
        "{}.{}.{}",
        b64(header),
        b64(payload()),
        b64(signature(key, raw_input.as_bytes()))
    )
}
