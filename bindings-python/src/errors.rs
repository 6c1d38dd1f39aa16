//! Core errors to instances of the exception classes of `sms_otp._errors`, with every
//! attribute set and `__cause__` chained to the operating-system error where there is one.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;
use serde_json::Value;
use sms_otp::host::{error_details, Language};

use crate::response::to_python;

static ERRORS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    ERRORS_MODULE
        .get_or_try_init(py, || py.import("sms_otp._errors").map(Bound::unbind))
        .map(|m| m.bind(py))
}

/// Fills this module's process-wide once-cell now (see `lib.rs` `_warm_up`).
pub fn warm_up(py: Python<'_>) -> PyResult<()> {
    errors_module(py).map(|_| ())
}

/// The Python exception for a core error.
pub fn to_py(py: Python<'_>, error: sms_otp::Error) -> PyErr {
    build(py, &error).unwrap_or_else(|e| e)
}

fn build(py: Python<'_>, e: &sms_otp::Error) -> PyResult<PyErr> {
    let mut details = error_details(e, Language::Python);
    let mut text = |key: &str| match details.remove(key) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    };
    // `_errors` made one class per row of the core's error table, named as the row says.
    let class = errors_module(py)?.getattr(text("class_name").unwrap_or_default())?;
    let message = text("message").unwrap_or_default();
    let cause = text("cause_message").zip(text("cause_class"));
    let instance = class.call((message,), Some(&to_python(py, &details)?))?;
    let err = PyErr::from_value(instance);
    if let Some((message, class)) = cause {
        // The operating-system error behind a network error, as the builtin exception.
        let cause = py.import("builtins")?.getattr(class)?.call1((message,))?;
        err.set_cause(py, Some(PyErr::from_value(cause)));
    }
    Ok(err)
}

/// A panic inside the library (its `catch_unwind` payload), raised as the core's
/// `internal_error` (the base class `SmsOtpError`, `maybe_delivered` true) rather than an
/// abort.
pub fn panic(py: Python<'_>, payload: &(dyn std::any::Any + Send)) -> PyErr {
    to_py(py, sms_otp::Error::from_panic(payload))
}
