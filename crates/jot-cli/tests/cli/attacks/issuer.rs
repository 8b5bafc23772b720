//! Issuers that differ in case, whitespace, a trailing `/` or `.`, a suffix domain, a
//! homoglyph or a NUL; issuers that are not strings; a missing issuer.

use jot_test_support::forge::sign_raw;

use super::{accepted, es256, es256_args, es256_with_claim, payload, refused_as, with};

#[test]
fn issuer_with_case_whitespace_or_array_is_refused() {
    let token = |iss: &str| es256_with_claim("iss", iss);
    let args = with(&es256_args(), &["--iss", "https://issuer.example"]);
    accepted(&args, &token(r#""https://issuer.example""#));
    for (iss, shown) in [
        (r#""HTTPS://ISSUER.EXAMPLE""#, "HTTPS://ISSUER.EXAMPLE"),
        (r#""https://Issuer.example""#, "https://Issuer.example"),
        (
            r#"" https://issuer.example""#,
            r#"" https://issuer.example""#,
        ),
        (
            r#""https://issuer.example ""#,
            r#""https://issuer.example ""#,
        ),
        (r#""https://issuer.example/""#, "https://issuer.example/"),
        (r#""https://issuer.example.""#, "https://issuer.example."),
        (
            r#""https://issuer.example.evil""#,
            "https://issuer.example.evil",
        ),
        (
            r#""https://issuer.example\u0000""#,
            r#""https://issuer.example\0""#,
        ),
        (r#""https://іssuer.example""#, "https://іssuer.example"),
    ] {
        refused_as(
            &args,
            &token(iss),
            "wrong_issuer",
            &format!("issuer mismatch: expected https://issuer.example, got {shown}"),
        );
    }
    for iss in [
        r#"["https://issuer.example"]"#,
        "1",
        "null",
        r#"{"iss":"https://issuer.example"}"#,
    ] {
        refused_as(
            &args,
            &token(iss),
            "invalid_claim",
            "claim \"iss\" is not a string",
        );
    }
    let none = sign_raw(&es256(), r#"{"alg":"ES256"}"#, &payload());
    refused_as(&args, &none, "missing_claim", "missing required claim iss");
}
