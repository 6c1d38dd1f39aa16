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
    /// A map's key: text unless the builder keeps some made already ([`super::KnownKeys`]).
    fn key(&self, name: &str) -> Result<Self::Node, Self::Error> {
        self.text(name)
    }
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
    Walk(builder, Part::Value).deserialize(json)
}

struct Walk<'b, B>(&'b B, Part);

/// What a walk makes: a value, or a map's key (which JSON always writes as text).
#[derive(Clone, Copy)]
enum Part {
    Value,
    Key,
}

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
        match self.1 {
            Part::Value => self.0.text(value),
            Part::Key => self.0.key(value),
        }
        .map_err(E::custom)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<B::Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Walk(self.0, Part::Value))? {
            items.push(item);
        }
        self.0.list(items).map_err(de::Error::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<B::Node, A::Error> {
        let map = self.0.map().map_err(de::Error::custom)?;
        while let Some(key) = entries.next_key_seed(Walk(self.0, Part::Key))? {
            let value = entries.next_value_seed(Walk(self.0, Part::Value))?;
            self.0.insert(&map, key, value).map_err(de::Error::custom)?;
        }
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a description in which keys and other text are told apart.
    struct Described;

    impl JsonBuilder for Described {
        type Node = String;
        type Error = String;
        fn null(&self) -> Result<String, String> {
            Ok("null".into())
        }
        fn bool(&self, value: bool) -> Result<String, String> {
            Ok(value.to_string())
        }
        fn int(&self, value: i128) -> Result<String, String> {
            Ok(value.to_string())
        }
        fn float(&self, value: f64) -> Result<String, String> {
            Ok(format!("{value:?}"))
        }
        fn text(&self, value: &str) -> Result<String, String> {
            Ok(format!("text:{value}"))
        }
        fn key(&self, name: &str) -> Result<String, String> {
            Ok(format!("key:{name}"))
        }
        fn list(&self, items: Vec<String>) -> Result<String, String> {
            Ok(format!("[{}]", items.join(",")))
        }
        fn map(&self) -> Result<String, String> {
            Ok(String::new())
        }
        fn insert(&self, _: &String, key: String, value: String) -> Result<(), String> {
            Err(format!("{key}={value}")) // one entry is enough to see both
        }
    }

    #[test]
    fn map_keys_are_made_as_keys_and_values_as_text() {
        let text = r#"{"user_id": "user_id"}"#;
        let from_text = to_host(&Described, &mut serde_json::Deserializer::from_str(text));
        let value: serde_json::Value = serde_json::from_str(text).expect("JSON");
        let from_value = to_host(&Described, &value);
        for made in [
            from_text.expect_err("stops at insert").to_string(),
            from_value.expect_err("stops at insert").to_string(),
        ] {
            assert!(made.starts_with("key:user_id=text:user_id"), "{made}");
        }
    }

    #[test]
    fn known_keys_hold_every_documented_field_once() {
        let mut made = Vec::new();
        let keys = super::super::KnownKeys::new(|key| {
            made.push(key.to_owned());
            key.len()
        });
        for (_, fields) in super::super::RESPONSES {
            for (field, _) in fields {
                assert_eq!(keys.get(field), Some(&field.len()), "{field}");
            }
        }
        assert_eq!(keys.get("first_name"), Some(&10));
        assert_eq!(keys.get("a_custom_claim"), None);
        let count = made.len();
        made.sort();
        made.dedup();
        assert_eq!(made.len(), count, "a key was made twice");
    }
}
