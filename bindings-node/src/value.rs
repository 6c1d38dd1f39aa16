//! JavaScript values to the core's host values (`sms_otp::host::Value`): one generic
//! conversion that knows no option or field; the core checks the types and reads the values.
//! A getter or Proxy trap that throws leaves its exception pending, and it propagates as is.

use napi::bindgen_prelude::{BigInt, FromNapiValue, Function, JsObjectValue, JsValue, Object};
use napi::{Env, JsString, KeyCollectionMode, KeyConversion, KeyFilter, Result, Status};
use napi::{Unknown, ValueType};
use sms_otp::host::{Refusal, Value, MAX_DEPTH};

use crate::errors::ErrorPayload;

/// `Object.prototype.toString`: its tag tells a plain object from a Date, Map, URL, …
pub type TagOf<'e> = Function<'e, (), String>;

pub fn tag_of(env: &Env) -> Result<TagOf<'_>> {
    let object: Object = env.get_global()?.get_named_property_unchecked("Object")?;
    let prototype: Object = object.get_named_property_unchecked("prototype")?;
    prototype.get_named_property_unchecked("toString")
}

/// An argument object; `undefined` is absent.
pub fn argument(tag_of: &TagOf<'_>, value: Unknown<'_>) -> Result<Option<Value>> {
    if value.get_type()? == ValueType::Undefined {
        return Ok(None);
    }
    to_value(tag_of, value, 0).map(Some)
}

pub fn to_value(tag_of: &TagOf<'_>, value: Unknown<'_>, depth: usize) -> Result<Value> {
    Ok(match value.get_type()? {
        ValueType::Null => Value::Null,
        ValueType::Boolean => Value::Bool(bool::from_unknown(value)?),
        ValueType::Number => Value::Float(f64::from_unknown(value)?),
        ValueType::String => {
            let text = String::from_unknown(value)?;
            // UTF-8 turns unpaired surrogates into U+FFFD: look again at those strings only.
            if text.contains('\u{FFFD}')
                && JsString::from_unknown(value)?
                    .into_utf16()?
                    .as_str()
                    .is_err()
            {
                return Ok(Value::Unpaired);
            }
            Value::Str(text)
        }
        ValueType::BigInt => match BigInt::from_unknown(value)? {
            n if n.get_i64().1 => Value::Int(n.get_i64().0),
            n => {
                let magnitude = n
                    .words
                    .iter()
                    .rev()
                    .fold(0.0, |acc, w| acc * 2f64.powi(64) + *w as f64);
                Value::WideInt(if n.sign_bit { -magnitude } else { magnitude })
            }
        },
        ValueType::Object => object(tag_of, Object::from_unknown(value)?, depth)?,
        ValueType::Undefined => Value::Other("undefined".into()),
        ValueType::Symbol => Value::Other("symbol".into()),
        ValueType::Function => Value::Other("function".into()),
        _ => Value::Other("object".into()),
    })
}

/// An array, a plain object (`{…}`, null-prototype, class instance, Proxy of one) or a `URL`
/// as data; any other object by its tag (`Date object`).
fn object(tag_of: &TagOf<'_>, object: Object<'_>, depth: usize) -> Result<Value> {
    if object.is_array()? {
        if depth >= MAX_DEPTH {
            return Ok(Value::Other("array".into()));
        }
        let items = (0..object.get_array_length()?)
            .map(|i| to_value(tag_of, object.get_element(i)?, depth + 1));
        return items.collect::<Result<_>>().map(Value::List);
    }
    let tag = tag_of.apply(object, ())?;
    let class = tag
        .strip_prefix("[object ")
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or("Object");
    Ok(match class {
        "Object" if depth >= MAX_DEPTH => Value::Other("object".into()),
        "Object" => Value::Map(entries(tag_of, &object, depth)?),
        "URL" => Value::Object {
            class: class.into(),
            attributes: vec![(
                "href".into(),
                to_value(
                    tag_of,
                    object.get_named_property_unchecked("href")?,
                    MAX_DEPTH,
                )?,
            )],
        },
        other => Value::Other(format!("{other} object")),
    })
}

/// Own enumerable string-keyed properties, as `Object.keys` lists them; `undefined` ones are
/// left out (absent).
fn entries(tag_of: &TagOf<'_>, object: &Object<'_>, depth: usize) -> Result<Vec<(String, Value)>> {
    let keys: Object = object.get_all_property_names(
        KeyCollectionMode::OwnOnly,
        KeyFilter::Enumerable,
        KeyConversion::NumbersToStrings,
    )?;
    let mut out = Vec::new();
    for i in 0..keys.get_array_length()? {
        let key: Unknown = keys.get_element(i)?;
        if key.get_type()? != ValueType::String {
            continue; // a Symbol key is no option
        }
        let value: Unknown = object.get_property_unchecked(key)?;
        if value.get_type()? != ValueType::Undefined {
            out.push((
                String::from_unknown(key)?,
                to_value(tag_of, value, depth + 1)?,
            ));
        }
    }
    Ok(out)
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
