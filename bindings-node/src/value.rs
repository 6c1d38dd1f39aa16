//! The text form of host values that `lib/host.js` makes from JS values, as the core's host
//! values (`sms_otp::host::Value`); the core then checks the types and reads the values.

use napi::{Env, Result, Status};
use serde_json::Value as Json;
use sms_otp::host::{Refusal, Value};

use crate::errors::ErrorPayload;

/// An argument object (`None`: `undefined`).
pub fn parse(text: Option<String>) -> Result<Option<Value>> {
    let parse = |text: String| serde_json::from_str(&text).map(decode);
    let bad = |e: serde_json::Error| napi::Error::from_reason(format!("not host value text: {e}"));
    text.map(parse).transpose().map_err(bad)
}

fn decode(json: Json) -> Value {
    let text = |v: Option<Json>| {
        v.and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    let Json::Array(items) = json else {
        return match json {
            Json::Bool(b) => Value::Bool(b),
            // JavaScript has one number type: the core decides what is whole.
            Json::Number(n) => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            Json::String(s) => Value::Str(s),
            _ => Value::Null,
        };
    };
    let mut items = items.into_iter();
    match items.next().as_ref().and_then(Json::as_str) {
        Some("L") => Value::List(items.map(decode).collect()),
        Some("M") => {
            let mut entries = Vec::with_capacity(items.len() / 2);
            while let (Some(key), Some(value)) = (items.next(), items.next()) {
                entries.push((text(Some(key)), decode(value)));
            }
            Value::Map(entries)
        }
        Some("B") => {
            let digits = text(items.next());
            let wide = || Value::WideInt(digits.parse().unwrap_or(f64::NAN));
            digits.parse().map_or_else(|_| wide(), Value::Int)
        }
        Some("N") => Value::Float(text(items.next()).parse().unwrap_or(f64::NAN)),
        Some("S") => Value::Unpaired,
        Some("U") => Value::Object {
            class: "URL".into(),
            attributes: vec![("href".into(), items.next().map_or(Value::Null, decode))],
        },
        _ => Value::Other(text(items.next())),
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
