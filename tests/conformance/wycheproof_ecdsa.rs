//! Wycheproof ECDSA in the IEEE P1363 form (r || s), which is exactly the JWS
//! signature format: ES256 (P-256), ES384 (P-384), ES512 (P-521), ES256K (secp256k1).

use jot_algorithms::{Algorithm, Jwk, KeyError, VerifyingKey, base64url};
use serde::Deserialize;

use crate::harness::{Tally, unhex};
use crate::wycheproof::{Case, File, SignatureCase, check_same_key, run_signature_cases};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Group {
    public_key: PublicKey,
    public_key_der: String,
    public_key_pem: String,
    /// Missing in ~9 groups per file (README caveat 7): then the point is used.
    public_key_jwk: Option<Jwk>,
    sha: String,
    tests: Vec<Case<SignatureCase>>,
}

#[derive(Debug, Deserialize)]
struct PublicKey {
    curve: String,
    /// `04 || X || Y`, hex.
    uncompressed: String,
}

#[test]
fn es256_p256() {
    run(
        "ecdsa_secp256r1_sha256_p1363_test.json",
        Algorithm::ES256,
        "secp256r1",
        "SHA-256",
    );
}

#[test]
fn es384_p384() {
    run(
        "ecdsa_secp384r1_sha384_p1363_test.json",
        Algorithm::ES384,
        "secp384r1",
        "SHA-384",
    );
}

#[test]
fn es512_p521() {
    run(
        "ecdsa_secp521r1_sha512_p1363_test.json",
        Algorithm::ES512,
        "secp521r1",
        "SHA-512",
    );
}

#[test]
fn es256k_secp256k1() {
    run(
        "ecdsa_secp256k1_sha256_p1363_test.json",
        Algorithm::ES256K,
        "secp256k1",
        "SHA-256",
    );
}

fn run(file: &str, alg: Algorithm, curve: &str, sha: &str) {
    let vectors: File<Group> = File::load(file, |g: &Group| g.tests.len());
    let mut tally = Tally::new("wycheproof_ecdsa", file);
    tally.expect_total(vectors.number_of_tests);
    for (i, group) in vectors.test_groups.iter().enumerate() {
        assert_eq!(
            (group.public_key.curve.as_str(), group.sha.as_str()),
            (curve, sha)
        );
        let key = match &group.public_key_jwk {
            Some(jwk) => VerifyingKey::from_jwk(alg, jwk),
            None => VerifyingKey::from_jwk(alg, &point_jwk(alg, &group.public_key.uncompressed)),
        };
        let der = VerifyingKey::from_der(alg, unhex(&group.public_key_der));
        check_same_key(&mut tally, format!("group {i} SPKI DER"), &key, der);
        let pem = VerifyingKey::from_pem(alg, &group.public_key_pem);
        check_same_key(&mut tally, format!("group {i} SPKI PEM"), &key, pem);
        run_signature_cases(&mut tally, alg, &key, &group.tests, &[]);
    }
    tally.finish();
}

/// An EC public JWK from the uncompressed point, for the groups that have no JWK.
fn point_jwk(alg: Algorithm, uncompressed: &str) -> Jwk {
    let point = unhex(uncompressed);
    let crv = match alg {
        Algorithm::ES256 => "P-256",
        Algorithm::ES384 => "P-384",
        Algorithm::ES512 => "P-521",
        _ => "secp256k1",
    };
    let (x, y) = point[1..].split_at((point.len() - 1) / 2);
    assert_eq!(point[0], 4, "not an uncompressed point");
    let json = format!(
        r#"{{"kty":"EC","crv":"{crv}","x":"{}","y":"{}"}}"#,
        base64url::encode(x),
        base64url::encode(y)
    );
    Jwk::from_json(&json).unwrap_or_else(|e: KeyError| panic!("{json}: {e}"))
}
