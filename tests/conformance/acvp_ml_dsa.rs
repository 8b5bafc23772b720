//! NIST's ACVP test vectors for ML-DSA (FIPS 204: keyGen, sigGen, sigVer), as the
//! source distribution of dilithium-py 1.5.1 ships them (`assets/ML-DSA-*-FIPS204/
//! internalProjection.json`, ACVP-Server release 1.1.0.35). The archive is fetched
//! once by `deps::ensure_sdist` into a cache under the target directory; nothing
//! of it is copied into the repository.
//!
//! What goes through JOSE and what cannot:
//!
//! - keyGen: every vector runs through jot's public API: the seed as the `priv` of
//!   an AKP JWK (RFC 9964), and the public key jot derives must be the vector's `pk`
//!   (jot also refuses the JWK when its `pub` is another key's).
//! - sigGen and sigVer: these vectors of this ACVP release are for the *internal*
//!   interface (`ML-DSA.Sign_internal`/`Verify_internal` on the message as given,
//!   with the expanded private key), which JOSE never uses: RFC 9964 signs with the
//!   external, pure interface and an empty context, from the seed. They are counted
//!   as outside the JOSE profile and run one level down, on the `ml-dsa` crate jot
//!   signs and verifies with. The sigVer public keys also go through jot's AKP JWK
//!   import. jot's own pure, deterministic signing is checked byte for byte against
//!   dilithium-py in `dilithium_py.rs` of the CLI tests and below.

use std::path::PathBuf;

use jot_algorithms::{Algorithm, Jwk, KeyError, SigningKey, VerifyingKey, base64url};
use serde_json::Value;

use crate::deps::{ACVP_ML_DSA_SDIST, ensure_sdist};
use crate::harness::{Tally, unhex};

/// The unpacked sdist's `assets` directory, downloaded on first use.
fn assets() -> PathBuf {
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("acvp");
    match ensure_sdist(ACVP_ML_DSA_SDIST, &cache) {
        Ok(dir) => dir.join("assets"),
        Err(e) => panic!("the ACVP ML-DSA vectors could not be fetched: {e}"),
    }
}

fn load(suite: &str) -> Value {
    let file = assets().join(suite).join("internalProjection.json");
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", file.display()))
}

fn algorithm(group: &Value) -> Algorithm {
    let name = group["parameterSet"].as_str().expect("parameterSet");
    name.parse()
        .unwrap_or_else(|_| panic!("unknown parameter set {name}"))
}

fn groups(file: &Value) -> &Vec<Value> {
    file["testGroups"].as_array().expect("testGroups")
}

fn tests(group: &Value) -> &Vec<Value> {
    group["tests"].as_array().expect("tests")
}

fn hex_field(v: &Value, field: &str) -> Vec<u8> {
    unhex(v[field].as_str().unwrap_or_else(|| panic!("no {field}")))
}

fn akp_jwk(alg: Algorithm, public: &[u8], seed: Option<&[u8]>) -> Jwk {
    let mut json = serde_json::json!({
        "kty": "AKP",
        "alg": alg.as_str(),
        "pub": base64url::encode(public),
    });
    if let Some(seed) = seed {
        json["priv"] = base64url::encode(seed).into();
    }
    json.to_string().parse().expect("an AKP JWK")
}

#[test]
fn acvp_ml_dsa_key_generation_through_jwk_import() {
    let file = load("ML-DSA-keyGen-FIPS204");
    let mut tally = Tally::new("ACVP ML-DSA keyGen (JOSE: AKP JWK)", "dilithium-py 1.5.1");
    for group in groups(&file) {
        let alg = algorithm(group);
        for test in tests(group) {
            let id = &test["tcId"];
            let seed = hex_field(test, "seed");
            let pk = hex_field(test, "pk");
            let outcome = (|| -> Result<(), String> {
                let key = SigningKey::from_jwk_infer(&akp_jwk(alg, &pk, Some(&seed)))
                    .map_err(|e| e.to_string())?;
                let jwk = key.to_jwk().map_err(|e| e.to_string())?;
                if key.algorithm() != alg || jwk.public.as_deref() != Some(&base64url::encode(&pk))
                {
                    return Err("jot derived another public key".into());
                }
                // The same seed with a public key that is not its own is refused.
                let mut other = pk.clone();
                other[40] ^= 1;
                match SigningKey::from_jwk_infer(&akp_jwk(alg, &other, Some(&seed))) {
                    Err(KeyError::InconsistentKey) => Ok(()),
                    other => Err(format!("a mismatched pub gave {other:?}")),
                }
            })();
            tally.check(id, outcome.is_ok(), || format!("{alg}: {outcome:?}"));
        }
    }
    assert!(tally.ran >= 75, "only {} keyGen vectors ran", tally.ran);
    tally.finish();
}

#[test]
fn acvp_ml_dsa_signature_verification() {
    let file = load("ML-DSA-sigVer-FIPS204");
    let mut through_jot = Tally::new(
        "ACVP ML-DSA sigVer public keys (JOSE: AKP JWK import)",
        "dilithium-py 1.5.1",
    );
    let mut internal = Tally::new(
        "ACVP ML-DSA sigVer (internal interface, outside the JOSE profile: run on the ml-dsa crate)",
        "dilithium-py 1.5.1",
    );
    for group in groups(&file) {
        let alg = algorithm(group);
        let pk = hex_field(group, "pk");
        let imported = VerifyingKey::from_jwk_infer(&akp_jwk(alg, &pk, None));
        through_jot.check(group["tgId"].clone(), imported.is_ok(), || {
            format!("{alg}: {imported:?}")
        });
        for test in tests(group) {
            let expected = test["testPassed"].as_bool().expect("testPassed");
            let message = hex_field(test, "message");
            let signature = hex_field(test, "signature");
            let got = internal_verify(alg, &pk, &message, &signature);
            internal.check(&test["tcId"], got == expected, || {
                format!(
                    "{alg} ({}): verified {got}, expected {expected}",
                    test["reason"].as_str().unwrap_or("")
                )
            });
        }
    }
    assert!(
        internal.ran >= 45,
        "only {} sigVer vectors ran",
        internal.ran
    );
    through_jot.finish();
    internal.finish();
}

#[test]
fn acvp_ml_dsa_signature_generation() {
    let file = load("ML-DSA-sigGen-FIPS204");
    let mut internal = Tally::new(
        "ACVP ML-DSA sigGen (internal interface, outside the JOSE profile: run on the ml-dsa crate)",
        "dilithium-py 1.5.1",
    );
    for group in groups(&file) {
        let alg = algorithm(group);
        let deterministic = group["deterministic"].as_bool().expect("deterministic");
        for test in tests(group) {
            let sk = hex_field(test, "sk");
            let message = hex_field(test, "message");
            let expected = hex_field(test, "signature");
            let rnd = if deterministic {
                [0u8; 32]
            } else {
                hex_field(test, "rnd").try_into().expect("a 32-byte rnd")
            };
            let got = internal_sign(alg, &sk, &message, &rnd);
            internal.check(&test["tcId"], got == expected, || {
                format!("{alg} (deterministic: {deterministic}): another signature")
            });
        }
    }
    assert!(
        internal.ran >= 60,
        "only {} sigGen vectors ran",
        internal.ran
    );
    internal.finish();
}

/// `ML-DSA.Verify_internal` (FIPS 204 Algorithm 8) on the `ml-dsa` crate.
fn internal_verify(alg: Algorithm, pk: &[u8], message: &[u8], signature: &[u8]) -> bool {
    fn run<P: ml_dsa::MlDsaParams>(pk: &[u8], message: &[u8], signature: &[u8]) -> bool {
        let Ok(encoded) = ml_dsa::EncodedVerifyingKey::<P>::try_from(pk) else {
            return false;
        };
        let key = ml_dsa::VerifyingKey::<P>::decode(&encoded);
        match ml_dsa::Signature::<P>::try_from(signature) {
            Ok(signature) => key.verify_internal(message, &signature),
            Err(_) => false,
        }
    }
    match alg {
        Algorithm::MlDsa44 => run::<ml_dsa::MlDsa44>(pk, message, signature),
        Algorithm::MlDsa65 => run::<ml_dsa::MlDsa65>(pk, message, signature),
        Algorithm::MlDsa87 => run::<ml_dsa::MlDsa87>(pk, message, signature),
        _ => unreachable!("an ML-DSA parameter set"),
    }
}

/// `ML-DSA.Sign_internal` (FIPS 204 Algorithm 7) on the `ml-dsa` crate, from the
/// expanded private key the vectors give.
fn internal_sign(alg: Algorithm, sk: &[u8], message: &[u8], rnd: &[u8; 32]) -> Vec<u8> {
    #[allow(deprecated)] // the vectors carry expanded keys, not seeds
    fn run<P: ml_dsa::MlDsaParams>(sk: &[u8], message: &[u8], rnd: &[u8; 32]) -> Vec<u8> {
        let encoded = ml_dsa::ExpandedSigningKeyBytes::<P>::try_from(sk).expect("an expanded key");
        let key = ml_dsa::ExpandedSigningKey::<P>::from_expanded(&encoded);
        let rnd = ml_dsa::B32::from(*rnd);
        key.sign_internal(&[message], &rnd).encode().to_vec()
    }
    match alg {
        Algorithm::MlDsa44 => run::<ml_dsa::MlDsa44>(sk, message, rnd),
        Algorithm::MlDsa65 => run::<ml_dsa::MlDsa65>(sk, message, rnd),
        Algorithm::MlDsa87 => run::<ml_dsa::MlDsa87>(sk, message, rnd),
        _ => unreachable!("an ML-DSA parameter set"),
    }
}
