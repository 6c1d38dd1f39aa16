//! The testing API's arguments from a binding's host values (`sms_otp::host::Value`: what the
//! Python or Node binding made of its language's arguments, with the one generic conversion
//! the client's calls use too), as the JSON data [`crate::testing::TestEmulator`] reads.
//! Refuses what JSON cannot carry, naming the argument.

use serde_json::Value;
use sms_otp::host::Value as Host;

use crate::testing::{EmulatorError, ErrorKind, Language};

const UNPAIRED: &str = "is not valid Unicode (it contains unpaired surrogates)";
/// JavaScript numbers that are whole and this small are integers.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// `value` (an argument of `method`, or its options at `depth` 0) as JSON; `field` names it
/// in messages (`inject_fault options`, `phone_number`, `times`).
pub fn json_from_host(
    language: Language,
    method: &str,
    field: &str,
    value: Option<Host>,
) -> Result<Value, EmulatorError> {
    value.map_or(Ok(Value::Null), |v| convert(language, method, field, v, 0))
}

fn convert(
    language: Language,
    method: &str,
    field: &str,
    value: Host,
    depth: usize,
) -> Result<Value, EmulatorError> {
    let bad = |reason: &str| EmulatorError::bad_value(method, field, reason);
    Ok(match value {
        Host::Null => Value::Null,
        Host::Bool(b) => Value::Bool(b),
        Host::Int(n) => Value::from(n),
        Host::Uint(n) => Value::from(n),
        // JavaScript has one number type: its whole numbers are integers here.
        Host::Float(x) if language == Language::Node && x.fract() == 0.0 && x.abs() <= EXACT => {
            Value::from(x as i64)
        }
        Host::WideInt(x) | Host::Float(x) => serde_json::Number::from_f64(x)
            .map(Value::Number)
            .ok_or_else(|| bad("must be a finite number"))?,
        Host::Str(text) => Value::String(text),
        Host::Unpaired => return Err(bad(UNPAIRED)),
        Host::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                out.push(convert(
                    language,
                    method,
                    &format!("{field}[{i}]"),
                    item,
                    depth + 1,
                )?);
            }
            Value::Array(out)
        }
        Host::Map(entries) => {
            let mut out = serde_json::Map::with_capacity(entries.len());
            for (key, item) in entries {
                // A binding names a key that is no text `<int key>`.
                if key.starts_with('<') && key.ends_with(" key>") {
                    let message = format!("{field} keys must be str");
                    return Err(EmulatorError::new(ErrorKind::Type, message, Some(field)));
                }
                let name = if depth == 0 {
                    key.clone()
                } else {
                    format!("{field}.{key}")
                };
                out.insert(
                    key.clone(),
                    convert(language, method, &name, item, depth + 1)?,
                );
            }
            Value::Object(out)
        }
        // A container past the depth the bindings convert (`sms_otp::host::MAX_DEPTH`): a
        // cycle, most likely.
        Host::Object { class, .. } if ["dict", "list", "tuple"].contains(&class.as_str()) => {
            return Err(EmulatorError::not_data(field, "nested too deep (a cycle?)"))
        }
        Host::Other(name) if name == "object" || name == "array" => {
            return Err(EmulatorError::not_data(field, "nested too deep (a cycle?)"))
        }
        Host::Object { class, .. } | Host::Other(class) => {
            return Err(EmulatorError::not_data(field, &class))
        }
    })
}
