//! Wycheproof `json_web_key_test.json`: JWK Sets imported as a `KeySet` (public set,
//! else the private one for HMAC), then a compact JWS verified with them. Covers
//! weak and malformed keys, `alg`/`crv`/`kty`/`use` mismatches, duplicate `kid`s and
//! sets that mix secrets with public keys. For `valid` cases with a deterministic
//! algorithm, the private key imported from the set must reproduce the signature.

use jot_algorithms::{JwkSet, Signer, SigningKey, UntrustedToken, base64url};

use crate::harness::Tally;
use crate::wycheproof::{Expect, File};
use crate::wycheproof_jws::{Group, failure, verifier, verify_compact};

#[test]
fn json_web_key() {
    let file = "json_web_key_test.json";
    let vectors: File<Group> = File::load(file, |g: &Group| g.tests.len());
    let mut tally = Tally::new("wycheproof_jwk", file);
    tally.expect_total(vectors.number_of_tests);
    for group in &vectors.test_groups {
        let verifier = verifier(group.verifying_json());
        for case in &group.tests {
            let Some(must_accept) = case.must_accept(&[]) else {
                tally.problem(format!("{}: acceptable without a policy", case.id()));
                continue;
            };
            let mut outcome = verify_compact(&verifier, &case.data.jws);
            if outcome.is_ok() && case.result == Expect::Valid {
                outcome = reproduce(group, &case.data.jws);
            }
            tally.check(case.id(), outcome.is_ok() == must_accept, || {
                failure(&group.comment, case, must_accept, &outcome)
            });
        }
    }
    tally.finish();
}

/// Signs the token's input again with the private key of the same `kid` from the
/// group's private set; HMAC and RSASSA-PKCS1-v1_5 must give the same signature.
fn reproduce(group: &Group, token: &str) -> Result<(), String> {
    let untrusted = UntrustedToken::parse(token).map_err(|e| e.to_string())?;
    let alg = untrusted.algorithm().map_err(|e| e.to_string())?;
    let set = JwkSet::from_json(&group.private.to_string()).map_err(|e| e.to_string())?;
    let kid = untrusted
        .header()
        .kid
        .as_deref()
        .ok_or("token has no kid")?;
    let jwk = set.find(kid).ok_or("no private key for the kid")?;
    let key = SigningKey::from_jwk(alg, jwk).map_err(|e| format!("private key refused: {e}"))?;
    if !alg.as_str().starts_with("HS") && !alg.as_str().starts_with("RS") {
        return Ok(());
    }
    let mut sig = Vec::new();
    key.sign(untrusted.signing_input().as_bytes(), &mut sig)
        .map_err(|e| e.to_string())?;
    if base64url::encode(&sig) == untrusted.signature_b64() {
        Ok(())
    } else {
        Err("the private key does not reproduce the signature".into())
    }
}
