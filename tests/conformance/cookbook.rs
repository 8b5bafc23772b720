//! The JOSE cookbook (RFC 7520, `jose-cookbook/`): the section 4 JWS examples in
//! the compact serialization, those in the JSON serialization only (4.6-4.8, checked
//! in `jws_json.rs`), the detached one (4.5) and the RFC 7797 `b64: false` files
//! (checked in `unencoded.rs`), and every section 3 JWK.
//!
//! Cookbook payloads are text, not JWT claims, so the tokens are verified with
//! `UntrustedToken::verify_signature`. Deterministic algorithms (RS256, HS256,
//! EdDSA) must reproduce the signature byte for byte; PS384 and ES512 are
//! randomized and verified only (plus a fresh signature that must verify).

use jot_algorithms::{
    Algorithm, Jwk, KeyError, Signer, SigningKey, UntrustedToken, Verifier, VerifyingKey, base64url,
};
use serde_json::Value;

use crate::harness::{Tally, ensure, ensure_eq, err, load, str_field, unb64};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// Deterministic: signing must reproduce the signature.
    Reproduce,
    /// Randomized: verify the example, and a fresh signature.
    Verify,
}

/// The compact JWS examples.
const JWS: &[(&str, &str, Mode)] = &[
    (
        "RFC 7520 4.1 (RS256)",
        "jws/4_1.rsa_v15_signature.json",
        Mode::Reproduce,
    ),
    (
        "RFC 7520 4.2 (PS384)",
        "jws/4_2.rsa-pss_signature.json",
        Mode::Verify,
    ),
    (
        "RFC 7520 4.3 (ES512)",
        "jws/4_3.ecdsa_signature.json",
        Mode::Verify,
    ),
    (
        "RFC 7520 4.4 (HS256)",
        "jws/4_4.hmac-sha2_integrity_protection.json",
        Mode::Reproduce,
    ),
    (
        "cookbook curve25519 (EdDSA)",
        "curve25519/jws.json",
        Mode::Reproduce,
    ),
];

/// RFC 7520 section 3 keys with their RFC 7638 thumbprints. RFC 7520 gives none:
/// these were computed independently (Python `hashlib`, RFC 7638 §3) and pin jot's.
const JWKS: &[(&str, &str, &str)] = &[
    (
        "RFC 7520 3.1 (EC P-521 public)",
        "jwk/3_1.ec_public_key.json",
        "dHri3SADZkrush5HU_50AoRhcKFryN-PI6jPBtPL55M",
    ),
    (
        "RFC 7520 3.2 (EC P-521 private)",
        "jwk/3_2.ec_private_key.json",
        "dHri3SADZkrush5HU_50AoRhcKFryN-PI6jPBtPL55M",
    ),
    (
        "RFC 7520 3.3 (RSA public)",
        "jwk/3_3.rsa_public_key.json",
        "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI",
    ),
    (
        "RFC 7520 3.4 (RSA private)",
        "jwk/3_4.rsa_private_key.json",
        "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI",
    ),
    (
        "RFC 7520 3.5 (oct, MAC)",
        "jwk/3_5.symmetric_key_mac_computation.json",
        "RtoRur_1Dir5M4wuOfqNkDYOf9O_4RJ-aHkTA75RLA8",
    ),
    (
        "RFC 7520 3.6 (oct, encryption)",
        "jwk/3_6.symmetric_key_encryption.json",
        "VDMp1ZgGGv1OKgOeDc1EUKHXNQzMdLkCnxPETHdA4v0",
    ),
];

/// The JWS JSON serialization examples (checked in `jws_json.rs`), the detached
/// and the RFC 7797 ones (checked in `unencoded.rs`).
const JSON: &[(&str, &str, Check)] = &[
    (
        "RFC 7520 4.6 (HS256, unprotected kid; general and flattened)",
        "jws/4_6.protecting_specific_header_fields.json",
        crate::jws_json::cookbook_single,
    ),
    (
        "RFC 7520 4.7 (HS256, no protected header; general and flattened)",
        "jws/4_7.protecting_content_only.json",
        crate::jws_json::cookbook_single,
    ),
    (
        "RFC 7520 4.8 (RS256 + ES512 + HS256, general)",
        "jws/4_8.multiple_signatures.json",
        crate::jws_json::cookbook_multiple,
    ),
    (
        "RFC 7520 4.5 (HS256, detached content; compact, general and flattened)",
        "jws/4_5.signature_with_detached_content.json",
        crate::unencoded::cookbook_detached,
    ),
    (
        "cookbook rfc7797 (b64 false, attached compact, general and flattened)",
        "rfc7797/hmac-sha2_b64_false.json",
        crate::unencoded::cookbook_compact,
    ),
    (
        "cookbook rfc7797 4.2 (b64 false without crit: refused, NonCriticalB64)",
        "rfc7797/4.2.hmac-sha2_b64_false.json",
        crate::unencoded::cookbook_without_crit,
    ),
];

type Check = fn(&Value) -> Result<(), String>;

/// What is not a JWS example jot checks, with the reason.
const EXCLUDED: &[(&str, &str)] = &[
    (
        "6.nesting_signatures_and_encryption.json",
        "RFC 7520 6: JWS nested in a JWE; run by the JWE suite (tests/jwe), not this JWS one",
    ),
    (
        "curve25519/ecdh-es.json",
        "X25519 ECDH-ES (JWE); run by the JWE suite (tests/jwe), not this JWS one",
    ),
];

/// The reason for every file of `jwe/`.
const JWE: &str = "RFC 7520 5.1-5.13: JWE; run by the JWE suite (tests/jwe), not this JWS one";

#[test]
fn jws_examples() {
    let mut tally = Tally::new("cookbook", "jose-cookbook/jws, curve25519, rfc7797");
    for &(id, file, mode) in JWS {
        let v: Value = load(&format!("jose-cookbook/{file}"));
        let outcome = jws_example(&v, mode);
        tally.check(id, outcome.is_ok(), || {
            format!("{file}: {}", outcome.err().unwrap_or_default())
        });
    }
    for &(id, file, check) in JSON {
        let v: Value = load(&format!("jose-cookbook/{file}"));
        let outcome = check(&v);
        tally.check(id, outcome.is_ok(), || {
            format!("{file}: {}", outcome.err().unwrap_or_default())
        });
    }
    for &(file, reason) in EXCLUDED {
        tally.exclude(file, reason);
    }
    for file in json_files("jwe") {
        tally.exclude(format!("jwe/{file}"), JWE);
    }
    // Every JSON file of the cookbook is run or excluded (jwk/ by `jwk_examples`).
    let known = |path: &str| {
        JWS.iter().any(|(_, f, _)| *f == path)
            || JSON.iter().any(|(_, f, _)| *f == path)
            || JWKS.iter().any(|(_, f, _)| *f == path)
            || EXCLUDED.iter().any(|(f, _)| *f == path)
            || path.starts_with("jwe/")
    };
    for dir in ["", "jws", "jwk", "jwe", "curve25519", "rfc7797"] {
        for file in json_files(dir) {
            let path = if dir.is_empty() {
                file
            } else {
                format!("{dir}/{file}")
            };
            if !known(&path) {
                tally.problem(format!("jose-cookbook/{path} is neither run nor excluded"));
            }
        }
    }
    tally.finish();
}

/// The JSON files of a cookbook directory, sorted.
fn json_files(dir: &str) -> Vec<String> {
    let path = crate::harness::vectors_dir()
        .join("jose-cookbook")
        .join(dir);
    let mut files: Vec<String> = std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    files.sort();
    files
}

#[test]
fn jwk_examples() {
    let mut tally = Tally::new("cookbook", "jose-cookbook/jwk");
    for &(id, file, thumbprint) in JWKS {
        let text = crate::harness::load_text(&format!("jose-cookbook/{file}"));
        let outcome = Jwk::from_json(&text)
            .map_err(err)
            .and_then(|jwk| jwk_example(file, &jwk, thumbprint));
        tally.check(id, outcome.is_ok(), || {
            format!("{file}: {}", outcome.err().unwrap_or_default())
        });
    }
    tally.finish();
}

fn jws_example(v: &Value, mode: Mode) -> Result<(), String> {
    let input = &v["input"];
    let alg: Algorithm = str_field(input, "alg").parse().map_err(err)?;
    let jwk = Jwk::from_json(&input["key"].to_string()).map_err(err)?;
    ensure(
        (v["reproducible"] == Value::Bool(true)) == (mode == Mode::Reproduce),
        "reproducible flag differs",
    )?;
    let signing = &v["signing"];
    let (sig_input, sig) = (str_field(signing, "sig-input"), str_field(signing, "sig"));
    let compact = str_field(&v["output"], "compact");
    ensure_eq(compact, &format!("{sig_input}.{sig}"), "compact form")?;
    ensure(
        compact.starts_with(&format!("{}.", str_field(signing, "protected_b64u"))),
        "protected header",
    )?;

    // An HMAC secret verifies as itself; other keys through their public half.
    let public_jwk = if jwk.kty == "oct" {
        jwk.clone()
    } else {
        jwk.to_public()
    };
    let public = VerifyingKey::from_jwk(alg, &public_jwk).map_err(err)?;
    let untrusted = UntrustedToken::parse(compact).map_err(err)?;
    ensure(untrusted.algorithm().map_err(err)? == alg, "alg differs")?;
    untrusted.verify_signature(alg, &public).map_err(err)?;
    ensure(
        unb64(untrusted.payload_b64()) == str_field(input, "payload").as_bytes(),
        "payload differs",
    )?;

    let key = SigningKey::from_jwk(alg, &jwk).map_err(err)?;
    let mut fresh = Vec::new();
    key.sign(sig_input.as_bytes(), &mut fresh).map_err(err)?;
    match mode {
        Mode::Reproduce => ensure_eq(&base64url::encode(&fresh), sig, "signature"),
        Mode::Verify => public
            .verify(alg, None, sig_input.as_bytes(), &fresh)
            .map_err(err),
    }
}

fn jwk_example(file: &str, jwk: &Jwk, thumbprint: &str) -> Result<(), String> {
    ensure_eq(
        &jwk.thumbprint().map_err(err)?,
        thumbprint,
        "Jwk::thumbprint",
    )?;
    let key_thumbprint = match (jwk.kty.as_str(), jwk.is_private()) {
        ("EC", false) => {
            let key = VerifyingKey::from_jwk_infer(jwk).map_err(err)?;
            ensure(
                key.algorithm() == Algorithm::ES512,
                "a P-521 key is for ES512",
            )?;
            key.thumbprint()
        }
        ("EC", true) => {
            let key = SigningKey::from_jwk_infer(jwk).map_err(err)?;
            ensure(
                key.algorithm() == Algorithm::ES512,
                "a P-521 key is for ES512",
            )?;
            round_trip(&key)?;
            key.thumbprint()
        }
        ("RSA", private) => {
            // RSA keys do not say which algorithm: jot needs it said.
            let refused = VerifyingKey::from_jwk_infer(jwk);
            ensure(
                matches!(refused, Err(KeyError::AlgorithmRequired { .. })),
                &format!("RSA without alg: {refused:?}"),
            )?;
            if private {
                let key = SigningKey::from_jwk(Algorithm::RS256, jwk).map_err(err)?;
                let exported = key.to_jwk().map_err(err)?;
                for (name, a, b) in [
                    ("n", &exported.n, &jwk.n),
                    ("e", &exported.e, &jwk.e),
                    ("d", &exported.d, &jwk.d),
                    ("p", &exported.p, &jwk.p),
                    ("q", &exported.q, &jwk.q),
                    ("dp", &exported.dp, &jwk.dp),
                    ("dq", &exported.dq, &jwk.dq),
                    ("qi", &exported.qi, &jwk.qi),
                ] {
                    ensure(a == b, &format!("exported {name} differs"))?;
                }
                round_trip(&key)?;
                key.thumbprint()
            } else {
                VerifyingKey::from_jwk(Algorithm::PS256, jwk)
                    .map_err(err)?
                    .thumbprint()
            }
        }
        ("oct", _) if file.contains("encryption") => {
            // `use: enc`, `alg: A256GCM`: never a signing key.
            let refused = SigningKey::from_jwk_infer(jwk);
            ensure(
                matches!(refused, Err(KeyError::JwkUsage { .. })),
                &format!("an enc key must not sign: {refused:?}"),
            )?;
            return Ok(());
        }
        ("oct", _) => {
            let key = SigningKey::from_jwk_infer(jwk).map_err(err)?;
            ensure(
                key.algorithm() == Algorithm::HS256,
                "the MAC key is for HS256",
            )?;
            round_trip(&key)?;
            key.thumbprint()
        }
        (kty, _) => return Err(format!("unexpected kty {kty}")),
    };
    ensure_eq(&key_thumbprint.map_err(err)?, thumbprint, "key thumbprint")
}

/// A signature by the key verifies with its verifying key.
fn round_trip(key: &SigningKey) -> Result<(), String> {
    let mut sig = Vec::new();
    key.sign(b"RFC 7520", &mut sig).map_err(err)?;
    key.verifying_key()
        .verify(key.algorithm(), None, b"RFC 7520", &sig)
        .map_err(err)
}
