//! Keeps a client's last response timer registered until its next attempt has registered its
//! own, so that registering a timer does not have to wake tokio's timer driver.
//!
//! The driver sleeps until its earliest timer. Between calls made one at a time, the earliest
//! is the pool's idle sweep, tens of seconds away; an attempt's response timer, due sooner,
//! then makes tokio wake the driver to re-plan (an eventfd write on every call: `strace` of
//! sequential Node sends). With the previous attempt's timer still
//! registered the driver's plan is already no later than that one, which is due no later than
//! the next attempt's (same timeout, later start), so no wake-up is needed.
//!
//! What it costs: one timer per client stays in the wheel after its last call, and fires once,
//! `timeout` later, waking nobody.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Waker};

use tokio::time::Sleep;

/// The timer of a client's latest finished attempt, if any.
#[derive(Debug, Default)]
pub(crate) struct TimerFloor {
    latest: Mutex<Option<Pin<Box<Sleep>>>>,
}

impl TimerFloor {
    /// Keeps `timer` in place of the one kept before (registering it, if the attempt ended
    /// before polling it).
    pub(crate) fn keep(&self, mut timer: Pin<Box<Sleep>>) {
        // Re-registered with a waker that does nothing, so the kept timer holds no reference
        // to the finished attempt's task; it stays in the wheel either way.
        let _ = timer.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        let previous = self
            .latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(timer);
        drop(previous); // outside the lock: removing it takes the timer wheel's lock
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::Wake;
    use std::time::Duration;

    struct Ignored;

    impl Wake for Ignored {
        fn wake(self: Arc<Self>) {}
    }

    #[tokio::test]
    async fn a_kept_timer_holds_no_waker_and_only_the_latest_is_kept() {
        let floor = TimerFloor::default();
        let start = tokio::time::Instant::now();
        for i in 10..13 {
            let mut timer = Box::pin(tokio::time::sleep(Duration::from_secs(i)));
            let task = Arc::new(Ignored);
            let waker = Waker::from(Arc::clone(&task));
            assert!(timer
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending());
            drop(waker);
            assert_eq!(
                Arc::strong_count(&task),
                2,
                "a registered timer holds its waker"
            );
            floor.keep(timer);
            assert_eq!(
                Arc::strong_count(&task),
                1,
                "a kept timer holds no task's waker"
            );
        }
        let kept = floor.latest.lock().expect("not poisoned");
        let due = kept.as_ref().map(|timer| timer.deadline() - start);
        assert!(
            due.is_some_and(|due| due >= Duration::from_secs(12) && due < Duration::from_secs(13))
        );
    }
}
