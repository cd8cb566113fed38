//! A deserializer adapter that hands a JSON object to any `T` unchanged while recording its
//! top-level `exp` (an integer), so claims are parsed once whatever `T` is.

use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

pub(super) struct ExpCapture<'c, D> {
    pub(super) de: D,
    pub(super) exp: &'c mut Option<i64>,
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ExpCapture<'_, D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_map(CaptureVisitor {
            inner: visitor,
            exp: self.exp,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

struct CaptureVisitor<'c, V> {
    inner: V,
    exp: &'c mut Option<i64>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for CaptureVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.inner.visit_map(CaptureMap {
            map,
            exp: self.exp,
            at_exp: false,
        })
    }
}

struct CaptureMap<'c, A> {
    map: A,
    exp: &'c mut Option<i64>,
    at_exp: bool,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for CaptureMap<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(Key(key)) = self.map.next_key::<Key<'de>>()? else {
            return Ok(None);
        };
        self.at_exp = key == "exp";
        seed.deserialize(IntoDeserializer::<A::Error>::into_deserializer(key))
            .map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        if !std::mem::take(&mut self.at_exp) {
            return self.map.next_value_seed(seed);
        }
        let exp: i64 = self.map.next_value()?;
        if self.exp.replace(exp).is_some() {
            return Err(de::Error::duplicate_field("exp"));
        }
        seed.deserialize(IntoDeserializer::<A::Error>::into_deserializer(exp))
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A map key, borrowed from the input when it has no escapes.
#[derive(serde::Deserialize)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);
