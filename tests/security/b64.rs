//! The unencoded payload option `b64` (RFC 7797): JWTs never use it (RFC 7797 §7),
//! and `b64` must always be listed in `crit` (§6). `b64: false` is refused with and
//! without `crit`; `b64` without `crit` is refused; a non-boolean `b64` is refused.
//! Tokens are validly signed with the real key.

use jot_algorithms::{Error, HeaderError};

use crate::support::{b64, decode, hs256, payload, public, rejected, sign_raw, sign_segments};

#[test]
fn b64_false_is_refused_with_and_without_crit() {
    let key = hs256();
    for header in [
        r#"{"alg":"HS256","b64":false}"#,
        r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#,
        r#"{"alg":"HS256","b64":true}"#,
    ] {
        let token = sign_raw(&key, header, &payload());
        let err = rejected(decode(&token, &public(&key)));
        assert!(
            matches!(err, Error::Header(HeaderError::UnencodedPayload)),
            "{header}: {err:?}"
        );
    }
}

#[test]
fn b64_false_with_a_raw_payload_is_refused() {
    // The RFC 7797 form: the payload segment is the raw JSON, signed as such.
    let key = hs256();
    let header = b64(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#);
    let token = sign_segments(&key, &header, &payload());
    let err = rejected(decode(&token, &public(&key)));
    assert!(
        matches!(
            err,
            Error::Header(HeaderError::UnencodedPayload) | Error::Malformed { .. }
        ),
        "{err:?}"
    );
    // With a detached (empty) payload.
    let token = sign_segments(&key, &header, "");
    let err = rejected(decode(&token, &public(&key)));
    assert!(
        matches!(err, Error::Header(HeaderError::UnencodedPayload)),
        "{err:?}"
    );
}

#[test]
fn b64_that_is_not_a_boolean_is_refused() {
    let key = hs256();
    for value in [r#""false""#, "0", "null", "[]"] {
        let header = format!(r#"{{"alg":"HS256","b64":{value},"crit":["b64"]}}"#);
        let err = rejected(decode(&sign_raw(&key, &header, &payload()), &public(&key)));
        assert!(
            matches!(
                err,
                Error::Header(HeaderError::InvalidMember { name: "b64" })
            ),
            "{value}: {err:?}"
        );
    }
}
