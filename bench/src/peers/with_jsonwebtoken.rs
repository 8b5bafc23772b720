//! `jsonwebtoken` 12 on one of its two backends (`aws_lc_rs` or `rust_crypto`).

use std::hint::black_box;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};

use crate::fixture::{AUD, Fixture, Flat, ISS, SECRET};
use crate::op::{Op, Sink};

/// The backend measured. With both features on (an `--all-features` build) the
/// process-wide provider is installed explicitly: `rust_crypto`.
#[cfg(feature = "jsonwebtoken-rust-crypto")]
const BACKEND: &str = "rust_crypto";
#[cfg(not(feature = "jsonwebtoken-rust-crypto"))]
const BACKEND: &str = "aws_lc_rs";

#[allow(clippy::expect_used)] // a failure is a broken contender: the run must stop
pub(crate) fn register<S: Sink>(sink: &mut S, fx: &Fixture) {
    #[cfg(all(
        feature = "jsonwebtoken-aws-lc-rs",
        feature = "jsonwebtoken-rust-crypto"
    ))]
    {
        // Refused only when already installed, by an earlier call: the same provider.
        let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
            &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER,
        );
    }
    let id = format!("jsonwebtoken-{BACKEND}");
    let validation = |alg| {
        let mut v = Validation::new(alg);
        v.set_issuer(&[ISS]);
        v.set_audience(&[AUD]);
        v
    };
    let encode = |sink: &mut S, op: Op, alg: Algorithm, key: &EncodingKey, claims: &Flat| {
        let header = Header::new(alg);
        sink.bench(op, &id, || {
            jsonwebtoken::encode(&header, black_box(claims), key).expect("encode")
        });
    };
    let decode = |sink: &mut S, op: Op, alg: Algorithm, key: &DecodingKey, token: &str| {
        let v = validation(alg);
        sink.bench(op, &id, || {
            jsonwebtoken::decode::<Flat>(black_box(token), key, &v).expect("decode")
        });
    };

    let hs = EncodingKey::from_secret(SECRET).expect("HMAC key");
    let hs_verify = DecodingKey::from_secret(SECRET).expect("HMAC key");
    encode(sink, Op::Hs256Sign, Algorithm::HS256, &hs, &fx.flat_small);
    encode(
        sink,
        Op::Hs256Sign2kb,
        Algorithm::HS256,
        &hs,
        &fx.flat_large,
    );
    decode(
        sink,
        Op::Hs256Verify,
        Algorithm::HS256,
        &hs_verify,
        &fx.hs_small,
    );
    decode(
        sink,
        Op::Hs256Verify2kb,
        Algorithm::HS256,
        &hs_verify,
        &fx.hs_large,
    );

    let rsa = EncodingKey::from_rsa_pem(fx.rsa.pkcs8_pem.as_bytes()).expect("RSA key");
    let rsa_verify = DecodingKey::from_rsa_pem(fx.rsa.spki_pem.as_bytes()).expect("RSA key");
    encode(sink, Op::Rs256Sign, Algorithm::RS256, &rsa, &fx.flat_small);
    decode(
        sink,
        Op::Rs256Verify,
        Algorithm::RS256,
        &rsa_verify,
        &fx.rs256,
    );
    decode(
        sink,
        Op::Ps256Verify,
        Algorithm::PS256,
        &rsa_verify,
        &fx.ps256,
    );

    let ec = EncodingKey::from_ec_pem(fx.ec.pkcs8_pem.as_bytes()).expect("EC key");
    let ec_verify = DecodingKey::from_ec_pem(fx.ec.spki_pem.as_bytes()).expect("EC key");
    encode(sink, Op::Es256Sign, Algorithm::ES256, &ec, &fx.flat_small);
    decode(
        sink,
        Op::Es256Verify,
        Algorithm::ES256,
        &ec_verify,
        &fx.es256,
    );

    let ed = EncodingKey::from_ed_pem(fx.ed.pkcs8_pem.as_bytes()).expect("Ed25519 key");
    let ed_verify = DecodingKey::from_ed_pem(fx.ed.spki_pem.as_bytes()).expect("Ed25519 key");
    encode(sink, Op::EdDsaSign, Algorithm::EdDSA, &ed, &fx.flat_small);
    decode(
        sink,
        Op::EdDsaVerify,
        Algorithm::EdDSA,
        &ed_verify,
        &fx.eddsa,
    );
}
