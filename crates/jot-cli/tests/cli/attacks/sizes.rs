//! Sizes: a 10 MB token is refused quickly; deep nesting is a clean error.

use std::time::{Duration, Instant};

use jot_test_support::forge::sign_raw;
use jot_test_support::inputs::{nested_arrays, nested_objects};

use super::{es256, es256_args, payload, refused, with};
use crate::harness::{now, path_str, scratch};

#[test]
fn ten_megabyte_token_is_refused_quickly() {
    const TEN_MB: usize = 10 * 1024 * 1024;
    let dir = scratch();
    let key = es256();
    let signed = sign_raw(
        &key,
        r#"{"alg":"ES256"}"#,
        &format!(r#"{{"x":"{}"}}"#, "a".repeat(TEN_MB)),
    );
    for (what, token) in [
        ("garbage", format!("!{}.!.!", "A".repeat(TEN_MB))),
        ("validly signed", signed),
        ("ten million dots", ".".repeat(TEN_MB)),
    ] {
        let file = dir.join("big.jwt");
        std::fs::write(&file, &token).unwrap();
        let at = format!("@{}", path_str(&file));
        let args = with(&es256_args(), &[&at]);
        let started = Instant::now();
        let (msg, kind) = refused(&args, "");
        let elapsed = started.elapsed();
        assert_eq!(kind, "too_large", "{what}: {msg}");
        assert_eq!(
            msg,
            format!(
                "token is {} bytes, more than the limit of 65536",
                token.len()
            ),
            "{what}"
        );
        assert!(
            elapsed < Duration::from_secs(5),
            "{what}: two runs took {elapsed:?}"
        );
    }
    // On stdin too.
    let token = format!("eyJhbGciOiJFUzI1NiJ9.{}.c2ln", "A".repeat(TEN_MB));
    let (_, kind) = refused(&es256_args(), &token);
    assert_eq!(kind, "too_large");
}

#[test]
fn deep_nesting_is_a_clean_error() {
    let key = es256();
    let future = now() + 600;
    // 100,000 levels do not fit in a token: refused before any parsing.
    let deep = nested_arrays(100_000);
    let t = sign_raw(&key, r#"{"alg":"ES256"}"#, &format!(r#"{{"x":{deep}}}"#));
    let (_, kind) = refused(&es256_args(), &t);
    assert_eq!(kind, "too_large");
    // 20,000 levels fit (about 53 KB): in every position, a clean rejection (exit 1,
    // one line), never a stack overflow.
    let deep = nested_arrays(20_000);
    let objects = nested_objects(5_000);
    let es256 = r#"{"alg":"ES256"}"#.to_owned();
    let header_with =
        |member: &str, value: &str| format!(r#"{{"alg":"ES256","{member}":{value}}}"#);
    let claims_with = |claim: &str, value: &str| format!(r#"{{"exp":{future},"{claim}":{value}}}"#);
    for (what, header, payload) in [
        ("header member", header_with("x", &deep), payload()),
        ("header kid", header_with("kid", &deep), payload()),
        ("header crit", header_with("crit", &deep), payload()),
        ("header jwk", header_with("jwk", &objects), payload()),
        ("header", deep.clone(), payload()),
        ("payload", es256.clone(), deep.clone()),
        ("custom claim", es256.clone(), claims_with("x", &deep)),
        (
            "custom claim of objects",
            es256.clone(),
            claims_with("x", &objects),
        ),
        ("aud", es256.clone(), claims_with("aud", &deep)),
        ("exp", es256.clone(), format!(r#"{{"exp":{deep}}}"#)),
    ] {
        let t = sign_raw(&key, &header, &payload);
        let (msg, kind) = refused(&es256_args(), &t);
        assert!(
            ["json", "header", "invalid_claim"].contains(&kind.as_str()),
            "{what}: {kind}: {msg}"
        );
    }
}
