//! Registered claims of the wrong type or range (RFC 7519 §2 NumericDate, §4.1;
//! RFC 8725 §3.9 audience): `exp`/`nbf`/`iat` as strings, booleans,
//! null, 1e30, 1e400, negative, past year 9999; `aud` as `[]`, `["me", 1]`, objects,
//! `""`. Every token is validly signed with the real key, so the rejection is the
//! claim check. Also the time rules at their edges (60 s leeway).

use jot_algorithms::{ClaimValueError, Error, JsonErrorKind, Segment, Validation};

use jot_test_support::inputs::AUDIENCES_OF_THE_WRONG_SHAPE;

use crate::support::{NOW, decode_with, hs256, public, rejected, sign_raw};

fn token(payload: &str) -> String {
    sign_raw(&hs256(), r#"{"alg":"HS256"}"#, payload)
}

fn lax() -> Validation {
    Validation::new()
        .require_exp(false)
        .danger_ignore_audience()
}

#[test]
fn numeric_dates_of_the_wrong_type_are_refused() {
    let key = public(&hs256());
    for claim in ["exp", "nbf", "iat"] {
        for value in [
            format!(r#""{}""#, NOW + 600),
            r#""""#.to_string(),
            "true".into(),
            "false".into(),
            "null".into(),
            "[]".into(),
            format!("[{}]", NOW + 600),
            r#"{"$date":1}"#.into(),
        ] {
            let payload = format!(r#"{{"sub":"42","{claim}":{value}}}"#);
            let err = rejected(decode_with(&token(&payload), &key, &lax()));
            assert!(
                matches!(err, Error::InvalidClaim { claim: c, reason: ClaimValueError::NotANumber } if c == claim),
                "{payload}: {err:?}"
            );
        }
    }
}

#[test]
fn numeric_dates_out_of_range_are_refused() {
    let key = public(&hs256());
    for claim in ["exp", "nbf", "iat"] {
        for value in [
            "1e30",
            "-1",
            "-1.5",
            "-0.5",
            "-9223372036854775808",
            "253402300800",
            "18446744073709551615",
            "18446744073709551616",
            "1.7976931348623157e308",
        ] {
            let payload = format!(r#"{{"sub":"42","{claim}":{value}}}"#);
            let err = rejected(decode_with(&token(&payload), &key, &lax()));
            assert!(
                matches!(err, Error::InvalidClaim { claim: c, reason: ClaimValueError::OutOfRange } if c == claim),
                "{payload}: {err:?}"
            );
        }
        // 1e400 is not a finite JSON number at all: a syntax error of the payload.
        let payload = format!(r#"{{"sub":"42","{claim}":1e400}}"#);
        let err = rejected(decode_with(&token(&payload), &key, &lax()));
        assert!(
            matches!(
                err,
                Error::Json {
                    segment: Segment::Payload,
                    kind: JsonErrorKind::Syntax,
                    ..
                }
            ),
            "{payload}: {err:?}"
        );
    }
}

#[test]
fn exp_and_nbf_use_a_60_second_leeway_and_no_more() {
    let key = public(&hs256());
    let v = Validation::new();
    let at = |payload: String| decode_with(&token(&payload), &key, &v);
    // exp: valid while now < exp + 60.
    assert!(at(format!(r#"{{"exp":{}}}"#, NOW - 59)).is_ok());
    let err = rejected(at(format!(r#"{{"exp":{}}}"#, NOW - 60)));
    assert!(matches!(err, Error::Expired { .. }), "{err:?}");
    let err = rejected(at(format!(r#"{{"exp":{}}}"#, NOW - 1_000_000)));
    assert!(matches!(err, Error::Expired { .. }), "{err:?}");
    let err = rejected(at(r#"{"exp":0}"#.into()));
    assert!(matches!(err, Error::Expired { .. }), "{err:?}");
    // nbf and iat: at most 60 s in the future.
    let exp = NOW + 600;
    assert!(at(format!(r#"{{"exp":{exp},"nbf":{}}}"#, NOW + 60)).is_ok());
    let err = rejected(at(format!(r#"{{"exp":{exp},"nbf":{}}}"#, NOW + 61)));
    assert!(matches!(err, Error::NotYetValid { .. }), "{err:?}");
    let err = rejected(at(format!(r#"{{"exp":{exp},"iat":{}}}"#, NOW + 61)));
    assert!(matches!(err, Error::IssuedInFuture { .. }), "{err:?}");
    // exp is required by default.
    let err = rejected(at(r#"{"sub":"42"}"#.into()));
    assert!(
        matches!(&err, Error::MissingClaim { claim } if claim == "exp"),
        "{err:?}"
    );
    // A fractional exp is a NumericDate (RFC 7519 §2) and compared as such.
    assert!(at(format!(r#"{{"exp":{}.5}}"#, NOW + 10)).is_ok());
}

#[test]
fn audience_of_the_wrong_shape_is_refused() {
    let key = public(&hs256());
    let v = Validation::new().require_exp(false).audience("me");
    for aud in AUDIENCES_OF_THE_WRONG_SHAPE {
        let payload = format!(r#"{{"aud":{aud}}}"#);
        let err = rejected(decode_with(&token(&payload), &key, &v));
        assert!(
            matches!(
                err,
                Error::InvalidClaim {
                    claim: "aud",
                    reason: ClaimValueError::InvalidAudience
                }
            ),
            "{aud}: {err:?}"
        );
    }
}

#[test]
fn audience_that_does_not_name_us_is_refused() {
    let key = public(&hs256());
    let v = Validation::new().require_exp(false).audience("me");
    for aud in [
        r#"[]"#,
        r#""""#,
        r#"[""]"#,
        r#""ME""#,
        r#"" me""#,
        r#""me ""#,
        r#"["you"]"#,
        r#""me\u0000""#,
    ] {
        let payload = format!(r#"{{"aud":{aud}}}"#);
        let err = rejected(decode_with(&token(&payload), &key, &v));
        assert!(matches!(err, Error::WrongAudience), "{aud}: {err:?}");
    }
    // Missing altogether when one is required.
    let err = rejected(decode_with(&token("{}"), &key, &v));
    assert!(
        matches!(&err, Error::MissingClaim { claim } if claim == "aud"),
        "{err:?}"
    );
    // Controls.
    for aud in [r#""me""#, r#"["you","me"]"#] {
        let payload = format!(r#"{{"aud":{aud}}}"#);
        assert!(decode_with(&token(&payload), &key, &v).is_ok(), "{aud}");
    }
}

#[test]
fn a_token_with_an_audience_is_refused_when_none_is_configured() {
    // RFC 8725 §3.9: a token meant for another service must not be accepted by default.
    let key = public(&hs256());
    let v = Validation::new().require_exp(false);
    for aud in [r#""other-service""#, r#"["other-service"]"#, "[]"] {
        let err = rejected(decode_with(
            &token(&format!(r#"{{"aud":{aud}}}"#)),
            &key,
            &v,
        ));
        assert!(matches!(err, Error::WrongAudience), "{aud}: {err:?}");
    }
}

#[test]
fn string_claims_of_the_wrong_type_are_refused() {
    let key = public(&hs256());
    for claim in ["iss", "sub", "jti"] {
        for value in ["1", "null", "true", r#"["a"]"#, r#"{"a":1}"#] {
            let payload = format!(r#"{{"{claim}":{value}}}"#);
            let err = rejected(decode_with(&token(&payload), &key, &lax()));
            assert!(
                matches!(err, Error::InvalidClaim { claim: c, reason: ClaimValueError::NotAString } if c == claim),
                "{payload}: {err:?}"
            );
        }
    }
}
