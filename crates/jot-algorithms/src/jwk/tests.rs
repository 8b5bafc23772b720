//! JWK import and export through the typed keys, and the strict member checks.

use jot_codec::{AlgorithmFamily, Signer, Verifier};

use crate::{SigningKey, VerifyingKey};

use super::*;

const RSA_PKCS8: &str = include_str!("../../tests/data/rsa2048.pkcs8.pem");

fn pair_verifies(signing: &SigningKey, verifying: &VerifyingKey) -> bool {
    let mut sig = Vec::new();
    signing.sign(b"in", &mut sig).unwrap();
    verifying
        .verify(signing.algorithm(), None, b"in", &sig)
        .is_ok()
}

#[test]
fn private_jwk_round_trips_for_every_kty() {
    let mut keys = vec![
        SigningKey::from_pem(Algorithm::PS384, RSA_PKCS8).unwrap(),
        SigningKey::generate(Algorithm::HS512).unwrap(),
    ];
    for alg in [
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::ES256K,
        Algorithm::EdDSA,
    ] {
        if let Ok(key) = SigningKey::generate(alg) {
            keys.push(key);
        }
    }
    for key in keys {
        let key = key.with_kid("kid-1");
        let jwk = key.to_jwk().unwrap();
        assert_eq!(jwk.key_use.as_deref(), Some("sig"));
        let json = jwk.to_json();
        let parsed: Jwk = json.parse().unwrap();
        assert_eq!(parsed, jwk);
        let again = SigningKey::from_jwk_infer(&parsed).unwrap();
        assert_eq!(
            (again.algorithm(), again.kid()),
            (key.algorithm(), Some("kid-1"))
        );
        assert!(pair_verifies(&again, &key.verifying_key()));
        let public = VerifyingKey::from_jwk_infer(&parsed.to_public());
        if key.algorithm().family() == AlgorithmFamily::Hmac {
            assert!(public.is_err());
        } else {
            assert!(pair_verifies(&key, &public.unwrap()));
            assert_eq!(key.verifying_key().to_jwk().unwrap(), parsed.to_public());
            assert_eq!(
                SigningKey::from_jwk_infer(&parsed.to_public()).unwrap_err(),
                KeyError::LooksLikePublicKey
            );
        }
        assert_eq!(key.thumbprint().unwrap(), parsed.thumbprint().unwrap());
    }
}

#[test]
fn alg_use_and_key_ops_are_honoured() {
    let key = SigningKey::from_pem(Algorithm::RS256, RSA_PKCS8).unwrap();
    let mut jwk = key.to_jwk().unwrap();
    assert_eq!(
        SigningKey::from_jwk(Algorithm::PS256, &jwk).unwrap_err(),
        KeyError::AlgorithmMismatch {
            key: "RS256",
            requested: Algorithm::PS256
        }
    );
    assert!(SigningKey::from_jwk(Algorithm::RS256, &jwk).is_ok());
    jwk.alg = None;
    assert_eq!(
        SigningKey::from_jwk_infer(&jwk).unwrap_err(),
        KeyError::AlgorithmRequired { key_type: "RSA" }
    );
    assert!(SigningKey::from_jwk(Algorithm::PS512, &jwk).is_ok());
    jwk.alg = Some("RSA-OAEP".into());
    assert!(matches!(
        SigningKey::from_jwk_infer(&jwk),
        Err(KeyError::JwkUsage { .. })
    ));
    jwk.alg = Some("RS256".into());
    jwk.key_ops = Some(vec!["verify".into()]);
    assert_eq!(
        SigningKey::from_jwk_infer(&jwk).unwrap_err(),
        KeyError::JwkUsage { needed: "sign" }
    );
    assert!(VerifyingKey::from_jwk_infer(&jwk).is_ok());
    jwk.key_ops = Some(vec!["verify".into(), "verify".into()]);
    assert!(matches!(
        VerifyingKey::from_jwk_infer(&jwk),
        Err(KeyError::InvalidJwk { .. })
    ));
    jwk.key_ops = None;
    jwk.key_use = Some("enc".into());
    assert_eq!(
        VerifyingKey::from_jwk_infer(&jwk).unwrap_err(),
        KeyError::JwkUsage { needed: "verify" }
    );
}

#[test]
fn strict_member_checks() {
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let good = key.to_jwk().unwrap();
    let with = |f: &dyn Fn(&mut Jwk)| {
        let mut jwk = good.clone();
        f(&mut jwk);
        jwk
    };
    // Padding, wrong lengths, missing members.
    let padded = with(&|j| j.x = Some(format!("{}=", j.x.as_ref().unwrap())));
    assert!(matches!(
        VerifyingKey::from_jwk_infer(&padded),
        Err(KeyError::InvalidJwk { .. })
    ));
    let short = with(&|j| j.y = Some(base64url::encode(&[1u8; 31])));
    assert!(matches!(
        VerifyingKey::from_jwk_infer(&short),
        Err(KeyError::InvalidJwk { .. })
    ));
    let no_crv = with(&|j| j.crv = None);
    assert!(matches!(
        VerifyingKey::from_jwk_infer(&no_crv),
        Err(KeyError::InvalidJwk { .. })
    ));
    let bad_crv = with(&|j| j.crv = Some("P-192".into()));
    assert!(matches!(
        VerifyingKey::from_jwk_infer(&bad_crv),
        Err(KeyError::UnsupportedKeyType { .. })
    ));
    // Not on the curve.
    let off = with(&|j| j.y = Some(base64url::encode(&[1u8; 32])));
    assert_eq!(
        VerifyingKey::from_jwk_infer(&off).unwrap_err(),
        KeyError::InvalidPoint
    );
    // Private part that does not match the public part.
    let other = SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .to_jwk()
        .unwrap();
    let mixed = with(&|j| j.d = other.d.clone());
    assert_eq!(
        SigningKey::from_jwk_infer(&mixed).unwrap_err(),
        KeyError::InconsistentKey
    );
    // The curve fixes the algorithm.
    assert!(matches!(
        VerifyingKey::from_jwk(Algorithm::ES384, &with(&|j| j.alg = None)),
        Err(KeyError::AlgorithmMismatch { .. })
    ));
    // RSA: minimal integers only; weak keys refused.
    let rsa = SigningKey::from_pem(Algorithm::RS256, RSA_PKCS8)
        .unwrap()
        .verifying_key()
        .to_jwk()
        .unwrap();
    let mut padded_n = rsa.clone();
    let n = base64url::decode(rsa.n.as_deref().unwrap()).unwrap();
    padded_n.n = Some(base64url::encode(&[&[0u8][..], &n].concat()));
    assert!(matches!(
        VerifyingKey::from_jwk_infer(&padded_n),
        Err(KeyError::InvalidJwk { .. })
    ));
    let mut weak = rsa.clone();
    weak.n = Some(base64url::encode(&n[..128]));
    assert_eq!(
        VerifyingKey::from_jwk_infer(&weak).unwrap_err(),
        KeyError::RsaTooSmall { bits: 1024 }
    );
    // oct: the secret must be long enough and the alg HMAC.
    let oct: Jwk = r#"{"kty":"oct","alg":"HS256","k":"c2hvcnQ"}"#.parse().unwrap();
    assert!(matches!(
        VerifyingKey::from_jwk_infer(&oct),
        Err(KeyError::WeakHmacSecret { .. })
    ));
    let oct_rs: Jwk =
        r#"{"kty":"oct","alg":"RS256","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}"#
            .parse()
            .unwrap();
    assert!(matches!(
        VerifyingKey::from_jwk_infer(&oct_rs),
        Err(KeyError::AlgorithmMismatch { .. })
    ));
    assert!(matches!(
        "[1]".parse::<Jwk>(),
        Err(KeyError::InvalidJwk { .. })
    ));
}

#[test]
fn rfc8037_ed25519_and_unknown_members() {
    let jwk: Jwk = r#"{"kty":"OKP","crv":"Ed25519","ext":true,"x5c":["MIIB"],
        "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#
        .parse()
        .unwrap();
    assert_eq!(jwk.other.get("ext"), Some(&serde_json::Value::Bool(true)));
    assert!(jwk.to_json().contains(r#""ext":true"#));
    assert!(!format!("{jwk:?}").contains("nWGxne"));
    let key = SigningKey::from_jwk_infer(&jwk).unwrap();
    let mut sig = Vec::new();
    key.sign(
        b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc",
        &mut sig,
    )
    .unwrap();
    assert_eq!(
        base64url::encode(&sig),
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    );
    let x448: Jwk = r#"{"kty":"OKP","crv":"X448","x":"AAAA"}"#.parse().unwrap();
    assert!(matches!(
        VerifyingKey::from_jwk_infer(&x448),
        Err(KeyError::UnsupportedKeyType { .. })
    ));
    let short: Jwk = r#"{"kty":"OKP","crv":"Ed448","x":"AAAA"}"#.parse().unwrap();
    assert!(matches!(
        VerifyingKey::from_jwk_infer(&short),
        Err(KeyError::InvalidJwk { .. })
    ));
}
