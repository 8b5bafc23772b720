//! `kid` injection and ambiguous key sets: hostile `kid`s are unknown keys (clipped
//! and escaped in the message), and a JWK Set with duplicate `kid`s or a secret
//! beside public keys sets them aside.

use jot_algorithms::Algorithm;
use jot_test_support::forge::{b64, sign_raw};
use serde_json::{Value, json};

use super::{
    attacker_es256, es256, es256_args, hs, jwks_args, key_error, payload, refused, refused_as,
    secret,
};
use crate::harness::{json, keys, path_str, run_stdin, scratch};

#[test]
fn hostile_kids_are_unknown_keys() {
    let real = es256();
    let long = "k".repeat(10 * 1024);
    let string_kids = [
        "../../../../../../dev/null",
        "/dev/null",
        "' OR '1'='1' --",
        "\"; DROP TABLE keys; --",
        "$(touch /tmp/jot-pwned)",
        "`id`",
        "ES256-kid\u{0}",
        "\u{0}",
        "ES256-KID",
        " ES256-kid",
        "ES256-kid ",
        "ЕS256-kid", // Cyrillic Е
        "",
        long.as_str(),
        "\u{1b}[31mred\u{1b}[0m",
    ];
    for kid in string_kids {
        let header = json!({"alg": "ES256", "kid": kid});
        let t = sign_raw(&real, &header.to_string(), &payload());
        for args in [jwks_args(), es256_args()] {
            let (msg, kind) = refused(&args, &t);
            assert_eq!(kind, "unknown_key", "{kid:?}: {msg}");
            assert!(msg.starts_with("no key with kid "), "{kid:?}: {msg}");
            assert!(msg.len() < 300, "the kid is clipped: {} bytes", msg.len());
            assert!(
                !msg.chars().any(char::is_control),
                "control characters escaped: {msg:?}"
            );
        }
    }
    let header = json!({"alg": "ES256", "kid": long});
    let t = sign_raw(&real, &header.to_string(), &payload());
    let (msg, _) = refused(&jwks_args(), &t);
    assert_eq!(msg, format!("no key with kid {}…", "k".repeat(64)));
    let header = json!({"alg": "ES256", "kid": "a\u{0}b"});
    let t = sign_raw(&real, &header.to_string(), &payload());
    refused_as(&jwks_args(), &t, "unknown_key", r#"no key with kid "a\0b""#);
    let header = json!({"alg": "ES256", "kid": "ES256-kid "});
    let t = sign_raw(&real, &header.to_string(), &payload());
    refused_as(
        &jwks_args(),
        &t,
        "unknown_key",
        r#"no key with kid "ES256-kid ""#,
    );

    // Not a string.
    for kid in [
        json!(1),
        json!(null),
        json!(true),
        json!(["ES256-kid"]),
        json!({"kid": "ES256-kid"}),
    ] {
        let header = json!({"alg": "ES256", "kid": kid});
        let t = sign_raw(&real, &header.to_string(), &payload());
        let (msg, kind) = refused(&jwks_args(), &t);
        assert_eq!(kind, "header", "{kid}: {msg}");
        assert!(msg.contains("\"kid\""), "{kid}: {msg}");
    }
    // The "key" a /dev/null kid would point at: an empty secret is no key.
    let args: Vec<String> = ["verify", "--alg", "HS256", "--secret-file", "/dev/null"]
        .map(String::from)
        .to_vec();
    let t = sign_raw(
        &hs(Algorithm::HS256),
        r#"{"alg":"HS256","kid":"/dev/null"}"#,
        &payload(),
    );
    assert!(key_error(&args, &t).contains("the secret is empty"));
}

#[test]
fn jwks_with_duplicate_kids_or_secrets_sets_them_aside() {
    let k = keys();
    let dir = scratch();
    let attacker = attacker_es256();
    let mut real = json(&std::fs::read_to_string(k.public("ES256")).unwrap());
    real["kid"] = "dup".into();
    let mut evil: Value =
        serde_json::from_str(&attacker.verifying_key().to_jwk().unwrap().to_json()).unwrap();
    evil["kid"] = "dup".into();
    let ed = json(&std::fs::read_to_string(k.public("EdDSA")).unwrap());
    let oct = json!({"kty": "oct", "kid": "h", "alg": "HS256", "k": b64(secret())});
    let set = dir.join("dup.jwks");
    std::fs::write(&set, json!({"keys": [real, evil, ed, oct]}).to_string()).unwrap();
    let set = path_str(&set).to_owned();
    let args = ["verify", "--jwks", &set];

    // Signed by the attacker or by the real key: "dup" names no key at all.
    for key in [&attacker, &es256()] {
        let t = sign_raw(key, r#"{"alg":"ES256","kid":"dup"}"#, &payload());
        let (code, out, err) = run_stdin(&args, &t);
        assert_eq!((code, out.as_str()), (1, ""), "{err}");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 4, "{err}");
        assert!(lines[0].contains("skipping key #0 (kid \"dup\")"), "{err}");
        assert!(
            lines[0].ends_with("several keys of the set share this kid"),
            "{err}"
        );
        assert!(lines[1].contains("skipping key #1 (kid \"dup\")"), "{err}");
        assert!(
            lines[2].ends_with("a shared secret in a set of public keys"),
            "{err}"
        );
        assert_eq!(
            lines[3],
            "jot: token rejected: algorithm ES256 not allowed: expected EdDSA"
        );
    }
    // The secret beside public keys is no key either.
    let hs = sign_raw(
        &hs(Algorithm::HS256),
        r#"{"alg":"HS256","kid":"h"}"#,
        &payload(),
    );
    let (code, _, err) = run_stdin(&args, &hs);
    assert_eq!(code, 1);
    assert!(
        err.ends_with("jot: token rejected: algorithm HS256 not allowed: expected EdDSA\n"),
        "{err}"
    );
    // Only the ambiguous keys: no usable key (exit 2).
    let only = dir.join("only-dup.jwks");
    std::fs::write(&only, json!({"keys": [real, evil]}).to_string()).unwrap();
    let t = sign_raw(&es256(), r#"{"alg":"ES256","kid":"dup"}"#, &payload());
    let err = key_error(&["verify", "--jwks", path_str(&only)].map(String::from), &t);
    assert!(err.contains("no usable key in the JWK Set"), "{err}");
    assert!(
        err.contains("several keys of the set share this kid"),
        "{err}"
    );
}
