//! `jwt-compact` 0.8 with its `rsa`, `p256` and `ed25519-dalek` backends (HS256 is
//! built in). It checks the signature and the times; issuer and audience are compared
//! after `validate`, as its users do.

use std::hint::black_box;

use chrono::{DateTime, Utc};
use jwt_compact::alg::{Ed25519, Es256, Hs256, Hs256Key, Rsa, SigningKey as _, VerifyingKey as _};
use jwt_compact::prelude::*;
use jwt_compact::{Algorithm, Token};
use rsa09::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _};
use serde::{Deserialize, Serialize};

use crate::fixture::{AUD, Fixture, ISS, SECRET, SUB};
use crate::op::{Op, Sink};

const ID: &str = "jwt-compact";

/// The custom claims (jwt-compact's `Claims` holds `exp`, `nbf` and `iat`).
#[derive(Serialize, Deserialize)]
struct Custom {
    iss: String,
    sub: String,
    aud: String,
    roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    permissions: Vec<String>,
}

#[allow(clippy::expect_used)] // a failure is a broken contender: the run must stop
pub(crate) fn register<S: Sink>(sink: &mut S, fx: &Fixture) {
    let time = |secs: u64| {
        DateTime::<Utc>::from_timestamp(i64::try_from(secs).expect("a date"), 0).expect("a date")
    };
    let claims = |large: bool| {
        let flat = if large {
            &fx.flat_large
        } else {
            &fx.flat_small
        };
        let mut c = Claims::new(Custom {
            iss: ISS.into(),
            sub: SUB.into(),
            aud: AUD.into(),
            roles: flat.roles.clone(),
            permissions: flat.permissions.clone(),
        });
        c.issued_at = Some(time(fx.iat));
        c.expiration = Some(time(fx.exp));
        c
    };
    let (small, large) = (claims(false), claims(true));
    let header = Header::empty().with_token_type("JWT");
    let options = TimeOptions::default();

    fn sign<S: Sink, A: Algorithm>(
        sink: &mut S,
        op: Op,
        alg: &A,
        header: &Header,
        key: &A::SigningKey,
        claims: &Claims<Custom>,
    ) {
        sink.bench(op, ID, || {
            alg.token(header, black_box(claims), key).expect("sign")
        });
    }
    fn verify<S: Sink, A: Algorithm>(
        sink: &mut S,
        op: Op,
        alg: &A,
        key: &A::VerifyingKey,
        token: &str,
        options: &TimeOptions,
    ) {
        sink.bench(op, ID, || {
            let untrusted = UntrustedToken::new(black_box(token)).expect("parse");
            let token: Token<Custom> = alg.validator(key).validate(&untrusted).expect("verify");
            let claims = token.claims();
            claims.validate_expiration(options).expect("exp");
            assert!(
                claims.custom.iss == ISS && claims.custom.aud == AUD,
                "iss, aud"
            );
            token
        });
    }

    let hs = Hs256Key::new(SECRET);
    sign(sink, Op::Hs256Sign, &Hs256, &header, &hs, &small);
    sign(sink, Op::Hs256Sign2kb, &Hs256, &header, &hs, &large);
    verify(sink, Op::Hs256Verify, &Hs256, &hs, &fx.hs_small, &options);
    verify(
        sink,
        Op::Hs256Verify2kb,
        &Hs256,
        &hs,
        &fx.hs_large,
        &options,
    );

    let rsa = rsa09::RsaPrivateKey::from_pkcs1_der(&fx.rsa.private_raw).expect("RSA key");
    let rsa_public = rsa09::RsaPublicKey::from_pkcs1_der(&fx.rsa.public_raw).expect("RSA key");
    sign(sink, Op::Rs256Sign, &Rsa::rs256(), &header, &rsa, &small);
    verify(
        sink,
        Op::Rs256Verify,
        &Rsa::rs256(),
        &rsa_public,
        &fx.rs256,
        &options,
    );
    verify(
        sink,
        Op::Ps256Verify,
        &Rsa::ps256(),
        &rsa_public,
        &fx.ps256,
        &options,
    );

    let es = <Es256 as Algorithm>::SigningKey::from_slice(&fx.ec.private_raw).expect("EC key");
    let es_public =
        <Es256 as Algorithm>::VerifyingKey::from_slice(&fx.ec.public_raw).expect("EC key");
    sign(sink, Op::Es256Sign, &Es256, &header, &es, &small);
    verify(
        sink,
        Op::Es256Verify,
        &Es256,
        &es_public,
        &fx.es256,
        &options,
    );

    let ed = <Ed25519 as Algorithm>::SigningKey::from_slice(&fx.ed.private_raw).expect("key");
    let ed_public =
        <Ed25519 as Algorithm>::VerifyingKey::from_slice(&fx.ed.public_raw).expect("key");
    sign(sink, Op::EdDsaSign, &Ed25519, &header, &ed, &small);
    verify(
        sink,
        Op::EdDsaVerify,
        &Ed25519,
        &ed_public,
        &fx.eddsa,
        &options,
    );
}
