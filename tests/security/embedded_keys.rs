//! Keys offered by the token itself (RFC 8725 §3.10, RFC 7515 §4.1.2-4.1.6): a header
//! `jwk` carrying the attacker's key, `jku`/`x5u` pointing at the attacker's server,
//! `x5c` carrying the attacker's certificate. jot never takes a key from the header
//! and never fetches a URL from it: the tokens below, validly signed by the attacker,
//! fail with the real key's verdict, and a local listener named in `jku`/`x5u` sees
//! no connection at all.

use std::io::ErrorKind;
use std::net::TcpListener;
use std::time::Duration;

use jot_algorithms::{Algorithm, Error, KeySet, SigningKey, UntrustedToken, dangerous};
use serde_json::json;

use crate::support::{
    assert_control, data, decode, generate, hmac_token, payload, public, rejected, sign_raw,
};

/// A listener on a free local port; nothing in the test connects to it.
fn listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

/// Asserts that nobody connected to `listener`, after giving a stray connection time
/// to arrive.
fn assert_no_connection(listener: &TcpListener) {
    std::thread::sleep(Duration::from_millis(200));
    match listener.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        Err(e) => panic!("accept failed: {e}"),
        Ok((_, peer)) => panic!("the listener saw a connection from {peer}"),
    }
}

#[test]
fn header_jwk_with_the_attackers_key_is_ignored() {
    let real = generate(Algorithm::ES256);
    let attacker = generate(Algorithm::ES256);
    let attacker_jwk = public(&attacker).to_jwk().unwrap().to_json();
    assert_control(&real, &public(&real));
    let token = sign_raw(
        &attacker,
        &format!(r#"{{"alg":"ES256","jwk":{attacker_jwk}}}"#),
        &payload(),
    );
    let err = rejected(decode(&token, &public(&real)));
    assert!(matches!(err, Error::InvalidSignature), "{err:?}");

    // A key set keyed by kid: the attacker's kid is unknown, the real kid fails.
    let set = KeySet::from_keys([public(&real.clone().with_kid("real"))]);
    for (kid, expected_unknown) in [("attacker", true), ("real", false)] {
        let token = sign_raw(
            &attacker,
            &format!(r#"{{"alg":"ES256","kid":"{kid}","jwk":{attacker_jwk}}}"#),
            &payload(),
        );
        let err = rejected(decode(&token, &set));
        if expected_unknown {
            assert!(
                matches!(&err, Error::UnknownKey { kid: Some(k) } if k == "attacker"),
                "{err:?}"
            );
        } else {
            assert!(matches!(err, Error::InvalidSignature), "{err:?}");
        }
    }
}

#[test]
fn header_jwk_with_an_attacker_hmac_secret_is_ignored() {
    let secret = b"attacker-chosen secret, 32 bytes";
    let header = json!({
        "alg": "HS256",
        "jwk": {"kty": "oct", "k": crate::support::b64(secret)},
    })
    .to_string();
    let token = hmac_token(Algorithm::HS256, secret, &header, &payload());
    // An ES256 server: wrong algorithm for its key.
    let err = rejected(decode(&token, &public(&generate(Algorithm::ES256))));
    assert!(
        matches!(
            err,
            Error::AlgorithmNotAllowed {
                alg: Algorithm::HS256
            }
        ),
        "{err:?}"
    );
    // An HS256 server with its own secret: the signature fails.
    let err = rejected(decode(&token, &public(&crate::support::hs256())));
    assert!(matches!(err, Error::InvalidSignature), "{err:?}");
}

#[test]
fn jku_and_x5u_are_never_fetched() {
    let (listener, url) = listener();
    let real = generate(Algorithm::ES256).with_kid("real");
    let attacker = generate(Algorithm::ES256);
    let set = KeySet::from_keys([public(&real)]);
    let headers = [
        json!({"alg": "ES256", "jku": format!("{url}/jwks.json")}),
        json!({"alg": "ES256", "x5u": format!("{url}/cert.pem")}),
        json!({"alg": "ES256", "kid": "attacker", "jku": format!("{url}/jwks.json"),
               "x5u": format!("{url}/cert.pem")}),
        json!({"alg": "ES256", "kid": "real", "jku": format!("{url}/jwks.json")}),
    ];
    for header in headers {
        let token = sign_raw(&attacker, &header.to_string(), &payload());
        let err = rejected(decode(&token, &public(&real)));
        assert!(
            matches!(err, Error::InvalidSignature | Error::UnknownKey { .. }),
            "{header}: {err:?}"
        );
        let err = rejected(decode(&token, &set));
        assert!(
            matches!(err, Error::InvalidSignature | Error::UnknownKey { .. }),
            "{header}: {err:?}"
        );
        // Reading the token without verification does not fetch either.
        let (untrusted, _) = dangerous::decode_unverified::<()>(&token).unwrap();
        assert!(untrusted.header().jku.is_some() || untrusted.header().x5u.is_some());
        UntrustedToken::parse(&token).unwrap();
    }
    assert_no_connection(&listener);
}

#[test]
fn jku_token_with_unknown_kid_is_unknown_key_without_a_fetch() {
    let (listener, url) = listener();
    let real = generate(Algorithm::ES256).with_kid("real");
    let set = KeySet::from_keys([public(&real)]);
    let attacker = generate(Algorithm::ES256);
    let header = json!({"alg": "ES256", "kid": "rotated-2099", "jku": url}).to_string();
    let err = rejected(decode(&sign_raw(&attacker, &header, &payload()), &set));
    assert!(
        matches!(&err, Error::UnknownKey { kid: Some(k) } if k == "rotated-2099"),
        "{err:?}"
    );
    assert_no_connection(&listener);
}

#[test]
fn header_x5c_with_the_attackers_certificate_is_ignored() {
    // The fixture certificate and its private key play the attacker.
    let attacker = SigningKey::from_pem(Algorithm::ES256, data("p256.pkcs8.pem")).unwrap();
    let pem = String::from_utf8(data("p256.cert.pem")).unwrap();
    let cert_b64: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    let header = json!({"alg": "ES256", "x5c": [cert_b64]}).to_string();
    let token = sign_raw(&attacker, &header, &payload());
    // The attacker's own public key accepts it (the token is well formed)...
    assert!(decode(&token, &public(&attacker)).is_ok());
    // ...the real key does not.
    let err = rejected(decode(&token, &public(&generate(Algorithm::ES256))));
    assert!(matches!(err, Error::InvalidSignature), "{err:?}");
}
