//! Hostile header and payload values: what an attacker writes into a token that
//! is otherwise well formed and validly signed.

/// Every letter case of `none` (16 spellings): only `none` is the unsecured
/// algorithm, the others are unknown names, and both must be refused.
pub fn every_case_of_none() -> Vec<String> {
    (0u8..16)
        .map(|mask| {
            "none"
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if mask & (1 << i) != 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect()
        })
        .collect()
}

/// The canonical base64url `segment` with the unused low bits of its last
/// character set: the same bytes to a lax decoder, refused by a strict one.
/// `None` when the length leaves no unused bits (a multiple of 4, or 1 mod 4).
///
/// ```
/// use jot_test_support::inputs::set_trailing_bits;
///
/// assert_eq!(set_trailing_bits("QQ").as_deref(), Some("QR")); // "A"
/// assert_eq!(set_trailing_bits("QUI").as_deref(), Some("QUJ")); // "AB"
/// assert_eq!(set_trailing_bits("QUJD"), None); // "ABC"
/// ```
pub fn set_trailing_bits(segment: &str) -> Option<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    if segment.len() % 4 < 2 {
        return None;
    }
    let last = *segment.as_bytes().last()?;
    let index = ALPHABET.iter().position(|&c| c == last)?;
    // Canonical: the unused low bits are 0, so the next character sets one.
    let set = *ALPHABET.get(index + 1)? as char;
    Some(format!("{}{set}", &segment[..segment.len() - 1]))
}

/// `aud` values (JSON) that are neither a string nor an array of strings, each
/// naming the audience `me` somewhere.
pub const AUDIENCES_OF_THE_WRONG_SHAPE: [&str; 8] = [
    r#"["me",1]"#,
    r#"[1,"me"]"#,
    r#"{"me":true}"#,
    "null",
    "1",
    "true",
    r#"[["me"]]"#,
    r#"["me",null]"#,
];

/// Byte sequences that are not UTF-8, with what each is.
pub const INVALID_UTF8: [(&str, &[u8]); 7] = [
    ("0xff", b"\xff"),
    ("overlong '/'", b"\xc0\xaf"),
    ("overlong '/' in three bytes", b"\xe0\x80\xaf"),
    ("CESU-8 surrogate", b"\xed\xa0\x80"),
    ("above U+10FFFF", b"\xf4\x90\x80\x80"),
    ("truncated sequence", b"\xc3"),
    ("lone continuation byte", b"\x80"),
];

/// JSON string contents (escaped) holding a lone UTF-16 surrogate, which no
/// Unicode string can.
pub const LONE_SURROGATES: [&str; 5] = [
    r"\ud800",
    r"\udfff",
    r"\udc00\ud800",
    r"a\ud800b",
    r"\ud800\u0041",
];

/// `depth` nested JSON arrays: `[[[…]]]`.
pub fn nested_arrays(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// `depth` nested JSON objects: `{"a":{"a":…1…}}`.
pub fn nested_objects(depth: usize) -> String {
    format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_spellings_of_none() {
        let all = every_case_of_none();
        assert_eq!(all.len(), 16);
        assert_eq!((all[0].as_str(), all[15].as_str()), ("none", "NONE"));
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 16);
    }

    #[test]
    fn hostile_values_are_what_they_say() {
        for (what, bytes) in INVALID_UTF8 {
            assert!(std::str::from_utf8(bytes).is_err(), "{what}");
        }
        assert_eq!(nested_arrays(2), "[[]]");
        assert_eq!(nested_objects(2), r#"{"a":{"a":1}}"#);
    }
}
