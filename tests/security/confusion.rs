//! Algorithm confusion (RFC 8725 §2.1, §3.1): the attacker takes the server's public
//! key, in whatever encoding the server might hold it (PEM, PEM with leading
//! whitespace, PKCS#1 PEM, DER, JWK JSON), uses those bytes as an HMAC secret and
//! sends `alg: HS256`. jot binds each key to its algorithm, so the token is refused
//! with `AlgorithmNotAllowed`, and the bytes can never become an HMAC secret on the
//! server side either (`SecretLooksLikeKey`, `AlgorithmMismatch`).

use jot_algorithms::{Algorithm, Error, KeyError, KeySet, SigningKey, Validation, VerifyingKey};

use crate::support::{
    assert_control, data, decode, decode_with, generate, header, hmac_token, payload, public,
    rejected, rsa, sign_raw,
};

const HMACS: [Algorithm; 3] = [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];

/// The encodings of a public key a server may hold, with what jot must call them
/// when they are offered as an HMAC secret.
fn encodings(key: &VerifyingKey) -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let pem = key.to_pem().unwrap();
    let mut out = vec![
        ("PEM", pem.clone().into_bytes(), "PEM"),
        (
            "PEM with leading whitespace",
            format!("\n \t{pem}").into_bytes(),
            "PEM",
        ),
        (
            "PEM without its final newline",
            pem.trim_end().as_bytes().to_vec(),
            "PEM",
        ),
        ("DER (SPKI)", key.to_spki_der().unwrap(), "DER"),
        (
            "JWK JSON",
            key.to_jwk().unwrap().to_json().into_bytes(),
            "JWK",
        ),
        (
            "JWK JSON with leading whitespace",
            format!("  \n{}", key.to_jwk().unwrap().to_json()).into_bytes(),
            "JWK",
        ),
    ];
    if key.algorithm() == Algorithm::RS256 {
        out.push(("PKCS#1 PEM", data("rsa2048.pkcs1-public.pem"), "PEM"));
        out.push(("certificate PEM", data("rsa2048.cert.pem"), "PEM"));
    }
    out
}

/// The real asymmetric keys whose public halves the attacker knows.
fn real_keys() -> Vec<SigningKey> {
    vec![
        rsa(Algorithm::RS256),
        generate(Algorithm::ES256),
        generate(Algorithm::ES384),
        generate(Algorithm::EdDSA),
    ]
}

#[test]
fn public_key_as_hmac_secret_is_refused_by_the_real_key() {
    for real in real_keys() {
        let verifier = public(&real);
        assert_control(&real, &verifier);
        let set = KeySet::from_keys([public(&real.clone().with_kid("k1"))]);
        for (what, secret, _) in encodings(&verifier) {
            for alg in HMACS {
                let token = hmac_token(alg, &secret, &header(alg), &payload());
                let err = rejected(decode(&token, &verifier));
                assert!(
                    matches!(err, Error::AlgorithmNotAllowed { alg: a } if a == alg),
                    "{} key as {what}, {alg}: {err:?}",
                    real.algorithm()
                );
                // Through a key set: by kid the algorithm does not match; without kid
                // there is no key for HMAC at all.
                let with_kid = hmac_token(
                    alg,
                    &secret,
                    &format!(r#"{{"alg":"{alg}","kid":"k1"}}"#),
                    &payload(),
                );
                let err = rejected(decode(&with_kid, &set));
                assert!(
                    matches!(err, Error::AlgorithmNotAllowed { alg: a } if a == alg),
                    "set, {what}, {alg}: {err:?}"
                );
                let err = rejected(decode(&token, &set));
                assert!(
                    matches!(err, Error::UnknownKey { kid: None }),
                    "set, {what}, {alg}: {err:?}"
                );
            }
        }
    }
}

#[test]
fn public_key_bytes_never_become_an_hmac_secret() {
    for real in real_keys() {
        let verifier = public(&real);
        for (what, bytes, looks_like) in encodings(&verifier) {
            for alg in HMACS {
                assert_eq!(
                    VerifyingKey::hmac(alg, &bytes).unwrap_err(),
                    KeyError::SecretLooksLikeKey { looks_like },
                    "{} key as {what}, {alg}",
                    real.algorithm()
                );
                assert_eq!(
                    SigningKey::hmac(alg, &bytes).unwrap_err(),
                    KeyError::SecretLooksLikeKey { looks_like },
                    "{what}, {alg}"
                );
                let err = VerifyingKey::from_any_bytes(alg, &bytes).unwrap_err();
                assert!(
                    matches!(err, KeyError::AlgorithmMismatch { requested, .. } if requested == alg),
                    "from_any_bytes {what}, {alg}: {err:?}"
                );
            }
        }
    }
}

#[test]
fn pem_and_der_loaders_refuse_hmac_algorithms() {
    let pem = data("rsa2048.spki.pem");
    for alg in HMACS {
        assert_eq!(
            VerifyingKey::from_pem(alg, &pem).unwrap_err(),
            KeyError::AlgorithmMismatch {
                key: "RSA",
                requested: alg
            }
        );
        assert_eq!(
            VerifyingKey::from_der(alg, data("p256.spki.der")).unwrap_err(),
            KeyError::AlgorithmMismatch {
                key: "P-256",
                requested: alg
            }
        );
    }
}

#[test]
fn same_key_other_algorithm_of_its_family_is_refused() {
    // RS256 key, token signed with the same private key as PS256.
    let rs = rsa(Algorithm::RS256);
    let ps = rsa(Algorithm::PS256);
    let token = sign_raw(&ps, &header(Algorithm::PS256), &payload());
    let err = rejected(decode(&token, &public(&rs)));
    assert!(
        matches!(
            err,
            Error::AlgorithmNotAllowed {
                alg: Algorithm::PS256
            }
        ),
        "{err:?}"
    );
    // An ES256 key and a token that claims ES384 (signed by a P-384 key).
    let es384 = generate(Algorithm::ES384);
    let token = sign_raw(&es384, &header(Algorithm::ES384), &payload());
    let err = rejected(decode(&token, &public(&generate(Algorithm::ES256))));
    assert!(
        matches!(
            err,
            Error::AlgorithmNotAllowed {
                alg: Algorithm::ES384
            }
        ),
        "{err:?}"
    );
    // RFC 9864: `Ed25519` is an algorithm of its own. The same Ed25519 private key,
    // bound once to `Ed25519` and once to `EdDSA`, makes signatures of the same bytes,
    // and still each public key refuses the other's token before the signature.
    let ed25519 = generate(Algorithm::Ed25519);
    let eddsa = SigningKey::from_der(Algorithm::EdDSA, ed25519.to_pkcs8_der().unwrap()).unwrap();
    for (signer, verifier, alg) in [
        (&ed25519, &eddsa, Algorithm::Ed25519),
        (&eddsa, &ed25519, Algorithm::EdDSA),
    ] {
        assert_control(verifier, &public(verifier));
        let token = sign_raw(signer, &header(alg), &payload());
        let err = rejected(decode(&token, &public(verifier)));
        assert!(
            matches!(err, Error::AlgorithmNotAllowed { alg: a } if a == alg),
            "{err:?}"
        );
    }
    // And an Ed448 key refuses an `Ed25519` token, whatever signed it.
    let ed448 = generate(Algorithm::Ed448);
    let token = sign_raw(&ed25519, &header(Algorithm::Ed25519), &payload());
    let err = rejected(decode(&token, &public(&ed448)));
    assert!(
        matches!(
            err,
            Error::AlgorithmNotAllowed {
                alg: Algorithm::Ed25519
            }
        ),
        "{err:?}"
    );
    // A header that lies about the algorithm of a real signature.
    let es256 = generate(Algorithm::ES256);
    let token = sign_raw(&es256, &header(Algorithm::ES384), &payload());
    let err = rejected(decode(&token, &public(&es256)));
    assert!(
        matches!(
            err,
            Error::AlgorithmNotAllowed {
                alg: Algorithm::ES384
            }
        ),
        "{err:?}"
    );
}

#[test]
fn validation_allow_list_is_checked_before_the_signature() {
    let rs = rsa(Algorithm::RS256);
    let token = sign_raw(&rs, &header(Algorithm::RS256), &payload());
    let only_es = Validation::new().algorithms([Algorithm::ES256]);
    let err = rejected(decode_with(&token, &public(&rs), &only_es));
    assert!(
        matches!(
            err,
            Error::AlgorithmNotAllowed {
                alg: Algorithm::RS256
            }
        ),
        "{err:?}"
    );
    let ok = Validation::new().algorithms([Algorithm::RS256]);
    assert!(decode_with(&token, &public(&rs), &ok).is_ok());
}
