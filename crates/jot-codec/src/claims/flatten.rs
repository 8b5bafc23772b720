//! Serializes the custom claims type into the same JSON object as the registered
//! claims, refusing members named like a registered claim.

use alloc::string::String;

use serde::ser::{self, Impossible, Serialize, SerializeMap, SerializeStruct, Serializer};

use super::REGISTERED_CLAIMS;

pub(super) struct FlatSerializer<'a, M> {
    map: &'a mut M,
}

impl<'a, M> FlatSerializer<'a, M> {
    pub(super) fn new(map: &'a mut M) -> Self {
        FlatSerializer { map }
    }
}

fn check_name<E: ser::Error>(name: &str) -> Result<(), E> {
    if REGISTERED_CLAIMS.contains(&name) {
        Err(E::custom(alloc::format!(
            "custom claims must not contain the registered claim {name:?}; set it on Claims instead"
        )))
    } else {
        Ok(())
    }
}

fn not_a_map<E: ser::Error>() -> E {
    E::custom("custom claims must serialize as a map or a struct")
}

macro_rules! refuse {
    ($($method:ident($($arg:ty),*);)*) => {$(
        fn $method(self, $(_: $arg),*) -> Result<Self::Ok, Self::Error> {
            Err(not_a_map())
        }
    )*};
}

impl<'a, M: SerializeMap> Serializer for FlatSerializer<'a, M> {
    type Ok = ();
    type Error = M::Error;
    type SerializeSeq = Impossible<(), M::Error>;
    type SerializeTuple = Impossible<(), M::Error>;
    type SerializeTupleStruct = Impossible<(), M::Error>;
    type SerializeTupleVariant = Impossible<(), M::Error>;
    type SerializeMap = FlatMap<'a, M>;
    type SerializeStruct = FlatMap<'a, M>;
    type SerializeStructVariant = Impossible<(), M::Error>;

    refuse! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
        serialize_u8(u8); serialize_u16(u16); serialize_u32(u32); serialize_u64(u64);
        serialize_f32(f32); serialize_f64(f64); serialize_char(char); serialize_str(&str);
        serialize_bytes(&[u8]); serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_none(self) -> Result<(), M::Error> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), M::Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), M::Error> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), M::Error> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), M::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), M::Error> {
        Err(not_a_map())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, M::Error> {
        Err(not_a_map())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, M::Error> {
        Err(not_a_map())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, M::Error> {
        Err(not_a_map())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, M::Error> {
        Err(not_a_map())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, M::Error> {
        Ok(FlatMap {
            map: self.map,
            key: None,
        })
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, M::Error> {
        Ok(FlatMap {
            map: self.map,
            key: None,
        })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, M::Error> {
        Err(not_a_map())
    }
}

pub(super) struct FlatMap<'a, M> {
    map: &'a mut M,
    key: Option<String>,
}

impl<M: SerializeMap> SerializeMap for FlatMap<'_, M> {
    type Ok = ();
    type Error = M::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), M::Error> {
        let name = key_name(key)?;
        check_name(&name)?;
        self.key = Some(name);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), M::Error> {
        match self.key.take() {
            Some(key) => self.map.serialize_entry(&key, value),
            None => Err(ser::Error::custom("value without key")),
        }
    }

    fn end(self) -> Result<(), M::Error> {
        Ok(())
    }
}

impl<M: SerializeMap> SerializeStruct for FlatMap<'_, M> {
    type Ok = ();
    type Error = M::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), M::Error> {
        check_name(name)?;
        self.map.serialize_entry(name, value)
    }

    fn end(self) -> Result<(), M::Error> {
        Ok(())
    }
}

/// Captures a map key as a string (JSON object keys are strings; serde_json also
/// writes integer keys as strings).
fn key_name<T: Serialize + ?Sized, E: ser::Error>(key: &T) -> Result<String, E> {
    match key
        .serialize(serde_json::value::Serializer)
        .map_err(E::custom)?
    {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(alloc::format!("{n}")),
        _ => Err(E::custom("custom claim names must be strings")),
    }
}
