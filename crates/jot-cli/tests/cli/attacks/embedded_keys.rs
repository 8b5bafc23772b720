//! Keys the token carries or points at: a header `jwk` (the attacker's EC key or an
//! `oct` secret), an `x5c` chain, `jku` and `x5u` URLs. The real key decides; nothing
//! is ever fetched.

use std::io::ErrorKind;
use std::net::TcpListener;

use jot_algorithms::Algorithm;
use jot_test_support::forge::{b64, hmac_token, sign_raw};
use serde_json::{Value, json};

use super::{
    accepted, attacker_es256, es256, es256_args, hs256_args, jwks_args, payload, refused,
    refused_as,
};

#[test]
fn header_jwk_with_the_attackers_key_is_ignored() {
    let attacker = attacker_es256();
    let attacker_jwk: Value =
        serde_json::from_str(&attacker.verifying_key().to_jwk().unwrap().to_json()).unwrap();
    for kid in [None, Some("ES256-kid")] {
        let mut header = json!({"alg": "ES256", "jwk": attacker_jwk});
        if let Some(kid) = kid {
            header["kid"] = kid.into();
        }
        let t = sign_raw(&attacker, &header.to_string(), &payload());
        refused_as(&es256_args(), &t, "invalid_signature", "signature invalid");
        if kid.is_some() {
            refused_as(&jwks_args(), &t, "invalid_signature", "signature invalid");
        }
    }
    // The attacker's own kid in a key set: an unknown key, not the embedded one.
    let header = json!({"alg": "ES256", "kid": "attacker", "jwk": attacker_jwk});
    let t = sign_raw(&attacker, &header.to_string(), &payload());
    refused_as(&jwks_args(), &t, "unknown_key", "no key with kid attacker");
    // An embedded oct key with a token HMAC'd with it.
    let oct = b"attacker-attacker-attacker-attac";
    let header = json!({"alg": "HS256", "jwk": {"kty": "oct", "k": b64(oct)}});
    let t = hmac_token(Algorithm::HS256, oct, &header.to_string(), &payload());
    refused_as(
        &es256_args(),
        &t,
        "algorithm_not_allowed",
        "algorithm HS256 not allowed: expected ES256",
    );
    refused_as(&hs256_args(), &t, "invalid_signature", "signature invalid");
    // An x5c chain (the attacker's "certificate") is data, never a key.
    let header = json!({"alg": "ES256", "kid": "ES256-kid", "x5c": [b64(b"attacker certificate")]});
    let t = sign_raw(&attacker, &header.to_string(), &payload());
    refused_as(&es256_args(), &t, "invalid_signature", "signature invalid");
    refused_as(&jwks_args(), &t, "invalid_signature", "signature invalid");
}

#[test]
fn jku_and_x5u_are_never_fetched() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/jwks.json");
    let attacker = attacker_es256();
    let real = es256();
    for member in ["jku", "x5u"] {
        for kid in ["attacker", "ES256-kid"] {
            let header = json!({"alg": "ES256", "kid": kid, member: url});
            let t = sign_raw(&attacker, &header.to_string(), &payload());
            let (msg, kind) = refused(&jwks_args(), &t);
            match kid {
                "attacker" => assert_eq!(
                    (msg.as_str(), kind.as_str()),
                    ("no key with kid attacker", "unknown_key")
                ),
                _ => assert_eq!(
                    (msg.as_str(), kind.as_str()),
                    ("signature invalid", "invalid_signature")
                ),
            }
            refused(&es256_args(), &t);
        }
        // Signed by the real key, the URL is only data: the token verifies, no fetch.
        let header = json!({"alg": "ES256", "kid": "ES256-kid", member: url});
        let t = sign_raw(&real, &header.to_string(), &payload());
        accepted(&es256_args(), &t);
        accepted(&jwks_args(), &t);
    }
    // Zero connections: nothing waits in the listener's accept queue.
    match listener.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        Ok((_, peer)) => panic!("jot connected to the jku/x5u listener from {peer}"),
        Err(e) => panic!("accept: {e}"),
    }
}
