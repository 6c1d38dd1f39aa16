//! The fast path from the runtime back to asyncio. A runtime thread that finishes a send
//! never takes the GIL (it would wait for the loop's thread to let go of it, up to the 5 ms
//! switch interval, stalling every other request on that thread): it queues the outcome
//! and, when the queue was empty, writes one byte to a socketpair the event loop watches
//! with `add_reader`. The loop's thread then drains the queue in one go with the GIL it
//! already holds. One `Completions` per event loop, kept in [`REGISTRY`], each holding its
//! loop through a weak reference.
//!
//! A cancelled send is abandoned by the coroutine that awaited it (`sms_otp/__init__.py`
//! calls `abandon` when its future was cancelled), not by a done-callback per future: a
//! callback would cost an object and a scheduled call for every send.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex, PoisonError};

use pyo3::exceptions::PyNotImplementedError;
use pyo3::prelude::*;
use pyo3::types::PyWeakrefReference;
use tokio::task::AbortHandle;

use crate::future::{outcome_to_python, resolve, Outcome};

/// The part runtime threads touch: no Python objects in here.
#[derive(Debug)]
pub struct Inbox {
    queue: Mutex<Vec<(usize, Outcome)>>,
    waker: UnixStream,
}

impl Inbox {
    /// Hands a finished send to the loop (on a runtime thread).
    pub fn deliver(&self, id: usize, outcome: Outcome) {
        let Ok(mut queue) = self.queue.lock() else {
            return;
        };
        queue.push((id, outcome));
        if queue.len() == 1 {
            drop(queue);
            // Non-blocking: a full socket buffer already means a wake-up is pending.
            let _ = (&self.waker).write(&[1]);
        }
    }
}

#[pyclass(frozen, module = "sms_otp._native")]
#[derive(Debug)]
pub struct Completions {
    inbox: Arc<Inbox>,
    reader: UnixStream,
    /// Pending asyncio futures and their sends' tasks, by the future's address (unique while
    /// held here); only touched on the loop's thread, with the GIL.
    futures: Mutex<HashMap<usize, (Py<PyAny>, AbortHandle)>>,
    event_loop: Py<PyWeakrefReference>,
}

impl Completions {
    /// The inbox a send's outcome goes to, under its future's id (`future.as_ptr()`).
    pub fn inbox(&self) -> Arc<Inbox> {
        self.inbox.clone()
    }

    /// Whether these are `event_loop`'s completions (false once their loop is gone).
    fn is_for(&self, py: Python<'_>, event_loop: &Bound<'_, PyAny>) -> bool {
        self.event_loop
            .bind(py)
            .upgrade()
            .is_some_and(|l| l.is(event_loop))
    }

    /// Registers `future` and its send's task (before the loop can drain its outcome).
    pub fn register(&self, future: Py<PyAny>, task: AbortHandle) {
        let id = future.as_ptr() as usize;
        self.futures
            .lock()
            .map(|mut f| f.insert(id, (future, task)))
            .ok();
    }

    /// Drops the send of a cancelled `future` at once (its connection closes).
    fn abandon(&self, future: &Bound<'_, PyAny>) {
        let id = future.as_ptr() as usize;
        if let Some((_, task)) = self.futures.lock().ok().and_then(|mut f| f.remove(&id)) {
            task.abort();
        }
    }
}

#[pymethods]
impl Completions {
    /// The event loop's reader callback: resolves every finished send.
    fn drain(&self, py: Python<'_>) -> PyResult<()> {
        let mut sink = [0u8; 256];
        while matches!((&self.reader).read(&mut sink), Ok(n) if n > 0) {}
        let finished = self
            .inbox
            .queue
            .lock()
            .map(|mut q| std::mem::take(&mut *q))
            .unwrap_or_default();
        for (id, outcome) in finished {
            // Absent: cancelled meanwhile.
            if let Some((future, _)) = self.futures.lock().ok().and_then(|mut f| f.remove(&id)) {
                let (ok, value) = outcome_to_python(py, outcome);
                resolve(future.bind(py), ok, value.bind(py))?;
            }
        }
        Ok(())
    }
}

/// Abandons the send of `future`, cancelled while awaited (see the module's notes).
#[pyfunction]
pub fn abandon(py: Python<'_>, future: &Bound<'_, PyAny>) -> PyResult<()> {
    if let Some(completions) = completions_for(py, &future.call_method0("get_loop")?, false)? {
        completions.get().abandon(future);
    }
    Ok(())
}

/// Every registered loop's `Completions`: a short list, scanned per send. Not a
/// `weakref.WeakKeyDictionary`: importing `weakref` was a third of `import sms_otp` (`python -X
/// importtime`). Touched only with the GIL held and no Python code run under the lock, so no
/// thread holds it at a fork.
static REGISTRY: Mutex<Vec<Py<Completions>>> = Mutex::new(Vec::new());

/// The `Completions` of `event_loop`, made (with `make`) and registered with `add_reader`
/// on first use; `None` when there is none, or the loop cannot watch file descriptors (the
/// caller then falls back).
pub fn completions_for<'py>(
    py: Python<'py>,
    event_loop: &Bound<'py, PyAny>,
    make: bool,
) -> PyResult<Option<Bound<'py, Completions>>> {
    let found = (REGISTRY.lock().unwrap_or_else(PoisonError::into_inner))
        .iter()
        .find(|c| c.get().is_for(py, event_loop))
        .map(|c| c.clone_ref(py).into_bound(py));
    if found.is_some() || !make {
        return Ok(found);
    }
    let os_error = |e: std::io::Error| pyo3::exceptions::PyOSError::new_err(e.to_string());
    let (reader, waker) = UnixStream::pair().map_err(os_error)?;
    reader
        .set_nonblocking(true)
        .and(waker.set_nonblocking(true))
        .map_err(os_error)?;
    let inbox = Arc::new(Inbox {
        queue: Mutex::new(Vec::new()),
        waker,
    });
    let completions = Completions {
        inbox,
        reader,
        futures: Mutex::default(),
        event_loop: PyWeakrefReference::new(event_loop)?.unbind(),
    };
    let completions = Bound::new(py, completions)?;
    let fd = completions.get().reader.as_raw_fd();
    match event_loop.call_method1("add_reader", (fd, completions.getattr("drain")?)) {
        Err(e) if e.is_instance_of::<PyNotImplementedError>(py) => return Ok(None),
        result => result?,
    };
    // Registered; the entries of loops that are gone come out, freed after the lock is let go
    // (a future they still hold may run Python code when freed).
    let gone: Vec<Py<Completions>> = {
        let mut registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
        let (live, gone) = std::mem::take(&mut *registry)
            .into_iter()
            .partition(|c| c.get().event_loop.bind(py).upgrade().is_some());
        *registry = live;
        registry.push(completions.clone().unbind());
        gone
    };
    drop(gone);
    Ok(Some(completions))
}
