//! `_native.NativeClient`: the Python-facing client. The pure-Python `sms_otp.Client` wraps
//! it to offer `client.otps.sms.send(...)`, handing over its arguments whole: the core reads
//! them (`sms_otp::host`).

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use sms_otp::host::{ClientOptions, Language, Reply, Request};

use crate::args;
use crate::errors;
use crate::future::spawn_for_asyncio;
use crate::response::reply_to_python;
use crate::runtime::blocking_runtime;

/// The core clients of one process (a forked child builds its own: pooled connections and
/// their runtime cannot cross a fork). Blocking sends have their own pool, on the runtime
/// that only runs while some thread blocks on it.
#[derive(Debug)]
struct PerProcess {
    pid: u32,
    client: sms_otp::Client,
    blocking: std::sync::OnceLock<sms_otp::Client>,
}

impl Drop for PerProcess {
    fn drop(&mut self) {
        // The blocking pool's connections close once their tasks run: run them now.
        if self.blocking.take().is_some() && self.pid == std::process::id() {
            crate::runtime::run_blocking_runtime_queue();
        }
    }
}

#[derive(Debug)]
#[pyclass(frozen, module = "sms_otp._native")]
pub struct NativeClient {
    options: ClientOptions,
    current: ArcSwap<PerProcess>,
}

impl NativeClient {
    /// This process's core client (lock-free: a fork never leaves a lock held).
    fn client(&self, py: Python<'_>) -> PyResult<sms_otp::Client> {
        let pid = std::process::id();
        let current = self.current.load();
        if current.pid == pid {
            return Ok(current.client.clone());
        }
        let client = self.options.build().map_err(|e| errors::to_py(py, e))?;
        self.current.store(Arc::new(PerProcess {
            pid,
            client: client.clone(),
            blocking: std::sync::OnceLock::new(),
        }));
        Ok(client)
    }

    /// This process's core client for blocking sends (its own pool).
    fn blocking_client(&self, py: Python<'_>) -> PyResult<sms_otp::Client> {
        self.client(py)?;
        let current = self.current.load();
        if let Some(client) = current.blocking.get() {
            return Ok(client.clone());
        }
        let client = self.options.build().map_err(|e| errors::to_py(py, e))?;
        Ok(current.blocking.get_or_init(|| client).clone())
    }
}

/// Runs a call to completion on the blocking runtime, driven by this thread with the GIL
/// released, waking every 100 ms to let Ctrl-C (KeyboardInterrupt) through; an interrupt
/// drops the future, which cancels the request. A panic inside surfaces as `SmsOtpError`.
pub fn wait_blocking<F>(py: Python<'_>, work: F) -> PyResult<Py<PyAny>>
where
    F: std::future::Future<Output = Result<Reply, sms_otp::Error>> + Send,
{
    let rt = blocking_runtime()?;
    let outcome = py.detach(|| {
        let waited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async move {
                // Let connection tasks see what happened while the runtime was idle (a
                // closed keep-alive connection) before the pool hands one out; else the
                // request fails on it as "may have been delivered" (fault matrix).
                let_connection_tasks_run().await;
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
                rt.block_on(let_connection_tasks_run());
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

/// A few turns of the blocking runtime's scheduler: woken connection tasks notice a close
/// and close their sockets (a close takes a poll or two).
async fn let_connection_tasks_run() {
    for _ in 0..4 {
        tokio::task::yield_now().await;
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
        let client = options.build().map_err(|e| errors::to_py(py, e))?;
        Ok(NativeClient {
            options,
            current: ArcSwap::from_pointee(PerProcess {
                pid: std::process::id(),
                client,
                blocking: std::sync::OnceLock::new(),
            }),
        })
    }

    #[getter]
    fn project_id(&self) -> String {
        self.current.load().client.project_id().to_owned()
    }

    #[getter]
    fn environment(&self) -> &'static str {
        self.current.load().client.environment().as_str()
    }

    #[getter]
    fn endpoint(&self) -> String {
        self.current.load().client.endpoint().to_owned()
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
        wait_blocking(py, request.run(self.blocking_client(py)?))
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
        spawn_for_asyncio(py, request.run(self.client(py)?))
    }

    fn __repr__(&self) -> String {
        let current = self.current.load();
        format!(
            "Client(project_id={:?}, environment={:?}, endpoint={:?}, secret=<redacted>)",
            current.client.project_id(),
            current.client.environment().as_str(),
            current.client.endpoint()
        )
    }
}
