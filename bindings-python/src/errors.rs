//! Core errors to instances of the exception classes of `sms_otp._errors`, with every
//! attribute set and `__cause__` chained to the operating-system error where there is one.

use std::io::ErrorKind as IoKind;

use pyo3::exceptions::{
    PyConnectionAbortedError, PyConnectionRefusedError, PyConnectionResetError, PyOSError,
    PyRuntimeError, PyTimeoutError,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};

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
    // `_errors` made one class per row of the core's error table, named as the row says.
    let class = errors_module(py)?.getattr(e.kind().class().class_name)?;
    let kw = PyDict::new(py);
    kw.set_item("code", e.code())?;
    kw.set_item("maybe_delivered", e.maybe_delivered())?;
    kw.set_item("field", e.field())?;
    kw.set_item("reason", e.reason())?;
    kw.set_item("status_code", e.status_code())?;
    kw.set_item("request_id", e.request_id())?;
    kw.set_item("error_type", e.error_type())?;
    kw.set_item("error_message", e.error_message())?;
    kw.set_item("error_url", e.error_url())?;
    kw.set_item("retry_after", e.retry_after().map(|d| d.as_secs_f64()))?;
    kw.set_item("body", e.body())?;
    kw.set_item("phase", e.phase().map(|p| p.as_str()))?;
    kw.set_item("after_send", e.after_send())?;
    kw.set_item("attempts", e.attempts())?;
    let instance = class.call((e.message(),), Some(&kw))?;
    let err = PyErr::from_value(instance);
    if let Some(cause) = cause(e) {
        err.set_cause(py, Some(cause));
    }
    Ok(err)
}

/// The operating-system error behind a network error, as the matching builtin exception.
fn cause(e: &sms_otp::Error) -> Option<PyErr> {
    let message = e.root_cause()?;
    Some(match e.io_error_kind() {
        Some(IoKind::ConnectionRefused) => PyConnectionRefusedError::new_err(message),
        Some(IoKind::ConnectionReset) => PyConnectionResetError::new_err(message),
        Some(IoKind::ConnectionAborted | IoKind::BrokenPipe | IoKind::UnexpectedEof) => {
            PyConnectionAbortedError::new_err(message)
        }
        Some(IoKind::TimedOut) => PyTimeoutError::new_err(message),
        Some(_) => PyOSError::new_err(message),
        None if e.kind() == sms_otp::ErrorKind::Timeout => PyTimeoutError::new_err(message),
        None => PyRuntimeError::new_err(message),
    })
}

/// A panic inside the library (its `catch_unwind` payload), raised as the core's
/// `internal_error` (the base class `SmsOtpError`, `maybe_delivered` true) rather than an
/// abort.
pub fn panic(py: Python<'_>, payload: &(dyn std::any::Any + Send)) -> PyErr {
    to_py(py, sms_otp::Error::from_panic(payload))
}
