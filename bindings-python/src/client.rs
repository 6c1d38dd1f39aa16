//! `_native.NativeClient`: the Python-facing client. The pure-Python `sms_otp.Client` wraps
//! it to offer `client.otps.sms.send(...)`, handing over its arguments whole: the core reads
//! them (`sms_otp::host`).

use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use sms_otp::host::runtime::{self, blocking_runtime};
use sms_otp::host::{ClientOptions, Language, PerProcess, Reply, Request};

use crate::{args, errors, future::spawn_for_asyncio, response::reply_to_python};

#[derive(Debug)]
#[pyclass(frozen, module = "sms_otp._native")]
pub struct NativeClient {
    clients: PerProcess,
}

/// Runs a call to completion on the blocking runtime, driven by this thread with the GIL
/// released, waking every 100 ms to let Ctrl-C (KeyboardInterrupt) through; an interrupt
/// drops the future, which cancels the request. A panic inside surfaces as `SmsOtpError`.
pub fn wait_blocking<F>(py: Python<'_>, work: F) -> PyResult<Py<PyAny>>
where
    F: std::future::Future<Output = Result<Reply, sms_otp::Error>> + Send,
{
    let rt = blocking_runtime().map_err(|e| errors::to_py(py, e))?;
    let outcome = py.detach(|| {
        let waited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async move {
                runtime::let_connection_tasks_run_unless_just_driven().await;
                tokio::pin!(work);
                loop {
                    tokio::select! {
                        result = &mut work => return Some(result),
                        () = tokio::time::sleep(Duration::from_millis(100)) => {
                            let interrupted = Python::try_attach(|py| py.check_signals().is_err())
                                .unwrap_or(true);
                            if interrupted {
                                return None;
                            }
                        }
                    }
                }
            })
        }));
        if !matches!(waited, Ok(Some(Ok(_)))) {
            // A failed or abandoned send: let its connection task close the connection now,
            // not at the next blocking send (a server may still process an open request).
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                rt.block_on(runtime::let_connection_tasks_run());
            }));
        }
        waited
    });
    match outcome {
        Err(payload) => Err(errors::panic(py, payload.as_ref())),
        Ok(Some(Ok(reply))) => reply_to_python(py, reply),
        Ok(Some(Err(e))) => Err(errors::to_py(py, e)),
        // Re-raise the pending signal's exception (KeyboardInterrupt) with the GIL held.
        Ok(None) => Err(py
            .check_signals()
            .err()
            .unwrap_or_else(|| pyo3::exceptions::PyKeyboardInterrupt::new_err("interrupted"))),
    }
}

#[pymethods]
impl NativeClient {
    /// `Client(*args, **kwargs)`, or with `from_env` `Client.from_env(**kwargs)`.
    #[new]
    #[pyo3(signature = (args, kwargs=None, from_env=false))]
    fn new(
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
        from_env: bool,
    ) -> PyResult<Self> {
        let (positional, named) = args::arguments(args, kwargs)?;
        let v = py.version_info();
        let version = format!("{}.{}.{}", v.major, v.minor, v.patch);
        let options =
            ClientOptions::from_host(Language::Python, &version, positional, named, from_env)
                .map_err(|r| args::refused(py, r))?;
        let clients = PerProcess::new(options).map_err(|e| errors::to_py(py, e))?;
        Ok(NativeClient { clients })
    }

    #[getter]
    fn project_id(&self) -> String {
        self.clients.latest().project_id().to_owned()
    }

    #[getter]
    fn environment(&self) -> &'static str {
        self.clients.latest().environment().as_str()
    }

    #[getter]
    fn endpoint(&self) -> String {
        self.clients.latest().endpoint().to_owned()
    }

    /// The blocking call `name` (`send`, `login_or_create`, `authenticate`) of
    /// `(*args, **kwargs)`: validates, then waits for the outcome with the GIL released,
    /// waking every 100 ms to let Ctrl-C (KeyboardInterrupt) through; an interrupt abandons
    /// the request.
    #[pyo3(signature = (name, args, kwargs=None))]
    fn call(
        &self,
        py: Python<'_>,
        name: &str,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let request = args::read(name, args, kwargs)?;
        wait_blocking(
            py,
            request.run(
                self.clients
                    .blocking_client()
                    .map_err(|e| errors::to_py(py, e))?,
            ),
        )
    }

    /// The asyncio call `name`: returns an `asyncio.Future` of the running loop. Cancelling
    /// it aborts the request.
    #[pyo3(signature = (name, args, kwargs=None))]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request: Request = args::read(name, args, kwargs)?;
        spawn_for_asyncio(
            py,
            request.run(self.clients.client().map_err(|e| errors::to_py(py, e))?),
        )
    }

    fn __repr__(&self) -> String {
        let client = self.clients.latest();
        format!(
            "Client(project_id={:?}, environment={:?}, endpoint={:?}, secret=<redacted>)",
            client.project_id(),
            client.environment().as_str(),
            client.endpoint()
        )
    }
}
