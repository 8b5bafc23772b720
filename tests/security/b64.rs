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

/// Outside JWTs (`JwsJson`, RFC 7797), `b64: false` is accepted only protected,
/// critical and the same in every signature; each refusal is typed, with the real key.
#[test]
fn unencoded_jws_rules_with_a_real_key() {
    use jot_algorithms::{JwsJson, JwsJsonError, SignaturePolicy, Validation};

    use jot_test_support::forge::signature;

    let key = hs256();
    let verifier = public(&key);
    let signed = |header: &str, payload: &str| {
        let input = format!("{}.{payload}", b64(header));
        (b64(header), b64(signature(&key, input.as_bytes())))
    };
    let unencoded = r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#;
    let (p, s) = signed(unencoded, "$.02");
    let good = format!(r#"{{"payload":"$.02","protected":"{p}","signature":"{s}"}}"#);
    let ok = JwsJson::parse(&good)
        .unwrap()
        .verify(&verifier, &Validation::new(), SignaturePolicy::All)
        .unwrap();
    assert_eq!(ok.payload(), b"$.02");
    // The same signature under another payload member fails.
    let bad = good.replace("$.02", "$.03");
    assert!(
        JwsJson::parse(&bad)
            .unwrap()
            .verify(&verifier, &Validation::new(), SignaturePolicy::All)
            .is_err()
    );
    // Not critical.
    let (p2, s2) = signed(r#"{"alg":"HS256","b64":false}"#, "$.02");
    let err = JwsJson::parse(&format!(
        r#"{{"payload":"$.02","protected":"{p2}","signature":"{s2}"}}"#
    ))
    .unwrap_err();
    assert!(
        matches!(&err, Error::JwsJson(JwsJsonError::Signature { source, .. })
            if matches!(**source, Error::Header(HeaderError::NonCriticalB64))),
        "{err:?}"
    );
    // Unprotected.
    let (p3, s3) = signed(r#"{"alg":"HS256"}"#, "$.02");
    let err = JwsJson::parse(&format!(
        r#"{{"payload":"$.02","protected":"{p3}","header":{{"b64":false}},"signature":"{s3}"}}"#
    ))
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::JwsJson(JwsJsonError::UnprotectedB64 { index: 0 })
        ),
        "{err:?}"
    );
    // Two signatures that disagree: one over the raw payload, one over its base64url.
    let (p4, s4) = signed(r#"{"alg":"HS256"}"#, &b64("$.02"));
    let err = JwsJson::parse(&format!(
        r#"{{"payload":"$.02","signatures":[{{"protected":"{p}","signature":"{s}"}},{{"protected":"{p4}","signature":"{s4}"}}]}}"#
    ))
    .unwrap_err();
    assert!(
        matches!(err, Error::JwsJson(JwsJsonError::InconsistentB64)),
        "{err:?}"
    );
}
