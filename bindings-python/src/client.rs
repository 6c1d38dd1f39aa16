//! `_native.NativeClient`: the Python-facing client. The pure-Python `sms_otp.Client` wraps
//! it to offer `client.otps.sms.send(...)` with the official keyword names.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use pyo3::prelude::*;

use crate::args::{
    optional_attributes, optional_bool, optional_int, optional_locale, optional_path,
    optional_seconds, optional_str, optional_str_list, required_str,
};
use crate::errors;
use crate::future::spawn_for_asyncio;
use crate::response::SendResponse;
use crate::runtime::blocking_runtime;

/// The core clients of one process: after `os.fork()` the child builds its own, because
/// pooled connections (and the runtime they belong to) cannot cross a fork. Blocking and
/// asyncio sends use separate connection pools: a connection's task lives on the runtime
/// that opened it, and the blocking runtime only runs while some thread blocks on it.
#[derive(Debug)]
struct PerProcess {
    pid: u32,
    client: sms_otp::Client,
    blocking: std::sync::OnceLock<sms_otp::Client>,
}

impl Drop for PerProcess {
    fn drop(&mut self) {
        let Some(blocking) = self.blocking.take() else {
            return;
        };
        // The blocking pool goes with the last clone; its connections close once their
        // tasks run on the blocking runtime, which only runs when someone blocks on it.
        drop(blocking);
        if self.pid == std::process::id() {
            crate::runtime::run_blocking_runtime_queue();
        }
    }
}

#[derive(Debug)]
#[pyclass(frozen, module = "sms_otp._native")]
pub struct NativeClient {
    builder: sms_otp::ClientBuilder,
    current: ArcSwap<PerProcess>,
}

impl NativeClient {
    /// This process's core client (lock-free: a fork can never leave a lock held).
    fn client(&self, py: Python<'_>) -> PyResult<sms_otp::Client> {
        let pid = std::process::id();
        let current = self.current.load();
        if current.pid == pid {
            return Ok(current.client.clone());
        }
        let client = self
            .builder
            .clone()
            .build()
            .map_err(|e| errors::to_py(py, e))?;
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
        let client = self
            .builder
            .clone()
            .build()
            .map_err(|e| errors::to_py(py, e))?;
        Ok(current.blocking.get_or_init(|| client).clone())
    }
}

#[allow(clippy::too_many_arguments)]
fn send_request(
    phone_number: &Bound<'_, PyAny>,
    expiration_minutes: Option<&Bound<'_, PyAny>>,
    attributes: Option<&Bound<'_, PyAny>>,
    locale: Option<&Bound<'_, PyAny>>,
    user_id: Option<&Bound<'_, PyAny>>,
    session_token: Option<&Bound<'_, PyAny>>,
    session_jwt: Option<&Bound<'_, PyAny>>,
) -> PyResult<sms_otp::SendRequest> {
    Ok(sms_otp::SendRequest {
        phone_number: required_str(phone_number, "phone_number")?,
        // Out-of-range ints saturate; the core then rejects them with its range message.
        expiration_minutes: optional_int(expiration_minutes, "expiration_minutes")?
            .map(|n| i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX })),
        attributes: optional_attributes(attributes)?,
        locale: optional_locale(locale)?,
        user_id: optional_str(user_id, "user_id")?,
        session_token: optional_str(session_token, "session_token")?,
        session_jwt: optional_str(session_jwt, "session_jwt")?,
    })
}

/// Runs a send to completion on the blocking runtime, driven by this thread with the GIL
/// released, waking every 100 ms to let Ctrl-C (KeyboardInterrupt) through; an interrupt
/// drops the future, which cancels the request. A panic inside surfaces as `SmsOtpError`.
pub fn wait_blocking<F>(py: Python<'_>, work: F) -> PyResult<SendResponse>
where
    F: std::future::Future<Output = Result<sms_otp::SendResponse, sms_otp::Error>> + Send,
{
    let rt = blocking_runtime()?;
    let outcome = py.detach(|| {
        let waited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async move {
                // This runtime runs only while some thread blocks on it, so connection
                // tasks have not seen what happened while it was idle (a server that
                // closed a keep-alive connection): let them, before the pool hands one
                // out. Otherwise the request goes out on the dead connection and fails
                // as "may have been delivered" (found by the fault matrix's half-closed
                // keep-alive rows).
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
            // The send failed or was abandoned: its connection cannot be reused, and only
            // its connection task (on this runtime, which runs only while a thread blocks
            // on it) can close it. Let that task run now, so the server sees the client
            // go away at once rather than at the next blocking send: otherwise a timed-out
            // request stays open and a server may still process it (found by the fault
            // matrix: a stalled send was recorded after the client had given up).
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                rt.block_on(let_connection_tasks_run());
            }));
        }
        waited
    });
    match outcome {
        Err(payload) => Err(errors::panic(py, payload.as_ref())),
        Ok(Some(Ok(response))) => Ok(SendResponse::from(response)),
        Ok(Some(Err(e))) => Err(errors::to_py(py, e)),
        // Re-raise the pending signal's exception (KeyboardInterrupt) with the GIL held.
        Ok(None) => Err(py
            .check_signals()
            .err()
            .unwrap_or_else(|| pyo3::exceptions::PyKeyboardInterrupt::new_err("interrupted"))),
    }
}

/// A few turns of the blocking runtime's scheduler: I/O events are collected and the tasks
/// they (or a dropped request) woke run, so connections notice a close and close their own
/// sockets. Each `yield_now` lets every ready task run once; a close takes a poll or two.
async fn let_connection_tasks_run() {
    for _ in 0..4 {
        tokio::task::yield_now().await;
    }
}

#[pymethods]
impl NativeClient {
    #[new]
    #[pyo3(signature = (
        project_id, secret, environment=None, base_url=None, timeout=None,
        connect_timeout=None, max_retries=None, retry_rate_limited=None,
        allowed_country_codes=None, user_agent_suffix=None, ca_file=None, python_version=None,
        from_env=false
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        project_id: Option<&Bound<'_, PyAny>>,
        secret: Option<&Bound<'_, PyAny>>,
        environment: Option<&Bound<'_, PyAny>>,
        base_url: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        connect_timeout: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
        retry_rate_limited: Option<&Bound<'_, PyAny>>,
        allowed_country_codes: Option<&Bound<'_, PyAny>>,
        user_agent_suffix: Option<&Bound<'_, PyAny>>,
        ca_file: Option<&Bound<'_, PyAny>>,
        python_version: Option<&Bound<'_, PyAny>>,
        from_env: bool,
    ) -> PyResult<Self> {
        let mut b = if from_env {
            sms_otp::ClientBuilder::from_env().map_err(|e| errors::to_py(py, e))?
        } else {
            // `None` credentials reach the core as empty strings, which it rejects by name.
            sms_otp::ClientBuilder::new(
                optional_str(project_id, "project_id")?.unwrap_or_default(),
                optional_str(secret, "secret")?.unwrap_or_default(),
            )
        };
        if let Some(v) = optional_str(environment, "environment")? {
            b = b.environment(v);
        }
        if let Some(v) = optional_str(base_url, "base_url")? {
            b = b.base_url(v);
        }
        if let Some(v) = optional_seconds(timeout, "timeout")? {
            b = b.timeout_secs_f64(v);
        }
        if let Some(v) = optional_seconds(connect_timeout, "connect_timeout")? {
            b = b.connect_timeout_secs_f64(v);
        }
        if let Some(v) = optional_int(max_retries, "max_retries")? {
            b = b.max_retries(v);
        }
        if let Some(v) = optional_bool(retry_rate_limited, "retry_rate_limited")? {
            b = b.retry_rate_limited(v);
        }
        if let Some(v) = optional_str_list(allowed_country_codes, "allowed_country_codes")? {
            b = b.allowed_country_codes(v);
        }
        if let Some(v) = optional_str(user_agent_suffix, "user_agent_suffix")? {
            b = b.user_agent_suffix(v);
        }
        if let Some(v) = optional_path(ca_file, "ca_file")? {
            b = b.ca_file(v);
        }
        let version = optional_str(python_version, "python_version")?.unwrap_or_default();
        b = b.surface("python", version);
        let client = b.clone().build().map_err(|e| errors::to_py(py, e))?;
        Ok(NativeClient {
            builder: b,
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

    /// Blocking send: validates, then waits for the outcome with the GIL released, waking
    /// every 100 ms to let Ctrl-C (KeyboardInterrupt) through; an interrupt abandons the
    /// request.
    #[pyo3(signature = (phone_number, expiration_minutes=None, attributes=None, locale=None, user_id=None, session_token=None, session_jwt=None))]
    #[allow(clippy::too_many_arguments)]
    fn send(
        &self,
        py: Python<'_>,
        phone_number: &Bound<'_, PyAny>,
        expiration_minutes: Option<&Bound<'_, PyAny>>,
        attributes: Option<&Bound<'_, PyAny>>,
        locale: Option<&Bound<'_, PyAny>>,
        user_id: Option<&Bound<'_, PyAny>>,
        session_token: Option<&Bound<'_, PyAny>>,
        session_jwt: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<SendResponse> {
        let request = send_request(
            phone_number,
            expiration_minutes,
            attributes,
            locale,
            user_id,
            session_token,
            session_jwt,
        )?;
        let client = self.blocking_client(py)?;
        wait_blocking(py, async move { client.otps.sms.send(request).await })
    }

    /// Asyncio send: returns an `asyncio.Future` of the running loop. Cancelling it aborts
    /// the request.
    #[pyo3(signature = (phone_number, expiration_minutes=None, attributes=None, locale=None, user_id=None, session_token=None, session_jwt=None))]
    #[allow(clippy::too_many_arguments)]
    fn send_async<'py>(
        &self,
        py: Python<'py>,
        phone_number: &Bound<'py, PyAny>,
        expiration_minutes: Option<&Bound<'py, PyAny>>,
        attributes: Option<&Bound<'py, PyAny>>,
        locale: Option<&Bound<'py, PyAny>>,
        user_id: Option<&Bound<'py, PyAny>>,
        session_token: Option<&Bound<'py, PyAny>>,
        session_jwt: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = send_request(
            phone_number,
            expiration_minutes,
            attributes,
            locale,
            user_id,
            session_token,
            session_jwt,
        )?;
        let client = self.client(py)?;
        spawn_for_asyncio(py, async move { client.otps.sms.send(request).await })
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
