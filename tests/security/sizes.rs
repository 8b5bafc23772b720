//! Resource limits (jot's own; RFC 7515 sets none): a 10 MB
//! token is `TooLarge` before a byte is decoded, through every entry point; 100,000
//! levels of JSON nesting in any position give a clean error (or are skipped
//! unread), never a stack overflow.

use std::time::{Duration, Instant};

use jot_algorithms::{
    Error, HeaderError, JsonErrorKind, Segment, UntrustedToken, Validation, dangerous, unsecured,
};
use jot_codec::{DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_LEN};
use serde_json::Value;

use jot_test_support::inputs::{nested_arrays, nested_objects};

use crate::support::{clock, decode, decode_as, decode_with, hs256, public, rejected, sign_raw};

const TEN_MB: usize = 10 * 1024 * 1024;

#[test]
fn default_limits_are_64_kib_and_60_s() {
    assert_eq!(DEFAULT_MAX_TOKEN_LEN, 64 * 1024);
    assert_eq!(Validation::new().token_len_limit(), 64 * 1024);
    assert_eq!(DEFAULT_LEEWAY, 60);
}

#[test]
fn ten_megabyte_token_is_too_large_before_decoding() {
    // Not even valid base64 or JSON: the size check must come first.
    let garbage = format!("!{}.!.!", "A".repeat(TEN_MB));
    let key = public(&hs256());
    let start = Instant::now();
    let err = rejected(decode(&garbage, &key));
    assert!(
        matches!(err, Error::TooLarge { len, max: 65536 } if len == garbage.len()),
        "{err:?}"
    );
    assert!(matches!(
        UntrustedToken::parse(&garbage),
        Err(Error::TooLarge { .. })
    ));
    assert!(matches!(
        dangerous::decode_unverified::<Value>(&garbage),
        Err(Error::TooLarge { .. })
    ));
    assert!(matches!(
        unsecured::decode::<Value, _>(&garbage, &Validation::new(), &clock()),
        Err(Error::TooLarge { .. })
    ));
    // A validly signed 10 MB token too.
    let big = sign_raw(
        &hs256(),
        r#"{"alg":"HS256"}"#,
        &format!(r#"{{"x":"{}"}}"#, "a".repeat(TEN_MB)),
    );
    let err = rejected(decode(&big, &key));
    assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
    // Ten million dots.
    let dots = ".".repeat(TEN_MB);
    assert!(matches!(
        rejected(decode(&dots, &key)),
        Error::TooLarge { .. }
    ));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn limit_is_exact_and_configurable() {
    let key = hs256();
    let token = sign_raw(
        &key,
        r#"{"alg":"HS256"}"#,
        &format!(r#"{{"exp":{}}}"#, crate::support::NOW + 60),
    );
    let v = Validation::new().max_token_len(token.len());
    assert!(decode_with(&token, &public(&key), &v).is_ok());
    let v = Validation::new().max_token_len(token.len() - 1);
    let err = rejected(decode_with(&token, &public(&key), &v));
    assert!(
        matches!(err, Error::TooLarge { len, max } if len == token.len() && max == len - 1),
        "{err:?}"
    );
}

const DEPTH: usize = 100_000;

/// A validation that lets the big nested tokens through the size check.
fn big() -> Validation {
    Validation::new()
        .require_exp(false)
        .max_token_len(2 * 1024 * 1024)
}

fn json_error(err: &Error, segment: Segment) -> bool {
    matches!(err, Error::Json { segment: s, kind: JsonErrorKind::Syntax | JsonErrorKind::Data, .. } if *s == segment)
}

#[test]
fn deep_nesting_in_the_header_is_a_clean_error() {
    let key = hs256();
    for nested in [nested_arrays(DEPTH), nested_objects(DEPTH)] {
        // As the whole header, as an unknown member, as `jwk`, as `kid`, as `crit`.
        let cases = [
            (nested.clone(), None),
            (format!(r#"{{"alg":"HS256","x":{nested}}}"#), None),
            (format!(r#"{{"alg":"HS256","jwk":{nested}}}"#), Some("jwk")),
            (format!(r#"{{"alg":"HS256","kid":{nested}}}"#), Some("kid")),
            (
                format!(r#"{{"alg":"HS256","crit":{nested}}}"#),
                Some("crit"),
            ),
        ];
        for (header, member) in cases {
            let token = sign_raw(&key, &header, "{}");
            let err = rejected(decode_with(&token, &public(&key), &big()));
            let clean = json_error(&err, Segment::Header)
                || matches!(&err, Error::Header(HeaderError::InvalidMember { name }) if Some(*name) == member);
            assert!(clean, "{}: {err:?}", &header[..40.min(header.len())]);
        }
    }
}

#[test]
fn deep_nesting_in_the_payload_is_a_clean_error_or_skipped() {
    let key = hs256();
    for nested in [nested_arrays(DEPTH), nested_objects(DEPTH)] {
        // The whole payload.
        let token = sign_raw(&key, r#"{"alg":"HS256"}"#, &nested);
        let err = rejected(decode_with(&token, &public(&key), &big()));
        assert!(json_error(&err, Segment::Payload), "{err:?}");
        // A registered claim.
        for claim in ["exp", "aud", "iss"] {
            let token = sign_raw(
                &key,
                r#"{"alg":"HS256"}"#,
                &format!(r#"{{"{claim}":{nested}}}"#),
            );
            let err = rejected(decode_with(
                &token,
                &public(&key),
                &big().danger_ignore_audience(),
            ));
            assert!(
                matches!(err, Error::InvalidClaim { claim: c, .. } if c == claim)
                    || json_error(&err, Segment::Payload),
                "{claim}: {err:?}"
            );
        }
        // A custom claim read into a JSON value: serde_json's depth limit.
        let token = sign_raw(&key, r#"{"alg":"HS256"}"#, &format!(r#"{{"x":{nested}}}"#));
        let err = rejected(decode_with(&token, &public(&key), &big()));
        assert!(json_error(&err, Segment::Payload), "{err:?}");
        // A custom claim nobody reads: skipped without recursion.
        assert!(decode_as::<(), _>(&token, &public(&key), &big()).is_ok());
    }
}
