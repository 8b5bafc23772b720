//! The fully-specified EdDSA algorithms of RFC 9864, `Ed25519` and `Ed448`: an OKP key
//! serves the polymorphic `EdDSA` or the algorithm of its own curve, never the other
//! curve's, and a key bound to one of them verifies only tokens of that one.

// Test helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jot_algorithms::{
    Algorithm, Claims, Error, Header, Jwk, KeyError, KeySet, OkpCurve, Signer, SigningKey,
    Validation, Verifier, VerifyError, VerifyingKey, decode, encode, supports,
};

/// An Ed25519 key made by `openssl genpkey -algorithm ed25519`.
const ED25519_PKCS8: &[u8] = include_bytes!("data/ed25519.pkcs8.pem");
/// Its public key.
const ED25519_SPKI: &[u8] = include_bytes!("data/ed25519.spki.pem");
/// An Ed448 key made by `openssl genpkey -algorithm ed448`.
const ED448_PKCS8: &[u8] = include_bytes!("data/ed448.pkcs8.pem");
/// Its public key.
const ED448_SPKI: &[u8] = include_bytes!("data/ed448.spki.pem");

/// The same private key bound to `alg`, without a key id.
fn rebind(key: &SigningKey, alg: Algorithm) -> SigningKey {
    SigningKey::from_der(alg, key.to_pkcs8_der().unwrap()).unwrap()
}

fn sign(key: &SigningKey, input: &[u8]) -> Vec<u8> {
    let mut sig = Vec::new();
    key.sign(input, &mut sig).unwrap();
    sig
}

/// The curve's own algorithm and the other curve's, with the key files.
fn curves() -> Vec<(Algorithm, Algorithm, &'static [u8], &'static [u8])> {
    let mut out = vec![(
        Algorithm::Ed25519,
        Algorithm::Ed448,
        ED25519_PKCS8,
        ED25519_SPKI,
    )];
    if cfg!(feature = "ed448") {
        out.push((
            Algorithm::Ed448,
            Algorithm::Ed25519,
            ED448_PKCS8,
            ED448_SPKI,
        ));
    }
    out
}

#[test]
fn a_key_imports_for_eddsa_or_its_own_curve_and_refuses_the_other() {
    for (own, other, pkcs8, spki) in curves() {
        let curve = own.as_str();
        for alg in [Algorithm::EdDSA, own] {
            assert_eq!(SigningKey::from_pem(alg, pkcs8).unwrap().algorithm(), alg);
            assert_eq!(VerifyingKey::from_pem(alg, spki).unwrap().algorithm(), alg);
            let der = VerifyingKey::from_pem_infer(spki)
                .unwrap()
                .to_spki_der()
                .unwrap();
            assert_eq!(VerifyingKey::from_der(alg, &der).unwrap().algorithm(), alg);
            assert_eq!(
                SigningKey::from_any_bytes(alg, pkcs8).unwrap().algorithm(),
                alg
            );
        }
        // Never crossed: an Ed25519 key is not an Ed448 key, and the reverse.
        let mismatch = KeyError::AlgorithmMismatch {
            key: curve,
            requested: other,
        };
        assert_eq!(
            SigningKey::from_pem(other, pkcs8).err(),
            Some(mismatch.clone())
        );
        assert_eq!(
            VerifyingKey::from_pem(other, spki).err(),
            Some(mismatch.clone())
        );
        let public = VerifyingKey::from_pem(own, spki).unwrap();
        assert_eq!(public.for_algorithm(other).err(), Some(mismatch));
        // Nor another family's algorithm.
        assert!(matches!(
            VerifyingKey::from_pem(Algorithm::ES256, spki),
            Err(KeyError::AlgorithmMismatch { .. })
        ));
        // Without a stated algorithm the key is bound to the polymorphic EdDSA,
        // as before; `for_algorithm` rebinds it to its fully-specified name.
        let inferred = VerifyingKey::from_pem_infer(spki).unwrap();
        assert_eq!(inferred.algorithm(), Algorithm::EdDSA);
        assert_eq!(inferred.for_algorithm(own).unwrap().algorithm(), own);
    }
}

#[test]
fn x25519_is_refused_for_the_fully_specified_algorithms() {
    let jwk: Jwk =
        r#"{"kty":"OKP","crv":"X25519","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}"#
            .parse()
            .unwrap();
    for alg in [Algorithm::Ed25519, Algorithm::Ed448] {
        assert!(matches!(
            VerifyingKey::from_jwk(alg, &jwk),
            Err(KeyError::UnsupportedKeyType { .. })
        ));
    }
}

#[test]
fn jwks_carry_the_fully_specified_alg() {
    for (own, other, pkcs8, _) in curves() {
        let key = SigningKey::from_pem(own, pkcs8).unwrap().with_kid("k");
        let jwk = key.to_jwk().unwrap();
        assert_eq!(jwk.alg.as_deref(), Some(own.as_str()));
        let public_jwk = key.verifying_key().to_jwk().unwrap();
        assert_eq!(public_jwk.alg.as_deref(), Some(own.as_str()));

        // The JWK's `alg` decides when none is asked for.
        let again = SigningKey::from_jwk_infer(&jwk.to_json().parse().unwrap()).unwrap();
        assert_eq!((again.algorithm(), again.kid()), (own, Some("k")));
        let public = VerifyingKey::from_jwk_infer(&public_jwk).unwrap();
        assert_eq!(public.algorithm(), own);
        assert_eq!(
            VerifyingKey::from_any_bytes_infer(public_jwk.to_json())
                .unwrap()
                .algorithm(),
            own
        );
        // An asked-for algorithm must agree with the JWK's `alg`, even `EdDSA`.
        for asked in [Algorithm::EdDSA, other] {
            assert_eq!(
                VerifyingKey::from_jwk(asked, &public_jwk).err(),
                Some(KeyError::AlgorithmMismatch {
                    key: own.as_str(),
                    requested: asked,
                })
            );
        }
        // A JWK that claims the other curve's algorithm is refused.
        let mut lying = public_jwk.clone();
        lying.alg = Some(other.as_str().into());
        assert!(matches!(
            VerifyingKey::from_jwk_infer(&lying),
            Err(KeyError::AlgorithmMismatch { .. })
        ));

        // RFC 7638 thumbprints have no `alg`: the same for every binding.
        let mut without_alg = public_jwk.clone();
        without_alg.alg = None;
        let eddsa = VerifyingKey::from_jwk_infer(&without_alg)
            .unwrap()
            .thumbprint()
            .unwrap();
        assert_eq!(key.thumbprint().unwrap(), eddsa);
        assert_eq!(public.thumbprint().unwrap(), eddsa);
    }
}

#[test]
fn a_bound_key_verifies_only_its_own_algorithm() {
    for (own, other, pkcs8, spki) in curves() {
        let signer = SigningKey::from_pem(own, pkcs8).unwrap();
        let polymorphic = SigningKey::from_pem(Algorithm::EdDSA, pkcs8).unwrap();
        let sig = sign(&signer, b"input");
        // The same signature: the algorithm name changes nothing in the bytes.
        assert_eq!(sig, sign(&polymorphic, b"input"));

        let bound = VerifyingKey::from_pem(own, spki).unwrap();
        let eddsa = VerifyingKey::from_pem(Algorithm::EdDSA, spki).unwrap();
        assert_eq!(bound.verify(own, None, b"input", &sig), Ok(()));
        assert_eq!(eddsa.verify(Algorithm::EdDSA, None, b"input", &sig), Ok(()));
        for (key, alg) in [(&bound, Algorithm::EdDSA), (&bound, other), (&eddsa, own)] {
            assert_eq!(
                key.verify(alg, None, b"input", &sig),
                Err(VerifyError::AlgorithmNotAllowed),
                "{:?} key, {alg} token",
                key.algorithm()
            );
        }
        assert_eq!(
            bound.verify(own, None, b"inpuT", &sig),
            Err(VerifyError::InvalidSignature)
        );
    }
}

#[test]
fn tokens_name_the_algorithm_of_the_key() {
    let claims = Claims::new(()).subject("7").valid_for(600);
    for (own, _, pkcs8, spki) in curves() {
        let signer = SigningKey::from_pem(own, pkcs8).unwrap();
        let token = encode(&signer, &Header::jwt(), &claims).unwrap();
        let verified = decode::<()>(
            &token,
            &VerifyingKey::from_pem(own, spki).unwrap(),
            &Validation::new(),
        )
        .unwrap();
        assert_eq!(verified.algorithm, own);
        assert_eq!(verified.claims.sub.as_deref(), Some("7"));
        // The `EdDSA`-bound key refuses the `Ed25519`/`Ed448` token, and an
        // `EdDSA` token is refused by the fully-specified key.
        let eddsa_key = VerifyingKey::from_pem(Algorithm::EdDSA, spki).unwrap();
        assert!(matches!(
            decode::<()>(&token, &eddsa_key, &Validation::new()),
            Err(Error::AlgorithmNotAllowed { alg }) if alg == own
        ));
        let eddsa_signer = SigningKey::from_pem(Algorithm::EdDSA, pkcs8).unwrap();
        let eddsa_token = encode(&eddsa_signer, &Header::jwt(), &claims).unwrap();
        assert!(matches!(
            decode::<()>(
                &eddsa_token,
                &VerifyingKey::from_pem(own, spki).unwrap(),
                &Validation::new()
            ),
            Err(Error::AlgorithmNotAllowed {
                alg: Algorithm::EdDSA
            })
        ));
        // `Validation::algorithms` still narrows further.
        assert!(matches!(
            decode::<()>(
                &token,
                &VerifyingKey::from_pem(own, spki).unwrap(),
                &Validation::new().algorithms([Algorithm::EdDSA])
            ),
            Err(Error::AlgorithmNotAllowed { .. })
        ));
    }
}

#[test]
fn a_key_set_selects_by_the_fully_specified_alg() {
    let ed25519 = SigningKey::generate(Algorithm::Ed25519)
        .unwrap()
        .with_kid("a");
    let eddsa = SigningKey::generate(Algorithm::EdDSA)
        .unwrap()
        .with_kid("b");
    let mut keys = vec![ed25519.clone(), eddsa.clone()];
    if cfg!(feature = "ed448") {
        keys.push(
            SigningKey::generate(Algorithm::Ed448)
                .unwrap()
                .with_kid("c"),
        );
    }
    let jwks = format!(
        r#"{{"keys":[{}]}}"#,
        keys.iter()
            .map(|k| k.verifying_key().to_jwk().unwrap().to_json())
            .collect::<Vec<_>>()
            .join(",")
    );
    let set = KeySet::from_jwks_json(&jwks).unwrap();
    assert_eq!((set.len(), set.unusable().len()), (keys.len(), 0));
    let claims = Claims::new(()).subject("9").valid_for(600);
    for key in &keys {
        let token = encode(key, &Header::jwt(), &claims).unwrap();
        let verified = decode::<()>(&token, &set, &Validation::new()).unwrap();
        assert_eq!(verified.algorithm, key.algorithm());
        // Without a kid the one key of the algorithm is found.
        let token = encode(&rebind(key, key.algorithm()), &Header::jwt(), &claims).unwrap();
        assert!(decode::<()>(&token, &set, &Validation::new()).is_ok());
    }
    // The EdDSA key's kid with an Ed25519 token: the key is bound to EdDSA.
    let renamed = rebind(&eddsa, Algorithm::Ed25519).with_kid("b");
    let token = encode(&renamed, &Header::jwt(), &claims).unwrap();
    assert!(matches!(
        decode::<()>(&token, &set, &Validation::new()),
        Err(Error::AlgorithmNotAllowed { .. })
    ));
}

#[test]
fn generate_and_supports() {
    let key = SigningKey::generate(Algorithm::Ed25519).unwrap();
    assert_eq!(key.to_jwk().unwrap().crv.as_deref(), Some("Ed25519"));
    assert!(supports(Algorithm::Ed25519) && supports(Algorithm::EdDSA));
    assert_eq!(supports(Algorithm::Ed448), cfg!(feature = "ed448"));
    let generated = SigningKey::generate(Algorithm::Ed448);
    if cfg!(feature = "ed448") {
        let key = generated.unwrap();
        assert_eq!(key.algorithm(), Algorithm::Ed448);
        assert_eq!(key.to_jwk().unwrap().crv.as_deref(), Some("Ed448"));
        assert_eq!(sign(&key, b"m").len(), 114);
    } else {
        assert_eq!(
            generated.err(),
            Some(KeyError::AlgorithmDisabled {
                alg: Algorithm::Ed448,
                feature: "ed448"
            })
        );
    }
    // `generate_eddsa` still binds `EdDSA`, whatever the curve.
    let ed = SigningKey::generate_eddsa(OkpCurve::Ed25519).unwrap();
    assert_eq!(ed.algorithm(), Algorithm::EdDSA);
}
