//! Python values to the core's host values (`sms_otp::host::Value`): one generic conversion
//! that knows no argument. The core checks the types, reads the values and builds the typed
//! options and requests; a refusal comes back as `TypeError` or the core's error class.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use sms_otp::host::{self, Kind, Language, Refusal, Request, Take, Value, MAX_DEPTH};

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
        let infinite = if value.lt(0)? {
            -f64::INFINITY
        } else {
            f64::INFINITY
        };
        return Ok(match (value.extract::<i64>(), value.extract::<u64>()) {
            (Ok(n), _) => Value::Int(n),
            (_, Ok(n)) => Value::Uint(n),
            // The nearest float; infinite beyond f64.
            _ => Value::WideInt(value.extract().unwrap_or(infinite)),
        });
    }
    if let Ok(number) = value.cast::<PyFloat>() {
        return Ok(Value::Float(number.value()));
    }
    match value.cast::<PyDict>() {
        _ if depth >= MAX_DEPTH => object(value, depth),
        Ok(dict) => entries(dict, depth, false).map(Value::Map),
        _ if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() => {
            let items = value.try_iter()?.map(|v| to_value(&v?, depth + 1));
            items.collect::<PyResult<_>>().map(Value::List)
        }
        _ => object(value, depth),
    }
}

/// A dict's entries (with `public`, not those whose key starts with `_`). A key that is not
/// a str gets a name no field has.
fn entries(dict: &Bound<'_, PyDict>, depth: usize, public: bool) -> PyResult<Vec<(String, Value)>> {
    let mut out = Vec::with_capacity(dict.len());
    for (key, value) in dict.iter() {
        let key = match key
            .cast::<PyString>()
            .map(|k| k.to_cow().map(|k| k.into_owned()))
        {
            Ok(Ok(key)) if public && key.starts_with('_') => continue,
            Ok(Ok(key)) => key,
            _ => format!("<{} key>", type_name(&key)),
        };
        out.push((key, to_value(&value, depth + 1)?));
    }
    Ok(out)
}

/// An instance of another class: an enum member stands for its value; otherwise its class,
/// its public `vars()` and its `__fspath__` (an `os.PathLike`).
fn object(value: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if value.is_instance(&value.py().import("enum")?.getattr("Enum")?)? {
        return to_value(&value.getattr("value")?, depth);
    }
    let vars = value
        .getattr("__dict__")
        .ok()
        .and_then(|d| d.cast_into::<PyDict>().ok());
    let mut attributes = match vars {
        Some(vars) if depth < MAX_DEPTH => entries(&vars, depth, true)?,
        _ => Vec::new(),
    };
    if let Ok(path) = value.call_method0("__fspath__") {
        attributes.push(("__fspath__".to_owned(), to_value(&path, MAX_DEPTH)?));
    }
    let class = type_name(value);
    Ok(Value::Object { class, attributes })
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
    Ok((
        positional,
        kwargs
            .map(|k| entries(k, 0, false).map(Value::Map))
            .transpose()?,
    ))
}

/// The typed request of the call `name`, read by the core from its arguments.
pub fn read(
    name: &str,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Request> {
    let (positional, named) = arguments(args, kwargs)?;
    Request::read(Language::Python, name, positional, named).map_err(|r| refused(args.py(), r))
}

/// One argument outside the core's tables (`normalize_phone_number`, the emulator's
/// options), read by the core as `kind`.
fn one<T: Take>(value: Option<&Bound<'_, PyAny>>, field: &str, kind: Kind) -> PyResult<T> {
    let converted = value.map(|v| to_value(v, 1)).transpose()?;
    host::read_one(Language::Python, field, kind, converted)
        .map_err(|r| Python::attach(|py| refused(py, r)))
}

pub fn optional_str(value: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Option<String>> {
    one(value, field, Kind::Str)
}
