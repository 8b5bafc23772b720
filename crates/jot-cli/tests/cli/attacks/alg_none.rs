//! `alg: none` in every letter case, with and without a signature, against every
//! kind of key `jot verify` takes; `alg` missing or not a string.

use jot_test_support::forge::{b64, none_token};
use jot_test_support::inputs::every_case_of_none;

use super::{es256_args, hs256_args, jwks_args, payload, refused, refused_as};
use crate::harness::keys;

#[test]
fn alg_none_in_every_letter_case_is_refused() {
    let rsa_args = vec![
        "verify".to_owned(),
        "--alg".into(),
        "RS256".into(),
        "--key".into(),
        keys().public("RS256"),
    ];
    let verifiers = [es256_args(), hs256_args(), rsa_args, jwks_args()];
    let spellings = every_case_of_none();
    assert_eq!(spellings.len(), 16);
    for (i, alg) in spellings.iter().enumerate() {
        // Empty signature, and a junk signature (one verifier each, to stay fast).
        for sig in ["", "c2ln"] {
            let token = none_token(alg, &payload(), sig);
            let args = &verifiers[(i + sig.len()) % verifiers.len()];
            let (msg, kind) = refused(args, &token);
            if alg == "none" {
                assert_eq!(
                    (msg.as_str(), kind.as_str()),
                    ("unsecured token (alg none) refused", "unsecured")
                );
            } else {
                assert_eq!(
                    (msg, kind),
                    (format!("unsupported algorithm {alg}"), "header".to_owned())
                );
            }
        }
    }
    // "none" against every verifier.
    let token = none_token("none", &payload(), "");
    for args in &verifiers {
        refused_as(
            args,
            &token,
            "unsecured",
            "unsecured token (alg none) refused",
        );
    }
    // alg missing or not a string.
    for header in [
        r#"{}"#,
        r#"{"alg":null}"#,
        r#"{"alg":1}"#,
        r#"{"alg":["ES256"]}"#,
    ] {
        let token = format!("{}.{}.", b64(header), b64(payload()));
        let (msg, kind) = refused(&es256_args(), &token);
        assert_eq!(kind, "header", "{header}: {msg}");
        assert!(msg.contains("alg"), "{header}: {msg}");
    }
}
