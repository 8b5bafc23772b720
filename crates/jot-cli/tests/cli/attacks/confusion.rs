//! Algorithm confusion: a public key (PEM, DER, JWK; RSA, EC, Ed25519) offered as an
//! HMAC secret is refused with exit 2, and an HS256 token whose tag was made with
//! the public key's bytes is refused by the real key.

use jot_algorithms::Algorithm;
use jot_test_support::forge::{hmac_token, sign_raw};

use super::{hs, jwks_args, key_error, payload, refused_as, with};
use crate::harness::{keys, ok, path_str, pem_to_der, scratch};

/// The public keys an attacker would offer as an HMAC secret, as files.
fn public_key_files() -> Vec<(String, String)> {
    let k = keys();
    let dir = scratch();
    let pem = std::fs::read_to_string(k.public("RS256")).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        path_str(&p).to_owned()
    };
    let es_pem = ok(&["jwk", "public", "--format", "pem", &k.public("ES256")]);
    vec![
        ("RSA SPKI PEM".into(), k.public("RS256")),
        (
            "PEM with leading whitespace".into(),
            write("lead.pem", format!(" \n\t{pem}").as_bytes()),
        ),
        (
            "PEM without its final newline".into(),
            write("trail.pem", pem.trim_end().as_bytes()),
        ),
        ("RSA SPKI DER".into(), write("rsa.der", &pem_to_der(&pem))),
        ("EC SPKI PEM".into(), write("ec.pem", es_pem.as_bytes())),
        ("EC SPKI DER".into(), write("ec.der", &pem_to_der(&es_pem))),
        ("ES256 JWK".into(), k.public("ES256")),
        ("EdDSA JWK".into(), k.public("EdDSA")),
        (
            "RSA JWK".into(),
            write(
                "rsa.jwk",
                ok(&["jwk", "public", "--alg", "RS256", &k.public("RS256")]).as_bytes(),
            ),
        ),
    ]
}

#[test]
fn public_key_as_hmac_secret_is_refused_with_exit_2() {
    let t = sign_raw(&hs(Algorithm::HS256), r#"{"alg":"HS256"}"#, &payload());
    for (what, file) in public_key_files() {
        for alg in ["HS256", "HS384", "HS512"] {
            let args: Vec<String> = ["verify", "--alg", alg, "--secret-file", &file]
                .map(String::from)
                .to_vec();
            let err = key_error(&args, &t);
            assert!(
                err.contains("the HMAC secret looks like an encoded")
                    && err.contains("key; load it as a key, not as a secret"),
                "{what} {alg}: {err}"
            );
        }
        // Nor can it sign.
        let args: Vec<String> = ["encode", "--alg", "HS256", "--secret-file", &file]
            .map(String::from)
            .to_vec();
        let err = key_error(&args, "");
        assert!(err.contains("looks like an encoded"), "{what}: {err}");
    }
    // A key file never becomes an HMAC key either: --alg HS256 with --key.
    for file in [keys().public("RS256"), keys().public("ES256")] {
        let args: Vec<String> = ["verify", "--alg", "HS256", "--key", &file]
            .map(String::from)
            .to_vec();
        let err = key_error(&args, &t);
        assert!(err.contains("not for HS256"), "{file}: {err}");
    }
}

#[test]
fn hs256_token_signed_with_the_public_key_is_refused_by_the_real_key() {
    let k = keys();
    let pem = std::fs::read(k.public("RS256")).unwrap();
    let der = pem_to_der(std::str::from_utf8(&pem).unwrap());
    let rsa_jwk = ok(&["jwk", "public", "--alg", "RS256", &k.public("RS256")]);
    let rsa_args = |extra: &[&str]| {
        with(
            &["verify".to_owned(), "--key".into(), k.public("RS256")],
            extra,
        )
    };
    for secret in [pem, der, rsa_jwk.into_bytes()] {
        for header in [r#"{"alg":"HS256"}"#, r#"{"alg":"HS256","typ":"JWT"}"#] {
            let t = hmac_token(Algorithm::HS256, &secret, header, &payload());
            refused_as(
                &rsa_args(&["--alg", "RS256"]),
                &t,
                "algorithm_not_allowed",
                "algorithm HS256 not allowed: expected RS256",
            );
            refused_as(
                &rsa_args(&["--alg", "RS256", "--alg", "PS256"]),
                &t,
                "algorithm_not_allowed",
                "algorithm HS256 not allowed: expected RS256 or PS256",
            );
        }
    }
    // EC and Ed25519 keys imply their algorithm; the HMAC token is refused.
    for (alg, expected) in [("ES256", "ES256"), ("EdDSA", "EdDSA")] {
        let file = k.public(alg);
        let secret = std::fs::read(&file).unwrap();
        let t = hmac_token(Algorithm::HS256, &secret, r#"{"alg":"HS256"}"#, &payload());
        refused_as(
            &["verify".to_owned(), "--key".into(), file],
            &t,
            "algorithm_not_allowed",
            &format!("algorithm HS256 not allowed: expected {expected}"),
        );
    }
    // A JWK Set of public keys, the token naming the real kid.
    let set_secret = std::fs::read(k.public("ES256")).unwrap();
    let t = hmac_token(
        Algorithm::HS256,
        &set_secret,
        r#"{"alg":"HS256","kid":"ES256-kid"}"#,
        &payload(),
    );
    refused_as(
        &jwks_args(),
        &t,
        "algorithm_not_allowed",
        "algorithm HS256 not allowed: expected ES256",
    );
}
