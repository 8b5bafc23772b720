//! Key misuse (RFC 8725 §3.1 "perform algorithm verification", RFC 7517 §4.2-4.4):
//! a key marked for one algorithm used with another, a JWK for encryption
//! (`use: enc`, `key_ops` without `verify`, an encryption `alg`), a key of the wrong
//! type or curve for the algorithm. Refused when the key is built, and, through a
//! JWK Set, by the verifier (`AlgorithmNotAllowed`, `UnknownKey`).

use jot_algorithms::{Algorithm, Error, Jwk, KeyError, KeySet, SigningKey, VerifyingKey};
use serde_json::{Value, json};

use crate::support::{data, decode, generate, header, payload, public, rejected, rsa, sign_raw};

fn jwk_json(key: &VerifyingKey) -> Value {
    serde_json::from_str(&key.to_jwk().unwrap().to_json()).unwrap()
}

fn parse(v: &Value) -> Jwk {
    v.to_string().parse().unwrap()
}

#[test]
fn jwk_alg_binds_the_key() {
    let mut jwk = jwk_json(&public(&rsa(Algorithm::RS256)));
    jwk["alg"] = "RS256".into();
    for other in [
        Algorithm::PS256,
        Algorithm::RS384,
        Algorithm::HS256,
        Algorithm::ES256,
    ] {
        assert_eq!(
            VerifyingKey::from_jwk(other, &parse(&jwk)).unwrap_err(),
            KeyError::AlgorithmMismatch {
                key: "RS256",
                requested: other
            }
        );
    }
    // Through a JWK Set: a PS256 token signed by the same private key is refused.
    jwk["kid"] = "k1".into();
    let set = KeySet::from_jwks_json(&json!({"keys": [jwk]}).to_string()).unwrap();
    assert_eq!(set.len(), 1);
    let ps = rsa(Algorithm::PS256);
    let token = sign_raw(&ps, r#"{"alg":"PS256","kid":"k1"}"#, &payload());
    let err = rejected(decode(&token, &set));
    assert!(
        matches!(
            err,
            Error::AlgorithmNotAllowed {
                alg: Algorithm::PS256
            }
        ),
        "{err:?}"
    );
    // Control: RS256 with the same key and kid verifies.
    let token = sign_raw(
        &rsa(Algorithm::RS256),
        r#"{"alg":"RS256","kid":"k1"}"#,
        &payload(),
    );
    assert!(decode(&token, &set).is_ok());
}

#[test]
fn encryption_keys_are_not_verification_keys() {
    let key = generate(Algorithm::ES256);
    let base = jwk_json(&public(&key));
    let mut cases = Vec::new();
    let mut enc = base.clone();
    enc["use"] = "enc".into();
    cases.push((enc, KeyError::JwkUsage { needed: "verify" }));
    let mut ops = base.clone();
    ops["key_ops"] = json!(["encrypt", "wrapKey"]);
    cases.push((ops, KeyError::JwkUsage { needed: "verify" }));
    let mut sign_only = base.clone();
    sign_only["key_ops"] = json!(["sign"]);
    cases.push((sign_only, KeyError::JwkUsage { needed: "verify" }));
    let mut enc_alg = base.clone();
    enc_alg["alg"] = "ECDH-ES".into();
    cases.push((
        enc_alg,
        KeyError::JwkUsage {
            needed: "a JWS algorithm",
        },
    ));
    let mut weird_use = base;
    weird_use["use"] = "SIG".into();
    cases.push((weird_use, KeyError::JwkUsage { needed: "verify" }));
    for (mut jwk, expected) in cases {
        assert_eq!(
            VerifyingKey::from_jwk_infer(&parse(&jwk)).unwrap_err(),
            expected,
            "{jwk}"
        );
        // In a set, the key is set aside and a token naming it is an unknown key.
        jwk["kid"] = "enc-key".into();
        let set = KeySet::from_jwks_json(&json!({"keys": [jwk]}).to_string()).unwrap();
        assert!(set.is_empty());
        assert_eq!(set.unusable()[0].error, expected);
        let token = sign_raw(&key, r#"{"alg":"ES256","kid":"enc-key"}"#, &payload());
        let err = rejected(decode(&token, &set));
        assert!(matches!(err, Error::UnknownKey { .. }), "{err:?}");
    }
}

#[test]
fn a_key_of_the_wrong_type_or_curve_is_refused() {
    assert_eq!(
        SigningKey::from_pem(Algorithm::ES256, data("ed25519.pkcs8.pem")).unwrap_err(),
        KeyError::AlgorithmMismatch {
            key: "Ed25519",
            requested: Algorithm::ES256
        }
    );
    assert_eq!(
        VerifyingKey::from_pem(Algorithm::ES256, data("p384.spki.pem")).unwrap_err(),
        KeyError::AlgorithmMismatch {
            key: "P-384",
            requested: Algorithm::ES256
        }
    );
    assert!(matches!(
        VerifyingKey::from_pem(Algorithm::EdDSA, data("rsa2048.spki.pem")),
        Err(KeyError::AlgorithmMismatch {
            requested: Algorithm::EdDSA,
            ..
        })
    ));
    // An oct JWK that claims an asymmetric algorithm.
    let oct = parse(&json!({"kty": "oct", "alg": "RS256", "k": crate::support::b64([7u8; 64])}));
    assert_eq!(
        VerifyingKey::from_jwk_infer(&oct).unwrap_err(),
        KeyError::AlgorithmMismatch {
            key: "oct (HMAC secret)",
            requested: Algorithm::RS256
        }
    );
    // An RSA key cannot be rebound to HMAC.
    assert!(matches!(
        public(&rsa(Algorithm::RS256)).for_algorithm(Algorithm::HS256),
        Err(KeyError::AlgorithmMismatch { .. })
    ));
}

#[test]
fn a_verifying_key_accepts_only_its_own_algorithm() {
    // Every key against every other algorithm's validly signed token.
    let keys = crate::support::every_signing_key();
    for signer in &keys {
        let token = sign_raw(signer, &header(signer.algorithm()), &payload());
        for verifier in &keys {
            let result = decode(&token, &public(verifier));
            if verifier.algorithm() == signer.algorithm() {
                continue;
            }
            let err = rejected(result);
            assert!(
                matches!(err, Error::AlgorithmNotAllowed { alg } if alg == signer.algorithm()),
                "{} token, {} key: {err:?}",
                signer.algorithm(),
                verifier.algorithm()
            );
        }
    }
}
