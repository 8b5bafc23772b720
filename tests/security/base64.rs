//! Non-canonical base64url (RFC 7515 §2, RFC 4648 §3.5): padding, the standard
//! alphabet's `+` and `/`, whitespace, set trailing bits, a length of 1 mod 4. Each
//! segment is tested on its own; payload and signature variants carry a valid
//! signature over the altered signing input, so the rejection is the base64 check of
//! that segment (`Error::Base64 { segment }`), never a signature failure.

use jot_algorithms::{Error, Segment, base64url};

use jot_test_support::inputs::set_trailing_bits;

use crate::support::{b64, decode, hs256, payload, public, rejected, sign_segments};

/// Non-canonical spellings of the canonical encoding `s`.
fn variants(s: &str) -> Vec<(&'static str, String)> {
    let mut out = vec![
        ("padding", pad(s)),
        ("one '='", format!("{s}=")),
        ("leading space", format!(" {s}")),
        ("trailing newline", format!("{s}\n")),
        ("inner space", insert(s, s.len() / 2, " ")),
        ("inner tab", insert(s, s.len() / 2, "\t")),
        ("inner CRLF", insert(s, s.len() / 2, "\r\n")),
        ("'+' for '-'", s.replacen('-', "+", 1)),
        ("'/' for '_'", s.replacen('_', "/", 1)),
        ("standard alphabet '+'", insert(s, 4, "+")),
        ("standard alphabet '/'", insert(s, 4, "////")),
        (
            "length 1 mod 4",
            format!("{s}{}", "A".repeat((5 - s.len() % 4) % 4)),
        ),
        ("percent-encoded", insert(s, 4, "%3D")),
        ("non-ASCII", insert(s, 4, "é")),
    ];
    if let Some(t) = set_trailing_bits(s) {
        out.push(("trailing bits set", t));
    }
    // Drop variants that happen to equal the canonical form (e.g. no '-' to replace).
    out.retain(|(_, v)| v != s && base64url::decode(v).is_err());
    out
}

fn insert(s: &str, at: usize, what: &str) -> String {
    format!("{}{what}{}", &s[..at], &s[at..])
}

fn pad(s: &str) -> String {
    let n = (4 - s.len() % 4) % 4;
    format!("{s}{}", "=".repeat(if n == 0 { 4 } else { n }))
}

/// Canonical segments whose lengths give trailing bits (len % 4 == 2 and == 3) and
/// contain '-' and '_'.
fn header_b64() -> Vec<String> {
    [
        r#"{"alg":"HS256","x":"~~~?"}"#,
        r#"{"alg":"HS256","x":"~~~?~"}"#,
        r#"{"alg":"HS256","x":"~~~?~~"}"#,
    ]
    .iter()
    .map(b64)
    .collect()
}

fn payload_b64() -> Vec<String> {
    ["", " ", "  "]
        .iter()
        .map(|pad| b64(payload().replace("\"42\"", &format!("\"4~?{pad}2\""))))
        .collect()
}

#[test]
fn non_canonical_header_is_refused() {
    let key = hs256();
    for header in header_b64() {
        for (what, bad) in variants(&header) {
            let token = sign_segments(&key, &bad, &b64(payload()));
            let err = rejected(decode(&token, &public(&key)));
            assert!(
                matches!(
                    err,
                    Error::Base64 {
                        segment: Segment::Header
                    }
                ),
                "{what} {bad:?}: {err:?}"
            );
        }
    }
}

#[test]
fn non_canonical_payload_is_refused_even_when_signed() {
    let key = hs256();
    let header = b64(r#"{"alg":"HS256"}"#);
    for payload in payload_b64() {
        // Control: the canonical form is accepted.
        assert!(decode(&sign_segments(&key, &header, &payload), &public(&key)).is_ok());
        for (what, bad) in variants(&payload) {
            let token = sign_segments(&key, &header, &bad);
            if bad.contains('.') {
                continue;
            }
            let err = rejected(decode(&token, &public(&key)));
            assert!(
                matches!(
                    err,
                    Error::Base64 {
                        segment: Segment::Payload
                    }
                ),
                "{what} {bad:?}: {err:?}"
            );
        }
    }
}

#[test]
fn non_canonical_signature_is_refused() {
    let key = hs256();
    let header = b64(r#"{"alg":"HS256"}"#);
    // HS256 tags are 32 bytes: 43 characters, 2 trailing bits.
    let token = sign_segments(&key, &header, &b64(payload()));
    let (input, sig) = token.rsplit_once('.').unwrap();
    for (what, bad) in variants(sig) {
        let err = rejected(decode(&format!("{input}.{bad}"), &public(&key)));
        assert!(
            matches!(
                err,
                Error::Base64 {
                    segment: Segment::Signature
                }
            ),
            "{what} {bad:?}: {err:?}"
        );
    }
}

#[test]
fn empty_header_and_payload_are_refused() {
    let key = hs256();
    let token = sign_segments(&key, "", &b64(payload()));
    let err = rejected(decode(&token, &public(&key)));
    assert!(
        matches!(
            err,
            Error::Json {
                segment: Segment::Header,
                ..
            }
        ),
        "{err:?}"
    );
    let token = sign_segments(&key, &b64(r#"{"alg":"HS256"}"#), "");
    let err = rejected(decode(&token, &public(&key)));
    assert!(
        matches!(
            err,
            Error::Json {
                segment: Segment::Payload,
                ..
            }
        ),
        "{err:?}"
    );
}
