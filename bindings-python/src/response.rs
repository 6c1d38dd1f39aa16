//! `_native.SendResponse`: the four documented fields as attributes, `raw` as a dict built
//! from the body's text on first access (most callers never read it).

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::type_object::PyTypeCheck;
use pyo3::types::{PyBool, PyDict, PyFloat, PyList, PyString};
use sms_otp::host::{to_host, JsonBuilder, KnownKeys};

#[pyclass(frozen, module = "sms_otp._native", name = "SendResponse")]
pub struct SendResponse {
    #[pyo3(get)]
    request_id: String,
    #[pyo3(get)]
    user_id: String,
    #[pyo3(get)]
    phone_id: String,
    #[pyo3(get)]
    status_code: u16,
    /// The whole body: a JSON object.
    body: String,
    raw: PyOnceLock<Py<PyDict>>,
}

impl std::fmt::Debug for SendResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.__repr__())
    }
}

impl From<sms_otp::host::Sent> for SendResponse {
    fn from(r: sms_otp::host::Sent) -> Self {
        SendResponse {
            request_id: r.request_id,
            user_id: r.user_id,
            phone_id: r.phone_id,
            status_code: r.status_code,
            body: r.text,
            raw: PyOnceLock::new(),
        }
    }
}

/// A call's reply: a send's `SendResponse`, a login call's whole body as a dict (which
/// `sms_otp._responses` wraps in its response class), made straight from the body's text.
pub fn reply_to_python(py: Python<'_>, reply: sms_otp::host::Reply) -> PyResult<Py<PyAny>> {
    Ok(match reply {
        sms_otp::host::Reply::Send(r) => Py::new(py, SendResponse::from(r))?.into_any(),
        sms_otp::host::Reply::Body(text) => {
            to_python::<PyAny>(py, &mut serde_json::Deserializer::from_str(&text))?.unbind()
        }
    })
}

/// JSON, as text or a parsed value, as Python objects (dict, list, str, int, float, bool,
/// None), the outermost of type `T`.
pub fn to_python<'py, 'de, T: PyTypeCheck>(
    py: Python<'py>,
    json: impl serde::Deserializer<'de, Error = serde_json::Error>,
) -> PyResult<Bound<'py, T>> {
    let made = to_host(&Objects(py), json);
    Ok(made
        .map_err(|e| PyRuntimeError::new_err(format!("unreadable JSON: {e}")))?
        .cast_into()?)
}

/// The answers' keys as interned strings, made at import (`warm_up`): never half-made in a fork.
static KEYS: PyOnceLock<KnownKeys<Py<PyString>>> = PyOnceLock::new();

pub fn warm_up(py: Python<'_>) {
    KEYS.get_or_init(py, || KnownKeys::new(|k| PyString::intern(py, k).unbind()));
}

/// How the core's JSON walk makes Python objects.
struct Objects<'py>(Python<'py>);

impl<'py> JsonBuilder for Objects<'py> {
    type Node = Bound<'py, PyAny>;
    type Error = PyErr;
    fn null(&self) -> PyResult<Self::Node> {
        Ok(self.0.None().into_bound(self.0))
    }
    fn bool(&self, value: bool) -> PyResult<Self::Node> {
        Ok(PyBool::new(self.0, value).to_owned().into_any())
    }
    fn int(&self, value: i128) -> PyResult<Self::Node> {
        Ok(value.into_pyobject(self.0)?.into_any())
    }
    fn float(&self, value: f64) -> PyResult<Self::Node> {
        Ok(PyFloat::new(self.0, value).into_any())
    }
    fn text(&self, value: &str) -> PyResult<Self::Node> {
        Ok(PyString::new(self.0, value).into_any())
    }
    fn key(&self, name: &str) -> PyResult<Self::Node> {
        match KEYS.get(self.0).and_then(|keys| keys.get(name)) {
            Some(k) => Ok(k.bind(self.0).clone().into_any()),
            None => self.text(name),
        }
    }
    fn list(&self, items: Vec<Self::Node>) -> PyResult<Self::Node> {
        Ok(PyList::new(self.0, items)?.into_any())
    }
    fn map(&self) -> PyResult<Self::Node> {
        Ok(PyDict::new(self.0).into_any())
    }
    fn insert(&self, map: &Self::Node, key: Self::Node, value: Self::Node) -> PyResult<()> {
        map.cast::<PyDict>()?.set_item(key, value)
    }
}

#[pymethods]
impl SendResponse {
    /// The whole JSON body, unknown fields included. A fresh copy each call would hide
    /// mutations; the same dict is returned every time.
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.raw
            .get_or_try_init(py, || self.to_dict(py).map(Bound::unbind))
            .map(|d| d.bind(py).clone())
    }

    /// The whole body as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        to_python(py, &mut serde_json::Deserializer::from_str(&self.body))
    }

    fn __repr__(&self) -> String {
        format!(
            "SendResponse(request_id={:?}, user_id={:?}, phone_id={:?}, status_code={})",
            self.request_id, self.user_id, self.phone_id, self.status_code
        )
    }

    /// Equal bodies as JSON values (key order and number spelling aside).
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        let value = |text: &str| serde_json::from_str::<serde_json::Value>(text).ok();
        other
            .cast::<SendResponse>()
            .is_ok_and(|o| value(&o.get().body) == value(&self.body))
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let rebuild = py
            .import("sms_otp._native")?
            .getattr("response_from_json")?;
        Ok((rebuild, (self.body.clone(),)))
    }
}

/// Rebuilds a response from its JSON body (unpickling).
#[pyfunction]
pub fn response_from_json(text: String) -> PyResult<SendResponse> {
    sms_otp::host::Sent::from_text(text)
        .map(SendResponse::from)
        .map_err(pyo3::exceptions::PyValueError::new_err)
}
