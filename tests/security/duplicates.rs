//! Duplicate member names (RFC 7515 §5.2, RFC 7519 §4, RFC 8259 §4): a parser
//! that keeps the first and one that keeps the last read different tokens from the
//! same bytes. jot refuses any duplicate, also when spelled with escapes, in the
//! header and in the claims (registered or custom). Tokens are validly signed.

use jot_algorithms::{Error, Segment, Validation};
use serde::Deserialize;

use crate::support::{NOW, decode_as, decode_with, hs256, public, rejected, sign_raw};

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Role {
    admin: bool,
}

fn lax() -> Validation {
    Validation::new().require_exp(false)
}

#[test]
fn duplicate_header_members_are_refused() {
    let key = hs256();
    for (header, name) in [
        (r#"{"alg":"HS256","alg":"none"}"#, "alg"),
        (r#"{"alg":"none","alg":"HS256"}"#, "alg"),
        (r#"{"alg":"HS256","\u0061lg":"HS256"}"#, "alg"),
        (r#"{"alg":"HS256","kid":"a","kid":"b"}"#, "kid"),
        (r#"{"alg":"HS256","k\u0069d":"a","kid":"b"}"#, "kid"),
        (r#"{"alg":"HS256","typ":"JWT","typ":"at+jwt"}"#, "typ"),
        (r#"{"alg":"HS256","crit":["x"],"x":1,"crit":[]}"#, "crit"),
        (r#"{"alg":"HS256","x":1,"x":2}"#, "x"),
    ] {
        let err = rejected(decode_with(
            &sign_raw(&key, header, "{}"),
            &public(&key),
            &lax(),
        ));
        assert!(
            matches!(&err, Error::DuplicateMember { segment: Segment::Header, name: n } if n == name),
            "{header}: {err:?}"
        );
    }
}

#[test]
fn duplicate_claims_are_refused() {
    let key = hs256();
    let later = NOW + 10_000_000;
    for (payload, name) in [
        (r#"{"sub":"alice","sub":"admin"}"#.to_string(), "sub"),
        (format!(r#"{{"exp":1,"exp":{later}}}"#), "exp"),
        (format!(r#"{{"exp":{later},"exp":1}}"#), "exp"),
        (r#"{"aud":"a","aud":["b"]}"#.to_string(), "aud"),
        (r#"{"iss":"a","\u0069ss":"b"}"#.to_string(), "iss"),
        (r#"{"admin":false,"admin":true}"#.to_string(), "admin"),
        (r#"{"admin":false,"\u0061dmin":true}"#.to_string(), "admin"),
    ] {
        let token = sign_raw(&key, r#"{"alg":"HS256"}"#, &payload);
        let v = lax().danger_ignore_audience();
        for err in [
            rejected(decode_with(&token, &public(&key), &v)),
            rejected(decode_as::<(), _>(&token, &public(&key), &v)),
        ] {
            assert!(
                matches!(&err, Error::DuplicateMember { segment: Segment::Payload, name: n } if n == name),
                "{payload}: {err:?}"
            );
        }
        if name == "admin" {
            let err = rejected(decode_as::<Role, _>(&token, &public(&key), &v));
            assert!(
                matches!(&err, Error::DuplicateMember { segment: Segment::Payload, name: n } if n == name),
                "{payload}: {err:?}"
            );
        }
    }
}

#[test]
fn many_members_and_a_late_duplicate() {
    // 3000 distinct members parse (no quadratic blow-up); one repeated at the end does not.
    let key = hs256();
    let members: Vec<String> = (0..3000).map(|i| format!(r#""m{i}":{i}"#)).collect();
    let payload = format!("{{{}}}", members.join(","));
    let token = sign_raw(&key, r#"{"alg":"HS256"}"#, &payload);
    assert!(decode_with(&token, &public(&key), &lax()).is_ok());
    let payload = format!("{{{},\"m0\":0}}", members.join(","));
    let token = sign_raw(&key, r#"{"alg":"HS256"}"#, &payload);
    let err = rejected(decode_with(&token, &public(&key), &lax()));
    assert!(
        matches!(&err, Error::DuplicateMember { segment: Segment::Payload, name } if name == "m0"),
        "{err:?}"
    );
}
