//! `jot decode` on a JWS in the JSON serialization (RFC 7515 §7.2): each signature's
//! protected and unprotected header, and the payload, without verifying anything.
//!
//! `--json` prints one line:
//! `{"serialization":"general"|"flattened","signatures":[{"protected":{…}|null,"header":{…}|null}],"payload":…}`,
//! where the payload is `"payload"` (its JSON) when it is JSON, else `"payload_text"`
//! (UTF-8 text), else `"payload_base64url"` (base64url), and absent when detached.
//! An unencoded payload (RFC 7797 `"b64": false`) is the `payload` member itself.

use std::process::ExitCode;

use anyhow::Result;
use jot_codec::{JwsJson, base64url};
use serde_json::{Map, Value, json};

use super::{json_segment, payload_member};
use crate::cmd::{Shape, now};
use crate::exit;
use crate::paint::{ColorChoice, Paint};
use crate::pretty::{self, Times};

pub(super) fn run(
    json: bool,
    human: bool,
    zone: crate::dates::DateZone,
    token: &str,
    color: ColorChoice,
) -> Result<ExitCode> {
    let err_paint = Paint::stderr(color);
    let shown = match parts(token) {
        Ok(shown) => shown,
        Err(reason) => {
            eprintln!(
                "jot: {} {reason}",
                err_paint.bad("not a JWS JSON serialization:")
            );
            return Ok(exit::rejected());
        }
    };
    eprintln!(
        "jot: {} no signature was checked; do not trust this payload (use `jot verify`)",
        err_paint.warn("UNVERIFIED:")
    );
    if let Err(e) = JwsJson::parse(token) {
        eprintln!(
            "jot: {} {e}; `jot verify` will refuse this JWS",
            err_paint.warn("warning:")
        );
    }
    let paint = Paint::stdout(color);
    let text = match Shape::choose(json, human) {
        Shape::Line => format!("{}\n", Value::Object(shown)),
        Shape::Plain => {
            let members: Vec<(&str, &Value)> = shown.iter().map(|(k, v)| (k.as_str(), v)).collect();
            pretty::render_members(&members, paint)
        }
        Shape::Human => {
            let mut out = String::new();
            for (i, sig) in shown["signatures"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                for (member, title) in [
                    ("protected", "Protected header"),
                    ("header", "Unprotected header"),
                ] {
                    if !sig[member].is_null() {
                        out.push_str(&format!(
                            "{}\n",
                            paint.bold(&format!("Signature {i}: {title}"))
                        ));
                        out.push_str(&pretty::render(&sig[member], paint, None));
                    }
                }
            }
            let times = Some(Times { now: now(), zone });
            for (member, title) in [
                ("payload", "Payload"),
                ("payload_text", "Payload (text)"),
                ("payload_base64url", "Payload (base64url, not UTF-8)"),
            ] {
                if let Some(value) = shown.get(member) {
                    out.push_str(&format!("{}\n", paint.bold(title)));
                    match value {
                        // Untrusted text: no control characters reach the terminal.
                        Value::String(s) if member != "payload" => {
                            out.push_str(&pretty::clean(s));
                            out.push('\n');
                        }
                        _ => out.push_str(&pretty::render(value, paint, times)),
                    }
                }
            }
            out
        }
    };
    exit::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// What `--json` shows (see the module documentation), or why the text is no JWS
/// JSON serialization.
fn parts(token: &str) -> Result<Map<String, Value>, String> {
    let doc: Value = serde_json::from_str(token).map_err(|e| format!("it is not JSON ({e})"))?;
    let Value::Object(doc) = doc else {
        return Err("it is not a JSON object".to_owned());
    };
    if doc.contains_key("ciphertext") {
        return Err("this is a JWE (it has \"ciphertext\"): read it with `jot decrypt`".to_owned());
    }
    let (serialization, raw): (&str, Vec<&Map<String, Value>>) = match doc.get("signatures") {
        Some(Value::Array(list)) => (
            "general",
            list.iter()
                .map(|s| s.as_object().ok_or("a signature is not a JSON object"))
                .collect::<Result<_, _>>()?,
        ),
        Some(_) => return Err("\"signatures\" is not an array".to_owned()),
        None if doc.contains_key("signature") => ("flattened", vec![&doc]),
        None => return Err("it has neither \"signatures\" nor \"signature\"".to_owned()),
    };
    let signatures = raw
        .into_iter()
        .enumerate()
        .map(|(i, sig)| {
            let protected = match sig.get("protected") {
                None => Value::Null,
                Some(Value::String(b64)) => {
                    json_segment(b64, &format!("protected header of signature {i}"))?
                }
                Some(_) => {
                    return Err(format!(
                        "the protected header of signature {i} is not a string"
                    ));
                }
            };
            let header = sig.get("header").cloned().unwrap_or(Value::Null);
            Ok(json!({ "protected": protected, "header": header }))
        })
        .collect::<Result<Vec<_>, String>>()?;
    // RFC 7797: the payload member is the payload itself.
    let unencoded = signatures
        .iter()
        .any(|s| s["protected"]["b64"] == Value::Bool(false));
    let mut shown = Map::new();
    shown.insert("serialization".into(), serialization.into());
    shown.insert("signatures".into(), Value::Array(signatures));
    match doc.get("payload") {
        None => {}
        Some(Value::String(text)) if unencoded => {
            let (name, value) = payload_member(text.as_bytes().to_vec());
            shown.insert(name.into(), value);
        }
        Some(Value::String(b64)) => {
            let bytes = base64url::decode(b64).map_err(|_| "the payload is not valid base64url")?;
            let (name, value) = payload_member(bytes);
            shown.insert(name.into(), value);
        }
        Some(_) => return Err("the payload is not a string".to_owned()),
    }
    Ok(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_general_and_flattened() {
        let general = r#"{"payload":"eyJhIjoxfQ","signatures":[{"protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"},{"header":{"alg":"ES256","kid":"e"},"signature":"c2ln"}]}"#;
        let shown = Value::Object(parts(general).unwrap());
        assert_eq!(
            shown,
            json!({"serialization":"general","signatures":[
                {"protected":{"alg":"HS256"},"header":null},
                {"protected":null,"header":{"alg":"ES256","kid":"e"}}],
                "payload":{"a":1}})
        );
        let flat = r#"{"payload":"aGk","protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}"#;
        let shown = Value::Object(parts(flat).unwrap());
        assert_eq!(shown["serialization"], "flattened");
        assert_eq!(shown["payload_text"], "hi");
        assert_eq!(
            parts(r#"{"payload":"_w","signature":"x"}"#).unwrap()["payload_base64url"],
            "_w"
        );
        let unencoded = base64url::encode(br#"{"alg":"HS256","b64":false,"crit":["b64"]}"#);
        let raw = format!(r#"{{"payload":"$.02","protected":"{unencoded}","signature":"c2ln"}}"#);
        assert_eq!(parts(&raw).unwrap()["payload_text"], "$.02");
        assert!(parts("[1]").unwrap_err().contains("not a JSON object"));
        assert!(parts(r#"{"ciphertext":"x"}"#).unwrap_err().contains("JWE"));
        assert!(
            parts(r#"{"payload":"e30"}"#)
                .unwrap_err()
                .contains("neither")
        );
        assert!(
            parts(r#"{"signatures":[{"protected":"!!"}]}"#)
                .unwrap_err()
                .contains("base64url")
        );
    }
}
