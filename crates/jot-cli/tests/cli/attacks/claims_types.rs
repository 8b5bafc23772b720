//! Registered claims of the wrong type or range: NumericDates that are strings,
//! booleans, null, arrays, out of range; audiences of the wrong shape or value.

use jot_test_support::forge::sign_raw;
use jot_test_support::inputs::AUDIENCES_OF_THE_WRONG_SHAPE;

use super::{accepted, es256, es256_args, es256_with_claim, payload, refused, refused_as, with};
use crate::harness::now;

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
    let token = |aud: &str| es256_with_claim("aud", aud);
    let me = with(&es256_args(), &["--aud", "me"]);
    for aud in AUDIENCES_OF_THE_WRONG_SHAPE {
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
