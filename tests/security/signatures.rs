//! Broken and forged signatures (RFC 8725 §2.1, §3.3): empty, truncated and over-long
//! signatures for every algorithm; ECDSA "psychic signatures" (r = s = 0,
//! CVE-2022-21449) and r or s equal to n or n − 1 on P-256 and P-384; DER-encoded
//! ECDSA signatures where JWS requires the fixed r || s form (RFC 7518 §3.4);
//! non-canonical Ed25519 S (S + L); RSA signatures equal to 0 or to the modulus.
//! Every one is `Error::InvalidSignature`.

use jot_algorithms::{Algorithm, Error, SigningKey};

use crate::support::{
    b64, decode, every_signing_key, generate, header, payload, public, rejected, rsa, sign_raw,
};

/// The group orders of P-256 and P-384 (big-endian hex).
const P256_N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
const P384_N: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973";

/// The order of the Ed25519 base point, little-endian.
const ED25519_L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// A token of `key` and its raw signature.
fn signed(key: &SigningKey) -> (String, Vec<u8>) {
    let token = sign_raw(key, &header(key.algorithm()), &payload());
    let sig = jot_algorithms::base64url::decode(token.rsplit('.').next().unwrap()).unwrap();
    (token, sig)
}

/// `token` with its signature replaced by `sig`.
fn with_signature(token: &str, sig: &[u8]) -> String {
    let input = &token[..token.rfind('.').unwrap()];
    format!("{input}.{}", b64(sig))
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

/// `n`, `n - 1`, `n + 1` of a curve, as fixed-length big-endian bytes.
fn order_values(n_hex: &str) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let n = hex::decode(n_hex).unwrap();
    let mut minus = n.clone();
    *minus.last_mut().unwrap() -= 1; // the last byte of both orders is not 0
    let mut plus = n.clone();
    *plus.last_mut().unwrap() += 1; // nor 0xff
    (n, minus, plus)
}

#[test]
fn psychic_and_out_of_range_ecdsa_signatures_are_invalid() {
    for (alg, n_hex) in [(Algorithm::ES256, P256_N), (Algorithm::ES384, P384_N)] {
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

/// A positive ASN.1 INTEGER of the big-endian `bytes`.
fn der_integer(bytes: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if v.first().is_none_or(|b| b & 0x80 != 0) {
        v.insert(0, 0);
    }
    let mut out = vec![0x02, v.len() as u8];
    out.extend(v);
    out
}

/// The DER `Ecdsa-Sig-Value` of a raw `r || s`.
fn der_signature(raw: &[u8]) -> Vec<u8> {
    let (r, s) = raw.split_at(raw.len() / 2);
    let body = [der_integer(r), der_integer(s)].concat();
    let mut out = vec![0x30];
    if body.len() >= 0x80 {
        out.push(0x81);
    }
    out.push(body.len() as u8);
    out.extend(body);
    out
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
        let der = der_signature(&sig);
        assert_ne!(der.len(), sig.len());
        assert_invalid(&key, &with_signature(&token, &der), "DER signature");
        // DER of r = s = 0 (the psychic signature in the form Java accepted).
        let zero = der_signature(&vec![0; sig.len()]);
        assert_invalid(&key, &with_signature(&token, &zero), "DER r = s = 0");
    }
}

#[test]
fn non_canonical_ed25519_s_is_invalid() {
    let key = generate(Algorithm::EdDSA);
    let (token, sig) = signed(&key);
    let mut forged = sig.clone();
    let mut carry = 0u16;
    for (byte, l) in forged[32..].iter_mut().zip(ED25519_L) {
        let sum = u16::from(*byte) + u16::from(l) + carry;
        *byte = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0, "S + L fits in 32 bytes");
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
        let mut one = vec![0u8; n.len()];
        *one.last_mut().unwrap() = 1;
        let mut n_minus_1 = n.clone();
        *n_minus_1.last_mut().unwrap() -= 1;
        for (what, bad) in [
            ("s = 0", vec![0u8; n.len()]),
            ("s = 1", one),
            ("s = n", n.clone()),
            ("s = n - 1", n_minus_1),
        ] {
            assert_invalid(&key, &with_signature(&token, &bad), what);
        }
    }
}
