//! Weak keys (RFC 8725 §3.4, §3.5; RFC 7518 §3.2 and §3.3): HMAC secrets shorter than the
//! hash, RSA moduli under 2048 bits, RSA public exponents of 1 or even, EC points off
//! the curve (invalid-curve attacks). Each is refused when the key is built, with
//! the `KeyError` that says why, whatever the format (raw, PEM, JWK).

use jot_algorithms::{Algorithm, Jwk, KeyError, KeySet, SigningKey, VerifyingKey};
use serde_json::{Value, json};

use crate::support::{b64, data, public, rsa};

#[test]
fn short_hmac_secrets_are_refused() {
    for (alg, min) in [
        (Algorithm::HS256, 32),
        (Algorithm::HS384, 48),
        (Algorithm::HS512, 64),
    ] {
        for len in [0, 1, 16, min - 1] {
            let secret = vec![0x5a; len];
            let expected = KeyError::WeakHmacSecret {
                alg,
                min_bytes: min,
                got: len,
            };
            assert_eq!(SigningKey::hmac(alg, &secret).unwrap_err(), expected);
            assert_eq!(VerifyingKey::hmac(alg, &secret).unwrap_err(), expected);
            // The same secret as an `oct` JWK.
            let jwk: Jwk = json!({"kty": "oct", "alg": alg.as_str(), "k": b64(&secret)})
                .to_string()
                .parse()
                .unwrap();
            if len > 0 {
                assert_eq!(SigningKey::from_jwk_infer(&jwk).unwrap_err(), expected);
                assert_eq!(VerifyingKey::from_jwk_infer(&jwk).unwrap_err(), expected);
            }
        }
        // Control: the minimum is accepted.
        assert!(SigningKey::hmac(alg, vec![0x5a; min]).is_ok());
    }
}

#[test]
fn rsa_under_2048_bits_is_refused() {
    let pem = data("rsa1024.spki.pem");
    for alg in [Algorithm::RS256, Algorithm::PS256, Algorithm::RS512] {
        assert_eq!(
            VerifyingKey::from_pem(alg, &pem).unwrap_err(),
            KeyError::RsaTooSmall { bits: 1024 }
        );
        assert_eq!(
            VerifyingKey::from_any_bytes(alg, &pem).unwrap_err(),
            KeyError::RsaTooSmall { bits: 1024 }
        );
    }
    // A 2040-bit modulus from components (the 2048-bit one without its top byte).
    let mut jwk = rsa_public_jwk();
    let n = jot_algorithms::base64url::decode(jwk["n"].as_str().unwrap()).unwrap();
    jwk["n"] = b64(&n[1..]).into();
    let err = VerifyingKey::from_jwk_infer(&jwk.to_string().parse().unwrap()).unwrap_err();
    assert!(
        matches!(err, KeyError::RsaTooSmall { bits } if bits <= 2040),
        "{err:?}"
    );
}

/// The RS256 fixture's public JWK as JSON.
fn rsa_public_jwk() -> Value {
    serde_json::from_str(&public(&rsa(Algorithm::RS256)).to_jwk().unwrap().to_json()).unwrap()
}

#[test]
fn rsa_public_exponent_one_or_even_is_refused() {
    for (e, reason) in [
        (vec![1u8], "smaller than 3"),
        (vec![2u8], "even"),
        (vec![1, 0, 0], "even"),
        (vec![1, 0, 0, 0, 0, 0, 1], "larger than 2^33 - 1"),
    ] {
        let mut jwk = rsa_public_jwk();
        jwk["e"] = b64(&e).into();
        let jwk: Jwk = jwk.to_string().parse().unwrap();
        assert_eq!(
            VerifyingKey::from_jwk_infer(&jwk).unwrap_err(),
            KeyError::RsaBadExponent { reason },
            "e = {e:?}"
        );
        // In a JWK Set the key is set aside, never used.
        let set = KeySet::from_jwks_json(
            &json!({"keys": [jwk.to_json().parse::<Value>().unwrap()]}).to_string(),
        )
        .unwrap();
        assert!(set.is_empty());
        assert_eq!(set.unusable()[0].error, KeyError::RsaBadExponent { reason });
    }
    // e = 0 is not even a minimal integer.
    let mut jwk = rsa_public_jwk();
    jwk["e"] = b64([0u8]).into();
    assert!(matches!(
        VerifyingKey::from_jwk_infer(&jwk.to_string().parse().unwrap()),
        Err(KeyError::InvalidJwk { .. })
    ));
    // Private keys need e >= 65537 (ring): the e = 3 fixture is refused.
    assert_eq!(
        SigningKey::from_pem(Algorithm::RS256, data("rsa2048-e3.pkcs8.pem")).unwrap_err(),
        KeyError::RsaBadExponent {
            reason: "smaller than 65537 (required for private keys)"
        }
    );
}

#[test]
fn ec_points_off_the_curve_are_refused() {
    let real = public(&SigningKey::generate(Algorithm::ES256).unwrap());
    let jwk: Value = serde_json::from_str(&real.to_jwk().unwrap().to_json()).unwrap();
    // Flip a bit of y: (x, y') is not on P-256.
    let mut y = jot_algorithms::base64url::decode(jwk["y"].as_str().unwrap()).unwrap();
    y[31] ^= 1;
    let mut bad = jwk.clone();
    bad["y"] = b64(&y).into();
    assert_eq!(
        VerifyingKey::from_jwk_infer(&bad.to_string().parse().unwrap()).unwrap_err(),
        KeyError::InvalidPoint
    );
    // The point at "zero" and coordinates of the wrong length.
    let mut zero = jwk.clone();
    zero["x"] = b64([0u8; 32]).into();
    zero["y"] = b64([0u8; 32]).into();
    assert_eq!(
        VerifyingKey::from_jwk_infer(&zero.to_string().parse().unwrap()).unwrap_err(),
        KeyError::InvalidPoint
    );
    let mut short = jwk;
    short["x"] = b64([1u8; 31]).into();
    assert!(matches!(
        VerifyingKey::from_jwk_infer(&short.to_string().parse().unwrap()),
        Err(KeyError::InvalidJwk { .. })
    ));
}
