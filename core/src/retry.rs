//! The retry policy of docs/retries.md as plain functions. A second send invalidates the first code
//! and is billed, and the API has no idempotency key, so only failures that provably never
//! reached the server are retried, plus, when asked, one 429 with a short `Retry-After`.

use std::time::Duration;

use crate::{Error, ErrorKind};

/// First backoff ceiling; doubles per retry.
const BACKOFF_BASE: Duration = Duration::from_millis(100);
/// Longest single backoff wait.
const BACKOFF_CAP: Duration = Duration::from_secs(2);
/// A 429 is retried (when `retry_rate_limited`) only if it asks to wait at most this long.
pub const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(10);

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Give up and return the error.
    Stop,
    /// A connect-phase failure: wait this long (full jitter) and try again.
    RetryUnsent(Duration),
    /// A 429 with a short `Retry-After`: wait that long and try once more.
    RetryRateLimited(Duration),
}

/// Where the call stands when an attempt fails.
#[derive(Debug, Clone, Copy)]
pub(crate) struct State {
    /// Connect-phase retries already made.
    pub(crate) unsent_retries: u32,
    /// Whether the one rate-limit retry was already spent.
    pub(crate) rate_limit_retry_used: bool,
}

/// Policy knobs, from the resolved configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy {
    pub(crate) max_retries: u32,
    pub(crate) retry_rate_limited: bool,
}

/// Decides whether `error` may be retried. `jitter` maps a ceiling to a wait in `[0, ceiling]`.
pub(crate) fn decide(
    error: &Error,
    policy: Policy,
    state: State,
    jitter: impl FnOnce(Duration) -> Duration,
) -> Decision {
    if error.never_sent_and_retryable() {
        if state.unsent_retries < policy.max_retries {
            return Decision::RetryUnsent(jitter(backoff_ceiling(state.unsent_retries)));
        }
        return Decision::Stop;
    }
    if error.kind() == ErrorKind::RateLimited
        && policy.retry_rate_limited
        && !state.rate_limit_retry_used
    {
        if let Some(wait) = error.retry_after().filter(|w| *w <= MAX_RATE_LIMIT_WAIT) {
            return Decision::RetryRateLimited(wait);
        }
    }
    Decision::Stop
}

/// Ceiling of the wait before retry number `retry` (0-based): 100 ms doubling, capped at 2 s.
pub(crate) fn backoff_ceiling(retry: u32) -> Duration {
    BACKOFF_BASE
        .saturating_mul(1u32.checked_shl(retry.min(16)).unwrap_or(u32::MAX))
        .min(BACKOFF_CAP)
}

/// Full jitter: uniform in `[0, ceiling]`.
pub(crate) fn full_jitter(ceiling: Duration) -> Duration {
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(fastrand::u64(0..=millis))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Details;
    use crate::TimeoutPhase;

    const POLICY: Policy = Policy {
        max_retries: 2,
        retry_rate_limited: false,
    };
    const FRESH: State = State {
        unsent_retries: 0,
        rate_limit_retry_used: false,
    };

    fn max(d: Duration) -> Duration {
        d
    }

    fn network(after_send: bool, retryable: bool) -> Error {
        Error::new(
            ErrorKind::Network,
            "x",
            Details {
                after_send: Some(after_send),
                retryable,
                ..Details::default()
            },
        )
    }

    fn timeout(phase: TimeoutPhase) -> Error {
        Error::new(
            ErrorKind::Timeout,
            "x",
            Details {
                phase: Some(phase),
                retryable: phase == TimeoutPhase::Connect,
                ..Details::default()
            },
        )
    }

    fn status(status: u16, retry_after: Option<u64>) -> Error {
        Error::new(
            ErrorKind::from_status(status),
            "x",
            Details {
                status_code: Some(status),
                retry_after: retry_after.map(Duration::from_secs),
                ..Details::default()
            },
        )
    }

    #[test]
    fn only_unsent_failures_are_retried() {
        assert_eq!(
            decide(&network(false, true), POLICY, FRESH, max),
            Decision::RetryUnsent(Duration::from_millis(100))
        );
        assert_eq!(
            decide(&timeout(TimeoutPhase::Connect), POLICY, FRESH, max),
            Decision::RetryUnsent(Duration::from_millis(100))
        );
        // Certificate problems happen before sending but retrying cannot fix them.
        assert_eq!(
            decide(&network(false, false), POLICY, FRESH, max),
            Decision::Stop
        );
        assert_eq!(
            decide(&network(true, false), POLICY, FRESH, max),
            Decision::Stop
        );
        assert_eq!(
            decide(&timeout(TimeoutPhase::Response), POLICY, FRESH, max),
            Decision::Stop
        );
        for s in [500, 502, 503, 504, 400, 401, 404, 408] {
            assert_eq!(
                decide(&status(s, Some(1)), POLICY, FRESH, max),
                Decision::Stop,
                "{s}"
            );
        }
    }

    #[test]
    fn retries_stop_at_max_retries() {
        let e = network(false, true);
        let at = |n| State {
            unsent_retries: n,
            rate_limit_retry_used: false,
        };
        assert_eq!(
            decide(&e, POLICY, at(1), max),
            Decision::RetryUnsent(Duration::from_millis(200))
        );
        assert_eq!(decide(&e, POLICY, at(2), max), Decision::Stop);
        let none = Policy {
            max_retries: 0,
            ..POLICY
        };
        assert_eq!(decide(&e, none, FRESH, max), Decision::Stop);
    }

    #[test]
    fn rate_limited_only_when_asked_once_and_short() {
        let on = Policy {
            retry_rate_limited: true,
            ..POLICY
        };
        assert_eq!(
            decide(&status(429, Some(3)), POLICY, FRESH, max),
            Decision::Stop
        );
        assert_eq!(
            decide(&status(429, Some(3)), on, FRESH, max),
            Decision::RetryRateLimited(Duration::from_secs(3))
        );
        assert_eq!(
            decide(&status(429, Some(10)), on, FRESH, max),
            Decision::RetryRateLimited(Duration::from_secs(10))
        );
        assert_eq!(
            decide(&status(429, Some(11)), on, FRESH, max),
            Decision::Stop
        );
        assert_eq!(decide(&status(429, None), on, FRESH, max), Decision::Stop);
        let used = State {
            rate_limit_retry_used: true,
            ..FRESH
        };
        assert_eq!(decide(&status(429, Some(1)), on, used, max), Decision::Stop);
    }

    #[test]
    fn backoff_doubles_from_100ms_to_2s_with_full_jitter() {
        let ceilings: Vec<u128> = (0..8).map(|n| backoff_ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1600, 2000, 2000, 2000]);
        assert_eq!(backoff_ceiling(u32::MAX), Duration::from_secs(2));
        for _ in 0..1000 {
            assert!(full_jitter(Duration::from_millis(100)) <= Duration::from_millis(100));
        }
    }
}
