//! Ed448 keys (RFC 8037 `OKP`/`Ed448`, algorithm `EdDSA`): every key format, JWK
//! Sets, thumbprints, tokens, and the refusals.

#![cfg(feature = "ed448")]
// Test helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jot_algorithms::{
    Algorithm, Claims, Error, Header, Jwk, KeyError, KeySet, OkpCurve, Signer, SigningKey,
    Validation, Verifier, VerifyError, VerifyingKey, decode, encode,
};
use sha2::{Digest, Sha256};

/// The key of `data/ed448.pkcs8.pem`, made by `openssl genpkey -algorithm ed448`.
const PKCS8_PEM: &[u8] = include_bytes!("data/ed448.pkcs8.pem");
/// Its public key, written by `openssl pkey -pubout`.
const SPKI_PEM: &[u8] = include_bytes!("data/ed448.spki.pem");

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}

#[test]
fn private_and_public_jwks_round_trip() {
    let key = SigningKey::from_pem(Algorithm::EdDSA, PKCS8_PEM)
        .unwrap()
        .with_kid("ed448-1");
    let jwk = key.to_jwk().unwrap();
    assert_eq!(jwk.kty, "OKP");
    assert_eq!(jwk.crv.as_deref(), Some("Ed448"));
    assert_eq!(jwk.alg.as_deref(), Some("EdDSA"));
    assert_eq!(unb64(jwk.x.as_deref().unwrap()).len(), 57);
    assert_eq!(unb64(jwk.d.as_deref().unwrap()).len(), 57);

    let json = jwk.to_json();
    let again = SigningKey::from_jwk_infer(&json.parse().unwrap()).unwrap();
    assert_eq!(again.kid(), Some("ed448-1"));
    assert_eq!(again.to_pkcs8_pem().unwrap().as_bytes(), PKCS8_PEM);

    let public_jwk = key.verifying_key().to_jwk().unwrap();
    assert!(public_jwk.d.is_none());
    let public = VerifyingKey::from_jwk_infer(&public_jwk).unwrap();
    assert_eq!(public.algorithm(), Algorithm::EdDSA);
    assert_eq!(public.to_pem().unwrap().as_bytes(), SPKI_PEM);
    assert_eq!(
        VerifyingKey::from_der_infer(public.to_spki_der().unwrap())
            .unwrap()
            .to_jwk()
            .unwrap()
            .x,
        public_jwk.x
    );

    let mut sig = Vec::new();
    again.sign(b"header.payload", &mut sig).unwrap();
    assert_eq!(sig.len(), 114);
    assert_eq!(sig.len(), again.signature_len_hint());
    assert_eq!(
        public.verify(Algorithm::EdDSA, Some("ed448-1"), b"header.payload", &sig),
        Ok(())
    );
}

#[test]
fn thumbprint_is_rfc7638() {
    let public = VerifyingKey::from_pem_infer(SPKI_PEM).unwrap();
    let jwk = public.to_jwk().unwrap();
    let x = jwk.x.clone().unwrap();
    // RFC 7638 §3.2 with RFC 8037 §2: the required members crv, kty, x in
    // lexicographic order, no whitespace.
    let canonical = format!(r#"{{"crv":"Ed448","kty":"OKP","x":"{x}"}}"#);
    let expected = b64(&Sha256::digest(canonical.as_bytes()));
    assert_eq!(jwk.thumbprint().unwrap(), expected);
    assert_eq!(public.thumbprint().unwrap(), expected);
    let signing = SigningKey::from_pem_infer(PKCS8_PEM).unwrap();
    assert_eq!(signing.thumbprint().unwrap(), expected);
    let named = signing.with_thumbprint_kid().unwrap();
    assert_eq!(named.kid(), Some(expected.as_str()));
}

#[test]
fn tokens_through_a_key_set_of_both_curves() {
    let ed448 = SigningKey::generate_eddsa(OkpCurve::Ed448)
        .unwrap()
        .with_kid("448");
    let ed25519 = SigningKey::generate(Algorithm::EdDSA)
        .unwrap()
        .with_kid("25519");
    let jwks = format!(
        r#"{{"keys":[{},{}]}}"#,
        ed448.verifying_key().to_jwk().unwrap().to_json(),
        ed25519.verifying_key().to_jwk().unwrap().to_json()
    );
    let set = KeySet::from_jwks_json(&jwks).unwrap();
    assert_eq!((set.len(), set.unusable().len()), (2, 0));
    let claims = Claims::new(()).subject("42").valid_for(600);
    for key in [&ed448, &ed25519] {
        let token = encode(key, &Header::jwt(), &claims).unwrap();
        let verified = decode::<()>(&token, &set, &Validation::new()).unwrap();
        assert_eq!(verified.claims.sub.as_deref(), Some("42"));
    }
    // An Ed448 signature under the Ed25519 key's kid is refused, and the reverse.
    let token = encode(&ed448.clone().with_kid("25519"), &Header::jwt(), &claims).unwrap();
    assert!(matches!(
        decode::<()>(&token, &set, &Validation::new()),
        Err(Error::InvalidSignature)
    ));
    let token = encode(&ed25519.clone().with_kid("448"), &Header::jwt(), &claims).unwrap();
    assert!(matches!(
        decode::<()>(&token, &set, &Validation::new()),
        Err(Error::InvalidSignature)
    ));
}

#[test]
fn tampered_and_foreign_signatures_are_refused() {
    let key = SigningKey::generate_eddsa(OkpCurve::Ed448).unwrap();
    let public = key.verifying_key();
    let mut sig = Vec::new();
    key.sign(b"input", &mut sig).unwrap();
    for i in [0, 56, 57, 113] {
        let mut tampered = sig.clone();
        tampered[i] ^= 0x80;
        assert_eq!(
            public.verify(Algorithm::EdDSA, None, b"input", &tampered),
            Err(VerifyError::InvalidSignature),
            "byte {i}"
        );
    }
    assert_eq!(
        public.verify(Algorithm::EdDSA, None, b"inpuT", &sig),
        Err(VerifyError::InvalidSignature)
    );
    assert_eq!(
        public.verify(Algorithm::EdDSA, None, b"input", &sig[..64]),
        Err(VerifyError::InvalidSignature)
    );
    let other = SigningKey::generate_eddsa(OkpCurve::Ed448).unwrap();
    assert_eq!(
        other
            .verifying_key()
            .verify(Algorithm::EdDSA, None, b"input", &sig),
        Err(VerifyError::InvalidSignature)
    );
    for alg in [Algorithm::ES256, Algorithm::HS256, Algorithm::RS256] {
        assert_eq!(
            public.verify(alg, None, b"input", &sig),
            Err(VerifyError::AlgorithmNotAllowed)
        );
    }
}

#[test]
fn wrong_lengths_and_wrong_curves_are_refused() {
    let key = SigningKey::from_pem_infer(PKCS8_PEM).unwrap();
    let jwk = key.to_jwk().unwrap();
    let x = jwk.x.clone().unwrap();
    let d = jwk.d.clone().unwrap();
    let ed25519 = SigningKey::generate(Algorithm::EdDSA)
        .unwrap()
        .to_jwk()
        .unwrap();
    let parse = |json: String| -> Jwk { json.parse().unwrap() };

    // A 56-byte and a 32-byte public key under crv Ed448.
    for short in [&unb64(&x)[..56], &unb64(ed25519.x.as_deref().unwrap())[..]] {
        let json = format!(r#"{{"kty":"OKP","crv":"Ed448","x":"{}"}}"#, b64(short));
        assert!(matches!(
            VerifyingKey::from_jwk_infer(&parse(json)),
            Err(KeyError::InvalidJwk { .. })
        ));
    }
    // A 56-byte private key.
    let json = format!(
        r#"{{"kty":"OKP","crv":"Ed448","x":"{x}","d":"{}"}}"#,
        b64(&unb64(&d)[..56])
    );
    assert!(matches!(
        SigningKey::from_jwk_infer(&parse(json)),
        Err(KeyError::InvalidJwk { .. })
    ));
    // An Ed448 key labelled Ed25519, and an Ed25519 key labelled Ed448.
    let json = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}"}}"#);
    assert!(matches!(
        VerifyingKey::from_jwk_infer(&parse(json)),
        Err(KeyError::InvalidJwk { .. })
    ));
    let json = format!(
        r#"{{"kty":"OKP","crv":"Ed448","x":"{}","d":"{}"}}"#,
        ed25519.x.as_deref().unwrap(),
        ed25519.d.as_deref().unwrap()
    );
    assert!(matches!(
        SigningKey::from_jwk_infer(&parse(json)),
        Err(KeyError::InvalidJwk { .. })
    ));
    // A private key whose x is another Ed448 key's.
    let other = SigningKey::generate_eddsa(OkpCurve::Ed448)
        .unwrap()
        .to_jwk()
        .unwrap();
    let json = format!(
        r#"{{"kty":"OKP","crv":"Ed448","x":"{}","d":"{d}"}}"#,
        other.x.as_deref().unwrap()
    );
    assert_eq!(
        SigningKey::from_jwk_infer(&parse(json)).unwrap_err(),
        KeyError::InconsistentKey
    );
    // 57 bytes that are not a point on the curve.
    let json = format!(
        r#"{{"kty":"OKP","crv":"Ed448","x":"{}"}}"#,
        b64(&[0xff; 57])
    );
    assert_eq!(
        VerifyingKey::from_jwk_infer(&parse(json)).unwrap_err(),
        KeyError::InvalidPoint
    );
    // An Ed448 key for another algorithm, and a JWK whose alg is not EdDSA.
    for alg in [Algorithm::ES256, Algorithm::ES512, Algorithm::RS256] {
        assert!(matches!(
            SigningKey::from_pem(alg, PKCS8_PEM),
            Err(KeyError::AlgorithmMismatch { key: "Ed448", .. })
        ));
    }
    assert!(matches!(
        VerifyingKey::from_pem(Algorithm::HS256, SPKI_PEM),
        Err(KeyError::AlgorithmMismatch { .. })
    ));
    let json = format!(r#"{{"kty":"OKP","crv":"Ed448","alg":"ES256","x":"{x}"}}"#);
    assert!(matches!(
        VerifyingKey::from_jwk_infer(&parse(json)),
        Err(KeyError::AlgorithmMismatch { .. })
    ));
}

#[test]
fn an_ed25519_key_does_not_verify_ed448_signatures() {
    let ed448 = SigningKey::generate_eddsa(OkpCurve::Ed448).unwrap();
    let ed25519 = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let mut sig = Vec::new();
    ed448.sign(b"m", &mut sig).unwrap();
    assert_eq!(
        ed25519
            .verifying_key()
            .verify(Algorithm::EdDSA, None, b"m", &sig),
        Err(VerifyError::InvalidSignature)
    );
    let mut sig = Vec::new();
    ed25519.sign(b"m", &mut sig).unwrap();
    assert_eq!(
        ed448
            .verifying_key()
            .verify(Algorithm::EdDSA, None, b"m", &sig),
        Err(VerifyError::InvalidSignature)
    );
}
