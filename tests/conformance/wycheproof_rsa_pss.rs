//! Wycheproof RSASSA-PSS verification: PS256/384/512 are MGF1 with the message hash
//! and a salt as long as the hash (RFC 7518 §3.5); groups with other parameters are
//! not JOSE and are excluded.

use jot_algorithms::{Algorithm, Jwk, VerifyingKey};
use serde::Deserialize;

use crate::harness::{Tally, unhex};
use crate::wycheproof::{Case, File, SignatureCase, check_same_key, run_signature_cases};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Group {
    key_size: usize,
    sha: String,
    mgf: String,
    mgf_sha: String,
    s_len: usize,
    public_key_jwk: Jwk,
    public_key_der: String,
    public_key_pem: String,
    tests: Vec<Case<SignatureCase>>,
}

#[test]
fn ps256_2048() {
    run("rsa_pss_2048_sha256_mgf1_32_test.json", 2048);
}

#[test]
fn ps384_2048() {
    run("rsa_pss_2048_sha384_mgf1_48_test.json", 2048);
}

#[test]
fn ps256_3072() {
    run("rsa_pss_3072_sha256_mgf1_32_test.json", 3072);
}

#[test]
fn ps256_4096() {
    run("rsa_pss_4096_sha256_mgf1_32_test.json", 4096);
}

#[test]
fn ps384_4096() {
    run("rsa_pss_4096_sha384_mgf1_48_test.json", 4096);
}

#[test]
fn ps512_4096() {
    run("rsa_pss_4096_sha512_mgf1_64_test.json", 4096);
}

/// The JOSE algorithm for these PSS parameters, if there is one.
fn jose_algorithm(group: &Group) -> Option<Algorithm> {
    let (alg, hash_len) = match group.sha.as_str() {
        "SHA-256" => (Algorithm::PS256, 32),
        "SHA-384" => (Algorithm::PS384, 48),
        "SHA-512" => (Algorithm::PS512, 64),
        _ => return None,
    };
    (group.mgf == "MGF1" && group.mgf_sha == group.sha && group.s_len == hash_len).then_some(alg)
}

fn run(file: &str, key_size: usize) {
    let vectors: File<Group> = File::load(file, |g: &Group| g.tests.len());
    let mut tally = Tally::new("wycheproof_rsa_pss", file);
    tally.expect_total(vectors.number_of_tests);
    for (i, group) in vectors.test_groups.iter().enumerate() {
        assert_eq!(group.key_size, key_size);
        let Some(alg) = jose_algorithm(group) else {
            for case in &group.tests {
                tally.exclude(
                    case.id(),
                    format!(
                        "PSS with {}, {} {}, salt {} bytes is not a JOSE algorithm",
                        group.sha, group.mgf, group.mgf_sha, group.s_len
                    ),
                );
            }
            continue;
        };
        let key = VerifyingKey::from_jwk(alg, &group.public_key_jwk);
        let der = VerifyingKey::from_der(alg, unhex(&group.public_key_der));
        check_same_key(&mut tally, format!("group {i} SPKI DER"), &key, der);
        let pem = VerifyingKey::from_pem(alg, &group.public_key_pem);
        check_same_key(&mut tally, format!("group {i} SPKI PEM"), &key, pem);
        run_signature_cases(&mut tally, alg, &key, &group.tests, &[]);
    }
    tally.finish();
}
