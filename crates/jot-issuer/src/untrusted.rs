//! Values that reach a log from the network. A client id, a username or a
//! parameter name is written into a log field as a quoted string with every
//! control character, newline, escape (`ESC`, so no terminal sequence), quote and
//! backslash escaped, so that no value can end its line, start a forged one, or
//! fake another field; a value nobody authenticated is also clipped to 64 bytes
//! ([`jot_codec::clip_untrusted`]), so that no request makes the log big.
//!
//! Log them with `%` or `?`: both print the same escaped, quoted text.

use std::fmt;

/// A value from the network, for a log field: escaped and quoted (see the module
/// documentation).
#[derive(Clone, Copy)]
pub(crate) struct Untrusted<'a> {
    value: &'a str,
    clip: bool,
}

/// An unauthenticated value: clipped to 64 bytes, escaped and quoted.
pub(crate) fn untrusted(value: &str) -> Untrusted<'_> {
    Untrusted { value, clip: true }
}

/// A value the issuer composed around network input (an error description):
/// escaped and quoted, not clipped.
pub(crate) fn escaped(value: &str) -> Untrusted<'_> {
    Untrusted { value, clip: false }
}

impl fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `str`'s Debug quotes the value and escapes `"`, `\`, every control
        // character (`\n`, `\u{1b}`…) and every non-printable one (`\u{202e}`).
        if self.clip {
            fmt::Debug::fmt(jot_codec::clip_untrusted(self.value).as_str(), f)
        } else {
            fmt::Debug::fmt(self.value, f)
        }
    }
}

impl fmt::Debug for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_long_values_clipped() {
        let forged =
            "x\n2026-01-01T00:00:00Z  INFO jot_issuer: access token issued client_id=admin\x1b[31m";
        let shown = untrusted(forged).to_string();
        assert!(!shown.contains('\n') && !shown.contains('\x1b'), "{shown}");
        assert!(
            shown.starts_with("\"x\\n2026") && shown.ends_with("…\""),
            "{shown}"
        );
        assert_eq!(format!("{:?}", untrusted("a b")), "\"a b\"");
        assert_eq!(untrusted("\u{202e}\"\\").to_string(), r#""\u{202e}\"\\""#);
        let long = "é".repeat(100);
        assert!(untrusted(&long).to_string().len() <= 64 + 2 + 3);
        assert_eq!(escaped(&long).to_string().len(), 200 + 2);
    }
}
