//! The plan shared by the three load programs (tests/load/plan.json): sizes, the fault mix
//! and, for each fault, the documented outcome of a send it fires on.

use serde::Deserialize;
use sms_otp::{Error, SendResponse};
use sms_otp_emulator::FaultSpec;

const PLAN_JSON: &str = include_str!("../../../tests/load/plan.json");

#[derive(Debug, Deserialize)]
pub struct Plan {
    pub seconds: f64,
    pub concurrency: usize,
    pub numbers_per_sender: usize,
    pub fault_rate: f64,
    pub timeout_ms: u64,
    pub epoch_seconds: f64,
    pub warmup_seconds: f64,
    pub rate_limit: u32,
    pub settle_ms: u64,
    pub bounds: Bounds,
    pub faults: Vec<PlannedFault>,
}

#[derive(Debug, Deserialize)]
pub struct Bounds {
    pub rss_growth_mib: f64,
    pub rss_growth_ratio: f64,
    pub fd_slack: usize,
    pub idle_per_sender: usize,
}

#[derive(Debug, Deserialize)]
pub struct PlannedFault {
    pub name: String,
    pub fault: FaultSpec,
    pub expect: Expect,
}

/// The documented error (docs/errors.md) of a send the fault fires on.
#[derive(Debug, Deserialize)]
pub struct Expect {
    pub code: String,
    pub status: Option<u16>,
    pub retry_after: Option<u64>,
    pub after_send: Option<bool>,
    pub phase: Option<String>,
    pub maybe_delivered: bool,
    /// Whether the emulator records the SMS before failing (process_then_reset).
    pub recorded: bool,
}

impl Plan {
    pub fn load() -> Result<Plan, String> {
        serde_json::from_str(PLAN_JSON).map_err(|e| format!("tests/load/plan.json: {e}"))
    }
}

/// How a send ended, judged against the fault armed for it (if any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// 200 with no fault armed.
    Ok,
    /// The documented error of the armed fault.
    Faulted,
    /// A response timeout with no fault armed: the machine was too slow for `timeout_ms`.
    /// The SMS may or may not have been recorded (maybe_delivered), so the audit allows
    /// either; the count is reported.
    Slow,
}

/// Classifies one result; `Err` describes an outcome that is neither success nor the
/// documented error of the fault.
pub fn classify(
    fault: Option<&PlannedFault>,
    result: &Result<SendResponse, Error>,
) -> Result<Class, String> {
    match (fault, result) {
        (None, Ok(_)) => Ok(Class::Ok),
        (None, Err(e))
            if e.code() == "timeout" && e.phase().map(|p| p.as_str()) == Some("response") =>
        {
            Ok(Class::Slow)
        }
        (None, Err(e)) => Err(format!("no fault armed, got {}: {e}", e.code())),
        (Some(f), Ok(r)) => Err(format!(
            "{} armed, got a success ({})",
            f.name, r.request_id
        )),
        (Some(f), Err(e)) => {
            let x = &f.expect;
            let mismatches: Vec<String> = [
                (e.code() != x.code).then(|| format!("code {}", e.code())),
                (x.status.is_some() && e.status_code() != x.status)
                    .then(|| format!("status {:?}", e.status_code())),
                (x.retry_after.is_some() && e.retry_after().map(|d| d.as_secs()) != x.retry_after)
                    .then(|| format!("retry_after {:?}", e.retry_after())),
                (x.after_send.is_some() && e.after_send() != x.after_send)
                    .then(|| format!("after_send {:?}", e.after_send())),
                (x.phase.is_some() && e.phase().map(|p| p.as_str()) != x.phase.as_deref())
                    .then(|| format!("phase {:?}", e.phase())),
                (e.maybe_delivered() != x.maybe_delivered)
                    .then(|| format!("maybe_delivered {}", e.maybe_delivered())),
            ]
            .into_iter()
            .flatten()
            .collect();
            if mismatches.is_empty() {
                Ok(Class::Faulted)
            } else {
                Err(format!(
                    "{} armed, got {} ({e})",
                    f.name,
                    mismatches.join(", ")
                ))
            }
        }
    }
}
