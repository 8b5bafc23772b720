//! Token shape (RFC 7515 §7.1, RFC 7516 §7.1, RFC 8725 §3.12): wrong
//! segment counts are `Malformed`, a JWE (five segments) where a JWS is expected is
//! `Encrypted`, and a three-segment token with a JWE header names an algorithm no
//! JWS verifier knows.

use jot_algorithms::{Error, HeaderError, JsonErrorKind, Segment, UntrustedToken};

use crate::support::{b64, decode, hs256, payload, public, rejected, sign_raw};

#[test]
fn wrong_segment_counts_are_malformed() {
    let key = public(&hs256());
    let good = sign_raw(&hs256(), r#"{"alg":"HS256"}"#, &payload());
    let parts: Vec<&str> = good.split('.').collect();
    for (token, segments) in [
        (String::new(), 1),
        ("eyJhbGciOiJIUzI1NiJ9".to_string(), 1),
        (parts[..2].join("."), 2),
        (format!("{good}."), 4),
        (format!("{good}.{}", parts[2]), 4),
        (format!(".{good}"), 4),
        (format!("{good}...."), 7),
        (".".to_string(), 2),
        ("..".to_string(), 3),
        ("...".to_string(), 4),
        ("......".to_string(), 7),
    ] {
        let err = rejected(decode(&token, &key));
        if segments == 3 {
            // Three empty segments: an empty header is not JSON.
            assert!(
                matches!(
                    err,
                    Error::Json {
                        segment: Segment::Header,
                        kind: JsonErrorKind::Eof,
                        ..
                    }
                ),
                "{token:?}: {err:?}"
            );
        } else {
            assert!(
                matches!(err, Error::Malformed { segments: s } if s == segments),
                "{token:?}: {err:?}"
            );
        }
    }
}

#[test]
fn jwe_is_refused_where_a_jws_is_expected() {
    // RFC 7516 A.3 (A128KW, A128CBC-HS256), shortened segments keep the shape.
    let jwe = "eyJhbGciOiJBMTI4S1ciLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0.\
               6KB707dM9YTIgHtLvtgWQ8mKwboJW3of9locizkDTHzBC2IlrT1oOQ.\
               AxY8DCtDaGlsbGljb3RoZQ.\
               KDlTtXchhZTGufMYmOYGS4HffxPSUrfmqCHXaI9wOGY.\
               U0m_YmjN04DJvceFICbCVQ";
    assert!(matches!(
        rejected(decode(jwe, &public(&hs256()))),
        Error::Encrypted
    ));
    assert!(matches!(UntrustedToken::parse(jwe), Err(Error::Encrypted)));
    assert!(matches!(
        jot_algorithms::dangerous::decode_unverified::<()>(jwe),
        Err(Error::Encrypted)
    ));
    for token in ["....", "a.b.c.d.e"] {
        assert!(
            matches!(rejected(decode(token, &public(&hs256()))), Error::Encrypted),
            "{token}"
        );
    }
}

#[test]
fn jwe_header_in_a_three_segment_token_is_an_unknown_algorithm() {
    let key = hs256();
    for alg in ["dir", "RSA-OAEP", "A128KW", "ECDH-ES", "PBES2-HS256+A128KW"] {
        let header = format!(r#"{{"alg":"{alg}","enc":"A128GCM"}}"#);
        let token = format!("{}.{}.{}", b64(&header), b64(payload()), b64([0u8; 32]));
        let err = rejected(decode(&token, &public(&key)));
        assert!(
            matches!(&err, Error::Header(HeaderError::UnsupportedAlgorithm { name }) if name == alg),
            "{alg}: {err:?}"
        );
    }
}
