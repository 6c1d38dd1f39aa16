//! The per-attempt response timeout ([`with_response_timeout`]) and knowing when its clock
//! starts. `timeout` counts from sending the request, not
//! from the start of the attempt, so a slow connect (bounded by `connect_timeout`) must not
//! eat into it, and a timeout that fires mid-connect must be reported as phase "connect"
//! (retryable, nothing sent). The HTTP client has no hook for that, so a connector wrapper tells the
//! request future when a connect it started begins and ends, through a task-local probe.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::timer_floor::TimerFloor;

tokio::task_local! {
    static PROBE: Arc<ConnectProbe>;
}

/// What the connector did for one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConnectState {
    /// No connect started: the attempt reuses a pooled connection (or has not got that far).
    Idle,
    /// A connect is under way; the response clock has not started.
    Connecting,
    /// The connect ended (or was abandoned) at this instant.
    Done(Instant),
}

#[derive(Debug)]
pub(crate) struct ConnectProbe {
    state: watch::Sender<ConnectState>,
}

impl ConnectProbe {
    fn new() -> Arc<Self> {
        Arc::new(ConnectProbe {
            state: watch::Sender::new(ConnectState::Idle),
        })
    }
}

/// Marks the connect finished when dropped: on success, on error, and when the connect
/// future is abandoned (the connector's `connect_timeout` drops it), so nobody waits forever.
struct ConnectGuard(Arc<ConnectProbe>);

impl Drop for ConnectGuard {
    fn drop(&mut self) {
        self.0
            .state
            .send_replace(ConnectState::Done(Instant::now()));
    }
}

/// The outcome of an attempt run under [`with_response_timeout`].
pub(crate) enum Timed<T> {
    Finished(T),
    /// No complete response within `timeout` of the request being sent.
    ResponseTimeout,
}

/// Runs one attempt: finishes with its output, or `ResponseTimeout` once `timeout` has passed
/// since the connection was ready (the start, for a pooled connection).
/// A finished attempt's timer is left registered in `floor` (see [`TimerFloor`]).
pub(crate) async fn with_response_timeout<F: Future>(
    work: F,
    timeout: Duration,
    floor: &TimerFloor,
) -> Timed<F::Output> {
    let probe = ConnectProbe::new();
    let mut state = probe.state.subscribe();
    let work = PROBE.scope(probe, work);
    tokio::pin!(work);
    let mut deadline = Instant::now() + timeout;
    // Boxed: it outlives the attempt in `floor`.
    let mut timer = Box::pin(tokio::time::sleep_until(deadline));
    loop {
        tokio::select! {
            out = &mut work => {
                floor.keep(timer);
                return Timed::Finished(out);
            }
            () = timer.as_mut() => {}
        }
        let current = *state.borrow_and_update();
        match current {
            ConnectState::Connecting => {
                // The response clock has not started; the connect is bounded by the
                // connector's connect timeout, whose expiry drops the guard and wakes us.
                tokio::select! {
                    out = &mut work => return Timed::Finished(out),
                    changed = state.changed() => if changed.is_err() {
                        return Timed::ResponseTimeout;
                    },
                }
                if let ConnectState::Done(at) = *state.borrow_and_update() {
                    deadline = deadline.max(at + timeout);
                }
            }
            ConnectState::Done(at) if at + timeout > Instant::now() => deadline = at + timeout,
            ConnectState::Done(_) | ConnectState::Idle => return Timed::ResponseTimeout,
        }
        timer.as_mut().reset(deadline);
    }
}

/// A connector that reports connects to the probe of the attempt that started them.
#[derive(Debug, Clone)]
pub(crate) struct ProbeService<S> {
    inner: S,
}

impl<S> ProbeService<S> {
    pub(crate) fn new(inner: S) -> Self {
        ProbeService { inner }
    }
}

impl<S, R> tower::Service<R> for ProbeService<S>
where
    S: tower::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        // `call` runs inside the request's task (hyper starts the connect lazily while
        // racing the pool checkout), so the attempt's probe is in scope here.
        let guard = PROBE.try_with(|probe| {
            probe.state.send_replace(ConnectState::Connecting);
            ConnectGuard(probe.clone())
        });
        let connect = self.inner.call(request);
        Box::pin(async move {
            let result = connect.await;
            drop(guard);
            result
        })
    }
}
