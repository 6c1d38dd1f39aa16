//! Python values to Rust values. Wrong Python types raise `TypeError` naming the argument;
//! strings that are not valid Unicode (lone surrogates) raise `ValidationError`. No rule
//! about Stytch lives here: values go to the core as given.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString};

use crate::errors;

/// Python's name of `value`'s type, for messages.
fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

fn wrong_type(field: &str, expected: &str, value: &Bound<'_, PyAny>) -> PyErr {
    PyTypeError::new_err(format!(
        "{field} must be {expected}, not {}",
        type_name(value)
    ))
}

/// A `str` argument (subclasses such as str-valued enums included).
pub fn required_str(value: &Bound<'_, PyAny>, field: &str) -> PyResult<String> {
    let text = value
        .cast::<PyString>()
        .map_err(|_| wrong_type(field, "a str", value))?;
    text.to_cow().map(|c| c.into_owned()).map_err(|_| {
        errors::validation(
            value.py(),
            field,
            "is not valid Unicode (it contains unpaired surrogates)",
        )
    })
}

/// An optional `str` argument: `None` means "not given".
pub fn optional_str(value: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => required_str(v, field).map(Some),
    }
}

/// An optional `int` (not `bool`). Values beyond i64 are clamped: the core rejects them
/// with its usual range message either way.
pub fn optional_int(value: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Option<i64>> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if v.is_instance_of::<PyBool>() || !v.is_instance_of::<PyInt>() {
        return Err(wrong_type(field, "an int", v));
    }
    match v.extract::<i64>() {
        Ok(n) => Ok(Some(n)),
        Err(_) => {
            let negative = v.lt(0).unwrap_or(false);
            Ok(Some(if negative { i64::MIN } else { i64::MAX }))
        }
    }
}

/// An optional number of seconds (`int` or `float`, not `bool`).
pub fn optional_seconds(value: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Option<f64>> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if v.is_instance_of::<PyBool>()
        || !(v.is_instance_of::<PyInt>() || v.is_instance_of::<PyFloat>())
    {
        return Err(wrong_type(field, "a number of seconds (int or float)", v));
    }
    // Ints too big for f64 become inf, which the core rejects with a clear message.
    Ok(Some(v.extract::<f64>().unwrap_or(f64::INFINITY)))
}

/// An optional `bool`.
pub fn optional_bool(value: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Option<bool>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => v
            .cast::<PyBool>()
            .map(|b| Some(b.is_true()))
            .map_err(|_| wrong_type(field, "a bool", v)),
    }
}

/// An optional list/tuple of `str` (a bare `str` is refused: it would iterate by character).
pub fn optional_str_list(
    value: Option<&Bound<'_, PyAny>>,
    field: &str,
) -> PyResult<Option<Vec<String>>> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if v.is_instance_of::<PyString>() || v.is_instance_of::<PyDict>() {
        return Err(wrong_type(field, "a list of str", v));
    }
    let iter = v
        .try_iter()
        .map_err(|_| wrong_type(field, "a list of str", v))?;
    let mut out = Vec::new();
    for (i, item) in iter.enumerate() {
        out.push(required_str(&item?, &format!("{field}[{i}]"))?);
    }
    Ok(Some(out))
}

/// An optional path (`str` or `os.PathLike`).
pub fn optional_path(
    value: Option<&Bound<'_, PyAny>>,
    field: &str,
) -> PyResult<Option<std::path::PathBuf>> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    v.extract::<std::path::PathBuf>()
        .map(Some)
        .map_err(|_| wrong_type(field, "a str or os.PathLike", v))
}

/// `attributes`: a dict with `ip_address` / `user_agent`, or an object with those attributes
/// (the official SDK's `Attributes` model).
pub fn optional_attributes(
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<sms_otp::Attributes>> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if let Ok(dict) = v.cast::<PyDict>() {
        for key in dict.keys() {
            let name = key.str().map(|s| s.to_string()).unwrap_or_default();
            if name != "ip_address" && name != "user_agent" {
                return Err(PyTypeError::new_err(format!(
                    "attributes got an unexpected key {name:?} (expected ip_address, user_agent)"
                )));
            }
        }
        return Ok(Some(sms_otp::Attributes {
            ip_address: optional_str(
                dict.get_item("ip_address")?.as_ref(),
                "attributes.ip_address",
            )?,
            user_agent: optional_str(
                dict.get_item("user_agent")?.as_ref(),
                "attributes.user_agent",
            )?,
        }));
    }
    let has = |name: &str| v.hasattr(name).unwrap_or(false);
    if !(has("ip_address") || has("user_agent")) {
        return Err(wrong_type(
            "attributes",
            "a dict with ip_address / user_agent",
            v,
        ));
    }
    let get = |name: &str| v.getattr(name).ok();
    Ok(Some(sms_otp::Attributes {
        ip_address: optional_str(get("ip_address").as_ref(), "attributes.ip_address")?,
        user_agent: optional_str(get("user_agent").as_ref(), "attributes.user_agent")?,
    }))
}

/// `locale`: a tag string, or an enum member whose `value` is the tag.
pub fn optional_locale(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<sms_otp::Locale>> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let tag = if v.is_instance_of::<PyString>() {
        required_str(v, "locale")?
    } else if let Ok(inner) = v.getattr("value") {
        required_str(&inner, "locale")?
    } else {
        return Err(wrong_type("locale", "a str", v));
    };
    tag.parse::<sms_otp::Locale>()
        .map(Some)
        .map_err(|e| errors::to_py(v.py(), e))
}
