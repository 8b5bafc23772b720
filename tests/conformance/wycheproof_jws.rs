//! Wycheproof `json_web_signature_test.json`: end-to-end JWS verification in the
//! compact serialization, with the group's public key (or its secret, for HMAC).
//! Payloads are arbitrary bytes, not JWT claims, so each token goes through
//! `UntrustedToken::parse` and `verify_signature`, not `decode`.

use jot_algorithms::{Jwk, JwkSet, KeyError, KeySet, UntrustedToken, Verifier, VerifyingKey};
use serde::Deserialize;
use serde_json::Value;

use crate::harness::Tally;
use crate::wycheproof::{Case, File, verdict};

/// A group of the JOSE files: its key (a JWK or a JWK Set) and its cases.
#[derive(Debug, Deserialize)]
pub(crate) struct Group {
    /// The scenario.
    pub(crate) comment: String,
    /// The private key or set (the only key for HMAC groups).
    pub(crate) private: Value,
    /// The public key or set, when the group has one.
    pub(crate) public: Option<Value>,
    /// The cases.
    pub(crate) tests: Vec<Case<JwsCase>>,
}

/// A JWS case.
#[derive(Debug, Deserialize)]
pub(crate) struct JwsCase {
    /// The token: compact, or JSON serialization (flag `JsonSerialization`).
    pub(crate) jws: String,
}

impl Group {
    /// The key that verifies: the public one, else the private one (HMAC).
    pub(crate) fn verifying_json(&self) -> &Value {
        self.public.as_ref().unwrap_or(&self.private)
    }
}

/// Wycheproof cases whose expectation contradicts RFC 7515 or jot's documented key
/// policy, with what jot does instead (asserted). See docs/CONFORMANCE.md.
const QUIRKS: &[(u32, &str, Quirk)] = &[
    (346, "Figure20", Quirk::JwkAlgDiffers("PS384")),
    (347, "Figure27", Quirk::JwkAlgDiffers("ES512")),
    (350, "Figure20", Quirk::JwkAlgDiffers("PS384")),
    (351, "Figure27", Quirk::JwkAlgDiffers("ES512")),
    (367, "invalidBase64Padding", Quirk::SameAsValid(357)),
    (
        370,
        "invalidBase64PaddingInPayload",
        Quirk::SameAsValid(357),
    ),
    (
        372,
        "InvalidCharacterInsertedInHeader",
        Quirk::NotTheSignedInput,
    ),
    (
        373,
        "InvalidCharacterInsertedInPayload",
        Quirk::NotTheSignedInput,
    ),
];

#[derive(Clone, Copy, Debug)]
enum Quirk {
    /// The group's JWK `alg` is not the token's `alg` (or not a registered name at
    /// all: `ES521`), yet the case expects `valid`. jot honours the JWK `alg`
    /// (RFC 7517 §4.4) and rejects; with `alg` set to the token's algorithm the
    /// signature verifies.
    JwkAlgDiffers(&'static str),
    /// The token is byte-identical to a `valid` case (C2SP/wycheproof#236): jot
    /// accepts it, as it must accept that case.
    SameAsValid(u32),
    /// A `?` was inserted into a segment and the case expects `valid`, but the MAC
    /// does not cover that signing input and `?` is not base64url: jot rejects.
    NotTheSignedInput,
}

#[test]
fn json_web_signature() {
    let file = "json_web_signature_test.json";
    let vectors: File<Group> = File::load(file, |g: &Group| g.tests.len());
    let mut tally = Tally::new("wycheproof_jws", file);
    tally.expect_total(vectors.number_of_tests);
    for group in &vectors.test_groups {
        let verifier = verifier(group.verifying_json());
        for case in &group.tests {
            let outcome = verify_compact(&verifier, &case.data.jws);
            if case.flags.iter().any(|f| f == "JsonSerialization") {
                // Where a compact token is expected, a JSON serialization is refused;
                // this one is also truncated (no closing `]}`), so `JwsJson` refuses it too.
                let json = jot_algorithms::JwsJson::parse(&case.data.jws);
                tally.check(case.id(), outcome.is_err() && json.is_err(), || {
                    format!("JSON serialization accepted: compact {outcome:?}, JwsJson {json:?}")
                });
                continue;
            }
            if let Some(&(_, comment, quirk)) = QUIRKS.iter().find(|(id, ..)| *id == case.tc_id) {
                assert_eq!(case.comment, comment, "{}: the file changed", case.id());
                check_quirk(&mut tally, group, case, quirk, &outcome);
                continue;
            }
            let Some(must_accept) = case.must_accept(&[]) else {
                tally.problem(format!("{}: acceptable without a policy", case.id()));
                continue;
            };
            tally.check(case.id(), outcome.is_ok() == must_accept, || {
                failure(&group.comment, case, must_accept, &outcome)
            });
        }
    }
    tally.finish();
}

/// Excludes a quirk case, after asserting what jot does with it.
fn check_quirk(
    tally: &mut Tally,
    group: &Group,
    case: &Case<JwsCase>,
    quirk: Quirk,
    outcome: &Result<(), String>,
) {
    let id = case.id();
    match quirk {
        Quirk::JwkAlgDiffers(alg) => {
            if outcome.is_ok() {
                tally.problem(format!("{id}: accepted although the JWK says another alg"));
            }
            let mut fixed = group.verifying_json().clone();
            fixed["alg"] = Value::from(alg);
            if let Err(e) = verify_compact(&verifier(&fixed), &case.data.jws) {
                tally.problem(format!("{id}: with the JWK alg set to {alg}: {e}"));
            }
            let key_alg = group.verifying_json()["alg"].as_str().unwrap_or_default();
            tally.exclude(
                id,
                format!(
                    "Wycheproof quirk: the JWK says \"alg\": \"{key_alg}\" but the token is {alg}; jot honours the JWK alg (RFC 7517 §4.4) and rejects, and verifies with \"alg\": \"{alg}\" (both asserted)"
                ),
            );
        }
        Quirk::SameAsValid(valid) => {
            if let Err(e) = outcome {
                tally.problem(format!("{id}: the token of tcId {valid} rejected: {e}"));
            }
            tally.exclude(
                id,
                format!(
                    "Wycheproof defect (C2SP/wycheproof#236): byte-identical to the valid tcId {valid} but labelled invalid; jot accepts it (asserted)"
                ),
            );
        }
        Quirk::NotTheSignedInput => {
            if outcome.is_ok() {
                tally.problem(format!("{id}: a '?' in a segment accepted"));
            }
            tally.exclude(
                id,
                "Wycheproof defect: labelled valid, but the MAC is over the input without the inserted '?', which is not base64url (RFC 7515 §2, §5.2); jot rejects (asserted)",
            );
        }
    }
}

/// The failure message of a case.
pub(crate) fn failure(
    group: &str,
    case: &Case<JwsCase>,
    must_accept: bool,
    outcome: &Result<(), String>,
) -> String {
    format!(
        "group {group:?}, {} (flags {:?}) must be {}, jot {}{}",
        case.comment,
        case.flags,
        verdict(must_accept),
        verdict(outcome.is_ok()),
        outcome
            .as_ref()
            .err()
            .map(|e| format!(": {e}"))
            .unwrap_or_default()
    )
}

/// Builds the verifier of a group: a `VerifyingKey` from a JWK, a `KeySet` from a
/// JWK Set, or the reason jot refused the key.
pub(crate) fn verifier(json: &Value) -> Result<Box<dyn Verifier>, KeyError> {
    if json.get("keys").is_some() {
        let set = JwkSet::from_json(&json.to_string())?;
        Ok(Box::new(KeySet::from_jwk_set(&set)))
    } else {
        let jwk = Jwk::from_json(&json.to_string())?;
        Ok(Box::new(VerifyingKey::from_jwk_infer(&jwk)?))
    }
}

/// Parses a compact token and verifies its signature for the algorithm its header
/// names (which the key must have been built for).
pub(crate) fn verify_compact(
    verifier: &Result<Box<dyn Verifier>, KeyError>,
    token: &str,
) -> Result<(), String> {
    let verifier = verifier.as_ref().map_err(|e| format!("key refused: {e}"))?;
    let untrusted = UntrustedToken::parse(token).map_err(|e| format!("parse: {e}"))?;
    let alg = untrusted.algorithm().map_err(|e| format!("alg: {e}"))?;
    untrusted
        .verify_signature(alg, verifier.as_ref())
        .map_err(|e| format!("verify: {e}"))
}
