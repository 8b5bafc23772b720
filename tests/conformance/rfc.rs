//! The examples of the RFCs (`rfc/`): RFC 7515 A.1-A.7 (A.6 and A.7, the JSON
//! serialization, in `jws_json.rs`), RFC 7519 §3.1 and §6.1,
//! RFC 7638 §3.1, RFC 7517 A.1 (thumbprint), RFC 8037 A.1-A.5 and RFC 7797 §4.1-4.2.
//!
//! The example tokens expired in 2011, so JWTs are decoded with a `FixedClock` set
//! just before their `exp`. Payloads that are not JWT claims (RFC 7515 A.4, RFC 8037,
//! RFC 7797 §4.1) are verified with `UntrustedToken::verify_signature`; RFC 7797 §4.2
//! (`b64: false`) is checked in `unencoded.rs`.

use jot_algorithms::{
    Algorithm, Claims, Error, FixedClock, Jwk, KeyError, Signer, SigningKey, UntrustedToken,
    Validation, Verifier, VerifyingKey, base64url, unsecured,
};
use serde::Deserialize;
use serde_json::Value;

use crate::harness::{Tally, ensure, ensure_eq, err, load, str_field, unb64, vectors_dir};

/// The custom claim of the RFC 7515/7519 example JWT.
#[derive(Debug, Deserialize)]
struct Root {
    #[serde(rename = "http://example.com/is_root")]
    is_root: bool,
}

type Check = fn(&Value) -> Result<(), String>;

/// Every vector: its id, its file and what is checked.
const VECTORS: &[(&str, &str, Check)] = &[
    ("RFC 7515 A.1 (HS256)", "rfc7515_a1_hs256.json", a1_hs256),
    ("RFC 7515 A.2 (RS256)", "rfc7515_a2_rs256.json", a2_rs256),
    ("RFC 7515 A.3 (ES256)", "rfc7515_a3_es256.json", a3_es256),
    ("RFC 7515 A.4 (ES512)", "rfc7515_a4_es512.json", a4_es512),
    (
        "RFC 7515 A.5 (unsecured)",
        "rfc7515_a5_unsecured_none.json",
        unsecured_jwt,
    ),
    (
        "RFC 7519 §3.1 (JWT)",
        "rfc7519_s3_1_hs256_jwt.json",
        s3_1_jwt,
    ),
    (
        "RFC 7519 §6.1 (unsecured JWT)",
        "rfc7519_s6_1_unsecured_jwt.json",
        unsecured_jwt,
    ),
    (
        "RFC 7638 §3.1 (RSA thumbprint)",
        "rfc7638_s3_1_rsa_thumbprint.json",
        thumbprint_7638,
    ),
    (
        "RFC 7517 A.1 (EC thumbprint)",
        "rfc7517_a1_ec_thumbprint_computed.json",
        thumbprint_7517,
    ),
    (
        "RFC 8037 A.1 (Ed25519 private JWK)",
        "rfc8037_a1_a5_ed25519.json",
        ed25519_a1,
    ),
    (
        "RFC 8037 A.2 (Ed25519 public JWK)",
        "rfc8037_a1_a5_ed25519.json",
        ed25519_a2,
    ),
    (
        "RFC 8037 A.3 (Ed25519 thumbprint)",
        "rfc8037_a1_a5_ed25519.json",
        ed25519_a3,
    ),
    (
        "RFC 8037 A.4 (Ed25519 signing)",
        "rfc8037_a1_a5_ed25519.json",
        ed25519_a4,
    ),
    (
        "RFC 8037 A.5 (Ed25519 validation)",
        "rfc8037_a1_a5_ed25519.json",
        ed25519_a5,
    ),
    (
        "RFC 7515 A.6 (general JSON)",
        "rfc7515_a6_general_json.json",
        crate::jws_json::rfc7515_a6,
    ),
    (
        "RFC 7515 A.7 (flattened JSON)",
        "rfc7515_a7_flattened_json.json",
        crate::jws_json::rfc7515_a7,
    ),
    (
        "RFC 7797 §4.1 (b64 absent)",
        "rfc7797_s4_1_hs256_b64_true.json",
        b64_true,
    ),
    (
        "RFC 7797 §4.2 (b64 false: reproduced and verified, detached compact and JSON)",
        "rfc7797_s4_2_hs256_b64_false.json",
        crate::unencoded::rfc_s4_2,
    ),
];

/// Files of `rfc/` that are not JWS examples.
const EXCLUDED: &[(&str, &str)] = &[
    (
        "rfc7516_appendix_a_jwe.json",
        "RFC 7516: JWE; run by the JWE suite (tests/jwe), not this JWS one",
    ),
    (
        "rfc7518_c_ecdh_es_concat_kdf.json",
        "RFC 7518 C: ECDH-ES key agreement (JWE); run by the JWE suite (tests/jwe), not this JWS one",
    ),
    (
        "rfc7519_a1_encrypted_jwt.json",
        "RFC 7519 A.1: encrypted JWT (JWE); the JWS suite refuses it as Error::Encrypted (asserted), the JWE suite (tests/jwe) decrypts it",
    ),
    (
        "rfc7519_a2_nested_jwt.json",
        "RFC 7519 A.2: nested JWT in a JWE; the JWS suite refuses it as Error::Encrypted (asserted), the JWE suite (tests/jwe) decrypts it; the inner token is RFC 7515 A.2",
    ),
    (
        "rfc8037_a6_x25519_ecdh_es.json",
        "RFC 8037 A.6: X25519 ECDH-ES (JWE); run by the JWE suite (tests/jwe), not this JWS one",
    ),
    (
        "rfc8037_a7_x448_ecdh_es.json",
        "RFC 8037 A.7: X448 ECDH-ES (JWE); run by the JWE suite (tests/jwe), not this JWS one",
    ),
];

#[test]
fn rfc_examples() {
    let mut tally = Tally::new("rfc", "rfc/");
    for &(id, file, check) in VECTORS {
        let json: Value = load(&format!("rfc/{file}"));
        let outcome = check(&json);
        tally.check(id, outcome.is_ok(), || {
            format!("{file}: {}", outcome.err().unwrap_or_default())
        });
    }
    for &(file, reason) in EXCLUDED {
        let json: Value = load(&format!("rfc/{file}"));
        if file.starts_with("rfc7519_a") {
            let token = str_field(&json, "token");
            let refused = jot_codec::decode_with_clock::<(), _, _>(
                token,
                &hs256_key(),
                &Validation::new(),
                &FixedClock::at(0),
            );
            if !matches!(refused, Err(Error::Encrypted)) {
                tally.problem(format!(
                    "{file}: a JWE must be refused as Error::Encrypted, got {refused:?}"
                ));
            }
        }
        tally.exclude(file, reason);
    }
    // Every file of rfc/ is either run or excluded.
    let mut files: Vec<String> = std::fs::read_dir(vectors_dir().join("rfc"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    files.sort();
    for file in files {
        let known =
            VECTORS.iter().any(|(_, f, _)| *f == file) || EXCLUDED.iter().any(|(f, _)| *f == file);
        if !known {
            tally.problem(format!("rfc/{file} is neither run nor excluded"));
        }
    }
    tally.finish();
}

/// RFC 7515 A.1: decode with the example HMAC key, and reproduce the MAC.
fn a1_hs256(v: &Value) -> Result<(), String> {
    same_header(v)?;
    let key = VerifyingKey::from_jwk(Algorithm::HS256, &jwk(v, "jwk")?).map_err(err)?;
    let token = decode_example(str_field(v, "token"), &key)?;
    ensure(token.header.typ.as_deref() == Some("JWT"), "typ is not JWT")?;
    reproduce(
        v,
        &SigningKey::from_jwk(Algorithm::HS256, &jwk(v, "jwk")?).map_err(err)?,
    )
}

/// RFC 7515 A.2: decode with the public key; RS256 is deterministic, so signing
/// with the private key reproduces the signature.
fn a2_rs256(v: &Value) -> Result<(), String> {
    same_header(v)?;
    let key = VerifyingKey::from_jwk(Algorithm::RS256, &jwk(v, "public_jwk")?).map_err(err)?;
    decode_example(str_field(v, "token"), &key)?;
    reproduce(
        v,
        &SigningKey::from_jwk(Algorithm::RS256, &jwk(v, "jwk")?).map_err(err)?,
    )
}

/// RFC 7515 A.3: decode with the public key; ECDSA is randomized, so a fresh
/// signature by the private key must verify.
fn a3_es256(v: &Value) -> Result<(), String> {
    same_header(v)?;
    let key = VerifyingKey::from_jwk_infer(&jwk(v, "public_jwk")?).map_err(err)?;
    decode_example(str_field(v, "token"), &key)?;
    sign_and_verify(v, Algorithm::ES256, &key)
}

/// RFC 7515 A.4: the payload is the text "Payload", not claims: signature only.
fn a4_es512(v: &Value) -> Result<(), String> {
    same_header(v)?;
    let key = VerifyingKey::from_jwk_infer(&jwk(v, "public_jwk")?).map_err(err)?;
    verify_token(str_field(v, "token"), Algorithm::ES512, &key)?;
    ensure(
        unb64(str_field(v, "payload_b64u")) == b"Payload",
        "payload is not \"Payload\"",
    )?;
    sign_and_verify(v, Algorithm::ES512, &key)
}

/// RFC 7515 A.5 / RFC 7519 §6.1: readable only through `unsecured`; `decode`
/// refuses it whatever the key.
fn unsecured_jwt(v: &Value) -> Result<(), String> {
    let token = str_field(v, "token");
    let validation = Validation::new();
    let read =
        unsecured::decode::<Root, _>(token, &validation, &before_exp(token)?).map_err(err)?;
    ensure(
        read.claims.iss.as_deref() == Some("joe") && read.claims.custom.is_root,
        "claims differ",
    )?;
    let refused = jot_codec::decode_with_clock::<Root, _, _>(
        token,
        &hs256_key(),
        &validation,
        &before_exp(token)?,
    );
    ensure(
        matches!(refused, Err(Error::Unsecured)),
        &format!("decode must refuse alg none, got {refused:?}"),
    )?;
    let untrusted = UntrustedToken::parse(token).map_err(err)?;
    ensure(
        matches!(untrusted.algorithm(), Err(Error::Unsecured)),
        "algorithm() must refuse none",
    )
}

/// RFC 7519 §3.1: the same JWT as RFC 7515 A.1; its claims as the RFC lists them.
fn s3_1_jwt(v: &Value) -> Result<(), String> {
    let key = VerifyingKey::from_jwk(Algorithm::HS256, &jwk(v, "jwk")?).map_err(err)?;
    let token = decode_example(str_field(v, "token"), &key)?;
    let claims = &v["claims"];
    ensure(
        token.claims.iss.as_deref() == claims["iss"].as_str(),
        "iss differs",
    )?;
    ensure(
        token.claims.exp.map(|e| e.seconds()) == claims["exp"].as_u64(),
        "exp differs",
    )?;
    ensure(
        Some(token.claims.custom.is_root) == claims["http://example.com/is_root"].as_bool(),
        "is_root differs",
    )?;
    let expired = jot_codec::decode_with_clock::<Root, _, _>(
        str_field(v, "token"),
        &key,
        &Validation::new(),
        &FixedClock::at(1_700_000_000),
    );
    ensure(
        matches!(expired, Err(Error::Expired { .. })),
        "must be expired today",
    )
}

/// RFC 7638 §3.1: the thumbprint of the RFC 7517 A.1 RSA key (`alg`, `kid` ignored).
fn thumbprint_7638(v: &Value) -> Result<(), String> {
    let jwk = jwk(v, "jwk")?;
    let expected = str_field(v, "thumbprint_b64u");
    ensure_eq(&jwk.thumbprint().map_err(err)?, expected, "Jwk::thumbprint")?;
    let key = VerifyingKey::from_jwk_infer(&jwk).map_err(err)?;
    ensure_eq(
        &key.thumbprint().map_err(err)?,
        expected,
        "VerifyingKey::thumbprint",
    )?;
    let key = key.with_thumbprint_kid().map_err(err)?;
    ensure_eq(
        key.kid().unwrap_or_default(),
        expected,
        "with_thumbprint_kid",
    )
}

/// RFC 7517 A.1 EC key (`use: enc`): its thumbprint; as an encryption key it
/// never verifies signatures.
fn thumbprint_7517(v: &Value) -> Result<(), String> {
    let jwk = jwk(v, "jwk")?;
    ensure_eq(
        &jwk.thumbprint().map_err(err)?,
        str_field(v, "thumbprint_b64u"),
        "Jwk::thumbprint",
    )?;
    let refused = VerifyingKey::from_jwk_infer(&jwk);
    ensure(
        matches!(refused, Err(KeyError::JwkUsage { .. })),
        &format!("an enc key must not verify: {refused:?}"),
    )
}

/// RFC 8037 A.1: the private key loads for EdDSA and its public half is A.2's.
fn ed25519_a1(v: &Value) -> Result<(), String> {
    let key = SigningKey::from_jwk_infer(&jwk(v, "a1_private_jwk")?).map_err(err)?;
    ensure(key.algorithm() == Algorithm::EdDSA, "not EdDSA")?;
    let public = key.verifying_key().to_jwk().map_err(err)?;
    ensure_eq(
        public.x.as_deref().unwrap_or_default(),
        str_field(&v["a2_public_jwk"], "x"),
        "public x",
    )
}

/// RFC 8037 A.2: the public key loads for EdDSA.
fn ed25519_a2(v: &Value) -> Result<(), String> {
    let key = VerifyingKey::from_jwk_infer(&jwk(v, "a2_public_jwk")?).map_err(err)?;
    ensure(key.algorithm() == Algorithm::EdDSA, "not EdDSA")
}

/// RFC 8037 A.3: the thumbprint of the public key.
fn ed25519_a3(v: &Value) -> Result<(), String> {
    let expected = str_field(&v["a3_thumbprint"], "thumbprint_b64u");
    ensure_eq(
        &jwk(v, "a2_public_jwk")?.thumbprint().map_err(err)?,
        expected,
        "Jwk::thumbprint",
    )?;
    let key = SigningKey::from_jwk_infer(&jwk(v, "a1_private_jwk")?).map_err(err)?;
    ensure_eq(
        &key.thumbprint().map_err(err)?,
        expected,
        "SigningKey::thumbprint",
    )
}

/// RFC 8037 A.4: Ed25519 is deterministic: signing reproduces the signature.
fn ed25519_a4(v: &Value) -> Result<(), String> {
    let a4 = &v["a4_signing"];
    let key = SigningKey::from_jwk_infer(&jwk(v, "a1_private_jwk")?).map_err(err)?;
    let mut sig = Vec::new();
    key.sign(str_field(a4, "signing_input").as_bytes(), &mut sig)
        .map_err(err)?;
    ensure_eq(
        &base64url::encode(&sig),
        str_field(a4, "signature_b64u"),
        "signature",
    )?;
    ensure_eq(
        &format!(
            "{}.{}",
            str_field(a4, "signing_input"),
            base64url::encode(&sig)
        ),
        str_field(a4, "token"),
        "token",
    )
}

/// RFC 8037 A.5: the token verifies with the public key.
fn ed25519_a5(v: &Value) -> Result<(), String> {
    let a5 = &v["a5_validation"];
    let key = VerifyingKey::from_jwk_infer(&jwk(a5, "public_jwk")?).map_err(err)?;
    verify_token(str_field(a5, "token"), Algorithm::EdDSA, &key)
}

/// RFC 7797 §4.1: an ordinary JWS (payload "$.02"), for comparison with §4.2.
fn b64_true(v: &Value) -> Result<(), String> {
    let key = VerifyingKey::from_jwk(Algorithm::HS256, &jwk(v, "jwk")?).map_err(err)?;
    verify_token(str_field(v, "token"), Algorithm::HS256, &key)?;
    reproduce(
        v,
        &SigningKey::from_jwk(Algorithm::HS256, &jwk(v, "jwk")?).map_err(err)?,
    )
}

/// Decodes an example JWT just before its `exp`, checking its claims.
fn decode_example(token: &str, key: &VerifyingKey) -> Result<jot_algorithms::Token<Root>, String> {
    let decoded = jot_codec::decode_with_clock::<Root, _, _>(
        token,
        key,
        &Validation::new(),
        &before_exp(token)?,
    )
    .map_err(|e| format!("decode: {e}"))?;
    ensure(decoded.algorithm == key.algorithm(), "algorithm differs")?;
    ensure(
        decoded.claims.iss.as_deref() == Some("joe"),
        "iss is not joe",
    )?;
    ensure(decoded.claims.custom.is_root, "is_root is not true")?;
    Ok(decoded)
}

/// A clock one second before the token's `exp` (read without verification).
fn before_exp(token: &str) -> Result<FixedClock, String> {
    let (_, claims): (_, Claims<()>) =
        jot_algorithms::dangerous::decode_unverified(token).map_err(err)?;
    let exp = claims.exp.ok_or("no exp")?;
    Ok(FixedClock::at(exp.seconds() - 1))
}

/// Verifies a compact token's signature only.
fn verify_token(token: &str, alg: Algorithm, key: &VerifyingKey) -> Result<(), String> {
    let untrusted = UntrustedToken::parse(token).map_err(err)?;
    ensure(untrusted.algorithm().map_err(err)? == alg, "alg differs")?;
    untrusted.verify_signature(alg, key).map_err(err)
}

/// Signing the example's signing input reproduces its signature exactly.
fn reproduce(v: &Value, key: &SigningKey) -> Result<(), String> {
    let mut sig = Vec::new();
    key.sign(str_field(v, "signing_input").as_bytes(), &mut sig)
        .map_err(err)?;
    ensure_eq(
        &base64url::encode(&sig),
        str_field(v, "signature_b64u"),
        "signature",
    )
}

/// A fresh signature of the example's signing input verifies with the public key.
fn sign_and_verify(v: &Value, alg: Algorithm, public: &VerifyingKey) -> Result<(), String> {
    let key = SigningKey::from_jwk(alg, &jwk(v, "jwk")?).map_err(err)?;
    let input = str_field(v, "signing_input").as_bytes();
    let mut sig = Vec::new();
    key.sign(input, &mut sig).map_err(err)?;
    public.verify(alg, None, input, &sig).map_err(err)
}

/// The protected header decodes to exactly the RFC's octets (A.1 has CRLFs).
fn same_header(v: &Value) -> Result<(), String> {
    let header = unb64(str_field(v, "protected_b64u"));
    ensure(
        header == str_field(v, "protected_header").as_bytes(),
        "protected header octets differ",
    )?;
    ensure(
        str_field(v, "token").starts_with(str_field(v, "signing_input")),
        "token does not start with the signing input",
    )
}

/// The example key for `decode` calls that must fail before any key is used.
fn hs256_key() -> VerifyingKey {
    VerifyingKey::hmac(Algorithm::HS256, [0x5a; 32]).unwrap()
}

fn jwk(v: &Value, field: &str) -> Result<Jwk, String> {
    Jwk::from_json(&v[field].to_string()).map_err(|e| format!("{field}: {e}"))
}
