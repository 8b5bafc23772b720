//! Claims: the registered claims of RFC 7519 §4.1 plus the application's own.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;
use core::marker::PhantomData;

use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor,
};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::NumericDate;
use crate::error::{ClaimValueError, Error, Segment, clip_untrusted};
use crate::json::{Any, CowStr, MemberNames, Sink, StrOrList, fail};

mod flatten;

/// The names of the registered claims (RFC 7519 §4.1).
pub const REGISTERED_CLAIMS: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// The claims of a JWT: the registered ones as typed fields, and the application's
/// own in `custom`, a serde type of its choosing (its members sit beside the
/// registered ones in the JSON object).
///
/// Parsing is strict: `exp`, `nbf` and `iat` must be numbers within
/// `0..=253402300799`; `iss`, `sub` and `jti` strings; `aud` a string or an array of
/// strings; no member may appear twice. The custom type never sees the
/// registered members, and serializing refuses a custom member named like one.
///
/// ```
/// use jot_codec::{Claims, NumericDate};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize, PartialEq, Debug)]
/// struct Profile { name: String, admin: bool }
///
/// let claims = Claims::new(Profile { name: "Ada".into(), admin: true })
///     .issuer("https://auth.example")
///     .subject("42")
///     .expires_at(NumericDate::from_seconds(2_000_000_000).unwrap());
/// let json = serde_json::to_string(&claims).unwrap();
/// assert_eq!(json, r#"{"iss":"https://auth.example","sub":"42","exp":2000000000,"name":"Ada","admin":true}"#);
/// let back: Claims<Profile> = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, claims);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Claims<T = ()> {
    /// `iss`: who issued the token.
    pub iss: Option<String>,
    /// `sub`: whom the token is about.
    pub sub: Option<String>,
    /// `aud`: whom the token is for.
    pub aud: Option<Audience>,
    /// `exp`: the token must not be accepted at or after this time.
    pub exp: Option<NumericDate>,
    /// `nbf`: the token must not be accepted before this time.
    pub nbf: Option<NumericDate>,
    /// `iat`: when the token was issued.
    pub iat: Option<NumericDate>,
    /// `jti`: a unique id of the token.
    pub jti: Option<String>,
    /// The application's own claims.
    pub custom: T,
}

impl<T> Claims<T> {
    /// Claims with no registered claim set.
    pub fn new(custom: T) -> Claims<T> {
        Claims {
            iss: None,
            sub: None,
            aud: None,
            exp: None,
            nbf: None,
            iat: None,
            jti: None,
            custom,
        }
    }

    /// Sets `iss`.
    pub fn issuer(mut self, iss: impl Into<String>) -> Self {
        self.iss = Some(iss.into());
        self
    }

    /// Sets `sub`.
    pub fn subject(mut self, sub: impl Into<String>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    /// Sets `aud` (a single audience; use [`Audience::Many`] for several).
    pub fn audience(mut self, aud: impl Into<Audience>) -> Self {
        self.aud = Some(aud.into());
        self
    }

    /// Sets `exp`.
    pub fn expires_at(mut self, exp: NumericDate) -> Self {
        self.exp = Some(exp);
        self
    }

    /// Sets `nbf`.
    pub fn not_before(mut self, nbf: NumericDate) -> Self {
        self.nbf = Some(nbf);
        self
    }

    /// Sets `iat`.
    pub fn issued_at(mut self, iat: NumericDate) -> Self {
        self.iat = Some(iat);
        self
    }

    /// Sets `jti`.
    pub fn jwt_id(mut self, jti: impl Into<String>) -> Self {
        self.jti = Some(jti.into());
        self
    }

    /// Sets `iat` to `now` and `exp` to `now + lifetime_secs`.
    ///
    /// ```
    /// use jot_codec::{Claims, Clock, FixedClock};
    /// let c = Claims::new(()).issued_now(&FixedClock::at(100), 900);
    /// assert_eq!((c.iat.unwrap().seconds(), c.exp.unwrap().seconds()), (100, 1000));
    /// ```
    pub fn issued_now(self, clock: &impl crate::Clock, lifetime_secs: u64) -> Self {
        let now = clock.now();
        let now = NumericDate::from_seconds(now.seconds()).unwrap_or(now);
        self.issued_at(now)
            .expires_at(now.saturating_add(lifetime_secs))
    }

    /// Sets `iat` to the system time and `exp` to `lifetime_secs` later (`std` feature).
    ///
    /// ```
    /// let c = jot_codec::Claims::new(()).valid_for(900);
    /// assert_eq!(c.exp.unwrap().seconds() - c.iat.unwrap().seconds(), 900);
    /// ```
    #[cfg(feature = "std")]
    pub fn valid_for(self, lifetime_secs: u64) -> Self {
        self.issued_now(&crate::SystemClock, lifetime_secs)
    }
}

/// The `aud` claim: one audience or several.
///
/// ```
/// use jot_codec::Audience;
/// let aud: Audience = serde_json::from_str(r#"["api","web"]"#).unwrap();
/// assert!(aud.contains("web"));
/// assert_eq!(aud.iter().count(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    /// A single string.
    One(String),
    /// An array of strings.
    Many(Vec<String>),
}

impl Audience {
    /// True when `aud` names `audience` (exact, case-sensitive comparison).
    pub fn contains(&self, audience: &str) -> bool {
        self.iter().any(|a| a == audience)
    }

    /// Every audience named.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let (one, many): (Option<&str>, &[String]) = match self {
            Audience::One(a) => (Some(a.as_str()), &[]),
            Audience::Many(list) => (None, list.as_slice()),
        };
        one.into_iter().chain(many.iter().map(String::as_str))
    }
}

impl From<&str> for Audience {
    fn from(s: &str) -> Self {
        Audience::One(String::from(s))
    }
}

impl From<String> for Audience {
    fn from(s: String) -> Self {
        Audience::One(s)
    }
}

impl From<Vec<String>> for Audience {
    fn from(list: Vec<String>) -> Self {
        Audience::Many(list)
    }
}

impl Serialize for Audience {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Audience::One(a) => serializer.serialize_str(a),
            Audience::Many(list) => list.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match StrOrList::deserialize(deserializer)? {
            StrOrList::Str(s) => Ok(Audience::One(s.into_owned())),
            StrOrList::List(l) => Ok(Audience::Many(
                l.into_iter().map(CowStr::into_owned).collect(),
            )),
            StrOrList::Wrong => Err(de::Error::custom(
                "\"aud\" must be a string or an array of strings",
            )),
        }
    }
}

impl<T: Serialize> Serialize for Claims<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        macro_rules! opt {
            ($($field:ident),*) => {$(
                if let Some(v) = &self.$field {
                    map.serialize_entry(stringify!($field), v)?;
                }
            )*};
        }
        opt!(iss, sub, aud, exp, nbf, iat, jti);
        self.custom
            .serialize(flatten::FlatSerializer::new(&mut map))?;
        map.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Claims<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let sink = Cell::new(None);
        ClaimsSeed {
            sink: &sink,
            names: None,
            _t: PhantomData,
        }
        .deserialize(deserializer)
    }
}

/// Parses claims JSON into `Claims<T>`, with typed errors and, when asked, the set
/// of member names (for required custom claims).
#[inline]
pub(crate) fn claims_from_json<T: DeserializeOwned>(
    json: &[u8],
    names_out: Option<&mut Vec<String>>,
) -> Result<Claims<T>, Error> {
    let json = crate::json::utf8(json, Segment::Payload)?;
    let sink = Cell::new(None);
    let mut de = serde_json::Deserializer::from_str(json);
    ClaimsSeed {
        sink: &sink,
        names: names_out,
        _t: PhantomData,
    }
    .deserialize(&mut de)
    .and_then(|c| de.end().map(|()| c))
    .map_err(|e| crate::json::json_error(Segment::Payload, &sink, &e))
}

struct ClaimsSeed<'s, 'n, T> {
    sink: Sink<'s>,
    names: Option<&'n mut Vec<String>>,
    _t: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for ClaimsSeed<'_, '_, T> {
    type Value = Claims<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for ClaimsSeed<'_, '_, T> {
    type Value = Claims<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut registered = Claims::new(());
        let mut names = MemberNames::new();
        let custom = T::deserialize(CustomMembers {
            access: &mut map,
            registered: &mut registered,
            names: &mut names,
            sink: self.sink,
        })?;
        // The custom type may stop early (e.g. `()`): drain what is left.
        let mut rest = CustomMembers {
            access: &mut map,
            registered: &mut registered,
            names: &mut names,
            sink: self.sink,
        };
        while rest.next_key::<IgnoredAny>()?.is_some() {
            rest.next_value::<IgnoredAny>()?;
        }
        if let Some(out) = self.names {
            *out = names.into_owned();
        }
        let Claims {
            iss,
            sub,
            aud,
            exp,
            nbf,
            iat,
            jti,
            custom: (),
        } = registered;
        Ok(Claims {
            iss,
            sub,
            aud,
            exp,
            nbf,
            iat,
            jti,
            custom,
        })
    }
}

/// The claims object as the custom type sees it: registered members are taken
/// out (into `registered`, where a second one is a duplicate) and the other member
/// names are checked for duplicates.
struct CustomMembers<'a, 'n, 's, 'de, A> {
    access: &'a mut A,
    registered: &'a mut Claims<()>,
    names: &'n mut MemberNames<'de>,
    sink: Sink<'s>,
}

impl<'de, A: MapAccess<'de>> CustomMembers<'_, '_, '_, 'de, A> {
    fn drain(&mut self) -> Result<(), A::Error> {
        while self.next_key::<IgnoredAny>()?.is_some() {
            self.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }

    fn registered_value(&mut self, name: &str) -> Result<(), A::Error> {
        let sink = self.sink;
        let r = &mut *self.registered;
        match name {
            "iss" => r.iss = Some(claim_string(self.access, "iss", sink)?),
            "sub" => r.sub = Some(claim_string(self.access, "sub", sink)?),
            "jti" => r.jti = Some(claim_string(self.access, "jti", sink)?),
            "exp" => r.exp = Some(claim_date(self.access, "exp", sink)?),
            "nbf" => r.nbf = Some(claim_date(self.access, "nbf", sink)?),
            "iat" => r.iat = Some(claim_date(self.access, "iat", sink)?),
            _ => {
                r.aud = Some(match self.access.next_value::<StrOrList<'de>>()? {
                    StrOrList::Str(s) => Audience::One(s.into_owned()),
                    StrOrList::List(l) => {
                        Audience::Many(l.into_iter().map(CowStr::into_owned).collect())
                    }
                    StrOrList::Wrong => {
                        return Err(invalid(sink, "aud", ClaimValueError::InvalidAudience));
                    }
                })
            }
        }
        Ok(())
    }
}

fn duplicate<E: de::Error>(sink: Sink<'_>, name: &str) -> E {
    fail(
        sink,
        Error::DuplicateMember {
            segment: Segment::Payload,
            name: clip_untrusted(name),
        },
    )
}

impl Claims<()> {
    /// Whether the registered claim `name` is set.
    fn has(&self, name: &str) -> bool {
        match name {
            "iss" => self.iss.is_some(),
            "sub" => self.sub.is_some(),
            "aud" => self.aud.is_some(),
            "exp" => self.exp.is_some(),
            "nbf" => self.nbf.is_some(),
            "iat" => self.iat.is_some(),
            _ => self.jti.is_some(),
        }
    }
}

fn is_registered(name: &str) -> bool {
    matches!(name, "iss" | "sub" | "aud" | "exp" | "nbf" | "iat" | "jti")
}

fn invalid<E: de::Error>(sink: Sink<'_>, claim: &'static str, reason: ClaimValueError) -> E {
    fail(sink, Error::InvalidClaim { claim, reason })
}

fn claim_string<'de, A: MapAccess<'de>>(
    map: &mut A,
    claim: &'static str,
    sink: Sink<'_>,
) -> Result<String, A::Error> {
    match map.next_value::<Any<'de>>()? {
        Any::Str(s) => Ok(s.into_owned()),
        _ => Err(invalid(sink, claim, ClaimValueError::NotAString)),
    }
}

fn claim_date<'de, A: MapAccess<'de>>(
    map: &mut A,
    claim: &'static str,
    sink: Sink<'_>,
) -> Result<NumericDate, A::Error> {
    let date = match map.next_value::<Any<'de>>()? {
        Any::U64(v) => NumericDate::from_seconds(v),
        Any::Negative => None,
        Any::F64(v) => NumericDate::from_f64(v),
        _ => return Err(invalid(sink, claim, ClaimValueError::NotANumber)),
    };
    date.ok_or_else(|| invalid(sink, claim, ClaimValueError::OutOfRange))
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for CustomMembers<'_, '_, '_, 'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            let Some(key) = self.access.next_key::<CowStr<'de>>()? else {
                return Ok(None);
            };
            if is_registered(&key) {
                // A registered claim seen before is already set: that is a duplicate.
                if self.registered.has(&key) {
                    return Err(duplicate(self.sink, &key));
                }
                self.registered_value(&key)?;
                continue;
            }
            if !self.names.insert(key.clone()) {
                return Err(duplicate(self.sink, &key));
            }
            return match key.0 {
                alloc::borrow::Cow::Borrowed(s) => {
                    seed.deserialize(BorrowedStrDeserializer::new(s)).map(Some)
                }
                alloc::borrow::Cow::Owned(s) => {
                    seed.deserialize(StringDeserializer::new(s)).map(Some)
                }
            };
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.access.next_value_seed(seed)
    }
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for CustomMembers<'_, '_, '_, 'de, A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_map(self)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, A::Error> {
        self.drain()?;
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf seq tuple tuple_struct map struct enum identifier
    }
}

#[cfg(test)]
mod tests;
