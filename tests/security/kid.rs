//! `kid` injection (RFC 8725 §3.10): path traversal (`../../dev/null`, the "empty
//! secret" trick), SQL, shell, NUL bytes, 10 KB strings and non-string values. jot
//! uses `kid` only as an exact-match lookup hint in memory: no file, no query, no
//! key derived from it; errors carry it clipped to 64 characters.

use jot_algorithms::{Algorithm, Error, HeaderError, KeyError, KeySet, VerifyingKey};
use serde_json::json;

use crate::support::{decode, hmac_token, hs256, payload, public, rejected, sign_raw};

/// Hostile `kid` values.
fn hostile_kids() -> Vec<String> {
    vec![
        "../../../../../../../../dev/null".into(),
        "/dev/null".into(),
        "..\\..\\..\\windows\\win.ini".into(),
        "file:///etc/passwd".into(),
        "' OR '1'='1' --".into(),
        "x'; DROP TABLE keys; --".into(),
        "real' UNION SELECT 'secret".into(),
        "$(id)".into(),
        "|cat /etc/passwd".into(),
        "\0".into(),
        "real\0".into(),
        "real\0../../dev/null".into(),
        "real ".into(),
        " real".into(),
        "REAL".into(),
        "real\n".into(),
        "r\u{0435}al".into(), // Cyrillic "е"
        "k".repeat(10 * 1024),
        String::new(),
    ]
}

#[test]
fn hostile_kids_are_unknown_keys_for_a_keyed_verifier() {
    let real = hs256().with_kid("real");
    let set = KeySet::from_keys([public(&real)]);
    for kid in hostile_kids() {
        let header = json!({"alg": "HS256", "kid": kid}).to_string();
        // The attacker signs with an empty secret (what /dev/null would give), with
        // a guessed one, and with the real key's bytes he does not have.
        for secret in [&b""[..], b"\0", b"' OR '1'='1' --"] {
            let token = hmac_token(Algorithm::HS256, secret, &header, &payload());
            for err in [
                rejected(decode(&token, &public(&real))),
                rejected(decode(&token, &set)),
            ] {
                match &err {
                    Error::UnknownKey { kid: Some(found) } => {
                        // Clipped: at most 64 bytes and an ellipsis.
                        assert!(found.len() <= 64 + '…'.len_utf8(), "{}", found.len());
                        assert!(kid.starts_with(found.trim_end_matches('…')));
                    }
                    other => panic!("kid {:?}: {other:?}", &kid[..kid.len().min(40)]),
                }
            }
        }
    }
}

#[test]
fn hostile_kids_do_not_change_the_key_of_an_unkeyed_verifier() {
    // A key without kid ignores the token's kid; the signature decides.
    let real = hs256();
    for kid in hostile_kids() {
        let header = json!({"alg": "HS256", "kid": kid}).to_string();
        let token = hmac_token(Algorithm::HS256, b"", &header, &payload());
        let err = rejected(decode(&token, &public(&real)));
        assert!(matches!(err, Error::InvalidSignature), "{err:?}");
        // Control: the same hostile kid on a token signed with the real key is just a string.
        let token = sign_raw(&real, &header, &payload());
        let verified = decode(&token, &public(&real)).unwrap();
        assert_eq!(verified.header.kid.as_deref(), Some(kid.as_str()));
    }
}

#[test]
fn the_empty_secret_of_dev_null_cannot_be_a_key() {
    assert_eq!(
        VerifyingKey::hmac(Algorithm::HS256, b"").unwrap_err(),
        KeyError::WeakHmacSecret {
            alg: Algorithm::HS256,
            min_bytes: 32,
            got: 0
        }
    );
}

#[test]
fn non_string_kids_are_refused() {
    let key = hs256();
    for kid in [
        "1",
        "null",
        "true",
        "[]",
        r#"["real"]"#,
        r#"{"kid":"real"}"#,
        "1e400",
    ] {
        let token = sign_raw(
            &key,
            &format!(r#"{{"alg":"HS256","kid":{kid}}}"#),
            &payload(),
        );
        let err = rejected(decode(&token, &public(&key)));
        if kid == "1e400" {
            // Not even a representable number: a JSON syntax error of the header.
            assert!(
                matches!(
                    err,
                    Error::Json {
                        segment: jot_algorithms::Segment::Header,
                        ..
                    }
                ),
                "{kid}: {err:?}"
            );
        } else {
            assert!(
                matches!(
                    err,
                    Error::Header(HeaderError::InvalidMember { name: "kid" })
                ),
                "{kid}: {err:?}"
            );
        }
    }
}

#[test]
fn key_set_never_tries_every_key_for_a_token_without_kid() {
    // Two HS256 keys: a token without kid is refused rather than tried against both.
    let a = hs256().with_kid("a");
    let b = crate::support::attacker_hs256().with_kid("b");
    let set = KeySet::from_keys([public(&a), public(&b)]);
    let token = sign_raw(&a, r#"{"alg":"HS256"}"#, &payload());
    let err = rejected(decode(&token, &set));
    assert!(matches!(err, Error::UnknownKey { kid: None }), "{err:?}");
    // Control: with its kid it verifies.
    let token = sign_raw(&a, r#"{"alg":"HS256","kid":"a"}"#, &payload());
    assert!(decode(&token, &set).is_ok());
}
