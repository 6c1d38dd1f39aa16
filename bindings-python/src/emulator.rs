//! `_native.NativeEmulator`: the emulator running in-process on this process's runtime, for
//! `sms_otp.testing.Emulator`. Every rule is in `sms_otp_emulator::testing`; this file turns
//! Python data into host values (args.rs) and its errors into `EmulatorError` / `TypeError`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use serde_json::Value;
use sms_otp::host::runtime::runtime;
use sms_otp_emulator::testing::{
    json_from_host, EmulatorError, ErrorKind, Language, TestEmulator, METHODS, POSITIONAL,
};

use crate::{args::to_value, errors};

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

/// Python data as JSON for `method` (`field` names it in messages): the one conversion of
/// host values (args.rs), then the testing API's own checks.
fn to_json(method: &str, value: &Bound<'_, PyAny>, field: &str) -> PyResult<Value> {
    let host = to_value(value, 0)?;
    json_from_host(Language::Python, method, field, Some(host)).map_err(|e| raise(value.py(), e))
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

    /// The arguments each method also takes by position.
    #[classattr]
    #[allow(non_snake_case)]
    fn POSITIONAL() -> Vec<(&'static str, Vec<&'static str>)> {
        POSITIONAL.iter().map(|(m, a)| (*m, a.to_vec())).collect()
    }

    #[new]
    fn new(py: Python<'_>, options: &Bound<'_, PyAny>) -> PyResult<Self> {
        let options = to_json("start", options, "options")?;
        let handle = runtime()
            .map_err(|e| errors::to_py(py, e))?
            .handle()
            .clone();
        let inner =
            TestEmulator::start(&handle, Language::Python, &options).map_err(|e| raise(py, e))?;
        Ok(NativeEmulator {
            url: inner.url().into(),
            project_id: inner.project_id().into(),
            secret: inner.secret().into(),
            inner,
        })
    }

    /// One of `METHODS` with its arguments (a dict); the result as JSON text. Waits with the
    /// GIL released.
    fn call(&self, py: Python<'_>, method: &str, args: &Bound<'_, PyAny>) -> PyResult<String> {
        let pending = self.inner.call(method, &to_json(method, args, method)?);
        let rt = runtime().map_err(|e| errors::to_py(py, e))?;
        py.detach(|| rt.block_on(pending)).map_err(|e| raise(py, e))
    }
}
