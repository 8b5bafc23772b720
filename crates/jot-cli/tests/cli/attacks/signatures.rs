//! Broken and forged signatures: empty, truncated, over-long, substituted; DER and
//! "psychic" ECDSA signatures; RSA s = 0, 1, n - 1, n; non-canonical Ed25519 S.

use jot_algorithms::{Algorithm, SigningKey, base64url};
use jot_test_support::forge::{raw_signature, sign_raw, with_signature};
use jot_test_support::signatures::{
    P256_ORDER, der_ecdsa, ed25519_s_plus_l, order_values, rsa_edge_values,
};

use super::{
    accepted, es256, es256_args, hs, hs256_args, payload, refused, refused_as, rsa, shared, with,
};
use crate::harness::{json, keys, now, ok};

#[test]
fn empty_truncated_and_over_long_signatures_are_invalid() {
    let rs_args = with(
        &["verify".to_owned(), "--key".into(), keys().public("RS256")],
        &["--alg", "RS256", "--alg", "PS256"],
    );
    let cases: Vec<(SigningKey, &str, Vec<String>)> = vec![
        (es256(), "ES256", es256_args()),
        (
            shared("es384"),
            "ES384",
            vec!["verify".into(), "--key".into(), keys().public("ES384")],
        ),
        (
            shared("eddsa"),
            "EdDSA",
            vec!["verify".into(), "--key".into(), keys().public("EdDSA")],
        ),
        (hs(Algorithm::HS256), "HS256", hs256_args()),
        (rsa(Algorithm::RS256), "RS256", rs_args.clone()),
        (rsa(Algorithm::PS256), "PS256", rs_args),
    ];
    for (key, alg, args) in cases {
        let header = format!(r#"{{"alg":"{alg}"}}"#);
        let good = sign_raw(&key, &header, &payload());
        accepted(&args, &good);
        let sig = raw_signature(&good);
        let other = sign_raw(
            &key,
            &header,
            &format!(r#"{{"sub":"43","exp":{}}}"#, now() + 600),
        );
        let other_sig = raw_signature(&other);
        let mut doubled = sig.clone();
        doubled.extend_from_slice(&sig);
        let mut longer = sig.clone();
        longer.push(0);
        let mut flipped = sig.clone();
        *flipped.last_mut().unwrap() ^= 1;
        let variants: Vec<(&str, Vec<u8>)> = vec![
            ("truncated by one byte", sig[..sig.len() - 1].to_vec()),
            ("first half", sig[..sig.len() / 2].to_vec()),
            ("one byte", sig[..1].to_vec()),
            ("one byte longer", longer),
            ("doubled", doubled),
            ("600 zero bytes", vec![0; 600]),
            ("all zero", vec![0; sig.len()]),
            ("last bit flipped", flipped),
            ("of another token", other_sig),
        ];
        for (what, bad) in variants {
            let t = with_signature(&good, &bad);
            let (msg, kind) = refused(&args, &t);
            assert_eq!(
                (msg.as_str(), kind.as_str()),
                ("signature invalid", "invalid_signature"),
                "{alg} {what}"
            );
        }
        // No signature segment content at all.
        let t = with_signature(&good, &[]);
        let (msg, kind) = refused(&args, &t);
        assert_eq!(
            (msg.as_str(), kind.as_str()),
            ("signature invalid", "invalid_signature"),
            "{alg} empty: {msg}"
        );
    }
}

#[test]
fn der_encoded_and_psychic_ecdsa_signatures_are_invalid() {
    let (n, n_minus_1, _) = order_values(P256_ORDER);
    let mut one = vec![0u8; 32];
    one[31] = 1;
    for (stem, alg) in [("es256", "ES256"), ("es384", "ES384"), ("es256k", "ES256K")] {
        let key = shared(stem);
        let args = vec!["verify".to_owned(), "--key".into(), keys().public(alg)];
        let good = sign_raw(&key, &format!(r#"{{"alg":"{alg}"}}"#), &payload());
        accepted(&args, &good);
        let fixed = raw_signature(&good);
        let zeros = vec![0u8; fixed.len()];
        for (what, sig) in [
            ("DER of the valid r, s", der_ecdsa(&fixed)),
            ("r = s = 0", zeros.clone()),
            ("DER of r = s = 0", der_ecdsa(&zeros)),
        ] {
            let (msg, kind) = refused(&args, &with_signature(&good, &sig));
            assert_eq!(
                (msg.as_str(), kind.as_str()),
                ("signature invalid", "invalid_signature"),
                "{alg}: {what}"
            );
        }
    }
    // "Psychic signatures" (CVE-2022-21449) on P-256: r, s in {n, n - 1, 1}.
    let good = sign_raw(&es256(), r#"{"alg":"ES256"}"#, &payload());
    for (what, r, s) in [
        ("r = s = n", &n, &n),
        ("r = s = n - 1", &n_minus_1, &n_minus_1),
        ("r = 1, s = n", &one, &n),
        ("r = n, s = 1", &n, &one),
    ] {
        let sig = [r.as_slice(), s.as_slice()].concat();
        let (msg, kind) = refused(&es256_args(), &with_signature(&good, &sig));
        assert_eq!(
            (msg.as_str(), kind.as_str()),
            ("signature invalid", "invalid_signature"),
            "{what}"
        );
    }
}

#[test]
fn malleated_rsa_and_ed25519_signatures_are_invalid() {
    // RSA: s = 0, 1, n - 1, n (n from the public key).
    let rsa_jwk = json(&ok(&[
        "jwk",
        "public",
        "--alg",
        "RS256",
        &keys().public("RS256"),
    ]));
    let n = base64url::decode(rsa_jwk["n"].as_str().unwrap()).unwrap();
    let args = with(
        &["verify".to_owned(), "--key".into(), keys().public("RS256")],
        &["--alg", "RS256", "--alg", "PS256"],
    );
    for alg in [Algorithm::RS256, Algorithm::PS256] {
        let good = sign_raw(&rsa(alg), &format!(r#"{{"alg":"{alg}"}}"#), &payload());
        accepted(&args, &good);
        for (what, sig) in rsa_edge_values(&n) {
            let (msg, kind) = refused(&args, &with_signature(&good, &sig));
            assert_eq!(
                (msg.as_str(), kind.as_str()),
                ("signature invalid", "invalid_signature"),
                "{alg} {what}"
            );
        }
    }
    // Ed25519: S + L (the same signature, non-canonical S).
    let good = sign_raw(&shared("eddsa"), r#"{"alg":"EdDSA"}"#, &payload());
    let args = vec!["verify".to_owned(), "--key".into(), keys().public("EdDSA")];
    accepted(&args, &good);
    let sig = ed25519_s_plus_l(&raw_signature(&good));
    refused_as(
        &args,
        &with_signature(&good, &sig),
        "invalid_signature",
        "signature invalid",
    );
}
