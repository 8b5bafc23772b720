//! Invalid UTF-8 and lone surrogates in the header and the payload.

use jot_test_support::forge::{sign_bytes, sign_raw};
use jot_test_support::inputs::{INVALID_UTF8, LONE_SURROGATES};

use super::{accepted, es256, es256_args, payload, refused};
use crate::harness::now;

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
    for (what, bytes) in INVALID_UTF8 {
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
    for escaped in LONE_SURROGATES {
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
