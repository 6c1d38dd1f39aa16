//! How finished sends reach the JS thread: through one threadsafe function per client, in
//! batches, instead of a napi deferred (a threadsafe function, a libuv handle and a wake-up)
//! per promise. Only the push that finds no wake-up on its way schedules one, which (unless
//! the send was alone) waits until the runtime has no other ready work; the JS thread then
//! takes all that finished meanwhile as one flat array `[id, outcome, id, outcome, …]`. The
//! function is referenced only while sends are in flight: an idle client never keeps the
//! process alive, a pending send does.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use napi::bindgen_prelude::{Either, Function, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Result, Status};

use crate::client::Outcome;

/// What the JS callback receives: send ids and outcomes, alternating.
pub type Batch = Vec<Either<u32, Outcome>>;

/// Not referenced (`Weak = true`), errors not passed to the callee (`CalleeHandled = false`).
type Tsfn = ThreadsafeFunction<(), Unknown<'static>, Batch, Status, false, true>;

/// Finished sends not yet handed to JS.
#[derive(Debug, Default)]
struct Finished {
    done: Vec<(u32, Outcome)>,
    /// A call of the threadsafe function is queued and will take `done`.
    wake_queued: bool,
}

/// Shared by the client, its running sends and the JS-thread callback.
#[derive(Debug, Default)]
struct Inbox {
    finished: Mutex<Finished>,
    /// Sends started and not yet handed to JS. Changed on the JS thread only.
    in_flight: AtomicUsize,
}

/// The threadsafe function. Not behind a lock: the runtime's worker held one across each
/// call, the JS thread it woke preempted it and then waited on that lock to unreference the
/// function (`perf`: two more context switches per sequential send).
struct Waker(Tsfn);

/// A client's way back to the JS thread. Cloned into every running send.
#[derive(Clone)]
pub struct Completions {
    inbox: Arc<Inbox>,
    waker: Arc<Waker>,
}

impl std::fmt::Debug for Completions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Completions")
            .field("inbox", &self.inbox)
            .finish_non_exhaustive()
    }
}

impl Completions {
    /// Wraps `callback` (called with a [`Batch`] on the JS thread) in an unreferenced
    /// threadsafe function.
    pub fn new(callback: Function<'_, Batch, Unknown<'static>>) -> Result<Completions> {
        let inbox = Arc::new(Inbox::default());
        // The callback holds the waker only weakly: the threadsafe function owns the callback,
        // so a strong reference would keep it alive forever (and, referenced, the process).
        let waker_slot: Arc<Mutex<Weak<Waker>>> = Arc::new(Mutex::new(Weak::new()));
        let tsfn: Tsfn = {
            let inbox = Arc::clone(&inbox);
            let waker_slot = Arc::clone(&waker_slot);
            callback
                .build_threadsafe_function::<()>()
                .callee_handled::<false>()
                .weak::<true>()
                .build_callback(move |ctx| {
                    let batch = inbox.take();
                    let settled = batch.len() / 2;
                    // Both counters move on this thread only (here and in `started`).
                    if settled > 0
                        && inbox.in_flight.fetch_sub(settled, Ordering::Relaxed) == settled
                    {
                        let waker = lock(&waker_slot).upgrade();
                        if let Some(waker) = waker {
                            waker.set_referenced(&ctx.env, false);
                        }
                    }
                    Ok(batch)
                })?
        };
        let waker = Arc::new(Waker(tsfn));
        *lock(&waker_slot) = Arc::downgrade(&waker);
        Ok(Completions { inbox, waker })
    }

    /// Counts a send as started (on the JS thread, just before spawning it): the first one
    /// references the threadsafe function so the process waits for the answer.
    pub fn started(&self, env: &Env) {
        if self.inbox.in_flight.fetch_add(1, Ordering::Relaxed) == 0 {
            self.waker.set_referenced(env, true);
        }
    }

    /// Hands a finished send to the JS thread, from the end of the send's own task on the
    /// runtime. Must be called exactly once per `started`.
    pub async fn finish(&self, id: u32, outcome: Outcome) {
        let wake = {
            let mut finished = lock(&self.inbox.finished);
            finished.done.push((id, outcome));
            !std::mem::replace(&mut finished.wake_queued, true)
        };
        // With other sends in flight, wake the JS thread only once the runtime has run out of
        // ready work: sends finishing meanwhile join this batch (waking at once cost a context
        // switch per send on a shared core). Alone, at once: the wait cost an `epoll_wait`.
        // The send's task itself waits (a task of its own for it cost a spawn per send).
        if wake {
            if self.inbox.in_flight.load(Ordering::Relaxed) > 1 {
                tokio::task::yield_now().await; // deferred until the worker is idle
            }
            self.waker.wake();
        }
    }
}

impl Inbox {
    /// Everything finished so far, as the flat array the JS callback takes.
    fn take(&self) -> Batch {
        let done = {
            let mut finished = lock(&self.finished);
            finished.wake_queued = false;
            std::mem::take(&mut finished.done)
        };
        let mut batch = Vec::with_capacity(done.len() * 2);
        for (id, outcome) in done {
            batch.push(Either::A(id));
            batch.push(Either::B(outcome));
        }
        batch
    }
}

impl Waker {
    fn wake(&self) {
        // Fails only while the environment shuts down, when nobody waits for the answer.
        let _ = self.0.call((), ThreadsafeFunctionCallMode::NonBlocking);
    }

    /// Through N-API itself: napi-rs's `refer`/`unref` take `&mut` for no other reason.
    fn set_referenced(&self, env: &Env, referenced: bool) {
        if self.0.aborted() {
            return; // the environment is shutting down: nothing to keep alive
        }
        let (env, tsfn) = (env.raw(), self.0.raw());
        // SAFETY: called on the JS thread of `env` (from `started` and the JS callback), with
        // a function not aborted; both calls only (un)reference its libuv handle.
        #[allow(unsafe_code)]
        let _ = unsafe {
            if referenced {
                napi::sys::napi_ref_threadsafe_function(env, tsfn)
            } else {
                napi::sys::napi_unref_threadsafe_function(env, tsfn)
            }
        };
    }
}

/// A poisoned lock only means a panic elsewhere while it was held; the data stays usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
