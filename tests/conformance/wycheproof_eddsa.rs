//! Wycheproof EdDSA: Ed25519 and Ed448 (JOSE `EdDSA`, RFC 8037). Every vector of
//! both files runs; the group's key is read from its JWK, SPKI DER and SPKI PEM.

use jot_algorithms::{Algorithm, Jwk, VerifyingKey};
use serde::Deserialize;

use crate::harness::{Tally, unhex};
use crate::wycheproof::{Case, File, SignatureCase, check_same_key, run_signature_cases};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Group {
    public_key: PublicKey,
    public_key_der: String,
    public_key_pem: String,
    public_key_jwk: Jwk,
    tests: Vec<Case<SignatureCase>>,
}

#[derive(Debug, Deserialize)]
struct PublicKey {
    curve: String,
}

#[test]
fn ed25519() {
    run("ed25519_test.json", "edwards25519");
}

#[test]
fn ed448() {
    run("ed448_test.json", "edwards448");
}

/// Runs every vector of `file`, whose groups must all be keys on `curve`.
fn run(file: &str, curve: &str) {
    let vectors: File<Group> = File::load(file, |g: &Group| g.tests.len());
    let mut tally = Tally::new("wycheproof_eddsa", file);
    tally.expect_total(vectors.number_of_tests);
    for (i, group) in vectors.test_groups.iter().enumerate() {
        assert_eq!(group.public_key.curve, curve);
        let key = VerifyingKey::from_jwk(Algorithm::EdDSA, &group.public_key_jwk);
        let der = VerifyingKey::from_der(Algorithm::EdDSA, unhex(&group.public_key_der));
        check_same_key(&mut tally, format!("group {i} SPKI DER"), &key, der);
        let pem = VerifyingKey::from_pem(Algorithm::EdDSA, &group.public_key_pem);
        check_same_key(&mut tally, format!("group {i} SPKI PEM"), &key, pem);
        run_signature_cases(&mut tally, Algorithm::EdDSA, &key, &group.tests, &[]);
    }
    tally.finish();
}
