//! The floor on ring's API, shared by ring and aws-lc-rs (which mirrors it): the
//! parent module names the crate `p` and supplies the two calls that differ.

use std::hint::black_box;

use super::{EcdsaPair, NAME, PublicKey, ecdsa_pair, p, rsa_signature_len};
use crate::fixture::{Fixture, SECRET};
use crate::floor::{decode, encode, header_json, split};
use crate::op::{Op, Sink};
use p::signature::{self, KeyPair as _};

/// An operation, the algorithm, the raw public key, the token and its `alg`.
type Check<'a> = (
    Op,
    &'static dyn signature::VerificationAlgorithm,
    &'a [u8],
    &'a str,
    &'static str,
);

#[allow(clippy::expect_used)] // a failure is a broken contender: the run must stop
pub(crate) fn register<S: Sink>(sink: &mut S, fx: &Fixture) {
    let id = format!("floor-{NAME}");
    let rng = p::rand::SystemRandom::new();

    let hmac = p::hmac::Key::new(p::hmac::HMAC_SHA256, SECRET);
    let hs = header_json("HS256");
    for (op, claims) in [
        (Op::Hs256Sign, &fx.flat_small),
        (Op::Hs256Sign2kb, &fx.flat_large),
    ] {
        sink.bench(op, &id, || {
            encode(&hs, black_box(claims), |m| p::hmac::sign(&hmac, m))
        });
    }
    for (op, token) in [
        (Op::Hs256Verify, &fx.hs_small),
        (Op::Hs256Verify2kb, &fx.hs_large),
    ] {
        sink.bench(op, &id, || {
            let (input, sig, n) = split(black_box(token));
            p::hmac::verify(&hmac, input.as_bytes(), &sig[..n]).expect("verify");
            decode(input, "HS256")
        });
    }

    let rsa = signature::RsaKeyPair::from_pkcs8(&fx.rsa.pkcs8_der).expect("RSA key");
    let rs = header_json("RS256");
    sink.bench(Op::Rs256Sign, &id, || {
        encode(&rs, black_box(&fx.flat_small), |m| {
            let mut sig = vec![0; rsa_signature_len(&rsa)];
            rsa.sign(&signature::RSA_PKCS1_SHA256, &rng, m, &mut sig)
                .expect("sign");
            sig
        })
    });
    let ec = ecdsa_pair(&fx.ec.pkcs8_der, &rng).expect("EC key");
    let es = header_json("ES256");
    sink.bench(Op::Es256Sign, &id, || {
        encode(&es, black_box(&fx.flat_small), |m| {
            EcdsaPair::sign(&ec, &rng, m).expect("sign")
        })
    });
    let ed = signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&fx.ed.pkcs8_der)
        .expect("Ed25519 key");
    assert_eq!(ed.public_key().as_ref(), fx.ed.public_raw.as_slice());
    let eddsa = header_json("EdDSA");
    sink.bench(Op::EdDsaSign, &id, || {
        encode(&eddsa, black_box(&fx.flat_small), |m| ed.sign(m))
    });

    let verifies: [Check<'_>; 4] = [
        (
            Op::Rs256Verify,
            &signature::RSA_PKCS1_2048_8192_SHA256,
            &fx.rsa.public_raw,
            &fx.rs256,
            "RS256",
        ),
        (
            Op::Ps256Verify,
            &signature::RSA_PSS_2048_8192_SHA256,
            &fx.rsa.public_raw,
            &fx.ps256,
            "PS256",
        ),
        (
            Op::Es256Verify,
            &signature::ECDSA_P256_SHA256_FIXED,
            &fx.ec.public_raw,
            &fx.es256,
            "ES256",
        ),
        (
            Op::EdDsaVerify,
            &signature::ED25519,
            &fx.ed.public_raw,
            &fx.eddsa,
            "EdDSA",
        ),
    ];
    for (op, alg, raw, token, name) in verifies {
        let key = PublicKey::new(alg, raw).expect("public key");
        sink.bench(op, &id, || {
            let (input, sig, n) = split(black_box(token));
            key.verify(input.as_bytes(), &sig[..n]).expect("verify");
            decode(input, name)
        });
    }
}
