//! `b64: false` (RFC 7797 unencoded payloads), with and without `crit`.

use jot_test_support::forge::{b64, sign_raw, signature};

use super::{es256, es256_args, payload, refused, refused_as};

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
        let sig = signature(&key, raw_input.as_bytes());
        let t = format!("{}.{}.{}", b64(header), b64(payload()), b64(sig));
        refused_as(&es256_args(), &t, "header", unencoded);
    }
    let t = sign_raw(&key, r#"{"alg":"ES256","b64":"false"}"#, &payload());
    let (msg, kind) = refused(&es256_args(), &t);
    assert_eq!(kind, "header");
    assert!(msg.contains("b64"), "{msg}");
}
