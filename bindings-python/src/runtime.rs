//! One tokio runtime per process, created lazily and re-created after `os.fork()`.
//!
//! A forked child inherits the parent's runtime object but none of its threads, and its
//! epoll descriptor is shared with the parent: using it hangs. So the runtime is keyed by
//! pid; a child builds its own and leaks the inherited one (dropping it would wait for
//! worker threads that do not exist in the child).

use std::sync::atomic::{AtomicPtr, Ordering};

use pyo3::exceptions::PyRuntimeError;
use pyo3::PyResult;
use tokio::runtime::Runtime;

struct Slot {
    pid: u32,
    runtime: Runtime,
}

static CURRENT: AtomicPtr<Slot> = AtomicPtr::new(std::ptr::null_mut());

/// The runtime of this process. Lock-free, so a fork taken at any moment cannot leave a
/// held lock behind in the child.
pub fn runtime() -> PyResult<&'static Runtime> {
    let pid = std::process::id();
    let current = CURRENT.load(Ordering::Acquire);
    if let Some(slot) = leaked(current) {
        if slot.pid == pid {
            return Ok(&slot.runtime);
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("sms-otp-io")
        .enable_all()
        .build()
        .map_err(|e| {
            PyRuntimeError::new_err(format!("sms_otp could not start its I/O runtime: {e}"))
        })?;
    let fresh: &'static mut Slot = Box::leak(Box::new(Slot { pid, runtime }));
    let fresh_ptr: *mut Slot = fresh;
    match CURRENT.compare_exchange(current, fresh_ptr, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => Ok(&fresh.runtime),
        // Another thread of this process won the race: use its runtime (ours stays leaked,
        // a one-off cost after a fork).
        Err(winner) => match leaked(winner) {
            Some(slot) if slot.pid == pid => Ok(&slot.runtime),
            _ => Ok(&fresh.runtime),
        },
    }
}

fn leaked(ptr: *mut Slot) -> Option<&'static Slot> {
    // SAFETY: slots are only ever created by Box::leak and never freed, so any non-null
    // pointer stored in CURRENT points to a live Slot for the rest of the process.
    #[allow(unsafe_code)]
    unsafe {
        ptr.as_ref()
    }
}
