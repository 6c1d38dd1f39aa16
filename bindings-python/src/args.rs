//! Python values to the core's host values (`sms_otp::host::Value`): one generic conversion
//! that knows no argument. The core checks the types, reads the values and builds the typed
//! options and requests; a refusal comes back as `TypeError` or the core's error class.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use sms_otp::host::{self, FromHost, Language, Refusal, Value, MAX_DEPTH};

use crate::errors;

/// `value` as plain data; containers deeper than the core's tables are only named.
pub fn to_value(value: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if let Ok(text) = value.cast::<PyString>() {
        // Lone surrogates cannot become UTF-8.
        return Ok(text
            .to_cow()
            .map_or(Value::Unpaired, |t| Value::Str(t.into_owned())));
    }
    if value.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(flag) = value.cast::<PyBool>() {
        return Ok(Value::Bool(flag.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        return Ok(match value.extract::<i64>() {
            Ok(n) => Value::Int(n),
            // Beyond i64: the nearest float, infinite beyond f64.
            Err(_) => Value::WideInt(value.extract::<f64>().unwrap_or(if value.lt(0)? {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            })),
        });
    }
    if let Ok(number) = value.cast::<PyFloat>() {
        return Ok(Value::Float(number.value()));
    }
    if depth < MAX_DEPTH {
        if let Ok(list) = value.cast::<PyList>() {
            return list
                .iter()
                .map(|v| to_value(&v, depth + 1))
                .collect::<PyResult<_>>()
                .map(Value::List);
        }
        if let Ok(tuple) = value.cast::<PyTuple>() {
            return tuple
                .iter()
                .map(|v| to_value(&v, depth + 1))
                .collect::<PyResult<_>>()
                .map(Value::List);
        }
        if let Ok(dict) = value.cast::<PyDict>() {
            return entries(dict, depth, false).map(Value::Map);
        }
    }
    object(value, depth)
}

/// A dict's entries (with `public`, only keys not starting with `_`). A key that is not a
/// str gets a name no field has.
fn entries(dict: &Bound<'_, PyDict>, depth: usize, public: bool) -> PyResult<Vec<(String, Value)>> {
    let mut out = Vec::with_capacity(dict.len());
    for (key, value) in dict.iter() {
        let key = match key
            .cast::<PyString>()
            .map(|k| k.to_cow().map(|k| k.into_owned()))
        {
            Ok(Ok(key)) if !(public && key.starts_with('_')) => key,
            Ok(Ok(_)) => continue,
            _ => format!("<{} key>", type_name(&key)),
        };
        out.push((key, to_value(&value, depth + 1)?));
    }
    Ok(out)
}

/// An instance of another class: an enum member stands for its value; otherwise its class
/// name, its public `vars()` and its `__fspath__` (an `os.PathLike`).
fn object(value: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    let py = value.py();
    if value.is_instance(&py.import("enum")?.getattr("Enum")?)? {
        return to_value(&value.getattr("value")?, depth);
    }
    let mut attributes = Vec::new();
    if depth < MAX_DEPTH {
        if let Some(vars) = value
            .getattr("__dict__")
            .ok()
            .and_then(|d| d.cast_into::<PyDict>().ok())
        {
            attributes = entries(&vars, depth, true)?;
        }
    }
    if value.hasattr("__fspath__").unwrap_or(false) {
        if let Ok(path) = value.call_method0("__fspath__") {
            attributes.push(("__fspath__".to_owned(), to_value(&path, MAX_DEPTH)?));
        }
    }
    Ok(Value::Object {
        class: type_name(value),
        attributes,
    })
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |n| n.to_string())
}

/// The core's refusal as a Python exception.
pub fn refused(py: Python<'_>, refusal: Refusal) -> PyErr {
    match refusal {
        Refusal::WrongType(message) => PyTypeError::new_err(message),
        Refusal::Invalid(error) => errors::to_py(py, error),
    }
}

/// A call's positional and keyword arguments as host values.
pub fn arguments(
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<(Vec<Value>, Option<Value>)> {
    let positional = args
        .iter()
        .map(|v| to_value(&v, 1))
        .collect::<PyResult<_>>()?;
    let named = kwargs
        .map(|k| entries(k, 0, false).map(Value::Map))
        .transpose()?;
    Ok((positional, named))
}

/// The typed request of a call, read by the core from its arguments.
pub fn read<T: FromHost>(
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<T> {
    let (positional, named) = arguments(args, kwargs)?;
    host::request(Language::Python, positional, named).map_err(|r| refused(args.py(), r))
}

/// One argument outside the core's tables (`normalize_phone_number`, the emulator's
/// options): `None` is absent, text that is not Unicode a `ValidationError`, another type
/// a `TypeError` saying `expected`.
fn one<T>(
    value: Option<&Bound<'_, PyAny>>,
    field: &str,
    expected: &str,
    read: impl FnOnce(Value) -> Result<T, Value>,
) -> PyResult<Option<T>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    match read(to_value(value, 1)?) {
        Ok(v) => Ok(Some(v)),
        Err(Value::Unpaired) => Err(errors::validation(
            value.py(),
            field,
            "is not valid Unicode (it contains unpaired surrogates)",
        )),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{field} must be {expected}, not {}",
            type_name(value)
        ))),
    }
}

pub fn optional_str(value: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Option<String>> {
    one(value, field, "a str", |v| match v {
        Value::Str(text) => Ok(text),
        other => Err(other),
    })
}

/// An `int` (not `bool`); beyond i64 it saturates, for the range check to refuse.
pub fn optional_int(value: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Option<i64>> {
    one(value, field, "an int", |v| match v {
        Value::Int(n) => Ok(n),
        Value::WideInt(x) => Ok(x as i64),
        other => Err(other),
    })
}

pub fn optional_str_list(
    value: Option<&Bound<'_, PyAny>>,
    field: &str,
) -> PyResult<Option<Vec<String>>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if !(value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>()) {
        let got = type_name(value);
        return Err(PyTypeError::new_err(format!(
            "{field} must be a list of str, not {got}"
        )));
    }
    let mut out = Vec::new();
    for (i, item) in value.try_iter()?.enumerate() {
        let (item, field) = (item?, format!("{field}[{i}]"));
        match optional_str(Some(&item), &field)? {
            Some(text) => out.push(text),
            None => {
                return Err(PyTypeError::new_err(format!(
                    "{field} must be a str, not NoneType"
                )))
            }
        }
    }
    Ok(Some(out))
}
