//! The RFC examples: RFC 7516 Appendix A, RFC 7518 Appendix C, RFC 7519 A.1–A.2,
//! RFC 8037 A.6.

use jot_algorithms::{Algorithm, VerifyingKey};
use jot_jwe::{
    DecryptionKey, DecryptionKeySet, DecryptionPolicy, FixedClock, KeyAlgorithm, Validation,
    decrypt, decrypt_claims, decrypt_json, decrypt_then_verify_with, hazmat,
};
use serde_json::Value;

use crate::harness::{Tally, load, str_field, unb64, unhex};
use crate::{jwk, key_for};

#[test]
fn rfc7516_appendix_a() {
    let file: Value = load("rfc/rfc7516_appendix_a_jwe.json");
    let mut tally = Tally::new("RFC 7516 Appendix A", "rfc/rfc7516_appendix_a_jwe.json");
    let examples = file["examples"].as_array().unwrap();
    tally.expect_total(examples.len());
    for ex in examples {
        let id = str_field(ex, "source");
        let Some(compact) = ex["compact"].as_str() else {
            let (ok, detail) = json_example(ex);
            tally.check(id, ok, || detail);
            continue;
        };
        let key = key_for(str_field(ex, "alg"), &ex["jwk"]);
        let out = decrypt(&key, compact, &DecryptionPolicy::new());
        let ok = matches!(&out, Ok(d) if d.plaintext == str_field(ex, "plaintext").as_bytes());
        tally.check(id, ok, || format!("{out:?}"));
    }
    tally.finish();
}

/// A.4 (general, two recipients: RSA1_5 and A128KW, with a shared unprotected `jku`)
/// and A.5 (flattened, A128KW): each recipient's key decrypts its own recipient, alone
/// and from a key set holding both.
fn json_example(ex: &Value) -> (bool, String) {
    let doc = &ex["jwe_json"];
    let text = doc.to_string();
    let plaintext = str_field(ex, "plaintext").as_bytes();
    let recipients: Vec<&Value> = match doc["recipients"].as_array() {
        Some(list) => list.iter().map(|r| &r["header"]).collect(),
        None => vec![&doc["header"]],
    };
    let mut keys = Vec::new();
    for header in recipients {
        let (alg, kid) = (str_field(header, "alg"), str_field(header, "kid"));
        let jwk = ex.get("keys").map_or(&ex["jwk"], |keys| &keys[kid]);
        keys.push(key_for(alg, jwk).with_kid(kid));
    }
    let policy = DecryptionPolicy::new();
    let mut detail = Vec::new();
    let mut ok = true;
    for (i, key) in keys.iter().enumerate() {
        let out = decrypt_json(key, &text, &policy);
        ok &= matches!(&out, Ok(d) if d.plaintext == plaintext && d.recipient == i
            && d.header.get("jku").is_some());
        detail.push(format!("{out:?}"));
    }
    let set = DecryptionKeySet::from_keys(keys);
    let out = decrypt_json(&set, &text, &policy);
    ok &= matches!(&out, Ok(d) if d.plaintext == plaintext);
    detail.push(format!("set: {out:?}"));
    (ok, detail.join("; "))
}

#[test]
fn rfc7518_appendix_c_concat_kdf() {
    let path = "rfc/rfc7518_c_ecdh_es_concat_kdf.json";
    let v: Value = load(path);
    let mut tally = Tally::new("RFC 7518 Appendix C", path);
    let bob = key_for("ECDH-ES", &v["bob_private_jwk"]);
    let z = hazmat::ecdh_shared_secret(&bob, &v["protected_header"]["epk"]).unwrap();
    let expected_z: Vec<u8> = v["Z_octets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_u64().unwrap() as u8)
        .collect();
    tally.check("Z", z == expected_z, || format!("Z = {z:?}"));
    let key = hazmat::concat_kdf(&z, "A128GCM", b"Alice", b"Bob", 16);
    tally.check(
        "derived key",
        key.as_slice() == unb64(str_field(&v, "derived_key_b64u")),
        || "derived key differs".into(),
    );
    tally.finish();
}

#[test]
fn rfc7519_a1_encrypted_jwt() {
    let path = "rfc/rfc7519_a1_encrypted_jwt.json";
    let v: Value = load(path);
    let mut tally = Tally::new("RFC 7519 A.1", path);
    let key = key_for("RSA1_5", &v["jwk"]);
    let token = str_field(&v, "token");
    let out = decrypt(&key, token, &DecryptionPolicy::new()).unwrap();
    tally.check(
        "plaintext",
        out.plaintext == str_field(&v, "plaintext_claims_set").as_bytes(),
        || "plaintext differs".into(),
    );
    let clock = FixedClock::at(1_300_819_000);
    let claims = decrypt_claims::<Value>(
        &key,
        token,
        &DecryptionPolicy::new(),
        &Validation::new(),
        &clock,
    );
    let ok = matches!(&claims, Ok(c) if c.claims.iss.as_deref() == Some("joe")
        && c.claims.custom["http://example.com/is_root"] == true);
    tally.check("claims", ok, || format!("{claims:?}"));
    // exp is 1300819380: an hour later it has expired.
    let late = decrypt_claims::<Value>(
        &key,
        token,
        &DecryptionPolicy::new(),
        &Validation::new(),
        &FixedClock::at(1_300_822_980),
    );
    tally.check(
        "expired",
        matches!(
            late,
            Err(jot_jwe::Error::Jwt(jot_codec::Error::Expired { .. }))
        ),
        || format!("{late:?}"),
    );
    tally.finish();
}

#[test]
fn rfc7519_a2_nested_jwt() {
    let path = "rfc/rfc7519_a2_nested_jwt.json";
    let v: Value = load(path);
    let mut tally = Tally::new("RFC 7519 A.2", path);
    let key = key_for("RSA1_5", &v["outer"]["decryption_jwk"]);
    let verifier =
        VerifyingKey::from_jwk(Algorithm::RS256, &jwk(&v["inner"]["verification_jwk"])).unwrap();
    let out = decrypt_then_verify_with::<Value>(
        &key,
        &verifier,
        str_field(&v, "token"),
        &DecryptionPolicy::new(),
        &Validation::new(),
        &FixedClock::at(1_300_819_000),
    );
    let ok = matches!(&out, Ok(n) if n.token.claims.iss.as_deref() == Some("joe")
        && n.token.algorithm == Algorithm::RS256 && n.jwe_header.is_nested());
    tally.check("nested", ok, || format!("{out:?}"));
    let inner = decrypt(&key, str_field(&v, "token"), &DecryptionPolicy::new()).unwrap();
    tally.check(
        "inner token",
        inner.plaintext == str_field(&v["inner"], "token").as_bytes(),
        || "inner JWS differs".into(),
    );
    tally.finish();
}

#[test]
fn rfc8037_a6_x25519() {
    let path = "rfc/rfc8037_a6_x25519_ecdh_es.json";
    let v: Value = load(path);
    let mut tally = Tally::new("RFC 8037 A.6", path);
    let mut bob = v["recipient_public_jwk"].clone();
    bob["d"] = v["recipient_private_d_b64u_not_in_rfc8037"].clone();
    let key = DecryptionKey::from_jwk(KeyAlgorithm::ECDH_ES_A128KW, &jwk(&bob)).unwrap();
    let z = hazmat::ecdh_shared_secret(&key, &v["ephemeral_public_jwk"]).unwrap();
    tally.check(
        "Z",
        z == unhex(str_field(&v, "shared_secret_Z_hex")),
        || format!("{z:?}"),
    );
    tally.finish();
}
