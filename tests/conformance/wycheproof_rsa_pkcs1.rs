//! Wycheproof RSASSA-PKCS1-v1_5: verification (RS256/384/512 with 2048-4096 bit
//! keys) and signature generation, which is deterministic and so must reproduce
//! every `sig` byte for byte.

use jot_algorithms::{Algorithm, Jwk, KeyError, Signer, SigningKey, Verifier, VerifyingKey};
use serde::Deserialize;

use crate::harness::{Tally, unhex};
use crate::wycheproof::{
    Case, Expect, File, SignatureCase, check_same_key, run_signature_cases, verdict,
};

/// `acceptable` decisions for verification (see docs/CONFORMANCE.md).
///
/// `MissingNull`: a DigestInfo whose AlgorithmIdentifier omits the NULL parameters.
/// RFC 8017 §9.2 encodes the NULL, ring compares against that one encoding, and jot
/// keeps it: one valid encoding per signature, so it is rejected.
const VERIFY_POLICY: &[(&str, bool)] = &[("MissingNull", false)];

/// `acceptable` decisions for signing (see docs/CONFORMANCE.md).
///
/// `SmallPublicKey`: a private key with e = 3. ring signs only with e >= 65537 and jot
/// refuses the key when it is built (`KeyError::RsaBadExponent`).
const SIGN_POLICY: &[(&str, bool)] = &[("SmallPublicKey", false)];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerifyGroup {
    key_size: usize,
    sha: String,
    key_jwk: Jwk,
    /// PKCS#1 `RSAPublicKey`, hex.
    public_key_asn: String,
    /// SPKI, hex.
    public_key_der: String,
    public_key_pem: String,
    tests: Vec<Case<SignatureCase>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignGroup {
    key_size: usize,
    sha: String,
    /// Absent for the SHA-1 and SHA-224 groups.
    private_key_jwk: Option<Jwk>,
    /// PKCS#8, hex.
    private_key_pkcs8: String,
    /// PKCS#1 `RSA PRIVATE KEY`.
    private_key_pem: String,
    tests: Vec<Case<SignatureCase>>,
}

#[test]
fn rs256_2048() {
    verify("rsa_signature_2048_sha256_test.json", 2048);
}

#[test]
fn rs384_2048() {
    verify("rsa_signature_2048_sha384_test.json", 2048);
}

#[test]
fn rs512_2048() {
    verify("rsa_signature_2048_sha512_test.json", 2048);
}

#[test]
fn rs256_3072() {
    verify("rsa_signature_3072_sha256_test.json", 3072);
}

#[test]
fn rs384_3072() {
    verify("rsa_signature_3072_sha384_test.json", 3072);
}

#[test]
fn rs512_3072() {
    verify("rsa_signature_3072_sha512_test.json", 3072);
}

#[test]
fn rs256_4096() {
    verify("rsa_signature_4096_sha256_test.json", 4096);
}

#[test]
fn rs384_4096() {
    verify("rsa_signature_4096_sha384_test.json", 4096);
}

#[test]
fn rs512_4096() {
    verify("rsa_signature_4096_sha512_test.json", 4096);
}

#[test]
fn sign_2048() {
    sign("rsa_pkcs1_2048_sig_gen_test.json", 2048);
}

#[test]
fn sign_3072() {
    sign("rsa_pkcs1_3072_sig_gen_test.json", 3072);
}

#[test]
fn sign_4096() {
    sign("rsa_pkcs1_4096_sig_gen_test.json", 4096);
}

/// The JOSE algorithm of a hash, if JOSE has one.
pub(crate) fn rs_algorithm(sha: &str) -> Option<Algorithm> {
    match sha {
        "SHA-256" => Some(Algorithm::RS256),
        "SHA-384" => Some(Algorithm::RS384),
        "SHA-512" => Some(Algorithm::RS512),
        _ => None,
    }
}

fn verify(file: &str, key_size: usize) {
    let vectors: File<VerifyGroup> = File::load(file, |g: &VerifyGroup| g.tests.len());
    let mut tally = Tally::new("wycheproof_rsa_pkcs1", file);
    tally.expect_total(vectors.number_of_tests);
    for (i, group) in vectors.test_groups.iter().enumerate() {
        assert_eq!(group.key_size, key_size);
        let Some(alg) = rs_algorithm(&group.sha) else {
            for case in &group.tests {
                tally.exclude(case.id(), format!("{} is not a JOSE hash", group.sha));
            }
            continue;
        };
        let key = VerifyingKey::from_jwk(alg, &group.key_jwk);
        let spki = VerifyingKey::from_der(alg, unhex(&group.public_key_der));
        check_same_key(&mut tally, format!("group {i} SPKI DER"), &key, spki);
        let pkcs1 = VerifyingKey::from_der(alg, unhex(&group.public_key_asn));
        check_same_key(&mut tally, format!("group {i} PKCS#1 DER"), &key, pkcs1);
        let pem = VerifyingKey::from_pem(alg, &group.public_key_pem);
        check_same_key(&mut tally, format!("group {i} SPKI PEM"), &key, pem);
        run_signature_cases(&mut tally, alg, &key, &group.tests, VERIFY_POLICY);
    }
    tally.finish();
}

fn sign(file: &str, key_size: usize) {
    let vectors: File<SignGroup> = File::load(file, |g: &SignGroup| g.tests.len());
    let mut tally = Tally::new("wycheproof_rsa_pkcs1", file);
    tally.expect_total(vectors.number_of_tests);
    for (i, group) in vectors.test_groups.iter().enumerate() {
        assert_eq!(group.key_size, key_size);
        let Some(alg) = rs_algorithm(&group.sha) else {
            for case in &group.tests {
                tally.exclude(
                    case.id(),
                    format!(
                        "RSASSA-PKCS1-v1_5 with {} is not a JOSE algorithm (RFC 7518 §3.3: RS256/384/512 only)",
                        group.sha
                    ),
                );
            }
            continue;
        };
        let pkcs8 = SigningKey::from_der(alg, unhex(&group.private_key_pkcs8));
        let key = match &group.private_key_jwk {
            Some(jwk) => {
                let from_jwk = SigningKey::from_jwk(alg, jwk);
                check_same_key(
                    &mut tally,
                    format!("group {i} PKCS#8 DER"),
                    &public(&from_jwk),
                    public(&pkcs8),
                );
                from_jwk
            }
            None => pkcs8,
        };
        let pem = SigningKey::from_pem(alg, &group.private_key_pem);
        check_same_key(
            &mut tally,
            format!("group {i} PKCS#1 PEM"),
            &public(&key),
            public(&pem),
        );
        for case in &group.tests {
            let Some(must_accept) = case.must_accept(SIGN_POLICY) else {
                tally.problem(format!("{}: acceptable without a policy", case.id()));
                continue;
            };
            let outcome = reproduce(alg, &key, &case.data);
            // The decided rejection is the one at key construction, for the exponent.
            let as_decided = must_accept
                || case.result != Expect::Acceptable
                || matches!(key, Err(KeyError::RsaBadExponent { .. }));
            tally.check(
                case.id(),
                outcome.is_ok() == must_accept && as_decided,
                || {
                    format!(
                        "{alg} signing ({}; flags {:?}) must be {}, jot {}{}",
                        case.comment,
                        case.flags,
                        verdict(must_accept),
                        verdict(outcome.is_ok()),
                        outcome.err().map(|e| format!(": {e}")).unwrap_or_default()
                    )
                },
            );
        }
    }
    tally.finish();
}

/// Signs `msg` and compares with `sig`; the signature must also verify.
fn reproduce(
    alg: Algorithm,
    key: &Result<SigningKey, KeyError>,
    case: &SignatureCase,
) -> Result<(), String> {
    let key = key.as_ref().map_err(|e| format!("key refused: {e}"))?;
    let (msg, expected) = (unhex(&case.msg), unhex(&case.sig));
    let mut sig = Vec::new();
    key.sign(&msg, &mut sig).map_err(|e| e.to_string())?;
    if sig != expected {
        return Err(format!("signature differs: {}", hex::encode(&sig)));
    }
    key.verifying_key()
        .verify(alg, None, &msg, &sig)
        .map_err(|e| format!("own signature does not verify: {e}"))
}

fn public(key: &Result<SigningKey, KeyError>) -> Result<VerifyingKey, KeyError> {
    key.as_ref()
        .map(SigningKey::verifying_key)
        .map_err(Clone::clone)
}
