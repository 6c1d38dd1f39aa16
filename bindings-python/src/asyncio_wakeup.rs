//! The fast path from the runtime back to asyncio. A runtime thread that finishes a send
//! never takes the GIL (it would wait for the loop's thread to let go of it, up to the 5 ms
//! switch interval, stalling every other request on that thread): it queues the outcome
//! and, when the queue was empty, writes one byte to a socketpair the event loop watches
//! with `add_reader`. The loop's thread then drains the queue in one go with the GIL it
//! already holds. One `Completions` per event loop, kept in a `WeakKeyDictionary`.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use pyo3::exceptions::PyNotImplementedError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::future::{outcome_to_python, resolve, Outcome};

/// The part runtime threads touch: no Python objects in here.
#[derive(Debug)]
pub struct Inbox {
    queue: Mutex<Vec<(u64, Outcome)>>,
    waker: UnixStream,
}

impl Inbox {
    /// Hands a finished send to the loop (on a runtime thread).
    pub fn deliver(&self, id: u64, outcome: Outcome) {
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
    /// Pending asyncio futures by id; only touched on the loop's thread, with the GIL.
    futures: Mutex<HashMap<u64, Py<PyAny>>>,
    next_id: AtomicU64,
}

impl Completions {
    /// Registers `future`; returns its id and the inbox its outcome goes to.
    pub fn register(&self, future: Py<PyAny>) -> (u64, Arc<Inbox>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.futures.lock().map(|mut f| f.insert(id, future)).ok();
        (id, self.inbox.clone())
    }

    /// Forgets a cancelled future.
    pub fn forget(&self, id: u64) {
        self.futures.lock().map(|mut f| f.remove(&id)).ok();
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
            if let Some(future) = self.futures.lock().ok().and_then(|mut f| f.remove(&id)) {
                let (ok, value) = outcome_to_python(py, outcome);
                resolve(future.bind(py), ok, value.bind(py))?;
            }
        }
        Ok(())
    }
}

static REGISTRY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn registry(py: Python<'_>) -> PyResult<&Py<PyAny>> {
    REGISTRY.get_or_try_init(py, || {
        py.import("weakref")?
            .getattr("WeakKeyDictionary")?
            .call0()
            .map(Bound::unbind)
    })
}

/// Fills this module's process-wide once-cell now (`lib.rs` `_warm_up`).
pub fn warm_up(py: Python<'_>) -> PyResult<()> {
    registry(py).map(|_| ())
}

/// The `Completions` of `event_loop`, made and registered with `add_reader` on first use;
/// `None` when the loop cannot watch file descriptors (the caller then falls back).
pub fn completions_for<'py>(
    py: Python<'py>,
    event_loop: &Bound<'py, PyAny>,
) -> PyResult<Option<Bound<'py, Completions>>> {
    let registry = registry(py)?.bind(py);
    if let Ok(found) = registry
        .call_method1("get", (event_loop,))?
        .cast_into::<Completions>()
    {
        return Ok(Some(found));
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
        next_id: AtomicU64::new(0),
    };
    let completions = Bound::new(py, completions)?;
    let fd = completions.get().reader.as_raw_fd();
    match event_loop.call_method1("add_reader", (fd, completions.getattr("drain")?)) {
        Err(e) if e.is_instance_of::<PyNotImplementedError>(py) => return Ok(None),
        result => result?,
    };
    registry.set_item(event_loop, &completions)?;
    Ok(Some(completions))
}
