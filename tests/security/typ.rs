//! Explicit typing (RFC 8725 §3.11, §2.8 cross-JWT confusion; RFC 9068 `at+jwt`): an
//! ID token (`typ: JWT`), a token without `typ`, or a near miss where an access token
//! is expected is refused with `WrongType`. Tokens are validly signed by the same
//! issuer key, which is exactly the confusion: same key, different kind of token.

use jot_algorithms::{Error, HeaderError, Validation};

use crate::support::{decode_with, hs256, payload, public, rejected, sign_raw};

fn check(header: &str) -> Result<(), Error> {
    let token = sign_raw(&hs256(), header, &payload());
    let v = Validation::new().typ("at+jwt");
    decode_with(&token, &public(&hs256()), &v).map(|_| ())
}

#[test]
fn id_token_or_untyped_token_is_not_an_access_token() {
    for (header, found) in [
        (r#"{"alg":"HS256","typ":"JWT"}"#, Some("JWT")),
        (
            r#"{"alg":"HS256","typ":"application/jwt"}"#,
            Some("application/jwt"),
        ),
        (
            r#"{"alg":"HS256","typ":"secevent+jwt"}"#,
            Some("secevent+jwt"),
        ),
        (r#"{"alg":"HS256","typ":"at+jwt "}"#, Some("at+jwt ")),
        (r#"{"alg":"HS256","typ":" at+jwt"}"#, Some(" at+jwt")),
        (r#"{"alg":"HS256","typ":"at-jwt"}"#, Some("at-jwt")),
        (r#"{"alg":"HS256","typ":"at+jwt\u0000"}"#, Some("at+jwt\0")),
        (
            r#"{"alg":"HS256","typ":"application/application/at+jwt"}"#,
            Some("application/application/at+jwt"),
        ),
        (
            r#"{"alg":"HS256","typ":"text/at+jwt"}"#,
            Some("text/at+jwt"),
        ),
        (r#"{"alg":"HS256","typ":""}"#, Some("")),
        (r#"{"alg":"HS256"}"#, None),
        (r#"{"alg":"HS256","cty":"at+jwt"}"#, None),
    ] {
        let err = check(header).unwrap_err();
        assert!(
            matches!(&err, Error::WrongType { found: f } if f.as_deref() == found),
            "{header}: {err:?}"
        );
    }
}

#[test]
fn typ_in_the_payload_does_not_count() {
    let token = sign_raw(
        &hs256(),
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &payload().replace('{', r#"{"typ":"at+jwt","#),
    );
    let v = Validation::new().typ("at+jwt");
    let err = rejected(decode_with(&token, &public(&hs256()), &v));
    assert!(matches!(err, Error::WrongType { .. }), "{err:?}");
}

#[test]
fn typ_of_the_wrong_type_is_refused() {
    for typ in [r#"["at+jwt"]"#, "null", "1"] {
        let err = check(&format!(r#"{{"alg":"HS256","typ":{typ}}}"#)).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Header(HeaderError::InvalidMember { name: "typ" })
            ),
            "{typ}: {err:?}"
        );
    }
}

#[test]
fn typ_matches_as_a_media_type() {
    // RFC 7515 §4.1.9: case-insensitive, `application/` optional.
    for typ in [
        "at+jwt",
        "AT+JWT",
        "application/at+jwt",
        "Application/At+Jwt",
    ] {
        assert!(
            check(&format!(r#"{{"alg":"HS256","typ":"{typ}"}}"#)).is_ok(),
            "{typ}"
        );
    }
}
