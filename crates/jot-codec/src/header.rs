//! The JOSE header of a JWS (RFC 7515 §4, RFC 7797 §3).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, HeaderError, Segment, clip_untrusted};
use crate::json::{Any, CowStr, Sink, StrOrList, fail};
use crate::{Algorithm, Validation};

mod plain;

/// Header parameter names registered by RFC 7515 and RFC 7516/7518 (JWS and JWE).
/// `crit` must not name them (RFC 7515 §4.1.11).
pub(crate) const REGISTERED_HEADER_NAMES: [&str; 20] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "enc",
    "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c",
];

/// Header parameters jot itself understands when listed in `crit`.
const UNDERSTOOD_CRITICAL: [&str; 1] = ["b64"];

/// A JOSE header, without `alg`: the algorithm comes from the key that signs and is
/// reported separately by a decoded token, so the header can never choose it.
///
/// Every registered JWS parameter is a field; other members are kept in
/// [`Header::extra`]. Parsing refuses duplicate member names.
///
/// ```
/// use jot_codec::Header;
/// let header = Header::new().typ("at+jwt").kid("2026-11");
/// assert_eq!(header.typ.as_deref(), Some("at+jwt"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Header {
    /// `jku`: a URL of a JWK Set. Never fetched automatically.
    pub jku: Option<String>,
    /// `jwk`: a public key. Never used to verify automatically.
    pub jwk: Option<serde_json::Map<String, Value>>,
    /// `kid`: a key id, used only as a lookup hint.
    pub kid: Option<String>,
    /// `x5u`: a URL of an X.509 chain. Never fetched automatically.
    pub x5u: Option<String>,
    /// `x5c`: an X.509 chain (base64 DER). Never trusted automatically.
    pub x5c: Option<Vec<String>>,
    /// `x5t`: SHA-1 thumbprint of a certificate.
    pub x5t: Option<String>,
    /// `x5t#S256`: SHA-256 thumbprint of a certificate.
    pub x5t_s256: Option<String>,
    /// `typ`: the media type of the whole token (e.g. `JWT`, `at+jwt`).
    pub typ: Option<String>,
    /// `cty`: the media type of the payload.
    pub cty: Option<String>,
    /// `crit`: extension parameters that must be understood.
    pub crit: Option<Vec<String>>,
    /// `b64` (RFC 7797). JWTs never use `false`.
    pub b64: Option<bool>,
    /// Every other member, in name order.
    pub extra: BTreeMap<String, Value>,
}

impl Header {
    /// An empty header (`typ` is not set; see [`Header::jwt`]).
    pub fn new() -> Header {
        Header::default()
    }

    /// A header with `typ: "JWT"`.
    ///
    /// ```
    /// assert_eq!(jot_codec::Header::jwt().typ.as_deref(), Some("JWT"));
    /// ```
    pub fn jwt() -> Header {
        Header::new().typ("JWT")
    }

    /// Sets `typ`.
    pub fn typ(mut self, typ: impl Into<String>) -> Header {
        self.typ = Some(typ.into());
        self
    }

    /// Sets `kid`.
    pub fn kid(mut self, kid: impl Into<String>) -> Header {
        self.kid = Some(kid.into());
        self
    }

    /// Sets `cty`.
    pub fn cty(mut self, cty: impl Into<String>) -> Header {
        self.cty = Some(cty.into());
        self
    }

    /// Adds a custom member. Registered names and `alg` are refused when the header
    /// is serialized ([`Error::DuplicateMember`]).
    ///
    /// ```
    /// let h = jot_codec::Header::new().member("tenant", "acme");
    /// assert_eq!(h.extra["tenant"], "acme");
    /// ```
    pub fn member(mut self, name: impl Into<String>, value: impl Into<Value>) -> Header {
        self.extra.insert(name.into(), value.into());
        self
    }

    /// Parses a header from its JSON, returning the `alg` name as found.
    #[inline]
    pub(crate) fn from_json(json: &[u8]) -> Result<(AlgName, Header), Error> {
        let json = crate::json::utf8(json, Segment::Header)?;
        if let Some(parsed) = plain::read(json) {
            return Ok(parsed);
        }
        let sink = Cell::new(None);
        let mut de = serde_json::Deserializer::from_str(json);
        let (alg, header) = HeaderSeed {
            sink: &sink,
            require_alg: true,
        }
        .deserialize(&mut de)
        .and_then(|h| de.end().map(|()| h))
        .map_err(|e| crate::json::json_error(Segment::Header, &sink, &e))?;
        check_structure(&header)?;
        let alg = alg.ok_or(Error::Header(HeaderError::MissingAlgorithm))?;
        Ok((alg, header))
    }

    /// Parses one part of a JOSE header (a protected header of the JSON
    /// serialization) whose `alg` may be elsewhere. The `crit`/`b64` rules are not
    /// checked here: they hold for the whole JOSE header, see [`check_structure`].
    pub(crate) fn part_from_json(json: &[u8]) -> Result<(Option<AlgName>, Header), Error> {
        let json = crate::json::utf8(json, Segment::Header)?;
        let sink = Cell::new(None);
        let mut de = serde_json::Deserializer::from_str(json);
        HeaderSeed {
            sink: &sink,
            require_alg: false,
        }
        .deserialize(&mut de)
        .and_then(|h| de.end().map(|()| h))
        .map_err(|e| crate::json::json_error(Segment::Header, &sink, &e))
    }

    /// The names of the members this header sets (without `alg`).
    pub(crate) fn member_names(&self) -> impl Iterator<Item = &str> {
        const REGISTERED: [&str; 11] = [
            "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "b64",
        ];
        REGISTERED
            .into_iter()
            .filter(|n| self.has_registered(n))
            .chain(self.extra.keys().map(String::as_str))
    }

    /// Fills every member `other` sets into this header. The caller has checked that
    /// the two are disjoint.
    pub(crate) fn merge(&mut self, other: &Header) {
        macro_rules! take {
            ($($field:ident),*) => {$(
                if self.$field.is_none() {
                    self.$field.clone_from(&other.$field);
                }
            )*};
        }
        take!(jku, jwk, kid, x5u, x5c, x5t, x5t_s256, typ, cty, crit, b64);
        for (k, v) in &other.extra {
            self.extra.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }

    /// Serializes this header with `alg` (if given) first, refusing custom members
    /// that would duplicate a registered one and `b64: false`.
    pub(crate) fn write_json_opt_alg(
        &self,
        alg: Option<&str>,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        self.write_json_with(alg, self.kid.as_deref(), out)
    }

    /// [`Header::write_json_opt_alg`] for a JWS that is not a JWT: `b64: false`
    /// (RFC 7797) may be written.
    pub(crate) fn write_jws_json(&self, alg: Option<&str>, out: &mut Vec<u8>) -> Result<(), Error> {
        self.write_json_inner(alg, self.kid.as_deref(), out, true)
    }

    /// Serializes this header with `alg` (if given) first and `kid` in place of the
    /// header's own, appending to `out`. Refuses custom members that would
    /// duplicate a registered one and `b64: false`.
    pub(crate) fn write_json_with(
        &self,
        alg: Option<&str>,
        kid: Option<&str>,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        self.write_json_inner(alg, kid, out, false)
    }

    fn write_json_inner(
        &self,
        alg: Option<&str>,
        kid: Option<&str>,
        out: &mut Vec<u8>,
        allow_unencoded: bool,
    ) -> Result<(), Error> {
        if plain::write(self, alg, kid, out) {
            return Ok(());
        }
        for name in self.extra.keys() {
            if REGISTERED_HEADER_NAMES.contains(&name.as_str()) || name == "b64" {
                return Err(Error::DuplicateMember {
                    segment: Segment::Header,
                    name: clip_untrusted(name),
                });
            }
        }
        if self.b64 == Some(false) && !allow_unencoded {
            return Err(HeaderError::UnencodedPayload.into());
        }
        crate::json::write(
            &WithAlg {
                alg,
                kid,
                header: self,
            },
            out,
        )
        .map_err(|()| Error::Serialize {
            segment: Segment::Header,
        })
    }

    /// Checks `crit` against what this validation understands.
    pub(crate) fn check_critical(&self, validation: &Validation) -> Result<(), Error> {
        if let Some(crit) = &self.crit {
            for name in crit {
                if !UNDERSTOOD_CRITICAL.contains(&name.as_str()) && !validation.understands(name) {
                    return Err(HeaderError::UnknownCritical {
                        name: clip_untrusted(name),
                    }
                    .into());
                }
            }
        }
        Ok(())
    }

    /// Whether the registered member `name` is set (false for other names).
    fn has_registered(&self, name: &str) -> bool {
        match name {
            "jku" => self.jku.is_some(),
            "jwk" => self.jwk.is_some(),
            "kid" => self.kid.is_some(),
            "x5u" => self.x5u.is_some(),
            "x5c" => self.x5c.is_some(),
            "x5t" => self.x5t.is_some(),
            "x5t#S256" => self.x5t_s256.is_some(),
            "typ" => self.typ.is_some(),
            "cty" => self.cty.is_some(),
            "crit" => self.crit.is_some(),
            "b64" => self.b64.is_some(),
            _ => false,
        }
    }

    fn has_member(&self, name: &str) -> bool {
        match name {
            "b64" => self.b64.is_some(),
            other => self.extra.contains_key(other),
        }
    }
}

/// The `alg` of a parsed header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AlgName {
    Known(Algorithm),
    /// Exactly `none`.
    None,
    /// Anything else (kept, clipped, for the error and for unverified display).
    Unknown(String),
}

impl AlgName {
    fn parse(name: &str) -> AlgName {
        match Algorithm::from_name(name) {
            Some(alg) => AlgName::Known(alg),
            None if name == "none" => AlgName::None,
            None => AlgName::Unknown(clip_untrusted(name)),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            AlgName::Known(alg) => alg.as_str(),
            AlgName::None => "none",
            AlgName::Unknown(name) => name,
        }
    }
}

/// Rules on `crit` and `b64` that hold whatever the verifier understands, for a
/// JWT: `b64` is refused unless it is `true` and critical.
pub(crate) fn check_structure(header: &Header) -> Result<(), Error> {
    check_structure_with(header, false)
}

/// [`check_structure`] for a JWS that is not a JWT: `b64: false` is allowed, but
/// `b64` must be listed in `crit` (RFC 7797 §6).
pub(crate) fn check_jws_structure(header: &Header) -> Result<(), Error> {
    check_structure_with(header, true)
}

fn check_structure_with(header: &Header, allow_unencoded: bool) -> Result<(), Error> {
    {
        if let Some(crit) = &header.crit {
            if crit.is_empty() {
                return Err(HeaderError::EmptyCritical.into());
            }
            for (i, name) in crit.iter().enumerate() {
                if REGISTERED_HEADER_NAMES.contains(&name.as_str()) {
                    return Err(HeaderError::RegisteredCritical {
                        name: clip_untrusted(name),
                    }
                    .into());
                }
                if crit[..i].contains(name) {
                    return Err(HeaderError::DuplicateCritical {
                        name: clip_untrusted(name),
                    }
                    .into());
                }
                if !header.has_member(name) {
                    return Err(HeaderError::MissingCritical {
                        name: clip_untrusted(name),
                    }
                    .into());
                }
            }
        }
        // RFC 7797 §6/§7: `b64` needs to be critical, and JWTs never use `b64: false`.
        if let Some(b64) = header.b64 {
            let critical = header
                .crit
                .as_ref()
                .is_some_and(|c| c.iter().any(|n| n == "b64"));
            if !allow_unencoded && (!b64 || !critical) {
                return Err(HeaderError::UnencodedPayload.into());
            }
            if !critical {
                return Err(HeaderError::NonCriticalB64.into());
            }
        }
        Ok(())
    }
}

pub(crate) struct HeaderSeed<'s> {
    pub(crate) sink: Sink<'s>,
    /// Whether a missing `alg` is an error (in a JSON serialization's header parts
    /// it may be in the other part).
    pub(crate) require_alg: bool,
}

impl<'de> DeserializeSeed<'de> for HeaderSeed<'_> {
    type Value = (Option<AlgName>, Header);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HeaderSeed<'_> {
    type Value = (Option<AlgName>, Header);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JOSE header object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let sink = self.sink;
        let mut alg = None;
        let mut h = Header::default();
        let duplicate = |name: &str| {
            fail(
                sink,
                Error::DuplicateMember {
                    segment: Segment::Header,
                    name: clip_untrusted(name),
                },
            )
        };
        while let Some(key) = map.next_key::<CowStr<'de>>()? {
            // A registered member seen before is already set: that is a duplicate.
            // (Other members are caught when they go into `extra`.)
            if (&*key == "alg" && alg.is_some()) || h.has_registered(&key) {
                return Err(duplicate(&key));
            }
            let wrong = |name: &'static str| fail(sink, HeaderError::InvalidMember { name }.into());
            match &*key {
                "alg" => match map.next_value::<Any<'de>>()? {
                    Any::Str(s) => alg = Some(AlgName::parse(&s)),
                    _ => return Err(wrong("alg")),
                },
                "jku" => h.jku = Some(string(&mut map, "jku", sink)?),
                "kid" => h.kid = Some(string(&mut map, "kid", sink)?),
                "x5u" => h.x5u = Some(string(&mut map, "x5u", sink)?),
                "x5t" => h.x5t = Some(string(&mut map, "x5t", sink)?),
                "x5t#S256" => h.x5t_s256 = Some(string(&mut map, "x5t#S256", sink)?),
                "typ" => h.typ = Some(string(&mut map, "typ", sink)?),
                "cty" => h.cty = Some(string(&mut map, "cty", sink)?),
                "x5c" => h.x5c = Some(list(&mut map, "x5c", sink)?),
                "crit" => h.crit = Some(list(&mut map, "crit", sink)?),
                "b64" => match map.next_value::<Any<'de>>()? {
                    Any::Bool(b) => h.b64 = Some(b),
                    _ => return Err(wrong("b64")),
                },
                "jwk" => match map.next_value::<Value>()? {
                    Value::Object(jwk) => h.jwk = Some(jwk),
                    _ => return Err(wrong("jwk")),
                },
                _ => {
                    if h.extra.contains_key(&*key) {
                        return Err(duplicate(&key));
                    }
                    let value = map.next_value::<Value>()?;
                    h.extra.insert(key.into_owned(), value);
                }
            }
        }
        if self.require_alg && alg.is_none() {
            return Err(fail(sink, HeaderError::MissingAlgorithm.into()));
        }
        Ok((alg, h))
    }
}

fn string<'de, A: MapAccess<'de>>(
    map: &mut A,
    name: &'static str,
    sink: Sink<'_>,
) -> Result<String, A::Error> {
    match map.next_value::<Any<'de>>()? {
        Any::Str(s) => Ok(s.into_owned()),
        _ => Err(fail(sink, HeaderError::InvalidMember { name }.into())),
    }
}

fn list<'de, A: MapAccess<'de>>(
    map: &mut A,
    name: &'static str,
    sink: Sink<'_>,
) -> Result<Vec<String>, A::Error> {
    match map.next_value::<StrOrList<'de>>()? {
        StrOrList::List(items) => Ok(items.into_iter().map(CowStr::into_owned).collect()),
        _ => Err(fail(sink, HeaderError::InvalidMember { name }.into())),
    }
}

struct WithAlg<'a> {
    alg: Option<&'a str>,
    /// Written in place of the header's own `kid`.
    kid: Option<&'a str>,
    header: &'a Header,
}

impl Serialize for WithAlg<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let h = self.header;
        let mut map = serializer.serialize_map(None)?;
        if let Some(alg) = self.alg {
            map.serialize_entry("alg", alg)?;
        }
        if let Some(typ) = &h.typ {
            map.serialize_entry("typ", typ)?;
        }
        if let Some(kid) = self.kid {
            map.serialize_entry("kid", kid)?;
        }
        macro_rules! opt {
            ($($name:literal => $field:ident),*) => {$(
                if let Some(v) = &h.$field {
                    map.serialize_entry($name, v)?;
                }
            )*};
        }
        opt!("cty" => cty, "jku" => jku, "jwk" => jwk, "x5u" => x5u,
             "x5c" => x5c, "x5t" => x5t, "x5t#S256" => x5t_s256, "b64" => b64, "crit" => crit);
        for (k, v) in &h.extra {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Serializes the header without `alg` (which belongs to the key).
impl Serialize for Header {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        WithAlg {
            alg: None,
            kid: self.kid.as_deref(),
            header: self,
        }
        .serialize(serializer)
    }
}

/// Parses a header object (an `alg` member, if present, is checked to be a string
/// and then dropped: the algorithm is never taken from a header this way).
impl<'de> Deserialize<'de> for Header {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let sink = Cell::new(None);
        let seed = HeaderSeed {
            sink: &sink,
            require_alg: true,
        };
        match seed.deserialize(deserializer) {
            Ok((_, header)) => Ok(header),
            Err(e) => match sink.take() {
                Some(Error::Header(HeaderError::MissingAlgorithm)) => {
                    Err(de::Error::missing_field("alg"))
                }
                _ => Err(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn parse(json: &str) -> Result<(AlgName, Header), Error> {
        Header::from_json(json.as_bytes())
    }

    #[test]
    fn parses_every_registered_member() {
        let (alg, h) = parse(
            r#"{"alg":"ES256","jku":"https://x/jwks","jwk":{"kty":"EC"},"kid":"k1","x5u":"https://x/c",
               "x5c":["MIIB"],"x5t":"t1","x5t#S256":"t2","typ":"JWT","cty":"json","crit":["b64","exp"],
               "b64":true,"exp":5,"custom":{"a":[1]}}"#,
        )
        .unwrap();
        assert_eq!(alg, AlgName::Known(Algorithm::ES256));
        assert_eq!(h.jku.as_deref(), Some("https://x/jwks"));
        assert_eq!(h.jwk.as_ref().unwrap()["kty"], "EC");
        assert_eq!(h.kid.as_deref(), Some("k1"));
        assert_eq!(h.x5c.as_deref(), Some(&[String::from("MIIB")][..]));
        assert_eq!(h.x5t_s256.as_deref(), Some("t2"));
        assert_eq!(h.b64, Some(true));
        assert_eq!(h.extra["exp"], 5);
        assert_eq!(h.extra["custom"]["a"][0], 1);
    }

    #[test]
    fn alg_names_are_exact() {
        assert_eq!(parse(r#"{"alg":"none"}"#).unwrap().0, AlgName::None);
        for bad in ["None", "NONE", "nOnE", "hs256", "ES521", ""] {
            let json = alloc::format!(r#"{{"alg":"{bad}"}}"#);
            assert_eq!(parse(&json).unwrap().0, AlgName::Unknown(String::from(bad)));
        }
        assert!(matches!(
            parse(r#"{"typ":"JWT"}"#),
            Err(Error::Header(HeaderError::MissingAlgorithm))
        ));
    }

    #[test]
    fn duplicate_members_are_refused() {
        for json in [
            r#"{"alg":"HS256","alg":"none"}"#,
            r#"{"alg":"HS256","kid":"a","kid":"b"}"#,
            r#"{"alg":"HS256","x":1,"x":1}"#,
            r#"{"alg":"HS256","k\u0069d":"a","kid":"b"}"#,
        ] {
            assert!(
                matches!(
                    parse(json),
                    Err(Error::DuplicateMember {
                        segment: Segment::Header,
                        ..
                    })
                ),
                "{json}"
            );
        }
    }

    #[test]
    fn wrong_member_types_are_typed_errors() {
        for (json, name) in [
            (r#"{"alg":1}"#, "alg"),
            (r#"{"alg":"HS256","kid":7}"#, "kid"),
            (r#"{"alg":"HS256","kid":null}"#, "kid"),
            (r#"{"alg":"HS256","kid":{"a":1}}"#, "kid"),
            (r#"{"alg":"HS256","typ":["JWT"]}"#, "typ"),
            (r#"{"alg":"HS256","crit":"b64"}"#, "crit"),
            (r#"{"alg":"HS256","crit":["b64",1]}"#, "crit"),
            (r#"{"alg":"HS256","b64":"false"}"#, "b64"),
            (r#"{"alg":"HS256","jwk":"key"}"#, "jwk"),
            (r#"{"alg":"HS256","x5c":[1]}"#, "x5c"),
        ] {
            assert_eq!(
                parse(json).unwrap_err().to_string(),
                Error::from(HeaderError::InvalidMember { name }).to_string(),
                "{json}"
            );
        }
    }

    #[test]
    fn crit_rules() {
        let err = |json: &str| match parse(json) {
            Err(Error::Header(e)) => e,
            other => panic!("{json}: {other:?}"),
        };
        assert_eq!(
            err(r#"{"alg":"HS256","crit":[]}"#),
            HeaderError::EmptyCritical
        );
        assert_eq!(
            err(r#"{"alg":"HS256","crit":["kid"],"kid":"a"}"#),
            HeaderError::RegisteredCritical { name: "kid".into() }
        );
        assert_eq!(
            err(r#"{"alg":"HS256","crit":["alg"]}"#),
            HeaderError::RegisteredCritical { name: "alg".into() }
        );
        assert_eq!(
            err(r#"{"alg":"HS256","crit":["x"]}"#),
            HeaderError::MissingCritical { name: "x".into() }
        );
        assert_eq!(
            err(r#"{"alg":"HS256","crit":["x","x"],"x":1}"#),
            HeaderError::DuplicateCritical { name: "x".into() }
        );
        assert!(parse(r#"{"alg":"HS256","crit":["x"],"x":1}"#).is_ok());
    }

    #[test]
    fn b64_false_never_applies_to_jwts() {
        for json in [
            r#"{"alg":"HS256","b64":false}"#,
            r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#,
            r#"{"alg":"HS256","b64":true}"#,
        ] {
            assert!(
                matches!(
                    parse(json),
                    Err(Error::Header(HeaderError::UnencodedPayload))
                ),
                "{json}"
            );
        }
        assert!(parse(r#"{"alg":"HS256","b64":true,"crit":["b64"]}"#).is_ok());
    }

    #[test]
    fn serializes_alg_first_and_refuses_registered_extras() {
        let mut out = Vec::new();
        Header::jwt()
            .kid("k")
            .member("tenant", "acme")
            .write_json_opt_alg(Some("HS256"), &mut out)
            .unwrap();
        assert_eq!(
            out,
            br#"{"alg":"HS256","typ":"JWT","kid":"k","tenant":"acme"}"#
        );
        for name in ["alg", "kid", "crit", "b64", "enc"] {
            let err = Header::new()
                .member(name, 1)
                .write_json_opt_alg(Some("HS256"), &mut Vec::new())
                .unwrap_err();
            assert!(matches!(err, Error::DuplicateMember { .. }), "{name}");
        }
    }

    #[test]
    fn not_an_object_is_a_json_error() {
        for json in ["[]", "1", "\"a\"", "null", "", "{", r#"{"alg":"HS256"} x"#] {
            assert!(
                matches!(
                    parse(json),
                    Err(Error::Json {
                        segment: Segment::Header,
                        ..
                    })
                ),
                "{json:?}"
            );
        }
    }
}
