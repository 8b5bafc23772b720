//! Duplicate members in the header and the payload, also spelled with escapes.

use jot_test_support::forge::sign_raw;

use super::{es256, es256_args, payload, refused_as, with};
use crate::harness::now;

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
