use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Custom {
    name: String,
    #[serde(default)]
    roles: Vec<String>,
}

fn parse<T: DeserializeOwned>(json: &str) -> Result<Claims<T>, Error> {
    claims_from_json(json.as_bytes(), None)
}

#[test]
fn registered_claims_are_typed_and_custom_sees_only_its_own() {
    let c: Claims<Custom> = parse(
        r#"{"iss":"i","sub":"s","aud":["a","b"],"exp":10,"nbf":1.5,"iat":0,"jti":"j","name":"n","roles":["r"],"other":{"x":[1,2]}}"#,
    )
    .unwrap();
    assert_eq!(c.iss.as_deref(), Some("i"));
    assert_eq!(c.sub.as_deref(), Some("s"));
    assert_eq!(c.aud, Some(Audience::Many(vec!["a".into(), "b".into()])));
    assert_eq!(c.exp.unwrap().seconds(), 10);
    assert_eq!(c.nbf.unwrap().seconds(), 1);
    assert_eq!(c.nbf.unwrap().subsec_nanos(), 500_000_000);
    assert_eq!(c.iat.unwrap().seconds(), 0);
    assert_eq!(c.jti.as_deref(), Some("j"));
    assert_eq!(
        c.custom,
        Custom {
            name: "n".into(),
            roles: vec!["r".into()]
        }
    );
}

#[test]
fn custom_types_of_every_shape() {
    let c: Claims<()> = parse(r#"{"sub":"s","x":1,"y":[{"z":null}]}"#).unwrap();
    assert_eq!(c.sub.as_deref(), Some("s"));
    let c: Claims<serde_json::Map<String, serde_json::Value>> =
        parse(r#"{"exp":5,"x":1,"y":"z"}"#).unwrap();
    assert_eq!(c.custom.len(), 2);
    assert_eq!(c.exp.unwrap().seconds(), 5);
    let c: Claims<serde_json::Value> = parse(r#"{"x":1}"#).unwrap();
    assert_eq!(c.custom["x"], 1);
    let c: Claims<Option<Custom>> = parse(r#"{"name":"a"}"#).unwrap();
    assert_eq!(c.custom.unwrap().name, "a");
    // A custom type that is not an object cannot be built from the members.
    assert!(matches!(
        parse::<String>(r#"{"x":1}"#),
        Err(Error::Json { .. })
    ));
}

#[test]
fn numeric_dates_accept_only_numbers_in_range() {
    for claim in ["exp", "nbf", "iat"] {
        for (value, reason) in [
            ("\"1700000000\"", ClaimValueError::NotANumber),
            ("true", ClaimValueError::NotANumber),
            ("null", ClaimValueError::NotANumber),
            ("[1]", ClaimValueError::NotANumber),
            ("{}", ClaimValueError::NotANumber),
            ("-1", ClaimValueError::OutOfRange),
            ("-0.5", ClaimValueError::OutOfRange),
            ("1e30", ClaimValueError::OutOfRange),
            ("253402300800", ClaimValueError::OutOfRange),
            ("18446744073709551615", ClaimValueError::OutOfRange),
        ] {
            let json = alloc::format!(r#"{{"{claim}":{value}}}"#);
            match parse::<()>(&json) {
                Err(Error::InvalidClaim {
                    claim: c,
                    reason: r,
                }) => {
                    assert_eq!((c, r), (claim, reason), "{json}");
                }
                other => panic!("{json}: {other:?}"),
            }
        }
        // 1e400 does not fit a double: refused by the JSON reader itself.
        let json = alloc::format!(r#"{{"{claim}":1e400}}"#);
        assert!(
            matches!(parse::<()>(&json), Err(Error::Json { .. })),
            "{json}"
        );
        let json = alloc::format!(r#"{{"{claim}":253402300799}}"#);
        assert!(parse::<()>(&json).is_ok());
        let json = alloc::format!(r#"{{"{claim}":1.0e9}}"#);
        assert_eq!(
            parse::<()>(&json)
                .unwrap()
                .exp
                .map_or(1_000_000_000, |d| d.seconds()),
            1_000_000_000
        );
    }
}

#[test]
fn string_claims_must_be_strings() {
    for claim in ["iss", "sub", "jti"] {
        for value in ["1", "null", "true", "[\"a\"]", "{}"] {
            let json = alloc::format!(r#"{{"{claim}":{value}}}"#);
            assert!(
                matches!(parse::<()>(&json), Err(Error::InvalidClaim { claim: c, reason: ClaimValueError::NotAString }) if c == claim),
                "{json}"
            );
        }
    }
}

#[test]
fn audience_shapes() {
    for value in ["1", "null", "{}", r#"["me",1]"#, r#"[["me"]]"#, "true"] {
        let json = alloc::format!(r#"{{"aud":{value}}}"#);
        assert!(
            matches!(
                parse::<()>(&json),
                Err(Error::InvalidClaim {
                    claim: "aud",
                    reason: ClaimValueError::InvalidAudience
                })
            ),
            "{json}"
        );
    }
    assert_eq!(
        parse::<()>(r#"{"aud":[]}"#).unwrap().aud,
        Some(Audience::Many(vec![]))
    );
    assert_eq!(
        parse::<()>(r#"{"aud":""}"#).unwrap().aud,
        Some(Audience::One(String::new()))
    );
}

#[test]
fn duplicate_members_are_refused_registered_or_custom() {
    for json in [
        r#"{"exp":1,"exp":2}"#,
        r#"{"sub":"a","sub":"a"}"#,
        r#"{"name":"a","name":"b"}"#,
        r#"{"x":1,"y":2,"x":3}"#,
        r#"{"\u0065xp":1,"exp":2}"#,
    ] {
        assert!(
            matches!(
                parse::<Custom>(json),
                Err(Error::DuplicateMember {
                    segment: Segment::Payload,
                    ..
                })
            ),
            "{json}"
        );
        assert!(
            matches!(parse::<()>(json), Err(Error::DuplicateMember { .. })),
            "{json}"
        );
    }
    // Many members: still found (the tree path).
    let mut json = String::from("{");
    for i in 0..100 {
        json.push_str(&alloc::format!(r#""m{i}":{i},"#));
    }
    json.push_str(r#""m7":0}"#);
    assert!(matches!(
        parse::<()>(&json),
        Err(Error::DuplicateMember { .. })
    ));
}

#[test]
fn not_an_object_or_broken_json() {
    for json in [
        "[]",
        "1",
        "null",
        "\"x\"",
        "",
        "{",
        "{\"a\":}",
        "{\"a\":1} {}",
    ] {
        assert!(
            matches!(
                parse::<()>(json),
                Err(Error::Json {
                    segment: Segment::Payload,
                    ..
                })
            ),
            "{json:?}"
        );
    }
    // Lone surrogates are refused wherever a string is read.
    assert!(matches!(
        parse::<()>(r#"{"iss":"\ud800"}"#),
        Err(Error::Json { .. })
    ));
    assert!(matches!(
        parse::<serde_json::Value>(r#"{"a":"\udc00x"}"#),
        Err(Error::Json { .. })
    ));
    assert!(matches!(
        claims_from_json::<()>(b"{\"a\":\"\xff\"}", None),
        Err(Error::Json { .. })
    ));
}

#[test]
fn deep_nesting_is_a_clean_error() {
    let mut json = String::from("{\"a\":");
    json.push_str(&"[".repeat(100_000));
    json.push_str(&"]".repeat(100_000));
    json.push('}');
    assert!(matches!(
        parse::<serde_json::Value>(&json),
        Err(Error::Json {
            kind: crate::JsonErrorKind::Syntax,
            ..
        })
    ));
    // Members the custom type ignores are skipped without recursion: no stack is used.
    assert!(parse::<()>(&json).is_ok());
}

#[test]
fn serializing_refuses_registered_names_in_custom() {
    #[derive(Serialize)]
    struct Bad {
        exp: u64,
    }
    assert!(serde_json::to_string(&Claims::new(Bad { exp: 1 })).is_err());
    let mut map = serde_json::Map::new();
    map.insert("aud".to_string(), "x".into());
    assert!(serde_json::to_string(&Claims::new(map)).is_err());
    assert!(serde_json::to_string(&Claims::new(5u8)).is_err());
    assert_eq!(serde_json::to_string(&Claims::new(())).unwrap(), "{}");
    assert_eq!(
        serde_json::to_string(&Claims::new(None::<Custom>)).unwrap(),
        "{}"
    );
}

#[test]
fn names_are_collected_when_asked() {
    let mut names = Vec::new();
    claims_from_json::<()>(br#"{"exp":1,"scope":"a","x":null}"#, Some(&mut names)).unwrap();
    names.sort();
    assert_eq!(names, ["scope", "x"]);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn claims_round_trip(
            iss in proptest::option::of("[ -~]{0,20}"),
            sub in proptest::option::of("\\PC{0,10}"),
            aud in proptest::option::of(proptest::collection::vec("[a-z]{1,5}", 0..4)),
            exp in proptest::option::of(0u64..=NumericDate::MAX_SECONDS),
            name in "\\PC{0,16}",
        ) {
            let mut c = Claims::new(Custom { name, roles: vec![] });
            c.iss = iss;
            c.sub = sub;
            c.aud = aud.map(Audience::Many);
            c.exp = exp.and_then(NumericDate::from_seconds);
            let json = serde_json::to_string(&c).unwrap();
            let back: Claims<Custom> = parse(&json).unwrap();
            prop_assert_eq!(back, c);
        }
    }
}
