//! The JWE header (RFC 7516 §4): [`JweHeader`] as decoded, [`HeaderOptions`] as
//! given to [`crate::encrypt`].

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;

use jot_codec::clip_untrusted;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::{ContentEncryption, Error, HeaderError, KeyAlgorithm};

/// Header parameter names registered for JWS and JWE (RFC 7515, 7516, 7518);
/// `crit` must not name them and [`HeaderOptions::member`] refuses them.
pub(crate) const REGISTERED: [&str; 20] = [
    "alg", "enc", "zip", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty",
    "crit", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c",
];

/// The protected header of a decrypted JWE.
///
/// The common members are typed fields; every member, including those, stays
/// readable through [`JweHeader::get`] and [`JweHeader::members`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct JweHeader {
    /// `alg`: the key management algorithm (always the key's).
    pub alg: KeyAlgorithm,
    /// `enc`: the content encryption.
    pub enc: ContentEncryption,
    /// Whether the plaintext was compressed (`zip: DEF`).
    pub compressed: bool,
    /// `kid`.
    pub kid: Option<String>,
    /// `typ`.
    pub typ: Option<String>,
    /// `cty`: `JWT` for a nested token.
    pub cty: Option<String>,
    members: Map<String, Value>,
}

impl JweHeader {
    /// A member by name, as found.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.members.get(name)
    }

    /// Every member, as found (in name order).
    pub fn members(&self) -> &Map<String, Value> {
        &self.members
    }

    /// Whether `cty` says the plaintext is a JWT (a nested token, RFC 7519 §5.2).
    pub fn is_nested(&self) -> bool {
        self.cty.as_deref().is_some_and(|c| {
            c.eq_ignore_ascii_case("JWT") || c.eq_ignore_ascii_case("application/jwt")
        })
    }

    /// Builds the typed view of a header object, checking the registered members'
    /// types. `alg` and `enc` must be names jot knows.
    pub(crate) fn from_members(members: Map<String, Value>) -> Result<JweHeader, Error> {
        let alg = match members.get("alg") {
            None => return Err(HeaderError::Missing { name: "alg" }.into()),
            Some(Value::String(name)) => {
                KeyAlgorithm::from_name(name).ok_or_else(|| HeaderError::UnsupportedAlgorithm {
                    name: clip_untrusted(name),
                })?
            }
            Some(_) => return Err(HeaderError::Invalid { name: "alg" }.into()),
        };
        let enc = match members.get("enc") {
            None => return Err(HeaderError::Missing { name: "enc" }.into()),
            Some(Value::String(name)) => ContentEncryption::from_name(name).ok_or_else(|| {
                HeaderError::UnsupportedEncryption {
                    name: clip_untrusted(name),
                }
            })?,
            Some(_) => return Err(HeaderError::Invalid { name: "enc" }.into()),
        };
        let string = |name: &'static str| -> Result<Option<String>, Error> {
            match members.get(name) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(HeaderError::Invalid { name }.into()),
            }
        };
        let compressed = match string("zip")?.as_deref() {
            None => false,
            Some("DEF") => true,
            Some(other) => {
                return Err(HeaderError::UnsupportedCompression {
                    name: clip_untrusted(other),
                }
                .into());
            }
        };
        for name in [
            "jku", "x5u", "x5t", "x5t#S256", "apu", "apv", "iv", "tag", "p2s",
        ] {
            if members.get(name).is_some_and(|v| !v.is_string()) {
                return Err(HeaderError::Invalid { name }.into());
            }
        }
        for name in ["jwk", "epk"] {
            if members.get(name).is_some_and(|v| !v.is_object()) {
                return Err(HeaderError::Invalid { name }.into());
            }
        }
        if members.get("p2c").is_some_and(|v| !v.is_u64()) {
            return Err(HeaderError::Invalid { name: "p2c" }.into());
        }
        Ok(JweHeader {
            alg,
            enc,
            compressed,
            kid: string("kid")?,
            typ: string("typ")?,
            cty: string("cty")?,
            members,
        })
    }

    /// Checks `crit` (RFC 7515 §4.1.11, RFC 7516 §4.1.13): a non-empty array of
    /// distinct names, none registered, each present, each understood.
    pub(crate) fn check_critical(&self, understood: &[String]) -> Result<(), Error> {
        let Some(crit) = self.members.get("crit") else {
            return Ok(());
        };
        let fail = |name: &str| {
            Error::from(HeaderError::Critical {
                name: clip_untrusted(name),
            })
        };
        let list = crit.as_array().ok_or_else(|| fail(""))?;
        if list.is_empty() {
            return Err(fail(""));
        }
        for (i, name) in list.iter().enumerate() {
            let name = name.as_str().ok_or_else(|| fail(""))?;
            if REGISTERED.contains(&name)
                || list[..i].iter().any(|n| n.as_str() == Some(name))
                || !self.members.contains_key(name)
                || !understood.iter().any(|u| u == name)
            {
                return Err(fail(name));
            }
        }
        Ok(())
    }

    /// A base64url member (`apu`, `apv`, `iv`, `tag`, `p2s`) decoded; absent is `None`.
    pub(crate) fn bytes(&self, name: &'static str) -> Result<Option<Vec<u8>>, Error> {
        match self.members.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => jot_codec::base64url::decode(s)
                .map(Some)
                .map_err(|_| HeaderError::Invalid { name }.into()),
            Some(_) => Err(HeaderError::Invalid { name }.into()),
        }
    }
}

/// Optional header parameters for [`crate::encrypt`]: `alg` and `enc` come from the
/// key and the call, `epk`, `iv`, `tag`, `p2s` and `p2c` from the algorithm.
///
/// ```
/// use jot_jwe::HeaderOptions;
/// let opts = HeaderOptions::jwt().kid("2026-11").member("tenant", "acme");
/// # let _ = opts;
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeaderOptions {
    pub(crate) typ: Option<String>,
    pub(crate) cty: Option<String>,
    pub(crate) kid: Option<String>,
    pub(crate) compress: bool,
    pub(crate) apu: Option<Vec<u8>>,
    pub(crate) apv: Option<Vec<u8>>,
    pub(crate) extra: BTreeMap<String, Value>,
}

impl HeaderOptions {
    /// No optional parameters.
    pub fn new() -> HeaderOptions {
        HeaderOptions::default()
    }

    /// `typ: "JWT"`, for an encrypted JWT.
    pub fn jwt() -> HeaderOptions {
        HeaderOptions::new().typ("JWT")
    }

    /// Sets `typ`.
    #[must_use]
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// Sets `cty` (`JWT` for a nested token; [`crate::sign_then_encrypt`] sets it).
    #[must_use]
    pub fn cty(mut self, cty: impl Into<String>) -> Self {
        self.cty = Some(cty.into());
        self
    }

    /// Sets `kid` (otherwise the key's kid, if any, is written).
    #[must_use]
    pub fn kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Compresses the plaintext with DEFLATE before encryption (`zip: DEF`). Mind
    /// that compression before encryption can leak the plaintext's content through
    /// the ciphertext length when attacker-chosen data sits beside secrets.
    #[must_use]
    pub fn compress(mut self) -> Self {
        self.compress = true;
        self
    }

    /// Sets the ECDH-ES agreement PartyUInfo (`apu`).
    #[must_use]
    pub fn apu(mut self, apu: impl Into<Vec<u8>>) -> Self {
        self.apu = Some(apu.into());
        self
    }

    /// Sets the ECDH-ES agreement PartyVInfo (`apv`).
    #[must_use]
    pub fn apv(mut self, apv: impl Into<Vec<u8>>) -> Self {
        self.apv = Some(apv.into());
        self
    }

    /// Adds a custom member. Registered names are refused by [`crate::encrypt`]
    /// ([`Error::DuplicateMember`]).
    #[must_use]
    pub fn member(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(name.into(), value.into());
        self
    }
}

/// Parses a JSON object into its members, refusing duplicate names.
pub(crate) fn parse_object(json: &[u8], what: &'static str) -> Result<Map<String, Value>, Error> {
    let text = std::str::from_utf8(json).map_err(|_| Error::Json { what })?;
    let dup = Cell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = ObjectSeed { dup: &dup }
        .deserialize(&mut de)
        .and_then(|m| de.end().map(|()| m));
    match (parsed, dup.take()) {
        (Ok(map), _) => Ok(map),
        (Err(_), Some(name)) => Err(Error::DuplicateMember { name }),
        (Err(_), None) => Err(Error::Json { what }),
    }
}

struct ObjectSeed<'a> {
    dup: &'a Cell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_> {
    type Value = Map<String, Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_> {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if out.contains_key(&name) {
                self.dup.set(Some(clip_untrusted(&name)));
                return Err(de::Error::custom("duplicate member"));
            }
            let value = map.next_value::<Value>()?;
            out.insert(name, value);
        }
        Ok(out)
    }
}

/// Serializes `(name, value)` pairs as a JSON object, in order.
pub(crate) fn write_object(members: &[(&str, Value)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    out.push(b'{');
    for (i, (name, value)) in members.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Serializing a str or a serde_json::Value into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, name);
        out.push(b':');
        let _ = serde_json::to_writer(&mut out, value);
    }
    out.push(b'}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_refused() {
        assert!(matches!(
            parse_object(br#"{"alg":"dir","alg":"A128KW"}"#, "header"),
            Err(Error::DuplicateMember { name }) if name == "alg"
        ));
        assert!(matches!(
            parse_object(b"[1]", "header"),
            Err(Error::Json { .. })
        ));
    }

    #[test]
    fn crit_rules() {
        let header = |json: &str| {
            JweHeader::from_members(parse_object(json.as_bytes(), "header").unwrap()).unwrap()
        };
        let ok = header(r#"{"alg":"dir","enc":"A128GCM","crit":["x"],"x":1}"#);
        assert!(ok.check_critical(&["x".into()]).is_ok());
        assert!(ok.check_critical(&[]).is_err());
        for bad in [
            r#"{"alg":"dir","enc":"A128GCM","crit":[]}"#,
            r#"{"alg":"dir","enc":"A128GCM","crit":["enc"]}"#,
            r#"{"alg":"dir","enc":"A128GCM","crit":["x"]}"#,
            r#"{"alg":"dir","enc":"A128GCM","crit":["x","x"],"x":1}"#,
        ] {
            assert!(
                header(bad)
                    .check_critical(&["x".into(), "enc".into()])
                    .is_err(),
                "{bad}"
            );
        }
    }
}
