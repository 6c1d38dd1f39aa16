//! The emulator's virtual clock, and the RFC 3339 timestamps it writes.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// The emulator's clock: wall time when it started, plus real time elapsed since, plus every
/// `advance`. It never goes backwards.
#[derive(Debug)]
pub(crate) struct Clock {
    start_ms: i64,
    started: Instant,
    offset_ms: i64,
}

impl Clock {
    pub(crate) fn new() -> Clock {
        let start_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4));
        Clock {
            start_ms,
            started: Instant::now(),
            offset_ms: 0,
        }
    }

    /// Milliseconds since the Unix epoch, on the virtual clock.
    pub(crate) fn now_ms(&self) -> i64 {
        let elapsed = i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX / 4);
        self.start_ms
            .saturating_add(elapsed)
            .saturating_add(self.offset_ms)
    }

    /// Moves the clock forward by `ms` milliseconds.
    pub(crate) fn advance_ms(&mut self, ms: i64) {
        self.offset_ms = self.offset_ms.saturating_add(ms.max(0));
    }

    /// How far the clock has been moved in total, in milliseconds.
    pub(crate) fn offset_ms(&self) -> i64 {
        self.offset_ms
    }
}

/// `2024-05-01T12:34:56Z` for a time in milliseconds since the epoch (seconds precision, as
/// the service writes its timestamps).
pub(crate) fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    // d is 1..=31 and m 1..=12 by construction.
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_714_566_896_999), "2024-05-01T12:34:56Z");
        assert_eq!(rfc3339(-1000), "1969-12-31T23:59:59Z");
    }
}
