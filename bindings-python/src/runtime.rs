//! Two tokio runtimes per process (one for asyncio, one for blocking sends), created
//! lazily and re-created after `os.fork()`.
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

/// The multi-thread runtime: asyncio sends run on its worker threads.
static ASYNC: AtomicPtr<Slot> = AtomicPtr::new(std::ptr::null_mut());
/// A current-thread runtime for blocking sends: the calling Python thread drives it
/// itself inside `block_on` (with the GIL released), so a send involves no hand-off to
/// another thread. Several threads may block on it at once; tokio lets one drive the I/O
/// driver and wakes the others.
static BLOCKING: AtomicPtr<Slot> = AtomicPtr::new(std::ptr::null_mut());

/// The multi-thread runtime of this process.
pub fn runtime() -> PyResult<&'static Runtime> {
    slot_runtime(&ASYNC, || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("sms-otp-io")
            .enable_all()
            .build()
    })
}

/// The current-thread runtime of this process, for blocking sends.
pub fn blocking_runtime() -> PyResult<&'static Runtime> {
    slot_runtime(&BLOCKING, || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    })
}

/// The runtime in `slot` if it was built by this process, else a new one. Lock-free, so a
/// fork taken at any moment cannot leave a held lock behind in the child.
fn slot_runtime(
    slot: &'static AtomicPtr<Slot>,
    build: impl FnOnce() -> std::io::Result<Runtime>,
) -> PyResult<&'static Runtime> {
    let pid = std::process::id();
    let current = slot.load(Ordering::Acquire);
    if let Some(existing) = leaked(current) {
        if existing.pid == pid {
            return Ok(&existing.runtime);
        }
    }
    let runtime = build().map_err(|e| {
        PyRuntimeError::new_err(format!("sms_otp could not start its I/O runtime: {e}"))
    })?;
    let fresh: &'static mut Slot = Box::leak(Box::new(Slot { pid, runtime }));
    let fresh_ptr: *mut Slot = fresh;
    match slot.compare_exchange(current, fresh_ptr, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => Ok(&fresh.runtime),
        // Another thread of this process won the race: use its runtime (ours stays leaked,
        // a one-off cost after a fork).
        Err(winner) => match leaked(winner) {
            Some(existing) if existing.pid == pid => Ok(&existing.runtime),
            _ => Ok(&fresh.runtime),
        },
    }
}

fn leaked(ptr: *mut Slot) -> Option<&'static Slot> {
    // SAFETY: slots are only ever created by Box::leak and never freed, so any non-null
    // pointer stored in a slot points to a live Slot for the rest of the process.
    #[allow(unsafe_code)]
    unsafe {
        ptr.as_ref()
    }
}

/// Lets the blocking runtime run what is queued on it. Its tasks (the connections of the
/// blocking pools) only run while some thread blocks on it, so a client dropped after its
/// last blocking send would leave its pooled connections open: their tasks are woken to
/// close them but nothing runs them until the next blocking send in the process, maybe
/// never (found by the load run, bindings-python/tests/load/). Called after such a drop;
/// returns once the number of live tasks stops falling.
///
/// No deadlock with the GIL held: when another thread holds the runtime's core, `block_on`
/// polls this future on the calling thread without waiting for the core (and that thread
/// runs the closing tasks itself), and `yield_now` outside the core wakes at once.
pub fn run_blocking_runtime_queue() {
    if tokio::runtime::Handle::try_current().is_ok() {
        return; // inside a runtime, block_on would panic; its worker runs the tasks anyway
    }
    let Some(slot) = leaked(BLOCKING.load(Ordering::Acquire)) else {
        return;
    };
    if slot.pid != std::process::id() {
        return; // the parent's runtime, inherited through fork: never touched
    }
    slot.runtime.block_on(async {
        let metrics = tokio::runtime::Handle::current().metrics();
        let (mut alive, mut unchanged) = (usize::MAX, 0);
        for _ in 0..1000 {
            tokio::task::yield_now().await;
            let now = metrics.num_alive_tasks();
            unchanged = if now == alive { unchanged + 1 } else { 0 };
            alive = now;
            if unchanged >= 2 {
                break;
            }
        }
    });
}
