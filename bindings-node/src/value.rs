//! The text form of host values that `lib/host.js` makes from JS values, read straight into
//! the core's host values (`sms_otp::host::Value`); the core then checks the types and reads
//! the values.

use std::fmt;

use napi::{Env, Result, Status};
use serde::de::{Deserialize, Deserializer, Error as _, SeqAccess, Visitor};
use sms_otp::host::{Refusal, Value};

use crate::errors::ErrorPayload;

/// An argument object (`None`: `undefined`).
pub fn parse(text: Option<String>) -> Result<Option<Value>> {
    let parse = |text: String| serde_json::from_str::<Host>(&text).map(|h| h.0);
    let bad = |e: serde_json::Error| napi::Error::from_reason(format!("not host value text: {e}"));
    text.map(parse).transpose().map_err(bad)
}

struct Host(Value);

impl<'de> Deserialize<'de> for Host {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Host, D::Error> {
        deserializer.deserialize_any(HostVisitor).map(Host)
    }
}

struct HostVisitor;

impl<'de> Visitor<'de> for HostVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("host value text")
    }

    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, b: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(b))
    }

    // JavaScript has one number type: the core decides what is whole.
    fn visit_f64<E>(self, x: f64) -> std::result::Result<Value, E> {
        Ok(Value::Float(x))
    }

    fn visit_u64<E>(self, n: u64) -> std::result::Result<Value, E> {
        Ok(Value::Float(n as f64))
    }

    fn visit_i64<E>(self, n: i64) -> std::result::Result<Value, E> {
        Ok(Value::Float(n as f64))
    }

    fn visit_str<E>(self, s: &str) -> std::result::Result<Value, E> {
        Ok(Value::Str(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> std::result::Result<Value, E> {
        Ok(Value::Str(s))
    }

    /// A tagged array: `["L", …]`, `["M", key, value, …]`, `["B", digits]`, `["N", text]`,
    /// `["S"]`, `["U", href]`, `["O", type name]`.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let tag: String = seq
            .next_element()?
            .ok_or_else(|| A::Error::custom("no tag"))?;
        let text = |seq: &mut A| seq.next_element::<String>().map(Option::unwrap_or_default);
        Ok(match tag.as_str() {
            "S" => Value::Unpaired,
            "N" => Value::Float(text(&mut seq)?.parse().unwrap_or(f64::NAN)),
            "O" => Value::Other(text(&mut seq)?),
            "B" => {
                let digits = text(&mut seq)?;
                let wide = || Value::WideInt(digits.parse().unwrap_or(f64::NAN));
                let uint = |_| digits.parse().map_or_else(|_| wide(), Value::Uint);
                digits.parse().map_or_else(uint, Value::Int)
            }
            "U" => {
                let href = seq.next_element::<Host>()?.map_or(Value::Null, |h| h.0);
                let attributes = vec![("href".into(), href)];
                Value::Object {
                    class: "URL".into(),
                    attributes,
                }
            }
            "L" => {
                let mut items = Vec::new();
                while let Some(Host(item)) = seq.next_element()? {
                    items.push(item);
                }
                Value::List(items)
            }
            _ => {
                let mut entries = Vec::new();
                while let Some(key) = seq.next_element::<String>()? {
                    let Some(Host(value)) = seq.next_element()? else {
                        break;
                    };
                    entries.push((key, value));
                }
                Value::Map(entries)
            }
        })
    }
}

/// The core's refusal: a `TypeError` thrown here, or the payload of its error class.
pub fn refused(env: &Env, refusal: Refusal) -> Result<ErrorPayload> {
    match refusal {
        Refusal::WrongType(message) => {
            env.throw_type_error(&message, None)?;
            Err(napi::Error::from_status(Status::PendingException))
        }
        Refusal::Invalid(error) => Ok(error.into()),
    }
}
