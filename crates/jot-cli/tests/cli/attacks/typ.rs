//! `typ` confusion where `at+jwt` is expected: an ID token, no `typ`, `typ` in the
//! payload, near misses, a `typ` that is not a string.

use jot_test_support::forge::sign_raw;

use super::{accepted, es256, es256_args, payload, refused, refused_as, with};
use crate::harness::now;

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
