//! JSON plumbing shared by the header and claims parsers: borrowed strings,
//! type-checked values, duplicate-member detection and typed errors out of serde.

use alloc::borrow::Cow;
use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;
use core::ops::Deref;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::{Error, JsonErrorKind, Segment};

/// A string borrowed from the input when it has no escapes, owned otherwise.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CowStr<'de>(pub(crate) Cow<'de, str>);

impl Deref for CowStr<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl CowStr<'_> {
    pub(crate) fn into_owned(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CowStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(String::from(v))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// Any JSON value, keeping only what type checks need. Arrays and objects are
/// skipped (drained) and only their kind is kept.
#[derive(Debug)]
pub(crate) enum Any<'de> {
    Null,
    Bool(bool),
    U64(u64),
    /// A negative integer.
    Negative,
    F64(f64),
    Str(CowStr<'de>),
    Seq,
    Map,
}

impl<'de> Deserialize<'de> for Any<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnyVisitor)
    }
}

struct AnyVisitor;

impl<'de> Visitor<'de> for AnyVisitor {
    type Value = Any<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Any::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Any::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Any::Bool(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Any::U64(v))
    }
    // serde_json reports non-negative integers through visit_u64.
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Any::Negative)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Any::F64(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Any::Str(CowStr(Cow::Borrowed(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Any::Str(CowStr(Cow::Owned(String::from(v)))))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Any::Str(CowStr(Cow::Owned(v))))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Any::Seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Any::Map)
    }
}

/// A string or an array of strings; `Wrong` for anything else (including an array
/// with a non-string element, which is drained).
#[derive(Debug)]
pub(crate) enum StrOrList<'de> {
    Str(CowStr<'de>),
    List(Vec<CowStr<'de>>),
    Wrong,
}

impl<'de> Deserialize<'de> for StrOrList<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrOrList<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(StrOrList::Wrong)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(StrOrList::Wrong)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(StrOrList::Wrong)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(StrOrList::Wrong)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(StrOrList::Wrong)
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(StrOrList::Str(CowStr(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StrOrList::Str(CowStr(Cow::Owned(String::from(v)))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(StrOrList::Str(CowStr(Cow::Owned(v))))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                let mut wrong = false;
                while let Some(item) = seq.next_element::<Any<'de>>()? {
                    match item {
                        Any::Str(s) if !wrong => items.push(s),
                        _ => wrong = true,
                    }
                }
                Ok(if wrong {
                    StrOrList::Wrong
                } else {
                    StrOrList::List(items)
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(StrOrList::Wrong)
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// The member names of one JSON object, to refuse duplicates in the same pass as
/// the parse. The first names live in an inline array (no allocation for ordinary
/// tokens); past that they move to a tree, so a token with thousands of members
/// costs O(n log n), not O(n²).
pub(crate) struct MemberNames<'de> {
    inline: [CowStr<'de>; INLINE],
    /// A cheap fingerprint of each inline name, compared before the names themselves.
    prints: [u32; INLINE],
    len: usize,
    tree: Option<BTreeSet<CowStr<'de>>>,
}

const INLINE: usize = 8;
const EMPTY: CowStr<'static> = CowStr(Cow::Borrowed(""));

impl<'de> MemberNames<'de> {
    pub(crate) fn new() -> Self {
        MemberNames {
            inline: [EMPTY; INLINE],
            prints: [0; INLINE],
            len: 0,
            tree: None,
        }
    }

    /// Records `name`; false if it was already there.
    pub(crate) fn insert(&mut self, name: CowStr<'de>) -> bool {
        if let Some(tree) = &mut self.tree {
            return tree.insert(name);
        }
        let print = fingerprint(&name);
        let taken = self.prints[..self.len]
            .iter()
            .zip(&self.inline[..self.len])
            .any(|(p, n)| *p == print && **n == *name);
        if taken {
            return false;
        }
        if self.len < INLINE {
            self.prints[self.len] = print;
            self.inline[self.len] = name;
            self.len += 1;
        } else {
            let mut tree: BTreeSet<CowStr<'de>> = self
                .inline
                .iter_mut()
                .map(|n| core::mem::replace(n, EMPTY))
                .collect();
            tree.insert(name);
            self.tree = Some(tree);
        }
        true
    }

    pub(crate) fn into_owned(self) -> Vec<String> {
        match self.tree {
            Some(tree) => tree.into_iter().map(CowStr::into_owned).collect(),
            None => self
                .inline
                .into_iter()
                .take(self.len)
                .map(CowStr::into_owned)
                .collect(),
        }
    }
}

/// Length, first and last byte: equal names have equal fingerprints.
fn fingerprint(name: &str) -> u32 {
    let b = name.as_bytes();
    let first = b.first().copied().unwrap_or(0);
    let last = b.last().copied().unwrap_or(0);
    ((b.len() as u32) << 16) ^ (u32::from(first) << 8) ^ u32::from(last)
}

/// Serializes `value` as JSON at the end of `out`: straight into it with `std`,
/// through one temporary buffer without (serde_json has no writer then).
pub(crate) fn write<T: serde::Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<(), ()> {
    #[cfg(feature = "std")]
    {
        serde_json::to_writer(&mut *out, value).map_err(|_| ())
    }
    #[cfg(not(feature = "std"))]
    {
        let json = serde_json::to_vec(value).map_err(|_| ())?;
        out.extend_from_slice(&json);
        Ok(())
    }
}

/// Where a `Deserialize` impl leaves a typed [`Error`] before returning an opaque
/// serde error; the caller reads it back after serde returns.
pub(crate) type Sink<'s> = &'s Cell<Option<Error>>;

/// Records `err` in the sink and returns a serde error to unwind with.
pub(crate) fn fail<E: de::Error>(sink: Sink<'_>, err: Error) -> E {
    let msg = E::custom(&err);
    sink.set(Some(err));
    msg
}

/// Checks that a decoded segment is UTF-8 (RFC 7159 §8.1) before any parse, so that
/// even members nobody reads cannot carry invalid bytes. Lone surrogate escapes
/// (`\ud800` without its pair) are refused here too, because serde_json checks them
/// only in strings it builds, not in values it skips.
pub(crate) fn utf8(json: &[u8], segment: Segment) -> Result<&str, Error> {
    let syntax_error_at = |offset: usize| {
        let upto = &json[..offset];
        let line = 1 + upto.iter().filter(|b| **b == b'\n').count();
        let column = 1 + upto.iter().rev().take_while(|b| **b != b'\n').count();
        Error::Json {
            segment,
            kind: JsonErrorKind::Syntax,
            line,
            column,
        }
    };
    let text = core::str::from_utf8(json).map_err(|e| syntax_error_at(e.valid_up_to()))?;
    // Most segments have no escape at all: one vectorised pass settles it.
    if !has_backslash(json) {
        return Ok(text);
    }
    match lone_surrogate(json) {
        Some(offset) => Err(syntax_error_at(offset)),
        None => Ok(text),
    }
}

/// Whether `bytes` holds a backslash, tested in blocks without an early exit
/// inside a block, so that the test vectorises.
fn has_backslash(bytes: &[u8]) -> bool {
    bytes
        .chunks(64)
        .any(|block| block.iter().fold(false, |found, b| found | (*b == b'\\')))
}

/// The offset of the first `\u` escape of a surrogate that is not part of a valid
/// high-low pair. Backslashes only occur inside strings in valid JSON, so a scan of
/// the escapes is enough; most tokens have none and cost one quick search.
fn lone_surrogate(json: &[u8]) -> Option<usize> {
    let escape = |at: usize| -> Option<u16> {
        let hex = json.get(at..at + 6)?;
        if hex[0] != b'\\' || hex[1] != b'u' {
            return None;
        }
        let digits = core::str::from_utf8(&hex[2..]).ok()?;
        u16::from_str_radix(digits, 16).ok()
    };
    let mut i = 0;
    while let Some(pos) = json.get(i..)?.iter().position(|b| *b == b'\\') {
        let at = i + pos;
        i = match (json.get(at + 1), escape(at)) {
            (Some(b'u'), Some(0xD800..=0xDBFF)) => match escape(at + 6) {
                Some(0xDC00..=0xDFFF) => at + 12,
                _ => return Some(at),
            },
            (Some(b'u'), Some(0xDC00..=0xDFFF)) => return Some(at),
            // Any other escape, `\\` included, starts two bytes on.
            _ => at + 2,
        };
    }
    None
}

/// Turns a serde_json error into a typed [`Error`], preferring what the sink holds.
pub(crate) fn json_error(
    segment: Segment,
    sink: &Cell<Option<Error>>,
    e: &serde_json::Error,
) -> Error {
    if let Some(err) = sink.take() {
        return err;
    }
    let kind = match e.classify() {
        serde_json::error::Category::Data => JsonErrorKind::Data,
        serde_json::error::Category::Eof => JsonErrorKind::Eof,
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
            JsonErrorKind::Syntax
        }
    };
    Error::Json {
        segment,
        kind,
        line: e.line(),
        column: e.column(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_find_duplicates_in_short_and_long_objects() {
        let mut names = MemberNames::new();
        let owned: Vec<String> = (0..200).map(|i| alloc::format!("m{i}")).collect();
        for n in &owned {
            assert!(names.insert(CowStr(Cow::Borrowed(n))));
        }
        assert!(!names.insert(CowStr(Cow::Borrowed("m0"))));
        assert!(!names.insert(CowStr(Cow::Borrowed("m199"))));
        let mut short = MemberNames::new();
        assert!(short.insert(CowStr(Cow::Borrowed("a"))));
        assert!(!short.insert(CowStr(Cow::Owned(String::from("a")))));
    }

    #[test]
    fn lone_surrogates_are_found_anywhere() {
        for bad in [
            r#""\ud800""#,
            r#""\udfff""#,
            r#""\udc00\ud800""#,
            r#""a\ud800b""#,
            r#""\ud800\u0041""#,
            r#"{"x":{"y":["\ud800"]}}"#,
            r#""\ud800"#,
        ] {
            assert!(lone_surrogate(bad.as_bytes()).is_some(), "{bad}");
        }
        for good in [
            r#""\ud83d\ude00""#,
            r#""\\ud800""#,
            r#""\u0041\n\"""#,
            r#"{"a":1}"#,
            "",
            r#""\\\\ud800""#,
        ] {
            assert_eq!(lone_surrogate(good.as_bytes()), None, "{good}");
        }
    }

    #[test]
    fn str_or_list_flags_mixed_arrays() {
        let v: StrOrList<'_> = serde_json::from_str(r#"["me", 1]"#).unwrap();
        assert!(matches!(v, StrOrList::Wrong));
        let v: StrOrList<'_> = serde_json::from_str(r#"{"a":1}"#).unwrap();
        assert!(matches!(v, StrOrList::Wrong));
        let v: StrOrList<'_> = serde_json::from_str(r#"["a","b"]"#).unwrap();
        assert!(matches!(v, StrOrList::List(ref l) if l.len() == 2));
    }
}
