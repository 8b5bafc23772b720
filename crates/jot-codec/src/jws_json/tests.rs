use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::*;
use crate::error::{HeaderError, Segment};
use crate::{Algorithm, Header, SignError, Signer, Verifier, VerifyError};

/// A toy keyed "MAC": the key followed by the input's length and its byte sum.
struct Toy {
    key: &'static str,
    alg: Algorithm,
}

impl Toy {
    fn mac(&self, input: &[u8]) -> Vec<u8> {
        let sum: u32 = input.iter().map(|b| u32::from(*b)).sum();
        let mut out = self.key.as_bytes().to_vec();
        out.extend_from_slice(&(input.len() as u32).to_be_bytes());
        out.extend_from_slice(&sum.to_be_bytes());
        out
    }
}

impl Signer for Toy {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }
    fn key_id(&self) -> Option<&str> {
        Some(self.key)
    }
    fn sign(&self, input: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> {
        out.extend_from_slice(&self.mac(input));
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
        if kid.is_some_and(|k| k != self.key) {
            return Err(VerifyError::UnknownKey);
        }
        if sig == self.mac(input) {
            Ok(())
        } else {
            Err(VerifyError::InvalidSignature)
        }
    }
}

const A: Toy = Toy {
    key: "a",
    alg: Algorithm::HS256,
};
const B: Toy = Toy {
    key: "b",
    alg: Algorithm::HS384,
};

/// Verifies with whichever toy key the `kid` names.
struct Both;
impl Verifier for Both {
    fn verify(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        input: &[u8],
        sig: &[u8],
    ) -> Result<(), VerifyError> {
        match kid {
            Some("a") => A.verify(alg, kid, input, sig),
            Some("b") => B.verify(alg, kid, input, sig),
            _ => Err(VerifyError::UnknownKey),
        }
    }
}

fn jws_err(json: &str) -> JwsJsonError {
    match JwsJson::parse(json) {
        Err(Error::JwsJson(e)) => e,
        other => panic!("{json}: {other:?}"),
    }
}

fn two() -> String {
    JwsJson::sign(
        b"payload",
        &[SignatureSpec::new(&A), SignatureSpec::new(&B)],
    )
    .unwrap()
    .to_general_json()
}

fn b64(json: &str) -> String {
    base64url::encode(json.as_bytes())
}

#[test]
fn general_round_trip_reports_each_signature() {
    let jws = JwsJson::parse(&two()).unwrap();
    assert!(!jws.is_flattened());
    let all = jws
        .verify(&Both, &Validation::new(), SignaturePolicy::All)
        .unwrap();
    assert_eq!(all.payload(), b"payload");
    let verified: Vec<_> = all
        .verified()
        .map(|c| (c.index, c.kid.clone().unwrap(), *c.result.as_ref().unwrap()))
        .collect();
    assert_eq!(
        verified,
        [
            (0, "a".to_string(), Algorithm::HS256),
            (1, "b".to_string(), Algorithm::HS384)
        ]
    );
    // With one key only, "any" passes and reports which; "all" fails on the other.
    let any = jws
        .verify(&A, &Validation::new(), SignaturePolicy::Any)
        .unwrap();
    assert_eq!(any.verified().map(|c| c.index).collect::<Vec<_>>(), [0]);
    assert!(matches!(
        jws.verify(&A, &Validation::new(), SignaturePolicy::All),
        Err(Error::JwsJson(JwsJsonError::SignatureFailed {
            index: 1,
            ..
        }))
    ));
    // The algorithm gate of the validation applies per signature.
    let only_384 = Validation::new().algorithms([Algorithm::HS384]);
    let checks = jws.check_signatures(&Both, &only_384).unwrap();
    assert!(matches!(
        checks[0].result,
        Err(Error::AlgorithmNotAllowed {
            alg: Algorithm::HS256
        })
    ));
    assert!(checks[1].is_verified());
}

#[test]
fn tampered_protected_header_fails_only_its_signature() {
    let doc: serde_json::Value = serde_json::from_str(&two()).unwrap();
    let mut doc = doc;
    doc["signatures"][0]["protected"] = b64(r#"{"alg":"HS256","kid":"a","x":1}"#).into();
    let jws = JwsJson::parse(&doc.to_string()).unwrap();
    let checks = jws.check_signatures(&Both, &Validation::new()).unwrap();
    assert!(matches!(checks[0].result, Err(Error::InvalidSignature)));
    assert!(checks[1].is_verified());
    assert!(
        jws.verify(&Both, &Validation::new(), SignaturePolicy::Any)
            .is_ok()
    );
    assert!(matches!(
        jws.verify(&Both, &Validation::new(), SignaturePolicy::All),
        Err(Error::JwsJson(JwsJsonError::SignatureFailed {
            index: 0,
            ..
        }))
    ));
    assert!(matches!(
        jws.verify(
            &Toy {
                key: "c",
                alg: Algorithm::HS256
            },
            &Validation::new(),
            SignaturePolicy::Any
        ),
        Err(Error::JwsJson(JwsJsonError::NoValidSignature { total: 2 }))
    ));
}

#[test]
fn flattened_and_unprotected_alg() {
    let spec = SignatureSpec::new(&A)
        .unprotected_alg()
        .unprotected(Header::new().member("x", 1));
    let jws = JwsJson::sign(b"p", &[spec]).unwrap();
    let json = jws.to_flattened_json().unwrap();
    assert!(json.starts_with(r#"{"payload":"cA","header":{"alg":"HS256","kid":"a","x":1},"#));
    let parsed = JwsJson::parse(&json).unwrap();
    assert!(parsed.is_flattened());
    let sig = &parsed.signatures()[0];
    assert!(!sig.is_algorithm_protected());
    assert_eq!(sig.protected_b64(), None);
    assert_eq!(sig.header().kid.as_deref(), Some("a"));
    parsed
        .verify(&A, &Validation::new(), SignaturePolicy::All)
        .unwrap();
    assert!(matches!(
        JwsJson::parse(&two()).unwrap().to_flattened_json(),
        Err(Error::JwsJson(JwsJsonError::NotFlattenable { count: 2 }))
    ));
}

#[test]
fn headers_must_be_disjoint_and_crit_protected() {
    let p = b64(r#"{"alg":"HS256","kid":"a"}"#);
    let e = jws_err(&format!(
        r#"{{"payload":"","signatures":[{{"protected":"{p}","header":{{"kid":"a"}},"signature":""}}]}}"#
    ));
    assert!(
        matches!(e, JwsJsonError::DuplicateHeaderParameter { index: 0, ref name } if name == "kid")
    );
    let e = jws_err(&format!(
        r#"{{"payload":"","protected":"{p}","header":{{"alg":"HS256"}},"signature":""}}"#
    ));
    assert!(matches!(e, JwsJsonError::DuplicateHeaderParameter { ref name, .. } if name == "alg"));
    let e = jws_err(&format!(
        r#"{{"payload":"","signatures":[{{"protected":"{p}","signature":""}},{{"protected":"{p}","header":{{"crit":["x"],"x":1}},"signature":""}}]}}"#
    ));
    assert!(
        matches!(e, JwsJsonError::UnprotectedCritical { index: 1 }),
        "{e}"
    );
    // crit in the protected header may name an unprotected parameter.
    let p = b64(r#"{"alg":"HS256","crit":["x"]}"#);
    let jws = JwsJson::parse(&format!(
        r#"{{"payload":"","protected":"{p}","header":{{"x":1}},"signature":""}}"#
    ))
    .unwrap();
    let checks = jws.check_signatures(&A, &Validation::new()).unwrap();
    assert!(matches!(
        checks[0].result,
        Err(Error::Header(HeaderError::UnknownCritical { .. }))
    ));
    // Signing refuses the same mistakes.
    let dup = SignatureSpec::new(&A)
        .protected(Header::new().typ("x"))
        .unprotected(Header::new().typ("y"));
    assert!(matches!(
        JwsJson::sign(b"", &[SignatureSpec::new(&B), dup]),
        Err(Error::JwsJson(JwsJsonError::DuplicateHeaderParameter {
            index: 1,
            ..
        }))
    ));
    let mut crit = Header::new().member("x", 1);
    crit.crit = Some(alloc::vec![String::from("x")]);
    assert!(matches!(
        JwsJson::sign(b"", &[SignatureSpec::new(&A).unprotected(crit)]),
        Err(Error::JwsJson(JwsJsonError::UnprotectedCritical {
            index: 0
        }))
    ));
}

#[test]
fn unknown_alg_none_and_missing_alg() {
    for (alg, want) in [("HS999", "unsupported"), ("none", "unsecured")] {
        let p = b64(&format!(r#"{{"alg":"{alg}"}}"#));
        let jws = JwsJson::parse(&format!(
            r#"{{"payload":"","protected":"{p}","signature":""}}"#
        ))
        .unwrap();
        assert_eq!(jws.signatures()[0].algorithm_name(), alg);
        let checks = jws.check_signatures(&A, &Validation::new()).unwrap();
        match (&checks[0].result, want) {
            (Err(Error::Header(HeaderError::UnsupportedAlgorithm { .. })), "unsupported")
            | (Err(Error::Unsecured), "unsecured") => {}
            (other, _) => panic!("{alg}: {other:?}"),
        }
    }
    let p = b64(r#"{"kid":"a"}"#);
    let e = jws_err(&format!(
        r#"{{"payload":"","protected":"{p}","signature":""}}"#
    ));
    assert!(matches!(
        e,
        JwsJsonError::Signature { index: 0, ref source }
            if matches!(**source, Error::Header(HeaderError::MissingAlgorithm))
    ));
}

#[test]
fn strict_structure() {
    let p = b64(r#"{"alg":"HS256"}"#);
    type Case = (String, fn(&JwsJsonError) -> bool);
    let cases: &[Case] = &[
        (String::from("{"), |e| {
            matches!(
                e,
                JwsJsonError::Json {
                    kind: crate::JsonErrorKind::Eof,
                    ..
                }
            )
        }),
        (String::from("[]"), |e| {
            matches!(e, JwsJsonError::Json { .. })
        }),
        (String::from(r#"{"payload":1}"#), |e| {
            matches!(e, JwsJsonError::InvalidMember { name: "payload" })
        }),
        (
            format!(r#"{{"payload":"","payload":"","protected":"{p}","signature":""}}"#),
            |e| matches!(e, JwsJsonError::DuplicateMember { name } if name == "payload"),
        ),
        (
            format!(
                r#"{{"payload":"","signatures":[{{"protected":"{p}","signature":"","signature":""}}]}}"#
            ),
            |e| matches!(e, JwsJsonError::DuplicateMember { name } if name == "signature"),
        ),
        (
            format!(r#"{{"payload":"","x":1,"x":2,"protected":"{p}","signature":""}}"#),
            |e| matches!(e, JwsJsonError::DuplicateMember { .. }),
        ),
        (
            format!(r#"{{"payload":"","protected":"{p}","signature":"","signatures":[]}}"#),
            |e| matches!(e, JwsJsonError::MixedSyntax),
        ),
        (String::from(r#"{"payload":"","signatures":[]}"#), |e| {
            matches!(e, JwsJsonError::NoSignatures)
        }),
        (String::from(r#"{"payload":""}"#), |e| {
            matches!(e, JwsJsonError::MissingMember { name: "signatures" })
        }),
        (
            String::from(r#"{"payload":"","signatures":[{"protected":"e30"}]}"#),
            |e| matches!(e, JwsJsonError::MissingMember { name: "signature" }),
        ),
        (String::from(r#"{"payload":"","signatures":{}}"#), |e| {
            matches!(e, JwsJsonError::Json { .. })
        }),
    ];
    for (json, ok) in cases {
        let e = jws_err(json);
        assert!(ok(&e), "{json}: {e}");
    }
    // A duplicate inside an unprotected header, a payload that is not base64url,
    // a JWE, a lone surrogate in a skipped member, the size limit.
    assert!(matches!(
        JwsJson::parse(
            r#"{"payload":"","header":{"alg":"HS256","kid":"a","kid":"b"},"signature":""}"#
        ),
        Err(Error::DuplicateMember {
            segment: Segment::Header,
            ..
        })
    ));
    assert!(matches!(
        JwsJson::parse(&format!(
            r#"{{"payload":"a+b","protected":"{p}","signature":""}}"#
        )),
        Err(Error::Base64 {
            segment: Segment::Payload
        })
    ));
    assert!(matches!(
        JwsJson::parse(r#"{"protected":"e30","ciphertext":"","iv":"","tag":""}"#),
        Err(Error::Encrypted)
    ));
    assert!(matches!(
        JwsJson::parse(&format!(
            r#"{{"payload":"","x":"\ud800","protected":"{p}","signature":""}}"#
        )),
        Err(Error::JwsJson(JwsJsonError::Json { .. }))
    ));
    let big = two();
    assert!(matches!(
        JwsJson::parse_with_limit(&big, big.len() - 1),
        Err(Error::TooLarge { .. })
    ));
    // Members nobody knows are ignored (RFC 7515 §7.2.1).
    let extra = format!(
        r#"{{"payload":"","ext":{{"deep":[1]}},"protected":"{p}","signature":"","more":null}}"#
    );
    assert!(JwsJson::parse(&extra).is_ok());
}

#[test]
fn unencoded_payload_is_read_verbatim_and_needs_crit() {
    let unencoded = b64(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#);
    let jws = JwsJson::parse(&format!(
        r#"{{"payload":"$.02","protected":"{unencoded}","signature":""}}"#
    ))
    .unwrap();
    assert!(jws.is_unencoded());
    assert_eq!(jws.unencoded_payload(), Some("$.02"));
    // Without `crit`, `b64` is refused with its own reason (RFC 7797 §6).
    let loose = b64(r#"{"alg":"HS256","b64":false}"#);
    let e = jws_err(&format!(
        r#"{{"payload":"$.02","protected":"{loose}","signature":""}}"#
    ));
    assert!(matches!(
        e,
        JwsJsonError::Signature { ref source, .. }
            if matches!(**source, Error::Header(HeaderError::NonCriticalB64))
    ));
}

#[test]
fn signatures_are_bounded() {
    let sig = format!(
        r#"{{"protected":"{}","signature":""}}"#,
        b64(r#"{"alg":"HS256"}"#)
    );
    let list = |n: usize| {
        let sigs: Vec<&str> = (0..n).map(|_| sig.as_str()).collect();
        format!(r#"{{"payload":"","signatures":[{}]}}"#, sigs.join(","))
    };
    assert_eq!(
        JwsJson::parse(&list(JwsJson::MAX_SIGNATURES))
            .unwrap()
            .signatures()
            .len(),
        16
    );
    assert!(matches!(
        jws_err(&list(JwsJson::MAX_SIGNATURES + 1)),
        JwsJsonError::TooManySignatures { max: 16 }
    ));
}

#[test]
fn detached_payload() {
    let jws = JwsJson::sign(b"content", &[SignatureSpec::new(&A)]).unwrap();
    assert!(matches!(
        jws.verify_detached(b"content", &A, &Validation::new(), SignaturePolicy::All),
        Err(Error::JwsJson(JwsJsonError::PayloadPresent))
    ));
    let detached = JwsJson::parse(&jws.detached().to_flattened_json().unwrap()).unwrap();
    assert!(matches!(
        detached.verify(&A, &Validation::new(), SignaturePolicy::Any),
        Err(Error::JwsJson(JwsJsonError::DetachedPayload))
    ));
    assert!(
        detached
            .verify_detached(b"content", &A, &Validation::new(), SignaturePolicy::All)
            .is_ok()
    );
    assert!(
        detached
            .verify_detached(b"tampered", &A, &Validation::new(), SignaturePolicy::Any)
            .is_err()
    );
}

#[test]
fn signing_needs_one_to_sixteen_signatures() {
    assert!(matches!(
        JwsJson::sign(b"", &[]),
        Err(Error::JwsJson(JwsJsonError::NoSignatures))
    ));
    let specs: Vec<SignatureSpec<'_>> = (0..17).map(|_| SignatureSpec::new(&A)).collect();
    assert!(matches!(
        JwsJson::sign(b"", &specs),
        Err(Error::JwsJson(JwsJsonError::TooManySignatures { max: 16 }))
    ));
    let json = JwsJson::sign(b"", &specs[..16]).unwrap().to_general_json();
    assert_eq!(JwsJson::parse(&json).unwrap().signatures().len(), 16);
}

mod unencoded;
