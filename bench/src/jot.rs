//! jot itself: `encode`, and `decode` with issuer, audience and `exp` validation.

use std::hint::black_box;

use jot_algorithms::{Algorithm, Header, SigningKey, Validation, VerifyingKey};

use crate::fixture::{AUD, Fixture, ISS, Profile, SECRET};
use crate::op::{Op, Sink};

/// The provider jot-algorithms runs on in this build.
pub(crate) const PROVIDER: &str = jot_algorithms::provider::NAME;

/// The provider this build's features ask for, by jot-algorithms' precedence
/// (`aws-lc-rs`, then `rust-crypto`, then `ring`). jot is measured only when it is
/// the one jot-algorithms runs on, so a row is never credited to the wrong provider.
pub(crate) const INTENDED: &str = if cfg!(feature = "aws-lc-rs") {
    "aws-lc-rs"
} else if cfg!(feature = "rust-crypto") {
    "rust-crypto"
} else {
    "ring"
};

#[allow(clippy::expect_used)] // a failure is a broken contender: the run must stop
pub(crate) fn register<S: Sink>(sink: &mut S, fx: &Fixture) {
    if PROVIDER != INTENDED {
        return;
    }
    let id = format!("jot-{PROVIDER}");
    let validation = Validation::new().issuer(ISS).audience(AUD);
    let header = Header::jwt();
    let encode = |sink: &mut S, op, key: &SigningKey, claims| {
        sink.bench(op, &id, || {
            jot_algorithms::encode(key, &header, black_box(claims)).expect("encode")
        });
    };
    let decode = |sink: &mut S, op, key: &VerifyingKey, token: &str| {
        sink.bench(op, &id, || {
            jot_algorithms::decode::<Profile>(black_box(token), key, &validation).expect("decode")
        });
    };

    let hs = SigningKey::hmac(Algorithm::HS256, SECRET).expect("HMAC key");
    let hs_verify = VerifyingKey::hmac(Algorithm::HS256, SECRET).expect("HMAC key");
    encode(sink, Op::Hs256Sign, &hs, &fx.jot_small);
    encode(sink, Op::Hs256Sign2kb, &hs, &fx.jot_large);
    decode(sink, Op::Hs256Verify, &hs_verify, &fx.hs_small);
    decode(sink, Op::Hs256Verify2kb, &hs_verify, &fx.hs_large);

    let key = |alg, pem| SigningKey::from_pem(alg, pem).expect("test key");
    let rs = key(Algorithm::RS256, fx.rsa.pkcs8_pem);
    encode(sink, Op::Rs256Sign, &rs, &fx.jot_small);
    decode(sink, Op::Rs256Verify, &rs.verifying_key(), &fx.rs256);
    let ps = key(Algorithm::PS256, fx.rsa.pkcs8_pem);
    decode(sink, Op::Ps256Verify, &ps.verifying_key(), &fx.ps256);
    let es = key(Algorithm::ES256, fx.ec.pkcs8_pem);
    encode(sink, Op::Es256Sign, &es, &fx.jot_small);
    decode(sink, Op::Es256Verify, &es.verifying_key(), &fx.es256);
    let ed = key(Algorithm::EdDSA, fx.ed.pkcs8_pem);
    encode(sink, Op::EdDsaSign, &ed, &fx.jot_small);
    decode(sink, Op::EdDsaVerify, &ed.verifying_key(), &fx.eddsa);
}
