//! The fast path from the runtime back to asyncio. A runtime thread that finishes a send
//! never takes the GIL (it would wait for the loop's thread to let go of it, up to the
//! 5 ms switch interval, stalling every other request on that thread): it pushes the
//! outcome onto a queue and, when the queue was empty, writes one byte to a socketpair
//! that the event loop watches with `add_reader`. The loop's thread then drains the queue
//! in one go, converting outcomes and resolving futures with the GIL it already holds.
//! One `Completions` per event loop, found through a `WeakKeyDictionary` keyed by the loop.

use std::any::Any;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use pyo3::exceptions::PyNotImplementedError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::future::{outcome_to_python, Outcome};

type Finished = (u64, Result<Outcome, Box<dyn Any + Send>>);

/// The part runtime threads touch: no Python objects in here.
#[derive(Debug)]
pub struct Inbox {
    queue: Mutex<Vec<Finished>>,
    waker: UnixStream,
}

impl Inbox {
    /// Hands a finished send to the loop (called on a runtime thread).
    pub fn deliver(&self, id: u64, outcome: Result<Outcome, Box<dyn Any + Send>>) {
        let was_empty = match self.queue.lock() {
            Ok(mut queue) => {
                let was_empty = queue.is_empty();
                queue.push((id, outcome));
                was_empty
            }
            Err(_) => return,
        };
        if was_empty {
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
    fn new() -> std::io::Result<Completions> {
        let (reader, waker) = UnixStream::pair()?;
        reader.set_nonblocking(true)?;
        waker.set_nonblocking(true)?;
        Ok(Completions {
            inbox: Arc::new(Inbox {
                queue: Mutex::new(Vec::new()),
                waker,
            }),
            reader,
            futures: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
        })
    }

    /// Registers `future` and returns its id and the inbox its outcome goes to.
    pub fn register(&self, future: Py<PyAny>) -> (u64, Arc<Inbox>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut futures) = self.futures.lock() {
            futures.insert(id, future);
        }
        (id, self.inbox.clone())
    }

    /// Forgets a cancelled future.
    pub fn forget(&self, id: u64) {
        if let Ok(mut futures) = self.futures.lock() {
            futures.remove(&id);
        }
    }
}

#[pymethods]
impl Completions {
    /// The event loop's reader callback: resolves every finished send.
    fn drain(&self, py: Python<'_>) -> PyResult<()> {
        let mut sink = [0u8; 256];
        while matches!((&self.reader).read(&mut sink), Ok(n) if n > 0) {}
        let finished = match self.inbox.queue.lock() {
            Ok(mut queue) => std::mem::take(&mut *queue),
            Err(_) => return Ok(()),
        };
        for (id, outcome) in finished {
            let future = match self.futures.lock() {
                Ok(mut futures) => futures.remove(&id),
                Err(_) => None,
            };
            let Some(future) = future else { continue }; // cancelled meanwhile
            let future = future.bind(py);
            if future.call_method0("done")?.is_truthy()? {
                continue;
            }
            let (ok, value) = outcome_to_python(py, outcome);
            let method = if ok { "set_result" } else { "set_exception" };
            future.call_method1(method, (value,))?;
        }
        Ok(())
    }
}

static REGISTRY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Completions by event loop (a `WeakKeyDictionary`).
fn registry(py: Python<'_>) -> PyResult<&Py<PyAny>> {
    REGISTRY.get_or_try_init(py, || {
        py.import("weakref")?
            .getattr("WeakKeyDictionary")?
            .call0()
            .map(Bound::unbind)
    })
}

/// Fills this module's process-wide once-cell now (see `lib.rs` `_warm_up`).
pub fn warm_up(py: Python<'_>) -> PyResult<()> {
    registry(py).map(|_| ())
}

/// The `Completions` of `event_loop`, created and registered with `add_reader` on first use;
/// `None` when the loop cannot watch file descriptors (then the caller falls back).
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
    let completions = Bound::new(
        py,
        Completions::new().map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))?,
    )?;
    let fd = completions.get().reader.as_raw_fd();
    match event_loop.call_method1("add_reader", (fd, completions.getattr("drain")?)) {
        Ok(_) => {}
        Err(e) if e.is_instance_of::<PyNotImplementedError>(py) => return Ok(None),
        Err(e) => return Err(e),
    }
    registry.set_item(event_loop, &completions)?;
    Ok(Some(completions))
}
