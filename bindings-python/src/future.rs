//! Running a send on the tokio runtime and handing its outcome to an asyncio future of the
//! caller's running loop. The loop is never blocked: the result is delivered with
//! `loop.call_soon_threadsafe`, and cancelling the future aborts the tokio task (which
//! drops the request).

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::asyncio_wakeup::{completions_for, Completions};
use crate::errors;
use crate::response::SendResponse;
use crate::runtime::runtime;

pub type Outcome = Result<sms_otp::SendResponse, sms_otp::Error>;

/// Set by `atexit` (see `shutdown`): from then on runtime threads never enter Python. A
/// thread that attaches while the interpreter finalizes crashes the process.
static SHUTTING_DOWN: AtomicBool = AtomicBool::new(false);
/// Runtime threads inside Python right now; `shutdown` waits for them to leave.
static ATTACHED: AtomicUsize = AtomicUsize::new(0);

/// Runs `f` with the GIL from a runtime thread, unless the interpreter is shutting down.
fn attach_from_runtime<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> Option<R> {
    ATTACHED.fetch_add(1, Ordering::SeqCst);
    let result = if SHUTTING_DOWN.load(Ordering::SeqCst) {
        None
    } else {
        Python::try_attach(f)
    };
    ATTACHED.fetch_sub(1, Ordering::SeqCst);
    result
}

/// Registered with `atexit` by the package: stops runtime threads from entering Python and
/// waits (with the GIL released, at most a second) for those already inside to leave, so
/// the interpreter can finalize while sends are still in flight.
#[pyfunction]
pub fn shutdown(py: Python<'_>) {
    SHUTTING_DOWN.store(true, Ordering::SeqCst);
    py.detach(|| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
        while ATTACHED.load(Ordering::SeqCst) > 0 && std::time::Instant::now() < deadline {
            std::thread::yield_now();
        }
    });
}

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
        Err(payload) => (
            false,
            errors::panic(py, payload.as_ref())
                .into_value(py)
                .into_any(),
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

/// Done-callback of the asyncio future: on cancellation, abort the tokio task (which drops
/// the request) and forget the future.
#[derive(Debug)]
#[pyclass(frozen, module = "sms_otp._native")]
pub struct CancelOnDone {
    handle: Mutex<Option<tokio::task::AbortHandle>>,
    registered: Option<(Py<Completions>, u64)>,
}

#[pymethods]
impl CancelOnDone {
    fn __call__(&self, py: Python<'_>, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0("cancelled")?.is_truthy()? {
            if let Some(handle) = self.handle.lock().ok().and_then(|mut h| h.take()) {
                handle.abort();
            }
            if let Some((completions, id)) = &self.registered {
                completions.bind(py).get().forget(*id);
            }
        }
        Ok(())
    }
}

fn get_running_loop_fn(py: Python<'_>) -> PyResult<&Py<PyAny>> {
    GET_RUNNING_LOOP.get_or_try_init(py, || {
        py.import("asyncio")?
            .getattr("get_running_loop")
            .map(Bound::unbind)
    })
}

fn resolve_fn(py: Python<'_>) -> PyResult<&Py<PyAny>> {
    RESOLVE.get_or_try_init(py, || {
        py.import("sms_otp._native")?
            .getattr("resolve")
            .map(Bound::unbind)
    })
}

/// Fills `RESOLVE` now (see `lib.rs` `_warm_up`). `GET_RUNNING_LOOP` stays lazy: importing
/// asyncio would cost an import of `sms_otp` tens of milliseconds, and it is only filled
/// from a running loop, when asyncio is already imported, so its fill is a lookup that never
/// lets go of the GIL (no other thread can fork meanwhile).
pub fn warm_up(py: Python<'_>) -> PyResult<()> {
    resolve_fn(py).map(|_| ())
}

/// Starts `work` on the runtime and returns an asyncio future of the running loop.
pub fn spawn_for_asyncio<'py, F>(py: Python<'py>, work: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Outcome> + Send + 'static,
{
    let get_running_loop = get_running_loop_fn(py)?;
    let resolve_fn = resolve_fn(py)?.clone_ref(py);
    let event_loop = get_running_loop.bind(py).call0()?;
    let future = event_loop.call_method0("create_future")?;
    if let Some(completions) = completions_for(py, &event_loop)? {
        let (id, inbox) = completions.get().register(future.clone().unbind());
        let task = runtime()?.spawn(async move {
            inbox.deliver(id, CatchUnwind(Box::pin(work)).await);
        });
        let canceller = CancelOnDone {
            handle: Mutex::new(Some(task.abort_handle())),
            registered: Some((completions.unbind(), id)),
        };
        future.call_method1("add_done_callback", (canceller,))?;
        return Ok(future);
    }
    // Loops that cannot watch a file descriptor (Windows' proactor): resolve through
    // call_soon_threadsafe, which takes the GIL on the runtime thread.
    let (loop_ref, future_ref) = (event_loop.unbind(), future.clone().unbind());
    let task = runtime()?.spawn(async move {
        let outcome = CatchUnwind(Box::pin(work)).await;
        // No attach once the interpreter shuts down: then nobody is waiting.
        attach_from_runtime(|py| {
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
        registered: None,
    };
    future.call_method1("add_done_callback", (canceller,))?;
    Ok(future)
}
