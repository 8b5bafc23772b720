//! The floor on the RustCrypto crates: `hmac` + `sha2`, `rsa`, `p256`, `ed25519-dalek`.

use std::hint::black_box;

use hmac::{Hmac, KeyInit as _, Mac as _};
use rsa::pkcs1::DecodeRsaPublicKey as _;
use rsa::pkcs8::DecodePrivateKey as _;
use sha2::Sha256;
use signature::{SignatureEncoding as _, Signer as _, Verifier as _};

use crate::fixture::{Fixture, SECRET};
use crate::floor::{decode, encode, header_json, split};
use crate::op::{Op, Sink};

#[allow(clippy::expect_used)] // a failure is a broken contender: the run must stop
pub(crate) fn register<S: Sink>(sink: &mut S, fx: &Fixture) {
    let id = "floor-rust-crypto";

    // The keyed state (inner and outer pads hashed) is computed once and cloned.
    let hmac = Hmac::<Sha256>::new_from_slice(SECRET).expect("HMAC key");
    let hs = header_json("HS256");
    for (op, claims) in [
        (Op::Hs256Sign, &fx.flat_small),
        (Op::Hs256Sign2kb, &fx.flat_large),
    ] {
        sink.bench(op, id, || {
            encode(&hs, black_box(claims), |m| {
                hmac.clone().chain_update(m).finalize().into_bytes()
            })
        });
    }
    for (op, token) in [
        (Op::Hs256Verify, &fx.hs_small),
        (Op::Hs256Verify2kb, &fx.hs_large),
    ] {
        sink.bench(op, id, || {
            let (input, sig, n) = split(black_box(token));
            hmac.clone()
                .chain_update(input.as_bytes())
                .verify_slice(&sig[..n])
                .expect("verify");
            decode(input, "HS256")
        });
    }

    let rsa_private = rsa::PrivateKey::from_pkcs8_der(&fx.rsa.pkcs8_der).expect("RSA key");
    let rsa_signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(rsa_private);
    let rs = header_json("RS256");
    sink.bench(Op::Rs256Sign, id, || {
        encode(&rs, black_box(&fx.flat_small), |m| {
            rsa_signer.try_sign(m).expect("sign").to_bytes()
        })
    });
    let ec_signer = p256::ecdsa::SigningKey::from_slice(&fx.ec.private_raw).expect("EC key");
    let es = header_json("ES256");
    sink.bench(Op::Es256Sign, id, || {
        encode(&es, black_box(&fx.flat_small), |m| {
            let sig: p256::ecdsa::Signature = ec_signer.try_sign(m).expect("sign");
            sig.to_bytes()
        })
    });
    let seed: [u8; 32] = fx
        .ed
        .private_raw
        .as_slice()
        .try_into()
        .expect("32-byte seed");
    let ed_signer = ed25519_dalek::SigningKey::from_bytes(&seed);
    let eddsa = header_json("EdDSA");
    sink.bench(Op::EdDsaSign, id, || {
        encode(&eddsa, black_box(&fx.flat_small), |m| {
            ed_signer.try_sign(m).expect("sign").to_bytes()
        })
    });

    let rsa_public = rsa::PublicKey::from_pkcs1_der(&fx.rsa.public_raw).expect("RSA key");
    let rs_verifier = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(rsa_public.clone());
    sink.bench(Op::Rs256Verify, id, || {
        let (input, sig, n) = split(black_box(&fx.rs256));
        let sig = rsa::pkcs1v15::Signature::try_from(&sig[..n]).expect("signature");
        rs_verifier.verify(input.as_bytes(), &sig).expect("verify");
        decode(input, "RS256")
    });
    let ps_verifier = rsa::pss::VerifyingKey::<Sha256>::new(rsa_public);
    sink.bench(Op::Ps256Verify, id, || {
        let (input, sig, n) = split(black_box(&fx.ps256));
        let sig = rsa::pss::Signature::try_from(&sig[..n]).expect("signature");
        ps_verifier.verify(input.as_bytes(), &sig).expect("verify");
        decode(input, "PS256")
    });
    let ec_verifier =
        p256::ecdsa::VerifyingKey::from_sec1_bytes(&fx.ec.public_raw).expect("EC key");
    sink.bench(Op::Es256Verify, id, || {
        let (input, sig, n) = split(black_box(&fx.es256));
        let sig = p256::ecdsa::Signature::from_slice(&sig[..n]).expect("signature");
        ec_verifier.verify(input.as_bytes(), &sig).expect("verify");
        decode(input, "ES256")
    });
    let public: [u8; 32] = fx.ed.public_raw.as_slice().try_into().expect("32-byte key");
    let ed_verifier = ed25519_dalek::VerifyingKey::from_bytes(&public).expect("Ed25519 key");
    sink.bench(Op::EdDsaVerify, id, || {
        let (input, sig, n) = split(black_box(&fx.eddsa));
        let sig = ed25519_dalek::Signature::from_slice(&sig[..n]).expect("signature");
        ed_verifier.verify(input.as_bytes(), &sig).expect("verify");
        decode(input, "EdDSA")
    });
}
