//! `jot decode`: show a token's header and claims without verifying anything.
//!
//! The JSON shown is the token's own (every member, as sent), so this works for
//! expired tokens, unknown algorithms and tokens the codec would refuse; the
//! codec's strict parse still runs, and its objection is printed as a warning. A JWS
//! in the JSON serialization (a leading `{`) is shown by [`json`].

use std::process::ExitCode;

use anyhow::Result;
use jot_codec::base64url;
use serde_json::{Map, Value};

use crate::cli::DecodeArgs;
use crate::cmd::{Shape, now};
use crate::exit;
use crate::input::read_token;
use crate::paint::{ColorChoice, Paint};
use crate::pretty::{self, Times};

mod json;

pub(super) fn run(args: &DecodeArgs, color: ColorChoice) -> Result<ExitCode> {
    let zone = args.date;
    let token = read_token(args.token.as_deref())?;
    if token.starts_with('{') {
        return json::run(args.json, args.human, zone, &token, color);
    }
    let err_paint = Paint::stderr(color);
    let (header, claims) = match split(&token) {
        Ok(parts) => parts,
        Err(reason) => {
            eprintln!("jot: {} {reason}", err_paint.bad("not a JWT:"));
            return Ok(exit::rejected());
        }
    };
    eprintln!(
        "jot: {} the signature was not checked; do not trust these claims (use `jot verify`)",
        err_paint.warn("UNVERIFIED:")
    );
    let strict = if header["b64"] == Value::Bool(false) {
        // Unencoded (RFC 7797): no JWT, but a JWS `jot verify` checks as such.
        jot_codec::JwsJson::parse_compact(&token).and_then(|jws| {
            jws.signatures()
                .first()
                .map_or(Ok(()), |s| s.algorithm().map(|_| ()))
        })
    } else {
        jot_codec::dangerous::decode_unverified::<Map<String, Value>>(&token)
            .and_then(|(untrusted, _)| untrusted.algorithm().map(|_| ()))
    };
    if let Err(e) = strict {
        eprintln!(
            "jot: {} {e}; `jot verify` will refuse this token",
            err_paint.warn("warning:")
        );
    }
    let paint = Paint::stdout(color);
    let text = match Shape::choose(args.json, args.human) {
        Shape::Line => pretty::header_and_claims(&header, &claims),
        Shape::Plain => pretty::render_members(&[("header", &header), ("claims", &claims)], paint),
        Shape::Human => format!(
            "{}\n{}\n{}\n{}",
            paint.bold("Header"),
            pretty::render(&header, paint, None),
            paint.bold("Claims"),
            pretty::render(&claims, paint, Some(Times { now: now(), zone })),
        ),
    };
    exit::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The header (a JSON object) and the claims (any JSON) of a compact JWS, or why not.
/// An unencoded payload (RFC 7797 `"b64": false`) is shown as JSON when it is JSON,
/// else as text (`null` when detached).
fn split(token: &str) -> Result<(Value, Value), String> {
    let segments: Vec<&str> = token.split('.').collect();
    if let (Some((header, rest)), Some((_, _signature))) =
        (token.split_once('.'), token.rsplit_once('.'))
    {
        let unencoded = json_segment(header, "header")
            .is_ok_and(|h| h.is_object() && h["b64"] == Value::Bool(false));
        if unencoded {
            let header = json_segment(header, "header")?;
            let payload = rest.rsplit_once('.').map_or("", |(p, _)| p);
            if payload.contains('.') {
                return Err("the unencoded payload contains '.', which a compact JWS \
                            must not have (RFC 7797 §5.2)"
                    .to_owned());
            }
            let claims = match payload {
                "" => Value::Null,
                text => payload_member(text.as_bytes().to_vec()).1,
            };
            return Ok((header, claims));
        }
    }
    let [header, payload, _signature] = segments.as_slice() else {
        return Err(match segments.len() {
            5 => "this is a JWE (5 segments): its content is encrypted; read it with \
                  `jot decrypt`, or verify a nested token with `jot verify --decrypt-with`"
                .to_owned(),
            1 => "the token has 1 segment, a JWT has 3".to_owned(),
            n => format!("the token has {n} segments, a JWT has 3"),
        });
    };
    let header = json_segment(header, "header")?;
    if !header.is_object() {
        return Err("the header is not a JSON object".to_owned());
    }
    let claims = json_segment(payload, "payload")?;
    Ok((header, claims))
}

fn json_segment(b64: &str, name: &str) -> Result<Value, String> {
    let bytes = base64url::decode(b64).map_err(|_| format!("the {name} is not valid base64url"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("the {name} is not JSON ({e})"))
}

/// The payload as it is shown when it is no claims set: JSON as JSON, else UTF-8
/// text, else base64url.
pub(super) fn payload_member(payload: Vec<u8>) -> (&'static str, Value) {
    if let Ok(value) = serde_json::from_slice::<Value>(&payload) {
        return ("payload", value);
    }
    match String::from_utf8(payload) {
        Ok(text) => ("payload_text", Value::String(text)),
        Err(e) => (
            "payload_base64url",
            Value::String(base64url::encode(e.as_bytes())),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_explains() {
        let (h, c) = split("eyJhbGciOiJGT08ifQ.eyJhIjoxfQ.c2ln").unwrap();
        assert_eq!(h, serde_json::json!({"alg": "FOO"}));
        assert_eq!(c, serde_json::json!({"a": 1}));
        assert!(split("a.b").unwrap_err().contains("has 2 segments,"));
        assert!(split("ab").unwrap_err().contains("has 1 segment,"));
        assert!(split("a.b.c.d.e").unwrap_err().contains("JWE"));
        assert!(
            split("!!.e30.x")
                .unwrap_err()
                .contains("header is not valid base64url")
        );
        assert!(
            split("e30.bm9wZQ.x")
                .unwrap_err()
                .contains("payload is not JSON")
        );
        assert!(
            split("WzFd.e30.x")
                .unwrap_err()
                .contains("not a JSON object")
        );
        // RFC 7797: the payload as it is, text or JSON; none when detached.
        let unencoded = base64url::encode(br#"{"alg":"HS256","b64":false,"crit":["b64"]}"#);
        let (h, c) = split(&format!("{unencoded}.some text.c2ln")).unwrap();
        assert_eq!(h["b64"], false);
        assert_eq!(c, "some text");
        let (_, c) = split(&format!(r#"{unencoded}.{{"a":1}}.c2ln"#)).unwrap();
        assert_eq!(c, serde_json::json!({"a": 1}));
        assert_eq!(split(&format!("{unencoded}..c2ln")).unwrap().1, Value::Null);
        assert!(
            split(&format!("{unencoded}.$.02.c2ln"))
                .unwrap_err()
                .contains("RFC 7797")
        );
    }
}
