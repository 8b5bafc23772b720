//! The JWS JSON serialization examples (RFC 7515 §7.2): RFC 7515 A.6 (general) and
//! A.7 (flattened), RFC 7520 4.6 (unprotected header), 4.7 (no protected header) and
//! 4.8 (three signatures), plus refusals built on 4.8 with its real keys.
//!
//! Each example is parsed with `JwsJson::parse`, verified with the given public keys
//! under `SignaturePolicy::All` (every signature must be reported verified, with its
//! `kid`), then signed again with `JwsJson::sign` from the same headers: for HS*,
//! RS* and EdDSA the protected header, unprotected header and signature must be the
//! example's byte for byte; ECDSA is randomized, so its fresh signature must verify.

use jot_algorithms::{
    Algorithm, Error, HeaderError, Jwk, JwsJson, JwsJsonError, SignaturePolicy, SignatureSpec,
    SigningKey, Validation, Verifier, VerifyError, VerifyingKey, base64url,
};
use serde_json::Value;

use crate::harness::{ensure, ensure_eq, err, load, str_field};

/// The keys of one example; a signature verifies with the key of its algorithm
/// (RFC 7520 4.8 gives its RSA and EC keys the same `kid`, so a `KeySet`, which sets
/// ambiguous `kid`s aside, cannot hold them).
pub(crate) struct Keys(pub(crate) Vec<VerifyingKey>);

impl Verifier for Keys {
    fn verify(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        input: &[u8],
        sig: &[u8],
    ) -> Result<(), VerifyError> {
        let mut outcome = Err(VerifyError::AlgorithmNotAllowed);
        for key in self.0.iter().filter(|k| k.algorithm() == alg) {
            outcome = key.verify(alg, kid, input, sig);
            if outcome.is_ok() {
                break;
            }
        }
        outcome
    }
}

/// One key of an example: its algorithm, private JWK and public key.
pub(crate) struct ExampleKey {
    pub(crate) alg: Algorithm,
    pub(crate) private: Jwk,
}

impl ExampleKey {
    pub(crate) fn new(alg: Algorithm, private: &Value) -> Result<ExampleKey, String> {
        Ok(ExampleKey {
            alg,
            private: Jwk::from_json(&private.to_string()).map_err(err)?,
        })
    }

    fn public(&self) -> Result<VerifyingKey, String> {
        let jwk = if self.private.kty == "oct" {
            self.private.clone()
        } else {
            self.private.to_public()
        };
        VerifyingKey::from_jwk(self.alg, &jwk).map_err(err)
    }

    fn deterministic(&self) -> bool {
        !matches!(
            self.alg,
            Algorithm::ES256 | Algorithm::ES384 | Algorithm::ES512 | Algorithm::ES256K
        ) && !self.alg.as_str().starts_with("PS")
    }
}

/// Checks one JSON serialization (`jws`, as in the file) of `payload` signed by
/// `keys` (in signature order).
pub(crate) fn check_example(
    jws: &Value,
    payload: &[u8],
    keys: &[ExampleKey],
) -> Result<(), String> {
    let flattened = jws.get("signatures").is_none();
    let parsed = JwsJson::parse(&jws.to_string()).map_err(err)?;
    ensure(parsed.is_flattened() == flattened, "flattened or general")?;
    ensure(
        parsed.signatures().len() == keys.len(),
        "number of signatures",
    )?;
    let publics = keys
        .iter()
        .map(ExampleKey::public)
        .collect::<Result<Vec<_>, _>>()?;
    let verified = parsed
        .verify(&Keys(publics), &Validation::new(), SignaturePolicy::All)
        .map_err(err)?;
    ensure(verified.payload() == payload, "payload differs")?;
    for (check, sig) in verified.checks().iter().zip(parsed.signatures()) {
        ensure(check.is_verified(), "a signature is not reported verified")?;
        ensure(check.kid == sig.header().kid, "reported kid")?;
    }
    // Each signature verifies with its own key alone, and is reported by index.
    for (i, key) in keys.iter().enumerate() {
        let alone = parsed
            .verify(&key.public()?, &Validation::new(), SignaturePolicy::Any)
            .map_err(err)?;
        ensure(
            alone.verified().any(|c| c.index == i),
            "signature not verified by its own key",
        )?;
    }
    resign(jws, &parsed, payload, keys)
}

/// Signs `payload` again with the example's headers and compares.
fn resign(
    jws: &Value,
    parsed: &JwsJson,
    payload: &[u8],
    keys: &[ExampleKey],
) -> Result<(), String> {
    let signers = keys
        .iter()
        .map(|k| SigningKey::from_jwk(k.alg, &k.private).map_err(err))
        .collect::<Result<Vec<_>, _>>()?;
    let mut specs = Vec::new();
    for (sig, signer) in parsed.signatures().iter().zip(&signers) {
        let mut spec = SignatureSpec::new(signer).protected(sig.protected_header().clone());
        if let Some(u) = sig.unprotected_header() {
            spec = spec.unprotected(u.clone());
        }
        if !sig.is_algorithm_protected() {
            spec = spec.unprotected_alg();
        }
        specs.push(spec);
    }
    let fresh = JwsJson::sign(payload, &specs).map_err(err)?;
    let fresh_json: Value = serde_json::from_str(&if parsed.is_flattened() {
        fresh.to_flattened_json().map_err(err)?
    } else {
        fresh.to_general_json()
    })
    .map_err(err)?;
    ensure_eq(
        fresh.payload_b64().unwrap_or_default(),
        str_field(jws, "payload"),
        "payload",
    )?;
    let members = |v: &Value| -> Vec<Value> {
        match v.get("signatures") {
            Some(Value::Array(list)) => list.clone(),
            _ => vec![v.clone()],
        }
    };
    for (i, ((mine, theirs), key)) in members(&fresh_json)
        .iter()
        .zip(members(jws))
        .zip(keys)
        .enumerate()
    {
        ensure(
            mine.get("protected") == theirs.get("protected"),
            &format!("signature {i}: protected header"),
        )?;
        ensure(
            mine.get("header") == theirs.get("header"),
            &format!("signature {i}: unprotected header"),
        )?;
        if key.deterministic() {
            ensure_eq(
                str_field(mine, "signature"),
                str_field(&theirs, "signature"),
                &format!("signature {i}"),
            )?;
        }
    }
    let publics = keys
        .iter()
        .map(ExampleKey::public)
        .collect::<Result<Vec<_>, _>>()?;
    JwsJson::parse(&fresh_json.to_string())
        .map_err(err)?
        .verify(&Keys(publics), &Validation::new(), SignaturePolicy::All)
        .map_err(err)?;
    Ok(())
}

/// RFC 7520 4.8's document, payload and keys.
fn cookbook_4_8() -> (Value, Vec<u8>, Vec<ExampleKey>) {
    let v: Value = load("jose-cookbook/jws/4_8.multiple_signatures.json");
    let input = &v["input"];
    let keys = input["key"]
        .as_array()
        .unwrap()
        .iter()
        .zip(input["alg"].as_array().unwrap())
        .map(|(k, a)| ExampleKey::new(a.as_str().unwrap().parse().unwrap(), k).unwrap())
        .collect();
    let payload = str_field(input, "payload").as_bytes().to_vec();
    (v["output"]["json"].clone(), payload, keys)
}

fn set(doc: &mut Value, path: &[&str], index: usize, value: Value) {
    let sig = &mut doc["signatures"][index];
    let mut target = sig;
    for p in &path[..path.len() - 1] {
        target = &mut target[*p];
    }
    target[path[path.len() - 1]] = value;
}

fn b64(json: &str) -> Value {
    base64url::encode(json.as_bytes()).into()
}

fn jws_error(doc: &str) -> JwsJsonError {
    match JwsJson::parse(doc) {
        Err(Error::JwsJson(e)) => e,
        other => panic!("expected a JwsJsonError, got {other:?}"),
    }
}

/// Refusals on RFC 7520 4.8 with its real keys: one tampered signature of three,
/// split headers that overlap, `crit` unprotected, an unknown `alg`, malformed JSON,
/// too many signatures.
#[test]
fn refusals_on_multiple_signatures() {
    let (doc, _, keys) = cookbook_4_8();
    let verifier = Keys(keys.iter().map(|k| k.public().unwrap()).collect());
    let v = Validation::new();

    // A tampered protected header (a member added) fails that signature only.
    let mut tampered = doc.clone();
    set(
        &mut tampered,
        &["protected"],
        0,
        b64(r#"{"alg":"RS256","x":1}"#),
    );
    let jws = JwsJson::parse(&tampered.to_string()).unwrap();
    let checks = jws.check_signatures(&verifier, &v).unwrap();
    assert!(matches!(checks[0].result, Err(Error::InvalidSignature)));
    assert!(checks[1].is_verified() && checks[2].is_verified());
    assert!(jws.verify(&verifier, &v, SignaturePolicy::Any).is_ok());
    assert!(matches!(
        jws.verify(&verifier, &v, SignaturePolicy::All),
        Err(Error::JwsJson(JwsJsonError::SignatureFailed {
            index: 0,
            ..
        }))
    ));
    // So does a tampered payload for all three.
    let mut payload = doc.clone();
    payload["payload"] = "SXQ".into();
    let jws = JwsJson::parse(&payload.to_string()).unwrap();
    assert!(matches!(
        jws.verify(&verifier, &v, SignaturePolicy::Any),
        Err(Error::JwsJson(JwsJsonError::NoValidSignature { total: 3 }))
    ));

    // `kid` both protected and unprotected (signature 2 has it protected).
    let mut both = doc.clone();
    set(&mut both, &["header"], 2, serde_json::json!({"kid": "x"}));
    assert!(matches!(
        jws_error(&both.to_string()),
        JwsJsonError::DuplicateHeaderParameter { index: 2, ref name } if name == "kid"
    ));
    // `alg` both protected and unprotected.
    let mut alg = doc.clone();
    set(&mut alg, &["header", "alg"], 0, "RS256".into());
    assert!(matches!(
        jws_error(&alg.to_string()),
        JwsJsonError::DuplicateHeaderParameter { index: 0, ref name } if name == "alg"
    ));
    // `crit` in an unprotected header.
    let mut crit = doc.clone();
    set(
        &mut crit,
        &["header", "crit"],
        1,
        serde_json::json!(["kid"]),
    );
    assert!(matches!(
        jws_error(&crit.to_string()),
        JwsJsonError::UnprotectedCritical { index: 1 }
    ));
    // An unknown `alg` fails its signature, not the document.
    let mut unknown = doc.clone();
    set(&mut unknown, &["header", "alg"], 1, "ES999".into());
    let jws = JwsJson::parse(&unknown.to_string()).unwrap();
    let checks = jws.check_signatures(&verifier, &v).unwrap();
    assert!(matches!(
        checks[1].result,
        Err(Error::Header(HeaderError::UnsupportedAlgorithm { .. }))
    ));
    assert!(checks[0].is_verified() && checks[2].is_verified());

    // Malformed JSON: truncated, a duplicate member, flattened and general mixed.
    let text = doc.to_string();
    assert!(matches!(
        jws_error(&text[..text.len() - 1]),
        JwsJsonError::Json { .. }
    ));
    let dup = text.replacen('{', r#"{"payload":"SXQ","#, 1);
    assert!(matches!(
        jws_error(&dup),
        JwsJsonError::DuplicateMember { .. }
    ));
    let mut mixed = doc.clone();
    mixed["signature"] = "AAAA".into();
    assert!(matches!(
        jws_error(&mixed.to_string()),
        JwsJsonError::MixedSyntax
    ));

    // Too many signatures: 17 copies of a valid one.
    let mut many = doc.clone();
    let one = many["signatures"][2].clone();
    many["signatures"] = Value::Array(vec![one; JwsJson::MAX_SIGNATURES + 1]);
    assert!(matches!(
        jws_error(&many.to_string()),
        JwsJsonError::TooManySignatures { max: 16 }
    ));
    many["signatures"].as_array_mut().unwrap().pop();
    let jws = JwsJson::parse(&many.to_string()).unwrap();
    assert_eq!(
        jws.verify(&verifier, &v, SignaturePolicy::All)
            .unwrap()
            .verified()
            .count(),
        16
    );
}

/// RFC 7515 A.6: general, RS256 and ES256, `kid` unprotected.
pub(crate) fn rfc7515_a6(v: &Value) -> Result<(), String> {
    let mut keys = Vec::new();
    for sig in v["jws_json"]["signatures"]
        .as_array()
        .ok_or("no signatures")?
    {
        let kid = str_field(&sig["header"], "kid");
        let entry = &v["keys"][kid];
        let private_file: Value = load(&format!("rfc/{}", str_field(entry, "private_jwk_same_as")));
        let key = ExampleKey::new(
            str_field(entry, "alg").parse().map_err(err)?,
            &private_file["jwk"],
        )?;
        // The private key's public half is the one the example lists.
        let listed = VerifyingKey::from_jwk(
            key.alg,
            &Jwk::from_json(&entry["public_jwk"].to_string()).map_err(err)?,
        )
        .map_err(err)?;
        ensure(
            listed.thumbprint().map_err(err)? == key.public()?.thumbprint().map_err(err)?,
            "public key",
        )?;
        keys.push(key);
    }
    check_example(&v["jws_json"], str_field(v, "payload").as_bytes(), &keys)
}

/// RFC 7515 A.7: flattened, ES256.
pub(crate) fn rfc7515_a7(v: &Value) -> Result<(), String> {
    let key = ExampleKey::new(str_field(v, "alg").parse().map_err(err)?, &v["jwk"])?;
    check_example(&v["jws_json"], str_field(v, "payload").as_bytes(), &[key])
}

/// RFC 7520 4.6 and 4.7: one HS256 signature, in both the general and the flattened form.
pub(crate) fn cookbook_single(v: &Value) -> Result<(), String> {
    let input = &v["input"];
    let key = ExampleKey::new(str_field(input, "alg").parse().map_err(err)?, &input["key"])?;
    let payload = str_field(input, "payload").as_bytes();
    check_example(&v["output"]["json"], payload, std::slice::from_ref(&key))?;
    check_example(&v["output"]["json_flat"], payload, &[key])
}

/// RFC 7520 4.8: RS256 (protected), ES512 (unprotected `alg`), HS256 (protected `kid`).
pub(crate) fn cookbook_multiple(_: &Value) -> Result<(), String> {
    let (doc, payload, keys) = cookbook_4_8();
    check_example(&doc, &payload, &keys)
}
