//! The decode pipeline, driven with a toy keyed checksum (no real crypto here: the
//! codec has none). The real algorithms are tested in jot-algorithms.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Deserializer, Serialize};

use super::*;
use crate::{
    Audience, ClaimValueError, FixedClock, HeaderError, NumericDate, SignError, unsecured,
};

/// A keyed FNV-1a checksum: stands in for a MAC in these tests only.
struct Toy {
    alg: Algorithm,
    key: u64,
    kid: Option<&'static str>,
}

const TOY: Toy = Toy {
    alg: Algorithm::HS256,
    key: 0x5eed,
    kid: None,
};

fn checksum(key: u64, input: &[u8]) -> [u8; 8] {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ key;
    for b in input {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h.to_be_bytes()
}

impl Signer for Toy {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }
    fn key_id(&self) -> Option<&str> {
        self.kid
    }
    fn sign(&self, input: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> {
        out.extend_from_slice(&checksum(self.key, input));
        Ok(())
    }
}

impl Verifier for Toy {
    fn verify(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        input: &[u8],
        sig: &[u8],
    ) -> Result<(), VerifyError> {
        if alg != self.alg {
            return Err(VerifyError::AlgorithmNotAllowed);
        }
        if let (Some(a), Some(b)) = (kid, self.kid) {
            if a != b {
                return Err(VerifyError::UnknownKey);
            }
        }
        if sig == checksum(self.key, input) {
            Ok(())
        } else {
            Err(VerifyError::InvalidSignature)
        }
    }
}

/// Refuses every signature.
struct RefuseAll;

impl Verifier for RefuseAll {
    fn verify(&self, _: Algorithm, _: Option<&str>, _: &[u8], _: &[u8]) -> Result<(), VerifyError> {
        Err(VerifyError::InvalidSignature)
    }
}

static PAYLOAD_READS: AtomicUsize = AtomicUsize::new(0);

/// Counts every time the payload is deserialized.
#[derive(Debug)]
struct Watched;

impl<'de> Deserialize<'de> for Watched {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        PAYLOAD_READS.fetch_add(1, Ordering::SeqCst);
        serde::de::IgnoredAny::deserialize(d)?;
        Ok(Watched)
    }
}

const NOW: u64 = 1_700_000_000;

fn clock() -> FixedClock {
    FixedClock::at(NOW)
}

fn date(secs: u64) -> NumericDate {
    NumericDate::from_seconds(secs).unwrap()
}

fn fresh() -> Claims<()> {
    Claims::new(())
        .issued_at(date(NOW))
        .expires_at(date(NOW + 600))
}

fn sign_json(header: &str, payload: &str) -> String {
    let mut token = crate::base64url::encode(header.as_bytes());
    token.push('.');
    token.push_str(&crate::base64url::encode(payload.as_bytes()));
    let sig = checksum(TOY.key, token.as_bytes());
    token.push('.');
    token.push_str(&crate::base64url::encode(&sig));
    token
}

fn check(token: &str, validation: &Validation) -> Result<Token<()>, Error> {
    decode_with_clock::<(), _, _>(token, &TOY, validation, &clock())
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Profile {
    name: String,
    admin: bool,
}

#[test]
fn round_trip_with_custom_claims() {
    let claims = Claims::new(Profile {
        name: "Ada".into(),
        admin: true,
    })
    .issuer("https://auth.example")
    .subject("42")
    .audience("api")
    .issued_at(date(NOW))
    .expires_at(date(NOW + 60))
    .jwt_id("abc");
    let kid = Toy {
        kid: Some("k1"),
        ..TOY
    };
    let token = encode(&kid, &Header::jwt(), &claims).unwrap();
    let v = Validation::new()
        .issuer("https://auth.example")
        .audience("api")
        .subject("42")
        .typ("JWT");
    let t = decode_with_clock::<Profile, _, _>(&token, &kid, &v, &clock()).unwrap();
    assert_eq!(t.algorithm, Algorithm::HS256);
    assert_eq!(t.header.kid.as_deref(), Some("k1"));
    assert_eq!(t.claims, claims);
}

#[test]
fn payload_is_never_read_when_the_signature_fails() {
    let token = encode(&TOY, &Header::new(), &fresh()).unwrap();
    let before = PAYLOAD_READS.load(Ordering::SeqCst);
    let err = decode_with_clock::<Watched, _, _>(&token, &RefuseAll, &Validation::new(), &clock())
        .unwrap_err();
    assert!(matches!(err, Error::InvalidSignature));
    // A corrupt payload with a bad signature: the signature error wins, the payload is not parsed.
    let (head, _) = token.split_once('.').unwrap();
    let garbage = alloc::format!("{head}.{}.AAAA", crate::base64url::encode(b"not json"));
    assert!(matches!(
        decode_with_clock::<Watched, _, _>(&garbage, &TOY, &Validation::new(), &clock()),
        Err(Error::InvalidSignature)
    ));
    assert_eq!(PAYLOAD_READS.load(Ordering::SeqCst), before);
    decode_with_clock::<Watched, _, _>(&token, &TOY, &Validation::new(), &clock()).unwrap();
    assert_eq!(PAYLOAD_READS.load(Ordering::SeqCst), before + 1);
}

#[test]
fn any_changed_byte_is_rejected() {
    let token = encode(&TOY, &Header::jwt(), &fresh()).unwrap();
    let bytes = token.as_bytes();
    for i in 0..bytes.len() {
        for replacement in [b'A', b'.', b'-', b'=', b' '] {
            if bytes[i] == replacement {
                continue;
            }
            let mut changed = bytes.to_vec();
            changed[i] = replacement;
            let changed = String::from_utf8(changed).unwrap();
            assert!(
                check(&changed, &Validation::new()).is_err(),
                "byte {i} -> {}",
                replacement as char
            );
        }
    }
}

#[test]
fn size_limit_is_checked_before_decoding() {
    let huge = "a".repeat(10 * 1024 * 1024);
    assert!(
        matches!(check(&huge, &Validation::new()), Err(Error::TooLarge { len, max: 65536 }) if len == huge.len())
    );
    let token = encode(&TOY, &Header::jwt(), &fresh()).unwrap();
    let v = Validation::new().max_token_len(token.len() - 1);
    assert!(matches!(check(&token, &v), Err(Error::TooLarge { .. })));
    assert!(check(&token, &Validation::new().max_token_len(token.len())).is_ok());
}

#[test]
fn segment_counts() {
    for (token, segments) in [
        ("", 1),
        ("abc", 1),
        ("a.b", 2),
        ("a.b.c.d", 4),
        ("a.b.c.d.e.f", 6),
        ("......", 7),
    ] {
        assert!(
            matches!(check(token, &Validation::new()), Err(Error::Malformed { segments: s }) if s == segments),
            "{token}"
        );
    }
    assert!(matches!(
        check("a.b.c.d.e", &Validation::new()),
        Err(Error::Encrypted)
    ));
    // Dots are counted in blocks of 255 bytes: counts across and at block ends.
    for dots in [254, 255, 256, 510, 600] {
        let token = ".".repeat(dots);
        assert!(
            matches!(check(&token, &Validation::new()), Err(Error::Malformed { segments }) if segments == dots + 1),
            "{dots}"
        );
    }
    let long = alloc::format!(
        "{}.{}.{}",
        "a".repeat(300),
        "b".repeat(300),
        "c".repeat(300)
    );
    assert_eq!(split_points(&long), Some((300, 601)));
}

#[test]
fn non_canonical_base64_in_any_segment() {
    let token = encode(&TOY, &Header::new(), &fresh()).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let segments = [Segment::Header, Segment::Payload, Segment::Signature];
    for (i, segment) in segments.into_iter().enumerate() {
        for bad in ["=", "==", " ", "\n", "+", "/"] {
            let mut p: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
            p[i].push_str(bad);
            if segment == Segment::Payload {
                // Re-sign so that the signature passes and the payload itself is judged.
                let input = alloc::format!("{}.{}", p[0], p[1]);
                p[2] = crate::base64url::encode(&checksum(TOY.key, input.as_bytes()));
            }
            let t = p.join(".");
            assert!(
                matches!(check(&t, &Validation::new()), Err(Error::Base64 { segment: s }) if s == segment),
                "{i} {bad:?}"
            );
        }
        // Set trailing bits: change the last character to one with non-zero low bits.
        let mut p: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
        if !p[i].len().is_multiple_of(4) {
            let last = p[i].pop().unwrap();
            let bumped = if last == 'z' {
                'y'
            } else {
                (last as u8 + 1) as char
            };
            p[i].push(bumped);
            let t = p.join(".");
            let r = check(&t, &Validation::new());
            assert!(r.is_err(), "{i}: trailing bits");
        }
    }
}

#[test]
fn alg_none_and_unknown_algorithms_are_refused() {
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = alloc::format!(r#"{{"alg":"{alg}"}}"#);
        let token = alloc::format!(
            "{}.{}.",
            crate::base64url::encode(header.as_bytes()),
            crate::base64url::encode(br#"{"exp":9999999999}"#)
        );
        let err = check(&token, &Validation::new()).unwrap_err();
        if alg == "none" {
            assert!(matches!(err, Error::Unsecured), "{alg}");
        } else {
            assert!(
                matches!(err, Error::Header(HeaderError::UnsupportedAlgorithm { .. })),
                "{alg}: {err:?}"
            );
        }
    }
    // And the unsecured API refuses signed tokens.
    let signed = encode(&TOY, &Header::new(), &fresh()).unwrap();
    assert!(matches!(
        unsecured::decode::<(), _>(&signed, &Validation::new(), &clock()),
        Err(Error::AlgorithmNotAllowed {
            alg: Algorithm::HS256
        })
    ));
    let forged = alloc::format!(
        "{}.{}.c2ln",
        crate::base64url::encode(br#"{"alg":"none"}"#),
        crate::base64url::encode(b"{}")
    );
    assert!(matches!(
        unsecured::decode::<(), _>(&forged, &Validation::new(), &clock()),
        Err(Error::InvalidSignature)
    ));
}

#[test]
fn algorithm_restrictions() {
    let token = encode(&TOY, &Header::new(), &fresh()).unwrap();
    let other_key = Toy {
        alg: Algorithm::ES256,
        ..TOY
    };
    assert!(matches!(
        decode_with_clock::<(), _, _>(&token, &other_key, &Validation::new(), &clock()),
        Err(Error::AlgorithmNotAllowed {
            alg: Algorithm::HS256
        })
    ));
    let v = Validation::new().algorithms([Algorithm::ES256]);
    assert!(matches!(
        check(&token, &v),
        Err(Error::AlgorithmNotAllowed {
            alg: Algorithm::HS256
        })
    ));
    let kid = Toy {
        kid: Some("a"),
        ..TOY
    };
    let token = encode(&kid, &Header::new(), &fresh()).unwrap();
    let other = Toy {
        kid: Some("b"),
        ..TOY
    };
    assert!(matches!(
        decode_with_clock::<(), _, _>(&token, &other, &Validation::new(), &clock()),
        Err(Error::UnknownKey { kid: Some(ref k) }) if k == "a"
    ));
}

#[test]
fn time_claims() {
    let v = Validation::new();
    let at = |c: Claims<()>| check(&encode(&TOY, &Header::new(), &c).unwrap(), &v);
    assert!(
        matches!(at(Claims::new(())), Err(Error::MissingClaim { ref claim }) if claim == "exp")
    );
    assert!(at(Claims::new(())).is_err());
    assert!(
        check(
            &encode(&TOY, &Header::new(), &Claims::new(())).unwrap(),
            &Validation::new().require_exp(false)
        )
        .is_ok()
    );
    // exp: valid until exp + leeway (exclusive).
    assert!(at(Claims::new(()).expires_at(date(NOW - 59))).is_ok());
    match at(Claims::new(()).expires_at(date(NOW - 60))) {
        Err(Error::Expired { exp, now }) => {
            assert_eq!((exp.seconds(), now.seconds()), (NOW - 60, NOW))
        }
        other => panic!("{other:?}"),
    }
    let no_leeway = Validation::new().leeway(0);
    let t = encode(&TOY, &Header::new(), &Claims::new(()).expires_at(date(NOW))).unwrap();
    assert!(matches!(check(&t, &no_leeway), Err(Error::Expired { .. })));
    // nbf
    assert!(at(fresh().not_before(date(NOW + 60))).is_ok());
    assert!(matches!(
        at(fresh().not_before(date(NOW + 61))),
        Err(Error::NotYetValid { .. })
    ));
    assert!(
        check(
            &encode(&TOY, &Header::new(), &fresh().not_before(date(NOW + 999))).unwrap(),
            &Validation::new().check_nbf(false)
        )
        .is_ok()
    );
    // iat in the future
    assert!(matches!(
        at(fresh().issued_at(date(NOW + 61))),
        Err(Error::IssuedInFuture { .. })
    ));
    // max age
    let old = encode(&TOY, &Header::new(), &fresh().issued_at(date(NOW - 1000))).unwrap();
    assert!(matches!(
        check(&old, &Validation::new().max_age(900)),
        Err(Error::TooOld { max_age: 900, .. })
    ));
    assert!(check(&old, &Validation::new().max_age(1000)).is_ok());
    let no_iat = encode(
        &TOY,
        &Header::new(),
        &Claims::new(()).expires_at(date(NOW + 5)),
    )
    .unwrap();
    assert!(matches!(
        check(&no_iat, &Validation::new().max_age(10)),
        Err(Error::MissingClaim { .. })
    ));
    // Fractional dates are compared precisely.
    let t = sign_json(
        r#"{"alg":"HS256"}"#,
        &alloc::format!(r#"{{"exp":{}.5}}"#, NOW),
    );
    assert!(check(&t, &no_leeway).is_ok());
    assert!(matches!(
        decode_with_clock::<(), _, _>(
            &t,
            &TOY,
            &no_leeway,
            &FixedClock(NumericDate::from_f64(NOW as f64 + 0.5).unwrap())
        ),
        Err(Error::Expired { .. })
    ));
}

#[test]
fn issuer_audience_subject_type() {
    let t = |c: Claims<()>, h: Header| encode(&TOY, &h, &c).unwrap();
    let token = t(fresh().issuer("https://a.example"), Header::new());
    assert!(
        check(
            &token,
            &Validation::new().issuers(["https://b.example", "https://a.example"])
        )
        .is_ok()
    );
    for bad in [
        "https://A.example",
        "https://a.example ",
        " https://a.example",
        "https://a.example/",
    ] {
        let other = t(fresh().issuer(bad), Header::new());
        assert!(
            matches!(
                check(&other, &Validation::new().issuer("https://a.example")),
                Err(Error::WrongIssuer { .. })
            ),
            "{bad:?}"
        );
    }
    let iss_array = sign_json(
        r#"{"alg":"HS256"}"#,
        r#"{"exp":9999999999,"iss":["https://a.example"]}"#,
    );
    assert!(matches!(
        check(&iss_array, &Validation::new().issuer("https://a.example")),
        Err(Error::InvalidClaim {
            claim: "iss",
            reason: ClaimValueError::NotAString
        })
    ));
    assert!(matches!(
        check(&t(fresh(), Header::new()), &Validation::new().issuer("x")),
        Err(Error::MissingClaim { .. })
    ));

    // aud: a token with an audience needs a configured one.
    let aud = t(
        fresh().audience(Audience::Many(alloc::vec!["web".into(), "api".into()])),
        Header::new(),
    );
    assert!(matches!(
        check(&aud, &Validation::new()),
        Err(Error::WrongAudience)
    ));
    assert!(check(&aud, &Validation::new().audience("api")).is_ok());
    assert!(check(&aud, &Validation::new().danger_ignore_audience()).is_ok());
    assert!(matches!(
        check(&aud, &Validation::new().audience("API")),
        Err(Error::WrongAudience)
    ));
    assert!(matches!(
        check(
            &t(fresh(), Header::new()),
            &Validation::new().audience("api")
        ),
        Err(Error::MissingClaim { .. })
    ));
    let empty = t(
        fresh().audience(Audience::Many(alloc::vec![])),
        Header::new(),
    );
    assert!(matches!(
        check(&empty, &Validation::new().audience("api")),
        Err(Error::WrongAudience)
    ));
    let empty_str = t(fresh().audience(""), Header::new());
    assert!(matches!(
        check(&empty_str, &Validation::new().audience("api")),
        Err(Error::WrongAudience)
    ));

    let sub = t(fresh().subject("42"), Header::new());
    assert!(check(&sub, &Validation::new().subject("42")).is_ok());
    assert!(matches!(
        check(&sub, &Validation::new().subject("43")),
        Err(Error::WrongSubject { .. })
    ));

    // typ: explicit typing (RFC 8725 §3.11).
    let at = t(fresh(), Header::new().typ("at+jwt"));
    for expected in [
        "at+jwt",
        "AT+JWT",
        "application/at+jwt",
        "Application/At+Jwt",
    ] {
        assert!(
            check(&at, &Validation::new().typ(expected)).is_ok(),
            "{expected}"
        );
    }
    let id_token = t(fresh(), Header::jwt());
    assert!(
        matches!(check(&id_token, &Validation::new().typ("at+jwt")), Err(Error::WrongType { found: Some(ref f) }) if f == "JWT")
    );
    assert!(matches!(
        check(&t(fresh(), Header::new()), &Validation::new().typ("at+jwt")),
        Err(Error::WrongType { found: None })
    ));
    assert!(!crate::validation::media_type_eq(
        "application/x/at+jwt",
        "x/at+jwt"
    ));
    assert!(crate::validation::media_type_eq("application/jwt", "JWT"));
}

#[test]
fn required_claims() {
    #[derive(Serialize)]
    struct Scope {
        scope: &'static str,
    }
    let token = encode(
        &TOY,
        &Header::new(),
        &Claims::new(Scope { scope: "read" }).expires_at(date(NOW + 5)),
    )
    .unwrap();
    assert!(check(&token, &Validation::new().require("scope")).is_ok());
    assert!(
        matches!(check(&token, &Validation::new().require("roles")), Err(Error::MissingClaim { ref claim }) if claim == "roles")
    );
    assert!(
        matches!(check(&token, &Validation::new().require("jti")), Err(Error::MissingClaim { ref claim }) if claim == "jti")
    );
}

#[test]
fn critical_parameters() {
    let crit = |h: &str| sign_json(h, r#"{"exp":9999999999}"#);
    let token = crit(r#"{"alg":"HS256","crit":["tenant"],"tenant":"acme"}"#);
    assert!(matches!(
        check(&token, &Validation::new()),
        Err(Error::Header(HeaderError::UnknownCritical { .. }))
    ));
    assert!(check(&token, &Validation::new().understand_critical("tenant")).is_ok());
    assert!(matches!(
        check(&crit(r#"{"alg":"HS256","crit":[]}"#), &Validation::new()),
        Err(Error::Header(HeaderError::EmptyCritical))
    ));
    assert!(
        check(
            &crit(r#"{"alg":"HS256","crit":["exp"],"exp":1}"#),
            &Validation::new().understand_critical("exp")
        )
        .is_ok()
    );
    assert!(matches!(
        check(
            &crit(r#"{"alg":"HS256","crit":["kid"],"kid":"a"}"#),
            &Validation::new()
        ),
        Err(Error::Header(HeaderError::RegisteredCritical { .. }))
    ));
    assert!(matches!(
        check(
            &crit(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#),
            &Validation::new()
        ),
        Err(Error::Header(HeaderError::UnencodedPayload))
    ));
}

#[test]
fn duplicate_members_in_a_signed_token() {
    let token = sign_json(r#"{"alg":"HS256","alg":"HS256"}"#, r#"{"exp":9999999999}"#);
    assert!(matches!(
        check(&token, &Validation::new()),
        Err(Error::DuplicateMember {
            segment: Segment::Header,
            ..
        })
    ));
    let token = sign_json(r#"{"alg":"HS256"}"#, r#"{"exp":1,"exp":9999999999}"#);
    assert!(matches!(
        check(&token, &Validation::new()),
        Err(Error::DuplicateMember {
            segment: Segment::Payload,
            ..
        })
    ));
}

#[test]
fn whitespace_inside_json_is_fine() {
    let token = sign_json("{ \"alg\" :\r\n \"HS256\" }", "{\n  \"exp\": 9999999999\n}");
    assert!(check(&token, &Validation::new()).is_ok());
}

#[test]
fn encode_refuses_non_objects_and_b64_false() {
    assert!(matches!(
        encode(&TOY, &Header::new(), &5),
        Err(Error::Serialize {
            segment: Segment::Payload
        })
    ));
    assert!(matches!(
        encode(&TOY, &Header::new(), &[1, 2]),
        Err(Error::Serialize { .. })
    ));
    let mut h = Header::new();
    h.b64 = Some(false);
    assert!(matches!(
        encode(&TOY, &h, &fresh()),
        Err(Error::Header(HeaderError::UnencodedPayload))
    ));
}

#[test]
fn untrusted_token_accessors() {
    let token = encode(
        &Toy {
            kid: Some("k"),
            ..TOY
        },
        &Header::jwt(),
        &fresh(),
    )
    .unwrap();
    let u = UntrustedToken::parse(&token).unwrap();
    assert_eq!(u.algorithm().unwrap(), Algorithm::HS256);
    assert_eq!(
        alloc::format!("{}.{}", u.signing_input(), u.signature_b64()),
        token
    );
    assert!(u.signing_input().ends_with(u.payload_b64()));
    let (_, claims) = crate::dangerous::decode_unverified::<()>(&token).unwrap();
    assert_eq!(claims.exp, fresh().exp);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn encode_then_decode_is_identity(sub in "\\PC{0,40}", name in "\\PC{0,40}", admin in any::<bool>(), exp in NOW..NumericDate::MAX_SECONDS) {
            let claims = Claims::new(Profile { name, admin }).subject(sub).expires_at(date(exp));
            let token = encode(&TOY, &Header::jwt(), &claims).unwrap();
            let t = decode_with_clock::<Profile, _, _>(&token, &TOY, &Validation::new(), &clock()).unwrap();
            prop_assert_eq!(t.claims, claims);
        }

        #[test]
        fn arbitrary_input_never_panics(s in "\\PC{0,200}") {
            let _ = check(&s, &Validation::new());
        }

        #[test]
        fn arbitrary_segments_never_panic(h in proptest::collection::vec(any::<u8>(), 0..64), p in proptest::collection::vec(any::<u8>(), 0..64)) {
            let t = alloc::format!("{}.{}.", crate::base64url::encode(&h), crate::base64url::encode(&p));
            prop_assert!(check(&t, &Validation::new()).is_err());
        }
    }
}

/// A signer that fails the way a remote signer (KMS, HSM) would: with its own error.
struct Unreachable;

#[derive(Debug)]
struct Timeout;

impl core::fmt::Display for Timeout {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("the signing service timed out")
    }
}

impl core::error::Error for Timeout {}

impl Signer for Unreachable {
    fn algorithm(&self) -> Algorithm {
        Algorithm::ES256
    }
    fn sign(&self, _: &[u8], _: &mut Vec<u8>) -> Result<(), SignError> {
        Err(SignError::from_source(Timeout))
    }
}

#[test]
fn a_signers_cause_reaches_the_caller() {
    use core::error::Error as _;

    let err = encode(&Unreachable, &Header::jwt(), &fresh()).unwrap_err();
    assert!(matches!(err, Error::Signing(_)), "{err:?}");
    assert_eq!(err.kind(), "signing");
    assert_eq!(err.public_description(), "internal error");
    assert_eq!(err.to_string(), "signing failed");
    let cause = err.source().expect("the signer's error is kept");
    assert_eq!(cause.to_string(), "the signing service timed out");
    assert!(cause.downcast_ref::<Timeout>().is_some());
    assert!(SignError::new().source().is_none());
}
