//! Wycheproof HMAC: HS256, HS384, HS512. JOSE uses the full tag, so groups with a
//! truncated `tagSize` are excluded; secrets shorter than the hash are refused by
//! jot's policy (RFC 7518 §3.2), so their `valid` cases are excluded and the
//! refusal is checked.

use jot_algorithms::{Algorithm, KeyError, Signer, SigningKey, Verifier, VerifyingKey};
use serde::Deserialize;

use crate::harness::{Tally, unhex};
use crate::wycheproof::{Case, File, verdict};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Group {
    /// Bits.
    key_size: usize,
    /// Bits.
    tag_size: usize,
    tests: Vec<Case<MacCase>>,
}

#[derive(Debug, Deserialize)]
struct MacCase {
    key: String,
    msg: String,
    tag: String,
}

#[test]
fn hs256() {
    run("hmac_sha256_test.json", Algorithm::HS256, 256);
}

#[test]
fn hs384() {
    run("hmac_sha384_test.json", Algorithm::HS384, 384);
}

#[test]
fn hs512() {
    run("hmac_sha512_test.json", Algorithm::HS512, 512);
}

fn run(file: &str, alg: Algorithm, bits: usize) {
    let vectors: File<Group> = File::load(file, |g: &Group| g.tests.len());
    let mut tally = Tally::new("wycheproof_hmac", file);
    tally.expect_total(vectors.number_of_tests);
    for group in &vectors.test_groups {
        if group.tag_size != bits {
            for case in &group.tests {
                tally.exclude(
                    case.id(),
                    format!(
                        "truncated tag ({} bits): {alg} uses the full {bits}-bit tag",
                        group.tag_size
                    ),
                );
            }
            continue;
        }
        for case in &group.tests {
            let secret = unhex(&case.data.key);
            assert_eq!(secret.len() * 8, group.key_size, "{}", case.id());
            let Some(must_accept) = case.must_accept(&[]) else {
                tally.problem(format!("{}: acceptable without a policy", case.id()));
                continue;
            };
            let key = VerifyingKey::hmac(alg, &secret);
            if secret.len() * 8 < bits {
                match key {
                    Err(KeyError::WeakHmacSecret { .. }) if must_accept => tally.exclude(
                        case.id(),
                        format!(
                            "key below jot's minimum ({}-bit secret for {alg}, RFC 7518 §3.2)",
                            group.key_size
                        ),
                    ),
                    Err(KeyError::WeakHmacSecret { .. }) => {
                        tally.check(case.id(), true, String::new)
                    }
                    other => tally.problem(format!(
                        "{}: a {}-bit secret for {alg} must be refused, got {other:?}",
                        case.id(),
                        group.key_size
                    )),
                }
                continue;
            }
            let outcome = mac(alg, &secret, key, &case.data);
            tally.check(case.id(), outcome.is_ok() == must_accept, || {
                format!(
                    "{alg} ({}; flags {:?}) must be {}, jot {}{}",
                    case.comment,
                    case.flags,
                    verdict(must_accept),
                    verdict(outcome.is_ok()),
                    outcome.err().map(|e| format!(": {e}")).unwrap_or_default()
                )
            });
        }
    }
    tally.finish();
}

/// Verifies the tag; for a tag that verifies, signing must reproduce it.
fn mac(
    alg: Algorithm,
    secret: &[u8],
    key: Result<VerifyingKey, KeyError>,
    case: &MacCase,
) -> Result<(), String> {
    let key = key.map_err(|e| format!("key refused: {e}"))?;
    let (msg, tag) = (unhex(&case.msg), unhex(&case.tag));
    key.verify(alg, None, &msg, &tag)
        .map_err(|e| e.to_string())?;
    let signer = SigningKey::hmac(alg, secret).map_err(|e| format!("signing key refused: {e}"))?;
    let mut out = Vec::new();
    signer.sign(&msg, &mut out).map_err(|e| e.to_string())?;
    if out == tag {
        Ok(())
    } else {
        Err(format!("verifies, but signing gives {}", hex::encode(out)))
    }
}
