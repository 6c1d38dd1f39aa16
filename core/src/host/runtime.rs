//! Tokio runtimes for a host whose process may fork (Python's `os.fork()`, multiprocessing):
//! two per process (one for a host's event-loop calls, one for its blocking calls), created
//! lazily and keyed by pid. A forked child inherits a runtime but not its threads, and its
//! epoll descriptor is shared with the parent, so the child builds its own and leaks the
//! inherited one (dropping it would wait for threads that do not exist in the child).

use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::time::Instant;

use tokio::runtime::{Builder, Runtime};

use crate::Error;

struct Slot {
    pid: u32,
    runtime: Runtime,
    /// When the slot was made, and how many nanoseconds after that a call last began on it.
    born: Instant,
    last_call: AtomicU64,
}

/// Multi-thread: calls for an event loop (asyncio) run on its workers.
static ASYNC: AtomicPtr<Slot> = AtomicPtr::new(std::ptr::null_mut());
/// Current-thread: a blocking call's own thread drives it in `block_on` (a Python thread with
/// the GIL released), so a call involves no hand-off to another thread.
static BLOCKING: AtomicPtr<Slot> = AtomicPtr::new(std::ptr::null_mut());

/// This process's multi-thread runtime (two workers).
pub fn runtime() -> Result<&'static Runtime, Error> {
    let build = || {
        Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("sms-otp-io")
            .on_thread_start(as_batch_thread)
            .enable_all()
            .build()
    };
    slot_runtime(&ASYNC, build)
}

/// This process's current-thread runtime, for calls the caller's thread drives.
pub fn blocking_runtime() -> Result<&'static Runtime, Error> {
    slot_runtime(&BLOCKING, || {
        Builder::new_current_thread().enable_all().build()
    })
}

/// The runtime in `slot` if this process built it, else a new one. Lock-free: a fork taken
/// at any moment leaves no held lock behind.
fn slot_runtime(
    slot: &'static AtomicPtr<Slot>,
    build: impl FnOnce() -> std::io::Result<Runtime>,
) -> Result<&'static Runtime, Error> {
    let pid = std::process::id();
    let current = slot.load(Ordering::Acquire);
    if let Some(existing) = leaked(current).filter(|s| s.pid == pid) {
        return Ok(&existing.runtime);
    }
    let runtime = build().map_err(|e| {
        Error::configuration("runtime", format!("could not start the I/O runtime: {e}"))
    })?;
    let fresh: &'static mut Slot = Box::leak(Box::new(Slot {
        pid,
        runtime,
        born: Instant::now(),
        last_call: AtomicU64::new(0),
    }));
    let fresh_ptr: *mut Slot = fresh;
    match slot.compare_exchange(current, fresh_ptr, Ordering::AcqRel, Ordering::Acquire) {
        // Another thread won the race: use its runtime (ours stays leaked, a one-off cost).
        Err(winner) => match leaked(winner).filter(|s| s.pid == pid) {
            Some(existing) => Ok(&existing.runtime),
            None => Ok(&fresh.runtime),
        },
        Ok(_) => Ok(&fresh.runtime),
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

/// Marks the calling thread, a runtime worker, as `SCHED_BATCH` (Linux; elsewhere, and if
/// the kernel refuses, nothing changes), once per thread. Each call hands off twice: the
/// host's thread wakes a worker to start it, the worker wakes the host's thread to settle
/// it. A normal worker woken on the host thread's core preempts it at once, and the host
/// thread is switched back in to finish what it was doing, then out again: 4.6 context
/// switches per sequential Node send, 3.0 with batch workers, which still get their full
/// share of the CPU but wait for the running thread to yield (`perf stat`, `BENCHMARKS.md`).
/// This process's runtime calls it as each worker starts; the Node binding, on napi's
/// runtime (which has no such hook without starting its threads at import), as a task starts.
pub fn as_batch_thread() {
    #[cfg(target_os = "linux")]
    {
        thread_local!(static MARKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
        if MARKED.replace(true) {
            return;
        }
        let normal_priority = libc::sched_param { sched_priority: 0 };
        // The system call itself: musl's `sched_setscheduler` is a stub that always fails.
        // SAFETY: sets the calling thread's policy (pid 0) from a `sched_param` that outlives
        // the call; a refusal only returns an error, which changes nothing.
        #[allow(unsafe_code)]
        unsafe {
            libc::syscall(
                libc::SYS_sched_setscheduler,
                0,
                libc::SCHED_BATCH,
                &normal_priority as *const libc::sched_param,
            );
        }
    }
}

/// Lets the blocking runtime's connection tasks run (a few scheduler turns). They run only
/// while some thread drives the runtime, so a keep-alive connection the server closed while
/// none did is noticed here, before the pool hands it out; else a request goes out on it and
/// fails as "may have been delivered" (the fault matrix's half-closed connection).
pub async fn let_connection_tasks_run() {
    for _ in 0..4 {
        tokio::task::yield_now().await;
    }
}

/// [`let_connection_tasks_run`] as a blocking call starts, unless a call began on the runtime
/// less than a millisecond ago: back to back, the runtime was not idle long enough to have
/// missed anything a client driven all the time would have seen, and the turns cost a tenth
/// of a sequential send's CPU (four `epoll_wait`s and two wake-ups, `strace -c`).
pub async fn let_connection_tasks_run_unless_just_driven() {
    match leaked(BLOCKING.load(Ordering::Acquire)) {
        Some(slot) if began_just_after_another(slot) => {}
        _ => let_connection_tasks_run().await,
    }
}

/// Notes that a call begins on `slot`'s runtime: whether one began less than 1 ms before.
fn began_just_after_another(slot: &Slot) -> bool {
    const JUST_NANOS: u64 = 1_000_000;
    let now = u64::try_from(slot.born.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let previous = slot.last_call.swap(now, Ordering::Relaxed);
    previous != 0 && now.saturating_sub(previous) < JUST_NANOS
}

/// Runs what is queued on the blocking runtime until the number of live tasks stops
/// falling: after a client's last blocking call its pooled connections would otherwise stay
/// open until the next blocking call, maybe never (found by the Python load run). It takes
/// no lock a host could hold: with another thread holding the core, `block_on` polls here
/// without it.
pub fn run_blocking_runtime_queue() {
    let slot = leaked(BLOCKING.load(Ordering::Acquire));
    // Inside a runtime `block_on` would panic (and its worker runs the tasks anyway); the
    // parent's runtime, inherited through fork, is never touched.
    let Some(slot) = slot.filter(|s| s.pid == std::process::id()) else {
        return;
    };
    if tokio::runtime::Handle::try_current().is_ok() {
        return;
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

#[cfg(test)]
mod tests {
    /// The calling thread's policy (`SCHED_OTHER` 0, `SCHED_BATCH` 3), by the system call.
    #[cfg(target_os = "linux")]
    fn policy() -> i64 {
        // SAFETY: reads the calling thread's policy; nothing is handed over.
        #[allow(unsafe_code)]
        unsafe {
            libc::syscall(libc::SYS_sched_getscheduler, 0)
        }
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn the_runtime_workers_are_batch_threads_and_the_caller_is_left_alone() {
        let caller = policy();
        let runtime = super::runtime().expect("the runtime starts");
        let worker = runtime
            .block_on(runtime.spawn(async { policy() }))
            .expect("the task runs");
        assert_eq!(worker, i64::from(libc::SCHED_BATCH));
        assert_eq!(policy(), caller, "the thread that asked changed policy");
        let marked = std::thread::spawn(|| {
            super::as_batch_thread();
            super::as_batch_thread();
            policy()
        });
        assert_eq!(marked.join().ok(), Some(i64::from(libc::SCHED_BATCH)));
    }

    #[test]
    fn a_blocking_call_skips_the_connection_tasks_turns_only_right_after_another() {
        super::blocking_runtime().expect("the runtime starts");
        let slot = super::leaked(super::BLOCKING.load(super::Ordering::Acquire)).expect("made");
        super::began_just_after_another(slot);
        assert!(super::began_just_after_another(slot), "back to back");
        std::thread::sleep(std::time::Duration::from_millis(2)); // the idleness measured
        assert!(!super::began_just_after_another(slot), "after 2 ms idle");
    }
}
