//! Wycheproof EdDSA: Ed25519 (JOSE `EdDSA`, RFC 8037). Ed448 is not supported by
//! jot (ring has no Ed448), so its file is listed as excluded.

use jot_algorithms::{Algorithm, Jwk, KeyError, VerifyingKey};
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
    let file = "ed25519_test.json";
    let vectors: File<Group> = File::load(file, |g: &Group| g.tests.len());
    let mut tally = Tally::new("wycheproof_eddsa", file);
    tally.expect_total(vectors.number_of_tests);
    for (i, group) in vectors.test_groups.iter().enumerate() {
        assert_eq!(group.public_key.curve, "edwards25519");
        let key = VerifyingKey::from_jwk(Algorithm::EdDSA, &group.public_key_jwk);
        let der = VerifyingKey::from_der(Algorithm::EdDSA, unhex(&group.public_key_der));
        check_same_key(&mut tally, format!("group {i} SPKI DER"), &key, der);
        let pem = VerifyingKey::from_pem(Algorithm::EdDSA, &group.public_key_pem);
        check_same_key(&mut tally, format!("group {i} SPKI PEM"), &key, pem);
        run_signature_cases(&mut tally, Algorithm::EdDSA, &key, &group.tests, &[]);
    }
    tally.finish();
}

/// Ed448 is excluded as a whole; what is checked is that jot refuses its keys
/// clearly instead of misreading them.
#[test]
fn ed448_is_unsupported() {
    let file = "ed448_test.json";
    let vectors: File<Group> = File::load(file, |g: &Group| g.tests.len());
    let mut tally = Tally::new("wycheproof_eddsa", file);
    tally.expect_total(vectors.number_of_tests);
    for (i, group) in vectors.test_groups.iter().enumerate() {
        assert_eq!(group.public_key.curve, "edwards448");
        let refused = |what: &str, key: Result<VerifyingKey, KeyError>| match key {
            Err(KeyError::UnsupportedKeyType { .. }) => None,
            other => Some(format!(
                "group {i} {what}: {other:?}, expected UnsupportedKeyType"
            )),
        };
        let jwk = VerifyingKey::from_jwk(Algorithm::EdDSA, &group.public_key_jwk);
        let der = VerifyingKey::from_der(Algorithm::EdDSA, unhex(&group.public_key_der));
        for problem in [refused("JWK", jwk), refused("SPKI DER", der)]
            .into_iter()
            .flatten()
        {
            tally.problem(problem);
        }
        for case in &group.tests {
            tally.exclude(
                case.id(),
                "Ed448 is not supported by jot (ring has no Ed448)",
            );
        }
    }
    tally.finish_unsupported();
}
