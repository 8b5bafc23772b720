//! Non-canonical base64url in each segment, with a valid signature over the altered
//! signing input, so the refusal is the base64 check of that segment.

use jot_test_support::forge::{b64, sign_segments};
use jot_test_support::inputs::set_trailing_bits;

use super::{accepted, es256, es256_args, refused, refused_as};
use crate::harness::now;

#[test]
fn non_canonical_base64url_is_refused_even_when_signed() {
    let key = es256();
    // A header and payload whose base64url holds '-' and '_' and is not a multiple
    // of 4 long, so that every non-canonical form exists.
    let mut found = None;
    for pad in 0..64 {
        let header = format!(r#"{{"alg":"ES256","x":"{}???>>>"}}"#, "~".repeat(pad % 8));
        let payload = format!(
            r#"{{"sub":"42","exp":{},"y":"{}???>>>"}}"#,
            now() + 600,
            "~".repeat(pad / 8)
        );
        let (h, p) = (b64(&header), b64(&payload));
        let shape = |s: &str| s.contains('-') && s.contains('_') && s.len() % 4 >= 2;
        if shape(&h) && shape(&p) {
            found = Some((h, p));
            break;
        }
    }
    let (h, p) = found.expect("a header and payload of the right shape");
    accepted(&es256_args(), &sign_segments(&key, &h, &p));
    let variants = |s: &str| -> Vec<(&'static str, String)> {
        let mid = s.len() / 2;
        let mut v = vec![
            ("padding", format!("{s}{}", "=".repeat(4 - s.len() % 4))),
            ("one '='", format!("{s}=")),
            ("'+' for '-'", s.replace('-', "+")),
            ("'/' for '_'", s.replace('_', "/")),
            ("a space inside", format!("{} {}", &s[..mid], &s[mid..])),
            ("CRLF inside", format!("{}\r\n{}", &s[..mid], &s[mid..])),
            ("a tab inside", format!("{}\t{}", &s[..mid], &s[mid..])),
            (
                "length 1 mod 4",
                format!("{s}{}", "A".repeat(5 - s.len() % 4)),
            ),
            ("'%3D' padding", format!("{s}%3D")),
            ("non-ASCII", format!("{s}é")),
        ];
        v.push((
            "a set trailing bit",
            set_trailing_bits(s).expect("len % 4 >= 2"),
        ));
        v
    };
    for (what, bad) in variants(&h) {
        let t = sign_segments(&key, &bad, &p);
        let (msg, kind) = refused(&es256_args(), &t);
        assert_eq!(
            (msg.as_str(), kind.as_str()),
            ("header is not valid base64url", "base64"),
            "header {what}"
        );
    }
    for (what, bad) in variants(&p) {
        let t = sign_segments(&key, &h, &bad);
        let (msg, kind) = refused(&es256_args(), &t);
        assert_eq!(
            (msg.as_str(), kind.as_str()),
            ("payload is not valid base64url", "base64"),
            "payload {what}"
        );
    }
    let good = sign_segments(&key, &h, &p);
    let sig = good.rsplit('.').next().unwrap().to_owned();
    for (what, bad) in variants(&sig) {
        if what == "'+' for '-'" && !sig.contains('-')
            || what == "'/' for '_'" && !sig.contains('_')
        {
            continue;
        }
        if sig.len() % 4 < 2 && what == "a set trailing bit" {
            continue;
        }
        let t = format!("{h}.{p}.{bad}");
        let (msg, kind) = refused(&es256_args(), &t);
        assert_eq!(
            (msg.as_str(), kind.as_str()),
            ("signature is not valid base64url", "base64"),
            "signature {what}"
        );
    }
    // Empty header or payload segments: nothing to parse.
    let t = sign_segments(&key, "", &p);
    refused_as(
        &es256_args(),
        &t,
        "json",
        "header is not valid JSON (Eof at line 1, column 0)",
    );
    let t = sign_segments(&key, &h, "");
    refused_as(
        &es256_args(),
        &t,
        "json",
        "payload is not valid JSON (Eof at line 1, column 0)",
    );
}
