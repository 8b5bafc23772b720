//! The usual JOSE header, written and read without serde: string members only,
//! nothing to escape. Both sides leave anything else to the general path.

use alloc::string::String;
use alloc::vec::Vec;

use super::{AlgName, Header};

/// Writes a header that has only string members, none of them needing an escape,
/// byte for byte as serde_json writes it through `WithAlg` (same member order).
/// False, with `out` untouched, when the header needs the general path.
pub(super) fn write(h: &Header, alg: Option<&str>, kid: Option<&str>, out: &mut Vec<u8>) -> bool {
    if h.jwk.is_some()
        || h.x5c.is_some()
        || h.crit.is_some()
        || h.b64.is_some()
        || !h.extra.is_empty()
    {
        return false;
    }
    // The order of `WithAlg` (the members in between are not set here).
    let members = [
        ("alg", alg),
        ("typ", h.typ.as_deref()),
        ("kid", kid),
        ("cty", h.cty.as_deref()),
        ("jku", h.jku.as_deref()),
        ("x5u", h.x5u.as_deref()),
        ("x5t", h.x5t.as_deref()),
        ("x5t#S256", h.x5t_s256.as_deref()),
    ];
    if !members.iter().all(|(_, v)| v.is_none_or(is_plain)) {
        return false;
    }
    let len: usize = members
        .iter()
        .filter_map(|(name, v)| v.map(|v| name.len() + v.len() + 6))
        .sum();
    out.reserve(len + 2);
    out.push(b'{');
    let mut first = true;
    for (name, value) in members {
        let Some(value) = value else { continue };
        if !first {
            out.push(b',');
        }
        first = false;
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":\"");
        out.extend_from_slice(value.as_bytes());
        out.push(b'"');
    }
    out.push(b'}');
    true
}

/// serde_json escapes `"`, `\` and control characters, and nothing else.
fn is_plain(value: &str) -> bool {
    value.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\')
}

/// Reads a header that is an object of string members among `alg`, `typ`, `kid`,
/// `cty`, `jku`, `x5u`, `x5t` and `x5t#S256`, each at most once and `alg`
/// present, with no whitespace and no escape or control character in any string.
/// Such a header has one meaning and passes every check of the general parse,
/// which returns the same value for it. `None` for anything else, valid or not:
/// the general parse then decides, and names the error.
pub(super) fn read(json: &str) -> Option<(AlgName, Header)> {
    let mut rest = json.strip_prefix('{')?.strip_suffix('}')?;
    let mut alg = None;
    let mut h = Header::default();
    loop {
        let (name, after) = string(rest)?;
        let (value, after) = string(after.strip_prefix(':')?)?;
        let slot = match name {
            "alg" => {
                if alg.is_some() {
                    return None;
                }
                alg = Some(AlgName::parse(value));
                None
            }
            "typ" => Some(&mut h.typ),
            "kid" => Some(&mut h.kid),
            "cty" => Some(&mut h.cty),
            "jku" => Some(&mut h.jku),
            "x5u" => Some(&mut h.x5u),
            "x5t" => Some(&mut h.x5t),
            "x5t#S256" => Some(&mut h.x5t_s256),
            _ => return None,
        };
        if let Some(slot) = slot {
            if slot.is_some() {
                return None;
            }
            *slot = Some(String::from(value));
        }
        match after.strip_prefix(',') {
            Some(next) => rest = next,
            None if after.is_empty() => break,
            None => return None,
        }
    }
    Some((alg?, h))
}

/// A JSON string without escapes or control characters at the start of `s`: its
/// content and what follows the closing quote.
fn string(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_prefix('"')?;
    let end = body
        .bytes()
        .position(|b| b == b'"' || b == b'\\' || b < 0x20)?;
    if body.as_bytes()[end] != b'"' {
        return None;
    }
    Some((&body[..end], &body[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    /// The general parse, bypassing this module.
    fn general(json: &str) -> Result<(AlgName, Header), Error> {
        use serde::de::DeserializeSeed as _;
        let sink = core::cell::Cell::new(None);
        let mut de = serde_json::Deserializer::from_str(json);
        let (alg, header) = super::super::HeaderSeed {
            sink: &sink,
            require_alg: true,
        }
        .deserialize(&mut de)
        .and_then(|h| de.end().map(|()| h))
        .map_err(|e| crate::json::json_error(crate::Segment::Header, &sink, &e))?;
        super::super::check_structure(&header)?;
        Ok((
            alg.ok_or(Error::Header(crate::HeaderError::MissingAlgorithm))?,
            header,
        ))
    }

    #[test]
    fn reads_what_the_general_parse_reads() {
        for json in [
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"typ":"at+jwt","alg":"ES256","kid":"2026-11"}"#,
            r#"{"alg":"none"}"#,
            r#"{"alg":"HS257","cty":"JWT","jku":"https://a/b","x5u":"u","x5t":"t","x5t#S256":"s"}"#,
            r#"{"alg":"RS256","kid":"ключ 🔑"}"#,
            r#"{"alg":"RS256","kid":"a}"}"#,
            r#"{"alg":"RS256","kid":""}"#,
        ] {
            let fast = read(json).expect(json);
            assert_eq!(Some(fast), general(json).ok(), "{json}");
        }
    }

    #[test]
    fn leaves_everything_else_to_the_general_parse() {
        for json in [
            "",
            "{}",
            r#"{"typ":"JWT"}"#,
            r#"{"alg":"HS256","alg":"HS256"}"#,
            r#"{"alg":"HS256","typ":"a","typ":"b"}"#,
            r#"{"alg":"HS256", "typ":"JWT"}"#,
            r#"{"alg":"HS256","typ":"JWT",}"#,
            r#"{"alg":"HS256"}}"#,
            r#"{"alg":"HS256"} "#,
            r#"{"alg":"HS\u0032"}"#,
            "{\"alg\":\"HS256\",\"kid\":\"a\tb\"}",
            r#"{"alg":"HS256","b64":true,"crit":["b64"]}"#,
            r#"{"alg":"HS256","kid":1}"#,
            r#"{"alg":"HS256","tenant":"acme"}"#,
            r#"{"alg":"HS256","kid":"a"#,
            r#"{"alg""HS256"}"#,
        ] {
            assert_eq!(read(json), None, "{json}");
        }
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let headers = [
            Header::jwt(),
            Header::new(),
            Header::jwt().kid("k1").cty("JWT"),
            Header {
                jku: Some("https://a/jwks".into()),
                x5u: Some("https://a/c".into()),
                x5t: Some("t".into()),
                x5t_s256: Some("s".into()),
                ..Header::jwt().kid("ключ 🔑")
            },
        ];
        for header in &headers {
            for (alg, kid) in [
                (Some("HS256"), None),
                (Some("ES256"), Some("k2")),
                (None, None),
            ] {
                let mut fast = Vec::new();
                assert!(write(header, alg, kid, &mut fast));
                let general =
                    serde_json::to_vec(&super::super::WithAlg { alg, kid, header }).unwrap();
                assert_eq!(fast, general);
            }
        }
        let mut out = Vec::new();
        assert!(!write(
            &Header::new().typ("a\"b"),
            Some("HS256"),
            None,
            &mut out
        ));
        assert!(!write(
            &Header::new(),
            Some("HS256"),
            Some("a\u{7}"),
            &mut out
        ));
        assert!(!write(
            &Header::jwt().member("tenant", "acme"),
            Some("HS256"),
            None,
            &mut out
        ));
        assert!(out.is_empty());
    }
}
