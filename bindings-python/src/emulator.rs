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
    let class = py
        .import("sms_otp.testing")
        .and_then(|m| m.getattr("EmulatorError"));
    let kw = PyDict::new(py);
    let made = kw.set_item("kind", e.kind.as_str()).and_then(|()| {
        kw.set_item("field", e.field)?;
        kw.set_item("status", e.status)?;
        kw.set_item("error_type", e.error_type)?;
        class?.call((e.message,), Some(&kw))
    });
    made.map_or_else(|err| err, PyErr::from_value)
}

/// Python data (`None`, `bool`, `int`, `float`, `str`, `list`, `tuple`, `dict`) as JSON for
/// `method`. Ints beyond 64 bits become floats (out of range there).
fn to_json(method: &str, value: &Bound<'_, PyAny>, field: &str, depth: u8) -> PyResult<Value> {
    let bad = |reason| raise(value.py(), EmulatorError::bad_value(method, field, reason));
    if value.is_none() {
        Ok(Value::Null)
    } else if let Ok(b) = value.cast::<PyBool>() {
        Ok(Value::Bool(b.is_true()))
    } else if value.is_instance_of::<PyInt>() {
        if let Ok(n) = value.extract::<i64>() {
            return Ok(n.into());
        }
        if let Ok(n) = value.extract::<u64>() {
            return Ok(n.into());
        }
        let huge = if value.gt(0)? { f64::MAX } else { f64::MIN };
        Ok(value.extract::<f64>().unwrap_or(huge).into())
    } else if let Ok(f) = value.cast::<PyFloat>() {
        let number = serde_json::Number::from_f64(f.value());
        number
            .map(Value::Number)
            .ok_or_else(|| bad("must be a finite number"))
    } else if let Ok(s) = value.cast::<PyString>() {
        let text = s.to_cow().map_err(|_| bad(UNPAIRED))?;
        Ok(Value::String(text.into_owned()))
    } else if let (Ok(d), true) = (value.cast::<PyDict>(), depth < 32) {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key = k
                .cast::<PyString>()
                .map_err(|_| PyTypeError::new_err(format!("{field} keys must be str")))?;
            let key = key.to_cow().map_err(|_| bad(UNPAIRED))?.into_owned();
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
        let items = value
            .try_iter()?
            .enumerate()
            .map(|(i, item)| to_json(method, &item?, &format!("{field}[{i}]"), depth + 1));
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
pub struct NativeEmulator(TestEmulator);

#[pymethods]
impl NativeEmulator {
    /// The methods of `call`.
    #[classattr]
    const METHODS: &'static [&'static str] = METHODS;

    #[new]
    fn new(py: Python<'_>, options: &Bound<'_, PyAny>) -> PyResult<Self> {
        let options = to_json("start", options, "options", 0)?;
        let handle = runtime()?.handle().clone();
        let started = TestEmulator::start(&handle, Language::Python, &options);
        started.map(NativeEmulator).map_err(|e| raise(py, e))
    }

    #[getter]
    fn url(&self) -> &str {
        self.0.url()
    }

    #[getter]
    fn project_id(&self) -> &str {
        self.0.project_id()
    }

    #[getter]
    fn secret(&self) -> &str {
        self.0.secret()
    }

    /// One of `METHODS` with its arguments (a dict); the result as JSON text. Waits with the
    /// GIL released.
    fn call(&self, py: Python<'_>, method: &str, args: &Bound<'_, PyAny>) -> PyResult<String> {
        let pending = self.0.call(method, &to_json(method, args, method, 0)?);
        let rt = runtime()?;
        let result = py.detach(|| rt.block_on(pending));
        result.map_err(|e| raise(py, e))
    }

    fn __repr__(&self) -> String {
        format!(
            "NativeEmulator(url={:?}, project_id={:?})",
            self.0.url(),
            self.0.project_id()
        )
    }
}
