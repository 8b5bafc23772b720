//! RFC 7797 unencoded payloads (`b64: false`) in the JSON and compact forms.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::{A, B, Both, b64, jws_err};
use crate::base64url;
use crate::error::HeaderError;
use crate::{Error, Header, JwsJson, JwsJsonError, SignaturePolicy, SignatureSpec, Validation};

const UNENCODED: &str = r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#;

#[test]
fn signing_input_is_the_payload_itself() {
    let jws = JwsJson::sign_unencoded("$.02", &[SignatureSpec::new(&A)]).unwrap();
    let sig = &jws.signatures()[0];
    let header = base64url::decode(sig.protected_b64().unwrap()).unwrap();
    assert_eq!(
        header,
        br#"{"alg":"HS256","kid":"a","b64":false,"crit":["b64"]}"#
    );
    // The toy MAC is over the input the RFC defines: protected '.' raw payload.
    let input = format!("{}.$.02", sig.protected_b64().unwrap());
    assert_eq!(
        base64url::decode(sig.signature_b64()).unwrap(),
        A.mac(input.as_bytes())
    );
    let json = jws.to_flattened_json().unwrap();
    assert!(json.starts_with(r#"{"payload":"$.02","#), "{json}");
    let parsed = JwsJson::parse(&json).unwrap();
    assert!(parsed.is_unencoded() && !parsed.is_detached());
    assert_eq!(parsed.payload_b64(), None);
    let ok = parsed
        .verify(&A, &Validation::new(), SignaturePolicy::All)
        .unwrap();
    assert_eq!(ok.payload(), b"$.02");
    // The payload member is what is signed: change it and the signature fails.
    let tampered = json.replace("$.02", "$.03");
    assert!(matches!(
        JwsJson::parse(&tampered)
            .unwrap()
            .verify(&A, &Validation::new(), SignaturePolicy::All),
        Err(Error::JwsJson(JwsJsonError::SignatureFailed {
            index: 0,
            ..
        }))
    ));
}

#[test]
fn general_with_several_signatures_and_json_escapes() {
    let payload = "quote \" backslash \\ newline \n tab \t bell \u{7} cr \r é";
    let jws = JwsJson::sign_unencoded(payload, &[SignatureSpec::new(&A), SignatureSpec::new(&B)])
        .unwrap();
    let json = jws.to_general_json();
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["payload"], payload);
    let parsed = JwsJson::parse(&json).unwrap();
    assert!(parsed.signatures().iter().all(|s| s.is_unencoded()));
    let ok = parsed
        .verify(&Both, &Validation::new(), SignaturePolicy::All)
        .unwrap();
    assert_eq!(ok.payload(), payload.as_bytes());
    assert_eq!(ok.verified().count(), 2);
}

#[test]
fn detached_any_bytes() {
    let payload = [0xff, b'.', 0x00, b'x'];
    let jws = JwsJson::sign_unencoded_detached(&payload, &[SignatureSpec::new(&A)]).unwrap();
    assert!(jws.is_detached());
    let json = jws.to_general_json();
    assert!(!json.contains("payload"), "{json}");
    let parsed = JwsJson::parse(&json).unwrap();
    assert!(parsed.is_unencoded() && parsed.is_detached());
    assert!(matches!(
        parsed.verify(&A, &Validation::new(), SignaturePolicy::All),
        Err(Error::JwsJson(JwsJsonError::DetachedPayload))
    ));
    let ok = parsed
        .verify_detached(&payload, &A, &Validation::new(), SignaturePolicy::All)
        .unwrap();
    assert_eq!(ok.payload(), payload);
    assert!(
        parsed
            .verify_detached(b"\xff.\x00y", &A, &Validation::new(), SignaturePolicy::All)
            .is_err()
    );
    // An encoded JWS of the same bytes has another signing input.
    let encoded = JwsJson::sign(&payload, &[SignatureSpec::new(&A)])
        .unwrap()
        .detached();
    assert_ne!(
        encoded.signatures()[0].signature_b64(),
        jws.signatures()[0].signature_b64()
    );
}

#[test]
fn compact_attached_detached_and_dots() {
    let spec = [SignatureSpec::new(&A)];
    let token = JwsJson::sign_unencoded("no dots here", &spec)
        .unwrap()
        .to_compact()
        .unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts[1], "no dots here");
    let parsed = JwsJson::parse_compact(&token).unwrap();
    assert!(parsed.is_unencoded());
    let ok = parsed
        .verify(&A, &Validation::new(), SignaturePolicy::All)
        .unwrap();
    assert_eq!(ok.payload(), b"no dots here");

    // A payload with '.' must be detached (RFC 7797 §5.2).
    let dotted = JwsJson::sign_unencoded("$.02", &spec).unwrap();
    assert!(matches!(
        dotted.to_compact(),
        Err(Error::JwsJson(JwsJsonError::UnencodedPayloadDot))
    ));
    let detached = dotted.clone().detached().to_compact().unwrap();
    let (head, tail) = detached.split_once("..").unwrap();
    assert_eq!(head, dotted.signatures()[0].protected_b64().unwrap());
    assert_eq!(tail, dotted.signatures()[0].signature_b64());
    let parsed = JwsJson::parse_compact(&detached).unwrap();
    assert!(parsed.is_detached());
    parsed
        .verify_detached(b"$.02", &A, &Validation::new(), SignaturePolicy::All)
        .unwrap();
    // The attached form with its dot is refused with the reason, not as malformed.
    let attached = format!("{head}.$.02.{tail}");
    assert!(matches!(
        JwsJson::parse_compact(&attached),
        Err(Error::JwsJson(JwsJsonError::UnencodedPayloadDot))
    ));
    // An encoded header with too many segments stays malformed.
    assert!(matches!(
        JwsJson::parse_compact(&format!("{}.a.b.c", b64(r#"{"alg":"HS256"}"#))),
        Err(Error::Malformed { segments: 4 })
    ));
    assert!(matches!(
        JwsJson::parse_compact("abc"),
        Err(Error::Malformed { segments: 1 })
    ));
}

#[test]
fn compact_of_an_encoded_jws() {
    let jws = JwsJson::sign(b"{}", &[SignatureSpec::new(&A)]).unwrap();
    let token = jws.to_compact().unwrap();
    assert_eq!(token.split('.').nth(1), Some("e30"));
    let parsed = JwsJson::parse_compact(&token).unwrap();
    assert!(!parsed.is_unencoded());
    parsed
        .verify(&A, &Validation::new(), SignaturePolicy::All)
        .unwrap();
    assert!(matches!(
        JwsJson::parse_compact(&format!("{}.a+b.c2ln", b64(r#"{"alg":"HS256"}"#))),
        Err(Error::Base64 { .. })
    ));
    // Several signatures, or an unprotected header, have no compact form.
    let two = JwsJson::sign(b"", &[SignatureSpec::new(&A), SignatureSpec::new(&B)]).unwrap();
    let unprotected = JwsJson::sign(
        b"",
        &[SignatureSpec::new(&A).unprotected(Header::new().typ("x"))],
    )
    .unwrap();
    for jws in [two, unprotected] {
        assert!(matches!(
            jws.to_compact(),
            Err(Error::JwsJson(JwsJsonError::NotCompactable))
        ));
    }
}

#[test]
fn b64_rules_are_enforced() {
    let p_false = b64(UNENCODED);
    let p_true = b64(r#"{"alg":"HS384","b64":true,"crit":["b64"]}"#);
    let p_plain = b64(r#"{"alg":"HS384"}"#);
    // Signatures that disagree on b64 (explicit true, or absent).
    for other in [&p_true, &p_plain] {
        let e = jws_err(&format!(
            r#"{{"payload":"x","signatures":[{{"protected":"{p_false}","signature":""}},{{"protected":"{other}","signature":""}}]}}"#
        ));
        assert!(matches!(e, JwsJsonError::InconsistentB64), "{e}");
    }
    // b64 in an unprotected header, whatever its value.
    let e = jws_err(&format!(
        r#"{{"payload":"x","signatures":[{{"protected":"{p_plain}","signature":""}},{{"protected":"{p_plain}","header":{{"b64":false}},"signature":""}}]}}"#
    ));
    assert!(
        matches!(e, JwsJsonError::UnprotectedB64 { index: 1 }),
        "{e}"
    );
    // b64 without crit, in JSON and compact.
    let loose = b64(r#"{"alg":"HS256","b64":false}"#);
    assert!(matches!(
        JwsJson::parse_compact(&format!("{loose}..c2ln")),
        Err(Error::Header(HeaderError::NonCriticalB64))
    ));
    // An encoded payload must still be base64url; an unencoded one is taken as is.
    assert!(
        JwsJson::parse(&format!(
            r#"{{"payload":"a+b","protected":"{p_false}","signature":""}}"#
        ))
        .is_ok()
    );
    // Signing: b64 in the unprotected header, or b64: false through `sign`.
    let unprotected_b64 = SignatureSpec::new(&A).unprotected(Header {
        b64: Some(true),
        ..Header::new()
    });
    assert!(matches!(
        JwsJson::sign_unencoded("x", &[SignatureSpec::new(&B), unprotected_b64]),
        Err(Error::JwsJson(JwsJsonError::UnprotectedB64 { index: 1 }))
    ));
    let mut sneaky = Header::new();
    sneaky.b64 = Some(false);
    sneaky.crit = Some(alloc::vec![String::from("b64")]);
    assert!(matches!(
        JwsJson::sign(b"x", &[SignatureSpec::new(&A).protected(sneaky)]),
        Err(Error::Header(HeaderError::UnencodedPayload))
    ));
    // Other critical names are kept beside b64.
    let mut crit = Header::new().member("x", 1);
    crit.crit = Some(alloc::vec![String::from("x")]);
    let jws = JwsJson::sign_unencoded("p", &[SignatureSpec::new(&A).protected(crit)]).unwrap();
    assert_eq!(
        jws.signatures()[0].protected_header().crit.as_deref(),
        Some(&[String::from("x"), String::from("b64")][..])
    );
}

#[test]
fn jwts_still_refuse_unencoded_payloads() {
    let token = JwsJson::sign_unencoded("{}", &[SignatureSpec::new(&A)])
        .unwrap()
        .to_compact()
        .unwrap();
    assert!(matches!(
        crate::UntrustedToken::parse(&token),
        Err(Error::Header(HeaderError::UnencodedPayload))
    ));
    let clock = crate::FixedClock::at(0);
    assert!(matches!(
        crate::decode_with_clock::<(), _, _>(&token, &A, &Validation::new(), &clock),
        Err(Error::Header(HeaderError::UnencodedPayload))
    ));
    let mut header = Header::new();
    header.b64 = Some(false);
    header.crit = Some(alloc::vec![String::from("b64")]);
    assert!(matches!(
        crate::encode(&A, &header, &crate::Claims::new(())),
        Err(Error::Header(HeaderError::UnencodedPayload))
    ));
}
