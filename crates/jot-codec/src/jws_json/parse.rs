//! The strict reader of the JWS JSON serialization: one pass of hand-written serde
//! visitors over the document, refusing duplicate members at every level and
//! bounding the number of signatures.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::Header;
use crate::error::{Error, JsonErrorKind, JwsJsonError, Segment, clip_untrusted};
use crate::header::{AlgName, HeaderSeed};
use crate::json::{Any, CowStr, MemberNames, Sink, fail};

/// One signature object as written, before its headers are combined.
#[derive(Default)]
pub(super) struct RawSignature {
    pub(super) protected: Option<String>,
    pub(super) header: Option<(Option<AlgName>, Header)>,
    pub(super) signature: Option<String>,
}

impl RawSignature {
    fn is_empty(&self) -> bool {
        self.protected.is_none() && self.header.is_none() && self.signature.is_none()
    }
}

/// The document as written.
#[derive(Default)]
pub(super) struct RawDocument {
    pub(super) payload: Option<String>,
    pub(super) signatures: Option<Vec<RawSignature>>,
    /// The members of the flattened syntax.
    pub(super) flat: RawSignature,
}

/// Parses the document's JSON into its parts.
pub(super) fn parse_document(json: &str, max_signatures: usize) -> Result<RawDocument, Error> {
    // Invalid UTF-8 is impossible in a `str`; this refuses lone surrogate escapes,
    // even in members that are skipped.
    crate::json::utf8(json.as_bytes(), Segment::Header).map_err(|e| match e {
        Error::Json {
            kind, line, column, ..
        } => JwsJsonError::Json { kind, line, column }.into(),
        other => other,
    })?;
    let sink = Cell::new(None);
    let mut de = serde_json::Deserializer::from_str(json);
    let doc = DocumentSeed {
        sink: &sink,
        max_signatures,
    }
    .deserialize(&mut de)
    .and_then(|d| de.end().map(|()| d))
    .map_err(|e| {
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
        Error::from(JwsJsonError::Json {
            kind,
            line: e.line(),
            column: e.column(),
        })
    })?;
    Ok(doc)
}

fn duplicate<E: serde::de::Error>(sink: Sink<'_>, name: &str) -> E {
    fail(
        sink,
        JwsJsonError::DuplicateMember {
            name: clip_untrusted(name),
        }
        .into(),
    )
}

fn string<'de, A: MapAccess<'de>>(
    map: &mut A,
    name: &'static str,
    sink: Sink<'_>,
) -> Result<String, A::Error> {
    match map.next_value::<Any<'de>>()? {
        Any::Str(s) => Ok(s.into_owned()),
        _ => Err(fail(sink, JwsJsonError::InvalidMember { name }.into())),
    }
}

/// Reads one of the members a signature object and a flattened document share;
/// false if `key` is not one of them.
fn signature_member<'de, A: MapAccess<'de>>(
    key: &str,
    map: &mut A,
    out: &mut RawSignature,
    sink: Sink<'_>,
) -> Result<bool, A::Error> {
    match key {
        "protected" => out.protected = Some(string(map, "protected", sink)?),
        "signature" => out.signature = Some(string(map, "signature", sink)?),
        "header" => {
            out.header = Some(map.next_value_seed(HeaderSeed {
                sink,
                require_alg: false,
            })?);
        }
        _ => return Ok(false),
    }
    Ok(true)
}

struct DocumentSeed<'s> {
    sink: Sink<'s>,
    max_signatures: usize,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_> {
    type Value = RawDocument;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_> {
    type Value = RawDocument;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWS JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let sink = self.sink;
        let mut names = MemberNames::new();
        let mut doc = RawDocument::default();
        while let Some(key) = map.next_key::<CowStr<'de>>()? {
            if !names.insert(key.clone()) {
                return Err(duplicate(sink, &key));
            }
            if signature_member(&key, &mut map, &mut doc.flat, sink)? {
                continue;
            }
            match &*key {
                "payload" => doc.payload = Some(string(&mut map, "payload", sink)?),
                "signatures" => {
                    doc.signatures = Some(map.next_value_seed(SignaturesSeed {
                        sink,
                        max: self.max_signatures,
                    })?);
                }
                // A JWE in the JSON serialization (RFC 7516 §7.2).
                "ciphertext" => return Err(fail(sink, Error::Encrypted)),
                // RFC 7515 §7.2.1: members that are not understood are ignored.
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if doc.signatures.is_some() && !doc.flat.is_empty() {
            return Err(fail(sink, JwsJsonError::MixedSyntax.into()));
        }
        Ok(doc)
    }
}

struct SignaturesSeed<'s> {
    sink: Sink<'s>,
    max: usize,
}

impl<'de> DeserializeSeed<'de> for SignaturesSeed<'_> {
    type Value = Vec<RawSignature>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for SignaturesSeed<'_> {
    type Value = Vec<RawSignature>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of JWS signature objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(sig) = seq.next_element_seed(SignatureSeed { sink: self.sink })? {
            if out.len() == self.max {
                return Err(fail(
                    self.sink,
                    JwsJsonError::TooManySignatures { max: self.max }.into(),
                ));
            }
            out.push(sig);
        }
        Ok(out)
    }
}

struct SignatureSeed<'s> {
    sink: Sink<'s>,
}

impl<'de> DeserializeSeed<'de> for SignatureSeed<'_> {
    type Value = RawSignature;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SignatureSeed<'_> {
    type Value = RawSignature;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWS signature object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let sink = self.sink;
        let mut names = MemberNames::new();
        let mut sig = RawSignature::default();
        while let Some(key) = map.next_key::<CowStr<'de>>()? {
            if !names.insert(key.clone()) {
                return Err(duplicate(sink, &key));
            }
            if !signature_member(&key, &mut map, &mut sig, sink)? {
                // RFC 7515 §7.2.1: members that are not understood are ignored.
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(sig)
    }
}
