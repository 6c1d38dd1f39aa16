//! Running a send on the tokio runtime and handing its outcome to an asyncio future of the
//! caller's running loop. The loop is never blocked: the result is delivered with
//! `loop.call_soon_threadsafe`, and cancelling the future aborts the tokio task (which
//! drops the request).

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::errors;
use crate::response::SendResponse;
use crate::runtime::runtime;

type Outcome = Result<sms_otp::SendResponse, sms_otp::Error>;

static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static RESOLVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

#[allow(missing_debug_implementations)]
/// Polls a future, turning a panic inside it into an `Err` instead of unwinding.
pub struct CatchUnwind<F>(pub Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

/// Converts a finished send (or its panic) to `(ok, value)` for [`resolve`].
pub fn outcome_to_python(
    py: Python<'_>,
    outcome: Result<Outcome, Box<dyn Any + Send>>,
) -> (bool, Py<PyAny>) {
    match outcome {
        Ok(Ok(response)) => match Py::new(py, SendResponse::from(response)) {
            Ok(obj) => (true, obj.into_any()),
            Err(e) => (false, e.into_value(py).into_any()),
        },
        Ok(Err(error)) => (false, errors::to_py(py, error).into_value(py).into_any()),
        Err(_) => (
            false,
            errors::panic(py, "send panicked").into_value(py).into_any(),
        ),
    }
}

/// Sets the outcome on the future, unless it was cancelled meanwhile. Runs on the loop's
/// thread (scheduled with `call_soon_threadsafe`).
#[pyfunction]
pub fn resolve(future: &Bound<'_, PyAny>, ok: bool, value: &Bound<'_, PyAny>) -> PyResult<()> {
    if future.call_method0("done")?.is_truthy()? {
        return Ok(());
    }
    let method = if ok { "set_result" } else { "set_exception" };
    future.call_method1(method, (value,))?;
    Ok(())
}

/// Done-callback of the asyncio future: on cancellation, abort the tokio task.
#[derive(Debug)]
#[pyclass(frozen, module = "sms_otp._native")]
pub struct CancelOnDone {
    handle: Mutex<Option<tokio::task::AbortHandle>>,
}

#[pymethods]
impl CancelOnDone {
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0("cancelled")?.is_truthy()? {
            if let Some(handle) = self.handle.lock().ok().and_then(|mut h| h.take()) {
                handle.abort();
            }
        }
        Ok(())
    }
}

/// Starts `work` on the runtime and returns an asyncio future of the running loop.
pub fn spawn_for_asyncio<'py, F>(py: Python<'py>, work: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Outcome> + Send + 'static,
{
    let get_running_loop = GET_RUNNING_LOOP.get_or_try_init(py, || {
        py.import("asyncio")?
            .getattr("get_running_loop")
            .map(Bound::unbind)
    })?;
    let resolve_fn = RESOLVE
        .get_or_try_init(py, || {
            py.import("sms_otp._native")?
                .getattr("resolve")
                .map(Bound::unbind)
        })?
        .clone_ref(py);
    let event_loop = get_running_loop.bind(py).call0()?;
    let future = event_loop.call_method0("create_future")?;
    let (loop_ref, future_ref) = (event_loop.unbind(), future.clone().unbind());
    let task = runtime()?.spawn(async move {
        let outcome = CatchUnwind(Box::pin(work)).await;
        // `try_attach` fails only while the interpreter shuts down: then nobody is waiting.
        Python::try_attach(|py| {
            let (ok, value) = outcome_to_python(py, outcome);
            // Fails only if the loop is closed, in which case nobody is waiting either.
            let _ = loop_ref.call_method1(
                py,
                "call_soon_threadsafe",
                (resolve_fn, future_ref, ok, value),
            );
        });
    });
    let canceller = CancelOnDone {
        handle: Mutex::new(Some(task.abort_handle())),
    };
    future.call_method1("add_done_callback", (canceller,))?;
    Ok(future)
}
