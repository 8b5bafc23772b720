//! Broken and forged signatures (RFC 8725 §2.1, §3.3): empty, truncated and over-long
//! signatures for every algorithm; ECDSA "psychic signatures" (r = s = 0,
//! CVE-2022-21449) and r or s equal to n or n − 1 on P-256 and P-384; DER-encoded
//! ECDSA signatures where JWS requires the fixed r || s form (RFC 7518 §3.4);
//! non-canonical Ed25519 S (S + L); RSA signatures equal to 0 or to the modulus.
//! Every one is `Error::InvalidSignature`.

use jot_algorithms::{Algorithm, Error, SigningKey};

use jot_test_support::forge::{raw_signature, with_signature};
use jot_test_support::signatures::{
    ED25519_L, P256_ORDER, P384_ORDER, der_ecdsa, ed25519_s_plus_l, order_values, rsa_edge_values,
};

use crate::support::{
    decode, every_signing_key, generate, header, payload, public, rejected, rsa, sign_raw,
};

/// A token of `key` and its raw signature.
fn signed(key: &SigningKey) -> (String, Vec<u8>) {
    let token = sign_raw(key, &header(key.algorithm()), &payload());
    let sig = raw_signature(&token);
    (token, sig)
}

fn assert_invalid(key: &SigningKey, token: &str, what: &str) {
    let err = rejected(decode(token, &public(key)));
    assert!(
        matches!(err, Error::InvalidSignature),
        "{} {what}: {err:?}",
        key.algorithm()
    );
}

#[test]
fn empty_truncated_and_over_long_signatures_are_invalid() {
    for key in every_signing_key() {
        let (token, sig) = signed(&key);
        assert!(decode(&token, &public(&key)).is_ok(), "control");
        let n = sig.len();
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("empty", Vec::new()),
            ("one byte", sig[..1].to_vec()),
            ("last byte dropped", sig[..n - 1].to_vec()),
            ("first byte dropped", sig[1..].to_vec()),
            ("half", sig[..n / 2].to_vec()),
            ("zero appended", [&sig[..], &[0]].concat()),
            ("zero prepended", [&[0], &sig[..]].concat()),
            ("doubled", [&sig[..], &sig[..]].concat()),
            (
                "600 bytes (heap path)",
                [&sig[..], &[0u8; 600][..]].concat(),
            ),
            ("all zero", vec![0; n]),
            ("all ones", vec![0xff; n]),
        ];
        for (what, bad) in cases {
            assert_invalid(&key, &with_signature(&token, &bad), what);
        }
        // The signature segment left out entirely (`header.payload.`).
        let bare = format!("{}.", &token[..token.rfind('.').unwrap()]);
        assert_invalid(&key, &bare, "no signature segment");
    }
}

#[test]
fn signature_of_another_token_is_invalid() {
    for key in every_signing_key() {
        let (_, sig) = signed(&key);
        let other = sign_raw(
            &key,
            &header(key.algorithm()),
            &payload().replace("\"42\"", "\"admin\""),
        );
        assert_invalid(&key, &with_signature(&other, &sig), "substituted signature");
    }
}

#[test]
fn psychic_and_out_of_range_ecdsa_signatures_are_invalid() {
    for (alg, n_hex) in [
        (Algorithm::ES256, P256_ORDER),
        (Algorithm::ES384, P384_ORDER),
    ] {
        let key = generate(alg);
        let (token, sig) = signed(&key);
        let len = sig.len() / 2;
        let (r, s) = (sig[..len].to_vec(), sig[len..].to_vec());
        let (n, n_minus_1, n_plus_1) = order_values(n_hex);
        let zero = vec![0u8; len];
        let mut one = vec![0u8; len];
        one[len - 1] = 1;
        let max = vec![0xffu8; len];
        let pairs: Vec<(&str, &[u8], &[u8])> = vec![
            ("r = s = 0", &zero, &zero),
            ("r = 0", &zero, &s),
            ("s = 0", &r, &zero),
            ("r = s = n", &n, &n),
            ("r = n", &n, &s),
            ("s = n", &r, &n),
            ("r = s = n - 1", &n_minus_1, &n_minus_1),
            ("r = n - 1", &n_minus_1, &s),
            ("s = n - 1", &r, &n_minus_1),
            ("r = n + 1", &n_plus_1, &s),
            ("s = n + 1", &r, &n_plus_1),
            ("r = s = 1", &one, &one),
            ("r = s = 2^k - 1", &max, &max),
            ("r = 0, s = n", &zero, &n),
            ("r = n, s = 0", &n, &zero),
        ];
        for (what, r, s) in pairs {
            assert_invalid(&key, &with_signature(&token, &[r, s].concat()), what);
        }
    }
}

#[test]
fn der_encoded_ecdsa_signatures_are_invalid() {
    for alg in [
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::ES256K,
    ] {
        let key = generate(alg);
        let (token, sig) = signed(&key);
        let der = der_ecdsa(&sig);
        assert_ne!(der.len(), sig.len());
        assert_invalid(&key, &with_signature(&token, &der), "DER signature");
        // DER of r = s = 0 (the psychic signature in the form Java accepted).
        let zero = der_ecdsa(&vec![0; sig.len()]);
        assert_invalid(&key, &with_signature(&token, &zero), "DER r = s = 0");
    }
}

#[test]
fn non_canonical_ed25519_s_is_invalid() {
    let key = generate(Algorithm::EdDSA);
    let (token, sig) = signed(&key);
    let forged = ed25519_s_plus_l(&sig);
    assert_invalid(&key, &with_signature(&token, &forged), "S + L");
    // S = L and R = identity-ish zeros.
    let mut zeros = vec![0u8; 32];
    zeros.extend_from_slice(&ED25519_L);
    assert_invalid(&key, &with_signature(&token, &zeros), "R = 0, S = L");
}

#[test]
fn rsa_signature_equal_to_zero_one_or_the_modulus_is_invalid() {
    for alg in [Algorithm::RS256, Algorithm::PS256] {
        let key = rsa(alg);
        let (token, sig) = signed(&key);
        let n =
            jot_algorithms::base64url::decode(public(&key).to_jwk().unwrap().n.as_deref().unwrap())
                .unwrap();
        assert_eq!(n.len(), sig.len());
        for (what, bad) in rsa_edge_values(&n) {
            assert_invalid(&key, &with_signature(&token, &bad), what);
        }
    }
}
