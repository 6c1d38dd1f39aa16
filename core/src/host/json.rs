//! Host values as JSON data, for the values a caller passes through whole: the caller's own
//! claims (`session_custom_claims`) and the emulator testing API's arguments. One walk; each
//! caller words its refusals in its own error type.

use serde_json::{Number, Value as Json};

use super::Value;

/// JavaScript numbers that are whole and below this (safe integers) are integers.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// Why a host value is no JSON data; `path` names where (`claims.plan[0]`).
#[derive(Debug)]
pub enum JsonRefusal {
    /// NaN or an infinity.
    NotFinite { path: String },
    /// Text that is not valid Unicode.
    Unpaired { path: String },
    /// A key of the map at `path` that is no text (a Python `int` key), of that type.
    KeyNotText { path: String, key_type: String },
    /// A container past the depth the bindings convert ([`super::MAX_DEPTH`]): a cycle, most
    /// likely.
    TooDeep { path: String },
    /// A value of a type JSON has no place for (`Value::Object` or `Value::Other`).
    NotData { path: String, value: Value },
}

/// `value`, named `path`, as JSON. With `prefix_root_keys` the keys of a map at the root are
/// named `path.key` (the root is a field); without, `key` (the root holds arguments). With
/// `whole_floats_are_integers` a whole float below 2^53 is an integer (JavaScript has one
/// number type).
pub fn to_json(
    value: Value,
    path: &str,
    prefix_root_keys: bool,
    whole_floats_are_integers: bool,
) -> Result<Json, JsonRefusal> {
    let walk = Walk {
        whole_floats_are_integers,
    };
    walk.value(value, path, prefix_root_keys)
}

struct Walk {
    whole_floats_are_integers: bool,
}

impl Walk {
    fn value(&self, value: Value, path: &str, prefix_keys: bool) -> Result<Json, JsonRefusal> {
        let path_owned = || path.to_owned();
        Ok(match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            Value::Int(n) => Json::from(n),
            Value::Uint(n) => Json::from(n),
            Value::Float(x)
                if self.whole_floats_are_integers && x.fract() == 0.0 && x.abs() < EXACT =>
            {
                Json::from(x as i64)
            }
            Value::WideInt(x) | Value::Float(x) => Number::from_f64(x)
                .map(Json::Number)
                .ok_or_else(|| JsonRefusal::NotFinite { path: path_owned() })?,
            Value::Str(text) => Json::String(text),
            Value::Unpaired => return Err(JsonRefusal::Unpaired { path: path_owned() }),
            Value::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    out.push(self.value(item, &format!("{path}[{i}]"), true)?);
                }
                Json::Array(out)
            }
            Value::Map(entries) => {
                let mut out = serde_json::Map::with_capacity(entries.len());
                for (key, item) in entries {
                    // A binding names a key that is no text `<int key>` (see its conversion).
                    if let Some(key_type) =
                        key.strip_prefix('<').and_then(|k| k.strip_suffix(" key>"))
                    {
                        let key_type = key_type.to_owned();
                        return Err(JsonRefusal::KeyNotText {
                            path: path_owned(),
                            key_type,
                        });
                    }
                    let name = if prefix_keys {
                        format!("{path}.{key}")
                    } else {
                        key.clone()
                    };
                    out.insert(key, self.value(item, &name, true)?);
                }
                Json::Object(out)
            }
            Value::Object { class, .. } if ["dict", "list", "tuple"].contains(&class.as_str()) => {
                return Err(JsonRefusal::TooDeep { path: path_owned() })
            }
            Value::Other(name) if name == "object" || name == "array" => {
                return Err(JsonRefusal::TooDeep { path: path_owned() })
            }
            value @ (Value::Object { .. } | Value::Other(_)) => {
                return Err(JsonRefusal::NotData {
                    path: path_owned(),
                    value,
                })
            }
        })
    }
}
