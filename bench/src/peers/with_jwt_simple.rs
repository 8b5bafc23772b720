//! `jwt-simple` 0.15 built with `pure-rust` (its default `optimal` builds BoringSSL,
//! which needs cmake and libclang).

use std::collections::HashSet;
use std::hint::black_box;

use jwt_simple::prelude::*;
use serde::{Deserialize, Serialize};

use crate::fixture::{AUD, Fixture, ISS, SECRET, SUB};
use crate::op::{Op, Sink};

const ID: &str = "jwt-simple";

/// The custom claims, borrowed for signing (its `sign` takes the claims by value).
#[derive(Clone, Serialize)]
struct Custom<'a> {
    roles: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    permissions: &'a [String],
}

/// The custom claims, owned for decoding.
#[derive(Deserialize)]
struct Owned {
    #[allow(dead_code)] // decoded, as a user's struct would be
    roles: Vec<String>,
    #[allow(dead_code)]
    #[serde(default)]
    permissions: Vec<String>,
}

#[allow(clippy::expect_used)] // a failure is a broken contender: the run must stop
pub(crate) fn register<S: Sink>(sink: &mut S, fx: &Fixture) {
    let claims = |large: bool| {
        let flat = if large {
            &fx.flat_large
        } else {
            &fx.flat_small
        };
        let mut c = Claims::with_custom_claims(
            Custom {
                roles: &flat.roles,
                permissions: &flat.permissions,
            },
            Duration::from_secs(3600),
        )
        .with_issuer(ISS)
        .with_audience(AUD)
        .with_subject(SUB);
        // The same times as every other contender, and no `nbf`.
        c.issued_at = Some(Duration::from_secs(fx.iat));
        c.expires_at = Some(Duration::from_secs(fx.exp));
        c.invalid_before = None;
        c
    };
    let (small, large) = (claims(false), claims(true));
    let options = VerificationOptions {
        allowed_issuers: Some(HashSet::from([ISS.to_owned()])),
        allowed_audiences: Some(HashSet::from([AUD.to_owned()])),
        ..VerificationOptions::default()
    };
    // Both `sign` and `verify_token` take their argument by value: the copy is made
    // outside the measurement.
    macro_rules! sign {
        ($op:expr, $key:expr, $claims:expr) => {
            sink.bench_batched(
                $op,
                ID,
                || $claims.clone(),
                |c| $key.sign(black_box(c)).expect("sign"),
            )
        };
    }
    macro_rules! verify {
        ($op:expr, $key:expr, $token:expr) => {
            sink.bench_batched(
                $op,
                ID,
                || Some(options.clone()),
                |o| {
                    $key.verify_token::<Owned>(black_box($token), o)
                        .expect("verify")
                },
            )
        };
    }

    let hs = HS256Key::from_bytes(SECRET);
    sink.bench_batched(
        Op::Hs256Sign,
        ID,
        || small.clone(),
        |c| hs.authenticate(black_box(c)).expect("sign"),
    );
    sink.bench_batched(
        Op::Hs256Sign2kb,
        ID,
        || large.clone(),
        |c| hs.authenticate(black_box(c)).expect("sign"),
    );
    verify!(Op::Hs256Verify, hs, &fx.hs_small);
    verify!(Op::Hs256Verify2kb, hs, &fx.hs_large);

    let rs = RS256KeyPair::from_pem(fx.rsa.pkcs8_pem).expect("RSA key");
    sign!(Op::Rs256Sign, rs, small);
    let rs_public = RS256PublicKey::from_pem(fx.rsa.spki_pem).expect("RSA key");
    verify!(Op::Rs256Verify, rs_public, &fx.rs256);
    let ps_public = PS256PublicKey::from_pem(fx.rsa.spki_pem).expect("RSA key");
    verify!(Op::Ps256Verify, ps_public, &fx.ps256);

    let es = ES256KeyPair::from_pem(fx.ec.pkcs8_pem).expect("EC key");
    sign!(Op::Es256Sign, es, small);
    let es_public = ES256PublicKey::from_pem(fx.ec.spki_pem).expect("EC key");
    verify!(Op::Es256Verify, es_public, &fx.es256);

    let ed = Ed25519KeyPair::from_pem(fx.ed.pkcs8_pem).expect("Ed25519 key");
    sign!(Op::EdDsaSign, ed, small);
    let ed_public = Ed25519PublicKey::from_pem(fx.ed.spki_pem).expect("Ed25519 key");
    verify!(Op::EdDsaVerify, ed_public, &fx.eddsa);
}
