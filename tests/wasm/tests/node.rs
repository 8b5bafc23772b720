//! jot-codec and jot-algorithms (`rust-crypto` provider) on `wasm32-unknown-unknown`,
//! run in Node.js by `wasm-bindgen-test-runner` (`cargo xtask wasm`): sign and verify
//! round trips for every algorithm, tampered tokens, random key generation, JWK import. Time comes from
//! JavaScript (`JsClock`); randomness from `crypto.getRandomValues`.

#![cfg(target_arch = "wasm32")]
// Test code unwraps.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jot_algorithms::{
    Algorithm, Claims, Error, Header, Jwk, NumericDate, Signer as _, SigningKey, Validation,
    Verifier as _, VerifyingKey, base64url, encode, provider,
};
use jot_codec::{Clock as _, decode_with_clock};
use jot_wasm_tests::JsClock;
use wasm_bindgen_test::wasm_bindgen_test;

/// Claims that expire in five minutes by the JavaScript clock.
fn claims() -> Claims<()> {
    let exp = JsClock.now().saturating_add(300);
    Claims::new(()).subject("42").expires_at(exp)
}

/// Signs, then decodes and validates with `verifier` at the JavaScript clock's time.
fn round_trip(key: &SigningKey, verifier: &VerifyingKey) -> String {
    let token = encode(key, &Header::jwt(), &claims()).unwrap();
    let verified =
        decode_with_clock::<(), _, _>(&token, verifier, &Validation::new(), &JsClock).unwrap();
    assert_eq!(verified.claims.sub.as_deref(), Some("42"));
    assert_eq!(verified.algorithm, key.algorithm());
    token
}

fn decode(token: &str, verifier: &VerifyingKey) -> Result<(), Error> {
    decode_with_clock::<(), _, _>(token, verifier, &Validation::new(), &JsClock).map(|_| ())
}

/// The token with one character of `segment` (0 header, 1 payload, 2 signature)
/// changed to another base64url character.
fn tamper(token: &str, segment: usize) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut bytes = parts[segment].clone().into_bytes();
    let i = bytes.len() / 2;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    parts[segment] = String::from_utf8(bytes).unwrap();
    parts.join(".")
}

#[wasm_bindgen_test]
fn the_provider_is_rust_crypto() {
    assert_eq!(provider::NAME, "rust-crypto");
    // The JavaScript clock is not the epoch (a host clock of this century).
    assert!(JsClock.now().seconds() > 1_700_000_000);
}

#[wasm_bindgen_test]
fn hs256_round_trip() {
    let secret = b"a secret of at least thirty-two bytes!";
    let key = SigningKey::hmac(Algorithm::HS256, secret).unwrap();
    let token = round_trip(&key, &key.verifying_key());
    // Another secret does not verify it.
    let other =
        VerifyingKey::hmac(Algorithm::HS256, b"another secret of thirty-two bytes!!").unwrap();
    assert!(matches!(
        decode(&token, &other),
        Err(Error::InvalidSignature)
    ));
}

#[wasm_bindgen_test]
fn es256_round_trip_with_a_generated_key() {
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let token = round_trip(&key, &key.verifying_key());
    // The signature is the fixed 64-byte r || s.
    let sig = base64url::decode(token.rsplit('.').next().unwrap()).unwrap();
    assert_eq!(sig.len(), 64);
    // The public key alone, through its JWK, verifies it.
    let public =
        VerifyingKey::from_jwk(Algorithm::ES256, &key.verifying_key().to_jwk().unwrap()).unwrap();
    decode(&token, &public).unwrap();
}

#[wasm_bindgen_test]
fn eddsa_round_trip_with_a_generated_key() {
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let token = round_trip(&key, &key.verifying_key());
    let sig = base64url::decode(token.rsplit('.').next().unwrap()).unwrap();
    assert_eq!(sig.len(), 64);
}

#[wasm_bindgen_test]
fn every_other_algorithm_round_trips() {
    for alg in [Algorithm::ES384, Algorithm::ES512, Algorithm::ES256K] {
        let key = SigningKey::generate(alg).unwrap();
        round_trip(&key, &key.verifying_key());
    }
    // RSA with a stored 2048-bit key (generating one is slow in a debug build).
    let pem = include_str!("../../../crates/jot-algorithms/tests/data/rsa2048.pkcs8.pem");
    for alg in [Algorithm::RS256, Algorithm::PS256, Algorithm::PS512] {
        let key = SigningKey::from_pem(alg, pem).unwrap();
        let token = round_trip(&key, &key.verifying_key());
        let r = decode(&tamper(&token, 1), &key.verifying_key());
        assert!(matches!(r, Err(Error::InvalidSignature)), "{alg}: {r:?}");
    }
}

#[wasm_bindgen_test]
fn tampered_tokens_are_refused() {
    let keys = [
        SigningKey::hmac(Algorithm::HS256, [7u8; 32]).unwrap(),
        SigningKey::generate(Algorithm::ES256).unwrap(),
        SigningKey::generate(Algorithm::EdDSA).unwrap(),
    ];
    for key in &keys {
        let verifier = key.verifying_key();
        let token = round_trip(key, &verifier);
        for segment in [1, 2] {
            let r = decode(&tamper(&token, segment), &verifier);
            assert!(r.is_err(), "{} segment {segment}: {r:?}", key.algorithm());
        }
        // A changed payload with the original signature: the signature check says no.
        let r = decode(&tamper(&token, 1), &verifier);
        assert!(
            matches!(r, Err(Error::InvalidSignature)),
            "{}: {r:?}",
            key.algorithm()
        );
        // The signature of another key of the same algorithm.
        let other = match key.algorithm() {
            Algorithm::HS256 => SigningKey::hmac(Algorithm::HS256, [8u8; 32]).unwrap(),
            alg => SigningKey::generate(alg).unwrap(),
        };
        let forged = encode(&other, &Header::jwt(), &claims()).unwrap();
        assert!(matches!(
            decode(&forged, &verifier),
            Err(Error::InvalidSignature)
        ));
    }
    // An expired token is refused even with a valid signature.
    let key = &keys[1];
    let past = NumericDate::from_seconds(JsClock.now().seconds() - 3600).unwrap();
    let expired = encode(key, &Header::jwt(), &Claims::new(()).expires_at(past)).unwrap();
    assert!(matches!(
        decode(&expired, &key.verifying_key()),
        Err(Error::Expired { .. })
    ));
}

#[wasm_bindgen_test]
fn key_generation_is_random() {
    for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::EdDSA] {
        let a = SigningKey::generate(alg).unwrap().verifying_key();
        let b = SigningKey::generate(alg).unwrap().verifying_key();
        assert_ne!(a.to_spki_der().unwrap(), b.to_spki_der().unwrap(), "{alg}");
    }
    let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
    provider::fill_random(&mut x).unwrap();
    provider::fill_random(&mut y).unwrap();
    assert_ne!(x, y);
    assert_ne!(x, [0u8; 32]);
}

#[wasm_bindgen_test]
fn jwk_import_signs_the_rfc_8037_example() {
    // RFC 8037 A.1 (private key) and A.4 (its Ed25519 signature, deterministic).
    let jwk: Jwk = r#"{"kty":"OKP","crv":"Ed25519",
        "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#
        .parse()
        .unwrap();
    let input = b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
    let expected =
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
    let key = SigningKey::from_jwk_infer(&jwk).unwrap();
    assert_eq!(key.algorithm(), Algorithm::EdDSA);
    let mut sig = Vec::new();
    key.sign(input, &mut sig).unwrap();
    assert_eq!(base64url::encode(&sig), expected);
    // The public part, imported alone, verifies it and nothing else.
    let public = VerifyingKey::from_jwk_infer(&jwk.to_public()).unwrap();
    public.verify(Algorithm::EdDSA, None, input, &sig).unwrap();
    assert!(
        public
            .verify(Algorithm::EdDSA, None, b"eyJhbGciOiJFZERTQSJ9.e30", &sig)
            .is_err()
    );
    // A JWK whose public part is not the private key's is refused.
    let mismatched: Jwk = r#"{"kty":"OKP","crv":"Ed25519",
        "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x":"AAqYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#
        .parse()
        .unwrap();
    assert!(SigningKey::from_jwk_infer(&mismatched).is_err());
}
