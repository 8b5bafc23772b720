//! `alg: none` (RFC 8725 §3.1, §3.2): the unsecured JWS is refused by every verifying
//! API, in every letter case, with and without a signature segment; only the
//! separately named `unsecured` module reads it, and that module refuses signed tokens.

use jot_algorithms::{
    Algorithm, Error, HeaderError, KeySet, UntrustedToken, Validation, unsecured,
};

use jot_test_support::forge;
use jot_test_support::inputs::every_case_of_none;

use crate::support::{
    clock, decode, every_signing_key, hs256, payload, public, rejected, sign_raw,
};

/// The unsecured token an attacker sends: `{"alg":"<name>"}.<payload>.<signature>`.
fn none_token(name: &str, signature: &str) -> String {
    forge::none_token(name, &payload(), signature)
}

#[test]
fn alg_none_in_every_case_is_refused_by_every_key() {
    let keys = every_signing_key();
    let set = KeySet::from_keys(keys.iter().map(public));
    for name in every_case_of_none() {
        for signature in ["", "AAAA", "c2lnbmF0dXJl"] {
            let token = none_token(&name, signature);
            for key in &keys {
                let err = rejected(decode(&token, &public(key)));
                if name == "none" {
                    assert!(matches!(err, Error::Unsecured), "{name} {key:?}: {err:?}");
                } else {
                    assert!(
                        matches!(&err, Error::Header(HeaderError::UnsupportedAlgorithm { name: n }) if *n == name),
                        "{name} {key:?}: {err:?}"
                    );
                }
            }
            let err = rejected(decode(&token, &set));
            assert!(
                matches!(
                    err,
                    Error::Unsecured | Error::Header(HeaderError::UnsupportedAlgorithm { .. })
                ),
                "{name}: {err:?}"
            );
        }
    }
}

#[test]
fn alg_none_is_refused_before_the_validation_is_consulted() {
    // Even a validation that checks nothing does not let `none` through: there is no
    // `Algorithm::None` to allow.
    let token = none_token("none", "");
    let lax = Validation::new()
        .require_exp(false)
        .check_nbf(false)
        .check_iat(false)
        .danger_ignore_audience()
        .algorithms(Algorithm::ALL);
    let err = rejected(crate::support::decode_with(&token, &public(&hs256()), &lax));
    assert!(matches!(err, Error::Unsecured), "{err:?}");
    // The untrusted view reports it as unsecured, never as an algorithm.
    let untrusted = UntrustedToken::parse(&token).unwrap();
    assert_eq!(untrusted.algorithm_name(), "none");
    assert!(matches!(untrusted.algorithm(), Err(Error::Unsecured)));
}

#[test]
fn alg_missing_or_not_a_string_is_refused() {
    let key = hs256();
    let err = rejected(decode(
        &sign_raw(&key, r#"{"typ":"JWT"}"#, &payload()),
        &public(&key),
    ));
    assert!(
        matches!(err, Error::Header(HeaderError::MissingAlgorithm)),
        "{err:?}"
    );
    for alg in ["null", "1", "true", r#"["HS256"]"#, r#"{"name":"HS256"}"#] {
        let token = sign_raw(&key, &format!(r#"{{"alg":{alg}}}"#), &payload());
        let err = rejected(decode(&token, &public(&key)));
        assert!(
            matches!(
                err,
                Error::Header(HeaderError::InvalidMember { name: "alg" })
            ),
            "{alg}: {err:?}"
        );
    }
}

#[test]
fn unsecured_api_refuses_signed_tokens_and_other_spellings() {
    let v = Validation::new();
    // A signed token is never read by the unsecured API.
    let key = hs256();
    let signed = sign_raw(&key, r#"{"alg":"HS256"}"#, &payload());
    let err = unsecured::decode::<(), _>(&signed, &v, &clock()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::AlgorithmNotAllowed {
                alg: Algorithm::HS256
            }
        ),
        "{err:?}"
    );
    // `none` with a signature is not an unsecured JWS.
    let err = unsecured::decode::<(), _>(&none_token("none", "AAAA"), &v, &clock()).unwrap_err();
    assert!(matches!(err, Error::InvalidSignature), "{err:?}");
    // Only the exact name `none`.
    for name in every_case_of_none().into_iter().filter(|n| n != "none") {
        let err = unsecured::decode::<(), _>(&none_token(&name, ""), &v, &clock()).unwrap_err();
        assert!(
            matches!(err, Error::Header(HeaderError::UnsupportedAlgorithm { .. })),
            "{name}: {err:?}"
        );
    }
    // Control: the unsecured API reads the exact form.
    assert!(unsecured::decode::<(), _>(&none_token("none", ""), &v, &clock()).is_ok());
}
