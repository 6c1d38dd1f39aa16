//! `_native.NativeEmulator`: the emulator running in-process on this process's runtime, for
//! `sms_otp.testing.Emulator`. Every rule is in `sms_otp_emulator::testing`; this file turns
//! Python data into JSON and its errors into `EmulatorError` / `TypeError`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Value};
use sms_otp_emulator::testing::{EmulatorError, ErrorKind, Language, TestEmulator, METHODS};

use crate::runtime::runtime;

const UNPAIRED: &str = "is not valid Unicode (it contains unpaired surrogates)";

fn raise(py: Python<'_>, e: EmulatorError) -> PyErr {
    if e.kind == ErrorKind::Type {
        return PyTypeError::new_err(e.message);
    }
    let args = (e.message, e.kind.as_str(), e.field, e.status, e.error_type);
    let error = py
        .import("sms_otp.testing")
        .and_then(|m| m.getattr("EmulatorError")?.call1(args));
    error.map_or_else(|err| err, PyErr::from_value)
}

/// Python data (`None`, `bool`, `int`, `float`, `str`, `list`, `tuple`, `dict`) as JSON for
/// `method`. Ints beyond 64 bits become floats (out of range wherever an integer goes).
fn to_json(method: &str, value: &Bound<'_, PyAny>, field: &str, depth: u8) -> PyResult<Value> {
    let bad = |reason| raise(value.py(), EmulatorError::bad_value(method, field, reason));
    if value.is_none() {
        Ok(Value::Null)
    } else if let Ok(b) = value.cast::<PyBool>() {
        Ok(Value::Bool(b.is_true()))
    } else if value.is_instance_of::<PyInt>() {
        let n = value.extract::<i64>().map(Value::from);
        let n = n.or_else(|_| value.extract::<u64>().map(Value::from));
        Ok(n.unwrap_or_else(|_| value.extract::<f64>().unwrap_or(f64::MAX).into()))
    } else if let Ok(f) = value.cast::<PyFloat>() {
        let number = serde_json::Number::from_f64(f.value()).map(Value::Number);
        number.ok_or_else(|| bad("must be a finite number"))
    } else if let Ok(s) = value.cast::<PyString>() {
        let text = s.to_cow().map_err(|_| bad(UNPAIRED))?;
        Ok(Value::String(text.into_owned()))
    } else if let (Ok(d), true) = (value.cast::<PyDict>(), depth < 32) {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let Value::String(key) = to_json(method, &k, field, depth + 1)? else {
                return Err(PyTypeError::new_err(format!("{field} keys must be str")));
            };
            let name = if depth == 0 {
                key.clone()
            } else {
                format!("{field}.{key}")
            };
            map.insert(key, to_json(method, &v, &name, depth + 1)?);
        }
        Ok(Value::Object(map))
    } else if (value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>()) && depth < 32
    {
        let items = value.try_iter()?.enumerate();
        let items =
            items.map(|(i, item)| to_json(method, &item?, &format!("{field}[{i}]"), depth + 1));
        items.collect::<PyResult<_>>().map(Value::Array)
    } else {
        let type_name = match value.get_type().name() {
            _ if depth >= 32 => "nested 32 deep (a cycle?)".to_owned(),
            Ok(name) => name.to_string(),
            Err(_) => "object".to_owned(),
        };
        Err(raise(
            value.py(),
            EmulatorError::not_data(field, &type_name),
        ))
    }
}

#[derive(Debug)]
#[pyclass(frozen, module = "sms_otp._native")]
pub struct NativeEmulator {
    inner: TestEmulator,
    #[pyo3(get)]
    url: String,
    #[pyo3(get)]
    project_id: String,
    #[pyo3(get)]
    secret: String,
}

#[pymethods]
impl NativeEmulator {
    /// The methods of `call`.
    #[classattr]
    const METHODS: &'static [&'static str] = METHODS;

    #[new]
    fn new(py: Python<'_>, options: &Bound<'_, PyAny>) -> PyResult<Self> {
        let options = to_json("start", options, "options", 0)?;
        let handle = runtime()?.handle().clone();
        let inner =
            TestEmulator::start(&handle, Language::Python, &options).map_err(|e| raise(py, e))?;
        let (url, project_id, secret) = (
            inner.url().into(),
            inner.project_id().into(),
            inner.secret().into(),
        );
        Ok(NativeEmulator {
            inner,
            url,
            project_id,
            secret,
        })
    }

    /// One of `METHODS` with its arguments (a dict); the result as JSON text. Waits with the
    /// GIL released.
    fn call(&self, py: Python<'_>, method: &str, args: &Bound<'_, PyAny>) -> PyResult<String> {
        let pending = self.inner.call(method, &to_json(method, args, method, 0)?);
        let rt = runtime()?;
        py.detach(|| rt.block_on(pending)).map_err(|e| raise(py, e))
    }
}
