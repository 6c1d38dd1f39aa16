//! JSON as host values: one walk over JSON text, or over a parsed value, that makes each value
//! with a binding's [`JsonBuilder`] (Python's dicts, lists, strings). From text nothing is built
//! in between: a login call's 3 KB answer becomes host objects without a JSON map first.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Makes a host's values. An `Err` stops the walk (as a JSON error with its message).
pub trait JsonBuilder {
    type Node;
    type Error: fmt::Display;
    fn null(&self) -> Result<Self::Node, Self::Error>;
    fn bool(&self, value: bool) -> Result<Self::Node, Self::Error>;
    /// A JSON integer: any `i64` or `u64`.
    fn int(&self, value: i128) -> Result<Self::Node, Self::Error>;
    fn float(&self, value: f64) -> Result<Self::Node, Self::Error>;
    fn text(&self, value: &str) -> Result<Self::Node, Self::Error>;
    fn list(&self, items: Vec<Self::Node>) -> Result<Self::Node, Self::Error>;
    /// An empty map, which [`JsonBuilder::insert`] fills.
    fn map(&self) -> Result<Self::Node, Self::Error>;
    fn insert(
        &self,
        map: &Self::Node,
        key: Self::Node,
        value: Self::Node,
    ) -> Result<(), Self::Error>;
}

/// `json` as a host value: `&mut serde_json::Deserializer::from_str(text)` for text, a
/// `&serde_json::Value` for a parsed value.
pub fn to_host<'de, B: JsonBuilder, D: Deserializer<'de>>(
    builder: &B,
    json: D,
) -> Result<B::Node, D::Error> {
    Walk(builder).deserialize(json)
}

struct Walk<'b, B>(&'b B);

impl<'de, B: JsonBuilder> DeserializeSeed<'de> for Walk<'_, B> {
    type Value = B::Node;

    fn deserialize<D: Deserializer<'de>>(self, json: D) -> Result<B::Node, D::Error> {
        json.deserialize_any(self)
    }
}

impl<'de, B: JsonBuilder> Visitor<'de> for Walk<'_, B> {
    type Value = B::Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_unit<E: de::Error>(self) -> Result<B::Node, E> {
        self.0.null().map_err(E::custom)
    }

    fn visit_none<E: de::Error>(self) -> Result<B::Node, E> {
        self.0.null().map_err(E::custom)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<B::Node, E> {
        self.0.bool(value).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<B::Node, E> {
        self.0.int(value.into()).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<B::Node, E> {
        self.0.int(value.into()).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<B::Node, E> {
        self.0.float(value).map_err(E::custom)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<B::Node, E> {
        self.0.text(value).map_err(E::custom)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<B::Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Walk(self.0))? {
            items.push(item);
        }
        self.0.list(items).map_err(de::Error::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<B::Node, A::Error> {
        let map = self.0.map().map_err(de::Error::custom)?;
        // A key is text, which the walk makes like any other.
        while let Some(key) = entries.next_key_seed(Walk(self.0))? {
            let value = entries.next_value_seed(Walk(self.0))?;
            self.0.insert(&map, key, value).map_err(de::Error::custom)?;
        }
        Ok(map)
    }
}
