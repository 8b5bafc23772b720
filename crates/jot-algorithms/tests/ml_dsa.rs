//! ML-DSA keys (RFC 9964 `AKP`, algorithms ML-DSA-44, ML-DSA-65, ML-DSA-87): JWK
//! import and export, the RFC's thumbprint examples, tokens, key sets, and the
//! refusals (wrong lengths, mismatched keys, algorithm confusion).

#![cfg(feature = "ml-dsa")]
// Test helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jot_algorithms::{
    Algorithm, Claims, Error, Header, Jwk, JwkSet, KeyError, KeyMaterial, KeySet, Signer,
    SigningKey, Validation, Verifier, VerifyError, VerifyingKey, base64url, decode, encode,
};

const ALGS: [(Algorithm, usize, usize); 3] = [
    (Algorithm::MlDsa44, 1312, 2420),
    (Algorithm::MlDsa65, 1952, 3309),
    (Algorithm::MlDsa87, 2592, 4627),
];

fn jwk(json: serde_json::Value) -> Jwk {
    json.to_string().parse().unwrap()
}

/// RFC 9964 Appendix A: the keys of the all-zero seed, whose `kid` is the JWK
/// thumbprint (RFC 7638 over `alg`, `kty` and `pub`), and the start of the
/// ML-DSA-44 public key.
#[test]
fn rfc9964_all_zero_seed_examples() {
    let examples = [
        (
            Algorithm::MlDsa44,
            "T4xl70S7MT6Zeq6r9V9fPJGVn76wfnXJ21-gyo0Gu6o",
            "unH59k4RuutY-pxvu24U5h8YZD2rSVtHU5qRZsoBmBMcRPgmu9VuNOVdteXi1zNIXjnqJg_GAAxepLqA00Vc3lO0",
        ),
        (
            Algorithm::MlDsa65,
            "Suiu29qbfuaBaR4Ats-c6XQBePB_OpAxAwcTR_0KXVM",
            "QksvJn5Y1bO0TXGs_Gpla7JpUNV8YdsciAvPof6rRD8JQquL2619cIq7w1YHj22ZolInH-YsdAkeuUr7m5JkxQqI",
        ),
    ];
    for (alg, kid, pub_start) in examples {
        let seed = base64url::encode(&[0u8; 32]);
        // The RFC's key is a JWK with `pub`: derive it once to build that JWK.
        let derived = derive(alg, &[0u8; 32]);
        assert!(derived.starts_with(pub_start), "{alg}");
        let jwk = jwk(serde_json::json!({
            "kid": kid, "kty": "AKP", "alg": alg.as_str(), "pub": derived, "priv": seed,
        }));
        let key = SigningKey::from_jwk_infer(&jwk).unwrap();
        assert_eq!(key.thumbprint().unwrap(), kid, "{alg}");
        assert_eq!(jwk.thumbprint().unwrap(), kid, "{alg}");
        assert_eq!(key.kid(), Some(kid));
        assert_eq!(key.algorithm(), alg);
    }
}

/// The public key of `seed` for `alg`, base64url, as jot derives it.
fn derive(alg: Algorithm, seed: &[u8; 32]) -> String {
    SigningKey::ml_dsa(alg, seed)
        .unwrap()
        .to_jwk()
        .unwrap()
        .public
        .unwrap()
}

#[test]
fn private_and_public_jwks_round_trip() {
    for (alg, pub_len, sig_len) in ALGS {
        let key = SigningKey::generate(alg).unwrap().with_kid("pq-1");
        let jwk = key.to_jwk().unwrap();
        assert_eq!(jwk.kty, "AKP");
        assert_eq!(jwk.alg.as_deref(), Some(alg.as_str()));
        assert_eq!(jwk.key_use.as_deref(), Some("sig"));
        assert!(jwk.crv.is_none() && jwk.x.is_none() && jwk.d.is_none());
        let public = base64url::decode(jwk.public.as_deref().unwrap()).unwrap();
        let seed = base64url::decode(jwk.private.as_deref().unwrap()).unwrap();
        assert_eq!((public.len(), seed.len()), (pub_len, 32));
        assert!(jwk.is_private());

        let json = jwk.to_json();
        assert!(
            json.contains(r#""pub":""#) && json.contains(r#""priv":""#),
            "{json}"
        );
        let again = SigningKey::from_jwk_infer(&json.parse().unwrap()).unwrap();
        assert_eq!(again.kid(), Some("pq-1"));
        assert_eq!(again.to_jwk().unwrap(), jwk);
        let from_seed = SigningKey::ml_dsa(alg, &seed).unwrap();
        assert_eq!(from_seed.to_jwk().unwrap().public, jwk.public);

        let public_jwk = key.verifying_key().to_jwk().unwrap();
        assert!(public_jwk.private.is_none() && !public_jwk.is_private());
        assert_eq!(public_jwk, jwk.to_public());
        let verifier = VerifyingKey::from_jwk_infer(&public_jwk).unwrap();
        assert_eq!(verifier.algorithm(), alg);
        assert!(matches!(
            SigningKey::from_jwk_infer(&public_jwk),
            Err(KeyError::LooksLikePublicKey)
        ));

        let mut sig = Vec::new();
        key.sign(b"header.payload", &mut sig).unwrap();
        assert_eq!(sig.len(), sig_len);
        assert_eq!(key.signature_len_hint(), sig_len);
        assert_eq!(verifier.verify(alg, None, b"header.payload", &sig), Ok(()));
        assert_eq!(
            verifier.verify(alg, None, b"header.payloaD", &sig),
            Err(VerifyError::InvalidSignature)
        );

        // The private JWK verifies too (its public part is taken), and thumbprints agree.
        let from_private = VerifyingKey::from_jwk_infer(&jwk).unwrap();
        assert_eq!(
            from_private.thumbprint().unwrap(),
            key.thumbprint().unwrap()
        );
        assert_eq!(public_jwk.thumbprint().unwrap(), key.thumbprint().unwrap());

        // PKCS#8 (seed form) and SPKI (RFC 9881), PEM and DER, with the algorithm
        // taken from the OID.
        let pkcs8 = key.to_pkcs8_pem().unwrap();
        assert!(pkcs8.starts_with("-----BEGIN PRIVATE KEY-----"));
        let from_pem = SigningKey::from_pem_infer(&pkcs8).unwrap();
        assert_eq!(from_pem.algorithm(), alg);
        assert_eq!(from_pem.to_jwk().unwrap().public, jwk.public);
        let der = key.to_pkcs8_der().unwrap();
        // SEQUENCE { INTEGER 0, SEQUENCE { OID }, OCTET STRING { [0] seed } }: 54 bytes.
        assert_eq!(der.len(), 54);
        assert!(der.ends_with(&seed) && der[..der.len() - 32].ends_with(&[0x04, 0x22, 0x80, 0x20]));
        let spki = verifier.to_pem().unwrap();
        assert!(spki.starts_with("-----BEGIN PUBLIC KEY-----"));
        let from_spki = VerifyingKey::from_pem_infer(&spki).unwrap();
        assert_eq!(from_spki.algorithm(), alg);
        assert_eq!(
            from_spki.to_spki_der().unwrap(),
            verifier.to_spki_der().unwrap()
        );
        assert_eq!(from_spki.thumbprint().unwrap(), key.thumbprint().unwrap());
        // An ML-DSA PEM key is bound to the algorithm its OID names.
        for other in [
            Algorithm::MlDsa44,
            Algorithm::MlDsa65,
            Algorithm::MlDsa87,
            Algorithm::EdDSA,
        ] {
            if other != alg {
                assert!(
                    matches!(
                        VerifyingKey::from_pem(other, &spki),
                        Err(KeyError::AlgorithmMismatch { .. })
                    ),
                    "{alg} key as {other}"
                );
            }
        }
    }
}

#[test]
fn pkcs8_forms_other_than_the_seed_are_refused() {
    let key = SigningKey::generate(Algorithm::MlDsa44).unwrap();
    let der = key.to_pkcs8_der().unwrap();
    let seed_at = der.len() - 34;
    // The same structure with the expanded form (an OCTET STRING) instead.
    let mut expanded = der[..seed_at].to_vec();
    expanded.extend_from_slice(&[0x04, 0x20]);
    expanded.extend_from_slice(&[7; 32]);
    assert!(matches!(
        KeyMaterial::from_der(&expanded),
        Err(KeyError::UnsupportedKeyType { .. })
    ));
    // A seed of 31 bytes.
    let mut short = der.clone();
    short[seed_at + 1] = 0x1f;
    short.pop();
    assert!(KeyMaterial::from_der(&short).is_err());
    // The seed form alone has no public key: the material has none, the typed key derives it.
    let material = KeyMaterial::from_der(&der).unwrap();
    assert!(material.to_jwk().is_err() && material.to_public().is_err());
    let again = SigningKey::from_der_infer(&der).unwrap();
    assert_eq!(again.thumbprint().unwrap(), key.thumbprint().unwrap());
}

#[test]
fn thumbprint_members_are_alg_kty_pub() {
    let key = SigningKey::generate(Algorithm::MlDsa44).unwrap();
    let public = key.verifying_key().to_jwk().unwrap();
    let canonical = format!(
        r#"{{"alg":"ML-DSA-44","kty":"AKP","pub":"{}"}}"#,
        public.public.as_deref().unwrap()
    );
    let digest = jot_algorithms::provider::digest(
        jot_algorithms::provider::Hash::Sha256,
        canonical.as_bytes(),
    );
    assert_eq!(
        key.thumbprint().unwrap(),
        base64url::encode(digest.as_ref())
    );
    // Members outside the thumbprint do not change it.
    let mut decorated = public.clone();
    decorated.kid = Some("x".into());
    decorated.key_use = None;
    assert_eq!(decorated.thumbprint().unwrap(), key.thumbprint().unwrap());
}

#[test]
fn tokens_and_key_sets() {
    let keys: Vec<SigningKey> = ALGS
        .iter()
        .map(|(alg, ..)| SigningKey::generate(*alg).unwrap().with_kid(alg.as_str()))
        .collect();
    let set: KeySet = keys.iter().map(SigningKey::verifying_key).collect();
    let mut jwks = JwkSet::new();
    jwks.keys = keys
        .iter()
        .map(|k| k.verifying_key().to_jwk().unwrap())
        .collect();
    let from_jwks = KeySet::from_jwks_json(&jwks.to_json()).unwrap();
    assert_eq!(from_jwks.len(), 3);
    for key in &keys {
        let claims = Claims::new(()).subject("pq").valid_for(60);
        let token = encode(key, &Header::jwt(), &claims).unwrap();
        let header = token.split('.').next().unwrap();
        let header: serde_json::Value =
            serde_json::from_slice(&base64url::decode(header).unwrap()).unwrap();
        assert_eq!(header["alg"], key.algorithm().as_str());
        for verifier in [&set, &from_jwks] {
            let verified = decode::<()>(&token, verifier, &Validation::new()).unwrap();
            assert_eq!(verified.claims.sub.as_deref(), Some("pq"));
        }
        let verified = decode::<()>(&token, &key.verifying_key(), &Validation::new()).unwrap();
        assert_eq!(verified.algorithm, key.algorithm());
    }
}

#[test]
fn hedged_by_default_deterministic_on_request() {
    let key = SigningKey::generate(Algorithm::MlDsa65).unwrap();
    let claims = Claims::new(()).subject("s");
    let a = encode(&key, &Header::jwt(), &claims).unwrap();
    let b = encode(&key, &Header::jwt(), &claims).unwrap();
    assert_ne!(a, b);
    let det = key.clone().with_deterministic_signing().unwrap();
    let c = encode(&det, &Header::jwt(), &claims).unwrap();
    let d = encode(&det, &Header::jwt(), &claims).unwrap();
    assert_eq!(c, d);
    for token in [a, b, c] {
        let public = key.verifying_key();
        decode::<()>(&token, &public, &Validation::new().require_exp(false)).unwrap();
    }
}

#[test]
fn an_akp_key_verifies_only_its_own_algorithm() {
    let key44 = SigningKey::generate(Algorithm::MlDsa44).unwrap();
    let public = key44.verifying_key();
    let mut sig = Vec::new();
    key44.sign(b"input", &mut sig).unwrap();
    for other in Algorithm::ALL
        .into_iter()
        .filter(|&a| a != Algorithm::MlDsa44)
    {
        assert_eq!(
            public.verify(other, None, b"input", &sig),
            Err(VerifyError::AlgorithmNotAllowed),
            "{other}"
        );
    }
    let jwk = public.to_jwk().unwrap();
    for other in [
        Algorithm::MlDsa65,
        Algorithm::MlDsa87,
        Algorithm::HS256,
        Algorithm::EdDSA,
    ] {
        assert!(
            matches!(
                VerifyingKey::from_jwk(other, &jwk),
                Err(KeyError::AlgorithmMismatch { .. })
            ),
            "{other}"
        );
        assert!(public.for_algorithm(other).is_err(), "{other}");
    }
    // The JWK's `alg` is part of the key: changing it gives a key of the wrong length.
    let mut relabelled = jwk.clone();
    relabelled.alg = Some("ML-DSA-65".into());
    assert!(matches!(
        VerifyingKey::from_jwk_infer(&relabelled),
        Err(KeyError::InvalidJwk { .. })
    ));
    // A token claiming another algorithm is refused before any signature check.
    let token = encode(&key44, &Header::jwt(), &Claims::new(()).valid_for(60)).unwrap();
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    parts[0] = base64url::encode(br#"{"alg":"ML-DSA-65","typ":"JWT"}"#);
    let forged = parts.join(".");
    assert!(matches!(
        decode::<()>(&forged, &public, &Validation::new()),
        Err(Error::AlgorithmNotAllowed { .. } | Error::InvalidSignature)
    ));
}

#[test]
fn strict_akp_jwk_checks() {
    let key = SigningKey::generate(Algorithm::MlDsa44).unwrap();
    let good = key.to_jwk().unwrap();
    let invalid = |jwk: &Jwk| {
        matches!(
            KeyMaterial::from_jwk(jwk),
            Err(KeyError::InvalidJwk { .. } | KeyError::UnsupportedKeyType { .. })
        )
    };
    let mut no_alg = good.clone();
    no_alg.alg = None;
    assert!(invalid(&no_alg));
    let mut unknown_alg = good.clone();
    unknown_alg.alg = Some("SLH-DSA-SHA2-128s".into());
    assert!(invalid(&unknown_alg));
    let mut wrong_family = good.clone();
    wrong_family.alg = Some("EdDSA".into());
    assert!(invalid(&wrong_family));
    let mut no_pub = good.clone();
    no_pub.public = None;
    assert!(invalid(&no_pub));
    let mut short_pub = good.clone();
    short_pub.public = Some(base64url::encode(&[1u8; 1311]));
    assert!(invalid(&short_pub));
    let mut long_seed = good.clone();
    long_seed.private = Some(base64url::encode(&[1u8; 33]));
    assert!(invalid(&long_seed));
    let mut expanded = good.clone();
    expanded.private = Some(base64url::encode(&[1u8; 2560]));
    assert!(invalid(&expanded));
    let mut padded = good.clone();
    padded.private = Some(format!("{}=", good.private.as_deref().unwrap()));
    assert!(invalid(&padded));
    // A seed whose `pub` is another key's: a typed refusal.
    let other = SigningKey::generate(Algorithm::MlDsa44)
        .unwrap()
        .to_jwk()
        .unwrap();
    let mut mismatched = good.clone();
    mismatched.public = other.public.clone();
    assert_eq!(
        SigningKey::from_jwk_infer(&mismatched).unwrap_err(),
        KeyError::InconsistentKey
    );
    assert_eq!(
        VerifyingKey::from_jwk_infer(&mismatched).unwrap_err(),
        KeyError::InconsistentKey
    );
    // `use` and `key_ops` apply as to any key.
    let mut enc = good.clone();
    enc.key_use = Some("enc".into());
    assert!(matches!(
        SigningKey::from_jwk_infer(&enc),
        Err(KeyError::JwkUsage { .. })
    ));
    // Debug output never shows the seed.
    let text = format!("{good:?} {:?}", KeyMaterial::from_jwk(&good).unwrap());
    assert!(!text.contains(good.private.as_deref().unwrap()), "{text}");
    assert!(SigningKey::ml_dsa(Algorithm::ES256, [0; 32]).is_err());
    assert!(SigningKey::ml_dsa(Algorithm::MlDsa44, [0; 31]).is_err());
}
