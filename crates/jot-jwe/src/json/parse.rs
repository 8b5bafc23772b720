//! The strict reader of the JWE JSON serialization: the document is read with a
//! serde visitor that refuses duplicate member names at every depth, then its
//! members are checked for type and syntax (general or flattened).

use std::cell::Cell;
use std::fmt;

use jot_codec::clip_untrusted;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::{Error, JweJsonError};

/// One recipient as written.
pub(super) struct RawRecipient {
    pub(super) header: Option<Map<String, Value>>,
    pub(super) encrypted_key: Option<String>,
}

/// The document as written, before any base64url decoding.
pub(super) struct RawDocument {
    pub(super) protected: Option<String>,
    pub(super) unprotected: Option<Map<String, Value>>,
    pub(super) recipients: Vec<RawRecipient>,
    pub(super) flattened: bool,
    pub(super) aad: Option<String>,
    pub(super) iv: Option<String>,
    pub(super) ciphertext: String,
    pub(super) tag: Option<String>,
}

/// Parses the document: a JSON object without duplicate members at any depth, of the
/// general syntax (`recipients`) or the flattened one, never both.
pub(super) fn parse_document(json: &str, max_recipients: usize) -> Result<RawDocument, Error> {
    let mut top = strict_object(json)?;
    if ["payload", "signature", "signatures"]
        .iter()
        .any(|name| top.contains_key(*name))
    {
        return Err(Error::Signed);
    }
    let protected = take_string(&mut top, "protected")?;
    let unprotected = take_object(&mut top, "unprotected")?;
    let aad = take_string(&mut top, "aad")?;
    let iv = take_string(&mut top, "iv")?;
    let tag = take_string(&mut top, "tag")?;
    let ciphertext = take_string(&mut top, "ciphertext")?
        .ok_or(JweJsonError::MissingMember { name: "ciphertext" })?;
    let header = take_object(&mut top, "header")?;
    let encrypted_key = take_string(&mut top, "encrypted_key")?;
    let (recipients, flattened) = match top.remove("recipients") {
        None => (
            vec![RawRecipient {
                header,
                encrypted_key,
            }],
            true,
        ),
        Some(_) if header.is_some() || encrypted_key.is_some() => {
            return Err(JweJsonError::MixedSyntax.into());
        }
        Some(Value::Array(list)) => {
            if list.is_empty() {
                return Err(JweJsonError::NoRecipients.into());
            }
            if list.len() > max_recipients {
                return Err(JweJsonError::TooManyRecipients {
                    max: max_recipients,
                }
                .into());
            }
            let recipients = list
                .into_iter()
                .map(|r| match r {
                    Value::Object(mut r) => Ok(RawRecipient {
                        header: take_object(&mut r, "header")?,
                        encrypted_key: take_string(&mut r, "encrypted_key")?,
                    }),
                    _ => Err(Error::from(JweJsonError::InvalidMember {
                        name: "recipients",
                    })),
                })
                .collect::<Result<Vec<_>, _>>()?;
            (recipients, false)
        }
        Some(_) => {
            return Err(JweJsonError::InvalidMember { name: "recipients" }.into());
        }
    };
    Ok(RawDocument {
        protected,
        unprotected,
        recipients,
        flattened,
        aad,
        iv,
        ciphertext,
        tag,
    })
}

fn take_string(map: &mut Map<String, Value>, name: &'static str) -> Result<Option<String>, Error> {
    match map.remove(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(JweJsonError::InvalidMember { name }.into()),
    }
}

fn take_object(
    map: &mut Map<String, Value>,
    name: &'static str,
) -> Result<Option<Map<String, Value>>, Error> {
    match map.remove(name) {
        None => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(JweJsonError::InvalidMember { name }.into()),
    }
}

/// A JSON object whose objects, at every depth, have no duplicate member names.
fn strict_object(json: &str) -> Result<Map<String, Value>, Error> {
    let what = "JWE JSON serialization";
    let dup = Cell::new(None);
    let mut de = serde_json::Deserializer::from_str(json);
    let parsed = StrictValue { dup: &dup }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    match (parsed, dup.take()) {
        (Ok(Value::Object(map)), _) => Ok(map),
        (Ok(_), _) | (Err(_), None) => Err(Error::Json { what }),
        (Err(_), Some(name)) => Err(Error::DuplicateMember { name }),
    }
}

/// Any JSON value; objects refuse duplicate member names (the first one is recorded).
#[derive(Clone, Copy)]
struct StrictValue<'a> {
    dup: &'a Cell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for StrictValue<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if out.contains_key(&name) {
                self.dup.set(Some(clip_untrusted(&name)));
                return Err(de::Error::custom("duplicate member"));
            }
            let value = map.next_value_seed(self)?;
            out.insert(name, value);
        }
        Ok(Value::Object(out))
    }
}
