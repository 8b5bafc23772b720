//! `crit` (RFC 7515 §4.1.11): empty, naming registered parameters, naming unknown or
//! absent parameters, naming a parameter twice, or not an array. A recipient must
//! refuse a token with a critical extension it does not understand. Every token is
//! validly signed with the real key, so the rejection is the `crit` check.

use jot_algorithms::{Error, HeaderError, Validation};

use crate::support::{decode, decode_with, hs256, payload, public, rejected, sign_raw};

fn check(header: &str, expected: impl Fn(&Error) -> bool) {
    let key = hs256();
    let err = rejected(decode(&sign_raw(&key, header, &payload()), &public(&key)));
    assert!(expected(&err), "{header}: {err:?}");
}

#[test]
fn empty_crit_is_refused() {
    check(r#"{"alg":"HS256","crit":[]}"#, |e| {
        matches!(e, Error::Header(HeaderError::EmptyCritical))
    });
}

#[test]
fn crit_naming_registered_parameters_is_refused() {
    for name in [
        "alg", "kid", "typ", "cty", "jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256", "crit", "enc",
        "zip",
    ] {
        check(
            &format!(r#"{{"alg":"HS256","kid":"k","crit":["{name}"]}}"#),
            |e| matches!(e, Error::Header(HeaderError::RegisteredCritical { name: n }) if n == name),
        );
    }
}

#[test]
fn crit_naming_an_unknown_parameter_is_refused() {
    check(
        r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
        |e| matches!(e, Error::Header(HeaderError::UnknownCritical { name }) if name == "exp"),
    );
    check(
        r#"{"alg":"HS256","crit":["http://example.com/must-check"],"http://example.com/must-check":true}"#,
        |e| matches!(e, Error::Header(HeaderError::UnknownCritical { .. })),
    );
}

#[test]
fn crit_naming_an_absent_parameter_is_refused() {
    check(
        r#"{"alg":"HS256","crit":["x-absent"]}"#,
        |e| matches!(e, Error::Header(HeaderError::MissingCritical { name }) if name == "x-absent"),
    );
}

#[test]
fn crit_naming_a_parameter_twice_is_refused() {
    check(
        r#"{"alg":"HS256","crit":["x","x"],"x":1}"#,
        |e| matches!(e, Error::Header(HeaderError::DuplicateCritical { name }) if name == "x"),
    );
}

#[test]
fn crit_that_is_not_an_array_of_strings_is_refused() {
    for crit in [r#""x""#, "1", "null", "{}", r#"["x",1]"#, "true"] {
        check(&format!(r#"{{"alg":"HS256","crit":{crit},"x":1}}"#), |e| {
            matches!(
                e,
                Error::Header(HeaderError::InvalidMember { name: "crit" })
            )
        });
    }
}

#[test]
fn crit_understood_by_the_application_is_accepted() {
    // Control: the same header passes once the application declares the extension.
    let key = hs256();
    let token = sign_raw(
        &key,
        r#"{"alg":"HS256","crit":["x-ext"],"x-ext":1}"#,
        &payload(),
    );
    let err = rejected(decode(&token, &public(&key)));
    assert!(
        matches!(err, Error::Header(HeaderError::UnknownCritical { .. })),
        "{err:?}"
    );
    let v = Validation::new().understand_critical("x-ext");
    assert!(decode_with(&token, &public(&key), &v).is_ok());
}
