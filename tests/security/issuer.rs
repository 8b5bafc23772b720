//! Issuer and subject matching (RFC 8725 §3.8): exact, case-sensitive comparison; no
//! trimming, no normalisation, no arrays. Tokens are validly signed with the real key.

use jot_algorithms::{ClaimValueError, Error, Validation};

use crate::support::{decode_with, hs256, public, rejected, sign_raw};

const ISSUER: &str = "https://issuer.example";

fn check(iss_json: &str) -> Result<(), Error> {
    let token = sign_raw(
        &hs256(),
        r#"{"alg":"HS256"}"#,
        &format!(r#"{{"iss":{iss_json}}}"#),
    );
    let v = Validation::new().require_exp(false).issuer(ISSUER);
    decode_with(&token, &public(&hs256()), &v).map(|_| ())
}

#[test]
fn issuer_with_case_or_whitespace_differences_is_refused() {
    for iss in [
        "https://ISSUER.example",
        "HTTPS://issuer.example",
        "https://Issuer.Example",
        " https://issuer.example",
        "https://issuer.example ",
        "https://issuer.example\n",
        "https://issuer.example\t",
        "https://issuer.example\u{0}",
        "https://issuer.example/",
        "https://issuer.example.",
        "https://issuer.example.attacker.example",
        "https://issuer.exampl",
        "https://іssuer.example", // Cyrillic "і"
        "",
    ] {
        let json = serde_json::to_string(iss).unwrap();
        let err = check(&json).unwrap_err();
        assert!(
            matches!(&err, Error::WrongIssuer { found } if found == iss),
            "{iss:?}: {err:?}"
        );
    }
    assert!(check(&format!(r#""{ISSUER}""#)).is_ok(), "control");
}

#[test]
fn issuer_as_an_array_or_other_type_is_refused() {
    for iss in [
        format!(r#"["{ISSUER}"]"#),
        format!(r#"["{ISSUER}","https://attacker.example"]"#),
        "[]".to_string(),
        format!(r#"{{"iss":"{ISSUER}"}}"#),
        "null".to_string(),
        "1".to_string(),
    ] {
        let err = check(&iss).unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidClaim {
                    claim: "iss",
                    reason: ClaimValueError::NotAString
                }
            ),
            "{iss}: {err:?}"
        );
    }
}

#[test]
fn missing_issuer_is_refused() {
    let token = sign_raw(&hs256(), r#"{"alg":"HS256"}"#, r#"{"sub":"42"}"#);
    let v = Validation::new().require_exp(false).issuer(ISSUER);
    let err = rejected(decode_with(&token, &public(&hs256()), &v));
    assert!(
        matches!(&err, Error::MissingClaim { claim } if claim == "iss"),
        "{err:?}"
    );
}

#[test]
fn subject_is_compared_exactly() {
    let v = Validation::new().require_exp(false).subject("42");
    for sub in [r#""042""#, r#""42 ""#, r#"" 42""#, r#""4""#] {
        let token = sign_raw(
            &hs256(),
            r#"{"alg":"HS256"}"#,
            &format!(r#"{{"sub":{sub}}}"#),
        );
        let err = rejected(decode_with(&token, &public(&hs256()), &v));
        assert!(matches!(err, Error::WrongSubject { .. }), "{sub}: {err:?}");
    }
    let token = sign_raw(&hs256(), r#"{"alg":"HS256"}"#, r#"{"sub":42}"#);
    let err = rejected(decode_with(&token, &public(&hs256()), &v));
    assert!(
        matches!(
            err,
            Error::InvalidClaim {
                claim: "sub",
                reason: ClaimValueError::NotAString
            }
        ),
        "{err:?}"
    );
}
