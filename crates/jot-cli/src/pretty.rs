//! Pretty JSON for people: indented, optionally coloured, with the time claims
//! (`exp`, `nbf`, `iat`) of a claims object annotated as UTC dates and relative times.

use serde_json::Value;

use crate::dates::{self, DateZone};
use crate::paint::Paint;

/// The time annotations of a rendering: the current time and the zone dates are
/// shown in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Times {
    pub(crate) now: u64,
    pub(crate) zone: DateZone,
}

/// The registered claims whose value is a NumericDate.
const TIME_CLAIMS: [&str; 3] = ["exp", "nbf", "iat"];

/// Renders `value` as indented JSON. With `times`, the time claims of the top-level
/// object get a `// 2024-06-10 06:13:20 UTC, in 59 min` annotation (which makes
/// the text no longer JSON: for people only).
pub(crate) fn render(value: &Value, paint: Paint, times: Option<Times>) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0, paint, times);
    out.push('\n');
    out
}

/// Renders one JSON object of these members, in this order, indented (and
/// coloured by `paint`): `{"header": …, "claims": …}` for a pipe.
pub(crate) fn render_members(members: &[(&str, &Value)], paint: Paint) -> String {
    let mut out = String::from("{");
    for (i, (name, value)) in members.iter().enumerate() {
        out.push_str("\n  ");
        out.push_str(&paint.key(&quote(name)));
        out.push_str(": ");
        write_value(&mut out, value, 1, paint, None);
        if i + 1 < members.len() {
            out.push(',');
        }
    }
    out.push_str("\n}\n");
    out
}

fn write_value(out: &mut String, value: &Value, depth: usize, paint: Paint, now: Option<Times>) {
    match value {
        Value::Null => out.push_str(&paint.literal("null")),
        Value::Bool(b) => out.push_str(&paint.literal(if *b { "true" } else { "false" })),
        Value::Number(n) => out.push_str(&paint.number(&n.to_string())),
        Value::String(s) => out.push_str(&paint.string(&quote(s))),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                out.push('\n');
                indent(out, depth + 1);
                write_value(out, item, depth + 1, paint, None);
                if i + 1 < items.len() {
                    out.push(',');
                }
            }
            out.push('\n');
            indent(out, depth);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            out.push('{');
            let len = map.len();
            for (i, (k, v)) in map.iter().enumerate() {
                out.push('\n');
                indent(out, depth + 1);
                out.push_str(&paint.key(&quote(k)));
                out.push_str(": ");
                write_value(out, v, depth + 1, paint, None);
                if i + 1 < len {
                    out.push(',');
                }
                if let Some(now) = now {
                    if let Some(note) = time_note(k, v, now) {
                        out.push_str(&paint.dim(&format!("  // {note}")));
                    }
                }
            }
            out.push('\n');
            indent(out, depth);
            out.push('}');
        }
    }
}

/// `{"header":…,"claims":…}` on one line, header first, and a newline.
pub(crate) fn header_and_claims(header: &Value, claims: &Value) -> String {
    format!("{{\"header\":{header},\"claims\":{claims}}}\n")
}

/// The annotation for a time claim, if `key` is one and `value` a usable date.
fn time_note(key: &str, value: &Value, times: Times) -> Option<String> {
    if !TIME_CLAIMS.contains(&key) {
        return None;
    }
    let secs = match value {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))?,
        _ => return None,
    };
    if secs > jot_codec::NumericDate::MAX_SECONDS {
        return None;
    }
    Some(dates::describe_claim(key, secs, times.now, times.zone))
}

/// A JSON string literal: escapes quotes, backslashes and every control character
/// (so a token cannot send terminal escape sequences).
fn quote(s: &str) -> String {
    // Serializing a &str to JSON cannot fail.
    serde_json::to_string(s).unwrap_or_default()
}

/// Untrusted text with control characters escaped, so a token cannot drive the terminal.
pub(crate) fn clean(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_unicode().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// Untrusted text in a message: as it is when that is unambiguous, else quoted with
/// escapes (empty, leading or trailing whitespace, control or invisible characters,
/// quotes), so "admin" and "admin " never look alike.
pub(crate) fn shown(s: &str) -> String {
    if s.is_empty() || s.trim() != s || s.escape_debug().ne(s.chars()) {
        format!("{s:?}")
    } else {
        s.to_owned()
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_serde_pretty_without_annotations() {
        let v: Value = serde_json::from_str(
            r#"{"a":[1,{"b":null,"c":[]},"x\u001b[31m"],"d":{},"e":true,"f":1.5}"#,
        )
        .unwrap();
        assert_eq!(
            render(&v, Paint::plain(), None),
            serde_json::to_string_pretty(&v).unwrap() + "\n"
        );
    }

    #[test]
    fn members_render_as_one_json_object_in_order() {
        let (h, c): (Value, Value) = (
            serde_json::json!({"alg": "ES256"}),
            serde_json::json!({"sub": "a", "exp": 1}),
        );
        let text = render_members(&[("header", &h), ("claims", &c)], Paint::plain());
        assert!(
            text.starts_with("{\n  \"header\": {\n    \"alg\""),
            "{text}"
        );
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, serde_json::json!({"header": h, "claims": c}));
    }

    #[test]
    fn clean_escapes_control_characters() {
        assert_eq!(clean("web"), "web");
        assert_eq!(clean("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\u{a}");
    }

    #[test]
    fn shown_quotes_what_would_be_ambiguous() {
        assert_eq!(shown("web"), "web");
        assert_eq!(shown("a b"), "a b");
        assert_eq!(shown(""), "\"\"");
        assert_eq!(shown("me "), "\"me \"");
        assert_eq!(shown("a\u{0}b"), "\"a\\0b\"");
        assert_eq!(shown("\u{1b}[31m"), "\"\\u{1b}[31m\"");
        assert_eq!(shown("a\u{200b}b"), "\"a\\u{200b}b\"");
    }

    #[test]
    fn annotates_time_claims() {
        let v: Value =
            serde_json::from_str(r#"{"exp":3600,"iat":0,"sub":"x","nbf":"soon"}"#).unwrap();
        let times = Times {
            now: 60,
            zone: DateZone::Utc,
        };
        let text = render(&v, Paint::plain(), Some(times));
        assert!(
            text.contains(r#""exp": 3600,  // 1970-01-01 01:00:00 UTC, in 59 min"#),
            "{text}"
        );
        assert!(
            text.contains(r#""iat": 0,  // 1970-01-01 00:00:00 UTC, 1 min ago"#),
            "{text}"
        );
        assert!(
            text.contains(r#""nbf": "soon","#) && !text.contains("soon\",  //"),
            "{text}"
        );
    }
}
