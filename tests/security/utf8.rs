//! Invalid UTF-8 and lone surrogates (RFC 8725 §3.7, RFC 8259 §8.1-8.2):
//! the signed header and payload must be UTF-8 JSON whose strings are Unicode. Raw
//! invalid bytes (anywhere, even in members nobody reads), overlong encodings and
//! `\uD800`-style lone surrogate escapes are refused as JSON syntax errors of the
//! segment. Tokens are validly signed with the real key.

use jot_algorithms::{Error, JsonErrorKind, Segment, Validation};
use serde_json::Value;

use jot_test_support::inputs::{INVALID_UTF8, LONE_SURROGATES};

use crate::support::{NOW, decode_as, decode_with, hs256, public, rejected, sign_bytes};

fn lax() -> Validation {
    Validation::new().require_exp(false)
}

fn syntax(err: &Error, segment: Segment) -> bool {
    matches!(err, Error::Json { segment: s, kind: JsonErrorKind::Syntax, .. } if *s == segment)
}

fn with(template: &str, bytes: &[u8]) -> Vec<u8> {
    let (a, b) = template.split_once('@').unwrap();
    [a.as_bytes(), bytes, b.as_bytes()].concat()
}

#[test]
fn invalid_utf8_in_the_payload_is_refused() {
    let key = hs256();
    for (_, bytes) in INVALID_UTF8 {
        for template in [
            r#"{"sub":"@"}"#.to_string(),
            r#"{"x":"@"}"#.to_string(),
            format!(r#"{{"exp":{},"unread":["@"]}}"#, NOW + 60),
            r#"{"@":1}"#.to_string(),
        ] {
            let token = sign_bytes(&key, br#"{"alg":"HS256"}"#, &with(&template, bytes));
            for err in [
                rejected(decode_with(&token, &public(&key), &lax())),
                rejected(decode_as::<(), _>(&token, &public(&key), &lax())),
            ] {
                assert!(
                    syntax(&err, Segment::Payload),
                    "{template} {bytes:?}: {err:?}"
                );
            }
        }
    }
}

#[test]
fn invalid_utf8_in_the_header_is_refused() {
    let key = hs256();
    for (_, bytes) in INVALID_UTF8 {
        for template in [r#"{"alg":"HS256","kid":"@"}"#, r#"{"alg":"HS256","x":"@"}"#] {
            let token = sign_bytes(&key, &with(template, bytes), b"{}");
            let err = rejected(decode_with(&token, &public(&key), &lax()));
            assert!(
                syntax(&err, Segment::Header),
                "{template} {bytes:?}: {err:?}"
            );
        }
    }
}

#[test]
fn lone_surrogates_in_read_claims_are_refused() {
    let key = hs256();
    for s in LONE_SURROGATES {
        for template in [
            r#"{"sub":"@"}"#,
            r#"{"iss":"@"}"#,
            r#"{"aud":["@"]}"#,
            r#"{"x":"@"}"#,
        ] {
            let payload = template.replace('@', s);
            let token = sign_bytes(&key, br#"{"alg":"HS256"}"#, payload.as_bytes());
            let v = lax().danger_ignore_audience();
            let err = rejected(decode_as::<Value, _>(&token, &public(&key), &v));
            assert!(syntax(&err, Segment::Payload), "{payload}: {err:?}");
        }
    }
}

#[test]
fn lone_surrogates_in_the_header_are_refused() {
    let key = hs256();
    for s in LONE_SURROGATES {
        for template in [
            r#"{"alg":"HS256","kid":"@"}"#,
            r#"{"alg":"HS256","x":"@"}"#,
            r#"{"alg":"HS256","@":1}"#,
        ] {
            let header = template.replace('@', s);
            let token = sign_bytes(&key, header.as_bytes(), b"{}");
            let err = rejected(decode_with(&token, &public(&key), &lax()));
            assert!(syntax(&err, Segment::Header), "{header}: {err:?}");
        }
    }
}

#[test]
fn lone_surrogates_in_unread_claims_are_refused() {
    // A member the application's type does not read is still part of the signed
    // claims set: it must be valid Unicode too.
    let key = hs256();
    let mut accepted = Vec::new();
    for s in LONE_SURROGATES {
        for template in [r#"{"x":"@"}"#, r#"{"@":1}"#, r#"{"x":{"y":["@"]}}"#] {
            let payload = template.replace('@', s);
            let token = sign_bytes(&key, br#"{"alg":"HS256"}"#, payload.as_bytes());
            match decode_as::<(), _>(&token, &public(&key), &lax()) {
                Err(err) if syntax(&err, Segment::Payload) => {}
                other => accepted.push(format!("{payload}: {other:?}")),
            }
        }
    }
    assert!(accepted.is_empty(), "not refused:\n{}", accepted.join("\n"));
}
