//! Properties: any claims jot encodes, jot decodes to the same claims; any change of
//! one byte of a signed token (HS256 and ES256) is rejected.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jot_algorithms::{
    Algorithm, Audience, Claims, Header, NumericDate, SigningKey, Validation, encode,
};
use proptest::prelude::*;
use serde_json::Value;

use crate::support::{NOW, decode_as, hs256, public};

type Custom = BTreeMap<String, Value>;

fn custom_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        ".{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn date(range: std::ops::Range<u64>) -> impl Strategy<Value = NumericDate> {
    range.prop_map(|s| NumericDate::from_seconds(s).unwrap())
}

prop_compose! {
    fn claims()(
        iss in prop::option::of(".{0,30}"),
        sub in prop::option::of(".{0,30}"),
        aud in prop::option::of(prop_oneof![
            ".{0,10}".prop_map(Audience::One),
            prop::collection::vec(".{0,10}", 0..4).prop_map(Audience::Many),
        ]),
        exp in date(NOW..NumericDate::MAX_SECONDS),
        nbf in prop::option::of(date(0..NOW)),
        iat in prop::option::of(date(0..NOW)),
        jti in prop::option::of(".{0,30}"),
        custom in prop::collection::btree_map("c_[a-zA-Z0-9_\u{e9}]{0,8}", custom_value(), 0..6),
    ) -> Claims<Custom> {
        let mut c = Claims::new(custom).expires_at(exp);
        c.iss = iss;
        c.sub = sub;
        c.aud = aud;
        c.nbf = nbf;
        c.iat = iat;
        c.jti = jti;
        c
    }
}

fn es256() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate(Algorithm::ES256).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn what_jot_encodes_jot_decodes(claims in claims(), es in any::<bool>(), kid in prop::option::of("[ -~]{0,12}")) {
        let key = if es { es256().clone() } else { hs256() };
        let mut header = Header::jwt();
        if let Some(kid) = &kid {
            header = header.kid(kid.clone());
        }
        let token = encode(&key, &header, &claims).unwrap();
        let mut v = Validation::new();
        if let Some(aud) = &claims.aud {
            match aud.iter().next() {
                Some(first) => v = v.audience(first),
                None => v = v.danger_ignore_audience(),
            }
        }
        let decoded = decode_as::<Custom, _>(&token, &public(&key), &v).unwrap();
        prop_assert_eq!(decoded.algorithm, key.algorithm());
        prop_assert_eq!(decoded.header.kid, kid);
        prop_assert_eq!(decoded.claims, claims);
    }

    #[test]
    fn any_single_byte_change_is_rejected(es in any::<bool>(), pos in any::<prop::sample::Index>(), byte in 0u8..0x80) {
        let key = if es { es256().clone() } else { hs256() };
        let claims = Claims::new(()).subject("42").audience("api").expires_at(NumericDate::from_seconds(NOW + 600).unwrap());
        let token = encode(&key, &Header::jwt().kid("k1"), &claims).unwrap();
        let v = Validation::new().audience("api");
        prop_assert!(decode_as::<(), _>(&token, &public(&key), &v).is_ok());
        let i = pos.index(token.len());
        prop_assume!(token.as_bytes()[i] != byte);
        let mut bytes = token.into_bytes();
        bytes[i] = byte;
        let tampered = String::from_utf8(bytes).unwrap();
        let result = decode_as::<(), _>(&tampered, &public(&key), &v);
        prop_assert!(result.is_err(), "accepted after changing byte {}: {}", i, tampered);
    }
}

#[test]
fn every_single_byte_change_of_an_hs256_token_is_rejected() {
    // Exhaustively for HS256 (fast): every position, every ASCII byte.
    let key = hs256();
    let claims = Claims::new(())
        .subject("42")
        .expires_at(NumericDate::from_seconds(NOW + 600).unwrap());
    let token = encode(&key, &Header::jwt(), &claims).unwrap();
    let v = Validation::new();
    assert!(decode_as::<(), _>(&token, &public(&key), &v).is_ok());
    for (i, original) in token.bytes().enumerate() {
        for byte in (0u8..0x80).filter(|b| *b != original) {
            let mut bytes = token.clone().into_bytes();
            bytes[i] = byte;
            let tampered = String::from_utf8(bytes).unwrap();
            assert!(
                decode_as::<(), _>(&tampered, &public(&key), &v).is_err(),
                "accepted after changing byte {i} to {byte:#x}: {tampered}"
            );
        }
    }
}
