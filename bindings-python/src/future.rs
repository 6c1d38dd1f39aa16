//! Running a send on the tokio runtime and handing its outcome to an asyncio future of the
//! caller's running loop, never blocking the loop; cancelling the future aborts the tokio
//! task (which drops the request).

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::sync::{Interned, PyOnceLock};
use sms_otp::host::{catch_panic, runtime::runtime};

use crate::{asyncio_wakeup::completions_for, errors, response::reply_to_python};

pub type Outcome = Result<sms_otp::host::Reply, sms_otp::Error>;

/// Set by `atexit` (`shutdown`): from then on runtime threads never enter Python (a thread
/// that attaches while the interpreter finalizes crashes the process).
static SHUTTING_DOWN: AtomicBool = AtomicBool::new(false);
/// Runtime threads inside Python right now; `shutdown` waits for them to leave.
static ATTACHED: AtomicUsize = AtomicUsize::new(0);

/// Stops runtime threads from entering Python and waits (GIL released, at most a second)
/// for those inside to leave, so the interpreter can finalize with sends in flight.
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

/// A finished send as `(ok, value)` for [`resolve`].
pub fn outcome_to_python(py: Python<'_>, outcome: Outcome) -> (bool, Py<PyAny>) {
    let error = |e: PyErr| (false, e.into_value(py).into_any());
    match outcome.map(|r| reply_to_python(py, r)) {
        Ok(Ok(response)) => (true, response),
        Ok(Err(e)) => error(e),
        Err(e) => error(errors::to_py(py, e)),
    }
}

/// Sets the outcome on the future unless it was cancelled meanwhile (on the loop's thread).
#[pyfunction]
pub fn resolve(future: &Bound<'_, PyAny>, ok: bool, value: &Bound<'_, PyAny>) -> PyResult<()> {
    let py = future.py();
    if !future.call_method0(DONE.get(py))?.is_truthy()? {
        let set = if ok { &SET_RESULT } else { &SET_EXCEPTION };
        future.call_method1(set.get(py), (value,))?;
    }
    Ok(())
}

/// Done-callback of the asyncio future of a loop without `Completions` (the fallback below):
/// on cancellation, abort the tokio task (which drops the request).
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

/// Method names, made by `warm_up` (as `intern!` would lazily: see `_warm_up` in lib.rs).
static DONE: Interned = Interned::new("done");
static SET_RESULT: Interned = Interned::new("set_result");
static SET_EXCEPTION: Interned = Interned::new("set_exception");
static CREATE_FUTURE: Interned = Interned::new("create_future");
static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static RESOLVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn resolve_fn(py: Python<'_>) -> PyResult<&Py<PyAny>> {
    RESOLVE.get_or_try_init(py, || {
        py.import("sms_otp._native")?
            .getattr("resolve")
            .map(Bound::unbind)
    })
}

/// Fills `RESOLVE` and the method names now (`lib.rs` `_warm_up`); `GET_RUNNING_LOOP` is
/// filled at the first asyncio send (importing asyncio would slow `import sms_otp`).
pub fn warm_up(py: Python<'_>) -> PyResult<()> {
    for name in [&DONE, &SET_RESULT, &SET_EXCEPTION, &CREATE_FUTURE] {
        name.get(py);
    }
    resolve_fn(py).map(|_| ())
}

/// Starts `work` on the runtime and returns an asyncio future of the running loop.
pub fn spawn_for_asyncio<'py, F>(py: Python<'py>, work: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Outcome> + Send + 'static,
{
    let get_running_loop = match GET_RUNNING_LOOP.get(py) {
        Some(cached) => cached.bind(py).clone(),
        None => {
            // Not get_or_try_init: a fork while the import lets go of the GIL hangs the child.
            let found = py.import("asyncio")?.getattr("get_running_loop")?;
            let _ = GET_RUNNING_LOOP.set(py, found.clone().unbind());
            found
        }
    };
    let event_loop = get_running_loop.call0()?;
    let future = event_loop.call_method0(CREATE_FUTURE.get(py))?;
    // Boxed at once: the send future is kilobytes, and would be copied at every move.
    let work = catch_panic(Box::pin(work));
    let runtime = runtime().map_err(|e| errors::to_py(py, e))?;
    let task = match completions_for(py, &event_loop, true)? {
        Some(completions) => {
            let (id, inbox) = (future.as_ptr() as usize, completions.get().inbox());
            let task = runtime.spawn(async move { inbox.deliver(id, work.await) });
            completions
                .get()
                .register(future.clone().unbind(), task.abort_handle());
            return Ok(future);
        }
        // A loop that cannot watch a file descriptor (Windows' proactor): resolve through
        // call_soon_threadsafe, taking the GIL on the runtime thread (never after shutdown,
        // nor for a closed loop: then nobody is waiting).
        None => {
            let (resolve, loop_ref, future_ref) = (
                resolve_fn(py)?.clone_ref(py),
                event_loop.unbind(),
                future.clone().unbind(),
            );
            let task = runtime.spawn(async move {
                let outcome = work.await;
                ATTACHED.fetch_add(1, Ordering::SeqCst);
                if !SHUTTING_DOWN.load(Ordering::SeqCst) {
                    Python::try_attach(|py| {
                        let (ok, value) = outcome_to_python(py, outcome);
                        let args = (resolve, future_ref, ok, value);
                        let _ = loop_ref.call_method1(py, "call_soon_threadsafe", args);
                    });
                }
                ATTACHED.fetch_sub(1, Ordering::SeqCst);
            });
            task
        }
    };
    let handle = Mutex::new(Some(task.abort_handle()));
    future.call_method1("add_done_callback", (CancelOnDone { handle },))?;
    Ok(future)
}
